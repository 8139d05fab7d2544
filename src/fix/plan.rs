//! The plan of a fix: per rule what happens, and the byte-range edits per
//! file that make it happen. The rename and widen planners fill it in; the
//! pipeline applies and verifies it; the summary and the commit message
//! read it.

use std::collections::BTreeMap;

use super::edit::Edit;
use super::recipe::{Recipe, Rule};
use super::rename::{self, RenameError};
use super::widen;
use crate::scan::{Analysis, FileId, Project};

/// What happened to one rule in one tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleStatus {
    Applied,
    AlreadyApplied,
    NotApplicable(String),
}

#[derive(Debug, Clone)]
pub struct RuleOutcome {
    pub recipe: String,
    pub rule: Rule,
    /// The class the outcome is about (qualname), when one was found.
    pub class: Option<String>,
    pub status: RuleStatus,
    /// For an applied widening: the new signature.
    pub detail: Option<String>,
}

/// A call in C's family that was left for the base method, and why.
#[derive(Debug, Clone)]
pub struct LeftCall {
    pub path: String,
    pub line: u32,
    pub text: String,
    pub reason: String,
}

/// One override whose signature was widened.
#[derive(Debug, Clone)]
pub struct Widened {
    /// The override's qualname (unchanged by the fix).
    pub qualname: String,
    /// The signature before and after, as written.
    pub old_signature: String,
    pub signature: String,
    /// The parameters added, as written.
    pub added: Vec<String>,
    /// `super()` calls that now pass the new parameters along.
    pub passed_to_super: usize,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub outcomes: Vec<RuleOutcome>,
    pub edits: BTreeMap<FileId, Vec<Edit>>,
    /// Definitions renamed (`def m` in K and in family overrides).
    pub renamed_defs: Vec<String>,
    /// References updated (calls, callbacks, super, dotted, strings, aliases).
    pub references_updated: usize,
    pub left_for_base: Vec<LeftCall>,
    /// The methods renamed, by their old qualname, with their new name.
    pub renames: Vec<(String, String)>,
    pub widened: Vec<Widened>,
}

/// Plans every rule of every recipe against the project: renames first,
/// then widenings, recipe by recipe.
pub fn plan(project: &Project, analysis: &Analysis, recipes: &[Recipe]) -> Result<Plan, RenameError> {
    let mut plan = Plan::default();
    for recipe in recipes {
        for rule in &recipe.renames {
            rename::plan_rule(project, analysis, &recipe.id, rule, &mut plan)?;
        }
        for rule in &recipe.widens {
            widen::plan_rule(project, analysis, &recipe.id, rule, &mut plan);
        }
    }
    for edits in plan.edits.values_mut() {
        edits.sort_by_key(|e| e.range.start);
        edits.dedup_by(|a, b| a.range == b.range && a.replacement == b.replacement);
    }
    Ok(plan)
}
