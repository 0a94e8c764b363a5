//! What the logging rules (`log-request-data`, `log-sensitive-data`,
//! `console-in-production`) share: command-line paths, where `console` output
//! is the program's user interface rather than a log, and the statement fixes.

use crate::diagnostic::{Edit, Fix};
use crate::ts::ast;
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Folders whose code is a command-line tool or a one-off script: its console
/// output goes to the person running it, not to a production log.
const COMMAND_LINE_DIRS: &[&str] = &["cli", "bin", "scripts", "script"];

/// `path` (with `/` separators) lies in a command-line tool or script folder.
pub fn is_command_line_path(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|seg| COMMAND_LINE_DIRS.contains(&seg))
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
}
