//! Byte-range edits: applying a set of replacements to a file's original
//! bytes.
//!
//! The rewrite stage expresses a rename as edits against the bytes the parser
//! saw, so applying them must not re-encode anything: the file may be
//! Latin-1, use CRLF, or lack a final newline, and every byte outside an edit
//! is copied as is. Edits that disagree (overlap) are refused rather than
//! resolved, because silently picking one would produce Python nobody asked
//! for.

use std::ops::Range;

/// Replace `original[range]` with `replacement`. An empty range inserts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

/// Why a set of edits cannot be applied. The file's path is not known here;
/// callers add it (`format!("{}: {e}", path.display())`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error(
        "edit #{index} replaces bytes {start}..{end} but the file has only {len} bytes: \
         the edit was computed against other contents; re-read the file and recompute it",
        start = .range.start,
        end = .range.end
    )]
    OutOfBounds {
        /// Position of the edit in the caller's list.
        index: usize,
        range: Range<usize>,
        len: usize,
    },
    #[error(
        "edit #{index} has a reversed byte range {start}..{end}: a range must start at or \
         before its end",
        start = .range.start,
        end = .range.end
    )]
    Reversed { index: usize, range: Range<usize> },
    #[error(
        "edits #{first} (bytes {first_start}..{first_end} -> {first_text:?}) and #{second} \
         (bytes {second_start}..{second_end} -> {second_text:?}) overlap: merge them into \
         one edit or drop one of them",
        first_start = .first_range.start,
        first_end = .first_range.end,
        second_start = .second_range.start,
        second_end = .second_range.end
    )]
    Overlap {
        first: usize,
        first_range: Range<usize>,
        first_text: String,
        second: usize,
        second_range: Range<usize>,
        second_text: String,
    },
}

/// Applies `edits` to `original` and returns the new bytes.
///
/// Edits may come in any order. Exact duplicates (same range, same
/// replacement) are applied once: two analyses reaching the same call site
/// legitimately produce the same edit. Edits whose ranges intersect, or that
/// give the same range different replacements, are an [`EditError::Overlap`];
/// touching edits (`a.end == b.start`) are fine. An insertion at the start of
/// a replaced range is applied before the replacement.
pub fn apply_edits(original: &[u8], edits: &[Edit]) -> Result<Vec<u8>, EditError> {
    let kept = checked(original.len(), edits)?;
    let growth: usize = kept.iter().map(|e| e.replacement.len()).sum();
    let mut out = Vec::with_capacity(original.len() + growth);
    let mut pos = 0;
    for e in kept {
        out.extend_from_slice(&original[pos..e.range.start]);
        out.extend_from_slice(e.replacement.as_bytes());
        pos = e.range.end;
    }
    out.extend_from_slice(&original[pos..]);
    Ok(out)
}

/// The edits [`apply_edits`] applies, in the order it applies them: every
/// range checked against a file of `len` bytes, sorted by (start, end),
/// exact duplicates dropped, overlaps refused. Shared with the style pass,
/// which interleaves its own changes with these and must agree exactly on
/// which edits count.
pub(crate) fn checked(len: usize, edits: &[Edit]) -> Result<Vec<&Edit>, EditError> {
    for (index, e) in edits.iter().enumerate() {
        if e.range.start > e.range.end {
            return Err(EditError::Reversed {
                index,
                range: e.range.clone(),
            });
        }
        if e.range.end > len {
            return Err(EditError::OutOfBounds {
                index,
                range: e.range.clone(),
                len,
            });
        }
    }

    // Sort by (start, end) so an insertion at `p` comes before a
    // replacement starting at `p`; the index breaks ties deterministically
    // and names the edits in errors.
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].range.start, edits[i].range.end, i));

    let mut kept: Vec<usize> = Vec::with_capacity(order.len());
    for i in order {
        let e = &edits[i];
        if let Some(&p) = kept.last() {
            let prev = &edits[p];
            if prev.range == e.range && prev.replacement == e.replacement {
                continue;
            }
            // Sorted by start, so the only possible conflicts are: the same
            // range (two insertions at one point, or two replacements), or
            // this edit starting inside the previous one.
            if prev.range == e.range || e.range.start < prev.range.end {
                return Err(EditError::Overlap {
                    first: p,
                    first_range: prev.range.clone(),
                    first_text: prev.replacement.clone(),
                    second: i,
                    second_range: e.range.clone(),
                    second_text: e.replacement.clone(),
                });
            }
        }
        kept.push(i);
    }
    Ok(kept.into_iter().map(|i| &edits[i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, text: &str) -> Edit {
        Edit {
            range,
            replacement: text.to_string(),
        }
    }

    #[test]
    fn no_edits_returns_identical_bytes() {
        let original = b"a\r\nb\xe9\nno final newline";
        assert_eq!(apply_edits(original, &[]).unwrap(), original.to_vec());
        assert_eq!(apply_edits(b"", &[]).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn applies_in_any_order() {
        let original = b"self._attach_volume(v)\nself._detach_volume(v)\n";
        let edits = [edit(28..42, "_sio_detach_volume"), edit(5..19, "_sio_attach_volume")];
        assert_eq!(
            apply_edits(original, &edits).unwrap(),
            b"self._sio_attach_volume(v)\nself._sio_detach_volume(v)\n".to_vec()
        );
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let err = apply_edits(b"abcdef", &[edit(1..4, "X"), edit(3..5, "Y")]).unwrap_err();
        assert_eq!(
            err,
            EditError::Overlap {
                first: 0,
                first_range: 1..4,
                first_text: "X".into(),
                second: 1,
                second_range: 3..5,
                second_text: "Y".into(),
            }
        );
        assert_eq!(
            err.to_string(),
            "edits #0 (bytes 1..4 -> \"X\") and #1 (bytes 3..5 -> \"Y\") overlap: merge them \
             into one edit or drop one of them"
        );
        // Contained range, listed first.
        assert!(apply_edits(b"abcdef", &[edit(2..3, "X"), edit(1..5, "Y")]).is_err());
        // Insertion strictly inside a replaced range.
        assert!(apply_edits(b"abcdef", &[edit(1..4, "X"), edit(2..2, "Y")]).is_err());
    }

    #[test]
    fn same_range_different_text_is_refused() {
        let err = apply_edits(b"abcdef", &[edit(1..3, "X"), edit(1..3, "Y")]).unwrap_err();
        assert!(matches!(err, EditError::Overlap { .. }));
        // Two different insertions at one point: order would be arbitrary.
        let err = apply_edits(b"abcdef", &[edit(2..2, "X"), edit(2..2, "Y")]).unwrap_err();
        assert!(matches!(err, EditError::Overlap { .. }));
    }

    #[test]
    fn adjacent_edits_are_fine() {
        assert_eq!(
            apply_edits(b"abcdef", &[edit(3..6, "Z"), edit(0..3, "Y")]).unwrap(),
            b"YZ".to_vec()
        );
        // Insertions at either end of a replaced range.
        assert_eq!(
            apply_edits(b"abcdef", &[edit(4..4, "]"), edit(2..4, "XY"), edit(2..2, "[")]).unwrap(),
            b"ab[XY]ef".to_vec()
        );
    }

    #[test]
    fn duplicate_edits_apply_once() {
        assert_eq!(
            apply_edits(b"foo(x)", &[edit(0..3, "bar"), edit(0..3, "bar"), edit(0..3, "bar")]).unwrap(),
            b"bar(x)".to_vec()
        );
        assert_eq!(
            apply_edits(b"ab", &[edit(1..1, "-"), edit(1..1, "-")]).unwrap(),
            b"a-b".to_vec()
        );
    }

    #[test]
    fn out_of_bounds_is_refused() {
        let err = apply_edits(b"abc", &[edit(0..1, "x"), edit(2..4, "y")]).unwrap_err();
        assert_eq!(
            err,
            EditError::OutOfBounds {
                index: 1,
                range: 2..4,
                len: 3
            }
        );
        assert_eq!(
            err.to_string(),
            "edit #1 replaces bytes 2..4 but the file has only 3 bytes: the edit was computed \
             against other contents; re-read the file and recompute it"
        );
        // Insertion at the very end is in bounds.
        assert_eq!(apply_edits(b"abc", &[edit(3..3, "\n")]).unwrap(), b"abc\n".to_vec());
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = edit(2..1, "y");
        assert!(matches!(
            apply_edits(b"abc", &[reversed]),
            Err(EditError::Reversed { index: 0, .. })
        ));
    }

    #[test]
    fn non_utf8_bytes_around_an_edit_are_kept() {
        // Latin-1 "café" comment, then the call to rename.
        let original = b"# caf\xe9\nself._attach_volume(v) # \xff\xfe\n";
        let start = original.windows(14).position(|w| w == b"_attach_volume").unwrap();
        let out = apply_edits(original, &[edit(start..start + 14, "_sio_attach_volume")]).unwrap();
        assert_eq!(out, b"# caf\xe9\nself._sio_attach_volume(v) # \xff\xfe\n".to_vec());
    }

    #[test]
    fn crlf_and_missing_final_newline_preserved() {
        let original = b"def a():\r\n    self.m()\r\nx = 1";
        let out = apply_edits(original, &[edit(19..20, "n2")]).unwrap();
        assert_eq!(out, b"def a():\r\n    self.n2()\r\nx = 1".to_vec());
    }
}
