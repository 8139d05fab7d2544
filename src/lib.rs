//! shadowfix: find and fix Python methods that accidentally override a base
//! class method which an inherited body still calls.
//!
//! The pipeline is three stages, one folder each, data flowing one way:
//! - [`scan`]: `walk -> parse -> model -> analyze`, the read-only facts about
//!   a tree and the conflicts in it (only `scan::parse` sees tree-sitter);
//! - [`fix`]: recipes or `--auto` rules -> byte-range edits -> new file
//!   contents, verified by re-parsing and re-scanning, never written;
//! - [`deliver`]: the verified change as a diff, an in-place write, git
//!   commits, a patch file or an RPM hook (the only stage that writes).
//!
//! [`report`] renders a scan (text, JSON, SARIF) and [`cli`] parses the
//! command line and drives the stages.

pub mod cli;
pub mod deliver;
pub mod exit_codes;
pub mod fix;
pub mod report;
pub mod scan;
