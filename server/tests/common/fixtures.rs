//! The rule fixtures under `tests/fixtures/rules/<rule-id>/`: one folder per
//! rule, each file linted as the path it has below that folder. SQL files of one
//! folder form one workspace (facts are shared; scripts: Next.js `middleware.ts`, NestJS setup), a `supabase/` folder inside it
//! makes it a Supabase project, a `prodlint.toml` in it is its configuration, and
//! project marker files in it (`vercel.json`, `package.json`…) are workspace facts.

use prodlint::config::Config;
use prodlint::diagnostic::Level;
use prodlint::language;
use prodlint::workspace::WorkspaceFacts;
use std::path::{Path, PathBuf};

pub struct RuleFixtures {
    pub rule: String,
    pub dir: PathBuf,
    /// (path below `dir`, text), sorted by path.
    pub files: Vec<(PathBuf, String)>,
    pub facts: WorkspaceFacts,
    /// The folder's configuration with every other rule off (so findings and
    /// fixes are this rule's only).
    pub config: Config,
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rules")
}

/// Every rule's fixtures, in rule order.
pub fn all() -> Vec<RuleFixtures> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root())
        .expect("fixtures folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.into_iter().map(load).collect()
}

fn load(dir: PathBuf) -> RuleFixtures {
    let rule = dir
        .file_name()
        .expect("a folder name")
        .to_string_lossy()
        .to_string();
    assert!(
        prodlint::rules::meta(&rule).is_some(),
        "fixture folder for unknown rule {rule}"
    );
    let mut paths = Vec::new();
    let mut markers = Vec::new();
    files_under(&dir, &mut paths, &mut markers);
    let files: Vec<(PathBuf, String)> = paths
        .iter()
        .map(|f| {
            (
                f.strip_prefix(&dir)
                    .expect("below the folder")
                    .to_path_buf(),
                std::fs::read_to_string(f).expect("fixture is UTF-8"),
            )
        })
        .collect();
    // every file's contribution: SQL, Next.js `middleware.ts`, NestJS setup
    let mut facts = WorkspaceFacts::new(dir.join("supabase").is_dir());
    for (p, t) in &files {
        let own = language::detect(p).and_then(|l| prodlint::engine::file_facts(p, l, t, None));
        if let Some(own) = own {
            facts.set_file(p, own);
        }
    }
    for m in markers {
        facts.markers.insert(
            m.strip_prefix(&dir)
                .expect("below the folder")
                .to_path_buf(),
        );
    }
    let config_path = dir.join("prodlint.toml");
    let mut config = if config_path.is_file() {
        Config::parse(
            &std::fs::read_to_string(&config_path).expect("readable"),
            Path::new("prodlint.toml"),
        )
        .expect("fixture config")
    } else {
        Config::default_for(Path::new(""))
    };
    for m in prodlint::rules::all_meta() {
        if m.id != rule {
            config.set_level(m.id, Level::Off);
        }
    }
    RuleFixtures {
        rule,
        dir,
        files,
        facts,
        config,
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>, markers: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out, markers);
        } else if language::detect(&p).is_some() {
            out.push(p);
        } else if prodlint::workspace::is_project_marker(&p) {
            markers.push(p);
        }
    }
}
