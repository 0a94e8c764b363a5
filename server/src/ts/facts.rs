//! Script workspace facts: what one script file tells the rules linting the
//! others. Today: Next.js middleware (`middleware.ts` / `proxy.ts`), whose
//! matcher and auth check protect routes written elsewhere
//! (`route-without-auth`). Only files named so contribute (the front ends
//! read no other script up front).

use crate::ts::frameworks::handlers::is_middleware_file;
use crate::ts::frameworks::next::{middleware_facts, NextMiddleware};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tree_sitter::Tree;

/// One script file's contribution.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TsFileFacts {
    pub next_middleware: Option<NextMiddleware>,
    /// A NestJS global guard is installed here: `app.useGlobalGuards(…)`
    /// (`main.ts`) or an `APP_GUARD` provider (`*.module.ts`).
    pub nest_global_guard: bool,
}

/// Whether the script at `path` contributes facts (by its name): Next.js
/// `middleware.ts` / `proxy.ts`, NestJS `main.ts` and `*.module.ts`.
pub fn contributes(path: &Path) -> bool {
    is_middleware_file(&path.to_string_lossy().replace('\\', "/")) || is_nest_setup(path)
}

fn is_nest_setup(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "main.ts" || n.ends_with(".module.ts"))
}

/// The facts of the script at `path` (`tree`: its parse).
pub fn extract(path: &Path, tree: &Tree, text: &str) -> Option<TsFileFacts> {
    if !contributes(path) {
        return None;
    }
    let middleware = is_middleware_file(&path.to_string_lossy().replace('\\', "/"));
    Some(TsFileFacts {
        next_middleware: middleware.then(|| middleware_facts(tree.root_node(), text)),
        nest_global_guard: is_nest_setup(path)
            && (text.contains("useGlobalGuards(") || text.contains("APP_GUARD")),
    })
}

/// All script files' contributions, by path.
#[derive(Clone, Debug, Default)]
pub struct TsFacts {
    files: BTreeMap<PathBuf, TsFileFacts>,
}

impl TsFacts {
    pub fn insert(&mut self, path: PathBuf, facts: TsFileFacts) {
        self.files.insert(path, facts);
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }

    /// A Next.js middleware in a folder above `file` (its project) that may
    /// authenticate and whose matcher covers the route path `route`.
    pub fn middleware_protects(&self, file: &Path, route: &str) -> bool {
        self.files.iter().any(|(p, f)| {
            f.next_middleware.as_ref().is_some_and(|m| {
                p.parent().is_some_and(|dir| file.starts_with(dir)) && m.protects(route)
            })
        })
    }

    /// A Next.js middleware in a folder above `file` that may authenticate
    /// (server actions: their path is the page's, unknown here).
    pub fn any_middleware_authenticates(&self, file: &Path) -> bool {
        self.files.iter().any(|(p, f)| {
            f.next_middleware.as_ref().is_some_and(|m| {
                m.authenticates && p.parent().is_some_and(|dir| file.starts_with(dir))
            })
        })
    }

    /// A NestJS global guard anywhere in the workspace.
    pub fn nest_global_guard(&self) -> bool {
        self.files.values().any(|f| f.nest_global_guard)
    }

    /// A stable hash of the facts (for the result cache).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.files.hash(&mut h);
        h.finish()
    }
}
