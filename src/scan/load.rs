//! Loading a tree for analysis: walk PATH, parse every file in parallel with
//! a progress bar on a terminal, and build the class model.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scan::model::Project;
use crate::scan::walk::{self, SourceInput, WalkError};

pub struct LoadedTree {
    pub root: PathBuf,
    pub project: Project,
    /// Files that could not be read: relative path and reason.
    pub unreadable: Vec<(String, String)>,
}

/// Walks and parses `root`. The progress bar shows only when stderr is a
/// terminal, so scripts and CI logs stay clean.
pub fn load(root: &Path) -> Result<LoadedTree, WalkError> {
    let walked = walk::collect(root)?;
    let project = build_with_progress(walked.sources);
    Ok(LoadedTree {
        root: root.to_path_buf(),
        project,
        unreadable: walked.unreadable,
    })
}

/// Builds a project from in-memory sources (a git tree, or a rewritten copy).
pub fn build_with_progress(sources: Vec<SourceInput>) -> Project {
    let bar = if std::io::stderr().is_terminal() && sources.len() > 200 {
        let bar = ProgressBar::with_draw_target(Some(sources.len() as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} parsing {pos}/{len} files {wide_bar} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let project = Project::build_with_progress(sources, &|| bar.inc(1));
    bar.finish_and_clear();
    project
}
