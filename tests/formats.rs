//! The CI output formats, each read by its real consumer where one exists:
//! SARIF checked against the official 2.1.0 schema and the JSON report
//! against `shadowfix schema` (python's jsonschema), JUnit XML parsed by
//! junitparser, GitHub workflow commands and GitLab Code Quality checked
//! field by field, JSON Lines parsed line by line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Whether a Python module is importable; under CI its absence fails the
/// test (`.ci/run` installs it), elsewhere the test is skipped.
fn python_has(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 module {module} is required under CI (pip install {module})"
        );
        eprintln!("skipped: python3 module {module} not found (pip install {module})");
    }
    ok
}

/// The official SARIF 2.1.0 JSON Schema, as the serde-sarif crate ships it
/// on crates.io: `.ci/run` fetches that crate into cargo's registry (or
/// SHADOWFIX_SARIF_SCHEMA names the file).
fn sarif_schema() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SHADOWFIX_SARIF_SCHEMA") {
        return Some(PathBuf::from(path));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let registries = std::fs::read_dir(home.join("registry/src")).ok()?;
    for registry in registries.flatten() {
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for krate in crates.flatten() {
            let schema = krate.path().join("src/schema.json");
            if krate.file_name().to_string_lossy().starts_with("serde-sarif-") && schema.is_file() {
                return Some(schema);
            }
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the SARIF 2.1.0 schema is required under CI (.ci/run fetches the serde-sarif crate)"
    );
    eprintln!("skipped: SARIF schema not found (fetch the serde-sarif crate or set SHADOWFIX_SARIF_SCHEMA)");
    None
}

/// Validates `instance` against `schema` with python's jsonschema.
fn validate(schema: &Path, instance: &Path) {
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  instance = json.load(open(sys.argv[2]))\n\
                  cls = jsonschema.validators.validator_for(schema)\n\
                  errors = sorted(cls(schema).iter_errors(instance), key=str)\n\
                  for e in errors[:5]: print(list(e.path), e.message)\n\
                  sys.exit(1 if errors else 0)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(schema)
        .arg(instance)
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

fn scan(args: &[&str]) -> String {
    let out = shadowfix(args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn sarif_validates_against_the_official_schema_with_repository_relative_uris() {
    let Some(schema) = sarif_schema() else { return };
    if !python_has("jsonschema") {
        return;
    }
    // The fixture inside a git repository, scanned through a subdirectory.
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    copy_tree(&fixture("kilo"), &repo.join("vendor/kilo"));
    assert!(
        Command::new("git")
            .args(["init", "-q"])
            .current_dir(&repo)
            .status()
            .unwrap()
            .success()
    );
    let text = scan(&["scan", "--format", "sarif", repo.join("vendor/kilo").to_str().unwrap()]);
    let sarif_path = dir.path().join("out.sarif");
    std::fs::write(&sarif_path, &text).unwrap();
    validate(&schema, &sarif_path);

    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    assert!(
        artifact["uri"].as_str().unwrap().starts_with("vendor/kilo/cinder/"),
        "{artifact}"
    );
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    assert!(base.starts_with("file:///") && base.ends_with("/repo/"), "{base}");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(region["endColumn"].as_u64().unwrap() > region["startColumn"].as_u64().unwrap());
    assert!(
        result["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap()
            .ends_with(":1")
    );
    let rule = &run["tool"]["driver"]["rules"][0];
    assert!(rule["help"]["markdown"].as_str().unwrap().contains("**"));
    assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    assert_eq!(rule["properties"]["precision"], "high");
    assert_eq!(rule["properties"]["problem.severity"], "error");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_lists_parse_errors_as_tool_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("t");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("broken.py"), "class A:\n    def f(self:\n        pass\n").unwrap();
    let out = shadowfix(&["scan", "--format", "sarif", root.to_str().unwrap()]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.py"
    );
}

#[test]
fn json_report_validates_against_its_published_schema() {
    if !python_has("jsonschema") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let schema = shadowfix(&["schema"]);
    assert_eq!(schema.status.code(), Some(0));
    let schema_path = dir.path().join("schema.json");
    std::fs::write(&schema_path, &schema.stdout).unwrap();
    for args in [
        vec!["scan", "--format", "json"],
        vec!["scan", "--format", "json", "--all"],
    ] {
        let mut args = args.clone();
        let path = fixture("kilo");
        args.push(path.to_str().unwrap());
        let report = scan(&args);
        let report_path = dir.path().join("report.json");
        std::fs::write(&report_path, &report).unwrap();
        validate(&schema_path, &report_path);
        let value: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(value["version"], env!("CARGO_PKG_VERSION"));
        let id = serde_json::from_slice::<serde_json::Value>(&schema.stdout).unwrap()["$id"].clone();
        assert_eq!(value["$schema"], id);
    }
}

#[test]
fn github_workflow_commands_annotate_each_conflict() {
    let text = scan(&["scan", "--format", "github", fixture("kilo").to_str().unwrap()]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let scaleio = lines
        .iter()
        .find(|l| l.contains("ScaleIODriver._attach_volume"))
        .unwrap();
    assert!(
        scaleio.starts_with(
            "::error file=cinder/volume/drivers/emc/scaleio.py,line=111,col=9,endLine=111,endColumn=23,title=ScaleIODriver._attach_volume shadows BaseVD._attach_volume"
        ),
        "{scaleio}"
    );
    // The message follows the properties and holds no raw newline.
    let (_, message) = scaleio.split_once("::").unwrap().1.split_once("::").unwrap();
    assert!(message.contains("raises TypeError: "), "{message}");
}

#[test]
fn gitlab_code_quality_report() {
    let text = scan(&["scan", "--format", "gitlab", fixture("kilo").to_str().unwrap()]);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(issues.len(), 3);
    let mut fingerprints: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), 3, "fingerprints are unique");
    for i in &issues {
        assert!(i["description"].as_str().unwrap().contains("TypeError"));
        assert_eq!(i["check_name"], "shadowed-override");
        assert_eq!(i["severity"], "major");
        assert!(i["location"]["path"].as_str().unwrap().ends_with(".py"));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() > 0);
    }
}

#[test]
fn junit_xml_reads_in_junitparser() {
    if !python_has("junitparser") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let xml = scan(&["scan", "--format", "junit", fixture("kilo").to_str().unwrap()]);
    let path = dir.path().join("report.xml");
    std::fs::write(&path, xml).unwrap();
    let script = "import sys\n\
                  from junitparser import JUnitXml, Failure\n\
                  xml = JUnitXml.fromfile(sys.argv[1])\n\
                  for suite in xml:\n\
                  \x20   for case in suite:\n\
                  \x20       kinds = [type(r).__name__ for r in case.result]\n\
                  \x20       print(suite.name, case.classname, kinds)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert_eq!(printed.lines().count(), 3, "{printed}");
    assert!(
        printed.contains("shadowfix scan cinder.volume.drivers.emc.scaleio.ScaleIODriver._attach_volume ['Failure']"),
        "{printed}"
    );
}

#[test]
fn json_lines_has_one_conflict_per_line() {
    let text = scan(&["scan", "--format", "json-lines", fixture("kilo").to_str().unwrap()]);
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines
            .iter()
            .all(|c| c["rule"] == "shadowed-override" && c["fingerprint"].is_string())
    );
}
