//! Writing fixed files to disk: atomically per file, all-or-nothing across
//! files, with optional backups.
//!
//! A rename touches the class's file and its callers in other files; leaving
//! half of them renamed would break the project worse than the bug did. So
//! every new content is first written and synced to a temporary file next to
//! its target (nothing is replaced if any of that fails), then the temporary
//! files are renamed over the targets one by one, and if a rename fails the
//! targets already replaced get their original bytes back. Each replacement
//! is a rename within one directory, so a reader never sees a half-written
//! file, and the original file's mode (and, when allowed, owner) is kept.

use std::ffi::OsString;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// New contents for one existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    pub path: PathBuf,
    pub new_bytes: Vec<u8>,
}

/// Prefix of the temporary files, so a leftover after a crash (power loss
/// between create and rename) is recognisable as ours.
const TEMP_PREFIX: &str = ".shadowfix-";

/// Why the files could not be written. Every message names the path.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: cannot read the file before rewriting it: {source}; nothing was changed")]
    ReadOriginal {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path}: not a regular file; only existing regular files can be rewritten, \
         nothing was changed"
    )]
    NotAFile { path: PathBuf },
    #[error(
        "{path}: listed more than once (as {first} and {second}); merge its changes into \
         one write, nothing was changed",
        first = .first.display(),
        second = .second.display()
    )]
    Duplicate {
        path: PathBuf,
        first: PathBuf,
        second: PathBuf,
    },
    #[error(
        "{path}: invalid backup suffix {suffix:?}; use a non-empty suffix without '/', \
         such as \".orig\", nothing was changed"
    )]
    BadSuffix { path: PathBuf, suffix: String },
    #[error(
        "{path}: cannot write a temporary file in its directory: {source}; check that the \
         directory is writable and the disk is not full, nothing was changed"
    )]
    Prepare {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{backup}: cannot write the backup of {path}: {source}; check that the directory is \
         writable, no file was replaced",
        backup = .backup.display()
    )]
    Backup {
        path: PathBuf,
        backup: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path}: cannot replace the file: {source}; {}", rollback_summary(.restored, .not_restored))]
    Replace {
        path: PathBuf,
        #[source]
        source: io::Error,
        /// Files that had already been replaced and got their original
        /// contents back.
        restored: Vec<PathBuf>,
        /// Files that had been replaced and could not be restored, with why.
        not_restored: Vec<(PathBuf, String)>,
    },
}

impl WriteError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            WriteError::ReadOriginal { path, .. }
            | WriteError::NotAFile { path }
            | WriteError::Duplicate { path, .. }
            | WriteError::BadSuffix { path, .. }
            | WriteError::Prepare { path, .. }
            | WriteError::Backup { path, .. }
            | WriteError::Replace { path, .. } => path,
        }
    }
}

fn rollback_summary(restored: &[PathBuf], not_restored: &[(PathBuf, String)]) -> String {
    let mut s = if restored.is_empty() {
        "no file had been replaced yet".to_string()
    } else {
        let names: Vec<_> = restored.iter().map(|p| p.display().to_string()).collect();
        format!(
            "restored {} to the original contents; the files after it were not touched",
            names.join(", ")
        )
    };
    if !not_restored.is_empty() {
        let names: Vec<_> = not_restored
            .iter()
            .map(|(p, e)| format!("{} ({e})", p.display()))
            .collect();
        s.push_str(&format!(
            "; could NOT restore {}: these files contain the fixed version, recover the \
             originals from the backups or version control",
            names.join(", ")
        ));
    }
    s
}

/// Writes every file or none.
///
/// Files whose new bytes equal their current bytes are left alone (no
/// rewrite, no backup). Each target must exist; a symlink is followed and the
/// file it points to is replaced, so the link stays a link. With
/// `backup_suffix` (e.g. `".orig"`), the original bytes of each changed file
/// are first written, atomically, to the file's path plus the suffix; the
/// backups stay in place even when the write is rolled back (they hold the
/// original bytes either way).
pub fn write_all(writes: &[FileWrite], backup_suffix: Option<&str>) -> Result<(), WriteError> {
    write_all_with(writes, backup_suffix, &mut |_, _| Ok(()))
}

/// One file about to be replaced.
struct Planned<'a> {
    /// The path as the caller gave it, for messages.
    path: &'a Path,
    /// Symlinks resolved: the file that is actually replaced.
    target: PathBuf,
    metadata: Metadata,
    original: Vec<u8>,
    new_bytes: &'a [u8],
}

/// `write_all` with a hook run just before each replacement; tests use it to
/// make a rename fail half-way through.
fn write_all_with(
    writes: &[FileWrite],
    backup_suffix: Option<&str>,
    before_replace: &mut dyn FnMut(usize, &Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    // A suffix with '/' would put the backup in another directory, where the
    // rename from our temporary file is not atomic (or not possible).
    if let (Some(s), Some(first)) = (backup_suffix, writes.first())
        && (s.is_empty() || s.contains('/'))
    {
        return Err(WriteError::BadSuffix {
            path: first.path.clone(),
            suffix: s.to_string(),
        });
    }

    // Phase 1: read everything. Any error here leaves the disk untouched.
    let mut planned: Vec<Planned> = Vec::with_capacity(writes.len());
    for w in writes {
        let read_err = |source| WriteError::ReadOriginal {
            path: w.path.clone(),
            source,
        };
        let target = fs::canonicalize(&w.path).map_err(read_err)?;
        let metadata = fs::metadata(&target).map_err(read_err)?;
        if !metadata.is_file() {
            return Err(WriteError::NotAFile { path: w.path.clone() });
        }
        if let Some(prev) = planned.iter().find(|p| p.target == target) {
            return Err(WriteError::Duplicate {
                path: target,
                first: prev.path.to_path_buf(),
                second: w.path.clone(),
            });
        }
        let original = fs::read(&target).map_err(read_err)?;
        planned.push(Planned {
            path: &w.path,
            target,
            metadata,
            original,
            new_bytes: &w.new_bytes,
        });
    }
    planned.retain(|p| p.original != p.new_bytes);

    // Phase 2: write and sync every temporary file (new contents and
    // backups). On error the `NamedTempFile`s already made are dropped, which
    // deletes them.
    let mut temps: Vec<NamedTempFile> = Vec::with_capacity(planned.len());
    let mut backups: Vec<(PathBuf, NamedTempFile)> = Vec::new();
    for p in &planned {
        let prepare_err = |source| WriteError::Prepare {
            path: p.path.to_path_buf(),
            source,
        };
        temps.push(stage(&p.target, p.new_bytes, &p.metadata).map_err(prepare_err)?);
        if let Some(suffix) = backup_suffix {
            let mut name = OsString::from(p.target.as_os_str());
            name.push(suffix);
            let backup = PathBuf::from(name);
            let temp = stage(&p.target, &p.original, &p.metadata).map_err(prepare_err)?;
            backups.push((backup, temp));
        }
    }

    // Phase 3: backups. They do not replace any target, so a failure here
    // still leaves every target untouched.
    for ((backup, temp), p) in backups.into_iter().zip(&planned) {
        replace(temp, &backup).map_err(|source| WriteError::Backup {
            path: p.path.to_path_buf(),
            backup,
            source,
        })?;
    }

    // Phase 4: replace the targets; on failure put back what was replaced.
    for (i, (p, temp)) in planned.iter().zip(temps).enumerate() {
        let result = before_replace(i, &p.target).and_then(|()| replace(temp, &p.target));
        if let Err(source) = result {
            // Returning drops the iterator and with it the temporary files
            // not yet renamed, which deletes them.
            let (restored, not_restored) = rollback(&planned[..i]);
            return Err(WriteError::Replace {
                path: p.path.to_path_buf(),
                source,
                restored,
                not_restored,
            });
        }
    }
    Ok(())
}

/// Puts the original bytes back into files already replaced, with the same
/// atomic method.
fn rollback(replaced: &[Planned]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut restored = Vec::new();
    let mut not_restored = Vec::new();
    for p in replaced {
        let result = stage(&p.target, &p.original, &p.metadata).and_then(|temp| replace(temp, &p.target));
        match result {
            Ok(()) => restored.push(p.path.to_path_buf()),
            Err(e) => not_restored.push((p.path.to_path_buf(), e.to_string())),
        }
    }
    (restored, not_restored)
}

/// Writes `bytes` to a synced temporary file in `target`'s directory, with
/// `metadata`'s permissions (and owner, when we may set it).
fn stage(target: &Path, bytes: &[u8], metadata: &Metadata) -> io::Result<NamedTempFile> {
    let dir = parent_dir(target);
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Best effort: only root may give a file away, and a user may only
        // set a group they belong to. A rewritten file owned by the invoking
        // user is still correct, so failure here is not an error.
        let _ = std::os::unix::fs::fchown(temp.as_file(), Some(metadata.uid()), Some(metadata.gid()));
    }
    // NamedTempFile is created 0600; the replacement must keep the mode the
    // original had (an executable script must stay executable). After the
    // chown, never before it: a chown clears the setuid and setgid bits,
    // even root's.
    temp.as_file().set_permissions(metadata.permissions())?;
    // Data must be on disk before the rename makes it visible, or a crash
    // could leave an empty file under the original name.
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Renames `temp` over `dest`, then syncs the directory so the rename itself
/// survives a crash.
fn replace(temp: NamedTempFile, dest: &Path) -> io::Result<()> {
    temp.persist(dest).map_err(|e| e.error)?;
    sync_dir(parent_dir(dest));
    Ok(())
}

/// Best effort: some filesystems (and non-Unix systems) cannot open or sync
/// a directory, and the data itself is already synced.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    fn fw(path: &Path, bytes: &[u8]) -> FileWrite {
        FileWrite {
            path: path.to_path_buf(),
            new_bytes: bytes.to_vec(),
        }
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

        write_all(&[fw(&a, b"new a\n"), fw(&b, b"new b\xe9\r\n")], None).unwrap();

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

        write_all(
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

        write_all(&[fw(&a, b"new\n")], Some(".orig")).unwrap();

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
        write_all(&[fw(&link, b"new\n")], None).unwrap();
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

        let err = write_all(&[fw(&a, b"new a\n"), fw(&b, b"new b\n")], Some(".orig")).unwrap_err();
        assert!(matches!(err, WriteError::NotAFile { .. }), "{err}");
        assert_eq!(err.path(), b.as_path());
        assert!(err.to_string().starts_with(&format!("{}: ", b.display())));
        assert_eq!(fs::read(&a).unwrap(), b"orig a\n");
        assert!(!dir.path().join("a.py.orig").exists());
        assert!(leftovers(dir.path()).is_empty());

        let missing = dir.path().join("missing.py");
        let err = write_all(&[fw(&a, b"x"), fw(&missing, b"y")], None).unwrap_err();
        assert!(matches!(err, WriteError::ReadOriginal { .. }), "{err}");
        assert!(err.to_string().contains("missing.py"));
        assert_eq!(fs::read(&a).unwrap(), b"orig a\n");
    }

    #[test]
    fn failed_replace_rolls_back_earlier_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.py");
        let b = dir.path().join("b.py");
        let c = dir.path().join("c.py");
        fs::write(&a, b"orig a\n").unwrap();
        fs::write(&b, b"orig b\n").unwrap();
        fs::write(&c, b"orig c\n").unwrap();
        fs::set_permissions(&a, fs::Permissions::from_mode(0o755)).unwrap();

        // Just before the second file is replaced, turn it into a directory:
        // renaming a file over a directory fails, as a real-world race would.
        let b_clone = b.clone();
        let mut hook = |i: usize, _: &Path| -> io::Result<()> {
            if i == 1 {
                fs::remove_file(&b_clone)?;
                fs::create_dir(&b_clone)?;
            }
            Ok(())
        };
        let err = write_all_with(
            &[fw(&a, b"new a\n"), fw(&b, b"new b\n"), fw(&c, b"new c\n")],
            None,
            &mut hook,
        )
        .unwrap_err();

        match &err {
            WriteError::Replace {
                path,
                restored,
                not_restored,
                ..
            } => {
                assert_eq!(path, &b);
                assert_eq!(restored, &vec![a.clone()]);
                assert!(not_restored.is_empty());
            }
            other => panic!("unexpected error {other}"),
        }
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("{}: cannot replace the file: ", b.display())));
        assert!(msg.contains(&format!("restored {} to the original", a.display())));

        assert_eq!(fs::read(&a).unwrap(), b"orig a\n");
        assert_eq!(fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o755);
        assert_eq!(fs::read(&c).unwrap(), b"orig c\n");
        assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
    }

    #[test]
    fn duplicate_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.py");
        fs::write(&a, b"orig\n").unwrap();
        let dotted = dir.path().join(".").join("a.py");
        let err = write_all(&[fw(&a, b"x"), fw(&dotted, b"y")], None).unwrap_err();
        assert!(matches!(err, WriteError::Duplicate { .. }), "{err}");
        assert_eq!(fs::read(&a).unwrap(), b"orig\n");
    }

    #[test]
    fn bad_suffix_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.py");
        fs::write(&a, b"orig\n").unwrap();
        let err = write_all(&[fw(&a, b"x")], Some("/x")).unwrap_err();
        assert!(matches!(err, WriteError::BadSuffix { .. }), "{err}");
        assert_eq!(fs::read(&a).unwrap(), b"orig\n");
    }
}
