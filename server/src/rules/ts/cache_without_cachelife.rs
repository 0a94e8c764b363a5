use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{extend_named_imports, Import, ImportBlock, NewImport, Script};
use tree_sitter::Node;

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

fn has_token(node: Node<'_>, token: &str) -> bool {
    let mut c = node.walk();
    let found = node
        .children(&mut c)
        .any(|ch| !ch.is_named() && ch.kind_name() == token);
    found
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
    let is_async = |f: Node<'_>| has_token(f, "async");
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

fn ends_with_semicolon(stmt: Node<'_>, src: &Script<'_>) -> bool {
    ast::text(stmt, src).trim_end().ends_with(';')
}

/// Whether the statement after `stmt` starts with a character that would
/// continue an inserted line without a semicolon (`(`, `[`, `` ` ``, …).
fn next_line_hazard(stmt: Node<'_>, src: &Script<'_>) -> bool {
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next {
        if n.kind_name() != "comment" {
            break;
        }
        next = n.next_named_sibling();
    }
    next.is_some_and(|n| starts_with_hazard(ast::text(n, src)))
}

fn starts_with_hazard(text: &str) -> bool {
    matches!(
        text.trim_start().chars().next(),
        Some('(' | '[' | '`' | '+' | '-' | '/')
    )
}

enum Placement {
    /// Insert a new line at this offset (the end of the directive's line).
    OwnLine(usize),
    /// Code follows on the directive's line: a ready edit after it.
    SameLine(Edit),
}

/// Where the call goes after a directive statement.
fn insert_after_directive(
    directive: Node<'_>,
    call_with_semi: &str,
    src: &Script<'_>,
) -> Placement {
    let after = directive.end_byte();
    match line_end_if_blank(after, src) {
        Some(at) => Placement::OwnLine(at),
        None => {
            let lead = if ends_with_semicolon(directive, src) {
                ""
            } else {
                ";"
            };
            Placement::SameLine(Edit::insert(after, format!("{lead} {call_with_semi}")))
        }
    }
}

/// If the rest of the line after `offset` is blank or a line comment, the offset
/// of that line's end (before `\r\n`/`\n`).
fn line_end_if_blank(offset: usize, src: &Script<'_>) -> Option<usize> {
    let rest = src.get(offset..)?;
    let end = rest
        .find(['\n', '\r'])
        .map(|i| offset + i)
        .unwrap_or(src.len());
    let line = src.get(offset..end)?;
    let trimmed = line.trim();
    if !(trimmed.is_empty() || trimmed.starts_with("//")) {
        return None;
    }
    Some(end)
}

/// The call at the top of a function body (for a file-level directive).
fn insert_in_body(
    body: Node<'_>,
    plan: &ImportPlan,
    semi_file: bool,
    src: &Script<'_>,
) -> Option<Edit> {
    let open = body.start_byte();
    if src.as_bytes().get(open) != Some(&b'{') {
        return None;
    }
    let mut c = body.walk();
    let first = body
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment");
    let semi = if semi_file
        || first
            .is_some_and(|f| ends_with_semicolon(f, src) || starts_with_hazard(ast::text(f, src)))
    {
        ";"
    } else {
        ""
    };
    match line_end_if_blank(open + 1, src) {
        Some(at) => {
            let eol = ast::line_ending(src);
            let indent = match first {
                Some(f)
                    if src
                        .get(open..f.start_byte())
                        .is_some_and(|s| s.contains(['\n', '\r'])) =>
                {
                    ast::line_indent(src, f.start_byte()).to_string()
                }
                _ => format!("{}{}", ast::line_indent(src, open), indent_unit(src)),
            };
            Some(Edit::insert(
                at,
                format!("{eol}{indent}{}", plan.call_text(semi)),
            ))
        }
        None => Some(Edit::insert(open + 1, format!(" {}", plan.call_text(";")))),
    }
}

/// One level of indentation as the file writes it (a tab or two spaces).
fn indent_unit(src: &Script<'_>) -> &'static str {
    if src.lines().any(|l| l.starts_with('\t')) {
        "\t"
    } else {
        "  "
    }
}

/// How the fix calls `cacheLife` and whether it must add an import.
struct ImportPlan {
    call_name: String,
    profile: String,
    /// The file's quote character (computed once per finding).
    quote: char,
    import: Option<Edit>,
}

impl ImportPlan {
    fn new(program: Node<'_>, cx: &RuleContext<'_>, style: Node<'_>) -> ImportPlan {
        let script = cx.script();
        let src = &script;
        let profile = cx.config.cache_life_profile.clone();
        let quote = ast::preferred_quote(src);
        let imports: Vec<(&str, &Import<'_>)> = src
            .semantic
            .module_imports()
            .filter_map(|b| Some((b.name, b.import.as_deref()?)))
            .collect();
        if let Some((local, _)) = imports.iter().find(|(_, i)| {
            i.module == "next/cache"
                && !i.type_only
                && matches!(i.imported.as_str(), "cacheLife" | "unstable_cacheLife")
        }) {
            return ImportPlan {
                call_name: local.to_string(),
                profile,
                quote,
                import: None,
            };
        }
        if imports
            .iter()
            .any(|(local, i)| *local == "cacheLife" && !i.type_only)
        {
            // Some other `cacheLife` is in scope; do not import a second one.
            return ImportPlan {
                call_name: "cacheLife".into(),
                profile,
                quote,
                import: None,
            };
        }
        let spec = if cx.config.next_version == 15 {
            "unstable_cacheLife as cacheLife"
        } else {
            "cacheLife"
        };
        let extend = imports.iter().map(|(_, i)| i).find(|i| {
            i.module == "next/cache" && i.named_imports.is_some() && !has_token(i.statement, "type")
        });
        let import = match extend.and_then(|i| i.named_imports) {
            Some(named) => extend_named_imports(named, spec),
            None => ImportBlock::of(src, program).add(
                src,
                &[NewImport::Named {
                    spec,
                    module: "next/cache",
                }],
                false,
                Some(style),
            ),
        };
        ImportPlan {
            call_name: "cacheLife".into(),
            profile,
            quote,
            import: Some(import),
        }
    }

    fn call_text(&self, semi: &str) -> String {
        format!(
            "{}({}){semi}",
            self.call_name,
            ast::quoted(&self.profile, self.quote)
        )
    }

    /// The fix: the call plus the import (the same import edit in every finding of
    /// a file, so only one applies per round and no import is added twice).
    fn fix(&self, call: Edit) -> Fix {
        let mut edits = vec![];
        match &self.import {
            Some(imp) if imp.range == call.range => {
                // Both insert at one point: one edit, import first.
                edits.push(Edit::insert(
                    call.range.start,
                    format!("{}{}", imp.text, call.text),
                ));
            }
            Some(imp) => {
                edits.push(imp.clone());
                edits.push(call);
            }
            None => edits.push(call),
        }
        edits.sort_by_key(|e| e.range.start);
        let title = if self.import.is_some() {
            format!("Call `cacheLife('{}')` (and import it)", self.profile)
        } else {
            format!("Call `cacheLife('{}')`", self.profile)
        };
        Fix::safe(title, edits)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::{Applicability, Level};
    use crate::rules::testing::*;
    use std::path::Path;

    const ID: &str = "cache-without-cachelife";

    #[test]
    fn function_level_directives() {
        let src = "export async function getProducts() {\n  'use cache';\n  return db.product.findMany();\n}\nexport async function getUser(id: string) {\n  \"use cache: private\"\n  return db.user.find(id);\n}\nconst getRates = async () => {\n  'use cache: remote'\n  return fetchRates();\n};\nclass Repo {\n  async list() {\n    'use cache';\n    return [];\n  }\n}\n";
        let got = assert_flags(ID, "src/lib/data.ts", src, 4);
        assert_eq!(
            got,
            vec![
                "'use cache'",
                "\"use cache: private\"",
                "'use cache: remote'",
                "'use cache'"
            ]
        );
        assert!(findings(ID, "src/lib/data.ts", src)
            .iter()
            .all(|d| d.level == Level::Warn));
    }

    #[test]
    fn file_level_directive() {
        let src = "'use cache'\n\nimport { db } from '@/db';\n\nexport async function getCategories() {\n  return db.category.findMany();\n}\n\nexport const getTags = async () => db.tag.findMany();\n\nexport default async function Page() {\n  return null;\n}\n\nasync function local() {}\nexport function syncHelper() {}\nasync function listed() { return 1; }\nexport { listed };\n";
        let got = assert_flags(ID, "src/app/page.tsx", src, 4);
        assert_eq!(got, vec!["getCategories", "getTags", "Page", "listed"]);
    }

    #[test]
    fn near_miss_cache_life_called() {
        let src = "import { cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  cacheLife('hours');\n  return 1;\n}\nexport async function b() {\n  'use cache';\n  cacheLife({ revalidate: 60, stale: 30 });\n  return 2;\n}\nexport async function c() {\n  'use cache';\n  if (x) { cacheLife('days'); }\n  return 3;\n}\n";
        assert_clean(ID, "src/lib/data.ts", src);
        let src = "import { unstable_cacheLife as cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  cacheLife('max');\n}\n";
        assert_clean(ID, "src/lib/data.ts", src);
        let src = "import { cacheLife as life } from 'next/cache';\nexport async function a() {\n  'use cache';\n  life('max');\n}\n";
        assert_clean(ID, "src/lib/data.ts", src);
        let src = "'use cache';\nimport { cacheLife } from 'next/cache';\nexport async function a() {\n  cacheLife('weeks');\n  return 1;\n}\n";
        assert_clean(ID, "src/lib/data.ts", src);
    }

    #[test]
    fn near_miss_not_a_directive() {
        let src = "export async function a() {\n  const x = 1;\n  'use cache';\n  return x;\n}\nexport async function b() {\n  const mode = 'use cache';\n  log('use cache');\n  // 'use cache'\n  return mode;\n}\nexport async function c() {\n  `use cache`;\n  'use cachex';\n}\n";
        assert_clean(ID, "src/lib/data.ts", src);
        let src = "import x from 'y';\n'use cache';\nexport async function a() { return 1; }\n";
        assert_clean(ID, "src/lib/data.ts", src);
        // a nested function's cacheLife does not count for the outer one
        let src = "export async function a() {\n  'use cache';\n  const f = () => cacheLife('days');\n  return f;\n}\n";
        assert_flags(ID, "src/lib/data.ts", src, 1);
    }

    #[test]
    fn fix_function_level_adds_import() {
        check_fix(
            ID,
            "src/lib/data.ts",
            "import { db } from '@/db';\n\nexport async function getProducts() {\n  'use cache';\n  return db.product.findMany();\n}\n",
            false,
            "import { db } from '@/db';\nimport { cacheLife } from 'next/cache';\n\nexport async function getProducts() {\n  'use cache';\n  cacheLife('hours');\n  return db.product.findMany();\n}\n",
        );
        // no imports: before the first statement, after a header comment
        check_fix(
            ID,
            "src/lib/data.ts",
            "// Copyright Acme\n/* data access */ export async function a() {\n  'use cache';\n  return 1;\n}\n",
            false,
            "// Copyright Acme\n/* data access */ import { cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  cacheLife('hours');\n  return 1;\n}\n",
        );
        let d = findings(
            ID,
            "src/lib/data.ts",
            "async function a() {\n  'use cache'\n}\n",
        );
        assert_eq!(d[0].fix().unwrap().applicability, Applicability::Safe);
    }

    #[test]
    fn fix_extends_existing_import_and_keeps_style() {
        check_fix(
            ID,
            "src/lib/data.ts",
            "import { revalidateTag } from \"next/cache\"\n\nexport async function getProducts() {\n    \"use cache\"\n    return db.product.findMany()\n}\n",
            false,
            "import { revalidateTag, cacheLife } from \"next/cache\"\n\nexport async function getProducts() {\n    \"use cache\"\n    cacheLife(\"hours\")\n    return db.product.findMany()\n}\n",
        );
        // no semicolon and a trailing comment: still a directive; the comment stays
        check_fix(
            ID,
            "src/lib/data.ts",
            "export async function a() {\n  'use cache' // listing\n  return 1\n}\n",
            false,
            "import { cacheLife } from 'next/cache'\nexport async function a() {\n  'use cache' // listing\n  cacheLife('hours')\n  return 1\n}\n",
        );
        // a trailing comment stays on the directive's line
        check_fix(
            ID,
            "src/lib/data.ts",
            "import { revalidateTag, } from 'next/cache';\nexport async function a() {\n  'use cache'; // cached for the listing\n  return 1;\n}\n",
            false,
            "import { revalidateTag, cacheLife, } from 'next/cache';\nexport async function a() {\n  'use cache'; // cached for the listing\n  cacheLife('hours');\n  return 1;\n}\n",
        );
        // an existing import is reused, even aliased
        check_fix(
            ID,
            "src/lib/data.ts",
            "import { cacheLife as life } from 'next/cache';\nexport async function a() {\n  'use cache';\n  return 1;\n}\n",
            false,
            "import { cacheLife as life } from 'next/cache';\nexport async function a() {\n  'use cache';\n  life('hours');\n  return 1;\n}\n",
        );
        // `unstable_cacheLife` imported without an alias is called by that name
        check_fix(
            ID,
            "src/lib/data.ts",
            "import { unstable_cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  return 1;\n}\n",
            false,
            "import { unstable_cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  unstable_cacheLife('hours');\n  return 1;\n}\n",
        );
        // a type-only import is not extended
        check_fix(
            ID,
            "src/lib/data.ts",
            "import type { CacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  return 1;\n}\n",
            false,
            "import type { CacheLife } from 'next/cache';\nimport { cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  cacheLife('hours');\n  return 1;\n}\n",
        );
        // no semicolons, but the next line starts with `[`: the call gets one
        check_fix(
            ID,
            "src/lib/data.ts",
            "'use cache'\nexport async function a() {\n  [1, 2].forEach(warm)\n  return 1\n}\n",
            false,
            "'use cache'\nimport { cacheLife } from 'next/cache'\nexport async function a() {\n  cacheLife('hours');\n  [1, 2].forEach(warm)\n  return 1\n}\n",
        );
    }

    #[test]
    fn fix_two_functions_one_import() {
        check_fix(
            ID,
            "src/lib/data.ts",
            "import { db } from '@/db';\n\nexport async function a() {\n  'use cache';\n  return db.a();\n}\n\nexport async function b() {\n  'use cache';\n  return db.b();\n}\n",
            false,
            "import { db } from '@/db';\nimport { cacheLife } from 'next/cache';\n\nexport async function a() {\n  'use cache';\n  cacheLife('hours');\n  return db.a();\n}\n\nexport async function b() {\n  'use cache';\n  cacheLife('hours');\n  return db.b();\n}\n",
        );
    }

    #[test]
    fn fix_file_level() {
        check_fix(
            ID,
            "src/app/data.ts",
            "'use cache'\n\nexport async function a() {\n  return 1\n}\n\nexport const b = async () => {\n  return 2\n}\n\nexport const c = async () => 3\n",
            false,
            "'use cache'\nimport { cacheLife } from 'next/cache'\n\nexport async function a() {\n  cacheLife('hours')\n  return 1\n}\n\nexport const b = async () => {\n  cacheLife('hours')\n  return 2\n}\n\nexport const c = async () => 3\n",
        );
        // `c` has an expression body: reported, no fix
        let d = findings(
            ID,
            "src/app/data.ts",
            "'use cache'\nexport const c = async () => 3\n",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn fix_uses_config_profile_and_next_15() {
        let mut config = config_only(ID);
        config.cache_life_profile = "days".into();
        config.next_version = 15;
        let src = "export async function a() {\n  'use cache';\n  return 1;\n}\n";
        check_fix_with(
            ID,
            "src/lib/a.ts",
            src,
            false,
            "import { unstable_cacheLife as cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  cacheLife('days');\n  return 1;\n}\n",
            &config,
            &facts_for("src/lib/a.ts", src),
        );
        // the same through a parsed prodlint.toml
        let parsed = Config::parse(
            "[next]\nversion = 15\ncache-life-profile = \"minutes\"\n",
            Path::new("prodlint.toml"),
        )
        .unwrap();
        check_fix_with(
            ID,
            "src/lib/a.ts",
            src,
            false,
            "import { unstable_cacheLife as cacheLife } from 'next/cache';\nexport async function a() {\n  'use cache';\n  cacheLife('minutes');\n  return 1;\n}\n",
            &parsed,
            &facts_for("src/lib/a.ts", src),
        );
    }

    #[test]
    fn fix_crlf_and_non_ascii() {
        let src = "const label = 'café 😀';\r\nexport async function a() {\r\n\t'use cache';\r\n\treturn label;\r\n}\r\n";
        let d = findings(ID, "src/lib/a.ts", src);
        assert_eq!(d.len(), 1);
        let start = src.find("'use cache'").unwrap();
        assert_eq!(d[0].range, start..start + "'use cache'".len());
        check_fix(
            ID,
            "src/lib/a.ts",
            src,
            false,
            "import { cacheLife } from 'next/cache';\r\nconst label = 'café 😀';\r\nexport async function a() {\r\n\t'use cache';\r\n\tcacheLife('hours');\r\n\treturn label;\r\n}\r\n",
        );
    }

    #[test]
    fn fix_lone_cr_line_endings() {
        // A lone `\r` ends a line for editors and LSP clients (found by the fuzzer:
        // the call went after the next `\n`, outside the function, on every round).
        check_fix(
            ID,
            "src/lib/a.ts",
            "import { cacheLife } from 'next/cache';\rexport async function a() {\r  'use cache';\r  return 1;\r}\r",
            false,
            "import { cacheLife } from 'next/cache';\rexport async function a() {\r  'use cache';\r  cacheLife('hours');\r  return 1;\r}\r",
        );
        check_fix(
            ID,
            "src/lib/b.ts",
            "'use cache';\r\rexport async function a() {\r  return 1;\r}\r",
            false,
            "'use cache';\rimport { cacheLife } from 'next/cache';\r\rexport async function a() {\r  cacheLife('hours');\r  return 1;\r}\r",
        );
    }

    #[test]
    fn fix_one_line_body() {
        check_fix(
            ID,
            "src/lib/a.ts",
            "import { cacheLife } from 'next/cache';\nexport async function a() { 'use cache'; return 1 }\nexport async function b() { 'use cache' }\n",
            false,
            "import { cacheLife } from 'next/cache';\nexport async function a() { 'use cache'; cacheLife('hours'); return 1 }\nexport async function b() { 'use cache'; cacheLife('hours'); }\n",
        );
    }
}
