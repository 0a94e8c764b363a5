use super::*;
use crate::language::Language;
use crate::ts::ast::{text, visit};

fn parse(src: &str) -> tree_sitter::Tree {
    crate::ts::parse(src, Language::TypeScript, None).expect("parses")
}

/// The last identifier `name` in the text.
fn last_ident<'t>(tree: &'t tree_sitter::Tree, src: &str, name: &str) -> Node<'t> {
    let mut last = None;
    visit(tree.root_node(), &mut |n| {
        if n.kind_name() == "identifier" && text(n, src) == name {
            last = Some(n);
        }
        true
    });
    last.expect("the identifier is in the text")
}

type Found = (
    BindingKind,
    String,
    Option<String>,
    Option<(String, String)>,
);

/// The binding of the last identifier `name`: (kind, value, key, module).
fn bind(src: &str, name: &str) -> Option<Found> {
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let b = sem.resolve(last_ident(&tree, src, name), src)?;
    Some((
        b.kind,
        b.value
            .map(|v| text(v, src).to_string())
            .unwrap_or_default(),
        b.key_name(src),
        b.module().map(|(m, i)| (m.to_string(), i.to_string())),
    ))
}

#[test]
fn finds_the_nearest_declaration() {
    let src = "import path from 'node:path';\nimport * as fs from 'fs';\nimport { join as j } from 'path';\nconst { writeFile } = require('fs/promises');\nfunction f(path: string[], { name: fileName } = x) {\n  for (const file of files) { use(path, fileName, file, j, fs, writeFile); }\n}\nenum Table { Users }\nconst q = `x`;\nlet y;\nuse(Table, q, y, z);\n";
    let (k, _, _, m) = bind(src, "path").unwrap();
    assert_eq!(k, BindingKind::Param);
    assert_eq!(m, None);
    let (k, v, key, _) = bind(src, "fileName").unwrap();
    assert_eq!(
        (k, v.as_str(), key.as_deref()),
        (BindingKind::Param, "x", Some("name"))
    );
    let (k, v, _, _) = bind(src, "file").unwrap();
    assert_eq!((k, v.as_str()), (BindingKind::ForOf, "files"));
    assert_eq!(
        bind(src, "j").unwrap().3,
        Some(("path".into(), "join".into()))
    );
    assert_eq!(bind(src, "fs").unwrap().3, Some(("fs".into(), "*".into())));
    assert_eq!(
        bind(src, "writeFile").unwrap().3,
        Some(("fs/promises".into(), "writeFile".into()))
    );
    assert_eq!(bind(src, "Table").unwrap().0, BindingKind::Enum);
    assert_eq!(bind(src, "q").unwrap().0, BindingKind::Const);
    assert_eq!(bind(src, "y").unwrap().0, BindingKind::Let);
    assert!(bind(src, "z").is_none());
    let top = "import path from 'node:path';\nexport const a = () => path.join(b);\n";
    assert_eq!(
        bind(top, "path").unwrap().3,
        Some(("node:path".into(), "default".into()))
    );
    let arrow = "const f = path => path.join('/');\n";
    assert_eq!(bind(arrow, "path").unwrap().0, BindingKind::Param);
}

#[test]
fn scopes_follow_javascript() {
    // `var` belongs to the function, `let` to its block; a catch variable and a
    // loop variable shadow; a later top-level declaration is found from a
    // function body (it runs later).
    let src = "function f() {\n  if (a) { var v = 1; let l = 2; }\n  use(v, l);\n  try {} catch (err) { use(err); }\n  for (let i = 0; i < 1; i++) { use(i); }\n  use(i, later);\n}\nconst later = 3;\n";
    assert_eq!(bind(src, "v").unwrap().0, BindingKind::Var);
    assert!(bind(src, "l").is_none(), "`let` stays in its block");
    assert!(
        bind(src, "i").is_none(),
        "the loop variable stays in the loop"
    );
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let err = sem
        .resolve_at(src.find("use(err)").unwrap() + 4, "err")
        .unwrap();
    assert_eq!(
        (err.kind, err.decl.kind_name()),
        (BindingKind::Param, "catch_clause")
    );
    let i = sem
        .resolve_at(src.find("use(i)").unwrap() + 4, "i")
        .unwrap();
    assert_eq!(i.kind, BindingKind::Let);
    assert_eq!(bind(src, "later").unwrap().1, "3");
    // the last declaration before the use wins; a use before any, the first
    let src = "var x = 1;\nuse(x);\nvar x = 2;\nuse(x);\n";
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let at = |s: &str| {
        sem.resolve_at(src.find(s).unwrap(), "x")
            .unwrap()
            .value
            .map(|v| text(v, src))
    };
    assert_eq!(at("x);\nvar"), Some("1"));
    assert_eq!(
        sem.resolve_at(src.rfind("x)").unwrap(), "x")
            .and_then(|b| b.value)
            .map(|v| text(v, src)),
        Some("2")
    );
    assert_eq!(
        sem.resolve_at(0, "x")
            .and_then(|b| b.value)
            .map(|v| text(v, src)),
        Some("1"),
        "before any: the first"
    );
}

#[test]
fn destructuring_elements_and_keys() {
    let src = "const { body, headers: h, ...rest } = req;\nconst [first, { a: { b: deep } }] = list;\nuse(body, h, rest, first, deep);\n";
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let get = |n: &str| sem.resolve(last_ident(&tree, src, n), src).unwrap();
    assert_eq!(
        get("body").element.kind_name(),
        "shorthand_property_identifier_pattern"
    );
    assert_eq!(get("body").key_name(src).as_deref(), Some("body"));
    assert_eq!(get("h").element.kind_name(), "pair_pattern");
    assert_eq!(get("h").key_name(src).as_deref(), Some("headers"));
    assert_eq!(get("rest").element.kind_name(), "rest_pattern");
    assert_eq!(get("rest").key_name(src), None);
    assert!(!get("first").is_simple());
    assert_eq!(get("first").element.kind_name(), "identifier");
    assert_eq!(get("deep").key_name(src).as_deref(), Some("b"));
    assert_eq!(get("deep").element.kind_name(), "object_pattern");
    assert!(get("deep").simple_value().is_none());
}

#[test]
fn module_imports_cover_imports_and_requires() {
    let src = "import cors from 'cors';\nimport { cors as h, type T } from 'hono/cors';\nimport type { X } from 'next/cache';\nimport * as ns from 'ns';\nimport r = require('r');\nconst a = require('a');\nconst b = require('b').default;\nconst { c, d: e } = require('cd');\nconst f = other('f');\n";
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let got: Vec<(String, String, String, bool)> = sem
        .module_imports()
        .map(|b| {
            let i = b.import.as_ref().unwrap();
            (
                i.module.clone(),
                i.imported.clone(),
                b.name.to_string(),
                i.type_only,
            )
        })
        .collect();
    let want: Vec<(String, String, String, bool)> = [
        ("cors", "default", "cors", false),
        ("hono/cors", "cors", "h", false),
        ("hono/cors", "T", "T", true),
        ("next/cache", "X", "X", true),
        ("ns", "*", "ns", false),
        ("r", "*", "r", false),
        ("a", "*", "a", false),
        ("b", "default", "b", false),
        ("cd", "c", "c", false),
        ("cd", "d", "e", false),
    ]
    .iter()
    .map(|(m, i, l, t)| (m.to_string(), i.to_string(), l.to_string(), *t))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn values_and_top_level_functions() {
    let src = "const opts = { a: 1 };\nexport const top = 2;\nfunction f(opts) { use(opts); }\nfunction g() { const inner = 'x'; if (y) { use(inner, opts, top, nope); } }\nconst h = async () => 1;\nexport function k() {}\n";
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let at = |s: &str| {
        let i = src.find(s).unwrap();
        tree.root_node().descendant_for_byte_range(i, i).unwrap()
    };
    assert!(
        sem.value_of(at("opts); }"), "opts").is_none(),
        "a parameter shadows"
    );
    let call = at("inner, opts");
    let v = |n: &str| sem.value_of(call, n).map(|v| text(v, src).to_string());
    assert_eq!(v("inner").as_deref(), Some("'x'"));
    assert_eq!(v("opts").as_deref(), Some("{ a: 1 }"));
    assert_eq!(v("top").as_deref(), Some("2"));
    assert_eq!(v("nope"), None);
    assert_eq!(sem.root().map(|r| r.id()), Some(tree.root_node().id()));
    assert_eq!(
        sem.top_level_function("h").map(|f| f.kind_name()),
        Some("arrow_function")
    );
    assert_eq!(
        sem.top_level_function("k").map(|f| f.kind_name()),
        Some("function_declaration")
    );
    assert!(sem.top_level_function("opts").is_none());
    assert!(sem.top_level_function("inner").is_none(), "not top level");
}

#[test]
fn qualified_names_through_imports() {
    let src = "import fs from 'node:fs';\nimport { join } from 'path';\nimport * as stripeNs from 'stripe';\nconst { promises } = require('fs');\nfunction f(path) { path.join(a); }\nfs.promises.writeFile(a);\njoin(a);\npromises.readFile(a);\nrequire('crypto').randomUUID();\nlocal.join(a);\nstripeNs.webhooks.constructEvent(a);\n";
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let q = |s: &str| {
        let i = src.find(s).unwrap();
        let n = tree
            .root_node()
            .descendant_for_byte_range(i, i + s.len())
            .unwrap();
        sem.qualified_name(n, src)
    };
    assert!(q("fs.promises.writeFile")
        .unwrap()
        .is("fs", &["promises", "writeFile"]));
    assert!(q("join(a);\npromises").is_none(), "a call is not a name");
    assert!(q("join").unwrap().is("path", &["join"]));
    assert!(q("promises.readFile")
        .unwrap()
        .is("fs", &["promises", "readFile"]));
    assert!(q("require('crypto').randomUUID")
        .unwrap()
        .is("crypto", &["randomUUID"]));
    assert!(q("local.join").is_none(), "a global");
    assert!(q("path.join").is_none(), "a parameter");
    assert!(q("stripeNs.webhooks.constructEvent")
        .unwrap()
        .is("stripe", &["webhooks", "constructEvent"]));
}

#[test]
fn deep_patterns_do_not_recurse() {
    let n = 20_000;
    let src = format!(
        "const {}x{} = req.body;\nuse(x);\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let tree = parse(&src);
    let sem = Semantic::build(tree.root_node(), &src);
    // The walk stops at MAX_WALK_DEPTH, but the declaration is at the top.
    let b = sem.resolve_at(src.rfind('x').unwrap(), "x").unwrap();
    assert_eq!(b.kind, BindingKind::Const);
}

#[test]
fn bindings_are_found_in_enclosing_scopes() {
    let src = "const top = 1;\nfunction f(p, { q }) {\n  const { a, b: c, ...rest } = obj;\n  use(top, p, q, a, c, rest, late, none);\n  for (const top of xs) { use(top); }\n}\nconst late = 2;\n";
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let mut uses = Vec::new();
    visit(tree.root_node(), &mut |n| {
        if n.kind_name() == "identifier" && n.parent().is_some_and(|p| p.kind_name() == "arguments")
        {
            uses.push(n);
        }
        true
    });
    let got: Vec<String> = uses
        .iter()
        .map(|n| match sem.resolve(*n, src) {
            Some(b) => format!(
                "{:?} {} {}",
                b.kind,
                b.decl.kind_name(),
                b.element.kind_name()
            ),
            None => "none".to_string(),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "Const variable_declarator identifier",
            "Param required_parameter identifier",
            "Param required_parameter shorthand_property_identifier_pattern",
            "Const variable_declarator shorthand_property_identifier_pattern",
            "Const variable_declarator pair_pattern",
            "Const variable_declarator rest_pattern",
            "Const variable_declarator identifier",
            "none",
            "ForOf for_in_statement identifier",
        ]
    );
}

fn with_import(src: &str, imports: &[NewImport<'_>], commonjs: bool) -> String {
    let tree = parse(src);
    let sem = Semantic::build(tree.root_node(), src);
    let script = Script {
        source: src,
        semantic: &sem,
    };
    let block = ImportBlock::of(&script, tree.root_node());
    let edit = block.add(&script, imports, commonjs, None);
    let mut out = src.to_string();
    out.replace_range(edit.range.clone(), &edit.text);
    out
}

#[test]
fn imports_are_added_the_way_the_file_writes_them() {
    let path = NewImport::Module {
        local: "path",
        module: "node:path",
    };
    let life = NewImport::Named {
        spec: "cacheLife",
        module: "next/cache",
    };
    // after the last import, with its quotes and semicolons
    assert_eq!(
        with_import("import a from \"a\"\nimport \"./x.css\"\nrun()\n", &[path, life], false),
        "import a from \"a\"\nimport \"./x.css\"\nimport path from \"node:path\"\nimport { cacheLife } from \"next/cache\"\nrun()\n"
    );
    // a namespace-style file; CRLF kept; a trailing comment stays on its line
    assert_eq!(
        with_import(
            "import * as fs from 'fs'; // io\r\nrun();\r\n",
            &[path],
            false
        ),
        "import * as fs from 'fs'; // io\r\nimport * as path from 'node:path';\r\nrun();\r\n"
    );
    // code after the import on its line: the new import gets its own line
    assert_eq!(
        with_import("import a from 'a'; run();\n", &[path], false),
        "import a from 'a';\nimport path from 'node:path';\n run();\n"
    );
    // CommonJS: after the last require, named imports destructured
    let named = NewImport::Named {
        spec: "randomUUID as uuid",
        module: "node:crypto",
    };
    assert_eq!(
        with_import("const a = require('a');\nrun();\n", &[path, named], true),
        "const a = require('a');\nconst path = require('node:path');\nconst { randomUUID: uuid } = require('node:crypto');\nrun();\n"
    );
    // no import: after the directives, else before the first statement (not a comment)
    assert_eq!(
        with_import("'use server'\nrun()\n", &[path], false),
        "'use server'\nimport path from 'node:path'\nrun()\n"
    );
    assert_eq!(
        with_import("// header\n  run();\n", &[path], false),
        "// header\nimport path from 'node:path';\n  run();\n"
    );
}

#[test]
fn commonjs_is_told_from_the_file() {
    let tree = parse("const a = require('a');\n");
    let sem = Semantic::build(tree.root_node(), "const a = require('a');\n");
    let script = Script {
        source: "const a = require('a');\n",
        semantic: &sem,
    };
    let block = ImportBlock::of(&script, tree.root_node());
    assert!(block.is_commonjs(&script, "a.js", true));
    assert!(!block.is_commonjs(&script, "a.mjs", true));
    assert!(!block.is_commonjs(&script, "a.ts", false));
    assert!(block.is_commonjs(&script, "a.cjs", false));
}

#[test]
fn whole_module_imports() {
    let name = |text: &str| {
        let tree = parse(text);
        let sem = Semantic::build(tree.root_node(), text);
        sem.whole_module_import(&["crypto", "node:crypto"])
            .map(|b| b.name.to_string())
    };
    assert_eq!(name("import c from 'node:crypto';\n").as_deref(), Some("c"));
    assert_eq!(
        name("import * as nc from 'crypto';\n").as_deref(),
        Some("nc")
    );
    assert_eq!(
        name("const crypto = require('crypto');\n").as_deref(),
        Some("crypto")
    );
    // near misses: named imports, type-only, another module
    assert_eq!(name("import { randomInt } from 'node:crypto';\n"), None);
    assert_eq!(name("const { randomInt } = require('crypto');\n"), None);
    assert_eq!(name("import type crypto from 'node:crypto';\n"), None);
    assert_eq!(name("import crypto from 'crypto-js';\n"), None);
}

#[test]
fn default_imports_stay_default_in_namespace_style_files() {
    let purify = NewImport::Default {
        local: "DOMPurify",
        module: "dompurify",
    };
    // a namespace-style file still gets a default import (dompurify has no named `sanitize`)
    assert_eq!(
        with_import("import * as fs from 'fs';\nrun();\n", &[purify], false),
        "import * as fs from 'fs';\nimport DOMPurify from 'dompurify';\nrun();\n"
    );
    // near miss: a module import there is a namespace import
    let module = NewImport::Module {
        local: "DOMPurify",
        module: "dompurify",
    };
    assert_eq!(
        with_import("import * as fs from 'fs';\nrun();\n", &[module], false),
        "import * as fs from 'fs';\nimport * as DOMPurify from 'dompurify';\nrun();\n"
    );
    assert_eq!(
        with_import("const a = require('a');\nrun();\n", &[purify], true),
        "const a = require('a');\nconst DOMPurify = require('dompurify');\nrun();\n"
    );
}
