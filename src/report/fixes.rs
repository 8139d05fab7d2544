//! What a fix run decided, conflict by conflict: renamed, widened, or left
//! and why. The stderr summary, `--format json` of `diff` and `apply`, and
//! the commit message all read these records.

use serde::Serialize;

use crate::fix::{Choice, FixKind, Plan, RuleStatus};
use crate::scan::{Analysis, ConflictKind, Project};

#[derive(Debug, Clone, Serialize)]
pub struct FixRecord {
    /// The override's qualname.
    #[serde(rename = "override")]
    pub override_method: String,
    pub overridden: String,
    pub kind: FixKind,
    pub reason: String,
    /// The new name, for a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The new signature, for a widening.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// One record per overriding method in a conflict, in the analysis's
/// order. `choices` are `--auto`'s (empty when only recipes ran): they give
/// the reasons; a fix a recipe made names the recipe.
pub fn fix_records(project: &Project, analysis: &Analysis, choices: &[Choice], plan: &Plan) -> Vec<FixRecord> {
    let mut out: Vec<FixRecord> = Vec::new();
    for c in &analysis.conflicts {
        let over = project.method_qualname(c.override_method);
        if out.iter().any(|r| r.override_method == over) {
            continue;
        }
        let choice = choices.iter().find(|ch| ch.override_method == c.override_method);
        let class = &project.class(c.override_method.class).qualname;
        let name = &project.method(c.override_method).name;
        // The outcome of a rule that targeted this method, if any.
        let outcome = plan
            .outcomes
            .iter()
            .find(|o| o.class.as_deref() == Some(class.as_str()) && o.rule.method() == name);
        let by_recipe = |what: &str| match outcome {
            Some(o) if o.recipe != "auto" => format!("{what} by recipe {}", o.recipe),
            _ => what.to_string(),
        };
        let reason_of = |fallback: String| match choice {
            Some(ch) if outcome.is_none_or(|o| o.recipe == "auto") => ch.reason(),
            _ => fallback,
        };
        let mut record = FixRecord {
            override_method: over.clone(),
            overridden: project.method_qualname(c.overridden),
            kind: FixKind::Left,
            reason: String::new(),
            to: None,
            signature: None,
        };
        if c.kind == ConflictKind::Broken {
            let call = &c.calls[0];
            let f = project.file(call.file);
            record.reason = format!(
                "a call on an instance binds to no method it reaches ({}:{}); fix the caller",
                f.rel_path, f.syntax.attr_refs[call.attr_ref].position.line
            );
        } else if let Some((_, to)) = plan.renames.iter().find(|(old, _)| *old == over) {
            record.kind = FixKind::Rename;
            record.to = Some(to.clone());
            record.reason = reason_of(by_recipe("renamed"));
        } else if let Some(w) = plan.widened.iter().find(|w| w.qualname == over) {
            record.kind = FixKind::Widen;
            record.signature = Some(w.signature.clone());
            record.reason = reason_of(by_recipe("widened"));
        } else {
            record.reason = match (outcome, choice) {
                (Some(o), _) if o.recipe != "auto" => match &o.status {
                    RuleStatus::NotApplicable(why) => format!("recipe {}: not applicable: {why}", o.recipe),
                    _ => format!("recipe {} did not change it", o.recipe),
                },
                (_, Some(ch)) => ch.reason(),
                _ => "no recipe rule targets it (try --auto)".to_string(),
            };
        }
        out.push(record);
    }
    out
}
