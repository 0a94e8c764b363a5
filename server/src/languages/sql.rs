//! PostgreSQL migrations: statements parsed by libpg_query, the SQL rules, and
//! each file's workspace facts (tables with RLS, functions with a search path…).

use super::{LanguageSupport, Linted, Parsed};
use crate::context::FileInput;
use crate::diagnostic::Diagnostic;
use crate::engine::guard::run_guarded;
use crate::engine::{rule_runs, LintOutput};
use crate::language::Language;
use crate::rules;
use crate::sql::SqlFile;
use crate::workspace::FileFacts;
use std::path::Path;

pub struct Sql;

impl LanguageSupport for Sql {
    fn parse(&self, text: &str, _: Language, _: Option<&Parsed>) -> Parsed {
        Parsed::Sql(SqlFile::parse(text))
    }

    fn lint(&self, input: &FileInput<'_>, parsed: Option<&Parsed>) -> Linted {
        match parsed {
            Some(Parsed::Sql(sql)) => lint(input, sql),
            _ => lint(input, &SqlFile::parse(input.source)),
        }
    }

    fn syntax_errors(&self, text: &str, _: Language) -> usize {
        SqlFile::parse(text).failed.len()
    }

    fn contributes_facts(&self) -> bool {
        true
    }

    fn facts(&self, _path: &Path, text: &str, parsed: Option<&Parsed>) -> Option<FileFacts> {
        let facts = match parsed {
            Some(Parsed::Sql(sql)) => sql.own_facts(text).clone(),
            _ => SqlFile::parse(text).own_facts(text).clone(),
        };
        Some(FileFacts::Sql(facts))
    }
}

fn lint(input: &FileInput<'_>, sql: &SqlFile) -> Linted {
    let mut out = LintOutput::default();
    let syntax = &rules::meta::SQL_SYNTAX;
    if let Some(mysql) = &sql.mysql {
        // Never skipped silently: say why the file was not linted.
        if rule_runs(syntax, input.file, input.config) {
            out.diagnostics.push(Diagnostic {
                rule: syntax.id,
                level: syntax.default_level,
                message: format!(
                    "This file looks like MySQL ({} in a statement PostgreSQL cannot parse); prodlint's PostgreSQL rules skipped the whole file",
                    mysql.what
                ),
                range: mysql.range.clone(),
                fixes: Vec::new(),
            });
        }
    } else {
        for rule in rules::sql::RULES {
            if !rule_runs(&rule.meta, input.file, input.config) {
                continue;
            }
            run_guarded(&rule.meta, &mut out, |diags| {
                let mut cx = input.context(&rule.meta, diags);
                (rule.check)(&mut cx, sql);
            });
        }
        if let Some(err) = &sql.syntax_error {
            let explained = out
                .diagnostics
                .iter()
                .any(|d| d.range.start >= err.range.start && d.range.start <= err.range.end);
            if !explained && rule_runs(syntax, input.file, input.config) {
                out.diagnostics.push(Diagnostic {
                    rule: syntax.id,
                    level: syntax.default_level,
                    message: format!(
                        "PostgreSQL cannot parse this statement ({}); prodlint skipped it",
                        err.message
                    ),
                    range: err.range.clone(),
                    fixes: Vec::new(),
                });
            }
        }
    }
    let first_code = sql
        .statements
        .first()
        .map(|s| s.range.start)
        .unwrap_or(usize::MAX);
    let first_code = sql
        .failed
        .first()
        .map(|r| r.start)
        .unwrap_or(usize::MAX)
        .min(first_code);
    Linted {
        out,
        comments: sql.comments.clone(),
        first_code,
    }
}
