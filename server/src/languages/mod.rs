//! The language interface: what the engine needs of each language it lints.
//!
//! One [`LanguageSupport`] implementation per parser (`script.rs` for
//! TypeScript/TSX/JavaScript, `sql.rs`, `dotenv.rs`), registered in
//! [`support`]. The engine (`engine::lint_document`, `engine::parse`,
//! `engine::file_facts`, `engine::syntax_errors`) dispatches through it, so the
//! front ends (`cli/`, `lsp/`) never ask which language a file is.
//!
//! Adding a language: a variant of `language::Language` with its row in
//! `language::LANGUAGES` (names, extensions for made-up paths, comment syntax),
//! its extensions in `grammars-config/languages.toml`, a module here that
//! implements [`LanguageSupport`] (and a [`Parsed`] variant for its parse), and
//! its arm in [`support`] (the compiler asks for it). Its rules go in
//! `rules/<language>/`.
//!
//! Why a trait and not a table of function pointers: each language keeps its
//! parse type private to its module behind [`Parsed`], the default methods
//! (no workspace facts, no incremental reuse) cost a new language nothing, and
//! `&'static dyn LanguageSupport` is one indirect call per file.

pub mod dotenv;
pub mod script;
pub mod sql;

use crate::context::FileInput;
use crate::dotenv::DotenvFile;
use crate::engine::LintOutput;
use crate::language::Language;
use crate::sql::SqlFile;
use crate::workspace::FileFacts;
use std::ops::Range;
use std::path::Path;
use tree_sitter::Tree;

/// A file's parse, as the language that made it keeps it.
#[derive(Clone)]
pub enum Parsed {
    Script(script::ScriptParse),
    Sql(SqlFile),
    Dotenv(DotenvFile),
}

impl Parsed {
    /// The syntax tree of a script (`None` for other languages, and for a
    /// script the parser gave up on).
    pub fn tree(&self) -> Option<&Tree> {
        match self {
            Parsed::Script(p) => p.tree.as_ref(),
            _ => None,
        }
    }

    /// The parse reused an earlier one (the server's incremental reparse).
    pub fn incremental(&self) -> bool {
        matches!(self, Parsed::Script(p) if p.incremental)
    }

    /// Keep the parse in step with an edit of the text, so that the next
    /// [`LanguageSupport::parse`] can reuse it. Parses that are not reused
    /// ignore edits.
    pub fn edit(&mut self, edit: &tree_sitter::InputEdit) {
        if let Parsed::Script(script::ScriptParse { tree: Some(t), .. }) = self {
            t.edit(edit);
        }
    }

    /// What an open document keeps between edits: the parse when the next
    /// parse can reuse it (a script's tree: a cheap reference-counted copy),
    /// else nothing (a SQL syntax tree is some 30 times its text and is parsed
    /// afresh on each lint).
    pub fn reusable(&self) -> Option<Parsed> {
        match self {
            Parsed::Script(p) if p.tree.is_some() => Some(self.clone()),
            _ => None,
        }
    }
}

/// What a language's rule runner gives the engine: the findings, and what the
/// engine needs to apply suppression comments to them.
#[derive(Default)]
pub struct Linted {
    pub out: LintOutput,
    /// Byte ranges of the file's comments (where suppressions may be).
    pub comments: Vec<Range<usize>>,
    /// Where the file's first statement starts (`prodlint-ignore-file` must come
    /// before it); `usize::MAX` when there is none.
    pub first_code: usize,
}

impl Linted {
    /// Findings without comments to look at (nothing parsed).
    pub fn bare(out: LintOutput) -> Linted {
        Linted {
            out,
            comments: Vec::new(),
            first_code: usize::MAX,
        }
    }
}

/// What the engine needs of one language.
pub trait LanguageSupport: Sync {
    /// Parse `text` as `lang`. `previous` is this document's earlier parse
    /// with the edits since applied ([`Parsed::edit`]); a language that can
    /// reuse it does.
    fn parse(&self, text: &str, lang: Language, previous: Option<&Parsed>) -> Parsed;

    /// Run the language's rules over one file. `parsed` is the caller's parse
    /// of `input.source` (from [`LanguageSupport::parse`]), if it has one;
    /// without it the language parses itself, and may skip the parse when no
    /// rule can fire (the script prefilter).
    fn lint(&self, input: &FileInput<'_>, parsed: Option<&Parsed>) -> Linted;

    /// How many syntax errors `text` has (a fix must not add any).
    fn syntax_errors(&self, text: &str, lang: Language) -> usize;

    /// Whether this language's files contribute to the workspace facts (the
    /// front ends then read and parse every such file up front, and a file's
    /// findings may depend on the others').
    fn contributes_facts(&self) -> bool {
        false
    }

    /// Whether the file at `path` (of a language that contributes facts) does:
    /// scripts only by name (Next.js `middleware.ts`), so the front ends read
    /// no other script up front.
    fn file_contributes_facts(&self, _path: &Path) -> bool {
        self.contributes_facts()
    }

    /// Whether the facts of the file at `path` need its parse (scripts: only
    /// `middleware.ts` and Nest setup files; the others' facts are read from
    /// their text), so that a front end parses up front only those.
    fn facts_need_parse(&self, _path: &Path) -> bool {
        true
    }

    /// This file's contribution to the workspace facts (`parsed`: its parse,
    /// when the caller has one).
    fn facts(&self, _path: &Path, _text: &str, _parsed: Option<&Parsed>) -> Option<FileFacts> {
        None
    }
}

/// The registration: each language's implementation.
pub fn support(lang: Language) -> &'static dyn LanguageSupport {
    match lang {
        Language::TypeScript | Language::Tsx | Language::JavaScript => &script::Script,
        Language::Sql => &sql::Sql,
        Language::Dotenv => &dotenv::Dotenv,
    }
}
