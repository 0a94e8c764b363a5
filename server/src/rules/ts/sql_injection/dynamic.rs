//! Whether SQL text is built from run-time values: template pieces and `+` chains.

use super::safe::Safety;
use super::SQL_KEYWORD;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use std::ops::Range;
use tree_sitter::Node;

pub(super) struct DynamicSql<'t> {
    /// The interpolated or concatenated values that are not known to be safe.
    pub(super) unsafe_parts: Vec<Node<'t>>,
    /// The SQL text was built in a local variable (no fix).
    pub(super) via_variable: bool,
    /// The SQL text before the first substitution or value (for the statement kind).
    pub(super) head: Option<String>,
}

/// Whether `expr` is SQL text built from values not known to be safe.
pub(super) fn dynamic_sql<'t>(
    expr: Node<'t>,
    safety: &mut Safety<'_, 't>,
    hop: bool,
) -> Option<DynamicSql<'t>> {
    let _level = ast::descend()?;
    let src = safety.src;
    let expr = ast::unwrap_expr(expr);
    match expr.kind_name() {
        "template_string" => {
            let pieces = template_pieces(expr)?;
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(r) => src.get(r.clone()).unwrap_or(""),
                    Piece::Sub(_) => " ",
                })
                .collect();
            if !SQL_KEYWORD.is_match(&text) {
                return None;
            }
            let unsafe_parts: Vec<Node> = classify_template(&pieces, safety)
                .into_iter()
                .filter(|(_, c)| *c == SubClass::Unsafe)
                .map(|(n, _)| n)
                .collect();
            let head = match pieces.first() {
                Some(Piece::Text(r)) => src.get(r.clone()).map(str::to_string),
                _ => None,
            };
            (!unsafe_parts.is_empty()).then_some(DynamicSql {
                unsafe_parts,
                via_variable: false,
                head,
            })
        }
        "binary_expression" if operator(expr, src) == Some("+") => {
            let mut operands = Vec::new();
            flatten_plus(expr, src, &mut operands);
            let mut text = String::new();
            let mut unsafe_parts = Vec::new();
            let mut prev_dollar = false;
            let mut head = None;
            for op in operands {
                let op = ast::unwrap_expr(op);
                if head.is_none() {
                    head = Some(match op.kind_name() {
                        "string" => ast::string_value(op, src).unwrap_or_default(),
                        "template_string" => match template_pieces(op).as_deref() {
                            Some([Piece::Text(r), ..]) => {
                                src.get(r.clone()).unwrap_or("").to_string()
                            }
                            _ => String::new(),
                        },
                        _ => String::new(),
                    });
                }
                match op.kind_name() {
                    "string" => {
                        let v = ast::string_value(op, src).unwrap_or_default();
                        prev_dollar = v.ends_with('$');
                        text.push_str(&v);
                    }
                    "template_string" => {
                        let Some(pieces) = template_pieces(op) else {
                            continue;
                        };
                        for p in &pieces {
                            if let Piece::Text(r) = p {
                                text.push_str(src.get(r.clone()).unwrap_or(""));
                            }
                        }
                        prev_dollar = matches!(pieces.last(), Some(Piece::Text(r)) if src.get(r.clone()).is_some_and(|t| t.ends_with('$')));
                        for (n, c) in classify_template(&pieces, safety) {
                            if c == SubClass::Unsafe {
                                unsafe_parts.push(n);
                            }
                        }
                    }
                    _ => {
                        text.push(' ');
                        if !prev_dollar && !safety.is_safe(op, 0) {
                            unsafe_parts.push(op);
                        }
                        prev_dollar = false;
                    }
                }
            }
            (SQL_KEYWORD.is_match(&text) && !unsafe_parts.is_empty()).then_some(DynamicSql {
                unsafe_parts,
                via_variable: false,
                head,
            })
        }
        "identifier" if hop => {
            let b = src.declaration(expr, ast::text(expr, src))?;
            if !matches!(
                b.kind,
                BindingKind::Const | BindingKind::Let | BindingKind::Var
            ) || b.key.is_some()
                || b.ident.kind_name() != "identifier"
                || b.decl.field(Field::Name).map(|n| n.id()) != Some(b.ident.id())
            {
                return None;
            }
            let mut found = dynamic_sql(b.value?, safety, false)?;
            found.via_variable = true;
            Some(found)
        }
        _ => None,
    }
}

pub(super) fn operator<'s>(bin: Node, src: &'s str) -> Option<&'s str> {
    bin.field(Field::Operator).map(|o| ast::text(o, src))
}

fn flatten_plus<'t>(expr: Node<'t>, src: &Script<'t>, out: &mut Vec<Node<'t>>) {
    // An explicit stack, and at most `MAX_HELPER_DEPTH` levels: a generated
    // `'…' + a + '…' + …` chain nests one level per `+`, without bound, and
    // every part is looked at with ancestor scans that cost its depth. A
    // deeper rest of the chain stays one part (not provably safe).
    let mut stack = vec![(expr, 0usize)];
    while let Some((x, depth)) = stack.pop() {
        let e = ast::unwrap_expr(x);
        if depth < ast::MAX_HELPER_DEPTH
            && e.kind_name() == "binary_expression"
            && operator(e, src) == Some("+")
        {
            if let (Some(l), Some(r)) = (e.field(Field::Left), e.field(Field::Right)) {
                stack.push((r, depth + 1));
                stack.push((l, depth + 1));
                continue;
            }
        }
        out.push(x);
    }
}

#[derive(Clone, Debug)]
pub(super) enum Piece<'t> {
    /// Raw template text (between the backticks and substitutions).
    Text(Range<usize>),
    /// A `template_substitution` node.
    Sub(Node<'t>),
}

/// The raw text pieces and substitutions of a template literal; `None` for a
/// malformed one (no closing backtick).
pub(super) fn template_pieces(tpl: Node<'_>) -> Option<Vec<Piece<'_>>> {
    let start = tpl.start_byte() + 1;
    let end = tpl.end_byte().checked_sub(1)?;
    if end < start || tpl.has_error() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut pos = start;
    let mut c = tpl.walk();
    for sub in tpl.named_children(&mut c) {
        if sub.kind_name() != "template_substitution" {
            continue;
        }
        sub_expression(sub)?;
        if sub.start_byte() > pos {
            pieces.push(Piece::Text(pos..sub.start_byte()));
        }
        pieces.push(Piece::Sub(sub));
        pos = sub.end_byte();
    }
    if end > pos {
        pieces.push(Piece::Text(pos..end));
    }
    Some(pieces)
}

/// The expression of a `${…}` substitution (comments skipped).
fn sub_expression(sub: Node<'_>) -> Option<Node<'_>> {
    let mut c = sub.walk();
    let found = sub
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment");
    found
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum SubClass {
    Unsafe,
    /// A constant, a number, an allowlisted identifier...
    Safe,
    /// `$${n}`: builds a placeholder number.
    Placeholder,
}

/// Classify each substitution of a template (the expression node and its class).
pub(super) fn classify_template<'t>(
    pieces: &[Piece<'t>],
    safety: &mut Safety<'_, 't>,
) -> Vec<(Node<'t>, SubClass)> {
    let src = safety.src;
    let mut out = Vec::new();
    let mut prev_dollar = false;
    for p in pieces {
        match p {
            Piece::Text(r) => prev_dollar = src.get(r.clone()).is_some_and(|t| t.ends_with('$')),
            Piece::Sub(sub) => {
                let Some(expr) = sub_expression(*sub) else {
                    continue;
                };
                let class = if prev_dollar {
                    SubClass::Placeholder
                } else if safety.is_safe(expr, 0) {
                    SubClass::Safe
                } else {
                    SubClass::Unsafe
                };
                out.push((expr, class));
                prev_dollar = false;
            }
        }
    }
    out
}

pub(super) fn is_upper_const(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '$')
}
