//! Which calls run raw SQL text (the query APIs) and how their receivers are recognised.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Api {
    /// node-postgres style `pool.query` / `client.query` / `db.query` (`$1` placeholders).
    PgQuery,
    /// `prisma.$queryRawUnsafe` / `$executeRawUnsafe`.
    PrismaUnsafe {
        execute: bool,
    },
    Knex,
    Sequelize,
    /// mysql2 `connection.execute` / `.query`, TypeORM `.query`, ...
    Other,
    /// postgres.js `sql.unsafe`.
    SqlUnsafe,
}

/// Whether `name` is one of `bases` (case-insensitively), possibly with a
/// camelCase or snake_case prefix (`pgPool`, `read_pool`).
fn receiver_is(name: &str, bases: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    bases.iter().any(|b| {
        if lower == *b {
            return true;
        }
        if !lower.ends_with(b) || name.len() <= b.len() {
            return false;
        }
        let cut = name.len() - b.len();
        name.is_char_boundary(cut)
            && (name[cut..].starts_with(|c: char| c.is_ascii_uppercase())
                || name[..cut].ends_with('_'))
    })
}

/// The raw query API called by `call`, with a display name for the message.
pub(super) fn api_of(call: Node, src: &Script<'_>) -> Option<(Api, String)> {
    // `await prisma.$queryRawUnsafe<T>(…)` parses as `(await prisma.$queryRawUnsafe)<T>(…)`.
    let callee = ast::unwrap_expr(call.field(Field::Function)?);
    if callee.kind_name() != "member_expression" {
        return None;
    }
    let method = ast::text(callee.field(Field::Property)?, src);
    let object = callee.field(Field::Object)?;
    if let m @ ("$queryRawUnsafe" | "$executeRawUnsafe") = method {
        let api = Api::PrismaUnsafe {
            execute: m == "$executeRawUnsafe",
        };
        let who = ast::member_path(object, src)
            .and_then(|p| p.rsplit('.').next().map(str::to_string))
            .unwrap_or_else(|| "prisma".to_string());
        return Some((api, format!("{who}.{method}")));
    }
    // Cheap exit before building the receiver's path (most calls are other methods).
    if !matches!(method, "query" | "execute" | "raw" | "unsafe") {
        return None;
    }
    let path = ast::member_path(object, src)?;
    let receiver = path.rsplit('.').next().unwrap_or("");
    let api = match method {
        "query" if receiver_is(receiver, &["pool", "client", "db"]) => Api::PgQuery,
        "query" if receiver_is(receiver, &["sequelize"]) => Api::Sequelize,
        "query"
            if receiver_is(
                receiver,
                &[
                    "connection",
                    "conn",
                    "tx",
                    "trx",
                    "manager",
                    "datasource",
                    "queryrunner",
                ],
            ) =>
        {
            Api::Other
        }
        "execute" if receiver_is(receiver, &["connection", "conn", "pool", "db", "client"]) => {
            Api::Other
        }
        "raw" if receiver_is(receiver, &["knex", "db", "trx"]) => Api::Knex,
        "unsafe" if receiver_is(receiver, &["sql"]) => Api::SqlUnsafe,
        _ => return None,
    };
    Some((api, format!("{receiver}.{method}")))
}
