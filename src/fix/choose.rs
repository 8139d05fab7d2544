//! Choosing the fix for each conflict (`--auto`): rename the override,
//! widen its signature, or leave it, from the evidence in the tree.
//!
//! ## What it does
//! For every override in a conflict it collects evidence both ways:
//! - **rename** (an accidental name clash): the override is private, its
//!   own class or its tests call it with its own argument shape, its
//!   parameters do not follow the base's, it does not call the base method
//!   through `super()`, and the base method is a real implementation the
//!   inherited callers should reach. Only when all of these hold is it
//!   renamed.
//! - **widen** (an outdated implementation of the base's hook): its
//!   parameters are a leading prefix of the base's by name, or it calls
//!   `super()` for that method, or the base method is abstract, raises
//!   `NotImplementedError`, does nothing or says it is meant to be
//!   overridden, or sibling subclasses override it with the base's
//!   signature, or it is public (an interface method). It is widened when
//!   some of this holds and a widening binds every breaking call.
//! - **left** otherwise: the evidence is thin or points both ways; the
//!   reasons say which.
//!
//! ## Why
//! Renaming an implementation makes the base's version run instead: a loud
//! TypeError becomes a silent change of behaviour (a copy path raising
//! NotImplementedError, a test fake turning abstract, a `super()` chain
//! losing a link). Widening a helper that has its own argument shape binds
//! the base's arguments to the wrong parameters. Neither is better than no
//! fix, so a conflict whose evidence is unclear is left for a person.
//!
//! ## Fix safety
//! A renaming that the rename stage would refuse (the new name is taken,
//! an ambiguous override below) and a widening that would not bind every
//! breaking call are not chosen; the conflict is left with that reason.

use std::collections::BTreeMap;

use super::plan::Plan;
use super::reach::Reach;
use super::recipe::{Recipe, RenameRule, WidenRule};
use super::{rename, widen};
use crate::scan::syntax::{BodyKind, MethodKind, ParamKind, Receiver};
use crate::scan::{self, Analysis, ClassId, ConflictKind, MethodId, MroEntry, Project};

/// The three ways a conflict can end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    Rename,
    Widen,
    Left,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::Rename => "rename",
            FixKind::Widen => "widen",
            FixKind::Left => "left",
        }
    }
}

/// The fix chosen for one override, and why.
#[derive(Debug, Clone)]
pub struct Choice {
    pub override_method: MethodId,
    pub overridden: MethodId,
    pub kind: FixKind,
    /// The evidence, the deciding points first; for `left`, what points
    /// each way.
    pub reasons: Vec<String>,
    /// For a rename: the new name.
    pub to: Option<String>,
    /// For a widening: the new signature.
    pub signature: Option<String>,
}

impl Choice {
    /// The reasons as one sentence.
    pub fn reason(&self) -> String {
        self.reasons.join("; ")
    }
}

/// Chooses a fix for every override in a conflict, in the analysis's order.
/// `prefix` is the `--prefix` for new names (default: from the class name).
pub fn choose(project: &Project, analysis: &Analysis, prefix: Option<&str>) -> Vec<Choice> {
    let mut by_override: BTreeMap<MethodId, MethodId> = BTreeMap::new();
    let mut order = Vec::new();
    // A broken call is not an override conflict: its caller needs fixing.
    for c in analysis.conflicts.iter().filter(|c| c.kind != ConflictKind::Broken) {
        if by_override.insert(c.override_method, c.overridden).is_none() {
            order.push(c.override_method);
        }
    }
    order
        .into_iter()
        .map(|over| decide(project, analysis, over, by_override[&over], prefix))
        .collect()
}

/// The recipe `--auto` stands for: the renames and widenings chosen.
pub fn auto_recipe(project: &Project, choices: &[Choice]) -> Option<Recipe> {
    let mut renames = Vec::new();
    let mut widens = Vec::new();
    for c in choices {
        let class = project.class(c.override_method.class).qualname.clone();
        let method = project.method(c.override_method).name.clone();
        match c.kind {
            FixKind::Rename => renames.push(RenameRule {
                class,
                method,
                to: c.to.clone().unwrap_or_default(),
            }),
            FixKind::Widen => widens.push(WidenRule {
                class,
                method,
                params: None,
            }),
            FixKind::Left => {}
        }
    }
    if renames.is_empty() && widens.is_empty() {
        return None;
    }
    let title = match (renames.is_empty(), widens.is_empty()) {
        (false, true) => "Rename private helpers that shadow base-class methods",
        (true, false) => "Widen overrides that the base class's callers outgrew",
        _ => "Fix methods that shadow base-class methods",
    };
    Some(Recipe::derived(
        "auto",
        title,
        "shadowfix --auto chose these fixes from the conflicts it detected: a private helper \
         that only clashes with a base-class method by name is renamed; an override that \
         implements the base's method with an outdated signature is widened so the inherited \
         calls bind.",
        renames,
        widens,
    ))
}

/// What the tree says about one override.
struct Evidence {
    private: bool,
    /// Calls reaching the override with arguments only it accepts.
    own_calls: Vec<String>,
    prefix: bool,
    no_params: bool,
    calls_super: bool,
    /// The qualname of an abstract declaration of the method above it.
    abstract_in: Option<String>,
    base_body: BodyKind,
    base_doc: bool,
    /// Other subclasses of the base's class overriding with its signature.
    siblings: Vec<String>,
}

fn decide(project: &Project, analysis: &Analysis, over: MethodId, base: MethodId, prefix: Option<&str>) -> Choice {
    let e = evidence(project, over, base);
    let o = project.method(over);
    let b = project.method(base);
    let base_name = project.method_py_qualname(base);
    let over_name = project.method_py_qualname(over);
    let mut choice = Choice {
        override_method: over,
        overridden: base,
        kind: FixKind::Left,
        reasons: Vec::new(),
        to: None,
        signature: None,
    };

    // Evidence for widening, strongest first.
    let mut widen_for = Vec::new();
    if e.calls_super {
        widen_for.push(format!("it calls super() for `{}`, so it overrides on purpose", o.name));
    }
    if let Some(abs) = &e.abstract_in {
        widen_for.push(format!("{abs} is abstract: renaming would leave it unimplemented"));
    }
    match e.base_body {
        BodyKind::RaisesNotImplemented => widen_for.push(format!(
            "{base_name} raises NotImplementedError: it is a hook subclasses implement"
        )),
        BodyKind::NoOp if e.abstract_in.is_none() => widen_for.push(format!(
            "{base_name} does nothing: it is a default for subclasses to replace"
        )),
        _ => {}
    }
    if e.base_doc {
        widen_for.push(format!("{base_name}'s docstring asks subclasses to override it"));
    }
    if e.no_params {
        widen_for.push("it takes no parameters at all: a stub that ignores its arguments".to_string());
    } else if e.prefix {
        widen_for.push(format!(
            "its parameters {} are the leading parameters of {base_name}{}: the base gained parameters it lacks",
            o.signature.text, b.signature.text
        ));
    }
    if !e.siblings.is_empty() {
        widen_for.push(format!(
            "{} also override{} it with the base's signature",
            list(&e.siblings),
            if e.siblings.len() == 1 { "s" } else { "" }
        ));
    }
    if !e.private {
        widen_for.push(format!(
            "`{}` is public: an interface the base's callers rely on",
            o.name
        ));
    }

    // Evidence for renaming: all of it must hold.
    let rename_for = e.private
        && !e.own_calls.is_empty()
        && !e.prefix
        && !e.no_params
        && !e.calls_super
        && e.abstract_in.is_none()
        && e.base_body == BodyKind::Real
        && !e.base_doc;

    if rename_for {
        let class = project.class_def(over.class);
        let p = prefix
            .map(str::to_string)
            .unwrap_or_else(|| default_prefix(&class.name));
        let to = format!("_{}_{}", p, o.name.trim_start_matches('_'));
        let mut reasons = vec![
            format!(
                "{over_name} is a private helper its own code calls with its own arguments ({})",
                examples(&e.own_calls)
            ),
            format!(
                "its parameters {} do not follow {base_name}'s {}",
                o.signature.text, b.signature.text
            ),
            format!("{base_name} is a real implementation, which the inherited calls should reach"),
        ];
        if let Some(sib) = widen_for.iter().find(|r| r.contains("also override")) {
            reasons.push(format!("(against: {sib})"));
        }
        match rename_feasible(project, analysis, over, &to) {
            Ok(()) => {
                choice.kind = FixKind::Rename;
                choice.to = Some(to);
                choice.reasons = reasons;
            }
            Err(why) => {
                choice.reasons = vec![format!("renaming it to `{to}` is refused: {why}")];
            }
        }
        return choice;
    }

    if !widen_for.is_empty() {
        match widen::plan_method(project, analysis, over, None) {
            Ok(plan) => {
                choice.kind = FixKind::Widen;
                choice.reasons = widen_for;
                choice.reasons.push(format!(
                    "adding {} makes every breaking call bind",
                    plan.added.join(", ")
                ));
                choice.signature = Some(plan.signature);
            }
            Err(why) => {
                choice.reasons = widen_for;
                choice.reasons.push(format!("but widening does not fit: {why}"));
                if e.private && !e.own_calls.is_empty() {
                    choice.reasons.push(format!(
                        "and renaming would change what the inherited calls run; fix it by hand ({})",
                        examples(&e.own_calls)
                    ));
                }
            }
        }
        return choice;
    }

    // Thin evidence: a private helper nothing calls with its own shape.
    choice.reasons = vec![format!(
        "no call with its own arguments was found and nothing marks it as an implementation of {base_name}: \
         whether it is a helper or an outdated override is unclear"
    )];
    choice
}

fn evidence(project: &Project, over: MethodId, base: MethodId) -> Evidence {
    let o = project.method(over);
    let b = project.method(base);
    let k = over.class;
    let info = project.class(k);
    let file = project.file(info.file);
    let calls_super = file.syntax.attr_refs.iter().any(|r| {
        matches!(r.receiver, Receiver::Super { .. })
            && r.attr == o.name
            && r.scope.is_some_and(|s| s.class == info.index && s.method == over.index)
    });
    let abstract_in = project
        .mro_after(k, k)
        .iter()
        .filter_map(|e| match e {
            MroEntry::Class(c) => project.own_member(*c, &o.name).and_then(|m| m.method()),
            MroEntry::External(_) => None,
        })
        .find(|m| project.method(*m).is_abstract)
        .map(|m| project.method_py_qualname(m));
    let implicit = |kind| usize::from(kind != MethodKind::Static);
    let positional = |sig: &crate::scan::syntax::Signature, skip: usize| -> Vec<String> {
        sig.params
            .iter()
            .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword))
            .skip(skip)
            .map(|p| p.name.clone())
            .collect()
    };
    let o_pos = positional(&o.signature, implicit(o.kind));
    let b_pos = positional(&b.signature, implicit(b.kind));
    let prefix = !o.signature.params.is_empty() && o_pos.len() <= b_pos.len() && b_pos.starts_with(&o_pos);
    Evidence {
        private: o.name.starts_with('_') && !o.name.starts_with("__"),
        own_calls: own_calls(project, over, base),
        prefix,
        no_params: o.signature.params.is_empty(),
        calls_super,
        abstract_in,
        base_body: b.body,
        base_doc: b.hook_doc,
        siblings: siblings(project, over, base),
    }
}

/// Calls that reach the override (from its family's bodies, or from tests
/// through typed instances) with arguments the override accepts and the
/// base method does not: `path:line \`text\``.
fn own_calls(project: &Project, over: MethodId, base: MethodId) -> Vec<String> {
    let family = project.family_below(over.class);
    let targets = [over];
    let name = &project.method(over).name;
    let reach = Reach::new(project, &family, &targets, name);
    let mut out = Vec::new();
    for (file, i) in reach.attr_refs() {
        let f = project.file(file);
        let r = &f.syntax.attr_refs[i];
        let Some(args) = &r.call else { continue };
        if args.star || args.double_star {
            continue;
        }
        let caller_kind = r.scope.map_or(MethodKind::Instance, |s| {
            f.syntax.classes[s.class].methods[s.method].kind
        });
        if scan::bind(project, over, caller_kind, args).is_ok() && scan::bind(project, base, caller_kind, args).is_err()
        {
            out.push(format!(
                "{}:{} `{}`",
                f.rel_path,
                r.position.line,
                crate::report::call_text(&f.bytes[r.expr_range.clone()])
            ));
        }
    }
    out
}

/// Subclasses of the base's class, outside the override's own line, that
/// override the method with the base's signature.
fn siblings(project: &Project, over: MethodId, base: MethodId) -> Vec<String> {
    let name = &project.method(over).name;
    let base_shape = scan::shape(&project.method(base).signature);
    let own_line: Vec<ClassId> = project
        .class(over.class)
        .mro
        .iter()
        .filter_map(|e| match e {
            MroEntry::Class(c) => Some(*c),
            MroEntry::External(_) => None,
        })
        .chain(project.family_below(over.class))
        .collect();
    project
        .family_below(base.class)
        .into_iter()
        .filter(|c| !own_line.contains(c))
        .filter_map(|c| project.own_member(c, name)?.method())
        .filter(|m| scan::shape(&project.method(*m).signature) == base_shape)
        .map(|m| project.method_py_qualname(m))
        .collect()
}

/// Would the rename stage accept renaming `over` to `to`?
fn rename_feasible(project: &Project, analysis: &Analysis, over: MethodId, to: &str) -> Result<(), String> {
    let rule = RenameRule {
        class: project.class(over.class).qualname.clone(),
        method: project.method(over).name.clone(),
        to: to.to_string(),
    };
    let mut scratch = Plan::default();
    rename::plan_rule(project, analysis, "auto", &rule, &mut scratch).map_err(|e| e.to_string())
}

/// The capitals of a class name without its `Driver` suffix, lower-cased:
/// `ScaleIODriver` -> `sio`. A name without capitals uses itself.
pub fn default_prefix(class_name: &str) -> String {
    let stem = class_name
        .strip_suffix("Driver")
        .filter(|s| !s.is_empty())
        .unwrap_or(class_name);
    let caps: String = stem.chars().filter(char::is_ascii_uppercase).collect();
    if caps.is_empty() {
        stem.trim_matches('_').to_ascii_lowercase()
    } else {
        caps.to_ascii_lowercase()
    }
}

/// The first call and how many more.
fn examples(calls: &[String]) -> String {
    match calls {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} and {} more", rest.len()),
    }
}

/// `A`, `A and B`, `A, B and 2 more`.
fn list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::default_prefix;

    #[test]
    fn prefix_from_capitals_without_driver_suffix() {
        assert_eq!(default_prefix("ScaleIODriver"), "sio");
        assert_eq!(default_prefix("FakeISCSIDriver"), "fiscsi");
        assert_eq!(default_prefix("Driver"), "d");
        assert_eq!(default_prefix("thing"), "thing");
    }
}
