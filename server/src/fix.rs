//! Applying fixes: non-overlapping edits only, the result re-parsed before it is
//! accepted, repeated until nothing more applies (fixes can enable each other).

use crate::diagnostic::{Applicability, Diagnostic, Fix};

/// Apply the fixes whose edits do not overlap an already accepted fix's edits
/// (in order of position). Returns the new text and the indices of applied fixes.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| (fixes[i].span().start, fixes[i].span().end));
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let fix = fixes[i];
        let valid = fix.edits.iter().all(|e| {
            e.range.start <= e.range.end
                && e.range.end <= text.len()
                && text.is_char_boundary(e.range.start)
                && text.is_char_boundary(e.range.end)
        });
        let conflicts = fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| overlaps(t, &e.range)))
            || fix.edits.iter().enumerate().any(|(a, e)| {
                fix.edits
                    .iter()
                    .skip(a + 1)
                    .any(|f| overlaps(&e.range, &f.range))
            });
        if !valid || conflicts || fix.edits.is_empty() {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| e.range.clone()));
        applied.push(i);
    }
    let mut edits: Vec<&crate::diagnostic::Edit> = applied
        .iter()
        .flat_map(|&i| fixes[i].edits.iter())
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    applied.sort_unstable();
    (out, applied)
}

/// Two ranges conflict when they share bytes, or when both insert at the same point,
/// or an insertion sits strictly inside a replaced range.
fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return b.start < a.start && a.start < b.end;
    }
    if b.is_empty() {
        return a.start < b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

/// The fixes of `diagnostics` allowed by `unsafe_ok`.
pub fn applicable(diagnostics: &[Diagnostic], unsafe_ok: bool) -> Vec<&Fix> {
    diagnostics
        .iter()
        .filter_map(|d| d.fix())
        .filter(|f| f.applicability == Applicability::Safe || unsafe_ok)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;

    #[test]
    fn overlapping_fixes_are_skipped_and_order_is_kept() {
        let text = "abcdef";
        let f1 = Fix::safe("x", vec![Edit::replace(1..3, "X")]);
        let f2 = Fix::safe("y", vec![Edit::replace(2..4, "Y")]);
        let f3 = Fix::safe("z", vec![Edit::insert(6, "!"), Edit::insert(0, ">")]);
        let (out, applied) = apply(text, &[&f2, &f1, &f3]);
        assert_eq!(out, ">aXdef!");
        assert_eq!(applied, vec![1, 2]);
    }

    #[test]
    fn two_inserts_at_one_point_conflict() {
        let f1 = Fix::safe("a", vec![Edit::insert(1, "A")]);
        let f2 = Fix::safe("b", vec![Edit::insert(1, "B")]);
        let (out, applied) = apply("xy", &[&f1, &f2]);
        assert_eq!(out, "xAy");
        assert_eq!(applied, vec![0]);
    }
}
