//! Detection: override conflicts that a real call site breaks.
//!
//! ## What it does
//! For every class X and every method body effective in X (found through
//! MRO(X)), each call on the instance (`self.n(...)`, `cls.n(...)`,
//! `super(C, self).n(...)`, `super().n(...)`) is resolved twice: through
//! MRO(X), where it really dispatches when the body runs on an X, and through
//! the MRO of the class that wrote the body, which is what its author meant.
//! When the two reach different methods, the one X reaches cannot bind the
//! arguments and the intended one can, the pair (override, overridden) is a
//! conflict, and the call carries the TypeError Python would raise.
//!
//! The reverse also counts: a class calling its own override with arguments
//! that only the overridden base method accepts.
//!
//! ## Why is this bad
//! A private helper that happens to share a base method's name silently
//! replaces it for every inherited body: ScaleIODriver's
//! `_attach_volume(self, volume, sdc_ip)` makes `BaseVD.backup_volume` crash.
//!
//! ## What it leaves alone
//! Signature differences that no call breaks (listed as warnings with
//! `--all`), calls with `*args`/`**kwargs` (cannot be proven wrong), and
//! names that an external base (outside the tree) might define.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::scan::binding::{BindError, Callee, check_call};
use crate::scan::infer::{Held, Site, Typer};
use crate::scan::mocks::Mocks;
use crate::scan::model::{ClassId, FileId, Member, MethodId, Project};
use crate::scan::namespaces::Namespaces;
use crate::scan::reachable::{InstanceRef, InstanceRefs};
use crate::scan::syntax::{BindingTarget, MethodKind, ParamKind, Receiver, Signature};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    /// An inherited body's call dispatches to a subclass method it was not
    /// written for.
    Shadowing,
    /// A subclass calls its own override with the base method's arguments.
    Reverse,
    /// A call binds to no method its receiver can reach (a rename that
    /// missed a caller, a signature changed under its callers).
    Broken,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Shadowing => "shadowing",
            ConflictKind::Reverse => "reverse",
            ConflictKind::Broken => "broken",
        }
    }
}

/// One call site that raises TypeError.
#[derive(Debug, Clone)]
pub struct BreakingCall {
    pub file: FileId,
    /// Index into the file's `syntax.attr_refs`.
    pub attr_ref: usize,
    /// The method whose body holds the call.
    pub caller: MethodId,
    /// The class whose instance makes the call dispatch wrongly (one where
    /// the call is reachable, when there is one).
    pub dispatch_class: ClassId,
    pub error: BindError,
    /// The public method of `dispatch_class` (for a call on another object:
    /// of the class holding the call) from which the calling body is
    /// entered through calls on the instance; None when no public method
    /// reaches it (the conflict is latent).
    pub reachable_from: Option<MethodId>,
    /// The call is made on an object the tree types (`drv = Driver()`,
    /// `self.driver = Driver()`), not on `self`/`cls`/`super()`.
    pub on_instance: bool,
}

/// How bad a conflict is: whether any breaking call can be reached from a
/// public method of an affected class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Some breaking call is reachable: a user action can raise it.
    Error,
    /// No public method reaches a breaking call: latent.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The subclass method that wins the lookup.
    pub override_method: MethodId,
    /// The method the breaking calls were written for.
    pub overridden: MethodId,
    pub calls: Vec<BreakingCall>,
    /// Every class in which the breaking dispatch happens.
    pub classes: Vec<ClassId>,
}

impl Conflict {
    pub fn severity(&self) -> Severity {
        if self.calls.iter().any(|c| c.reachable_from.is_some()) {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

/// An override whose signature differs from the method it overrides, with
/// no call that breaks (reported only with `--all`).
#[derive(Debug, Clone)]
pub struct SignatureWarning {
    pub override_method: MethodId,
    pub overridden: MethodId,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub conflicts: Vec<Conflict>,
    pub warnings: Vec<SignatureWarning>,
    /// Conflicts in the files read but outside the part of the tree the
    /// user asked about (see `Scope::restrict`): not reported and not
    /// fixed, kept so that a recipe targeting one can say why it is left.
    pub outside: Vec<Conflict>,
}

/// Runs detection over the whole project.
pub fn analyze(project: &Project) -> Analysis {
    let ns = Namespaces::new(project);
    let refs = InstanceRefs::index(project);
    let found: Vec<(ConflictKind, MethodId, MethodId, BreakingCall)> = project
        .class_ids()
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|&x| {
            let mut out = Vec::new();
            for body in refs.bodies_run_on(project, &ns, x) {
                for call in refs.of(body) {
                    if let Some(hit) = check_instance_call(project, &ns, x, body, call) {
                        out.push(hit);
                    }
                }
            }
            // Only classes with a breaking call need their call graph.
            if !out.is_empty() {
                let entered = refs.entered_from_public(project, &ns, x);
                for (_, _, _, call) in &mut out {
                    call.reachable_from = entered.get(&call.caller).copied();
                }
            }
            out
        })
        .collect();
    let found = found.into_iter().chain(typed_instance_calls(project, &ns, &refs));

    let mut grouped: BTreeMap<(ConflictKind, MethodId, MethodId), Conflict> = BTreeMap::new();
    for (kind, over, base, call) in found {
        let entry = grouped.entry((kind, over, base)).or_insert_with(|| Conflict {
            kind,
            override_method: over,
            overridden: base,
            calls: Vec::new(),
            classes: Vec::new(),
        });
        if !entry.classes.contains(&call.dispatch_class) {
            entry.classes.push(call.dispatch_class);
        }
        match entry
            .calls
            .iter_mut()
            .find(|c| c.file == call.file && c.attr_ref == call.attr_ref)
        {
            // The same call breaking in several classes: keep a class where
            // it is reachable, the first in class order otherwise.
            Some(existing) => {
                let better = match (existing.reachable_from, call.reachable_from) {
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    _ => call.dispatch_class < existing.dispatch_class,
                };
                if better {
                    *existing = call;
                }
            }
            None => entry.calls.push(call),
        }
    }
    let mut conflicts: Vec<Conflict> = grouped.into_values().collect();
    for c in &mut conflicts {
        c.classes
            .sort_by(|a, b| project.class(*a).qualname.cmp(&project.class(*b).qualname));
        c.calls
            .sort_by_key(|call| (project.file(call.file).rel_path.clone(), call.attr_ref));
    }
    // Errors first, then by qualname.
    conflicts.sort_by_key(|c| {
        (
            c.severity(),
            project.method_qualname(c.override_method),
            project.method_qualname(c.overridden),
        )
    });

    let warnings = signature_warnings(project, &ns, &conflicts);
    Analysis {
        conflicts,
        warnings,
        outside: Vec::new(),
    }
}

fn check_instance_call(
    project: &Project,
    ns: &Namespaces,
    x: ClassId,
    body: MethodId,
    call: &InstanceRef,
) -> Option<(ConflictKind, MethodId, MethodId, BreakingCall)> {
    let r = &project.file(call.file).syntax.attr_refs[call.attr_ref];
    let args = r.call.as_ref()?;
    let owner = body.class;
    let caller_kind = project.method(body).kind;
    let (reached, intended) = match &r.receiver {
        Receiver::SelfParam => (
            ns.lookup(&project.class(x).mro, &r.attr)?,
            ns.lookup(&project.class(owner).mro, &r.attr),
        ),
        Receiver::Super { .. } => {
            let start = project.super_start(call.file, owner, &r.receiver)?;
            (
                ns.lookup(project.mro_after(x, start), &r.attr)?,
                ns.lookup(project.mro_after(owner, start), &r.attr),
            )
        }
        Receiver::Dotted(_) | Receiver::SelfAttr(_) => return None,
    };
    let reached_method = reached.method()?;
    let Err(error) = bind(project, reached_method, caller_kind, args) else {
        return None;
    };
    let breaking = |kind, over: MethodId, base: MethodId| {
        Some((
            kind,
            over,
            base,
            BreakingCall {
                file: call.file,
                attr_ref: call.attr_ref,
                caller: body,
                dispatch_class: x,
                error: error.clone(),
                reachable_from: None,
                on_instance: false,
            },
        ))
    };
    match intended.and_then(Member::method) {
        Some(intended_method) if intended_method != reached_method => {
            bind(project, intended_method, caller_kind, args).ok()?;
            breaking(ConflictKind::Shadowing, reached_method, intended_method)
        }
        Some(_) if x == owner => {
            // The body's own class reaches the failing method itself: does
            // the method it overrides accept these arguments?
            let next = ns
                .lookup(project.mro_after(owner, reached.class()), &r.attr)
                .and_then(Member::method);
            bind(project, next?, caller_kind, args).ok()?;
            breaking(ConflictKind::Reverse, reached_method, next?)
        }
        _ => None,
    }
}

/// Calls on objects the tree types (`drv = scaleio.ScaleIODriver(...)`,
/// `self.driver = Driver()` in `setUp`), made from method bodies: each must
/// bind to what it reaches through the instance's MRO. One that binds only
/// to a definition further up was written for that one (a reverse
/// conflict); one that binds to none is a broken call (a caller a rename
/// missed), judged only when the method it reaches has no decorator that
/// might change what it accepts.
fn typed_instance_calls(
    project: &Project,
    ns: &Namespaces,
    refs: &InstanceRefs,
) -> Vec<(ConflictKind, MethodId, MethodId, BreakingCall)> {
    let method_names: HashSet<&str> = ns.own.iter().flat_map(|names| names.keys().copied()).collect();
    let found: Vec<_> = (0..project.files.len())
        .into_par_iter()
        .flat_map_iter(|fi| {
            let file = FileId(fi as u32);
            let syntax = &project.file(file).syntax;
            let mut held: HashMap<(Receiver, Option<usize>, Option<usize>), Option<Held>> = HashMap::new();
            // Built on the first call that needs it: most files have none.
            let mut mocks: Option<Mocks> = None;
            let typer = Typer::new(project);
            let mut out = Vec::new();
            for (i, r) in syntax.attr_refs.iter().enumerate() {
                let (Some(args), Some(scope)) = (&r.call, r.scope) else {
                    continue;
                };
                if !matches!(r.receiver, Receiver::Dotted(_) | Receiver::SelfAttr(_))
                    || !method_names.contains(r.attr.as_str())
                    || mocks.get_or_insert_with(|| Mocks::of(syntax)).cover(r, scope)
                {
                    continue;
                }
                // Many calls share a receiver (`self.driver` in every test
                // of a class): type it once. `self.x` depends on the class
                // only, a local name on its function.
                let key = match &r.receiver {
                    Receiver::SelfAttr(_) => (r.receiver.clone(), None, Some(scope.class)),
                    // A name the function does not bind means the same in
                    // every function of the file (`LOG`, a module).
                    Receiver::Dotted(text) => {
                        let head = text.split('.').next().unwrap_or(text);
                        let local = project
                            .bindings_of(file, &BindingTarget::Name(head.into()))
                            .any(|b| b.function_start == r.function_start);
                        (r.receiver.clone(), local.then_some(r.function_start).flatten(), None)
                    }
                    _ => continue,
                };
                let typed = *held
                    .entry(key)
                    .or_insert_with(|| typer.receiver_held(file, &r.receiver, Site::of_attr(r)));
                let Some(Held::Instance(c)) = typed else {
                    continue;
                };
                let Some(reached) = ns.lookup(&project.class(c).mro, &r.attr) else {
                    continue;
                };
                let Some(method) = reached.method() else {
                    continue;
                };
                let Err(error) = bind(project, method, MethodKind::Instance, args) else {
                    continue;
                };
                let next = ns
                    .lookup(project.mro_after(c, reached.class()), &r.attr)
                    .and_then(Member::method)
                    .filter(|n| bind(project, *n, MethodKind::Instance, args).is_ok());
                let (kind, base) = match next {
                    Some(next) => (ConflictKind::Reverse, next),
                    None if !project.method(method).is_decorated() => (ConflictKind::Broken, method),
                    None => continue,
                };
                let caller = MethodId {
                    class: project.class_id_at(file, scope.class),
                    index: scope.method,
                };
                out.push((
                    kind,
                    method,
                    base,
                    BreakingCall {
                        file,
                        attr_ref: i,
                        caller,
                        dispatch_class: c,
                        error,
                        reachable_from: None,
                        on_instance: true,
                    },
                ));
            }
            out
        })
        .collect();
    // Reachability of the calling body, in the class that holds it.
    let mut entered: HashMap<ClassId, rustc_hash::FxHashMap<MethodId, MethodId>> = HashMap::new();
    found
        .into_iter()
        .map(|(kind, over, base, mut call)| {
            let holder = call.caller.class;
            let map = entered
                .entry(holder)
                .or_insert_with(|| refs.entered_from_public(project, ns, holder));
            call.reachable_from = map.get(&call.caller).copied();
            (kind, over, base, call)
        })
        .collect()
}

/// Whether a call on the instance from a body of `caller_kind` binds to
/// `target`, and the TypeError if not. Argument-injecting decorators and
/// properties make the outcome unknown: treated as binding.
pub fn bind(
    project: &Project,
    target: MethodId,
    caller_kind: MethodKind,
    args: &crate::scan::syntax::ArgShape,
) -> Result<(), BindError> {
    bind_with(project, target, &project.method(target).signature, caller_kind, args)
}

/// Like [`bind`], with `signature` standing in for the target's own (what
/// the target would accept once its parameters are widened).
pub fn bind_with(
    project: &Project,
    target: MethodId,
    signature: &Signature,
    caller_kind: MethodKind,
    args: &crate::scan::syntax::ArgShape,
) -> Result<(), BindError> {
    let def = project.method(target);
    if def.injects_args || header_unreadable(project, target) {
        return Ok(());
    }
    let implicit_first = match def.kind {
        MethodKind::Static => false,
        MethodKind::Class => true,
        // `cls.m(...)` inside a classmethod reaches an instance method
        // unbound: the first argument fills `self`.
        MethodKind::Instance => caller_kind != MethodKind::Class,
        MethodKind::Property => return Ok(()),
    };
    let qualname = project.method_py_qualname(target);
    check_call(
        &Callee {
            name: &def.name,
            qualname: &qualname,
            signature,
            implicit_first,
        },
        args,
    )
}

/// Whether the parser could not read part of the method's `def` line: its
/// signature as extracted may miss parameters (a Python 2 parameter named
/// `async`, say), so no call is judged against it.
fn header_unreadable(project: &Project, method: MethodId) -> bool {
    let header = &project.method(method).header_range;
    project
        .file(project.class(method.class).file)
        .syntax
        .parse_errors
        .iter()
        .any(|e| e.range.start < header.end && header.start < e.range.end)
}

/// Overrides whose parameter shape differs from the overridden method,
/// excluding pairs already reported as conflicts and constructors.
fn signature_warnings(project: &Project, ns: &Namespaces, conflicts: &[Conflict]) -> Vec<SignatureWarning> {
    let reported: BTreeSet<(MethodId, MethodId)> =
        conflicts.iter().map(|c| (c.override_method, c.overridden)).collect();
    let mut out = Vec::new();
    for c in project.class_ids() {
        for (index, m) in project.class_def(c).methods.iter().enumerate() {
            if (m.name.starts_with("__") && m.name.ends_with("__")) || m.injects_args {
                continue;
            }
            let over = MethodId { class: c, index };
            if ns.own[c.0 as usize].get(m.name.as_str()) != Some(&Member::Method(over)) {
                continue;
            }
            let Some(base) = ns.lookup(project.mro_after(c, c), &m.name).and_then(Member::method) else {
                continue;
            };
            if !reported.contains(&(over, base)) && shape(&m.signature) != shape(&project.method(base).signature) {
                out.push(SignatureWarning {
                    override_method: over,
                    overridden: base,
                });
            }
        }
    }
    out.sort_by_key(|w| project.method_qualname(w.override_method));
    out
}

/// What callers can observe of a signature: parameter kinds, names that can
/// be passed by keyword, and which are optional.
pub fn shape(sig: &Signature) -> Vec<(ParamKind, Option<&str>, bool)> {
    sig.params
        .iter()
        .skip(1)
        .map(|p| {
            let name =
                matches!(p.kind, ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly).then_some(p.name.as_str());
            (p.kind, name, p.has_default)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::walk::SourceInput;

    fn analyze_src(files: &[(&str, &str)]) -> (Project, Analysis) {
        let p = Project::build(
            files
                .iter()
                .map(|(module, src)| SourceInput {
                    rel_path: format!("{}.py", module.replace('.', "/")),
                    module: module.to_string(),
                    bytes: src.as_bytes().to_vec(),
                })
                .collect(),
        );
        let a = analyze(&p);
        (p, a)
    }

    fn pairs(p: &Project, a: &Analysis) -> Vec<(String, String, String)> {
        a.conflicts
            .iter()
            .map(|c| {
                (
                    c.kind.as_str().to_string(),
                    p.method_py_qualname(c.override_method),
                    p.method_py_qualname(c.overridden),
                )
            })
            .collect()
    }

    const BASE: &str = "\
class Base(object):
    def _attach(self, context, volume, props, remote=False):
        return volume
    def backup(self, context, volume):
        return self._attach(context, volume, {})
";

    #[test]
    fn shadowing_helper_breaks_inherited_body() {
        let src = format!("{BASE}class Sub(Base):\n    def _attach(self, volume, ip):\n        return ip\n");
        let (p, a) = analyze_src(&[("m", &src)]);
        assert_eq!(
            pairs(&p, &a),
            [("shadowing".into(), "Sub._attach".into(), "Base._attach".into())]
        );
        let call = &a.conflicts[0].calls[0];
        assert_eq!(call.error.py2, "_attach() takes exactly 3 arguments (4 given)");
        assert_eq!(
            call.error.py3,
            "Sub._attach() takes 3 positional arguments but 4 were given"
        );
        assert_eq!(p.method_py_qualname(call.caller), "Base.backup");
    }

    #[test]
    fn compatible_override_is_not_a_conflict_but_a_warning_only_if_shape_differs() {
        let src = format!(
            "{BASE}class Same(Base):\n    def _attach(self, context, volume, props, remote=False):\n        return super(Same, self)._attach(context, volume, props, remote=remote)\n\
             class Wider(Base):\n    def _attach(self, context, volume, props=None, remote=False, extra=None):\n        pass\n"
        );
        let (p, a) = analyze_src(&[("m", &src)]);
        assert!(a.conflicts.is_empty(), "{:?}", pairs(&p, &a));
        let warned: Vec<String> = a
            .warnings
            .iter()
            .map(|w| p.method_py_qualname(w.override_method))
            .collect();
        assert_eq!(warned, ["Wider._attach"]);
    }

    #[test]
    fn star_args_forwarder_is_never_reported() {
        let src = format!(
            "{BASE}class Fwd(Base):\n    def _attach(self, *args, **kwargs):\n        return super(Fwd, self)._attach(*args, **kwargs)\n"
        );
        let (_, a) = analyze_src(&[("m", &src)]);
        assert!(a.conflicts.is_empty());
    }

    #[test]
    fn overriding_the_calling_body_too_removes_the_conflict() {
        let src = format!(
            "{BASE}class Sub(Base):\n    def _attach(self, volume, ip):\n        pass\n    def backup(self, context, volume):\n        return self._attach(volume, '1.2.3.4')\n"
        );
        let (_, a) = analyze_src(&[("m", &src)]);
        assert!(a.conflicts.is_empty());
    }

    #[test]
    fn conflict_is_reported_once_with_every_affected_class() {
        let src = format!(
            "{BASE}class Sub(Base):\n    def _attach(self, volume, ip):\n        pass\nclass Leaf1(Sub): pass\nclass Leaf2(Sub): pass\n"
        );
        let (p, a) = analyze_src(&[("m", &src)]);
        assert_eq!(a.conflicts.len(), 1);
        let classes: Vec<&str> = a.conflicts[0]
            .classes
            .iter()
            .map(|c| p.class(*c).qualname.as_str())
            .collect();
        assert_eq!(classes, ["m.Leaf1", "m.Leaf2", "m.Sub"]);
        assert_eq!(a.conflicts[0].calls.len(), 1);
    }

    #[test]
    fn unexpected_keyword_through_missing_kwargs() {
        let src = "\
class Base(object):
    def terminate(self, volume, connector, **kwargs):
        pass
    def detach(self, volume):
        self.terminate(volume, {}, force=True)
class Fake(Base):
    def terminate(self, volume, connector):
        pass
";
        let (_, a) = analyze_src(&[("m", src)]);
        assert_eq!(a.conflicts.len(), 1);
        let e = &a.conflicts[0].calls[0].error;
        assert_eq!(e.py2, "terminate() got an unexpected keyword argument 'force'");
        assert_eq!(e.py3, "Fake.terminate() got an unexpected keyword argument 'force'");
    }

    #[test]
    fn reverse_conflict_subclass_calls_own_override_with_base_arguments() {
        let src = format!(
            "{BASE}class Sub(Base):\n    def _attach(self, volume, ip):\n        pass\n    def other(self, context, volume):\n        return self._attach(context, volume, {{}})\n"
        );
        let (p, a) = analyze_src(&[("m", &src)]);
        let got = pairs(&p, &a);
        assert!(
            got.contains(&("reverse".into(), "Sub._attach".into(), "Base._attach".into())),
            "{got:?}"
        );
    }

    #[test]
    fn super_call_resolves_after_named_class_in_dispatching_mro() {
        // Mid's body calls super(Mid, self).f(a, b); for Leaf the next class
        // after Mid is Helper (diamond), whose f takes one argument.
        let src = "\
class Root(object):
    def f(self, a, b):
        pass
class Mid(Root):
    def g(self):
        super(Mid, self).f(1, 2)
class Helper(Root):
    def f(self, a):
        pass
class Leaf(Mid, Helper):
    pass
";
        let (p, a) = analyze_src(&[("m", src)]);
        assert_eq!(
            pairs(&p, &a),
            [("shadowing".into(), "Helper.f".into(), "Root.f".into())]
        );
    }

    #[test]
    fn classmethod_and_staticmethod_binding() {
        let src = "\
class Base(object):
    @staticmethod
    def make(a, b):
        pass
    @classmethod
    def build(cls):
        return cls.make(1, 2)
class Sub(Base):
    @staticmethod
    def make(a):
        pass
";
        let (p, a) = analyze_src(&[("m", src)]);
        assert_eq!(
            pairs(&p, &a),
            [("shadowing".into(), "Sub.make".into(), "Base.make".into())]
        );
        assert_eq!(
            a.conflicts[0].calls[0].error.py3,
            "Sub.make() takes 1 positional argument but 2 were given"
        );
    }

    #[test]
    fn cross_file_attribute_base() {
        let (p, a) = analyze_src(&[
            ("pkg.__init__", ""),
            ("pkg.driver", BASE),
            (
                "pkg.sio",
                "from pkg import driver\nclass S(driver.Base):\n    def _attach(self, volume, ip):\n        pass\n",
            ),
        ]);
        assert_eq!(
            pairs(&p, &a),
            [("shadowing".into(), "S._attach".into(), "Base._attach".into())]
        );
        assert_eq!(p.method_qualname(a.conflicts[0].override_method), "pkg.sio.S._attach");
    }

    #[test]
    fn external_base_in_between_hides_the_name() {
        let src = format!(
            "from ext import Mixin\n{BASE}class Sub(Mixin, Base):\n    pass\nclass Leaf(Sub):\n    def _attach(self, v, ip):\n        pass\n"
        );
        // Leaf's MRO reaches Leaf._attach before the external Mixin, so the
        // conflict is still known; Base's body is effective in Leaf only if
        // nothing external comes before Base: the external mixin might
        // define backup, so nothing is claimed.
        let (_, a) = analyze_src(&[("m", &src)]);
        assert!(a.conflicts.is_empty());
    }

    #[test]
    fn a_def_line_the_parser_could_not_read_is_not_judged() {
        // `async` is a keyword in Python 3: the parameter list of this
        // Python 2 method is partly unreadable, so its signature is not
        // trusted, however the call looks.
        let src = "\
class Api(object):
    def migrate(self, context, request_spec=None, async=False):
        return async
class Caller(object):
    def run(self):
        api = Api()
        api.migrate(1, request_spec=2, async=True)
";
        let (p, a) = analyze_src(&[("m", src)]);
        assert!(!p.file(FileId(0)).syntax.parse_errors.is_empty());
        assert!(a.conflicts.is_empty(), "{:?}", pairs(&p, &a));
    }

    #[test]
    fn a_call_on_a_typed_instance_that_binds_to_nothing_is_broken() {
        let src = "\
class Ops(object):
    def unplug(self, instance, network_info, vm_ref):
        return vm_ref
class Driver(object):
    def __init__(self):
        self._ops = Ops()
    def unplug(self, instance, network_info):
        self._ops.unplug(instance, network_info)
";
        let (p, a) = analyze_src(&[("m", src)]);
        assert_eq!(
            pairs(&p, &a),
            [("broken".into(), "Ops.unplug".into(), "Ops.unplug".into())]
        );
        let call = &a.conflicts[0].calls[0];
        assert!(call.on_instance);
        assert_eq!(
            call.error.py3,
            "Ops.unplug() missing 1 required positional argument: 'vm_ref'"
        );
        assert_eq!(
            call.reachable_from.map(|m| p.method_qualname(m)).as_deref(),
            Some("m.Driver.unplug")
        );
    }
}
