//! Arguments and plumbing shared by the commands that rewrite a tree
//! (`diff`, `apply`): which recipes to run, loading and verifying the fix,
//! and the summary printed on stderr.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::fix::RuleStatus;
use crate::fix::recipe::{self, Recipe};
use crate::fix::{self, FixOptions, FixResult};
use crate::scan::{self, LoadedTree};
use crate::scan::{Analysis, analyze};

#[derive(Args, Debug, Clone)]
pub struct RecipeArgs {
    /// A source tree: a git checkout, an unpacked tarball, or an installed site-packages/<pkg>.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// A recipe to run: a built-in id (see `shadowfix recipes`) or a path to a recipe .toml file.
    /// Repeatable. Without --patch and --auto, every built-in recipe runs.
    #[arg(long = "patch", value_name = "ID|FILE")]
    pub patches: Vec<String>,
    /// Derive rename rules from the detected conflicts: each private helper that shadows a base
    /// method becomes `_<prefix>_<name>`.
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
}

pub struct FixRun {
    pub tree: LoadedTree,
    pub analysis: Analysis,
    pub recipes: Vec<Recipe>,
    pub result: FixResult,
}

/// Loads the tree, resolves the recipes and computes the verified fix.
pub fn run_fix(args: &RecipeArgs) -> anyhow::Result<FixRun> {
    let tree = scan::load(&args.path)?;
    let analysis = analyze(&tree.project);
    let mut recipes = if args.auto && args.patches.is_empty() {
        Vec::new()
    } else {
        recipe::resolve(&args.patches)?
    };
    if args.auto
        && let Some(r) = fix::auto_recipe(&tree.project, &analysis, args.prefix.as_deref())
    {
        recipes.push(r);
    }
    let result = fix::fix(&tree.project, &analysis, &recipes, &FixOptions { strict: args.strict })
        .with_context(|| format!("fixing {}", args.path.display()))?;
    Ok(FixRun {
        tree,
        analysis,
        recipes,
        result,
    })
}

/// The stderr summary: one line per rule outcome, then the counts, then the
/// calls left for the base and why.
pub fn summary(run: &FixRun) -> String {
    let mut out = String::new();
    let plan = &run.result.plan;
    for o in &plan.outcomes {
        let status = match &o.status {
            RuleStatus::Applied => "applied".to_string(),
            RuleStatus::AlreadyApplied => "already applied".to_string(),
            RuleStatus::NotApplicable(why) => format!("not applicable: {why}"),
        };
        let class = o.class.as_deref().unwrap_or(&o.rule.class);
        out.push_str(&format!(
            "shadowfix: {}: {}.{} -> {}: {}\n",
            o.recipe, class, o.rule.method, o.rule.to, status
        ));
    }
    if run.recipes.is_empty() {
        out.push_str("shadowfix: no recipe to run (--auto found no private helper to rename)\n");
    }
    out.push_str(&format!(
        "shadowfix: {} file{} changed, {} rename{}, {} reference{} updated, {} call site{} left for the base\n",
        run.result.changes.len(),
        plural(run.result.changes.len()),
        plan.renamed_defs.len(),
        plural(plan.renamed_defs.len()),
        plan.references_updated,
        plural(plan.references_updated),
        plan.left_for_base.len(),
        plural(plan.left_for_base.len()),
    ));
    for l in &plan.left_for_base {
        out.push_str(&format!("  left {}:{} `{}`: {}\n", l.path, l.line, l.text, l.reason));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
