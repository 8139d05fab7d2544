//! PATH inside a package: the whole package is analysed and only what
//! concerns PATH is reported and fixed, with paths relative to the analysed
//! root (the directory holding the top package). The `package` fixture has
//! its base class in `shop/base.py`, a conflict in each of two backends, and
//! a test outside `shop/drivers` that calls one backend's helper.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const TAPE: &str = "shop.drivers.tape.TapeBackend._load";
const DISK: &str = "shop.drivers.disk.DiskBackend.flush";

fn scan_json_in(dir: &Path, path: &str) -> (Option<i32>, Value) {
    let out = shadowfix_in(dir, &["scan", path, "--format", "json"]);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out.status.code(), report)
}

fn overrides(report: &Value) -> Vec<&str> {
    report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["override"]["qualname"].as_str().unwrap())
        .collect()
}

#[test]
fn scanning_one_driver_file_sees_its_base_in_the_package_and_reports_only_it() {
    let root = fixture("package");
    let (code, report) = scan_json_in(&root, "shop/drivers/tape.py");
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(overrides(&report), [TAPE]);
    let conflict = &report["conflicts"][0];
    assert_eq!(conflict["override"]["path"], "shop/drivers/tape.py");
    assert_eq!(conflict["overridden"]["path"], "shop/base.py");
    assert_eq!(conflict["calls"][0]["path"], "shop/base.py");
    assert_eq!(
        conflict["calls"][0]["error_py3"],
        "TapeBackend._load() got an unexpected keyword argument 'verify'"
    );
    assert_eq!(report["root"], ".");
    assert_eq!(report["scope"], "shop/drivers/tape.py");
    // The package's eight files were read; `run_restore.py` beside it was not.
    assert_eq!(report["files_scanned"], 8);
}

#[test]
fn the_text_summary_names_the_analysed_root_and_what_was_reported() {
    let root = fixture("package");
    let path = root.join("shop/drivers/tape.py");
    let out = shadowfix(&["scan", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with(&format!(
            "scanned 8 files under {}, 5 classes: 1 conflict under shop/drivers/tape.py (1 error, 0 latent warnings) in ",
            root.display()
        )),
        "{summary}"
    );
    assert!(text.contains("--> shop/drivers/tape.py:7:9"), "{text}");
    assert!(!text.contains("DiskBackend"), "{text}");
}

#[test]
fn a_base_module_reports_every_subclass_that_breaks_its_calls() {
    let (code, report) = scan_json_in(&fixture("package"), "shop/base.py");
    assert_eq!(code, Some(1));
    assert_eq!(overrides(&report), [DISK, TAPE]);
}

#[test]
fn a_file_without_conflicts_exits_zero() {
    let (code, report) = scan_json_in(&fixture("package"), "shop/drivers/memory.py");
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(overrides(&report), Vec::<&str>::new());
    assert_eq!(report["classes_with_external_bases"], 0);
}

#[test]
fn a_directory_inside_the_package_reports_what_lies_under_it() {
    let root = fixture("package");
    let (_, drivers) = scan_json_in(&root, "shop/drivers");
    assert_eq!(overrides(&drivers), [DISK, TAPE]);
    assert_eq!(drivers["scope"], "shop/drivers");
    // Only the test module's class has an external base (unittest).
    let (_, tests) = scan_json_in(&root, "shop/tests");
    assert_eq!(overrides(&tests), Vec::<&str>::new());
    assert_eq!(tests["classes_with_external_bases"], 1);
}

#[test]
fn the_top_package_and_the_project_root_are_analysed_as_given() {
    let root = fixture("package");
    let (_, top) = scan_json_in(&root, "shop");
    assert_eq!(overrides(&top), [DISK, TAPE]);
    assert_eq!(top["conflicts"][1]["override"]["path"], "drivers/tape.py");
    assert!(top.get("root").is_none() && top.get("scope").is_none(), "{top}");
    let (_, project) = scan_json_in(&root, ".");
    assert_eq!(project["files_scanned"], 9);
    assert!(project.get("root").is_none(), "{project}");
}

#[test]
fn a_script_outside_any_package_is_analysed_alone() {
    let (code, report) = scan_json_in(&fixture("package"), "run_restore.py");
    assert_eq!(code, Some(0));
    assert_eq!(report["files_scanned"], 1);
    assert!(report.get("root").is_none(), "{report}");
}

#[test]
fn parse_errors_are_reported_only_under_path() {
    let (_dir, root) = copy_fixture("package");
    std::fs::write(root.join("shop/drivers/broken.py"), "def broken(:\n    pass\n").unwrap();
    let (code, report) = scan_json_in(&root, "shop/drivers/tape.py");
    assert_eq!(code, Some(1));
    assert_eq!(report["parse_errors"], serde_json::json!([]));
    let (_, report) = scan_json_in(&root, "shop/drivers");
    assert_eq!(report["parse_errors"][0]["path"], "shop/drivers/broken.py");
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

#[test]
fn apply_auto_on_one_file_renames_the_helper_and_its_test_elsewhere_in_the_package() {
    let (_dir, root) = copy_fixture("package");
    let disk_before = read(&root, "shop/drivers/disk.py");
    let out = shadowfix_in(&root, &["apply", "--auto", "shop/drivers/tape.py"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // The written files, relative to the analysed root; the test lies
    // outside PATH and is renamed all the same.
    assert_eq!(stdout(&out), "shop/drivers/tape.py\nshop/tests/test_tape.py\n");
    assert!(
        err.contains("shadowfix: read the whole package under .; fixing only the conflicts under shop/drivers/tape.py"),
        "{err}"
    );
    assert!(err.contains(&format!("{TAPE} -> _tb_load: applied")), "{err}");
    assert!(!err.contains("DiskBackend"), "{err}");
    assert!(read(&root, "shop/drivers/tape.py").contains("def _tb_load(self, slot):"));
    assert!(read(&root, "shop/tests/test_tape.py").contains("drv._tb_load(3)"));
    // The other backend's conflict is outside PATH: left as it was.
    assert_eq!(read(&root, "shop/drivers/disk.py"), disk_before);

    let unit = python(
        "python3",
        &root,
        &["-m", "unittest", "discover", "-s", "shop/tests", "-t", "."],
    )
    .expect("python3 is required for this test");
    assert!(unit.status.success(), "{}", stderr(&unit));
    let run = python("python3", &root, &["run_restore.py", "tape"]).unwrap();
    assert_eq!(stdout(&run), "restored item-1\nsynced\n", "{}", stderr(&run));

    // Nothing left for PATH, while the disk conflict is still in the package.
    let again = shadowfix_in(&root, &["apply", "--auto", "shop/drivers/tape.py"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout(&again), "");
    assert_eq!(scan_json_in(&root, "shop/drivers/tape.py").0, Some(0));
    assert_eq!(overrides(&scan_json_in(&root, "shop").1), [DISK]);
}

#[test]
fn the_diff_for_one_file_applies_with_git_apply_and_patch_from_the_analysed_root() {
    let (_dir, root) = copy_fixture("package");
    // An absolute PATH, run from elsewhere: the diff is still relative to
    // the analysed root, which the summary names.
    let path = root.join("shop/drivers/tape.py");
    let out = shadowfix(&["diff", "--auto", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("paths are relative to {}", root.display())),
        "{}",
        stderr(&out)
    );
    let diff = stdout(&out);
    assert!(
        diff.contains("diff --git a/shop/tests/test_tape.py b/shop/tests/test_tape.py"),
        "{diff}"
    );
    let json = shadowfix(&["diff", "--auto", "--format", "json", path.to_str().unwrap()]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["root"], root.display().to_string());
    assert_eq!(json["scope"], "shop/drivers/tape.py");
    assert_eq!(json["diff"], diff.as_str());
    assert!(!diff.contains("disk.py"), "{diff}");
    let patch_file = root.parent().unwrap().join("tape.diff");
    std::fs::write(&patch_file, &diff).unwrap();

    let (_expected_dir, expected) = copy_fixture("package");
    let applied = shadowfix_in(&expected, &["apply", "--auto", "shop/drivers/tape.py"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));

    let git = run_in(&root, "git", &["apply", "--verbose", patch_file.to_str().unwrap()]);
    assert!(git.status.success(), "{}", stderr(&git));
    for rel in [
        "shop/drivers/tape.py",
        "shop/tests/test_tape.py",
        "shop/drivers/disk.py",
    ] {
        assert_eq!(read(&root, rel), read(&expected, rel), "{rel}");
    }

    let (_patched_dir, patched) = copy_fixture("package");
    let patch = run_in(&patched, "patch", &["-p1", "-i", patch_file.to_str().unwrap()]);
    assert!(patch.status.success(), "{}", stdout(&patch));
    assert_eq!(
        read(&patched, "shop/tests/test_tape.py"),
        read(&expected, "shop/tests/test_tape.py")
    );
}

#[test]
fn a_recipe_rule_for_a_conflict_outside_path_is_left_and_says_why() {
    let (dir, root) = copy_fixture("package");
    let recipe = dir.path().join("disk.toml");
    std::fs::write(
        &recipe,
        "id = \"disk-flush\"\ntitle = \"Disk: take the force flag\"\ndescription = \"Backend.sync passes force.\"\n\n\
         [[widen]]\nclass = \"DiskBackend\"\nmethod = \"flush\"\n",
    )
    .unwrap();
    let recipe = recipe.to_str().unwrap();
    let out = shadowfix_in(&root, &["diff", "--strict", "--patch", recipe, "shop/drivers/tape.py"]);
    let err = stderr(&out);
    // Not an error under --strict: the conflict it targets is not PATH's.
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("not applicable: shop.drivers.disk.DiskBackend.flush: its conflict lies outside the path given"),
        "{err}"
    );
    assert_eq!(stdout(&out), "");
    // Named, the same rule applies.
    let out = shadowfix_in(&root, &["diff", "--strict", "--patch", recipe, "shop/drivers/disk.py"]);
    assert!(
        stderr(&out).contains("widen -> flush(self, context, force=False): would apply"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("+    def flush(self, context, force=False):"),
        "{}",
        stdout(&out)
    );
}
