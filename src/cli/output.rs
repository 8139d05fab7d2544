//! Writing to stdout the way a command-line tool should: a broken pipe
//! (`shadowfix diff | head`) ends quietly, colour only on a terminal unless
//! asked or forced (`FORCE_COLOR`, `CLICOLOR_FORCE`), `NO_COLOR` is
//! honoured, and `-q`/`-v` set how much goes to stderr.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

/// 0 quiet, 1 normal, 2 verbose; set once from the global flags.
static VERBOSITY: AtomicU8 = AtomicU8::new(1);

pub fn set_verbosity(quiet: bool, verbose: bool) {
    let level = if quiet {
        0
    } else if verbose {
        2
    } else {
        1
    };
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// `-q`: no progress bar, no summaries on stderr (errors still print).
pub fn quiet() -> bool {
    VERBOSITY.load(Ordering::Relaxed) == 0
}

/// `-v`: say which configuration and root are used.
pub fn verbose() -> bool {
    VERBOSITY.load(Ordering::Relaxed) == 2
}

/// Whether an environment variable is set to something other than empty
/// or `0` (the convention `FORCE_COLOR` and `CLICOLOR_FORCE` follow).
fn env_on(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour what goes to stdout.
    pub fn stdout(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    false
                } else if env_on("FORCE_COLOR") || env_on("CLICOLOR_FORCE") {
                    true
                } else {
                    std::io::stdout().is_terminal()
                }
            }
        }
    }
}

pub fn print(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
