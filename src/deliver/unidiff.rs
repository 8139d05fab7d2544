//! Rendering changes as git-style unified diffs, and their `--stat` summary.
//!
//! The diff is a deliverable, not just a preview: users pipe it into
//! `git apply`, `git am` (inside a format-patch mail) or `patch -p1`, often on
//! distribution trees whose files are Latin-1 or CRLF. So the diff is computed
//! over raw bytes, line by line, and every line is emitted with its own
//! terminator; applying the output must reproduce the new bytes exactly.
//! Nothing is converted through UTF-8.

use std::fmt::Write as _;

use similar::{Algorithm, DiffOp, DiffTag};

/// One file's old and new contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDiff<'a> {
    /// Relative, `/`-separated path, the same on both sides: its bytes as
    /// on disk, which need not be UTF-8 (headers quote them as git does).
    pub path: &'a [u8],
    pub old: &'a [u8],
    pub new: &'a [u8],
}

/// Lines of context around each change, as `diff -u` and git use.
const CONTEXT: usize = 3;

/// The total width `git format-patch` gives its `--stat` (mail messages wrap
/// at 72 columns).
pub const MAIL_STAT_WIDTH: usize = 72;

const NO_NEWLINE: &[u8] = b"\\ No newline at end of file\n";

// git's default colours (color.diff.*): meta bold, frag cyan, old red, new
// green; `ESC[m` resets.
const BOLD: &[u8] = b"\x1b[1m";
const CYAN: &[u8] = b"\x1b[36m";
const RED: &[u8] = b"\x1b[31m";
const GREEN: &[u8] = b"\x1b[32m";
const RESET: &[u8] = b"\x1b[m";

/// Renders every changed file (files whose old and new bytes are equal are
/// skipped) as a git unified diff with 3 lines of context. With `color`,
/// lines carry ANSI colours like `git diff --color`; coloured output is for
/// terminals only and does not apply.
pub fn render(files: &[FileDiff], color: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for f in files {
        if f.old != f.new {
            render_file(&mut out, f, color);
        }
    }
    out
}

fn render_file(out: &mut Vec<u8>, f: &FileDiff, color: bool) {
    let a = quote_path(&[b"a/", f.path].concat());
    let b = quote_path(&[b"b/", f.path].concat());
    let meta = |out: &mut Vec<u8>, line: String, trailer: &str| {
        if color {
            out.extend_from_slice(BOLD);
        }
        out.extend_from_slice(line.as_bytes());
        if color {
            out.extend_from_slice(RESET);
        }
        out.extend_from_slice(trailer.as_bytes());
        out.push(b'\n');
    };
    meta(out, format!("diff --git {a} {b}"), "");
    // Like git, end a `---`/`+++` name that contains a space with a tab:
    // GNU patch takes the name up to the first tab, so the space stays part
    // of it (and git apply reads the name from the `diff --git` line).
    let tab = |name: &str| if name.contains(' ') { "\t" } else { "" };
    meta(out, format!("--- {a}"), tab(&a));
    meta(out, format!("+++ {b}"), tab(&b));

    let old = split_lines(f.old);
    let new = split_lines(f.new);
    for hunk in hunks(&old, &new) {
        let (first, last) = (&hunk[0], &hunk[hunk.len() - 1]);
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let header = format!(
            "@@ -{} +{} @@",
            hunk_range(old_range.start, old_range.len()),
            hunk_range(new_range.start, new_range.len())
        );
        if color {
            out.extend_from_slice(CYAN);
        }
        out.extend_from_slice(header.as_bytes());
        if color {
            out.extend_from_slice(RESET);
        }
        if let Some(func) = func_line(&old[..old_range.start]) {
            out.push(b' ');
            out.extend_from_slice(func);
        }
        out.push(b'\n');

        for op in &hunk {
            let (tag, old_r, new_r) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => {
                    for line in &old[old_r] {
                        emit_line(out, b' ', line, None);
                    }
                }
                DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                    // A replacement is shown as all removed lines, then all
                    // added lines, as diff -u and git do.
                    for line in &old[old_r] {
                        emit_line(out, b'-', line, color.then_some(RED));
                    }
                    for line in &new[new_r] {
                        emit_line(out, b'+', line, color.then_some(GREEN));
                    }
                }
            }
        }
    }
}

/// `start,len` in hunk-header form: 1-based start, `,len` omitted when 1,
/// and for an empty range the line *before* it (0 at the top), as git and
/// GNU diff write it.
fn hunk_range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// One diff line: prefix, the line's own bytes including its terminator
/// (`\n` or `\r\n`), and the no-newline marker when it has none.
fn emit_line(out: &mut Vec<u8>, prefix: u8, line: &[u8], color: Option<&[u8]>) {
    let (body, end) = split_terminator(line);
    if let Some(c) = color {
        out.extend_from_slice(c);
    }
    out.push(prefix);
    out.extend_from_slice(body);
    if color.is_some() {
        // Reset before the terminator so a colour never bleeds into the
        // next line, even through a CR.
        out.extend_from_slice(RESET);
    }
    if end.is_empty() {
        out.push(b'\n');
        out.extend_from_slice(NO_NEWLINE);
    } else {
        out.extend_from_slice(end);
    }
}

/// Splits a line into its content and its terminator (`\r\n`, `\n`, or
/// nothing for a last line without newline).
fn split_terminator(line: &[u8]) -> (&[u8], &[u8]) {
    if line.ends_with(b"\r\n") {
        line.split_at(line.len() - 2)
    } else if line.ends_with(b"\n") {
        line.split_at(line.len() - 1)
    } else {
        (line, &[])
    }
}

/// Lines including their `\n`; a last line without one is kept as is, so it
/// differs from the same text with a newline (which is what makes the
/// no-newline marker come out right).
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// Change groups with their surrounding context, one per hunk.
fn hunks(old: &[&[u8]], new: &[&[u8]]) -> Vec<Vec<DiffOp>> {
    let ops = similar::capture_diff_slices(Algorithm::Myers, old, new);
    similar::group_diff_ops(ops, CONTEXT)
        .into_iter()
        .filter(|group| group.iter().any(|op| op.tag() != DiffTag::Equal))
        .collect()
}

/// The text git shows after a hunk header: the nearest line above the hunk
/// that starts with a letter, `_` or `$` (git's default funcname rule, which
/// for Python finds the enclosing top-level `class` or `def`), trailing
/// whitespace removed, at most 80 bytes.
fn func_line<'a>(above: &[&'a [u8]]) -> Option<&'a [u8]> {
    let line = above.iter().rev().find(|l| {
        l.first()
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || c == b'$')
    })?;
    let line = &line[..line.len().min(80)];
    let end = line.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(0, |i| i + 1);
    Some(&line[..end])
}

/// Quotes a path the way git does (with its default `core.quotePath`):
/// only when it contains `"`, `\`, a control character or a byte >= 0x80,
/// C-style in double quotes with octal escapes, so that a name in any
/// encoding (UTF-8, Latin-1) comes out as ASCII and `git apply` and
/// `patch -p1` read back its exact bytes. Spaces are not quoted; see
/// `render_file` for how they are delimited instead.
pub fn quote_path(path: &[u8]) -> String {
    let needs = path
        .iter()
        .any(|&b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b));
    if !needs {
        // Printable ASCII only.
        return path.iter().map(|&b| b as char).collect();
    }
    let mut q = String::with_capacity(path.len() + 2);
    q.push('"');
    for &b in path {
        match b {
            b'"' => q.push_str("\\\""),
            b'\\' => q.push_str("\\\\"),
            b'\t' => q.push_str("\\t"),
            b'\n' => q.push_str("\\n"),
            b'\r' => q.push_str("\\r"),
            0x07 => q.push_str("\\a"),
            0x08 => q.push_str("\\b"),
            0x0b => q.push_str("\\v"),
            0x0c => q.push_str("\\f"),
            0x20..=0x7e => q.push(b as char),
            _ => {
                let _ = write!(q, "\\{b:03o}");
            }
        }
    }
    q.push('"');
    q
}

/// Line counts of one file's change.
fn counts(f: &FileDiff) -> (usize, usize) {
    let old = split_lines(f.old);
    let new = split_lines(f.new);
    let mut ins = 0;
    let mut del = 0;
    for op in similar::capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_len, .. } => del += old_len,
            DiffOp::Insert { new_len, .. } => ins += new_len,
            DiffOp::Replace { old_len, new_len, .. } => {
                del += old_len;
                ins += new_len;
            }
        }
    }
    (ins, del)
}

/// `git diff --stat` output at format-patch's 72-column width: one
/// ` path | N ++--` line per changed file, then the summary line.
pub fn diffstat(files: &[FileDiff]) -> String {
    diffstat_with_width(files, MAIL_STAT_WIDTH)
}

/// [`diffstat`] for a total line width of `width` columns (git uses 80 for
/// `git diff --stat` to a pipe). Long names are shortened to `.../tail` and
/// the graph is scaled exactly as git does.
fn diffstat_with_width(files: &[FileDiff], width: usize) -> String {
    let rows: Vec<(String, usize, usize)> = files
        .iter()
        .filter(|f| f.old != f.new)
        .map(|f| {
            let (ins, del) = counts(f);
            (quote_path(f.path), ins, del)
        })
        .collect();
    if rows.is_empty() {
        return " 0 files changed\n".to_string();
    }

    // A port of the width arithmetic of git's show_stats() (diff.c), with
    // no binary files and no configured name or graph widths.
    let max_len = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0) as i64;
    let max_change = rows.iter().map(|r| r.1 + r.2).max().unwrap_or(0) as i64;
    let number_width = max_change.to_string().len() as i64;
    let width = (width as i64).max(16 + 6 + number_width);
    let mut graph_width = max_change;
    let mut name_width = max_len;
    if name_width + number_width + 6 + graph_width > width {
        if graph_width > width * 3 / 8 - number_width - 6 {
            graph_width = (width * 3 / 8 - number_width - 6).max(6);
        }
        if name_width > width - number_width - 6 - graph_width {
            name_width = width - number_width - 6 - graph_width;
        } else {
            graph_width = width - number_width - 6 - name_width;
        }
    }

    let mut out = String::new();
    let (mut total_ins, mut total_del) = (0, 0);
    for (name, ins, del) in &rows {
        total_ins += ins;
        total_del += del;
        let (prefix, shown) = scale_name(name, name_width.max(0) as usize);
        let pad = (name_width as usize).saturating_sub(prefix.len() + shown.chars().count());
        let change = ins + del;
        let (mut add, mut rem) = (*ins as i64, *del as i64);
        if graph_width <= max_change {
            let mut total = scale_linear(add + rem, graph_width, max_change);
            if total < 2 && add > 0 && rem > 0 {
                total = 2;
            }
            if add < rem {
                add = scale_linear(add, graph_width, max_change);
                rem = total - add;
            } else {
                rem = scale_linear(rem, graph_width, max_change);
                add = total - rem;
            }
        }
        let _ = write!(
            out,
            " {prefix}{shown}{:pad$} | {change:>nw$}",
            "",
            nw = number_width as usize
        );
        if change > 0 {
            out.push(' ');
            out.push_str(&"+".repeat(add.max(0) as usize));
            out.push_str(&"-".repeat(rem.max(0) as usize));
        }
        out.push('\n');
    }

    let n = rows.len();
    let _ = write!(out, " {n} file{} changed", if n == 1 { "" } else { "s" });
    // git prints the insertions part unless only deletions happened, and the
    // deletions part unless only insertions happened.
    if total_ins > 0 || total_del == 0 {
        let s = if total_ins == 1 { "" } else { "s" };
        let _ = write!(out, ", {total_ins} insertion{s}(+)");
    }
    if total_del > 0 || total_ins == 0 {
        let s = if total_del == 1 { "" } else { "s" };
        let _ = write!(out, ", {total_del} deletion{s}(-)");
    }
    out.push('\n');
    out
}

/// git's scale_linear(): maps 1..=max onto 1..=width, keeping non-zero
/// counts visible.
fn scale_linear(it: i64, width: i64, max_change: i64) -> i64 {
    if it == 0 || max_change == 0 {
        0
    } else {
        1 + (it * (width - 1) / max_change)
    }
}

/// Shortens `name` to fit `width` columns as git does: `...` followed by
/// the tail of the name, starting at a `/` when one falls in that tail.
fn scale_name(name: &str, width: usize) -> (&'static str, &str) {
    let len = name.chars().count();
    if len <= width {
        return ("", name);
    }
    let keep = width.saturating_sub(3);
    let skip = len - keep;
    let start = name.char_indices().nth(skip).map_or(name.len(), |(i, _)| i);
    let tail = &name[start..];
    let tail = match tail.find('/') {
        Some(i) => &tail[i..],
        None => tail,
    };
    ("...", tail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;
    use std::process::Command;

    /// (path, old bytes, new bytes) of each file in a test tree.
    type Fixture = Vec<(&'static str, Vec<u8>, Vec<u8>)>;

    #[test]
    fn exact_output_for_small_utf8_change() {
        let old = "class Driver(Base):\n    def a(self):\n        self._attach_volume(v)\n        return 1\n";
        let new = "class Driver(Base):\n    def a(self):\n        self._sio_attach_volume(v)\n        return 1\n";
        let files = [FileDiff {
            path: b"cinder/driver.py",
            old: old.as_bytes(),
            new: new.as_bytes(),
        }];
        let out = String::from_utf8(render(&files, false)).unwrap();
        assert_eq!(
            out,
            "diff --git a/cinder/driver.py b/cinder/driver.py\n\
             --- a/cinder/driver.py\n\
             +++ b/cinder/driver.py\n\
             @@ -1,4 +1,4 @@\n \
             class Driver(Base):\n     \
             def a(self):\n\
             -        self._attach_volume(v)\n\
             +        self._sio_attach_volume(v)\n         \
             return 1\n"
        );
        assert_eq!(
            diffstat(&files),
            " cinder/driver.py | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n"
        );
    }

    #[test]
    fn unchanged_files_are_skipped() {
        let files = [FileDiff {
            path: b"x.py",
            old: b"same\n",
            new: b"same\n",
        }];
        assert!(render(&files, false).is_empty());
        assert_eq!(diffstat(&files), " 0 files changed\n");
    }

    #[test]
    fn hunk_headers_and_func_context() {
        let old: String = (1..=20).map(|i| format!("    line {i}\n")).collect();
        let old = format!("class C:\n{old}");
        let new = old.replace("line 10\n", "LINE 10\n").replace("    line 20\n", "");
        let out = render(
            &[FileDiff {
                path: b"m.py",
                old: old.as_bytes(),
                new: new.as_bytes(),
            }],
            false,
        );
        let out = String::from_utf8(out).unwrap();
        let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers, vec!["@@ -8,7 +8,7 @@ class C:", "@@ -18,4 +18,3 @@ class C:"]);
    }

    #[test]
    fn missing_newline_markers() {
        let out = render(
            &[FileDiff {
                path: b"n.py",
                old: b"a\nb",
                new: b"a\nc",
            }],
            false,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "diff --git a/n.py b/n.py\n--- a/n.py\n+++ b/n.py\n@@ -1,2 +1,2 @@\n a\n-b\n\
             \\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
        // Adding a final newline: only the old side has the marker.
        let out = render(
            &[FileDiff {
                path: b"n.py",
                old: b"a",
                new: b"a\n",
            }],
            false,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "diff --git a/n.py b/n.py\n--- a/n.py\n+++ b/n.py\n@@ -1 +1 @@\n-a\n\
             \\ No newline at end of file\n+a\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let files = [FileDiff {
            path: b"c.py",
            old: b"x = 1\n",
            new: b"x = 2\n",
        }];
        let plain = render(&files, false);
        assert!(!plain.contains(&0x1b));
        let coloured = String::from_utf8(render(&files, true)).unwrap();
        assert_eq!(
            coloured,
            "\x1b[1mdiff --git a/c.py b/c.py\x1b[m\n\x1b[1m--- a/c.py\x1b[m\n\
             \x1b[1m+++ b/c.py\x1b[m\n\x1b[36m@@ -1 +1 @@\x1b[m\n\
             \x1b[31m-x = 1\x1b[m\n\x1b[32m+x = 2\x1b[m\n"
        );
    }

    #[test]
    fn path_quoting() {
        assert_eq!(quote_path(b"a/x.py"), "a/x.py");
        assert_eq!(quote_path(b"a/dir name/x.py"), "a/dir name/x.py");
        assert_eq!(quote_path("a/caf\u{e9}.py".as_bytes()), "\"a/caf\\303\\251.py\"");
        assert_eq!(quote_path(b"a/q\"b\\c\td"), "\"a/q\\\"b\\\\c\\td\"");
        // Latin-1, not UTF-8: the byte itself, as git writes it.
        assert_eq!(quote_path(b"a/caf\xe9.py"), "\"a/caf\\351.py\"");
    }

    #[test]
    fn names_with_spaces_end_with_a_tab() {
        let out = render(
            &[FileDiff {
                path: b"dir name/x.py",
                old: b"old\n",
                new: b"new\n",
            }],
            false,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "diff --git a/dir name/x.py b/dir name/x.py\n--- a/dir name/x.py\t\n\
             +++ b/dir name/x.py\t\n@@ -1 +1 @@\n-old\n+new\n"
        );
    }

    #[test]
    fn diffstat_scaling_and_names() {
        let big_old = "x\n".repeat(200);
        let big_new = "y\n".repeat(100) + &"x\n".repeat(100);
        let long = format!("{}/module.py", "very_long_directory_name".repeat(3));
        let files = [
            FileDiff {
                path: long.as_bytes(),
                old: big_old.as_bytes(),
                new: big_new.as_bytes(),
            },
            FileDiff {
                path: b"b.py",
                old: b"a\n",
                new: b"",
            },
        ];
        let stat = diffstat(&files);
        // What `git diff --stat=72` prints for the same change.
        assert_eq!(
            stat,
            concat!(
                " .../module.py                                 | 200 +++++++++---------\n",
                " b.py                                          |   1 -\n",
                " 2 files changed, 100 insertions(+), 101 deletions(-)\n",
            )
        );
        let lines: Vec<&str> = stat.lines().collect();
        // Every row fits in 72 columns and the bars are aligned.
        for l in &lines[..2] {
            assert!(l.chars().count() <= 72, "{l:?}");
        }
        assert_eq!(lines[0].find('|'), lines[1].find('|'));
        assert!(lines[0].starts_with(" .../module.py"), "{stat}");
        assert!(lines[0].contains("| 200 +"), "{stat}");
        assert!(lines[1].ends_with("|   1 -"), "{stat}");
        assert_eq!(lines[2], " 2 files changed, 100 insertions(+), 101 deletions(-)");
        let only_del = diffstat(&files[1..]);
        assert_eq!(only_del, " b.py | 1 -\n 1 file changed, 1 deletion(-)\n");
    }

    /// A tree of (path, old, new) files exercising everything the appliers
    /// are picky about.
    fn fixture() -> Fixture {
        let long_old: Vec<u8> = (1..=40).flat_map(|i| format!("    line {i}\n").into_bytes()).collect();
        let long_new = String::from_utf8(long_old.clone())
            .unwrap()
            .replace("line 5\n", "line five\n")
            .replace("line 30\n", "line thirty\nline 30b\n")
            .into_bytes();
        vec![
            (
                "crlf.py",
                b"class A:\r\n    def f(self):\r\n        self._attach_volume(v)\r\n        return 1\r\n".to_vec(),
                b"class A:\r\n    def f(self):\r\n        self._sio_attach_volume(v)\r\n        return 1\r\n".to_vec(),
            ),
            (
                "latin1.py",
                b"# -*- coding: latin-1 -*-\n# caf\xe9\nx = '\xe9t\xe9'\ny = 1\n".to_vec(),
                b"# -*- coding: latin-1 -*-\n# caf\xe9\nx = '\xe9t\xe9 \xe0'\ny = 1\n".to_vec(),
            ),
            (
                "nonl.py",
                b"a = 1\nb = 2\nc = 3".to_vec(),
                b"a = 1\nb = 2\nc = 4".to_vec(),
            ),
            ("add_nl.py", b"a = 1".to_vec(), b"a = 1\n".to_vec()),
            ("drop_nl.py", b"a = 1\nb = 2\n".to_vec(), b"a = 1\nb = 3".to_vec()),
            ("pkg/sub/mod.py", long_old, long_new),
            ("dir name/x.py", b"old\n".to_vec(), b"new\n".to_vec()),
            ("caf\u{e9}.py", b"v = 1\n".to_vec(), b"v = 2\n".to_vec()),
            ("empty_to_text.py", b"".to_vec(), b"x\n".to_vec()),
            ("same.py", b"same\n".to_vec(), b"same\n".to_vec()),
        ]
    }

    fn write_tree(root: &Path, files: &Fixture, new: bool) {
        for (path, old, newb) in files {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, if new { newb } else { old }).unwrap();
        }
    }

    fn check_tree(root: &Path, files: &Fixture) {
        for (path, _, new) in files {
            let got = fs::read(root.join(path)).unwrap();
            assert_eq!(&got, new, "{path} differs after applying the diff");
        }
    }

    fn run(cmd: &mut Command) {
        let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        assert!(
            out.status.success(),
            "{cmd:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn rendered_fixture() -> (Fixture, Vec<u8>) {
        let files = fixture();
        let diffs: Vec<FileDiff> = files
            .iter()
            .map(|(path, old, new)| FileDiff {
                path: path.as_bytes(),
                old,
                new,
            })
            .collect();
        let patch = render(&diffs, false);
        (files, patch)
    }

    #[test]
    fn git_apply_reproduces_new_bytes() {
        let (files, patch) = rendered_fixture();
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir(&repo).unwrap();
        write_tree(&repo, &files, false);
        let patch_file = dir.path().join("fix.diff");
        fs::write(&patch_file, &patch).unwrap();

        let git = |args: &[&str]| {
            let mut c = Command::new("git");
            c.current_dir(&repo)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .args(["-c", "core.autocrlf=false", "-c", "apply.whitespace=nowarn"])
                .args(args);
            c
        };
        run(&mut git(&["init", "-q", "."]));
        let p = patch_file.to_str().unwrap();
        run(&mut git(&["apply", "--check", p]));
        run(&mut git(&["apply", p]));
        check_tree(&repo, &files);
    }

    #[test]
    fn patch_p1_reproduces_new_bytes() {
        let (files, patch) = rendered_fixture();
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        fs::create_dir(&tree).unwrap();
        write_tree(&tree, &files, false);
        let patch_file = dir.path().join("fix.diff");
        fs::write(&patch_file, &patch).unwrap();

        let patch_cmd = |dry: bool| {
            let mut c = Command::new("patch");
            c.current_dir(&tree)
                .args(["-p1", "--batch", "--no-backup-if-mismatch", "-i"])
                .arg(&patch_file);
            if dry {
                c.arg("--dry-run");
            }
            c
        };
        run(&mut patch_cmd(true));
        // The dry run must not have touched anything.
        for (path, old, _) in &files {
            assert_eq!(&fs::read(tree.join(path)).unwrap(), old);
        }
        run(&mut patch_cmd(false));
        check_tree(&tree, &files);
        // No reject or backup files left behind.
        let mut stack = vec![tree.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let name = p.to_string_lossy().into_owned();
                    assert!(!name.ends_with(".rej") && !name.ends_with(".orig"), "{name}");
                }
            }
        }
    }
}
