//! Why a replace did not happen, or did not complete, in words that say
//! what to do next. Every message names the file it is about and ends by
//! saying what was changed: nothing, or exactly which files were restored
//! and which could not be (and then that the next `apply` finishes the
//! replace from its journal).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

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
