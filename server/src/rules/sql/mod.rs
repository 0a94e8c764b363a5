//! PostgreSQL rules. Each is called once per file with its parsed statements.

use crate::context::RuleContext;
use crate::rules::RuleMeta;
use crate::sql::SqlFile;

pub struct SqlRule {
    pub meta: RuleMeta,
    pub check: fn(&mut RuleContext<'_>, &SqlFile),
}

/// Every SQL rule (catalogue order).
pub static RULES: &[SqlRule] = &[];
