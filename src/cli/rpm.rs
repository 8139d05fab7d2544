//! `shadowfix rpm-macros`: prints the RPM macro file (`%__shadowfix`,
//! `%shadowfix_apply`, `%shadowfix_check`) for packagers to install as
//! /usr/lib/rpm/macros.d/macros.shadowfix. Printing rather than writing
//! the file lets a package's %install redirect it wherever its buildroot is.

use anyhow::Context;
use clap::Args;

use super::output;
use crate::deliver::rpm;
use crate::exit_codes;

#[derive(Args, Debug)]
pub struct RpmMacrosArgs {
    /// The shadowfix binary the macros run by default (`%__shadowfix`); a spec's
    /// `%global __shadowfix` or `rpmbuild --define '__shadowfix PATH'` still overrides it.
    #[arg(long, value_name = "PATH", default_value = rpm::DEFAULT_BINARY)]
    pub binary: String,
}

pub fn run(args: RpmMacrosArgs) -> anyhow::Result<u8> {
    let file = rpm::macro_file(&args.binary).context("generating the RPM macro file")?;
    output::print(file.as_bytes())?;
    Ok(exit_codes::OK)
}
