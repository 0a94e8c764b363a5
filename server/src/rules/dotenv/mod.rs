//! dotenv rules. Each is called once per file with its entries.

use crate::context::RuleContext;
use crate::dotenv::DotenvFile;
use crate::rules::RuleMeta;

pub struct DotenvRule {
    pub meta: RuleMeta,
    pub check: fn(&mut RuleContext<'_>, &DotenvFile),
}

/// Every dotenv rule (catalogue order).
pub static RULES: &[DotenvRule] = &[];
