//! Every rule's documented examples run as tests, so `prodlint explain` is true:
//! a flagged block gives exactly the findings its `lines=` attribute lists (the
//! 1-based lines within the block where they start), an ok block none.

use super::testing::{facts_for, findings_with};
use crate::config::Config;
use crate::docs;
use std::path::Path;

/// The 1-based lines (within `code`) where the findings start, sorted.
fn finding_lines(code: &str, found: &[crate::diagnostic::Diagnostic]) -> Vec<usize> {
    let index = crate::line_index::LineIndex::new(code);
    let mut lines: Vec<usize> = found
        .iter()
        .map(|d| index.line_of(d.range.start) + 1)
        .collect();
    lines.sort_unstable();
    lines
}

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
            let mut facts = facts_for(&ex.path, &ex.code);
            for b in &ex.beside {
                facts.markers.insert(b.into());
            }
            let found = findings_with(meta.id, &ex.path, &ex.code, &config, &facts);
            let got = finding_lines(&ex.code, &found);
            let got_attr = got
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let want = ex.lines.clone().map(|mut w| {
                w.sort_unstable();
                w
            });
            match (ex.flagged, &want) {
                (true, None) => failures.push(format!(
                    "{}: flagged example without `lines=` (it gives lines={got_attr}):\n{}",
                    meta.id, ex.code
                )),
                (true, Some(want)) if *want != got => failures.push(format!(
                    "{}: flagged example says lines={} but gives lines={got_attr}:\n{}",
                    meta.id,
                    want.iter()
                        .map(|l| l.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    ex.code
                )),
                (false, _) if !found.is_empty() => failures.push(format!(
                    "{}: ok example gives {} finding(s) ({}):\n{}",
                    meta.id,
                    found.len(),
                    found[0].message,
                    ex.code
                )),
                _ => {}
            }
            if ex.flagged && got.is_empty() {
                failures.push(format!(
                    "{}: flagged example gives no finding:\n{}",
                    meta.id, ex.code
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

#[test]
fn flagged_lines_are_parsed_and_compared_exactly() {
    let docs = "```ts flagged lines=2,2 path=src/a.ts\nconst a = 1;\nx as any; y as any;\n```\n\n```ts flagged\nx as any;\n```\n";
    let ex = docs::examples(docs);
    assert_eq!(ex[0].lines, Some(vec![2, 2]));
    assert_eq!(ex[0].path, "src/a.ts");
    assert_eq!(ex[1].lines, None);
    let found = findings_with(
        "no-any-cast",
        &ex[0].path,
        &ex[0].code,
        &Config::default_for(Path::new("")),
        &facts_for(&ex[0].path, &ex[0].code),
    );
    assert_eq!(finding_lines(&ex[0].code, &found), vec![2, 2]);
    assert_ne!(
        finding_lines(&ex[0].code, &found),
        vec![2],
        "a count differs"
    );
    assert!(docs::render_for_terminal(docs).starts_with("```ts  # flagged (line 2)\n"));
}

#[test]
fn beside_files_exist_in_the_example_workspace() {
    let docs = "```ts flagged lines=2 path=api/jobs.ts beside=vercel.json,package.json\nimport cron from 'node-cron';\ncron.schedule('* * * * *', run);\n```\n";
    let ex = docs::examples(docs);
    assert_eq!(ex[0].beside, vec!["vercel.json", "package.json"]);
    assert!(docs::render_for_terminal(docs)
        .starts_with("```ts  # flagged (line 2), with vercel.json, package.json\n"));
    let config = Config::default_for(Path::new(""));
    let alone = findings_with(
        "cron-in-serverless",
        &ex[0].path,
        &ex[0].code,
        &config,
        &facts_for(&ex[0].path, &ex[0].code),
    );
    assert!(alone.is_empty(), "no vercel.json: not serverless");
    let mut facts = facts_for(&ex[0].path, &ex[0].code);
    for b in &ex[0].beside {
        facts.markers.insert(b.into());
    }
    let found = findings_with(
        "cron-in-serverless",
        &ex[0].path,
        &ex[0].code,
        &config,
        &facts,
    );
    assert_eq!(finding_lines(&ex[0].code, &found), vec![2]);
}
