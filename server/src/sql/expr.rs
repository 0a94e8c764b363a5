//! Walking a PostgreSQL expression or query tree (a policy's `USING`, a view's
//! query) without recursion: an explicit stack, bounded by [`MAX_NODES`], so a
//! deeply nested expression costs no stack and a huge one stops early.
//!
//! Each node comes with `in_scalar_select`: it sits in the target list of a
//! `SELECT` without `FROM` that is itself a sub-query (`(select auth.uid())`),
//! which PostgreSQL evaluates once per statement (an init plan), not per row.

use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{FuncCall, Node, RangeVar, SelectStmt};

/// At most this many nodes are visited per tree.
pub const MAX_NODES: usize = 100_000;

/// Calls `f` on every node under `root` (itself included), parents before
/// children, with whether the node is inside a scalar `(select …)` without
/// `FROM`.
pub fn walk<'a>(root: &'a Node, mut f: impl FnMut(&'a Node, bool)) {
    let mut stack: Vec<(Item<'a>, bool, bool)> = vec![(Item::Node(root), false, false)];
    let mut seen = 0usize;
    while let Some((item, s, in_sublink)) = stack.pop() {
        seen += 1;
        if seen > MAX_NODES {
            return;
        }
        let kind = match item {
            Item::Node(node) => {
                f(node, s);
                match node.node.as_ref() {
                    Some(k) => k,
                    None => continue,
                }
            }
            Item::Select(q) => {
                push_select(&mut stack, q, s, in_sublink);
                continue;
            }
        };
        let mut push = |n: Option<&'a Node>, scalar: bool, sublink: bool| {
            if let Some(n) = n {
                stack.push((Item::Node(n), scalar, sublink));
            }
        };
        match kind {
            NodeEnum::AExpr(e) => {
                push(e.rexpr.as_deref(), s, false);
                push(e.lexpr.as_deref(), s, false);
            }
            NodeEnum::BoolExpr(e) => e.args.iter().rev().for_each(|a| push(Some(a), s, false)),
            NodeEnum::FuncCall(c) => {
                push(c.agg_filter.as_deref(), s, false);
                c.args.iter().rev().for_each(|a| push(Some(a), s, false));
            }
            NodeEnum::TypeCast(c) => push(c.arg.as_deref(), s, false),
            NodeEnum::NullTest(t) => push(t.arg.as_deref(), s, false),
            NodeEnum::BooleanTest(t) => push(t.arg.as_deref(), s, false),
            NodeEnum::CoalesceExpr(c) => c.args.iter().rev().for_each(|a| push(Some(a), s, false)),
            NodeEnum::MinMaxExpr(c) => c.args.iter().rev().for_each(|a| push(Some(a), s, false)),
            NodeEnum::RowExpr(r) => r.args.iter().rev().for_each(|a| push(Some(a), s, false)),
            NodeEnum::AArrayExpr(a) => a
                .elements
                .iter()
                .rev()
                .for_each(|e| push(Some(e), s, false)),
            NodeEnum::List(l) => l.items.iter().rev().for_each(|e| push(Some(e), s, false)),
            NodeEnum::AIndirection(i) => {
                i.indirection
                    .iter()
                    .rev()
                    .for_each(|e| push(Some(e), s, false));
                push(i.arg.as_deref(), s, false);
            }
            NodeEnum::AIndices(i) => {
                push(i.uidx.as_deref(), s, false);
                push(i.lidx.as_deref(), s, false);
            }
            NodeEnum::CaseExpr(c) => {
                push(c.defresult.as_deref(), s, false);
                c.args.iter().rev().for_each(|a| push(Some(a), s, false));
                push(c.arg.as_deref(), s, false);
            }
            NodeEnum::CaseWhen(w) => {
                push(w.result.as_deref(), s, false);
                push(w.expr.as_deref(), s, false);
            }
            NodeEnum::SubLink(l) => {
                push(l.subselect.as_deref(), s, true);
                push(l.testexpr.as_deref(), s, false);
            }
            NodeEnum::ResTarget(t) => push(t.val.as_deref(), s, false),
            NodeEnum::SelectStmt(q) => push_select(&mut stack, q, s, in_sublink),
            NodeEnum::CommonTableExpr(c) => push(c.ctequery.as_deref(), s, false),
            NodeEnum::JoinExpr(j) => {
                push(j.quals.as_deref(), s, false);
                push(j.rarg.as_deref(), s, false);
                push(j.larg.as_deref(), s, false);
            }
            NodeEnum::RangeSubselect(r) => push(r.subquery.as_deref(), s, false),
            NodeEnum::RangeFunction(r) => r
                .functions
                .iter()
                .rev()
                .for_each(|e| push(Some(e), s, false)),
            _ => {}
        }
    }
}

/// What the walk's stack holds: a node, or a set operation's arm (a bare
/// `SelectStmt`, not wrapped in a `Node`).
#[derive(Clone, Copy)]
enum Item<'a> {
    Node(&'a Node),
    Select(&'a SelectStmt),
}

fn push_select<'a>(
    stack: &mut Vec<(Item<'a>, bool, bool)>,
    q: &'a SelectStmt,
    s: bool,
    in_sublink: bool,
) {
    // `(select auth.uid())`: a sub-query without FROM or WHERE
    let scalar = s || (in_sublink && q.from_clause.is_empty() && q.where_clause.is_none());
    if let Some(r) = &q.rarg {
        stack.push((Item::Select(r), s, in_sublink));
    }
    if let Some(l) = &q.larg {
        stack.push((Item::Select(l), s, in_sublink));
    }
    let mut push = |n: &'a Node, scalar: bool| stack.push((Item::Node(n), scalar, false));
    if let Some(h) = q.having_clause.as_deref() {
        push(h, s);
    }
    if let Some(w) = q.where_clause.as_deref() {
        push(w, s);
    }
    q.from_clause.iter().rev().for_each(|e| push(e, s));
    q.target_list.iter().rev().for_each(|e| push(e, scalar));
    if let Some(w) = &q.with_clause {
        w.ctes.iter().rev().for_each(|e| push(e, s));
    }
    q.values_lists.iter().rev().for_each(|e| push(e, s));
}

/// The qualified name of a function call as written, lower-cased by the
/// parser when unquoted: `["auth", "uid"]`.
pub fn func_name(call: &FuncCall) -> Vec<&str> {
    call.funcname
        .iter()
        .filter_map(|n| match n.node.as_ref()? {
            NodeEnum::String(s) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect()
}

/// A policy's conditions: `CREATE POLICY` or `ALTER POLICY`, its name and
/// table, and its `USING` and `WITH CHECK` expressions.
pub struct PolicyParts<'a> {
    pub name: &'a str,
    pub table: Option<&'a RangeVar>,
    pub conditions: [Option<&'a Node>; 2],
}

pub fn policy_parts(node: &NodeEnum) -> Option<PolicyParts<'_>> {
    match node {
        NodeEnum::CreatePolicyStmt(p) => Some(PolicyParts {
            name: &p.policy_name,
            table: p.table.as_ref(),
            conditions: [p.qual.as_deref(), p.with_check.as_deref()],
        }),
        NodeEnum::AlterPolicyStmt(p) => Some(PolicyParts {
            name: &p.policy_name,
            table: p.table.as_ref(),
            conditions: [p.qual.as_deref(), p.with_check.as_deref()],
        }),
        _ => None,
    }
}

/// The file's `CREATE POLICY` and `ALTER POLICY` statements with their parts.
pub fn policies(
    sql: &super::SqlFile,
) -> impl Iterator<Item = (&super::SqlStatement, PolicyParts<'_>)> {
    sql.statements
        .iter()
        .filter_map(|stmt| Some((stmt, stmt.kind().and_then(policy_parts)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy's `USING` expression and, for every `auth.uid()` call in it
    /// (in order), whether it sits in a scalar select.
    fn calls(using: &str) -> Vec<bool> {
        let sql = format!("create policy p on t using ({using});");
        let file = super::super::SqlFile::parse(&sql);
        let (_, policy) = policies(&file).next().expect("a policy");
        let mut out = Vec::new();
        walk(policy.conditions[0].expect("USING"), |n, scalar| {
            if let Some(NodeEnum::FuncCall(c)) = n.node.as_ref() {
                if func_name(c) == ["auth", "uid"] {
                    out.push(scalar);
                }
            }
        });
        out
    }

    #[test]
    fn scalar_selects_are_told_apart() {
        assert_eq!(calls("auth.uid() = a"), vec![false]);
        assert_eq!(calls("(select auth.uid()) = a"), vec![true]);
        assert_eq!(
            calls("(select auth.uid()::text || 'x') = a and b = auth.uid()"),
            vec![true, false]
        );
        // a sub-query with FROM or WHERE runs per row of its scan
        assert_eq!(
            calls("a in (select x from m where m.u = auth.uid())"),
            vec![false]
        );
        assert_eq!(calls("exists (select 1 where auth.uid() = a)"), vec![false]);
        // set operations, CTEs, CASE, function arguments, arrays
        assert_eq!(
            calls("a in (select auth.uid() union select u from m where u = auth.uid())"),
            vec![true, false]
        );
        assert_eq!(
            calls("case when auth.uid() is null then false else f(array[auth.uid()]) end"),
            vec![false, false]
        );
        assert_eq!(
            calls("a in (with c as (select u from m where u = auth.uid()) select u from c)"),
            vec![false]
        );
    }

    #[test]
    fn deep_expressions_use_no_stack_and_stop_at_the_bound() {
        let deep = format!("{}true{}", "not (".repeat(2000), ")".repeat(2000));
        assert!(calls(&deep).is_empty());
        let wide = vec!["auth.uid() = a"; 40_000].join(" or ");
        let n = calls(&wide).len();
        assert!(n > 0 && n < 40_000, "{n}");
    }
}
