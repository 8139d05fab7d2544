//! Per-class namespaces: each class's own names (methods and class-level
//! aliases) in a hash map, built once per analysis so that the many MRO
//! lookups detection and reachability make are hash probes, and the list of
//! methods effective in each class.

use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use rayon::prelude::*;

use crate::scan::model::{Base, ClassId, Member, MethodId, MroEntry, Project};

/// Per-class name -> member maps, built once so MRO lookups are hash probes.
pub(crate) struct Namespaces<'p> {
    project: &'p Project,
    pub(crate) own: Vec<HashMap<&'p str, Member>>,
    /// The methods effective in each class, by `ClassId` index.
    effective: Vec<Arc<[MethodId]>>,
}

impl<'p> Namespaces<'p> {
    pub(crate) fn new(project: &'p Project) -> Self {
        let own = project
            .class_ids()
            .collect::<Vec<_>>()
            .par_iter()
            .map(|&id| {
                let def = project.class_def(id);
                let mut names: HashMap<&str, Member> = HashMap::default();
                for m in &def.methods {
                    names
                        .entry(m.name.as_str())
                        .or_insert_with(|| project.own_member(id, &m.name).expect("method is a member"));
                }
                for a in &def.aliases {
                    names
                        .entry(a.name.as_str())
                        .or_insert_with(|| project.own_member(id, &a.name).expect("alias is a member"));
                }
                names
            })
            .collect();
        let mut ns = Namespaces {
            project,
            own,
            effective: Vec::new(),
        };
        ns.effective = ns.all_effective();
        ns
    }

    /// The methods effective in every class. A class with one base whose
    /// MRO is the tail of its own (see [`crate::scan::Mro`]) has its own
    /// methods and its base's list, less the names it defines: derived from
    /// the base's list, shorter MROs first, and shared outright when it
    /// defines no name, so a chain n classes deep costs O(n), not the
    /// O(n²) of walking each class's MRO.
    fn all_effective(&self) -> Vec<Arc<[MethodId]>> {
        let project = self.project;
        let mut by_length: Vec<ClassId> = project.class_ids().collect();
        by_length.sort_by_key(|&c| project.class(c).mro.len());
        let mut effective: Vec<Option<Arc<[MethodId]>>> = vec![None; by_length.len()];
        for x in by_length {
            let own = &self.own[x.0 as usize];
            let inherited = self.single_base_tail(x).and_then(|b| effective[b.0 as usize].clone());
            let list: Arc<[MethodId]> = match inherited {
                Some(base) if own.is_empty() => base,
                Some(base) => {
                    let mut out = self.own_effective(x);
                    out.extend(
                        base.iter()
                            .copied()
                            .filter(|&m| !own.contains_key(project.method(m).name.as_str())),
                    );
                    out.into()
                }
                None => self.walk_effective(x).into(),
            };
            effective[x.0 as usize] = Some(list);
        }
        effective.into_iter().map(Option::unwrap_or_default).collect()
    }

    /// The only base of `x` when `x`'s MRO is `x` followed by that base's
    /// MRO, as one buffer (which `Mro` guarantees along single-inheritance
    /// chains it shares).
    fn single_base_tail(&self, x: ClassId) -> Option<ClassId> {
        let info = self.project.class(x);
        let [Base::Internal(b)] = info.bases.as_slice() else {
            return None;
        };
        let (mro, base_mro) = (&info.mro, &self.project.class(*b).mro);
        (mro.first() == Some(&MroEntry::Class(x))
            && mro.len() == base_mro.len() + 1
            && std::ptr::eq(mro[1..].as_ptr(), base_mro.as_ptr()))
        .then_some(*b)
    }

    /// The methods of `x`'s body that its namespace keeps (the last
    /// definition of a name), in source order.
    fn own_effective(&self, x: ClassId) -> Vec<MethodId> {
        let own = &self.own[x.0 as usize];
        (0..self.project.class_def(x).methods.len())
            .map(|index| MethodId { class: x, index })
            .filter(|&m| own.get(self.project.method(m).name.as_str()) == Some(&Member::Method(m)))
            .collect()
    }

    /// Same contract as [`Project::lookup`].
    pub(crate) fn lookup(&self, mro: &[MroEntry], name: &str) -> Option<Member> {
        for entry in mro {
            match entry {
                MroEntry::Class(id) => {
                    if let Some(m) = self.own[id.0 as usize].get(name) {
                        return Some(*m);
                    }
                }
                MroEntry::External(ext) if ext == "object" => {}
                MroEntry::External(_) => return None,
            }
        }
        None
    }

    /// The methods effective in X: name -> defining member, MRO order
    /// respected, names an external base may shadow left out.
    pub(crate) fn effective(&self, x: ClassId) -> Vec<MethodId> {
        self.effective[x.0 as usize].to_vec()
    }

    /// [`Namespaces::effective`], found by walking X's MRO.
    fn walk_effective(&self, x: ClassId) -> Vec<MethodId> {
        let mro = &self.project.class(x).mro;
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut out = Vec::new();
        for entry in mro {
            match entry {
                MroEntry::Class(id) => {
                    let def = self.project.class_def(*id);
                    for (index, m) in def.methods.iter().enumerate() {
                        if seen.contains(m.name.as_str()) {
                            continue;
                        }
                        if self.own[id.0 as usize].get(m.name.as_str())
                            == Some(&Member::Method(MethodId { class: *id, index }))
                        {
                            out.push(MethodId { class: *id, index });
                        }
                    }
                    seen.extend(self.own[id.0 as usize].keys().copied());
                }
                MroEntry::External(ext) if ext == "object" => {}
                MroEntry::External(_) => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::walk::{SourceInput, collect};

    /// The lists derived along single-inheritance chains are the ones a
    /// walk of each class's MRO finds: on every fixture tree, and on a
    /// chain that overrides, aliases, redefines and meets an external base.
    #[test]
    fn derived_effective_lists_equal_the_walk() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut projects: Vec<Project> = ["kilo", "choose", "depth", "locals", "mro_external", "package"]
            .iter()
            .map(|name| Project::build(collect(&fixtures.join(name)).unwrap().sources))
            .collect();
        let chain = "from ext import Ext\n\
                     class A(object):\n    def f(self): pass\n    def g(self): pass\n    def f(self, x): pass\n\
                     class B(A):\n    def g(self): pass\n    h = g\n\
                     class C(B): pass\n\
                     class D(C):\n    def f(self): pass\n\
                     class E(D, Ext):\n    def k(self): pass\n\
                     class F(E): pass\n\
                     class G(Ext): pass\n\
                     class H(G):\n    def f(self): pass\n";
        projects.push(Project::build(vec![SourceInput {
            rel_path: "m.py".into(),
            module: "m".into(),
            bytes: chain.as_bytes().to_vec(),
        }]));
        let mut derived = 0;
        for p in &projects {
            let ns = Namespaces::new(p);
            for x in p.class_ids() {
                assert_eq!(ns.effective(x), ns.walk_effective(x), "{}", p.class(x).qualname);
                derived += usize::from(ns.single_base_tail(x).is_some());
            }
        }
        assert!(derived > 20, "{derived}");
        let p = projects.last().unwrap();
        let ns = Namespaces::new(p);
        let names = |x: usize| -> Vec<String> {
            ns.effective(ClassId(x as u32))
                .into_iter()
                .map(|m| p.method_py_qualname(m))
                .collect()
        };
        // D: its own f, then B's g (A's f and g are shadowed).
        assert_eq!(names(3), ["D.f", "B.g"]);
        // F: E's k and D's list; H: its own f, then G stops at `Ext`.
        assert_eq!(names(5), ["E.k", "D.f", "B.g"]);
        assert_eq!(names(7), ["H.f"]);
    }
}
