//! Arguments and plumbing shared by the commands that rewrite a tree
//! (`diff`, `apply`): which recipes to run, loading and verifying the fix,
//! and the summary printed on stderr. For a PATH inside a package only the
//! conflicts reported for PATH are fixed, while the edits may reach the
//! whole package (a rename's references).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::settings::TreeArgs;
use crate::deliver::{unidiff, write};
use crate::fix::recipe::Rule;
use crate::fix::recipe::{self, Recipe};
use crate::fix::{self, FixOptions, FixResult, StyleOptions};
use crate::fix::{FixKind, RuleStatus};
use crate::report::fixes::{FixRecord, fix_records};
use crate::scan::Analysis;
use crate::scan::{self, LoadedTree, Policy};

#[derive(Args, Debug, Clone)]
pub struct RecipeArgs {
    /// A source tree: a git checkout, an unpacked tarball, or an installed site-packages/<pkg>.
    /// A file or directory inside a package is analysed with the whole package: only the conflicts
    /// reported for it are fixed, but a rename updates references anywhere in the package, and
    /// paths are relative to the directory holding that package (named in the summary).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// A recipe to run: a built-in id (see `shadowfix recipes`) or a path to a recipe .toml file.
    /// Repeatable. Without --patch and --auto, every built-in recipe runs.
    #[arg(long = "patch", value_name = "ID|FILE")]
    pub patches: Vec<String>,
    /// Choose a fix for every detected conflict: rename a private helper that only clashes with a
    /// base method by name (to `_<prefix>_<name>`), widen an override whose signature the base's
    /// callers outgrew, or leave the conflict and say why.
    #[arg(long)]
    pub auto: bool,
    /// The prefix for --auto (default: the class name's capitals without a `Driver` suffix,
    /// ScaleIODriver -> sio).
    #[arg(long, requires = "auto", value_name = "P")]
    pub prefix: Option<String>,
    /// Fail when a rule is not applicable while the conflict it targets is still in the tree
    /// (for packaging: a recipe that silently stopped matching).
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub tree: TreeArgs,
}

pub struct FixRun {
    pub tree: LoadedTree,
    pub analysis: Analysis,
    pub recipes: Vec<Recipe>,
    pub result: FixResult,
    /// Per conflict: what was done, or why it was left.
    pub records: Vec<FixRecord>,
}

/// How `diff` and `apply` print the outcome on stdout.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlanFormat {
    /// The unified diff (`diff`) or the changed paths (`apply`); the summary goes to stderr.
    #[default]
    Text,
    /// `{"fixes": [...], "diff": "..."}`: per conflict the fix chosen (rename, widen, left) and
    /// why, and the unified diff, for bots and scripts.
    Json,
}

/// The `--format json` document of `diff` and `apply`.
#[derive(Serialize)]
pub struct PlanJson<'a> {
    /// Only when PATH lies inside a package: the analysed root that the
    /// diff's and the files' paths are relative to, and PATH relative to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'a str>,
    pub fixes: &'a [FixRecord],
    pub diff: String,
    /// `apply`: the files written, relative to the analysed root (PATH, or
    /// the directory holding the package PATH lies in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<&'a str>>,
}

impl<'a> PlanJson<'a> {
    /// The document for a fix run: its records and the whole diff, plus
    /// `files` for `apply`.
    pub fn new(run: &'a FixRun, files: Option<Vec<&'a str>>) -> PlanJson<'a> {
        let diffs: Vec<_> = run.result.changes.iter().map(|c| c.diff()).collect();
        let scope = run.tree.scope.path();
        PlanJson {
            root: scope.map(|_| run.tree.root.display().to_string()),
            scope,
            fixes: &run.records,
            diff: String::from_utf8_lossy(&unidiff::render(&diffs, false)).into_owned(),
            files,
        }
    }

    pub fn print(&self) -> anyhow::Result<()> {
        let mut out = serde_json::to_vec_pretty(self).context("serialising the JSON output")?;
        out.push(b'\n');
        super::output::print(&out)
    }
}

/// Warns on stderr when an earlier `apply` on the tree at `path` was
/// interrupted between two renames (its journal is in the analysed root):
/// what is read may be half fixed. `apply` finishes such a replace; the
/// commands that only read say so and go on.
pub fn warn_if_interrupted(path: &Path) {
    let dir = write::journal_dir(&scan::locate(path).root);
    if let Some(found) = write::inspect(&dir) {
        eprintln!("shadowfix: warning: {found}");
    }
}

/// Loads the tree, resolves the recipes and computes the verified fix.
pub fn run_fix(args: &RecipeArgs) -> anyhow::Result<FixRun> {
    let settings = args.tree.settings(&args.path, &[], &[])?;
    let config = &settings.config;
    let recipes = resolve_recipes_with(&args.patches, &config.recipes, args.auto)?;
    let tree = scan::load_with(&args.path, &settings.load)?;
    tree.require_complete()?;
    let style = StyleOptions {
        max_line_length: config.line_length.unwrap_or_else(|| project_line_length(&tree.root)),
    };
    let what = format!("fixing {}", args.path.display());
    let opts = FixOptions {
        strict: args.strict,
        style,
    };
    let prefix = args.prefix.as_deref().or(config.prefix.as_deref());
    fix_tree(tree, &recipes, args.auto.then_some(prefix), &opts, &settings.policy).context(what)
}

/// [`resolve_recipes`], with the configuration's extra recipe files: they
/// run with the built-in ones when no `--patch` is given, and `--patch` can
/// name them by id.
pub fn resolve_recipes_with(patches: &[String], configured: &[PathBuf], auto: bool) -> anyhow::Result<Vec<Recipe>> {
    if configured.is_empty() {
        return resolve_recipes(patches, auto);
    }
    let extra: Vec<Recipe> = configured
        .iter()
        .map(|p| recipe::load_file(p))
        .collect::<Result<_, _>>()?;
    if auto && patches.is_empty() {
        return Ok(Vec::new());
    }
    if patches.is_empty() {
        let mut all = recipe::builtin()?;
        all.extend(extra);
        return Ok(all);
    }
    // A configured recipe's id resolves to it; anything else as usual.
    let mut out = Vec::new();
    for spec in patches {
        match extra.iter().find(|r| r.id == *spec) {
            Some(r) => out.push(r.clone()),
            None => out.extend(recipe::resolve(std::slice::from_ref(spec))?),
        }
    }
    Ok(out)
}

/// The maximum line length of the project holding `root`: read from the
/// nearest directory at or above it that has a linter configuration file
/// (PATH may be a package inside the project).
pub fn project_line_length(root: &Path) -> usize {
    const CONFIGS: [&str; 4] = ["setup.cfg", "tox.ini", ".flake8", "pyproject.toml"];
    // Canonical, so that a root spelled `.` still climbs to the project's
    // configuration above the working directory (a `src/` layout).
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let start = if root.is_file() {
        root.parent().unwrap_or(&root)
    } else {
        &root
    };
    let dir = start
        .ancestors()
        .find(|d| CONFIGS.iter().any(|c| d.join(c).is_file()))
        .unwrap_or(start)
        .to_path_buf();
    fix::max_line_length(&|rel: &str| std::fs::read(dir.join(rel)).ok())
}

/// The recipes named on the command line; every built-in one when none is
/// named, unless `--auto` stands in for them.
pub fn resolve_recipes(patches: &[String], auto: bool) -> anyhow::Result<Vec<Recipe>> {
    if auto && patches.is_empty() {
        return Ok(Vec::new());
    }
    Ok(recipe::resolve(patches)?)
}

/// Analyses a loaded tree and computes the verified fix: the recipes, plus
/// `--auto`'s choices when `auto` is Some (holding its `--prefix`).
pub fn fix_tree(
    tree: LoadedTree,
    recipes: &[Recipe],
    auto: Option<Option<&str>>,
    opts: &FixOptions,
    policy: &Policy,
) -> anyhow::Result<FixRun> {
    // Only the conflicts reported for PATH are fixed; the project stays
    // whole, so a rename still reaches every reference in the package.
    let (analysis, _) = tree.analyze(policy);
    let mut recipes = recipes.to_vec();
    let choices = match auto {
        Some(prefix) => fix::choose(&tree.project, &analysis, prefix),
        None => Vec::new(),
    };
    if let Some(r) = fix::auto_recipe(&tree.project, &choices) {
        recipes.push(r);
    }
    let mut result = fix::fix(&tree.project, &analysis, &recipes, opts)?;
    for change in &mut result.changes {
        change.raw_path = tree.raw_paths.get(&change.file).cloned();
    }
    let records = fix_records(&tree.project, &analysis, &choices, &result.plan);
    Ok(FixRun {
        tree,
        analysis,
        recipes,
        result,
        records,
    })
}

/// The stderr summary: one line per rule outcome (with `--auto`'s reasons),
/// every conflict left and why, then the counts and the calls left for the
/// base.
pub fn summary(run: &FixRun, dry: bool) -> String {
    let mut out = String::new();
    let plan = &run.result.plan;
    if let Some(scope) = run.tree.scope.path() {
        out.push_str(&format!(
            "shadowfix: read the whole package under {root}; fixing only the conflicts under {scope}; paths are relative to {root}\n",
            root = run.tree.root.display()
        ));
    }
    for o in &plan.outcomes {
        let status = match &o.status {
            // A dry run (`diff`, `apply --check`) changes nothing yet.
            RuleStatus::Applied if dry => "would apply".to_string(),
            RuleStatus::Applied => "applied".to_string(),
            RuleStatus::AlreadyApplied => "already applied".to_string(),
            RuleStatus::NotApplicable(why) => format!("not applicable: {why}"),
        };
        let class = o.class.as_deref().unwrap_or(o.rule.class());
        let what = match (&o.rule, &o.detail) {
            (Rule::Rename(r), _) => format!("-> {}", r.to),
            (Rule::Widen(_), Some(sig)) => format!("widen -> {sig}"),
            (Rule::Widen(w), None) => match &w.params {
                Some(p) => format!("widen with {p}"),
                None => "widen".to_string(),
            },
        };
        out.push_str(&format!(
            "shadowfix: {}: {}.{} {}: {}\n",
            o.recipe,
            class,
            o.rule.method(),
            what,
            status
        ));
        if o.recipe == "auto"
            && o.status == RuleStatus::Applied
            && let Some(r) = run
                .records
                .iter()
                .find(|r| r.override_method == format!("{class}.{}", o.rule.method()))
        {
            out.push_str(&format!("  why: {}\n", r.reason));
        }
    }
    let left: Vec<&FixRecord> = run.records.iter().filter(|r| r.kind == FixKind::Left).collect();
    for r in &left {
        out.push_str(&format!(
            "shadowfix: left: {} (shadows {}): {}\n",
            r.override_method, r.overridden, r.reason
        ));
    }
    if run.recipes.is_empty() && left.is_empty() {
        out.push_str("shadowfix: no recipe to run (--auto found no conflict to fix)\n");
    }
    out.push_str(&format!(
        "shadowfix: {} file{} {}, {} rename{}, {} widening{}, {} reference{} updated, {} call site{} left for the base, {} conflict{} left\n",
        run.result.changes.len(),
        plural(run.result.changes.len()),
        if dry { "would change" } else { "changed" },
        plan.renamed_defs.len(),
        plural(plan.renamed_defs.len()),
        plan.widened.len(),
        plural(plan.widened.len()),
        plan.references_updated,
        plural(plan.references_updated),
        plan.left_for_base.len(),
        plural(plan.left_for_base.len()),
        left.len(),
        plural(left.len()),
    ));
    for l in &plan.left_for_base {
        out.push_str(&format!("  left {}:{} `{}`: {}\n", l.path, l.line, l.text, l.reason));
    }
    for (path, w) in &run.result.style_warnings {
        out.push_str(&format!("shadowfix: warning: {path}:{}: {}\n", w.line, w.message));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
