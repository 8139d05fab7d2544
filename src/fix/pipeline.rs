//! The fix pipeline: plan renames for the requested recipes, apply them as
//! byte-range edits, and prove the result before anyone prints or writes it:
//! every rewritten file parses with no new errors, and a re-scan of the
//! rewritten tree shows the targeted conflicts gone.
//!
//! Inputs and outputs are in-memory bytes, so the same stage serves the
//! working tree (`diff`, `apply`), a git tree (`commit`) and an RPM build.

use std::collections::HashMap;

use thiserror::Error;

use crate::fix::edit::EditError;
use crate::fix::plan::{self, Plan, RuleStatus};
use crate::fix::recipe::Recipe;
use crate::fix::rename::{self, RenameError};
use crate::fix::style::{StyleOptions, StyleWarning, apply_styled};
use crate::scan::{Analysis, ConflictKind, analyze};
use crate::scan::{FileId, Project};

#[derive(Debug, Error)]
pub enum FixError {
    #[error(transparent)]
    Rename(Box<RenameError>),
    #[error("{path}: {source}")]
    Edit { path: String, source: EditError },
    #[error("refusing to rewrite {path}: the result has a new parse error at {line}:{column} (nothing was written)")]
    NewParseError { path: String, line: u32, column: u32 },
    #[error("refusing the rewrite: after it, a re-scan still finds {0} (nothing was written)")]
    ConflictRemains(String),
    #[error(
        "recipe {recipe}: rule {rule} is not applicable ({why}), but the conflict it targets is still present: {present}"
    )]
    Strict {
        recipe: String,
        rule: String,
        why: String,
        present: String,
    },
}

impl From<RenameError> for FixError {
    fn from(e: RenameError) -> Self {
        FixError::Rename(Box::new(e))
    }
}

#[derive(Debug, Clone)]
pub struct ChangedFile {
    pub file: FileId,
    pub rel_path: String,
    /// The path's exact bytes when it is not UTF-8 (`rel_path` is then a
    /// lossy spelling); the fix stage leaves it None, and whoever loaded
    /// the tree fills it in.
    pub raw_path: Option<Vec<u8>>,
    pub old: Vec<u8>,
    pub new: Vec<u8>,
}

impl ChangedFile {
    /// The path as it is on disk: what to write, and what a diff names.
    pub fn path_bytes(&self) -> &[u8] {
        self.raw_path.as_deref().unwrap_or(self.rel_path.as_bytes())
    }

    /// The change as a diff input for `unidiff` and patch files.
    pub fn diff(&self) -> crate::deliver::unidiff::FileDiff<'_> {
        crate::deliver::unidiff::FileDiff {
            path: self.path_bytes(),
            old: &self.old,
            new: &self.new,
        }
    }
}

#[derive(Debug)]
pub struct FixResult {
    pub plan: Plan,
    pub changes: Vec<ChangedFile>,
    /// Lines the fix made longer than the project allows and could not
    /// break safely: path and warning.
    pub style_warnings: Vec<(String, StyleWarning)>,
}

impl FixResult {
    /// Every rule was already applied (or there was nothing to do).
    pub fn already_applied(&self) -> bool {
        self.changes.is_empty()
            && self
                .plan
                .outcomes
                .iter()
                .any(|o| o.status == RuleStatus::AlreadyApplied)
    }
}

pub struct FixOptions {
    /// `--strict`: a rule that is not applicable while the conflict it
    /// targets is still present is an error.
    pub strict: bool,
    /// The project's style gate: rewritten lines are re-aligned and wrapped
    /// to it.
    pub style: StyleOptions,
}

pub fn fix(
    project: &Project,
    analysis: &Analysis,
    recipes: &[Recipe],
    opts: &FixOptions,
) -> Result<FixResult, FixError> {
    let plan = plan::plan(project, analysis, recipes)?;
    if opts.strict {
        check_strict(project, analysis, &plan)?;
    }
    let mut changes = Vec::new();
    let mut style_warnings = Vec::new();
    for (file, edits) in &plan.edits {
        let f = project.file(*file);
        let styled = apply_styled(&f.bytes, edits, &opts.style).map_err(|source| FixError::Edit {
            path: f.rel_path.clone(),
            source,
        })?;
        style_warnings.extend(styled.warnings.into_iter().map(|w| (f.rel_path.clone(), w)));
        let new = styled.bytes;
        if new != f.bytes {
            changes.push(ChangedFile {
                file: *file,
                rel_path: f.rel_path.clone(),
                raw_path: None,
                old: f.bytes.clone(),
                new,
            });
        }
    }
    if !changes.is_empty() {
        verify(project, analysis, &plan, &changes)?;
    }
    Ok(FixResult {
        plan,
        changes,
        style_warnings,
    })
}

fn check_strict(project: &Project, analysis: &Analysis, plan: &Plan) -> Result<(), FixError> {
    for o in &plan.outcomes {
        let RuleStatus::NotApplicable(why) = &o.status else {
            continue;
        };
        if let Some(present) = rename::rule_conflict_present(project, analysis, &o.rule) {
            return Err(FixError::Strict {
                recipe: o.recipe.clone(),
                rule: o.rule.to_string(),
                why: why.clone(),
                present,
            });
        }
    }
    Ok(())
}

/// Re-parse the rewritten files and re-scan the rewritten tree.
fn verify(project: &Project, analysis: &Analysis, plan: &Plan, changes: &[ChangedFile]) -> Result<(), FixError> {
    let replaced: HashMap<FileId, Vec<u8>> = changes.iter().map(|c| (c.file, c.new.clone())).collect();
    let rewritten = project.with_replaced(&replaced);
    for c in changes {
        let before = project.file(c.file).syntax.parse_errors.len();
        let after = &rewritten.file(c.file).syntax.parse_errors;
        if after.len() > before {
            let e = &after[after.len() - 1];
            return Err(FixError::NewParseError {
                path: c.rel_path.clone(),
                line: e.position.line,
                column: e.position.column,
            });
        }
    }
    let mut targeted: Vec<&str> = plan.renames.iter().map(|(old, _)| old.as_str()).collect();
    targeted.extend(plan.widened.iter().map(|w| w.qualname.as_str()));
    let new_names: Vec<String> = plan
        .renames
        .iter()
        .map(|(old, to)| format!("{}.{}", old.rsplit_once('.').map_or("", |(c, _)| c), to))
        .collect();
    let after = analyze(&rewritten);
    if let Some(c) = after.conflicts.iter().find(|c| {
        let q = rewritten.method_qualname(c.override_method);
        targeted.contains(&q.as_str()) || new_names.contains(&q)
    }) {
        return Err(FixError::ConflictRemains(format!(
            "{} against {}",
            rewritten.method_qualname(c.override_method),
            rewritten.method_qualname(c.overridden)
        )));
    }
    // A call the rewrite broke (a reference the rename missed, a caller of
    // a changed signature) must not appear.
    let broken_before = broken_calls(project, analysis);
    if let Some(new) = broken_calls(&rewritten, &after)
        .into_iter()
        .find(|b| !broken_before.contains(b))
    {
        return Err(FixError::ConflictRemains(format!(
            "a call the rewrite broke: `{}` in {} cannot bind {}",
            new.2, new.1, new.0
        )));
    }
    Ok(())
}

/// The broken calls of an analysis: (method reached, caller, call text).
fn broken_calls(project: &Project, analysis: &Analysis) -> Vec<(String, String, String)> {
    analysis
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::Broken)
        .flat_map(|c| {
            c.calls.iter().map(move |call| {
                let f = project.file(call.file);
                let r = &f.syntax.attr_refs[call.attr_ref];
                (
                    project.method_qualname(c.override_method),
                    project.method_qualname(call.caller),
                    crate::report::call_text(&f.bytes[r.expr_range.clone()]),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::SourceInput;

    const SRC: &str = "\
class Base(object):
    def _attach(self, context, volume, props):
        pass
    def backup(self, context, volume):
        self._attach(context, volume, {})
class Sub(Base):
    def _attach(self, volume, ip):
        pass
class Test(object):
    def test(self):
        d = Sub()
        d._attach(1, '10.0.0.1')
";

    fn project() -> Project {
        Project::build(vec![SourceInput {
            rel_path: "m.py".into(),
            module: "m".into(),
            bytes: SRC.as_bytes().to_vec(),
        }])
    }

    /// `verify` against the fixture project and its analysis.
    fn verify_change(new: &str) -> Result<(), FixError> {
        let p = project();
        verify(&p, &analyze(&p), &plan_renaming_sub(), &[change(new)])
    }

    fn plan_renaming_sub() -> Plan {
        Plan {
            renames: vec![("m.Sub._attach".into(), "_sub_attach".into())],
            ..Plan::default()
        }
    }

    fn change(new: &str) -> ChangedFile {
        ChangedFile {
            file: FileId(0),
            rel_path: "m.py".into(),
            raw_path: None,
            old: SRC.as_bytes().to_vec(),
            new: new.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_rewrite_with_a_new_parse_error_is_refused() {
        let broken = SRC.replace("def _attach(self, volume, ip):", "def _sub_attach(self, volume, ip:");
        let err = verify_change(&broken).unwrap_err();
        assert!(
            matches!(err, FixError::NewParseError { ref path, .. } if path == "m.py"),
            "{err}"
        );
    }

    #[test]
    fn a_rewrite_that_leaves_the_conflict_is_refused() {
        // An edit that misses the helper's `def`: the re-scan still finds it.
        let wrong = format!("{SRC}\nUNRELATED = 1\n");
        let err = verify_change(&wrong).unwrap_err();
        assert!(
            matches!(err, FixError::ConflictRemains(ref what) if what.contains("m.Sub._attach")),
            "{err}"
        );
    }

    #[test]
    fn a_rewrite_that_misses_a_caller_is_refused() {
        // The def is renamed but the test's call is not: it now reaches
        // Base._attach with the helper's arguments.
        let half = SRC.replace("def _attach(self, volume, ip):", "def _sub_attach(self, volume, ip):");
        let err = verify_change(&half).unwrap_err();
        assert!(
            matches!(err, FixError::ConflictRemains(ref what)
                if what.contains("a call the rewrite broke: `d._attach(1, '10.0.0.1')` in m.Test.test")),
            "{err}"
        );
    }

    #[test]
    fn the_real_rename_verifies() {
        let right = SRC
            .replace("def _attach(self, volume, ip):", "def _sub_attach(self, volume, ip):")
            .replace("d._attach(1,", "d._sub_attach(1,");
        verify_change(&right).unwrap();
    }
}
