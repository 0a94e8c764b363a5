//! The semantic model of one script file: its scopes, every name they declare
//! (variables, parameters, destructuring, imports, `require`, functions,
//! classes, enums, loop and `catch` variables), and what a member chain such as
//! `fs.promises.writeFile` resolves to through the file's imports.
//!
//! Built once per file, during the engine's one tree walk ([`Builder`], fed by
//! `ts::run_rules` before any rule runs), so every rule asks the same model
//! instead of scanning ancestors itself: a lookup is a binary search for the
//! innermost scope and one per enclosing scope, never a walk of the tree.
//!
//! Resolution follows JavaScript's scoping with two simplifications that suit a
//! linter reading one file: among several declarations of one name in one scope
//! (`var` twice, a function overload), the last one before the use wins, else
//! the first one (a use before its declaration: hoisting, or a function called
//! later); and a name no scope declares is unresolved (a global).

mod builder;
mod imports;

pub use builder::Builder;
pub use imports::{extend_named_imports, ImportBlock, NewImport, QualifiedName};

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// How a name is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Const,
    Let,
    Var,
    /// A function parameter (also `catch (e)`).
    Param,
    Import,
    Function,
    Class,
    Enum,
    /// The loop variable of `for (… of …)` / `for (… in …)`.
    ForOf,
}

impl BindingKind {
    /// `const`, `let` or `var`.
    pub fn is_variable(self) -> bool {
        matches!(
            self,
            BindingKind::Const | BindingKind::Let | BindingKind::Var
        )
    }
}

/// What kind of region a scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Program,
    /// A function, arrow function or method: its parameters and (with its body)
    /// its `var`s.
    Function,
    /// A block, `switch` body or class static block.
    Block,
    /// `for (…;…;…)`, `for … of/in` and `catch (e)`: their own variables.
    Header,
}

pub type ScopeId = u32;

#[derive(Clone, Debug)]
pub struct Scope<'t> {
    pub kind: ScopeKind,
    pub node: Node<'t>,
    pub parent: Option<ScopeId>,
    start: usize,
    end: usize,
}

/// A name bound by an `import` or a `require`.
#[derive(Clone, Debug)]
pub struct Import<'t> {
    /// The module specifier as written (`node:path`, `next/cache`).
    pub module: String,
    /// `default`, `*` (a namespace import or a whole `require`), or the export
    /// name (`cacheLife` in `import { cacheLife as life }`, `join` in
    /// `const { join } = require('path')` or `require('path').join`).
    pub imported: String,
    /// `import type …` or `import { type X }`.
    pub type_only: bool,
    /// The `import_statement`, or the declaration holding the `require`.
    pub statement: Node<'t>,
    /// The `named_imports` node of an `import { … }` statement (to extend it).
    pub named_imports: Option<Node<'t>>,
}

/// One declared name.
#[derive(Clone, Debug)]
pub struct Binding<'t> {
    pub name: &'t str,
    pub kind: BindingKind,
    /// The identifier that declares the name.
    pub ident: Node<'t>,
    /// The declaring node: `variable_declarator`, the parameter node
    /// (`required_parameter`, `optional_parameter`, the bare `identifier` of
    /// `x => …`), a `catch_clause`, `import_statement`, `function_declaration`,
    /// `class_declaration`, `enum_declaration` or `for_in_statement`.
    pub decl: Node<'t>,
    /// The part of the declared pattern that binds the name: the identifier
    /// itself, or the first-level destructuring element that holds it
    /// (`shorthand_property_identifier_pattern`, `pair_pattern`,
    /// `rest_pattern`, `object_assignment_pattern`…).
    pub element: Node<'t>,
    /// What the name is bound from: a declarator's initialiser, a parameter's
    /// default, the iterated expression of a `for … of`. For a destructuring
    /// pattern this is the whole right side (see `key`).
    pub value: Option<Node<'t>>,
    /// For a name bound by object destructuring, the key of the property it is
    /// taken from (the innermost one): a `pair_pattern`'s key or the shorthand
    /// identifier itself.
    pub key: Option<Node<'t>>,
    /// Boxed: most bindings are not imports.
    pub import: Option<Box<Import<'t>>>,
    pub scope: ScopeId,
    /// Bound inside a destructuring pattern (`{ a }`, `[a]`).
    pub destructured: bool,
}

impl<'t> Binding<'t> {
    /// The destructured property's name (`{ name: fileName } = x` → `name`).
    pub fn key_name(&self, source: &str) -> Option<String> {
        let k = self.key?;
        Some(ast::string_value(k, source).unwrap_or_else(|| ast::text(k, source).to_string()))
    }

    /// Bound as a whole (`const x = …`, not destructured).
    pub fn is_simple(&self) -> bool {
        !self.destructured
    }

    /// The value of a simple `const`/`let`/`var` (`const x = value`).
    pub fn simple_value(&self) -> Option<Node<'t>> {
        (self.kind.is_variable() && self.is_simple())
            .then_some(self.value)
            .flatten()
    }

    /// For an import or a `require`: (module, imported name).
    pub fn module(&self) -> Option<(&str, &str)> {
        self.import
            .as_ref()
            .map(|i| (i.module.as_str(), i.imported.as_str()))
    }
}

/// The scopes and bindings of one file.
#[derive(Debug, Default)]
pub struct Semantic<'t> {
    /// In document (pre-)order of their nodes: a scope's parent comes first.
    scopes: Vec<Scope<'t>>,
    /// Sorted by (scope, name, declaration start).
    bindings: Vec<Binding<'t>>,
    /// Indexes into `bindings` of the program scope's imports and `require`s,
    /// in document order.
    module_imports: Vec<u32>,
}

impl<'t> Semantic<'t> {
    /// The model of a file without a tree (SQL, dotenv): no scopes, no names.
    pub const EMPTY: Semantic<'static> = Semantic {
        scopes: Vec::new(),
        bindings: Vec::new(),
        module_imports: Vec::new(),
    };

    /// Build the model by walking `root` (tests and callers outside the
    /// engine's walk; the engine feeds a [`Builder`] from its own walk).
    pub fn build(root: Node<'t>, source: &'t str) -> Semantic<'t> {
        let mut b = Builder::new(source);
        crate::ts::preorder(root, |node, _| {
            b.node(node, node.kind_id());
            true
        });
        b.finish()
    }

    /// The file's root node (`program`), when it has a tree.
    pub fn root(&self) -> Option<Node<'t>> {
        self.scopes
            .first()
            .filter(|s| s.kind == ScopeKind::Program)
            .map(|s| s.node)
    }

    pub fn scope(&self, id: ScopeId) -> Option<&Scope<'t>> {
        self.scopes.get(id as usize)
    }

    /// The innermost scope holding byte `offset`.
    pub fn scope_at(&self, offset: usize) -> Option<ScopeId> {
        // The last scope starting at or before `offset`, then its ancestors
        // until one ends after it (scopes nest).
        let i = self.scopes.partition_point(|s| s.start <= offset);
        let mut cur = i.checked_sub(1).map(|i| i as ScopeId);
        while let Some(id) = cur {
            let s = &self.scopes[id as usize];
            if offset < s.end || (offset == s.end && s.kind == ScopeKind::Program) {
                return Some(id);
            }
            cur = s.parent;
        }
        None
    }

    /// The declarations of `name` in one scope, in document order.
    fn declared_in(&self, scope: ScopeId, name: &str) -> &[Binding<'t>] {
        let lo = self
            .bindings
            .partition_point(|b| (b.scope, b.name) < (scope, name));
        let hi = lo + self.bindings[lo..].partition_point(|b| b.scope == scope && b.name == name);
        &self.bindings[lo..hi]
    }

    /// The declaration `name` refers to at byte `offset`: in the innermost scope
    /// that declares it, the last declaration starting at or before `offset`,
    /// else the first one. `None` for globals and undeclared names.
    pub fn resolve_at(&self, offset: usize, name: &str) -> Option<&Binding<'t>> {
        let mut cur = self.scope_at(offset);
        while let Some(id) = cur {
            let found = self.declared_in(id, name);
            if let Some(first) = found.first() {
                return Some(
                    found
                        .iter()
                        .rev()
                        .find(|b| b.ident.start_byte() <= offset)
                        .unwrap_or(first),
                );
            }
            cur = self.scopes[id as usize].parent;
        }
        None
    }

    /// The declaration an identifier refers to (or declares).
    pub fn resolve(&self, ident: Node<'_>, source: &str) -> Option<&Binding<'t>> {
        self.resolve_at(ident.start_byte(), ast::text(ident, source))
    }

    /// The initial value of a simple `const`/`let`/`var` `name` as seen at
    /// `at` (`None` when the name is a parameter, destructured, imported…).
    pub fn value_of(&self, at: Node<'_>, name: &str) -> Option<Node<'t>> {
        self.resolve_at(at.start_byte(), name)?.simple_value()
    }

    /// The file's top-level imports and `require`s, in document order.
    pub fn module_imports(&self) -> impl Iterator<Item = &Binding<'t>> + '_ {
        self.module_imports
            .iter()
            .filter_map(|&i| self.bindings.get(i as usize))
    }

    /// The first top-level import or `require` of a whole module among
    /// `modules` (`import crypto from 'node:crypto'`, `import * as crypto from
    /// 'crypto'`, `const crypto = require('crypto')`; not `import { randomInt }`).
    pub fn whole_module_import(&self, modules: &[&str]) -> Option<&Binding<'t>> {
        self.module_imports().find(|b| {
            b.import.as_ref().is_some_and(|i| {
                let esm = i.statement.kind_name() == "import_statement";
                let whole = i.imported == "*" || (esm && i.imported == "default");
                whole && !i.type_only && modules.contains(&i.module.as_str())
            })
        })
    }

    /// The function a top-level name is bound to: `function name() {}` or
    /// `const name = () => {}` / `= function () {}` (exported or not; wrappers
    /// like `const name = wrap(async () => {})` are not followed).
    pub fn top_level_function(&self, name: &str) -> Option<Node<'t>> {
        if self.scopes.first()?.kind != ScopeKind::Program {
            return None;
        }
        let b = self.declared_in(0, name).first()?;
        match b.kind {
            BindingKind::Function => Some(b.decl),
            BindingKind::Const | BindingKind::Let | BindingKind::Var => {
                let v = ast::unwrap_expr(b.simple_value()?);
                ast::is_function(v).then_some(v)
            }
            _ => None,
        }
    }

    /// Every binding, sorted by scope then name (tests, debugging).
    pub fn bindings(&self) -> &[Binding<'t>] {
        &self.bindings
    }
}

/// A script's text with its semantic model: what rule helpers pass around
/// instead of the bare source, so any of them can resolve a name. Dereferences
/// to the source text (`ast::text(node, src)` takes a `&Script` as it is).
#[derive(Clone, Copy)]
pub struct Script<'t> {
    pub source: &'t str,
    pub semantic: &'t Semantic<'t>,
}

impl std::ops::Deref for Script<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.source
    }
}

impl<'t> Script<'t> {
    /// The declaration `name` refers to where `at` is (see [`Semantic::resolve_at`]).
    pub fn declaration(&self, at: Node<'_>, name: &str) -> Option<&'t Binding<'t>> {
        self.semantic.resolve_at(at.start_byte(), name)
    }

    /// The initial value of the simple variable `name` seen from `at`.
    pub fn value_of(&self, at: Node<'_>, name: &str) -> Option<Node<'t>> {
        self.semantic.value_of(at, name)
    }

    /// The file's root node (`program`); `node` itself walked up to its root
    /// only for a file without a model (not a script).
    pub fn program(&self, node: Node<'t>) -> Node<'t> {
        self.semantic.root().unwrap_or_else(|| ast::root_of(node))
    }

    /// See [`Semantic::top_level_function`].
    pub fn top_level_function(&self, name: &str) -> Option<Node<'t>> {
        self.semantic.top_level_function(name)
    }

    /// See [`Semantic::qualified_name`].
    pub fn qualified_name(&self, expr: Node<'_>) -> Option<QualifiedName> {
        self.semantic.qualified_name(expr, self.source)
    }
}

/// `require('m')` → `m` (one string argument, `require` not shadowed by a
/// parameter of that name is not checked: a file that rebinds `require` is
/// not a module loader's).
pub fn require_source(node: Node<'_>, source: &str) -> Option<String> {
    let node = ast::unwrap_expr(node);
    if node.kind_name() != "call_expression" {
        return None;
    }
    let callee = node.field(Field::Function)?;
    if callee.kind_name() != "identifier" || ast::text(callee, source) != "require" {
        return None;
    }
    let args = ast::call_arguments(node);
    if args.len() != 1 {
        return None;
    }
    ast::string_value(args[0], source)
}

#[cfg(test)]
mod tests;
