//! The client boundary: which modules a `'use client'` file pulls into the
//! browser bundle, and which of them read server-only secrets.
//!
//! Every script file contributes a [`ModuleFacts`] read from its text by a
//! lexical scan (no parse: the CLI reads every script up front for it, and
//! the prefilter still spares the parser): its directive (`'use client'`,
//! `'use server'`), `import 'server-only'`, the modules it imports (type-only
//! imports left out) and the server secrets it reads from `process.env` /
//! `import.meta.env`. [`ClientGraph`] resolves the imports between the
//! workspace's files (relative paths and the `@/` / `~/` aliases) and answers,
//! for an import of a client file, the first server secret reachable through it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

/// What one script file says about the client boundary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ModuleFacts {
    /// Starts with the `'use client'` directive.
    pub use_client: bool,
    /// Starts with `'use server'` (server actions: the client gets references only).
    pub use_server: bool,
    /// `import 'server-only'`: a build error if a client module imports it.
    pub server_only: bool,
    /// Module specifiers of its value imports, re-exports, `require`s and `import()`s.
    pub imports: Vec<String>,
    /// A custom Next.js server (`next({ … })` served by `createServer` /
    /// `.listen`): the app runs as a long-lived process, not as serverless functions.
    pub custom_next_server: bool,
    /// Handles SIGTERM: a `'SIGTERM'` string with `process.on`/`once`, Nest's
    /// `enableShutdownHooks()`, or a graceful-shutdown library (terminus,
    /// close-with-grace, http-terminator, lightship).
    pub sigterm_handler: bool,
    /// Its SIGTERM handling closes something (see [`shutdown_closes`]).
    pub sigterm_closes: bool,
    /// Server-only secret env names it reads when it is loaded: outside any
    /// function body (see [`is_server_secret`]). A read inside a function runs
    /// only when called; the client bundle then gets `undefined`, not the
    /// secret, and only if it calls it. t3-env schemas (`createEnv(`) list every
    /// variable and guard server ones at runtime: not counted.
    pub secrets: Vec<String>,
}

/// Env name prefixes that bundlers expose to the browser.
pub const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "PUBLIC_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "REACT_APP_",
];

/// A name the browser bundle receives (`NEXT_PUBLIC_…`, `VITE_…`, …).
pub fn is_public_env(name: &str) -> bool {
    PUBLIC_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Whether an env name says it holds a secret: `SERVICE_ROLE`, a `SECRET`
/// word, a `PRIVATE` key/token (`PRIVATE_MODE` is a flag, not a key).
pub fn names_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    upper.contains("SERVICE_ROLE")
        || words.iter().any(|w| *w == "SECRET" || *w == "SECRETS")
        || (words.contains(&"PRIVATE")
            && words
                .iter()
                .any(|w| matches!(*w, "KEY" | "KEYS" | "TOKEN" | "PEM" | "JWK")))
}

/// A secret only the server may hold: named as one and not public by prefix.
pub fn is_server_secret(name: &str) -> bool {
    !is_public_env(name) && names_secret(name)
}

/// Byte classes of [`scan`] (see [`CLASS`]).
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const IDENT: u8 = 2;
const DIGIT: u8 = 3;
const QUOTE: u8 = 4;
const SLASH: u8 = 5;
const SEMI: u8 = 6;
const OPEN_BRACE: u8 = 7;
const CLOSE_BRACE: u8 = 8;
const OPEN_PAREN: u8 = 9;
const CLOSE_PAREN: u8 = 10;
/// Punctuation that may sit inside a return type annotation (`): Promise<T> {`).
const TYPE_PUNCT: u8 = 11;

/// The class of every byte, so that the scan dispatches once per byte (and
/// skips blanks and identifiers in tight loops).
static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_whitespace() {
            SPACE
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'$' {
            IDENT
        } else if b.is_ascii_digit() {
            DIGIT
        } else {
            match b {
                b'\'' | b'"' | b'`' => QUOTE,
                b'/' => SLASH,
                b';' => SEMI,
                b'{' => OPEN_BRACE,
                b'}' => CLOSE_BRACE,
                b'(' => OPEN_PAREN,
                b')' => CLOSE_PAREN,
                b':' | b'<' | b'>' | b'.' | b'|' | b'&' | b'[' | b']' | b',' | b'?' => TYPE_PUNCT,
                _ => OTHER,
            }
        };
        c += 1;
    }
    t
};

/// An identifier goes on over letters, digits, `_` and `$`.
fn continues_ident(c: u8) -> bool {
    matches!(CLASS[c as usize], IDENT | DIGIT)
}

/// The facts of one script text.
pub fn scan(text: &str) -> ModuleFacts {
    let mut facts = ModuleFacts::default();
    let b = text.as_bytes();
    let mut i = 0;
    let mut first_token = true;
    // The last two identifier-like tokens before the current position, and
    // whether the current statement is `import type` / `export type`.
    let mut prev: [&str; 2] = ["", ""];
    let mut prev_punct: u8 = 0;
    let mut type_only = false;
    // Open braces: `true` for a function body: after `)` (and a return type
    // annotation: `): Promise<string> {`) or `=>`; `function_braces` counts
    // the `true`s.
    let mut braces: Vec<bool> = Vec::new();
    let mut function_braces = 0usize;
    let mut after_paren = false;
    // `createEnv(` in the text (asked on the first env read at the top level).
    let mut env_schema: Option<bool> = None;
    while i < b.len() {
        let c = b[i];
        match CLASS[c as usize] {
            SPACE => {
                i += 1;
                while i < b.len() && CLASS[b[i] as usize] == SPACE {
                    i += 1;
                }
            }
            SLASH if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            SLASH if b.get(i + 1) == Some(&b'*') => {
                static COMMENT_END: LazyLock<memchr::memmem::Finder<'static>> =
                    LazyLock::new(|| memchr::memmem::Finder::new("*/"));
                i = COMMENT_END
                    .find(&b[i + 2..])
                    .map_or(b.len(), |n| i + 2 + n + 2);
            }
            QUOTE => {
                let end = string_end(b, i);
                let value = text.get(i + 1..end.saturating_sub(1)).unwrap_or("");
                if first_token {
                    match value {
                        "use client" => facts.use_client = true,
                        "use server" => facts.use_server = true,
                        _ => {}
                    }
                }
                let module = (prev_punct == 0 && matches!(prev[0], "from" | "import"))
                    || (prev_punct == b'(' && matches!(prev[0], "require" | "import"));
                if module && c != b'`' && !type_only {
                    if value == "server-only" {
                        facts.server_only = true;
                    }
                    if facts.imports.len() < MAX_IMPORTS {
                        facts.imports.push(value.to_string());
                    }
                }
                if module {
                    type_only = false;
                }
                first_token = false;
                prev = ["", ""];
                prev_punct = 0;
                i = end;
            }
            IDENT => {
                let start = i;
                i += 1;
                while i < b.len() && continues_ident(b[i]) {
                    i += 1;
                }
                let word = &text[start..i];
                // `import type { X } from` / `export type { X } from`
                if word == "type"
                    && matches!(prev[0], "import" | "export")
                    && prev_punct == 0
                    && !next_is(b, i, b",=")
                    && !next_word_is(text, i, "from")
                {
                    type_only = true;
                }
                if (word == "process" || word == "import")
                    && function_braces == 0
                    && !*env_schema.get_or_insert_with(|| text.contains("createEnv("))
                {
                    if let Some(name) = env_read(text, start, i) {
                        if is_server_secret(name) && !facts.secrets.iter().any(|s| s == name) {
                            facts.secrets.push(name.to_string());
                        }
                    }
                }
                first_token = false;
                prev = [word, prev[0]];
                prev_punct = 0;
            }
            SEMI => {
                after_paren = false;
                type_only = false;
                first_token = false;
                prev = ["", ""];
                prev_punct = 0;
                i += 1;
            }
            class => {
                match class {
                    OPEN_BRACE => {
                        let function = after_paren || prev_is_arrow(b, i);
                        braces.push(function);
                        function_braces += usize::from(function);
                        after_paren = false;
                    }
                    CLOSE_BRACE => {
                        if braces.pop() == Some(true) {
                            function_braces -= 1;
                        }
                        after_paren = false;
                    }
                    CLOSE_PAREN => after_paren = true,
                    // Inside a return type annotation.
                    TYPE_PUNCT => {}
                    _ => after_paren = false,
                }
                first_token = false;
                prev_punct = c;
                if class != OPEN_PAREN {
                    prev = ["", ""];
                }
                i += 1;
            }
        }
    }
    facts.sigterm_handler = handles_sigterm(text);
    facts.sigterm_closes = facts.sigterm_handler && shutdown_closes(text);
    facts.custom_next_server = facts.imports.iter().any(|i| i == "next")
        && (text.contains("createServer(") || text.contains(".listen("));
    facts
}

/// `=> {` with blanks between.
fn prev_is_arrow(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && b[j - 1].is_ascii_whitespace() {
        j -= 1;
    }
    j >= 2 && &b[j - 2..j] == b"=>"
}

/// Whether a script's text handles SIGTERM: a `SIGTERM` with `process.on` /
/// `once` / `addListener`, Nest's `enableShutdownHooks()`, or a graceful-shutdown
/// library (terminus, close-with-grace, http-terminator, lightship).
pub fn handles_sigterm(text: &str) -> bool {
    // memchr's substring searchers, built once: faster than `str::contains`
    // on the text of every script.
    use memchr::memmem::Finder;
    static SIGTERM: LazyLock<[Finder<'static>; 4]> = LazyLock::new(|| {
        [
            "SIGTERM",
            "process.on",
            "process.once",
            "process.addListener",
        ]
        .map(Finder::new)
    });
    static LIBRARIES: LazyLock<[Finder<'static>; 5]> = LazyLock::new(|| {
        [
            "enableShutdownHooks(",
            "createTerminus(",
            "closeWithGrace(",
            "createHttpTerminator(",
            "createLightship(",
        ]
        .map(Finder::new)
    });
    let b = text.as_bytes();
    let [sigterm, on @ ..] = &*SIGTERM;
    (sigterm.find(b).is_some() && on.iter().any(|f| f.find(b).is_some()))
        || LIBRARIES.iter().any(|f| f.find(b).is_some())
}

/// A file that handles SIGTERM (see [`handles_sigterm`]) closes something on
/// it: a close/disconnect/quit/shutdown/stop call, a graceful-shutdown
/// library or Nest's shutdown hooks (which close providers), or a handler
/// named elsewhere (`process.on('SIGTERM', shutdown)`: assumed to close, as
/// the scan cannot follow it). `process.on('SIGTERM', () => process.exit(0))`
/// beside a queue worker closes nothing: the job in flight is lost.
pub fn shutdown_closes(text: &str) -> bool {
    const CLOSERS: &[&str] = &[
        ".close(",
        ".disconnect(",
        ".quit(",
        ".shutdown(",
        ".stop(",
        ".pause(",
        ".drain(",
        "enableShutdownHooks(",
        "createTerminus(",
        "closeWithGrace(",
        "createHttpTerminator(",
        "createLightship(",
    ];
    if CLOSERS.iter().any(|c| text.contains(c)) {
        return true;
    }
    // `() => onShutdown('SIGTERM')`, `gracefulShutdown()`, `await cleanup()`:
    // a function whose name says it shuts down, defined elsewhere
    static SHUTDOWN_CALL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b[\w$]*(shutdown|close|stop|cleanup|teardown|dispose|graceful|terminate)[\w$]*\s*\(",
        )
        .expect("pattern compiles")
    });
    if SHUTDOWN_CALL.is_match(text) {
        return true;
    }
    // `process.on('SIGTERM', shutdown)`: a handler by name
    text.match_indices("SIGTERM").any(|(at, _)| {
        let rest = &text[at + "SIGTERM".len()..];
        let rest = rest.trim_start_matches(['\'', '"', '`']).trim_start();
        let Some(rest) = rest.strip_prefix(',') else {
            return false;
        };
        let rest = rest.trim_start();
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$' || *c == '.')
            .collect();
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name != "async"
            && name != "function"
            && rest[name.len()..].trim_start().starts_with(')')
    })
}

/// Imports kept per file (a generated barrel may list thousands).
const MAX_IMPORTS: usize = 512;

/// The index after the string literal starting at `start` (escapes skipped;
/// a template's `${…}` is not parsed: the scan only needs its end).
fn string_end(b: &[u8], start: usize) -> usize {
    let quote = b[start];
    let mut i = start + 1;
    while i < b.len() {
        let rest = &b[i..];
        let found = if quote == b'`' {
            memchr::memchr2(quote, b'\\', rest)
        } else {
            memchr::memchr3(quote, b'\\', b'\n', rest)
        };
        let Some(n) = found else {
            break;
        };
        i += n;
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            _ => return i + 1,
        }
    }
    b.len()
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn next_is(b: &[u8], i: usize, chars: &[u8]) -> bool {
    b.get(skip_ws(b, i)).is_some_and(|c| chars.contains(c))
}

fn next_word_is(text: &str, i: usize, word: &str) -> bool {
    let j = skip_ws(text.as_bytes(), i);
    text.get(j..).is_some_and(|rest| {
        rest.starts_with(word)
            && !rest[word.len()..]
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
    })
}

/// `process.env.NAME`, `process.env['NAME']`, `import.meta.env.NAME` starting at
/// `start` (the identifier `process`/`import` ends at `end`) → `NAME`.
fn env_read(text: &str, start: usize, end: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut i = end;
    let expect = |i: &mut usize, part: &str| -> bool {
        let j = skip_ws(b, *i);
        if b.get(j) != Some(&b'.') {
            return false;
        }
        let k = skip_ws(b, j + 1);
        if text.get(k..).is_some_and(|r| r.starts_with(part)) {
            *i = k + part.len();
            true
        } else {
            false
        }
    };
    if &text[start..end] == "import" && !expect(&mut i, "meta") {
        return None;
    }
    if !expect(&mut i, "env") {
        return None;
    }
    let j = skip_ws(b, i);
    match b.get(j) {
        Some(b'.') => {
            let k = skip_ws(b, j + 1);
            let len = text[k..]
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            (len > 0).then(|| &text[k..k + len])
        }
        Some(b'[') => {
            let k = skip_ws(b, j + 1);
            let q = *b.get(k)?;
            if q != b'\'' && q != b'"' {
                return None;
            }
            let end = string_end(b, k);
            text.get(k + 1..end.saturating_sub(1))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// The graph

/// A server secret a client file reaches through one of its imports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretReach {
    /// The module that reads it.
    pub module: PathBuf,
    pub secret: String,
    /// How many imports from the client file's import to that module (0: the imported module itself).
    pub hops: usize,
}

/// The resolved import graph of the workspace's scripts.
#[derive(Debug, Default)]
pub struct ClientGraph {
    /// For each module: the first server secret reachable from it (through
    /// modules that are neither `'use client'`, `'use server'` nor `server-only`).
    reach: HashMap<PathBuf, Option<SecretReach>>,
    index: ModuleIndex,
}

/// Script extensions a specifier may leave out.
const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

/// The workspace's scripts by the names an import may give them: the path
/// itself, the path without its extension, and a folder for its `index.*`.
/// Built once per facts version, so that resolving a specifier is a few
/// hash lookups.
#[derive(Debug, Default)]
pub struct ModuleIndex {
    by_name: HashMap<PathBuf, PathBuf>,
}

impl ModuleIndex {
    pub fn new<'a>(paths: impl Iterator<Item = &'a PathBuf> + Clone) -> ModuleIndex {
        let mut by_name = HashMap::new();
        for p in paths.clone() {
            by_name.insert(p.clone(), p.clone());
        }
        for p in paths.clone() {
            if p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e))
            {
                by_name
                    .entry(p.with_extension(""))
                    .or_insert_with(|| p.clone());
            }
        }
        for p in paths {
            let is_index = p.file_stem().is_some_and(|s| s == "index");
            if let (true, Some(dir)) = (is_index, p.parent()) {
                by_name
                    .entry(dir.to_path_buf())
                    .or_insert_with(|| p.clone());
            }
        }
        ModuleIndex { by_name }
    }

    /// The file `spec` names from `importer`: relative paths, and `@/` / `~/`
    /// resolved against `src/` or the folder itself of each folder above the
    /// importer (nearest first). Package imports are not resolved.
    pub fn resolve(&self, importer: &Path, spec: &str) -> Option<&PathBuf> {
        let bases: Vec<PathBuf> = if spec.starts_with("./") || spec.starts_with("../") {
            vec![normalize(&importer.parent()?.join(spec))]
        } else if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
            importer
                .ancestors()
                .skip(1)
                .take(12)
                .flat_map(|dir| [dir.join("src").join(rest), dir.join(rest)])
                .collect()
        } else {
            return None;
        };
        bases.iter().find_map(|base| {
            self.by_name.get(base).or_else(|| {
                // `./x.js` written for `x.ts` (TypeScript's ESM convention).
                let s = base.to_str()?;
                let stem = [".js", ".jsx", ".mjs"]
                    .iter()
                    .find_map(|e| s.strip_suffix(e))?;
                self.by_name.get(Path::new(stem))
            })
        })
    }
}

/// `a/b/../c` → `a/c` (lexically; the files are keyed by their walked path).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl ClientGraph {
    /// Built over every module's facts.
    pub fn build(modules: &BTreeMap<PathBuf, &ModuleFacts>) -> ClientGraph {
        let mut graph = ClientGraph {
            reach: HashMap::new(),
            index: ModuleIndex::new(modules.keys()),
        };
        for path in modules.keys() {
            graph.visit(path, modules, 0);
        }
        graph
    }

    /// The first secret reachable from `path` (memoised; a cycle or a chain
    /// deeper than [`MAX_DEPTH`] reaches nothing more).
    fn visit(
        &mut self,
        path: &Path,
        modules: &BTreeMap<PathBuf, &ModuleFacts>,
        depth: usize,
    ) -> Option<SecretReach> {
        if let Some(known) = self.reach.get(path) {
            return known.clone();
        }
        let m = modules.get(path)?;
        if m.use_server || m.server_only || depth > MAX_DEPTH {
            return None;
        }
        // In progress: a cycle reaches nothing through itself.
        self.reach.insert(path.to_path_buf(), None);
        let mut found = m.secrets.first().map(|s| SecretReach {
            module: path.to_path_buf(),
            secret: s.clone(),
            hops: 0,
        });
        if found.is_none() {
            for spec in &m.imports {
                let Some(next) = self.index.resolve(path, spec).cloned() else {
                    continue;
                };
                if modules.get(&next).is_some_and(|n| n.use_client) {
                    continue;
                }
                if let Some(r) = self.visit(&next, modules, depth + 1) {
                    found = Some(SecretReach {
                        hops: r.hops + 1,
                        ..r
                    });
                    break;
                }
            }
        }
        self.reach.insert(path.to_path_buf(), found.clone());
        found
    }

    /// See [`ModuleIndex::resolve`].
    pub fn resolve(&self, importer: &Path, spec: &str) -> Option<&PathBuf> {
        self.index.resolve(importer, spec)
    }

    /// What the module at `path` brings into a client bundle: the first server
    /// secret it reads or reaches.
    pub fn reach(&self, path: &Path) -> Option<&SecretReach> {
        self.reach.get(path).and_then(Option::as_ref)
    }
}

/// How deep a chain of imports is followed.
pub const MAX_DEPTH: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_reads_directives_imports_and_secrets() {
        let f = scan(
            "// header\n'use client';\nimport { a } from './a';\nimport type { T } from './types';\nimport './side.css';\nexport { b } from \"../b\";\nexport type { U } from './u';\nconst c = require('./c');\nconst d = await import('./d');\nconst k = process.env.STRIPE_SECRET_KEY;\nconst p = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;\nconst s = import.meta.env['SUPABASE_SERVICE_ROLE_KEY'];\nconst str = 'from ./nope';\n",
        );
        assert!(f.use_client && !f.use_server && !f.server_only);
        assert_eq!(f.imports, ["./a", "./side.css", "../b", "./c", "./d"]);
        assert_eq!(
            f.secrets,
            ["STRIPE_SECRET_KEY", "SUPABASE_SERVICE_ROLE_KEY"]
        );
        // near misses: a directive later in the file, a comment, `import 'server-only'`
        let g = scan("import x from 'y';\n'use client';\n/* process.env.JWT_SECRET */\nimport 'server-only';\n");
        assert!(!g.use_client && g.server_only);
        assert!(g.secrets.is_empty());
        assert!(scan("\"use server\"\nexport async function a() {}\n").use_server);
        // a custom Next.js server; near miss: a Next app file
        assert!(scan("import next from 'next';\nimport { createServer } from 'node:http';\nconst app = next({ dev });\ncreateServer(app.getRequestHandler()).listen(3000);\n").custom_next_server);
        assert!(
            !scan("import type { NextConfig } from 'next';\nexport default {};\n")
                .custom_next_server
        );
        // reads at load time only: not inside functions, not in a t3-env schema
        let h = scan(
            "export const cfg = { k: process.env.A_SECRET };\nfunction f() { return process.env.B_SECRET; }\nconst g = () => { process.env.C_SECRET };\nconst m = { get() { return process.env.D_SECRET; } };\nif (x) { process.env.E_SECRET }\nexport async function h(ip: string): Promise<string> { return process.env.F_SECRET ?? ''; }\nexport const s = new Stripe(process.env.G_SECRET!, { apiVersion: '2024' });\n",
        );
        assert_eq!(h.secrets, ["A_SECRET", "G_SECRET"]);
        assert!(scan(
            "export const env = createEnv({ runtimeEnv: { AUTH_SECRET: process.env.AUTH_SECRET } });\n"
        )
        .secrets
        .is_empty());
    }

    #[test]
    fn scan_edge_cases() {
        // an escaped quote and a `//` inside strings; a template over lines
        let f = scan("import a from 'x\\'y';\nconst u = \"http://h\";\nconst t = `a\n${b}`;\nimport c from './c';\n");
        assert_eq!(f.imports, ["x\\'y", "./c"]);
        // a string ends at a line end; an unterminated comment runs to the end
        let g = scan("const s = 'open\nimport d from './d';\n/* import e from './e';");
        assert_eq!(g.imports, ["./d"]);
        // reads in nested function bodies are not at load time; after them they are
        let h = scan("function f() { if (x) { g(() => { process.env.A_SECRET }); } }\nconst k = process.env.B_SECRET;\nclass C { m() { return process.env.C_SECRET; } }\n");
        assert_eq!(h.secrets, ["B_SECRET"]);
        // SIGTERM handling and what closes on it
        let s = scan("process.on('SIGTERM', () => server.close());\n");
        assert!(s.sigterm_handler && s.sigterm_closes);
        let w = scan("process.on('SIGTERM', () => process.exit(0));\n");
        assert!(w.sigterm_handler && !w.sigterm_closes);
        assert!(scan("app.enableShutdownHooks();\n").sigterm_handler);
        assert!(!scan("const SIGTERM = 15;\n").sigterm_handler);
    }

    #[test]
    fn secret_names() {
        for n in [
            "STRIPE_SECRET_KEY",
            "SUPABASE_SERVICE_ROLE_KEY",
            "JWT_SECRET",
            "GITHUB_PRIVATE_KEY",
            "NEXTAUTH_SECRET",
        ] {
            assert!(is_server_secret(n), "{n}");
        }
        for n in [
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "DATABASE_URL",
            "PRIVATE_MODE",
            "SECRETARY_EMAIL",
            "NEXT_PUBLIC_STRIPE_SECRET_KEY",
        ] {
            assert!(!is_server_secret(n), "{n}");
        }
        assert!(
            is_public_env("VITE_SUPABASE_SERVICE_ROLE_KEY")
                && names_secret("VITE_SUPABASE_SERVICE_ROLE_KEY")
        );
    }

    #[test]
    fn resolves_relative_and_alias_imports() {
        let files: Vec<PathBuf> = [
            "app/components/Pay.tsx",
            "app/lib/stripe.ts",
            "src/lib/db/index.ts",
            "src/app/page.tsx",
            "pkg/util.ts",
        ]
        .into_iter()
        .map(PathBuf::from)
        .collect();
        let index = ModuleIndex::new(files.iter());
        let r = |from: &str, spec: &str| {
            index
                .resolve(Path::new(from), spec)
                .map(|p| p.to_string_lossy().to_string())
        };
        assert_eq!(
            r("app/components/Pay.tsx", "../lib/stripe").as_deref(),
            Some("app/lib/stripe.ts")
        );
        assert_eq!(
            r("app/components/Pay.tsx", "../lib/stripe.js").as_deref(),
            Some("app/lib/stripe.ts")
        );
        assert_eq!(
            r("src/app/page.tsx", "@/lib/db").as_deref(),
            Some("src/lib/db/index.ts")
        );
        assert_eq!(
            r("src/app/page.tsx", "~/lib/db").as_deref(),
            Some("src/lib/db/index.ts")
        );
        // near misses: packages, missing files
        assert_eq!(r("src/app/page.tsx", "stripe"), None);
        assert_eq!(r("src/app/page.tsx", "./missing"), None);
    }

    #[test]
    fn reach_stops_at_server_actions_server_only_and_client_modules() {
        let m = |s: &str| scan(s);
        let files: Vec<(&str, ModuleFacts)> = vec![
            ("a/api.ts", m("import { s } from './stripe';\n")),
            (
                "a/stripe.ts",
                m("export const s = new Stripe(process.env.STRIPE_SECRET_KEY!);\n"),
            ),
            (
                "a/actions.ts",
                m("'use server';\nimport { s } from './stripe';\n"),
            ),
            (
                "a/guarded.ts",
                m("import 'server-only';\nimport { s } from './stripe';\n"),
            ),
            (
                "a/other-client.tsx",
                m("'use client';\nimport { s } from './stripe';\n"),
            ),
            ("a/cycle1.ts", m("import './cycle2';\n")),
            ("a/cycle2.ts", m("import './cycle1';\n")),
        ];
        let modules: BTreeMap<PathBuf, &ModuleFacts> =
            files.iter().map(|(p, f)| (PathBuf::from(p), f)).collect();
        let g = ClientGraph::build(&modules);
        let r = g.reach(Path::new("a/api.ts")).expect("reaches the secret");
        assert_eq!((r.secret.as_str(), r.hops), ("STRIPE_SECRET_KEY", 1));
        assert_eq!(r.module, PathBuf::from("a/stripe.ts"));
        assert!(g.reach(Path::new("a/actions.ts")).is_none());
        assert!(g.reach(Path::new("a/guarded.ts")).is_none());
        assert!(g.reach(Path::new("a/cycle1.ts")).is_none());
    }
}
