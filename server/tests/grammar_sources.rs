//! The generated TypeScript/TSX parsers in `grammars-config/` are what
//! `grammars-config/regenerate.sh` made from the grammar source next to them:
//! every input (the vendored upstream grammar, our patches) and every output
//! (parser.c, scanner.c, headers, node-types.json…) is listed with its SHA-256
//! in `GENERATED.sha256`, written by the script. A hand edit of the generated C,
//! or a grammar change committed without regenerating, fails here.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../grammars-config")
}

/// `path -> sha256` from the manifest (`sha256sum` format).
fn manifest() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("GENERATED.sha256"))
        .expect("grammars-config/GENERATED.sha256 exists");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (sum, path) = l.split_once("  ").expect("`<sha256>  <path>` lines");
            (path.to_string(), sum.to_string())
        })
        .collect()
}

fn files_under(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir)
        .expect("readable directory")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, base, out);
        } else {
            let rel = p.strip_prefix(base).expect("under base");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_grammar_file_matches_the_manifest() {
    let listed = manifest();
    let mut present = Vec::new();
    for dir in ["upstream", "patches", "tree-sitter-typescript"] {
        files_under(&root().join(dir), &root(), &mut present);
    }
    present.sort();
    let listed_paths: Vec<&String> = listed.keys().collect();
    let present_refs: Vec<&String> = present.iter().collect();
    assert_eq!(
        present_refs, listed_paths,
        "the files in grammars-config/ differ from GENERATED.sha256: run grammars-config/regenerate.sh"
    );
    let changed: Vec<&String> = listed
        .iter()
        .filter(|(path, sum)| sha256(&root().join(path)) != **sum)
        .map(|(path, _)| path)
        .collect();
    assert!(
        changed.is_empty(),
        "changed since grammars-config/regenerate.sh last ran (edit the grammar \
         source or patches/, never the generated files, then run the script): {changed:?}"
    );
}

#[test]
fn the_manifest_covers_sources_and_outputs() {
    let listed = manifest();
    for needed in [
        "patches/prodlint.patch",
        "upstream/tree-sitter-typescript-0.23.2/LICENSE",
        "upstream/tree-sitter-typescript-0.23.2/common/define-grammar.js",
        "upstream/tree-sitter-javascript-0.23.1/grammar.js",
        "tree-sitter-typescript/LICENSE",
        "tree-sitter-typescript/typescript/src/parser.c",
        "tree-sitter-typescript/tsx/src/parser.c",
    ] {
        assert!(listed.contains_key(needed), "{needed} is listed");
    }
}
