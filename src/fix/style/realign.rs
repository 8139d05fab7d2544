//! Which continuation lines the edits knocked out of visual alignment, and
//! how far to move each one back.
//!
//! pycodestyle accepts a continuation line inside brackets when it starts
//! in the column of the first token after the innermost open bracket (a
//! visual indent, `foo(a,` / `    b)`) or at a hanging indent (`foo(` /
//! `    a)`). An edit left of a bracket on its line moves that bracket, so
//! every line visually aligned with it must move by as much; a hanging
//! indent does not depend on the bracket's column and stays. Lines are
//! decided in source order, so a moved line carries the brackets on it
//! along and the lines aligned with those move too.
//!
//! Everything is computed on the original, where the token layout is known,
//! and each bracket's new column is found by walking its line through the
//! edits. A line is never moved when it starts inside a string (the spaces
//! are the string's content), when its indentation has a tab (its column
//! depends on the tab width, and rewriting it mixes styles), or when an edit
//! touches its indentation or the line break before it (the edit, not this
//! pass, decides that layout).

use std::ops::Range;

use super::{Lines, width};
use crate::fix::edit::Edit;
use crate::scan::syntax::{BracketPair, TokenLayout};

/// Move a line's first token by `delta` columns: insert (`delta > 0`) or
/// remove spaces just before original offset `at`, the end of the line's
/// indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shift {
    pub line: usize,
    pub at: usize,
    pub delta: isize,
}

/// The shifts that keep visually aligned lines aligned after `edits` (the
/// checked, sorted edits), in line order.
pub(super) fn shifts(original: &[u8], lines: &Lines, layout: &TokenLayout, edits: &[&Edit]) -> Vec<Shift> {
    let pass = Pass {
        original,
        lines,
        edits,
        strings: &layout.strings,
    };
    let mut shifts: Vec<Shift> = Vec::new();
    // The brackets open at the current line's start, innermost last. Pairs
    // nest, so a stack of those opened so far and not yet closed is exact.
    let mut open: Vec<BracketPair> = Vec::new();
    let mut next = layout.brackets.iter().peekable();
    for line in 1..lines.count() {
        let start = lines.start(line);
        while let Some(b) = next.next_if(|b| b.open < start) {
            while open.last().is_some_and(|o| o.close < b.open) {
                open.pop();
            }
            open.push(*b);
        }
        while open.last().is_some_and(|o| o.close < start) {
            open.pop();
        }
        if open.is_empty() {
            continue;
        }
        let Some(indent) = pass.movable_indent(line) else {
            continue;
        };
        // The innermost bracket this line is visually aligned with, then
        // its move; a bracket whose new column is unknown moves nothing.
        let aligned = open
            .iter()
            .rev()
            .find(|b| pass.is_visual(b.open) && pass.column(b.open) + 1 == indent);
        let Some(delta) = aligned.and_then(|b| Some(pass.new_column(b.open, &shifts)? - pass.column(b.open) as isize))
        else {
            continue;
        };
        // Removing more than the indentation is impossible (the bracket
        // cannot move left of column 0), but never remove a non-space.
        let delta = delta.max(-(indent as isize));
        if delta != 0 {
            shifts.push(Shift {
                line,
                at: start + indent,
                delta,
            });
        }
    }
    shifts
}

struct Pass<'a> {
    original: &'a [u8],
    lines: &'a Lines,
    edits: &'a [&'a Edit],
    strings: &'a [Range<usize>],
}

impl Pass<'_> {
    /// The width of the line's indentation, if the line may be moved.
    fn movable_indent(&self, line: usize) -> Option<usize> {
        let content = &self.original[self.lines.content(line, self.original)];
        let indent = content.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        if content[..indent].contains(&b'\t') || indent == content.len() {
            return None;
        }
        let start = self.lines.start(line);
        if self.in_string(start) || !self.intact(line) {
            return None;
        }
        let end = start + indent;
        let touches = self.around(start..end).iter().any(|e| {
            (e.range.start < end && e.range.end > start)
                || (e.range.is_empty() && e.range.start == start && !e.replacement.ends_with('\n'))
        });
        (!touches).then_some(indent)
    }

    /// Whether `offset` is inside a string literal, past its first byte.
    fn in_string(&self, offset: usize) -> bool {
        let i = self.strings.partition_point(|s| s.start < offset);
        i > 0 && self.strings[i - 1].end > offset
    }

    /// Whether the line still starts a line: no edit replaces the line
    /// break before it.
    fn intact(&self, line: usize) -> bool {
        let start = self.lines.start(line);
        start == 0 || !self.around(start..start).iter().any(|e| e.range.start < start)
    }

    /// The edits that touch `range` or end or start at its bounds. The
    /// edits are sorted and disjoint, so their ends are sorted too.
    fn around(&self, range: Range<usize>) -> &[&Edit] {
        let first = self.edits.partition_point(|e| e.range.end < range.start);
        let end = self.edits.partition_point(|e| e.range.start <= range.end);
        &self.edits[first..end.max(first)]
    }

    /// Whether code (not a comment, not a line continuation) follows the
    /// bracket on its line: pycodestyle's condition for a visual indent.
    fn is_visual(&self, open: usize) -> bool {
        let rest = &self.original[open + 1..];
        match rest.iter().position(|b| !matches!(b, b' ' | b'\t')) {
            Some(i) => {
                !matches!(rest[i], b'\n' | b'\r' | b'#')
                    && !rest[i..].starts_with(b"\\\n")
                    && !rest[i..].starts_with(b"\\\r\n")
            }
            None => false,
        }
    }

    /// 0-based column of `offset` in the original.
    fn column(&self, offset: usize) -> usize {
        width(&self.original[self.lines.start(self.lines.of(offset))..offset])
    }

    /// 0-based column of the byte at `offset` once the edits and the
    /// `shifts` decided so far are applied; None if an edit replaces it (and
    /// does not keep it, see `kept_at`) or the line break before its line.
    fn new_column(&self, offset: usize, shifts: &[Shift]) -> Option<isize> {
        let line = self.lines.of(offset);
        if !self.intact(line) {
            return None;
        }
        let start = self.lines.start(line);
        // Shifts are pushed in line order, and this line is above the one
        // being decided, so its shift (if any) is already there.
        let shift = shifts
            .get(shifts.partition_point(|s| s.line < line))
            .filter(|s| s.line == line);
        let first = self.edits.partition_point(|e| e.range.start < start);
        let mut column: isize = 0;
        let mut pos = start;
        let mut pending = shift;
        for e in self.edits[first..].iter().take_while(|e| e.range.start <= offset) {
            // The shift goes at the end of the indentation, before any
            // edit starting there (see `compose`).
            if let Some(s) = pending.filter(|s| s.at <= e.range.start) {
                column += self.span_width(pos..s.at) + s.delta;
                pos = s.at;
                pending = None;
            }
            column += self.span_width(pos..e.range.start);
            let replacement = e.replacement.as_bytes();
            if e.range.contains(&offset) {
                let kept = kept_at(&self.original[e.range.clone()], replacement, offset - e.range.start)?;
                return Some(advance(column, &replacement[..kept]));
            }
            column = advance(column, replacement);
            pos = e.range.end;
        }
        if let Some(s) = pending {
            column += self.span_width(pos..s.at) + s.delta;
            pos = s.at;
        }
        Some(column + self.span_width(pos..offset))
    }

    fn span_width(&self, range: Range<usize>) -> isize {
        width(&self.original[range]) as isize
    }
}

/// The column after `text` written from `column`.
fn advance(column: isize, text: &[u8]) -> isize {
    match text.iter().rposition(|b| *b == b'\n') {
        Some(nl) => width(&text[nl + 1..]) as isize,
        None => column + width(text) as isize,
    }
}

/// Where the byte at `at` of `original` ends up in `replacement`, when the
/// edit keeps it: an edit `_a(` -> `_long_a(` rewrites the bracket with the
/// name, but the bracket is still there, in the common suffix (or prefix).
fn kept_at(original: &[u8], replacement: &[u8], at: usize) -> Option<usize> {
    if replacement.starts_with(&original[..=at]) {
        Some(at)
    } else if replacement.ends_with(&original[at..]) {
        Some(replacement.len() - (original.len() - at))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::token_layout;

    fn shifts_of(src: &str, edits: &[Edit]) -> Vec<(usize, isize)> {
        let lines = Lines::new(src.as_bytes());
        let refs: Vec<&Edit> = edits.iter().collect();
        shifts(src.as_bytes(), &lines, &token_layout(src.as_bytes()), &refs)
            .into_iter()
            .map(|s| (s.line, s.delta))
            .collect()
    }

    fn rename(src: &str, from: &str, to: &str) -> Edit {
        let start = src.find(from).unwrap();
        Edit {
            range: start..start + from.len(),
            replacement: to.to_string(),
        }
    }

    #[test]
    fn aligned_line_moves_by_the_growth() {
        let src = "x = self._a(arg1,\n            arg2)\n";
        assert_eq!(shifts_of(src, &[rename(src, "_a", "_long_a")]), [(1, 5)]);
        assert_eq!(shifts_of(src, &[rename(src, "x", "xyz")]), [(1, 2)]);
        // An edit right of the bracket does not move it.
        assert_eq!(shifts_of(src, &[rename(src, "arg1", "argument1")]), []);
    }

    #[test]
    fn the_line_break_before_the_bracket_line_must_survive() {
        let src = "a = 1\nx = f(b,\n      c)\n";
        let join = Edit {
            range: 5..6,
            replacement: "; ".into(),
        };
        assert_eq!(shifts_of(src, &[join, rename(src, "f(", "foo(")]), []);
    }

    #[test]
    fn a_bracket_an_edit_replaces_moves_nothing() {
        let src = "x = f(b,\n      c)\n";
        assert_eq!(shifts_of(src, &[rename(src, "f(", "g[")]), []);
        // Unless the edit keeps it, at its end or its start.
        assert_eq!(shifts_of(src, &[rename(src, "f(", "foo(")]), [(1, 2)]);
        assert_eq!(shifts_of(src, &[rename(src, "= f", "= ff")]), [(1, 1)]);
        assert_eq!(shifts_of(src, &[rename(src, "(b", "(bbb")]), []);
    }

    #[test]
    fn inserted_lines_before_the_bracket_reset_the_column() {
        let src = "x = f(b,\n      c)\n";
        let edit = Edit {
            range: 4..4,
            replacement: "g(1)\\\n    ".into(),
        };
        // `f(` moves from column 5 to column 5: `    f(`.
        assert_eq!(shifts_of(src, &[edit]), []);
        let edit = Edit {
            range: 4..4,
            replacement: "g(1) +\\\n        ".into(),
        };
        assert_eq!(shifts_of(src, &[edit]), [(1, 4)]);
    }
}
