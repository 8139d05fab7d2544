//! The file operations a recoverable replace is made of: temporary files
//! named after the run that made them (so that a later run can find and
//! remove exactly those a killed run left), written and synced with the
//! original's owner and mode, published without ever replacing a file, and
//! renamed over a target with the directory synced.

use std::fs::{self, File, Metadata, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Every temporary file a run makes is `.shadowfix-<run>-<what>.tmp`, in
/// the directory of the file it is for. The walk skips hidden files, so
/// none of them is ever read as Python.
pub const TEMP_PREFIX: &str = ".shadowfix-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// The random id of one run, in the names of its temporary files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunId(String);

impl RunId {
    pub fn new() -> RunId {
        // RandomState is seeded from the OS; the pid and the time make two
        // runs in one process, or one after a fork, differ too.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        h.write_u128(nanos);
        RunId(format!("{:016x}", h.finish()))
    }

    /// The id of a journal's run, as the journal stores it.
    pub fn parse(s: &str) -> Option<RunId> {
        (s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())).then(|| RunId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `.shadowfix-<run>-<index>.<kind>.tmp`: the new contents (`new`), the
    /// saved original (`orig`) or the `--backup` copy (`bak`) of file
    /// `index`.
    pub fn temp_name(&self, index: usize, kind: &str) -> String {
        format!("{TEMP_PREFIX}{}-{index}.{kind}{TEMP_SUFFIX}", self.0)
    }

    /// The name a journal is written under before it is published.
    pub fn journal_temp_name(&self) -> String {
        format!("{TEMP_PREFIX}{}-journal{TEMP_SUFFIX}", self.0)
    }

    /// Whether `name` is one of this run's temporary files.
    pub fn owns(&self, name: &str) -> bool {
        name.strip_prefix(TEMP_PREFIX)
            .and_then(|rest| rest.strip_prefix(self.0.as_str()))
            .is_some_and(|rest| rest.starts_with('-') && rest.ends_with(TEMP_SUFFIX))
    }
}

/// The run id in the name of a journal written but not published, if
/// `name` is one (`.shadowfix-<16 hex>-journal.tmp`).
pub fn stray_journal_run(name: &str) -> Option<RunId> {
    let id = name.strip_prefix(TEMP_PREFIX)?.strip_suffix("-journal.tmp")?;
    RunId::parse(id)
}

/// Creates `path` (which must not exist) holding `bytes`, with the owner
/// (when we may set it) and mode of `like`, synced to disk. On failure the
/// file is removed again.
pub fn write_new(path: &Path, bytes: &[u8], like: &Metadata) -> io::Result<()> {
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Private until it has the original's owner and mode.
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        file.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Best effort: only root may give a file away, and a user may
            // only set a group they belong to. A rewritten file owned by the
            // invoking user is still correct, so failure is not an error.
            let _ = std::os::unix::fs::fchown(&file, Some(like.uid()), Some(like.gid()));
        }
        // After the chown, never before it: a chown clears the setuid and
        // setgid bits, even root's.
        file.set_permissions(like.permissions())?;
        // Data must be on disk before a rename makes it visible, or a crash
        // could leave an empty file under the original name.
        file.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result
}

/// Hashes the file at `path`; None when it cannot be read.
pub fn hash_file(path: &Path) -> Option<super::ContentHash> {
    fs::read(path).ok().map(|bytes| super::ContentHash::of(&bytes))
}

/// Gives the file `temp` the name `dest`, failing with `AlreadyExists`
/// rather than replacing a file already there; `temp` is gone afterwards.
pub fn publish_no_clobber(temp: &Path, dest: &Path) -> io::Result<()> {
    match fs::hard_link(temp, dest) {
        Ok(()) => fs::remove_file(temp)?,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
        // A filesystem without hard links: check, then rename. Only a file
        // created in between could be replaced.
        Err(_) => {
            if fs::symlink_metadata(dest).is_ok() {
                return Err(io::Error::new(io::ErrorKind::AlreadyExists, "the file exists"));
            }
            fs::rename(temp, dest)?;
        }
    }
    sync_dir(parent_dir(dest));
    Ok(())
}

/// Renames `temp` over `dest`, then syncs the directory so the rename itself
/// survives a crash.
pub fn replace(temp: &Path, dest: &Path) -> io::Result<()> {
    fs::rename(temp, dest)?;
    sync_dir(parent_dir(dest));
    Ok(())
}

/// Removes `path`; a file already gone is fine.
pub fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Removes, in `dir`, every temporary file of `run`.
pub fn sweep(dir: &Path, run: &RunId) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(|n| run.owns(n)) {
            let _ = fs::remove_file(entry.path());
        }
    }
    sync_dir(dir);
}

/// Best effort: some filesystems (and non-Unix systems) cannot open or sync
/// a directory, and the data itself is already synced.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `dir/name`, for a temporary file next to `target`.
pub fn beside(target: &Path, name: &str) -> PathBuf {
    parent_dir(target).join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_belong_to_their_run() {
        let run = RunId::new();
        assert_ne!(run, RunId::new());
        assert_eq!(RunId::parse(run.as_str()), Some(run.clone()));
        let name = run.temp_name(3, "new");
        assert!(
            name.starts_with(".shadowfix-") && name.ends_with("-3.new.tmp"),
            "{name}"
        );
        assert!(run.owns(&name));
        assert!(run.owns(&run.journal_temp_name()));
        assert!(!RunId::new().owns(&name));
        assert!(!run.owns(".shadowfix-journal.json"));
        assert_eq!(stray_journal_run(&run.journal_temp_name()), Some(run));
        assert_eq!(stray_journal_run(".shadowfix-xyz-journal.tmp"), None);
    }

    #[test]
    fn publishing_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let (temp, dest) = (dir.path().join("t"), dir.path().join("d"));
        fs::write(&temp, "new").unwrap();
        fs::write(&dest, "old").unwrap();
        let err = publish_no_clobber(&temp, &dest).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&dest).unwrap(), "old");
        fs::remove_file(&dest).unwrap();
        publish_no_clobber(&temp, &dest).unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
        assert!(!temp.exists());
    }
}
