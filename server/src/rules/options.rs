//! Rule options: the `[rules.<id>]` keys other than `level` in `prodlint.toml`.
//!
//! A rule with options declares one struct (`serde::Deserialize`,
//! `#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]`, `Default`)
//! and names it in its metadata with [`RuleOptions::typed`], next to the list of
//! documented keys ([`RuleOption`]: name, kind, default, help) that `prodlint
//! explain`, `docs/rules.md` and the config's error messages use. The
//! configuration parses the struct once per config file (`config.rs`), and the
//! rule reads it with `cx.options::<MyOptions>()` (`context.rs`).
//!
//! This module depends on nothing else in the crate: the direction is
//! rules (metadata, options) ← config ← context ← rule implementations.

use serde::de::DeserializeOwned;
use std::any::Any;
use std::sync::Arc;

/// The value type of one option (for validation messages and the docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    StringList,
    String,
    Bool,
    Integer,
}

impl OptionKind {
    pub fn accepts(self, v: &toml::Value) -> bool {
        match self {
            OptionKind::StringList => v.as_array().is_some_and(|a| a.iter().all(|x| x.is_str())),
            OptionKind::String => v.is_str(),
            OptionKind::Bool => v.is_bool(),
            OptionKind::Integer => v.is_integer(),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            OptionKind::StringList => "an array of strings",
            OptionKind::String => "a string",
            OptionKind::Bool => "true or false",
            OptionKind::Integer => "an integer",
        }
    }
}

/// One documented option key.
#[derive(Clone, Copy, Debug)]
pub struct RuleOption {
    /// The key in `[rules.<id>]` (kebab-case).
    pub name: &'static str,
    pub kind: OptionKind,
    /// The default, as TOML (`false`, `[]`, `"hours"`).
    pub default: &'static str,
    pub help: &'static str,
}

/// A rule's parsed options (its typed struct behind `Any`), shared by every
/// file that the configuration applies to.
pub type ParsedOptions = Arc<dyn Any + Send + Sync>;

type ParseFn = fn(toml::Table) -> Result<ParsedOptions, String>;

/// What a rule accepts under `[rules.<id>]` besides `level`.
#[derive(Clone, Copy, Debug)]
pub struct RuleOptions {
    /// The documented keys.
    pub fields: &'static [RuleOption],
    /// Deserialises the rule's options struct (`None`: the rule has no options).
    parse: Option<ParseFn>,
}

impl RuleOptions {
    /// A rule without options.
    pub const NONE: RuleOptions = RuleOptions {
        fields: &[],
        parse: None,
    };

    /// Options read into `T` (which must reject unknown keys and fill in
    /// defaults for missing ones); `fields` documents `T`'s keys.
    pub const fn typed<T: DeserializeOwned + Default + Send + Sync + 'static>(
        fields: &'static [RuleOption],
    ) -> RuleOptions {
        RuleOptions {
            fields,
            parse: Some(parse_as::<T>),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.parse.is_none()
    }

    pub fn field(&self, name: &str) -> Option<&'static RuleOption> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The options struct from a `[rules.<id>]` table without its `level`
    /// (`Ok(None)` for a rule without options; the error is serde's message).
    pub fn parse(&self, table: &toml::Table) -> Result<Option<ParsedOptions>, String> {
        self.parse.map(|parse| parse(table.clone())).transpose()
    }

    /// The `## Options` section of the rule's docs (empty without options).
    pub fn markdown(&self, rule_id: &str) -> String {
        if self.fields.is_empty() {
            return String::new();
        }
        let mut s = format!(
            "## Options\nSet in `prodlint.toml` under `[rules.{rule_id}]`, next to `level`:\n\n| option | type | default | what it does |\n|---|---|---|---|\n",
        );
        for f in self.fields {
            s.push_str(&format!(
                "| `{}` | {} | `{}` | {} |\n",
                f.name,
                f.kind.describe(),
                f.default,
                f.help.replace('|', "\\|")
            ));
        }
        s
    }
}

fn parse_as<T: DeserializeOwned + Send + Sync + 'static>(
    table: toml::Table,
) -> Result<ParsedOptions, String> {
    toml::Value::Table(table)
        .try_into::<T>()
        .map(|t| Arc::new(t) as ParsedOptions)
        .map_err(|e| e.message().trim().replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule's documented keys and its options struct agree: each key is
    /// accepted with its default and with a value of its kind, an unknown key is
    /// rejected, and the empty table gives the defaults.
    #[test]
    fn documented_options_match_the_option_structs() {
        let sample = |k: OptionKind| -> toml::Value {
            match k {
                OptionKind::StringList => toml::Value::Array(vec!["x".into()]),
                OptionKind::String => "x".into(),
                OptionKind::Bool => true.into(),
                OptionKind::Integer => 1.into(),
            }
        };
        let mut typed = 0;
        for m in crate::rules::all_meta() {
            let o = &m.options;
            if o.parse.is_none() {
                assert!(
                    o.fields.is_empty(),
                    "{}: documented options without a struct",
                    m.id
                );
                continue;
            }
            typed += 1;
            assert!(
                !o.fields.is_empty(),
                "{}: an options struct without docs",
                m.id
            );
            assert!(o.parse(&toml::Table::new()).is_ok(), "{}: defaults", m.id);
            for f in o.fields {
                let default: toml::Table = format!("{} = {}", f.name, f.default)
                    .parse()
                    .unwrap_or_else(|e| panic!("{}.{}: default is not TOML: {e}", m.id, f.name));
                assert!(
                    f.kind.accepts(&default[f.name]),
                    "{}.{}: default is not {}",
                    m.id,
                    f.name,
                    f.kind.describe()
                );
                let mut t = toml::Table::new();
                t.insert(f.name.to_string(), sample(f.kind));
                assert!(o.parse(&default).is_ok(), "{}.{}", m.id, f.name);
                assert!(o.parse(&t).is_ok(), "{}.{}", m.id, f.name);
            }
            let mut t = toml::Table::new();
            t.insert("no-such-option".into(), true.into());
            let err = o.parse(&t).expect_err("unknown key rejected");
            assert!(err.contains("no-such-option"), "{}: {err}", m.id);
        }
        assert!(typed > 0);
    }
}
