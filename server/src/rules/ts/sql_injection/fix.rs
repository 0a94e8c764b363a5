//! The fixes: bind parameters for node-postgres calls, tagged templates for Prisma.

use super::allowlist::decoded;
use super::dynamic::{classify_template, template_pieces, Piece, SubClass};
use super::safe::Safety;
use super::PLACEHOLDER;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use regex::Regex;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Whether a value may be bound as a parameter at this point of the SQL: `before`
/// is the SQL text before it (earlier values written as `0`), `after` the text after.
fn value_position(before: &str, after: &str) -> bool {
    if after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '\'' | '$'))
    {
        return false;
    }
    let t = before.trim_end();
    if ["=", "<", ">", "+", "-", "*", "/", "%", "||"]
        .iter()
        .any(|op| t.ends_with(op))
    {
        // `->`/`->>` JSON operators take a value too; `--` starts a comment.
        return !t.ends_with("--");
    }
    if t.ends_with('(') || t.ends_with(',') {
        return in_value_list(t);
    }
    let word = last_word(t).to_ascii_uppercase();
    match word.as_str() {
        "LIKE" | "ILIKE" | "LIMIT" | "OFFSET" | "BETWEEN" | "THEN" | "ELSE" => true,
        "AND" => {
            static BETWEEN: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"(?i)\bBETWEEN\s+\S+\s+AND$").expect("valid regex"));
            BETWEEN.is_match(t)
        }
        _ => false,
    }
}

fn last_word(t: &str) -> &str {
    let start = t
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    &t[start..]
}

/// `t` ends inside a parenthesised list of values: `VALUES (…, `, `IN (`,
/// `= ANY(`, `lower(`, a further row of `VALUES (…), (`.
fn in_value_list(t: &str) -> bool {
    // Position of the innermost unclosed `(`.
    let open = |s: &str| -> Option<usize> {
        let mut depth = 0i32;
        for (i, c) in s.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' if depth == 0 => return Some(i),
                '(' => depth -= 1,
                _ => {}
            }
        }
        None
    };
    let Some(mut pos) = open(t) else {
        return false;
    };
    for _ in 0..1000 {
        let pre = t[..pos].trim_end();
        if let Some(rest) = pre.strip_suffix(',') {
            let rest = rest.trim_end();
            if !rest.ends_with(')') {
                return false;
            }
            // Skip back over the previous row `(…)`.
            let inner = &rest[..rest.len() - 1];
            match open(inner) {
                Some(p) => pos = p,
                None => return false,
            }
            continue;
        }
        let word = last_word(pre).to_ascii_uppercase();
        return matches!(
            word.as_str(),
            "VALUES" | "IN" | "ANY" | "ALL" | "LOWER" | "UPPER" | "COALESCE" | "TRIM"
        );
    }
    false
}

/// How one substitution becomes a parameter: the raw-text bytes to drop around
/// it (a surrounding `'…'`), or `None` when it cannot be bound as written.
struct ParamPlan {
    drop_before: usize,
    drop_after: usize,
}

/// Plan the parameter for each substitution in `bind` (by index among the
/// substitutions): `None` if any of them cannot be bound.
fn plan_bindings(
    pieces: &[Piece],
    bind: &[bool],
    src: &Script<'_>,
) -> Option<Vec<Option<ParamPlan>>> {
    let mut before = String::new();
    let mut plans = Vec::new();
    let mut sub_index = 0;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(r) => before.push_str(&decoded(src.get(r.clone())?)),
            Piece::Sub(_) => {
                let this = sub_index;
                sub_index += 1;
                if !bind.get(this).copied().unwrap_or(false) {
                    plans.push(None);
                    before.push('0');
                    continue;
                }
                let raw_before = match i.checked_sub(1).map(|j| &pieces[j]) {
                    Some(Piece::Text(r)) => src.get(r.clone())?,
                    _ => "",
                };
                let raw_after = match pieces.get(i + 1) {
                    Some(Piece::Text(r)) => src.get(r.clone())?,
                    _ => "",
                };
                let quotes = before.matches('\'').count();
                let (ctx_before, drop_before, drop_after, after_text) = if quotes % 2 == 1 {
                    // Inside a SQL string: only `'${x}'` (the whole string) can be bound.
                    let db = if raw_before.ends_with("\\'") {
                        2
                    } else if raw_before.ends_with('\'') {
                        1
                    } else {
                        return None;
                    };
                    let da = if raw_after.starts_with("\\'") {
                        2
                    } else if raw_after.starts_with('\'') {
                        1
                    } else {
                        return None;
                    };
                    let ctx = before.strip_suffix('\'')?.to_string();
                    (ctx, db, da, decoded(&raw_after[da..]))
                } else {
                    (before.clone(), 0, 0, decoded(raw_after))
                };
                if !value_position(&ctx_before, &after_text) {
                    return None;
                }
                plans.push(Some(ParamPlan {
                    drop_before,
                    drop_after,
                }));
                before.push('0');
            }
        }
    }
    Some(plans)
}

/// Rebuild the template's content: substitutions in `plans` become `param(i)`
/// (with their quotes dropped), the others stay `${…}`.
fn rebuild(
    pieces: &[Piece],
    plans: &[Option<ParamPlan>],
    src: &Script<'_>,
    mut param: impl FnMut(usize) -> String,
) -> Option<String> {
    let mut out = String::new();
    let mut sub_index = 0;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(r) => {
                let mut r = r.clone();
                if let Some(Piece::Sub(_)) = pieces.get(i + 1) {
                    if let Some(Some(b)) = plans.get(sub_index) {
                        r.end = r.end.checked_sub(b.drop_before)?;
                    }
                }
                if i > 0 && sub_index > 0 {
                    if let Some(Some(b)) = plans.get(sub_index - 1) {
                        r.start += b.drop_after;
                    }
                }
                if r.start < r.end {
                    out.push_str(src.get(r)?);
                }
            }
            Piece::Sub(sub) => {
                match plans.get(sub_index)? {
                    Some(_) => out.push_str(&param(sub_index)),
                    None => out.push_str(ast::text(*sub, src)),
                }
                sub_index += 1;
            }
        }
    }
    Some(out)
}

/// Whether the file uses a MySQL/SQLite driver (whose placeholders are `?`).
fn uses_question_mark_driver(src: &Script<'_>) -> bool {
    ["'mysql", "\"mysql", "'mariadb", "\"mariadb", "sqlite"]
        .iter()
        .any(|m| src.contains(m))
}

pub(super) fn pg_fix<'t>(
    cx: &RuleContext<'_>,
    call: Node<'t>,
    tpl: Node<'t>,
    args: &[Node<'t>],
    safety: &mut Safety<'_, 't>,
) -> Option<Fix> {
    let script = cx.script();
    let src = &script;
    if uses_question_mark_driver(src) || args.first().map(|a| a.id()) != Some(tpl.id()) {
        return None;
    }
    let _ = call;
    let pieces = template_pieces(tpl)?;
    let classes = classify_template(&pieces, safety);
    if classes.iter().any(|(_, c)| *c == SubClass::Placeholder) {
        return None;
    }
    let static_text: String = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(r) => src.get(r.clone()),
            Piece::Sub(_) => None,
        })
        .collect();
    if static_text.contains('?') {
        return None;
    }
    let existing = PLACEHOLDER
        .captures_iter(&static_text)
        .filter_map(|c| c.get(1)?.as_str().parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    // The values array to extend, if any.
    let values_array = match args.len() {
        1 if existing == 0 => None,
        2 => {
            let arr = ast::unwrap_expr(args[1]);
            if arr.kind_name() != "array" {
                return None;
            }
            let mut c = arr.walk();
            let elems: Vec<Node> = arr
                .named_children(&mut c)
                .filter(|n| n.kind_name() != "comment")
                .collect();
            if elems.iter().any(|e| e.kind_name() == "spread_element") || elems.len() != existing {
                return None;
            }
            Some((arr, elems))
        }
        _ => return None,
    };
    let bind: Vec<bool> = classes
        .iter()
        .map(|(_, c)| *c == SubClass::Unsafe)
        .collect();
    let plans = plan_bindings(&pieces, &bind, src)?;
    // Number the values; the same plain name or property gets the same number.
    let mut values: Vec<String> = Vec::new();
    let mut numbers: Vec<usize> = Vec::new();
    for (i, (expr, _)) in classes.iter().enumerate() {
        if !bind[i] {
            numbers.push(0);
            continue;
        }
        let text = ast::text(*expr, src).to_string();
        let reuse = ast::member_path(*expr, src).is_some();
        match values.iter().position(|v| reuse && *v == text) {
            Some(p) => numbers.push(existing + p + 1),
            None => {
                values.push(text);
                numbers.push(existing + values.len());
            }
        }
    }
    let content = rebuild(&pieces, &plans, src, |i| {
        format!("${}", numbers.get(i).copied().unwrap_or(0))
    })?;
    let keeps_substitutions = bind.iter().any(|b| !b);
    let literal = if keeps_substitutions || content.contains('\n') || content.contains('\r') {
        format!("`{content}`")
    } else {
        let unescaped = |q: char| {
            let mut prev = '\0';
            content.chars().any(|c| {
                let hit = c == q && prev != '\\';
                prev = if prev == '\\' && c == '\\' { '\0' } else { c };
                hit
            })
        };
        let preferred = ast::preferred_quote(src);
        let other = if preferred == '\'' { '"' } else { '\'' };
        if !unescaped(preferred) {
            format!("{preferred}{content}{preferred}")
        } else if !unescaped(other) {
            format!("{other}{content}{other}")
        } else {
            format!("`{content}`")
        }
    };
    let mut edits = Vec::new();
    match values_array {
        None => edits.push(Edit::replace(
            tpl.byte_range(),
            format!("{literal}, [{}]", values.join(", ")),
        )),
        Some((arr, elems)) => {
            edits.push(Edit::replace(tpl.byte_range(), literal));
            match elems.last() {
                Some(last) => edits.push(Edit::insert(
                    last.end_byte(),
                    format!(", {}", values.join(", ")),
                )),
                None => edits.push(Edit::insert(arr.start_byte() + 1, values.join(", "))),
            }
        }
    }
    Some(Fix::safe(
        "Pass the interpolated values as query parameters",
        edits,
    ))
}

pub(super) fn prisma_fix<'t>(
    call: Node<'t>,
    tpl: Node<'t>,
    args: &[Node<'t>],
    execute: bool,
    safety: &mut Safety<'_, 't>,
) -> Option<Fix> {
    let src = safety.src;
    // tree-sitter cannot parse a tagged template with type arguments
    // (`prisma.$queryRaw<User[]>`…``): no fix rather than a file that looks broken.
    if args.len() != 1 || args[0].id() != tpl.id() || call.field(Field::TypeArguments).is_some() {
        return None;
    }
    let arguments = call.field(Field::Arguments)?;
    // Only `(`, the template, `)` (and a trailing comma): no comments to lose.
    let mut c = arguments.walk();
    if arguments
        .children(&mut c)
        .any(|n| !matches!(n.kind_name(), "(" | ")" | ",") && n.id() != tpl.id())
    {
        return None;
    }
    let property = ast::unwrap_expr(call.field(Field::Function)?).field(Field::Property)?;
    let pieces = template_pieces(tpl)?;
    let classes = classify_template(&pieces, safety);
    if classes.iter().any(|(_, c)| *c == SubClass::Placeholder) {
        return None;
    }
    // Every substitution becomes a parameter, constants included.
    let bind = vec![true; classes.len()];
    let plans = plan_bindings(&pieces, &bind, src)?;
    let subs: Vec<Node> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Sub(s) => Some(*s),
            _ => None,
        })
        .collect();
    let content = rebuild(&pieces, &plans, src, |i| {
        subs.get(i)
            .map(|s| ast::text(*s, src).to_string())
            .unwrap_or_default()
    })?;
    let tagged = if execute { "$executeRaw" } else { "$queryRaw" };
    Some(Fix::safe(
        format!("Use the tagged template `{tagged}`, which binds the values as parameters"),
        vec![
            Edit::replace(property.byte_range(), tagged),
            Edit::replace(arguments.byte_range(), format!("`{content}`")),
        ],
    ))
}
