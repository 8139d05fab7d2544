//! Git plumbing for `shadowfix commit`, all through libgit2 and never through
//! a work tree: open a repository (work tree, detached HEAD or bare), resolve
//! a base revision, read the Python sources of its tree, write the rewritten
//! blobs and tree, create the commit and its branch, and push that branch.
//! The working tree, the index and HEAD are never read nor written, so the
//! command is safe on a dirty checkout and in a bare mirror. It also owns
//! what git itself would decide for a commit: author and committer from the
//! config and the `GIT_*` variables (libgit2 reads neither the variables nor
//! their dates), branch names, `Key: value` trailers and a Gerrit Change-Id.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{
    BranchType, Commit, FileMode, ObjectType, Oid, PushOptions, RemoteCallbacks, Repository, RepositoryOpenFlags, Tree,
    TreeWalkMode, TreeWalkResult,
};
use thiserror::Error;

use crate::deliver::unidiff::quote_path;
use crate::scan::{self, SourceInput};

mod identity;

pub use identity::{Identities, identities, parse_date, signature};

#[derive(Debug, Error)]
pub enum GitError {
    #[error(
        "cannot open a git repository at {path}: {reason}; pass --repo with a repository's work tree or git directory"
    )]
    Open { path: PathBuf, reason: String },
    #[error(
        "cannot resolve base revision `{rev}`: {reason}; give a branch, tag or commit that exists in the repository (see `git branch -a`)"
    )]
    Revision { rev: String, reason: String },
    #[error("cannot read {what} from the base tree: {reason}; check the repository with `git fsck`")]
    Read { what: String, reason: String },
    #[error("cannot write {what} into the repository: {reason}; check that its object database is writable")]
    Write { what: String, reason: String },
    #[error("`{name}` is not a valid branch name; pass --branch with a name `git check-ref-format --branch` accepts")]
    InvalidBranch { name: String },
    #[error(
        "branch {branch} already exists (at {target}); nothing was changed: pass --force to replace it, or --branch to choose another name"
    )]
    BranchExists { branch: String, target: String },
    #[error(
        "cannot create branch {branch}: branch {other} exists, and git cannot hold both `a/b` and `a/b/c`; rename or delete {other} (`git branch -m`), or pass --branch to choose another name"
    )]
    BranchBlocked { branch: String, other: String },
    #[error("cannot create branch {branch}: {reason}")]
    Branch { branch: String, reason: String },
    #[error(
        "no {role} {field} configured: set one with `git config user.{field} \"...\"` (add --global for every repository), or set GIT_{env}_{upper}"
    )]
    NoIdentity {
        role: &'static str,
        field: &'static str,
        env: &'static str,
        upper: &'static str,
    },
    #[error("{var}={value:?} is not a date: use `@<unix seconds> +hhmm`, `<unix seconds> +hhmm`, RFC 2822 or ISO 8601")]
    BadDate { var: &'static str, value: String },
    #[error("invalid {what} `{value}`: {reason}")]
    BadSignature {
        what: &'static str,
        value: String,
        reason: String,
    },
    #[error(
        "invalid trailer {value:?}: expected `Key: value`, the key made of letters, digits and `-` (e.g. `Closes-Bug: #1432345`)"
    )]
    BadTrailer { value: String },
    #[error("no remote named `{remote}` and no repository at that path; see `git remote -v`, or give a URL or path")]
    NoRemote { remote: String },
    #[error(
        "pushing {branch} to {remote} failed: {reason}; this build has no https or ssh transport and asks for no credentials, so push such remotes with `git push {remote} {branch}`"
    )]
    Push {
        remote: String,
        branch: String,
        reason: String,
    },
    #[error(
        "{remote} rejected {branch}: {status}; pass --force to replace the remote branch, or --branch to choose another name"
    )]
    PushRejected {
        remote: String,
        branch: String,
        status: String,
    },
}

/// Opens the repository at or above `path`: a work tree (HEAD on a branch or
/// detached) or a bare repository.
///
/// `FROM_ENV` makes libgit2 read the config the way git does, honouring
/// `GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL` and `GIT_CONFIG_SYSTEM`, so the
/// identity shadowfix commits with is the one `git commit` would use.
pub fn open(path: &Path) -> Result<Repository, GitError> {
    Repository::open_ext(path, RepositoryOpenFlags::FROM_ENV, &[] as &[&OsStr]).map_err(|source| GitError::Open {
        path: path.to_path_buf(),
        reason: source.message().to_string(),
    })
}

/// The commit a base revision names.
pub fn resolve_commit<'r>(repo: &'r Repository, rev: &str) -> Result<Commit<'r>, GitError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|source| GitError::Revision {
            rev: rev.to_string(),
            reason: source.message().to_string(),
        })
}

/// The short name of a base revision for branch and directory names: the
/// rev as given without `refs/heads/`, `refs/tags/`, `refs/remotes/<r>/`,
/// `remotes/<r>/` or `<remote>/` (`origin/stable/kilo` -> `stable/kilo`),
/// `/` kept, and characters a ref name cannot hold (`stable/kilo~1`)
/// replaced by `-`.
pub fn base_short_name(rev: &str, remotes: &[String]) -> String {
    let mut s = rev;
    for prefix in ["refs/heads/", "refs/tags/"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest;
        }
    }
    for prefix in ["refs/remotes/", "remotes/"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            // The remote name is the next component.
            s = rest.split_once('/').map_or(rest, |(_, branch)| branch);
        }
    }
    // The longest remote name first: `origin` must not eat `origin-mirror/x`.
    let mut by_len: Vec<&String> = remotes.iter().collect();
    by_len.sort_by_key(|r| std::cmp::Reverse(r.len()));
    for r in by_len {
        if let Some(rest) = s.strip_prefix(r.as_str()).and_then(|x| x.strip_prefix('/'))
            && !rest.is_empty()
        {
            s = rest;
            break;
        }
    }
    let mut out = String::new();
    for c in s.chars() {
        let bad = c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\' | '@' | '{' | '}');
        if bad {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    let out = out
        .trim_matches(|c| c == '-' || c == '/' || c == '.')
        .replace("..", "-")
        .replace("//", "/");
    if out.is_empty() { "base".into() } else { out }
}

/// The repository's remote names (for [`base_short_name`]).
pub fn remote_names(repo: &Repository) -> Vec<String> {
    repo.remotes()
        .map(|a| a.iter().flatten().flatten().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The default branch: `shadowfix/<id>[+<id>...]`.
pub fn default_branch(recipe_ids: &[&str]) -> String {
    format!("shadowfix/{}", recipe_ids.join("+"))
}

pub fn check_branch_name(name: &str) -> Result<(), GitError> {
    if git2::Branch::name_is_valid(name).unwrap_or(false) {
        Ok(())
    } else {
        Err(GitError::InvalidBranch { name: name.to_string() })
    }
}

/// The Python sources of a tree, and the mode of each, so a rewritten file
/// keeps its executable bit.
pub struct TreeSources {
    pub sources: Vec<SourceInput>,
    pub modes: HashMap<String, FileMode>,
    /// `.py` files and directories that were not read, with why: a name
    /// that is not UTF-8 (a rewrite of this tree must refuse), or a blob
    /// skipped as the walk skips files (binary, too large).
    pub unread: Vec<(String, String)>,
}

/// The bytes of the regular file at `path` in `tree`, if there is one
/// (a project's setup.cfg, say).
pub fn read_file(repo: &Repository, tree: &Tree<'_>, path: &str) -> Option<Vec<u8>> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    if entry.kind() != Some(ObjectType::Blob) {
        return None;
    }
    Some(repo.find_blob(entry.id()).ok()?.content().to_vec())
}

/// Reads every `.py` blob of `tree` and names its module from the
/// `__init__.py` chain inside the tree. Symlinks and submodules are skipped:
/// a link's blob is its target path, and a submodule's files are not in this
/// tree. As in the walk, a symlinked `__init__.py` still makes a package,
/// and a binary or oversized file is skipped (see [`scan::skip_reason`]).
/// A `.py` file or a directory whose name is not UTF-8 is not read but
/// listed in `unread`, so that the caller refuses to rewrite a tree it has
/// not seen whole.
pub fn read_sources(repo: &Repository, tree: &Tree<'_>) -> Result<TreeSources, GitError> {
    let mut found: Vec<(String, Oid, FileMode)> = Vec::new();
    let mut packages: HashSet<String> = HashSet::new();
    let mut unread: Vec<(String, String)> = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let Ok(name) = entry.name() else {
            // libgit2's walk cannot even enter a directory of such a name
            // (its path is handed over as UTF-8), and a file's path could
            // not be named in the rewrite: list both, skip them.
            let raw = entry.name_bytes();
            let is_dir = entry.kind() == Some(ObjectType::Tree);
            let lossy = String::from_utf8_lossy(raw);
            if !scan::is_skipped(&lossy, is_dir) && (is_dir || raw.ends_with(b".py")) {
                // Named as `git ls-tree` names it, octal escapes and all.
                unread.push((
                    quote_path(&[dir.as_bytes(), raw].concat()),
                    "its name is not UTF-8, which commit cannot read".to_string(),
                ));
            }
            return TreeWalkResult::Skip;
        };
        let is_dir = entry.kind() == Some(ObjectType::Tree);
        if scan::is_skipped(name, is_dir) {
            return TreeWalkResult::Skip;
        }
        if is_dir || !name.ends_with(".py") {
            return TreeWalkResult::Ok;
        }
        let mode = match entry.filemode_raw() {
            0o100755 => Some(FileMode::BlobExecutable),
            0o100644 => Some(FileMode::Blob),
            0o100664 => Some(FileMode::BlobGroupWritable),
            // 0o120000 a symlink, 0o160000 a submodule.
            _ => None,
        };
        if name == "__init__.py" && (mode.is_some() || entry.filemode_raw() == 0o120000) {
            // `dir` is `a/b/` (or empty at the root); packages are `a/b`.
            packages.insert(dir.trim_end_matches('/').to_string());
        }
        if let Some(mode) = mode {
            found.push((format!("{dir}{name}"), entry.id(), mode));
        }
        TreeWalkResult::Ok
    })
    .map_err(|source| GitError::Read {
        what: "the tree".into(),
        reason: source.message().to_string(),
    })?;

    let is_package_dir = |dir: &str| packages.contains(dir);
    let mut sources = Vec::with_capacity(found.len());
    let mut modes = HashMap::with_capacity(found.len());
    found.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, oid, mode) in found {
        let blob = repo.find_blob(oid).map_err(|source| GitError::Read {
            what: path.clone(),
            reason: source.message().to_string(),
        })?;
        if let Some(reason) = scan::skip_reason(blob.size(), blob.content()) {
            unread.push((path, reason));
            continue;
        }
        let module = scan::module_name(&path, &is_package_dir, "");
        sources.push(SourceInput {
            rel_path: path.clone(),
            module,
            bytes: blob.content().to_vec(),
        });
        modes.insert(path, mode);
    }
    unread.sort();
    Ok(TreeSources { sources, modes, unread })
}

/// Writes each changed file as a blob and the trees above it, starting from
/// `base`; returns the new root tree.
pub fn write_tree(
    repo: &Repository,
    base: &Tree<'_>,
    modes: &HashMap<String, FileMode>,
    changes: &[(&str, &[u8])],
) -> Result<Oid, GitError> {
    let mut update = TreeUpdateBuilder::new();
    for (path, bytes) in changes {
        let blob = repo.blob(bytes).map_err(|source| GitError::Write {
            what: path.to_string(),
            reason: source.message().to_string(),
        })?;
        update.upsert(*path, blob, modes.get(*path).copied().unwrap_or(FileMode::Blob));
    }
    update.create_updated(repo, base).map_err(|source| GitError::Write {
        what: "the new tree".into(),
        reason: source.message().to_string(),
    })
}

/// Parses `--trailer 'Key: value'`.
pub fn parse_trailer(s: &str) -> Result<(String, String), GitError> {
    let bad = || GitError::BadTrailer { value: s.to_string() };
    let (key, value) = s.split_once(':').ok_or_else(bad)?;
    let (key, value) = (key.trim(), value.trim());
    let key_ok = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && key.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !key_ok || value.is_empty() || value.contains('\n') {
        return Err(bad());
    }
    Ok((key.to_string(), value.to_string()))
}

/// A Gerrit `Change-Id` value (`I` and 40 hex digits), deterministic for the
/// same base, change and subject, so rerunning on the same base updates the
/// same Gerrit change instead of opening a new one.
pub fn change_id(base: Oid, tree: Oid, subject: &str) -> String {
    let data = format!("base {base}\ntree {tree}\nsubject {subject}\n");
    // Hashing cannot fail for an in-memory blob; the zero id is unreachable.
    let oid = Oid::hash_object(ObjectType::Blob, data.as_bytes()).unwrap_or(Oid::ZERO_SHA1);
    format!("I{oid}")
}

/// Refuses to go on when `branch` exists and `force` is not set, or when a
/// branch of another name blocks it, so nothing is written for a commit
/// that would not get its branch.
pub fn ensure_branch_free(repo: &Repository, branch: &str, force: bool) -> Result<(), GitError> {
    // Git stores `a/b` as a file and `a/b/c` under a directory of the same
    // name, so one blocks the other; --force cannot help with that.
    let mut prefix = String::new();
    for part in branch.split('/') {
        if !prefix.is_empty() {
            if repo.find_branch(&prefix, BranchType::Local).is_ok() {
                return Err(GitError::BranchBlocked {
                    branch: branch.to_string(),
                    other: prefix,
                });
            }
            prefix.push('/');
        }
        prefix.push_str(part);
    }
    let below = format!("refs/heads/{branch}/*");
    if let Some(other) = repo
        .references_glob(&below)
        .ok()
        .and_then(|mut refs| refs.names().flatten().next().map(str::to_string))
    {
        let other = other.trim_start_matches("refs/heads/").to_string();
        return Err(GitError::BranchBlocked {
            branch: branch.to_string(),
            other,
        });
    }
    if force {
        return Ok(());
    }
    match repo.find_branch(branch, BranchType::Local) {
        Ok(existing) => {
            let target = existing
                .get()
                .target()
                .map_or_else(|| "a symbolic ref".into(), |o| o.to_string());
            Err(GitError::BranchExists {
                branch: branch.to_string(),
                target,
            })
        }
        Err(_) => Ok(()),
    }
}

/// Creates the commit (parent `base`, no ref updated, so HEAD and the index
/// stay as they are) and points `branch` at it.
pub fn commit_on_branch(
    repo: &Repository,
    base: &Commit<'_>,
    tree: Oid,
    message: &str,
    who: &Identities,
    branch: &str,
    force: bool,
) -> Result<Oid, GitError> {
    let author = signature(&who.author, "author")?;
    let committer = signature(&who.committer, "committer")?;
    let tree = repo.find_tree(tree).map_err(|source| GitError::Write {
        what: "the new tree".into(),
        reason: source.message().to_string(),
    })?;
    let oid = repo
        .commit(None, &author, &committer, message, &tree, &[base])
        .map_err(|source| GitError::Write {
            what: "the commit".into(),
            reason: source.message().to_string(),
        })?;
    let commit = repo.find_commit(oid).map_err(|source| GitError::Write {
        what: "the commit".into(),
        reason: source.message().to_string(),
    })?;
    match repo.branch(branch, &commit, force) {
        Ok(_) => Ok(oid),
        Err(source) => {
            // Created meanwhile by someone else: the same refusal as before
            // writing. Anything else (a `shadowfix/x` branch where
            // `shadowfix/x/stable/a` should go, the checked-out branch with
            // --force) keeps libgit2's own words.
            let existing = repo
                .find_branch(branch, BranchType::Local)
                .ok()
                .and_then(|b| b.get().target());
            match existing {
                Some(target) if source.code() == git2::ErrorCode::Exists && !force => Err(GitError::BranchExists {
                    branch: branch.to_string(),
                    target: target.to_string(),
                }),
                _ => Err(GitError::Branch {
                    branch: branch.to_string(),
                    reason: source.message().to_string(),
                }),
            }
        }
    }
}

/// Pushes `refs/heads/<branch>` to the same name on `remote`, a configured
/// remote's name or a URL / path (local paths work without any transport
/// feature). A rejection by the remote is an error, not a silent no-op.
pub fn push(repo: &Repository, remote: &str, branch: &str, force: bool) -> Result<(), GitError> {
    let mut r = match repo.find_remote(remote) {
        Ok(r) => r,
        Err(_) => {
            let looks_like_url = remote.contains("://") || remote.contains(':') || Path::new(remote).exists();
            if !looks_like_url {
                return Err(GitError::NoRemote {
                    remote: remote.to_string(),
                });
            }
            repo.remote_anonymous(remote).map_err(|source| GitError::Push {
                remote: remote.to_string(),
                branch: branch.to_string(),
                reason: source.message().to_string(),
            })?
        }
    };
    let refspec = format!(
        "{}refs/heads/{branch}:refs/heads/{branch}",
        if force { "+" } else { "" }
    );
    let rejected: RefCell<Option<String>> = RefCell::new(None);
    {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.push_update_reference(|_refname, status| {
            if let Some(status) = status {
                *rejected.borrow_mut() = Some(status.to_string());
            }
            Ok(())
        });
        let mut opts = PushOptions::new();
        opts.remote_callbacks(callbacks);
        r.push(&[refspec.as_str()], Some(&mut opts)).map_err(|source| {
            // libgit2 checks fast-forward itself, before the remote sees it.
            if source.code() == git2::ErrorCode::NotFastForward {
                GitError::PushRejected {
                    remote: remote.to_string(),
                    branch: branch.to_string(),
                    status: source.message().to_string(),
                }
            } else {
                GitError::Push {
                    remote: remote.to_string(),
                    branch: branch.to_string(),
                    reason: source.message().to_string(),
                }
            }
        })?;
    }
    match rejected.into_inner() {
        Some(status) => Err(GitError::PushRejected {
            remote: remote.to_string(),
            branch: branch.to_string(),
            status,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary `.py` blob is skipped as the walk skips a binary file.
    #[test]
    fn read_sources_skips_binary_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        for (name, bytes) in [
            ("a.py", &b"class A(object):\n    pass\n"[..]),
            ("blob.py", b"\x7fELF\x02\x01\x01\x00"),
        ] {
            let oid = repo.blob(bytes).unwrap();
            builder.insert(name, oid, 0o100644).unwrap();
        }
        let tree = repo.find_tree(builder.write().unwrap()).unwrap();
        let read = read_sources(&repo, &tree).unwrap();
        let paths: Vec<&str> = read.sources.iter().map(|s| s.rel_path.as_str()).collect();
        assert_eq!(paths, ["a.py"]);
        assert_eq!(
            read.unread,
            [("blob.py".to_string(), "binary file (NUL byte), skipped".to_string())]
        );
    }

    #[test]
    fn trailers() {
        assert_eq!(
            parse_trailer("Closes-Bug: #1").unwrap(),
            ("Closes-Bug".into(), "#1".into())
        );
        assert_eq!(parse_trailer("Key:value").unwrap(), ("Key".into(), "value".into()));
        assert!(parse_trailer("no colon").is_err());
        assert!(parse_trailer("Two words: x").is_err());
        assert!(parse_trailer("Key: ").is_err());
        assert!(parse_trailer(": x").is_err());
    }

    #[test]
    fn short_names() {
        let remotes = vec!["origin".to_string(), "origin-mirror".to_string()];
        assert_eq!(base_short_name("refs/heads/stable/kilo", &remotes), "stable/kilo");
        assert_eq!(base_short_name("origin/stable/kilo", &remotes), "stable/kilo");
        assert_eq!(base_short_name("origin-mirror/stable/kilo", &remotes), "stable/kilo");
        assert_eq!(base_short_name("refs/remotes/upstream/master", &remotes), "master");
        assert_eq!(base_short_name("refs/tags/2015.1.0", &remotes), "2015.1.0");
        assert_eq!(base_short_name("stable/kilo~1", &remotes), "stable/kilo-1");
        assert_eq!(base_short_name("HEAD", &remotes), "HEAD");
    }

    #[test]
    fn change_id_is_deterministic() {
        let a = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
        let b = Oid::from_str("2222222222222222222222222222222222222222").unwrap();
        let one = change_id(a, b, "subject");
        assert_eq!(one, change_id(a, b, "subject"));
        assert_ne!(one, change_id(b, a, "subject"));
        assert_eq!(one.len(), 41);
        assert!(one.starts_with('I'));
    }
}
