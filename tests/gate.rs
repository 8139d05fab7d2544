//! Adopting shadowfix as a gate: `# shadowfix: ignore` comments, baselines
//! that survive moved lines, `--select`/`--ignore` and `--exit-zero`.

mod common;

use std::path::Path;

use common::*;

fn report(root: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(root.to_str().unwrap());
    let out = shadowfix(&args);
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or_default(),
    )
}

fn overrides(report: &serde_json::Value) -> Vec<String> {
    report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let q = c["override"]["qualname"].as_str().unwrap();
            q.rsplitn(3, '.')
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let p = root.join(path);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from} not in {path}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

const SCALEIO: &str = "cinder/volume/drivers/emc/scaleio.py";

#[test]
fn ignore_comment_on_the_def_line_suppresses_the_conflict() {
    let (_d, root) = copy_fixture("kilo");
    edit(
        &root,
        SCALEIO,
        "def _attach_volume(self, volume, sdc_ip):",
        "def _attach_volume(self, volume, sdc_ip):  # shadowfix: ignore",
    );
    let (code, r) = report(&root, &[]);
    assert_eq!(code, Some(1));
    assert!(
        !overrides(&r).contains(&"ScaleIODriver._attach_volume".to_string()),
        "{:?}",
        overrides(&r)
    );
    assert_eq!(r["suppressed"], 1);
}

#[test]
fn ignore_comment_for_another_rule_does_not_suppress() {
    let (_d, root) = copy_fixture("kilo");
    edit(
        &root,
        SCALEIO,
        "def _attach_volume(self, volume, sdc_ip):",
        "def _attach_volume(self, volume, sdc_ip):  # shadowfix: ignore[reverse-override]",
    );
    let (_, r) = report(&root, &[]);
    assert!(overrides(&r).contains(&"ScaleIODriver._attach_volume".to_string()));
    edit(&root, SCALEIO, "ignore[reverse-override]", "ignore[shadowed-override]");
    let (_, r) = report(&root, &[]);
    assert!(!overrides(&r).contains(&"ScaleIODriver._attach_volume".to_string()));
}

#[test]
fn ignore_comment_on_the_call_line_suppresses_that_call() {
    let (_d, root) = copy_fixture("kilo");
    // The fake driver's conflict has one breaking call, in BaseVD._detach_volume.
    let (_, r) = report(&root, &[]);
    let fake = r["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["override"]["qualname"]
                .as_str()
                .unwrap()
                .ends_with("FakeISCSIDriver.terminate_connection")
        })
        .unwrap()
        .clone();
    let call = &fake["calls"][0];
    assert_eq!(fake["calls"].as_array().unwrap().len(), 1);
    let path = root.join(call["path"].as_str().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let line = call["line"].as_u64().unwrap() as usize;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[line - 1].push_str("  # shadowfix: ignore");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (_, r) = report(&root, &[]);
    assert!(!overrides(&r).contains(&"FakeISCSIDriver.terminate_connection".to_string()));
    assert_eq!(overrides(&r).len(), 2);
}

#[test]
fn baseline_round_trip_survives_moved_lines_and_reports_only_new_findings() {
    let (dir, root) = copy_fixture("kilo");
    let baseline = dir.path().join("shadowfix-baseline.json");
    let out = shadowfix(&[
        "scan",
        "--write-baseline",
        baseline.to_str().unwrap(),
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote 3 findings to the baseline"),
        "{}",
        stderr(&out)
    );
    let (code, r) = report(&root, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(overrides(&r), Vec::<String>::new());
    assert_eq!(r["suppressed"], 3);
    // Lines move: the same findings are still known.
    edit(&root, SCALEIO, "class ScaleIODriver", "\n\n\nclass ScaleIODriver");
    let (code, _) = report(&root, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    // A new conflict is reported, and fails the gate.
    std::fs::write(
        root.join("cinder/volume/drivers/newdrv.py"),
        "from cinder.volume import driver\n\n\nclass NewDriver(driver.VolumeDriver):\n    def _attach_volume(self, volume):\n        return volume\n",
    )
    .unwrap();
    let (code, r) = report(&root, &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert_eq!(overrides(&r), ["NewDriver._attach_volume"]);
}

#[test]
fn a_file_that_is_no_baseline_is_refused() {
    let (dir, root) = copy_fixture("kilo");
    let bogus = dir.path().join("bogus.json");
    std::fs::write(&bogus, "{\"findings\": 3}").unwrap();
    let out = shadowfix(&["scan", "--baseline", bogus.to_str().unwrap(), root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a shadowfix baseline"), "{}", stderr(&out));
}

#[test]
fn select_ignore_and_exit_zero() {
    let root = fixture("kilo");
    let (code, r) = report(&root, &["--ignore", "shadowed-override"]);
    assert_eq!(code, Some(0));
    assert!(overrides(&r).is_empty());
    let (_, r) = report(&root, &["--select", "shadowed-override,broken-call"]);
    assert_eq!(overrides(&r).len(), 3);
    let (code, r) = report(&root, &["--exit-zero"]);
    assert_eq!(code, Some(0));
    assert_eq!(overrides(&r).len(), 3);
    let out = shadowfix(&["scan", "--select", "no-such-rule", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule `no-such-rule`"), "{}", stderr(&out));
}
