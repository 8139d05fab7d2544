//! Regression tests for the guarantees the README's "Safety" section lists:
//! what `scan`, `diff`, `apply` and `commit` refuse to do, and what they
//! leave behind when a write is refused or interrupted. Each test is named
//! after the failure it reproduces, and drives the real binary on a tree it
//! builds in a temp dir.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Writes `files` (path, text) under a new temp dir's `tree`.
fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, root)
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_text_file_named_as_path_was_parsed_as_python() {
    let (_d, root) = tree(&[("notes.txt", "class A:\n    def f(self):\n        pass\n")]);
    let notes = root.join("notes.txt");
    for cmd in ["scan", "diff", "apply"] {
        let out = shadowfix(&[cmd, arg(&notes)]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", stderr(&out));
        assert!(stderr(&out).contains("is not Python"), "{cmd}: {}", stderr(&out));
    }
    let script = root.join("manage");
    std::fs::write(&script, "#!/usr/bin/python3\nclass A:\n    pass\n").unwrap();
    assert_eq!(shadowfix(&["scan", arg(&script)]).status.code(), Some(0));
}
