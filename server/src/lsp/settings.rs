//! The `prodlint` settings section, sent as `initializationOptions` (the object
//! itself) and in `workspace/didChangeConfiguration` (`{ settings: { prodlint } }`):
//!
//! ```json
//! { "enable": true, "run": "onType", "rules": { "no-any-cast": "off" },
//!   "debounceMs": 100, "maxFileSize": 5000000, "diagnosticMode": "auto",
//!   "workspaceDiagnostics": false }
//! ```
//!
//! `diagnosticMode` and `workspaceDiagnostics` are read at initialization only.

use crate::diagnostic::Level;
use crate::rules;
use serde_json::Value;
use std::time::Duration;

pub const DEFAULT_DEBOUNCE_MS: u64 = 100;
pub const DEFAULT_MAX_FILE_SIZE: usize = 5 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    OnType,
    OnSave,
}

/// How diagnostics reach the client. `Auto`: pulled when the client supports
/// `textDocument/diagnostic`, else pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnosticMode {
    Auto,
    Push,
    Pull,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub enable: bool,
    pub run: Run,
    /// Level overrides, applied on top of `prodlint.toml`.
    pub rules: Vec<(String, Level)>,
    pub debounce: Duration,
    pub max_file_size: usize,
    pub diagnostic_mode: DiagnosticMode,
    /// Pull clients: also answer `workspace/diagnostic` (every file on disk).
    pub workspace_diagnostics: bool,
}

impl Settings {
    pub fn defaults(debounce_ms: u64) -> Settings {
        Settings {
            enable: true,
            run: Run::OnType,
            rules: Vec::new(),
            debounce: Duration::from_millis(debounce_ms),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            diagnostic_mode: DiagnosticMode::Auto,
            workspace_diagnostics: false,
        }
    }

    /// The settings object inside what a client sent: `{prodlint: {...}}`,
    /// `{settings: {prodlint: {...}}}` or the object itself.
    pub fn section(value: &Value) -> Option<&Value> {
        let mut v = value;
        if let Some(s) = v.get("settings") {
            v = s;
        }
        if let Some(p) = v.get("prodlint") {
            v = p;
        }
        let known = [
            "enable",
            "run",
            "rules",
            "debounceMs",
            "maxFileSize",
            "diagnosticMode",
            "workspaceDiagnostics",
        ];
        match v.as_object() {
            Some(o) if o.keys().any(|k| known.contains(&k.as_str())) || o.is_empty() => Some(v),
            _ => None,
        }
    }

    /// Settings from a section object; missing keys take their defaults. Returns
    /// the problems found (unknown rules, bad values), which are logged.
    pub fn from_value(defaults: &Settings, v: &Value) -> (Settings, Vec<String>) {
        let mut s = defaults.clone();
        let mut problems = Vec::new();
        if let Some(e) = v.get("enable") {
            match e.as_bool() {
                Some(b) => s.enable = b,
                None => problems.push(format!("`enable` must be true or false, not {e}")),
            }
        }
        if let Some(r) = v.get("run") {
            match r.as_str() {
                Some("onType") => s.run = Run::OnType,
                Some("onSave") => s.run = Run::OnSave,
                _ => problems.push(format!("`run` must be \"onType\" or \"onSave\", not {r}")),
            }
        }
        if let Some(d) = v.get("debounceMs") {
            match d.as_u64() {
                Some(ms) if ms <= 10_000 => s.debounce = Duration::from_millis(ms),
                _ => problems.push(format!("`debounceMs` must be 0..10000, not {d}")),
            }
        }
        if let Some(m) = v.get("maxFileSize") {
            match m.as_u64() {
                Some(n) => s.max_file_size = n as usize,
                None => problems.push(format!("`maxFileSize` must be a number of bytes, not {m}")),
            }
        }
        if let Some(m) = v.get("diagnosticMode") {
            match m.as_str() {
                Some("auto") => s.diagnostic_mode = DiagnosticMode::Auto,
                Some("push") => s.diagnostic_mode = DiagnosticMode::Push,
                Some("pull") => s.diagnostic_mode = DiagnosticMode::Pull,
                _ => problems.push(format!(
                    "`diagnosticMode` must be \"auto\", \"push\" or \"pull\", not {m}"
                )),
            }
        }
        if let Some(w) = v.get("workspaceDiagnostics") {
            match w.as_bool() {
                Some(b) => s.workspace_diagnostics = b,
                None => problems.push(format!(
                    "`workspaceDiagnostics` must be true or false, not {w}"
                )),
            }
        }
        if let Some(r) = v.get("rules") {
            match r.as_object() {
                Some(map) => {
                    for (id, level) in map {
                        if rules::meta(id).is_none() {
                            problems.push(format!("`rules`: unknown rule `{id}`"));
                            continue;
                        }
                        let parsed = match level {
                            Value::String(l) => Level::parse(l),
                            Value::Object(o) => o
                                .get("level")
                                .and_then(Value::as_str)
                                .and_then(Level::parse),
                            _ => None,
                        };
                        match parsed {
                            Some(l) => s.rules.push((id.clone(), l)),
                            None => problems.push(format!(
                                "`rules.{id}`: level must be off, info, warn or error, not {level}{}",
                                level
                                    .as_str()
                                    .or_else(|| level.get("level").and_then(Value::as_str))
                                    .map(crate::config::level_hint)
                                    .unwrap_or_default()
                            )),
                        }
                    }
                }
                None if r.is_null() => {}
                None => problems.push("`rules` must be an object".to_string()),
            }
        }
        (s, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_contract_shape() {
        let d = Settings::defaults(100);
        let v = json!({"settings": {"prodlint": {"enable": false, "run": "onSave", "rules": {"no-any-cast": "off", "nope": "warn"}}}});
        let sec = Settings::section(&v).unwrap();
        let (s, problems) = Settings::from_value(&d, sec);
        assert!(!s.enable);
        assert_eq!(s.run, Run::OnSave);
        assert_eq!(s.rules, vec![("no-any-cast".to_string(), Level::Off)]);
        assert_eq!(problems.len(), 1);
        assert!(Settings::section(&json!({"enable": true})).is_some());
        assert!(Settings::section(&json!(null)).is_none());
        assert!(Settings::section(&json!({"other": {}})).is_none());
    }
}
