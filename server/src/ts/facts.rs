//! Script workspace facts: what one script file tells the rules linting the
//! others. Today: Next.js middleware (`middleware.ts` / `proxy.ts`), whose
//! matcher and auth check protect routes written elsewhere
//! (`route-without-auth`). Every script contributes its client-boundary facts
//! (`ts::client_boundary`: directives, imports, server secrets read), from a
//! lexical scan of its text; only the files named so need a parse for the rest.

use crate::ts::client_boundary::{self, ClientGraph, ModuleFacts, SecretReach};
use crate::ts::frameworks::handlers::is_middleware_file;
use crate::ts::frameworks::nest::middleware_auth_controllers;
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
    /// Controllers a NestJS module puts behind an authenticating middleware
    /// (`consumer.apply(AuthMiddleware).forRoutes(UsersController)`; `*` for all).
    pub nest_auth_controllers: Vec<String>,
    /// It runs a schema parse (`Schema.safeParse(…)`, `schema.parse(…)`,
    /// `parseAsync(…)`): input handed to its functions is validated there
    /// (`unvalidated-input`), by a lexical test of its text.
    pub schema_parse: bool,
    /// The client boundary (every script).
    pub module: ModuleFacts,
}

/// Whether the script at `path` contributes facts: every script does (its
/// client-boundary facts); see [`needs_tree`] for which need a parse.
pub fn contributes(_path: &Path) -> bool {
    true
}

/// Whether the script's facts need its syntax tree (by its name): Next.js
/// `middleware.ts` / `proxy.ts`, NestJS `main.ts` and `*.module.ts`. The
/// others' facts come from their text alone, so the front ends need not parse
/// them up front.
pub fn needs_tree(path: &Path) -> bool {
    is_middleware_file(&path.to_string_lossy().replace('\\', "/")) || is_nest_setup(path)
}

fn is_nest_setup(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "main.ts" || n.ends_with(".module.ts"))
}

/// The facts of the script at `path` (`tree`: its parse, needed only when
/// [`needs_tree`]).
pub fn extract(path: &Path, tree: Option<&Tree>, text: &str) -> Option<TsFileFacts> {
    let middleware = is_middleware_file(&path.to_string_lossy().replace('\\', "/"));
    Some(TsFileFacts {
        next_middleware: match tree {
            Some(t) if middleware => Some(middleware_facts(t.root_node(), text)),
            _ => None,
        },
        nest_global_guard: is_nest_setup(path)
            && (text.contains("useGlobalGuards(") || text.contains("APP_GUARD")),
        nest_auth_controllers: match tree {
            Some(t) if is_nest_setup(path) && text.contains("forRoutes(") => {
                middleware_auth_controllers(t.root_node(), text)
            }
            _ => Vec::new(),
        },
        schema_parse: says_schema_parse(text),
        module: client_boundary::scan(text),
    })
}

/// Whether `text` runs a schema parse (see [`TsFileFacts::schema_parse`]):
/// `safeParse(`, `parseAsync(`, `Schema.parse(` or `schema.parse(`, found in
/// one pass over the occurrences of `arse` (every script is asked).
fn says_schema_parse(text: &str) -> bool {
    static ARSE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("arse"));
    let b = text.as_bytes();
    ARSE.find_iter(b).any(|i| {
        let (before, after) = (&b[..i], &b[i + 4..]);
        (before.ends_with(b"safeP") && after.starts_with(b"("))
            || (before.ends_with(b"p") && after.starts_with(b"Async("))
            || ((before.ends_with(b"Schema.p") || before.ends_with(b"schema.p"))
                && after.starts_with(b"("))
    })
}

/// The folder of the app `file` belongs to: its path before a `src` folder,
/// else its own folder.
fn app_root(file: &Path) -> PathBuf {
    let mut root = PathBuf::new();
    for c in file.parent().into_iter().flat_map(|p| p.components()) {
        if c.as_os_str() == "src" {
            return root;
        }
        root.push(c);
    }
    root
}

/// All script files' contributions, by path.
#[derive(Clone, Debug, Default)]
pub struct TsFacts {
    files: BTreeMap<PathBuf, TsFileFacts>,
    /// The client-boundary graph over `files`, built on first use after a change.
    graph: std::sync::OnceLock<std::sync::Arc<ClientGraph>>,
}

impl TsFacts {
    pub fn insert(&mut self, path: PathBuf, facts: TsFileFacts) {
        self.files.insert(path, facts);
        self.graph = Default::default();
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
        self.graph = Default::default();
    }

    fn graph(&self) -> &ClientGraph {
        self.graph.get_or_init(|| {
            let modules: BTreeMap<PathBuf, &ModuleFacts> = self
                .files
                .iter()
                .map(|(p, f)| (p.clone(), &f.module))
                .collect();
            std::sync::Arc::new(ClientGraph::build(&modules))
        })
    }

    /// For the import `spec` of the client file `importer`: the module it
    /// names and the first server secret that module brings into the client
    /// bundle. `None` when the module is unknown (a package, outside the
    /// workspace), a client module itself (judged on its own), a server
    /// action module (`'use server'`) or `server-only`, or reaches no secret.
    pub fn client_import_secret(
        &self,
        importer: &Path,
        spec: &str,
    ) -> Option<(&Path, &SecretReach)> {
        let graph = self.graph();
        let target = graph.resolve(importer, spec)?;
        if self.files.get(target).is_some_and(|f| f.module.use_client) {
            return None;
        }
        Some((target.as_path(), graph.reach(target)?))
    }

    /// Whether the workspace module the import `spec` of `importer` names
    /// runs a schema parse (see [`TsFileFacts::schema_parse`]).
    pub fn import_validates(&self, importer: &Path, spec: &str) -> bool {
        self.graph()
            .resolve(importer, spec)
            .and_then(|p| self.files.get(p))
            .is_some_and(|f| f.schema_parse)
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
    /// Whether a NestJS module puts the controller class `name` behind an
    /// authenticating middleware (see [`TsFileFacts::nest_auth_controllers`]).
    pub fn nest_controller_authenticated(&self, name: &str) -> bool {
        self.files.values().any(|f| {
            f.nest_auth_controllers
                .iter()
                .any(|c| c == name || c == "*")
        })
    }

    pub fn nest_global_guard(&self) -> bool {
        self.files.values().any(|f| f.nest_global_guard)
    }

    /// A custom Next.js server in the app that holds `file` (in `file`'s
    /// folder or a folder above, or in a folder beside one of those:
    /// `server/server.ts` next to `pages/`): the app is a long-lived process.
    pub fn custom_next_server_near(&self, file: &Path) -> bool {
        self.files.iter().any(|(p, f)| {
            f.module.custom_next_server
                && p.parent().is_some_and(|dir| {
                    file.starts_with(dir) || dir.parent().is_some_and(|up| file.starts_with(up))
                })
        })
    }

    /// A file of `file`'s app (the path before `src/`, else the file's
    /// folder) handles SIGTERM (see `ModuleFacts::sigterm_handler`); with
    /// `closing`, also closes something on it (`ModuleFacts::sigterm_closes`).
    pub fn sigterm_handler_near(&self, file: &Path, closing: bool) -> bool {
        self.sigterm_handler_under(&app_root(file), closing)
    }

    /// A file under `root` handles SIGTERM; with `closing`, also closes
    /// something on it.
    pub fn sigterm_handler_under(&self, root: &Path, closing: bool) -> bool {
        self.files.iter().any(|(p, f)| {
            p.starts_with(root)
                && if closing {
                    f.module.sigterm_closes
                } else {
                    f.module.sigterm_handler
                }
        })
    }

    /// The folder of the Next.js app holding `file`: the nearest folder above it
    /// with a `next.config.*` (`None` outside a Next.js app).
    pub fn next_app_root(&self, file: &Path) -> Option<&Path> {
        self.files
            .keys()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("next.config."))
            })
            .filter_map(|p| p.parent())
            .filter(|dir| file.starts_with(dir))
            .max_by_key(|dir| dir.as_os_str().len())
    }

    /// A stable hash of the facts (for the result cache): the middleware and
    /// Nest facts, and for the client files what their imports reach (not
    /// every file's imports, so that an edit elsewhere keeps the cache).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (path, f) in &self.files {
            if f.next_middleware.is_some()
                || f.nest_global_guard
                || !f.nest_auth_controllers.is_empty()
                || f.module.custom_next_server
            {
                (
                    path,
                    &f.next_middleware,
                    f.nest_global_guard,
                    &f.nest_auth_controllers,
                    f.module.custom_next_server,
                )
                    .hash(&mut h);
            }
            if f.schema_parse {
                (path, "schema").hash(&mut h);
            }
            if f.module.use_client {
                path.hash(&mut h);
                for spec in &f.module.imports {
                    self.client_import_secret(path, spec).hash(&mut h);
                }
            }
        }
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_schema_parse_finds_the_four_forms_only() {
        for yes in [
            "const r = UpdateTag.safeParse(body);",
            "await S.parseAsync(x)",
            "UserSchema.parse(b)",
            "const d = schema.parse(input);",
        ] {
            assert!(super::says_schema_parse(yes), "{yes}");
        }
        for no in [
            "JSON.parse(s)",
            "safeParser(x)",
            "parseAsyncThing()",
            "Schema.parser(",
            "sparse(x)",
        ] {
            assert!(!super::says_schema_parse(no), "{no}");
        }
    }
}
