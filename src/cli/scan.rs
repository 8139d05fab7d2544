//! `shadowfix scan`: load a tree, detect conflicts, print them as text,
//! JSON or SARIF. A PATH inside a package is analysed with its whole
//! package and only what lies under it is reported; the exit code follows
//! the conflicts reported.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::fixargs::warn_if_interrupted;
use super::output::{self, ColorChoice};
use crate::exit_codes;
use crate::report::{ScanReport, sarif, text};
use crate::scan;
use crate::scan::analyze;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// A source tree: a git checkout, an unpacked tarball, an installed site-packages/<pkg>, or one .py file.
    /// A file or directory inside a package is analysed with the whole package (from the top of its
    /// __init__.py chain) and only what lies under it is reported; paths are then relative to the
    /// directory holding that package, named in the summary.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format. json and sarif are stable for scripts (the README documents the JSON schema).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list overrides whose signatures differ although no call breaks on them (as warnings).
    #[arg(long)]
    pub all: bool,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    warn_if_interrupted(&args.path);
    let loaded = scan::load(&args.path)?;
    let analysis = loaded.scope.restrict(&loaded.project, analyze(&loaded.project));
    let mut report = ScanReport::new(&loaded.project, &analysis, &loaded.unreadable, &loaded.scope, args.all);
    if report.scope.is_some() {
        report.root = Some(loaded.root.display().to_string());
    }
    match args.format {
        Format::Text => {
            let mut out = text::render(&loaded.project, &report, args.color.stdout());
            out.push_str(&text::summary(&report, started.elapsed()));
            out.push('\n');
            output::print(out.as_bytes())?;
        }
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(&report).context("serialising the JSON report")?;
            out.push(b'\n');
            output::print(&out)?;
        }
        Format::Sarif => {
            let mut out = serde_json::to_vec_pretty(&sarif::render(&report)).context("serialising the SARIF report")?;
            out.push(b'\n');
            output::print(&out)?;
        }
    }
    Ok(if report.conflicts.is_empty() {
        exit_codes::OK
    } else {
        exit_codes::FINDINGS
    })
}
