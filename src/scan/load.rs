//! Loading a tree for analysis: decide what to read for PATH (the whole
//! package when PATH lies inside one, see [`scope`](crate::scan::scope)),
//! walk it, parse every file in parallel with a progress bar on a terminal,
//! and build the class model.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::scan::analyze::{Analysis, analyze};
use crate::scan::model::Project;
use crate::scan::scope::{self, Scope};
use crate::scan::suppress;
use crate::scan::walk::{self, SourceInput, WalkError};

pub struct LoadedTree {
    /// The analysed root: every `rel_path` is relative to it (PATH itself,
    /// or the directory holding the top package PATH lies in).
    pub root: PathBuf,
    pub project: Project,
    /// Files that could not be read: relative path and reason.
    pub unreadable: Vec<(String, String)>,
    /// What the user asked about: findings outside it are not reported.
    pub scope: Scope,
}

impl LoadedTree {
    /// Detection as the user asked for it: conflicts under PATH only, and
    /// without those a `# shadowfix: ignore` comment suppresses. Returns the
    /// analysis and the number of conflicts suppressed.
    pub fn analyze(&self) -> (Analysis, usize) {
        let analysis = self.scope.restrict(&self.project, analyze(&self.project));
        suppress::apply(&self.project, analysis)
    }
}

/// Walks and parses what `path` needs: `path` itself, or the whole package
/// it lies in. The progress bar shows only when stderr is a terminal, so
/// scripts and CI logs stay clean.
pub fn load(path: &Path) -> Result<LoadedTree, WalkError> {
    let target = scope::locate(path);
    let mut walked = walk::collect(&target.walk)?;
    if let Some(prefix) = &target.prefix {
        walked = walked.under(prefix);
    }
    let project = build_with_progress(walked.sources);
    Ok(LoadedTree {
        root: target.root,
        project,
        unreadable: walked.unreadable,
        scope: target.scope,
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
