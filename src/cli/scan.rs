//! `shadowfix scan`: load a tree, detect conflicts, print them as text,
//! JSON or SARIF. A PATH inside a package is analysed with its whole
//! package and only what lies under it is reported; the exit code follows
//! the conflicts reported.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::config::RULES;
use super::fixargs::warn_if_interrupted;
use super::output::{self, ColorChoice};
use super::settings::TreeArgs;
use crate::exit_codes;
use crate::report::{ScanReport, baseline, ci, sarif, text};
use crate::scan;

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// A source tree: a git checkout, an unpacked tarball, an installed site-packages/<pkg>, or one .py file.
    /// A file or directory inside a package is analysed with the whole package (from the top of its
    /// __init__.py chain) and only what lies under it is reported; paths are then relative to the
    /// directory holding that package, named in the summary. `-` reads one file from standard
    /// input (name it with --stdin-filename).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// With PATH `-`: the file the standard input stands for. When it exists, its package is
    /// analysed around it (with the input in its place); its name is used in the report.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    pub tree: TreeArgs,
    /// Output format. json, json-lines and sarif are stable for scripts (`shadowfix schema` prints
    /// the JSON Schema); github, gitlab and junit are what those CI systems read.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list overrides whose signatures differ although no call breaks on them (as warnings).
    #[arg(long)]
    pub all: bool,
    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Report only these rules (shadowed-override, reverse-override, broken-call). Repeatable or
    /// comma-separated; replaces the configuration's `select`.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_id)]
    pub select: Vec<String>,
    /// Do not report these rules. Repeatable or comma-separated; replaces the configuration's
    /// `ignore`.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_id)]
    pub ignore: Vec<String>,
    /// Leave out the findings recorded in FILE (by fingerprint, so moved lines still match): only
    /// new findings are reported and fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings of this run in FILE as a baseline (and exit 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Exit 0 even when conflicts are found (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
}

fn rule_id(s: &str) -> Result<String, String> {
    if RULES.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!("unknown rule `{s}`: the rules are {}", RULES.join(", ")))
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics with source snippets, for people.
    Text,
    /// The whole report as one JSON document.
    Json,
    /// One JSON object per conflict per line.
    JsonLines,
    /// SARIF 2.1.0 (GitHub code scanning and other viewers).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// GitLab Code Quality report (JSON).
    Gitlab,
    /// JUnit XML, one failing test case per conflict.
    Junit,
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let started = Instant::now();
    let from_stdin = args.path.as_os_str() == "-";
    let path = match (&args.stdin_filename, from_stdin) {
        (Some(name), true) => name.clone(),
        (None, true) => PathBuf::from("stdin.py"),
        (Some(_), false) => anyhow::bail!("--stdin-filename goes with PATH `-` (read the file from standard input)"),
        (None, false) => args.path.clone(),
    };
    let mut settings = args.tree.settings(&path, &args.select, &args.ignore)?;
    if from_stdin {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).context("reading standard input")?;
        settings.load.stdin = Some((path.clone(), bytes));
    } else {
        warn_if_interrupted(&path);
    }
    let loaded = scan::load_with(&path, &settings.load)?;
    if output::verbose()
        && let Some(cache) = &settings.load.cache
    {
        let (hits, misses, _) = cache.stats();
        eprintln!("shadowfix: fact cache: {hits} file(s) read from the cache, {misses} parsed");
    }
    let (analysis, suppressed) = loaded.analyze(&settings.policy);
    let mut report = ScanReport::new(&loaded.project, &analysis, &loaded.unreadable, &loaded.scope, args.all);
    report.suppressed = suppressed;
    let before = report.conflicts.len();
    if let Some(path) = &args.baseline {
        let accepted = baseline::load(path)?;
        report.conflicts.retain(|c| !accepted.contains(&c.fingerprint));
    }
    report.suppressed += before - report.conflicts.len();
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &report.conflicts)?;
        eprintln!(
            "shadowfix: wrote {} finding{} to the baseline {}",
            report.conflicts.len(),
            if report.conflicts.len() == 1 { "" } else { "s" },
            path.display()
        );
        return Ok(exit_codes::OK);
    }
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
            let base = sarif::SourceRoot::find(&loaded.root);
            let sarif = sarif::render(&report, base.as_ref());
            let mut out = serde_json::to_vec_pretty(&sarif).context("serialising the SARIF report")?;
            out.push(b'\n');
            output::print(&out)?;
        }
        Format::JsonLines => output::print(ci::json_lines(&report).context("serialising JSON lines")?.as_bytes())?,
        Format::Github => output::print(ci::github(&report).as_bytes())?,
        Format::Gitlab => {
            let mut out = serde_json::to_vec_pretty(&ci::gitlab(&report)).context("serialising the GitLab report")?;
            out.push(b'\n');
            output::print(&out)?;
        }
        Format::Junit => output::print(ci::junit(&report).context("writing the JUnit XML")?.as_bytes())?,
    }
    // The process ends next: freeing the whole model would only cost time.
    std::mem::forget(loaded);
    Ok(if report.conflicts.is_empty() || args.exit_zero {
        exit_codes::OK
    } else {
        exit_codes::FINDINGS
    })
}
