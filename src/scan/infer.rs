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

/// The class whose MRO a lookup on the receiver of `r` goes through.
pub fn holds(project: &Project, file: FileId, r: &AttrRef) -> Option<ClassId> {
    receiver_class(project, file, &r.receiver, Site::of_attr(r))
}

/// The class whose MRO an attribute lookup on `receiver`, written at
/// `site`, goes through, when the tree says so unambiguously. `self`/`cls`
/// and `super()` are left to the caller (they depend on the class the body
/// runs for).
pub fn receiver_class(project: &Project, file: FileId, receiver: &Receiver, site: Site) -> Option<ClassId> {
    match receiver {
        Receiver::Dotted(text) => dotted_class(project, file, site, text, 0),
        Receiver::SelfAttr(attr) => self_attr(project, file, site.scope?, attr, 0),
        Receiver::SelfParam | Receiver::Super { .. } => None,
    }
}

/// A dotted name at `site`: its head may be a local of the function or a
/// class attribute (at class level), else the whole name is resolved in the
/// module.
fn dotted_class(project: &Project, file: FileId, site: Site, dotted: &str, depth: u32) -> Option<ClassId> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (head, rest) = match dotted.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (dotted, None),
    };
    if let Some(found) = scoped_name(project, file, site, head, depth) {
        let found = found?;
        // `Alias.Nested`: only nested classes are followed.
        return match rest {
            None => Some(found),
            Some(rest) => rest.split('.').try_fold(found, |c, part| nested(project, c, part)),
        };
    }
    match project.resolve_dotted_in(file, &local_scopes(project, file, site), site.offset, dotted) {
        Resolved::Class(id) => Some(id),
        Resolved::Unknown if rest.is_none() => {
            // A module-level instance: `DRIVER = Driver()`.
            let target = BindingTarget::Name(head.to_string());
            let module_level = project
                .file(file)
                .syntax
                .bindings
                .iter()
                .filter(|b| b.function_start.is_none() && b.class_body.is_none() && b.target == target);
            agree_on(project, file, module_level, depth).flatten()
        }
        _ => None,
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

/// A name bound in the function around `site` (a local) or, at class level,
/// in the class body around it: None when it is bound in neither, Some(None)
/// when the bindings say nothing certain.
fn scoped_name(project: &Project, file: FileId, site: Site, name: &str, depth: u32) -> Option<Option<ClassId>> {
    let bindings = &project.file(file).syntax.bindings;
    let target = BindingTarget::Name(name.to_string());
    if site.function_start.is_some() {
        let local = bindings
            .iter()
            .filter(|b| b.function_start == site.function_start && b.class_body.is_none() && b.target == target);
        return agree_on(project, file, local, depth);
    }
    let class = enclosing_class_body(project, file, site.offset)?;
    let attrs = bindings
        .iter()
        .filter(|b| b.class_body == Some(class) && b.target == target);
    agree_on(project, file, attrs, depth)
}

/// The innermost class whose body holds `offset` at class level.
fn enclosing_class_body(project: &Project, file: FileId, offset: usize) -> Option<usize> {
    project
        .file(file)
        .syntax
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.body_range.contains(&offset))
        .min_by_key(|(_, c)| c.body_range.len())
        .map(|(i, _)| i)
}

fn nested(project: &Project, class: ClassId, part: &str) -> Option<ClassId> {
    let info = project.class(class);
    let file = info.file;
    project
        .file(file)
        .syntax
        .classes
        .iter()
        .position(|c| c.parent == Some(info.index) && c.name == part)
        .map(|i| project.class_id_at(file, i))
}

/// `self.x`: an instance attribute set in this class or any class of its
/// MRO (a base test case's setUp), in any file, or a class attribute alias
/// (`DRIVER = mod.Driver` in the class body).
fn self_attr(project: &Project, file: FileId, scope: MethodScope, attr: &str, depth: u32) -> Option<ClassId> {
    let class = project.class_id_at(file, scope.class);
    let mro: Vec<ClassId> = project
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
    let target = BindingTarget::SelfAttr(attr.to_string());
    let plain = BindingTarget::Name(attr.to_string());
    for &c in &mro {
        let cfile = project.class(c).file;
        let index = project.class(c).index;
        for b in &project.file(cfile).syntax.bindings {
            if b.target == target && b.scope.is_some_and(|s| s.class == index) {
                found.push(value(project, cfile, b, depth + 1));
            }
        }
        // The first class in the MRO that sets the attribute in its body
        // decides it, as a lookup would.
        if class_attr.is_none() {
            let attrs: Vec<&Binding> = project
                .file(cfile)
                .syntax
                .bindings
                .iter()
                .filter(|b| b.class_body == Some(index) && b.target == plain)
                .collect();
            if !attrs.is_empty() {
                class_attr = Some(agree_on(project, cfile, attrs.into_iter(), depth).flatten());
            }
        }
    }
    match (found.is_empty(), class_attr) {
        (true, Some(c)) => c,
        (false, None) => agree(found.into_iter()),
        // Both an instance attribute and a class attribute: unclear.
        _ => None,
    }
}

/// The class every binding agrees on: None when there are no bindings,
/// Some(None) when they are unknown or disagree.
fn agree_on<'b>(
    project: &Project,
    file: FileId,
    bindings: impl Iterator<Item = &'b Binding>,
    depth: u32,
) -> Option<Option<ClassId>> {
    let values: Vec<Option<ClassId>> = bindings.map(|b| value(project, file, b, depth + 1)).collect();
    if values.is_empty() {
        return None;
    }
    Some(agree(values.into_iter()))
}

fn value(project: &Project, file: FileId, b: &Binding, depth: u32) -> Option<ClassId> {
    if depth > MAX_DEPTH {
        return None;
    }
    // The value is evaluated where the binding stands: in a class body,
    // earlier class attributes count (`DRIVER = X` then `OTHER = DRIVER`).
    let site = Site {
        scope: b.scope,
        function_start: b.function_start,
        offset: b
            .class_body
            .map_or(usize::MAX, |c| project.file(file).syntax.classes[c].body_range.start),
    };
    match &b.value {
        BindingValue::Construct(dotted) | BindingValue::Dotted(dotted) | BindingValue::Name(dotted) => {
            dotted_class(project, file, site, dotted, depth)
        }
        BindingValue::SelfAttr(a) => self_attr(project, file, b.scope?, a, depth),
    }
}

/// One class when every binding names the same one; None when any is
/// unknown or they differ.
fn agree(mut classes: impl Iterator<Item = Option<ClassId>>) -> Option<ClassId> {
    let first = classes.next()??;
    classes.all(|c| c == Some(first)).then_some(first)
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
