//! The scan stage: read-only facts about a Python tree, and the conflicts in
//! it.
//!
//! It takes a path (or in-memory sources, e.g. a git tree's blobs) and hands
//! out a [`Project`] (every file's [`syntax`] facts, the classes in an arena
//! with resolved bases and C3 MROs) and an [`Analysis`] (the conflicting
//! override pairs and every call that breaks, with Python's TypeError).
//! Inside, data flows `walk -> parse -> model -> analyze`: `walk` lists the
//! `.py` files and names their modules, `parse` (the only module of shadowfix
//! that sees tree-sitter) turns bytes into [`syntax`] facts, `model` resolves
//! imports and bases, `binding` replays CPython's argument binding, `infer`
//! types instance variables, and `analyze` finds the conflicts. `scope`
//! decides beforehand what to read for a PATH (its whole package when it
//! lies inside one) and afterwards what of it to report.
//!
//! It never writes anything and never decides a fix: the fix stage reads
//! what it hands out, and only the deliver stage writes.

mod analyze;
mod binding;
mod cache;
mod infer;
mod load;
mod mocks;
mod model;
mod namespaces;
mod parse;
mod reachable;
mod scope;
mod suppress;
pub mod syntax;
mod walk;

pub use analyze::{
    Analysis, BreakingCall, Conflict, ConflictKind, Severity, SignatureWarning, analyze, bind, bind_with, shape,
};
pub use binding::BindError;
pub use cache::FactCache;
pub use infer::{Held, Site, Typer, holds as instance_class, receiver_class, receiver_held};
pub use load::{LoadOptions, LoadedTree, UnreadFiles, build_with_progress, load, load_with, show_progress};
pub use model::{
    Base, ClassId, ClassInfo, FileId, Member, MethodId, Mro, MroEntry, Project, Resolved, SourceFile, absolute_module,
};
pub use parse::{argument_list, parameter_list, parse_module, token_layout};
pub use scope::{Scope, Target, locate};
pub use suppress::Policy;
pub use walk::{
    MAX_FILE_BYTES, SourceInput, WalkError, WalkOptions, WalkResult, collect as walk_tree, is_python_file, is_skipped,
    module_name, root_package_prefix, skip_reason,
};
