//! What the next run does with a replace that was interrupted (the process
//! killed, the machine down) between two renames, as its journal tells.
//!
//! `apply` finishes it: when every file still holds its original or its new
//! bytes and the new bytes of those not yet replaced are all kept, it rolls
//! forward (renames them into place); when those are not all there (killed
//! while still writing them) it rolls back (renames the saved originals
//! back over the files already replaced). A file that holds neither its
//! original nor its new bytes was edited since: nothing is guessed, the run
//! refuses. Either way it then removes the run's temporary files and the
//! journal. `scan` and `diff` only look, and warn.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use super::files::{self, RunId};
use super::hash::ContentHash;
use super::journal::{Entry, Journal, OpenError};

/// What [`recover`] did.
#[derive(Debug)]
pub struct Recovery {
    pub journal: PathBuf,
    pub total: usize,
    /// Files that had been replaced before the interruption.
    pub replaced_before: Vec<String>,
    pub outcome: Outcome,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The files not yet replaced were replaced now.
    Forward { completed: Vec<String> },
    /// The new contents were not all kept: the files already replaced got
    /// their original contents back.
    Back { restored: Vec<String> },
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "found an interrupted apply ({}): {} of {} file{} had been replaced",
            self.journal.display(),
            self.replaced_before.len(),
            self.total,
            plural(self.total)
        )?;
        match &self.outcome {
            Outcome::Forward { completed } if completed.is_empty() => {
                write!(
                    f,
                    "; finished it: nothing was left to replace, removed its temporary files"
                )
            }
            Outcome::Forward { completed } => {
                write!(f, "; finished it (rolled forward): replaced {}", completed.join(", "))
            }
            Outcome::Back { restored } if restored.is_empty() => write!(
                f,
                "; its new contents were not all written yet, so it was dropped: nothing had changed"
            ),
            Outcome::Back { restored } => write!(
                f,
                "; its new contents were not all written yet, so it was undone (rolled back): restored {} to the original contents",
                restored.join(", ")
            ),
        }
    }
}

/// Why an interrupted replace was neither finished nor undone. Nothing was
/// changed, and the journal and its temporary files are kept.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(
        "another shadowfix is writing this tree right now ({} is locked); wait for it to finish, then run again",
        .0.display()
    )]
    Busy(PathBuf),
    #[error(
        "cannot read {}: {reason}; it was not written by this version of shadowfix or is damaged: check the \
         files it lists (each file's original is kept in the .shadowfix-*.orig.tmp next to it), then delete \
         it; nothing was written",
        .path.display()
    )]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "found an interrupted apply ({}), but {} neither its original nor its new contents (edited since?): \
         {}; shadowfix does not guess: restore {} (the original is kept in the .shadowfix-*.orig.tmp next to \
         each, the journal names it), then delete the journal; nothing was written",
        .journal.display(),
        if .files.len() == 1 { "this file holds" } else { "these files hold" },
        .files.join(", "),
        if .files.len() == 1 { "it" } else { "them" }
    )]
    Diverged { journal: PathBuf, files: Vec<String> },
    #[error(
        "found an interrupted apply ({}), but the copies needed to finish or undo it are missing or damaged: \
         {}; restore the files from version control, then delete the journal; nothing was written",
        .journal.display(),
        .missing.join(", ")
    )]
    Incomplete { journal: PathBuf, missing: Vec<String> },
    #[error(
        "{path}: {reason}, while finishing the interrupted apply of {}; the journal is kept: run again",
        .journal.display()
    )]
    Io {
        journal: PathBuf,
        path: String,
        reason: String,
    },
}

/// A journal found by [`inspect`], for a warning.
#[derive(Debug)]
pub enum Interrupted {
    /// A replace is running right now.
    Busy(PathBuf),
    /// An interrupted replace: how many of its files had been replaced.
    Found {
        journal: PathBuf,
        replaced: usize,
        total: usize,
    },
    Unreadable {
        path: PathBuf,
        reason: String,
    },
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interrupted::Busy(journal) => write!(
                f,
                "a shadowfix apply is writing this tree right now ({} is locked); what is read may be half changed",
                journal.display()
            ),
            Interrupted::Found {
                journal,
                replaced,
                total,
            } => write!(
                f,
                "an interrupted `shadowfix apply` left {}: {replaced} of {total} file{} had been replaced, so the \
                 tree may be half fixed; run `shadowfix apply` on it again to finish that replace before trusting \
                 this output",
                journal.display(),
                plural(*total)
            ),
            Interrupted::Unreadable { path, reason } => write!(
                f,
                "found {} but cannot read it ({reason}); an interrupted apply may have left the tree half fixed",
                path.display()
            ),
        }
    }
}

/// Where each file of the journal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Replaced,
    Pending,
    Neither,
}

fn state(e: &Entry) -> State {
    match files::hash_file(&e.target) {
        Some(h) if h == e.new => State::Replaced,
        Some(h) if h == e.original => State::Pending,
        _ => State::Neither,
    }
}

/// Looks for the journal of an interrupted replace in `dir`, without
/// changing anything.
pub fn inspect(dir: &Path) -> Option<Interrupted> {
    match Journal::open(dir, false) {
        Ok(None) => None,
        Ok(Some(journal)) => Some(Interrupted::Found {
            replaced: journal.entries.iter().filter(|e| state(e) == State::Replaced).count(),
            total: journal.entries.len(),
            journal: journal.path,
        }),
        Err(OpenError::Busy(path)) => Some(Interrupted::Busy(path)),
        Err(OpenError::Unreadable { path, reason }) => Some(Interrupted::Unreadable { path, reason }),
    }
}

/// Finishes (or undoes) the replace an interrupted run left in `dir`, and
/// removes the temporary journals of runs killed before they published
/// theirs. None when there was nothing to recover.
pub fn recover(dir: &Path) -> Result<Option<Recovery>, RecoverError> {
    let journal = match Journal::open(dir, true) {
        Ok(Some(journal)) => journal,
        Ok(None) => {
            sweep_unpublished_journals(dir);
            return Ok(None);
        }
        Err(OpenError::Busy(path)) => return Err(RecoverError::Busy(path)),
        Err(OpenError::Unreadable { path, reason }) => return Err(RecoverError::Unreadable { path, reason }),
    };
    let states: Vec<State> = journal.entries.iter().map(state).collect();
    let show_where = |wanted: State| -> Vec<String> {
        journal
            .entries
            .iter()
            .zip(&states)
            .filter(|(_, s)| **s == wanted)
            .map(|(e, _)| journal.show(&e.target))
            .collect()
    };
    let diverged = show_where(State::Neither);
    if !diverged.is_empty() {
        return Err(RecoverError::Diverged {
            journal: journal.path.clone(),
            files: diverged,
        });
    }
    let replaced_before = show_where(State::Replaced);
    let holds = |path: &Path, hash: ContentHash| files::hash_file(path) == Some(hash);
    let pending: Vec<&Entry> = journal
        .entries
        .iter()
        .zip(&states)
        .filter(|(_, s)| **s == State::Pending)
        .map(|(e, _)| e)
        .collect();
    let replaced: Vec<&Entry> = journal
        .entries
        .iter()
        .zip(&states)
        .filter(|(_, s)| **s == State::Replaced)
        .map(|(e, _)| e)
        .collect();

    let outcome = if pending.iter().all(|e| holds(&e.staged, e.new)) {
        let mut completed = Vec::new();
        for e in &pending {
            // Checked again right before: the file may have been edited
            // since it was classified.
            if !holds(&e.target, e.original) {
                return Err(RecoverError::Diverged {
                    journal: journal.path.clone(),
                    files: vec![journal.show(&e.target)],
                });
            }
            files::replace(&e.staged, &e.target).map_err(|err| io_error(&journal, &e.target, err))?;
            completed.push(journal.show(&e.target));
        }
        // Backups the run had not made yet; one there already is kept.
        for e in &journal.entries {
            if let Some((to, staged)) = &e.backup
                && staged.exists()
            {
                let _ = files::publish_no_clobber(staged, to);
            }
        }
        Outcome::Forward { completed }
    } else if replaced.iter().all(|e| holds(&e.saved, e.original)) {
        let mut restored = Vec::new();
        for e in &replaced {
            if !holds(&e.target, e.new) {
                return Err(RecoverError::Diverged {
                    journal: journal.path.clone(),
                    files: vec![journal.show(&e.target)],
                });
            }
            files::replace(&e.saved, &e.target).map_err(|err| io_error(&journal, &e.target, err))?;
            restored.push(journal.show(&e.target));
        }
        Outcome::Back { restored }
    } else {
        let mut missing: Vec<String> = pending
            .iter()
            .filter(|e| !holds(&e.staged, e.new))
            .map(|e| format!("the new contents of {}", journal.show(&e.target)))
            .collect();
        missing.extend(
            replaced
                .iter()
                .filter(|e| !holds(&e.saved, e.original))
                .map(|e| format!("the original of {}", journal.show(&e.target))),
        );
        return Err(RecoverError::Incomplete {
            journal: journal.path.clone(),
            missing,
        });
    };
    let recovery = Recovery {
        journal: journal.path.clone(),
        total: journal.entries.len(),
        replaced_before,
        outcome,
    };
    discard(journal).map_err(|(journal, path, err)| RecoverError::Io {
        journal,
        path,
        reason: err.to_string(),
    })?;
    Ok(Some(recovery))
}

fn io_error(journal: &Journal, path: &Path, err: std::io::Error) -> RecoverError {
    RecoverError::Io {
        journal: journal.path.clone(),
        path: journal.show(path),
        reason: err.to_string(),
    }
}

/// Removes every temporary file of the journal's run (in the directories of
/// its files and its own), then the journal.
pub fn discard(journal: Journal) -> Result<(), (PathBuf, String, std::io::Error)> {
    let mut dirs: Vec<PathBuf> = vec![journal.dir.clone()];
    for e in &journal.entries {
        let dir = files::parent_dir(&e.target).to_path_buf();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for dir in &dirs {
        files::sweep(dir, &journal.run);
    }
    let path = journal.path.clone();
    journal
        .remove()
        .map_err(|err| (path.clone(), path.display().to_string(), err))
}

/// Removes the journals, in `dir`, that a run wrote but was killed before
/// it published them (`.shadowfix-<run>-journal.tmp`, no longer locked):
/// such a run had not made any other file yet.
fn sweep_unpublished_journals(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Some(run): Option<RunId> = entry.file_name().to_str().and_then(files::stray_journal_run) else {
            continue;
        };
        let path = entry.path();
        let unlocked = fs::File::open(&path).is_ok_and(|f| f.try_lock().is_ok());
        if unlocked {
            files::sweep(dir, &run);
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_a_run_killed_before_it_published_its_journal_were_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (dead, live) = (RunId::new(), RunId::new());
        for name in [
            dead.journal_temp_name(),
            dead.temp_name(0, "new"),
            live.temp_name(0, "new"),
        ] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        // A run still writing its journal holds the lock on it.
        let live_journal = fs::File::create(dir.path().join(live.journal_temp_name())).unwrap();
        live_journal.lock().unwrap();
        fs::write(dir.path().join(".shadowfix-notes.tmp"), "not ours").unwrap();

        assert!(recover(dir.path()).unwrap().is_none());
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want = vec![
            ".shadowfix-notes.tmp".to_string(),
            live.journal_temp_name(),
            live.temp_name(0, "new"),
        ];
        want.sort();
        assert_eq!(left, want);
    }
}
