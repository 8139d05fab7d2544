//! Each class's MRO in the project, and how far its external bases' places
//! in it can be trusted.
//!
//! An external base (outside the tree) is an opaque leaf: its own bases are
//! unknown. Python 3 still knows one thing about it, as about every class:
//! its MRO ends with `object`. C3 is run with that fact (every root class
//! and every external leaf inherits `object`), so `object` can never be
//! placed before an external base that a later class brings in; left out,
//! it was, and the external bases that followed it were listed after it.
//! `object` is shown only where the hierarchy names it, as Python 2 code
//! with old-style classes never reaches it.
//!
//! What stays unknown is how the external bases relate to each other: if
//! one inherits another, C3 orders them (and the classes between them)
//! differently. [`Project::external_order_known`] says whether the
//! hierarchy alone fixes their order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::mro;
use super::{Base, ClassId, Mro, MroEntry, Project};

/// The name under which `object` appears among external bases.
const OBJECT: &str = "object";

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node {
    Class(ClassId),
    /// Index into the external names.
    External(u32),
}

impl Project {
    pub(super) fn compute_mros(&mut self) {
        // External bases get stable ids so C3 can order them; `object` is
        // always one, since every hierarchy ends there.
        let mut external_ids: HashMap<String, u32> = HashMap::from([(OBJECT.to_string(), 0)]);
        for c in &self.classes {
            for b in &c.bases {
                if let Base::External(name) = b {
                    let next = external_ids.len() as u32;
                    external_ids.entry(name.clone()).or_insert(next);
                }
            }
        }
        let external_names: Vec<String> = {
            let mut v = vec![String::new(); external_ids.len()];
            for (name, i) in &external_ids {
                v[*i as usize] = name.clone();
            }
            v
        };
        let object = Node::External(external_ids[OBJECT]);
        let bases_of = |n: Node| -> Vec<Node> {
            let written: Vec<Node> = match n {
                _ if n == object => return Vec::new(),
                Node::External(_) => Vec::new(),
                Node::Class(id) => self.classes[id.0 as usize]
                    .bases
                    .iter()
                    .map(|b| match b {
                        Base::Internal(id) => Node::Class(*id),
                        Base::External(name) => Node::External(external_ids[name]),
                    })
                    .collect(),
            };
            if written.is_empty() { vec![object] } else { written }
        };
        let count = self.classes.len();
        let class = |i: usize| Node::Class(ClassId(i as u32));
        let all = mro::linearize_all((0..count).map(class), bases_of);

        // `object` is listed where some class of the order names it. The
        // order of a class lists every class it reaches, so that is: the
        // class names it, or a class its order lists before `rest`, or some
        // class of `rest`'s order does. Shorter orders first, so `rest`'s
        // answer is ready.
        let names_object_directly = |n: Node| {
            matches!(n, Node::Class(id) if self.classes[id.0 as usize]
                .bases
                .iter()
                .any(|b| matches!(b, Base::External(e) if e == OBJECT)))
        };
        let mut by_length: Vec<usize> = (0..count).collect();
        by_length.sort_by_key(|&i| all.len(class(i)));
        let mut names_object: HashMap<Node, bool> = HashMap::with_capacity(count);
        for &i in &by_length {
            let (head, rest) = all.parts(class(i));
            // An external `rest` lists only external bases: no class.
            let value = head.iter().any(|&h| names_object_directly(h))
                || rest.is_some_and(|r| names_object.get(&r) == Some(&true));
            names_object.insert(class(i), value);
        }

        // Longest orders first: each is spelt out once, and every class down
        // its chain of `rest`s whose order is the tail of it, with `object`
        // kept or dropped alike, takes that tail instead of a copy.
        let mut mros: Vec<Option<Mro>> = vec![None; count];
        for &i in by_length.iter().rev() {
            if mros[i].is_some() {
                continue;
            }
            let keep_object = names_object[&class(i)];
            let mut entries: Vec<MroEntry> = Vec::with_capacity(all.len(class(i)));
            let mut starts: Vec<(usize, usize)> = Vec::new();
            let mut current = Some(class(i));
            while let Some(n) = current {
                if let Node::Class(id) = n
                    && names_object.get(&n) == Some(&keep_object)
                    && mros[id.0 as usize].is_none()
                {
                    starts.push((id.0 as usize, entries.len()));
                }
                let (head, rest) = all.parts(n);
                entries.extend(head.iter().filter(|&&h| h != object || keep_object).map(|&h| match h {
                    Node::Class(id) => MroEntry::Class(id),
                    Node::External(e) => MroEntry::External(external_names[e as usize].clone()),
                }));
                current = rest;
            }
            let entries: Arc<[MroEntry]> = entries.into();
            for (class, start) in starts {
                mros[class] = Some(Mro::suffix(entries.clone(), start));
            }
        }

        let name = |n: Node| match n {
            Node::Class(id) => self.class_def(id).name.clone(),
            Node::External(e) => external_names[e as usize].clone(),
        };
        let errors: Vec<Option<String>> = (0..count)
            .map(|i| all.error(class(i)).map(|kind| kind.describe(name)))
            .collect();
        for ((c, mro), error) in self.classes.iter_mut().zip(mros).zip(errors) {
            c.mro = mro.unwrap_or_default();
            c.mro_error = error;
        }
    }

    /// Whether the order of the external bases in `id`'s MRO is certain.
    ///
    /// C3 keeps every class before its bases and each class's bases in the
    /// order written. Two external bases whose order follows from those
    /// rules alone (a chain of them leads from one to the other) keep it
    /// whatever their unknown bases are: a hierarchy that contradicts it is
    /// one Python refuses. Two that no chain links could be reordered by
    /// their own bases (one inheriting the other), moving the classes
    /// between them too. `object` is always last and never in doubt.
    pub fn external_order_known(&self, id: ClassId) -> bool {
        let externals: Vec<&str> = self
            .class(id)
            .mro
            .iter()
            .filter_map(|e| match e {
                MroEntry::External(name) if name != OBJECT => Some(name.as_str()),
                _ => None,
            })
            .collect();
        if externals.len() < 2 {
            return true;
        }
        let follows = self.precedence(id);
        externals.iter().enumerate().all(|(i, first)| {
            externals[i + 1..]
                .iter()
                .all(|later| reaches(&follows, Key::External(first), Key::External(later)))
        })
    }

    /// The "comes before" edges C3 must keep in `id`'s hierarchy: each
    /// class before each of its bases, and each base before the next one.
    fn precedence(&self, id: ClassId) -> HashMap<Key<'_>, Vec<Key<'_>>> {
        let mut edges: HashMap<Key, Vec<Key>> = HashMap::new();
        let mut seen = HashSet::from([id]);
        let mut stack = vec![id];
        while let Some(class) = stack.pop() {
            let bases: Vec<Key> = self.class(class).bases.iter().filter_map(Key::of).collect();
            edges
                .entry(Key::Class(class))
                .or_default()
                .extend(bases.iter().copied());
            for pair in bases.windows(2) {
                edges.entry(pair[0]).or_default().push(pair[1]);
            }
            for base in &bases {
                if let Key::Class(b) = *base
                    && seen.insert(b)
                {
                    stack.push(b);
                }
            }
        }
        edges
    }
}

/// A class of the precedence graph: internal by id, external by name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Key<'a> {
    Class(ClassId),
    External(&'a str),
}

impl Key<'_> {
    /// The base as a key; None for `object`, which is last anyway.
    fn of(base: &Base) -> Option<Key<'_>> {
        match base {
            Base::Internal(id) => Some(Key::Class(*id)),
            Base::External(name) if name == OBJECT => None,
            Base::External(name) => Some(Key::External(name)),
        }
    }
}

/// Whether a chain of edges leads from `from` to `to`.
fn reaches(edges: &HashMap<Key, Vec<Key>>, from: Key, to: Key) -> bool {
    let mut seen = HashSet::from([from]);
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        for &next in edges.get(&node).map_or(&[][..], Vec::as_slice) {
            if next == to {
                return true;
            }
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::scan::model::{MroEntry, Project};
    use crate::scan::walk::SourceInput;

    fn project(src: &str) -> Project {
        Project::build(vec![SourceInput {
            rel_path: "m.py".into(),
            module: "m".into(),
            bytes: src.as_bytes().to_vec(),
        }])
    }

    fn class(p: &Project, name: &str) -> crate::scan::model::ClassId {
        p.class_ids().find(|c| p.class_def(*c).name == name).unwrap()
    }

    fn mro(p: &Project, name: &str) -> Vec<String> {
        p.class(class(p, name))
            .mro
            .iter()
            .map(|e| match e {
                MroEntry::Class(id) => p.class_def(*id).name.clone(),
                MroEntry::External(n) => format!("<{n}>"),
            })
            .collect()
    }

    /// `A(object)` then an external `X`: Python 3 puts `object` last, after
    /// `X`, since `X` inherits it too. Without that fact, C3 placed
    /// `object` right after `A`.
    #[test]
    fn object_follows_every_external_base() {
        let p = project("from ext import X, Y\nclass A(object): pass\nclass B(A, X): pass\nclass C(B, Y): pass\n");
        assert_eq!(mro(&p, "B"), ["B", "A", "<X>", "<object>"]);
        assert_eq!(mro(&p, "C"), ["C", "B", "A", "<X>", "<Y>", "<object>"]);
    }

    /// Where nothing names `object` (Python 2 old-style classes, or
    /// Python 3 code that leaves it implicit) it is not listed.
    #[test]
    fn object_is_listed_only_where_named() {
        let p = project("from ext import X\nclass A: pass\nclass B(A, X): pass\n");
        assert_eq!(mro(&p, "B"), ["B", "A", "<X>"]);
    }

    /// `class C(object, A)` is refused by Python 3: object cannot come
    /// before a class that inherits it.
    #[test]
    fn object_before_a_class_is_inconsistent() {
        let p = project("class A: pass\nclass C(object, A): pass\n");
        let c = p.class(class(&p, "C"));
        assert_eq!(
            c.mro_error.as_deref(),
            Some("cannot create a consistent method resolution order (MRO) for bases object, A")
        );
    }

    #[test]
    fn external_order_is_known_when_the_hierarchy_fixes_it() {
        let p = project(
            "from ext import X, Y\n\
             class A(object): pass\n\
             class One(A, X): pass\n\
             class Listed(A, X, Y): pass\n\
             class Chained(X, A): pass\n\
             class Later(A, Y): pass\n\
             class Below(Chained, Later): pass\n\
             class Beside(Chained, Y): pass\n\
             class Left(A, X): pass\n\
             class Right(A, Y): pass\n\
             class Both(Left, Right): pass\n",
        );
        let known = |name: &str| p.external_order_known(class(&p, name));
        // One external base: nothing to order.
        assert!(known("One"));
        // Listed in one class statement: X before Y.
        assert!(known("Listed"));
        // X before A (Chained lists them), A before Y (Later does).
        assert!(known("Below"));
        // Nothing links X and Y: if Y inherited X, Python would order
        // Both as Both, Left, Right, A, Y, X, and Beside as Beside,
        // Chained, Y, X, A.
        assert!(!known("Both"));
        assert!(!known("Beside"));
    }
}
