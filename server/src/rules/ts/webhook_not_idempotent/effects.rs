//! What a webhook handler does that a redelivered event would repeat (records
//! created, notifications sent), and what shows that it deduplicates (the
//! event id stored or looked up, upserts, conflict clauses, idempotency keys,
//! unique-violation catches): one bounded look at a function's body.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::{logging, request, responses};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

/// What a redelivered event repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EffectKind {
    /// A row or document created (`prisma.order.create`, `INSERT INTO`).
    Record,
    /// An email, SMS, push or queued job sent.
    Notification,
}

/// A call (or SQL string) with an effect.
#[derive(Clone, Copy, Debug)]
pub(super) struct Effect<'t> {
    pub node: Node<'t>,
    pub kind: EffectKind,
}

/// What one look at a function found.
#[derive(Default)]
pub(super) struct Scan<'t> {
    /// The first effect, in document order.
    pub effect: Option<Effect<'t>>,
    /// Some evidence of deduplication.
    pub dedupe: bool,
    /// Calls of top-level functions of the same file (for the one hop):
    /// the call and the function.
    pub calls: Vec<(Node<'t>, Node<'t>)>,
    /// Locals holding the event id (`const eventId = event.id`).
    aliases: Vec<&'t str>,
}

/// Words in a name that say it deduplicates (`skipDuplicates`,
/// `idempotencyKey`, `onConflictDoNothing`, `deduplicationId`, `upsert…`).
const DEDUPE_WORDS: &[&str] = &[
    "upsert",
    "idempotency",
    "idempotent",
    "idempotence",
    "dedupe",
    "dedup",
    "deduplication",
    "deduplicate",
    "duplicates",
    "conflict",
];

/// Unique-violation codes (Prisma, PostgreSQL, MongoDB, MySQL) and SQL
/// conflict clauses, in string literals.
const DEDUPE_STRINGS: &[&str] = &["p2002", "23505", "e11000", "er_dup_entry", "on conflict"];

/// Words that, with a final `id`, name a provider object's id stored in or
/// looked up by a column that is unique by nature (`stripeSessionId`,
/// `paymentIntentId`, `eventId`).
const UNIQUE_ID_WORDS: &[&str] = &[
    "event",
    "session",
    "checkout",
    "intent",
    "charge",
    "invoice",
    "transaction",
    "payment",
    "webhook",
    "stripe",
    "paddle",
    "paypal",
    "polar",
    "lemon",
    "lemonsqueezy",
    "razorpay",
    "paystack",
    "shopify",
];

/// Database handles by name (a path segment): `prisma`, `db`, `tx`, `this.prisma`.
fn is_db_name(seg: &str) -> bool {
    let l = seg.to_ascii_lowercase();
    matches!(l.as_str(), "db" | "tx" | "trx" | "database" | "knex")
        || l.ends_with("prisma")
        || l.ends_with("prismaservice")
        || l.ends_with("db")
}

/// Look at `func`'s body (nested callbacks included; logging calls and
/// responses skipped) and add what it finds to `scan`. `hop` says whether
/// calls of same-file functions are collected.
pub(super) fn scan_function<'t>(func: Node<'t>, src: &Script<'t>, scan: &mut Scan<'t>, hop: bool) {
    let Some(body) = func.field(Field::Body) else {
        return;
    };
    ast::visit(body, &mut |n| {
        if scan.dedupe {
            return false;
        }
        match n.kind_name() {
            kind::CALL_EXPRESSION => call(n, func, src, scan, hop),
            kind::NEW_EXPRESSION => true,
            kind::VARIABLE_DECLARATOR => declarator(n, src, scan),
            kind::MEMBER_EXPRESSION => {
                if event_id(n, src) {
                    scan.dedupe = true;
                }
                true
            }
            kind::IDENTIFIER => {
                let t = ast::text(n, src);
                if scan.aliases.contains(&t) || says_dedupe(t) {
                    scan.dedupe = true;
                }
                false
            }
            kind::PROPERTY_IDENTIFIER | kind::SHORTHAND_PROPERTY_IDENTIFIER => {
                if says_dedupe(ast::text(n, src)) {
                    scan.dedupe = true;
                }
                false
            }
            kind::PAIR => {
                if unique_id_pair(n, src) && keyed_write_or_lookup(n, src) {
                    scan.dedupe = true;
                }
                true
            }
            kind::STRING | kind::TEMPLATE_STRING => {
                string(n, src, scan);
                true
            }
            _ => true,
        }
    });
}

/// A call: logging calls and responses are not looked into; the rest may be
/// an effect, a dedupe helper, or a call of a same-file function.
fn call<'t>(n: Node<'t>, func: Node<'t>, src: &Script<'t>, scan: &mut Scan<'t>, hop: bool) -> bool {
    if logging::logger_callee(n, src).is_some() || responses::response_of(n, src).is_some() {
        return false;
    }
    if scan.effect.is_none() {
        if let Some(kind) = effect_of(n, src) {
            scan.effect = Some(Effect { node: n, kind });
        }
    }
    if hop {
        let f = n.field(Field::Function).map(ast::unwrap_expr);
        if let Some(f) = f.filter(|f| f.kind_name() == kind::IDENTIFIER) {
            if let Some(target) = src.top_level_function(ast::text(f, src)) {
                if target.id() != func.id() && !ast::contains(target, n) {
                    scan.calls.push((n, target));
                }
            }
        }
    }
    true
}

/// `const eventId = event.id` / `const { id } = event`: the local holds the
/// event id (its uses count, its declaration alone does not).
fn declarator<'t>(n: Node<'t>, src: &Script<'t>, scan: &mut Scan<'t>) -> bool {
    let (Some(name), Some(value)) = (n.field(Field::Name), n.field(Field::Value)) else {
        return true;
    };
    let value = ast::unwrap_expr(value);
    match name.kind_name() {
        kind::IDENTIFIER
            if value.kind_name() == kind::MEMBER_EXPRESSION && event_id(value, src) =>
        {
            scan.aliases.push(ast::text(name, src.source));
            false
        }
        kind::OBJECT_PATTERN if is_event(value, src) => {
            let mut c = name.walk();
            for p in name.named_children(&mut c) {
                match p.kind_name() {
                    kind::SHORTHAND_PROPERTY_IDENTIFIER_PATTERN if ast::text(p, src) == "id" => {
                        scan.aliases.push("id");
                    }
                    kind::PAIR_PATTERN => {
                        let key = p.field(Field::Key).map(|k| ast::text(k, src));
                        let local = p
                            .field(Field::Value)
                            .filter(|v| v.kind_name() == kind::IDENTIFIER);
                        if let (Some("id"), Some(local)) = (key, local) {
                            scan.aliases.push(ast::text(local, src.source));
                        }
                    }
                    _ => {}
                }
            }
            true
        }
        _ => true,
    }
}

/// A string literal: SQL that inserts (an effect) or a conflict clause /
/// unique-violation code (dedupe).
fn string<'t>(n: Node<'t>, src: &Script<'t>, scan: &mut Scan<'t>) {
    let l = ast::text(n, src).to_ascii_lowercase();
    if DEDUPE_STRINGS.iter().any(|s| l.contains(s)) {
        scan.dedupe = true;
        return;
    }
    let sql = l.trim_start_matches(['\'', '"', '`']).trim_start();
    if scan.effect.is_none() && sql.starts_with("insert into") {
        scan.effect = Some(Effect {
            node: n,
            kind: EffectKind::Record,
        });
    }
}

fn says_dedupe(name: &str) -> bool {
    name == "jobId"
        || ast::name_words(name)
            .iter()
            .any(|w| DEDUPE_WORDS.contains(&w.as_str()))
}

/// `stripeSessionId: session.id`, `where: { paymentIntentId }`: a provider
/// object's id under a key that names it (a unique column by nature).
fn unique_id_pair(pair: Node<'_>, src: &str) -> bool {
    let (Some(key), Some(value)) = (pair.field(Field::Key), pair.field(Field::Value)) else {
        return false;
    };
    let words = ast::name_words(ast::text(key, src));
    let Some((last, rest)) = words.split_last() else {
        return false;
    };
    last == "id"
        && rest.iter().any(|w| UNIQUE_ID_WORDS.contains(&w.as_str()))
        && !matches!(
            ast::unwrap_expr(value).kind_name(),
            "string" | "number" | "null" | "true" | "false" | "template_string"
        )
}

/// The call a `key: value` pair is an argument of (nested objects
/// included) creates a record or looks one up (`find…`, `get…`, `select`,
/// `exists`…): the key is then the record's unique key.
fn keyed_write_or_lookup(pair: Node<'_>, src: &Script<'_>) -> bool {
    let Some(call) = ast::ancestors(pair)
        .take_while(|a| !ast::is_function(*a))
        .find(|a| a.kind_name() == kind::CALL_EXPRESSION)
    else {
        return false;
    };
    if effect_of(call, src) == Some(EffectKind::Record) {
        return true;
    }
    let name = ast::callee_name(call, src).unwrap_or_default();
    let first = ast::name_words(&name)
        .into_iter()
        .next()
        .unwrap_or_default();
    matches!(
        first.as_str(),
        "find" | "get" | "select" | "exists" | "count" | "has" | "is" | "was" | "check" | "lookup"
    )
}

/// `event.id` (the event under any name: `event`, `evt`, a verified or
/// parsed body, the request body).
fn event_id(member: Node<'_>, src: &Script<'_>) -> bool {
    member
        .field(Field::Property)
        .is_some_and(|p| ast::text(p, src) == "id")
        && member
            .field(Field::Object)
            .is_some_and(|o| is_event(o, src))
}

/// Whether `expr` is the webhook's event: a name that says so (`event`,
/// `evt`, `stripeEvent`), a local bound to a verification or parse of the
/// body (`constructEvent(…)`, `validateEvent(…)`, `JSON.parse(raw)`, `await
/// req.json()`), or the request body itself.
fn is_event(expr: Node<'_>, src: &Script<'_>) -> bool {
    let e = ast::unwrap_expr(expr);
    match e.kind_name() {
        kind::IDENTIFIER => {
            let name = ast::text(e, src);
            if ast::name_words(name)
                .iter()
                .any(|w| w == "event" || w == "evt")
            {
                return true;
            }
            src.value_of(e, name)
                .is_some_and(|v| is_event_value(v, src))
        }
        kind::MEMBER_EXPRESSION => request::request_input(e, src).is_some(),
        _ => false,
    }
}

fn is_event_value(value: Node<'_>, src: &Script<'_>) -> bool {
    let v = ast::unwrap_expr(value);
    if v.kind_name() == kind::CALL_EXPRESSION {
        let name = ast::callee_name(v, src).unwrap_or_default();
        if matches!(
            name.as_str(),
            "constructEvent" | "constructEventAsync" | "validateEvent" | "unmarshal" | "parse"
        ) || name.starts_with("verify")
        {
            return true;
        }
    }
    request::request_input(v, src).is_some()
}

/// A call that creates a record or sends a notification.
fn effect_of(call: Node<'_>, src: &Script<'_>) -> Option<EffectKind> {
    // `supabase.from('t').insert`: the method, with the receiver's path only
    // where it has one
    let function = call.field(Field::Function)?;
    let path = match function.kind_name() {
        kind::MEMBER_EXPRESSION => {
            let method = ast::text(function.field(Field::Property)?, src);
            match function
                .field(Field::Object)
                .and_then(|o| ast::member_path(o, src))
            {
                Some(r) => format!("{r}.{method}"),
                None => method.to_string(),
            }
        }
        _ => ast::member_path(function, src)?,
    };
    let bare = function.kind_name() == kind::IDENTIFIER;
    let segs: Vec<&str> = path.split('.').collect();
    let (&method, receiver) = segs.split_last()?;
    let words = ast::name_words(method);
    let first = words.first().map(String::as_str).unwrap_or("");
    // records
    match method {
        "create" | "createMany" | "createManyAndReturn" => {
            // `prisma.order.create`, `tx.order.createMany`, `this.prisma.x.create`
            if receiver.len() >= 2 && receiver[..receiver.len() - 1].iter().any(|s| is_db_name(s)) {
                return Some(EffectKind::Record);
            }
            // Twilio / a messaging client: `client.messages.create`
            if receiver.last() == Some(&"messages") {
                return Some(EffectKind::Notification);
            }
            // a Mongoose / Sequelize model imported by name: `Order.create`
            if receiver.len() == 1 && imported_model(call, receiver[0], src) {
                return Some(EffectKind::Record);
            }
        }
        "bulkCreate" | "insertMany" | "insertOne" => return Some(EffectKind::Record),
        "insert" => {
            // Drizzle `db.insert(t)`, Supabase `.from('t').insert(…)`, Knex `knex('t').insert`
            let object = call
                .field(Field::Function)
                .and_then(|f| f.field(Field::Object))
                .map(ast::unwrap_expr);
            let on_query = object.is_some_and(|o| {
                o.kind_name() == kind::CALL_EXPRESSION
                    && ast::callee_name(o, src).is_some_and(|n| {
                        matches!(n.as_str(), "from" | "table" | "into") || is_db_name(&n)
                    })
            });
            if on_query || receiver.last().is_some_and(|r| is_db_name(r)) {
                return Some(EffectKind::Record);
            }
        }
        "save" => {
            // Mongoose: `new Order({…}).save()`, `order.save()` of a `new Order(…)`
            let object = call
                .field(Field::Function)
                .and_then(|f| f.field(Field::Object))
                .map(ast::unwrap_expr)?;
            let made = match object.kind_name() {
                kind::NEW_EXPRESSION => Some(object),
                kind::IDENTIFIER => src
                    .value_of(object, ast::text(object, src))
                    .map(ast::unwrap_expr)
                    .filter(|v| v.kind_name() == kind::NEW_EXPRESSION),
                _ => None,
            };
            if made.is_some_and(|m| {
                m.field(Field::Constructor)
                    .is_some_and(|c| imported_model(m, ast::text(c, src), src))
            }) {
                return Some(EffectKind::Record);
            }
        }
        _ => {}
    }
    // notifications
    let mail_words = [
        "email",
        "emails",
        "mail",
        "sms",
        "notification",
        "notifications",
        "message",
        "receipt",
        "push",
        "text",
    ];
    let receiver_words: Vec<String> = receiver.iter().flat_map(|r| ast::name_words(r)).collect();
    let says = |ws: &[String], list: &[&str]| ws.iter().any(|w| list.contains(&w.as_str()));
    if first == "send"
        && (words.len() > 1 && says(&words[1..], &mail_words)
            || method == "send" && says(&receiver_words, &mail_words))
    {
        // `sendEmail`, `transporter.sendMail`, `resend.emails.send`, `sgMail.send`
        return Some(EffectKind::Notification);
    }
    if first == "notify" && bare {
        return Some(EffectKind::Notification);
    }
    // queued jobs: `emailQueue.add`, `inngest.send`, `tasks.trigger`, `triggerJob`
    let queues = [
        "queue", "inngest", "qstash", "tasks", "jobs", "sqs", "pubsub", "bus", "worker",
    ];
    if matches!(
        method,
        "add"
            | "addBulk"
            | "send"
            | "enqueue"
            | "publish"
            | "publishJSON"
            | "trigger"
            | "sendEvent"
    ) && says(&receiver_words, &queues)
    {
        return Some(EffectKind::Notification);
    }
    if bare
        && matches!(first, "trigger" | "enqueue")
        && (words.len() == 1 || says(&words[1..], &["job", "task", "workflow", "event"]))
    {
        return Some(EffectKind::Notification);
    }
    None
}

/// `name` is bound by an import from a module that is not a payment or
/// messaging SDK (a Mongoose / Sequelize model), and looks like a class.
fn imported_model(at: Node<'_>, name: &str, src: &Script<'_>) -> bool {
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    src.declaration(at, name).is_some_and(|b| {
        b.kind == BindingKind::Import
            && b.module().is_some_and(|(m, _)| {
                let m = m.to_ascii_lowercase();
                !["stripe", "twilio", "resend", "paddle", "paypal", "polar"]
                    .iter()
                    .any(|p| m.contains(p))
            })
    })
}
