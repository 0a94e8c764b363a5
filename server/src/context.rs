//! What a rule sees while it checks one file, and how it reports.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Fix, Level};
use crate::language::Language;
use crate::rules::RuleMeta;
use crate::ts::semantic::{Script, Semantic};
use crate::workspace::WorkspaceFacts;
use std::ops::Range;
use std::path::Path;

/// Facts about the file being linted.
#[derive(Clone, Debug)]
pub struct FileInfo<'a> {
    /// As given to the engine (absolute in the CLI and the server; relative in tests).
    pub path: &'a Path,
    pub language: Language,
    /// On a test-like path (see `[files] tests`).
    pub is_test: bool,
    /// A `.d.ts` file.
    pub is_declaration: bool,
}

impl FileInfo<'_> {
    /// The path with `/` separators, for path-based heuristics.
    pub fn path_str(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }
}

/// Everything about one file that the rules read, shared by all rules.
pub struct FileInput<'a> {
    pub source: &'a str,
    pub file: &'a FileInfo<'a>,
    pub config: &'a Config,
    pub facts: &'a WorkspaceFacts,
    /// File-level facts computed lazily by rules, at most once per file (see
    /// [`RuleContext::memo`]).
    memo: Memo,
    /// What rules of a file without a syntax tree see as its semantic model.
    no_tree: Semantic<'static>,
}

type Memo = std::cell::RefCell<Vec<(std::any::TypeId, std::rc::Rc<dyn std::any::Any>)>>;

impl<'a> FileInput<'a> {
    pub fn new(
        source: &'a str,
        file: &'a FileInfo<'a>,
        config: &'a Config,
        facts: &'a WorkspaceFacts,
    ) -> FileInput<'a> {
        FileInput {
            source,
            file,
            config,
            facts,
            memo: Default::default(),
            no_tree: Semantic::EMPTY,
        }
    }

    /// The context of a rule on a file without a syntax tree (SQL, dotenv).
    pub fn context<'b>(
        &'b self,
        rule: &'static RuleMeta,
        out: &'b mut Vec<Diagnostic>,
    ) -> RuleContext<'b> {
        self.script_context(rule, out, &self.no_tree)
    }

    /// The context of a script rule, with the file's semantic model.
    pub fn script_context<'b>(
        &'b self,
        rule: &'static RuleMeta,
        out: &'b mut Vec<Diagnostic>,
        semantic: &'b Semantic<'b>,
    ) -> RuleContext<'b> {
        RuleContext {
            semantic,
            source: self.source,
            file: self.file,
            config: self.config,
            facts: self.facts,
            rule,
            out,
            memo: &self.memo,
        }
    }
}

pub struct RuleContext<'a> {
    pub source: &'a str,
    pub file: &'a FileInfo<'a>,
    pub config: &'a Config,
    pub facts: &'a WorkspaceFacts,
    /// The file's scopes and bindings (empty for files without a syntax tree).
    pub semantic: &'a Semantic<'a>,
    pub(crate) rule: &'static RuleMeta,
    pub(crate) out: &'a mut Vec<Diagnostic>,
    memo: &'a Memo,
}

impl<'a> RuleContext<'a> {
    pub fn rule(&self) -> &'static RuleMeta {
        self.rule
    }

    /// The file's path inside the project (below the configuration's base
    /// folder), `/`-separated: path heuristics judge this, not the folder the
    /// project is checked out in (`~/code/webhook-service/src/app.ts`).
    pub fn project_path(&self) -> String {
        self.file
            .path
            .strip_prefix(&self.config.base_dir)
            .unwrap_or(self.file.path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// The source with its semantic model, for rule helpers.
    pub fn script(&self) -> Script<'a> {
        Script {
            source: self.source,
            semantic: self.semantic,
        }
    }

    /// The current rule's options struct `T` (its `[rules.<id>]` table in
    /// `prodlint.toml`, parsed once per configuration; `T::default()` if the
    /// configuration holds none, or `T` is not this rule's options type).
    pub fn options<T: std::any::Any + Default + Send + Sync>(&self) -> std::sync::Arc<T> {
        self.config
            .parsed_options(self.rule.id)
            .and_then(|o| o.clone().downcast::<T>().ok())
            .unwrap_or_default()
    }

    /// A file-level fact of type `T`, computed by `init` the first time any rule
    /// asks for a `T` in this file and shared afterwards (give each fact its own
    /// type). Lets a rule that is called per node do file-wide work once.
    pub fn memo<T: 'static>(&self, init: impl FnOnce() -> T) -> std::rc::Rc<T> {
        let id = std::any::TypeId::of::<T>();
        if let Some((_, v)) = self.memo.borrow().iter().find(|(t, _)| *t == id) {
            if let Ok(v) = v.clone().downcast::<T>() {
                return v;
            }
        }
        let v = std::rc::Rc::new(init());
        self.memo.borrow_mut().push((id, v.clone()));
        v
    }

    /// Report a finding at the rule's default level; adjust it through the
    /// returned reference.
    pub fn report(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.out.push(Diagnostic {
            rule: self.rule.id,
            level: self.rule.default_level,
            message: message.into(),
            range,
            fixes: Vec::new(),
        });
        self.out.last_mut().expect("just pushed")
    }
}

impl Diagnostic {
    pub fn with_level(&mut self, level: Level) -> &mut Self {
        self.level = level;
        self
    }
    pub fn with_fix(&mut self, fix: Fix) -> &mut Self {
        self.fixes.push(fix);
        self
    }
}

impl RuleContext<'_> {
    /// Whether Supabase-specific SQL rules apply: `[sql] supabase` in config, or
    /// (when `auto`) a `supabase/` folder, a path under `supabase/`, or Supabase
    /// idioms (`auth.uid()`, `TO authenticated`/`anon`) in the workspace's SQL.
    pub fn is_supabase(&self) -> bool {
        match self.config.supabase {
            crate::config::Supabase::Yes => true,
            crate::config::Supabase::No => false,
            crate::config::Supabase::Auto => {
                self.facts.supabase_dir
                    || self.facts.sql.supabase_markers()
                    || self.file.path_str().split('/').any(|c| c == "supabase")
            }
        }
    }
}
