//! PostgreSQL rules. Each is called once per file with its parsed statements.

use crate::context::RuleContext;
use crate::rules::RuleMeta;
use crate::sql::SqlFile;

pub mod add_required_column;
pub mod auth_users_exposed;
pub mod fk_without_index;
pub mod function_search_path;
pub mod grant_to_anon;
pub mod index_not_concurrent;
mod migration_common;
pub mod mysql_inline_index;
pub mod no_primary_key;
pub mod policy_always_true;
pub mod policy_user_metadata;
pub mod rls_disabled;
pub mod rls_initplan;
pub mod rls_no_policy;
pub mod timestamp_without_tz;
pub mod unbounded_write;
pub mod view_security_invoker;

pub struct SqlRule {
    pub meta: RuleMeta,
    pub check: fn(&mut RuleContext<'_>, &SqlFile),
}

/// Every SQL rule (catalogue order).
pub static RULES: &[SqlRule] = &[
    rls_disabled::RULE,
    function_search_path::RULE,
    policy_always_true::RULE,
    mysql_inline_index::RULE,
    rls_initplan::RULE,
    policy_user_metadata::RULE,
    view_security_invoker::RULE,
    grant_to_anon::RULE,
    auth_users_exposed::RULE,
    rls_no_policy::RULE,
    unbounded_write::RULE,
    fk_without_index::RULE,
    no_primary_key::RULE,
    index_not_concurrent::RULE,
    add_required_column::RULE,
    timestamp_without_tz::RULE,
];
