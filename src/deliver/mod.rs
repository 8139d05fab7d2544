//! The deliver stage: where a verified fix leaves shadowfix.
//!
//! It takes the fix stage's changed files (old and new bytes, relative
//! paths) and the words about them, and hands the fix over in one of these
//! forms, each its own module: `unidiff` (the dry-run diff that `git apply`
//! and `patch -p1` take), `write` (the in-place edit: atomic, all or
//! nothing, never over an edit made meanwhile, and journaled so that the
//! next run finishes a replace a crash cut short), `git` (a commit per base
//! revision made with git2, pushed on
//! request), `patchfile` (a `git format-patch` file), `rpm` (the macros for
//! an RPM `%prep` hook); `message` words the commit message and the pull
//! request text.
//!
//! This is the only stage that writes files, git objects or refs. It does
//! not parse Python or decide what to change: the bytes it writes are the
//! ones the fix stage verified.

pub mod git;
pub mod message;
pub mod patchfile;
pub mod rpm;
pub mod unidiff;
pub mod write;
