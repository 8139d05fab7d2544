//! Helpers shared by the integration tests: the fixture's location, a
//! fresh copy of it, and running the real binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Copies a fixture tree into a new temp dir (skipping caches) and returns
/// the dir guard and the copy's root.
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join(name);
    copy_tree(&fixture(name), &dest);
    (dir, dest)
}

pub fn copy_tree(src: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "__pycache__" {
            continue;
        }
        let path = entry.path();
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&path, &dest.join(&name));
        } else {
            std::fs::copy(&path, dest.join(&name)).expect("copy");
        }
    }
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Whether `tool` is on PATH for a test that needs it. Without it the test
/// skips, loudly; in CI (`CI` set to anything non-empty) it fails instead, so
/// a runner image that lost a package cannot turn tests into no-ops.
/// `install` says how to get it.
pub fn tool_or_skip(tool: &str, install: &str) -> bool {
    if on_path(tool) {
        return true;
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{tool} is required in CI (CI is set) but was not found on PATH: {install}");
    }
    // Straight to the stderr handle: libtest captures `eprintln!` of a
    // passing test, and a skip nobody sees looks exactly like a pass.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "skipped: {tool} not found ({install})");
    false
}

pub fn shadowfix(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_shadowfix"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run shadowfix")
}

/// Runs the binary with `dir` as the working directory, for relative PATHs.
pub fn shadowfix_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_shadowfix"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run shadowfix")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `python` (e.g. "python3") with args in `dir`; None when that
/// interpreter is not installed.
pub fn python(python: &str, dir: &Path, args: &[&str]) -> Option<Output> {
    std::process::Command::new(python)
        .args(args)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .ok()
        .filter(|o| !String::from_utf8_lossy(&o.stderr).contains("command not found"))
}

/// The last `TypeError: ...` line Python printed.
pub fn type_error_line(o: &Output) -> Option<String> {
    stderr(o)
        .lines()
        .rev()
        .find(|l| l.starts_with("TypeError: "))
        .map(|l| l["TypeError: ".len()..].to_string())
}
