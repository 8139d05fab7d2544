//! What runs on an instance of a class, and from where it is entered.
//!
//! Two questions detection asks about a class X:
//! - which method bodies run with an X as `self`: the methods effective in
//!   X, and the bodies those reach through `super().m(...)` or
//!   `super(C, self).m(...)` (a base body entered that way still runs on an
//!   X, so its calls dispatch through MRO(X));
//! - from which public method of X (a name without a leading underscore, or
//!   a dunder) each body is entered through references on the instance
//!   (`self.m`, `cls.m`, `super().m`, called or passed along as a
//!   callback), resolved through MRO(X). A breaking call in a body no public
//!   method enters is latent: nothing a user does reaches it today.
//!
//! Both walk the references on the instance, indexed once per analysis by
//! the method whose body holds them.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::scan::model::{ClassId, FileId, Member, MethodId, Project};
use crate::scan::namespaces::Namespaces;
use crate::scan::syntax::Receiver;

/// A reference on the instance (`self.m`, `super().m`), called or not.
pub(crate) struct InstanceRef {
    pub(crate) file: FileId,
    /// Index into the file's `syntax.attr_refs`.
    pub(crate) attr_ref: usize,
}

/// Every reference on the instance, by the method whose body holds it.
pub(crate) struct InstanceRefs {
    by_body: HashMap<MethodId, Vec<InstanceRef>>,
}

impl InstanceRefs {
    pub(crate) fn index(project: &Project) -> Self {
        let mut by_body: HashMap<MethodId, Vec<InstanceRef>> = HashMap::default();
        for (fi, file) in project.files.iter().enumerate() {
            let fid = FileId(fi as u32);
            for (i, r) in file.syntax.attr_refs.iter().enumerate() {
                let Some(scope) = r.scope else {
                    continue;
                };
                if !matches!(r.receiver, Receiver::SelfParam | Receiver::Super { .. }) {
                    continue;
                }
                let class = project.class_id_at(fid, scope.class);
                by_body
                    .entry(MethodId {
                        class,
                        index: scope.method,
                    })
                    .or_default()
                    .push(InstanceRef { file: fid, attr_ref: i });
            }
        }
        InstanceRefs { by_body }
    }

    /// The references on the instance in `body`.
    pub(crate) fn of(&self, body: MethodId) -> &[InstanceRef] {
        self.by_body.get(&body).map_or(&[], Vec::as_slice)
    }

    /// The method a reference in `body` reaches when the body runs on an X.
    fn target(
        &self,
        project: &Project,
        ns: &Namespaces,
        x: ClassId,
        body: MethodId,
        r: &InstanceRef,
    ) -> Option<MethodId> {
        let attr = &project.file(r.file).syntax.attr_refs[r.attr_ref];
        let member = match &attr.receiver {
            Receiver::SelfParam => ns.lookup(&project.class(x).mro, &attr.attr),
            Receiver::Super { .. } => {
                let start = project.super_start(r.file, body.class, &attr.receiver)?;
                ns.lookup(project.mro_after(x, start), &attr.attr)
            }
            _ => None,
        };
        member.and_then(Member::method)
    }

    /// Every body that runs with an X as `self`: the methods effective in X,
    /// then whatever their `super()` references reach, transitively.
    pub(crate) fn bodies_run_on(&self, project: &Project, ns: &Namespaces, x: ClassId) -> Vec<MethodId> {
        let mut out = ns.effective(x);
        let mut seen: HashSet<MethodId> = out.iter().copied().collect();
        let mut i = 0;
        while i < out.len() {
            let body = out[i];
            i += 1;
            for r in self.of(body) {
                let attr = &project.file(r.file).syntax.attr_refs[r.attr_ref];
                if !matches!(attr.receiver, Receiver::Super { .. }) {
                    continue;
                }
                if let Some(m) = self.target(project, ns, x, body, r)
                    && seen.insert(m)
                {
                    out.push(m);
                }
            }
        }
        out
    }

    /// For every body entered from a public method of X: that public
    /// method (a body is entered from itself when it is public). Roots are
    /// visited in name order and breadth first, so the answer is the
    /// alphabetically first public method with a shortest path.
    pub(crate) fn entered_from_public(
        &self,
        project: &Project,
        ns: &Namespaces,
        x: ClassId,
    ) -> HashMap<MethodId, MethodId> {
        let mut roots: Vec<MethodId> = ns
            .effective(x)
            .into_iter()
            .filter(|m| is_public(&project.method(*m).name))
            .collect();
        roots.sort_by(|a, b| project.method(*a).name.cmp(&project.method(*b).name));
        let mut from: HashMap<MethodId, MethodId> = HashMap::default();
        for root in roots {
            if from.contains_key(&root) {
                continue;
            }
            from.insert(root, root);
            let mut queue = VecDeque::from([root]);
            while let Some(body) = queue.pop_front() {
                for r in self.of(body) {
                    if let Some(m) = self.target(project, ns, x, body, r)
                        && !from.contains_key(&m)
                    {
                        from.insert(m, root);
                        queue.push_back(m);
                    }
                }
            }
        }
        from
    }
}

/// A name a caller outside the class may use: no leading underscore, or a
/// dunder (`__call__`, `__enter__`), which Python itself calls.
fn is_public(name: &str) -> bool {
    !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__") && name.len() > 4)
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn public_names() {
        assert!(is_public("backup_volume"));
        assert!(is_public("__call__"));
        assert!(!is_public("_attach_volume"));
        assert!(!is_public("__mangled"));
        assert!(!is_public("____"));
    }
}
