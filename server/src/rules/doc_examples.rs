//! Every rule's documented examples run as tests, so `prodlint explain` is true.

use super::testing::{facts_for, findings_with};
use crate::config::Config;
use crate::docs;
use std::path::Path;

#[test]
fn every_documented_example_behaves_as_documented() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for meta in super::all_meta() {
        let examples = docs::examples(meta.docs);
        // Meta rules whose flagged input cannot be written in a doc block: an
        // unreadable file, code nested over 1,000 levels (tested in engine.rs).
        if meta.language != super::RuleLanguage::Meta
            || !["unreadable-file", "analysis-limit"].contains(&meta.id)
        {
            let flagged = examples.iter().filter(|e| e.flagged).count();
            let ok = examples.iter().filter(|e| !e.flagged).count();
            if flagged == 0 || ok == 0 {
                failures.push(format!("{}: docs need at least one flagged and one ok example ({flagged} flagged, {ok} ok)", meta.id));
            }
        }
        for ex in examples {
            checked += 1;
            let config = Config::default_for(Path::new(""));
            let found = findings_with(
                meta.id,
                &ex.path,
                &ex.code,
                &config,
                &facts_for(&ex.path, &ex.code),
            );
            if ex.flagged && found.is_empty() {
                failures.push(format!(
                    "{}: flagged example gives no finding:\n{}",
                    meta.id, ex.code
                ));
            }
            if !ex.flagged && !found.is_empty() {
                failures.push(format!(
                    "{}: ok example gives {} finding(s) ({}):\n{}",
                    meta.id,
                    found.len(),
                    found[0].message,
                    ex.code
                ));
            }
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} problem(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
