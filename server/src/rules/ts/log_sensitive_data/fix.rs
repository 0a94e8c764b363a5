//! The fix: remove the sensitive argument, or the property from the logged
//! object literal, when something else remains to be logged.

use crate::diagnostic::{Edit, Fix};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Remove `node` when it is an argument of the call (or a property of an object
/// literal argument) and a sibling remains.
pub(super) fn remove_argument(node: Node<'_>) -> Option<Fix> {
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
    if list.kind_name() == "object"
        && !list
            .parent()
            .is_some_and(|a| a.kind_name() == "arguments")
    {
        return None;
    }
    let items = named_items(list);
    if items.len() < 2 {
        return None;
    }
    let i = items.iter().position(|n| n.id() == item.id())?;
    // the item and the separator before it, or (the first item) after it
    let range = if i > 0 {
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

/// The list's items (arguments or properties), without comments.
fn named_items(list: Node<'_>) -> Vec<Node<'_>> {
    let mut c = list.walk();
    list.named_children(&mut c)
        .filter(|n| n.kind_name() != "comment")
        .collect()
}
