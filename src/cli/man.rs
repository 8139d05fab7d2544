//! `shadowfix man [--dir DIR]`: the manual pages, rendered by clap_mangen
//! from the clap definitions, so they document exactly the flags the binary
//! parses. Without `--dir` it prints shadowfix(1); with it, it writes that
//! page and one per subcommand (shadowfix-scan(1), ...), which shadowfix(1)
//! refers to, for a package's %{_mandir}/man1.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use clap_mangen::Man;

use super::output;
use crate::exit_codes;

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write shadowfix.1 and one page per subcommand (shadowfix-scan.1, ...) into DIR, creating it,
    /// and print each path written, instead of printing shadowfix.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: ManArgs) -> anyhow::Result<u8> {
    // `help` is a subcommand only to clap's parser; a page for it would
    // document nothing a reader needs.
    let mut cmd = super::command().disable_help_subcommand(true);
    // Built, so each subcommand carries its display name (`shadowfix-scan`),
    // which names its page and the references to it.
    cmd.build();
    match args.dir {
        None => output::print(&render(&page(cmd))?)?,
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut written = String::new();
            for page in pages(cmd) {
                let path = write(&page, &dir)?;
                written.push_str(&format!("{}\n", path.display()));
            }
            output::print(written.as_bytes())?;
        }
    }
    Ok(exit_codes::OK)
}

/// The page of `cmd` and, depth first, those of its visible subcommands,
/// every one footed with shadowfix's version (a subcommand has none of its
/// own, and clap_mangen would write just its name there).
fn pages(cmd: clap::Command) -> Vec<Man> {
    let mut pages: Vec<Man> = cmd
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .flat_map(pages)
        .collect();
    pages.insert(0, page(cmd));
    pages
}

fn page(cmd: clap::Command) -> Man {
    Man::new(cmd).source(concat!("shadowfix ", env!("CARGO_PKG_VERSION")))
}

fn render(page: &Man) -> anyhow::Result<Vec<u8>> {
    let mut roff = Vec::new();
    page.render(&mut roff)
        .with_context(|| format!("rendering {}", page.get_filename()))?;
    Ok(roff)
}

fn write(page: &Man, dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join(page.get_filename());
    std::fs::write(&path, render(page)?).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
