//! `shadowfix diff`: the dry run. Prints the verified fix as a unified diff
//! (`git apply` and `patch -p1` both take it), or writes it as a
//! `git format-patch` style file for an RPM spec.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::fixargs::{PlanFormat, PlanJson, RecipeArgs, run_fix, summary, warn_if_interrupted};
use super::output::{self, ColorChoice};
use crate::deliver::message;
use crate::deliver::patchfile;
use crate::deliver::unidiff::{self, FileDiff};
use crate::exit_codes;

#[derive(Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub recipes: RecipeArgs,
    /// Exit 1 when there are changes (like `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
    /// Instead of printing, write `0001-<slug>.patch` in `git format-patch` form into OUTDIR
    /// (for `PatchN:` in an RPM spec, applied with `%autosetup -p1`).
    #[arg(long, value_name = "OUTDIR")]
    pub format_patch: Option<PathBuf>,
    /// What goes to stdout: the diff, or JSON with the fix chosen per conflict and the diff.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Colour the diff.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    warn_if_interrupted(&args.recipes.path);
    let run = run_fix(&args.recipes)?;
    let diffs: Vec<FileDiff> = run.result.changes.iter().map(|c| c.diff()).collect();
    if !output::quiet() {
        eprint!("{}", summary(&run, true));
    }
    if let Some(dir) = &args.format_patch {
        if diffs.is_empty() {
            eprintln!("shadowfix: nothing to change; no patch file written");
        } else {
            let msg = message::CommitMessage::build(
                &run.tree.project,
                &run.analysis,
                &run.recipes,
                &run.result,
                &run.records,
            );
            let identity = patchfile::Identity::from_env_or_default();
            let path = patchfile::write(dir, 1, &msg, &identity, None, &[], &diffs)
                .with_context(|| format!("writing a patch file into {}", dir.display()))?;
            println!("{}", path.display());
        }
    } else if args.format == PlanFormat::Json {
        PlanJson::new(&run, None).print()?;
    } else {
        output::print(&unidiff::render(&diffs, args.color.stdout()))?;
    }
    Ok(if args.exit_code && !diffs.is_empty() {
        exit_codes::FINDINGS
    } else {
        exit_codes::OK
    })
}
