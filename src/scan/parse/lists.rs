//! Bracketed lists on demand: the parameters of one `def` and the arguments
//! of one call, with the byte ranges the fix stage needs to insert a
//! parameter or pass an argument along.
//!
//! Only a handful of lists are ever edited, so rather than keeping these
//! layouts for every function and call of every file, the file is parsed
//! again when one is needed.

use tree_sitter::Node;

use super::grammar::fields;
use super::{parse_tree, text};
use crate::scan::syntax::{ItemKind, ListItem, ListLayout};

/// The parameter list of the function whose name starts at `name_start`.
pub fn parameter_list(source: &[u8], name_start: usize) -> Option<ListLayout> {
    let tree = parse_tree(source)?;
    let name = tree.root_node().descendant_for_byte_range(name_start, name_start + 1)?;
    let function = name.parent().filter(|f| f.kind() == "function_definition")?;
    let params = function.child_by_field_id(fields().parameters)?;
    layout(params, source, param_item)
}

/// The argument list of the call that spans `call`.
pub fn argument_list(source: &[u8], call: std::ops::Range<usize>) -> Option<ListLayout> {
    let tree = parse_tree(source)?;
    let mut node = tree.root_node().descendant_for_byte_range(call.start, call.end)?;
    // The smallest node spanning the call may be the call itself or, for
    // a call that is all of a parenthesised expression, its parent.
    while node.kind() != "call" || node.byte_range() != call {
        node = node.parent()?;
        if node.byte_range().len() > call.len() {
            return None;
        }
    }
    let args = node.child_by_field_id(fields().arguments)?;
    if args.kind() != "argument_list" {
        return None;
    }
    layout(args, source, argument_item)
}

/// What one list element is: its kind and its name, if it has one.
type ReadItem = fn(Node, &[u8]) -> Option<(ItemKind, Option<String>)>;

/// The `value` field: a default parameter's default, a keyword argument's
/// value.
fn value_of(node: Node) -> Option<std::ops::Range<usize>> {
    node.child_by_field_name("value").map(|v| v.byte_range())
}

fn layout(list: Node, source: &[u8], item: ReadItem) -> Option<ListLayout> {
    let mut cursor = list.walk();
    let children: Vec<Node> = list.children(&mut cursor).collect();
    let open = children.first().filter(|c| c.kind() == "(")?.start_byte();
    let close = children
        .last()
        .filter(|c| c.kind() == ")" && !c.is_missing())?
        .start_byte();
    let mut items: Vec<ListItem> = Vec::new();
    let mut trailing_comma = false;
    for child in &children[1..children.len() - 1] {
        match child.kind() {
            "," => {
                trailing_comma = true;
                if let Some(last) = items.last_mut() {
                    last.comma_end = Some(child.end_byte());
                }
            }
            "comment" => {}
            // A list the parser could not read is not edited.
            "ERROR" => return None,
            _ => {
                let (kind, name) = item(*child, source)?;
                trailing_comma = false;
                items.push(ListItem {
                    range: child.byte_range(),
                    kind,
                    name,
                    value: value_of(*child),
                    comma_end: None,
                });
            }
        }
    }
    Some(ListLayout {
        open,
        close,
        items,
        trailing_comma,
    })
}

fn param_item(node: Node, source: &[u8]) -> Option<(ItemKind, Option<String>)> {
    let named = |n: Option<Node>| n.map(|n| text(n, source));
    Some(match node.kind() {
        "identifier" => (ItemKind::Plain, Some(text(node, source))),
        "default_parameter" | "typed_default_parameter" => {
            (ItemKind::Plain, named(node.child_by_field_id(fields().name)))
        }
        "typed_parameter" => {
            let mut cursor = node.walk();
            let target = node.named_children(&mut cursor).next()?;
            match target.kind() {
                "list_splat_pattern" => (ItemKind::Star, named(target.named_child(0))),
                "dictionary_splat_pattern" => (ItemKind::DoubleStar, named(target.named_child(0))),
                _ => (ItemKind::Plain, Some(text(target, source))),
            }
        }
        "list_splat_pattern" => (ItemKind::Star, named(node.named_child(0))),
        "dictionary_splat_pattern" => (ItemKind::DoubleStar, named(node.named_child(0))),
        "keyword_separator" => (ItemKind::Star, None),
        "positional_separator" => (ItemKind::Slash, None),
        "tuple_pattern" => (ItemKind::Plain, None),
        _ => return None,
    })
}

fn argument_item(node: Node, source: &[u8]) -> Option<(ItemKind, Option<String>)> {
    Some(match node.kind() {
        "keyword_argument" => (
            ItemKind::Keyword,
            node.child_by_field_id(fields().name).map(|n| text(n, source)),
        ),
        "list_splat" | "parenthesized_list_splat" => (ItemKind::Star, None),
        "dictionary_splat" => (ItemKind::DoubleStar, None),
        _ => (ItemKind::Plain, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(l: &ListLayout, src: &str) -> Vec<(ItemKind, Option<String>, String)> {
        l.items
            .iter()
            .map(|i| (i.kind, i.name.clone(), src[i.range.clone()].to_string()))
            .collect()
    }

    #[test]
    fn parameters_with_markers_comments_and_trailing_comma() {
        let src = "class A:\n    def f(self, a,  # first\n          b=1, *, c: int = 2,\n          **kw,\n          ):\n        pass\n";
        let l = parameter_list(src.as_bytes(), src.find("f(").unwrap()).unwrap();
        assert_eq!(&src[l.open..l.open + 1], "(");
        assert_eq!(&src[l.close..l.close + 1], ")");
        assert!(l.trailing_comma);
        use ItemKind::*;
        assert_eq!(
            kinds(&l, src),
            [
                (Plain, Some("self".into()), "self".into()),
                (Plain, Some("a".into()), "a".into()),
                (Plain, Some("b".into()), "b=1".into()),
                (Star, None, "*".into()),
                (Plain, Some("c".into()), "c: int = 2".into()),
                (DoubleStar, Some("kw".into()), "**kw".into()),
            ]
        );
        assert_eq!(&src[l.items[1].range.end..l.items[1].comma_end.unwrap()], ",");
        assert_eq!(&src[l.items[4].value.clone().unwrap()], "2");
    }

    #[test]
    fn empty_parameters_and_arguments() {
        let src = "def f():\n    g()\n";
        let l = parameter_list(src.as_bytes(), 4).unwrap();
        assert!(l.items.is_empty());
        assert!(!l.trailing_comma);
        let call = src.find("g()").unwrap();
        let a = argument_list(src.as_bytes(), call..call + 3).unwrap();
        assert!(a.items.is_empty());
    }

    #[test]
    fn call_arguments() {
        let src = "x = (super(B, self).f(a, k=1,\n                     *rest, **kw))\n";
        let start = src.find("super").unwrap();
        let end = src.rfind(')').unwrap();
        let l = argument_list(src.as_bytes(), start..end).unwrap();
        use ItemKind::*;
        assert_eq!(
            kinds(&l, src),
            [
                (Plain, None, "a".into()),
                (Keyword, Some("k".into()), "k=1".into()),
                (Star, None, "*rest".into()),
                (DoubleStar, None, "**kw".into()),
            ]
        );
        assert!(argument_list(src.as_bytes(), start..end - 1).is_none());
    }
}
