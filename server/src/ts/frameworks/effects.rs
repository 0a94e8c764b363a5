//! Whether a handler visibly changes something. `route-without-auth` judges
//! only routes that change data and `unvalidated-input` only handlers whose
//! input can reach a change: a `POST` that only answers `405`, sleeps for a
//! timeout test, or sets the caller's own preference cookie changes nothing
//! anyone else could care about.
//!
//! A change is a call whose name starts with a write verb (`db.post.create`,
//! `supabase.from('x').insert`, `put(filename, body)`, `sendEmail`,
//! `openai.chat.completions.create`, `streamText`), a `fetch` with a method
//! other than GET, or a SQL template that writes; calls to functions declared
//! in the same file are followed one hop. Calls on the handler's own request,
//! response or context (`res.send`, `c.set`), on cookies, headers, URLs and
//! form data are the caller's own state, not data.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::Handler;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// First words of a callee's last segment that say it writes, sends or spends.
const WRITE_VERBS: &[&str] = &[
    "create",
    "insert",
    "update",
    "upsert",
    "delete",
    "del",
    "remove",
    "destroy",
    "drop",
    "truncate",
    "save",
    "store",
    "persist",
    "put",
    "set",
    "patch",
    "post",
    "send",
    "write",
    "upload",
    "publish",
    "enqueue",
    "queue",
    "dispatch",
    "trigger",
    "emit",
    "charge",
    "refund",
    "transfer",
    "pay",
    "invite",
    "revoke",
    "grant",
    "add",
    "increment",
    "decrement",
    "incr",
    "decr",
    "mutate",
    "execute",
    "exec",
    "run",
    "batch",
    "transaction",
    "stream",
    "import",
    "sync",
    "reset",
    "archive",
    "restore",
    "approve",
    "reject",
    "cancel",
    "submit",
    "assign",
    "link",
    "unlink",
    "move",
    "rename",
    "subscribe",
    "unsubscribe",
    "ban",
    "block",
    "commit",
    "purge",
    "flush",
    "schedule",
    "deploy",
    "provision",
    "migrate",
    "seed",
    "process",
    "mark",
    "toggle",
    "claim",
    "redeem",
    "accept",
    "decline",
    "confirm",
    "complete",
    "register",
    "enable",
    "disable",
    "transcribe",
    "embed",
    "ingest",
    "track",
];

/// Second words that make a write verb something else: `createHash`,
/// `setTimeout`, `addDays`, `runMiddleware`.
const NOT_WRITES: &[&str] = &[
    "hash",
    "hmac",
    "sign",
    "verify",
    "cipheriv",
    "decipheriv",
    "read",
    "client",
    "server",
    "context",
    "logger",
    "error",
    "url",
    "element",
    "signal",
    "response",
    "request",
    "timeout",
    "interval",
    "immediate",
    "header",
    "headers",
    "status",
    "middleware",
    "milliseconds",
    "ms",
    "seconds",
    "minutes",
    "hours",
    "days",
    "weeks",
    "months",
    "years",
    "span",
    "event",
    "listener",
];

/// Receivers whose methods change only the caller's own request state or
/// compute a value.
const NOT_DATA: &[&str] = &[
    "cookies",
    "headers",
    "searchparams",
    "formdata",
    "url",
    "console",
    "logger",
    "response",
    "reply",
    "crypto",
    "hash",
    "hmac",
    "cipher",
];

/// SQL statements that write.
const SQL_WRITES: &[&str] = &[
    "insert ",
    "update ",
    "delete ",
    "upsert",
    "truncate ",
    "drop ",
];

/// `generate…` writes only when it spends model credits: `generateText`.
const GENERATED: &[&str] = &["text", "object", "image", "speech", "content", "completion"];

/// Whether `h` visibly changes data (see the module docs).
pub fn changes_data(h: &Handler<'_>, src: &Script<'_>) -> bool {
    writes_in(h.node, h, src, &[], true)
}

/// First words of calls where request data is used for more than a lookup:
/// it signs someone in or mints a token (`login`, `signIn`, `jwt.sign`,
/// `authenticate`), or runs a command (`exec`, `spawn`). Raw SQL is
/// `sql-injection`'s subject, and a parameterised read is a lookup.
pub const SENSITIVE_VERBS: &[&str] = &["login", "sign", "authenticate", "exec", "spawn"];

/// Whether `h` changes data (see [`changes_data`]) or calls a
/// [`SENSITIVE_VERBS`] sink.
pub fn changes_data_or_sensitive(h: &Handler<'_>, src: &Script<'_>) -> bool {
    writes_in(h.node, h, src, SENSITIVE_VERBS, true)
}

fn writes_in(
    func: Node<'_>,
    h: &Handler<'_>,
    src: &Script<'_>,
    extra: &[&str],
    follow: bool,
) -> bool {
    // each helper is walked once, however often it is called
    let mut seen: Vec<usize> = Vec::new();
    let mut found = false;
    ast::visit(func, &mut |n| {
        if found {
            return false;
        }
        if n.kind_name() == "call_expression" {
            found = is_write(n, h, src, extra)
                || (follow
                    && local_callee(n, src).is_some_and(|f| {
                        f.id() != h.node.id() && !seen.contains(&f.id()) && {
                            seen.push(f.id());
                            writes_in(f, h, src, extra, false)
                        }
                    }));
        }
        !found
    });
    found
}

/// A function of this file called by name: `save(req)` → `async function save`.
pub fn local_callee<'t>(call: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let f = ast::unwrap_expr(call.field(Field::Function)?);
    if f.kind_name() != "identifier" {
        return None;
    }
    src.top_level_function(ast::text(f, src))
}

fn is_write(call: Node<'_>, h: &Handler<'_>, src: &Script<'_>, extra: &[&str]) -> bool {
    let Some(f) = call.field(Field::Function) else {
        return false;
    };
    let f = ast::unwrap_expr(f);
    // sql`INSERT …`
    if let Some(t) = call
        .field(Field::Arguments)
        .filter(|a| a.kind_name() == "template_string")
    {
        let l = ast::text(t, src).to_ascii_lowercase();
        return SQL_WRITES.iter().any(|w| l.contains(w));
    }
    // pool.query('UPDATE users SET … WHERE id = $1', [id])
    if let Some(first) = ast::call_arguments(call)
        .first()
        .map(|a| ast::unwrap_expr(*a))
    {
        if matches!(first.kind_name(), "string" | "template_string") {
            // the statement's first word, without copying the whole string
            let l = ast::text(first, src)
                .trim_start_matches(['\'', '"', '`'])
                .trim_start()
                .as_bytes();
            if SQL_WRITES.iter().any(|w| {
                l.get(..w.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
            }) {
                return true;
            }
        }
    }
    let (name, object) = match f.kind_name() {
        "identifier" => (ast::text(f, src), None),
        "member_expression" => match (f.field(Field::Property), f.field(Field::Object)) {
            (Some(p), Some(o)) => (ast::text(p, src), Some(o)),
            _ => return false,
        },
        _ => return false,
    };
    if name == "fetch" {
        return fetch_writes(call, src);
    }
    let words = ast::name_words(name);
    let second = words.get(1).map(String::as_str);
    let verb_writes = match words.first().map(String::as_str) {
        Some("generate") => second.is_some_and(|w| GENERATED.contains(&w)),
        Some(verb) => {
            // `setUserContext`, `createRequestContext`: the object named last
            let last = words.last().map(String::as_str).filter(|_| words.len() > 2);
            (WRITE_VERBS.contains(&verb)
                && !second.is_some_and(|w| NOT_WRITES.contains(&w))
                && !last.is_some_and(|w| NOT_WRITES.contains(&w)))
                || extra.contains(&verb)
        }
        None => false,
    };
    verb_writes && object.is_none_or(|o| !own_state(o, h, src))
}

/// The receiver is the handler's request, response or context used directly
/// (`res.status(201).send()`, `c.set('user', u)`), or cookies, headers, a URL,
/// form data, a logger, a hash (`crypto.createHash('sha256').update(b)`).
fn own_state(object: Node<'_>, h: &Handler<'_>, src: &Script<'_>) -> bool {
    // the receiver's own name: `cookies()` → `cookies`, `url.searchParams` → `searchParams`
    let o = ast::unwrap_expr(object);
    let last = match o.kind_name() {
        "call_expression" => o.field(Field::Function).map(ast::unwrap_expr),
        _ => Some(o),
    }
    .and_then(|n| match n.kind_name() {
        "member_expression" => n.field(Field::Property),
        "identifier" => Some(n),
        _ => None,
    })
    .map(|n| ast::text(n, src))
    .unwrap_or("");
    // the root of the receiver chain through method calls: `res.status(1)`
    // → `res`; a property on the way (`ctx.db.post`) makes it data
    let mut root = Some(o);
    for _ in 0..64 {
        root = match root.map(|r| (r, r.kind_name())) {
            Some((r, "call_expression")) => r
                .field(Field::Function)
                .map(ast::unwrap_expr)
                .filter(|f| f.kind_name() == "member_expression")
                .and_then(|f| f.field(Field::Object))
                .map(ast::unwrap_expr),
            _ => break,
        };
    }
    let root = root
        .filter(|r| r.kind_name() == "identifier")
        .map(|r| ast::text(r, src))
        .unwrap_or("");
    let not_data = |name: &str| {
        let l = name.to_ascii_lowercase();
        NOT_DATA.contains(&l.as_str())
            || ast::name_words(name)
                .iter()
                .any(|w| matches!(w.as_str(), "hash" | "hmac" | "cipher"))
    };
    not_data(last)
        || not_data(root)
        || matches!(root, "res" | "reply")
        || [h.request, h.response, h.context].contains(&Some(root))
}

/// `fetch(url, { method: 'POST' })`: any method but GET and HEAD.
fn fetch_writes(call: Node<'_>, src: &Script<'_>) -> bool {
    let args = ast::call_arguments(call);
    let Some(init) = args.get(1).map(|a| ast::unwrap_expr(*a)) else {
        return false;
    };
    if init.kind_name() != "object" {
        return false;
    }
    let mut c = init.walk();
    let writes = init.named_children(&mut c).any(|p| {
        p.kind_name() == "pair"
            && p.field(Field::Key)
                .is_some_and(|k| ast::text(k, src) == "method")
            && p.field(Field::Value).is_some_and(|v| {
                ast::string_value(v, src)
                    .is_none_or(|m| !matches!(m.to_ascii_uppercase().as_str(), "GET" | "HEAD"))
            })
    });
    writes
}
