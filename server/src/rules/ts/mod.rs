//! TypeScript/JavaScript rules. Each is called, during the one tree walk per
//! file, for the node kinds it lists.

use crate::context::RuleContext;
use crate::rules::RuleMeta;
use tree_sitter::Node;

pub mod hardcoded_secret;
pub mod log_request_data;
pub mod no_any_cast;
pub mod secret_fallback;

pub struct TsRule {
    pub meta: RuleMeta,
    /// Named tree-sitter node kinds the rule is called for.
    pub kinds: &'static [&'static str],
    pub check: fn(&mut RuleContext<'_>, Node<'_>),
}

/// Every script rule (catalogue order).
pub static RULES: &[TsRule] = &[
    log_request_data::RULE,
    no_any_cast::RULE,
    hardcoded_secret::RULE,
    secret_fallback::RULE,
];
