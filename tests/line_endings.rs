//! Files whose lines end with a lone `\r` (old Mac) or `\r\n`: scan reads
//! their lines as Python does, so the positions it reports are the lines
//! Python's tracebacks show.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// A base whose `run` calls `_m` with two arguments, over several lines
/// with a comment, and a subclass whose `_m` takes one.
const LINES: &[&str] = &[
    "\"\"\"Line endings are whatever the test joins these lines with.\"\"\"",
    "",
    "",
    "class Base(object):",
    "    def run(self):",
    "        # a comment: to tree-sitter, a CR-only file was one long line",
    "        return self._m(1,  # the first",
    "                       2)",
    "",
    "    def _m(self, a, b):",
    "        return a + b",
    "",
    "",
    "class Child(Base):",
    "    def _m(self, a):",
    "        return a",
    "",
];

const RUNNER: &str = "import sys\nsys.path.insert(0, '.')\nfrom pkg import mod\nmod.Child().run()\n";

/// A tree with `pkg/mod.py` written with `ending`, and a runner.
fn tree(ending: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("__init__.py"), "").unwrap();
    std::fs::write(pkg.join("mod.py"), LINES.join(ending)).unwrap();
    std::fs::write(dir.path().join("run.py"), RUNNER).unwrap();
    dir
}

fn scan_json(root: &Path) -> Value {
    let out = shadowfix(&["scan", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// The line of the last traceback frame in `pkg/mod.py`.
fn traceback_line(root: &Path) -> u64 {
    let out = python("python3", root, &["run.py"]).expect("python3 is required for this test");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    let frame = text
        .lines()
        .rfind(|l| l.contains("mod.py\", line "))
        .unwrap_or_else(|| panic!("no frame in {text}"));
    let after = &frame[frame.find("line ").unwrap() + 5..];
    after[..after.find(',').unwrap()].parse().unwrap()
}

#[test]
fn cr_only_file_is_read_line_by_line_as_python_reads_it() {
    let dir = tree("\r");
    let root = dir.path();
    let report = scan_json(root);
    let conflicts = report["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{report}");
    let c = &conflicts[0];
    assert_eq!(c["override"]["qualname"], "pkg.mod.Child._m");
    assert_eq!(c["override"]["line"], 15);
    assert_eq!(c["overridden"]["line"], 10);
    let call = &c["calls"][0];
    assert_eq!(call["line"].as_u64(), Some(traceback_line(root)));
    assert_eq!(call["line"], 7);
    // Its text is one line, the comment inside the call dropped.
    assert_eq!(call["text"], "self._m(1, 2)");
    let out = python("python3", root, &["run.py"]).unwrap();
    assert_eq!(call["error_py3"].as_str(), type_error_line(&out).as_deref());
    // The text report's snippets show single lines, numbered the same way.
    let text = stdout(&shadowfix(&["scan", root.to_str().unwrap()]));
    assert!(text.contains("--> pkg/mod.py:15:9"), "{text}");
    assert!(text.contains("--> pkg/mod.py:7:21"), "{text}");
    assert!(text.contains("7 |         return self._m(1,  # the first\n"), "{text}");
    assert!(!text.contains('\r') && !text.contains('\u{240d}'), "{text}");
}

#[test]
fn crlf_file_reports_the_same_positions_as_lf() {
    let lf = tree("\n");
    let crlf = tree("\r\n");
    let positions = |report: &Value| {
        let c = &report["conflicts"][0];
        (
            c["override"]["line"].clone(),
            c["overridden"]["line"].clone(),
            c["calls"][0]["line"].clone(),
            c["calls"][0]["column"].clone(),
        )
    };
    let lf_report = scan_json(lf.path());
    assert_eq!(positions(&lf_report), positions(&scan_json(crlf.path())));
    assert_eq!(
        lf_report["conflicts"][0]["calls"][0]["line"].as_u64(),
        Some(traceback_line(crlf.path()))
    );
    let text = stdout(&shadowfix(&["scan", crlf.path().to_str().unwrap()]));
    assert!(text.contains("--> pkg/mod.py:7:21"), "{text}");
}
