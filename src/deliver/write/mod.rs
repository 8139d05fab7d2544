//! Writing fixed files to disk: atomically per file, all-or-nothing across
//! files, recoverable after a crash, never over an edit made meanwhile, with
//! optional backups that never replace a file.
//!
//! A rename touches the class's file and its callers in other files; leaving
//! half of them renamed would break the project worse than the bug did. So a
//! replace goes in phases. First every file is read and must still hold the
//! bytes the fix was computed from (a content hash), and every `--backup`
//! name must be free. Then a [`journal`] is published in the tree root,
//! listing each file with the hashes of its original and new bytes; then,
//! next to each file, its new bytes and a saved copy of its original are
//! written and synced to temporary files with the original's owner and mode.
//! Only then are the new files renamed over their targets one by one, each
//! checked again right before its rename; a failure puts the originals back.
//! Last, the temporary files and the journal are removed. A run killed
//! anywhere in between leaves a journal from which the next `apply` finishes
//! the replace, or undoes it ([`recover`]).
//!
//! Each replacement is a rename within one directory, so a reader never sees
//! a half-written file.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

mod files;
mod hash;
mod journal;
mod recover;

pub use hash::ContentHash;
pub use journal::JOURNAL_NAME;
pub use recover::{Interrupted, Outcome, RecoverError, Recovery, inspect, recover};

use files::RunId;
use journal::{CreateError, Entry, Journal};

/// New contents for one existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    pub path: PathBuf,
    /// The hash of the bytes the new contents were computed from: the file
    /// must still hold them when it is replaced.
    pub expected: ContentHash,
    pub new_bytes: Vec<u8>,
}

impl FileWrite {
    /// Replaces `old` (the bytes read and planned) with `new_bytes`.
    pub fn new(path: PathBuf, old: &[u8], new_bytes: Vec<u8>) -> FileWrite {
        FileWrite {
            path,
            expected: ContentHash::of(old),
            new_bytes,
        }
    }
}

/// How to write.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions<'a> {
    /// Keep each original next to the new file as `<file><suffix>`.
    pub backup_suffix: Option<&'a str>,
    /// Where the journal goes: see [`journal_dir`].
    pub journal_dir: &'a Path,
}

/// The directory whose journal covers a tree: the analysed root, or the
/// directory holding it when it is a single file. `apply` writes the
/// journal there, and every command looks for one there first.
pub fn journal_dir(root: &Path) -> PathBuf {
    if root.is_file() {
        files::parent_dir(root).to_path_buf()
    } else {
        root.to_path_buf()
    }
}

/// What was undone after a replace failed part-way, for the error message.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rollback {
    /// Files that had been replaced and got their original contents back.
    pub restored: Vec<PathBuf>,
    /// Files that had been replaced and could not be restored, with why.
    pub not_restored: Vec<(PathBuf, String)>,
    /// The journal, kept when some file could not be restored, so that the
    /// next `apply` can finish the replace.
    pub journal: Option<PathBuf>,
}

impl fmt::Display for Rollback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |paths: &mut dyn Iterator<Item = &PathBuf>| {
            paths.map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        };
        if self.restored.is_empty() && self.not_restored.is_empty() {
            return write!(f, "no file had been replaced yet; nothing was changed");
        }
        if !self.restored.is_empty() {
            write!(
                f,
                "restored {} to the original contents",
                names(&mut self.restored.iter())
            )?;
        }
        if self.not_restored.is_empty() {
            return write!(f, "; nothing is changed");
        }
        if !self.restored.is_empty() {
            write!(f, "; ")?;
        }
        let failed: Vec<String> = self
            .not_restored
            .iter()
            .map(|(p, e)| format!("{} ({e})", p.display()))
            .collect();
        write!(
            f,
            "could NOT restore {}: {} the fixed version",
            failed.join(", "),
            if failed.len() == 1 { "it holds" } else { "they hold" }
        )?;
        match &self.journal {
            Some(j) => write!(
                f,
                "; the journal {} is kept: run `shadowfix apply` again to finish the replace",
                j.display()
            ),
            None => write!(f, "; recover the originals from the backups or version control"),
        }
    }
}

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
        "{backup}: already exists, and --backup never replaces a file; move it away or choose \
         another suffix, nothing was changed",
        backup = .backup.display()
    )]
    BackupExists { path: PathBuf, backup: PathBuf },
    #[error(
        "{backup}: a backup of {path} by that name would be read as Python by the next run; \
         choose a suffix that does not end in .py or .pyi, such as \".orig\", nothing was changed",
        backup = .backup.display()
    )]
    BackupIsPython { path: PathBuf, backup: PathBuf },
    #[error(
        "{path}: changed since shadowfix read it (edited meanwhile?), so it is not overwritten; \
         run shadowfix again on the current contents; {rollback}"
    )]
    Changed { path: PathBuf, rollback: Rollback },
    #[error(
        "{journal}: a journal is there already: another shadowfix apply is writing this tree, or one \
         was interrupted (run `shadowfix apply` again to finish it); nothing was changed",
        journal = .journal.display()
    )]
    JournalExists { journal: PathBuf },
    #[error(
        "{path}: cannot write the journal of the replace: {source}; check that the directory is \
         writable and the disk is not full, nothing was changed"
    )]
    Journal {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
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
    #[error("{path}: cannot replace the file: {source}; {rollback}")]
    Replace {
        path: PathBuf,
        #[source]
        source: io::Error,
        rollback: Rollback,
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
            | WriteError::BackupExists { path, .. }
            | WriteError::BackupIsPython { path, .. }
            | WriteError::Changed { path, .. }
            | WriteError::Journal { path, .. }
            | WriteError::Prepare { path, .. }
            | WriteError::Backup { path, .. }
            | WriteError::Replace { path, .. } => path,
            WriteError::JournalExists { journal } => journal,
        }
    }
}

/// Writes every file or none.
///
/// Files whose new bytes equal their current bytes are left alone (no
/// rewrite, no backup). Each target must exist and still hold the bytes
/// `expected` hashes; a symlink is followed and the file it points to is
/// replaced, so the link stays a link. With a backup suffix (e.g.
/// `".orig"`), the original bytes of each changed file are first written to
/// the file's path plus the suffix, which must not exist; the backups stay
/// in place even when the write is rolled back (they hold the original bytes
/// either way).
pub fn write_all(writes: &[FileWrite], opts: &WriteOptions) -> Result<(), WriteError> {
    write_all_with(writes, opts, &mut |_, _| Ok(()))
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

/// `write_all` with a hook run just before each replacement (before the
/// file is checked again); tests use it to edit a file or make a rename
/// fail half-way through.
fn write_all_with(
    writes: &[FileWrite],
    opts: &WriteOptions,
    before_replace: &mut dyn FnMut(usize, &Path) -> io::Result<()>,
) -> Result<(), WriteError> {
    // A suffix with '/' would put the backup in another directory, where the
    // rename from our temporary file is not atomic (or not possible).
    if let (Some(s), Some(first)) = (opts.backup_suffix, writes.first())
        && (s.is_empty() || s.contains('/'))
    {
        return Err(WriteError::BadSuffix {
            path: first.path.clone(),
            suffix: s.to_string(),
        });
    }

    // Phase 1: read and check everything. Any error here leaves the disk
    // untouched.
    let mut planned = read_all(writes)?;
    planned.retain(|p| p.original != p.new_bytes);
    if planned.is_empty() {
        return Ok(());
    }
    let backups = match opts.backup_suffix {
        Some(suffix) => planned
            .iter()
            .map(|p| backup_path(p, suffix).map(Some))
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![None; planned.len()],
    };

    // Phase 2: the journal, before any other file is made.
    let run = RunId::new();
    let entries: Vec<Entry> = planned
        .iter()
        .zip(backups)
        .enumerate()
        .map(|(i, (p, backup))| Entry {
            original: ContentHash::of(&p.original),
            new: ContentHash::of(p.new_bytes),
            staged: files::beside(&p.target, &run.temp_name(i, "new")),
            saved: files::beside(&p.target, &run.temp_name(i, "orig")),
            backup: backup.map(|to| {
                let staged = files::beside(&to, &run.temp_name(i, "bak"));
                (to, staged)
            }),
            target: p.target.clone(),
        })
        .collect();
    let journal = Journal::create(opts.journal_dir, &run, entries).map_err(|e| match e {
        CreateError::Exists(journal) => WriteError::JournalExists { journal },
        CreateError::Io { path, source } => WriteError::Journal { path, source },
    })?;

    // Phase 3: write and sync every temporary file: new contents, saved
    // originals, backups. On error nothing was replaced: drop them all.
    for (p, e) in planned.iter().zip(&journal.entries) {
        let prepare_err = |source| WriteError::Prepare {
            path: p.path.to_path_buf(),
            source,
        };
        let staged = files::write_new(&e.staged, p.new_bytes, &p.metadata)
            .and_then(|()| files::write_new(&e.saved, &p.original, &p.metadata))
            .and_then(|()| match &e.backup {
                Some((_, staged)) => files::write_new(staged, &p.original, &p.metadata),
                None => Ok(()),
            });
        if let Err(source) = staged {
            let _ = recover::discard(journal);
            return Err(prepare_err(source));
        }
    }

    // Phase 4: backups. They do not replace any file (one made meanwhile
    // is not replaced either), so a failure here still leaves every target
    // untouched.
    let failed = planned.iter().zip(&journal.entries).find_map(|(p, e)| {
        let (to, staged) = e.backup.as_ref()?;
        let source = files::publish_no_clobber(staged, to).err()?;
        let (path, backup) = (p.path.to_path_buf(), to.clone());
        Some(if source.kind() == io::ErrorKind::AlreadyExists {
            WriteError::BackupExists { path, backup }
        } else {
            WriteError::Backup { path, backup, source }
        })
    });
    if let Some(err) = failed {
        let _ = recover::discard(journal);
        return Err(err);
    }

    // Phase 5: replace the targets, each checked right before its rename;
    // on failure put back what was replaced.
    for (i, p) in planned.iter().enumerate() {
        let e = &journal.entries[i];
        if let Err(source) = before_replace(i, &p.target) {
            let rollback = roll_back(&planned, journal, i);
            return Err(WriteError::Replace {
                path: p.path.to_path_buf(),
                source,
                rollback,
            });
        }
        if files::hash_file(&e.target) != Some(e.original) {
            let rollback = roll_back(&planned, journal, i);
            return Err(WriteError::Changed {
                path: p.path.to_path_buf(),
                rollback,
            });
        }
        if let Err(source) = files::replace(&e.staged, &e.target) {
            let rollback = roll_back(&planned, journal, i);
            return Err(WriteError::Replace {
                path: p.path.to_path_buf(),
                source,
                rollback,
            });
        }
        test_hook::stop_after_replaced(i + 1);
    }

    // Phase 6: done. A failure to clean up is not a failed write: the files
    // hold the fix, and the next `apply` removes what is left.
    let _ = recover::discard(journal);
    Ok(())
}

/// Reads every target and checks it: a regular file, listed once, still
/// holding the bytes the fix was computed from.
fn read_all(writes: &[FileWrite]) -> Result<Vec<Planned<'_>>, WriteError> {
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
        if ContentHash::of(&original) != w.expected {
            return Err(WriteError::Changed {
                path: w.path.clone(),
                rollback: Rollback::default(),
            });
        }
        planned.push(Planned {
            path: &w.path,
            target,
            metadata,
            original,
            new_bytes: &w.new_bytes,
        });
    }
    Ok(planned)
}

/// `<target><suffix>`, refused when a file of that name exists (a backup
/// never replaces one, least of all another file of the tree) or when the
/// next run would read it as Python (`--backup .py` makes `x.py.py`).
fn backup_path(p: &Planned, suffix: &str) -> Result<PathBuf, WriteError> {
    let mut name = OsString::from(p.target.as_os_str());
    name.push(suffix);
    let backup = PathBuf::from(name);
    if backup.extension().is_some_and(|e| e == "py" || e == "pyi") {
        return Err(WriteError::BackupIsPython {
            path: p.path.to_path_buf(),
            backup,
        });
    }
    if fs::symlink_metadata(&backup).is_ok() {
        return Err(WriteError::BackupExists {
            path: p.path.to_path_buf(),
            backup,
        });
    }
    Ok(backup)
}

/// Puts the saved originals back over the first `replaced` targets, each
/// only if it still holds what was written. When all are back, the run's
/// temporary files and the journal go; otherwise everything is kept, so the
/// next `apply` can finish the replace.
fn roll_back(planned: &[Planned], journal: Journal, replaced: usize) -> Rollback {
    let mut rollback = Rollback::default();
    for (p, e) in planned.iter().zip(&journal.entries).take(replaced) {
        let result = if files::hash_file(&e.target) == Some(e.new) {
            files::replace(&e.saved, &e.target).map_err(|err| err.to_string())
        } else {
            Err("it changed after it was replaced".to_string())
        };
        match result {
            Ok(()) => rollback.restored.push(p.path.to_path_buf()),
            Err(why) => rollback.not_restored.push((p.path.to_path_buf(), why)),
        }
    }
    if rollback.not_restored.is_empty() {
        let _ = recover::discard(journal);
        return rollback;
    }
    // The next `apply` finishes the replace forward, which needs the new
    // contents of every file that holds its original again (a restored
    // file's were consumed by its rename).
    for (p, e) in planned.iter().zip(&journal.entries) {
        if files::hash_file(&e.target) == Some(e.original) && files::hash_file(&e.staged) != Some(e.new) {
            let _ = files::remove_if_exists(&e.staged);
            let _ = files::write_new(&e.staged, p.new_bytes, &p.metadata);
        }
    }
    rollback.journal = Some(journal.path.clone());
    rollback
}

/// A test hook, honoured only in debug builds (the binary the tests drive):
/// with `SHADOWFIX_TEST_STOP_AFTER_REPLACED=N`, a replace stops right after
/// its N-th rename, says so on stderr and waits to be killed (aborting by
/// itself after 30 s), so that a test can SIGKILL it between two renames.
mod test_hook {
    pub fn stop_after_replaced(count: usize) {
        if !cfg!(debug_assertions) {
            return;
        }
        let wanted = std::env::var("SHADOWFIX_TEST_STOP_AFTER_REPLACED")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        if wanted == Some(count) {
            eprintln!("shadowfix: test hook: stopped after replacing {count} file(s)");
            std::thread::sleep(std::time::Duration::from_secs(30));
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
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
}
