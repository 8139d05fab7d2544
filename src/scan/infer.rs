//! Which class an object belongs to, as far as simple assignments tell:
//! `drv = scaleio.ScaleIODriver(...)` then `drv._attach_volume(...)`,
//! `self.driver = ScaleIODriver(...)` in `setUp` then
//! `self.driver._attach_volume(...)` in a test, or a class alias
//! (`FCD_DRIVER = fcd.VMwareVStorageObjectDriver` in a test class body, then
//! `mock.patch.object(FCD_DRIVER, '_extend_if_needed')`). Tests reach
//! private helpers this way all the time, so a rename that missed them
//! would break them, or worse, silently patch another method.
//!
//! The answer is the class whose MRO an attribute lookup on the object goes
//! through: the class itself for a class or an alias of it, the instance's
//! class for an instance. Deliberately small: only bindings in the same
//! function (for locals), the same class hierarchy (for `self.x`), the
//! enclosing class body (for names in decorators and class attributes) and
//! the module count, and every binding found must agree on one class, else
//! nothing is claimed.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::scan::model::{ClassId, FileId, MroEntry, Project, Resolved};
use crate::scan::syntax::{AttrRef, Binding, BindingTarget, BindingValue, MethodScope, Receiver, StringRef};

/// Guards against assignment chains that loop (`a = b; b = a`).
const MAX_DEPTH: u32 = 8;

/// Where a reference stands: the method whose body holds it, the innermost
/// function around it and its byte offset.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    pub scope: Option<MethodScope>,
    pub function_start: Option<usize>,
    pub offset: usize,
}

impl Site {
    pub fn of_attr(r: &AttrRef) -> Site {
        Site {
            scope: r.scope,
            function_start: r.function_start,
            offset: r.attr_range.start,
        }
    }

    pub fn of_string(r: &StringRef) -> Site {
        Site {
            scope: r.scope,
            function_start: r.function_start,
            offset: r.value_range.start,
        }
    }
}

/// What a name or attribute holds, as far as the tree says: a class (or
/// an alias of one), or an instance of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Held {
    Class(ClassId),
    Instance(ClassId),
}

impl Held {
    /// The class whose MRO an attribute lookup on the object goes through.
    pub fn class(self) -> ClassId {
        match self {
            Held::Class(c) | Held::Instance(c) => c,
        }
    }
}

/// The class whose MRO a lookup on the receiver of `r` goes through.
pub fn holds(project: &Project, file: FileId, r: &AttrRef) -> Option<ClassId> {
    receiver_class(project, file, &r.receiver, Site::of_attr(r))
}

/// The class whose MRO an attribute lookup on `receiver`, written at
/// `site`, goes through, when the tree says so unambiguously. `self`/`cls`
/// and `super()` are left to the caller (they depend on the class the body
/// runs for).
pub fn receiver_class(project: &Project, file: FileId, receiver: &Receiver, site: Site) -> Option<ClassId> {
    receiver_held(project, file, receiver, site).map(Held::class)
}

/// What `receiver`, written at `site`, holds: a class or an instance.
pub fn receiver_held(project: &Project, file: FileId, receiver: &Receiver, site: Site) -> Option<Held> {
    Typer::new(project).receiver_held(file, receiver, site)
}

/// A local name: its file, the start byte of its function, and the name.
type LocalKey = (FileId, usize, String);

/// Types receivers, remembering what `self.x` holds per class: typing the
/// calls of a test suite asks about the same `self.driver` in every test,
/// and each answer walks the assignments of the class's whole MRO.
pub struct Typer<'p> {
    project: &'p Project,
    self_attrs: RefCell<HashMap<(ClassId, String), Option<Held>>>,
    /// What a local name holds, per function (by its start byte).
    locals: RefCell<HashMap<LocalKey, Option<Option<Held>>>>,
}

impl<'p> Typer<'p> {
    pub fn new(project: &'p Project) -> Self {
        Typer {
            project,
            self_attrs: RefCell::new(HashMap::new()),
            locals: RefCell::new(HashMap::new()),
        }
    }

    /// What `receiver`, written at `site`, holds: a class or an instance.
    pub fn receiver_held(&self, file: FileId, receiver: &Receiver, site: Site) -> Option<Held> {
        match receiver {
            Receiver::Dotted(text) => self.dotted_held(file, site, text, 0),
            Receiver::SelfAttr(attr) => self.self_attr(file, site.scope?, attr, 0),
            Receiver::SelfParam | Receiver::Super { .. } => None,
        }
    }

    /// A dotted name at `site`: its head may be a local of the function or a
    /// class attribute (at class level), else the whole name is resolved in the
    /// module.
    fn dotted_held(&self, file: FileId, site: Site, dotted: &str, depth: u32) -> Option<Held> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (head, rest) = match dotted.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (dotted, None),
        };
        if let Some(found) = self.scoped_name(file, site, head, depth) {
            let found = found?;
            return match (rest, found) {
                (None, held) => Some(held),
                // `Alias.Nested`: only nested classes are followed.
                (Some(rest), Held::Class(c)) => rest
                    .split('.')
                    .try_fold(c, |c, part| self.nested(c, part))
                    .map(Held::Class),
                (Some(_), Held::Instance(_)) => None,
            };
        }
        match self
            .project
            .resolve_dotted_in(file, &local_scopes(self.project, file, site), site.offset, dotted)
        {
            Resolved::Class(id) => Some(Held::Class(id)),
            Resolved::Unknown if rest.is_none() => {
                // A module-level instance: `DRIVER = Driver()`.
                let target = BindingTarget::Name(head.into());
                let module_level = self
                    .project
                    .bindings_of(file, &target)
                    .filter(|b| b.function_start.is_none() && b.class_body.is_none());
                self.agree_on(file, module_level, depth).flatten()
            }
            _ => None,
        }
    }

    /// A name bound in the function around `site` (a local) or, at class level,
    /// in the class body around it: None when it is bound in neither, Some(None)
    /// when the bindings say nothing certain.
    fn scoped_name(&self, file: FileId, site: Site, name: &str, depth: u32) -> Option<Option<Held>> {
        let target = BindingTarget::Name(name.into());
        if let Some(function) = site.function_start {
            let key = (file, function, name.to_string());
            if let Some(known) = self.locals.borrow().get(&key) {
                return *known;
            }
            // Unknown while it is being worked out (`a = b`, `b = a`).
            self.locals.borrow_mut().insert(key.clone(), Some(None));
            let local = self
                .project
                .bindings_of(file, &target)
                .filter(|b| b.function_start == site.function_start && b.class_body.is_none());
            let held = self.agree_on(file, local, depth);
            self.locals.borrow_mut().insert(key, held);
            return held;
        }
        let class = self.enclosing_class_body(file, site.offset)?;
        let attrs = self
            .project
            .bindings_of(file, &target)
            .filter(|b| b.class_body == Some(class));
        self.agree_on(file, attrs, depth)
    }

    /// The innermost class whose body holds `offset` at class level.
    fn enclosing_class_body(&self, file: FileId, offset: usize) -> Option<usize> {
        self.project
            .file(file)
            .syntax
            .classes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.body_range.contains(&offset))
            .min_by_key(|(_, c)| c.body_range.len())
            .map(|(i, _)| i)
    }

    fn nested(&self, class: ClassId, part: &str) -> Option<ClassId> {
        let info = self.project.class(class);
        let file = info.file;
        self.project
            .file(file)
            .syntax
            .classes
            .iter()
            .position(|c| c.parent == Some(info.index) && c.name == part)
            .map(|i| self.project.class_id_at(file, i))
    }

    /// `self.x`: an instance attribute set in this class or any class of its
    /// MRO (a base test case's setUp), in any file, or a class attribute alias
    /// (`DRIVER = mod.Driver` in the class body).
    fn self_attr(&self, file: FileId, scope: MethodScope, attr: &str, depth: u32) -> Option<Held> {
        let class = self.project.class_id_at(file, scope.class);
        let key = (class, attr.to_string());
        if let Some(known) = self.self_attrs.borrow().get(&key) {
            return *known;
        }
        // Unknown while it is being worked out: an assignment cycle
        // (`self.a = self.b`, `self.b = self.a`) ends here.
        self.self_attrs.borrow_mut().insert(key.clone(), None);
        let held = self.self_attr_uncached(class, attr, depth);
        self.self_attrs.borrow_mut().insert(key, held);
        held
    }

    fn self_attr_uncached(&self, class: ClassId, attr: &str, depth: u32) -> Option<Held> {
        let mro: Vec<ClassId> = self
            .project
            .class(class)
            .mro
            .iter()
            .filter_map(|e| match e {
                MroEntry::Class(id) => Some(*id),
                MroEntry::External(_) => None,
            })
            .collect();
        let mut found = Vec::new();
        let mut class_attr = None;
        let target = BindingTarget::SelfAttr(attr.into());
        let plain = BindingTarget::Name(attr.into());
        for &c in &mro {
            let cfile = self.project.class(c).file;
            let index = self.project.class(c).index;
            for b in self.project.bindings_of(cfile, &target) {
                if b.scope.is_some_and(|s| s.class == index) {
                    found.push(self.value(cfile, b, depth + 1));
                }
            }
            // The first class in the MRO that sets the attribute in its body
            // decides it, as a lookup would.
            if class_attr.is_none() {
                let attrs: Vec<&Binding> = self
                    .project
                    .bindings_of(cfile, &plain)
                    .filter(|b| b.class_body == Some(index))
                    .collect();
                if !attrs.is_empty() {
                    class_attr = Some(self.agree_on(cfile, attrs.into_iter(), depth).flatten());
                }
            }
        }
        match (found.is_empty(), class_attr) {
            (true, Some(c)) => c,
            (false, None) => Self::agree(found.into_iter()),
            // Both an instance attribute and a class attribute: unclear.
            _ => None,
        }
    }

    /// What every binding agrees on: None when there are no bindings,
    /// Some(None) when they are unknown or disagree.
    fn agree_on<'b>(
        &self,
        file: FileId,
        bindings: impl Iterator<Item = &'b Binding>,
        depth: u32,
    ) -> Option<Option<Held>> {
        // Stops at the first unknown or disagreeing value: the answer is
        // then "nothing certain", and the remaining bindings (a name
        // reassigned all over a long test) need not be typed.
        let mut agreed: Option<Held> = None;
        let mut any = false;
        for b in bindings {
            any = true;
            let held = self.value(file, b, depth + 1);
            match (held, agreed) {
                (None, _) => return Some(None),
                (Some(h), None) => agreed = Some(h),
                (Some(h), Some(a)) if h != a => return Some(None),
                _ => {}
            }
        }
        any.then_some(agreed)
    }

    fn value(&self, file: FileId, b: &Binding, depth: u32) -> Option<Held> {
        if depth > MAX_DEPTH {
            return None;
        }
        // The value is evaluated where the binding stands: in a class body,
        // earlier class attributes count (`DRIVER = X` then `OTHER = DRIVER`).
        let site = Site {
            scope: b.scope,
            function_start: b.function_start,
            offset: b.class_body.map_or(usize::MAX, |c| {
                self.project.file(file).syntax.classes[c].body_range.start
            }),
        };
        match &b.value {
            // Calling a class makes an instance; calling anything else, who knows.
            BindingValue::Construct(dotted) => match self.dotted_held(file, site, dotted, depth)? {
                Held::Class(c) => Some(Held::Instance(c)),
                Held::Instance(_) => None,
            },
            BindingValue::Dotted(dotted) | BindingValue::Name(dotted) => self.dotted_held(file, site, dotted, depth),
            BindingValue::SelfAttr(a) => self.self_attr(file, b.scope?, a, depth),
        }
    }

    /// One answer when every binding gives the same; None when any is unknown
    /// or they differ.
    fn agree(mut held: impl Iterator<Item = Option<Held>>) -> Option<Held> {
        let first = held.next()??;
        held.all(|h| h == Some(first)).then_some(first)
    }
}

/// The functions whose local classes a name at `site` sees, innermost
/// first: the function around it and, in a method of a class built in a
/// function, that function (a method body sees it through the closure).
fn local_scopes(project: &Project, file: FileId, site: Site) -> Vec<usize> {
    let class_function = site
        .scope
        .and_then(|s| project.file(file).syntax.classes[s.class].function_start);
    let mut functions: Vec<usize> = site.function_start.into_iter().collect();
    functions.extend(class_function.filter(|f| Some(*f) != site.function_start));
    functions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::walk::SourceInput;

    fn project(src: &str) -> Project {
        Project::build(vec![SourceInput {
            rel_path: "m.py".into(),
            module: "m".into(),
            bytes: src.as_bytes().to_vec(),
        }])
    }

    fn held(p: &Project, attr: &str) -> Vec<Option<String>> {
        let f = FileId(0);
        p.file(f)
            .syntax
            .attr_refs
            .iter()
            .filter(|r| r.attr == attr)
            .map(|r| holds(p, f, r).map(|c| p.class(c).qualname.clone()))
            .collect()
    }

    #[test]
    fn local_and_self_attribute_bindings() {
        let p = project(
            "class D(object):\n    def h(self): pass\n\
             class T(object):\n    def setUp(self):\n        self.drv = D()\n\
             \n    def test(self):\n        drv, v = self.drv, 1\n        drv.h()\n        self.drv.h()\n\
             \ndef f():\n    x = D()\n    x.h()\n",
        );
        assert_eq!(
            held(&p, "h"),
            [Some("m.D".into()), Some("m.D".into()), Some("m.D".into())]
        );
    }

    /// An instance of a local class is typed by that function's class,
    /// not by a same-named class another function builds.
    #[test]
    fn instances_of_local_classes() {
        let p = project(
            "class Fake(object):\n    def h(self): pass\n\
             def one():\n    class Fake(object):\n        def h(self): pass\n\
             \x20       def again(self):\n            y = Fake()\n            y.h()\n\
             \x20   x = Fake()\n    x.h()\n\
             def two():\n    class Fake(object):\n        def h(self): pass\n    x = Fake()\n    x.h()\n\
             def three():\n    x = Fake()\n    x.h()\n",
        );
        assert_eq!(
            held(&p, "h"),
            [
                Some("m.one.<locals>.Fake".into()),
                Some("m.one.<locals>.Fake".into()),
                Some("m.two.<locals>.Fake".into()),
                Some("m.Fake".into()),
            ]
        );
    }

    #[test]
    fn disagreeing_or_foreign_bindings_claim_nothing() {
        let p = project(
            "class D(object):\n    def h(self): pass\nclass E(object):\n    def h(self): pass\n\
             def f(flag):\n    x = D()\n    if flag:\n        x = E()\n    x.h()\n\
             def g():\n    x.h()\n",
        );
        assert_eq!(held(&p, "h"), [None, None]);
    }

    /// The class each string reference's receiver stands for.
    fn string_targets(p: &Project) -> Vec<(String, Option<String>)> {
        let f = FileId(0);
        p.file(f)
            .syntax
            .string_refs
            .iter()
            .map(|s| {
                let receiver = match &s.context {
                    crate::scan::syntax::StringContext::PatchObject { target } => target,
                    crate::scan::syntax::StringContext::Getattr { receiver } => receiver,
                    crate::scan::syntax::StringContext::Patch => panic!("no patch strings here"),
                };
                let class = receiver_class(p, f, receiver, Site::of_string(s));
                (s.value.clone(), class.map(|c| p.class(c).qualname.clone()))
            })
            .collect()
    }

    #[test]
    fn class_aliases_in_class_bodies_modules_and_attributes() {
        let p = project(
            "class D(object):\n    def h(self): pass\n\
             ALIAS = D\n\
             class T(object):\n    DRV = ALIAS\n\
             \n    @mock.patch.object(DRV, 'a')\n    def test_a(self, m):\n        mock.patch.object(self.DRV, 'b')\n        x = ALIAS()\n        getattr(x, 'c')\n        getattr(DRV, 'd')\n",
        );
        assert_eq!(
            string_targets(&p),
            [
                ("a".into(), Some("m.D".into())),
                ("b".into(), Some("m.D".into())),
                ("c".into(), Some("m.D".into())),
                // Inside a method, class-body names are not in scope.
                ("d".into(), None),
            ]
        );
    }
}
