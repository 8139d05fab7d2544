//! Which references reach a given method: the question both the rename
//! (what to change) and the choice of fix (who calls the override, and with
//! which arguments) ask.
//!
//! A reference `x.m` reaches a target method when the class whose MRO the
//! lookup goes through is in the target's family and finds the target
//! there: `self.m` through the class that runs the body, `super(...).m`
//! through the part of the MRO after the named class, and `obj.m`,
//! `mock.patch.object(obj, 'm')` or `getattr(obj, 'm')` through the class
//! the tree says `obj` is (a class, an alias of one, an instance).

use std::collections::BTreeSet;

use crate::scan::syntax::Receiver;
use crate::scan::{self, ClassId, FileId, Member, MethodId, MroEntry, Project, Resolved, Site};

pub(super) struct Reach<'p> {
    project: &'p Project,
    in_family: BTreeSet<ClassId>,
    targets: &'p [MethodId],
    method: &'p str,
}

impl<'p> Reach<'p> {
    /// References to `method` that reach one of `targets` through a class
    /// of `family`.
    pub(super) fn new(project: &'p Project, family: &[ClassId], targets: &'p [MethodId], method: &'p str) -> Self {
        Reach {
            project,
            in_family: family.iter().copied().collect(),
            targets,
            method,
        }
    }

    fn reaches(&self, mro: &[MroEntry]) -> bool {
        self.project
            .lookup(mro, self.method)
            .and_then(Member::method)
            .is_some_and(|m| self.targets.contains(&m))
    }

    /// An object of a family class (the class itself, an alias of it, an
    /// instance) reaches what the class reaches.
    pub(super) fn class_hits(&self, id: ClassId) -> bool {
        self.in_family.contains(&id) && self.reaches(&self.project.class(id).mro)
    }

    /// Does a lookup of the method on `receiver`, written at `site` in
    /// `file`, reach a target?
    pub(super) fn receiver_hits(&self, file: FileId, receiver: &Receiver, site: Site) -> bool {
        let project = self.project;
        match receiver {
            Receiver::SelfParam => site
                .scope
                .is_some_and(|s| self.class_hits(project.class_id_at(file, s.class))),
            Receiver::Super { .. } => site.scope.is_some_and(|s| {
                let d = project.class_id_at(file, s.class);
                self.in_family.contains(&d)
                    && project
                        .super_start(file, d, receiver)
                        .is_some_and(|start| self.reaches(project.mro_after(d, start)))
            }),
            Receiver::Dotted(_) | Receiver::SelfAttr(_) => {
                scan::receiver_class(project, file, receiver, site).is_some_and(|c| self.class_hits(c))
            }
        }
    }

    /// `mock.patch('pkg.mod.C')`-style owner path: the longest module prefix
    /// in the tree, then the class path inside it.
    pub(super) fn dotted_path_hits(&self, owner: &str) -> bool {
        let parts: Vec<&str> = owner.split('.').collect();
        for split in (1..parts.len()).rev() {
            let module = parts[..split].join(".");
            let Some(file) = self.project.module_file(&module) else {
                continue;
            };
            return match self.project.resolve_dotted(file, &parts[split..].join(".")) {
                Resolved::Class(id) => self.class_hits(id),
                _ => false,
            };
        }
        false
    }

    /// Every attribute reference (`x.m`, called or not) that reaches a
    /// target: file and index into its `attr_refs`.
    pub(super) fn attr_refs(&self) -> Vec<(FileId, usize)> {
        let mut out = Vec::new();
        for (fi, f) in self.project.files.iter().enumerate() {
            let file = FileId(fi as u32);
            for (i, r) in f.syntax.attr_refs.iter().enumerate() {
                if r.attr == self.method && self.receiver_hits(file, &r.receiver, Site::of_attr(r)) {
                    out.push((file, i));
                }
            }
        }
        out
    }
}
