//! `shadowfix apply`: writes the verified fix in place, only the files that
//! change, each atomically, all or nothing, never over an edit made since
//! the tree was read; and first finishes a replace an earlier run left
//! half done.

use anyhow::Context;
use clap::Args;

use std::path::PathBuf;

use super::fixargs::{PlanFormat, PlanJson, RecipeArgs, run_fix, summary};
use super::output;
use crate::deliver::write::{self, FileWrite, WriteOptions};
use crate::exit_codes;
use crate::scan;

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub recipes: RecipeArgs,
    /// Write nothing; exit 1 when changes are needed (a CI gate).
    #[arg(long)]
    pub check: bool,
    /// What goes to stdout: the changed paths, or JSON with the fix chosen per conflict, the diff
    /// written and the files.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Keep each original next to the new file as <file><SUFFIX> (e.g. --backup .orig).
    #[arg(long, value_name = "SUFFIX")]
    pub backup: Option<String>,
}

pub fn run(args: ApplyArgs) -> anyhow::Result<u8> {
    // An earlier apply on this tree that was interrupted between two
    // renames is finished first (or, with --check, which writes nothing,
    // only reported): the fix is then computed on a whole tree.
    let journal_dir = write::journal_dir(&scan::locate(&args.recipes.path).root);
    if args.check {
        if let Some(found) = write::inspect(&journal_dir) {
            eprintln!("shadowfix: warning: {found}");
        }
    } else if let Some(done) = write::recover(&journal_dir)? {
        eprintln!("shadowfix: {done}");
    }
    let run = run_fix(&args.recipes)?;
    if !output::quiet() {
        eprint!("{}", summary(&run, args.check));
    }
    let changes = &run.result.changes;
    // stdout: the paths changed (or to change, with --check), or the JSON.
    let report = |written: bool| -> anyhow::Result<()> {
        if args.format == PlanFormat::Json {
            let files = if written {
                changes.iter().map(|c| c.rel_path.as_str()).collect()
            } else {
                Vec::new()
            };
            return PlanJson::new(&run, Some(files)).print();
        }
        // The bytes of each path as on disk, so that `xargs` and the like
        // find a file whose name is not UTF-8.
        let mut out = Vec::new();
        for c in changes {
            out.extend_from_slice(c.path_bytes());
            out.push(b'\n');
        }
        output::print(&out)
    };
    if changes.is_empty() {
        if run.result.already_applied() {
            eprintln!("shadowfix: already applied; nothing to change");
        } else {
            eprintln!("shadowfix: nothing to change");
        }
        report(false)?;
        return Ok(exit_codes::OK);
    }
    if args.check {
        report(false)?;
        eprintln!(
            "shadowfix: --check: {} file{} {} changes; nothing written",
            changes.len(),
            if changes.len() == 1 { "" } else { "s" },
            if changes.len() == 1 { "needs" } else { "need" }
        );
        return Ok(exit_codes::FINDINGS);
    }
    let root = &run.tree.root;
    let writes: Vec<FileWrite> = changes
        .iter()
        .map(|c| {
            let path = if root.is_file() {
                root.clone()
            } else {
                root.join(path_from_bytes(c.path_bytes()))
            };
            FileWrite::new(path, &c.old, c.new.clone())
        })
        .collect();
    let opts = WriteOptions {
        backup_suffix: args.backup.as_deref(),
        journal_dir: &journal_dir,
    };
    write::write_all(&writes, &opts).with_context(|| format!("writing the fix into {}", root.display()))?;
    report(true)?;
    Ok(exit_codes::OK)
}

/// A relative path from its bytes as the walk found them on disk.
#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// Elsewhere paths are Unicode, and the walk kept them as they are.
#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}
