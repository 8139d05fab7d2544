//! `shadowfix commit` end to end: real repositories built with the `git` CLI
//! in temp dirs from the Kilo fixture, the real binary, and every result
//! checked with `git` itself (log, show, status, am, a bare remote), so the
//! commits are what git would accept and review tools would see.
//!
//! Every git and shadowfix run gets an empty HOME, no system or global
//! config and fixed dates, so the machine's config cannot leak in and two
//! repositories built the same way have the same commit ids.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

const BRANCH: &str = "shadowfix/scaleio-attach-detach";
const SCALEIO: &str = "cinder/volume/drivers/emc/scaleio.py";
const TEST_SCALEIO: &str = "cinder/tests/test_scaleio.py";
const DRIVER: &str = "cinder/volume/driver.py";
const DATE: &str = "@1430400000 +0200";
const TYPE_ERROR: &str = "TypeError: _attach_volume() takes exactly 3 arguments (4 given)";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kilo")
}

/// A sandbox: a HOME of its own, and the environment every command gets.
struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.dir.path().display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
            ("GIT_AUTHOR_DATE", DATE.into()),
            ("GIT_COMMITTER_DATE", DATE.into()),
        ]
    }

    fn git_output(&self, dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = std::process::Command::new("git");
        cmd.current_dir(dir).args(args);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
        ] {
            cmd.env_remove(var);
        }
        for var in ["GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"] {
            cmd.env_remove(var);
        }
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd.output().expect("running git")
    }

    /// Runs git in `dir`; panics with its stderr when it fails.
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output(dir, args, &[]);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8").trim_end().to_string()
    }

    fn shadowfix(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("shadowfix").expect("shadowfix binary");
        cmd.current_dir(self.dir.path()).args(args);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_AUTHOR_NAME",
            "GIT_AUTHOR_EMAIL",
        ] {
            cmd.env_remove(var);
        }
        for var in ["GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL", "NO_COLOR"] {
            cmd.env_remove(var);
        }
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd
    }

    /// A repository at `rel` holding the Kilo fixture as one commit on
    /// `master`, with an identity in its own config.
    fn repo(&self, rel: &str) -> PathBuf {
        let repo = self.path(rel);
        std::fs::create_dir_all(&repo).expect("mkdir");
        self.git(&repo, &["init", "-q", "-b", "master"]);
        self.git(&repo, &["config", "user.name", "Repo Owner"]);
        self.git(&repo, &["config", "user.email", "owner@example.org"]);
        self.git(&repo, &["config", "commit.gpgsign", "false"]);
        copy_dir(&fixture(), &repo);
        self.git(&repo, &["add", "-A"]);
        self.git(&repo, &["commit", "-q", "-m", "Import Kilo"]);
        repo
    }

    fn rev(&self, repo: &Path, rev: &str) -> String {
        self.git(repo, &["rev-parse", "--verify", rev])
    }

    fn has_ref(&self, repo: &Path, name: &str) -> bool {
        self.git_output(repo, &["rev-parse", "--verify", "--quiet", name], &[])
            .status
            .success()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn rename_line(line: &str) -> String {
    line.replace("_attach_volume", "_sio_attach_volume")
        .replace("_detach_volume", "_sio_detach_volume")
}

/// The fixture file with both ScaleIO helpers renamed everywhere: in
/// scaleio.py every `_attach_volume` / `_detach_volume` is the ScaleIO
/// helper (the fixture README lists them).
fn renamed(rel: &str) -> String {
    rename_line(&std::fs::read_to_string(fixture().join(rel)).expect("fixture file"))
}

/// `new` is the fixture file `rel` with nothing but the two renames, and
/// every line in `must` (1-based) has them.
fn assert_only_renames(rel: &str, new: &str, must: &[usize]) {
    let old = std::fs::read_to_string(fixture().join(rel)).expect("fixture file");
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    assert_eq!(old.len(), new.len(), "{rel}: lines added or removed");
    for (i, (o, n)) in old.iter().zip(&new).enumerate() {
        assert!(
            *n == *o || *n == rename_line(o),
            "{rel}:{}: not a rename: {o:?} -> {n:?}",
            i + 1
        );
        if must.contains(&(i + 1)) {
            assert_eq!(*n, rename_line(o), "{rel}:{}: not renamed", i + 1);
            assert_ne!(*n, *o, "{rel}:{}: nothing to rename", i + 1);
        }
    }
}

/// The line shadowfix prints for a base, from stdout.
fn line_for<'a>(stdout: &'a str, base: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(&format!("{base}: ")))
        .unwrap_or_else(|| panic!("no line for {base} in {stdout:?}"))
}

#[test]
fn commits_the_fix_on_its_own_branch_and_touches_nothing_else() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let head = sb.rev(&repo, "HEAD");

    let out = sb
        .shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    let commit = sb.rev(&repo, BRANCH);
    assert_eq!(stdout.trim_end(), format!("HEAD: committed {commit} on {BRANCH}"));
    assert!(
        text(&out.stderr).contains("applied"),
        "summary on stderr: {}",
        text(&out.stderr)
    );

    // One commit, on the base.
    assert_eq!(sb.rev(&repo, &format!("{BRANCH}^")), head);
    assert_eq!(
        sb.git(&repo, &["rev-list", "--count", &format!("{head}..{BRANCH}")]),
        "1"
    );
    // Exactly the renames, in exactly the two files.
    assert_eq!(
        sb.git(&repo, &["diff", "--name-only", &head, BRANCH]),
        format!("{TEST_SCALEIO}\n{SCALEIO}")
    );
    assert_eq!(
        sb.git(&repo, &["show", &format!("{BRANCH}:{SCALEIO}")]),
        renamed(SCALEIO).trim_end()
    );
    // The test module: the direct calls and the mock targets its README
    // lists, and nothing but renames.
    let test_module = sb.git(&repo, &["show", &format!("{BRANCH}:{TEST_SCALEIO}")]);
    assert_only_renames(TEST_SCALEIO, &test_module, &[38, 41, 45, 49, 60, 65, 72, 73]);
    // The same rewrite as `shadowfix apply` on a checkout of the base.
    let checkout = sb.path("checkout");
    sb.git(
        sb.dir.path(),
        &["clone", "-q", repo.to_str().unwrap(), checkout.to_str().unwrap()],
    );
    sb.shadowfix(&["apply", checkout.to_str().unwrap()]).assert().code(0);
    sb.git(&checkout, &["add", "-A"]);
    assert_eq!(
        sb.git(&checkout, &["write-tree"]),
        sb.rev(&repo, &format!("{BRANCH}^{{tree}}"))
    );
    assert_eq!(
        sb.rev(&repo, &format!("{BRANCH}:{DRIVER}")),
        sb.rev(&repo, &format!("HEAD:{DRIVER}"))
    );
    let show = sb.git(&repo, &["show", "--format=", BRANCH, "--", SCALEIO]);
    assert!(
        show.contains("-    def _attach_volume(self, volume, sdc_ip):"),
        "{show}"
    );
    assert!(
        show.contains("+    def _sio_attach_volume(self, volume, sdc_ip):"),
        "{show}"
    );
    assert!(
        show.contains("+    def _sio_detach_volume(self, volume, sdc_ip):"),
        "{show}"
    );

    // The message: the recipe title, the TypeError, the identity from config.
    assert_eq!(
        sb.git(&repo, &["log", "-1", "--format=%s", BRANCH]),
        "ScaleIO: rename attach/detach helpers that shadow BaseVD's"
    );
    let body = sb.git(&repo, &["log", "-1", "--format=%b", BRANCH]);
    assert!(body.contains(TYPE_ERROR), "{body}");
    assert_eq!(
        sb.git(&repo, &["log", "-1", "--format=%an <%ae> %at|%cn <%ce> %ct", BRANCH]),
        "Repo Owner <owner@example.org> 1430400000|Repo Owner <owner@example.org> 1430400000"
    );

    // Working tree, index and HEAD untouched; HEAD still on master.
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(sb.rev(&repo, "HEAD"), head);
    assert_eq!(sb.git(&repo, &["symbolic-ref", "HEAD"]), "refs/heads/master");
    assert_eq!(
        std::fs::read_to_string(repo.join(SCALEIO)).unwrap(),
        std::fs::read_to_string(fixture().join(SCALEIO)).unwrap()
    );
}

#[test]
fn a_dirty_working_tree_stays_as_it_was() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let head = sb.rev(&repo, "HEAD");
    // An uncommitted edit of the very file the fix rewrites, a staged edit
    // and an untracked file.
    let edited = format!("{}# local edit\n", std::fs::read_to_string(repo.join(SCALEIO)).unwrap());
    std::fs::write(repo.join(SCALEIO), &edited).unwrap();
    std::fs::write(repo.join("cinder/utils.py"), "# staged\n").unwrap();
    sb.git(&repo, &["add", "cinder/utils.py"]);
    std::fs::write(repo.join("notes.txt"), "untracked\n").unwrap();
    let status = sb.git(&repo, &["status", "--porcelain"]);
    assert!(!status.is_empty());

    sb.shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .assert()
        .code(0);

    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), status);
    assert_eq!(std::fs::read_to_string(repo.join(SCALEIO)).unwrap(), edited);
    assert_eq!(sb.rev(&repo, "HEAD"), head);
    // The commit is made from the base's tree, not from the edits.
    assert_eq!(
        sb.git(&repo, &["show", &format!("{BRANCH}:{SCALEIO}")]),
        renamed(SCALEIO).trim_end()
    );
    assert_eq!(
        sb.rev(&repo, &format!("{BRANCH}:cinder/utils.py")),
        sb.rev(&repo, "HEAD:cinder/utils.py")
    );
}

#[test]
fn trailers_in_order_and_a_deterministic_change_id() {
    let sb = Sandbox::new();
    let args = ["--signoff", "--change-id", "--trailer", "Closes-Bug: #1"];
    let mut messages = Vec::new();
    let mut commits = Vec::new();
    for name in ["one", "two"] {
        let repo = sb.repo(name);
        let mut cmd_args = vec!["commit", "--repo", repo.to_str().unwrap()];
        cmd_args.extend(args);
        sb.shadowfix(&cmd_args).assert().code(0);
        messages.push(sb.git(&repo, &["log", "-1", "--format=%B", BRANCH]));
        commits.push(sb.rev(&repo, BRANCH));
        // git itself reads them as trailers, in this order.
        let trailers = sb.git(&repo, &["log", "-1", "--format=%(trailers:only,unfold)", BRANCH]);
        let keys: Vec<&str> = trailers
            .lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .collect();
        assert_eq!(keys, ["Change-Id", "Signed-off-by", "Closes-Bug"], "{trailers}");
        assert!(
            trailers.contains("Signed-off-by: Repo Owner <owner@example.org>"),
            "{trailers}"
        );
        assert!(trailers.contains("Closes-Bug: #1"), "{trailers}");
        let change_id = trailers.lines().find_map(|l| l.strip_prefix("Change-Id: ")).unwrap();
        assert_eq!(change_id.len(), 41, "{change_id}");
        assert!(change_id.starts_with('I') && change_id[1..].chars().all(|c| c.is_ascii_hexdigit()));
    }
    assert_eq!(messages[0], messages[1]);
    assert_eq!(commits[0], commits[1], "same base, same dates: same commit");
}

#[test]
fn a_malformed_trailer_is_refused() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let out = sb
        .shadowfix(&["commit", "--repo", repo.to_str().unwrap(), "--trailer", "no colon here"])
        .assert()
        .code(2);
    assert!(
        text(&out.get_output().stderr).contains("Key: value"),
        "{}",
        text(&out.get_output().stderr)
    );
    assert!(!sb.has_ref(&repo, BRANCH));
}

/// Makes `stable/a` and `stable/b` from master, and returns their tips.
fn two_stable_branches(sb: &Sandbox, repo: &Path) -> (String, String) {
    sb.git(repo, &["branch", "stable/a"]);
    // stable/b gets a commit of its own so the two bases differ.
    sb.git(repo, &["checkout", "-q", "-b", "stable/b"]);
    std::fs::write(repo.join("cinder/utils.py"), "# stable/b\n").unwrap();
    sb.git(repo, &["commit", "-q", "-am", "stable/b only"]);
    sb.git(repo, &["checkout", "-q", "master"]);
    (sb.rev(repo, "stable/a"), sb.rev(repo, "stable/b"))
}

#[test]
fn two_bases_give_two_branches() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let (a, b) = two_stable_branches(&sb, &repo);
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--base",
            "stable/a",
            "--base",
            "refs/heads/stable/b",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    let branch_a = format!("{BRANCH}/stable/a");
    let branch_b = format!("{BRANCH}/stable/b");
    assert_eq!(
        line_for(&stdout, "stable/a"),
        format!("stable/a: committed {} on {branch_a}", sb.rev(&repo, &branch_a))
    );
    assert_eq!(
        line_for(&stdout, "refs/heads/stable/b"),
        format!(
            "refs/heads/stable/b: committed {} on {branch_b}",
            sb.rev(&repo, &branch_b)
        )
    );
    assert_eq!(sb.rev(&repo, &format!("{branch_a}^")), a);
    assert_eq!(sb.rev(&repo, &format!("{branch_b}^")), b);
    assert_eq!(
        sb.git(&repo, &["show", &format!("{branch_b}:cinder/utils.py")]),
        "# stable/b"
    );
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn an_already_fixed_base_is_already_applied_and_gets_no_branch() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let (a, _) = two_stable_branches(&sb, &repo);
    // Fix stable/b by hand: `shadowfix apply` in a checkout of it, then a
    // plain git commit.
    let wt = sb.path("wt");
    sb.git(&repo, &["worktree", "add", "-q", wt.to_str().unwrap(), "stable/b"]);
    sb.shadowfix(&["apply", wt.to_str().unwrap()]).assert().code(0);
    sb.git(&wt, &["commit", "-q", "-am", "Fix ScaleIO by hand"]);
    let b = sb.rev(&repo, "stable/b");

    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--base",
            "stable/a",
            "--base",
            "stable/b",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    assert!(
        line_for(&stdout, "stable/a").starts_with("stable/a: committed "),
        "{stdout}"
    );
    assert_eq!(line_for(&stdout, "stable/b"), "stable/b: already applied");
    assert_eq!(sb.rev(&repo, &format!("{BRANCH}/stable/a^")), a);
    assert!(!sb.has_ref(&repo, &format!("refs/heads/{BRANCH}/stable/b")));
    assert_eq!(sb.rev(&repo, "stable/b"), b);
}

#[test]
fn a_base_without_the_conflict_is_not_applicable_and_a_bad_base_is_an_error() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    sb.git(&repo, &["checkout", "-q", "-b", "no-scaleio"]);
    sb.git(&repo, &["rm", "-q", SCALEIO, TEST_SCALEIO]);
    sb.git(&repo, &["commit", "-q", "-m", "Drop ScaleIO"]);
    sb.git(&repo, &["checkout", "-q", "master"]);

    let out = sb
        .shadowfix(&["commit", "--repo", repo.to_str().unwrap(), "--base", "no-scaleio"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(text(&out.stdout).trim_end(), "no-scaleio: not applicable");
    assert!(!sb.has_ref(&repo, &format!("refs/heads/{BRANCH}")));

    // The worst outcome wins, and the other bases still run.
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--base",
            "no-such-rev",
            "--base",
            "no-scaleio",
            "--base",
            "master",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    assert!(
        line_for(&stdout, "no-such-rev").starts_with("no-such-rev: error: cannot resolve base revision"),
        "{stdout}"
    );
    assert_eq!(line_for(&stdout, "no-scaleio"), "no-scaleio: not applicable");
    assert!(
        line_for(&stdout, "master").starts_with("master: committed "),
        "{stdout}"
    );
    assert!(sb.has_ref(&repo, &format!("refs/heads/{BRANCH}/master")));
}

#[test]
fn push_to_a_local_bare_repository() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let remote = sb.path("remote.git");
    sb.git(sb.dir.path(), &["init", "-q", "--bare", remote.to_str().unwrap()]);

    // By path.
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--push",
            remote.to_str().unwrap(),
            "--json",
        ])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json[0]["pushed"], true);
    let commit = sb.rev(&repo, BRANCH);
    let git_dir = format!("--git-dir={}", remote.display());
    assert_eq!(
        sb.git(sb.dir.path(), &[&git_dir, "rev-parse", &format!("refs/heads/{BRANCH}")]),
        commit
    );

    // By remote name, with a branch of another name; without --force a
    // non-fast-forward is rejected by the remote, with --force it is not.
    sb.git(&repo, &["remote", "add", "upstream", remote.to_str().unwrap()]);
    sb.shadowfix(&[
        "commit",
        "--repo",
        repo.to_str().unwrap(),
        "--push",
        "upstream",
        "--branch",
        "backport/scaleio",
    ])
    .assert()
    .code(0);
    let backport = sb.rev(&repo, "backport/scaleio");
    assert_eq!(
        sb.git(sb.dir.path(), &[&git_dir, "rev-parse", "refs/heads/backport/scaleio"]),
        backport
    );

    sb.git(
        sb.dir.path(),
        &[&git_dir, "update-ref", "refs/heads/taken", &sb.rev(&repo, "HEAD")],
    );
    std::fs::write(repo.join("cinder/utils.py"), "# moved on\n").unwrap();
    sb.git(&repo, &["commit", "-q", "-am", "Move on"]);
    sb.git(
        &repo,
        &["push", "-q", remote.to_str().unwrap(), "HEAD:refs/heads/taken"],
    );
    sb.git(&repo, &["reset", "-q", "--hard", "HEAD^"]);
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--push",
            "upstream",
            "--branch",
            "taken",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("HEAD: error: ") && stdout.contains("taken"), "{stdout}");
    sb.shadowfix(&[
        "commit",
        "--repo",
        repo.to_str().unwrap(),
        "--push",
        "upstream",
        "--branch",
        "taken",
        "--force",
    ])
    .assert()
    .code(0);
    assert_eq!(
        sb.git(sb.dir.path(), &[&git_dir, "rev-parse", "refs/heads/taken"]),
        sb.rev(&repo, "taken")
    );
}

#[test]
fn format_patch_round_trips_through_git_am() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let outdir = sb.path("patches");
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--format-patch",
            outdir.to_str().unwrap(),
            "--signoff",
            "--change-id",
            "--trailer",
            "Closes-Bug: #1",
        ])
        .env("GIT_AUTHOR_NAME", "Patch Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.org")
        .env("GIT_AUTHOR_DATE", "Thu, 30 Apr 2015 15:20:00 +0200")
        .assert()
        .code(0)
        .get_output()
        .clone();
    let patches: Vec<PathBuf> = std::fs::read_dir(&outdir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    let patch = &patches[0];
    let name = patch.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("0001-ScaleIO-rename") && name.ends_with(".patch"),
        "{name}"
    );
    assert!(text(&out.stderr).contains(name), "{}", text(&out.stderr));

    let clone = sb.path("clone");
    sb.git(
        sb.dir.path(),
        &["clone", "-q", repo.to_str().unwrap(), clone.to_str().unwrap()],
    );
    sb.git(&clone, &["config", "user.name", "Someone Else"]);
    sb.git(&clone, &["config", "user.email", "else@example.org"]);
    sb.git(&clone, &["config", "commit.gpgsign", "false"]);
    sb.git(&clone, &["am", "-q", patch.to_str().unwrap()]);

    assert_eq!(
        sb.rev(&clone, "HEAD^{tree}"),
        sb.rev(&repo, &format!("{BRANCH}^{{tree}}"))
    );
    assert_eq!(sb.rev(&clone, "HEAD^"), sb.rev(&repo, "master"));
    let fmt = "--format=%an <%ae> %at %ai%n%B";
    assert_eq!(
        sb.git(&clone, &["log", "-1", fmt]),
        sb.git(&repo, &["log", "-1", fmt, BRANCH])
    );
    assert!(
        sb.git(&clone, &["log", "-1", "--format=%an %ai"])
            .starts_with("Patch Author 2015-04-30 15:20:00 +0200")
    );
}

#[test]
fn format_patch_with_several_bases_writes_one_directory_per_base() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    two_stable_branches(&sb, &repo);
    let outdir = sb.path("out");
    sb.shadowfix(&[
        "commit",
        "--repo",
        repo.to_str().unwrap(),
        "--base",
        "stable/a",
        "--base",
        "stable/b",
        "--format-patch",
        outdir.to_str().unwrap(),
    ])
    .assert()
    .code(0);
    for (dir, base) in [("stable-a", "stable/a"), ("stable-b", "stable/b")] {
        let files: Vec<PathBuf> = std::fs::read_dir(outdir.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let clone = sb.path(&format!("clone-{dir}"));
        sb.git(
            sb.dir.path(),
            &[
                "clone",
                "-q",
                "-b",
                base,
                repo.to_str().unwrap(),
                clone.to_str().unwrap(),
            ],
        );
        sb.git(&clone, &["config", "user.name", "Someone Else"]);
        sb.git(&clone, &["config", "user.email", "else@example.org"]);
        sb.git(&clone, &["am", "-q", files[0].to_str().unwrap()]);
        assert_eq!(
            sb.rev(&clone, "HEAD^{tree}"),
            sb.rev(&repo, &format!("{BRANCH}/{base}^{{tree}}"))
        );
    }
}

#[test]
fn an_existing_branch_is_refused_unless_forced() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let head = sb.rev(&repo, "HEAD");
    sb.git(&repo, &["branch", BRANCH]);
    let objects_before = sb.git(&repo, &["count-objects"]);

    let out = sb
        .shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("HEAD: error: branch shadowfix/scaleio-attach-detach already exists"),
        "{stdout}"
    );
    assert!(stdout.contains("--force"), "{stdout}");
    assert_eq!(sb.rev(&repo, BRANCH), head);
    assert_eq!(sb.git(&repo, &["count-objects"]), objects_before, "nothing written");

    sb.shadowfix(&["commit", "--repo", repo.to_str().unwrap(), "--force"])
        .assert()
        .code(0);
    assert_ne!(sb.rev(&repo, BRANCH), head);
    assert_eq!(sb.rev(&repo, &format!("{BRANCH}^")), head);
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn a_branch_in_the_way_is_refused_even_when_forced() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    // `shadowfix/scaleio-attach-detach` blocks `.../stable/a` (git stores
    // one as a file, the other under a directory of that name).
    sb.git(&repo, &["branch", BRANCH]);
    sb.git(&repo, &["branch", "stable/a"]);
    let objects_before = sb.git(&repo, &["count-objects"]);
    for force in [false, true] {
        let mut args = vec![
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--base",
            "stable/a",
            "--base",
            "master",
        ];
        if force {
            args.push("--force");
        }
        let out = sb.shadowfix(&args).assert().code(2).get_output().clone();
        let stdout = text(&out.stdout);
        assert!(
            line_for(&stdout, "stable/a").contains(&format!("branch {BRANCH} exists")),
            "{stdout}"
        );
    }
    assert_eq!(sb.git(&repo, &["count-objects"]), objects_before, "nothing written");
    assert_eq!(
        sb.git(&repo, &["for-each-ref", "--format=%(refname)", "refs/heads/shadowfix/"]),
        format!("refs/heads/{BRANCH}")
    );
}

#[test]
fn the_checked_out_branch_is_never_replaced() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let head = sb.rev(&repo, "HEAD");
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--branch",
            "master",
            "--force",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(text(&out.stdout).contains("HEAD: error: "), "{}", text(&out.stdout));
    assert_eq!(sb.rev(&repo, "HEAD"), head);
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn author_and_dates_from_the_environment_override_the_config() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    sb.shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .env("GIT_AUTHOR_NAME", "Alice Backport")
        .env("GIT_AUTHOR_EMAIL", "alice@example.org")
        .env("GIT_AUTHOR_DATE", "2015-04-30T10:00:00+02:00")
        .env("GIT_COMMITTER_DATE", "1430500000 -0500")
        .assert()
        .code(0);
    assert_eq!(
        sb.git(
            &repo,
            &[
                "log",
                "-1",
                "--format=%an <%ae> %ai|%cn <%ce> %ct %cd",
                "--date=format:%z",
                BRANCH
            ]
        ),
        "Alice Backport <alice@example.org> 2015-04-30 10:00:00 +0200|Repo Owner <owner@example.org> 1430500000 -0500"
    );
}

#[test]
fn no_identity_anywhere_is_a_clear_error() {
    let sb = Sandbox::new();
    let repo = sb.path("anon");
    std::fs::create_dir_all(&repo).unwrap();
    sb.git(&repo, &["init", "-q", "-b", "master"]);
    copy_dir(&fixture(), &repo);
    sb.git(&repo, &["add", "-A"]);
    // The base commit gets its identity from the environment only.
    let out = sb.git_output(
        &repo,
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Import"],
        &[
            ("GIT_AUTHOR_NAME", "A"),
            ("GIT_AUTHOR_EMAIL", "a@example.org"),
            ("GIT_COMMITTER_NAME", "A"),
            ("GIT_COMMITTER_EMAIL", "a@example.org"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let out = sb
        .shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("HEAD: error: "), "{stdout}");
    assert!(stdout.contains("git config user.name"), "{stdout}");
    assert!(stdout.contains("GIT_AUTHOR_NAME"), "{stdout}");
    assert!(!sb.has_ref(&repo, &format!("refs/heads/{BRANCH}")));
}

#[test]
fn a_detached_head_works() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    sb.git(&repo, &["checkout", "-q", "--detach"]);
    let head = sb.rev(&repo, "HEAD");
    sb.shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .assert()
        .code(0);
    assert_eq!(sb.rev(&repo, &format!("{BRANCH}^")), head);
    assert_eq!(sb.rev(&repo, "HEAD"), head);
    assert!(
        !sb.git_output(&repo, &["symbolic-ref", "-q", "HEAD"], &[])
            .status
            .success(),
        "still detached"
    );
    assert_eq!(sb.git(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn a_bare_repository_works() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let bare = sb.path("bare.git");
    sb.git(
        sb.dir.path(),
        &["clone", "-q", "--bare", repo.to_str().unwrap(), bare.to_str().unwrap()],
    );
    sb.git(&bare, &["config", "user.name", "Bare Owner"]);
    sb.git(&bare, &["config", "user.email", "bare@example.org"]);
    sb.shadowfix(&["commit", "--repo", bare.to_str().unwrap()])
        .assert()
        .code(0);
    assert_eq!(sb.rev(&bare, &format!("{BRANCH}^")), sb.rev(&bare, "master"));
    assert_eq!(sb.git(&bare, &["log", "-1", "--format=%an", BRANCH]), "Bare Owner");
    assert_eq!(
        sb.git(&bare, &["diff", "--name-only", "master", BRANCH]),
        format!("{TEST_SCALEIO}\n{SCALEIO}")
    );
}

#[test]
fn an_executable_file_keeps_its_mode() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    sb.git(&repo, &["update-index", "--chmod=+x", SCALEIO]);
    sb.git(&repo, &["commit", "-q", "-m", "Make scaleio.py executable"]);
    sb.shadowfix(&["commit", "--repo", repo.to_str().unwrap()])
        .assert()
        .code(0);
    let entry = sb.git(&repo, &["ls-tree", BRANCH, SCALEIO]);
    assert!(entry.starts_with("100755 blob "), "{entry}");
}

#[test]
fn json_output_has_one_object_per_base() {
    let sb = Sandbox::new();
    let repo = sb.repo("repo");
    let out = sb
        .shadowfix(&[
            "commit",
            "--repo",
            repo.to_str().unwrap(),
            "--json",
            "--base",
            "master",
            "--base",
            "nope",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 2);

    let ok = &items[0];
    assert_eq!(ok["base"], "master");
    assert_eq!(ok["status"], "committed");
    assert_eq!(ok["branch"], format!("{BRANCH}/master"));
    assert_eq!(ok["commit"], sb.rev(&repo, &format!("{BRANCH}/master")));
    assert_eq!(ok["files"], serde_json::json!([TEST_SCALEIO, SCALEIO]));
    assert_eq!(
        ok["title"],
        "ScaleIO: rename attach/detach helpers that shadow BaseVD's"
    );
    assert!(
        ok["body"].as_str().unwrap().contains("_sio_attach_volume"),
        "{}",
        ok["body"]
    );
    assert_eq!(ok["pushed"], false);
    assert!(ok.get("error").is_none_or(|e| e.is_null()));

    let bad = &items[1];
    assert_eq!(bad["base"], "nope");
    assert_eq!(bad["status"], "error");
    assert!(bad["error"].as_str().unwrap().contains("nope"));
    assert!(bad["commit"].is_null());
    assert!(bad["branch"].is_null());
    assert_eq!(bad["files"], serde_json::json!([]));
    assert_eq!(bad["pushed"], false);
}

#[test]
fn help_documents_the_exit_codes() {
    let sb = Sandbox::new();
    let out = sb
        .shadowfix(&["commit", "--help"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let help = text(&out.stdout);
    assert!(help.contains("Exit codes"), "{help}");
    assert!(help.contains("1  some base not applicable"), "{help}");
}
