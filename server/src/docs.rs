//! Rule documentation: the code examples inside each rule's docs, which are run
//! as tests (a `flagged` block must give a finding of the rule, an `ok` block none).

use crate::language::Language;

#[derive(Clone, Debug)]
pub struct Example {
    pub language: Language,
    pub flagged: bool,
    /// The path the example is linted as.
    pub path: String,
    pub code: String,
}

/// The path an example is linted as when its fence names none.
pub fn default_path(lang: Language) -> &'static str {
    lang.info().example_path
}

/// Fenced blocks tagged `<lang> flagged|ok [path=…]`.
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
        for w in words {
            match w {
                "flagged" => flagged = Some(true),
                "ok" => flagged = Some(false),
                _ => {
                    if let Some(p) = w.strip_prefix("path=") {
                        path = Some(p.to_string());
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
                path,
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
                    "  # flagged"
                } else if rest.contains(&"ok") {
                    "  # not flagged"
                } else {
                    ""
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
        for line in m.docs.trim_end().lines() {
            if line.starts_with('#') {
                s.push('#');
            }
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}
