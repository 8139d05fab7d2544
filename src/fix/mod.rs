//! The fix stage: from recipes (or conflicts, with `--auto`) to verified new
//! file contents, in memory.
//!
//! It takes the scan stage's [`Project`](crate::scan::Project) and
//! [`Analysis`](crate::scan::Analysis) plus checked [`recipe`]s, and hands
//! out a [`FixResult`]: per rule an outcome (applied, already applied, not
//! applicable), and the old and new bytes of every file that changes.
//! `recipe` owns the recipe format, `rename` plans a scope-aware rename as
//! byte-range edits, `edit` applies edits to the original bytes, and
//! `pipeline` ties them together and proves the result (every rewritten file
//! re-parses with no new error, a re-scan shows the targeted conflicts gone)
//! before anyone sees it. `style` applies edits the way pep8 gates want
//! them (continuation lines kept aligned, lines the edits made too long
//! broken), and `line_length` reads the project's maximum line length from
//! its linter configuration.
//!
//! It never writes a file, a git object or anything else: the same result
//! serves `diff`, `apply`, `commit` and the RPM hook, and only the deliver
//! stage writes. It sees Python only through the scan stage's facts.

mod choose;
mod edit;
mod line_length;
mod pipeline;
mod plan;
mod reach;
pub mod recipe;
mod rename;
mod style;
mod widen;

pub use choose::{Choice, FixKind, auto_recipe, choose, default_prefix};
pub use edit::{Edit, EditError, apply_edits};
pub use line_length::max_line_length;
pub use pipeline::{ChangedFile, FixError, FixOptions, FixResult, fix};
pub use plan::{LeftCall, Plan, RuleOutcome, RuleStatus, Widened};
pub use recipe::Recipe;
pub use rename::RenameError;
pub use style::{StyleOptions, StyleWarning, Styled, apply_styled};
