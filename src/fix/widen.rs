//! Widening an outdated override: the base method gained parameters (or
//! `**kwargs`) that the inherited calls now pass, and the override still has
//! the old signature. The fix is to accept what the calls pass, not to
//! rename the override (which would silently run the base's version).
//!
//! The algorithm, for an override O of base method B:
//! 1. O's parameters must be a leading prefix of B's by name (after
//!    `self`/`cls`), so that every argument of a call written for B lands
//!    on the parameter of the same name; a parameter named differently is
//!    accepted when the calls fill it by position and its name means
//!    nothing else in B (`base` for B's `base_path`). An override with no parameters at
//!    all, or one whose body ignores its arguments (a no-op or
//!    `raise NotImplementedError` stub), may take `*args, **kwargs` instead.
//! 2. Add exactly what the breaking calls need, in B's order: B's missing
//!    positional parameters up to the last one a call fills (by position or
//!    keyword), B's keyword-only parameters a call names, `*args` or
//!    `**kwargs` when B has them and the calls pass more than the named
//!    parameters take. Each new named parameter gets B's default when it is
//!    a plain literal, else None, so O's own callers still bind.
//! 3. Check that every breaking call binds to the widened signature.
//! 4. Insert the new parameters where Python requires them (before `*args`,
//!    keyword-only parameters and `**kwargs`), inline or one per line as
//!    the list is written, keeping comments and trailing commas.
//! 5. When O's body calls `super().m(...)` itself, pass the new parameters
//!    along (`name=name`, `**kwargs`), unless the call already forwards
//!    everything or the result would not bind.

use super::edit::Edit;
use super::plan::{Plan, RuleOutcome, RuleStatus, Widened};
use super::recipe::{Rule, WidenRule};
use super::rename::{self, matching_classes};
use crate::scan::syntax::{
    ArgShape, ItemKind, ListItem, ListLayout, MethodKind, Param, ParamKind, Receiver, Signature,
};
use crate::scan::{self, Analysis, FileId, Member, MethodId, Project};

/// The widening of one override, ready to apply.
#[derive(Debug, Clone)]
pub struct WidenPlan {
    /// The parameters added, as written (`groups=None`, `**kwargs`).
    pub added: Vec<String>,
    /// The new signature as written, whitespace collapsed:
    /// `failover_host(self, context, volumes, secondary_id=None, groups=None)`.
    pub signature: String,
    pub edits: Vec<(FileId, Edit)>,
    /// `super().m(...)` calls that now pass the new parameters along.
    pub passed_to_super: usize,
}

/// Plans one `[[widen]]` rule for every class it names.
pub(super) fn plan_rule(project: &Project, analysis: &Analysis, recipe: &str, rule: &WidenRule, plan: &mut Plan) {
    let outcome = |class: Option<String>, status, detail| RuleOutcome {
        recipe: recipe.to_string(),
        rule: Rule::Widen(rule.clone()),
        class,
        status,
        detail,
    };
    let classes = matching_classes(project, &rule.class);
    if classes.is_empty() {
        let why = format!("no class {} in the tree", rule.class);
        plan.outcomes.push(outcome(None, RuleStatus::NotApplicable(why), None));
        return;
    }
    for k in classes {
        let qualname = project.class(k).qualname.clone();
        let Some(Member::Method(target)) = project.own_member(k, &rule.method) else {
            let why = format!("{qualname} has no method {}", rule.method);
            plan.outcomes
                .push(outcome(Some(qualname), RuleStatus::NotApplicable(why), None));
            continue;
        };
        if !analysis.conflicts.iter().any(|c| c.override_method == target) {
            let status = if rename::outside_path(analysis, target) {
                RuleStatus::NotApplicable(format!("{qualname}.{}: {}", rule.method, rename::OUTSIDE_PATH))
            } else if already_widened(project, target, rule) {
                RuleStatus::AlreadyApplied
            } else {
                RuleStatus::NotApplicable(format!(
                    "{qualname}.{} is in no conflict: no inherited call breaks on it",
                    rule.method
                ))
            };
            plan.outcomes.push(outcome(Some(qualname), status, None));
            continue;
        }
        match plan_method(project, analysis, target, rule.params.as_deref()) {
            Ok(w) => {
                for (file, e) in w.edits {
                    plan.edits.entry(file).or_default().push(e);
                }
                let def = project.method(target);
                plan.widened.push(Widened {
                    qualname: project.method_qualname(target),
                    old_signature: format!("{}{}", def.name, def.signature.text),
                    signature: w.signature.clone(),
                    added: w.added,
                    passed_to_super: w.passed_to_super,
                });
                plan.outcomes
                    .push(outcome(Some(qualname), RuleStatus::Applied, Some(w.signature)));
            }
            Err(why) => plan
                .outcomes
                .push(outcome(Some(qualname), RuleStatus::NotApplicable(why), None)),
        }
    }
}

/// A method in no conflict that already takes what the rule would add:
/// the `params` given, or every named parameter of the method it
/// overrides (and `**kwargs` if that one has it).
fn already_widened(project: &Project, target: MethodId, rule: &WidenRule) -> bool {
    let sig = &project.method(target).signature;
    let has = |name: &str| sig.params.iter().any(|p| p.name == name);
    if let Some(text) = &rule.params {
        return explicit_params(text).is_ok_and(|ps| ps.iter().all(|p| has(&p.name)));
    }
    let Some(base) = project
        .lookup(project.mro_after(target.class, target.class), &rule.method)
        .and_then(Member::method)
    else {
        return false;
    };
    project.method(base).signature.params.iter().all(|p| match p.kind {
        ParamKind::VarPositional => true,
        ParamKind::VarKeyword => sig.params.iter().any(|q| q.kind == ParamKind::VarKeyword),
        _ => has(&p.name),
    })
}

/// A parameter to add.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NewParam {
    name: String,
    kind: ParamKind,
    /// As written in the `def`: `groups=None`, `*args`, `**kwargs`.
    text: String,
}

/// Plans the widening of `over`. `explicit` is a recipe's `params` text
/// (`"groups=None"`), used instead of deriving the parameters. The error
/// says why no widening fits.
pub fn plan_method(
    project: &Project,
    analysis: &Analysis,
    over: MethodId,
    explicit: Option<&str>,
) -> Result<WidenPlan, String> {
    let def = project.method(over);
    let calls = breaking_calls(project, analysis, over);
    let base = analysis
        .conflicts
        .iter()
        .find(|c| c.override_method == over)
        .map(|c| c.overridden)
        .ok_or_else(|| format!("{} is in no conflict", project.method_qualname(over)))?;
    let added = match explicit {
        Some(text) => explicit_params(text)?,
        None => derive(project, over, base, &calls)?,
    };
    let widened = widened_signature(&def.signature, &added);
    for (args, caller_kind) in &calls {
        if let Err(e) = scan::bind_with(project, over, &widened, *caller_kind, args) {
            return Err(format!("even widened, a call would raise TypeError: {}", e.py3));
        }
    }
    let file = project.class(over.class).file;
    let bytes = &project.file(file).bytes;
    let layout = scan::parameter_list(bytes, def.name_range.start)
        .ok_or_else(|| format!("cannot read the parameter list of {}", project.method_qualname(over)))?;
    let mut edits: Vec<(FileId, Edit)> = insert_params(bytes, &layout, &added)
        .into_iter()
        .map(|e| (file, e))
        .collect();
    let mut passed_to_super = 0;
    for e in pass_to_super(project, over, &added) {
        edits.push((file, e));
        passed_to_super += 1;
    }
    let signature = new_signature(
        bytes,
        &def.name,
        def.name_range.start,
        &insert_params(bytes, &layout, &added),
    );
    Ok(WidenPlan {
        added: added.into_iter().map(|p| p.text).collect(),
        signature,
        edits,
        passed_to_super,
    })
}

/// The argument shapes of every call that breaks on `over`, with the kind
/// of the method making it.
fn breaking_calls(project: &Project, analysis: &Analysis, over: MethodId) -> Vec<(ArgShape, MethodKind)> {
    analysis
        .conflicts
        .iter()
        .filter(|c| c.override_method == over)
        .flat_map(|c| &c.calls)
        .filter_map(|call| {
            let r = &project.file(call.file).syntax.attr_refs[call.attr_ref];
            Some((r.call.clone()?, project.method(call.caller).kind))
        })
        .collect()
}

/// The parameters a recipe's `params` text names, in order.
fn explicit_params(text: &str) -> Result<Vec<NewParam>, String> {
    let src = format!("def f({text}):\n    pass\n");
    let module = scan::parse_module(src.as_bytes());
    let layout = scan::parameter_list(src.as_bytes(), 4);
    let (Some(layout), true) = (layout, module.parse_errors.is_empty()) else {
        return Err(format!("`params = {text:?}` is not a Python parameter list"));
    };
    let mut after_star = false;
    let mut out = Vec::new();
    for item in &layout.items {
        let name = item.name.clone().unwrap_or_default();
        let kind = match item.kind {
            ItemKind::Star => {
                after_star = true;
                if name.is_empty() {
                    continue;
                }
                ParamKind::VarPositional
            }
            ItemKind::DoubleStar => ParamKind::VarKeyword,
            _ if after_star => ParamKind::KeywordOnly,
            _ => ParamKind::PositionalOrKeyword,
        };
        out.push(NewParam {
            name,
            kind,
            text: src[item.range.clone()].to_string(),
        });
    }
    if out.is_empty() {
        return Err(format!("`params = {text:?}` names no parameter"));
    }
    Ok(out)
}

/// Step 1-2: what to add to O so that the calls written for B bind.
fn derive(
    project: &Project,
    over: MethodId,
    base: MethodId,
    calls: &[(ArgShape, MethodKind)],
) -> Result<Vec<NewParam>, String> {
    let o = project.method(over);
    let b = project.method(base);
    let implicit = usize::from(o.kind != MethodKind::Static);
    if o.signature.params.is_empty() {
        return Ok(vec![var_positional("args"), var_keyword("kwargs")]);
    }
    let o_pos: Vec<&Param> = positional(&o.signature).skip(implicit).collect();
    let b_implicit = usize::from(b.kind != MethodKind::Static);
    let b_pos: Vec<&Param> = positional(&b.signature).skip(b_implicit).collect();
    // A leading parameter may be named differently (`base` for the base's
    // `base_path`) when the breaking calls fill it by position and its name
    // means nothing else in the base; a name the base uses elsewhere means
    // the order differs, and binding by position would swap arguments.
    let keyword_passed = |name: &str| calls.iter().any(|(args, _)| args.keywords.iter().any(|k| k == name));
    let prefix = o_pos.len() <= b_pos.len()
        && o_pos.iter().zip(&b_pos).all(|(x, y)| {
            x.name == y.name || (!b.signature.params.iter().any(|p| p.name == x.name) && !keyword_passed(&y.name))
        });
    let has = |kind: ParamKind| o.signature.params.iter().any(|p| p.kind == kind);
    if !prefix {
        let stub = matches!(
            o.body,
            crate::scan::syntax::BodyKind::NoOp | crate::scan::syntax::BodyKind::RaisesNotImplemented
        );
        if !stub {
            return Err(format!(
                "its parameters {} do not follow {}'s {}: no added parameter would receive the base's arguments by name",
                o.signature.text,
                project.method_py_qualname(base),
                b.signature.text
            ));
        }
        let mut out = Vec::new();
        if !has(ParamKind::VarPositional) {
            out.push(var_positional("args"));
        }
        if !has(ParamKind::VarKeyword) {
            out.push(var_keyword("kwargs"));
        }
        return Ok(out);
    }
    let o_names: Vec<&str> = o.signature.params.iter().map(|p| p.name.as_str()).collect();
    let b_defaults = base_defaults(project, base);
    let missing_pos = &b_pos[o_pos.len()..];
    let b_kwonly: Vec<&Param> = b
        .signature
        .params
        .iter()
        .filter(|p| p.kind == ParamKind::KeywordOnly && !o_names.contains(&p.name.as_str()))
        .collect();
    let b_var = b.signature.params.iter().find(|p| p.kind == ParamKind::VarPositional);
    let b_varkw = b.signature.params.iter().find(|p| p.kind == ParamKind::VarKeyword);

    let mut need_pos = 0; // how many of `missing_pos` are needed
    let mut need_kwonly: Vec<&str> = Vec::new();
    let mut need_var = false;
    let mut need_varkw = false;
    for (args, _) in calls {
        let filled = args.positional;
        if filled > b_pos.len() {
            need_var = true;
        }
        need_pos = need_pos.max(filled.saturating_sub(o_pos.len()).min(missing_pos.len()));
        for k in &args.keywords {
            if o_names.contains(&k.as_str()) {
                continue;
            }
            if let Some(i) = missing_pos.iter().position(|p| p.name == *k) {
                need_pos = need_pos.max(i + 1);
            } else if b_kwonly.iter().any(|p| p.name == *k) {
                if !need_kwonly.contains(&k.as_str()) {
                    need_kwonly.push(k);
                }
            } else {
                need_varkw = true;
            }
        }
    }
    let mut out = Vec::new();
    for p in &missing_pos[..need_pos] {
        out.push(named(p, ParamKind::PositionalOrKeyword, &b_defaults));
    }
    if need_var && !has(ParamKind::VarPositional) {
        let Some(v) = b_var else {
            return Err(format!("the calls pass more arguments than {} takes", b.signature.text));
        };
        out.push(var_positional(&v.name));
    }
    for p in b_kwonly.iter().filter(|p| need_kwonly.contains(&p.name.as_str())) {
        out.push(named(p, ParamKind::KeywordOnly, &b_defaults));
    }
    if need_varkw && !has(ParamKind::VarKeyword) {
        let Some(v) = b_varkw else {
            return Err(format!(
                "the calls pass keywords that {} does not take",
                b.signature.text
            ));
        };
        out.push(var_keyword(&v.name));
    }
    if out.is_empty() {
        return Err("no parameter to add would make the calls bind".to_string());
    }
    if let Some(clash) = out.iter().find(|p| o_names.contains(&p.name.as_str())) {
        return Err(format!("it already has a parameter named `{}`", clash.name));
    }
    Ok(out)
}

fn positional(sig: &Signature) -> impl Iterator<Item = &Param> {
    sig.params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword))
}

fn var_positional(name: &str) -> NewParam {
    NewParam {
        name: name.to_string(),
        kind: ParamKind::VarPositional,
        text: format!("*{name}"),
    }
}

fn var_keyword(name: &str) -> NewParam {
    NewParam {
        name: name.to_string(),
        kind: ParamKind::VarKeyword,
        text: format!("**{name}"),
    }
}

/// A named parameter taken over from the base, with the base's default
/// when it is a plain literal (anything else might name something the
/// override's module does not have), else None.
fn named(p: &Param, kind: ParamKind, defaults: &[(String, String)]) -> NewParam {
    let default = defaults
        .iter()
        .find(|(n, _)| *n == p.name)
        .map(|(_, d)| d.as_str())
        .filter(|d| is_plain_literal(d))
        .unwrap_or("None");
    NewParam {
        name: p.name.clone(),
        kind,
        text: format!("{}={}", p.name, default),
    }
}

/// The base's defaults as written, by parameter name.
fn base_defaults(project: &Project, base: MethodId) -> Vec<(String, String)> {
    let file = project.file(project.class(base.class).file);
    let Some(layout) = scan::parameter_list(&file.bytes, project.method(base).name_range.start) else {
        return Vec::new();
    };
    layout
        .items
        .iter()
        .filter_map(|i| {
            let value = i.value.clone()?;
            Some((
                i.name.clone()?,
                String::from_utf8_lossy(&file.bytes[value]).trim().to_string(),
            ))
        })
        .collect()
}

/// None, booleans, numbers, plain strings and empty containers.
fn is_plain_literal(text: &str) -> bool {
    let t = text.trim();
    let number = t.strip_prefix('-').unwrap_or(t);
    matches!(t, "None" | "True" | "False" | "()" | "[]" | "{}" | "''" | "\"\"")
        || (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_'))
        || ((t.starts_with('\'') && t.ends_with('\'') || t.starts_with('"') && t.ends_with('"'))
            && t.len() >= 2
            && !t[1..t.len() - 1].contains(['\\', '\'', '"']))
}

/// The override's signature with `added` in place, for the binding check.
fn widened_signature(sig: &Signature, added: &[NewParam]) -> Signature {
    let mut params: Vec<Param> = sig.params.clone();
    for p in added {
        let new = Param {
            name: p.name.clone(),
            kind: p.kind,
            has_default: matches!(p.kind, ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly),
        };
        let at = match p.kind {
            ParamKind::PositionalOrKeyword | ParamKind::PositionalOnly => params
                .iter()
                .position(|q| !matches!(q.kind, ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword))
                .unwrap_or(params.len()),
            ParamKind::VarPositional | ParamKind::KeywordOnly => params
                .iter()
                .position(|q| q.kind == ParamKind::VarKeyword)
                .unwrap_or(params.len()),
            ParamKind::VarKeyword => params.len(),
        };
        params.insert(at, new);
    }
    Signature {
        params,
        text: sig.text.clone(),
    }
}

/// Step 4: the edits that insert `added` into the parameter list.
fn insert_params(bytes: &[u8], layout: &ListLayout, added: &[NewParam]) -> Vec<Edit> {
    let items = &layout.items;
    let first_star = items
        .iter()
        .position(|i| matches!(i.kind, ItemKind::Star | ItemKind::DoubleStar));
    let double_star = items.iter().position(|i| i.kind == ItemKind::DoubleStar);
    let has_star = items.iter().any(|i| i.kind == ItemKind::Star);
    // Anchors: the item each group goes after (None: right after `(`).
    let positional_anchor = match first_star {
        Some(0) => None,
        Some(i) => Some(i - 1),
        None => items.len().checked_sub(1),
    };
    let kwonly_anchor = match double_star {
        Some(0) => None,
        Some(i) => Some(i - 1),
        None => items.len().checked_sub(1),
    };
    let end_anchor = items.len().checked_sub(1);
    let mut groups: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    let mut push = |anchor: Option<usize>, text: String| match groups.iter_mut().find(|(a, _)| *a == anchor) {
        Some((_, v)) => v.push(text),
        None => groups.push((anchor, vec![text])),
    };
    let adds_var = added.iter().any(|p| p.kind == ParamKind::VarPositional);
    let mut star_written = has_star || adds_var;
    for p in added {
        match p.kind {
            ParamKind::PositionalOrKeyword | ParamKind::PositionalOnly | ParamKind::VarPositional => {
                push(positional_anchor, p.text.clone())
            }
            ParamKind::KeywordOnly => {
                let anchor = if has_star { kwonly_anchor } else { positional_anchor };
                if !star_written {
                    // Keyword-only parameters need a `*` before them.
                    push(anchor, "*".to_string());
                    star_written = true;
                }
                push(anchor, p.text.clone())
            }
            ParamKind::VarKeyword => push(end_anchor, p.text.clone()),
        }
    }
    groups
        .into_iter()
        .flat_map(|(anchor, texts)| insertion(bytes, layout, anchor, &texts))
        .collect()
}

/// The edits that put `texts` after item `anchor` (or first, for None).
fn insertion(bytes: &[u8], layout: &ListLayout, anchor: Option<usize>, texts: &[String]) -> Vec<Edit> {
    let Some(a) = anchor else {
        let tail = if layout.items.is_empty() { "" } else { ", " };
        return vec![Edit {
            range: layout.open + 1..layout.open + 1,
            replacement: format!("{}{tail}", texts.join(", ")),
        }];
    };
    let item: &ListItem = &layout.items[a];
    let next_start = layout.items.get(a + 1).map_or(layout.close, |n| n.range.start);
    let after = item.comma_end.unwrap_or(item.range.end);
    let one_per_line = starts_line(bytes, item.range.start) && has_newline(&bytes[after..next_start]);
    if !one_per_line {
        return vec![Edit {
            range: item.range.end..item.range.end,
            replacement: format!(", {}", texts.join(", ")),
        }];
    }
    // One per line: each new parameter on a line of its own, indented like
    // the anchor, after any comment that ends the anchor's line.
    let line_end = after
        + bytes[after..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len() - after);
    let (eol, at) = if line_end > 0 && bytes[line_end - 1] == b'\r' {
        ("\r\n", line_end - 1)
    } else {
        ("\n", line_end)
    };
    let mut edits = Vec::new();
    let mut text = String::new();
    if item.comma_end.is_none() {
        if at == item.range.end {
            text.push(',');
        } else {
            edits.push(Edit {
                range: item.range.end..item.range.end,
                replacement: ",".to_string(),
            });
        }
    }
    let indent = indentation(bytes, item.range.start);
    let more = a + 1 < layout.items.len() || layout.trailing_comma || item.comma_end.is_some();
    for (i, t) in texts.iter().enumerate() {
        let comma = if i + 1 < texts.len() || more { "," } else { "" };
        text.push_str(&format!("{eol}{indent}{t}{comma}"));
    }
    edits.push(Edit {
        range: at..at,
        replacement: text,
    });
    edits
}

/// Whether only whitespace stands before `pos` on its line.
fn starts_line(bytes: &[u8], pos: usize) -> bool {
    bytes[..pos]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| b == b' ' || b == b'\t')
}

fn has_newline(bytes: &[u8]) -> bool {
    bytes.contains(&b'\n')
}

/// The whitespace that starts the line holding `pos`.
fn indentation(bytes: &[u8], pos: usize) -> String {
    let start = bytes[..pos].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let ws: Vec<u8> = bytes[start..pos]
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .copied()
        .collect();
    String::from_utf8_lossy(&ws).into_owned()
}

/// Step 5: `super().m(...)` calls in O's own body pass the new parameters
/// along.
fn pass_to_super(project: &Project, over: MethodId, added: &[NewParam]) -> Vec<Edit> {
    let info = project.class(over.class);
    let file = project.file(info.file);
    let def = project.method(over);
    let mut edits = Vec::new();
    for r in &file.syntax.attr_refs {
        let (Receiver::Super { .. }, Some(args)) = (&r.receiver, &r.call) else {
            continue;
        };
        if r.attr != def.name || r.scope.is_none_or(|s| s.class != info.index || s.method != over.index) {
            continue;
        }
        // Already forwarding everything.
        if args.star && args.double_star {
            continue;
        }
        let mut shape = args.clone();
        let mut keywords = Vec::new();
        let mut splat_kw = None;
        for p in added {
            match p.kind {
                ParamKind::VarKeyword if !args.double_star => {
                    splat_kw = Some(format!("**{}", p.name));
                    shape.double_star = true;
                }
                ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly
                    if !args.keywords.iter().any(|k| *k == p.name) =>
                {
                    keywords.push(format!("{0}={0}", p.name));
                    shape.keywords.push(p.name.as_str().into());
                }
                _ => {}
            }
        }
        if keywords.is_empty() && splat_kw.is_none() {
            continue;
        }
        // The super call must still bind to the method it reaches.
        let reached = project
            .super_start(info.file, over.class, &r.receiver)
            .and_then(|start| project.lookup(project.mro_after(over.class, start), &def.name))
            .and_then(crate::scan::Member::method);
        if reached.is_none_or(|m| scan::bind(project, m, def.kind, &shape).is_err()) {
            continue;
        }
        let Some(layout) = scan::argument_list(&file.bytes, r.expr_range.clone()) else {
            continue;
        };
        let double = layout.items.iter().position(|i| i.kind == ItemKind::DoubleStar);
        let keyword_anchor = match double {
            Some(0) => None,
            Some(i) => Some(i - 1),
            None => layout.items.len().checked_sub(1),
        };
        if !keywords.is_empty() {
            edits.extend(insertion(&file.bytes, &layout, keyword_anchor, &keywords));
        }
        if let Some(kw) = splat_kw {
            edits.extend(insertion(
                &file.bytes,
                &layout,
                layout.items.len().checked_sub(1),
                &[kw],
            ));
        }
    }
    edits
}

/// The signature as it reads once `header` is applied: `name(p, q=None)`.
fn new_signature(bytes: &[u8], name: &str, name_start: usize, header: &[Edit]) -> String {
    let new = super::edit::apply_edits(bytes, header).unwrap_or_else(|_| bytes.to_vec());
    let params = scan::parameter_list(&new, name_start)
        .map(|l| {
            l.items
                .iter()
                .map(|i| collapse(&String::from_utf8_lossy(&new[i.range.clone()])))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    format!("{name}({params})")
}

/// Whitespace runs collapsed to one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::edit::apply_edits;
    use crate::scan::SourceInput;

    /// Widens the override `Sub.<method>` in `src` and returns the new
    /// source, or the reason it cannot be widened.
    fn widen(src: &str, method: &str) -> Result<String, String> {
        let project = Project::build(vec![SourceInput {
            rel_path: "m.py".into(),
            module: "m".into(),
            bytes: src.as_bytes().to_vec(),
        }]);
        let analysis = scan::analyze(&project);
        let over = analysis
            .conflicts
            .iter()
            .map(|c| c.override_method)
            .find(|m| project.method_py_qualname(*m) == format!("Sub.{method}"))
            .unwrap_or_else(|| panic!("no conflict on Sub.{method}"));
        let plan = plan_method(&project, &analysis, over, None)?;
        let edits: Vec<Edit> = plan.edits.into_iter().map(|(_, e)| e).collect();
        let new = String::from_utf8(apply_edits(src.as_bytes(), &edits).unwrap()).unwrap();
        // The result parses and the conflict is gone.
        let again = Project::build(vec![SourceInput {
            rel_path: "m.py".into(),
            module: "m".into(),
            bytes: new.as_bytes().to_vec(),
        }]);
        assert!(again.files[0].syntax.parse_errors.is_empty(), "{new}");
        assert!(scan::analyze(&again).conflicts.is_empty(), "{new}");
        Ok(new)
    }

    #[test]
    fn adds_the_base_parameter_a_later_release_gained() {
        let src = "\
class Base(object):
    def failover_host(self, context, volumes, secondary_id=None, groups=None):
        pass
    def failover(self, context, volumes, secondary_id, groups):
        return self.failover_host(context, volumes, secondary_id, groups)
class Sub(Base):
    def failover_host(self, context, volumes, secondary_id=None):
        return secondary_id
";
        let new = widen(src, "failover_host").unwrap();
        assert!(
            new.contains("    def failover_host(self, context, volumes, secondary_id=None, groups=None):\n        return secondary_id"),
            "{new}"
        );
    }

    #[test]
    fn adds_kwargs_when_the_base_takes_them_and_passes_them_to_super() {
        let src = "\
class Base(object):
    def terminate(self, volume, connector, **kwargs):
        pass
    def detach(self, volume):
        self.terminate(volume, {}, force=True)
class Sub(Base):
    def terminate(self, volume, connector):
        return super(Sub, self).terminate(volume, connector)
";
        let new = widen(src, "terminate").unwrap();
        assert!(
            new.contains("    def terminate(self, volume, connector, **kwargs):\n"),
            "{new}"
        );
        assert!(
            new.contains("super(Sub, self).terminate(volume, connector, **kwargs)"),
            "{new}"
        );
    }

    #[test]
    fn passes_a_new_named_parameter_along_to_super() {
        let src = "\
class Base(object):
    def _detach(self, context, volume, force=False, ignore_errors=False):
        pass
    def backup(self, context, volume):
        self._detach(context, volume, force=True, ignore_errors=True)
class Sub(Base):
    def _detach(self, context, volume, force=False):
        super(Sub, self)._detach(context, volume, force=force)
";
        let new = widen(src, "_detach").unwrap();
        assert!(
            new.contains("def _detach(self, context, volume, force=False, ignore_errors=False):"),
            "{new}"
        );
        assert!(
            new.contains("super(Sub, self)._detach(context, volume, force=force, ignore_errors=ignore_errors)"),
            "{new}"
        );
    }

    #[test]
    fn one_parameter_per_line_keeps_comments_and_trailing_comma() {
        let src = "\
class Base(object):
    def _copy(self, snapshot, volume, size, src_key=None, new_key=None):
        raise NotImplementedError()
    def create(self, snapshot, volume):
        self._copy(snapshot, volume, 1, snapshot.key, volume.key)
class Sub(Base):
    def _copy(
        self,
        snapshot,
        volume,
        size,  # in GiB
    ):
        return size
";
        let new = widen(src, "_copy").unwrap();
        assert!(
            new.contains("        size,  # in GiB\n        src_key=None,\n        new_key=None,\n    ):\n"),
            "{new}"
        );
    }

    #[test]
    fn crlf_lists_inline_and_one_per_line_without_trailing_comma() {
        let head = "class Base(object):\r\n    def m(self, a, b=None):\r\n        pass\r\n    def run(self):\r\n        self.m(1, b=2)\r\nclass Sub(Base):\r\n";
        let aligned = format!("{head}    def m(self,\r\n          a):\r\n        return a\r\n");
        let new = widen(&aligned, "m").unwrap();
        assert!(new.contains("    def m(self,\r\n          a, b=None):\r\n"), "{new:?}");
        let hanging =
            format!("{head}    def m(\r\n            self,\r\n            a\r\n    ):\r\n        return a\r\n");
        let new = widen(&hanging, "m").unwrap();
        assert!(
            new.contains("            self,\r\n            a,\r\n            b=None\r\n    ):\r\n"),
            "{new:?}"
        );
    }

    #[test]
    fn a_stub_without_parameters_takes_anything() {
        let src = "\
class Base(object):
    def initialize_connection(self, volume, connector):
        return {}
    def attach(self, volume):
        return self.initialize_connection(volume, {})
class Sub(Base):
    def initialize_connection():
        pass
";
        let new = widen(src, "initialize_connection").unwrap();
        assert!(
            new.contains("    def initialize_connection(*args, **kwargs):\n"),
            "{new}"
        );
    }

    #[test]
    fn keyword_only_parameters_get_a_star() {
        let src = "\
class Base(object):
    def m(self, a, *, b=None):
        pass
    def run(self):
        self.m(1, b=2)
class Sub(Base):
    def m(self, a):
        return a
";
        let new = widen(src, "m").unwrap();
        assert!(new.contains("    def m(self, a, *, b=None):\n"), "{new}");
    }

    #[test]
    fn parameters_go_before_args_and_kwargs_and_defaults_stay_literal() {
        let src = "\
class Base(object):
    def m(self, a, b=DEFAULT, c=3, *args, **kwargs):
        pass
    def run(self):
        self.m(1, 2, 3)
class Sub(Base):
    def m(self, a, **kwargs):
        return a
";
        let new = widen(src, "m").unwrap();
        assert!(new.contains("    def m(self, a, b=None, c=3, **kwargs):\n"), "{new}");
    }

    #[test]
    fn a_helper_with_its_own_parameters_cannot_be_widened() {
        let src = "\
class Base(object):
    def _attach(self, context, volume, props):
        return volume
    def backup(self, context, volume):
        return self._attach(context, volume, {})
class Sub(Base):
    def _attach(self, volume, ip):
        return ip
";
        let why = widen(src, "_attach").unwrap_err();
        assert!(
            why.contains("do not follow Base._attach's (self, context, volume, props)"),
            "{why}"
        );
    }
}
