//! The journal of a multi-file replace: `<root>/.shadowfix-journal.json`,
//! published (complete, synced, locked) before the first temporary file is
//! made and removed after the last rename. For each file it records the
//! path, the hashes of the original and the new bytes, and the temporary
//! files next to it that hold the new bytes and a saved copy of the
//! original, so that a run killed between two renames can be finished or
//! undone by the next one.
//!
//! The writer holds an exclusive lock on the journal for as long as it
//! runs, so another run tells a live replace (locked) from an interrupted
//! one (not locked). The journal is written under a temporary name and then
//! hard-linked into place, so nobody ever reads half a journal and two runs
//! cannot both publish one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{self, RunId};
use super::hash::ContentHash;

/// The journal's file name in the tree root.
pub const JOURNAL_NAME: &str = ".shadowfix-journal.json";

/// The format's version, in the `shadowfix_journal` field.
const VERSION: u32 = 1;

/// One file of the replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file replaced (symlinks resolved).
    pub target: PathBuf,
    pub original: ContentHash,
    pub new: ContentHash,
    /// Holds the new bytes until renamed over `target`.
    pub staged: PathBuf,
    /// Holds the original bytes, with the original's owner and mode, until
    /// the replace is complete (or renamed back over `target` to undo it).
    pub saved: PathBuf,
    /// With `--backup`: the backup's path, and the temporary file that
    /// becomes it.
    pub backup: Option<(PathBuf, PathBuf)>,
}

/// A journal this process holds the lock of.
#[derive(Debug)]
pub struct Journal {
    pub path: PathBuf,
    /// The directory holding it, canonical; journal paths are relative to
    /// it where they can be.
    pub dir: PathBuf,
    pub run: RunId,
    pub entries: Vec<Entry>,
    /// Open, and locked, until the journal is removed or dropped.
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{} exists", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Another process holds the lock: its replace is still running.
    #[error("{} is locked by a running shadowfix", .0.display())]
    Busy(PathBuf),
    /// Not a journal this version can read.
    #[error("cannot read {}: {reason}", .path.display())]
    Unreadable { path: PathBuf, reason: String },
}

impl Journal {
    /// Publishes a journal of `entries` in `dir`, locked; fails with
    /// [`CreateError::Exists`] when one is there already.
    pub fn create(dir: &Path, run: &RunId, entries: Vec<Entry>) -> Result<Journal, CreateError> {
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CreateError::Io { path, source }
        };
        let dir = fs::canonicalize(dir).map_err(io_err(dir))?;
        let path = dir.join(JOURNAL_NAME);
        let text = serde_json::to_vec_pretty(&to_repr(&dir, run, &entries)).map_err(|e| CreateError::Io {
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        let temp = dir.join(run.journal_temp_name());
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(io_err(&temp))?;
        let written = file
            .lock()
            .and_then(|()| file.write_all(&text))
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all());
        if let Err(source) = written {
            let _ = fs::remove_file(&temp);
            return Err(CreateError::Io { path: temp, source });
        }
        if let Err(source) = files::publish_no_clobber(&temp, &path) {
            let _ = fs::remove_file(&temp);
            return Err(if source.kind() == io::ErrorKind::AlreadyExists {
                CreateError::Exists(path)
            } else {
                CreateError::Io { path, source }
            });
        }
        Ok(Journal {
            path,
            dir,
            run: run.clone(),
            entries,
            _file: file,
        })
    }

    /// The journal in `dir`, if there is one, locked (exclusively, to finish
    /// or undo it; shared, to look at it).
    pub fn open(dir: &Path, exclusive: bool) -> Result<Option<Journal>, OpenError> {
        let dir = match fs::canonicalize(dir) {
            Ok(dir) => dir,
            Err(_) => return Ok(None),
        };
        let path = dir.join(JOURNAL_NAME);
        let unreadable = |reason: String| OpenError::Unreadable {
            path: path.clone(),
            reason,
        };
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(e.to_string())),
        };
        let locked = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match locked {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(OpenError::Busy(path)),
            Err(fs::TryLockError::Error(e)) => return Err(unreadable(e.to_string())),
        }
        // Between our open and our lock its writer may have finished and
        // removed it: then there is nothing to recover.
        if !same_file(&file, &path) {
            return Ok(None);
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|e| unreadable(e.to_string()))?;
        let repr: Repr = serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
        let (run, entries) = from_repr(&dir, repr).map_err(unreadable)?;
        Ok(Some(Journal {
            path,
            dir,
            run,
            entries,
            _file: file,
        }))
    }

    /// Removes the journal (the lock goes with it).
    pub fn remove(self) -> io::Result<()> {
        files::remove_if_exists(&self.path)?;
        files::sync_dir(&self.dir);
        Ok(())
    }

    /// `path` for messages: relative to the journal's directory when it
    /// lies under it.
    pub fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir).unwrap_or(path).display().to_string()
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

// ---- The JSON form ----------------------------------------------------------

#[derive(Serialize, Deserialize)]
struct Repr {
    shadowfix_journal: u32,
    run: String,
    /// Who wrote it, for a person reading the journal.
    pid: u32,
    files: Vec<EntryRepr>,
}

#[derive(Serialize, Deserialize)]
struct EntryRepr {
    /// Relative to the journal's directory, or absolute when outside it.
    path: PathRepr,
    original: String,
    new: String,
    /// File names in `path`'s directory.
    staged: String,
    saved: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    backup: Option<BackupRepr>,
}

#[derive(Serialize, Deserialize)]
struct BackupRepr {
    path: PathRepr,
    staged: String,
}

/// A path as a JSON string, or as its bytes when it is not UTF-8.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum PathRepr {
    Text(String),
    Bytes { bytes: Vec<u8> },
}

fn to_repr(dir: &Path, run: &RunId, entries: &[Entry]) -> Repr {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    Repr {
        shadowfix_journal: VERSION,
        run: run.as_str().to_string(),
        pid: std::process::id(),
        files: entries
            .iter()
            .map(|e| EntryRepr {
                path: path_repr(e.target.strip_prefix(dir).unwrap_or(&e.target)),
                original: e.original.to_string(),
                new: e.new.to_string(),
                staged: name(&e.staged),
                saved: name(&e.saved),
                backup: e.backup.as_ref().map(|(to, staged)| BackupRepr {
                    path: path_repr(to.strip_prefix(dir).unwrap_or(to)),
                    staged: name(staged),
                }),
            })
            .collect(),
    }
}

fn from_repr(dir: &Path, repr: Repr) -> Result<(RunId, Vec<Entry>), String> {
    if repr.shadowfix_journal != VERSION {
        return Err(format!(
            "format version {} (this shadowfix reads version {VERSION})",
            repr.shadowfix_journal
        ));
    }
    let run = RunId::parse(&repr.run).ok_or_else(|| format!("bad run id {:?}", repr.run))?;
    let hash = |hex: &str| ContentHash::parse(hex).ok_or_else(|| format!("bad hash {hex:?}"));
    // Only names of this run's temporary files: a damaged or crafted
    // journal must not make recovery rename or delete anything else.
    let temp = |target: &Path, name: &str| {
        if run.owns(name) && !name.contains('/') {
            Ok(files::beside(target, name))
        } else {
            Err(format!("bad temporary file name {name:?}"))
        }
    };
    let mut entries = Vec::with_capacity(repr.files.len());
    for f in repr.files {
        let target = dir.join(path_from_repr(f.path)?);
        let backup = match f.backup {
            Some(b) => {
                let to = dir.join(path_from_repr(b.path)?);
                let staged = temp(&to, &b.staged)?;
                Some((to, staged))
            }
            None => None,
        };
        entries.push(Entry {
            original: hash(&f.original)?,
            new: hash(&f.new)?,
            staged: temp(&target, &f.staged)?,
            saved: temp(&target, &f.saved)?,
            target,
            backup,
        });
    }
    Ok((run, entries))
}

fn path_repr(path: &Path) -> PathRepr {
    match path.to_str() {
        Some(s) => PathRepr::Text(s.to_string()),
        None => PathRepr::Bytes {
            bytes: path_bytes(path),
        },
    }
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

fn path_from_repr(repr: PathRepr) -> Result<PathBuf, String> {
    match repr {
        PathRepr::Text(s) => Ok(PathBuf::from(s)),
        #[cfg(unix)]
        PathRepr::Bytes { bytes } => {
            use std::os::unix::ffi::OsStringExt;
            Ok(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
        }
        #[cfg(not(unix))]
        PathRepr::Bytes { bytes } => String::from_utf8(bytes)
            .map(PathBuf::from)
            .map_err(|_| "a path that is not Unicode".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dir: &Path, run: &RunId, name: &[u8], i: usize) -> Entry {
        #[cfg(unix)]
        let name = {
            use std::os::unix::ffi::OsStrExt;
            std::ffi::OsStr::from_bytes(name).to_owned()
        };
        #[cfg(not(unix))]
        let name = String::from_utf8_lossy(name).into_owned();
        let target = dir.join("pkg").join(name);
        Entry {
            staged: files::beside(&target, &run.temp_name(i, "new")),
            saved: files::beside(&target, &run.temp_name(i, "orig")),
            backup: Some((
                PathBuf::from(format!("{}.orig", target.display())),
                files::beside(&target, &run.temp_name(i, "bak")),
            )),
            original: ContentHash::of(b"old"),
            new: ContentHash::of(b"new"),
            target,
        }
    }

    #[test]
    fn a_journal_reads_back_what_was_written_and_is_locked_meanwhile() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = fs::canonicalize(tmp.path()).unwrap();
        let run = RunId::new();
        let entries = vec![entry(&dir, &run, b"a.py", 0), entry(&dir, &run, b"caf\xe9.py", 1)];
        let journal = Journal::create(&dir, &run, entries.clone()).unwrap();
        assert!(matches!(Journal::open(&dir, true), Err(OpenError::Busy(_))));
        assert!(matches!(Journal::open(&dir, false), Err(OpenError::Busy(_))));
        assert!(matches!(
            Journal::create(&dir, &RunId::new(), entries.clone()),
            Err(CreateError::Exists(_))
        ));
        let text = fs::read_to_string(&journal.path).unwrap();
        assert!(text.contains("\"path\": \"pkg/a.py\""), "{text}");
        // The journal's own temporary name is gone once published.
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [JOURNAL_NAME]);
        // As after a crash: the lock goes with the process's descriptor.
        drop(journal);
        let read = Journal::open(&dir, true).unwrap().unwrap();
        assert_eq!(read.run, run);
        assert_eq!(read.entries, entries);
        read.remove().unwrap();
        assert!(Journal::open(&dir, true).unwrap().is_none());
    }

    #[test]
    fn a_journal_naming_files_not_its_own_is_unreadable() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = fs::canonicalize(tmp.path()).unwrap();
        let run = RunId::new();
        let journal = Journal::create(&dir, &run, vec![entry(&dir, &run, b"a.py", 0)]).unwrap();
        let path = journal.path.clone();
        drop(journal);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace(&run.temp_name(0, "new"), "../../etc/passwd")).unwrap();
        let err = Journal::open(&dir, true).unwrap_err();
        assert!(err.to_string().contains("bad temporary file name"), "{err}");
        fs::write(
            &path,
            "{\"shadowfix_journal\": 9, \"run\": \"x\", \"pid\": 1, \"files\": []}",
        )
        .unwrap();
        let err = Journal::open(&dir, true).unwrap_err();
        assert!(err.to_string().contains("format version 9"), "{err}");
    }
}
