//! `docs/rules.md` is generated from the rules' metadata and must be current.

#[test]
fn docs_rules_md_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let want = prodlint::docs::catalogue_markdown();
    if std::env::var_os("PRODLINT_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `PRODLINT_UPDATE_DOCS=1 cargo test --test docs`"
    );
}
