//! Unit tests of the replace: each phase's failure, the journal a crash
//! leaves and what the next run makes of it. A crash is a panic in the
//! hook before a rename: like a kill, it leaves every file as it is.

use super::*;
use std::os::unix::fs::PermissionsExt;

/// Our files left in `dir`: temporary files and the journal.
fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(files::TEMP_PREFIX))
        .collect();
    names.sort();
    names
}

/// A write of `bytes` over the file at `path` as it is now.
fn fw(path: &Path, bytes: &[u8]) -> FileWrite {
    FileWrite::new(path.to_path_buf(), &fs::read(path).unwrap_or_default(), bytes.to_vec())
}

fn opts<'a>(dir: &'a Path, backup_suffix: Option<&'a str>) -> WriteOptions<'a> {
    WriteOptions {
        backup_suffix,
        journal_dir: dir,
    }
}

fn write(dir: &Path, writes: &[FileWrite], backup_suffix: Option<&str>) -> Result<(), WriteError> {
    write_all(writes, &opts(dir, backup_suffix))
}

/// Three files `a.py`, `b.py`, `c.py` holding `orig x\n`, and writes of
/// `new x\n` over them.
fn three(dir: &Path) -> (Vec<PathBuf>, Vec<FileWrite>) {
    let paths: Vec<PathBuf> = ["a", "b", "c"].iter().map(|n| dir.join(format!("{n}.py"))).collect();
    for (p, n) in paths.iter().zip(["a", "b", "c"]) {
        fs::write(p, format!("orig {n}\n")).unwrap();
    }
    let writes = paths
        .iter()
        .zip(["a", "b", "c"])
        .map(|(p, n)| fw(p, format!("new {n}\n").as_bytes()))
        .collect();
    (paths, writes)
}

fn contents(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| fs::read_to_string(p).unwrap()).collect()
}

/// The staged new contents of file `index` of the run writing in `dir`.
fn staged(dir: &Path, index: usize) -> PathBuf {
    temp(dir, index, "new")
}

/// The temporary file of `kind` (`new`, `orig`, `bak`) of file `index`.
fn temp(dir: &Path, index: usize, kind: &str) -> PathBuf {
    let suffix = format!("-{index}.{kind}.tmp");
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&suffix))
        .unwrap()
}

/// Runs the writes and "crashes" (a panic, no cleanup of the files)
/// right before replacement number `at`, as a kill between two renames.
fn crash_before(dir: &Path, writes: &[FileWrite], at: usize) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut hook = |i: usize, _: &Path| -> io::Result<()> {
            if i == at {
                panic!("killed");
            }
            Ok(())
        };
        write_all_with(writes, &opts(dir, None), &mut hook)
    }));
    assert!(result.is_err());
}

#[test]
fn writes_files_and_keeps_mode() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.py");
    let b = dir.path().join("sub").join("b.py");
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(&a, b"old a\n").unwrap();
    fs::write(&b, b"old b\r\n").unwrap();
    fs::set_permissions(&a, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&b, fs::Permissions::from_mode(0o640)).unwrap();

    write(dir.path(), &[fw(&a, b"new a\n"), fw(&b, b"new b\xe9\r\n")], None).unwrap();

    assert_eq!(fs::read(&a).unwrap(), b"new a\n");
    assert_eq!(fs::read(&b).unwrap(), b"new b\xe9\r\n");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&a), 0o755);
    assert_eq!(mode(&b), 0o640);
    assert!(leftovers(dir.path()).is_empty());
    assert!(leftovers(&dir.path().join("sub")).is_empty());
    assert!(!dir.path().join("a.py.orig").exists());
}

#[test]
fn backups_hold_original_content() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("driver.py");
    let b = dir.path().join("test_driver.py");
    let same = dir.path().join("same.py");
    fs::write(&a, b"orig a").unwrap();
    fs::write(&b, b"orig b\n").unwrap();
    fs::write(&same, b"same\n").unwrap();
    fs::set_permissions(&a, fs::Permissions::from_mode(0o755)).unwrap();

    write(
        dir.path(),
        &[fw(&a, b"new a"), fw(&b, b"new b\n"), fw(&same, b"same\n")],
        Some(".orig"),
    )
    .unwrap();

    assert_eq!(fs::read(&a).unwrap(), b"new a");
    assert_eq!(fs::read(dir.path().join("driver.py.orig")).unwrap(), b"orig a");
    assert_eq!(fs::read(dir.path().join("test_driver.py.orig")).unwrap(), b"orig b\n");
    let mode = fs::metadata(dir.path().join("driver.py.orig"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    // Unchanged files are neither rewritten nor backed up.
    assert!(!dir.path().join("same.py.orig").exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_backup_replaced_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    fs::write(dir.path().join("b.py.orig"), "keep me\n").unwrap();
    let err = write(dir.path(), &writes, Some(".orig")).unwrap_err();
    assert!(matches!(err, WriteError::BackupExists { .. }), "{err}");
    assert!(err.to_string().contains("b.py.orig: already exists"), "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("b.py.orig")).unwrap(), "keep me\n");
    assert_eq!(contents(&paths), ["orig a\n", "orig b\n", "orig c\n"]);
    assert!(!dir.path().join("a.py.orig").exists());
    assert!(leftovers(dir.path()).is_empty());

    // A suffix that turns one file of the tree into another one's
    // backup: `a` + `.py` is `a.py`, which exists.
    let bare = dir.path().join("a");
    fs::write(&bare, "#!/usr/bin/python\n").unwrap();
    let err = write(dir.path(), &[fw(&bare, b"x\n")], Some(".py")).unwrap_err();
    assert!(matches!(err, WriteError::BackupIsPython { .. }), "{err}");
    // `x.py` + `.py` would be read as Python by the next run.
    let err = write(dir.path(), &writes, Some(".py")).unwrap_err();
    assert!(matches!(err, WriteError::BackupIsPython { .. }), "{err}");
    assert!(err.to_string().contains("a.py.py: a backup of"), "{err}");
    for suffix in ["", "/x"] {
        let err = write(dir.path(), &writes, Some(suffix)).unwrap_err();
        assert!(matches!(err, WriteError::BadSuffix { .. }), "{err}");
    }
    assert_eq!(contents(&paths), ["orig a\n", "orig b\n", "orig c\n"]);
    assert_eq!(fs::read_to_string(&bare).unwrap(), "#!/usr/bin/python\n");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn setuid_and_setgid_bits_were_cleared_by_a_rewrite() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("tool.py");
    fs::write(&a, b"old\n").unwrap();
    if fs::metadata(&a).unwrap().uid() != 0 {
        eprintln!("skipped: only root may set another owner and keep setuid bits on it");
        return;
    }
    // Another owner, so that the rewrite's chown really changes the
    // owner of the new file (and would clear the bits after a chmod).
    std::os::unix::fs::chown(&a, Some(65534), Some(65534)).unwrap();
    fs::set_permissions(&a, fs::Permissions::from_mode(0o6755)).unwrap();

    write(dir.path(), &[fw(&a, b"new\n")], Some(".orig")).unwrap();

    for path in [a.clone(), dir.path().join("tool.py.orig")] {
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.mode() & 0o7777, 0o6755, "{}", path.display());
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534), "{}", path.display());
    }
    assert_eq!(fs::read(&a).unwrap(), b"new\n");
}

#[test]
fn symlink_target_is_replaced_and_link_kept() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.py");
    let link = dir.path().join("link.py");
    fs::write(&real, b"old\n").unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    write(dir.path(), &[fw(&link, b"new\n")], None).unwrap();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(fs::read(&real).unwrap(), b"new\n");
}

#[test]
fn unreadable_target_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.py");
    let b = dir.path().join("b.py");
    fs::write(&a, b"orig a\n").unwrap();
    fs::create_dir(&b).unwrap();

    let err = write(dir.path(), &[fw(&a, b"new a\n"), fw(&b, b"new b\n")], Some(".orig")).unwrap_err();
    assert!(matches!(err, WriteError::NotAFile { .. }), "{err}");
    assert_eq!(err.path(), b.as_path());
    assert!(err.to_string().starts_with(&format!("{}: ", b.display())));
    assert_eq!(fs::read(&a).unwrap(), b"orig a\n");
    assert!(!dir.path().join("a.py.orig").exists());
    assert!(leftovers(dir.path()).is_empty());

    let missing = dir.path().join("missing.py");
    let err = write(dir.path(), &[fw(&a, b"x"), fw(&missing, b"y")], None).unwrap_err();
    assert!(matches!(err, WriteError::ReadOriginal { .. }), "{err}");
    assert!(err.to_string().contains("missing.py"));
    assert_eq!(fs::read(&a).unwrap(), b"orig a\n");
}

#[test]
fn failed_replace_rolls_back_earlier_files() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    fs::set_permissions(&paths[0], fs::Permissions::from_mode(0o755)).unwrap();

    // Just before the second file is replaced, its new contents vanish:
    // the rename fails, as a real-world race would make it.
    let root = dir.path().to_path_buf();
    let mut hook = |i: usize, _: &Path| -> io::Result<()> {
        if i == 1 {
            fs::remove_file(staged(&root, 1))?;
        }
        Ok(())
    };
    let err = write_all_with(&writes, &opts(dir.path(), None), &mut hook).unwrap_err();

    match &err {
        WriteError::Replace { path, rollback, .. } => {
            assert_eq!(path, &paths[1]);
            assert_eq!(rollback.restored, vec![paths[0].clone()]);
            assert!(rollback.not_restored.is_empty());
            assert_eq!(rollback.journal, None);
        }
        other => panic!("unexpected error {other}"),
    }
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("{}: cannot replace the file: ", paths[1].display())));
    assert!(
        msg.ends_with(&format!(
            "restored {} to the original contents; nothing is changed",
            paths[0].display()
        )),
        "{msg}"
    );

    assert_eq!(contents(&paths), ["orig a\n", "orig b\n", "orig c\n"]);
    assert_eq!(fs::metadata(&paths[0]).unwrap().permissions().mode() & 0o777, 0o755);
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

#[test]
fn the_rollback_message_said_nothing_was_replaced_while_one_file_could_not_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    // Before the third rename: its new contents vanish (the rename
    // fails), and so does the first file's saved original (it cannot
    // be restored).
    let root = dir.path().to_path_buf();
    let mut hook = |i: usize, _: &Path| -> io::Result<()> {
        if i == 2 {
            fs::remove_file(staged(&root, 2))?;
            fs::remove_file(temp(&root, 0, "orig"))?;
        }
        Ok(())
    };
    let err = write_all_with(&writes, &opts(dir.path(), None), &mut hook).unwrap_err();
    let WriteError::Replace { rollback, .. } = &err else {
        panic!("unexpected error {err}");
    };
    assert_eq!(rollback.restored, vec![paths[1].clone()]);
    assert_eq!(rollback.not_restored.len(), 1);
    let msg = err.to_string();
    assert!(!msg.contains("no file had been replaced"), "{msg}");
    assert!(
        msg.contains(&format!(
            "restored {} to the original contents; could NOT restore {} (",
            paths[1].display(),
            paths[0].display()
        )),
        "{msg}"
    );
    assert!(msg.contains("it holds the fixed version; the journal"), "{msg}");
    assert!(
        msg.ends_with("is kept: run `shadowfix apply` again to finish the replace"),
        "{msg}"
    );
    assert_eq!(contents(&paths), ["new a\n", "orig b\n", "orig c\n"]);

    // What the message promises: the next run finishes the replace.
    let done = recover(dir.path()).unwrap().unwrap();
    assert_eq!(
        done.outcome,
        Outcome::Forward {
            completed: vec!["b.py".into(), "c.py".into()]
        }
    );
    assert_eq!(contents(&paths), ["new a\n", "new b\n", "new c\n"]);
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

#[test]
fn a_file_edited_after_it_was_read_was_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    // Edited after the fix read it, before the write.
    fs::write(&paths[2], "edited c\n").unwrap();
    let err = write(dir.path(), &writes, None).unwrap_err();
    assert!(matches!(err, WriteError::Changed { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}: changed since shadowfix read it", paths[2].display())),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("no file had been replaced yet; nothing was changed")
    );
    assert_eq!(contents(&paths), ["orig a\n", "orig b\n", "edited c\n"]);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_file_edited_between_two_replacements_was_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    let b = paths[1].clone();
    let mut hook = |i: usize, _: &Path| -> io::Result<()> {
        if i == 1 {
            fs::write(&b, "edited b\n")?;
        }
        Ok(())
    };
    let err = write_all_with(&writes, &opts(dir.path(), None), &mut hook).unwrap_err();
    assert!(matches!(err, WriteError::Changed { .. }), "{err}");
    assert!(err.to_string().contains("restored"), "{err}");
    assert_eq!(contents(&paths), ["orig a\n", "edited b\n", "orig c\n"]);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn an_interrupted_replace_left_the_tree_half_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    crash_before(dir.path(), &writes, 2);
    assert_eq!(contents(&paths), ["new a\n", "new b\n", "orig c\n"]);
    let Some(Interrupted::Found { replaced, total, .. }) = inspect(dir.path()) else {
        panic!("no journal found");
    };
    assert_eq!((replaced, total), (2, 3));
    // A second replace refuses to start over it.
    let err = write(dir.path(), &[fw(&paths[2], b"other\n")], None).unwrap_err();
    assert!(matches!(err, WriteError::JournalExists { .. }), "{err}");

    let done = recover(dir.path()).unwrap().unwrap();
    assert_eq!(done.replaced_before, ["a.py", "b.py"]);
    assert_eq!(
        done.outcome,
        Outcome::Forward {
            completed: vec!["c.py".into()]
        }
    );
    assert!(
        done.to_string()
            .contains("2 of 3 files had been replaced; finished it (rolled forward): replaced c.py")
    );
    assert_eq!(contents(&paths), ["new a\n", "new b\n", "new c\n"]);
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
    assert!(recover(dir.path()).unwrap().is_none());
    assert!(inspect(dir.path()).is_none());
}

#[test]
fn an_interrupted_replace_without_its_new_contents_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    crash_before(dir.path(), &writes, 1);
    fs::remove_file(staged(dir.path(), 2)).unwrap();
    let done = recover(dir.path()).unwrap().unwrap();
    assert_eq!(
        done.outcome,
        Outcome::Back {
            restored: vec!["a.py".into()]
        }
    );
    assert_eq!(contents(&paths), ["orig a\n", "orig b\n", "orig c\n"]);
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

#[test]
fn a_run_killed_before_its_first_rename_is_finished_or_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    // Every new content written: the next run finishes the replace.
    crash_before(dir.path(), &writes, 0);
    let done = recover(dir.path()).unwrap().unwrap();
    assert!(done.replaced_before.is_empty());
    assert_eq!(contents(&paths), ["new a\n", "new b\n", "new c\n"]);
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));

    // Killed while writing them: nothing to finish, nothing changed.
    let writes: Vec<FileWrite> = paths.iter().map(|p| fw(p, b"newer\n")).collect();
    crash_before(dir.path(), &writes, 0);
    fs::remove_file(staged(dir.path(), 1)).unwrap();
    let done = recover(dir.path()).unwrap().unwrap();
    assert_eq!(done.outcome, Outcome::Back { restored: vec![] });
    assert!(
        done.to_string()
            .ends_with("0 of 3 files had been replaced; its new contents were not all written yet, so it was dropped: nothing had changed"),
        "{done}"
    );
    assert_eq!(contents(&paths), ["new a\n", "new b\n", "new c\n"]);
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

#[test]
fn an_interrupted_replace_over_an_edited_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, writes) = three(dir.path());
    crash_before(dir.path(), &writes, 1);
    fs::write(&paths[2], "edited c\n").unwrap();
    let err = recover(dir.path()).unwrap_err();
    assert!(matches!(err, RecoverError::Diverged { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("this file holds neither its original nor its new contents (edited since?): c.py"),
        "{err}"
    );
    // Nothing changed, nothing removed.
    assert_eq!(contents(&paths), ["new a\n", "orig b\n", "edited c\n"]);
    assert!(leftovers(dir.path()).contains(&JOURNAL_NAME.to_string()));
}
