//! `shadowfix diff` and `shadowfix apply` on the fixture and on small trees
//! built for one rename rule or refusal each. Emitted diffs are applied with
//! the real `git apply` and `patch -p1`; the fixed fixture is run with
//! python3.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const FAKE_RECIPE: &str = "tests/fixtures/recipes/fake-iscsi-terminate.toml";

fn fake_recipe() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FAKE_RECIPE)
        .to_string_lossy()
        .into_owned()
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Every file of a tree, relative path -> bytes.
fn snapshot_tree(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let name = e.file_name();
            if name == "__pycache__" || name == ".git" {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = Default::default();
    walk(root, root, &mut out);
    out
}

#[test]
fn diff_snapshot_on_fixture() {
    let out = shadowfix(&["diff", fixture("kilo").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("diff_kilo", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("ScaleIODriver._attach_volume -> _sio_attach_volume: would apply"),
        "{err}"
    );
    assert!(err.contains("2 files would change, 2 renames"), "{err}");
}

#[test]
fn diff_exit_code_flag() {
    let out = shadowfix(&["diff", "--exit-code", fixture("kilo").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn diff_applies_with_git_apply_and_patch_and_matches_apply() {
    let out = shadowfix(&["diff", fixture("kilo").to_str().unwrap()]);
    let patch = out.stdout;

    let (_a, applied) = copy_fixture("kilo");
    assert_eq!(shadowfix(&["apply", applied.to_str().unwrap()]).status.code(), Some(0));
    let expected = snapshot_tree(&applied);

    let (_g, with_git) = copy_fixture("kilo");
    assert!(run_in(&with_git, "git", &["init", "-q"]).status.success());
    std::fs::write(with_git.join("fix.patch"), &patch).unwrap();
    let git = run_in(&with_git, "git", &["apply", "fix.patch"]);
    assert!(git.status.success(), "git apply: {}", stderr(&git));
    std::fs::remove_file(with_git.join("fix.patch")).unwrap();
    assert_eq!(snapshot_tree(&with_git), expected);

    let (_p, with_patch) = copy_fixture("kilo");
    std::fs::write(with_patch.join("fix.patch"), &patch).unwrap();
    let p = run_in(&with_patch, "patch", &["-p1", "--quiet", "-i", "fix.patch"]);
    assert!(p.status.success(), "patch -p1: {}{}", stdout(&p), stderr(&p));
    std::fs::remove_file(with_patch.join("fix.patch")).unwrap();
    assert_eq!(snapshot_tree(&with_patch), expected);
}

/// The whole story on the fixture: the TypeError before, apply, no
/// conflict and no TypeError after, the tree's own tests still pass, and a
/// second apply changes nothing.
#[test]
fn apply_fixes_the_fixture_and_is_idempotent() {
    let (_d, root) = copy_fixture("kilo");
    let r = root.to_str().unwrap();
    let before = python("python3", &root, &["run_backup.py", "scaleio"]).expect("python3");
    assert_eq!(
        type_error_line(&before).as_deref(),
        Some("ScaleIODriver._attach_volume() takes 3 positional arguments but 4 were given")
    );

    let out = shadowfix(&[
        "apply",
        r,
        "--patch",
        "scaleio-attach-detach",
        "--patch",
        &fake_recipe(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        [
            "cinder/tests/fake_driver.py",
            "cinder/tests/test_scaleio.py",
            "cinder/volume/drivers/emc/scaleio.py"
        ]
    );

    let scan = shadowfix(&["scan", r]);
    assert_eq!(scan.status.code(), Some(0), "{}", stdout(&scan));
    for driver in ["scaleio", "fake"] {
        let after = python("python3", &root, &["run_backup.py", driver]).unwrap();
        assert_eq!(after.status.code(), Some(0), "{driver}: {}", stderr(&after));
        assert_eq!(stdout(&after).trim(), "backup ok");
    }
    let unit = python(
        "python3",
        &root,
        &["-m", "unittest", "discover", "-s", "cinder/tests", "-t", "."],
    )
    .unwrap();
    assert!(
        unit.status.success(),
        "the fixture's own tests fail after the fix: {}",
        stderr(&unit)
    );
    // Base class untouched.
    assert_eq!(
        std::fs::read(root.join("cinder/volume/driver.py")).unwrap(),
        std::fs::read(fixture("kilo").join("cinder/volume/driver.py")).unwrap()
    );

    let tree = snapshot_tree(&root);
    let again = shadowfix(&[
        "apply",
        r,
        "--patch",
        "scaleio-attach-detach",
        "--patch",
        &fake_recipe(),
    ]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stderr(&again).contains("already applied"), "{}", stderr(&again));
    assert!(stdout(&again).is_empty());
    assert_eq!(snapshot_tree(&root), tree);
}

#[test]
fn apply_check_writes_nothing_and_gates() {
    let (_d, root) = copy_fixture("kilo");
    let r = root.to_str().unwrap();
    let tree = snapshot_tree(&root);
    let out = shadowfix(&["apply", "--check", r]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(snapshot_tree(&root), tree);
    assert_eq!(shadowfix(&["apply", r]).status.code(), Some(0));
    assert_eq!(shadowfix(&["apply", "--check", r]).status.code(), Some(0));
}

#[test]
fn apply_backup_keeps_originals() {
    let (_d, root) = copy_fixture("kilo");
    let out = shadowfix(&["apply", root.to_str().unwrap(), "--backup", ".orig"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let orig = root.join("cinder/volume/drivers/emc/scaleio.py.orig");
    assert_eq!(
        std::fs::read(orig).unwrap(),
        std::fs::read(fixture("kilo").join("cinder/volume/drivers/emc/scaleio.py")).unwrap()
    );
}

#[test]
fn auto_derives_the_upstream_names() {
    let builtin = shadowfix(&["diff", fixture("kilo").to_str().unwrap()]);
    let auto = shadowfix(&["diff", "--auto", fixture("kilo").to_str().unwrap()]);
    assert_eq!(auto.status.code(), Some(0), "{}", stderr(&auto));
    // The helpers get the names upstream chose, exactly as the built-in
    // recipe renames them; terminate_connection is an interface method
    // whose base gained `**kwargs`: it is widened, not renamed.
    let auto_diff = stdout(&auto);
    let builtin_diff = stdout(&builtin);
    for file_diff in builtin_diff.split("diff --git ").filter(|d| !d.is_empty()) {
        assert!(auto_diff.contains(file_diff), "{file_diff}\nnot in\n{auto_diff}");
    }
    assert!(
        auto_diff.contains("+    def terminate_connection(self, volume, connector, **kwargs):"),
        "{auto_diff}"
    );
    assert!(
        stderr(&auto).contains("FakeISCSIDriver.terminate_connection widen -> terminate_connection(self, volume, connector, **kwargs): would apply"),
        "{}",
        stderr(&auto)
    );
    let custom = shadowfix(&[
        "diff",
        "--auto",
        "--prefix",
        "scaleio",
        fixture("kilo").to_str().unwrap(),
    ]);
    assert!(stdout(&custom).contains("def _scaleio_attach_volume(self, volume, sdc_ip):"));
}

// ---- Small trees, one rule each -------------------------------------------

const BASE: &str = "\
class Base(object):
    def _attach(self, context, volume, props, remote=False):
        return volume

    def backup(self, context, volume):
        info = self._attach(context, volume, {})
        return info
";

/// Writes `files` under a temp dir as a package `pkg`.
fn tree(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/__init__.py"), "").unwrap();
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, root)
}

fn write_recipe(dir: &Path, class: &str, method: &str, to: &str) -> String {
    let path = dir.join("recipe.toml");
    std::fs::write(
        &path,
        format!(
            "id = \"t\"\ntitle = \"test\"\ndescription = \"test recipe\"\n[[rename]]\nclass = \"{class}\"\nmethod = \"{method}\"\nto = \"{to}\"\n"
        ),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

fn apply_rule(root: &Path, class: &str, method: &str, to: &str) -> std::process::Output {
    let recipe = write_recipe(root.parent().unwrap(), class, method, to);
    shadowfix(&["apply", root.to_str().unwrap(), "--patch", &recipe])
}

fn read(root: &Path, p: &str) -> String {
    String::from_utf8(std::fs::read(root.join(p)).unwrap()).unwrap()
}

#[test]
fn renames_def_self_and_cls_refs_callbacks_and_aliases() {
    let sub = "\
from pkg.base import Base


class Sub(Base):
    @staticmethod
    def unrelated():
        pass

    @some.decorator(1)
    def _attach(self, volume, ip):
        return ip

    def run(self, volume):
        callback = self._attach
        self.schedule(self._attach, volume)
        return self._attach(volume, '1.2.3.4')

    attach_alias = _attach

    @classmethod
    def probe(cls):
        return cls._attach
";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&root, "pkg/sub.py"), sub.replace("_attach", "_sub_attach"));
    assert_eq!(read(&root, "pkg/base.py"), BASE, "the base class and its calls stay");
}

#[test]
fn renames_super_calls_overrides_and_dotted_references_in_other_files() {
    let sub = "\
from pkg.base import Base


class Sub(Base):
    def _attach(self, volume, ip):
        return ip


class Leaf(Sub):
    def _attach(self, volume, ip):
        return super(Leaf, self)._attach(volume, ip)

    def other(self):
        return super()._attach(None, 'x')
";
    let user = "\
import pkg.sub
from pkg import sub as submod
from pkg.sub import Sub


def helper(obj):
    Sub._attach(obj, None, 'ip')
    submod.Leaf._attach(obj, None, 'ip')
    return pkg.sub.Sub._attach
";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub), ("pkg/user.py", user)]);
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&root, "pkg/sub.py"), sub.replace("_attach", "_sub_attach"));
    assert_eq!(read(&root, "pkg/user.py"), user.replace("_attach", "_sub_attach"));
    assert!(stderr(&out).contains("2 renames"), "{}", stderr(&out));
}

#[test]
fn renames_string_references_in_tests() {
    let sub = "from pkg.base import Base\n\n\nclass Sub(Base):\n    def _attach(self, volume, ip):\n        return ip\n\n    def dyn(self):\n        return getattr(self, '_attach')\n";
    let test = "\
import mock

from pkg import sub


@mock.patch.object(sub.Sub, '_attach')
def test_one(m):
    with mock.patch('pkg.sub.Sub._attach') as p:
        pass
    mock.patch.object(sub.Sub, '_other')
";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub), ("pkg/test_sub.py", test)]);
    let out = apply_rule(&root, "pkg.sub.Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(&root, "pkg/sub.py"), sub.replace("_attach", "_sub_attach"));
    assert_eq!(read(&root, "pkg/test_sub.py"), test.replace("_attach", "_sub_attach"));
}

#[test]
fn leaves_unrelated_classes_and_calls_meant_for_the_base() {
    let sub = "\
from pkg.base import Base


class Sub(Base):
    def _attach(self, volume, ip):
        return ip

    def meant_for_base(self, context, volume):
        return self._attach(context, volume, {}, remote=True)


class Unrelated(object):
    def _attach(self, volume, connector, extra):
        return self._attach(volume, connector, extra)
";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = sub.replacen("def _attach(self, volume, ip)", "def _sub_attach(self, volume, ip)", 1);
    assert_eq!(read(&root, "pkg/sub.py"), expected);
    let err = stderr(&out);
    assert!(err.contains("1 call site left for the base"), "{err}");
    assert!(err.contains("pkg/sub.py:9"), "{err}");
}

#[test]
fn compatible_override_is_not_applicable_and_strict_only_fails_if_conflict_remains() {
    let good = "from pkg.base import Base\n\n\nclass Good(Base):\n    def _attach(self, context, volume, props, remote=False):\n        return super(Good, self)._attach(context, volume, props, remote=remote)\n";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/good.py", good)]);
    let out = apply_rule(&root, "Good", "_attach", "_good_attach");
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("not applicable"), "{}", stderr(&out));
    assert_eq!(read(&root, "pkg/good.py"), good);

    // The recipe's class is gone but a conflict on the method remains.
    let renamed =
        "from pkg.base import Base\n\n\nclass Renamed(Base):\n    def _attach(self, volume, ip):\n        return ip\n";
    let (_e, root2) = tree(&[("pkg/base.py", BASE), ("pkg/renamed.py", renamed)]);
    let recipe = write_recipe(root2.parent().unwrap(), "Sub", "_attach", "_sub_attach");
    let strict = shadowfix(&["apply", root2.to_str().unwrap(), "--strict", "--patch", &recipe]);
    assert_eq!(strict.status.code(), Some(2));
    let err = stderr(&strict);
    assert!(
        err.contains("recipe t") && err.contains("Renamed._attach still shadows"),
        "{err}"
    );
}

#[test]
fn refuses_when_the_new_name_exists_in_the_hierarchy() {
    let sub =
        "from pkg.base import Base\n\n\nclass Sub(Base):\n    def _attach(self, volume, ip):\n        return ip\n";
    let base = BASE.replace(
        "    def backup",
        "    def _sub_attach(self):\n        pass\n\n    def backup",
    );
    let (_d, root) = tree(&[("pkg/base.py", &base), ("pkg/sub.py", sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already exists in pkg.base.Base"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&root, "pkg/sub.py"), sub);
}

#[test]
fn refuses_an_override_with_the_base_side_signature() {
    let sub = "\
from pkg.base import Base


class Sub(Base):
    def _attach(self, volume, ip):
        return ip


class Leaf(Sub):
    def _attach(self, context, volume, props, remote=False):
        return volume
";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("base-side signature"), "{}", stderr(&out));
    assert_eq!(read(&root, "pkg/sub.py"), sub);
}

#[test]
fn refuses_keywords_and_malformed_recipes_with_a_location() {
    let (_d, root) = tree(&[("pkg/base.py", BASE)]);
    let out = apply_rule(&root, "Sub", "_attach", "class");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("recipe.toml:7:"), "{err}");
    assert!(err.contains("keyword"), "{err}");
}

#[test]
fn refuses_an_edit_inside_an_unparsed_region() {
    let sub = "from pkg.base import Base\n\n\nclass Sub(Base):\n    def _attach(self, volume, ip):\n        return ip\n\n    def broken(self):\n        x = (self._attach(1, 2)\n";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not read"), "{}", stderr(&out));
    assert_eq!(read(&root, "pkg/sub.py"), sub);
}

/// CRLF line ends, a latin-1 file with a coding cookie and no final
/// newline: only the identifiers change, every other byte stays.
#[test]
fn preserves_bytes_crlf_latin1_and_missing_final_newline() {
    let crlf = "from pkg.base import Base\r\n\r\n\r\nclass Sub(Base):\r\n    def _attach(self, volume, ip):  \r\n\treturn ip\r\n";
    let mut latin1: Vec<u8> = b"# -*- coding: latin-1 -*-\nfrom pkg.sub import Sub\n\n\nclass Leaf(Sub):\n    # caf\xe9\n    def run(self):\n        return self._attach(None, '\xe9')".to_vec();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/__init__.py"), "").unwrap();
    std::fs::write(root.join("pkg/base.py"), BASE).unwrap();
    std::fs::write(root.join("pkg/sub.py"), crlf).unwrap();
    std::fs::write(root.join("pkg/leaf.py"), &latin1).unwrap();
    let out = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(root.join("pkg/sub.py")).unwrap(),
        crlf.replace("_attach", "_sub_attach").into_bytes()
    );
    let at = latin1.windows(7).position(|w| w == b"_attach").unwrap();
    latin1.splice(at..at + 7, b"_sub_attach".iter().copied());
    assert_eq!(std::fs::read(root.join("pkg/leaf.py")).unwrap(), latin1);
    // And a second run changes nothing.
    let again = apply_rule(&root, "Sub", "_attach", "_sub_attach");
    assert!(stderr(&again).contains("already applied"), "{}", stderr(&again));
}

#[test]
fn recipes_lists_builtins_and_checks_files() {
    let out = shadowfix(&["recipes"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("scaleio-attach-detach\t"), "{text}");
    assert!(
        text.contains("rename ScaleIODriver._attach_volume -> _sio_attach_volume"),
        "{text}"
    );
    assert!(
        text.contains("rename ScaleIODriver._detach_volume -> _sio_detach_volume"),
        "{text}"
    );

    let ok = shadowfix(&["recipes", &fake_recipe()]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).starts_with("fake-iscsi-terminate\t"));

    let dir = tempfile::tempdir().unwrap();
    let bad = write_recipe(dir.path(), "Sub", "_attach", "not-an-identifier");
    let out = shadowfix(&["recipes", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("recipe.toml:7:"), "{}", stderr(&out));
}

// ---- A new name that is already an attribute ----------------------------

/// `Sub._attach` (a helper in conflict with `Base._attach`) plus `extra`
/// in its class body; renaming it to `_state` must be refused, naming where
/// `_state` is set, with nothing written.
fn refused_as(extra: &str, what: &str) {
    let sub = format!(
        "from pkg.base import Base\n\n\nclass Sub(Base):\n{extra}\n    def _attach(self, volume, ip):\n        return ip\n"
    );
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", &sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_state");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("`_state` is already {what} of pkg.sub.Sub (pkg/sub.py:")),
        "{err}"
    );
    assert_eq!(read(&root, "pkg/sub.py"), sub, "nothing written");
}

#[test]
fn rename_to_a_class_attribute_is_refused() {
    refused_as("    _state = 'idle'\n", "a class attribute");
    refused_as("    _state: int = 0\n", "a class attribute");
    refused_as("    _other, _state = 1, 2\n", "a class attribute");
}

#[test]
fn rename_to_an_instance_attribute_is_refused() {
    refused_as(
        "    def __init__(self):\n        self._state = {}\n",
        "an instance attribute",
    );
}

#[test]
fn rename_to_a_nested_class_is_refused() {
    refused_as("    class _state(object):\n        pass\n", "a nested class");
}

#[test]
fn rename_to_a_property_is_refused() {
    let sub = "from pkg.base import Base\n\n\nclass Sub(Base):\n    @property\n    def _state(self):\n        return 1\n\n    def _attach(self, volume, ip):\n        return ip\n";
    let (_d, root) = tree(&[("pkg/base.py", BASE), ("pkg/sub.py", sub)]);
    let out = apply_rule(&root, "Sub", "_attach", "_state");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`_state` already exists in pkg.sub.Sub"),
        "{}",
        stderr(&out)
    );
}

// ---- A rename that stopped half-way ---------------------------------------

#[test]
fn a_half_applied_rename_is_completed_not_called_already_applied() {
    // The helper's definition and its own class's calls carry the new name,
    // but the test file still calls the old one: that call now reaches
    // BaseVD._attach_volume and raises. "already applied" would be a lie.
    let (_d, root) = copy_fixture("kilo");
    let driver = root.join("cinder/volume/drivers/emc/scaleio.py");
    let text = std::fs::read_to_string(&driver).unwrap();
    std::fs::write(&driver, text.replace("_attach_volume", "_sio_attach_volume")).unwrap();
    let scan = shadowfix(&["scan", "--format", "json", root.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert!(
        report["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rule"] == "broken-call"),
        "scan sees the caller the rename missed"
    );

    let out = shadowfix(&["apply", root.to_str().unwrap(), "--patch", "scaleio-attach-detach"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("ScaleIODriver._attach_volume -> _sio_attach_volume: applied"),
        "{err}"
    );
    let test = read(&root, "cinder/tests/test_scaleio.py");
    assert!(test.contains("drv._sio_attach_volume(vol, '10.0.0.1')"), "{test}");
    // Now it is done.
    let again = shadowfix(&["apply", root.to_str().unwrap(), "--patch", "scaleio-attach-detach"]);
    assert!(stderr(&again).contains("already applied"), "{}", stderr(&again));
    let tests = python("python3", &root, &["-m", "unittest", "cinder.tests.test_scaleio"]).unwrap();
    assert!(tests.status.success(), "{}", stderr(&tests));
}
