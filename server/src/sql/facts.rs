//! Workspace facts from SQL files: what happens to each table (created, RLS
//! enabled or disabled, renamed, dropped, policies), which functions get a fixed
//! `search_path` by `ALTER FUNCTION`, whether this is a Supabase project.
//!
//! Each file contributes a [`SqlFileFacts`] (events in statement order, with byte
//! offsets); [`SqlFacts`] holds them by path, i.e. in migration order for
//! timestamped names, so the language server can replace one file's
//! contribution. Rules ask through a [`Timeline`], in which the file being
//! linted contributes the facts of its current text.

use super::SqlFile;
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{AlterTableType, ObjectType, RangeVar, VariableSetKind};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A table or function name normalised for comparison: unquoted names are
/// already case-folded by the parser; the `public.` schema is made explicit.
pub fn qualified(schema: &str, name: &str) -> String {
    let schema = if schema.is_empty() { "public" } else { schema };
    format!("{schema}.{name}")
}

/// The schema part of a [`qualified`] name.
pub fn schema_of(qualified: &str) -> &str {
    qualified.split('.').next().unwrap_or("")
}

/// Schemas that PostgREST (the Supabase Data API) exposes by default.
pub fn is_exposed_schema(schema: &str) -> bool {
    schema == "public"
}

/// What one statement does to a table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TableChange {
    /// `CREATE TABLE` (or `CREATE TABLE AS`); `exposed`: in an exposed schema and
    /// not temporary. Column names are lower-cased.
    Create {
        exposed: bool,
        columns: Vec<String>,
    },
    AddColumns(Vec<String>),
    Drop,
    EnableRls,
    DisableRls,
    /// `RENAME TO` or `SET SCHEMA`: the table's new qualified name.
    RenamedTo(String),
    /// `CREATE POLICY … ON` the table.
    Policy,
    /// Columns, keys, indexes and foreign keys (`sql::schema`).
    Schema(super::schema::SchemaChange),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableEvent {
    /// Qualified name (see [`qualified`]).
    pub table: String,
    pub change: TableChange,
    /// File offset of the table's name in the statement.
    pub offset: usize,
}

/// What one statement does to a view.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ViewChange {
    /// `CREATE [OR REPLACE] VIEW`; `invoker`: its `security_invoker` option
    /// (`None` when not given).
    Create {
        invoker: Option<bool>,
    },
    /// `ALTER VIEW … SET (security_invoker = …)` (`false` also for `RESET`).
    SetInvoker(bool),
    Drop,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ViewEvent {
    /// Qualified name (see [`qualified`]).
    pub view: String,
    pub change: ViewChange,
    /// File offset of the view's name in the statement (the statement's start
    /// for `DROP VIEW`).
    pub offset: usize,
}

/// The `security_invoker` option among a view's reloptions: `Some(value)` when
/// present (`security_invoker` alone means `true`).
pub fn security_invoker_option(options: &[pg_query::protobuf::Node]) -> Option<bool> {
    options.iter().find_map(|o| match o.node.as_ref()? {
        NodeEnum::DefElem(d) if d.defname.eq_ignore_ascii_case("security_invoker") => {
            let Some(arg) = d.arg.as_deref() else {
                return Some(true);
            };
            let value = match arg.node.as_ref()? {
                NodeEnum::Boolean(b) => return Some(b.boolval),
                NodeEnum::Integer(i) => return Some(i.ival != 0),
                NodeEnum::AConst(c) => match c.val.as_ref()? {
                    pg_query::protobuf::a_const::Val::Boolval(b) => return Some(b.boolval),
                    pg_query::protobuf::a_const::Val::Ival(i) => return Some(i.ival != 0),
                    _ => string_value(arg)?,
                },
                // `off`, not a keyword, is parsed as a type name
                NodeEnum::TypeName(t) => t.names.last().and_then(string_value)?,
                _ => string_value(arg)?,
            };
            Some(matches!(
                value.to_ascii_lowercase().as_str(),
                "on" | "true" | "yes" | "1" | "t" | "y"
            ))
        }
        _ => None,
    })
}

/// A function given a `search_path` by `ALTER FUNCTION … SET search_path`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionPathSet {
    pub function: String,
    pub offset: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SqlFileFacts {
    /// Table events in statement order (statements inside DO blocks included).
    pub tables: Vec<TableEvent>,
    /// `ALTER FUNCTION … SET search_path`, in statement order.
    pub search_path_set: Vec<FunctionPathSet>,
    /// View events in statement order (`view-security-invoker`).
    pub views: Vec<ViewEvent>,
    /// The file uses Supabase idioms (`auth.uid()`, `auth.users`, roles `anon`,
    /// `authenticated`, `service_role`) outside comments.
    pub supabase_markers: bool,
}

/// The schema that unqualified names go to, tracked through `SET search_path`.
struct SearchPath {
    /// `None`: an empty search path (unqualified creates fail).
    first: Option<String>,
}

impl SearchPath {
    fn resolve(&self, rel: &RangeVar) -> Option<String> {
        if !rel.schemaname.is_empty() {
            return Some(qualified(&rel.schemaname, &rel.relname));
        }
        self.first.as_ref().map(|s| qualified(s, &rel.relname))
    }

    fn update(&mut self, stmt: &NodeEnum) {
        let values: Option<Vec<String>> = match stmt {
            NodeEnum::VariableSetStmt(v) if v.name.eq_ignore_ascii_case("search_path") => {
                if v.kind == VariableSetKind::VarSetValue as i32 {
                    Some(v.args.iter().filter_map(string_value).collect())
                } else if v.kind == VariableSetKind::VarSetDefault as i32
                    || v.kind == VariableSetKind::VarReset as i32
                {
                    Some(vec!["public".into()])
                } else {
                    None
                }
            }
            // pg_dump: SELECT pg_catalog.set_config('search_path', '', false);
            NodeEnum::SelectStmt(s) => s.target_list.iter().find_map(|t| {
                let NodeEnum::ResTarget(rt) = t.node.as_ref()? else {
                    return None;
                };
                let NodeEnum::FuncCall(f) = rt.val.as_deref()?.node.as_ref()? else {
                    return None;
                };
                let name = f.funcname.last().and_then(string_value)?;
                let first = f.args.first().and_then(string_value)?;
                if name != "set_config" || first != "search_path" {
                    return None;
                }
                let value = f.args.get(1).and_then(string_value)?;
                Some(value.split(',').map(|s| s.trim().to_string()).collect())
            }),
            _ => None,
        };
        if let Some(values) = values {
            self.first = values
                .into_iter()
                .map(|v| v.trim_matches('"').to_string())
                .find(|v| !v.is_empty() && v != "$user");
        }
    }
}

/// The text of a `String` node or a string constant.
pub fn string_value(node: &pg_query::protobuf::Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::String(s) => Some(s.sval.clone()),
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            pg_query::protobuf::a_const::Val::Sval(s) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Qualified name from a list of `String` nodes (`[schema,] name`).
pub fn qualified_from_list(items: &[pg_query::protobuf::Node]) -> Option<String> {
    let names: Vec<String> = items.iter().filter_map(string_value).collect();
    match names.as_slice() {
        [name] => Some(qualified("", name)),
        [schema, name] => Some(qualified(schema, name)),
        [_catalog, schema, name] => Some(qualified(schema, name)),
        _ => None,
    }
}

fn column_names(elts: &[pg_query::protobuf::Node]) -> Vec<String> {
    elts.iter()
        .filter_map(|e| match e.node.as_ref()? {
            NodeEnum::ColumnDef(c) => Some(c.colname.to_lowercase()),
            _ => None,
        })
        .collect()
}

const SUPABASE_ROLES: &[&str] = &["anon", "authenticated", "service_role"];

impl SqlFileFacts {
    pub fn extract(text: &str) -> SqlFileFacts {
        SqlFileFacts::from_parsed(&SqlFile::parse(text), text)
    }

    /// From an already parsed file (the CLI parses each SQL file once).
    pub fn from_parsed(file: &SqlFile, text: &str) -> SqlFileFacts {
        let mut facts = SqlFileFacts {
            supabase_markers: text_markers(file, text),
            ..Default::default()
        };
        let mut path = SearchPath {
            first: Some("public".into()),
        };
        for stmt in &file.statements {
            let Some(node) = stmt.kind() else { continue };
            path.update(node);
            facts.add_statement(node, stmt, &path);
            facts.add_view_statement(node, stmt, &path);
        }
        facts
    }

    fn add_statement(&mut self, node: &NodeEnum, stmt: &super::SqlStatement, path: &SearchPath) {
        self.add_table_statement(node, stmt, path);
        super::schema::events(
            node,
            stmt,
            &|rel| path.resolve(rel),
            path.first.as_deref(),
            &mut self.tables,
        );
    }

    fn add_table_statement(
        &mut self,
        node: &NodeEnum,
        stmt: &super::SqlStatement,
        path: &SearchPath,
    ) {
        let mut push = |table: Option<String>, change: TableChange, location: i32| {
            if let Some(table) = table {
                self.tables.push(TableEvent {
                    table,
                    change,
                    offset: stmt.offset(location),
                });
            }
        };
        match node {
            NodeEnum::CreateStmt(c) => {
                let Some(rel) = &c.relation else { return };
                let table = path.resolve(rel);
                let exposed = rel.relpersistence != "t"
                    && table.as_deref().is_some_and(|t| is_exposed_schema(schema_of(t)));
                let columns = column_names(&c.table_elts);
                push(table, TableChange::Create { exposed, columns }, rel.location);
            }
            NodeEnum::CreateTableAsStmt(c) if c.objtype == ObjectType::ObjectTable as i32 => {
                let Some(rel) = c.into.as_ref().and_then(|i| i.rel.as_ref()) else {
                    return;
                };
                let table = path.resolve(rel);
                let exposed = rel.relpersistence != "t"
                    && table.as_deref().is_some_and(|t| is_exposed_schema(schema_of(t)));
                let columns = c
                    .into
                    .as_ref()
                    .map(|i| {
                        i.col_names
                            .iter()
                            .filter_map(string_value)
                            .map(|s| s.to_lowercase())
                            .collect()
                    })
                    .unwrap_or_default();
                push(table, TableChange::Create { exposed, columns }, rel.location);
            }
            NodeEnum::CreateSchemaStmt(s) => {
                let inner = SearchPath {
                    first: Some(s.schemaname.clone()),
                };
                for elt in &s.schema_elts {
                    if let Some(n) = elt.node.as_ref() {
                        self.add_statement(n, stmt, &inner);
                    }
                }
            }
            NodeEnum::AlterTableStmt(a) if a.objtype == ObjectType::ObjectTable as i32 => {
                let Some(rel) = &a.relation else { return };
                let table = path.resolve(rel);
                for cmd in &a.cmds {
                    let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                        continue;
                    };
                    let change = if cmd.subtype == AlterTableType::AtEnableRowSecurity as i32 {
                        TableChange::EnableRls
                    } else if cmd.subtype == AlterTableType::AtDisableRowSecurity as i32 {
                        TableChange::DisableRls
                    } else if cmd.subtype == AlterTableType::AtAddColumn as i32 {
                        match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                            Some(NodeEnum::ColumnDef(c)) => {
                                TableChange::AddColumns(vec![c.colname.to_lowercase()])
                            }
                            _ => continue,
                        }
                    } else {
                        continue;
                    };
                    push(table.clone(), change, rel.location);
                }
            }
            NodeEnum::RenameStmt(r) if r.rename_type == ObjectType::ObjectTable as i32 => {
                let Some(rel) = &r.relation else { return };
                let new = qualified(
                    if rel.schemaname.is_empty() {
                        path.first.as_deref().unwrap_or("")
                    } else {
                        &rel.schemaname
                    },
                    &r.newname,
                );
                push(path.resolve(rel), TableChange::RenamedTo(new), rel.location);
            }
            NodeEnum::AlterObjectSchemaStmt(a) if a.object_type == ObjectType::ObjectTable as i32 => {
                let Some(rel) = &a.relation else { return };
                let new = qualified(&a.newschema, &rel.relname);
                push(path.resolve(rel), TableChange::RenamedTo(new), rel.location);
            }
            NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectTable as i32 => {
                for obj in &d.objects {
                    if let Some(NodeEnum::List(list)) = &obj.node {
                        let names: Vec<String> =
                            list.items.iter().filter_map(string_value).collect();
                        let table = match names.as_slice() {
                            [name] => path.first.as_ref().map(|s| qualified(s, name)),
                            _ => qualified_from_list(&list.items),
                        };
                        push(table, TableChange::Drop, -1);
                    }
                }
            }
            NodeEnum::CreatePolicyStmt(p) => {
                if p.roles.iter().any(|r| {
                    matches!(&r.node, Some(NodeEnum::RoleSpec(rs)) if SUPABASE_ROLES.contains(&rs.rolename.as_str()))
                }) {
                    self.supabase_markers = true;
                }
                let Some(rel) = &p.table else { return };
                let mut push = push;
                push(path.resolve(rel), TableChange::Policy, rel.location);
            }
            NodeEnum::GrantStmt(g)
                if g.grantees.iter().any(|r| {
                    matches!(&r.node, Some(NodeEnum::RoleSpec(rs)) if SUPABASE_ROLES.contains(&rs.rolename.as_str()))
                }) =>
            {
                self.supabase_markers = true;
            }
            NodeEnum::AlterFunctionStmt(alter) => {
                let sets_path = alter.actions.iter().any(|a| match &a.node {
                    Some(NodeEnum::DefElem(d)) => {
                        d.defname == "set"
                            && matches!(d.arg.as_deref().and_then(|n| n.node.as_ref()),
                                Some(NodeEnum::VariableSetStmt(v))
                                    if v.name.eq_ignore_ascii_case("search_path")
                                        && v.kind != VariableSetKind::VarReset as i32
                                        && v.kind != VariableSetKind::VarResetAll as i32)
                    }
                    _ => false,
                });
                if sets_path {
                    if let Some(name) = alter
                        .func
                        .as_ref()
                        .and_then(|f| qualified_from_list(&f.objname))
                    {
                        self.search_path_set.push(FunctionPathSet {
                            function: name,
                            offset: stmt.range.start,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

impl SqlFileFacts {
    /// View events: `CREATE VIEW`, `ALTER VIEW … SET/RESET (security_invoker)`,
    /// `DROP VIEW`.
    fn add_view_statement(
        &mut self,
        node: &NodeEnum,
        stmt: &super::SqlStatement,
        path: &SearchPath,
    ) {
        let mut push = |view: Option<String>, change: ViewChange, location: i32| {
            if let Some(view) = view {
                self.views.push(ViewEvent {
                    view,
                    change,
                    offset: stmt.offset(location),
                });
            }
        };
        match node {
            NodeEnum::ViewStmt(v) => {
                let Some(rel) = &v.view else { return };
                if rel.relpersistence == "t" {
                    return;
                }
                let invoker = security_invoker_option(&v.options);
                push(
                    path.resolve(rel),
                    ViewChange::Create { invoker },
                    rel.location,
                );
            }
            NodeEnum::AlterTableStmt(a) if a.objtype == ObjectType::ObjectView as i32 => {
                let Some(rel) = &a.relation else { return };
                for cmd in &a.cmds {
                    let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                        continue;
                    };
                    let Some(NodeEnum::List(list)) =
                        cmd.def.as_deref().and_then(|d| d.node.as_ref())
                    else {
                        continue;
                    };
                    let Some(value) = security_invoker_option(&list.items) else {
                        continue;
                    };
                    let value = value && cmd.subtype == AlterTableType::AtSetRelOptions as i32;
                    push(
                        path.resolve(rel),
                        ViewChange::SetInvoker(value),
                        rel.location,
                    );
                }
            }
            NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectView as i32 => {
                for obj in &d.objects {
                    if let Some(NodeEnum::List(list)) = &obj.node {
                        let names: Vec<String> =
                            list.items.iter().filter_map(string_value).collect();
                        let view = match names.as_slice() {
                            [name] => path.first.as_ref().map(|s| qualified(s, name)),
                            _ => qualified_from_list(&list.items),
                        };
                        push(view, ViewChange::Drop, -1);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Supabase idioms in the text outside comments.
fn text_markers(file: &SqlFile, text: &str) -> bool {
    let mut code = String::with_capacity(text.len());
    let mut at = 0;
    for c in &file.comments {
        if c.start >= at && c.end <= text.len() {
            code.push_str(text.get(at..c.start).unwrap_or(""));
            code.push(' ');
            at = c.end;
        }
    }
    code.push_str(text.get(at..).unwrap_or(""));
    let lower = code.to_ascii_lowercase();
    let squeezed: String = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    ["auth.uid()", "auth.jwt()", "auth.role()", "auth.users"]
        .iter()
        .any(|m| squeezed.contains(m))
        || ["to authenticated", "to anon", "to service_role"]
            .iter()
            .any(|m| squeezed.contains(m))
}

/// All SQL files' facts, by path (so in migration order for timestamped names).
#[derive(Clone, Debug, Default)]
pub struct SqlFacts {
    files: BTreeMap<PathBuf, SqlFileFacts>,
    /// The index over all files' table events, built on first use.
    index: OnceLock<TableIndex>,
}

impl SqlFacts {
    pub fn insert(&mut self, path: PathBuf, facts: SqlFileFacts) {
        self.files.insert(path, facts);
        self.index = OnceLock::new();
    }
    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
        self.index = OnceLock::new();
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    /// The columns of the (qualified) table in the workspace's final schema, in
    /// declared order (`Timeline::declared_columns` over the stored files, on
    /// the shared index: built and folded once per version of the facts).
    pub fn final_columns(&self, table: &str) -> Option<Vec<String>> {
        let files: Vec<&SqlFileFacts> = self.files.values().collect();
        let index = self.index.get_or_init(|| TableIndex::new(&files));
        Timeline {
            // no linted file of its own: past the last one
            own: files.len(),
            files,
            index: Cow::Borrowed(index),
        }
        .declared_columns(table)
    }
    /// RLS is enabled for the (qualified) table somewhere in the workspace (and
    /// not disabled again later).
    pub fn rls_enabled(&self, table: &str) -> bool {
        let empty = SqlFileFacts::default();
        self.timeline(Path::new(""), &empty).rls_enabled(table)
    }
    /// A (qualified) function gets `SET search_path` by an `ALTER FUNCTION` somewhere.
    pub fn search_path_set(&self, function: &str) -> bool {
        self.files
            .values()
            .any(|f| f.search_path_set.iter().any(|s| s.function == function))
    }
    pub fn supabase_markers(&self) -> bool {
        self.files.values().any(|f| f.supabase_markers)
    }
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (p, f) in &self.files {
            p.hash(&mut h);
            f.hash(&mut h);
        }
        h.finish()
    }

    /// The workspace's events in migration order, with the contribution of the
    /// file at `path` replaced by `own` (the facts of the text being linted).
    /// When `own` equals the stored contribution (the CLI), the index built once
    /// for the workspace is reused; otherwise (an edited buffer, a fix round) a
    /// fresh one is built.
    pub fn timeline<'a>(&'a self, path: &Path, own: &'a SqlFileFacts) -> Timeline<'a> {
        if let Some(stored) = self.files.get(path) {
            if stored == own {
                let files: Vec<&'a SqlFileFacts> = self.files.values().collect();
                let own_index = self.files.range(..path.to_path_buf()).count();
                let index = self.index.get_or_init(|| TableIndex::new(&files));
                return Timeline {
                    files,
                    own: own_index,
                    index: Cow::Borrowed(index),
                };
            }
        }
        let mut files: Vec<&'a SqlFileFacts> = Vec::with_capacity(self.files.len() + 1);
        let mut own_index = None;
        for (p, f) in &self.files {
            if own_index.is_none() && p.as_path() >= path {
                own_index = Some(files.len());
                files.push(own);
            }
            if p.as_path() != path {
                files.push(f);
            }
        }
        let own_index = own_index.unwrap_or_else(|| {
            files.push(own);
            files.len() - 1
        });
        let index = TableIndex::new(&files);
        Timeline {
            files,
            own: own_index,
            index: Cow::Owned(index),
        }
    }
}

/// What became of a table created at some point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Dropped (or moved out of an exposed schema) later.
    Gone,
    /// Still there, under these names (the first is the created one, the last the final).
    Alive(Vec<String>),
}

/// Table events of a list of files in order, indexed by table and by rename class.
#[derive(Clone, Debug, Default)]
pub struct TableIndex {
    /// (file index, event index in that file), in migration order.
    events: Vec<(usize, usize)>,
    /// Positions in `events` per table name.
    by_table: HashMap<String, Vec<usize>>,
    /// Rename class of each table name that is renamed somewhere.
    class_of: HashMap<String, usize>,
    classes: Vec<Vec<String>>,
    /// The final schema (`Timeline::schema`), replayed on first use.
    schema: OnceLock<super::schema::Schema>,
}

impl TableIndex {
    fn new<'a>(files: &[&'a SqlFileFacts]) -> TableIndex {
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut index = TableIndex::default();
        let mut ids: HashMap<&'a str, usize> = HashMap::new();
        let mut parent: Vec<usize> = Vec::new();
        for (fi, f) in files.iter().enumerate() {
            for (ei, e) in f.tables.iter().enumerate() {
                let pos = index.events.len();
                index.events.push((fi, ei));
                match index.by_table.get_mut(e.table.as_str()) {
                    Some(v) => v.push(pos),
                    None => {
                        index.by_table.insert(e.table.clone(), vec![pos]);
                    }
                }
                if let TableChange::RenamedTo(new) = &e.change {
                    let mut id = |name: &'a str| -> usize {
                        *ids.entry(name).or_insert_with(|| {
                            parent.push(parent.len());
                            parent.len() - 1
                        })
                    };
                    let a = id(e.table.as_str());
                    let b = id(new.as_str());
                    let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                    if ra != rb {
                        parent[ra] = rb;
                    }
                }
            }
        }
        let mut names: Vec<(&str, usize)> = ids.into_iter().collect();
        names.sort();
        let mut class_index: HashMap<usize, usize> = HashMap::new();
        for (name, id) in names {
            let root = find(&mut parent, id);
            let c = *class_index.entry(root).or_insert_with(|| {
                index.classes.push(Vec::new());
                index.classes.len() - 1
            });
            index.classes[c].push(name.to_string());
            index.class_of.insert(name.to_string(), c);
        }
        index
    }
}

/// The workspace's SQL table events in migration order (file, then offset), as
/// seen from the file being linted.
pub struct Timeline<'a> {
    files: Vec<&'a SqlFileFacts>,
    own: usize,
    index: Cow<'a, TableIndex>,
}

impl<'a> Timeline<'a> {
    fn event(&self, pos: usize) -> Option<(usize, &'a TableEvent)> {
        let &(fi, ei) = self.index.events.get(pos)?;
        let files: &[&'a SqlFileFacts] = &self.files;
        let f: &'a SqlFileFacts = files.get(fi)?;
        f.tables.get(ei).map(|e| (fi, e))
    }

    /// The event is after `offset` of the linted file.
    fn is_after(&self, pos: usize, offset: usize) -> bool {
        self.event(pos)
            .is_some_and(|(f, e)| f > self.own || (f == self.own && e.offset > offset))
    }

    fn events_of(&self, table: &str) -> Vec<(usize, &'a TableEvent)> {
        self.index
            .by_table
            .get(table)
            .into_iter()
            .flatten()
            .filter_map(|&pos| self.event(pos).map(|(_, e)| (pos, e)))
            .collect()
    }

    /// Events of the table under any of its names, in migration order.
    fn class_events(&self, table: &str) -> Vec<(usize, &'a TableEvent)> {
        let mut out: Vec<(usize, &'a TableEvent)> = self
            .aliases(table)
            .iter()
            .flat_map(|n| self.events_of(n))
            .collect();
        out.sort_by_key(|(pos, _)| *pos);
        out
    }

    /// Follow the table created at `offset` of the linted file through later
    /// renames and drops.
    pub fn fate(&self, table: &str, offset: usize) -> Fate {
        let mut names = vec![table.to_string()];
        let mut after = None::<usize>;
        loop {
            let cur = names.last().cloned().unwrap_or_default();
            let next = self
                .events_of(&cur)
                .into_iter()
                .filter(|(pos, _)| match after {
                    None => self.is_after(*pos, offset),
                    Some(a) => *pos > a,
                })
                .find(|(_, e)| matches!(e.change, TableChange::Drop | TableChange::RenamedTo(_)));
            let Some((pos, e)) = next else {
                return Fate::Alive(names);
            };
            let TableChange::RenamedTo(new) = &e.change else {
                return Fate::Gone;
            };
            if !is_exposed_schema(schema_of(new)) && is_exposed_schema(schema_of(&cur)) {
                return Fate::Gone;
            }
            if names.contains(new) {
                // renamed back and forth: stop following
                return Fate::Alive(names);
            }
            names.push(new.clone());
            after = Some(pos);
        }
    }

    /// The names linked to `table` by renames anywhere in the workspace.
    pub fn aliases(&self, table: &str) -> BTreeSet<String> {
        match self
            .index
            .class_of
            .get(table)
            .and_then(|&c| self.index.classes.get(c))
        {
            Some(class) => class.iter().cloned().collect(),
            None => BTreeSet::from([table.to_string()]),
        }
    }

    /// The last `ENABLE`/`DISABLE ROW LEVEL SECURITY` for the table (under any
    /// of its names) in migration order: `Some(true)` enabled, `Some(false)`
    /// disabled again, `None` never mentioned.
    pub fn rls_state(&self, table: &str) -> Option<bool> {
        self.class_events(table)
            .into_iter()
            .filter_map(|(_, e)| match e.change {
                TableChange::EnableRls => Some(true),
                TableChange::DisableRls => Some(false),
                _ => None,
            })
            .next_back()
    }

    /// RLS is enabled for the table (under any of its names) somewhere, and the
    /// last `ENABLE`/`DISABLE ROW LEVEL SECURITY` in migration order enables it.
    pub fn rls_enabled(&self, table: &str) -> bool {
        self.rls_state(table) == Some(true)
    }

    /// The table (under any of its names) is created in the workspace:
    /// `Some(exposed)` for its creations, `None` if never.
    pub fn created(&self, table: &str) -> Option<bool> {
        let mut found = None;
        for (_, e) in self.class_events(table) {
            if let TableChange::Create { exposed, .. } = &e.change {
                found = Some(found.unwrap_or(false) || *exposed);
            }
        }
        found
    }

    /// Some `CREATE POLICY` for the table (under any of its names) exists in
    /// the workspace.
    pub fn has_policy(&self, table: &str) -> bool {
        self.class_events(table)
            .iter()
            .any(|(_, e)| e.change == TableChange::Policy)
    }

    /// The `ENABLE ROW LEVEL SECURITY` at `offset` of the linted file is the
    /// last one for its table (under any of its names) in migration order.
    pub fn is_last_rls_enable(&self, table: &str, offset: usize) -> bool {
        self.class_events(table)
            .into_iter()
            .rfind(|(_, e)| e.change == TableChange::EnableRls)
            .is_some_and(|(pos, e)| {
                self.event(pos).is_some_and(|(f, _)| f == self.own) && e.offset == offset
            })
    }

    /// The policy at `offset` of the linted file is the first one for its table
    /// (under any of its names) in migration order.
    pub fn is_first_policy(&self, table: &str, offset: usize) -> bool {
        self.class_events(table)
            .into_iter()
            .find(|(_, e)| e.change == TableChange::Policy)
            .is_none_or(|(pos, e)| {
                self.event(pos).is_some_and(|(f, _)| f == self.own) && e.offset == offset
            })
    }

    /// Column names of the table (under any of its names) from its `CREATE TABLE`
    /// and `ADD COLUMN` statements anywhere in the workspace.
    pub fn columns(&self, table: &str) -> BTreeSet<String> {
        let mut cols = BTreeSet::new();
        for (_, e) in self.class_events(table) {
            match &e.change {
                TableChange::Create { columns, .. } | TableChange::AddColumns(columns) => {
                    cols.extend(columns.iter().cloned())
                }
                _ => {}
            }
        }
        cols
    }

    /// What happens to the (qualified) view after `offset` of the linted file,
    /// in migration order: the first later `CREATE`, `ALTER … security_invoker`
    /// or `DROP` of it (`None`: nothing).
    pub fn next_view_change(&self, view: &str, offset: usize) -> Option<&'a ViewChange> {
        let files: &[&'a SqlFileFacts] = &self.files;
        files.iter().enumerate().skip(self.own).find_map(|(fi, f)| {
            f.views
                .iter()
                .find(|e| e.view == view && (fi > self.own || e.offset > offset))
                .map(|e| &e.change)
        })
    }

    /// The workspace's final schema: every file's schema events replayed in
    /// migration order (computed once per timeline; for the CLI once per run).
    pub fn schema(&self) -> &super::schema::Schema {
        self.index.schema.get_or_init(|| {
            super::schema::Schema::fold(
                self.index
                    .events
                    .iter()
                    .filter_map(|&(fi, ei)| Some(((fi, ei), self.files.get(fi)?.tables.get(ei)?))),
            )
        })
    }

    /// The (qualified) table's columns in declared order (added columns
    /// last, dropped and renamed ones as the workspace's migrations leave
    /// them), under its final name; `None` for a table the workspace never
    /// creates (or drops). For a `SELECT *` rewrite; [`Timeline::columns`] is the
    /// unordered union over every name the table had.
    pub fn declared_columns(&self, table: &str) -> Option<Vec<String>> {
        let state = self.schema().tables.get(table)?;
        Some(state.columns.iter().map(|c| c.name.clone()).collect())
    }

    /// The file index of the linted file in this timeline (for
    /// [`super::schema::EventId`]s).
    pub fn own_file(&self) -> usize {
        self.own
    }

    /// An `ALTER FUNCTION … SET search_path` for the (qualified) function comes
    /// after `offset` of the linted file in migration order.
    pub fn search_path_set_after(&self, function: &str, offset: usize) -> bool {
        self.files.iter().enumerate().skip(self.own).any(|(fi, f)| {
            f.search_path_set
                .iter()
                .any(|e| e.function == function && (fi > self.own || e.offset > offset))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(files: &[(&str, &str)]) -> SqlFacts {
        let mut f = SqlFacts::default();
        for (p, t) in files {
            f.insert(PathBuf::from(p), SqlFileFacts::extract(t));
        }
        f
    }

    #[test]
    fn table_events_with_search_path_and_schemas() {
        let f = SqlFileFacts::extract(
            "create table a (id int, Email text);\n\
             create temporary table tmp (id int);\n\
             create table private.p (id int);\n\
             set search_path = private, public;\n\
             create table hidden (id int);\n\
             reset search_path;\n\
             create schema app create table inner_t (id int);\n\
             alter table a add column phone text, enable row level security;\n\
             alter table public.a rename to b;\n\
             alter table b set schema private;\n\
             drop table if exists c, private.d;\n\
             create table e as select 1 as x;\n",
        );
        let got: Vec<(String, TableChange)> = f
            .tables
            .iter()
            .filter(|e| !matches!(e.change, TableChange::Schema(_)))
            .map(|e| (e.table.clone(), e.change.clone()))
            .collect();
        let create = |exposed: bool, cols: &[&str]| TableChange::Create {
            exposed,
            columns: cols.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            got,
            vec![
                ("public.a".into(), create(true, &["id", "email"])),
                ("public.tmp".into(), create(false, &["id"])),
                ("private.p".into(), create(false, &["id"])),
                ("private.hidden".into(), create(false, &["id"])),
                ("app.inner_t".into(), create(false, &["id"])),
                (
                    "public.a".into(),
                    TableChange::AddColumns(vec!["phone".into()])
                ),
                ("public.a".into(), TableChange::EnableRls),
                ("public.a".into(), TableChange::RenamedTo("public.b".into())),
                (
                    "public.b".into(),
                    TableChange::RenamedTo("private.b".into())
                ),
                ("public.c".into(), TableChange::Drop),
                ("private.d".into(), TableChange::Drop),
                ("public.e".into(), create(true, &[])),
            ]
        );
        assert!(!f.supabase_markers);
    }

    #[test]
    fn supabase_markers_outside_comments_only() {
        assert!(
            !SqlFileFacts::extract("-- uses auth.uid() later\ncreate table a (id int);")
                .supabase_markers
        );
        assert!(
            SqlFileFacts::extract(
                "create policy p on a for select\n  to   authenticated using (true);"
            )
            .supabase_markers
        );
        assert!(
            SqlFileFacts::extract("create table a (id uuid references auth.users (id));")
                .supabase_markers
        );
        assert!(SqlFileFacts::extract("grant select on a to anon;").supabase_markers);
    }

    #[test]
    fn timeline_in_migration_order_with_own_text() {
        let ws = facts(&[
            ("m/1_init.sql", "create table a (id int);\ncreate table b (id int);"),
            ("m/2_rls.sql", "alter table a enable row level security;\nalter table b enable row level security;"),
            ("m/3_off.sql", "alter table b disable row level security;\ndrop table c;"),
        ]);
        assert!(ws.rls_enabled("public.a"));
        assert!(!ws.rls_enabled("public.b"));
        // the linted file's current text replaces its stored contribution
        let own = SqlFileFacts::extract(
            "create table c (id int);\nalter table b enable row level security;",
        );
        let t = ws.timeline(Path::new("m/2_rls.sql"), &own);
        assert!(!t.rls_enabled("public.a"));
        assert!(!t.rls_enabled("public.b"));
        assert_eq!(t.fate("public.c", 7), Fate::Gone);
        // a file not in the facts goes in order of its path
        let own = SqlFileFacts::extract("create table c (id int);");
        let t = ws.timeline(Path::new("m/4_new.sql"), &own);
        assert_eq!(t.fate("public.c", 13), Fate::Alive(vec!["public.c".into()]));
    }

    #[test]
    fn cached_index_is_rebuilt_when_a_file_changes() {
        let mut ws = facts(&[("1.sql", "create table a (id int);")]);
        let own = SqlFileFacts::extract("create table a (id int);");
        // same text as stored: the workspace index is built once and reused
        assert!(!ws
            .timeline(Path::new("1.sql"), &own)
            .rls_enabled("public.a"));
        assert!(ws.index.get().is_some());
        ws.insert(
            PathBuf::from("2.sql"),
            SqlFileFacts::extract("alter table a enable row level security;"),
        );
        assert!(ws.index.get().is_none());
        assert!(ws
            .timeline(Path::new("1.sql"), &own)
            .rls_enabled("public.a"));
        ws.remove(Path::new("2.sql"));
        assert!(!ws
            .timeline(Path::new("1.sql"), &own)
            .rls_enabled("public.a"));
    }

    #[test]
    fn renames_and_moves() {
        let ws = facts(&[
            ("1.sql", "create table a (id int, email text);"),
            ("2.sql", "alter table a rename to b;\nalter table b enable row level security;\nalter table b add column phone text;"),
            ("3.sql", "create table x (id int);\nalter table x set schema private;"),
        ]);
        let own = SqlFileFacts::extract("create table a (id int, email text);");
        let t = ws.timeline(Path::new("1.sql"), &own);
        assert!(t.rls_enabled("public.a"));
        assert_eq!(
            t.fate("public.a", 13),
            Fate::Alive(vec!["public.a".into(), "public.b".into()])
        );
        assert_eq!(
            t.columns("public.b").into_iter().collect::<Vec<_>>(),
            vec!["email", "id", "phone"]
        );
        let own3 =
            SqlFileFacts::extract("create table x (id int);\nalter table x set schema private;");
        let t3 = ws.timeline(Path::new("3.sql"), &own3);
        assert_eq!(t3.fate("public.x", 13), Fate::Gone);
    }

    #[test]
    fn declared_columns_in_order_after_drops_and_renames() {
        let ws = facts(&[
            ("1.sql", "create table a (id int, Email text, name text);"),
            ("2.sql", "alter table a add column phone text;\nalter table a drop column name;\nalter table a rename column email to mail;"),
        ]);
        let own = SqlFileFacts::default();
        let t = ws.timeline(Path::new("3.sql"), &own);
        assert_eq!(
            t.declared_columns("public.a"),
            Some(vec![
                "id".to_string(),
                "mail".to_string(),
                "phone".to_string()
            ])
        );
        // near miss: a table the workspace does not create
        assert_eq!(t.declared_columns("public.b"), None);
    }

    #[test]
    fn alter_function_search_path_later() {
        let ws = facts(&[
            ("1.sql", "create function f() returns int language sql as 'select 1';"),
            ("2.sql", "alter function public.f() set search_path = '';\nalter function g reset search_path;"),
        ]);
        assert!(ws.search_path_set("public.f"));
        assert!(!ws.search_path_set("public.g"));
        let own = SqlFileFacts::default();
        let t = ws.timeline(Path::new("1.sql"), &own);
        assert!(t.search_path_set_after("public.f", 0));
        let t = ws.timeline(Path::new("3.sql"), &own);
        assert!(!t.search_path_set_after("public.f", 0));
    }

    #[test]
    fn policies_and_do_blocks() {
        let text = "create table t (id int);\nDO $$ BEGIN\n  ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n  CREATE POLICY p ON t USING (true);\nEND $$;\ncreate policy q on t using (true);";
        let own = SqlFileFacts::extract(text);
        let ws = SqlFacts::default();
        let t = ws.timeline(Path::new("x.sql"), &own);
        assert!(t.rls_enabled("public.t"));
        let first = text.find("t USING").unwrap();
        assert!(t.is_first_policy("public.t", first));
        assert!(!t.is_first_policy("public.t", text.rfind("on t").unwrap() + 3));
        assert_eq!(t.created("public.t"), Some(true));
        assert_eq!(t.created("public.zz"), None);
    }

    #[test]
    fn view_events_and_later_changes() {
        let text = "create view a with (security_invoker = on) as select 1;\n\
create or replace view private.b with (security_barrier) as select 1;\n\
create view c with (security_invoker) as select 1;\n\
create temp view t as select 1;\n\
create view d with (security_invoker = false) as select 1;\n\
alter view a set (security_invoker = off);\n\
alter view d reset (security_invoker);\n\
alter view public.c set (security_barrier = true);\n\
drop view if exists a, private.b;\n";
        let f = SqlFileFacts::extract(text);
        let got: Vec<(String, ViewChange)> = f
            .views
            .iter()
            .map(|e| (e.view.clone(), e.change.clone()))
            .collect();
        let create = |invoker| ViewChange::Create { invoker };
        assert_eq!(
            got,
            vec![
                ("public.a".into(), create(Some(true))),
                ("private.b".into(), create(None)),
                ("public.c".into(), create(Some(true))),
                ("public.d".into(), create(Some(false))),
                ("public.a".into(), ViewChange::SetInvoker(false)),
                ("public.d".into(), ViewChange::SetInvoker(false)),
                ("public.a".into(), ViewChange::Drop),
                ("private.b".into(), ViewChange::Drop),
            ]
        );
        let ws = facts(&[
            ("1.sql", "create view v as select 1;"),
            ("2.sql", "alter view v set (security_invoker = true);"),
        ]);
        let own = SqlFileFacts::extract("create view v as select 1;");
        let t = ws.timeline(Path::new("1.sql"), &own);
        assert_eq!(
            t.next_view_change("public.v", 12),
            Some(&ViewChange::SetInvoker(true))
        );
        let own2 = SqlFileFacts::extract("alter view v set (security_invoker = true);");
        let t = ws.timeline(Path::new("2.sql"), &own2);
        assert_eq!(t.next_view_change("public.v", 100), None);
    }

    #[test]
    fn policies_and_last_rls_enable() {
        let ws = facts(&[
            ("1.sql", "create table a (id int);\nalter table a enable row level security;\ncreate table b (id int);\nalter table b enable row level security;"),
            ("2.sql", "alter table b rename to c;\ncreate policy p on c using (true);\nalter table a enable row level security;"),
        ]);
        let own1 = SqlFileFacts::extract("create table a (id int);\nalter table a enable row level security;\ncreate table b (id int);\nalter table b enable row level security;");
        let t = ws.timeline(Path::new("1.sql"), &own1);
        assert!(!t.has_policy("public.a"));
        assert!(t.has_policy("public.b"));
        let first_enable = own1
            .tables
            .iter()
            .find(|e| e.change == TableChange::EnableRls)
            .unwrap();
        assert!(!t.is_last_rls_enable("public.a", first_enable.offset));
        let own2 = SqlFileFacts::extract("alter table b rename to c;\ncreate policy p on c using (true);\nalter table a enable row level security;");
        let t = ws.timeline(Path::new("2.sql"), &own2);
        let last = own2
            .tables
            .iter()
            .find(|e| e.change == TableChange::EnableRls)
            .unwrap();
        assert!(t.is_last_rls_enable("public.a", last.offset));
    }
}
