//! Breaking the lines the edits made too long.
//!
//! Only a line that an edit wrote into (or that `realign` moved), that is
//! now longer than the maximum and whose original was not, is touched:
//! lines that were already too long are the project's business, not this
//! fix's. Such a line is broken after a comma that separates the items of a
//! bracket, outside strings and comments: inside brackets Python joins
//! lines implicitly, so the break cannot change the code. The rest goes on
//! a new line, with the line's own ending, where pycodestyle wants that
//! bracket's items: at the column of its first item (a visual indent), or,
//! for a bracket an earlier line opened with nothing after it, at this
//! line's own hanging indentation. The last comma that lets the first part
//! fit is chosen, and the rest is broken again while it is too long.
//!
//! A comma before a bracket that stays open past the end of the line is
//! not a break point: the lines below may be aligned with that bracket, or
//! hang from its line, and moving it would break them. When no break point
//! is left (a long string, a long name) the line stays as it is and a
//! warning names it; so does a line indented with tabs, where a new line's
//! column would depend on the tab width.

use std::ops::Range;

use super::{Composed, Lines, StyleWarning, visible_width, width};
use crate::scan::syntax::TokenLayout;
use crate::scan::token_layout;

/// The composed file with its candidate lines broken, and a warning for
/// each line left too long. `was_too_long` tells, for an original offset,
/// whether its original line was already too long.
pub(super) fn wrap(
    composed: &Composed,
    was_too_long: impl Fn(usize) -> bool,
    max: usize,
) -> (Vec<u8>, Vec<StyleWarning>) {
    let bytes = &composed.bytes;
    let lines = Lines::new(bytes);
    let candidates: Vec<usize> = (0..lines.count())
        .filter(|&n| {
            let content = lines.content(n, bytes);
            visible_width(&bytes[content.clone()]) > max
                && composed.changed_in(content.clone())
                && !was_too_long(composed.original_offset(content.start))
        })
        .collect();
    if candidates.is_empty() {
        return (bytes.clone(), Vec::new());
    }
    // The composed file is parsed again: breaks may fall inside what an
    // edit wrote (`, groups=None`), whose commas only this parse knows.
    let layout = token_layout(bytes);
    let brackets = Brackets::new(&layout);
    let mut out = Vec::with_capacity(bytes.len() + 64 * candidates.len());
    let mut warnings = Vec::new();
    let mut pos = 0;
    let mut added = 0;
    for n in candidates {
        let content = lines.content(n, bytes);
        let Some(plan) = plan(bytes, content.clone(), &brackets, &lines, max) else {
            continue;
        };
        let eol = line_ending(bytes, content.end);
        for b in &plan.breaks {
            out.extend_from_slice(&bytes[pos..b.cut.start]);
            out.extend_from_slice(eol);
            out.resize(out.len() + b.indent, b' ');
            pos = b.cut.end;
        }
        added += plan.breaks.len();
        if let Some((length, why)) = plan.too_long {
            let line = u32::try_from(n + 1 + added).unwrap_or(u32::MAX);
            warnings.push(StyleWarning {
                line,
                message: format!(
                    "{length} characters long, over the maximum of {max}, and {why}; \
                     shorten it by hand"
                ),
            });
        }
    }
    out.extend_from_slice(&bytes[pos..]);
    (out, warnings)
}

/// Cut `cut` (the spaces after a comma) and put a line break and `indent`
/// spaces there.
struct Break {
    cut: Range<usize>,
    indent: usize,
}

struct Plan {
    breaks: Vec<Break>,
    /// The length of the last piece, if it is still too long, and why it
    /// was not broken.
    too_long: Option<(usize, &'static str)>,
}

/// A comma that may end a line: `next` is the first byte after it and the
/// spaces that follow, `indent` where the rest goes.
struct Comma {
    at: usize,
    next: usize,
    indent: Indent,
}

/// The indentation of the line a break starts.
enum Indent {
    /// The column of this byte of the line: the first item of a bracket
    /// opened on it, wherever earlier breaks put it.
    Item(usize),
    /// A fixed column: the items of a bracket opened on an earlier line,
    /// which no break moves.
    Column(usize),
}

/// How to break the line `content` so each piece fits in `max` columns;
/// None for a line the linters are told to leave alone (`# noqa`).
fn plan(bytes: &[u8], content: Range<usize>, brackets: &Brackets, lines: &Lines, max: usize) -> Option<Plan> {
    let comment = within(&brackets.layout.comments, content.clone()).next();
    if comment.is_some_and(|c| bytes[c].to_ascii_lowercase().windows(4).any(|w| w == b"noqa")) {
        return None;
    }
    // A new line indented with spaces in a file indented with tabs is
    // pycodestyle's E101, and with tabs its column depends on the tab width.
    if bytes[content.clone()]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .any(|b| *b == b'\t')
    {
        let length = visible_width(&bytes[content]);
        return Some(Plan {
            breaks: Vec::new(),
            too_long: Some((length, "is indented with tabs, so it is not broken")),
        });
    }
    let commas = commas(bytes, content.clone(), brackets, lines);
    // Each piece starts at a byte of the line and is indented to a column
    // (the first piece keeps its own indentation).
    let mut pieces: Vec<(usize, usize)> = vec![(content.start, 0)];
    let column = |pieces: &[(usize, usize)], at: usize| {
        let (start, indent) = pieces
            .iter()
            .rev()
            .find(|(s, _)| *s <= at)
            .copied()
            .unwrap_or((content.start, 0));
        indent + width(&bytes[start..at])
    };
    let mut breaks = Vec::new();
    loop {
        let (start, indent) = *pieces.last().unwrap_or(&(content.start, 0));
        let length = indent + visible_width(&bytes[start..content.end]);
        if length <= max {
            return Some(Plan { breaks, too_long: None });
        }
        let Some(comma) = commas
            .iter()
            .rev()
            .find(|c| c.at >= start && column(&pieces, c.at) < max)
        else {
            return Some(Plan {
                breaks,
                too_long: Some((length, "has no comma inside brackets to break it at")),
            });
        };
        let indent = match comma.indent {
            Indent::Item(item) => column(&pieces, item),
            Indent::Column(column) => column,
        };
        breaks.push(Break {
            cut: comma.at + 1..comma.next,
            indent,
        });
        pieces.push((comma.next, indent));
    }
}

/// The commas of `content` a line may end at: outside strings and
/// comments, after every bracket left open at the end of the line, followed
/// by more code (not a closer, a comment or a `\`), and separating the
/// items of the innermost bracket around them, which either opens on this
/// line or is an earlier line's bracket whose items have a known column:
/// that of its first item when one follows it (a visual indent), or this
/// line's indentation when this line is one of its hanging items.
fn commas(bytes: &[u8], content: Range<usize>, brackets: &Brackets, lines: &Lines) -> Vec<Comma> {
    let pairs = &brackets.layout.brackets;
    let first = pairs.partition_point(|b| b.open < content.start);
    let last = pairs.partition_point(|b| b.open < content.end);
    let here = &pairs[first..last];
    let floor = here
        .iter()
        .filter(|b| b.close >= content.end)
        .map(|b| b.open)
        .max()
        .unwrap_or(content.start);
    let skipped: Vec<Range<usize>> = within(&brackets.layout.strings, content.clone())
        .chain(within(&brackets.layout.comments, content.clone()))
        .collect();
    let indentation = spaces(&bytes[content.clone()]);
    let mut commas = Vec::new();
    for at in floor.max(content.start)..content.end {
        if bytes[at] != b',' || skipped.iter().any(|r| r.contains(&at)) {
            continue;
        }
        let Some(inner) = brackets.innermost(at) else {
            continue;
        };
        let open = pairs[inner].open;
        let item = open + 1 + spaces(&bytes[open + 1..]);
        let indent = if open >= content.start {
            Indent::Item(item)
        } else if !matches!(bytes.get(item), None | Some(b'\r' | b'\n' | b'#' | b'\\')) {
            Indent::Column(width(&bytes[lines.start(lines.of(open))..item]))
        } else if brackets.innermost(content.start + indentation) == Some(inner) {
            Indent::Column(indentation)
        } else {
            continue;
        };
        let next = at + 1 + spaces(&bytes[at + 1..content.end]);
        if next < content.end && !matches!(bytes[next], b')' | b']' | b'}' | b'#' | b'\\') {
            commas.push(Comma { at, next, indent });
        }
    }
    commas
}

/// The file's bracket pairs with, for each, the pair around it.
struct Brackets<'a> {
    layout: &'a TokenLayout,
    /// Indexed like `layout.brackets`.
    parents: Vec<Option<usize>>,
}

impl<'a> Brackets<'a> {
    fn new(layout: &'a TokenLayout) -> Self {
        let pairs = &layout.brackets;
        let mut parents = Vec::with_capacity(pairs.len());
        let mut open: Vec<usize> = Vec::new();
        for (i, b) in pairs.iter().enumerate() {
            while open.last().is_some_and(|&o| pairs[o].close < b.open) {
                open.pop();
            }
            parents.push(open.last().copied());
            open.push(i);
        }
        Brackets { layout, parents }
    }

    /// The innermost pair around byte `at` (strictly between its brackets).
    /// Pairs nest, so from the last pair opened before `at`, the pairs
    /// around it are its ancestors.
    fn innermost(&self, at: usize) -> Option<usize> {
        let pairs = &self.layout.brackets;
        let mut i = pairs.partition_point(|b| b.open < at).checked_sub(1)?;
        while pairs[i].close <= at {
            i = self.parents[i]?;
        }
        Some(i)
    }
}

/// The ranges of `sorted` (disjoint, in order) that overlap `range`.
fn within(sorted: &[Range<usize>], range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let first = sorted.partition_point(|r| r.end <= range.start);
    sorted[first..].iter().take_while(move |r| r.start < range.end).cloned()
}

/// How many spaces and tabs `bytes` starts with.
fn spaces(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| matches!(b, b' ' | b'\t')).count()
}

/// The ending of the line whose content ends at `end`; for a last line
/// without one, the file's first ending (LF if it has none).
fn line_ending(bytes: &[u8], end: usize) -> &'static [u8] {
    let ending = if end < bytes.len() {
        end
    } else {
        match bytes.iter().position(|b| *b == b'\n') {
            Some(nl) if nl > 0 && bytes[nl - 1] == b'\r' => nl - 1,
            Some(nl) => nl,
            None => return b"\n",
        }
    };
    if bytes[ending] == b'\r' { b"\r\n" } else { b"\n" }
}
