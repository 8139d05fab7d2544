//! End-to-end RPM packaging tests with a real `rpmbuild`: the Kilo fixture
//! tree is tarred into a throw-away `%_topdir`, built into a noarch RPM from
//! the spec template in tests/fixtures/rpm/, and the payload is read back to
//! check that the shipped ScaleIO driver no longer shadows BaseVD. They
//! cover both ways a packager can use shadowfix (the `%shadowfix_apply`
//! macro in %prep, or a `shadowfix diff --format-patch` file applied by
//! `%autosetup -p1`) and the failures the macros exist for. Without
//! `rpmbuild` they skip, except in CI, where skipping would hide a broken
//! packaging path.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{on_path, tool_or_skip};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_shadowfix");
const NAME_VERSION: &str = "openstack-cinder-fixture-2015.1.0";
const RECIPE: &str = "scaleio-attach-detach";
const SITE: &str = "usr/lib/python3/site-packages";
const DRIVER: &str = "cinder/volume/drivers/emc/scaleio.py";
const BASE: &str = "cinder/volume/driver.py";
/// `%shadowfix_check` on the code the fixture package is about: the fixture's
/// cinder/tests also holds a conflict no recipe covers (FakeISCSIDriver), and
/// the call it breaks is in cinder/volume/driver.py. Each SUBDIR is analysed
/// with the whole package and reports conflicts whose override or breaking
/// call lies under it, so the check names the driver directories.
const CHECK_SHIPPED: &str = "%shadowfix_check cinder/volume/drivers cinder/backup";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the RPM tests can run: they skip without rpmbuild, except in CI.
fn rpm_tools() -> bool {
    if !tool_or_skip("rpmbuild", "apt-get install -y rpm rpm2cpio cpio patch") {
        return false;
    }
    // rpmbuild without these is a half-installed toolchain, not a reason to skip.
    for (tool, package) in [
        ("rpm2cpio", "rpm2cpio"),
        ("cpio", "cpio"),
        ("patch", "patch"),
        ("tar", "tar"),
    ] {
        assert!(on_path(tool), "{tool} not found on PATH (apt-get install -y {package})");
    }
    true
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        // Bytecode left by running the fixture must not end up in the tarball.
        if name == "__pycache__" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A throw-away `%_topdir` with SOURCES/, and a scratch dir holding the
/// unpacked fixture copy the tarball is made from.
struct Build {
    tmp: TempDir,
}

impl Build {
    fn new() -> Build {
        let tmp = tempfile::Builder::new().prefix("shadowfix-rpm-").tempdir().unwrap();
        for d in ["topdir/SOURCES", "topdir/SPECS", "work", "payload"] {
            fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        let b = Build { tmp };
        copy_tree(&manifest_dir().join("tests/fixtures/kilo"), &b.tree());
        b
    }

    fn topdir(&self) -> PathBuf {
        self.tmp.path().join("topdir")
    }

    fn sources(&self) -> PathBuf {
        self.topdir().join("SOURCES")
    }

    /// The fixture copy, named the way the tarball's top directory must be
    /// for `%setup` (`%{name}-%{version}`).
    fn tree(&self) -> PathBuf {
        self.tmp.path().join("work").join(NAME_VERSION)
    }

    /// Tars the (possibly edited) fixture copy into SOURCES/Source0.
    fn tarball(&self) {
        let out = Command::new("tar")
            .arg("-czf")
            .arg(self.sources().join(format!("{NAME_VERSION}.tar.gz")))
            .arg("-C")
            .arg(self.tmp.path().join("work"))
            .arg(NAME_VERSION)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tar failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The macro file exactly as `shadowfix rpm-macros` prints it, with its
    /// default /usr/bin/shadowfix (which does not exist here: the builds
    /// only work because `--define __shadowfix` overrides it).
    fn macro_file(&self) -> PathBuf {
        let out = Command::new(BIN).arg("rpm-macros").output().unwrap();
        assert!(
            out.status.success(),
            "rpm-macros failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = self.tmp.path().join("macros.shadowfix");
        fs::write(&path, &out.stdout).unwrap();
        path
    }

    fn write_spec(&self, patches: &str, prep: &str) -> PathBuf {
        let template =
            fs::read_to_string(manifest_dir().join("tests/fixtures/rpm/openstack-cinder-fixture.spec.in")).unwrap();
        let spec = template.replace("@PATCHES@", patches).replace("@PREP@", prep);
        let path = self.topdir().join("SPECS/openstack-cinder-fixture.spec");
        fs::write(&path, spec).unwrap();
        path
    }

    /// `rpmbuild -bb` with the shadowfix macros loaded when `macros` is set.
    /// `--load FILE` adds one file on top of the default macro files (rpm
    /// 4.18 has it); `--macros` would replace the default list and lose rpm's
    /// own macros (%autosetup, %_builddir, ...). The `--define` comes after
    /// `--load` because rpm applies both in command-line order and the later
    /// definition wins.
    fn rpmbuild(&self, spec: &Path, macros: bool) -> Output {
        let mut cmd = Command::new("rpmbuild");
        cmd.arg("-bb").arg("--nodeps");
        if macros {
            cmd.arg("--load").arg(self.macro_file());
            cmd.arg("--define").arg(format!("__shadowfix {BIN}"));
        }
        cmd.arg("--define").arg(format!("_topdir {}", self.topdir().display()));
        cmd.arg(spec);
        // A developer's ~/.rpmmacros must not change what is being tested.
        cmd.env("HOME", self.tmp.path()).env("LC_ALL", "C");
        cmd.output().unwrap()
    }

    /// The one binary RPM the build produced.
    fn rpm(&self) -> PathBuf {
        let dir = self.topdir().join("RPMS/noarch");
        let rpms: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rpm"))
            .collect();
        assert_eq!(rpms.len(), 1, "expected one RPM in {}: {rpms:?}", dir.display());
        rpms.into_iter().next().unwrap()
    }

    /// `rpm2cpio X.rpm | cpio -idm` into payload/, returning the payload's
    /// site-packages directory.
    fn extract(&self) -> PathBuf {
        let dest = self.tmp.path().join("payload");
        let mut rpm2cpio = Command::new("rpm2cpio")
            .arg(self.rpm())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let cpio = Command::new("cpio")
            .args(["-idm", "--quiet"])
            .current_dir(&dest)
            .stdin(rpm2cpio.stdout.take().unwrap())
            .output()
            .unwrap();
        assert!(rpm2cpio.wait().unwrap().success(), "rpm2cpio failed");
        assert!(
            cpio.status.success(),
            "cpio failed: {}",
            String::from_utf8_lossy(&cpio.stderr)
        );
        dest.join(SITE)
    }
}

/// rpmbuild's stdout and stderr together: the %prep script's output goes to
/// stdout, rpm's own "error: Bad exit status" to stderr.
fn log(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_built(out: &Output) {
    assert!(out.status.success(), "rpmbuild failed:\n{}", log(out));
}

fn assert_failed(out: &Output) -> String {
    let log = log(out);
    assert!(!out.status.success(), "rpmbuild should have failed:\n{log}");
    log
}

/// The shipped driver has the renamed helpers; the base class is untouched.
fn assert_payload_fixed(site: &Path) {
    let driver = fs::read_to_string(site.join(DRIVER)).unwrap();
    assert!(
        driver.contains("def _sio_attach_volume"),
        "{DRIVER} in the payload:\n{driver}"
    );
    assert!(
        driver.contains("def _sio_detach_volume"),
        "{DRIVER} in the payload:\n{driver}"
    );
    assert!(
        !driver.contains("def _attach_volume"),
        "{DRIVER} still shadows _attach_volume:\n{driver}"
    );
    assert!(
        !driver.contains("def _detach_volume"),
        "{DRIVER} still shadows _detach_volume:\n{driver}"
    );
    let base = fs::read_to_string(site.join(BASE)).unwrap();
    assert!(
        base.contains("def _attach_volume("),
        "{BASE} lost BaseVD._attach_volume:\n{base}"
    );
    assert!(
        base.contains("def _detach_volume("),
        "{BASE} lost BaseVD._detach_volume:\n{base}"
    );
}

/// Route 1: the fix happens in %prep, from the macro file; `%shadowfix_check`
/// then proves the shipped driver code has no conflict left. It is scoped to
/// cinder/volume/drivers and cinder/backup because the fixture's cinder/tests has a
/// second, unrelated conflict (FakeISCSIDriver) that no recipe fixes; see
/// `check_without_arguments_still_sees_conflicts_no_recipe_covers`.
#[test]
fn prep_hook_fixes_the_payload() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    b.tarball();
    let spec = b.write_spec("", &format!("%setup -q\n%shadowfix_apply {RECIPE}\n{CHECK_SHIPPED}"));
    let out = b.rpmbuild(&spec, true);
    assert_built(&out);
    let log = log(&out);
    assert!(log.contains("0 conflicts"), "{log}");
    // The summary line names the class by its dotted path; match its tail.
    assert!(log.contains(&format!("shadowfix: {RECIPE}: ")), "{log}");
    assert!(
        log.contains("ScaleIODriver._attach_volume -> _sio_attach_volume: applied"),
        "{log}"
    );
    assert!(
        log.contains("ScaleIODriver._detach_volume -> _sio_detach_volume: applied"),
        "{log}"
    );
    assert_payload_fixed(&b.extract());
}

/// Without arguments `%shadowfix_apply` runs every built-in recipe.
#[test]
fn prep_hook_without_arguments_runs_the_built_in_recipes() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    b.tarball();
    let spec = b.write_spec("", &format!("%setup -q\n%shadowfix_apply\n{CHECK_SHIPPED}"));
    assert_built(&b.rpmbuild(&spec, true));
    assert_payload_fixed(&b.extract());
}

/// Upstream already carries the rename (or a patch did it first): the
/// recipe is already applied, which must not fail the build.
#[test]
fn prep_hook_passes_on_an_already_fixed_tree() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    let out = Command::new(BIN)
        .arg("apply")
        .arg(b.tree())
        .args(["--patch", RECIPE])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pre-fixing the tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    b.tarball();
    let spec = b.write_spec("", &format!("%setup -q\n%shadowfix_apply {RECIPE}\n{CHECK_SHIPPED}"));
    let out = b.rpmbuild(&spec, true);
    assert_built(&out);
    assert!(log(&out).contains("already applied"), "{}", log(&out));
    assert_payload_fixed(&b.extract());
}

/// Route 2: the fix travels as a `git format-patch` file in SOURCES, listed
/// as Patch0001 and applied by `%autosetup -p1`; the build host needs no
/// shadowfix and no macro file.
#[test]
fn format_patch_file_fixes_the_payload() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    b.tarball();
    let out = Command::new(BIN)
        .arg("diff")
        .arg(b.tree())
        .arg("--format-patch")
        .arg(b.sources())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "shadowfix diff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let patch = printed.file_name().unwrap().to_str().unwrap().to_string();
    assert!(patch.starts_with("0001-") && patch.ends_with(".patch"), "{patch}");
    assert!(b.sources().join(&patch).is_file(), "{patch} not in SOURCES");
    let spec = b.write_spec(&format!("Patch0001:      {patch}"), "%autosetup -p1");
    assert_built(&b.rpmbuild(&spec, false));
    assert_payload_fixed(&b.extract());
}

/// Route 3: the recipe's class was renamed upstream, so the recipe no longer
/// matches, yet the same conflict is still in the tree. Shipping that would
/// ship the crash, so `%shadowfix_apply` must stop the build and say which
/// recipe went stale.
#[test]
fn prep_hook_fails_when_the_recipe_no_longer_applies_but_the_conflict_remains() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    let driver = b.tree().join(DRIVER);
    let text = fs::read_to_string(&driver).unwrap();
    assert!(text.contains("class ScaleIODriver("));
    fs::write(&driver, text.replace("ScaleIODriver", "ScaleIOVolumeDriver")).unwrap();
    // The premise: the conflict is still there under the new class name.
    let scan = Command::new(BIN).arg("scan").arg(b.tree()).output().unwrap();
    assert_eq!(
        scan.status.code(),
        Some(1),
        "scan: {}",
        String::from_utf8_lossy(&scan.stdout)
    );
    assert!(String::from_utf8_lossy(&scan.stdout).contains("ScaleIOVolumeDriver"));
    b.tarball();
    let spec = b.write_spec("", &format!("%setup -q\n%shadowfix_apply {RECIPE}\n%shadowfix_check"));
    let log = assert_failed(&b.rpmbuild(&spec, true));
    assert!(log.contains(RECIPE), "the failure does not name the recipe:\n{log}");
    assert!(log.contains("%shadowfix_apply failed"), "{log}");
    assert!(!b.topdir().join("RPMS/noarch").exists(), "an RPM was written");
}

/// `%shadowfix_check` alone on the unfixed tree fails the build.
#[test]
fn check_fails_the_build_on_the_unfixed_tree() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    b.tarball();
    let spec = b.write_spec("", "%setup -q\n%shadowfix_check");
    let log = assert_failed(&b.rpmbuild(&spec, true));
    assert!(
        log.contains("ScaleIODriver"),
        "the scan report is not in the build log:\n{log}"
    );
    assert!(log.contains("%shadowfix_check: shadowfix scan failed (exit 1"), "{log}");
    assert!(!b.topdir().join("RPMS/noarch").exists(), "an RPM was written");
}

/// Bare `%shadowfix_check` scans the whole unpacked tree, so after the
/// ScaleIO recipe it still fails on the fixture's other conflict, which the
/// recipe does not cover; that is what the SUBDIR arguments are for.
#[test]
fn check_without_arguments_still_sees_conflicts_no_recipe_covers() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    b.tarball();
    let spec = b.write_spec("", &format!("%setup -q\n%shadowfix_apply {RECIPE}\n%shadowfix_check"));
    let log = assert_failed(&b.rpmbuild(&spec, true));
    assert!(
        log.contains(&format!("{RECIPE}: ")) && log.contains(": applied"),
        "{log}"
    );
    assert!(log.contains("FakeISCSIDriver.terminate_connection"), "{log}");
    assert!(!log.contains("`ScaleIODriver._attach_volume` shadows"), "{log}");
    assert!(log.contains("%shadowfix_check: shadowfix scan failed (exit 1"), "{log}");
}

/// Before %setup the %prep script is still in the build directory itself,
/// which holds every package's sources: the macros stop the build instead of
/// rewriting or scanning all of it.
#[test]
fn macros_refuse_to_run_before_setup() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    b.tarball();
    for name in ["apply", "check"] {
        let spec = b.write_spec("", &format!("%shadowfix_{name}\n%setup -q"));
        let log = assert_failed(&b.rpmbuild(&spec, true));
        assert!(
            log.contains(&format!(
                "%shadowfix_{name} must come after %setup or %autosetup in %prep"
            )),
            "{log}"
        );
        assert!(!log.contains("shadowfix: "), "shadowfix ran:\n{log}");
    }
}

/// `%__shadowfix`: the file's default, `--binary` baked in, and a
/// command-line `--define` winning when it comes after `--load`.
#[test]
fn shadowfix_binary_macro_defaults_and_overrides() {
    if !rpm_tools() {
        return;
    }
    let b = Build::new();
    let default = b.macro_file();
    let baked = b.tmp.path().join("macros.baked");
    let out = Command::new(BIN)
        .args(["rpm-macros", "--binary", "/opt/sf/bin/shadowfix"])
        .output()
        .unwrap();
    assert!(out.status.success());
    fs::write(&baked, &out.stdout).unwrap();
    let eval = |args: &[&str]| {
        let out = Command::new("rpm")
            .args(args)
            .args(["--eval", "%{__shadowfix}"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let default = default.to_str().unwrap();
    let baked = baked.to_str().unwrap();
    assert_eq!(eval(&["--load", default]), "/usr/bin/shadowfix");
    assert_eq!(eval(&["--load", baked]), "/opt/sf/bin/shadowfix");
    assert_eq!(
        eval(&["--load", default, "--define", "__shadowfix /x/shadowfix"]),
        "/x/shadowfix"
    );
}
