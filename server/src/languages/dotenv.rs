//! dotenv files: `KEY=value` entries and the dotenv rules.

use super::{LanguageSupport, Linted, Parsed};
use crate::context::FileInput;
use crate::dotenv::DotenvFile;
use crate::engine::guard::run_guarded;
use crate::engine::{rule_runs, LintOutput};
use crate::language::Language;
use crate::rules;

pub struct Dotenv;

impl LanguageSupport for Dotenv {
    fn parse(&self, text: &str, _: Language, _: Option<&Parsed>) -> Parsed {
        Parsed::Dotenv(DotenvFile::parse(text))
    }

    fn lint(&self, input: &FileInput<'_>, parsed: Option<&Parsed>) -> Linted {
        match parsed {
            Some(Parsed::Dotenv(env)) => lint(input, env),
            _ => lint(input, &DotenvFile::parse(input.source)),
        }
    }

    fn syntax_errors(&self, _: &str, _: Language) -> usize {
        0
    }
}

fn lint(input: &FileInput<'_>, env: &DotenvFile) -> Linted {
    let mut out = LintOutput::default();
    for rule in rules::dotenv::RULES {
        if !rule_runs(&rule.meta, input.file, input.config) {
            continue;
        }
        run_guarded(&rule.meta, &mut out, |diags| {
            let mut cx = input.context(&rule.meta, diags);
            (rule.check)(&mut cx, env);
        });
    }
    let first_code = env
        .entries
        .first()
        .map(|e| e.line_range.start)
        .unwrap_or(usize::MAX);
    Linted {
        out,
        comments: env.comments.clone(),
        first_code,
    }
}
