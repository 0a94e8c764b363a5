//! Rule documentation: the code examples inside each rule's docs, which are run
//! as tests (a `flagged` block must give exactly the findings of the rule that its
//! `lines=` attribute lists, an `ok` block none).

use crate::language::Language;

#[derive(Clone, Debug)]
pub struct Example {
    pub language: Language,
    pub flagged: bool,
    /// `lines=3,5` on a flagged block: the 1-based lines (within the block) where
    /// the rule's findings start, one entry per finding (`lines=2,2` for two
    /// findings on line 2). `None` when the fence has no (valid) `lines=`.
    pub lines: Option<Vec<usize>>,
    /// The path the example is linted as.
    pub path: String,
    /// `beside=vercel.json,package.json`: files that exist in the example's
    /// workspace (paths from its root; not linted, for rules that read
    /// workspace facts such as project marker files).
    pub beside: Vec<String>,
    pub code: String,
}

/// The path an example is linted as when its fence names none.
pub fn default_path(lang: Language) -> &'static str {
    lang.info().example_path
}

/// Fenced blocks tagged `<lang> flagged|ok [lines=N,…] [path=…] [beside=…]`.
pub fn examples(docs: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = docs.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let lang = words.next().and_then(Language::from_fence);
        let mut flagged = None;
        let mut path = None;
        let mut flagged_lines = None;
        let mut beside = Vec::new();
        for w in words {
            match w {
                "flagged" => flagged = Some(true),
                "ok" => flagged = Some(false),
                _ => {
                    if let Some(p) = w.strip_prefix("path=") {
                        path = Some(p.to_string());
                    } else if let Some(b) = w.strip_prefix("beside=") {
                        beside = b.split(',').map(str::to_string).collect();
                    } else if let Some(l) = w.strip_prefix("lines=") {
                        flagged_lines = l.split(',').map(|n| n.parse().ok()).collect();
                    }
                }
            }
        }
        let mut code = String::new();
        for l in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        if let (Some(language), Some(flagged)) = (lang, flagged) {
            let path = path.unwrap_or_else(|| default_path(language).to_string());
            out.push(Example {
                language,
                flagged,
                lines: flagged_lines,
                path,
                beside,
                code,
            });
        }
    }
    out
}

/// Docs for the terminal: fence annotations removed.
pub fn render_for_terminal(docs: &str) -> String {
    docs.lines()
        .map(|l| {
            let t = l.trim_start();
            if let Some(info) = t.strip_prefix("```") {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("");
                let rest: Vec<&str> = words.collect();
                let label = if rest.contains(&"flagged") {
                    let mut lines: Vec<&str> = rest
                        .iter()
                        .find_map(|w| w.strip_prefix("lines="))
                        .map(|l| l.split(',').collect())
                        .unwrap_or_default();
                    lines.dedup();
                    match lines.len() {
                        0 => "  # flagged".to_string(),
                        1 => format!("  # flagged (line {})", lines[0]),
                        _ => format!("  # flagged (lines {})", lines.join(", ")),
                    }
                } else if rest.contains(&"ok") {
                    "  # not flagged".to_string()
                } else {
                    String::new()
                };
                let label = match rest.iter().find_map(|w| w.strip_prefix("beside=")) {
                    Some(b) if !label.is_empty() => {
                        format!("{label}, with {}", b.replace(',', ", "))
                    }
                    _ => label,
                };
                if lang.is_empty() {
                    "```".to_string()
                } else {
                    format!("```{lang}{label}")
                }
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `docs/rules.md`: the catalogue generated from every rule's metadata.
pub fn catalogue_markdown() -> String {
    let mut s = String::from(
        "# prodlint rules\n\n<!-- Generated from the rules' metadata by `PRODLINT_UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n\
         | rule | language | tier | default | fix | not in tests | summary |\n|---|---|---|---|---|---|---|\n",
    );
    for m in crate::rules::all_meta() {
        s.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} | {} | {} | {} |\n",
            m.id,
            m.id,
            m.language.as_str(),
            m.tier,
            m.default_level.as_str(),
            m.fix.as_str(),
            if m.not_in_tests { "yes" } else { "" },
            m.summary.replace('|', "\\|")
        ));
    }
    for m in crate::rules::all_meta() {
        s.push_str(&format!("\n---\n\n## {}\n\n{}\n\n", m.id, m.summary));
        // Demote the rule's own headings one level.
        for line in m.full_docs().trim_end().lines() {
            if line.starts_with('#') {
                s.push('#');
            }
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}
