//! The fix: remove the sensitive argument, or the property from the logged
//! object literal, when something else remains to be logged.

use crate::diagnostic::{Edit, Fix};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Remove `node` when it is an argument of the call (or a property of an object
/// literal argument) and a sibling remains.
pub(super) fn remove_argument(node: Node<'_>, src: &str) -> Option<Fix> {
    let parent = node.parent()?;
    let (list, item) = match parent.kind_name() {
        "arguments" => (parent, node),
        "object" => {
            let object = parent;
            if named_items(object).len() > 1 {
                (object, node)
            } else {
                // the only property: remove the whole object argument
                let args = object.parent().filter(|a| a.kind_name() == "arguments")?;
                (args, object)
            }
        }
        _ => return None,
    };
    if list.kind_name() == "object" && list.parent().is_none_or(|a| a.kind_name() != "arguments") {
        return None;
    }
    let items = named_items(list);
    if items.len() < 2 {
        return None;
    }
    let i = items.iter().position(|n| n.id() == item.id())?;
    // an item on lines of its own: those lines; else the item and the
    // separator before it, or (the first item) after it
    let range = if let Some(lines) = own_lines(item, src) {
        lines
    } else if i > 0 {
        items[i - 1].end_byte()..item.end_byte()
    } else {
        item.start_byte()..items[1].start_byte()
    };
    Some(Fix::unsafe_(
        if list.kind_name() == "arguments" {
            "Remove the argument"
        } else {
            "Remove the property"
        },
        vec![Edit::delete(range)],
    ))
}

/// The lines of `item` with its comma and a trailing `//` comment, when
/// nothing else is on them.
fn own_lines(item: Node<'_>, src: &str) -> Option<std::ops::Range<usize>> {
    let start = src[..item.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    if !src[start..item.start_byte()].trim().is_empty() {
        return None;
    }
    let rest = &src[item.end_byte()..];
    let line_end = rest.find('\n')?;
    let tail = rest[..line_end].trim();
    let tail = tail.strip_prefix(',').unwrap_or(tail).trim_start();
    (tail.is_empty() || tail.starts_with("//")).then(|| start..item.end_byte() + line_end + 1)
}

/// The list's items (arguments or properties), without comments.
fn named_items(list: Node<'_>) -> Vec<Node<'_>> {
    let mut c = list.walk();
    list.named_children(&mut c)
        .filter(|n| n.kind_name() != "comment")
        .collect()
}
