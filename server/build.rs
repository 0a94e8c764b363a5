//! Computes a fingerprint of the sources (rules, engine, grammar table) so that
//! the result cache is invalidated by any change of the binary's behaviour, not
//! only by a version bump.

use std::hash::{Hash, Hasher};
use std::path::Path;

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
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

fn main() {
    let mut files = Vec::new();
    visit(Path::new("src"), &mut files);
    visit(Path::new("../grammars-config"), &mut files);
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
    println!("cargo:rerun-if-changed=../grammars-config");
    println!("cargo:rerun-if-changed=Cargo.toml");
}
