//! The rule registry. A rule is one file under `rules/<lang>/<rule_id>.rs` that
//! declares a `pub const RULE` (metadata, docs with examples, check, fix) and its
//! tests. Adding a rule: write the file and add it to the list in `<lang>/mod.rs`.
//! `prodlint rules`, `prodlint explain`, SARIF rule entries, `prodlint init` and
//! the editor settings schema all read [`RuleMeta`].

pub mod dotenv;
pub mod options;
pub mod secrets;
pub mod snippet;
pub mod sql;
pub mod ts;
pub mod urls;

#[cfg(test)]
mod doc_examples;
#[cfg(test)]
pub mod testing;

use crate::diagnostic::Level;
pub use options::{OptionKind, ParsedOptions, RuleOption, RuleOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLanguage {
    /// TypeScript, TSX and JavaScript.
    Script,
    Sql,
    Dotenv,
    /// Reported by the engine itself (suppressions, unreadable files).
    Meta,
}

impl RuleLanguage {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleLanguage::Script => "typescript",
            RuleLanguage::Sql => "sql",
            RuleLanguage::Dotenv => "dotenv",
            RuleLanguage::Meta => "meta",
        }
    }
}

/// Whether a rule can fix what it finds, and how safely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
    /// Safe for some findings, unsafe for others (the finding says which).
    Sometimes,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
            FixKind::Sometimes => "safe-or-unsafe",
        }
    }
}

#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub language: RuleLanguage,
    /// "A" or "B" in the catalogue.
    pub tier: char,
    pub default_level: Level,
    pub fix: FixKind,
    /// Silent on test-like paths.
    pub not_in_tests: bool,
    /// One line, shown by `prodlint rules` and as SARIF `shortDescription`.
    pub summary: &'static str,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Examples` with fenced
    /// blocks tagged `ts flagged lines=N,…` / `ts ok` (or `tsx`, `js`, `sql`,
    /// `dotenv`), which are run as tests (a flagged block must give exactly the
    /// findings that start on the listed lines of the block), optional `path=…`.
    /// The `## Options` section is generated from `options`.
    pub docs: &'static str,
    /// For script rules: byte strings (ASCII, matched case-insensitively) one of
    /// which must occur in a file (or its path) for the rule to possibly fire there. Files with
    /// none of any enabled rule's triggers are not parsed at all. Empty = always run.
    pub triggers: &'static [&'static str],
    /// A second group of tokens, at least one of which must also occur (in the
    /// text or the file's path) when non-empty: the prefilter requires
    /// `any(triggers) && any(also_triggers)`.
    pub also_triggers: &'static [&'static str],
    /// `[rules.<id>]` keys besides `level` (see [`options`]).
    pub options: RuleOptions,
}

impl RuleMeta {
    pub fn help_uri(&self) -> String {
        format!("https://prodlint.dev/rules/{}", self.id)
    }

    /// The docs with the generated `## Options` section (for `explain` and
    /// `docs/rules.md`).
    pub fn full_docs(&self) -> std::borrow::Cow<'static, str> {
        if self.options.is_empty() {
            return self.docs.into();
        }
        format!(
            "{}\n\n{}",
            self.docs.trim_end(),
            self.options.markdown(self.id)
        )
        .into()
    }
}

/// Meta rules reported by the engine itself.
pub mod meta {
    use super::*;

    pub const UNUSED_SUPPRESSION: RuleMeta = RuleMeta {
        id: "unused-suppression",
        language: RuleLanguage::Meta,
        tier: 'A',
        default_level: Level::Info,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "A prodlint-ignore comment that suppresses nothing",
        docs: r#"## What it does
Reports a `prodlint-ignore` or `prodlint-ignore-file` comment (or one rule named in
it) that silenced no finding, and a suppression that names an unknown rule.

## Why is this bad?
Stale suppressions hide future findings on that line and mislead readers about
what is risky.

## Examples
```ts flagged lines=1
// prodlint-ignore no-any-cast: legacy payload
const total = order.total;
```

```ts ok
// prodlint-ignore no-any-cast: the SDK's types are wrong here
const total = (order as any).total;
```

## Fix
Safe: removes the comment (or the unused rule from its list).
"#,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    };

    pub const UNREADABLE_FILE: RuleMeta = RuleMeta {
        id: "unreadable-file",
        language: RuleLanguage::Meta,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A file that could not be read or decoded as text",
        docs: r#"## What it does
Reports a file that prodlint was asked to lint but could not read (permissions,
I/O error), that is not text (binary content, another encoding), or that is
larger than the size limit. The rest of the run goes on.

Text is UTF-8 (with or without a byte order mark) or UTF-16 with a byte order
mark (little or big endian, as some Windows tools write it): such a file is
decoded and linted, and `--fix` writes it back in UTF-16 with its BOM. UTF-16
without a BOM holds NUL bytes and is reported as binary.

## Why is this bad?
A file prodlint cannot read is a file nobody checked.
"#,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    };

    pub const SQL_SYNTAX: RuleMeta = RuleMeta {
        id: "sql-syntax",
        language: RuleLanguage::Sql,
        tier: 'A',
        default_level: Level::Info,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A SQL statement that the PostgreSQL parser rejects (skipped by the other rules)",
        docs: r#"## What it does
Reports, at most once per file, the first statement that PostgreSQL's own parser
(libpg_query) rejects. That statement is skipped by every other SQL rule; the rest
of the file is still linted.

A file is taken for MySQL only when a statement PostgreSQL rejects holds
MySQL-only syntax outside comments, strings and dollar-quoted bodies (a
backtick-quoted identifier, `ENGINE=`, `AUTO_INCREMENT`, `UNSIGNED`). The
PostgreSQL rules skip such a file, and this rule reports it once, at that
construct, so that nothing is skipped silently. Backticks in comments (the
`/* … */` headers of generated Supabase migrations, Prisma's warnings) or in
strings do not make a file MySQL.

## Why is this bad?
A migration that does not parse fails when it is applied.

## Examples
```sql flagged lines=1
CREATE TABLE notes (id int PRIMARY KEY,);
```

```sql flagged lines=1
CREATE TABLE `notes` (id int PRIMARY KEY) ENGINE=InnoDB;
```

```sql ok
CREATE TABLE notes (id int PRIMARY KEY);
```

```sql ok
/* Creates the `notes` table. */
CREATE TABLE notes (id int PRIMARY KEY, body text DEFAULT 'use `md`');
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
```
"#,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    };

    pub const ANALYSIS_LIMIT: RuleMeta = RuleMeta {
        id: "analysis-limit",
        language: RuleLanguage::Meta,
        tier: 'A',
        default_level: Level::Info,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "Code too deeply nested (or too pathological to parse) for the rules to analyse; that part was skipped",
        docs: r#"## What it does
Reports, once per file, code nested more deeply than prodlint analyses
(expressions, brackets or member chains more than 1,000 levels deep, which only
generated or hostile code reaches). The rules still run on the rest of the file;
the part below that depth is skipped, so a finding inside it can be missed.

Also reports a script file whose syntax sends the parser's error recovery into
more work than its budget (a fixed allowance plus about 40 times what real code
needs per KiB, and 10 s): such a file is not linted at all.

## Why is this bad?
Nothing is wrong with the code as such: the finding says that prodlint did not
check part of it, rather than staying silent or running out of stack. Deep
nesting is bounded so that no input can crash or hang the linter or the editor.

## Examples
```ts ok
const total = ((a + b) * (c - d)) / 2;
```
"#,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    };

    pub const ALL: &[&RuleMeta] = &[
        &UNUSED_SUPPRESSION,
        &UNREADABLE_FILE,
        &SQL_SYNTAX,
        &ANALYSIS_LIMIT,
    ];
}

/// Every rule's metadata, in catalogue order.
pub fn all_meta() -> impl Iterator<Item = &'static RuleMeta> {
    ts::RULES
        .iter()
        .map(|r| &r.meta)
        .chain(sql::RULES.iter().map(|r| &r.meta))
        .chain(dotenv::RULES.iter().map(|r| &r.meta))
        .chain(meta::ALL.iter().copied())
}

pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    all_meta().find(|m| m.id == id)
}
