//! Detection depth on the `depth` fixture: bodies reached through
//! `super()`, reachability from public methods and the severity it gives,
//! splatted calls that cannot bind whatever the splat holds, and calls on
//! instances the tree types (a caller a rename missed). Every
//! predicted TypeError is compared with what python3 prints running the
//! same paths.

mod common;

use common::*;

fn scan_json(root: &std::path::Path) -> serde_json::Value {
    let out = shadowfix(&["scan", "--format", "json", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (severity, override, caller, reachable_from, py3 error) per call.
fn calls(report: &serde_json::Value) -> Vec<(String, String, String, Option<String>, String)> {
    let mut out = Vec::new();
    for c in report["conflicts"].as_array().unwrap() {
        for call in c["calls"].as_array().unwrap() {
            out.push((
                c["severity"].as_str().unwrap().to_string(),
                c["override"]["qualname"].as_str().unwrap().to_string(),
                call["caller"].as_str().unwrap().to_string(),
                call["reachable_from"].as_str().map(str::to_string),
                call["error_py3"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn report_kinds(report: &serde_json::Value) -> Vec<&str> {
    report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn super_bodies_reachability_splats_and_typed_instances() {
    let report = scan_json(&fixture("depth"));
    let s = |x: &str| x.to_string();
    assert_eq!(
        calls(&report),
        [
            (
                s("error"),
                // A test calls Catalog.terminate on an instance with the
                // arguments Store.terminate takes.
                s("shop.store.Catalog.terminate"),
                s("shop.tests.test_store.CatalogTest.test_terminate_with_force"),
                Some(s("shop.tests.test_store.CatalogTest.test_terminate_with_force")),
                s("Catalog.terminate() got an unexpected keyword argument 'force'"),
            ),
            (
                s("error"),
                s("shop.store.LocalStore._copy"),
                // Store._clone only runs on a LocalStore through
                // LocalStore._clone's super() call.
                s("shop.store.Store._clone"),
                Some(s("shop.store.Store.clone")),
                s("LocalStore._copy() got an unexpected keyword argument 'key'"),
            ),
            (
                s("error"),
                s("shop.store.LocalStore.get_items"),
                s("shop.store.Store.count"),
                Some(s("shop.store.Store.count")),
                // `cls.get_items(context, validate=validate, **filters)`:
                // the splat cannot undo the double `validate`.
                s("LocalStore.get_items() got multiple values for argument 'validate'"),
            ),
            (
                s("error"),
                // A caller the rename of Catalog._load missed.
                s("shop.store.Store._load"),
                s("shop.tests.test_store.CatalogTest.test_load_renamed_helper"),
                Some(s("shop.tests.test_store.CatalogTest.test_load_renamed_helper")),
                s("Store._load() missing 1 required positional argument: 'version'"),
            ),
            (
                s("warning"),
                s("shop.store.LocalStore._push"),
                s("shop.store.Store._legacy_sync"),
                None,
                s("LocalStore._push() takes 2 positional arguments but 3 were given"),
            ),
        ]
    );
}

#[test]
fn predicted_errors_are_what_python_raises() {
    let report = scan_json(&fixture("depth"));
    let out = python("python3", &fixture("depth"), &["run_paths.py"]).expect("python3 is needed");
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    for (_, _, _, _, error) in calls(&report) {
        assert!(
            printed.contains(&format!(": TypeError: {error}\n")),
            "{error}\nnot in\n{printed}"
        );
    }
}

#[test]
fn text_report_marks_latent_conflicts_and_counts_both() {
    let out = shadowfix(&["scan", fixture("depth").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a latent conflict is still a finding");
    let text = stdout(&out);
    assert!(
        text.contains("warning[shadowed-override]: `LocalStore._push` shadows `Store._push`"),
        "{text}"
    );
    assert!(
        text.contains("latent: no public method of `LocalStore` reaches `Store._legacy_sync`"),
        "{text}"
    );
    assert!(text.contains("reachable from `Store.clone`"), "{text}");
    // Errors are listed before warnings.
    let first_warning = text.find("warning[").unwrap();
    assert!(text.rfind("error[").unwrap() < first_warning, "{text}");
    assert!(text.contains("5 conflicts (4 errors, 1 latent warning)"), "{text}");
    assert!(
        text.contains(
            "error[broken-call]: `Store._load` cannot bind a call made on its instances: 1 call raises TypeError"
        ),
        "{text}"
    );
    assert!(
        text.contains("`CatalogTest.test_load_renamed_helper` calls it on a `Archive` instance"),
        "{text}"
    );
    let sarif = shadowfix(&["scan", "--format", "sarif", fixture("depth").to_str().unwrap()]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let levels: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "error", "error", "error", "warning"]);
    let report = scan_json(&fixture("depth"));
    assert_eq!(
        report_kinds(&report),
        ["reverse", "shadowing", "shadowing", "broken", "shadowing"]
    );
}
