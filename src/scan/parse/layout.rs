//! The token layout of a file: where its bracket pairs, strings and comments
//! are, as byte offsets.
//!
//! The fix stage re-indents continuation lines and breaks long lines after
//! an edit, and for that it needs to know which `(` a `)` closes and which
//! bytes are inside a string or a comment, never the Python around them.
//! Brackets are paired inside their parent node, as the grammar nests them
//! (a call's `argument_list`, `parameters`, a `list`, a `subscript`, a
//! parenthesized `import` ...), so a bracket error recovery left unmatched
//! is dropped rather than guessed. Strings are opaque: the braces and
//! brackets of an f-string's replacement fields are string content to
//! anyone re-indenting lines, so the walk does not enter them.

use tree_sitter::Node;

use super::grammar::{Kind, kind};
use crate::scan::syntax::{BracketPair, TokenLayout};

/// Brackets, strings and comments of `source` (any bytes, broken or not).
pub fn token_layout(source: &[u8]) -> TokenLayout {
    let mut layout = TokenLayout::default();
    let Some(tree) = super::parse_tree(source) else {
        return layout;
    };
    // An explicit stack, not recursion: see the parse module on small
    // worker stacks and deeply nested files.
    let mut stack = vec![tree.root_node()];
    let mut opens: Vec<(Kind, usize)> = Vec::new();
    while let Some(node) = stack.pop() {
        opens.clear();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            // A MISSING closer is an empty node the parser made up: pairing
            // it would point at a byte that is not a bracket.
            if child.is_missing() {
                continue;
            }
            match kind(child) {
                Kind::String => layout.strings.push(child.byte_range()),
                Kind::Comment => layout.comments.push(child.byte_range()),
                k @ (Kind::OpenParen | Kind::OpenBracket | Kind::OpenBrace) => opens.push((k, child.start_byte())),
                Kind::CloseParen => pair(&mut opens, Kind::OpenParen, child, &mut layout.brackets),
                Kind::CloseBracket => pair(&mut opens, Kind::OpenBracket, child, &mut layout.brackets),
                Kind::CloseBrace => pair(&mut opens, Kind::OpenBrace, child, &mut layout.brackets),
                _ if child.child_count() > 0 => stack.push(child),
                _ => {}
            }
        }
    }
    // The stack visits parents before children but siblings last to first.
    layout.brackets.sort_unstable_by_key(|b| b.open);
    layout.strings.sort_unstable_by_key(|r| r.start);
    layout.comments.sort_unstable_by_key(|r| r.start);
    layout
}

/// Pairs a closer with the innermost opener of its parent, if that is the
/// same kind of bracket; a mismatch (only in broken code) pairs nothing.
fn pair(opens: &mut Vec<(Kind, usize)>, opener: Kind, close: Node, brackets: &mut Vec<BracketPair>) {
    if opens.last().is_some_and(|(k, _)| *k == opener)
        && let Some((_, open)) = opens.pop()
    {
        brackets.push(BracketPair {
            open,
            close: close.start_byte(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout as text: each bracket pair as its two bytes, each string
    /// and comment as its text.
    fn described(src: &str) -> (Vec<String>, Vec<&str>, Vec<&str>) {
        let layout = token_layout(src.as_bytes());
        let brackets = layout
            .brackets
            .iter()
            .map(|b| {
                format!(
                    "{}{}@{}..{}",
                    &src[b.open..=b.open],
                    &src[b.close..=b.close],
                    b.open,
                    b.close
                )
            })
            .collect();
        let strings = layout.strings.iter().map(|r| &src[r.clone()]).collect();
        let comments = layout.comments.iter().map(|r| &src[r.clone()]).collect();
        (brackets, strings, comments)
    }

    #[test]
    fn pairs_brackets_of_every_kind_in_source_order() {
        let src = "x = f(a[1], {'k': (2, 3)}, [y for y in z])  # done\n";
        let (brackets, strings, comments) = described(src);
        assert_eq!(brackets, ["()@5..41", "[]@7..9", "{}@12..24", "()@18..23", "[]@27..40"]);
        assert_eq!(strings, ["'k'"]);
        assert_eq!(comments, ["# done"]);
    }

    #[test]
    fn pairs_brackets_across_lines_and_in_headers() {
        let src = "from os import (path,\n                sep)\nclass A(B):\n    def f(self, a=(1,\n                  2)):\n        return self._g(a)[0]\n";
        let layout = token_layout(src.as_bytes());
        let pairs: Vec<(&str, &str)> = layout
            .brackets
            .iter()
            .map(|b| (&src[b.open..b.open + 1], &src[b.close..b.close + 1]))
            .collect();
        assert_eq!(
            pairs,
            [("(", ")"), ("(", ")"), ("(", ")"), ("(", ")"), ("(", ")"), ("[", "]")]
        );
        let first = layout.brackets[0];
        assert_eq!((first.open, &src[first.close - 3..=first.close]), (15, "sep)"));
        // `def f(` holds the default's `(1, 2)`.
        let (params, default) = (layout.brackets[2], layout.brackets[3]);
        assert!(params.open < default.open && default.close < params.close);
    }

    #[test]
    fn strings_are_whole_literals_and_opaque() {
        let src = "s = ('a' \"b\"\n     f\"{x(1)}[\" r'''c\n(''')\nt = b'#' # real\n";
        let (brackets, strings, comments) = described(src);
        // Only the parentheses around the concatenation: the call and the
        // bracket inside the f-string are string content.
        assert_eq!(brackets, ["()@4..39"]);
        assert_eq!(strings, ["'a'", "\"b\"", "f\"{x(1)}[\"", "r'''c\n('''", "b'#'"]);
        assert_eq!(comments, ["# real"]);
    }

    #[test]
    fn python2_strings_and_comments_in_brackets() {
        let src = "print >>f, (ur'x', `y`,  # why\n           0755)\r\n";
        let (brackets, strings, comments) = described(src);
        assert_eq!(brackets, ["()@11..46"]);
        assert_eq!(strings, ["ur'x'", "`y`"]);
        assert_eq!(comments, ["# why"]);
    }

    #[test]
    fn unmatched_brackets_are_dropped() {
        let (brackets, _, _) = described("foo(a, [b\nbar(c)\n");
        assert!(brackets.contains(&"()@13..15".to_string()), "{brackets:?}");
        assert!(brackets.iter().all(|b| !b.starts_with('[')), "{brackets:?}");
        assert_eq!(token_layout(b""), TokenLayout::default());
        let garbage: Vec<u8> = (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect();
        let layout = token_layout(&garbage);
        assert!(
            layout
                .brackets
                .iter()
                .all(|b| b.open < b.close && b.close < garbage.len())
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src = format!("x = {}a{}\n", "(".repeat(20_000), ")".repeat(20_000));
        let layout = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || token_layout(src.as_bytes()))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(layout.brackets.len(), 20_000);
        assert_eq!(layout.brackets[0], BracketPair { open: 4, close: 40_004 });
    }
}
