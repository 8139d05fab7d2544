//! `shadowfix recipes`: list the built-in recipes, or load and check recipe
//! files (a malformed one gets file:line:column and what to change).

use std::path::PathBuf;

use clap::Args;

use crate::exit_codes;
use crate::fix::recipe;

#[derive(Args, Debug)]
pub struct RecipesArgs {
    /// Recipe files to check instead of listing the built-ins.
    pub files: Vec<PathBuf>,
}

pub fn run(args: RecipesArgs) -> anyhow::Result<u8> {
    let recipes = if args.files.is_empty() {
        recipe::builtin()?
    } else {
        args.files
            .iter()
            .map(|f| recipe::load_file(f))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut out = String::new();
    for r in &recipes {
        out.push_str(&format!("{}\t{}\t({})\n", r.id, r.title, r.source));
        for rule in &r.renames {
            out.push_str(&format!("  rename {}.{} -> {}\n", rule.class, rule.method, rule.to));
        }
    }
    super::output::print(out.as_bytes())?;
    Ok(exit_codes::OK)
}
