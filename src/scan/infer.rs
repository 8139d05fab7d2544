//! Which class an instance variable holds, as far as simple assignments
//! tell: `drv = scaleio.ScaleIODriver(...)` then `drv._attach_volume(...)`,
//! or `self.driver = ScaleIODriver(...)` in `setUp` then
//! `self.driver._attach_volume(...)` in a test. Tests reach private helpers
//! this way all the time, so a rename that missed them would break them.
//!
//! Deliberately small: only bindings in the same function (for locals) or in
//! the same class hierarchy (for `self.x`) count, and every binding found
//! must agree on one class, else nothing is claimed.

use crate::scan::model::{ClassId, FileId, MroEntry, Project, Resolved};
use crate::scan::syntax::{AttrRef, BindingTarget, BindingValue, MethodScope, Receiver};

/// Guards against assignment chains that loop (`a = b; b = a`).
const MAX_DEPTH: u32 = 8;

/// The class whose instance the receiver of `r` holds, if the file's
/// bindings say so unambiguously.
pub fn holds(project: &Project, file: FileId, r: &AttrRef) -> Option<ClassId> {
    match &r.receiver {
        Receiver::Dotted(name) if !name.contains('.') => local(project, file, r.scope, r.function_start, name, 0),
        Receiver::SelfAttr(attr) => self_attr(project, file, r.scope?, attr, 0),
        _ => None,
    }
}

fn local(
    project: &Project,
    file: FileId,
    scope: Option<MethodScope>,
    function_start: Option<usize>,
    name: &str,
    depth: u32,
) -> Option<ClassId> {
    let bindings = &project.file(file).syntax.bindings;
    let values = bindings
        .iter()
        .filter(|b| b.function_start == function_start && b.target == BindingTarget::Name(name.to_string()))
        .map(|b| &b.value);
    agree(values.map(|v| value(project, file, scope, function_start, v, depth + 1)))
}

fn self_attr(project: &Project, file: FileId, scope: MethodScope, attr: &str, depth: u32) -> Option<ClassId> {
    let class = project.class_id_at(file, scope.class);
    // `self.x` may be set in this class or any class of its MRO (a base
    // test case's setUp), in any file.
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
    for &c in &mro {
        let cfile = project.class(c).file;
        let index = project.class(c).index;
        for b in &project.file(cfile).syntax.bindings {
            if b.target == BindingTarget::SelfAttr(attr.to_string()) && b.scope.is_some_and(|s| s.class == index) {
                found.push(value(project, cfile, b.scope, b.function_start, &b.value, depth + 1));
            }
        }
    }
    agree(found.into_iter())
}

fn value(
    project: &Project,
    file: FileId,
    scope: Option<MethodScope>,
    function_start: Option<usize>,
    v: &BindingValue,
    depth: u32,
) -> Option<ClassId> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        BindingValue::Construct(dotted) => match project.resolve_dotted(file, dotted) {
            Resolved::Class(id) => Some(id),
            _ => None,
        },
        BindingValue::Name(n) => local(project, file, scope, function_start, n, depth),
        BindingValue::SelfAttr(a) => self_attr(project, file, scope?, a, depth),
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

    #[test]
    fn disagreeing_or_foreign_bindings_claim_nothing() {
        let p = project(
            "class D(object):\n    def h(self): pass\nclass E(object):\n    def h(self): pass\n\
             def f(flag):\n    x = D()\n    if flag:\n        x = E()\n    x.h()\n\
             def g():\n    x.h()\n",
        );
        assert_eq!(held(&p, "h"), [None, None]);
    }
}
