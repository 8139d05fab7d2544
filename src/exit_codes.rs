//! Every exit code shadowfix returns, in one place (the README's table is
//! written from this list).

use std::process::ExitCode;

/// Nothing found / nothing to change / all went well.
pub const OK: u8 = 0;
/// `scan`: conflicts found. `diff --exit-code` and `apply --check`: changes
/// are needed. `commit`: at least one base was not applicable.
pub const FINDINGS: u8 = 1;
/// An error: bad path, unreadable tree (or a file in it, for a rewrite),
/// malformed recipe, refused rewrite, a file changed since it was read,
/// failed write. Nothing was written, except what the message names (an
/// interrupted replace `apply` finished first, a commit kept before a
/// failed push).
pub const ERROR: u8 = 2;

pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}
