//! Applying edits so the file stays pep8-clean: re-aligning the
//! continuation lines an edit moved, and breaking the lines it pushed past
//! the maximum length.
//!
//! A rename that lengthens `self._a(` moves the bracket, so the lines below
//! that were visually aligned with it (pycodestyle's visual indent) become
//! E127/E128, and the line itself may become E501; OpenStack's pep8 gate
//! rejects both. This module owns the passes that repair that: `realign`
//! decides, in the original's coordinates, how far each aligned line moves;
//! `compose` here applies the edits and those moves in one go and records
//! where every output byte came from; `wrap` then breaks the lines that an
//! edit or a move made too long. Everything else stays byte-identical, as
//! with [`apply_edits`](super::apply_edits): CRLF, latin-1 bytes, tabs, a
//! missing final newline. Python is seen only through the parse stage's
//! [`token_layout`].

mod realign;
mod wrap;

use std::ops::Range;

use crate::fix::edit::{self, Edit, EditError};
use crate::scan::token_layout;

/// What the style passes enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StyleOptions {
    /// Longest allowed line, in characters (see [`max_line_length`](super::max_line_length)).
    pub max_line_length: usize,
}

impl Default for StyleOptions {
    fn default() -> Self {
        StyleOptions { max_line_length: 79 }
    }
}

/// A line the edits made too long that could not be broken safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyleWarning {
    /// 1-based, in the new file.
    pub line: u32,
    pub message: String,
}

/// The new file and what could not be kept clean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Styled {
    pub bytes: Vec<u8>,
    pub warnings: Vec<StyleWarning>,
}

/// Applies `edits` to `original` (like [`apply_edits`](super::apply_edits),
/// with the same errors), then (a) re-aligns continuation lines that were
/// visually aligned with an opening bracket whose column the edits moved,
/// and (b) wraps lines that the edits pushed past `max_line_length`.
///
/// Alignment is decided on the original, where the brackets and strings
/// are known, and mapped through the edits, so an edit may insert whole
/// lines. Lines that start inside a string, indented with tabs, or whose
/// indentation an edit touches are never moved; lines that were already too
/// long are never wrapped. See `realign` and `wrap` for the rules.
pub fn apply_styled(original: &[u8], edits: &[Edit], opts: &StyleOptions) -> Result<Styled, EditError> {
    let edits = edit::checked(original.len(), edits)?;
    if edits.is_empty() {
        // Nothing moved, so nothing to re-align or wrap: skip the parse.
        return Ok(Styled {
            bytes: original.to_vec(),
            warnings: Vec::new(),
        });
    }
    let lines = Lines::new(original);
    let layout = token_layout(original);
    let shifts = realign::shifts(original, &lines, &layout, &edits);
    let composed = compose(original, &edits, &shifts);
    let too_long = |line: usize| visible_width(&original[lines.content(line, original)]) > opts.max_line_length;
    let (bytes, warnings) = wrap::wrap(&composed, |at| too_long(lines.of(at)), opts.max_line_length);
    Ok(Styled { bytes, warnings })
}

/// The line starts of a file. A line ends at `\n`; `\r\n` counts as one
/// ending (a lone `\r` is an ordinary byte here).
pub(super) struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    fn new(bytes: &[u8]) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(i, b)| *b == b'\n' && i + 1 < bytes.len())
                .map(|(i, _)| i + 1),
        );
        Lines {
            starts,
            len: bytes.len(),
        }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    fn start(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// The line's bytes without its ending.
    fn content(&self, line: usize, bytes: &[u8]) -> Range<usize> {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        }
        start..end
    }

    /// The line holding byte `offset`.
    fn of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }
}

/// Columns taken by `bytes`: characters if they are UTF-8, else one per
/// byte, as Python counts a latin-1 file it decoded. A tab is one column,
/// as in the tokenizer's positions pycodestyle compares.
fn width(bytes: &[u8]) -> usize {
    std::str::from_utf8(bytes).map_or(bytes.len(), |s| s.chars().count())
}

/// A line's length as pycodestyle's E501 measures it: trailing whitespace
/// does not count.
fn visible_width(content: &[u8]) -> usize {
    let end = content
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\x0c' | b'\r'))
        .map_or(0, |i| i + 1);
    width(&content[..end])
}

/// The file after the edits and the realignment, with where each run of its
/// bytes came from.
pub(super) struct Composed {
    pub bytes: Vec<u8>,
    /// In order and covering `bytes`; an empty `new` range is a deletion.
    pub spans: Vec<Span>,
}

/// A run of output bytes and the original bytes it stands for.
#[derive(Debug, Clone)]
pub(super) struct Span {
    pub new: Range<usize>,
    pub original: Range<usize>,
    /// An edit or a realignment wrote it; otherwise it is a copy.
    pub changed: bool,
}

/// Applies the checked `edits` and the indentation `shifts` in one pass. A
/// shift inserts or removes spaces at the end of a line's indentation,
/// which no edit touches (`realign` made sure), so it goes before any edit
/// starting at that same offset.
fn compose(original: &[u8], edits: &[&Edit], shifts: &[realign::Shift]) -> Composed {
    struct Op<'a> {
        range: Range<usize>,
        text: std::borrow::Cow<'a, str>,
        shift: bool,
    }
    let mut ops: Vec<Op> = edits
        .iter()
        .map(|e| Op {
            range: e.range.clone(),
            text: e.replacement.as_str().into(),
            shift: false,
        })
        .collect();
    for s in shifts {
        let removed = s.delta.min(0).unsigned_abs();
        ops.push(Op {
            range: s.at - removed..s.at,
            text: " ".repeat(s.delta.max(0).unsigned_abs()).into(),
            shift: true,
        });
    }
    // Stable, so the edits keep `checked`'s order among themselves.
    ops.sort_by_key(|op| (op.range.start, !op.shift));

    let mut composed = Composed {
        bytes: Vec::with_capacity(original.len() + 64),
        spans: Vec::new(),
    };
    let mut pos = 0;
    for op in ops {
        composed.push(&original[pos..op.range.start], pos..op.range.start, false);
        composed.push(op.text.as_bytes(), op.range.clone(), true);
        pos = op.range.end;
    }
    composed.push(&original[pos..], pos..original.len(), false);
    composed
}

impl Composed {
    fn push(&mut self, bytes: &[u8], original: Range<usize>, changed: bool) {
        if bytes.is_empty() && !changed {
            return;
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.spans.push(Span {
            new: start..self.bytes.len(),
            original,
            changed,
        });
    }

    /// The original offset output byte `at` stands for: its own for a copy,
    /// the start of the edit for bytes an edit wrote.
    fn original_offset(&self, at: usize) -> usize {
        let i = self.spans.partition_point(|s| s.new.end <= at);
        match self.spans.get(i) {
            Some(s) if !s.changed => s.original.start + (at - s.new.start),
            Some(s) => s.original.start,
            None => self.spans.last().map_or(0, |s| s.original.end),
        }
    }

    /// Whether an edit or a realignment wrote into, or deleted from,
    /// `range` (a line's content, so a deletion at its end counts).
    fn changed_in(&self, range: Range<usize>) -> bool {
        let first = self.spans.partition_point(|s| s.new.end < range.start);
        self.spans[first..]
            .iter()
            .take_while(|s| s.new.start <= range.end)
            .any(|s| {
                s.changed
                    && if s.new.is_empty() {
                        (range.start..=range.end).contains(&s.new.start)
                    } else {
                        s.new.start < range.end && s.new.end > range.start
                    }
            })
    }
}

#[cfg(test)]
mod tests;
