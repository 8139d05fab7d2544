//! `--auto` choosing the fix per conflict on the `choose` fixture: which
//! kind each conflict gets and why, the exact edits, Python running every
//! inherited call path after the fix, the fixture's own tests still
//! passing, pycodestyle clean on the changed lines, and a second run
//! changing nothing.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// `diff --auto --format json` on `root`: the parsed document.
fn plan(root: &Path) -> serde_json::Value {
    let out = shadowfix(&["diff", "--auto", "--format", "json", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON plan")
}

/// (override's class.method, kind, new name or signature) per fix.
fn kinds(plan: &serde_json::Value) -> Vec<(String, String, String)> {
    plan["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let q = f["override"].as_str().unwrap();
            let short: Vec<&str> = q.rsplitn(3, '.').take(2).collect();
            let detail = f["to"].as_str().or(f["signature"].as_str()).unwrap_or("");
            (
                format!("{}.{}", short[1], short[0]),
                f["kind"].as_str().unwrap().to_string(),
                detail.to_string(),
            )
        })
        .collect()
}

#[test]
fn auto_chooses_rename_widen_or_left_per_conflict() {
    let plan = plan(&fixture("choose"));
    let got = kinds(&plan);
    let want = [
        ("FastFSDriver._cleanup", "left", ""),
        (
            "FastFSDriver._copy_snapshot",
            "widen",
            "_copy_snapshot(self, snapshot, volume, size, src_key=None, new_key=None)",
        ),
        (
            "FastFSDriver._export_options",
            "widen",
            "_export_options(self, share, access=None)",
        ),
        ("FastFSDriver._extend_if_needed", "rename", "_ffs_extend_if_needed"),
        ("ReplicaDriver._probe", "widen", "_probe(self, server, pool=None)"),
        (
            "ReplicaDriver.failover_host",
            "widen",
            "failover_host(self, context, volumes, target=None, groups=None)",
        ),
        (
            "ReplicaDriver.notify",
            "widen",
            "notify(self, event, payload, priority='info')",
        ),
        (
            "ReplicaDriver.terminate_connection",
            "widen",
            "terminate_connection(self, volume, connector, **kwargs)",
        ),
        ("FakeRenderer._render", "widen", "_render(self, thing, options=None)"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);

    let reason = |name: &str| -> String {
        plan["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["override"].as_str().unwrap().ends_with(name))
            .map(|f| f["reason"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert!(reason("_copy_snapshot").contains("raises NotImplementedError"));
    assert!(reason("_export_options").contains("docstring asks subclasses to override it"));
    assert!(reason("notify").contains("it calls super() for `notify`"));
    assert!(reason("_extend_if_needed").contains("its own code calls with its own arguments"));
    assert!(reason("_render").contains("Renderer._render is abstract"));
    let left = reason("_cleanup");
    assert!(left.contains("no call with its own arguments was found"), "{left}");
}

#[test]
fn auto_diff_snapshot_on_the_choose_fixture() {
    let out = shadowfix(&["diff", "--auto", fixture("choose").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("diff_choose_auto", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "shadowfix: left: storage.drivers.fastfs.FastFSDriver._cleanup (shadows storage.base.BaseDriver._cleanup): "
        ),
        "{err}"
    );
    assert!(
        err.contains("4 files would change, 1 rename, 7 widenings, 5 references updated, 0 call sites left for the base, 1 conflict left"),
        "{err}"
    );
}

/// `python3 run_paths.py` in `root`: one line per path.
fn run_paths(root: &Path) -> Vec<String> {
    let out = python("python3", root, &["run_paths.py"]).expect("python3 is needed");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

/// pycodestyle's indentation (E1) and line length (E501) complaints about
/// `root`, as `path:line: code`.
fn pycodestyle(root: &Path) -> Option<Vec<String>> {
    let out = Command::new("python3")
        .args(["-m", "pycodestyle", "--select=E1,E501", "--max-line-length=79", "."])
        .current_dir(root)
        .output()
        .ok()?;
    let text = stderr(&out);
    if text.contains("No module named pycodestyle") {
        return None;
    }
    Some(stdout(&out).lines().map(str::to_string).collect())
}

fn require_pycodestyle(root: &Path) -> Option<Vec<String>> {
    let found = pycodestyle(root);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "pycodestyle is required under CI (pip install pycodestyle)"
        );
        eprintln!("skipped: pycodestyle not found (pip install pycodestyle)");
    }
    found
}

#[test]
fn fixed_tree_runs_every_inherited_path_and_keeps_its_tests_and_style() {
    let (_dir, root) = copy_fixture("choose");
    let before = run_paths(&root);
    assert_eq!(before.len(), 10);
    assert!(before.iter().all(|l| l.contains(": TypeError: ")), "{before:#?}");
    let tests = python("python3", &root, &["-m", "unittest", "storage.tests.test_fastfs"]).unwrap();
    assert!(tests.status.success(), "{}", stderr(&tests));
    let style_before = require_pycodestyle(&root);
    if let Some(errors) = &style_before {
        assert!(errors.is_empty(), "the fixture itself is clean: {errors:#?}");
    }

    let out = shadowfix(&["apply", "--auto", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Every inherited path runs now, except the one left for a person.
    for line in run_paths(&root) {
        if line.starts_with("delete:") {
            assert!(line.contains("TypeError"), "{line}");
        } else {
            assert!(line.contains(": ok "), "{line}");
        }
    }
    // The fixture's own tests, which patch the renamed helper through a
    // class-body alias and an instance, still pass.
    let tests = python("python3", &root, &["-m", "unittest", "storage.tests.test_fastfs"]).unwrap();
    assert!(tests.status.success(), "{}", stderr(&tests));
    // The changed lines pass the style gate.
    if style_before.is_some() {
        let after = pycodestyle(&root).unwrap();
        assert!(after.is_empty(), "{after:#?}");
    }
    // A second run changes nothing.
    let again = shadowfix(&["apply", "--auto", root.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).is_empty(), "{}", stdout(&again));
    assert!(stderr(&again).contains("nothing to change"), "{}", stderr(&again));
    assert!(stderr(&again).contains("1 conflict left"), "{}", stderr(&again));
}

#[test]
fn widen_recipe_with_explicit_params_then_already_applied() {
    let (dir, root) = copy_fixture("choose");
    let recipe = dir.path().join("failover.toml");
    std::fs::write(
        &recipe,
        "id = \"replica-failover-groups\"\n\
         title = \"Replica: accept the groups argument of failover_host\"\n\
         description = \"\"\"\nBaseDriver.failover passes groups.\n\"\"\"\n\
         [[widen]]\nclass = \"ReplicaDriver\"\nmethod = \"failover_host\"\nparams = \"groups=None\"\n",
    )
    .unwrap();
    let args = ["apply", "--patch", recipe.to_str().unwrap(), root.to_str().unwrap()];
    let out = shadowfix(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "replica-failover-groups: storage.drivers.replica.ReplicaDriver.failover_host widen -> \
             failover_host(self, context, volumes, target=None, groups=None): applied"
        ),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(root.join("storage/drivers/replica.py")).unwrap();
    assert!(text.contains("    def failover_host(self, context, volumes, target=None, groups=None):\n"));
    // The conflicts no rule targets are listed as left.
    assert!(
        stderr(&out).contains("shadowfix: left: storage.drivers.replica.ReplicaDriver._probe (shadows storage.base.BaseDriver._probe): no recipe rule targets it"),
        "{}",
        stderr(&out)
    );
    let again = shadowfix(&args);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains(": already applied"), "{}", stderr(&again));
}
