//! Writing fixed files to disk: atomically per file, all-or-nothing across
//! files, recoverable after a crash, never over an edit made meanwhile, with
//! optional backups that never replace a file.
//!
//! A rename touches the class's file and its callers in other files; leaving
//! half of them renamed would break the project worse than the bug did. So a
//! replace goes in phases. First every file is read and must still hold the
//! bytes the fix was computed from (a content hash), and every `--backup`
//! name must be free. Then a journal is published in the tree root,
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
use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};

mod error;
mod files;
mod hash;
mod journal;
mod recover;

pub use error::{Rollback, WriteError};
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
mod tests;
