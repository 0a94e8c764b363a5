//! Two jobs:
//! 1. Compiles prodlint's TypeScript and TSX parsers (the generated C in
//!    `grammars-config/tree-sitter-typescript/`, see `grammars-config/README.md`)
//!    with `cc`. They are compiled again only when those files, the target or
//!    the optimisation level change: this script also reruns on every change
//!    of `src/`, and the two parsers take minutes to compile.
//! 2. Computes a fingerprint of the sources (rules, engine, grammar table) so
//!    that the result cache is invalidated by any change of the binary's
//!    behaviour, not only by a version bump.
//! 3. Records the commit the binary is built from (`prodlint --version`, the
//!    JSON and SARIF reports, the language server's `serverInfo`).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn visit(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            visit(&p, files);
        } else {
            files.push(p);
        }
    }
}

/// `grammars-config/`, relative to `server/`: the symlink `server/grammars-config`
/// (which `cargo package` follows, so the published crate carries the
/// grammars), or the folder itself where the symlink is a plain file (a
/// checkout without symlink support).
fn grammars_config() -> PathBuf {
    let link = Path::new("grammars-config");
    if link.join("languages.toml").is_file() {
        link.to_path_buf()
    } else {
        Path::new("..").join("grammars-config")
    }
}
/// The static library's name (`lib<NAME>.a` in `OUT_DIR`).
const GRAMMAR_LIB: &str = "prodlint-grammars";

fn compile_grammars() {
    let dir = &grammars_config().join("tree-sitter-typescript");
    let mut inputs = Vec::new();
    visit(dir, &mut inputs);
    inputs.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("c" | "h")));
    inputs.sort();
    let sources: Vec<PathBuf> = ["typescript", "tsx"]
        .iter()
        .flat_map(|g| ["parser.c", "scanner.c"].map(|f| dir.join(g).join("src").join(f)))
        .collect();
    // The dev profile builds dependencies at opt-level 1 (the workspace's
    // Cargo.toml) because the tests parse real files; the parsers are C
    // dependencies in all but name, so they get the same.
    let opt: u32 = std::env::var("OPT_LEVEL")
        .ok()
        .and_then(|o| o.parse().ok())
        .unwrap_or(0)
        .max(1);

    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &inputs {
        f.hash(&mut h);
        std::fs::read(f).unwrap_or_default().hash(&mut h);
    }
    for var in ["TARGET", "HOST", "CC", "CFLAGS", "PROFILE", "DEBUG"] {
        std::env::var(var).ok().hash(&mut h);
    }
    opt.hash(&mut h);
    let fingerprint = format!("{:016x}", h.finish());

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let stamp = out.join("grammars.fingerprint");
    let archive = out.join(format!("lib{GRAMMAR_LIB}.a"));
    let current = std::fs::read_to_string(&stamp).ok();
    if archive.exists() && current.as_deref() == Some(fingerprint.as_str()) {
        // What `cc::Build::compile` prints, without compiling again.
        println!("cargo:rustc-link-lib=static={GRAMMAR_LIB}");
        println!("cargo:rustc-link-search=native={}", out.display());
        return;
    }
    let mut build = cc::Build::new();
    build
        .include(dir.join("typescript").join("src"))
        .opt_level(opt)
        .debug(false)
        .warnings(false)
        .flag_if_supported("-std=c11")
        .flag_if_supported("-Wno-unused-parameter");
    for f in &sources {
        build.file(f);
    }
    build.compile(GRAMMAR_LIB);
    std::fs::write(&stamp, fingerprint).expect("OUT_DIR is writable");
}

/// The commit the binary is built from, first found of: `$PRODLINT_COMMIT`
/// (the release workflow sets it), `.cargo_vcs_info.json` (written by `cargo
/// package`, so a crates.io build knows its commit), `git rev-parse HEAD`;
/// else `unknown`. Twelve hex digits.
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=PRODLINT_COMMIT");
    let short = |s: &str| -> Option<String> {
        let s = s.trim();
        (s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| s[..s.len().min(12)].to_ascii_lowercase())
    };
    if let Some(c) = std::env::var("PRODLINT_COMMIT")
        .ok()
        .and_then(|c| short(&c))
    {
        return c;
    }
    if let Ok(info) = std::fs::read_to_string(".cargo_vcs_info.json") {
        // {"git": {"sha1": "…"}, "path_in_vcs": "server"}
        if let Some(c) = info
            .split("\"sha1\"")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .and_then(short)
        {
            return c;
        }
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    // Rebuild when HEAD moves: the HEAD file (a branch switch) and the ref it
    // names (a commit on that branch), or `packed-refs`. Only files that exist:
    // cargo reruns a script on every build for a missing one.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(p) = git(&["rev-parse", "--git-path", &name]) {
            if Path::new(&p).is_file() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    git(&["rev-parse", "HEAD"])
        .and_then(|c| short(&c))
        .unwrap_or_else(|| "unknown".to_string())
}

fn main() {
    compile_grammars();
    println!("cargo:rustc-env=PRODLINT_COMMIT={}", commit());

    let mut files = Vec::new();
    visit(Path::new("src"), &mut files);
    let config = grammars_config();
    visit(&config, &mut files);
    // The language table, where `language.rs` includes it from.
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let table = std::fs::read_to_string(config.join("languages.toml"))
        .expect("grammars-config/languages.toml is readable");
    std::fs::write(out.join("languages.toml"), table).expect("OUT_DIR is writable");
    files.push("Cargo.toml".into());
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in &files {
        f.hash(&mut h);
        if let Ok(bytes) = std::fs::read(f) {
            bytes.hash(&mut h);
        }
    }
    println!("cargo:rustc-env=PRODLINT_BUILD_HASH={:016x}", h.finish());
    println!("cargo:rerun-if-changed=src");
    // The real folder where there is one (cargo may not look through the link).
    let watched = Path::new("../grammars-config");
    let watched = if watched.is_dir() {
        watched
    } else {
        config.as_path()
    };
    println!("cargo:rerun-if-changed={}", watched.display());
    println!("cargo:rerun-if-changed=Cargo.toml");
    for var in ["CC", "CFLAGS"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
}
