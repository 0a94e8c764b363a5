//! The workspace schema model: per table its columns (in declared order), keys
//! (primary key, unique constraints, indexes) and foreign keys, from `CREATE
//! TABLE`, `ALTER TABLE … ADD/DROP COLUMN`, `ADD/DROP CONSTRAINT`, `CREATE
//! [UNIQUE] INDEX`, `DROP INDEX` and the renames of columns, constraints and
//! indexes.
//!
//! Extraction ([`events`]) adds [`SchemaChange`]s to a file's table events
//! (`TableChange::Schema`), so they share the migration order, the renames and
//! the drops of tables with the other facts. [`Schema::fold`] replays every
//! file's events in migration order into the final state the rules judge
//! (`Timeline::schema`).

use super::facts::{qualified, schema_of, string_value, TableChange, TableEvent};
use super::SqlStatement;
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{
    AlterTableType, ColumnDef, ConstrType, Constraint, Node, ObjectType, RangeVar, TypeName,
};
use std::collections::HashMap;

/// A column as declared (or added).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    /// Lower-cased unless quoted (the parser folds unquoted names).
    pub name: String,
    /// The type as PostgreSQL names it: `int4`, `timestamp(3)`, `text[]`,
    /// `timestamptz` (`pg_catalog.` dropped; `timestamp without time zone` is
    /// `timestamp`).
    pub type_name: String,
    /// `NOT NULL` or `PRIMARY KEY`.
    pub not_null: bool,
    /// `DEFAULT`, identity, generated, or a `serial` type.
    pub has_default: bool,
    /// File offset of the column's name.
    pub offset: usize,
    /// File offset of the type's first token.
    pub type_offset: usize,
}

/// What kind of index a key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Primary,
    Unique,
    /// `CREATE [UNIQUE] INDEX` (`unique` says which).
    Index {
        unique: bool,
    },
}

/// A primary key, unique constraint or index on a table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: KeyKind,
    /// The constraint's or index's name (PostgreSQL's default name when none is
    /// given: `t_pkey`, `t_a_b_key`, `t_a_idx`).
    pub name: String,
    /// Its leading plain columns, up to the first expression.
    pub columns: Vec<String>,
    /// Not every entry is a plain column (an expression), or the index is
    /// partial (`WHERE`): it does not identify every row by `columns`.
    pub partial: bool,
}

/// A foreign key on a table.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The referenced table (qualified).
    pub references: String,
}

/// What a statement does to a table's schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SchemaChange {
    /// The columns of a `CREATE TABLE`, in declared order.
    Columns(Vec<Column>),
    AddColumn(Column),
    DropColumn(String),
    RenameColumn {
        from: String,
        to: String,
    },
    /// A primary key, unique constraint or index (from any statement).
    Key(Key),
    /// `ADD PRIMARY KEY / UNIQUE USING INDEX name`: the index becomes the key.
    KeyUsingIndex {
        kind: KeyKind,
        name: String,
        index: String,
    },
    /// The event's offset is where the foreign key is written (the column's
    /// name for a column constraint, else the constraint).
    ForeignKey(ForeignKey),
    DropConstraint(String),
    RenameConstraint {
        from: String,
        to: String,
    },
    /// `DROP INDEX`: the event's table is the index's qualified name.
    DropIndex,
    /// `ALTER INDEX … RENAME TO`: the event's table is the index's old
    /// qualified name; this is the new bare name.
    RenameIndex(String),
}

/// Lower-cased type name with modifiers and array bounds.
pub fn type_text(t: &TypeName) -> String {
    let names: Vec<String> = t
        .names
        .iter()
        .filter_map(string_value)
        .filter(|n| n != "pg_catalog")
        .collect();
    let mut out = names.join(".");
    let mods: Vec<String> = t
        .typmods
        .iter()
        .filter_map(|m| match m.node.as_ref()? {
            NodeEnum::AConst(c) => match c.val.as_ref()? {
                pg_query::protobuf::a_const::Val::Ival(i) => Some(i.ival.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if !mods.is_empty() {
        out.push_str(&format!("({})", mods.join(",")));
    }
    for _ in &t.array_bounds {
        out.push_str("[]");
    }
    out
}

fn names(items: &[Node]) -> Vec<String> {
    items.iter().filter_map(string_value).collect()
}

fn bare(table: &str) -> &str {
    table.split_once('.').map_or(table, |(_, n)| n)
}

/// PostgreSQL's default name for a constraint or index (`ChooseRelationName`,
/// without the 63-byte truncation and the numbering of clashes).
fn default_name(table: &str, columns: &[String], suffix: &str) -> String {
    let mut parts = vec![bare(table).to_string()];
    parts.extend(columns.iter().cloned());
    parts.push(suffix.to_string());
    parts.join("_")
}

fn constr(c: i32, t: ConstrType) -> bool {
    c == t as i32
}

fn column(c: &ColumnDef, stmt: &SqlStatement) -> Column {
    let cons = c.constraints.iter().filter_map(|n| match n.node.as_ref()? {
        NodeEnum::Constraint(k) => Some(k.contype),
        _ => None,
    });
    let mut not_null = c.is_not_null;
    let mut has_default = c.raw_default.is_some() || !c.identity.is_empty();
    for k in cons {
        not_null |= constr(k, ConstrType::ConstrNotnull) || constr(k, ConstrType::ConstrPrimary);
        has_default |= constr(k, ConstrType::ConstrDefault)
            || constr(k, ConstrType::ConstrIdentity)
            || constr(k, ConstrType::ConstrGenerated);
    }
    let type_name = c.type_name.as_ref().map(type_text).unwrap_or_default();
    has_default |= matches!(
        type_name.as_str(),
        "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
    );
    Column {
        name: c.colname.clone(),
        type_name,
        not_null,
        has_default,
        offset: stmt.offset(c.location),
        type_offset: stmt.offset(c.type_name.as_ref().map_or(-1, |t| t.location)),
    }
}

/// The changes a table constraint (or a column's constraint, `column` set)
/// makes, with their offsets.
fn constraint(
    k: &Constraint,
    table: &str,
    column: Option<&ColumnDef>,
    stmt: &SqlStatement,
    resolve: &dyn Fn(&RangeVar) -> Option<String>,
) -> Option<(SchemaChange, usize)> {
    let cols = match column {
        Some(c) => vec![c.colname.clone()],
        None => names(&k.keys),
    };
    let named = |suffix: &str, cols: &[String]| {
        if k.conname.is_empty() {
            default_name(table, cols, suffix)
        } else {
            k.conname.clone()
        }
    };
    let at = stmt.offset(k.location);
    let key_kind = if constr(k.contype, ConstrType::ConstrPrimary) {
        KeyKind::Primary
    } else if constr(k.contype, ConstrType::ConstrUnique) {
        KeyKind::Unique
    } else if constr(k.contype, ConstrType::ConstrForeign) {
        let cols = match column {
            Some(c) => vec![c.colname.clone()],
            None => names(&k.fk_attrs),
        };
        let references = k.pktable.as_ref().and_then(resolve)?;
        let offset = column.map_or(at, |c| stmt.offset(c.location));
        let fk = ForeignKey {
            name: named("fkey", &cols),
            columns: cols,
            references,
        };
        return Some((SchemaChange::ForeignKey(fk), offset));
    } else {
        return None;
    };
    let name = if key_kind == KeyKind::Primary {
        if k.conname.is_empty() {
            format!("{}_pkey", bare(table))
        } else {
            k.conname.clone()
        }
    } else {
        named("key", &cols)
    };
    if !k.indexname.is_empty() {
        return Some((
            SchemaChange::KeyUsingIndex {
                kind: key_kind,
                name,
                index: k.indexname.clone(),
            },
            at,
        ));
    }
    Some((
        SchemaChange::Key(Key {
            kind: key_kind,
            name,
            columns: cols,
            partial: false,
        }),
        at,
    ))
}

fn column_changes(
    c: &ColumnDef,
    table: &str,
    stmt: &SqlStatement,
    resolve: &dyn Fn(&RangeVar) -> Option<String>,
    out: &mut Vec<(SchemaChange, usize)>,
) {
    for k in &c.constraints {
        if let Some(NodeEnum::Constraint(k)) = k.node.as_ref() {
            out.extend(constraint(k, table, Some(c), stmt, resolve));
        }
    }
}

/// Appends the schema changes of one statement to `tables` (as
/// `TableChange::Schema` events). `resolve` qualifies a table name with the
/// search path; `first_schema` is where unqualified index names live.
pub fn events(
    node: &NodeEnum,
    stmt: &SqlStatement,
    resolve: &dyn Fn(&RangeVar) -> Option<String>,
    first_schema: Option<&str>,
    tables: &mut Vec<TableEvent>,
) {
    let mut out: Vec<(SchemaChange, usize)> = Vec::new();
    let table = match node {
        NodeEnum::CreateStmt(c) => {
            let Some(table) = c.relation.as_ref().and_then(resolve) else {
                return;
            };
            let mut cols = Vec::new();
            let mut rest = Vec::new();
            for elt in &c.table_elts {
                match elt.node.as_ref() {
                    Some(NodeEnum::ColumnDef(d)) => {
                        cols.push(column(d, stmt));
                        column_changes(d, &table, stmt, resolve, &mut rest);
                    }
                    Some(NodeEnum::Constraint(k)) => {
                        rest.extend(constraint(k, &table, None, stmt, resolve));
                    }
                    _ => {}
                }
            }
            let at = stmt.offset(c.relation.as_ref().map_or(-1, |r| r.location));
            out.push((SchemaChange::Columns(cols), at));
            out.extend(rest);
            table
        }
        NodeEnum::AlterTableStmt(a) if a.objtype == ObjectType::ObjectTable as i32 => {
            let Some(table) = a.relation.as_ref().and_then(resolve) else {
                return;
            };
            let at = stmt.offset(a.relation.as_ref().map_or(-1, |r| r.location));
            for cmd in &a.cmds {
                let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                    continue;
                };
                let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
                let sub = cmd.subtype;
                if sub == AlterTableType::AtAddColumn as i32 {
                    if let Some(NodeEnum::ColumnDef(d)) = def {
                        let col = column(d, stmt);
                        let offset = col.offset;
                        out.push((SchemaChange::AddColumn(col), offset));
                        column_changes(d, &table, stmt, resolve, &mut out);
                    }
                } else if sub == AlterTableType::AtDropColumn as i32 {
                    out.push((SchemaChange::DropColumn(cmd.name.clone()), at));
                } else if sub == AlterTableType::AtAddConstraint as i32 {
                    if let Some(NodeEnum::Constraint(k)) = def {
                        out.extend(constraint(k, &table, None, stmt, resolve));
                    }
                } else if sub == AlterTableType::AtDropConstraint as i32 {
                    out.push((SchemaChange::DropConstraint(cmd.name.clone()), at));
                }
            }
            table
        }
        NodeEnum::IndexStmt(i) => {
            let Some(table) = i.relation.as_ref().and_then(resolve) else {
                return;
            };
            let mut columns = Vec::new();
            let partial = i.where_clause.is_some()
                || i.index_params.iter().any(|p| {
                    !matches!(p.node.as_ref(), Some(NodeEnum::IndexElem(e)) if !e.name.is_empty())
                });
            for p in &i.index_params {
                match p.node.as_ref() {
                    Some(NodeEnum::IndexElem(e)) if !e.name.is_empty() => {
                        columns.push(e.name.clone())
                    }
                    _ => break,
                }
            }
            let name = if i.idxname.is_empty() {
                let suffix = if i.primary {
                    "pkey"
                } else if i.unique {
                    "key"
                } else {
                    "idx"
                };
                default_name(&table, &columns, suffix)
            } else {
                i.idxname.clone()
            };
            let at = stmt.offset(i.relation.as_ref().map_or(-1, |r| r.location));
            out.push((
                SchemaChange::Key(Key {
                    kind: KeyKind::Index { unique: i.unique },
                    name,
                    columns,
                    partial,
                }),
                at,
            ));
            table
        }
        NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectIndex as i32 => {
            for obj in &d.objects {
                if let Some(NodeEnum::List(list)) = &obj.node {
                    let parts = names(&list.items);
                    let index = match parts.as_slice() {
                        [name] => first_schema.map(|s| qualified(s, name)),
                        [schema, name] => Some(qualified(schema, name)),
                        _ => None,
                    };
                    if let Some(index) = index {
                        tables.push(TableEvent {
                            table: index,
                            change: TableChange::Schema(SchemaChange::DropIndex),
                            offset: stmt.range.start,
                        });
                    }
                }
            }
            return;
        }
        NodeEnum::RenameStmt(r) => {
            let Some(rel) = r.relation.as_ref() else {
                return;
            };
            let Some(name) = resolve(rel) else { return };
            let at = stmt.offset(rel.location);
            let change = if r.rename_type == ObjectType::ObjectIndex as i32 {
                SchemaChange::RenameIndex(r.newname.clone())
            } else if r.rename_type == ObjectType::ObjectColumn as i32 {
                SchemaChange::RenameColumn {
                    from: r.subname.clone(),
                    to: r.newname.clone(),
                }
            } else if r.rename_type == ObjectType::ObjectTabconstraint as i32 {
                SchemaChange::RenameConstraint {
                    from: r.subname.clone(),
                    to: r.newname.clone(),
                }
            } else {
                return;
            };
            out.push((change, at));
            name
        }
        _ => return,
    };
    for (change, offset) in out {
        tables.push(TableEvent {
            table: table.clone(),
            change: TableChange::Schema(change),
            offset,
        });
    }
}

/// Where an event is: (file index in the timeline, event index in that file).
pub type EventId = (usize, usize);

/// A table's final state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableState {
    /// In declared order (added columns last), dropped ones removed.
    pub columns: Vec<Column>,
    pub keys: Vec<Key>,
    /// With the event that declared each.
    pub foreign_keys: Vec<(EventId, ForeignKey)>,
}

impl TableState {
    pub fn primary_key(&self) -> Option<&Key> {
        self.keys.iter().find(|k| k.kind == KeyKind::Primary)
    }

    /// A unique constraint or index over `NOT NULL` columns only (no
    /// expression, not partial): it identifies every row as a primary key would.
    pub fn has_not_null_unique_key(&self) -> bool {
        self.keys.iter().any(|k| {
            matches!(k.kind, KeyKind::Unique | KeyKind::Index { unique: true })
                && !k.partial
                && !k.columns.is_empty()
                && k.columns.iter().all(|c| {
                    self.columns
                        .iter()
                        .any(|col| &col.name == c && col.not_null)
                })
        })
    }

    /// Some key (primary key, unique constraint, index) starts with one of
    /// `columns`: lookups by `columns` (a foreign key's) use it.
    pub fn has_key_starting_with_any(&self, columns: &[String]) -> bool {
        self.keys
            .iter()
            .any(|k| k.columns.first().is_some_and(|c| columns.contains(c)))
    }

    /// Some key's (primary key, unique constraint, index) leading columns are
    /// exactly `columns`, in any order.
    pub fn has_key_leading(&self, columns: &[String]) -> bool {
        !columns.is_empty()
            && self.keys.iter().any(|k| {
                k.columns.len() >= columns.len()
                    && k.columns[..columns.len()]
                        .iter()
                        .all(|c| columns.contains(c))
                    && columns
                        .iter()
                        .all(|c| k.columns[..columns.len()].contains(c))
            })
    }

    fn drop_column(&mut self, name: &str) {
        self.columns.retain(|c| c.name != name);
        self.keys.retain(|k| !k.columns.iter().any(|c| c == name));
        self.foreign_keys
            .retain(|(_, f)| !f.columns.iter().any(|c| c == name));
    }

    fn rename_column(&mut self, from: &str, to: &str) {
        let rename = |c: &mut String| {
            if c == from {
                *c = to.to_string();
            }
        };
        for c in &mut self.columns {
            rename(&mut c.name);
        }
        for k in &mut self.keys {
            k.columns.iter_mut().for_each(rename);
        }
        for (_, f) in &mut self.foreign_keys {
            f.columns.iter_mut().for_each(rename);
        }
    }
}

/// The final schema of the workspace (every file's events replayed in order).
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub tables: HashMap<String, TableState>,
    /// Which table holds each live foreign key, by the event that declared it.
    fk_table: HashMap<EventId, String>,
}

impl Schema {
    /// Replays `events` (in migration order) into the final state.
    pub fn fold<'a>(events: impl Iterator<Item = (EventId, &'a TableEvent)>) -> Schema {
        let mut tables: HashMap<String, TableState> = HashMap::new();
        for (id, e) in events {
            let t = e.table.as_str();
            match &e.change {
                TableChange::Create { .. } => {
                    tables.insert(t.to_string(), TableState::default());
                }
                TableChange::Drop => {
                    tables.remove(t);
                }
                TableChange::RenamedTo(new) => {
                    if let Some(state) = tables.remove(t) {
                        tables.insert(new.clone(), state);
                    }
                }
                TableChange::Schema(SchemaChange::DropIndex) => {
                    let schema = schema_of(t);
                    let name = bare(t);
                    for (table, state) in tables.iter_mut() {
                        if schema_of(table) == schema {
                            state.keys.retain(|k| {
                                !(matches!(k.kind, KeyKind::Index { .. }) && k.name == name)
                            });
                        }
                    }
                }
                TableChange::Schema(SchemaChange::RenameIndex(new)) => {
                    let schema = schema_of(t);
                    let name = bare(t);
                    for (table, state) in tables.iter_mut() {
                        if schema_of(table) == schema {
                            for k in state.keys.iter_mut().filter(|k| k.name == name) {
                                k.name = new.clone();
                            }
                        }
                    }
                }
                TableChange::Schema(change) => {
                    let state = tables.entry(t.to_string()).or_default();
                    apply(state, change, id);
                }
                _ => {}
            }
        }
        let mut fk_table = HashMap::new();
        for (name, state) in &tables {
            for (id, _) in &state.foreign_keys {
                fk_table.insert(*id, name.clone());
            }
        }
        Schema { tables, fk_table }
    }

    /// The table and foreign key declared by event `id`, if it is still there
    /// at the end.
    pub fn foreign_key(&self, id: EventId) -> Option<(&str, &TableState, &ForeignKey)> {
        let table = self.fk_table.get(&id)?;
        let state = self.tables.get(table)?;
        let fk = state
            .foreign_keys
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, f)| f)?;
        Some((table.as_str(), state, fk))
    }
}

fn apply(state: &mut TableState, change: &SchemaChange, id: EventId) {
    match change {
        SchemaChange::Columns(cols) => state.columns = cols.clone(),
        SchemaChange::AddColumn(c) => {
            state.columns.retain(|x| x.name != c.name);
            state.columns.push(c.clone());
        }
        SchemaChange::DropColumn(name) => state.drop_column(name),
        SchemaChange::RenameColumn { from, to } => state.rename_column(from, to),
        SchemaChange::Key(k) => {
            state.keys.retain(|x| x.name != k.name);
            state.keys.push(k.clone());
        }
        SchemaChange::KeyUsingIndex { kind, name, index } => {
            if let Some(k) = state.keys.iter_mut().find(|k| &k.name == index) {
                k.kind = *kind;
                k.name = name.clone();
            }
        }
        SchemaChange::ForeignKey(fk) => {
            state.foreign_keys.retain(|(_, f)| f.name != fk.name);
            state.foreign_keys.push((id, fk.clone()));
        }
        SchemaChange::DropConstraint(name) => {
            state
                .keys
                .retain(|k| matches!(k.kind, KeyKind::Index { .. }) || &k.name != name);
            state.foreign_keys.retain(|(_, f)| &f.name != name);
        }
        SchemaChange::RenameConstraint { from, to } => {
            for k in state.keys.iter_mut().filter(|k| &k.name == from) {
                k.name = to.clone();
            }
            for (_, f) in state
                .foreign_keys
                .iter_mut()
                .filter(|(_, f)| &f.name == from)
            {
                f.name = to.clone();
            }
        }
        SchemaChange::DropIndex | SchemaChange::RenameIndex(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::facts::{SqlFacts, SqlFileFacts};
    use std::path::{Path, PathBuf};

    fn workspace(files: &[(&str, &str)]) -> SqlFacts {
        let mut f = SqlFacts::default();
        for (p, t) in files {
            f.insert(PathBuf::from(p), SqlFileFacts::extract(t));
        }
        f
    }

    fn final_state(files: &[(&str, &str)], table: &str) -> Option<TableState> {
        let ws = workspace(files);
        let own = SqlFileFacts::default();
        let t = ws.timeline(Path::new("zzz.sql"), &own);
        t.schema().tables.get(table).cloned()
    }

    fn key_names(s: &TableState) -> Vec<(&str, Vec<&str>)> {
        s.keys
            .iter()
            .map(|k| {
                (
                    k.name.as_str(),
                    k.columns.iter().map(String::as_str).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn columns_in_declared_order_with_types_and_defaults() {
        let s = final_state(
            &[(
                "1.sql",
                "create table t (id serial primary key, \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, b timestamp without time zone, c timestamptz, tags text[], n integer not null);\nalter table t add column z int default 0;\nalter table t drop column b;",
            )],
            "public.t",
        )
        .unwrap();
        let cols: Vec<(&str, &str, bool, bool)> = s
            .columns
            .iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    c.type_name.as_str(),
                    c.not_null,
                    c.has_default,
                )
            })
            .collect();
        assert_eq!(
            cols,
            vec![
                ("id", "serial", true, true),
                ("createdAt", "timestamp(3)", true, true),
                ("c", "timestamptz", false, false),
                ("tags", "text[]", false, false),
                ("n", "int4", true, false),
                ("z", "int4", false, true),
            ]
        );
        assert_eq!(s.primary_key().map(|k| k.name.as_str()), Some("t_pkey"));
    }

    #[test]
    fn primary_keys_in_every_form_and_a_table_without() {
        let files = [
            ("1.sql", "create table a (id int primary key);\ncreate table b (x int, y int, constraint b_pk primary key (x, y));\ncreate table c (id int);\ncreate table d (id int);\ncreate table e (id int);"),
            ("2.sql", "alter table c add primary key (id);\nalter table d add constraint d_pkey primary key (id);\ncreate unique index e_id on e (id);\nalter table e add constraint e_pk primary key using index e_id;"),
        ];
        for (t, name) in [
            ("a", "a_pkey"),
            ("b", "b_pk"),
            ("c", "c_pkey"),
            ("d", "d_pkey"),
            ("e", "e_pk"),
        ] {
            let s = final_state(&files, &format!("public.{t}")).unwrap();
            assert_eq!(s.primary_key().map(|k| k.name.as_str()), Some(name), "{t}");
        }
        // near miss: a unique constraint is not a primary key; a dropped one is gone
        let s = final_state(
            &[("1.sql", "create table u (id int unique, k int);\nalter table u add constraint u_pkey primary key (k);\nalter table u drop constraint u_pkey;")],
            "public.u",
        )
        .unwrap();
        assert_eq!(s.primary_key(), None);
        assert_eq!(key_names(&s), vec![("u_id_key", vec!["id"])]);
    }

    #[test]
    fn indexes_created_renamed_and_dropped() {
        let s = final_state(
            &[
                ("1.sql", "create table t (a int, b int, c int);\ncreate index on t (a, b);\ncreate unique index \"t_c\" on public.t (c);\ncreate index t_expr on t (lower(b::text), a);\ncreate index t_old on t (b);"),
                ("2.sql", "alter index t_old rename to t_new;\ndrop index if exists public.t_c;"),
                ("3.sql", "alter table t rename column a to a2;"),
            ],
            "public.t",
        )
        .unwrap();
        assert_eq!(
            key_names(&s),
            vec![
                ("t_a_b_idx", vec!["a2", "b"]),
                ("t_expr", vec![]),
                ("t_new", vec!["b"])
            ]
        );
        assert!(s.has_key_leading(&["b".into(), "a2".into()]));
        assert!(s.has_key_leading(&["a2".into()]));
        // near miss: a column that is second in an index is not leading
        let s = final_state(
            &[(
                "1.sql",
                "create table t (a int, b int);\ncreate index i on t (a, b);",
            )],
            "public.t",
        )
        .unwrap();
        assert!(!s.has_key_leading(&["b".into()]));
        assert!(!s.has_key_leading(&[]));
        assert!(s.has_key_starting_with_any(&["x".into(), "a".into()]));
        assert!(!s.has_key_starting_with_any(&["b".into()]));
    }

    #[test]
    fn foreign_keys_declared_dropped_and_renamed_with_the_table() {
        let ws = workspace(&[
            ("1.sql", "create table u (id int primary key);\ncreate table p (id int, owner int references u, team int, constraint p_team_fk foreign key (team) references public.u (id));\nalter table p add column editor int references u (id);\nALTER TABLE \"p\" ADD CONSTRAINT \"p_x_fkey\" FOREIGN KEY (\"id\") REFERENCES \"u\"(\"id\");"),
            ("2.sql", "alter table p drop constraint p_team_fk;\nalter table p rename to posts;"),
        ]);
        let files_facts = SqlFileFacts::extract("create table u (id int primary key);\ncreate table p (id int, owner int references u, team int, constraint p_team_fk foreign key (team) references public.u (id));\nalter table p add column editor int references u (id);\nALTER TABLE \"p\" ADD CONSTRAINT \"p_x_fkey\" FOREIGN KEY (\"id\") REFERENCES \"u\"(\"id\");");
        let t = ws.timeline(Path::new("1.sql"), &files_facts);
        let schema = t.schema();
        let mut live = Vec::new();
        for (ei, e) in files_facts.tables.iter().enumerate() {
            if let TableChange::Schema(SchemaChange::ForeignKey(_)) = e.change {
                if let Some((table, _, fk)) = schema.foreign_key((t.own_file(), ei)) {
                    live.push((table.to_string(), fk.name.clone(), fk.columns.clone()));
                }
            }
        }
        assert_eq!(
            live,
            vec![
                (
                    "public.posts".into(),
                    "p_owner_fkey".into(),
                    vec!["owner".to_string()]
                ),
                (
                    "public.posts".into(),
                    "p_editor_fkey".into(),
                    vec!["editor".to_string()]
                ),
                (
                    "public.posts".into(),
                    "p_x_fkey".into(),
                    vec!["id".to_string()]
                ),
            ]
        );
        // near miss: a dropped table takes its foreign keys along
        let s = final_state(
            &[(
                "1.sql",
                "create table a (id int references b);\ndrop table a;",
            )],
            "public.a",
        );
        assert_eq!(s, None);
    }
}
