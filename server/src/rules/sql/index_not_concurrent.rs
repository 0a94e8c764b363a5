use super::migration_common::{relation_range, MigrationFile, Transaction};
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::TableChange;
use crate::sql::layout::MigrationTool;
use crate::sql::schema::{KeyKind, SchemaChange};
use crate::sql::{lex, SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "index-not-concurrent",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary: "CREATE INDEX without CONCURRENTLY on an existing table, or CONCURRENTLY inside a transaction",
        docs: DOCS,
        triggers: &["index"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags `CREATE [UNIQUE] INDEX` without `CONCURRENTLY` on a table that is not
created earlier in the same file, and `CREATE INDEX CONCURRENTLY` where it runs
inside a transaction block, which PostgreSQL rejects (`CREATE INDEX CONCURRENTLY
cannot run inside a transaction block`): after a `BEGIN` / `START TRANSACTION`
(until `COMMIT` / `ROLLBACK`), in a `DO` block, or in a migration its tool runs
in a transaction — a drizzle migration (the migrator runs pending files in one
transaction) or a Prisma `migration.sql` with more than one statement (Prisma
sends the file as one multi-statement query, an implicit transaction; a file
holding only the `CREATE INDEX CONCURRENTLY` works).

Levels: `warn` for a missing `CONCURRENTLY` in SQL you write (Supabase
migrations, plain `migrations/` folders, scripts); `info` in Prisma and drizzle
migrations, which their tools generate for every `@@index` / `index()` (and run
in a transaction when the file has other statements; the message then says how
to do it concurrently: the statement in a migration of its own); `error` for
`CONCURRENTLY` in a transaction (the migration fails).

Where this differs from squawk: squawk's `require-concurrent-index-creation`
also flags indexes on tables created in the same file unless the file is
assumed to run in a transaction. prodlint does not: a table created a few
statements earlier is empty (or nearly, filled by the same migration), so the
index build locks nothing worth avoiding, and `CONCURRENTLY` there would only
slow the migration down. squawk's
`ban-concurrent-index-creation-in-transaction` is this rule's error case;
prodlint recognises the transaction from the file's `BEGIN` and from the
migration tool (by the path: `prisma/migrations/*/migration.sql`, `drizzle/`),
where squawk needs `--assume-in-transaction`.

## Why is this bad?
A plain `CREATE INDEX` takes a `SHARE` lock on the table for the whole build:
every `INSERT`, `UPDATE` and `DELETE` waits, for minutes on a large table, and
the application's writes time out while the migration runs. `CREATE INDEX
CONCURRENTLY` builds the index without blocking writes.

## Examples
```sql flagged lines=1 path=supabase/migrations/20240301000000_orders_idx.sql
create index orders_customer_idx on public.orders (customer_id);
```

```sql ok path=supabase/migrations/20240301000000_orders.sql
create table public.orders (id bigint primary key, customer_id uuid);
create index orders_customer_idx on public.orders (customer_id);
create index concurrently if not exists invoices_customer_idx on public.invoices (customer_id);
```

```sql flagged lines=2 path=supabase/migrations/20240301000000_orders_idx.sql
begin;
create index concurrently orders_customer_idx on public.orders (customer_id);
commit;
```

## Fix
Unsafe: adds `CONCURRENTLY` after `INDEX` (offered only outside transactions).
A concurrent build takes longer, and if it fails it leaves an `INVALID` index
behind that must be dropped before retrying; some migration runners need the
statement in a file of its own.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let own = sql.own_facts(cx.source);
    let file = MigrationFile::new(&cx.project_path(), sql, own);
    let layout = file.layout;
    let src = cx.source;
    // The indexed table of each CREATE INDEX, qualified as the facts have it,
    // by the offset of its name.
    let mut indexed: Vec<(usize, &str)> = own
        .tables
        .iter()
        .filter_map(|e| match &e.change {
            TableChange::Schema(SchemaChange::Key(k))
                if matches!(k.kind, KeyKind::Index { .. }) =>
            {
                Some((e.offset, e.table.as_str()))
            }
            _ => None,
        })
        .collect();
    indexed.sort_unstable();
    for stmt in &sql.statements {
        let Some(NodeEnum::IndexStmt(index)) = stmt.kind() else {
            continue;
        };
        let tx = file.transaction_of(stmt);
        if index.concurrent {
            let Some(tx) = tx else { continue };
            let Some(word) = lex::tokens(src, stmt.range.clone())
                .into_iter()
                .find(|t| t.is_word(src, "concurrently"))
            else {
                continue;
            };
            let why = match tx {
                Transaction::Explicit => "inside the `BEGIN` … `COMMIT` block".to_string(),
                Transaction::DoBlock => "inside a `DO` block (a function runs in a transaction)".to_string(),
                Transaction::Tool(MigrationTool::Prisma) => "in a Prisma migration with other statements (Prisma runs the file as one implicit transaction)".to_string(),
                Transaction::Tool(tool) => format!("in a {} migration (the migrator runs it in a transaction)", tool_name(tool)),
            };
            cx.report(
                word.range,
                format!("`CREATE INDEX CONCURRENTLY` cannot run inside a transaction block, and this one is {why}: the migration fails. Put the statement in a migration of its own, outside any transaction."),
            )
            .with_level(Level::Error);
            continue;
        }
        let at = indexed.partition_point(|(o, _)| *o < stmt.range.start);
        let Some(&(_, table)) = indexed.get(at).filter(|(o, _)| *o < stmt.range.end) else {
            continue;
        };
        if file.created_before(table, stmt.range.start) {
            continue;
        }
        let Some(name_end) = relation_range(src, stmt).map(|r| r.end) else {
            continue;
        };
        let range = stmt.range.start..name_end;
        // Prisma and drizzle write these statements themselves for every
        // `@@index` / `index()`: info there.
        let generated = matches!(
            layout.tool,
            Some(MigrationTool::Prisma | MigrationTool::Drizzle)
        );
        let level = if generated { Level::Info } else { Level::Warn };
        match tx {
            Some(Transaction::Tool(tool)) => {
                cx.report(
                    range,
                    format!("`CREATE INDEX` without `CONCURRENTLY` blocks writes to `{table}` while the index builds, and this {} migration runs in a transaction, where `CONCURRENTLY` is not allowed. On a large table, create the index `CONCURRENTLY` in a migration of its own (holding only that statement).", tool_name(tool)),
                )
                .with_level(level);
            }
            Some(Transaction::Explicit | Transaction::DoBlock) => {
                cx.report(
                    range,
                    format!("`CREATE INDEX` without `CONCURRENTLY` blocks writes to `{table}` while the index builds. It runs inside a transaction here, where `CONCURRENTLY` is not allowed: move it out of the transaction and add `CONCURRENTLY`."),
                )
                .with_level(level);
            }
            None => {
                let fix = concurrently_fix(src, stmt);
                let d = cx.report(
                    range,
                    format!("`CREATE INDEX` without `CONCURRENTLY` blocks writes to `{table}` while the index builds (minutes on a large table). Use `CREATE INDEX CONCURRENTLY`."),
                );
                d.with_level(level);
                if let Some(fix) = fix {
                    d.with_fix(fix);
                }
            }
        }
    }
}

fn tool_name(tool: MigrationTool) -> &'static str {
    match tool {
        MigrationTool::Prisma => "Prisma",
        MigrationTool::Drizzle => "drizzle",
        MigrationTool::Supabase => "Supabase",
        MigrationTool::Plain => "",
    }
}

/// ` CONCURRENTLY` after the `INDEX` keyword, in the statement's keyword case.
fn concurrently_fix(src: &str, stmt: &SqlStatement) -> Option<Fix> {
    let tokens = lex::tokens(src, stmt.range.clone());
    let index = tokens.iter().find(|t| t.is_word(src, "index"))?;
    let lower = index.text(src).chars().all(|c| c.is_ascii_lowercase());
    Some(Fix::unsafe_(
        "Create the index concurrently",
        vec![Edit::insert(
            index.range.end,
            format!(" {}", lex::keyword_case("CONCURRENTLY", lower)),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "index-not-concurrent";
    const P: &str = "supabase/migrations/20240101000000_idx.sql";
    const PRISMA: &str = "prisma/migrations/20240101000000_idx/migration.sql";
    const DRIZZLE: &str = "drizzle/0003_brave_wolf.sql";

    #[test]
    fn flags_plain_index_on_an_existing_table() {
        let text = "create index orders_customer_idx on public.orders (customer_id);\nCREATE UNIQUE INDEX IF NOT EXISTS \"User_email_key\" ON \"User\"(\"email\");\ncreate index on orders using gin (tags);\n";
        let got = assert_flags(R, P, text, 3);
        assert_eq!(
            got,
            vec![
                "create index orders_customer_idx on public.orders",
                "CREATE UNIQUE INDEX IF NOT EXISTS \"User_email_key\" ON \"User\"",
                "create index on orders",
            ]
        );
        let found = findings(R, P, text);
        assert!(found.iter().all(|d| d.level == Level::Warn));
        assert!(found[0].message.contains("`public.orders`"));
    }

    #[test]
    fn near_miss_table_created_earlier_in_the_file() {
        assert_clean(R, P, "create table orders (id int, c int);\ncreate index on orders (c);\nCREATE TABLE \"User\" (\"email\" TEXT);\nCREATE UNIQUE INDEX \"User_email_key\" ON public.\"User\"(\"email\");");
        assert_clean(
            R,
            P,
            "create index concurrently if not exists i on orders (c);",
        );
        // comments are not code
        assert_clean(R, P, "-- create index i on orders (c);\nselect 1;");
        // near miss of the near miss: created after the index, or in another file
        assert_flags(
            R,
            P,
            "create index i on orders (c);\ncreate table orders (id int, c int);",
            1,
        );
        assert_flags(
            R,
            P,
            "create table other (id int);\ncreate index i on orders (c);",
            1,
        );
    }

    #[test]
    fn prisma_and_drizzle_migrations_are_info_without_fix() {
        let text = "-- CreateIndex\nCREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\");\n-- CreateIndex\nCREATE INDEX \"Post_at_idx\" ON \"Post\"(\"at\");\n";
        let found = findings(R, PRISMA, text);
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|d| d.level == Level::Info && d.fix().is_none()));
        assert!(found[0]
            .message
            .contains("Prisma migration runs in a transaction"));
        let found = findings(
            R,
            DRIZZLE,
            "CREATE INDEX IF NOT EXISTS \"a_idx\" ON \"a\" USING btree (\"b\");",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].level, Level::Info);
        // a lone statement in a Prisma migration is not in a transaction: info, with fix
        let lone = "-- CreateIndex\nCREATE INDEX \"Post_at_idx\" ON \"Post\"(\"at\");";
        let found = findings(R, PRISMA, lone);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].level, Level::Info);
        assert!(found[0].fix().is_some());
        // the same statement in a Supabase migration: warn
        assert_eq!(findings(R, P, lone)[0].level, Level::Warn);
    }

    #[test]
    fn concurrently_inside_a_transaction_is_an_error() {
        let text = "BEGIN;\nCREATE INDEX CONCURRENTLY a ON t (x);\nCOMMIT;\nCREATE INDEX CONCURRENTLY b ON t (y);\nDO $$ BEGIN\n  CREATE INDEX CONCURRENTLY c ON t (z);\nEND $$;\n";
        let found = findings(R, P, text);
        assert_eq!(
            snippet_levels(text, &found),
            vec![
                ("CONCURRENTLY".to_string(), Level::Error),
                ("CONCURRENTLY".to_string(), Level::Error)
            ]
        );
        assert_eq!(found[0].range.start, text.find("CONCURRENTLY a").unwrap());
        assert_eq!(found[1].range.start, text.find("CONCURRENTLY c").unwrap());
        let prisma = "CREATE INDEX CONCURRENTLY \"a\" ON \"t\"(\"x\");\nALTER TABLE \"t\" ADD COLUMN \"y\" INT;";
        let found = findings(R, PRISMA, prisma);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].level, Level::Error);
        assert!(found[0]
            .message
            .contains("Prisma migration with other statements"));
        // near miss: alone in its Prisma migration (how langfuse does it)
        assert_clean(
            R,
            PRISMA,
            "-- CreateIndex\nCREATE INDEX CONCURRENTLY \"a\" ON \"t\"(\"x\");\n",
        );
        let found = findings(
            R,
            DRIZZLE,
            "CREATE INDEX CONCURRENTLY \"a\" ON \"t\" (\"x\");",
        );
        assert_eq!(found[0].level, Level::Error);
    }

    #[test]
    fn plain_index_inside_begin_or_do_block_warns_without_fix() {
        let found = findings(R, P, "begin;\ncreate index a on t (x);\ncommit;\nDO $$ BEGIN CREATE INDEX b ON t (y); END $$;");
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|d| d.level == Level::Warn && d.fix().is_none()));
        assert!(found[0].message.contains("move it out of the transaction"));
    }

    #[test]
    fn fix_adds_concurrently_in_the_keyword_case() {
        check_fix(
            R,
            P,
            "create index i on t (x);\n",
            true,
            "create index concurrently i on t (x);\n",
        );
        check_fix(
            R,
            P,
            "  CREATE UNIQUE INDEX \"t_x_key\" ON \"t\"(\"x\");\r\n",
            true,
            "  CREATE UNIQUE INDEX CONCURRENTLY \"t_x_key\" ON \"t\"(\"x\");\r\n",
        );
        // unsafe: not applied without --unsafe-fixes
        let before = "create index i on t (x);";
        let fixed = crate::engine::fix(
            std::path::Path::new(P),
            before,
            &facts_for(P, before),
            &config_only(R),
            false,
        );
        assert_eq!(fixed.text, before);
    }

    #[test]
    fn ranges_after_non_ascii_text_on_crlf() {
        let text =
            "-- index des commandes 🚀 é\r\ncreate index \"idx_é\" on \"Commande\" (\"créé\");\r\n";
        assert_eq!(
            assert_flags(R, P, text, 1),
            vec!["create index \"idx_é\" on \"Commande\""]
        );
        check_fix(R, P, text, true, "-- index des commandes 🚀 é\r\ncreate index concurrently \"idx_é\" on \"Commande\" (\"créé\");\r\n");
    }
}
