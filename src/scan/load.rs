//! Loading a tree for analysis: decide what to read for PATH (the whole
//! package when PATH lies inside one, see [`scope`](crate::scan::scope)),
//! walk it, parse every file in parallel with a progress bar on a terminal,
//! and build the class model. A file that could not be read is kept in the
//! loaded tree's list: `scan` reports it and goes on, while a rewrite asks
//! [`LoadedTree::require_complete`] first, since the file could hold a
//! reference the rewrite must update.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use std::sync::Arc;

use crate::scan::analyze::{Analysis, analyze};
use crate::scan::cache::FactCache;
use crate::scan::model::{FileId, Project};
use crate::scan::scope::{self, Scope};
use crate::scan::suppress::{self, Policy};
use crate::scan::walk::{self, SourceInput, WalkError, WalkOptions};

pub struct LoadedTree {
    /// The analysed root: every `rel_path` is relative to it (PATH itself,
    /// or the directory holding the top package PATH lies in).
    pub root: PathBuf,
    pub project: Project,
    /// Files that could not be read: relative path and reason.
    pub unreadable: Vec<(String, String)>,
    /// What the user asked about: findings outside it are not reported.
    pub scope: Scope,
    /// The exact bytes of each path that is not UTF-8 (whose `rel_path`
    /// is a lossy spelling), relative to `root`, for writing the file and
    /// naming it in diffs.
    pub raw_paths: HashMap<FileId, Vec<u8>>,
}

/// Files that were not read, in a tree about to be rewritten: a rename that
/// missed their references would leave the project half renamed.
#[derive(Debug, thiserror::Error)]
#[error("{}", describe_unread(.files))]
pub struct UnreadFiles {
    /// Path relative to the analysed root, and why it was not read.
    pub files: Vec<(String, String)>,
}

fn describe_unread(files: &[(String, String)]) -> String {
    let list: Vec<String> = files.iter().map(|(path, why)| format!("{path} ({why})")).collect();
    if let [one] = list.as_slice() {
        format!(
            "refusing to rewrite: {one} could not be read, and it could hold a reference the fix must \
             update; make it readable (or leave it out with --exclude) and run again; nothing was written"
        )
    } else {
        format!(
            "refusing to rewrite: {} files or directories could not be read, and any of them could hold \
             a reference the fix must update: {}; make them readable (or leave them out with --exclude) and \
             run again; nothing was written",
            list.len(),
            list.join(", ")
        )
    }
}

impl LoadedTree {
    /// Refuses a tree in which some file or directory was not read, binary
    /// files apart (Python cannot run them, so they refer to nothing).
    pub fn require_complete(&self) -> Result<(), UnreadFiles> {
        let files: Vec<(String, String)> = self
            .unreadable
            .iter()
            .filter(|(_, why)| why != walk::BINARY_NOTE)
            .cloned()
            .collect();
        if files.is_empty() {
            Ok(())
        } else {
            Err(UnreadFiles { files })
        }
    }
}

impl LoadedTree {
    /// Detection as the user asked for it: conflicts under PATH only, of
    /// the rules `policy` reports, and without those a `# shadowfix: ignore`
    /// comment suppresses. Returns the analysis and the number of conflicts
    /// left out.
    pub fn analyze(&self, policy: &Policy) -> (Analysis, usize) {
        let analysis = self.scope.restrict(&self.project, analyze(&self.project));
        let (analysis, unselected) = suppress::select(&self.project, analysis, policy);
        let (analysis, suppressed) = suppress::apply(&self.project, analysis);
        (analysis, unselected + suppressed)
    }
}

/// Walks and parses what `path` needs: `path` itself, or the whole package
/// it lies in. The progress bar shows only when stderr is a terminal, so
/// scripts and CI logs stay clean.
pub fn load(path: &Path) -> Result<LoadedTree, WalkError> {
    load_with(path, &LoadOptions::default())
}

/// How to read a tree: what the walk leaves out, and a file's contents
/// given on standard input.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub walk: WalkOptions,
    /// Where parsed facts are cached; None parses every file.
    pub cache: Option<Arc<FactCache>>,
    /// `scan -` with `--stdin-filename NAME`: NAME's contents (the file
    /// need not exist; if it does, its package is read around it).
    pub stdin: Option<(PathBuf, Vec<u8>)>,
}

/// [`load`], with `options`.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<LoadedTree, WalkError> {
    if let Some((name, bytes)) = &options.stdin {
        return load_stdin(name, bytes, &options.walk, options.cache.as_deref());
    }
    let target = scope::locate(path);
    let mut walked = walk::collect_with(&target.walk, &options.walk)?;
    if let Some(prefix) = &target.prefix {
        walked = walked.under(prefix);
    }
    Ok(tree(target, walked, options.cache.as_deref()))
}

/// A file given on standard input: analysed in its package when it names a
/// file on disk (its bytes standing in for the file's), else alone.
fn load_stdin(
    name: &Path,
    bytes: &[u8],
    walk_options: &WalkOptions,
    cache: Option<&FactCache>,
) -> Result<LoadedTree, WalkError> {
    if name.is_file() {
        let target = scope::locate(name);
        let mut walked = walk::collect_with(&target.walk, walk_options)?;
        if let Some(prefix) = &target.prefix {
            walked = walked.under(prefix);
        }
        let rel = target.scope.path().map(str::to_string).unwrap_or_else(|| {
            name.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        });
        if let Some(source) = walked.sources.iter_mut().find(|s| s.rel_path == rel) {
            source.bytes = bytes.to_vec();
        }
        return Ok(tree(target, walked, cache));
    }
    let file_name = name
        .file_name()
        .map_or_else(|| "stdin.py".to_string(), |n| n.to_string_lossy().into_owned());
    let module = file_name.trim_end_matches(".py").to_string();
    let walked = walk::WalkResult {
        sources: vec![SourceInput {
            rel_path: file_name,
            module,
            bytes: bytes.to_vec(),
        }],
        ..walk::WalkResult::default()
    };
    let target = scope::Target {
        root: name.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        walk: name.to_path_buf(),
        prefix: None,
        scope: Scope::everything(),
    };
    Ok(tree(target, walked, cache))
}

/// The loaded tree of a walk.
fn tree(target: scope::Target, walked: walk::WalkResult, cache: Option<&FactCache>) -> LoadedTree {
    let project = build_cached(walked.sources, cache);
    if let Some(cache) = cache
        && cache.stats().2 > 0
    {
        cache.prune();
    }
    // The project keeps the walk's order: source `i` is `FileId(i)`.
    let raw_paths = walked
        .raw_paths
        .into_iter()
        .map(|(i, raw)| (FileId(i as u32), raw))
        .collect();
    LoadedTree {
        root: target.root,
        project,
        unreadable: walked.unreadable,
        scope: target.scope,
        raw_paths,
    }
}

/// Whether a progress bar may show (off with `-q`).
static PROGRESS: AtomicBool = AtomicBool::new(true);

/// Turns the progress bar off (`-q`) or back on.
pub fn show_progress(on: bool) {
    PROGRESS.store(on, Ordering::Relaxed);
}

/// Builds a project from in-memory sources (a git tree, or a rewritten copy).
pub fn build_with_progress(sources: Vec<SourceInput>) -> Project {
    build_cached(sources, None)
}

/// [`build_with_progress`], with facts read from and stored in `cache`.
pub fn build_cached(sources: Vec<SourceInput>, cache: Option<&FactCache>) -> Project {
    let bar = if PROGRESS.load(Ordering::Relaxed) && std::io::stderr().is_terminal() && sources.len() > 200 {
        let bar = ProgressBar::with_draw_target(Some(sources.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} parsing {pos}/{len} files {wide_bar} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let project = Project::build_cached(sources, &|| bar.inc(1), cache);
    bar.finish_and_clear();
    project
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_with(unreadable: &[(&str, &str)]) -> LoadedTree {
        LoadedTree {
            root: PathBuf::from("."),
            project: Project::build(Vec::new()),
            unreadable: unreadable.iter().map(|(p, w)| (p.to_string(), w.to_string())).collect(),
            scope: Scope::everything(),
            raw_paths: HashMap::new(),
        }
    }

    #[test]
    fn only_binary_files_may_stay_unread_in_a_rewrite() {
        assert!(tree_with(&[("blob.py", walk::BINARY_NOTE)]).require_complete().is_ok());
        let big = walk::skip_reason(walk::MAX_FILE_BYTES + 1, &[]).unwrap();
        let err = tree_with(&[("blob.py", walk::BINARY_NOTE), ("table.py", &big)])
            .require_complete()
            .unwrap_err();
        assert_eq!(err.files, [("table.py".to_string(), big)]);
        assert!(err.to_string().contains("--exclude"), "{err}");
        let err = tree_with(&[("locked.py", "Permission denied (os error 13)")])
            .require_complete()
            .unwrap_err();
        assert!(err.to_string().contains("locked.py (Permission denied"), "{err}");
    }
}
