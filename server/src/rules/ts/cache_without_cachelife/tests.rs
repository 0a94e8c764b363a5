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
