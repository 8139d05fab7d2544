//! The scope-aware rename: turns recipe rules (`class C: m -> n`) into
//! byte-range edits over the original files, touching only references that
//! reach C's method at run time.
//!
//! The algorithm, for one rule and every class K the rule's class names:
//! 1. K has no `m`: if it has `n`, the rule is already applied; otherwise it is
//!    not applicable. If `m` is in no conflict (e.g. an override with the
//!    base signature that calls `super()`), it is not applicable either:
//!    renaming it would silently stop the base from calling it.
//! 2. Refuse when `n` already names something in K's MRO or in any subclass.
//! 3. The family F is K and every class below it. Overrides of `m` in F are
//!    renamed too, unless one has the base-side signature (ambiguous: refuse).
//! 4. In methods of F: `self.m` / `cls.m` references (called or not) that reach
//!    a renamed method through the class's MRO; `super(S, self).m` and
//!    `super().m` in subclasses that reach one; `getattr(self, 'm')`.
//!    A call whose arguments bind only to the overridden base method was meant
//!    for the base: it is left alone and reported.
//! 5. Anywhere: `C.m` / `module.C.m` where the dotted name resolves to a class
//!    of F, `mock.patch.object(C, 'm')` and `mock.patch('pkg.mod.C.m')`.
//! 6. Class-level aliases `alias = m` in F.
//!
//! Nothing else changes: `m` in base classes and unrelated classes, and the
//! calls in base bodies (they will reach the base method again).

use thiserror::Error;

use super::plan::{LeftCall, Plan, RuleOutcome, RuleStatus};
use super::reach::Reach;
use crate::fix::edit::Edit;
use crate::fix::recipe::{RenameRule, Rule};
use crate::scan::syntax::{Receiver, StringContext};
use crate::scan::{self, Analysis, Site, shape};
use crate::scan::{ClassId, FileId, Member, MethodId, Project};

/// Where the new name of a rename is already in use.
#[derive(Debug)]
pub struct NameTaken {
    pub class: String,
    pub method: String,
    pub to: String,
    /// "a class attribute", "a nested class", "an instance attribute", or
    /// empty for a method or alias.
    pub what: &'static str,
    pub holder: String,
    pub path: String,
    pub line: u32,
}

impl std::fmt::Display for NameTaken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let NameTaken {
            class,
            method,
            to,
            what,
            holder,
            path,
            line,
        } = self;
        if what.is_empty() {
            write!(
                f,
                "cannot rename {class}.{method} to {to}: `{to}` already exists in {holder} ({path}:{line}); choose another name in the recipe"
            )
        } else {
            write!(
                f,
                "cannot rename {class}.{method} to {to}: `{to}` is already {what} of {holder} ({path}:{line}); a method of that name would clash with it; choose another name in the recipe"
            )
        }
    }
}

#[derive(Debug, Error)]
pub enum RenameError {
    /// The new name is already a method, alias or attribute in the class's
    /// MRO or family (boxed: the details are many and refusals rare).
    #[error("{0}")]
    NameTaken(Box<NameTaken>),
    #[error(
        "cannot rename {class}.{method}: the override {other} ({path}:{line}) has the base-side signature, so it is unclear whether it overrides the base method or the helper; rename it by hand or add a rule for it"
    )]
    Ambiguous {
        class: String,
        method: String,
        other: String,
        path: String,
        line: u32,
    },
    #[error(
        "cannot rename {class}.{method}: {path}:{line}:{column} needs an edit inside a region the parser could not read; fix the syntax error first"
    )]
    UnparsedRegion {
        class: String,
        method: String,
        path: String,
        line: u32,
        column: u32,
    },
}

/// Classes a rule's `class` names: a simple name matches every class of that
/// name; a dotted name matches the qualname (or its tail).
pub fn matching_classes(project: &Project, spec: &str) -> Vec<ClassId> {
    project
        .class_ids()
        .filter(|&id| {
            if spec.contains('.') {
                let q = &project.class(id).qualname;
                q == spec || q.ends_with(&format!(".{spec}"))
            } else {
                project.class_def(id).name == spec
            }
        })
        .collect()
}

pub(super) fn plan_rule(
    project: &Project,
    analysis: &Analysis,
    recipe: &str,
    rule: &RenameRule,
    plan: &mut Plan,
) -> Result<(), RenameError> {
    let outcome = |class: Option<String>, status| RuleOutcome {
        recipe: recipe.to_string(),
        rule: Rule::Rename(rule.clone()),
        class,
        status,
        detail: None,
    };
    let classes = matching_classes(project, &rule.class);
    if classes.is_empty() {
        plan.outcomes.push(outcome(
            None,
            RuleStatus::NotApplicable(format!("no class {} in the tree", rule.class)),
        ));
        return Ok(());
    }
    for k in classes {
        let qualname = project.class(k).qualname.clone();
        let Some(Member::Method(target)) = project.own_member(k, &rule.method) else {
            let status = if let Some(Member::Method(renamed)) = project.own_member(k, &rule.to) {
                // The definition has the new name; "already applied" only if
                // no caller still uses the old one (an interrupted or
                // hand-made rename): those are renamed now.
                let stale = stale_callers(project, k, renamed, rule);
                if stale.is_empty() {
                    RuleStatus::AlreadyApplied
                } else {
                    plan.references_updated += stale.len();
                    plan.renames
                        .push((format!("{qualname}.{}", rule.method), rule.to.clone()));
                    for (file, range) in stale {
                        plan.edits.entry(file).or_default().push(edit(range, &rule.to));
                    }
                    RuleStatus::Applied
                }
            } else if project.own_member(k, &rule.to).is_some() {
                RuleStatus::AlreadyApplied
            } else {
                RuleStatus::NotApplicable(format!("{qualname} has no method {}", rule.method))
            };
            plan.outcomes.push(outcome(Some(qualname), status));
            continue;
        };
        let Some(conflict) = analysis.conflicts.iter().find(|c| c.override_method == target) else {
            let why = if outside_path(analysis, target) {
                format!("{qualname}.{}: {OUTSIDE_PATH}", rule.method)
            } else {
                format!(
                    "{qualname}.{} is in no conflict: no inherited call breaks on it, and renaming it could stop a base class from calling it",
                    rule.method
                )
            };
            plan.outcomes
                .push(outcome(Some(qualname.clone()), RuleStatus::NotApplicable(why)));
            continue;
        };
        let base = conflict.overridden;
        let family = project.family_below(k);
        check_new_name(project, k, &family, rule)?;
        let renamed = family_overrides(project, k, target, base, &family, rule)?;
        let mut edits: Vec<(FileId, Edit, bool)> = Vec::new();
        for m in &renamed {
            let def = project.method(*m);
            edits.push((
                project.class(m.class).file,
                edit(def.name_range.clone(), &rule.to),
                true,
            ));
            plan.renamed_defs.push(project.method_qualname(*m));
            plan.renames.push((project.method_qualname(*m), rule.to.clone()));
        }
        refuse_unread_mentions(project, &qualname, rule)?;
        collect_references(
            project,
            &family,
            &renamed,
            base,
            rule,
            &mut edits,
            &mut plan.left_for_base,
        );
        for (file, e, is_def) in edits {
            if !is_def {
                plan.references_updated += 1;
            }
            plan.edits.entry(file).or_default().push(e);
        }
        plan.outcomes.push(outcome(Some(qualname), RuleStatus::Applied));
    }
    Ok(())
}

/// Why a rule leaves a conflict that lies outside PATH.
pub(super) const OUTSIDE_PATH: &str = "its conflict lies outside the path given (neither the override nor a breaking call is under it); only conflicts under it are fixed";

/// Whether `target` is in a conflict that was found but lies outside PATH.
pub(super) fn outside_path(analysis: &Analysis, target: MethodId) -> bool {
    analysis.outside.iter().any(|c| c.override_method == target)
}

/// References to the old name that a rename left behind. Calls `x.m(...)`
/// on an object of K's family (`self`, `super()`, a typed instance or
/// class) whose arguments bind to the renamed method and not to whatever
/// `m` reaches now; and `mock.patch.object(C, 'm')`, `mock.patch('...C.m')`
/// or `getattr(x, 'm')` naming `m` on a family class that no longer defines
/// it while it reaches the renamed method: those would now patch or fetch
/// an inherited method. A complete rename leaves none.
fn stale_callers(
    project: &Project,
    k: ClassId,
    renamed: MethodId,
    rule: &RenameRule,
) -> Vec<(FileId, std::ops::Range<usize>)> {
    let family = project.family_below(k);
    let mut out = Vec::new();
    for (fi, f) in project.files.iter().enumerate() {
        let file = FileId(fi as u32);
        for r in f.syntax.attr_refs.iter().filter(|r| r.attr == rule.method) {
            let Some(args) = &r.call else { continue };
            let site = Site::of_attr(r);
            let (class, mro) = match &r.receiver {
                Receiver::SelfParam => {
                    let Some(scope) = r.scope else { continue };
                    let c = project.class_id_at(file, scope.class);
                    (c, &project.class(c).mro[..])
                }
                Receiver::Super { .. } => {
                    let Some(scope) = r.scope else { continue };
                    let c = project.class_id_at(file, scope.class);
                    let Some(start) = project.super_start(file, c, &r.receiver) else {
                        continue;
                    };
                    (c, project.mro_after(c, start))
                }
                _ => {
                    let Some(c) = scan::receiver_class(project, file, &r.receiver, site) else {
                        continue;
                    };
                    (c, &project.class(c).mro[..])
                }
            };
            if !family.contains(&class) {
                continue;
            }
            let caller_kind = r.scope.map_or(crate::scan::syntax::MethodKind::Instance, |s| {
                f.syntax.classes[s.class].methods[s.method].kind
            });
            let binds_new = scan::bind(project, renamed, caller_kind, args).is_ok();
            let binds_now = project
                .lookup(mro, &rule.method)
                .and_then(Member::method)
                .is_some_and(|m| scan::bind(project, m, caller_kind, args).is_ok());
            if binds_new && !binds_now {
                out.push((file, r.attr_range.clone()));
            }
        }
    }
    let defined_in_family = family
        .iter()
        .any(|&c| matches!(project.own_member(c, &rule.method), Some(Member::Method(_))));
    if defined_in_family {
        return out;
    }
    let targets = [renamed];
    let reach = Reach::new(project, &family, &targets, &rule.to);
    for (fi, f) in project.files.iter().enumerate() {
        let file = FileId(fi as u32);
        for s in f.syntax.string_refs.iter() {
            let range = match &s.context {
                StringContext::PatchObject { target: receiver } | StringContext::Getattr { receiver }
                    if s.value == rule.method && reach.receiver_hits(file, receiver, Site::of_string(s)) =>
                {
                    s.value_range.clone()
                }
                StringContext::Patch => match s.value.rsplit_once('.') {
                    Some((owner, attr)) if attr == rule.method && reach.dotted_path_hits(owner) => {
                        s.value_range.end - attr.len()..s.value_range.end
                    }
                    _ => continue,
                },
                _ => continue,
            };
            out.push((file, range));
        }
    }
    out
}

/// A region the parser could not read that mentions the method name might
/// hold a reference we cannot see, so whether to rename it is unknowable:
/// refuse rather than leave a stale name behind.
fn refuse_unread_mentions(project: &Project, qualname: &str, rule: &RenameRule) -> Result<(), RenameError> {
    for f in &project.files {
        for err in &f.syntax.parse_errors {
            if mentions_identifier(&f.bytes[err.range.clone()], rule.method.as_bytes()) {
                return Err(RenameError::UnparsedRegion {
                    class: qualname.to_string(),
                    method: rule.method.clone(),
                    path: f.rel_path.clone(),
                    line: err.position.line,
                    column: err.position.column,
                });
            }
        }
    }
    Ok(())
}

/// Whether `name` occurs in `haystack` as a whole identifier.
fn mentions_identifier(haystack: &[u8], name: &[u8]) -> bool {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    haystack.windows(name.len()).enumerate().any(|(i, w)| {
        w == name
            && (i == 0 || !is_ident(haystack[i - 1]))
            && haystack.get(i + name.len()).is_none_or(|&b| !is_ident(b))
    })
}

fn edit(range: std::ops::Range<usize>, to: &str) -> Edit {
    Edit {
        range,
        replacement: to.to_string(),
    }
}

/// Step 2: the new name must be free in K's MRO and below K: no method or
/// alias, class attribute, nested class or instance attribute (`self.to`
/// assigned or read in any of those classes' methods) of that name.
fn check_new_name(project: &Project, k: ClassId, family: &[ClassId], rule: &RenameRule) -> Result<(), RenameError> {
    let mro_classes: Vec<ClassId> = project
        .class(k)
        .mro
        .iter()
        .filter_map(|e| match e {
            crate::scan::MroEntry::Class(id) => Some(*id),
            crate::scan::MroEntry::External(_) => None,
        })
        .collect();
    let holders: Vec<ClassId> = mro_classes.iter().chain(family).copied().collect();
    let taken = |holder: ClassId, what: &'static str, line: u32| {
        RenameError::NameTaken(Box::new(NameTaken {
            class: project.class(k).qualname.clone(),
            method: rule.method.clone(),
            to: rule.to.clone(),
            what,
            holder: project.class(holder).qualname.clone(),
            path: project.file(project.class(holder).file).rel_path.clone(),
            line,
        }))
    };
    for &holder in &holders {
        let def = project.class_def(holder);
        if let Some(member) = project.own_member(holder, &rule.to) {
            let line = match member {
                Member::Method(m) => project.method(m).position.line,
                Member::Alias { index, .. } => def.aliases[index].position.line,
            };
            return Err(taken(holder, "", line));
        }
        if let Some(attr) = def.attributes.iter().find(|a| a.name == rule.to) {
            return Err(taken(holder, "a class attribute", attr.position.line));
        }
        let info = project.class(holder);
        let classes = &project.file(info.file).syntax.classes;
        if let Some(nested) = classes
            .iter()
            .find(|c| c.parent == Some(info.index) && c.name == rule.to)
        {
            return Err(taken(holder, "a nested class", nested.position.line));
        }
    }
    // `self.to` anywhere in these classes' methods: an instance attribute
    // the new method would hide (or that would hide it).
    for &holder in &holders {
        let info = project.class(holder);
        let file = project.file(info.file);
        if let Some(r) = file.syntax.attr_refs.iter().find(|r| {
            r.attr == rule.to
                && r.receiver == crate::scan::syntax::Receiver::SelfParam
                && r.scope.is_some_and(|s| s.class == info.index)
        }) {
            return Err(taken(holder, "an instance attribute", r.position.line));
        }
    }
    Ok(())
}

/// Step 3: K's method plus the overrides of it below K.
fn family_overrides(
    project: &Project,
    k: ClassId,
    target: MethodId,
    base: MethodId,
    family: &[ClassId],
    rule: &RenameRule,
) -> Result<Vec<MethodId>, RenameError> {
    let helper_shape = shape(&project.method(target).signature);
    let base_shape = shape(&project.method(base).signature);
    let mut out = vec![target];
    for &s in family {
        if s == k {
            continue;
        }
        let Some(Member::Method(m)) = project.own_member(s, &rule.method) else {
            continue;
        };
        let sig = shape(&project.method(m).signature);
        if sig == base_shape && sig != helper_shape {
            return Err(RenameError::Ambiguous {
                class: project.class(k).qualname.clone(),
                method: rule.method.clone(),
                other: project.method_qualname(m),
                path: project.file(project.class(s).file).rel_path.clone(),
                line: project.method(m).position.line,
            });
        }
        out.push(m);
    }
    Ok(out)
}

/// Steps 4-6: every reference that reaches a renamed method.
fn collect_references(
    project: &Project,
    family: &[ClassId],
    renamed: &[MethodId],
    base: MethodId,
    rule: &RenameRule,
    edits: &mut Vec<(FileId, Edit, bool)>,
    left: &mut Vec<LeftCall>,
) {
    let reach = Reach::new(project, family, renamed, &rule.method);
    for (file, i) in reach.attr_refs() {
        let f = project.file(file);
        let r = &f.syntax.attr_refs[i];
        if let (Some(args), Some(scope)) = (&r.call, r.scope)
            && matches!(r.receiver, Receiver::SelfParam | Receiver::Super { .. })
            && let Some(reason) = meant_for_base(project, file, scope, renamed, base, args, &r.receiver, rule)
        {
            left.push(LeftCall {
                path: f.rel_path.clone(),
                line: r.position.line,
                text: crate::report::call_text(&f.bytes[r.expr_range.clone()]),
                reason,
            });
            continue;
        }
        edits.push((file, edit(r.attr_range.clone(), &rule.to), false));
    }
    for (fi, f) in project.files.iter().enumerate() {
        let file = FileId(fi as u32);
        for s in &f.syntax.string_refs {
            let range = match &s.context {
                StringContext::PatchObject { target: receiver } | StringContext::Getattr { receiver }
                    if s.value == rule.method && reach.receiver_hits(file, receiver, Site::of_string(s)) =>
                {
                    s.value_range.clone()
                }
                StringContext::Patch => {
                    let Some((owner, attr)) = s.value.rsplit_once('.') else {
                        continue;
                    };
                    if attr != rule.method || !reach.dotted_path_hits(owner) {
                        continue;
                    }
                    s.value_range.end - attr.len()..s.value_range.end
                }
                _ => continue,
            };
            edits.push((file, edit(range, &rule.to), false));
        }
    }
    for &c in family {
        for a in project.class_def(c).aliases.iter().filter(|a| a.target == rule.method) {
            if reach.class_hits(c) {
                edits.push((project.class(c).file, edit(a.target_range.clone(), &rule.to), false));
            }
        }
    }
}

/// A call in the family whose arguments bind to the overridden base method
/// but not to the method being renamed was written for the base (a reverse
/// conflict); after the rename it reaches the base, as intended.
#[allow(clippy::too_many_arguments)]
fn meant_for_base(
    project: &Project,
    file: FileId,
    scope: crate::scan::syntax::MethodScope,
    renamed: &[MethodId],
    base: MethodId,
    args: &crate::scan::syntax::ArgShape,
    receiver: &Receiver,
    rule: &RenameRule,
) -> Option<String> {
    let d = project.class_id_at(file, scope.class);
    let caller_kind = project.class_def(d).methods[scope.method].kind;
    let mro = match receiver {
        Receiver::Super { .. } => project.mro_after(d, project.super_start(file, d, receiver)?),
        _ => &project.class(d).mro,
    };
    let reached = project.lookup(mro, &rule.method)?.method()?;
    if !renamed.contains(&reached) {
        return None;
    }
    let binds = |m: MethodId| scan::bind(project, m, caller_kind, args).is_ok();
    (!binds(reached) && binds(base)).then(|| {
        format!(
            "its arguments bind only to {}{}; it was meant for the base method",
            project.method_qualname(base),
            project.method(base).signature.text
        )
    })
}

/// Whether any conflict in the tree still involves the rule's method name
/// on an override (used by `--strict`).
pub fn rule_conflict_present(project: &Project, analysis: &Analysis, rule: &Rule) -> Option<String> {
    analysis
        .conflicts
        .iter()
        .find(|c| project.method(c.override_method).name == rule.method())
        .map(|c| {
            format!(
                "{} still shadows {}",
                project.method_qualname(c.override_method),
                project.method_qualname(c.overridden)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::mentions_identifier;

    #[test]
    fn identifier_mentions_are_whole_words() {
        assert!(mentions_identifier(b"x = (self._attach(1", b"_attach"));
        assert!(!mentions_identifier(b"self._attach_volume(", b"_attach"));
        assert!(!mentions_identifier(b"self.x_attach(", b"_attach"));
        assert!(mentions_identifier(b"_attach", b"_attach"));
    }
}
