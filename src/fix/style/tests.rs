//! `apply_styled` end to end: re-alignment, wrapping, the bytes it must keep,
//! and a check by the real pycodestyle.

use std::io::Write;

use super::*;

/// Every occurrence of `from` in `src` replaced by `to`.
fn replace_all(src: &[u8], from: &str, to: &str) -> Vec<Edit> {
    let from = from.as_bytes();
    (0..src.len().saturating_sub(from.len() - 1))
        .filter(|&i| src[i..].starts_with(from))
        .map(|i| Edit {
            range: i..i + from.len(),
            replacement: to.to_string(),
        })
        .collect()
}

/// An insertion of `text` before the first occurrence of `before`.
fn insert_before(src: &[u8], before: &str, text: &str) -> Edit {
    let at = src.windows(before.len()).position(|w| w == before.as_bytes()).unwrap();
    Edit {
        range: at..at,
        replacement: text.to_string(),
    }
}

fn styled(src: &str, edits: &[Edit], max: usize) -> (String, Vec<StyleWarning>) {
    let out = apply_styled(src.as_bytes(), edits, &StyleOptions { max_line_length: max }).unwrap();
    (String::from_utf8(out.bytes).unwrap(), out.warnings)
}

fn renamed(src: &str, from: &str, to: &str) -> String {
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), from, to), 79);
    assert_eq!(warnings, []);
    out
}

#[test]
fn aligned_call_arguments_follow_a_longer_name() {
    let src = "x = self._a(arg1,\n            arg2)\n";
    assert_eq!(
        renamed(src, "_a(", "_long_a("),
        "x = self._long_a(arg1,\n                 arg2)\n"
    );
}

#[test]
fn shorter_name_moves_lines_left() {
    let src = "x = self._long_a(arg1,\n                 arg2,\n                 arg3)\n";
    assert_eq!(
        renamed(src, "_long_a(", "_a("),
        "x = self._a(arg1,\n            arg2,\n            arg3)\n"
    );
}

#[test]
fn nested_alignments_move_together() {
    // `g(` is on a line that moves, so the line aligned with it moves too;
    // `[` was not moved by anything and its line stays.
    let src = "\
r = self._a(x, y,
            g(1,
              2),
            z)
v = [self._a(1),
     2]
";
    assert_eq!(
        renamed(src, "_a(", "_abc("),
        "\
r = self._abc(x, y,
              g(1,
                2),
              z)
v = [self._abc(1),
     2]
"
    );
}

#[test]
fn innermost_bracket_first_then_outer() {
    // Line 2 is aligned with the outer `(` (not the inner `{`), line 3 with
    // the inner `{`.
    let src = "\
x = f(self._a({'k': 1,
               'j': 2}),
      3)
";
    assert_eq!(
        renamed(src, "_a(", "_abcd("),
        "\
x = f(self._abcd({'k': 1,
                  'j': 2}),
      3)
"
    );
}

#[test]
fn hanging_indents_are_untouched() {
    let src = "x = self._a(\n    arg1,\n    arg2)\ny = self._a(  # why\n    arg1)\n";
    let out = renamed(src, "_a(", "_longer_a(");
    assert_eq!(out, src.replace("_a(", "_longer_a("));
}

#[test]
fn lines_starting_inside_strings_are_untouched() {
    let src = "x = self._a('''one\n            two''',\n            3)\n";
    assert_eq!(
        renamed(src, "_a(", "_ab("),
        "x = self._ab('''one\n            two''',\n             3)\n"
    );
}

#[test]
fn lines_with_tabs_in_their_indentation_are_untouched() {
    let src = "x = self._a(1,\n\t    2,\n            3)\n";
    assert_eq!(
        renamed(src, "_a(", "_ab("),
        "x = self._ab(1,\n\t    2,\n             3)\n"
    );
    // A tab elsewhere counts one column, as in pycodestyle's positions.
    let src = "x =\tself._a(1,\n            2)\n";
    assert_eq!(renamed(src, "_a(", "_ab("), "x =\tself._ab(1,\n             2)\n");
}

#[test]
fn crlf_latin1_and_missing_final_newline_are_kept() {
    let src = b"# caf\xe9\r\nx = self._a('\xe9',\r\n            2)";
    let out = apply_styled(src, &replace_all(src, "_a(", "_ab("), &StyleOptions::default()).unwrap();
    assert_eq!(
        out.bytes,
        b"# caf\xe9\r\nx = self._ab('\xe9',\r\n             2)".to_vec()
    );
    assert_eq!(out.warnings, []);
}

#[test]
fn two_edits_on_one_line_add_up() {
    let src = "self._a(self._a(1,\n                2),\n        3)\n";
    assert_eq!(
        renamed(src, "_a(", "_abc("),
        "self._abc(self._abc(1,\n                    2),\n          3)\n"
    );
    // One growing, one shrinking, both left of the bracket.
    let src = "aaa = b.cc(1,\n           2)\n";
    let mut edits = replace_all(src.as_bytes(), "aaa", "a");
    edits.extend(replace_all(src.as_bytes(), "cc(", "cccccc("));
    assert_eq!(styled(src, &edits, 79).0, "a = b.cccccc(1,\n             2)\n");
}

#[test]
fn inserted_lines_are_allowed() {
    let src = "def f():\n    x = self._a(1,\n                2)\n";
    let mut edits = replace_all(src.as_bytes(), "_a(", "_ab(");
    edits.push(insert_before(src.as_bytes(), "    x =", "    y = 1\n"));
    assert_eq!(
        styled(src, &edits, 79).0,
        "def f():\n    y = 1\n    x = self._ab(1,\n                 2)\n"
    );
}

#[test]
fn edit_errors_are_apply_edits_errors() {
    let edits = [
        Edit {
            range: 0..3,
            replacement: "a".into(),
        },
        Edit {
            range: 2..4,
            replacement: "b".into(),
        },
    ];
    let err = apply_styled(b"abcdef", &edits, &StyleOptions::default()).unwrap_err();
    assert_eq!(err, apply_edits_err(&edits));
    let out = apply_styled(b"a\r\nb\xe9", &[], &StyleOptions::default()).unwrap();
    assert_eq!(out.bytes, b"a\r\nb\xe9".to_vec());
}

fn apply_edits_err(edits: &[Edit]) -> EditError {
    crate::fix::apply_edits(b"abcdef", edits).unwrap_err()
}

#[test]
fn long_call_is_wrapped_after_the_last_comma_that_fits() {
    let src = "        result = self._do(volume, new_size, context, remote, force)\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_do(", "_vsof_extend_if_needed("), 79);
    assert_eq!(
        out,
        "        result = self._vsof_extend_if_needed(volume, new_size, context, remote,\n\
         \x20                                            force)\n"
    );
    assert_eq!(warnings, []);
}

#[test]
fn rest_is_wrapped_again_and_keeps_crlf() {
    let src = "x = self._f(aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd)\r\ny = 1\r\n";
    let longer = format!("_f{}(", "f".repeat(29));
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_f(", &longer), 60);
    let indent = " ".repeat(41);
    assert_eq!(
        out,
        format!(
            "x = self.{longer}aaaaaaaaaa,\r\n{indent}bbbbbbbbbb,\r\n{indent}cccccccccc,\r\n{indent}dddddddddd)\r\ny = 1\r\n"
        )
    );
    assert_eq!(warnings, []);
}

#[test]
fn widened_signature_is_wrapped_inside_the_parameters() {
    let src = "    def copy_volume_data(self, context, src_vol, dest_vol, remote=None):\n        pass\n";
    let edit = insert_before(src.as_bytes(), "):", ", groups=None");
    let (out, warnings) = styled(src, &[edit], 79);
    assert_eq!(
        out,
        "    def copy_volume_data(self, context, src_vol, dest_vol, remote=None,\n                         groups=None):\n        pass\n"
    );
    assert_eq!(warnings, []);
}

#[test]
fn inner_bracket_commas_and_strings_are_respected() {
    // The commas inside the string and the comment are not break points;
    // the comma inside `g(...)` breaks at `g`'s first item.
    let src = "x = self._a('a, b, c', g(first_argument, second_argument))  # x, y\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdef("), 70);
    assert_eq!(
        out,
        "x = self._abcdef('a, b, c', g(first_argument,\n                              second_argument))  # x, y\n"
    );
    assert_eq!(warnings, []);
}

#[test]
fn no_safe_point_leaves_the_line_and_warns() {
    let src = "a = 1\nmsg = self._a('a long message that cannot be broken at a comma, or can it')\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdefgh("), 79);
    assert_eq!(out, src.replace("_a(", "_abcdefgh("));
    assert_eq!(
        warnings,
        [StyleWarning {
            line: 2,
            message: "82 characters long, over the maximum of 79, and has no comma inside brackets \
                      to break it at; shorten it by hand"
                .into()
        }]
    );
}

#[test]
fn tab_indented_lines_are_not_wrapped() {
    let src = "def f():\n\tx = self._a(aaaaaaaaaa, bbbbbbbbbb)\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdefg("), 36);
    assert_eq!(out, src.replace("_a(", "_abcdefg("));
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].line, 2);
    assert!(
        warnings[0].message.contains("indented with tabs"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn warning_lines_count_the_breaks_above() {
    let src = "x = self._a(aaaaaaaaaa, bbbbbbbbbb)\ny = self._a('cccccccccccccccccccc')\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdefg("), 36);
    assert_eq!(
        out,
        "x = self._abcdefg(aaaaaaaaaa,\n                  bbbbbbbbbb)\ny = self._abcdefg('cccccccccccccccccccc')\n"
    );
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].line, 3);
}

#[test]
fn a_bracket_left_open_at_the_end_is_not_moved() {
    // Breaking before `g(` would move it and strand the line aligned with
    // it; the comma after it (inside `g`) is fine.
    let src = "x = self._a(aaaaaaaaa, bbbbbbbbb, g(ccccccccc,\n                                    ddddddddd))\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdefghij("), 50);
    assert_eq!(
        out,
        "x = self._abcdefghij(aaaaaaaaa, bbbbbbbbb, g(ccccccccc,\n                                             ddddddddd))\n"
    );
    // The aligned line moved too, and is too long now, with no comma.
    let lines: Vec<u32> = warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [1, 2]);
}

#[test]
fn continuation_lines_break_at_their_brackets_items() {
    // A moved line of a visually indented call breaks at the call's
    // item column; a hanging item line keeps its own indentation.
    let src = "\
x = self._a(volume,
            properties, force=True, remote=dest_remote, extra=1)
y = f(
    self._a(1), properties, force=True, remote=dest_remote, extra=22)
";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdefgh("), 70);
    assert_eq!(
        out,
        "\
x = self._abcdefgh(volume,
                   properties, force=True, remote=dest_remote,
                   extra=1)
y = f(
    self._abcdefgh(1), properties, force=True, remote=dest_remote,
    extra=22)
"
    );
    assert_eq!(warnings, []);
}

#[test]
fn lines_already_too_long_are_not_wrapped() {
    let src = "x = self._a(aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff)\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abc("), 79);
    assert_eq!(out, src.replace("_a(", "_abc("));
    assert_eq!(warnings, []);
    // Nor lines no edit touched, nor lines marked `# noqa`.
    let src = "y = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, y'\nz = self._a(1, 2)\n";
    assert_eq!(renamed(src, "_a(", "_abc("), src.replace("_a(", "_abc("));
    let src = "x = self._a(aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeee)  # noqa\n";
    assert_eq!(renamed(src, "_a(", "_abc("), src.replace("_a(", "_abc("));
}

#[test]
fn realigned_line_that_grows_too_long_is_wrapped() {
    let src = "x = self._a(1,\n            g(aaaaaaaaaaaaaaa, bbbbbbbbbbbbbbb, ccccccccccccccc, dddddd))\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcdefgh("), 79);
    assert_eq!(
        out,
        "x = self._abcdefgh(1,\n                   g(aaaaaaaaaaaaaaa, bbbbbbbbbbbbbbb, ccccccccccccccc,\n                     dddddd))\n"
    );
    assert_eq!(warnings, []);
}

#[test]
fn length_counts_characters_not_bytes() {
    // 2-byte characters: 72 bytes but only 39 characters.
    let src = "x = self._a('ééééééééééééééééééééééééééééééééé', 1)\n";
    let (out, warnings) = styled(src, &replace_all(src.as_bytes(), "_a(", "_abcde("), 45);
    assert_eq!(out, src.replace("_a(", "_abcde("));
    assert_eq!(warnings, []);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let src = format!(
        "x = self._a({}1{},\n            2)\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let edits = replace_all(src.as_bytes(), "_a(", "_ab(");
    let out = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || apply_styled(src.as_bytes(), &edits, &StyleOptions::default()).unwrap())
        .unwrap()
        .join()
        .unwrap();
    assert!(out.bytes.ends_with(b",\n             2)\n"));
}

/// Whether `python3 -m pycodestyle` runs. Without it the check skips,
/// loudly; in CI (`CI` set to anything non-empty) it fails instead, so a
/// runner that lost the package cannot turn it into a no-op.
fn pycodestyle_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-m", "pycodestyle", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!(
                "pycodestyle is required in CI (CI is set) but `python3 -m pycodestyle` does not run: \
                 install it: python3 -m pip install pycodestyle"
            );
        }
        // Straight to the stderr handle: libtest captures `eprintln!` of a
        // passing test, and a skip nobody sees looks exactly like a pass.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: pycodestyle not found (install it: python3 -m pip install pycodestyle)"
        );
    }
    ok
}

/// pycodestyle's E1xx and E501 errors in `source`, each as its code and the
/// text of its line, so errors of unchanged lines compare equal across a
/// rewrite.
fn pycodestyle_errors(source: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("driver.py");
    std::fs::write(&path, source).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-m", "pycodestyle", "--max-line-length=79", "--select=E1,E501"])
        .arg(&path)
        .output()
        .unwrap();
    let lines: Vec<&str> = source.lines().collect();
    let mut errors: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            // path:row:col: CODE message
            let mut parts = l.rsplitn(4, ':');
            let message = parts.next().unwrap().trim();
            let _column = parts.next();
            let row: usize = parts.next().unwrap().parse().unwrap();
            let code = message.split(' ').next().unwrap().to_string();
            (code, lines[row - 1].to_string())
        })
        .collect();
    errors.sort();
    errors
}

#[test]
fn pycodestyle_finds_no_new_errors() {
    if !pycodestyle_available() {
        return;
    }
    let before = "\
class Driver(object):
    def _extend_if_needed(self, volume, size, context=None):
        return self._resize(volume,
                            size)

    def extend_volume(self, volume, new_size):
        result = self._extend_if_needed(volume, new_size,
                                        context=self.context)
        self._extend_if_needed(volume['id'], new_size, context=None, force=1)
        data = {'key': self._extend_if_needed(volume, new_size), 'other': 12}
        msg = self._extend_if_needed(volume, new_size, context={'a': 1,
                                                                'b': 2})
        other = self._extend_if_needed(self._lookup(volume, new_size),
                                       new_size)  # keep
        LOG.debug(\"Extending %(vol)s to %(size)s.\",
                  {'vol': self._extend_if_needed(volume, 1), 'size': 2})
        self._extend_if_needed(
            volume, new_size)
        self._extend_if_needed(volume, new_size,
                               context=self.context, force=True, remote=12)
        self._extend_if_needed(
            volume, new_size, context=self._extend_if_needed(volume, 1), a=1)
        return (result, msg, other, data,
                self._extend_if_needed(volume, new_size, context=None))

    def copy_volume_data(self, context, src_vol, dest_vol, remote=None):
        pass

    def copy_image(self, context, volume, image_service, image_id,
                   remote=None):
        pass
";
    let bytes = before.as_bytes();
    let mut edits = replace_all(bytes, "_extend_if_needed(", "_vsof_extend_if_needed(");
    edits.extend(replace_all(bytes, "_resize(", "_rs("));
    edits.push(insert_before(bytes, "):\n        pass\n\n", ", groups=None"));
    let at = bytes.windows(14).rposition(|w| w == b"remote=None):\n").unwrap() + 11;
    edits.push(Edit {
        range: at..at,
        replacement: ", groups=None".into(),
    });
    let out = apply_styled(bytes, &edits, &StyleOptions::default()).unwrap();
    assert_eq!(out.warnings, []);
    let after = String::from_utf8(out.bytes).unwrap();
    assert_eq!(pycodestyle_errors(before), [], "the fixture itself must be clean");
    assert_eq!(pycodestyle_errors(&after), [], "new style errors in:\n{after}");
    // Not vacuous: the same edits applied plainly break the style.
    let plain = String::from_utf8(crate::fix::apply_edits(bytes, &edits).unwrap()).unwrap();
    let plain_errors = pycodestyle_errors(&plain);
    for code in ["E127", "E128", "E501"] {
        assert!(
            plain_errors.iter().any(|(c, _)| c == code),
            "{code} missing: {plain_errors:?}"
        );
    }
}
