//! dotenv rules. Each is called once per file with its entries.

use crate::context::RuleContext;
use crate::dotenv::DotenvFile;
use crate::rules::RuleMeta;

pub mod env_live_key_in_example;
pub mod env_localhost_url;
pub mod env_weak_secret;

pub struct DotenvRule {
    pub meta: RuleMeta,
    pub check: fn(&mut RuleContext<'_>, &DotenvFile),
}

/// Every dotenv rule (catalogue order).
pub static RULES: &[DotenvRule] = &[
    env_weak_secret::RULE,
    env_live_key_in_example::RULE,
    env_localhost_url::RULE,
];
