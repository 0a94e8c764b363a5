//! The `cache-without-cachelife` rule: metadata, docs and the `check` entry with its top-
//! level
//! flow here; the rest by topic:
//! - `fix`: the fix: where `cacheLife(…)` goes (after the directive or at the top of the
//!   body) and the import it needs.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use fix::{
    ends_with_semicolon, insert_after_directive, insert_in_body, next_line_hazard, ImportPlan,
    Placement,
};
use tree_sitter::Node;

mod fix;
#[cfg(test)]
mod tests;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "cache-without-cachelife",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "A `'use cache'` function that never calls `cacheLife()` is cached with the default profile",
        docs: DOCS,
        triggers: &["use cache"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[
        "program",
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a Next.js `'use cache'` directive (also `'use cache: remote'` and
`'use cache: private'`) at the top of a function body when the function never
calls `cacheLife(...)` (imported from `next/cache`, also under another name or
as `unstable_cacheLife`). For a directive at the top of a file, each exported
async function of the file must call it. A directive is a directive only in the
prologue (the first statements of the file or function); the same text
elsewhere is just a string.

## Why is this bad?
Without `cacheLife`, the cached result lives by the default profile, which is
rarely what the data needs: prices or permissions stay stale, or a cheap page
is recomputed too often. The launch checklist item reads "audit every
'use cache' for a cacheLife() pairing".

## Examples
```ts flagged lines=2
export async function getProducts() {
  'use cache';
  return db.product.findMany();
}
```

```ts flagged lines=3
'use cache';

export async function getCategories() {
  return db.category.findMany();
}
```

```ts ok
import { cacheLife } from 'next/cache';

export async function getProducts() {
  'use cache';
  cacheLife('hours');
  return db.product.findMany();
}
```

```ts ok
import { unstable_cacheLife as life } from 'next/cache';

export async function getRates() {
  'use cache: remote';
  life({ revalidate: 60 });
  return fetchRates();
}
```

```ts ok
export async function label() {
  const note = 'use cache';
  return note;
}
```

## Fix
**Safe**: inserts `cacheLife('<profile>')` on the line after the directive
(for a file-level directive: at the top of each exported async function that
lacks it), with the directive's indentation and the file's quotes and line
endings, and imports `cacheLife` from `next/cache` (extending an existing
`next/cache` import). The profile is `[next] cache-life-profile` in
`prodlint.toml` (default `hours`); with `[next] version = 15` the import is
`unstable_cacheLife as cacheLife`. A function with an expression body
(`async () => value`) gets no automatic fix.
"#;

const DIRECTIVES: &[&str] = &["use cache", "use cache: remote", "use cache: private"];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if node.kind_name() == "program" {
        check_file(cx, node);
    } else {
        check_function(cx, node);
    }
}

/// The `'use cache'` directive statement of a program or function body, if any.
fn cache_directive<'t>(body: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    ast::directives(body, src)
        .into_iter()
        .find(|(_, v)| DIRECTIVES.contains(&v.as_str()))
        .map(|(stmt, _)| stmt)
}

/// The local names `cacheLife` is imported as from `next/cache`.
fn cache_life_names(src: &Script<'_>) -> Vec<String> {
    let mut names: Vec<String> = src
        .semantic
        .module_imports()
        .filter(|b| {
            b.import.as_ref().is_some_and(|i| {
                i.module == "next/cache"
                    && !i.type_only
                    && matches!(i.imported.as_str(), "cacheLife" | "unstable_cacheLife")
            })
        })
        .map(|b| b.name.to_string())
        .collect();
    names.push("cacheLife".into());
    names.push("unstable_cacheLife".into());
    names
}

/// Whether `func`'s body calls `cacheLife` (nested functions are their own matter).
fn calls_cache_life(func: Node<'_>, names: &[String], src: &Script<'_>) -> bool {
    let Some(body) = func.field(Field::Body) else {
        return false;
    };
    let mut found = false;
    ast::visit(body, &mut |n| {
        if found || (n.id() != body.id() && ast::is_function(n)) {
            return false;
        }
        if n.kind_name() == "call_expression"
            && ast::callee_name(n, src).is_some_and(|c| names.contains(&c))
        {
            found = true;
            return false;
        }
        true
    });
    found
}

fn check_function(cx: &mut RuleContext<'_>, func: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(body) = func.field(Field::Body) else {
        return;
    };
    if body.kind_name() != "statement_block" {
        return;
    }
    let Some(directive) = cache_directive(body, src) else {
        return;
    };
    let program = src.program(func);
    let names = cache_life_names(src);
    if calls_cache_life(func, &names, src) {
        return;
    }
    let plan = ImportPlan::new(program, cx, directive);
    let call_edit = insert_after_directive(directive, &plan.call_text(";"), src);
    let semi = if ends_with_semicolon(directive, src) || next_line_hazard(directive, src) {
        ";"
    } else {
        ""
    };
    let call_edit = match call_edit {
        Placement::OwnLine(at) => Edit::insert(
            at,
            format!(
                "{}{}{}",
                ast::line_ending(src),
                ast::line_indent(src, directive.start_byte()),
                plan.call_text(semi)
            ),
        ),
        Placement::SameLine(e) => e,
    };
    let fix = plan.fix(call_edit);
    let name = ast::function_name(func, src)
        .map(|n| format!(" in `{n}`"))
        .unwrap_or_default();
    let dir_text = ast::text(directive_string(directive), src);
    cx.report(
        directive_string(directive).byte_range(),
        format!("{dir_text}{name} without `cacheLife()`: the result is cached with the default profile; call `cacheLife(...)` with the lifetime this data needs"),
    )
    .with_fix(fix);
}

fn directive_string(stmt: Node<'_>) -> Node<'_> {
    stmt.named_child(0).unwrap_or(stmt)
}

fn check_file(cx: &mut RuleContext<'_>, program: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(directive) = cache_directive(program, src) else {
        return;
    };
    let names = cache_life_names(src);
    let semi_file = ends_with_semicolon(directive, src);
    let dir_text = ast::text(directive_string(directive), src).to_string();
    for (func, name_node) in exported_async_functions(program, src) {
        // A function with its own directive is checked on its own.
        let body = func.field(Field::Body);
        if body
            .filter(|b| b.kind_name() == "statement_block")
            .and_then(|b| cache_directive(b, src))
            .is_some()
        {
            continue;
        }
        if calls_cache_life(func, &names, src) {
            continue;
        }
        let name = name_node
            .map(|n| ast::text(n, src).to_string())
            .unwrap_or_else(|| "default".into());
        let at = name_node.map(|n| n.byte_range()).unwrap_or_else(|| {
            let end = body.map(|b| b.start_byte()).unwrap_or(func.end_byte());
            func.start_byte()..end.max(func.start_byte())
        });
        let message = format!("`{name}` is cached by the file's {dir_text} but never calls `cacheLife()`: it uses the default profile; call `cacheLife(...)` with the lifetime this data needs");
        let plan = ImportPlan::new(program, cx, directive);
        let edit = body
            .filter(|b| b.kind_name() == "statement_block")
            .and_then(|b| insert_in_body(b, &plan, semi_file, src));
        let d = cx.report(at, message);
        if let Some(edit) = edit {
            d.with_fix(plan.fix(edit));
        }
    }
}

/// Exported async functions: `export async function f`, `export default async
/// function`, `export const f = async () => {}`, `export { f }` of a local
/// async function. Returns (function, name node).
fn exported_async_functions<'t>(
    program: Node<'t>,
    src: &Script<'t>,
) -> Vec<(Node<'t>, Option<Node<'t>>)> {
    let mut out = Vec::new();
    let is_async = |f: Node<'_>| ast::has_token_child(f, "async");
    let mut c = program.walk();
    for stmt in program.named_children(&mut c) {
        if stmt.kind_name() != "export_statement" || stmt.field(Field::Source).is_some() {
            continue;
        }
        if let Some(decl) = stmt.field(Field::Declaration) {
            match decl.kind_name() {
                "function_declaration" if is_async(decl) => {
                    out.push((decl, decl.field(Field::Name)))
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut cc = decl.walk();
                    for d in decl.named_children(&mut cc) {
                        if d.kind_name() != "variable_declarator" {
                            continue;
                        }
                        if let Some(v) = d.field(Field::Value).map(ast::unwrap_expr) {
                            if matches!(v.kind_name(), "arrow_function" | "function_expression")
                                && is_async(v)
                            {
                                out.push((v, d.field(Field::Name)));
                            }
                        }
                    }
                }
                _ => {}
            }
        } else if let Some(v) = stmt.field(Field::Value).map(ast::unwrap_expr) {
            if ast::is_function(v) && is_async(v) {
                out.push((v, v.field(Field::Name)));
            }
        } else {
            let mut cc = stmt.walk();
            for clause in stmt.named_children(&mut cc) {
                if clause.kind_name() != "export_clause" {
                    continue;
                }
                let mut c3 = clause.walk();
                for spec in clause.named_children(&mut c3) {
                    let Some(name) = spec.field(Field::Name) else {
                        continue;
                    };
                    if let Some(f) = src.top_level_function(ast::text(name, src)) {
                        if is_async(f) && !out.iter().any(|(g, _)| g.id() == f.id()) {
                            let n = f.field(Field::Name).or_else(|| {
                                f.parent()
                                    .filter(|p| p.kind_name() == "variable_declarator")
                                    .and_then(|p| p.field(Field::Name))
                            });
                            out.push((f, n));
                        }
                    }
                }
            }
        }
    }
    out
}
