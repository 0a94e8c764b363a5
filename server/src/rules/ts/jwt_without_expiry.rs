//! `jwt-without-expiry`: tokens signed without an expiry, `jwt.decode` where
//! a verification is needed, and the `none` algorithm.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, OptionKind, RuleLanguage, RuleMeta, RuleOption, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::enclosing_handler;
use crate::ts::frameworks::{method_call, object_literal, object_property};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "jwt-without-expiry",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Safe,
        // Not in the catalogue, measured: test files held 35 of 36 false
        // positives of jwt-without-expiry, 3 of 5 of missing-retry-after and
        // every stub-auth one (fixture tokens, mocked 429s, injected doubles).
        not_in_tests: true,
        summary: "A JWT is signed without an expiry, decoded without verification, or accepts the `none` algorithm",
        docs: DOCS,
        triggers: &["jsonwebtoken", "jose", "algorithm"],
        also_triggers: &[],
        options: RuleOptions::typed::<JwtOptions>(&[RuleOption {
            name: "expires-in",
            kind: OptionKind::String,
            default: "\"15m\"",
            help: "The lifetime the fix gives a token (`expiresIn` / `setExpirationTime`)",
        }]),
    },
    kinds: &[kind::CALL_EXPRESSION, kind::PAIR],
    check: Check::Node(check),
};

#[derive(serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct JwtOptions {
    pub expires_in: String,
}

impl Default for JwtOptions {
    fn default() -> Self {
        JwtOptions {
            expires_in: "15m".to_string(),
        }
    }
}

const DOCS: &str = r#"## What it does
Flags, for `jsonwebtoken` and `jose` (found through the file's imports and
`require`s, whatever the local names):

- `jwt.sign(payload, secret)` without `expiresIn` in its options and without
  `exp` in the payload;
- jose's `new SignJWT(payload)…sign(key)` without `.setExpirationTime(…)` (and
  no `exp` in the payload);
- `algorithms: ['none']` (a verification that accepts unsigned tokens) and
  `algorithm: 'none'` in `jwt.sign`'s options;
- `jwt.decode(token)` / jose's `decodeJwt(token)` in a request handler or an
  auth function (`getUser`, `authenticate`, `requireAuth`, middleware) of a
  file that verifies no token anywhere, when the claims are used as identity.

Not flagged: options or payloads the file does not show (a parameter, a
helper's result, a parsed or fetched value, a spread: they may carry `exp`), `expiresIn` on a cookie's options (not the
token's), a string payload (`jsonwebtoken` refuses `expiresIn` for it), a
payload with an expiry claim of the app's own (`expiresAt`, `expires`,
`expiry`) or the time it was issued set to now (`iat`, `issuedAt`, `createdAt:
new Date().toISOString()`: the app's verifier bounds the age), an options
object given `expiresIn` later in the function (`if (days) opts.expiresIn =
…`),
`jwt.decode` next to a verification, with `{ complete: true }` (reading the
header to pick a key), or to read only the token's `exp`, `iat`, `header`,
`iss`, `aud` or `kid` (a client refreshing before expiry), and `jwt.decode`
outside handlers and auth functions.

Test-like paths are skipped (`*.test.*`, `__tests__/`, … and the `[files] tests`
globs): on real projects the tokens, 429s and auth stubs there were test
fixtures and doubles, not code that ships.

## Why is this bad?
A token without `exp` is valid forever: once leaked (a log line, a browser
extension, a shared laptop) it cannot be taken back short of rotating the
secret. `jwt.decode` checks no signature, so anyone can write the claims it
returns; the `none` algorithm does the same for `verify`.

## Examples
```ts flagged lines=4
import jwt from 'jsonwebtoken';

export function issue(user: { id: string }) {
  return jwt.sign({ sub: user.id }, process.env.JWT_SECRET!);
}
```

```ts flagged lines=4
import { SignJWT } from 'jose';

export async function issue(id: string, key: Uint8Array) {
  return new SignJWT({ id })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(key);
}
```

```ts flagged lines=4
import jwt from 'jsonwebtoken';

app.get('/me', (req, res) => {
  const claims = jwt.decode(req.headers.authorization!.slice(7)) as { sub: string };
  res.json(db.user(claims.sub));
});
```

```ts ok
import jwt from 'jsonwebtoken';

const token = jwt.sign({ sub: id }, secret, { expiresIn: '1h' });
res.cookie('session', token, { httpOnly: true, expiresIn: 3600 });
const { exp } = jwt.decode(token) as { exp: number };
const claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
```

## Fix
**Safe**: adds `expiresIn: '15m'` (the `expires-in` option) to `jwt.sign`'s
options (or adds the options object), or `.setExpirationTime('15m')` before
jose's `.sign(…)`. Nothing for `decode` or `none`: verify the token with its
algorithm instead.
"#;

/// Claims a client reads from an unverified token without trusting it.
const HARMLESS_CLAIMS: &[&str] = &[
    "exp", "iat", "nbf", "header", "iss", "aud", "kid", "alg", "typ", "jti",
];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if node.kind_name() == kind::PAIR {
        return check_algorithms(cx, node);
    }
    let src = cx.script();
    let Some(function) = node.field(Field::Function) else {
        return;
    };
    if let Some(q) = src.qualified_name(function) {
        match (q.module.as_str(), q.path.as_slice()) {
            ("jsonwebtoken", [m]) if m == "sign" => return check_sign(cx, node),
            ("jsonwebtoken", [m]) if m == "decode" => return check_decode(cx, node),
            ("jose", [m]) if m == "decodeJwt" => return check_decode(cx, node),
            _ => {}
        }
    }
    if let Some(("sign", receiver)) = method_call(node, &src) {
        check_jose_sign(cx, node, receiver);
    }
}

/// `jwt.sign(payload, secret, options?, callback?)`.
fn check_sign(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let src = cx.script();
    let args = ast::call_arguments(call);
    let (Some(payload), Some(secret)) = (args.first().copied(), args.get(1).copied()) else {
        return;
    };
    let options_arg = args
        .get(2)
        .copied()
        .filter(|o| !ast::is_function(ast::unwrap_expr(*o)));
    let options = match options_arg {
        Some(o) => match resolve_object(o, &src) {
            Some(obj) => Some(obj),
            None => return,
        },
        None => None,
    };
    if let Some(alg) = options.and_then(|o| object_property(o, "algorithm", &src)) {
        if ast::string_value(ast::unwrap_expr(alg), &src)
            .is_some_and(|a| a.eq_ignore_ascii_case("none"))
        {
            cx.report(
                alg.byte_range(),
                "`algorithm: 'none'` signs nothing: anyone can forge this token; sign with HS256/RS256/ES256",
            );
        }
    }
    if options.is_some_and(|o| has_key(o, "expiresIn", &src))
        || options_arg.is_some_and(|o| expiry_assigned_later(o, call, &src))
        || !payload_lacks_exp(payload, &src)
    {
        return;
    }
    let value = cx.options::<JwtOptions>().expires_in.clone();
    let q = ast::preferred_quote_near(&src, call.start_byte());
    let prop = format!("expiresIn: {}", ast::quoted(&value, q));
    let edit = match (options_arg, options) {
        (Some(written), Some(o)) if ast::unwrap_expr(written).id() == o.id() => {
            let (at, text) = ast::append_properties(o, std::slice::from_ref(&prop), &src);
            Some(Edit::insert(at, text))
        }
        // a shared options object: not edited here
        (Some(_), _) => None,
        (None, _) => match args.get(2) {
            Some(callback) => Some(Edit::insert(
                callback.start_byte(),
                format!("{{ {prop} }}, "),
            )),
            None => Some(Edit::insert(secret.end_byte(), format!(", {{ {prop} }}"))),
        },
    };
    let d = cx.report(
        function_range(call),
        "This JWT never expires: `jwt.sign` has no `expiresIn` and the payload no `exp`; give it a short lifetime",
    );
    if let Some(edit) = edit {
        d.with_fix(Fix::safe(format!("Add `{prop}`"), vec![edit]));
    }
}

/// `new SignJWT(payload)….sign(key)` (jose) without `.setExpirationTime`.
fn check_jose_sign(cx: &mut RuleContext<'_>, call: Node<'_>, receiver: Node<'_>) {
    let src = cx.script();
    let mut cur = ast::unwrap_expr(receiver);
    let mut ctor = None;
    for _ in 0..16 {
        if cur.kind_name() == "new_expression" {
            ctor = Some(cur);
            break;
        }
        let Some((m, r)) = method_call(cur, &src) else {
            return;
        };
        if m == "setExpirationTime" {
            return;
        }
        cur = ast::unwrap_expr(r);
    }
    let Some(ctor) = ctor else {
        return;
    };
    let Some(class) = ctor.field(Field::Constructor) else {
        return;
    };
    let is_sign_jwt = src
        .qualified_name(class)
        .is_some_and(|q| q.module == "jose" && q.path == ["SignJWT"]);
    if !is_sign_jwt {
        return;
    }
    if let Some(payload) = ast::call_arguments(ctor).first() {
        if !payload_lacks_exp(*payload, &src) {
            return;
        }
    }
    let value = cx.options::<JwtOptions>().expires_in.clone();
    let q = ast::preferred_quote_near(&src, call.start_byte());
    let step = format!(".setExpirationTime({})", ast::quoted(&value, q));
    // on its own line when `.sign` is
    let receiver_end = receiver.end_byte();
    let sign_member = call.field(Field::Function);
    let text = match sign_member {
        Some(m)
            if src
                .get(receiver_end..m.end_byte())
                .is_some_and(|t| t.contains('\n')) =>
        {
            let dot = src
                .get(receiver_end..m.end_byte())
                .and_then(|t| t.find('.'))
                .map_or(receiver_end, |i| receiver_end + i);
            format!(
                "{}{}{step}",
                ast::line_ending(&src),
                ast::line_indent(&src, dot)
            )
        }
        _ => step.clone(),
    };
    cx.report(
        class.byte_range(),
        "This JWT never expires: the `SignJWT` chain has no `.setExpirationTime(…)`; give it a short lifetime",
    )
    .with_fix(Fix::safe(
        format!("Add `{step}`"),
        vec![Edit::insert(receiver_end, text)],
    ));
}

/// `jwt.decode(token)` used as identity where nothing verifies a token.
fn check_decode(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let src = cx.script();
    let args = ast::call_arguments(call);
    if let Some(o) = args.get(1).and_then(|o| resolve_object(*o, &src)) {
        if object_property(o, "complete", &src).is_some() {
            return;
        }
    }
    if *cx.memo(|| VerifiesTokens(file_verifies(cx.source))) == VerifiesTokens(true) {
        return;
    }
    let path = cx.file.path_str();
    let Some(func) = ast::enclosing_function(call) else {
        return;
    };
    let auth_named = ast::function_name(func, &src).is_some_and(|n| {
        ast::name_words(n).iter().any(|w| {
            matches!(
                w.as_str(),
                "auth"
                    | "authenticate"
                    | "authorize"
                    | "user"
                    | "session"
                    | "current"
                    | "guard"
                    | "middleware"
                    | "protect"
                    | "require"
                    | "viewer"
                    | "identity"
            )
        })
    });
    if !auth_named && enclosing_handler(call, &src, &path).is_none() {
        return;
    }
    if only_harmless_claims(call, func, &src) {
        return;
    }
    cx.report(
        function_range(call),
        "`decode` does not check the signature: anyone can write these claims; use `jwt.verify` (or jose's `jwtVerify`) before trusting them",
    );
}

#[derive(PartialEq, Eq)]
struct VerifiesTokens(bool);

/// The file verifies tokens somewhere (`jwt.verify`, `jwtVerify`, a helper
/// named `verify…`): its `decode` calls are then reading, not trusting.
fn file_verifies(source: &str) -> bool {
    source.contains("verify") || source.contains("Verify")
}

/// The decoded value is only read for claims a client may read unverified
/// (`jwt.decode(t).exp`, `const { exp } = jwt.decode(t)`, `decoded.exp` only).
fn only_harmless_claims(call: Node<'_>, func: Node<'_>, src: &Script<'_>) -> bool {
    let root = ast::value_root(call);
    let Some(parent) = root.parent() else {
        return false;
    };
    match parent.kind_name() {
        "member_expression" => parent
            .field(Field::Property)
            .is_some_and(|p| HARMLESS_CLAIMS.contains(&ast::text(p, src))),
        "variable_declarator" => {
            let Some(name) = parent.field(Field::Name) else {
                return false;
            };
            if name.kind_name() == "object_pattern" {
                let mut c = name.walk();
                let keys: Vec<String> = name
                    .named_children(&mut c)
                    .filter_map(|p| match p.kind_name() {
                        "shorthand_property_identifier_pattern" => {
                            Some(ast::text(p, src).to_string())
                        }
                        "pair_pattern" => {
                            p.field(Field::Key).map(|k| ast::text(k, src).to_string())
                        }
                        _ => None,
                    })
                    .collect();
                return !keys.is_empty()
                    && keys.iter().all(|k| HARMLESS_CLAIMS.contains(&k.as_str()));
            }
            if name.kind_name() != "identifier" {
                return false;
            }
            let var = ast::text(name, src);
            // every later use of the name reads a harmless claim
            let mut uses = 0usize;
            let mut harmful = false;
            ast::visit(func, &mut |n| {
                if harmful {
                    return false;
                }
                if n.kind_name() == "identifier"
                    && n.start_byte() > name.end_byte()
                    && ast::text(n, src) == var
                {
                    uses += 1;
                    let member = n.parent().filter(|p| {
                        p.kind_name() == "member_expression"
                            && p.field(Field::Object).is_some_and(|o| o.id() == n.id())
                    });
                    let harmless = member
                        .and_then(|m| m.field(Field::Property))
                        .is_some_and(|p| HARMLESS_CLAIMS.contains(&ast::text(p, src)));
                    // `if (!decoded)` / `typeof decoded`: a presence check
                    let check = n
                        .parent()
                        .is_some_and(|p| matches!(p.kind_name(), "unary_expression"));
                    harmful = !harmless && !check;
                }
                true
            });
            uses > 0 && !harmful
        }
        _ => false,
    }
}

/// `algorithms: [..., 'none']`.
fn check_algorithms(cx: &mut RuleContext<'_>, pair: Node<'_>) {
    let src = cx.source;
    let (Some(k), Some(v)) = (pair.field(Field::Key), pair.field(Field::Value)) else {
        return;
    };
    let key = ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string());
    let v = ast::unwrap_expr(v);
    if key != "algorithms" || v.kind_name() != "array" {
        return;
    }
    let mut c = v.walk();
    let none = v
        .named_children(&mut c)
        .find(|e| ast::string_value(*e, src).is_some_and(|s| s.eq_ignore_ascii_case("none")));
    if let Some(none) = none {
        cx.report(
            none.byte_range(),
            "Accepting the `none` algorithm lets unsigned tokens through verification; list only the algorithm you sign with",
        );
    }
}

/// The payload has no `exp` as far as the file shows: an object literal (or
/// a variable bound to one) without `exp` or a spread. Anything else (a
/// string payload, a parameter, a parsed or fetched value, a helper's
/// result) is not known: `false`.
fn payload_lacks_exp(payload: Node<'_>, src: &Script<'_>) -> bool {
    resolve_object(payload, src).is_some_and(|o| !has_time_claim(o, src))
}

/// The payload carries a lifetime the app's verifier can enforce: `exp`, an
/// expiry claim of its own (`expiresAt`, `expires`, `expiry`,
/// `expirationTime`), or the time it was issued, set to now (`iat`,
/// `issuedAt`, `createdAt: new Date().toISOString()`; not a user's own
/// `createdAt`).
fn has_time_claim(object: Node<'_>, src: &str) -> bool {
    crate::ts::frameworks::property_where(object, src, |k, value| {
        let expiry = k == "exp"
            || ast::name_words(k)
                .iter()
                .any(|w| matches!(w.as_str(), "expires" | "expire" | "expiry" | "expiration"));
        let issued_now = matches!(k, "iat" | "issuedAt" | "createdAt") && {
            let t = ast::text(value, src);
            t.contains("Date.now(") || t.starts_with("new Date()")
        };
        expiry || issued_now
    })
    .is_some()
}

/// `options.expiresIn = …` in the function that signs: an options object
/// given its lifetime after it was written (`if (days) opts.expiresIn = …`).
fn expiry_assigned_later(options_arg: Node<'_>, call: Node<'_>, src: &str) -> bool {
    let o = ast::unwrap_expr(options_arg);
    if o.kind_name() != "identifier" {
        return false;
    }
    let name = ast::text(o, src);
    let Some(scope) = ast::enclosing_function(call).and_then(|f| f.field(Field::Body)) else {
        return false;
    };
    let mut found = false;
    ast::visit(scope, &mut |n| {
        if found {
            return false;
        }
        if n.kind_name() == "assignment_expression" {
            found = n
                .field(Field::Left)
                .filter(|l| l.kind_name() == "member_expression")
                .is_some_and(|l| {
                    l.field(Field::Object)
                        .is_some_and(|ob| ast::text(ob, src) == name)
                        && l.field(Field::Property)
                            .is_some_and(|pr| ast::text(pr, src) == "expiresIn")
                });
        }
        !found
    });
    found
}

/// An object literal, or a `const` bound to one (a `let` may be reassigned:
/// `let claims = {}` then `claims = JSON.parse(text)`); `None` for anything
/// else or an object with a spread.
fn resolve_object<'t>(expr: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let o = ast::unwrap_expr(expr);
    if o.kind_name() == "identifier"
        && src
            .declaration(o, ast::text(o, src))
            .is_none_or(|b| b.kind != BindingKind::Const)
    {
        return None;
    }
    object_literal(o, src)
}

fn has_key(object: Node<'_>, key: &str, src: &str) -> bool {
    object_property(object, key, src).is_some()
}

/// The callee (`jwt.sign`), where the finding goes.
fn function_range(call: Node<'_>) -> std::ops::Range<usize> {
    call.field(Field::Function)
        .map_or(call.byte_range(), |f| f.byte_range())
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const ID: &str = "jwt-without-expiry";
    const P: &str = "src/auth/tokens.ts";
    const IMPORT: &str = "import jwt from 'jsonwebtoken';\n";

    #[test]
    fn not_in_tests() {
        // measured: fixture tokens in test files were 35 of the 36 false positives
        let text = format!("{IMPORT}const t = jwt.sign({{ sub: 'u1' }}, 'secret');\n");
        assert_eq!(snippets(&text).len(), 1, "flagged in source");
        assert_clean(ID, "apps/web/lib/jwt.test.ts", &text);
        assert_clean(ID, "src/__tests__/tokens.ts", &text);
    }

    fn snippets(text: &str) -> Vec<String> {
        findings(ID, P, text)
            .iter()
            .map(|d| text[d.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_sign_without_expiry() {
        let text = format!("{IMPORT}const a = jwt.sign({{ sub: id }}, secret);\nconst b = jwt.sign({{ sub: id }}, secret, {{ algorithm: 'HS256' }});\nconst opts = {{ issuer: 'x' }};\nconst c = jwt.sign({{ sub: id }}, secret, opts);\nfunction issue(user) {{ const payload = {{ id: user.id }}; return jwt.sign(payload, secret); }}\n");
        assert_eq!(snippets(&text), vec!["jwt.sign"; 4]);
        // require, a named import, another local name
        let text = "const { sign } = require('jsonwebtoken');\nsign({ id }, key);\nimport * as token from 'jsonwebtoken';\ntoken.sign({ id }, key);\n";
        assert_eq!(snippets(text), vec!["sign", "token.sign"]);
    }

    #[test]
    fn sign_with_expiry_or_unknown_parts_is_clean() {
        for text in [
            "jwt.sign({ sub: id }, secret, { expiresIn: '1h' });",
            "jwt.sign({ sub: id, exp: Math.floor(Date.now() / 1000) + 60 }, secret);",
            "const o = { expiresIn: 60 };\njwt.sign({ sub: id }, secret, o);",
            // options or payload not shown
            "function f(opts, p) { jwt.sign({ sub: id }, secret, opts); jwt.sign(p, secret); jwt.sign({ ...claims }, secret); jwt.sign(claims(), secret); }",
            "const payload = JSON.parse(input);\njwt.sign(payload, secret);\nconst user = await db.user.find(id);\njwt.sign(user, secret);",
            "jwt.sign({ sub: id }, secret, { ...defaults });",
            // a string payload cannot take expiresIn
            "jwt.sign('user-42', secret);",
            // a cookie's expiresIn is not the token's
            "const t = jwt.sign({ sub: id }, secret, { expiresIn: '15m' });\nres.cookie('session', t, { expiresIn: 900 });",
        ] {
            assert_clean(ID, P, &format!("{IMPORT}{text}"));
        }
        // not jsonwebtoken's sign
        assert_clean(
            ID,
            P,
            "import jwt from 'my-jwt';\njwt.sign({ id }, k);\nsigner.sign({ id }, k);\n",
        );
    }

    #[test]
    fn custom_expiry_claims_and_options_given_a_lifetime_later() {
        for text in [
            // an expiry claim the app's verifier checks
            "jwt.sign({ id, expiresAt: addHours(new Date(), 24).toISOString(), type: 'session' }, secret);",
            "jwt.sign({ id, expires: Date.now() + 60_000 }, secret);",
            // the time it was issued, set to now (a verifier can bound its age)
            "jwt.sign({ id, createdAt: new Date().toISOString() }, secret);",
            // the options object given its lifetime after it was written
            "function link(days) {\n  const opts = { algorithm: 'HS256' };\n  if (days) opts.expiresIn = `${days}d`;\n  return jwt.sign({ id }, secret, opts);\n}",
        ] {
            assert_clean(ID, P, &format!("{IMPORT}{text}"));
        }
        // near misses: a user's own `createdAt`, another property set later
        let text = format!("{IMPORT}jwt.sign({{ id, createdAt: user.createdAt }}, secret);
function f() {{\n  const opts = {{ algorithm: 'HS256' }};\n  opts.issuer = 'x';\n  return jwt.sign({{ id }}, secret, opts);\n}}\n");
        assert_eq!(snippets(&text), vec!["jwt.sign"; 2]);
    }

    #[test]
    fn flags_jose_chain_without_expiration() {
        let text = "import { SignJWT } from 'jose';\nimport * as jose from 'jose';\nawait new SignJWT({ id }).setProtectedHeader({ alg: 'HS256' }).sign(key);\nawait new jose.SignJWT({ id }).sign(key);\n";
        assert_eq!(snippets(text), vec!["SignJWT", "jose.SignJWT"]);
        for text in [
            "import { SignJWT } from 'jose';\nawait new SignJWT({ id }).setExpirationTime('2h').sign(key);",
            "import { SignJWT } from 'jose';\nawait new SignJWT({ id, exp }).sign(key);",
            "import { SignJWT } from 'jose';\nfunction f(p) { return new SignJWT(p).sign(key); }",
            "import * as jose from 'jose';\nconst claims = JSON.parse(text);\nawait new jose.SignJWT(claims).sign(key);",
            // a `let` reassigned after its empty start
            "import * as jose from 'jose';\nlet claims = {};\nclaims = JSON.parse(text);\nawait new jose.SignJWT(claims).sign(key);",
            "class SignJWT {}\nnew SignJWT({ id }).sign(key);",
        ] {
            assert_clean(ID, P, text);
        }
    }

    #[test]
    fn flags_none_algorithm() {
        let text = format!("{IMPORT}jwt.verify(t, k, {{ algorithms: ['HS256', 'none'] }});\njwt.sign({{ id }}, k, {{ algorithm: 'none', expiresIn: '1h' }});\n");
        assert_eq!(snippets(&text), vec!["'none'", "'none'"]);
        assert_clean(
            ID,
            P,
            &format!("{IMPORT}jwt.verify(t, k, {{ algorithms: ['HS256'] }});\n"),
        );
    }

    #[test]
    fn flags_decode_used_as_identity() {
        let text = format!("{IMPORT}export function getCurrentUser(token) {{\n  const claims = jwt.decode(token);\n  return db.user(claims.sub);\n}}\napp.get('/me', (req, res) => res.json(jwt.decode(req.headers.authorization)));\n");
        assert_eq!(snippets(&text), vec!["jwt.decode", "jwt.decode"]);
        let text = "import { decodeJwt } from 'jose';\nexport async function requireAuth(t) {\n  return decodeJwt(t).sub;\n}\n";
        assert_eq!(snippets(text), vec!["decodeJwt"]);
    }

    #[test]
    fn decode_to_read_or_beside_verify_is_clean() {
        for text in [
            // a verification in the file
            "export function getUser(t) { const c = jwt.decode(t); if (!jwt.verify(t, k)) throw 1; return c.sub; }",
            // the header to pick a key
            "export function getUser(t) { const { header } = jwt.decode(t, { complete: true }); return header.kid; }",
            // only the expiry
            "export function authExpired(t) { const d = jwt.decode(t); if (!d) return true; return d.exp * 1000 < Date.now(); }",
            "export function sessionExpiry(t) { return jwt.decode(t).exp; }",
            "export function userTokenTimes(t) { const { exp, iat } = jwt.decode(t); return exp - iat; }",
            // not a handler or an auth function
            "export function debugToken(t) { return jwt.decode(t); }",
        ] {
            assert_clean(ID, P, &format!("{IMPORT}{text}\n"));
        }
    }

    #[test]
    fn fix_adds_expires_in() {
        check_fix(
            ID,
            P,
            "import jwt from \"jsonwebtoken\";\nconst a = jwt.sign({ sub: id }, secret);\nconst b = jwt.sign({ sub: id }, secret, { algorithm: \"HS256\" });\njwt.sign({ id }, secret, (err, t) => done(t));\n",
            false,
            "import jwt from \"jsonwebtoken\";\nconst a = jwt.sign({ sub: id }, secret, { expiresIn: \"15m\" });\nconst b = jwt.sign({ sub: id }, secret, { algorithm: \"HS256\", expiresIn: \"15m\" });\njwt.sign({ id }, secret, { expiresIn: \"15m\" }, (err, t) => done(t));\n",
        );
        // multi-line options keep their layout and CRLF
        check_fix(
            ID,
            P,
            "import jwt from 'jsonwebtoken';\r\nconst t = jwt.sign({ sub: id }, secret, {\r\n    issuer: 'app',\r\n});\r\n",
            false,
            "import jwt from 'jsonwebtoken';\r\nconst t = jwt.sign({ sub: id }, secret, {\r\n    issuer: 'app',\r\n    expiresIn: '15m',\r\n});\r\n",
        );
    }

    #[test]
    fn fix_adds_set_expiration_time() {
        check_fix(
            ID,
            P,
            "import { SignJWT } from 'jose';\nconst t = await new SignJWT({ id })\n\t.setProtectedHeader({ alg: 'HS256' })\n\t.sign(key);\nconst u = await new SignJWT({ id }).sign(key);\n",
            false,
            "import { SignJWT } from 'jose';\nconst t = await new SignJWT({ id })\n\t.setProtectedHeader({ alg: 'HS256' })\n\t.setExpirationTime('15m')\n\t.sign(key);\nconst u = await new SignJWT({ id }).setExpirationTime('15m').sign(key);\n",
        );
    }

    #[test]
    fn configured_lifetime() {
        let config = with_rule_options(config_only(ID), ID, "expires-in = \"1h\"");
        check_fix_with(
            ID,
            P,
            "import jwt from 'jsonwebtoken';\njwt.sign({ id }, k);\n",
            false,
            "import jwt from 'jsonwebtoken';\njwt.sign({ id }, k, { expiresIn: '1h' });\n",
            &config,
            &facts_for(P, ""),
        );
    }

    #[test]
    fn ranges_with_non_ascii_text() {
        let text = "import jwt from 'jsonwebtoken';\r\n// jeton signé 🔑\r\nconst t = jwt.sign({ usuário: 'é' }, clé);\r\n";
        let d = findings(ID, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "jwt.sign");
    }
}
