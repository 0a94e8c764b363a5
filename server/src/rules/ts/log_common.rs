//! What the logging rules (`log-request-data`, `log-sensitive-data`,
//! `console-in-production`) share: command-line paths, where `console` output
//! is the program's user interface rather than a log, and the statement fixes.

use crate::diagnostic::{Edit, Fix};
use crate::ts::ast;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// Folders whose code is a command-line tool or a one-off script: its console
/// output goes to the person running it, not to a production log.
const COMMAND_LINE_DIRS: &[&str] = &["cli", "bin", "scripts", "script", "migrations", "seeders"];

/// `path` (with `/` separators) lies in a command-line tool or script folder.
pub fn is_command_line_path(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|seg| COMMAND_LINE_DIRS.contains(&seg))
}

/// Modules that make a program a command-line tool: argument parsers and
/// terminal prompts.
const COMMAND_LINE_MODULES: &[&str] = &[
    "commander",
    "yargs",
    "@oclif/core",
    "@oclif/command",
    "inquirer",
    "@inquirer/prompts",
    "prompts",
    "@clack/prompts",
    "enquirer",
    "cac",
    "citty",
    "meow",
    "clipanion",
];

/// The file is a command-line tool or script: it lies in such a folder (see
/// [`is_command_line_path`]), starts with a `#!` line, or imports an
/// argument parser or a terminal prompt library (`commander`, `@oclif/core`,
/// `inquirer`…). Its `console` output goes to the person running it.
pub fn is_command_line_file(path: &str, src: &Script<'_>) -> bool {
    is_command_line_path(path)
        || src.source.starts_with("#!")
        || src.semantic.module_imports().any(|b| {
            b.module()
                .is_some_and(|(m, _)| COMMAND_LINE_MODULES.contains(&m) || m.starts_with("yargs/"))
        })
}

/// `call` runs only in the browser: the file says `'use client'`, or the call
/// sits in a `useEffect` / `useLayoutEffect` callback. A `console` call there
/// prints to the visitor's own browser console, not to a server log.
pub fn in_browser_only_code(call: Node<'_>, src: &Script<'_>) -> bool {
    let program = src.program(call);
    if ast::directives(program, src)
        .iter()
        .any(|(_, d)| d == "use client")
    {
        return true;
    }
    let mut f = ast::enclosing_function(call);
    for _ in 0..ast::MAX_ANCESTOR_STEPS {
        let Some(func) = f else {
            return false;
        };
        let effect = func
            .parent()
            .filter(|a| a.kind_name() == "arguments")
            .and_then(|a| a.parent())
            .and_then(|c| ast::callee_path(c, src))
            .is_some_and(|p| matches!(p.rsplit('.').next(), Some("useEffect" | "useLayoutEffect")));
        if effect {
            return true;
        }
        f = ast::enclosing_function(func);
    }
    false
}

/// The logging rules' fixes for a logging call: remove the statement, or wrap it
/// in a development guard; only when the call is a statement of its own in a
/// statement list.
pub fn statement_fixes(call: Node<'_>, src: &str, file_unit: &mut Option<String>) -> Vec<Fix> {
    let mut expr = call;
    if let Some(p) = expr
        .parent()
        .filter(|p| p.kind_name() == "await_expression")
    {
        expr = p;
    }
    let Some(stmt) = expr
        .parent()
        .filter(|p| p.kind_name() == "expression_statement")
    else {
        return Vec::new();
    };
    if !stmt.parent().is_some_and(|p| {
        matches!(
            p.kind_name(),
            "statement_block" | "program" | "switch_case" | "switch_default"
        )
    }) {
        return Vec::new();
    }
    let remove = Fix::unsafe_(
        "Remove the log statement",
        vec![Edit::delete(ast::statement_removal_range(stmt, src))],
    );
    let q = ast::preferred_quote_near(src, stmt.start_byte());
    let cond = format!("process.env.NODE_ENV !== {}", ast::quoted("production", q));
    let text = ast::text(stmt, src);
    let start = stmt.start_byte();
    let line_start = src[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let wrapped = if src[line_start..start].trim().is_empty() {
        let indent = ast::line_indent(src, start);
        let unit = ast::indent_unit_at_with(stmt, src, file_unit);
        let eol = ast::line_ending(src);
        let body = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| {
                if i == 0 || l.trim().is_empty() {
                    l.to_string()
                } else {
                    format!("{unit}{l}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        format!("if ({cond}) {{{eol}{indent}{unit}{body}{eol}{indent}}}")
    } else {
        format!("if ({cond}) {{ {text} }}")
    };
    let wrap = Fix::unsafe_(
        "Log only outside production",
        vec![Edit::replace(stmt.byte_range(), wrapped)],
    );
    vec![remove, wrap]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_paths() {
        assert!(is_command_line_path(
            "packages/cli/src/commands/auth/index.ts"
        ));
        assert!(is_command_line_path("/repo/scripts/seed.ts"));
        assert!(!is_command_line_path("src/app/api/cli.ts"));
        assert!(!is_command_line_path("src/server/users.ts"));
    }

    #[test]
    fn command_line_files_and_browser_only_code() {
        use crate::ts::frameworks::testing::with_script;
        let cli = |src: &str, path: &str| with_script(src, |s, _| is_command_line_file(path, &s));
        assert!(cli(
            "import inquirer from 'inquirer';\nconsole.log(1);\n",
            "admin/src/commands/x.ts"
        ));
        assert!(cli(
            "import { Args } from '@oclif/core';\n",
            "src/commands/user.ts"
        ));
        assert!(cli("#!/usr/bin/env node\nconsole.log(1);\n", "tool.js"));
        // near misses: a `commands/` folder alone (bot or CQRS commands run in
        // the server), a logger import
        assert!(!cli("import { db } from './db';\n", "src/commands/ban.ts"));
        assert!(!cli("import chalk from 'chalk';\n", "src/server.ts"));
        let browser = |src: &str| {
            with_script(src, |s, root| {
                let mut calls = Vec::new();
                ast::visit(root, &mut |n| {
                    if n.kind_name() == "call_expression"
                        && ast::callee_path(n, &s).as_deref() == Some("console.log")
                    {
                        calls.push(in_browser_only_code(n, &s));
                    }
                    true
                });
                calls
            })
        };
        assert_eq!(
            browser("export function Page() {\n  useEffect(() => { fetchIt().then(() => console.log(token)); }, []);\n  console.log(token);\n}\n"),
            vec![true, false]
        );
        assert_eq!(browser("'use client';\nconsole.log(token);\n"), vec![true]);
    }
}
