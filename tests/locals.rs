//! `shadowfix scan` on classes built inside functions: Python 3's
//! qualnames (`T.test_x.<locals>.C`), names resolved in the function that
//! uses them, and the predicted TypeError checked against python3.

mod common;

use common::*;
use serde_json::Value;

fn scan_locals() -> Value {
    let out = shadowfix(&["scan", fixture("locals").to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

const TESTS: &str = "tasks.tests.test_workers";

#[test]
fn local_classes_get_python3_qualnames_and_their_own_bases() {
    let report = scan_locals();
    let pairs: Vec<(String, String)> = report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["override"]["qualname"].as_str().unwrap().to_string(),
                c["overridden"]["qualname"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (
                format!("{TESTS}.ApplicationTests.test_module_base.<locals>.Labelled.label"),
                "tasks.workers.Base.label".to_string(),
            ),
            (
                format!("{TESTS}.ApplicationTests.test_threads.<locals>.ThreadVerifier.report"),
                "tasks.workers.Reporter.report".to_string(),
            ),
            (
                format!("{TESTS}.build_pipeline.<locals>.Doubler.step"),
                format!("{TESTS}.build_pipeline.<locals>.Stage.step"),
            ),
        ]
    );
    // Same-named classes of other test methods were once read as one
    // module-level name: `Both` got an inconsistent MRO, `Job` a conflict.
    assert_eq!(report["mro_errors"], serde_json::json!([]));
    assert!(!report.to_string().contains("Job"), "{report}");
    assert_eq!(
        report["conflicts"][0]["mro"],
        serde_json::json!([
            format!("{TESTS}.ApplicationTests.test_module_base.<locals>.Labelled"),
            "tasks.workers.Base",
            "object"
        ])
    );
}

/// What Python prints for each conflict is what scan predicted.
#[test]
fn predicted_py3_errors_for_local_classes_match_python3() {
    let report = scan_locals();
    let root = fixture("locals");
    for (case, override_name) in [
        ("test_threads", "ThreadVerifier.report"),
        ("test_module_base", "Labelled.label"),
        ("build_pipeline", "Doubler.step"),
    ] {
        let out = python("python3", &root, &["run_case.py", case]).expect("python3 is required for this test");
        assert_eq!(out.status.code(), Some(1), "{case}: {}", stderr(&out));
        let raised = type_error_line(&out).expect("a TypeError");
        let conflict = report["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["override"]["qualname"].as_str().unwrap().ends_with(override_name))
            .unwrap_or_else(|| panic!("no conflict for {override_name}"));
        let calls = conflict["calls"].as_array().unwrap();
        assert_eq!(calls.len(), 1, "{case}");
        assert_eq!(calls[0]["error_py3"].as_str().unwrap(), raised, "{case}");
    }
}

/// The decoys run cleanly under python3: the hierarchies scan must accept
/// are ones Python accepts.
#[test]
fn decoy_cases_run_under_python3() {
    let root = fixture("locals");
    for case in ["test_jobs", "test_pipeline", "test_order_one", "test_order_two"] {
        let out = python("python3", &root, &["run_case.py", case]).expect("python3 is required for this test");
        assert_eq!(out.status.code(), Some(0), "{case}: {}", stderr(&out));
    }
}
