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

// ---- A rename must not miss a file it did not read -------------------------

const BASE: &str = "\
class Base(object):
    def _attach(self, context, volume, props, remote=False):
        return volume

    def backup(self, context, volume):
        info = self._attach(context, volume, {})
        return info
";

const DRIVER: &str = "\
from pkg.base import Base


class ScaleDriver(Base):
    def _attach(self, volume, ip):
        return ip

    def connect(self, volume):
        return self._attach(volume, '10.0.0.1')
";

const TEST_DRIVER: &str = "\
from pkg import driver


class T(object):
    def test(self):
        d = driver.ScaleDriver()
        d._attach(1, '10.0.0.1')
";

/// A package whose `--auto` fix renames `ScaleDriver._attach` to
/// `_s_attach` in two files (the driver and its test).
fn package() -> (tempfile::TempDir, PathBuf) {
    tree(&[
        ("pkg/__init__.py", ""),
        ("pkg/base.py", BASE),
        ("pkg/driver.py", DRIVER),
        ("pkg/test_driver.py", TEST_DRIVER),
    ])
}

/// Every file under `root`, relative path -> bytes (hidden files too).
fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = Default::default();
    walk(root, root, &mut out);
    out
}

/// Runs the binary so that file permissions apply: as is for a normal
/// user; for root (containers, CI) under `setpriv` without the
/// capabilities that bypass them. None (the test is skipped) when neither
/// is possible.
fn shadowfix_unprivileged(probe: &Path, args: &[&str]) -> Option<std::process::Output> {
    if std::fs::read(probe).is_err() {
        return Some(shadowfix(args));
    }
    let out = std::process::Command::new("setpriv")
        .args(["--bounding-set=-dac_override,-dac_read_search"])
        .arg(env!("CARGO_BIN_EXE_shadowfix"))
        .args(args)
        .env("NO_COLOR", "1")
        .output();
    match out {
        Ok(out) => Some(out),
        Err(e) => {
            eprintln!("skipped: running as root and cannot run setpriv ({e}) to make permissions apply");
            None
        }
    }
}

#[cfg(unix)]
#[test]
fn a_file_that_could_not_be_read_was_left_out_of_the_rename() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, root) = package();
    // A caller the rename would have to update, in a file nobody may read,
    // and a directory nobody may list.
    std::fs::write(root.join("pkg/locked.py"), TEST_DRIVER.replace("class T", "class L")).unwrap();
    std::fs::create_dir(root.join("pkg/sealed")).unwrap();
    std::fs::write(root.join("pkg/sealed/more.py"), TEST_DRIVER).unwrap();
    let before = snapshot(&root);
    let locked = root.join("pkg/locked.py");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(root.join("pkg/sealed"), std::fs::Permissions::from_mode(0o000)).unwrap();

    let r = arg(&root);
    for args in [
        vec!["apply", "--auto", r],
        vec!["diff", "--auto", r],
        vec!["apply", "--auto", "--check", r],
    ] {
        let Some(out) = shadowfix_unprivileged(&locked, &args) else {
            return;
        };
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("refusing to rewrite: 2 files or directories could not be read"),
            "{err}"
        );
        assert!(err.contains("pkg/locked.py (") && err.contains("pkg/sealed ("), "{err}");
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
    // `scan` lists them and goes on.
    let out = shadowfix_unprivileged(&locked, &["scan", "--format", "json", r]).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unread: Vec<&str> = report["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["path"].as_str().unwrap())
        .collect();
    assert_eq!(unread, ["pkg/locked.py", "pkg/sealed"]);

    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(root.join("pkg/sealed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(snapshot(&root), before, "a refused rewrite changed the tree");
}

/// Runs git in `dir` with no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out).trim_end().to_string()
}

#[cfg(unix)]
#[test]
fn commit_skipped_a_file_whose_name_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let (_d, root) = package();
    // A Latin-1 name (not UTF-8) holding a caller of the renamed helper.
    let latin1 = root.join("pkg").join(std::ffi::OsStr::from_bytes(b"caf\xe9.py"));
    std::fs::write(&latin1, TEST_DRIVER.replace("class T", "class C")).unwrap();
    git(&root, &["init", "-q", "-b", "master"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shadowfix"))
        .args(["commit", "--auto", "--repo", arg(&root)])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    let line = stdout(&out);
    assert!(
        line.starts_with("HEAD: error: reading HEAD: refusing to rewrite"),
        "{line}"
    );
    assert!(line.contains("\"pkg/caf\\351.py\" (its name is not UTF-8"), "{line}");
    assert!(line.contains("its name is not UTF-8"), "{line}");
    assert_eq!(git(&root, &["branch", "--list"]), "* master", "a branch was created");
}

// ---- Patch files are written whole or not at all ---------------------------

#[cfg(unix)]
#[test]
fn a_failed_format_patch_left_a_truncated_patch() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("patches");
    let kilo = fixture("kilo");
    let first = shadowfix(&["diff", "--format-patch", arg(&out_dir), arg(&kilo)]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let patch = PathBuf::from(stdout(&first).trim());
    assert!(std::fs::metadata(&patch).unwrap().len() > 4096);
    std::fs::write(&patch, "the previous patch\n").unwrap();

    // A file size limit of 1 KiB makes the write fail part-way (EFBIG, with
    // SIGXFSZ ignored), as a full disk would.
    let out = std::process::Command::new("sh")
        .args(["-c", "trap '' XFSZ; ulimit -f 2; exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_shadowfix"))
        .args(["diff", "--format-patch", arg(&out_dir), arg(&kilo)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("writing a patch file into"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&patch).unwrap(), "the previous patch\n");
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "left behind: {names:?}");
}

// ---- Paths that are not UTF-8 ----------------------------------------------

/// Runs `program` in `dir`; panics with its output when it fails.
fn run_ok(dir: &Path, program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_latin1_file_name_came_out_as_u_fffd_in_the_diff() {
    use std::os::unix::ffi::OsStrExt;
    let (d, root) = package();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    let latin1 = root.join("pkg").join(name);
    std::fs::write(&latin1, TEST_DRIVER.replace("class T", "class C")).unwrap();
    let pristine = d.path().join("pristine");
    copy_tree(&root, &pristine);

    let out = shadowfix(&["diff", "--auto", arg(&root)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let diff = out.stdout;
    let text = String::from_utf8_lossy(&diff);
    assert!(!text.contains('\u{fffd}'), "{text}");
    assert!(
        text.contains("diff --git \"a/pkg/caf\\351.py\" \"b/pkg/caf\\351.py\"\n--- \"a/pkg/caf\\351.py\"\n+++ \"b/pkg/caf\\351.py\"\n"),
        "{text}"
    );
    let patch = d.path().join("fix.diff");
    std::fs::write(&patch, &diff).unwrap();

    // What `apply` writes, and what the diff gives with each applier.
    let out = shadowfix(&["apply", "--auto", arg(&root)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line: &[u8] = b"pkg/caf\xe9.py\n";
    assert!(out.stdout.windows(line.len()).any(|w| w == line), "{}", stdout(&out));
    let fixed = std::fs::read(&latin1).unwrap();
    assert!(String::from_utf8_lossy(&fixed).contains("d._s_attach(1, '10.0.0.1')"));
    let names: Vec<_> = std::fs::read_dir(root.join("pkg"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 5, "apply created a file: {names:?}");

    let with_git = d.path().join("with-git");
    copy_tree(&pristine, &with_git);
    run_ok(&with_git, "git", &["init", "-q", "."]);
    run_ok(&with_git, "git", &["apply", "--check", arg(&patch)]);
    run_ok(&with_git, "git", &["apply", arg(&patch)]);
    let with_patch = d.path().join("with-patch");
    copy_tree(&pristine, &with_patch);
    run_ok(
        &with_patch,
        "patch",
        &["-p1", "--batch", "--no-backup-if-mismatch", "-i", arg(&patch)],
    );
    for copy in [&with_git, &with_patch] {
        std::fs::remove_dir_all(copy.join(".git")).ok();
        assert_eq!(snapshot(copy), snapshot(&root), "{}", copy.display());
    }
}

// ---- A replace killed half-way is finished by the next run ------------------

/// Our files (journal, temporary files) anywhere under `root`.
fn leftovers(root: &Path) -> Vec<PathBuf> {
    snapshot(root)
        .into_keys()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".shadowfix-"))
        .collect()
}

/// Runs `apply --auto` on `root` and SIGKILLs it right after its `n`-th
/// file was replaced (the debug build's test hook makes it wait there).
fn apply_killed_after(root: &Path, n: usize) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shadowfix"))
        .args(["apply", "--auto", arg(root)])
        .env("SHADOWFIX_TEST_STOP_AFTER_REPLACED", n.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        let stopped = line.contains("test hook: stopped");
        said.push(line);
        if stopped {
            break;
        }
    }
    assert!(
        said.last().is_some_and(|l| l.contains("stopped")),
        "the hook did not stop: {said:?}"
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
}

#[test]
fn a_kill_between_two_renames_left_the_tree_half_renamed() {
    let (_d, root) = package();
    let (_e, reference) = package();
    assert_eq!(shadowfix(&["apply", "--auto", arg(&reference)]).status.code(), Some(0));
    let fixed = snapshot(&reference);
    let original = snapshot(&root);

    apply_killed_after(&root, 1);
    let half = snapshot(&root);
    let file = |tree: &std::collections::BTreeMap<PathBuf, Vec<u8>>, p: &str| tree[Path::new(p)].clone();
    assert_eq!(file(&half, "pkg/driver.py"), file(&fixed, "pkg/driver.py"));
    assert_eq!(file(&half, "pkg/test_driver.py"), file(&original, "pkg/test_driver.py"));
    assert!(root.join(".shadowfix-journal.json").is_file());
    assert!(leftovers(&root).len() > 1, "{:?}", leftovers(&root));

    // The commands that only read warn, and say how to finish it.
    for args in [vec!["scan", arg(&root)], vec!["diff", "--auto", arg(&root)]] {
        let out = shadowfix(&args);
        let err = stderr(&out);
        assert!(
            err.contains("warning: an interrupted `shadowfix apply` left")
                && err.contains("1 of 2 files had been replaced")
                && err.contains("run `shadowfix apply` on it again to finish"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(snapshot(&root), half, "a read-only command changed the tree");

    // `apply` finishes it (forward), says so, and cleans up.
    let out = shadowfix(&["apply", "--auto", arg(&root)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("found an interrupted apply (")
            && err
                .contains("1 of 2 files had been replaced; finished it (rolled forward): replaced pkg/test_driver.py"),
        "{err}"
    );
    assert!(err.contains("nothing to change"), "{err}");
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    assert_eq!(snapshot(&root), fixed);
}

#[test]
fn a_file_edited_after_a_killed_apply_was_overwritten_by_the_next_one() {
    let (_d, root) = package();
    apply_killed_after(&root, 1);
    let edited = "# edited by hand after the crash\n";
    std::fs::write(root.join("pkg/test_driver.py"), edited).unwrap();
    let before = snapshot(&root);

    let out = shadowfix(&["apply", "--auto", arg(&root)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("this file holds neither its original nor its new contents (edited since?): pkg/test_driver.py"),
        "{err}"
    );
    assert_eq!(snapshot(&root), before, "a refused recovery changed the tree");
}

// ---- commit says what exists when it fails after committing ----------------

/// `shadowfix commit --auto` on the repository `root` with `extra` args.
fn commit(root: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_shadowfix"))
        .args(["commit", "--auto", "--repo", arg(root)])
        .args(extra)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .unwrap()
}

#[test]
fn a_failed_push_or_patch_after_the_commit_did_not_say_the_commit_exists() {
    let (d, root) = package();
    git(&root, &["init", "-q", "-b", "master"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    // Where the patch directory should go, a file: writing the patch fails.
    let blocker = d.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();

    let out = commit(
        &root,
        &[
            "--branch",
            "fix/a",
            "--format-patch",
            arg(&blocker.join("out")),
            "--push",
            "origin",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let sha = git(&root, &["rev-parse", "fix/a"]);
    let line = stdout(&out);
    assert!(
        line.starts_with(&format!(
            "HEAD: error: committed {sha} on fix/a (the commit and the branch are kept, nothing was pushed), \
             but writing a patch file into {} failed: ",
            blocker.join("out").display()
        )),
        "{line}"
    );

    let out = commit(&root, &["--branch", "fix/b", "--push", "no-such-remote", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let sha = git(&root, &["rev-parse", "fix/b"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["commit"], sha.as_str());
    assert_eq!(json[0]["branch"], "fix/b");
    assert_eq!(json[0]["pushed"], false);
    let error = json[0]["error"].as_str().unwrap();
    assert!(
        error.starts_with(&format!(
            "committed {sha} on fix/b (the commit and the branch are kept, nothing was pushed), \
             but pushing fix/b to no-such-remote failed: no remote named `no-such-remote`"
        )),
        "{error}"
    );
}
