//! `shadowfix apply`: writes the verified fix in place, only the files that
//! change, each atomically, all or nothing.

use anyhow::Context;
use clap::Args;

use super::fixargs::{RecipeArgs, run_fix, summary};
use crate::deliver::write::{FileWrite, write_all};
use crate::exit_codes;

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub recipes: RecipeArgs,
    /// Write nothing; exit 1 when changes are needed (a CI gate).
    #[arg(long)]
    pub check: bool,
    /// Keep each original next to the new file as <file><SUFFIX> (e.g. --backup .orig).
    #[arg(long, value_name = "SUFFIX")]
    pub backup: Option<String>,
}

pub fn run(args: ApplyArgs) -> anyhow::Result<u8> {
    let run = run_fix(&args.recipes)?;
    eprint!("{}", summary(&run));
    let changes = &run.result.changes;
    if changes.is_empty() {
        if run.result.already_applied() {
            eprintln!("shadowfix: already applied; nothing to change");
        } else {
            eprintln!("shadowfix: nothing to change");
        }
        return Ok(exit_codes::OK);
    }
    if args.check {
        for c in changes {
            println!("{}", c.rel_path);
        }
        eprintln!(
            "shadowfix: --check: {} file(s) need changes; nothing written",
            changes.len()
        );
        return Ok(exit_codes::FINDINGS);
    }
    let root = &run.tree.root;
    let writes: Vec<FileWrite> = changes
        .iter()
        .map(|c| FileWrite {
            path: if root.is_file() {
                root.clone()
            } else {
                root.join(&c.rel_path)
            },
            new_bytes: c.new.clone(),
        })
        .collect();
    write_all(&writes, args.backup.as_deref()).with_context(|| format!("writing the fix into {}", root.display()))?;
    for c in changes {
        println!("{}", c.rel_path);
    }
    Ok(exit_codes::OK)
}
