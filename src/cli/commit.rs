//! `shadowfix commit`: the fix as a git commit on a new branch per base
//! revision, ready for a backport pull request. Each base is read from its
//! commit's tree (never the working tree), rewritten exactly as `diff` would,
//! and committed with libgit2 on top of that base; the working tree, the
//! index and HEAD are not touched. Optionally pushes each branch and writes
//! the commit as a `git am`-able patch. One outcome per base, and the exit
//! code is the worst of them.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use git2::Repository;
use serde::Serialize;

use super::fixargs::{fix_tree, resolve_recipes, summary};
use super::output;
use crate::deliver::git::{self, Identities};
use crate::deliver::message::CommitMessage;
use crate::deliver::patchfile;
use crate::deliver::unidiff::FileDiff;
use crate::exit_codes;
use crate::fix::recipe::Recipe;
use crate::fix::{self, FixOptions, StyleOptions};
use crate::scan::{self, LoadedTree};

#[derive(Args, Debug)]
#[command(after_long_help = "\
For each base, one outcome: `committed <sha> on <branch>`; `already applied` (no commit, no branch); \
`not applicable` (no rule applied); or `error: <message>` (bad revision, refused rewrite, existing branch, \
failed push), after which the other bases still run.

Author and committer come from the repository's config (user.name, user.email), overridden by \
GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, GIT_AUTHOR_DATE, GIT_COMMITTER_NAME, GIT_COMMITTER_EMAIL and \
GIT_COMMITTER_DATE.

Exit codes (the worst outcome over all bases):
  0  every base committed or already applied
  1  some base not applicable
  2  some base failed, or the command could not start")]
pub struct CommitArgs {
    /// The repository: a work tree (HEAD on a branch or detached) or a bare repository.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub repo: PathBuf,
    /// A revision to fix (branch, tag, remote branch or commit); each base gets its own commit and branch.
    /// Repeatable. Default: HEAD.
    #[arg(long = "base", value_name = "REV")]
    pub bases: Vec<String>,
    /// The branch to create. Default: shadowfix/<recipe-id> (ids joined by `+`); with several bases,
    /// NAME/<base short name>, e.g. shadowfix/scaleio-attach-detach/stable/kilo.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// A recipe to run: a built-in id or a path to a recipe .toml file. Repeatable.
    /// Without --patch and --auto, every built-in recipe runs.
    #[arg(long = "patch", value_name = "ID|FILE")]
    pub patches: Vec<String>,
    /// Choose a fix for every conflict on each base, as `diff --auto` does (rename, widen or leave).
    #[arg(long)]
    pub auto: bool,
    /// The prefix of names --auto gives renamed helpers (default: from the class name).
    #[arg(long, requires = "auto", value_name = "P")]
    pub prefix: Option<String>,
    /// Push each new branch to REMOTE (a remote's name, a URL or a local path), same branch name there.
    #[arg(long, value_name = "REMOTE")]
    pub push: Option<String>,
    /// Also write each commit as OUTDIR/0001-<slug>.patch for `git am` (with several bases, one
    /// subdirectory per base, `/` in its name replaced by `-`).
    #[arg(long, value_name = "OUTDIR")]
    pub format_patch: Option<PathBuf>,
    /// Add `Signed-off-by: <committer>`.
    #[arg(long)]
    pub signoff: bool,
    /// Add a Gerrit `Change-Id:`, the same for the same base and change.
    #[arg(long)]
    pub change_id: bool,
    /// Add a trailer, e.g. --trailer 'Closes-Bug: #1432345'. Repeatable, kept in order.
    #[arg(long = "trailer", value_name = "KEY: VALUE", value_parser = parse_trailer)]
    pub trailers: Vec<(String, String)>,
    /// Replace an existing branch (locally, and on the remote with --push).
    #[arg(long)]
    pub force: bool,
    /// Print a JSON array, one object per base, instead of the lines.
    #[arg(long)]
    pub json: bool,
}

fn parse_trailer(s: &str) -> Result<(String, String), git::GitError> {
    git::parse_trailer(s)
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
enum Status {
    Committed,
    AlreadyApplied,
    NotApplicable,
    Error,
}

impl Status {
    fn exit_code(self) -> u8 {
        match self {
            Status::Committed | Status::AlreadyApplied => exit_codes::OK,
            Status::NotApplicable => exit_codes::FINDINGS,
            Status::Error => exit_codes::ERROR,
        }
    }
}

/// One base's outcome; also the `--json` object.
#[derive(Serialize, Debug)]
struct Outcome {
    base: String,
    /// The branch created (or replaced); null when none was.
    branch: Option<String>,
    commit: Option<String>,
    files: Vec<String>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The pull-request title and Markdown body; null when nothing was committed.
    title: Option<String>,
    body: Option<String>,
    pushed: bool,
    /// The patch file written with --format-patch.
    patch: Option<PathBuf>,
}

impl Outcome {
    fn new(base: &str) -> Outcome {
        Outcome {
            base: base.to_string(),
            branch: None,
            commit: None,
            files: Vec::new(),
            status: Status::Error,
            error: None,
            title: None,
            body: None,
            pushed: false,
            patch: None,
        }
    }

    fn line(&self) -> String {
        match self.status {
            Status::Committed => format!(
                "{}: committed {} on {}",
                self.base,
                self.commit.as_deref().unwrap_or("?"),
                self.branch.as_deref().unwrap_or("?")
            ),
            Status::AlreadyApplied => format!("{}: already applied", self.base),
            Status::NotApplicable => format!("{}: not applicable", self.base),
            Status::Error => format!(
                "{}: error: {}",
                self.base,
                self.error.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// What every base shares.
struct Shared<'a> {
    repo: &'a Repository,
    recipes: &'a [Recipe],
    /// Resolved once; an error here only matters for a base that commits.
    identities: &'a Result<Identities, git::GitError>,
    args: &'a CommitArgs,
    several: bool,
}

pub fn run(args: CommitArgs) -> anyhow::Result<u8> {
    let repo = git::open(&args.repo)?;
    let recipes = resolve_recipes(&args.patches, args.auto)?;
    let bases = if args.bases.is_empty() {
        vec!["HEAD".to_string()]
    } else {
        args.bases.clone()
    };
    let several = bases.len() > 1;
    let prefix = match &args.branch {
        Some(b) => b.clone(),
        None => {
            let mut ids: Vec<&str> = recipes.iter().map(|r| r.id.as_str()).collect();
            if args.auto {
                ids.push("auto");
            }
            git::default_branch(&ids)
        }
    };
    let remotes = git::remote_names(&repo);
    let identities = git::identities(&repo);
    let ctx = Shared {
        repo: &repo,
        recipes: &recipes,
        identities: &identities,
        args: &args,
        several,
    };

    let mut outcomes = Vec::with_capacity(bases.len());
    // Two bases must not race for one branch: the second would replace the
    // first's commit (with --force) or be refused for a branch this very run
    // created.
    let mut claimed: Vec<(String, String)> = Vec::new();
    for rev in &bases {
        let short = git::base_short_name(rev, &remotes);
        let branch = if several {
            format!("{prefix}/{short}")
        } else {
            prefix.clone()
        };
        let mut outcome = Outcome::new(rev);
        let result = match claimed.iter().find(|(b, _)| *b == branch) {
            Some((_, other)) => Err(anyhow::anyhow!(
                "bases `{other}` and `{rev}` both map to branch {branch}; give distinct bases, or run them separately with --branch"
            )),
            None => {
                claimed.push((branch.clone(), rev.clone()));
                process_base(&ctx, rev, &short, &branch, &mut outcome)
            }
        };
        if let Err(e) = result {
            outcome.status = Status::Error;
            outcome.error = Some(format!("{e:#}"));
        }
        if !args.json {
            output::print(format!("{}\n", outcome.line()).as_bytes())?;
        }
        outcomes.push(outcome);
    }
    if args.json {
        let mut out = serde_json::to_vec_pretty(&outcomes).context("serialising the JSON output")?;
        out.push(b'\n');
        output::print(&out)?;
    }
    let worst = outcomes.iter().map(|o| o.status).max().unwrap_or(Status::Committed);
    Ok(worst.exit_code())
}

/// Fixes one base; fills `out` as it goes, so an error after the commit
/// (a failed push) still reports the commit and branch.
fn process_base(ctx: &Shared, rev: &str, short: &str, branch: &str, out: &mut Outcome) -> anyhow::Result<()> {
    let repo = ctx.repo;
    let args = ctx.args;
    git::check_branch_name(branch)?;
    let base = git::resolve_commit(repo, rev)?;
    let base_tree = base.tree().with_context(|| format!("reading the tree of {rev}"))?;
    let read = git::read_sources(repo, &base_tree)?;
    let tree = LoadedTree {
        root: PathBuf::from(rev),
        project: scan::build_with_progress(read.sources),
        unreadable: read.unreadable,
        scope: scan::Scope::everything(),
    };
    let auto = args.auto.then_some(args.prefix.as_deref());
    let opts = FixOptions {
        strict: false,
        style: StyleOptions {
            max_line_length: fix::max_line_length(&|rel: &str| git::read_file(repo, &base_tree, rel)),
        },
    };
    let run = fix_tree(tree, ctx.recipes, auto, &opts).with_context(|| format!("fixing {rev}"))?;
    if ctx.several {
        eprintln!("shadowfix: base {rev} ({}):", &base.id().to_string()[..12]);
    }
    eprint!("{}", summary(&run));

    let changes = &run.result.changes;
    if changes.is_empty() {
        out.status = if run.result.already_applied() {
            Status::AlreadyApplied
        } else {
            Status::NotApplicable
        };
        return Ok(());
    }
    // Refuse before writing any object: an existing branch means nothing
    // changes at all.
    git::ensure_branch_free(repo, branch, args.force)?;
    let who = ctx.identities.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;

    let files: Vec<(&str, &[u8])> = changes
        .iter()
        .map(|c| (c.rel_path.as_str(), c.new.as_slice()))
        .collect();
    let tree_id = git::write_tree(repo, &base_tree, &read.modes, &files)?;
    let msg = CommitMessage::build(
        &run.tree.project,
        &run.analysis,
        &run.recipes,
        &run.result,
        &run.records,
    );
    let mut extra: Vec<(String, String)> = Vec::new();
    if args.change_id {
        extra.push(("Change-Id".into(), git::change_id(base.id(), tree_id, &msg.subject)));
    }
    if args.signoff {
        extra.push((
            "Signed-off-by".into(),
            format!("{} <{}>", who.committer.name, who.committer.email),
        ));
    }
    extra.extend(args.trailers.iter().cloned());
    // What `git commit` and `git am` store: no trailing blanks, one final
    // newline; the patch then round-trips to the very same message.
    let text = git2::message_prettify(msg.text(&extra), None).context("cleaning up the commit message")?;
    let commit = git::commit_on_branch(repo, &base, tree_id, &text, who, branch, args.force)?;
    let sha = commit.to_string();
    out.status = Status::Committed;
    out.commit = Some(sha.clone());
    out.branch = Some(branch.to_string());
    out.files = changes.iter().map(|c| c.rel_path.clone()).collect();
    out.title = Some(msg.subject.clone());
    out.body = Some(msg.markdown.clone());

    if let Some(dir) = &args.format_patch {
        let dir = if ctx.several {
            dir.join(short.replace('/', "-"))
        } else {
            dir.clone()
        };
        let diffs: Vec<FileDiff> = changes.iter().map(|c| c.diff()).collect();
        let path = patchfile::write(&dir, 1, &msg, &who.author, Some(&sha), &extra, &diffs)
            .with_context(|| format!("writing a patch file into {}", dir.display()))?;
        eprintln!("shadowfix: wrote {}", path.display());
        out.patch = Some(path);
    }
    if let Some(remote) = &args.push {
        git::push(repo, remote, branch, args.force)?;
        out.pushed = true;
        eprintln!("shadowfix: pushed {branch} to {remote}");
    }
    Ok(())
}
