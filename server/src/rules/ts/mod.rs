//! TypeScript/JavaScript rules. Each is called, during the one tree walk per
//! file, for the node kinds it lists.

use crate::context::RuleContext;
use crate::rules::RuleMeta;
use tree_sitter::Node;

pub mod cache_without_cachelife;
pub mod cors_wildcard;
pub mod hardcoded_secret;
pub mod log_request_data;
pub mod no_any_cast;
pub mod secret_fallback;
pub mod sql_injection;
pub mod unsanitized_filename;
pub mod webhook_unverified;

pub struct TsRule {
    pub meta: RuleMeta,
    /// Named tree-sitter node kinds the rule is called for.
    pub kinds: &'static [&'static str],
    pub check: Check,
}

/// How a rule looks at the file.
pub enum Check {
    /// Called for each node of the listed kinds; findings depend on that node
    /// (and on facts it may memoise per file with `RuleContext::memo`).
    Node(fn(&mut RuleContext<'_>, Node<'_>)),
    /// For rules that gather facts over the whole file before they can judge:
    /// a per-file visitor, made before the walk, fed the nodes of the listed
    /// kinds during the one shared walk, and finished after it.
    File(VisitorFactory),
}

/// Makes a rule's visitor for one file (given its source text).
pub type VisitorFactory = for<'t> fn(&'t str) -> Box<dyn Visitor<'t> + 't>;

/// A rule's per-file state during the shared walk (see [`Check::File`]).
pub trait Visitor<'t> {
    /// A node of one of the rule's kinds, in document order.
    fn visit(&mut self, cx: &mut RuleContext<'_>, node: Node<'t>);
    /// After the walk; `root` is the tree's root node.
    fn finish(&mut self, cx: &mut RuleContext<'_>, root: Node<'t>);
}

/// Every script rule (catalogue order).
pub static RULES: &[TsRule] = &[
    log_request_data::RULE,
    no_any_cast::RULE,
    cors_wildcard::RULE,
    cache_without_cachelife::RULE,
    unsanitized_filename::RULE,
    hardcoded_secret::RULE,
    secret_fallback::RULE,
    webhook_unverified::RULE,
    sql_injection::RULE,
];
