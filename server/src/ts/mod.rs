//! TypeScript/JavaScript: parsing with tree-sitter and the single tree walk
//! that dispatches nodes to the rules by node kind. Depends on tree-sitter and
//! the rule API only (the prefilter and the panic guard are the engine's).

pub mod ast;
pub mod client_boundary;
pub mod facts;
pub mod field;
pub mod frameworks;
pub mod grammars;
pub mod kind;
pub mod semantic;

use crate::context::FileInput;
use crate::diagnostic::Diagnostic;
use crate::engine::guard::{panic_message, RulePanic};
use crate::language::Language;
use crate::rules::ts::{Check, TsRule, Visitor, RULES};
use semantic::Builder;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::LazyLock;
use tree_sitter::{Node, Parser, Tree};

fn grammar(lang: Language) -> tree_sitter::Language {
    match lang {
        Language::TypeScript => grammars::TYPESCRIPT.into(),
        _ => grammars::TSX.into(),
    }
}

/// One lookup table per TypeScript grammar (TypeScript, then TSX), for
/// `field.rs` and `kind.rs`. The two grammars number fields and kinds
/// differently; a node's grammar is told apart by `count` (its field or kind
/// count). Empty when the two counts are equal: callers then fall back to
/// tree-sitter's own (slower) lookup, so their answers never depend on it.
pub(crate) fn per_grammar_tables<T>(
    new: impl Fn(&tree_sitter::Language) -> T,
    count: impl Fn(&T) -> usize,
) -> Vec<T> {
    let tables: Vec<T> = grammars::both().iter().map(new).collect();
    if count(&tables[0]) == count(&tables[1]) {
        return Vec::new();
    }
    tables
}

thread_local! {
    static PARSERS: RefCell<[Option<Parser>; 2]> = const { RefCell::new([None, None]) };
}

/// The parser's work budget, in tree-sitter progress callbacks (one per 100
/// parser operations): a fixed allowance plus this many per KiB of text. Real
/// code takes 3–8 per KiB (the 11,600-line `Editor.ts` 6.3, `effect`'s
/// `Effect.ts` 2.8); some inputs send tree-sitter's error recovery into
/// exponential work (a 1.3 KB TSX file found by the fuzzer took 243 s), and they
/// stop here instead.
pub const PARSE_OPS_BASE: u64 = 2_000;
pub const PARSE_OPS_PER_KIB: u64 = 256;
/// A wall-clock limit as the last resort (the operation count bounds the
/// pathological cases seen so far; this bounds the ones not seen yet).
pub const PARSE_SECONDS_BASE: u64 = 10;

/// Parse `text` (optionally reusing an edited old tree). `None` when tree-sitter
/// gives up or exceeds the budget above (callers report one `analysis-limit`
/// info and lint nothing else in the file).
pub fn parse(text: &str, lang: Language, old: Option<&Tree>) -> Option<Tree> {
    let slot = usize::from(lang != Language::TypeScript);
    let bytes = text.as_bytes();
    let len = bytes.len();
    let budget = PARSE_OPS_BASE + PARSE_OPS_PER_KIB * (len as u64 / 1024);
    let deadline = std::time::Instant::now()
        + std::time::Duration::from_secs(PARSE_SECONDS_BASE + len as u64 / (100 * 1024));
    let mut calls = 0u64;
    let mut progress = |_: &tree_sitter::ParseState| {
        calls += 1;
        if calls > budget || (calls.is_multiple_of(64) && std::time::Instant::now() > deadline) {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = parsers[slot].get_or_insert_with(|| {
            let mut p = Parser::new();
            // The grammars are compiled in with a matching ABI; this cannot fail.
            p.set_language(&grammar(lang))
                .expect("tree-sitter grammar ABI matches");
            p
        });
        let tree = parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            old,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
        );
        if tree.is_none() {
            // A cancelled parse keeps its state for resuming: start afresh next time.
            parser.reset();
        }
        tree
    })
}

/// Node kinds that hold types only. No rule wants a node inside one (rules that
/// look at a type, like `no-any-cast` at `as any`, read it from the expression
/// that holds it), so the walk does not go into them unless it must collect
/// comments for suppressions or the subtree has a syntax error. In type-heavy code they are a third or more of
/// the tree.
pub const TYPE_ONLY_KINDS: &[&str] = &[
    "type_annotation",
    "opting_type_annotation",
    "omitting_type_annotation",
    "adding_type_annotation",
    "asserts_annotation",
    "type_predicate_annotation",
    "type_arguments",
    "type_parameters",
    "interface_declaration",
    "type_alias_declaration",
    "implements_clause",
    "extends_type_clause",
    "object_type",
    "generic_type",
    "union_type",
    "intersection_type",
    "function_type",
    "constructor_type",
    "conditional_type",
    "tuple_type",
    "array_type",
    "literal_type",
    "lookup_type",
    "parenthesized_type",
    "template_literal_type",
    "type_query",
    "index_type_query",
    "readonly_type",
];

/// Per grammar: node kind id → indices of the rules that want that kind.
struct Dispatch {
    by_kind: Vec<Vec<usize>>,
    /// node kind id → the kind holds types only (`TYPE_ONLY_KINDS`).
    type_only: Vec<bool>,
    comment_kind: u16,
}

fn build_dispatch(lang: Language) -> Dispatch {
    let g = grammar(lang);
    let mut by_kind = vec![Vec::new(); g.node_kind_count()];
    for (i, rule) in RULES.iter().enumerate() {
        for kind in rule.kinds {
            let id = g.id_for_node_kind(kind, true);
            // Some kinds exist in one dialect only (e.g. `type_assertion` in TS, JSX in TSX).
            if id != 0 {
                by_kind[id as usize].push(i);
            }
            // A few kinds have several ids (aliases); find them all.
            for other in 1..g.node_kind_count() as u16 {
                if other != id
                    && g.node_kind_is_named(other)
                    && g.node_kind_for_id(other) == Some(kind)
                {
                    by_kind[other as usize].push(i);
                }
            }
        }
    }
    let mut type_only = vec![false; g.node_kind_count()];
    for id in 1..g.node_kind_count() as u16 {
        if g.node_kind_is_named(id)
            && g.node_kind_for_id(id)
                .is_some_and(|k| TYPE_ONLY_KINDS.contains(&k))
        {
            type_only[id as usize] = true;
        }
    }
    Dispatch {
        by_kind,
        type_only,
        comment_kind: g.id_for_node_kind("comment", true),
    }
}

static DISPATCH_TS: LazyLock<Dispatch> = LazyLock::new(|| build_dispatch(Language::TypeScript));
static DISPATCH_TSX: LazyLock<Dispatch> = LazyLock::new(|| build_dispatch(Language::Tsx));

/// The dispatch table of a script's grammar (TSX for everything but `.ts`).
fn dispatch(lang: Language) -> &'static Dispatch {
    if lang == Language::TypeScript {
        &DISPATCH_TS
    } else {
        &DISPATCH_TSX
    }
}

/// Walk the tree once, calling each active rule for the node kinds it asked for
/// (and finishing the whole-file visitors after the walk).
/// What the shared walk saw besides the findings.
pub struct Walked {
    /// The byte ranges of the comments (for suppressions): all of them when
    /// `all_comments`, else none from inside the type-only subtrees it skips.
    pub comments: Vec<Range<usize>>,
    /// The first node below [`MAX_WALK_DEPTH`] (not given to the rules).
    pub too_deep: Option<Range<usize>>,
}

pub fn run_rules(
    tree: &Tree,
    active: &[bool],
    all_comments: bool,
    base: &FileInput<'_>,
    out: &mut Vec<Diagnostic>,
    panics: &mut Vec<RulePanic>,
) -> Walked {
    let dispatch = dispatch(base.file.language);
    let mut active = active.to_vec();
    // Runs one rule call; a panic disables the rule for the rest of the file.
    let mut guarded = |i: usize, active: &mut [bool], f: &mut dyn FnMut(&mut Vec<Diagnostic>)| {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(out)));
        if let Err(payload) = result {
            active[i] = false;
            panics.push(RulePanic {
                rule: RULES[i].meta.id,
                message: panic_message(payload.as_ref()),
            });
        }
    };
    let source = base.source;
    let mut visitors: Vec<Option<Box<dyn Visitor<'_> + '_>>> = RULES.iter().map(|_| None).collect();
    for (i, rule) in RULES.iter().enumerate() {
        if let (true, Check::File(make)) = (active[i], &rule.check) {
            guarded(i, &mut active, &mut |_| visitors[i] = Some(make(source)));
        }
    }
    // The walk builds the semantic model and collects the nodes the rules
    // asked for; the rules run after it, so every lookup sees the whole file.
    let mut comments = Vec::new();
    let mut builder = Builder::new(source);
    let mut wanted: Vec<Node<'_>> = Vec::new();
    // Kinds some rule active in this file asked for.
    let wants: Vec<bool> = dispatch
        .by_kind
        .iter()
        .map(|rules| rules.iter().any(|&i| active[i]))
        .collect();
    let too_deep = walk(tree, dispatch, all_comments, |node, kind| {
        builder.node(node, kind);
        if kind == dispatch.comment_kind {
            comments.push(node.byte_range());
        }
        if wants.get(kind as usize) == Some(&true) {
            wanted.push(node);
        }
    });
    let semantic = builder.finish();
    for node in wanted {
        let Some(rules) = dispatch.by_kind.get(node.kind_id() as usize) else {
            continue;
        };
        for &i in rules {
            if !active[i] {
                continue;
            }
            let rule: &'static TsRule = &RULES[i];
            guarded(i, &mut active, &mut |out| {
                let mut cx = base.script_context(&rule.meta, out, &semantic);
                match (&rule.check, &mut visitors[i]) {
                    (Check::Node(check), _) => check(&mut cx, node),
                    (Check::File(_), Some(v)) => v.visit(&mut cx, node),
                    (Check::File(_), None) => {}
                }
            });
        }
    }
    let root = tree.root_node();
    for (i, slot) in visitors.iter_mut().enumerate() {
        if let (true, Some(v)) = (active[i], slot.as_mut()) {
            let meta = &RULES[i].meta;
            guarded(i, &mut active, &mut |out| {
                v.finish(&mut base.script_context(meta, out, &semantic), root)
            });
        }
    }
    Walked {
        comments,
        too_deep: too_deep.map(|n| n.byte_range()),
    }
}

/// How deep below the root the shared walk goes. Real code stays far below this
/// (a few dozen levels); generated or hostile code can nest without bound, and
/// every rule helper that follows the tree is then bounded by this depth plus its
/// own local limit, so no input can exhaust the stack or make the per-node
/// ancestor looks quadratic. Deeper nodes are not given to the rules and the file
/// gets one `analysis-limit` info.
pub const MAX_WALK_DEPTH: u32 = 1_000;

/// Visit the nodes of `tree` in document order with their kind ids, except
/// those inside a type-only subtree (`TYPE_ONLY_KINDS`, which is visited
/// itself) unless `all` or the subtree has a syntax error: error recovery can
/// put values into a type (tree-sitter-typescript#335). Nodes deeper than
/// [`MAX_WALK_DEPTH`] are skipped: returns the first skipped node, if any.
fn walk<'t>(
    tree: &'t Tree,
    dispatch: &Dispatch,
    all: bool,
    mut f: impl FnMut(Node<'t>, u16),
) -> Option<Node<'t>> {
    preorder(tree.root_node(), |node, _| {
        let kind = node.kind_id();
        f(node, kind);
        all || dispatch.type_only.get(kind as usize) != Some(&true) || node.has_error()
    })
}

/// Visit `root` and its descendants in document order with their depth below
/// `root`; `f` says whether to enter the node's children. Nodes deeper than
/// [`MAX_WALK_DEPTH`] are not visited: returns the first of them, if any.
pub(crate) fn preorder<'t>(
    root: Node<'t>,
    mut f: impl FnMut(Node<'t>, u32) -> bool,
) -> Option<Node<'t>> {
    let mut cursor = root.walk();
    let mut too_deep = None;
    // Counted here: `TreeCursor::depth()` walks the cursor's stack on every call.
    let mut depth: u32 = 0;
    'walk: loop {
        let node = cursor.node();
        let enter = if depth >= MAX_WALK_DEPTH {
            too_deep.get_or_insert(node);
            false
        } else {
            f(node, depth)
        };
        if enter && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                break 'walk;
            }
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            depth -= 1;
        }
    }
    too_deep
}

/// Count of ERROR and MISSING nodes (to check that a fix adds no syntax errors).
pub fn syntax_error_count(tree: &Tree) -> usize {
    if !tree.root_node().has_error() {
        return 0;
    }
    let mut count = 0;
    let mut stack: Vec<Node> = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            count += 1;
        }
        if n.has_error() {
            let mut c = n.walk();
            stack.extend(n.children(&mut c));
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_only_kinds_are_kinds_of_both_grammars() {
        for lang in [Language::TypeScript, Language::Tsx] {
            let g = grammar(lang);
            for kind in TYPE_ONLY_KINDS {
                assert_ne!(g.id_for_node_kind(kind, true), 0, "{kind} in {lang:?}");
            }
            let d = dispatch(lang);
            assert_eq!(
                d.type_only.iter().filter(|&&t| t).count(),
                TYPE_ONLY_KINDS.len(),
                "one id per kind in {lang:?}"
            );
        }
    }

    /// What the walk visits, against a plain recursive traversal: everything
    /// but the insides of error-free type-only subtrees; everything with `all`.
    #[test]
    fn walk_skips_error_free_type_subtrees_only() {
        let samples = [
            "interface A { f(x: string): Promise<void>; s: 'sk_live' }\nconst a: Map<string, B> = new Map<string, B>();\nfunction g<T extends { k: 1 }>(p: T): asserts p is T { return h(p as any); }\n",
            // error recovery puts `payload as any` inside the object type
            "const f = (x: { a: string, b: payload as any }) => x\nlet t: { <A>(x: A): A\n <B>(y = z as any): B }\n",
            "class C implements I<X> { m(@Body() b: Dto): void { log(b satisfies Y); } }\n",
        ];
        for lang in [Language::TypeScript, Language::Tsx] {
            let d = dispatch(lang);
            for src in samples {
                let tree = parse(src, lang, None).expect("parses");
                let mut expected = Vec::new();
                let mut everything = Vec::new();
                let mut stack = vec![(tree.root_node(), false)];
                while let Some((n, inside_skipped)) = stack.pop() {
                    everything.push(n.id());
                    if !inside_skipped {
                        expected.push(n.id());
                    }
                    let skip_children =
                        inside_skipped || (TYPE_ONLY_KINDS.contains(&n.kind()) && !n.has_error());
                    let mut c = n.walk();
                    let children: Vec<Node> = n.children(&mut c).collect();
                    stack.extend(children.into_iter().rev().map(|c| (c, skip_children)));
                }
                let mut visited = Vec::new();
                walk(&tree, d, false, |n, kind| {
                    assert_eq!(kind, n.kind_id());
                    visited.push(n.id());
                });
                assert_eq!(visited, expected, "{lang:?}: {src}");
                assert!(
                    visited.len() < everything.len(),
                    "types were skipped: {src}"
                );
                let mut all = Vec::new();
                walk(&tree, d, true, |n, _| all.push(n.id()));
                assert_eq!(all, everything, "{lang:?}: {src}");
            }
        }
    }

    /// A value that error recovery put into a type is still linted.
    #[test]
    fn values_inside_broken_types_are_linted() {
        // (a stray `)` in an object type; tree-sitter-typescript#335, the
        // recovery this test was written for, is fixed in our grammar)
        let src = "let t: { <A>(x: A): A\n <B>(y = z as any): B; ) }\n";
        let tree = parse(src, Language::TypeScript, None).expect("parses");
        let start = src.find("z as any").expect("in the sample");
        let node = tree
            .root_node()
            .descendant_for_byte_range(start, start + 3)
            .expect("a node");
        let mut in_type = false;
        let mut p = node.parent();
        while let Some(n) = p {
            in_type |= TYPE_ONLY_KINDS.contains(&n.kind());
            p = n.parent();
        }
        assert!(in_type, "the sample still puts the cast inside a type");
        assert!(
            tree.root_node().has_error(),
            "the sample still has a syntax error"
        );
        let d = crate::rules::testing::findings("no-any-cast", "src/a.ts", src);
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
