//! Per-class namespaces: each class's own names (methods and class-level
//! aliases) in a hash map, built once per analysis so that the many MRO
//! lookups detection and reachability make are hash probes, and the list of
//! methods effective in a class.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use rayon::prelude::*;

use crate::scan::model::{ClassId, Member, MethodId, MroEntry, Project};

/// Per-class name -> member maps, built once so MRO lookups are hash probes.
pub(crate) struct Namespaces<'p> {
    project: &'p Project,
    pub(crate) own: Vec<HashMap<&'p str, Member>>,
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
        Namespaces { project, own }
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
