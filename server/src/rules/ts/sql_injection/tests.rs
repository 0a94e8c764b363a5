use crate::diagnostic::{Applicability, Level};
use crate::rules::testing::*;

const R: &str = "sql-injection";

#[test]
fn flags_interpolation_and_concatenation() {
    let src = "async function h(req, res) {\n  const id = req.params.id;\n  await pool.query(`SELECT * FROM users WHERE id = ${id}`);\n  await client.query(\"DELETE FROM sessions WHERE token = '\" + req.body.token + \"'\");\n  await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE a = ${req.query.a}`);\n  await sequelize.query(`UPDATE users SET name = '${name}' WHERE id = 1`);\n  await knex.raw(`select * from users where email = '${email}'`);\n  await connection.execute('SELECT * FROM o WHERE u = ' + userId);\n  await sql.unsafe(`select * from t where x = ${x}`);\n  await this.db.query(`SELECT 1 FROM t WHERE a = ${a}`);\n}\n";
    let snippets = assert_flags(R, "src/routes/users.js", src, 8);
    assert_eq!(snippets[0], "`SELECT * FROM users WHERE id = ${id}`");
    assert_eq!(
        snippets[1],
        "\"DELETE FROM sessions WHERE token = '\" + req.body.token + \"'\""
    );
    let d = findings(R, "src/routes/users.js", src);
    assert!(d.iter().all(|x| x.level == Level::Error));
    assert!(d[0].message.contains("`id`"), "{}", d[0].message);
    assert!(d[0].message.contains("pool.query"), "{}", d[0].message);
}

#[test]
fn flags_sql_built_in_a_local_variable_or_config_object() {
    let src = "export async function GET(req: Request) {\n  const q = new URL(req.url).searchParams.get('q');\n  const text = `SELECT * FROM posts WHERE title ILIKE '%${q}%'`;\n  const a = await pool.query(text);\n  const b = await pool.query({ text: `SELECT * FROM posts WHERE id = ${q}`, values: [] });\n  return Response.json([a, b]);\n}\n";
    let s = assert_flags(R, "app/api/search/route.ts", src, 2);
    assert_eq!(s[0], "text");
    let d = findings(R, "app/api/search/route.ts", src);
    assert!(d.iter().all(|x| x.fix().is_none()));
}

#[test]
fn near_miss_tagged_templates() {
    assert_clean(
        R,
        "src/db.ts",
        "const a = await sql`SELECT * FROM users WHERE id = ${id}`;\nconst b = await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;\nconst c = await prisma.$queryRaw(Prisma.sql`SELECT * FROM t WHERE id = ${id}`);\nconst d = await db.query(sql`SELECT * FROM t WHERE id = ${id}`);\nconst e = await db.execute(sql`select * from t where id = ${id}`);\n",
    );
}

#[test]
fn near_miss_placeholders_with_values() {
    assert_clean(
        R,
        "src/db.ts",
        "await pool.query('SELECT * FROM users WHERE id = $1', [id]);\nawait connection.execute('SELECT * FROM t WHERE a = ? AND b = ?', [a, b]);\nawait knex.raw('select * from ?? where id = ?', [table, id]);\nawait pool.query({ text: 'SELECT * FROM t WHERE id = $1', values: [id] });\nawait pool.query(`SELECT * FROM t WHERE id = ANY($1)`, [ids]);\n",
    );
    // placeholder lists built from the values
    assert_clean(
        R,
        "src/db.ts",
        "const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');\nawait pool.query(`SELECT * FROM t WHERE id IN (${placeholders})`, ids);\nawait connection.query(`SELECT * FROM t WHERE id IN (${ids.map(() => '?').join(',')})`, ids);\nawait pool.query(`UPDATE t SET a = $${params.length} WHERE id = $1`, params);\nawait db.query('SELECT * FROM t WHERE a = $' + (i + 1), vals);\nconst marks = new Array(ids.length).fill('?').join(', ');\nawait db.query(`DELETE FROM t WHERE id IN (${marks})`, ids);\n",
    );
}

#[test]
fn dynamic_where_clauses_built_with_push() {
    // placeholders pushed: clean
    assert_clean(
        R,
        "src/search.ts",
        "export async function search(f: Filters) {\n  const where: string[] = [];\n  const values: unknown[] = [];\n  if (f.name) { values.push(f.name); where.push(`name = $${values.length}`); }\n  if (f.active) where.push('active');\n  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';\n  return pool.query(`SELECT * FROM t ${clause}`, values);\n}\n",
    );
    // values pushed into the SQL text: flagged
    assert_flags(
        R,
        "src/search.ts",
        "export async function search(f: Filters) {\n  const where: string[] = [];\n  if (f.name) where.push(`name = '${f.name}'`);\n  return pool.query(`SELECT * FROM t WHERE ${where.join(' AND ')}`);\n}\n",
        1,
    );
}

#[test]
fn near_miss_constants_and_numbers() {
    assert_clean(
        R,
        "src/repo.ts",
        "import { USERS } from './tables';\nimport { schema } from './config';\nconst TABLE = 'users';\nconst columns = 'id, email';\nconst COLS = ['id', 'email'];\nenum T { Users = 'users' }\nconst SORTS = { new: 'created_at DESC', old: 'created_at' };\nexport async function q(page: number, sort: string) {\n  const limit = 20;\n  await pool.query(`SELECT ${columns} FROM ${TABLE} LIMIT ${limit}`);\n  await pool.query(`SELECT ${COLS.join(', ')} FROM ${USERS} OFFSET ${(page - 1) * limit}`);\n  await pool.query(`SELECT * FROM ${schema}.${T.Users} ORDER BY ${SORTS[sort] ?? 'id'}`);\n  await pool.query(`SELECT * FROM t LIMIT ${Number(page)} OFFSET ${parseInt(sort, 10)}`);\n  await pool.query(`SELECT * FROM t WHERE n = ${ids.length} AND d > ${new Date().getTime()}`);\n  await pool.query('SELECT * FROM ' + TABLE + ' WHERE id = $1', [page]);\n  await pool.query(`SELECT * FROM t WHERE name = ${client.escapeLiteral(sort)}`);\n  await pool.query(`SELECT * FROM t ${page > 1 ? 'WHERE archived' : ''}`);\n}\n",
    );
}

#[test]
fn near_miss_elements_of_a_constant_list() {
    let seed = "export async function up(queryRunner) {\n  const roles = [\n    { name: 'owner', permissions: '[\"all\"]' },\n    { name: 'member', permissions: '[]' },\n  ];\n  for (const role of roles) {\n    await queryRunner.query(`INSERT INTO role(name, permissions) VALUES ('${role.name}', '${role.permissions}')`);\n  }\n}\n";
    assert_clean(R, "src/jobs/roles.ts", seed);
    // near miss: a list read from the database is data
    let read = "export async function up(queryRunner) {\n  const roles = await queryRunner.query('SELECT name FROM role');\n  for (const role of roles) {\n    await queryRunner.query(`DELETE FROM grants WHERE role = '${role.name}'`);\n  }\n}\n";
    assert_flags(R, "src/jobs/roles.ts", read, 1);
    // near miss: a list with a value from outside
    let mixed = seed.replace(
        "{ name: 'member', permissions: '[]' }",
        "{ name: input.name, permissions: '[]' }",
    );
    assert_flags(R, "src/jobs/roles.ts", &mixed, 1);
}

#[test]
fn near_miss_let_given_only_literals() {
    let migration = "module.exports = {\n  up: async (queryInterface) => {\n    let tableName, constraintName;\n    tableName = 'collection_users';\n    constraintName = 'collection_users_fkey';\n    await queryInterface.sequelize.query(`alter table \"${tableName}\" drop constraint \"${constraintName}\"`);\n    tableName = 'group_users';\n    await queryInterface.sequelize.query(`alter table \"${tableName}\" drop constraint \"${constraintName}\"`);\n  },\n};\n";
    assert_clean(R, "src/jobs/fix.js", migration);
    // near misses: one value from outside, a destructuring assignment
    let outside = migration.replace("tableName = 'group_users';", "tableName = opts.table;");
    // (flow-insensitive: both queries)
    assert_flags(R, "src/jobs/fix.js", &outside, 2);
    let destructured = migration.replace("tableName = 'group_users';", "({ tableName } = opts);");
    assert_flags(R, "src/jobs/fix.js", &destructured, 2);
}

#[test]
fn near_miss_values_safe_by_type() {
    assert_clean(
        R,
        "src/report.ts",
        "type Dir = 'ASC' | 'DESC';\nenum Unit { Ms = 'ms' }\ninterface Page { size: number; order: Dir }\nconst SORTS = ['name', 'age'] as const;\nconst COLUMNS = { a: 'x', b: 'y' };\nexport async function list(limit: number, dir: Dir, on: boolean, unit: Unit, page: Page, sort: (typeof SORTS)[number], col: keyof typeof COLUMNS, { offset }: { offset?: number | null }) {\n  const n: 1 | 2 = 1;\n  await pool.query(`SELECT * FROM t ORDER BY ${sort} ${dir} LIMIT ${limit} OFFSET ${offset}`);\n  await pool.query(`SELECT ${col} FROM t WHERE on = ${on} AND u = '${unit}' AND n = ${n}`);\n  await pool.query(`SELECT * FROM t ORDER BY id ${page.order} LIMIT ${page.size}`);\n}\n",
    );
    // numbers parsed by a local function, read through its return type or value
    assert_clean(
        R,
        "src/jobs/eval.ts",
        "function parseArgs(argv: string[]) {\n  return { timeout: Number.parseInt(argv[0] ?? '60000', 10), days: parseInt(argv[1], 10) };\n}\nasync function run(opts: ReturnType<typeof parseArgs>) {\n  await client.query(`SET LOCAL statement_timeout = '${opts.timeout}ms'`);\n}\nasync function main() {\n  const opts = parseArgs(process.argv);\n  const { days } = parseArgs(process.argv);\n  await client.query(`SELECT * FROM t WHERE d > now() - interval '${opts.days} days' LIMIT ${days}`);\n}\n",
    );
}

#[test]
fn values_typed_string_or_unknown_types_still_flagged() {
    let src = "import type { Filters } from './types';\ntype Opts = { name: string; size: number };\nfunction parse(a: string[]) { return { name: a[0] }; }\nexport async function f(name: string, q: string | number, filters: Filters, o: Opts, { who }: { who: string }, p: ReturnType<typeof parse>, anyv: any) {\n  await pool.query(`SELECT * FROM t WHERE name = '${name}'`);\n  await pool.query(`SELECT * FROM t WHERE q = ${q}`);\n  await pool.query(`SELECT * FROM t WHERE e = ${filters.event}`);\n  await pool.query(`SELECT * FROM t WHERE n = '${o.name}' LIMIT ${o.size}`);\n  await pool.query(`SELECT * FROM t WHERE w = '${who}'`);\n  await pool.query(`SELECT * FROM t WHERE p = '${p.name}'`);\n  await pool.query(`SELECT * FROM t WHERE a = ${anyv as number}`);\n}\n";
    assert_flags(R, "src/a.ts", src, 7);
}

#[test]
fn set_and_ddl_get_no_placeholder_advice_or_fix() {
    let src = "export async function f(ms: string, name: string) {\n  await pool.query(`SET statement_timeout = ${ms}`);\n  await client.query(`SET LOCAL lock_timeout = '${ms}'`);\n  await pool.query(`CREATE DATABASE ${name}`);\n  await prisma.$executeRawUnsafe(`ALTER TABLE t RENAME TO ${name}`);\n  await pool.query(`SELECT * FROM t WHERE a = ${name}`);\n}\n";
    let d = findings(R, "src/a.ts", src);
    assert_eq!(d.len(), 5);
    for x in &d[..4] {
        assert!(x.fix().is_none(), "{}", x.message);
        assert!(
            x.message.contains("takes no bind parameters"),
            "{}",
            x.message
        );
        assert!(
            !x.message.contains("use `$1` placeholders"),
            "{}",
            x.message
        );
    }
    assert!(d[0].message.contains("`SET`"), "{}", d[0].message);
    assert!(d[0].message.contains("set_config"), "{}", d[0].message);
    assert!(d[1].message.contains("`SET LOCAL`"), "{}", d[1].message);
    assert!(
        d[2].message.contains("`CREATE DATABASE`"),
        "{}",
        d[2].message
    );
    assert!(d[2].message.contains("allowlist"), "{}", d[2].message);
    assert!(d[3].message.contains("`ALTER TABLE`"), "{}", d[3].message);
    assert!(
        d[4].message.contains("`$1` placeholders"),
        "{}",
        d[4].message
    );
    assert!(d[4].fix().is_some());
}

#[test]
fn scripts_and_migrations_are_warnings() {
    let src = "export async function up(name: string) {\n  await db.query(`UPDATE t SET a = '${name}'`);\n}\n";
    for path in [
        "scripts/backfill.ts",
        "db/migrations/20240101_backfill.ts",
        "src/migration/1700000000-Fill.ts",
        "src/__tests__/x.test.ts",
    ] {
        let d = findings(R, path, src);
        assert_eq!(d.len(), 1, "{path}");
        assert_eq!(d[0].level, Level::Warn, "{path}");
    }
    let d = findings(R, "src/migrations.ts", src);
    assert_eq!(d[0].level, Level::Error);
}

#[test]
fn message_quotes_code_on_one_line() {
    let src = "export async function f(cols: string[], id: string) {\n  await conn.execute(\n    `UPDATE t SET ${cols\n      .map((c) => `${c} = ?`)\n      .join(', ')} WHERE id = ?`,\n    [id],\n  );\n  await pool.query(`SELECT * FROM t WHERE a = ${someVeryLongFunctionName(\n    argumentNumberOne,\n    argumentNumberTwo,\n  )}`);\n}\n";
    let d = findings(R, "src/a.ts", src);
    assert_eq!(d.len(), 2);
    assert!(
        d[0].message.starts_with("SQL built from `c` is passed"),
        "{}",
        d[0].message
    );
    assert!(!d[1].message.contains('\n'), "{}", d[1].message);
    assert!(
        d[1].message.contains("`someVeryLongFunctionName…`"),
        "{}",
        d[1].message
    );
}

#[test]
fn near_miss_allowlist_and_zod_enum() {
    assert_clean(
        R,
        "src/app/api/items/route.ts",
        "const ALLOWED = ['name', 'created_at'];\nconst Query = z.object({ dir: z.enum(['asc', 'desc']) });\nexport async function GET(req: NextRequest) {\n  const sort = req.nextUrl.searchParams.get('sort') ?? 'name';\n  if (!ALLOWED.includes(sort)) return new Response('bad', { status: 400 });\n  const { dir } = Query.parse(Object.fromEntries(req.nextUrl.searchParams));\n  const order = z.enum(['asc', 'desc']).parse(req.nextUrl.searchParams.get('o'));\n  const col = new Set(['a', 'b']).has(req.nextUrl.searchParams.get('c')) ? req.nextUrl.searchParams.get('c') : 'a';\n  return pool.query(`SELECT * FROM items ORDER BY ${sort} ${dir}, ${col} ${order}`);\n}\n",
    );
    assert_clean(
        R,
        "src/items.ts",
        "export function list(field: string) {\n  if (!(field in COLUMN_MAP)) throw new Error('bad');\n  return db.query(`SELECT * FROM items ORDER BY ${field}`);\n}\n",
    );
    // the check must be in the same function
    assert_flags(
        R,
        "src/items.ts",
        "function ok(sort) { return ALLOWED.includes(sort); }\nexport function list(sort: string) {\n  return db.query(`SELECT * FROM items ORDER BY ${sort}`);\n}\n",
        1,
    );
}

#[test]
fn near_miss_not_sql_or_not_a_raw_api() {
    assert_clean(
        R,
        "src/a.ts",
        "await pool.query(`${statement}`);\nawait queryClient.fetchQuery({ queryKey: [`user-${id}`] });\nconst msg = `SELECT * FROM t WHERE id = ${id}`;\nlogger.info(`select from ${x}`);\nawait fetch(`/api/query?select=${id}`);\nawait api.query(`SELECT * FROM t WHERE id = ${id}`);\n// pool.query(`SELECT * FROM t WHERE id = ${id}`)\nconst s = 'pool.query(`SELECT * FROM t WHERE id = ${id}`)';\n",
    );
}

#[test]
fn flags_in_test_files_too_and_inside_errors() {
    assert_flags(
        R,
        "src/__tests__/db.test.ts",
        "await pool.query(`DELETE FROM users WHERE id = ${id}`);\n",
        1,
    );
    assert_flags(
        R,
        "src/a.ts",
        "const x = {;\nasync function f() {\n  await pool.query(`DELETE FROM users WHERE id = ${id}`);\n}\n",
        1,
    );
}

#[test]
fn fix_pg_query_to_placeholders() {
    check_fix(
        R,
        "src/a.ts",
        "await pool.query(`SELECT * FROM users WHERE id = ${id} AND org = ${req.user.orgId}`);\n",
        false,
        "await pool.query('SELECT * FROM users WHERE id = $1 AND org = $2', [id, req.user.orgId]);\n",
    );
    // quotes around a whole value are dropped; double quote style is kept
    check_fix(
        R,
        "src/a.js",
        "const a = \"x\", b = \"y\";\nawait db.query(`UPDATE users SET name = '${name}', age = ${age} WHERE id = ${id}`);\n",
        false,
        "const a = \"x\", b = \"y\";\nawait db.query(\"UPDATE users SET name = $1, age = $2 WHERE id = $3\", [name, age, id]);\n",
    );
    // a SQL string literal in the text: the other quote
    check_fix(
        R,
        "src/a.ts",
        "await client.query(`SELECT * FROM t WHERE status = 'active' AND id IN (${a}, ${b}) LIMIT ${n}`);\n",
        false,
        "await client.query(\"SELECT * FROM t WHERE status = 'active' AND id IN ($1, $2) LIMIT $3\", [a, b, n]);\n",
    );
    // constants stay interpolated; a repeated name keeps its number
    check_fix(
        R,
        "src/a.ts",
        "const T = 'users';\nawait pool.query(`SELECT * FROM ${T} WHERE a = ${x} OR b = ${x}`);\n",
        false,
        "const T = 'users';\nawait pool.query(`SELECT * FROM ${T} WHERE a = $1 OR b = $1`, [x]);\n",
    );
    // multi-line SQL stays a template literal; VALUES rows
    check_fix(
        R,
        "src/a.ts",
        "await pool.query(`\n  INSERT INTO t (a, b)\n  VALUES (${a}, ${b}), (${c}, 'x')\n`);\n",
        false,
        "await pool.query(`\n  INSERT INTO t (a, b)\n  VALUES ($1, $2), ($3, 'x')\n`, [a, b, c]);\n",
    );
    // numbering continues after the existing placeholders of an array literal
    check_fix(
        R,
        "src/a.ts",
        "await pool.query(`SELECT * FROM t WHERE org = $1 AND id = ${id}`, [org]);\n",
        false,
        "await pool.query('SELECT * FROM t WHERE org = $1 AND id = $2', [org, id]);\n",
    );
}

#[test]
fn no_fix_when_not_mechanical() {
    let cases = [
        // inside a longer string literal
        "await pool.query(`SELECT * FROM t WHERE name LIKE '%${q}%'`);\n",
        // identifier positions
        "await pool.query(`SELECT * FROM t ORDER BY ${sort}`);\n",
        "await pool.query(`SELECT * FROM ${table} WHERE id = 1`);\n",
        "await pool.query(`SELECT \"${col}\" FROM t WHERE id = 1`);\n",
        // existing placeholders without a matching values array
        "await pool.query(`SELECT * FROM t WHERE a = $1 AND b = ${b}`);\n",
        "await pool.query(`SELECT * FROM t WHERE a = $1 AND b = ${b}`, values);\n",
        // mysql-style placeholders or driver
        "await db.query(`SELECT * FROM t WHERE a = ? AND b = ${b}`, [a]);\n",
        "import mysql from 'mysql2/promise';\nawait db.query(`SELECT * FROM t WHERE b = ${b}`);\n",
        // concatenation, other APIs
        "await pool.query('SELECT * FROM t WHERE b = ' + b);\n",
        "await knex.raw(`select * from t where b = ${b}`);\n",
        "await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE a = $1 AND b = ${b}`, a);\n",
        "await prisma.$queryRawUnsafe(`SELECT * FROM ${table}`);\n",
        // tree-sitter misparses a tagged template with type arguments
        "await prisma.$queryRawUnsafe<User[]>(`SELECT * FROM t WHERE id = ${id}`);\n",
    ];
    for src in cases {
        let d = findings(R, "src/a.ts", src);
        assert_eq!(d.len(), 1, "{src}");
        assert!(
            d[0].fix().is_none(),
            "unexpected fix for {src}: {:?}",
            d[0].fix()
        );
    }
}

#[test]
fn fix_prisma_unsafe_to_tagged_template() {
    check_fix(
        R,
        "src/a.ts",
        "const rows = await prisma.$queryRawUnsafe(`SELECT * FROM \"User\" WHERE email = '${email}' AND age > ${age}`);\nawait tx.$executeRawUnsafe(`DELETE FROM t WHERE id = ${id}`,);\n",
        false,
        "const rows = await prisma.$queryRaw`SELECT * FROM \"User\" WHERE email = ${email} AND age > ${age}`;\nawait tx.$executeRaw`DELETE FROM t WHERE id = ${id}`;\n",
    );
    let d = findings(
        R,
        "src/a.ts",
        "await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE id = ${id}`);\n",
    );
    assert_eq!(d[0].fix().unwrap().applicability, Applicability::Safe);
}

#[test]
fn fix_keeps_crlf_and_non_ascii_offsets() {
    check_fix(
        R,
        "src/a.ts",
        "const greeting = 'café 😀';\r\nawait pool.query(`SELECT * FROM t WHERE name = ${greeting}x`);\r\nawait pool.query(`SELECT * FROM t WHERE id = ${id}`);\r\n",
        false,
        "const greeting = 'café 😀';\r\nawait pool.query(`SELECT * FROM t WHERE name = ${greeting}x`);\r\nawait pool.query('SELECT * FROM t WHERE id = $1', [id]);\r\n",
    );
    let src = "const s = 'café 😀'; await pool.query(`SELECT * FROM t WHERE id = ${id}`);\n";
    let d = findings(R, "src/a.ts", src);
    assert_eq!(d.len(), 1);
    assert_eq!(
        &src[d[0].range.clone()],
        "`SELECT * FROM t WHERE id = ${id}`"
    );
    assert_eq!(
        d[0].range.start,
        "const s = 'café 😀'; await pool.query(".len()
    );
}

#[test]
fn near_miss_names_passed_through_a_sanitizer() {
    // a table name checked by the class's sanitizer before it is spliced in
    assert_clean(
        R,
        "src/memory/store.ts",
        "export class Store {\n  sanitizeTableName(name: string) {\n    if (!/^[a-zA-Z0-9_]+$/.test(name)) throw new Error('bad table');\n    return name;\n  }\n  async clear(id: string) {\n    const tableName = this.sanitizeTableName(this.tableName);\n    await this.pool.query(`DELETE FROM ${tableName} WHERE id = $1`, [id]);\n  }\n}\n",
    );
    // near miss: a value that is only trimmed is not sanitized
    assert_flags(
        R,
        "src/memory/store.ts",
        "export async function clear(pool, name: string) {\n  const tableName = name.trim();\n  await pool.query(`DELETE FROM ${tableName}`);\n}\n",
        1,
    );
}
