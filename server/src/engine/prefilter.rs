//! The byte-level prefilter: which script rules may fire on a file, decided
//! from its bytes (and path) before parsing. A file where none may fire (and
//! with no suppression marker) is not parsed at all.

use crate::rules::ts::RULES;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
use std::sync::LazyLock;

/// The word every suppression comment holds (`prodlint-ignore`,
/// `prodlint-ignore-file`): a file without it has no suppressions.
pub const SUPPRESSION_MARKER: &str = "prodlint-ignore";

/// Which rules may fire, decided from the file's bytes (and path) before parsing.
pub struct Prefilter {
    automaton: DFA,
    /// Its unanchored start state.
    start: aho_corasick::automaton::StateID,
    /// pattern index → (rule index, group: 0 = `triggers`, 1 = `also_triggers`);
    /// the last pattern is the suppression marker.
    pattern_rules: Vec<Vec<(usize, u8)>>,
}

pub static PREFILTER: LazyLock<Prefilter> = LazyLock::new(|| {
    let mut patterns: Vec<String> = Vec::new();
    let mut pattern_rules: Vec<Vec<(usize, u8)>> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        for (group, list) in [(0u8, rule.meta.triggers), (1u8, rule.meta.also_triggers)] {
            for t in list {
                let t = t.to_ascii_lowercase();
                match patterns.iter().position(|p| *p == t) {
                    Some(p) => pattern_rules[p].push((i, group)),
                    None => {
                        patterns.push(t);
                        pattern_rules.push(vec![(i, group)]);
                    }
                }
            }
        }
    }
    patterns.push(SUPPRESSION_MARKER.to_string());
    pattern_rules.push(Vec::new());
    // A DFA, stepped through byte by byte (`Prefilter::scan`): its own
    // overlapping search made a search call per match, and frequent triggers
    // (`err`, `body`) match hundreds of times in a file. No prefilter: with
    // this many short patterns it would only slow the scan down.
    let automaton = aho_corasick::dfa::Builder::new()
        .match_kind(MatchKind::Standard)
        .start_kind(StartKind::Unanchored)
        .ascii_case_insensitive(true)
        .prefilter(false)
        .build(&patterns)
        .expect("trigger patterns are plain strings");
    let start = automaton
        .start_state(Anchored::No)
        .expect("the DFA is built with an unanchored start state");
    Prefilter {
        automaton,
        start,
        pattern_rules,
    }
});

/// Result of the prefilter: which rules' triggers occur, and whether a
/// suppression comment may be present.
pub struct Triggered {
    pub rules: Vec<bool>,
    pub suppression: bool,
}

impl Prefilter {
    /// Scan the text and the path: a rule may fire when one of its `triggers`
    /// and (if it has any) one of its `also_triggers` occur.
    pub fn scan(&self, text: &str, path: &str) -> Triggered {
        let mut hits = vec![[false; 2]; RULES.len()];
        let mut seen = vec![false; self.pattern_rules.len()];
        let mut suppression = false;
        let marker = self.pattern_rules.len() - 1;
        let dfa = &self.automaton;
        for (k, haystack) in [text, path].into_iter().enumerate() {
            // Every pattern that ends at each byte: what an overlapping search
            // reports (the match states of a `Standard` DFA hold the patterns
            // of their suffixes too).
            let mut sid = self.start;
            for &byte in haystack.as_bytes() {
                sid = dfa.next_state(Anchored::No, sid, byte);
                if !dfa.is_special(sid) || !dfa.is_match(sid) {
                    continue;
                }
                for i in 0..dfa.match_len(sid) {
                    let p = dfa.match_pattern(sid, i).as_usize();
                    if seen[p] {
                        continue;
                    }
                    seen[p] = true;
                    if p == marker && k == 0 {
                        suppression = true;
                    }
                    for &(r, g) in &self.pattern_rules[p] {
                        hits[r][g as usize] = true;
                    }
                }
            }
        }
        let rules = RULES
            .iter()
            .zip(&hits)
            .map(|(rule, h)| {
                (rule.meta.triggers.is_empty() || h[0])
                    && (rule.meta.also_triggers.is_empty() || h[1])
            })
            .collect();
        Triggered { rules, suppression }
    }
}

/// The script rules that may fire on a file, by the prefilter and the config.
pub struct ActiveRules {
    /// Indexed like `rules::ts::RULES`.
    pub rules: Vec<bool>,
    /// The text may hold a suppression comment.
    pub suppression: bool,
}

/// The script rules that may fire on the file (by the prefilter and the
/// config); `None` when the file need not be parsed at all.
pub fn active_script_rules(input: &crate::context::FileInput<'_>) -> Option<ActiveRules> {
    let triggered = PREFILTER.scan(input.source, &input.file.path_str());
    let active: Vec<bool> = RULES
        .iter()
        .enumerate()
        .map(|(i, r)| triggered.rules[i] && super::rule_runs(&r.meta, input.file, input.config))
        .collect();
    (active.iter().any(|&a| a) || triggered.suppression).then_some(ActiveRules {
        rules: active,
        suppression: triggered.suppression,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triggered(text: &str, path: &str, rule: &str) -> bool {
        let t = PREFILTER.scan(text, path);
        RULES
            .iter()
            .zip(&t.rules)
            .any(|(r, &on)| r.meta.id == rule && on)
    }

    #[test]
    fn every_pattern_ending_at_a_byte_counts() {
        // `select *` (a trigger) and `*` (an also-trigger) end at the same
        // byte: both are seen, in any case
        assert!(triggered("q('SELECT *')", "a.ts", "select-star"));
        // near miss: the trigger without its also-trigger
        assert!(!triggered("q('select\tid')", "a.ts", "select-star"));
        // a trigger in the path, the other group in the text
        assert!(triggered(
            "fetch(url);",
            "app/api/x/route.ts",
            "fire-and-forget"
        ));
        assert!(!triggered("fetch(url);", "lib/x.ts", "fire-and-forget"));
        // the suppression marker counts in the text only
        assert!(PREFILTER.scan("// PRODLINT-IGNORE x", "a.ts").suppression);
        assert!(!PREFILTER.scan("x", "prodlint-ignore/a.ts").suppression);
    }
}
