//! Which language a file is, from `grammars-config/languages.toml`.

use serde::Deserialize;
use std::path::Path;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// `.ts .mts .cts` (and `.d.ts`, see [`is_declaration_file`]).
    TypeScript,
    /// `.tsx`
    Tsx,
    /// `.js .jsx .mjs .cjs`, parsed with the TSX grammar.
    JavaScript,
    Sql,
    Dotenv,
}

impl Language {
    pub fn is_script(self) -> bool {
        matches!(
            self,
            Language::TypeScript | Language::Tsx | Language::JavaScript
        )
    }
    pub fn name(self) -> &'static str {
        match self {
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::JavaScript => "javascript",
            Language::Sql => "sql",
            Language::Dotenv => "dotenv",
        }
    }
    /// The start of a line comment in this language (for suppression comments).
    pub fn line_comment(self) -> &'static str {
        match self {
            Language::Sql => "--",
            Language::Dotenv => "#",
            _ => "//",
        }
    }
    /// The language of a name used in documentation code fences (`ts`, `sql`, ...).
    pub fn from_fence(tag: &str) -> Option<Language> {
        Some(match tag {
            "ts" | "typescript" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "js" | "javascript" | "jsx" => Language::JavaScript,
            "sql" => Language::Sql,
            "dotenv" | "env" => Language::Dotenv,
            _ => return None,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Table {
    language: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Entry {
    name: String,
    #[allow(dead_code)]
    grammar: String,
    #[serde(default)]
    extensions: Vec<String>,
    #[serde(default)]
    file_names: Vec<String>,
}

struct LanguageTable {
    by_extension: Vec<(String, Language)>,
    by_name: Vec<(String, Language)>,
}

static TABLE: LazyLock<LanguageTable> = LazyLock::new(|| {
    // The table is part of the binary and covered by tests: a parse failure is a build defect.
    let table: Table = toml::from_str(include_str!("../../grammars-config/languages.toml"))
        .expect("grammars-config/languages.toml is valid");
    let mut by_extension = Vec::new();
    let mut by_name = Vec::new();
    for entry in table.language {
        let lang = match entry.name.as_str() {
            "typescript" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "javascript" => Language::JavaScript,
            "sql" => Language::Sql,
            "dotenv" => Language::Dotenv,
            other => panic!("unknown language {other} in grammars-config/languages.toml"),
        };
        by_extension.extend(entry.extensions.into_iter().map(|e| (e, lang)));
        by_name.extend(entry.file_names.into_iter().map(|n| (n, lang)));
    }
    LanguageTable {
        by_extension,
        by_name,
    }
});

/// The language of `path`, or `None` when prodlint does not lint such files.
pub fn detect(path: &Path) -> Option<Language> {
    let name = path.file_name()?.to_str()?;
    for (pattern, lang) in &TABLE.by_name {
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix) && name.len() > prefix.len(),
            None => name == pattern,
        };
        if hit {
            return Some(*lang);
        }
    }
    let ext = path.extension()?.to_str()?;
    TABLE
        .by_extension
        .iter()
        .find(|(e, _)| e == ext)
        .map(|(_, l)| *l)
}

/// `.d.ts`, `.d.mts`, `.d.cts`: declarations only.
pub fn is_declaration_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_languages() {
        assert_eq!(detect(Path::new("a/b.ts")), Some(Language::TypeScript));
        assert_eq!(detect(Path::new("a/b.d.ts")), Some(Language::TypeScript));
        assert_eq!(detect(Path::new("b.tsx")), Some(Language::Tsx));
        assert_eq!(detect(Path::new("b.cjs")), Some(Language::JavaScript));
        assert_eq!(detect(Path::new("m/001.sql")), Some(Language::Sql));
        assert_eq!(detect(Path::new(".env")), Some(Language::Dotenv));
        assert_eq!(
            detect(Path::new("x/.env.production")),
            Some(Language::Dotenv)
        );
        assert_eq!(detect(Path::new(".envrc")), None);
        assert_eq!(detect(Path::new("README.md")), None);
        assert!(is_declaration_file(Path::new("x/index.d.ts")));
    }
}
