//! What a literal is: a known token format, a placeholder, a public value, or random-
//! looking text under a secret's name.

use super::{Kind, Place};
use crate::rules::secrets::{is_placeholder, looks_random, PRIVATE_KEY_HEADER, TOKENS};
use crate::ts::ast;
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// What the literal is, and whether the credential is the whole literal.
pub(super) fn classify(
    content: &str,
    has_substitution: bool,
    place: &Place,
) -> Option<(Kind, bool)> {
    if let Some(m) = PRIVATE_KEY_HEADER.find(content) {
        let body = &content[m.end()..];
        let body = body.split("-----END").next().unwrap_or("");
        let material: String = body
            .replace("\\n", "")
            .replace("\\r", "")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .collect();
        if material.len() >= 40 && !is_placeholder(body) {
            let whole = content.trim_start().starts_with("-----BEGIN");
            return Some((Kind::PrivateKey, whole));
        }
    }
    for (kind, re) in TOKENS.iter() {
        for caps in re.captures_iter(content) {
            let Some(token) = caps.get(1) else { continue };
            if is_placeholder(token.as_str()) {
                continue;
            }
            if *kind == Kind::ServiceRoleJwt
                && !caps.get(2).is_some_and(|p| {
                    let payload = jwt_payload(p.as_str());
                    is_service_role(&payload) && !is_sample_jwt(&payload)
                })
            {
                continue;
            }
            return Some((*kind, token.as_str() == content.trim()));
        }
    }
    // A random-looking value under a secret's name.
    let name = place.name.as_deref()?;
    if has_substitution || place.env_fallback || !names_a_secret(name) {
        return None;
    }
    if is_public_value(content.trim()) {
        return None;
    }
    looks_random(content).then_some((Kind::Named, true))
}

/// Values that are public by design or published samples: PostHog project keys
/// (`phc_…`, sent by every browser), UUIDs (identifiers), the Supabase local
/// demo JWTs and the jwt.io sample token.
fn is_public_value(value: &str) -> bool {
    if value.starts_with("phc_") || is_uuid(value) {
        return true;
    }
    let mut parts = value.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(_), None) if h.starts_with("eyJ") && p.starts_with("eyJ") => {
            is_sample_jwt(&jwt_payload(p))
        }
        _ => false,
    }
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A JWT payload segment decoded to its JSON text (empty when it does not decode).
pub(super) fn jwt_payload(segment: &str) -> String {
    base64url_decode(segment)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The Supabase CLI's local demo keys (`"iss": "supabase-demo"`) and the jwt.io
/// sample token (`"sub": "1234567890", "name": "John Doe"`): published, they
/// open nothing.
pub(super) fn is_sample_jwt(payload: &str) -> bool {
    let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"iss\":\"supabase-demo\"")
        || (compact.contains("\"sub\":\"1234567890\"") && compact.contains("\"name\":\"JohnDoe\""))
}

/// Words of a comment that say the value next to it is not a secret.
const DISCLAIMERS: &[&str] = &[
    "not a secret",
    "not actually a secret",
    "not secret",
    "isn't a secret",
    "is not a real",
    "not a real",
    "not sensitive",
    "dummy",
    "fake",
    "safe to expose",
    "safe to commit",
    "safe to share",
    "safe to publish",
    "public by design",
    "is public",
];

/// A comment of the literal's own statement or property — on the lines just
/// before it, or trailing on its last line — says it is not a secret.
pub(super) fn comment_disclaims_secret(node: Node<'_>, src: &str) -> bool {
    // The statement, property or class member holding the literal (bounded climb).
    let mut item = node;
    for _ in 0..12 {
        let Some(p) = item.parent() else { break };
        if matches!(
            p.kind_name(),
            "program" | "statement_block" | "object" | "class_body" | "switch_body"
        ) {
            break;
        }
        item = p;
    }
    let says = |c: Node<'_>| {
        let lower = ast::text(c, src).to_ascii_lowercase();
        DISCLAIMERS.iter().any(|d| lower.contains(d))
    };
    // Comments directly above (a block of up to three).
    let mut row = item.start_position().row;
    let mut prev = item.prev_named_sibling();
    for _ in 0..3 {
        let Some(c) = prev.filter(|c| c.kind_name() == "comment") else {
            break;
        };
        // adjacent, and on its own line (not trailing an earlier statement)
        let line_start = src[..c.start_byte()].rfind('\n').map_or(0, |i| i + 1);
        if c.end_position().row + 1 < row || !src[line_start..c.start_byte()].trim().is_empty() {
            break;
        }
        if says(c) {
            return true;
        }
        row = c.start_position().row;
        prev = c.prev_named_sibling();
    }
    // A trailing comment on the line the item ends (after `,` or `;`, or inside
    // the statement when it has no semicolon).
    let end_row = item.end_position().row;
    let trailing = item
        .next_named_sibling()
        .filter(|c| c.kind_name() == "comment" && c.start_position().row == end_row);
    if trailing.is_some_and(says) {
        return true;
    }
    let mut c = item.walk();
    let inner = item
        .named_children(&mut c)
        .filter(|n| n.kind_name() == "comment" && n.start_position().row == end_row)
        .any(says);
    inner
}

/// The decoded JWT payload has `"role": "service_role"`.
pub(super) fn is_service_role(text: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v.get("role").and_then(|r| r.as_str()) == Some("service_role"),
        Err(_) => {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("\"role\":\"service_role\"")
        }
    }
}

pub(super) fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The name says the value is a secret (`secret|password|passwd|token|api_?key|
/// private_?key|client_?secret`, by words), and not an attribute of one
/// (`tokenUrl`, `passwordField`, `secretName`).
fn names_a_secret(name: &str) -> bool {
    let words = ast::name_words(name);
    const NOT_THE_SECRET: &[&str] = &[
        "name",
        "names",
        "header",
        "url",
        "uri",
        "endpoint",
        "path",
        "route",
        "type",
        "field",
        "param",
        "label",
        "placeholder",
        "hint",
        "prefix",
        "length",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "id",
        "ids",
        "count",
        "version",
        "pattern",
        "regex",
        "format",
        "storage",
        "message",
        "error",
        "text",
        "title",
        "event",
        "policy",
        "rule",
        "rules",
        "min",
        "max",
        "strength",
        "hash",
        "hashed",
        "reset",
        "link",
    ];
    if words.iter().any(|w| NOT_THE_SECRET.contains(&w.as_str())) {
        return false;
    }
    // `api_?key` / `private_?key` as written (these forms are the rule's triggers).
    let lower = name.to_ascii_lowercase();
    let key_forms = ["apikey", "api_key", "api-key", "api key"]
        .iter()
        .chain(&["privatekey", "private_key", "private-key", "private key"])
        .any(|f| lower.contains(f));
    key_forms
        || words.iter().any(|w| {
            w.contains("secret")
                || w.contains("password")
                || w.contains("passwd")
                || w == "token"
                || w == "tokens"
                || w.ends_with("token")
        })
}

/// Names of UI text, where credential-looking strings are examples for humans.
pub(super) fn is_ui_text_name(name: &str) -> bool {
    ast::name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "placeholder"
                | "example"
                | "examples"
                | "sample"
                | "hint"
                | "label"
                | "description"
                | "helper"
                | "tooltip"
                | "caption"
                | "title"
        )
    })
}
