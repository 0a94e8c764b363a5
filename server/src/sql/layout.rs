//! Migration layouts, from a SQL file's path alone: is this file a migration,
//! which tool runs it, and does that tool wrap each migration in a transaction?
//!
//! | layout | tool | transaction |
//! |---|---|---|
//! | `supabase/migrations/*.sql` | Supabase CLI | no (statements run one by one) |
//! | `…/migrations/<dir>/migration.sql` (`prisma/migrations/…`, also a renamed `migration/` folder) | Prisma | yes (`prisma migrate` wraps each file) |
//! | `drizzle/*.sql` (drizzle-kit's default `out` folder) | drizzle | yes (the migrator runs pending files in one transaction) |
//! | `migrations/*.sql`, `db/migrate/*.sql`, `db/migrations/*.sql` | plain | no (unknown runner: not assumed) |
//!
//! Seed files (`seed.sql`, `seed*.sql`, anything under a `seed*/` folder) and
//! test helper SQL (under `test/`, `tests/`, `__tests__/`, `spec/`) are never
//! migrations, whatever folder holds them.

use std::path::{Component, Path};

/// The tool that applies a migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationTool {
    Supabase,
    Prisma,
    Drizzle,
    /// A `migrations/` or `db/migrate/` folder of an unknown runner.
    Plain,
}

/// What a SQL file is, judged from its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    Migration(MigrationTool),
    /// `seed.sql`, `seed*.sql`, `seed*/…`: data for development databases.
    Seed,
    /// SQL under a test folder (pgTAP tests, test fixtures, helpers).
    TestHelper,
    /// Anything else (a schema dump, a query file, a declarative schema).
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub role: FileRole,
    /// A migration of any tool.
    pub is_migration: bool,
    /// The migration tool, for migrations.
    pub tool: Option<MigrationTool>,
    /// The tool runs each migration inside a transaction (`CREATE INDEX
    /// CONCURRENTLY` fails there even without a `BEGIN` in the file).
    pub wraps_in_transaction: bool,
}

impl Layout {
    fn of(role: FileRole) -> Layout {
        let tool = match role {
            FileRole::Migration(t) => Some(t),
            _ => None,
        };
        Layout {
            role,
            is_migration: tool.is_some(),
            tool,
            wraps_in_transaction: matches!(
                tool,
                Some(MigrationTool::Prisma | MigrationTool::Drizzle)
            ),
        }
    }
}

const TEST_DIRS: &[&str] = &["test", "tests", "__tests__", "spec", "specs"];

/// The layout of the SQL file at `path` (relative or absolute; `\` separators
/// of Windows paths are understood too).
pub fn layout(path: &Path) -> Layout {
    let text = path.to_string_lossy().replace('\\', "/");
    let parts: Vec<String> = Path::new(&text)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let Some((file, dirs)) = parts.split_last() else {
        return Layout::of(FileRole::Other);
    };
    if file.starts_with("seed") || dirs.iter().any(|d| d.starts_with("seed")) {
        return Layout::of(FileRole::Seed);
    }
    if dirs.iter().any(|d| TEST_DIRS.contains(&d.as_str())) {
        return Layout::of(FileRole::TestHelper);
    }
    if !file.ends_with(".sql") {
        return Layout::of(FileRole::Other);
    }
    let parent = dirs.last().map(String::as_str);
    let grandparent = dirs
        .len()
        .checked_sub(2)
        .and_then(|i| dirs.get(i))
        .map(String::as_str);
    let tool = match (grandparent, parent) {
        (Some("supabase"), Some("migrations")) => Some(MigrationTool::Supabase),
        (Some("migrations" | "migration"), Some(_)) if file == "migration.sql" => {
            Some(MigrationTool::Prisma)
        }
        (_, Some("drizzle")) => Some(MigrationTool::Drizzle),
        (Some("db"), Some("migrate" | "migrations")) => Some(MigrationTool::Plain),
        (_, Some("migrations")) => Some(MigrationTool::Plain),
        _ => None,
    };
    Layout::of(tool.map_or(FileRole::Other, FileRole::Migration))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(p: &str) -> FileRole {
        layout(Path::new(p)).role
    }

    #[test]
    fn supabase_migrations() {
        let l = layout(Path::new("supabase/migrations/20240101000000_init.sql"));
        assert_eq!(l.tool, Some(MigrationTool::Supabase));
        assert!(l.is_migration);
        assert!(!l.wraps_in_transaction);
        assert_eq!(
            role("/repo/apps/web/supabase/migrations/0001.sql"),
            FileRole::Migration(MigrationTool::Supabase)
        );
        // near misses: the Supabase folder's other SQL
        assert_eq!(role("supabase/schema.sql"), FileRole::Other);
        assert_eq!(role("supabase/seed.sql"), FileRole::Seed);
        assert_eq!(
            role("supabase/tests/database/01-schema.sql"),
            FileRole::TestHelper
        );
    }

    #[test]
    fn prisma_migrations_wrap_in_a_transaction() {
        let l = layout(Path::new("prisma/migrations/20230101_init/migration.sql"));
        assert_eq!(l.tool, Some(MigrationTool::Prisma));
        assert!(l.wraps_in_transaction);
        assert_eq!(
            role("packages/database/migration/20230329_init/migration.sql"),
            FileRole::Migration(MigrationTool::Prisma)
        );
        assert_eq!(
            role("C:\\app\\prisma\\migrations\\0_init\\migration.sql"),
            FileRole::Migration(MigrationTool::Prisma)
        );
        // near misses: another file name in a migration folder, a stray migration.sql
        assert_eq!(
            role("prisma/migrations/20230101_init/data.sql"),
            FileRole::Other
        );
        assert_eq!(role("scripts/migration.sql"), FileRole::Other);
        assert_eq!(
            role("prisma/migrations/migration.sql"),
            FileRole::Migration(MigrationTool::Plain)
        );
    }

    #[test]
    fn drizzle_and_plain_folders() {
        let l = layout(Path::new("drizzle/0000_brave_wolf.sql"));
        assert_eq!(l.tool, Some(MigrationTool::Drizzle));
        assert!(l.wraps_in_transaction);
        let l = layout(Path::new("lib/db/migrations/0001_init.sql"));
        assert_eq!(l.tool, Some(MigrationTool::Plain));
        assert!(!l.wraps_in_transaction);
        assert_eq!(
            role("db/migrate/001_users.sql"),
            FileRole::Migration(MigrationTool::Plain)
        );
        assert_eq!(
            role("db/migrations/001_users.sql"),
            FileRole::Migration(MigrationTool::Plain)
        );
        // near misses: not a .sql file, a nested folder under drizzle, a query file
        assert_eq!(role("drizzle/meta/_journal.json"), FileRole::Other);
        assert_eq!(role("drizzle/meta/0000_snapshot.sql"), FileRole::Other);
        assert_eq!(role("db/queries/users.sql"), FileRole::Other);
        assert_eq!(role("schema.sql"), FileRole::Other);
        assert_eq!(role(""), FileRole::Other);
    }

    #[test]
    fn seeds_and_test_helpers_are_not_migrations() {
        for p in [
            "seed.sql",
            "supabase/seeds/users.sql",
            "db/seed/001.sql",
            "migrations/seed_data.sql",
            "prisma/seed-dev.sql",
        ] {
            assert_eq!(role(p), FileRole::Seed, "{p}");
            assert!(!layout(Path::new(p)).is_migration);
        }
        for p in [
            "src/test/helpers/setup.sql",
            "__tests__/migrations/001.sql",
            "tests/migrations/0001_init.sql",
        ] {
            assert_eq!(role(p), FileRole::TestHelper, "{p}");
        }
        // near misses: words that only start like the markers
        assert_eq!(
            role("migrations/0002_testimonials.sql"),
            FileRole::Migration(MigrationTool::Plain)
        );
        assert_eq!(
            role("latest/migrations/0002_x.sql"),
            FileRole::Migration(MigrationTool::Plain)
        );
    }
}
