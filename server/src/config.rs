//! `prodlint.toml`: discovery, validation (unknown keys are errors that name the
//! key, with a did-you-mean suggestion) and the resolved [`Config`] the engine reads.
//!
//! Depends on the rule registry's metadata (`rules::meta`, `rules::options`) to
//! validate `[rules]` and parse each rule's typed options; nothing in `rules/mod.rs`
//! or `rules/options.rs` depends on this module.

use crate::diagnostic::Level;
use crate::rules::{self, ParsedOptions};
use globset::{GlobSet, GlobSetBuilder};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const FILE_NAME: &str = "prodlint.toml";

/// Test-like paths (rules marked "not in tests" are silent there).
pub const DEFAULT_TEST_PATTERNS: &[&str] = &[
    "**/*.test.*",
    "**/*.spec.*",
    "**/__tests__/**",
    "**/test/**",
    "**/tests/**",
    "**/e2e/**",
    "**/seed*/**",
    "**/scripts/**",
    "**/fixtures/**",
    "**/__mocks__/**",
    "**/mocks/**",
    "**/*.mock.*",
    "**/playwright/**",
    "**/seed.*",
    "**/setupTests.*",
    "**/vitest.config.*",
    // The other test runners' configuration and setup files (the e2e server's
    // environment is set there, with throwaway fallbacks).
    "**/vitest.setup.*",
    "**/vitest.workspace.*",
    "**/playwright.config.*",
    "**/jest.config.*",
    "**/jest.setup.*",
    "**/cypress.config.*",
    "**/cypress/**",
    "**/test-utils/**",
    "**/*.stories.*",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The config file (if any) and the key at fault, e.g. `prodlint.toml: rules.no-any-kast`.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ConfigError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supabase {
    Auto,
    Yes,
    No,
}

/// One rule's configuration: a level override and rule-specific options.
#[derive(Clone, Debug, Default)]
pub struct RuleConfig {
    pub level: Option<Level>,
    /// The `[rules.<id>]` keys besides `level`, as written.
    pub options: toml::Table,
    /// The rule's options struct parsed from `options` (with its defaults for
    /// missing keys), once per configuration; `None` for a rule without options.
    pub parsed: Option<ParsedOptions>,
}

impl PartialEq for RuleConfig {
    fn eq(&self, other: &Self) -> bool {
        // `parsed` is a function of `options`.
        self.level == other.level && self.options == other.options
    }
}

/// The configuration in force for a file.
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory the config's globs are relative to.
    pub base_dir: PathBuf,
    /// The config files this was built from, nearest first.
    pub sources: Vec<PathBuf>,
    pub rules: HashMap<String, RuleConfig>,
    exclude: GlobSet,
    tests: GlobSet,
    pub next_version: u32,
    pub cache_life_profile: String,
    pub sql_dialect: String,
    pub supabase: Supabase,
    /// Stable hash of everything above (for the result cache).
    pub fingerprint: u64,
}

impl Config {
    /// Built-in defaults, with globs relative to `base_dir`.
    pub fn default_for(base_dir: &Path) -> Config {
        Config::from_table(&toml::Table::new(), base_dir, Vec::new(), "")
            .expect("the empty configuration is valid")
    }

    pub fn rule(&self, id: &str) -> Option<&RuleConfig> {
        self.rules.get(id)
    }

    /// The level configured for `id`, if the user set one.
    pub fn level_override(&self, id: &str) -> Option<Level> {
        self.rules.get(id).and_then(|r| r.level)
    }

    /// Whether the rule runs at all under this configuration.
    pub fn is_enabled(&self, id: &str) -> bool {
        self.level_override(id) != Some(Level::Off)
    }

    /// Rule `id`'s parsed options struct (see `rules::options`).
    pub fn parsed_options(&self, id: &str) -> Option<&ParsedOptions> {
        self.rules.get(id).and_then(|r| r.parsed.as_ref())
    }

    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.base_dir).unwrap_or(path)
    }

    pub fn is_test_path(&self, path: &Path) -> bool {
        self.tests.is_match(self.relative(path))
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(self.relative(path))
    }

    /// Apply `--rule ID=LEVEL` overrides.
    pub fn set_level(&mut self, id: &str, level: Level) {
        self.rules.entry(id.to_string()).or_default().level = Some(level);
        self.fingerprint = self
            .fingerprint
            .wrapping_mul(31)
            .wrapping_add(hash_str(&format!("{id}={level:?}")));
    }

    /// Build from a (merged) table; `origin` names the file for error messages.
    pub fn from_table(
        table: &toml::Table,
        base_dir: &Path,
        sources: Vec<PathBuf>,
        origin: &str,
    ) -> Result<Config, ConfigError> {
        validate(table, origin)?;
        let err = |key: &str, msg: &str| ConfigError {
            message: format!("{origin}{key}: {msg}"),
        };
        let files = table.get("files").and_then(|v| v.as_table());
        let exclude = globs(files.and_then(|f| f.get("exclude")), &[])
            .map_err(|m| err("files.exclude", &m))?;
        let tests = globs(files.and_then(|f| f.get("tests")), DEFAULT_TEST_PATTERNS)
            .map_err(|m| err("files.tests", &m))?;
        let mut rules = HashMap::new();
        if let Some(rt) = table.get("rules").and_then(|v| v.as_table()) {
            for (id, value) in rt {
                rules.insert(id.clone(), rule_config(value));
            }
        }
        // Every rule with options gets its struct (the defaults when unset), so
        // rules read it without parsing anything per file or per node.
        for meta in rules::all_meta() {
            let rc = rules.entry(meta.id.to_string()).or_default();
            rc.parsed = meta
                .options
                .parse(&rc.options)
                .map_err(|m| err(&format!("rules.{}", meta.id), &m))?;
            if rc.parsed.is_none() && rc.level.is_none() && rc.options.is_empty() {
                rules.remove(meta.id);
            }
        }
        let next = table.get("next").and_then(|v| v.as_table());
        let sql = table.get("sql").and_then(|v| v.as_table());
        let supabase = match sql.and_then(|s| s.get("supabase")) {
            None => Supabase::Auto,
            Some(toml::Value::Boolean(true)) => Supabase::Yes,
            Some(toml::Value::Boolean(false)) => Supabase::No,
            Some(toml::Value::String(s)) if s == "auto" => Supabase::Auto,
            Some(toml::Value::String(s)) if s == "true" => Supabase::Yes,
            Some(toml::Value::String(s)) if s == "false" => Supabase::No,
            Some(_) => unreachable!("validated"),
        };
        Ok(Config {
            base_dir: base_dir.to_path_buf(),
            sources,
            rules,
            exclude,
            tests,
            next_version: next
                .and_then(|n| n.get("version"))
                .and_then(|v| v.as_integer())
                .unwrap_or(16) as u32,
            cache_life_profile: next
                .and_then(|n| n.get("cache-life-profile"))
                .and_then(|v| v.as_str())
                .unwrap_or("hours")
                .to_string(),
            sql_dialect: sql
                .and_then(|s| s.get("dialect"))
                .and_then(|v| v.as_str())
                .unwrap_or("postgres")
                .to_string(),
            supabase,
            fingerprint: hash_str(&format!("{table}")),
        })
    }

    /// Parse one `prodlint.toml` text (validated, not merged with parents).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let table = parse_table(text, path)?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Config::from_table(
            &table,
            &dir,
            vec![path.to_path_buf()],
            &format!("{}: ", path.display()),
        )
    }
}

fn hash_str(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

fn rule_config(value: &toml::Value) -> RuleConfig {
    match value {
        toml::Value::String(s) => RuleConfig {
            level: Level::parse(s),
            ..RuleConfig::default()
        },
        toml::Value::Table(t) => {
            let mut options = t.clone();
            let level = options
                .remove("level")
                .and_then(|l| l.as_str().and_then(Level::parse));
            RuleConfig {
                level,
                options,
                parsed: None,
            }
        }
        _ => RuleConfig::default(),
    }
}

fn globs(value: Option<&toml::Value>, default: &[&str]) -> Result<GlobSet, String> {
    let patterns: Vec<String> = match value {
        None => default.iter().map(|s| s.to_string()).collect(),
        Some(v) => v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut b = GlobSetBuilder::new();
    for p in &patterns {
        // `scripts/**` also matches `scripts` itself; a bare name matches at any depth.
        let p = if p.contains('/') {
            p.clone()
        } else {
            format!("**/{p}")
        };
        let glob = globset::GlobBuilder::new(&p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob `{p}`: {e}"))?;
        b.add(glob);
    }
    b.build().map_err(|e| e.to_string())
}

fn parse_table(text: &str, path: &Path) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
        ConfigError {
            message: format!(
                "{}: invalid TOML{at}: {}",
                path.display(),
                e.message().trim().replace('\n', " ")
            ),
        }
    })
}

/// ` (did you mean `warn`?)` for a level that is not one (`warning`), else "".
pub fn level_hint(level: &str) -> String {
    did_you_mean(level, ["off", "info", "warn", "error"])
}

fn did_you_mean<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let best = known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(key, k), k))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, k)) => format!(" (did you mean `{k}`?)"),
        None => String::new(),
    }
}

fn check_keys(
    t: &toml::Table,
    prefix: &str,
    known: &[&str],
    origin: &str,
) -> Result<(), ConfigError> {
    for key in t.keys() {
        if !known.contains(&key.as_str()) {
            return Err(ConfigError {
                message: format!(
                    "{origin}unknown key `{prefix}{key}`{}",
                    did_you_mean(key, known.iter().copied())
                ),
            });
        }
    }
    Ok(())
}

fn expect_table<'a>(
    v: &'a toml::Value,
    key: &str,
    origin: &str,
) -> Result<&'a toml::Table, ConfigError> {
    v.as_table().ok_or_else(|| ConfigError {
        message: format!("{origin}`{key}` must be a table"),
    })
}

fn bad(origin: &str, key: &str, msg: &str) -> ConfigError {
    ConfigError {
        message: format!("{origin}`{key}` {msg}"),
    }
}

/// Check every key and value; the first problem becomes the error.
pub fn validate(t: &toml::Table, origin: &str) -> Result<(), ConfigError> {
    check_keys(t, "", &["root", "files", "rules", "next", "sql"], origin)?;
    if let Some(v) = t.get("root") {
        if !v.is_bool() {
            return Err(bad(origin, "root", "must be true or false"));
        }
    }
    if let Some(v) = t.get("files") {
        let f = expect_table(v, "files", origin)?;
        check_keys(f, "files.", &["exclude", "tests"], origin)?;
        for k in ["exclude", "tests"] {
            if let Some(v) = f.get(k) {
                let ok = v.as_array().is_some_and(|a| a.iter().all(|x| x.is_str()));
                if !ok {
                    return Err(bad(
                        origin,
                        &format!("files.{k}"),
                        "must be an array of glob strings",
                    ));
                }
            }
        }
    }
    if let Some(v) = t.get("next") {
        let n = expect_table(v, "next", origin)?;
        check_keys(n, "next.", &["version", "cache-life-profile"], origin)?;
        if let Some(v) = n.get("version") {
            if !matches!(v.as_integer(), Some(13..=99)) {
                return Err(bad(
                    origin,
                    "next.version",
                    "must be a Next.js major version such as 15 or 16",
                ));
            }
        }
        if let Some(v) = n.get("cache-life-profile") {
            let ok = v.as_str().is_some_and(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
            if !ok {
                return Err(bad(
                    origin,
                    "next.cache-life-profile",
                    "must be a profile name such as \"hours\"",
                ));
            }
        }
    }
    if let Some(v) = t.get("sql") {
        let s = expect_table(v, "sql", origin)?;
        check_keys(s, "sql.", &["dialect", "supabase"], origin)?;
        if let Some(v) = s.get("dialect") {
            if v.as_str() != Some("postgres") {
                return Err(bad(
                    origin,
                    "sql.dialect",
                    "must be \"postgres\" (the only dialect prodlint lints)",
                ));
            }
        }
        if let Some(v) = s.get("supabase") {
            let ok = v.is_bool() || matches!(v.as_str(), Some("auto" | "true" | "false"));
            if !ok {
                return Err(bad(
                    origin,
                    "sql.supabase",
                    "must be \"auto\", true or false",
                ));
            }
        }
    }
    if let Some(v) = t.get("rules") {
        let r = expect_table(v, "rules", origin)?;
        for (id, value) in r {
            let Some(meta) = rules::meta(id) else {
                return Err(ConfigError {
                    message: format!(
                        "{origin}unknown rule `rules.{id}`{}",
                        did_you_mean(id, rules::all_meta().map(|m| m.id))
                    ),
                });
            };
            let level_ok = |v: &toml::Value| v.as_str().and_then(Level::parse).is_some();
            match value {
                toml::Value::String(_) if level_ok(value) => {}
                toml::Value::String(s) => {
                    return Err(bad(
                        origin,
                        &format!("rules.{id}"),
                        &format!(
                            "has level \"{s}\"{}; use off, info, warn or error",
                            level_hint(s)
                        ),
                    ))
                }
                toml::Value::Table(opts) => {
                    let mut typed = opts.clone();
                    typed.remove("level");
                    for (k, v) in opts {
                        if k == "level" {
                            if !level_ok(v) {
                                let hint = v.as_str().map(level_hint).unwrap_or_default();
                                return Err(bad(
                                    origin,
                                    &format!("rules.{id}.level"),
                                    &format!("must be off, info, warn or error{hint}"),
                                ));
                            }
                        } else if let Some(opt) = meta.options.field(k) {
                            if !opt.kind.accepts(v) {
                                return Err(bad(
                                    origin,
                                    &format!("rules.{id}.{k}"),
                                    &format!("must be {}", opt.kind.describe()),
                                ));
                            }
                        } else {
                            return Err(ConfigError {
                                message: format!(
                                    "{origin}unknown option `rules.{id}.{k}`{}",
                                    did_you_mean(
                                        k,
                                        meta.options.fields.iter().map(|o| o.name).chain(["level"])
                                    )
                                ),
                            });
                        }
                    }
                    // The rule's options struct has the last word (a value its
                    // type rejects beyond what the documented kind says).
                    meta.options.parse(&typed).map_err(|m| ConfigError {
                        message: format!("{origin}`rules.{id}`: {m}"),
                    })?;
                }
                _ => {
                    return Err(bad(
                        origin,
                        &format!("rules.{id}"),
                        "must be a level string or a table",
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Config files larger than this are refused (a real one is a few KiB; this
/// stops `--config /dev/zero` or a runaway generated file from eating memory).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Read a config file: a regular file (a FIFO or device is refused without
/// blocking on it) of at most `MAX_CONFIG_BYTES`, in UTF-8.
fn read_config(path: &Path) -> Result<String, ConfigError> {
    let err = |e: &dyn std::fmt::Display| ConfigError {
        message: format!("{}: cannot read config: {e}", path.display()),
    };
    let bytes = crate::fsutil::read_capped(path, MAX_CONFIG_BYTES).map_err(|e| err(&e))?;
    String::from_utf8(bytes).map_err(|_| err(&"not valid UTF-8"))
}

/// Finds and caches the configuration for each directory.
pub struct ConfigResolver {
    /// `--config FILE`: used for every file.
    fixed: Option<Arc<Config>>,
    /// Directory → its resolved config.
    cache: dashmap::DashMap<PathBuf, Result<Arc<Config>, ConfigError>>,
    /// Used where no config file is found.
    fallback: Arc<Config>,
    overrides: Vec<(String, Level)>,
}

impl ConfigResolver {
    pub fn new(
        fixed: Option<&Path>,
        cwd: &Path,
        overrides: Vec<(String, Level)>,
    ) -> Result<ConfigResolver, ConfigError> {
        let fixed = match fixed {
            Some(path) => {
                let text = read_config(path)?;
                let abs = absolute(path, cwd);
                let mut c = Config::parse(&text, &abs)?;
                apply_overrides(&mut c, &overrides);
                Some(Arc::new(c))
            }
            None => None,
        };
        let mut fallback = Config::default_for(cwd);
        apply_overrides(&mut fallback, &overrides);
        Ok(ConfigResolver {
            fixed,
            cache: Default::default(),
            fallback: Arc::new(fallback),
            overrides,
        })
    }

    /// The configuration for a file at absolute path `file`.
    pub fn for_file(&self, file: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.fixed {
            return Ok(c.clone());
        }
        let dir = file.parent().unwrap_or(Path::new("/"));
        self.for_dir(dir)
    }

    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.fixed {
            return Ok(c.clone());
        }
        if let Some(hit) = self.cache.get(dir) {
            return hit.clone();
        }
        // A folder without a config file has its parent's configuration (the same
        // chain of files, the same base folder): share it instead of re-reading and
        // re-compiling the chain for every folder.
        let result = if dir.join(FILE_NAME).is_file() {
            self.load_dir(dir)
        } else {
            match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => Ok(self.fallback.clone()),
            }
        };
        self.cache.insert(dir.to_path_buf(), result.clone());
        result
    }

    fn load_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        // Walk up collecting config files until one says `root = true`.
        let mut chain: Vec<(PathBuf, toml::Table)> = Vec::new();
        let mut cur = Some(dir);
        while let Some(d) = cur {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                let text = read_config(&candidate)?;
                let table = parse_table(&text, &candidate)?;
                validate(&table, &format!("{}: ", candidate.display()))?;
                let is_root = table.get("root").and_then(|v| v.as_bool()).unwrap_or(false);
                chain.push((candidate, table));
                if is_root {
                    break;
                }
            }
            cur = d.parent();
        }
        if chain.is_empty() {
            return Ok(self.fallback.clone());
        }
        // Merge: nearest wins, key by key.
        let mut merged = toml::Table::new();
        for (_, table) in chain.iter().rev() {
            merge(&mut merged, table);
        }
        let nearest = &chain[0].0;
        let base = nearest.parent().unwrap_or(Path::new("/"));
        let sources = chain.iter().map(|(p, _)| p.clone()).collect();
        let mut c =
            Config::from_table(&merged, base, sources, &format!("{}: ", nearest.display()))?;
        apply_overrides(&mut c, &self.overrides);
        Ok(Arc::new(c))
    }
}

fn apply_overrides(c: &mut Config, overrides: &[(String, Level)]) {
    for (id, level) in overrides {
        c.set_level(id, *level);
    }
}

fn merge(into: &mut toml::Table, from: &toml::Table) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// Parse `ID=LEVEL` from the command line.
pub fn parse_rule_override(s: &str) -> Result<(String, Level), ConfigError> {
    let (id, level) = s.split_once('=').ok_or_else(|| ConfigError {
        message: format!("--rule {s}: expected RULE=off|info|warn|error"),
    })?;
    if rules::meta(id).is_none() {
        return Err(ConfigError {
            message: format!(
                "--rule {s}: unknown rule `{id}`{}",
                did_you_mean(id, rules::all_meta().map(|m| m.id))
            ),
        });
    }
    let level = Level::parse(level).ok_or_else(|| ConfigError {
        message: format!(
            "--rule {s}: unknown level `{level}`{}; use off, info, warn or error",
            level_hint(level)
        ),
    })?;
    Ok((id.to_string(), level))
}

/// The starter file written by `prodlint init`.
pub fn starter_file() -> String {
    let mut s = String::from(
        "# prodlint configuration. Docs: `prodlint explain RULE`, `prodlint rules`.\n\
         # This file applies to this folder and below; `root = true` stops the search for\n\
         # prodlint.toml files in parent folders.\nroot = true\n\n\
         [files]\n\
         # Globs (relative to this file) that prodlint never lints, on top of .gitignore.\n\
         exclude = [\"**/generated/**\"]\n\
         # Test-like paths: rules marked \"not in tests\" are silent there. This list replaces the default.\n",
    );
    let tests: Vec<String> = DEFAULT_TEST_PATTERNS
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect();
    s.push_str(&format!("tests = [{}]\n\n", tests.join(", ")));
    s.push_str("[rules]\n# Every rule, at its default level. Set a rule to \"off\", \"info\", \"warn\" or \"error\".\n");
    for m in rules::all_meta() {
        s.push_str(&format!(
            "# {} = \"{}\"    # {}\n",
            m.id,
            m.default_level.as_str(),
            m.summary
        ));
    }
    s.push_str(
        "\n[next]\n# Next.js major version: 15 uses `unstable_cacheLife as cacheLife`.\nversion = 16\n\
         cache-life-profile = \"hours\"\n\n[sql]\ndialect = \"postgres\"\n\
         # Row-level-security rules run in Supabase projects: auto-detected from a supabase/ folder,\n\
         # auth.uid() or TO authenticated/anon in the SQL.\nsupabase = \"auto\"\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn nearest_wins_key_by_key_and_root_stops_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "prodlint.toml",
            "[rules]\nno-any-cast = \"error\"\nunused-suppression = \"off\"\n",
        );
        write(
            d,
            "app/prodlint.toml",
            "root = true\n[rules]\nno-any-cast = \"info\"\n",
        );
        write(d, "app/pkg/prodlint.toml", "[next]\nversion = 15\n");
        let r = ConfigResolver::new(None, d, Vec::new()).unwrap();
        let top = r.for_dir(d).unwrap();
        assert_eq!(top.level_override("no-any-cast"), Some(Level::Error));
        let pkg = r.for_dir(&d.join("app/pkg")).unwrap();
        assert_eq!(pkg.next_version, 15);
        assert_eq!(
            pkg.level_override("no-any-cast"),
            Some(Level::Info),
            "app/ overrides the root"
        );
        assert_eq!(
            pkg.level_override("unused-suppression"),
            None,
            "root = true in app/ stops the walk"
        );
        assert_eq!(pkg.sources.len(), 2);
        // overrides from the command line win
        let r = ConfigResolver::new(None, d, vec![("no-any-cast".into(), Level::Off)]).unwrap();
        assert!(!r
            .for_dir(&d.join("app/pkg"))
            .unwrap()
            .is_enabled("no-any-cast"));
    }

    #[test]
    fn folders_without_a_config_share_their_parents() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "prodlint.toml",
            "root = true\n[files]\nexclude = [\"gen/**\"]\n",
        );
        write(d, "a/b/c/prodlint.toml", "[next]\nversion = 15\n");
        std::fs::create_dir_all(d.join("a/b/x/y")).unwrap();
        let r = ConfigResolver::new(None, d, Vec::new()).unwrap();
        let top = r.for_dir(d).unwrap();
        let deep = r.for_dir(&d.join("a/b/x/y")).unwrap();
        assert!(Arc::ptr_eq(&top, &deep), "one compiled config for the tree");
        assert_eq!(
            deep.base_dir, d,
            "globs stay relative to the config's folder"
        );
        assert!(deep.is_excluded(&d.join("gen/a.ts")));
        let c = r.for_dir(&d.join("a/b/c/d")).unwrap();
        assert_eq!((c.next_version, c.sources.len()), (15, 2));
        // Globs are relative to the nearest config file's folder.
        assert!(c.is_excluded(&d.join("a/b/c/gen/a.ts")));
        assert!(!Arc::ptr_eq(&top, &c));
        // An invalid config is an error for every folder below it.
        write(d, "bad/prodlint.toml", "[rulez]\n");
        assert!(r.for_dir(&d.join("bad/deep/er")).is_err());
    }

    #[test]
    fn test_paths_and_excludes_are_relative_to_the_config() {
        let c = Config::parse(
            "[files]\nexclude = [\"gen/**\"]\ntests = [\"qa/**\", \"*.e2e.ts\"]\n",
            Path::new("/p/prodlint.toml"),
        )
        .unwrap();
        assert!(c.is_excluded(Path::new("/p/gen/a.ts")));
        assert!(!c.is_excluded(Path::new("/p/src/gen.ts")));
        assert!(c.is_test_path(Path::new("/p/qa/x.ts")));
        assert!(c.is_test_path(Path::new("/p/src/deep/login.e2e.ts")));
        assert!(
            !c.is_test_path(Path::new("/p/src/x.test.ts")),
            "the list replaces the defaults"
        );
        let d = Config::default_for(Path::new("/p"));
        for p in [
            "/p/src/a.test.ts",
            "/p/src/__tests__/a.ts",
            "/p/e2e/a.ts",
            "/p/supabase/seed/a.sql",
            "/p/scripts/x.ts",
            "/p/src/__mocks__/m.ts",
            "/p/src/mocks/handlers.ts",
            "/p/src/api/client.mock.ts",
            "/p/apps/web/playwright/login.ts",
            "/p/apps/web/e2e/fixtures/user.ts",
            "/p/src/fixtures/data.json",
            "/p/prisma/seed.ts",
            "/p/src/setupTests.ts",
            "/p/vitest.config.mts",
            "/p/apps/web/playwright.config.mjs",
            "/p/jest.config.js",
            "/p/jest.setup.ts",
            "/p/cypress/support/commands.ts",
            "/p/src/test-utils/render.tsx",
            "/p/src/components/Button.stories.tsx",
        ] {
            assert!(d.is_test_path(Path::new(p)), "{p}");
        }
        for p in [
            "/p/src/testing.ts",
            "/p/src/mockup/page.tsx",
            "/p/src/seeding.ts",
            "/p/src/stories/page.tsx",
            "/p/src/playwright-config-ui.tsx",
            "/p/vitest.ts",
            "/p/src/lib/jest-like.ts",
        ] {
            assert!(!d.is_test_path(Path::new(p)), "{p}");
        }
    }

    fn cors_strict(c: &Config) -> Option<bool> {
        let parsed = c.parsed_options("cors-wildcard")?.clone();
        let o = parsed
            .downcast::<crate::rules::ts::cors_wildcard::CorsOptions>()
            .ok()?;
        Some(o.strict)
    }

    #[test]
    fn typed_rule_options_are_parsed_once_per_config() {
        let p = Path::new("/p/prodlint.toml");
        let c = Config::parse("[rules.cors-wildcard]\nstrict = true\n", p).unwrap();
        assert_eq!(cors_strict(&c), Some(true));
        assert_eq!(c.level_override("cors-wildcard"), None);
        // unset: the struct's defaults, parsed all the same
        assert_eq!(
            cors_strict(&Config::default_for(Path::new("/p"))),
            Some(false)
        );
        let c = Config::parse("[rules]\ncors-wildcard = \"error\"\n", p).unwrap();
        assert_eq!(cors_strict(&c), Some(false));
        // `--rule` overrides keep the options
        let mut c = Config::parse("[rules.cors-wildcard]\nstrict = true\n", p).unwrap();
        c.set_level("cors-wildcard", Level::Off);
        assert_eq!(cors_strict(&c), Some(true));
        // errors name the file and the key
        let e = Config::parse("[rules.cors-wildcard]\nstrict = 1\n", p).unwrap_err();
        assert_eq!(
            e.message,
            "/p/prodlint.toml: `rules.cors-wildcard.strict` must be true or false"
        );
        let e = Config::parse("[rules.cors-wildcard]\nstrictt = true\n", p).unwrap_err();
        assert_eq!(
            e.message,
            "/p/prodlint.toml: unknown option `rules.cors-wildcard.strictt` (did you mean `strict`?)"
        );
        // a rule without options takes none
        let e = Config::parse("[rules.no-any-cast]\nstrict = true\n", p).unwrap_err();
        assert!(
            e.message
                .contains("unknown option `rules.no-any-cast.strict`"),
            "{}",
            e.message
        );
        assert!(Config::default_for(Path::new("/p"))
            .parsed_options("no-any-cast")
            .is_none());
    }

    #[test]
    fn rule_options_are_validated() {
        let err = Config::parse(
            "[rules.no-any-cast]\nlevel = \"warn\"\nfoo = 1\n",
            Path::new("prodlint.toml"),
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("unknown option `rules.no-any-cast.foo`"),
            "{}",
            err.message
        );
        let c = Config::parse(
            "[rules.no-any-cast]\nlevel = \"error\"\n",
            Path::new("prodlint.toml"),
        )
        .unwrap();
        assert_eq!(c.level_override("no-any-cast"), Some(Level::Error));
        assert!(Config::parse("[next]\nversion = 7\n", Path::new("prodlint.toml")).is_err());
        // The spec's project settings stay where it puts them.
        let c = Config::parse(
            "[next]\nversion = 15\ncache-life-profile = \"days\"\n[sql]\ndialect = \"postgres\"\nsupabase = \"auto\"\n",
            Path::new("prodlint.toml"),
        )
        .unwrap();
        assert_eq!(
            (c.next_version, c.cache_life_profile.as_str()),
            (15, "days")
        );
        assert!(parse_rule_override("no-any-cast=loud").is_err());
        assert_eq!(
            parse_rule_override("no-any-cast=off").unwrap().1,
            Level::Off
        );
    }
}
