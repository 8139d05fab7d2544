//! Configuration files and the flags people expect: discovery and
//! precedence, excludes and .gitignore, rule selection per file, standard
//! input, quiet and verbose, forced colour.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

fn conflicts(out: &std::process::Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(out)));
    report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["override"]["qualname"]
                .as_str()
                .unwrap()
                .rsplit('.')
                .take(2)
                .collect::<Vec<_>>()
                .join("<")
        })
        .collect()
}

fn scan_json(root: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(root.to_str().unwrap());
    shadowfix(&args)
}

#[test]
fn pyproject_selects_rules_and_the_command_line_overrides_it() {
    let (_d, root) = copy_fixture("kilo");
    std::fs::write(
        root.join("pyproject.toml"),
        "[project]\nname = \"kilo\"\n\n[tool.shadowfix]\nignore = [\"shadowed-override\"]\n",
    )
    .unwrap();
    let out = scan_json(&root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(conflicts(&out).is_empty());
    // From a subdirectory too: the file is found walking up.
    let out = scan_json(&root.join("cinder/volume"), &[]);
    assert!(conflicts(&out).is_empty(), "{:?}", conflicts(&out));
    let out = scan_json(&root, &["--ignore", "broken-call"]);
    assert_eq!(conflicts(&out).len(), 3);
    let out = scan_json(&root, &["--isolated"]);
    assert_eq!(conflicts(&out).len(), 3);
}

#[test]
fn per_file_ignores_and_excludes() {
    let (_d, root) = copy_fixture("kilo");
    std::fs::write(
        root.join(".shadowfix.toml"),
        "[per-file-ignores]\n\"cinder/tests/*\" = [\"shadowed-override\"]\n",
    )
    .unwrap();
    let out = scan_json(&root, &[]);
    let found = conflicts(&out);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|c| !c.contains("FakeISCSIDriver")), "{found:?}");
    // Excluding the driver's file removes its conflicts (and the helper).
    let out = scan_json(&root, &["--exclude", "cinder/volume/drivers/emc/scaleio.py"]);
    assert!(
        conflicts(&out).iter().all(|c| !c.contains("ScaleIODriver")),
        "{:?}",
        conflicts(&out)
    );
    std::fs::write(root.join(".shadowfix.toml"), "extend-exclude = [\"cinder/tests/\"]\n").unwrap();
    let out = scan_json(&root, &[]);
    assert_eq!(conflicts(&out).len(), 2, "{:?}", conflicts(&out));
}

#[test]
fn gitignore_is_respected_in_a_work_tree_unless_turned_off() {
    let (_d, root) = copy_fixture("kilo");
    let git = |args: &[&str]| {
        assert!(
            Command::new("git")
                .args(args)
                .current_dir(&root)
                .output()
                .unwrap()
                .status
                .success()
        );
    };
    git(&["init", "-q"]);
    std::fs::write(root.join(".gitignore"), "cinder/tests/fake_driver.py\n").unwrap();
    let out = scan_json(&root, &[]);
    assert_eq!(conflicts(&out).len(), 2, "{:?}", conflicts(&out));
    let out = scan_json(&root, &["--no-respect-gitignore"]);
    assert_eq!(conflicts(&out).len(), 3);
}

#[test]
fn malformed_configuration_is_an_error_with_its_place() {
    let (_d, root) = copy_fixture("kilo");
    std::fs::write(
        root.join("shadowfix.toml"),
        "select = [\"shadowed-override\"]\nexclud = []\n",
    )
    .unwrap();
    let out = scan_json(&root, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("shadowfix.toml:2:1: unknown field `exclud`"), "{err}");
}

#[test]
fn standard_input_stands_for_the_named_file_in_its_package() {
    let (_d, root) = copy_fixture("kilo");
    let driver = root.join("cinder/volume/drivers/emc/scaleio.py");
    let fixed = std::fs::read_to_string(&driver)
        .unwrap()
        .replace("_attach_volume", "_sio_attach_volume")
        .replace("_detach_volume", "_sio_detach_volume");
    let mut child = Command::new(env!("CARGO_BIN_EXE_shadowfix"))
        .args(["scan", "--format", "json", "-", "--stdin-filename"])
        .arg(&driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), fixed.as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    // The file on disk still has the conflicts; the input does not.
    let found = conflicts(&out);
    assert!(found.iter().all(|c| !c.contains("ScaleIODriver")), "{found:?}");
    assert!(scan_json(&driver, &[]).status.code() == Some(1));
}

#[test]
fn quiet_hides_summaries_and_verbose_names_the_configuration() {
    let (_d, root) = copy_fixture("kilo");
    let out = shadowfix(&["diff", "-q", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("diff --git"));
    std::fs::write(root.join("shadowfix.toml"), "prefix = \"scale\"\n").unwrap();
    let out = shadowfix(&["diff", "--auto", "-v", root.to_str().unwrap()]);
    assert!(stderr(&out).contains("shadowfix: configuration: "), "{}", stderr(&out));
    // The configured --auto prefix is used.
    assert!(
        stdout(&out).contains("def _scale_attach_volume(self, volume, sdc_ip):"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn forced_colour_and_no_color() {
    let run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shadowfix"));
        cmd.args(["scan", fixture("kilo").to_str().unwrap()]);
        cmd.env_remove("NO_COLOR");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    assert!(!run(&[]).contains('\u{1b}'), "no colour when not on a terminal");
    assert!(run(&[("FORCE_COLOR", "1")]).contains('\u{1b}'));
    assert!(run(&[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
    assert!(!run(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));
}

#[test]
fn configured_recipes_and_line_length() {
    let (dir, root) = copy_fixture("kilo");
    let recipe = dir.path().join("fake.toml");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recipes/fake-iscsi-terminate.toml"),
        &recipe,
    )
    .unwrap();
    std::fs::write(
        root.join("shadowfix.toml"),
        format!("recipes = [\"{}\"]\nline-length = 120\n", recipe.display()),
    )
    .unwrap();
    let out = shadowfix(&["diff", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    // The configured recipe ran with the built-in one; with 120 columns no
    // line needed a warning.
    assert!(err.contains("fake-iscsi-terminate: "), "{err}");
    assert!(err.contains("scaleio-attach-detach: "), "{err}");
    assert!(!err.contains("warning:"), "{err}");
}
