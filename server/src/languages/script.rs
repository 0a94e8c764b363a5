//! TypeScript, TSX and JavaScript: tree-sitter parse (incremental in the
//! server), the prefilter, and the one shared walk of the script rules.

use super::{LanguageSupport, Linted, Parsed};
use crate::context::FileInput;
use crate::engine::prefilter::active_script_rules;
use crate::engine::{analysis_limit, LintOutput};
use crate::language::Language;
use crate::ts;
use crate::workspace::FileFacts;
use std::path::Path;
use tree_sitter::Tree;

pub struct Script;

/// A script's parse: `tree` is `None` when tree-sitter gave up (its work
/// budget, `ts::PARSE_OPS_*`).
#[derive(Clone)]
pub struct ScriptParse {
    pub tree: Option<Tree>,
    /// The tree reused the previous parse's.
    pub incremental: bool,
}

impl LanguageSupport for Script {
    fn parse(&self, text: &str, lang: Language, previous: Option<&Parsed>) -> Parsed {
        let old = previous.and_then(Parsed::tree);
        let mut tree = ts::parse(text, lang, old);
        let mut incremental = old.is_some();
        // On text with syntax errors, tree-sitter's incremental reparse can
        // recover differently from a fresh parse (the fuzzer found findings that
        // came and went with the edit history). Diagnostics must not depend on
        // how the text was typed: such a tree is parsed afresh.
        if incremental && tree.as_ref().is_some_and(|t| t.root_node().has_error()) {
            tree = ts::parse(text, lang, None);
            incremental = false;
        }
        Parsed::Script(ScriptParse { tree, incremental })
    }

    /// Without a parse, a file that holds none of the enabled rules' trigger
    /// tokens is not parsed at all.
    fn lint(&self, input: &FileInput<'_>, parsed: Option<&Parsed>) -> Linted {
        let Some(active) = active_script_rules(input) else {
            return Linted::bare(LintOutput::default());
        };
        let owned;
        let tree = match parsed {
            Some(p) => p.tree(),
            None => {
                owned = ts::parse(input.source, input.file.language, None);
                owned.as_ref()
            }
        };
        let Some(tree) = tree else {
            return Linted::bare(unparsable(input));
        };
        let mut out = LintOutput::default();
        // Comments matter only for suppressions, which need the marker in the text.
        let walked = ts::run_rules(
            tree,
            &active.rules,
            active.suppression,
            input,
            &mut out.diagnostics,
            &mut out.panics,
        );
        if let Some(range) = walked.too_deep {
            out.diagnostics.extend(analysis_limit(
                input,
                range.start,
                format!(
                    "Code nested more than {} levels deep starts here; prodlint's rules skipped the deeper part",
                    ts::MAX_WALK_DEPTH
                ),
            ));
        }
        Linted {
            out,
            comments: walked.comments,
            first_code: first_statement_start(tree),
        }
    }

    fn contributes_facts(&self) -> bool {
        true
    }

    fn file_contributes_facts(&self, path: &Path) -> bool {
        ts::facts::contributes(path)
    }

    fn facts_need_parse(&self, path: &Path) -> bool {
        ts::facts::needs_tree(path)
    }

    fn facts(&self, path: &Path, text: &str, parsed: Option<&Parsed>) -> Option<FileFacts> {
        if !ts::facts::contributes(path) {
            return None;
        }
        let lang = crate::language::detect(path)?;
        let owned;
        let tree = match parsed.and_then(Parsed::tree) {
            Some(t) => Some(t),
            None if ts::facts::needs_tree(path) => {
                owned = ts::parse(text, lang, None)?;
                Some(&owned)
            }
            None => None,
        };
        ts::facts::extract(path, tree, text).map(FileFacts::Ts)
    }

    fn syntax_errors(&self, text: &str, lang: Language) -> usize {
        ts::parse(text, lang, None)
            .map(|t| ts::syntax_error_count(&t))
            .unwrap_or(usize::MAX)
    }
}

/// The result for a script that tree-sitter gave up on: one `analysis-limit`
/// info, nothing else.
fn unparsable(input: &FileInput<'_>) -> LintOutput {
    let mut out = LintOutput::default();
    out.diagnostics.extend(analysis_limit(
        input,
        0,
        "The parser gave up on this file (its syntax sends error recovery into too much work); prodlint's rules did not check it".into(),
    ));
    out
}

fn first_statement_start(tree: &Tree) -> usize {
    let root = tree.root_node();
    let mut c = root.walk();
    let first = root
        .named_children(&mut c)
        .find(|n| n.kind() != "comment" && n.kind() != "hash_bang_line");
    first.map(|n| n.start_byte()).unwrap_or(usize::MAX)
}
