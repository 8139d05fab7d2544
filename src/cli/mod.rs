//! The command line: one clap `Args` struct per subcommand, kept next to
//! that subcommand's code, and `run`, which `main` calls so tests can drive
//! the CLI in-process.

mod apply;
mod commit;
mod completions;
mod config;
mod diff;
mod fixargs;
mod man;
mod output;
mod recipes;
mod rpm;
mod scan;
mod schema;
mod settings;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::exit_codes;

#[derive(Parser, Debug)]
#[command(
    name = "shadowfix",
    version,
    about = "Find and fix Python methods that accidentally override a base-class method an inherited body still calls",
    long_about = "Find and fix Python methods that accidentally override a base-class method an inherited body still calls.\n\n\
        Example: in OpenStack Cinder (Kilo), ScaleIODriver._attach_volume(self, volume, sdc_ip) shadows \
        BaseVD._attach_volume(self, context, volume, properties, remote=False); the inherited BaseVD.backup_volume \
        then raises `TypeError: _attach_volume() takes exactly 3 arguments (4 given)`.\n\n\
        Exit codes: 0 nothing found or nothing to change; 1 conflicts found or changes needed; 2 error (nothing written)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print only findings, diffs and errors: no progress bar, no summaries on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Also say which configuration file and analysed root are used.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    verbose: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Report override conflicts that a real call site breaks, with the TypeError each call raises.
    Scan(scan::ScanArgs),
    /// Print the fix as a unified diff (dry run) that `git apply` and `patch -p1` accept,
    /// or write it as a format-patch file with --format-patch.
    Diff(diff::DiffArgs),
    /// Rewrite the tree in place: only files that change, each written atomically, all or nothing.
    Apply(apply::ApplyArgs),
    /// List the built-in recipes, or check recipe files given as arguments.
    Recipes(recipes::RecipesArgs),
    /// Commit the fix on a new branch per base revision with git2, for backport pull requests; the working tree, index and HEAD are untouched.
    Commit(commit::CommitArgs),
    /// Print an RPM macro file defining %shadowfix_apply and %shadowfix_check, to install as /usr/lib/rpm/macros.d/macros.shadowfix
    #[command(name = "rpm-macros")]
    RpmMacros(rpm::RpmMacrosArgs),
    /// Print the JSON Schema of `scan --format json` (generated from the report's types).
    Schema(schema::SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell), generated from these definitions.
    Completions(completions::CompletionsArgs),
    /// Print the man page shadowfix(1), or write it and one page per subcommand into a directory with --dir.
    Man(man::ManArgs),
}

/// An error with its causes, each said once: a cause whose text the
/// message before it already holds (a typed error that prints its source)
/// is not repeated.
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// The clap definition of the whole command line, for the generators of
/// completion scripts and man pages.
fn command() -> clap::Command {
    Cli::command()
}

/// Parses `args` (including the program name) and runs the command.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit_codes::ERROR
            } else {
                exit_codes::OK
            };
            let _ = e.print();
            return exit_codes::code(code);
        }
    };
    output::set_verbosity(cli.quiet, cli.verbose);
    crate::scan::show_progress(!cli.quiet);
    let result = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Recipes(args) => recipes::run(args),
        Command::Commit(args) => commit::run(args),
        Command::RpmMacros(args) => rpm::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    match result {
        Ok(code) => exit_codes::code(code),
        Err(e) if output::is_broken_pipe(&e) => exit_codes::code(exit_codes::OK),
        Err(e) => {
            eprintln!("shadowfix: error: {}", describe(&e));
            exit_codes::code(exit_codes::ERROR)
        }
    }
}
