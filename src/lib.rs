//! shadowfix: find and fix Python methods that accidentally override a base
//! class method which an inherited body still calls.
//!
//! Pipeline, one module per stage, data flowing one way:
//! `walk -> parse -> model -> analyze -> rewrite -> emit (diff | write | git | rpm)`.
//! Only `parse` sees tree-sitter; the rest reads shadowfix's own `syntax` types.

pub mod analyze;
pub mod binding;
pub mod cli;
pub mod edit;
pub mod exit_codes;
pub mod fix;
pub mod git;
pub mod infer;
pub mod message;
pub mod model;
pub mod mro;
pub mod parse;
pub mod patchfile;
pub mod recipe;
pub mod rename;
pub mod report;
pub mod rpm;
pub mod syntax;
pub mod tree;
pub mod unidiff;
pub mod walk;
pub mod write;
