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
            "scanned 8 files under {}, 5 classes: 1 conflict under shop/drivers/tape.py in ",
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
