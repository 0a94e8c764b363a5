//! Whether a client-chosen name reaches the sink: pass-through calls carry it, sanitizers
//! stop it.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub(super) const PASS_METHODS: &[&str] = &[
    "toLowerCase",
    "toUpperCase",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "trim",
    "trimStart",
    "trimEnd",
    "normalize",
    "toString",
    "replace",
    "replaceAll",
    "slice",
    "substring",
    "substr",
    "concat",
    "padStart",
    "padEnd",
    "split",
    "join",
    "at",
    "pop",
    "shift",
    "valueOf",
];

const PASS_FUNCTIONS: &[&str] = &[
    "String",
    "decodeURIComponent",
    "decodeURI",
    "basename",
    "normalize",
    "format",
    "from",
];

/// A function whose result still carries its argument as a name:
/// `String(x)`, `decodeURIComponent(x)`, `path.basename(x)`, `Buffer.from(x)`.
pub(super) fn is_pass_function(call: Node, src: &Script<'_>) -> bool {
    let Some(path) = ast::callee_path(call, src) else {
        return false;
    };
    let fname = path.rsplit('.').next().unwrap_or("");
    PASS_FUNCTIONS.contains(&fname)
        && (fname != "from" || path == "Buffer.from")
        && (!matches!(fname, "basename" | "normalize" | "format") || path.contains('.'))
}

fn is_sanitizer_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["sanitiz", "slug", "filenamify", "safe", "clean"]
        .iter()
        .any(|s| l.contains(s))
}

/// `replace(/[^a-z0-9._-]/gi, …)`: a global replace of everything outside an
/// allowlist that has no `/` or `\` in it.
fn is_allowlist_replace(call: Node, src: &Script<'_>) -> bool {
    let Some(re) = ast::call_arguments(call)
        .first()
        .map(|a| ast::unwrap_expr(*a))
    else {
        return false;
    };
    if re.kind_name() != "regex" {
        return false;
    }
    let pattern = re
        .field(Field::Pattern)
        .map(|p| ast::text(p, src))
        .unwrap_or("");
    let flags = re
        .field(Field::Flags)
        .map(|p| ast::text(p, src))
        .unwrap_or("");
    let class = pattern
        .trim_end_matches(['+', '*'])
        .strip_prefix("[^")
        .and_then(|p| p.strip_suffix(']'));
    match class {
        Some(c) => {
            flags.contains('g') && !c.contains('/') && !c.contains("\\\\") && !c.contains(']')
        }
        None => false,
    }
}

/// Whether the value of `source` reaches `root` unchanged enough to still be a
/// client-chosen name: through string building and pass-through calls, not
/// through sanitizers, `path.extname`, conditions or unknown functions.
pub(super) fn flows(source: Node, root: Node, src: &Script<'_>) -> bool {
    let mut cur = source;
    while cur.id() != root.id() {
        let Some(parent) = cur.parent() else {
            return false;
        };
        let is = |field: Field| parent.field(field).map(|n| n.id()) == Some(cur.id());
        match parent.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "await_expression"
            | "template_substitution"
            | "template_string"
            | "array"
            | "spread_element" => {}
            "binary_expression" => {
                let op = parent.field(Field::Operator).map(|o| ast::text(o, src));
                match op {
                    Some("+" | "||" | "??") => {}
                    Some("&&") if is(Field::Right) => {}
                    _ => return false,
                }
            }
            "ternary_expression" => {
                if !is(Field::Consequence) && !is(Field::Alternative) {
                    return false;
                }
            }
            "subscript_expression" => {
                if !is(Field::Object) {
                    return false;
                }
            }
            "member_expression" => {
                // Only a method call on the name: `name.toLowerCase()`.
                if !is(Field::Object) {
                    return false;
                }
                let Some(call) = parent.parent() else {
                    return false;
                };
                if call.kind_name() != "call_expression"
                    || call.field(Field::Function).map(|f| f.id()) != Some(parent.id())
                {
                    return false;
                }
                let method = parent
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                if is_sanitizer_name(method)
                    || (matches!(method, "replace" | "replaceAll")
                        && is_allowlist_replace(call, src))
                    || !PASS_METHODS.contains(&method)
                {
                    return false;
                }
                if call.id() == root.id() {
                    return true;
                }
                cur = call;
                continue;
            }
            "arguments" => {
                let Some(call) = parent.parent() else {
                    return false;
                };
                if !matches!(call.kind_name(), "call_expression" | "new_expression") {
                    return false;
                }
                if !is_pass_function(call, src) {
                    return false;
                }
                if call.id() == root.id() {
                    return true;
                }
                cur = call;
                continue;
            }
            _ => return false,
        }
        cur = parent;
    }
    true
}
