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

/// Everything about a language that is a name: the one table of them.
#[derive(Debug)]
pub struct LanguageInfo {
    pub language: Language,
    /// Its name in `grammars-config/languages.toml`, `prodlint rules` and the docs.
    pub name: &'static str,
    /// Code fence tags in rule documentation (`ts flagged`, `sql ok`…).
    pub fence_tags: &'static [&'static str],
    /// Editors' language ids (LSP `languageId`) for documents whose path does
    /// not tell (untitled buffers, unusual names).
    pub editor_ids: &'static [&'static str],
    /// The file name given to a document that has none: `{}` stands for a
    /// made-up stem (`Untitled-1.ts`), or a fixed name (`.env`).
    pub made_up_name: &'static str,
    /// The path documentation examples are linted as when their fence names none.
    pub example_path: &'static str,
    /// The start of a line comment (suppression comments).
    pub line_comment: &'static str,
    /// Values in these files are often secrets (`KEY=value`): code frames show
    /// each line up to its first `=` and mask the rest.
    pub mask_values: bool,
}

/// Indexed by `Language as usize` (a test checks the order).
pub const LANGUAGES: &[LanguageInfo] = &[
    LanguageInfo {
        language: Language::TypeScript,
        name: "typescript",
        fence_tags: &["ts", "typescript"],
        editor_ids: &["typescript"],
        made_up_name: "{}.ts",
        example_path: "src/example.ts",
        line_comment: "//",
        mask_values: false,
    },
    LanguageInfo {
        language: Language::Tsx,
        name: "tsx",
        fence_tags: &["tsx"],
        editor_ids: &["typescriptreact"],
        made_up_name: "{}.tsx",
        example_path: "src/example.tsx",
        line_comment: "//",
        mask_values: false,
    },
    LanguageInfo {
        language: Language::JavaScript,
        name: "javascript",
        fence_tags: &["js", "javascript", "jsx"],
        editor_ids: &["javascript", "javascriptreact"],
        made_up_name: "{}.js",
        example_path: "src/example.js",
        line_comment: "//",
        mask_values: false,
    },
    LanguageInfo {
        language: Language::Sql,
        name: "sql",
        fence_tags: &["sql"],
        editor_ids: &["sql", "pgsql", "postgres", "postgresql", "plpgsql"],
        made_up_name: "{}.sql",
        example_path: "supabase/migrations/20240101000000_example.sql",
        line_comment: "--",
        mask_values: false,
    },
    LanguageInfo {
        language: Language::Dotenv,
        name: "dotenv",
        fence_tags: &["dotenv", "env"],
        editor_ids: &["dotenv", "env"],
        made_up_name: ".env",
        example_path: ".env",
        line_comment: "#",
        mask_values: true,
    },
];

impl Language {
    pub fn info(self) -> &'static LanguageInfo {
        // The table lists every variant in declaration order (tested below).
        &LANGUAGES[self as usize]
    }
    pub fn is_script(self) -> bool {
        matches!(
            self,
            Language::TypeScript | Language::Tsx | Language::JavaScript
        )
    }
    pub fn name(self) -> &'static str {
        self.info().name
    }
    /// The start of a line comment in this language (for suppression comments).
    pub fn line_comment(self) -> &'static str {
        self.info().line_comment
    }
    /// The language of a name used in documentation code fences (`ts`, `sql`, ...).
    pub fn from_fence(tag: &str) -> Option<Language> {
        LANGUAGES
            .iter()
            .find(|i| i.fence_tags.contains(&tag))
            .map(|i| i.language)
    }
    /// The language of an editor's language id.
    pub fn from_editor_id(id: &str) -> Option<Language> {
        LANGUAGES
            .iter()
            .find(|i| i.editor_ids.contains(&id))
            .map(|i| i.language)
    }
    /// The language named `name` in `grammars-config/languages.toml`.
    pub fn from_name(name: &str) -> Option<Language> {
        LANGUAGES
            .iter()
            .find(|i| i.name == name)
            .map(|i| i.language)
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
    let table: Table = toml::from_str(include_str!(concat!(env!("OUT_DIR"), "/languages.toml")))
        .expect("grammars-config/languages.toml is valid");
    let mut by_extension = Vec::new();
    let mut by_name = Vec::new();
    for entry in table.language {
        let Some(lang) = Language::from_name(&entry.name) else {
            panic!(
                "unknown language {} in grammars-config/languages.toml",
                entry.name
            );
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

/// Globs of every file the detector recognises (the server watches them).
pub fn watch_globs() -> Vec<String> {
    let exts: Vec<&str> = TABLE.by_extension.iter().map(|(e, _)| e.as_str()).collect();
    let mut globs = vec![format!("**/*.{{{}}}", exts.join(","))];
    globs.extend(TABLE.by_name.iter().map(|(n, _)| format!("**/{n}")));
    globs
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

    #[test]
    fn the_name_table_is_indexed_by_language() {
        for (i, info) in LANGUAGES.iter().enumerate() {
            assert_eq!(info.language as usize, i, "{info:?}");
            assert_eq!(info.language.info().name, info.name);
        }
        // Every language in the extension table has its row, and back.
        for lang in TABLE
            .by_extension
            .iter()
            .chain(&TABLE.by_name)
            .map(|(_, l)| *l)
        {
            assert!(LANGUAGES.iter().any(|i| i.language == lang));
        }
        assert_eq!(Language::from_fence("jsx"), Some(Language::JavaScript));
        assert_eq!(
            Language::from_editor_id("typescriptreact"),
            Some(Language::Tsx)
        );
        assert_eq!(Language::from_editor_id("markdown"), None);
    }

    /// Every extension and file name the detector knows is watched by the server.
    #[test]
    fn watch_globs_cover_the_table() {
        let globs = watch_globs();
        assert!(
            globs.contains(&"**/*.{ts,mts,cts,tsx,js,jsx,mjs,cjs,sql}".to_string()),
            "{globs:?}"
        );
        assert!(globs.contains(&"**/.env".to_string()));
        assert!(globs.contains(&"**/.env.*".to_string()));
    }
}
