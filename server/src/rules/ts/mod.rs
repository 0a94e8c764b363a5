//! TypeScript/JavaScript rules. Each is called, during the one tree walk per
//! file, for the node kinds it lists.

use crate::context::RuleContext;
use crate::rules::RuleMeta;
use crate::ts::kind;
use std::sync::LazyLock;
use tree_sitter::Node;

pub mod cache_without_cachelife;
pub mod console_in_production;
pub mod cors_wildcard;
pub mod cron_in_serverless;
pub mod error_details_leak;
pub mod fire_and_forget;
pub mod hardcoded_secret;
pub mod insecure_cookie;
pub mod insecure_random;
pub mod jwt_without_expiry;
pub mod localhost_fallback_url;
pub mod log_common;
pub mod log_request_data;
pub mod log_sensitive_data;
pub mod missing_graceful_shutdown;
pub mod missing_retry_after;
pub mod no_any_cast;
pub mod open_redirect;
pub mod route_without_auth;
pub mod secret_fallback;
pub mod secret_in_client;
pub mod select_star;
pub mod sql_injection;
pub mod stub_auth;
pub mod unimplemented_stub;
pub mod unsafe_html;
pub mod unsanitized_filename;
pub mod unvalidated_input;
pub mod webhook_not_idempotent;
pub mod webhook_unverified;

pub struct TsRule {
    pub meta: RuleMeta,
    /// Named tree-sitter node kinds the rule is called for (`ts::kind`'s
    /// constants; checked against the grammars, see [`RULES`]).
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

/// Every script rule (catalogue order). In debug builds the first use checks
/// every kind the rules list against the grammars: the walk dispatches by kind
/// id, and a misspelt kind has none, so the rule would silently never run
/// (`tests::every_rule_kind_is_a_named_kind` checks the same in every build).
pub static RULES: LazyLock<&'static [TsRule]> = LazyLock::new(|| {
    debug_assert!(
        unknown_kinds(REGISTERED).is_empty(),
        "script rules list node kinds that neither grammar has: {:?}",
        unknown_kinds(REGISTERED)
    );
    REGISTERED
});

static REGISTERED: &[TsRule] = &[
    log_request_data::RULE,
    no_any_cast::RULE,
    cors_wildcard::RULE,
    cache_without_cachelife::RULE,
    unsanitized_filename::RULE,
    hardcoded_secret::RULE,
    secret_fallback::RULE,
    webhook_unverified::RULE,
    sql_injection::RULE,
    error_details_leak::RULE,
    missing_retry_after::RULE,
    insecure_cookie::RULE,
    log_sensitive_data::RULE,
    console_in_production::RULE,
    stub_auth::RULE,
    unvalidated_input::RULE,
    open_redirect::RULE,
    jwt_without_expiry::RULE,
    webhook_not_idempotent::RULE,
    route_without_auth::RULE,
    insecure_random::RULE,
    localhost_fallback_url::RULE,
    unimplemented_stub::RULE,
    select_star::RULE,
    unsafe_html::RULE,
    secret_in_client::RULE,
    fire_and_forget::RULE,
    missing_graceful_shutdown::RULE,
    cron_in_serverless::RULE,
];

/// (rule id, kind) for each listed kind that is not a named node kind of the
/// TypeScript or the TSX grammar.
pub fn unknown_kinds(rules: &[TsRule]) -> Vec<(&'static str, &'static str)> {
    rules
        .iter()
        .flat_map(|r| r.kinds.iter().map(move |k| (r.meta.id, *k)))
        .filter(|(_, k)| !kind::is_named_kind(k))
        .collect()
}

/// The functions of the file already found not to be handlers, for the file
/// path they were asked with (see [`handler_of_memo`]).
struct NotHandlers(std::cell::RefCell<std::collections::HashSet<(usize, u64)>>);

/// [`handler_of`](crate::ts::frameworks::handlers::handler_of), remembering
/// per file which functions are not handlers: several rules ask about every
/// function of a file, and most are not handlers.
pub fn handler_of_memo<'t>(
    cx: &RuleContext<'_>,
    func: Node<'t>,
    src: &crate::ts::semantic::Script<'t>,
    file: &str,
) -> Option<crate::ts::frameworks::handlers::Handler<'t>> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    file.hash(&mut h);
    let key = (func.id(), h.finish());
    let memo = cx.memo(|| NotHandlers(Default::default()));
    if memo.0.borrow().contains(&key) {
        return None;
    }
    let found = crate::ts::frameworks::handlers::handler_of(func, src, file);
    if found.is_none() {
        memo.0.borrow_mut().insert(key);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{FixKind, RuleLanguage, RuleOptions};

    #[test]
    fn every_rule_kind_is_a_named_kind() {
        assert_eq!(unknown_kinds(REGISTERED), Vec::new());
        assert!(RULES.iter().all(|r| !r.kinds.is_empty()));
        // A typo is caught.
        fn nothing(_: &mut RuleContext<'_>, _: Node<'_>) {}
        let typo = TsRule {
            meta: RuleMeta {
                id: "typo",
                language: RuleLanguage::Script,
                tier: 'A',
                default_level: crate::diagnostic::Level::Warn,
                fix: FixKind::None,
                not_in_tests: false,
                summary: "",
                docs: "",
                triggers: &[],
                also_triggers: &[],
                options: RuleOptions::NONE,
            },
            kinds: &[kind::CALL_EXPRESSION, "call_expresion", "jsx_element"],
            check: Check::Node(nothing),
        };
        assert_eq!(unknown_kinds(&[typo]), vec![("typo", "call_expresion")]);
    }
}
