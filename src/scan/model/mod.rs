//! The cross-file class model: every parsed file, every class in an arena
//! with typed ids, bases resolved through imports, and each class's MRO.
//!
//! Bases are resolved through imports (`resolve`); a base that does not
//! resolve to a class inside the tree is kept as `External`, never guessed.
//! MROs come from C3 linearization (`mro`), with external bases as opaque
//! leaves placed where Python 3 would place them (`order`). All classes are
//! linearized together, bases first, each merge reusing its bases' orders,
//! and a class with one base shares its base's MRO buffer ([`Mro`]), so a
//! deep chain costs linear time and space.

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use rayon::prelude::*;

use crate::scan::cache::FactCache;
use crate::scan::parse::parse_module;
use crate::scan::syntax::{self, BaseExpr, Binding, BindingTarget, MethodDef, Module, Receiver};
use crate::scan::walk::SourceInput;

mod mro;
mod order;
mod resolve;

pub use resolve::absolute_module;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassId(pub u32);

/// A method definition: the class that holds it and its index in that
/// class's `methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MethodId {
    pub class: ClassId,
    pub index: usize,
}

/// What a name in a class namespace is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member {
    Method(MethodId),
    /// `name = other` in the class body; resolved to the method it names
    /// when that method is in the same class body.
    Alias {
        class: ClassId,
        index: usize,
        target: Option<MethodId>,
    },
}

impl Member {
    /// The method whose signature a call through this member binds against.
    pub fn method(self) -> Option<MethodId> {
        match self {
            Member::Method(id) => Some(id),
            Member::Alias { target, .. } => target,
        }
    }

    pub fn class(self) -> ClassId {
        match self {
            Member::Method(id) => id.class,
            Member::Alias { class, .. } => class,
        }
    }
}

#[derive(Clone)]
pub struct SourceFile {
    pub rel_path: String,
    pub module: String,
    pub bytes: Vec<u8>,
    pub syntax: Module,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Internal(ClassId),
    External(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MroEntry {
    Class(ClassId),
    External(String),
}

/// A class's MRO, read as a slice of [`MroEntry`]. Classes may share one
/// buffer: the MRO of a class's only base is the tail of the class's own,
/// so in a chain of n classes each MRO is a suffix of the deepest one's,
/// and the chain takes n entries instead of n²/2.
#[derive(Clone, Default)]
pub struct Mro {
    entries: Arc<[MroEntry]>,
    start: usize,
}

impl Mro {
    /// The entries of `entries` from `start` on.
    fn suffix(entries: Arc<[MroEntry]>, start: usize) -> Mro {
        Mro { entries, start }
    }
}

impl Deref for Mro {
    type Target = [MroEntry];

    fn deref(&self) -> &[MroEntry] {
        &self.entries[self.start..]
    }
}

impl<'a> IntoIterator for &'a Mro {
    type Item = &'a MroEntry;
    type IntoIter = std::slice::Iter<'a, MroEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for Mro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

pub struct ClassInfo {
    pub file: FileId,
    /// Index into the file's `syntax.classes`.
    pub index: usize,
    /// `module.Outer.Inner`.
    pub qualname: String,
    pub bases: Vec<Base>,
    pub mro: Mro,
    /// Set when C3 failed; `mro` then holds a best-effort order.
    pub mro_error: Option<String>,
}

pub struct Project {
    pub files: Vec<SourceFile>,
    pub classes: Vec<ClassInfo>,
    /// Direct subclasses of each class, by `ClassId` index.
    pub subclasses: Vec<Vec<ClassId>>,
    modules: HashMap<String, FileId>,
    /// (file, top-level class name) -> class. Module-level classes only:
    /// a class built in a function is no attribute of its module.
    top_level: HashMap<(FileId, String), ClassId>,
    /// (file, function start) -> the classes defined directly in that
    /// function's body, in source order: its local classes.
    local: HashMap<(FileId, usize), Vec<ClassId>>,
    /// (file, class index) -> class.
    by_index: HashMap<(FileId, usize), ClassId>,
    /// Per file: binding target -> indexes into `syntax.bindings`, so a
    /// name is looked up without scanning every assignment of a long file.
    bindings_by_target: Vec<HashMap<BindingTarget, Vec<u32>>>,
}

/// What a dotted name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Module(FileId),
    Class(ClassId),
    /// A module path that is not in the tree (e.g. `six`, `oslo_log`).
    ExternalModule(String),
    Unknown,
}

impl Project {
    /// Parses every source in parallel and builds the class model.
    pub fn build(sources: Vec<SourceInput>) -> Project {
        Self::build_with_progress(sources, &|| {})
    }

    /// Like [`Project::build`], calling `tick` once per parsed file.
    pub fn build_with_progress(sources: Vec<SourceInput>, tick: &(dyn Fn() + Sync)) -> Project {
        Self::build_cached(sources, tick, None)
    }

    /// Like [`Project::build_with_progress`], reading each file's facts from
    /// `cache` when it has them (and storing the ones it parses).
    pub fn build_cached(sources: Vec<SourceInput>, tick: &(dyn Fn() + Sync), cache: Option<&FactCache>) -> Project {
        let files: Vec<SourceFile> = sources
            .into_par_iter()
            .map(|s| {
                let syntax = match cache {
                    Some(cache) => cache.facts(&s.bytes, parse_module),
                    None => parse_module(&s.bytes),
                };
                tick();
                SourceFile {
                    rel_path: s.rel_path,
                    module: s.module,
                    bytes: s.bytes,
                    syntax,
                }
            })
            .collect();
        Self::from_files(files)
    }

    /// The same project with some files' bytes replaced: only those are
    /// parsed again, the rest of the syntax is reused.
    pub fn with_replaced(&self, replaced: &HashMap<FileId, Vec<u8>>) -> Project {
        let files = self
            .files
            .par_iter()
            .enumerate()
            .map(|(i, f)| match replaced.get(&FileId(i as u32)) {
                Some(bytes) => SourceFile {
                    rel_path: f.rel_path.clone(),
                    module: f.module.clone(),
                    bytes: bytes.clone(),
                    syntax: parse_module(bytes),
                },
                None => f.clone(),
            })
            .collect();
        Self::from_files(files)
    }

    fn from_files(files: Vec<SourceFile>) -> Project {
        let mut modules = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            // Two files can claim one module name (a script dir without
            // __init__); the first in path order wins, deterministically.
            modules.entry(f.module.clone()).or_insert(FileId(i as u32));
        }
        let mut classes = Vec::new();
        let mut top_level = HashMap::new();
        let mut local: HashMap<(FileId, usize), Vec<ClassId>> = HashMap::new();
        let mut by_index = HashMap::new();
        let bindings_by_target = files
            .par_iter()
            .map(|f| {
                let mut index: HashMap<BindingTarget, Vec<u32>> = HashMap::new();
                for (i, b) in f.syntax.bindings.iter().enumerate() {
                    index.entry(b.target.clone()).or_default().push(i as u32);
                }
                index
            })
            .collect();
        for (fi, f) in files.iter().enumerate() {
            let file = FileId(fi as u32);
            for (ci, c) in f.syntax.classes.iter().enumerate() {
                let id = ClassId(classes.len() as u32);
                match (c.parent, c.function_start) {
                    // Later definitions rebind the name, as at run time.
                    (None, None) => {
                        top_level.insert((file, c.name.clone()), id);
                    }
                    (None, Some(function)) => local.entry((file, function)).or_default().push(id),
                    (Some(_), _) => {}
                }
                by_index.insert((file, ci), id);
                let qualname = if f.module.is_empty() {
                    c.qualname.clone()
                } else {
                    format!("{}.{}", f.module, c.qualname)
                };
                classes.push(ClassInfo {
                    file,
                    index: ci,
                    qualname,
                    bases: Vec::new(),
                    mro: Mro::default(),
                    mro_error: None,
                });
            }
        }
        let mut project = Project {
            files,
            classes,
            subclasses: Vec::new(),
            modules,
            top_level,
            local,
            by_index,
            bindings_by_target,
        };
        project.resolve_bases();
        project.compute_mros();
        project
    }

    fn resolve_bases(&mut self) {
        let bases: Vec<Vec<Base>> = (0..self.classes.len())
            .into_par_iter()
            .map(|i| {
                let info = &self.classes[i];
                let def = &self.files[info.file.0 as usize].syntax.classes[info.index];
                def.bases
                    .iter()
                    .map(|b| match b {
                        BaseExpr::Dotted(text) => match self.resolve_in_class_scope(info.file, def, text) {
                            Resolved::Class(id) if id.0 as usize != i => Base::Internal(id),
                            _ => Base::External(text.clone()),
                        },
                        BaseExpr::Other(text) => Base::External(text.clone()),
                    })
                    .collect()
            })
            .collect();
        let mut subclasses = vec![Vec::new(); self.classes.len()];
        for (i, b) in bases.into_iter().enumerate() {
            for base in &b {
                if let Base::Internal(id) = base
                    && !subclasses[id.0 as usize].contains(&ClassId(i as u32))
                {
                    subclasses[id.0 as usize].push(ClassId(i as u32));
                }
            }
            self.classes[i].bases = b;
        }
        self.subclasses = subclasses;
    }

    /// A base name in a nested class may name a sibling nested class first;
    /// in a class built in a function, a local class of that function next.
    fn resolve_in_class_scope(&self, file: FileId, def: &syntax::ClassDef, text: &str) -> Resolved {
        if let Some(parent) = def.parent {
            let siblings = &self.files[file.0 as usize].syntax.classes;
            if let Some((idx, _)) = siblings
                .iter()
                .enumerate()
                .find(|(_, c)| c.parent == Some(parent) && c.name == text)
            {
                return Resolved::Class(self.by_index[&(file, idx)]);
            }
        }
        let functions: Vec<usize> = def.function_start.into_iter().collect();
        self.resolve_dotted_in(file, &functions, def.name_range.start, text)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn class(&self, id: ClassId) -> &ClassInfo {
        &self.classes[id.0 as usize]
    }

    pub fn class_def(&self, id: ClassId) -> &syntax::ClassDef {
        let info = self.class(id);
        &self.file(info.file).syntax.classes[info.index]
    }

    /// The bindings of `file` that assign `target`, in source order.
    pub fn bindings_of<'a>(&'a self, file: FileId, target: &BindingTarget) -> impl Iterator<Item = &'a Binding> + 'a {
        let bindings = &self.files[file.0 as usize].syntax.bindings;
        self.bindings_by_target[file.0 as usize]
            .get(target)
            .into_iter()
            .flatten()
            .map(move |&i| &bindings[i as usize])
    }

    pub fn class_id_at(&self, file: FileId, index: usize) -> ClassId {
        self.by_index[&(file, index)]
    }

    pub fn method(&self, id: MethodId) -> &MethodDef {
        &self.class_def(id.class).methods[id.index]
    }

    pub fn class_ids(&self) -> impl Iterator<Item = ClassId> + '_ {
        (0..self.classes.len()).map(|i| ClassId(i as u32))
    }

    /// `module.Class.method`.
    pub fn method_qualname(&self, id: MethodId) -> String {
        format!("{}.{}", self.class(id.class).qualname, self.method(id).name)
    }

    /// `Class.method` as Python 3's `__qualname__` spells it.
    pub fn method_py_qualname(&self, id: MethodId) -> String {
        format!("{}.{}", self.class_def(id.class).qualname, self.method(id).name)
    }

    /// The member `name` directly defined in class `id` (a later definition
    /// in the body wins, as at run time).
    pub fn own_member(&self, id: ClassId, name: &str) -> Option<Member> {
        let def = self.class_def(id);
        let method = def.methods.iter().rposition(|m| m.name == name).map(|index| {
            (
                def.methods[index].position,
                Member::Method(MethodId { class: id, index }),
            )
        });
        let alias = def.aliases.iter().rposition(|a| a.name == name).map(|index| {
            let a = &def.aliases[index];
            let target = def
                .methods
                .iter()
                .rposition(|m| m.name == a.target && m.position < a.position)
                .map(|i| MethodId { class: id, index: i });
            (
                a.position,
                Member::Alias {
                    class: id,
                    index,
                    target,
                },
            )
        });
        match (method, alias) {
            (Some(m), Some(a)) => Some(if a.0 > m.0 { a.1 } else { m.1 }),
            (Some(m), None) => Some(m.1),
            (None, Some(a)) => Some(a.1),
            (None, None) => None,
        }
    }

    /// Looks `name` up along an MRO slice. `None` when it is not found in
    /// the tree's classes, or when an external class (whose members are
    /// unknown) comes first and might define it.
    pub fn lookup(&self, mro: &[MroEntry], name: &str) -> Option<Member> {
        for entry in mro {
            match entry {
                MroEntry::Class(id) => {
                    if let Some(m) = self.own_member(*id, name) {
                        return Some(m);
                    }
                }
                MroEntry::External(ext) if ext == "object" => {}
                MroEntry::External(_) => return None,
            }
        }
        None
    }

    /// The part of `within`'s MRO after class `after` (what `super(after, self)`
    /// searches).
    pub fn mro_after(&self, within: ClassId, after: ClassId) -> &[MroEntry] {
        let mro = &self.class(within).mro;
        match mro.iter().position(|e| *e == MroEntry::Class(after)) {
            Some(p) => &mro[p + 1..],
            None => &[],
        }
    }

    /// Every class that has `id` in its MRO (including `id` itself).
    pub fn family_below(&self, id: ClassId) -> Vec<ClassId> {
        let mut seen = vec![false; self.classes.len()];
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c.0 as usize], true) {
                continue;
            }
            out.push(c);
            stack.extend(self.subclasses[c.0 as usize].iter().copied());
        }
        out.sort();
        out
    }

    /// The class a `super(...)` receiver names, seen from `scope_class`.
    pub fn super_start(&self, file: FileId, scope_class: ClassId, receiver: &Receiver) -> Option<ClassId> {
        match receiver {
            Receiver::Super { class: None } => Some(scope_class),
            Receiver::Super { class: Some(text) } => {
                let def = self.class_def(scope_class);
                if def.name == *text {
                    return Some(scope_class);
                }
                // A method body sees the local classes of the function its
                // class was built in.
                let functions: Vec<usize> = def.function_start.into_iter().collect();
                match self.resolve_dotted_in(file, &functions, def.body_range.start, text) {
                    Resolved::Class(id) => Some(id),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str, &str)]) -> Project {
        Project::build(
            files
                .iter()
                .map(|(path, module, src)| SourceInput {
                    rel_path: path.to_string(),
                    module: module.to_string(),
                    bytes: src.as_bytes().to_vec(),
                })
                .collect(),
        )
    }

    fn class_named(p: &Project, qualname: &str) -> ClassId {
        p.class_ids()
            .find(|c| p.class(*c).qualname == qualname)
            .unwrap_or_else(|| panic!("no class {qualname}"))
    }

    fn mro_names(p: &Project, qualname: &str) -> Vec<String> {
        p.class(class_named(p, qualname))
            .mro
            .iter()
            .map(|e| match e {
                MroEntry::Class(id) => p.class(*id).qualname.clone(),
                MroEntry::External(n) => format!("<{n}>"),
            })
            .collect()
    }

    #[test]
    fn relative_module_resolution() {
        assert_eq!(absolute_module("a.b.c", false, 1, "d").as_deref(), Some("a.b.d"));
        assert_eq!(absolute_module("a.b", true, 1, "d").as_deref(), Some("a.b.d"));
        assert_eq!(absolute_module("a.b.c", false, 2, "").as_deref(), Some("a"));
        assert_eq!(absolute_module("a.b.c", false, 2, "x").as_deref(), Some("a.x"));
        assert_eq!(absolute_module("a", false, 2, "x"), None);
    }

    #[test]
    fn base_through_module_import_attribute() {
        let p = project(&[
            ("pkg/__init__.py", "pkg", ""),
            ("pkg/driver.py", "pkg.driver", "class Base(object):\n    pass\n"),
            (
                "pkg/impl.py",
                "pkg.impl",
                "from pkg import driver\nclass D(driver.Base):\n    pass\n",
            ),
        ]);
        assert_eq!(
            mro_names(&p, "pkg.impl.D"),
            ["pkg.impl.D", "pkg.driver.Base", "<object>"]
        );
    }

    #[test]
    fn base_through_import_as_and_dotted_import() {
        let p = project(&[
            ("a/__init__.py", "a", ""),
            ("a/b.py", "a.b", "class Base: pass\n"),
            ("x.py", "x", "import a.b as ab\nclass X(ab.Base): pass\n"),
            ("y.py", "y", "import a.b\nclass Y(a.b.Base): pass\n"),
        ]);
        assert_eq!(mro_names(&p, "x.X"), ["x.X", "a.b.Base"]);
        assert_eq!(mro_names(&p, "y.Y"), ["y.Y", "a.b.Base"]);
    }

    #[test]
    fn base_through_from_import_relative_and_reexport() {
        let p = project(&[
            ("pkg/__init__.py", "pkg", "from pkg.core import Base as PublicBase\n"),
            ("pkg/core.py", "pkg.core", "class Base(object): pass\n"),
            ("pkg/sub/__init__.py", "pkg.sub", ""),
            (
                "pkg/sub/rel.py",
                "pkg.sub.rel",
                "from ..core import Base\nclass R(Base): pass\n",
            ),
            (
                "pkg/sub/re.py",
                "pkg.sub.re",
                "from pkg import PublicBase\nclass E(PublicBase): pass\n",
            ),
        ]);
        assert_eq!(
            mro_names(&p, "pkg.sub.rel.R"),
            ["pkg.sub.rel.R", "pkg.core.Base", "<object>"]
        );
        assert_eq!(
            mro_names(&p, "pkg.sub.re.E"),
            ["pkg.sub.re.E", "pkg.core.Base", "<object>"]
        );
    }

    #[test]
    fn import_inside_try_block_is_seen() {
        let p = project(&[
            ("m.py", "m", "class Base: pass\n"),
            (
                "n.py",
                "n",
                "try:\n    from m import Base\nexcept ImportError:\n    Base = object\nclass N(Base): pass\n",
            ),
        ]);
        assert_eq!(mro_names(&p, "n.N"), ["n.N", "m.Base"]);
    }

    #[test]
    fn unresolved_base_is_external_not_guessed() {
        let p = project(&[
            ("m.py", "m", "class Base: pass\n"),
            ("n.py", "n", "from oslo_foo import Base\nclass N(Base): pass\n"),
        ]);
        assert_eq!(mro_names(&p, "n.N"), ["n.N", "<Base>"]);
    }

    /// A chain of 2,000 classes, one module each (the hostile input had
    /// 10,000): every MRO is the whole chain below it, and each class's is
    /// the tail of its subclass's rather than a copy.
    #[test]
    fn deep_chain_across_files() {
        const N: usize = 2_000;
        let mut files = vec![
            ("pkg/__init__.py".to_string(), "pkg".to_string(), String::new()),
            (
                "pkg/m0.py".to_string(),
                "pkg.m0".to_string(),
                "class C0(object):\n    def f(self): pass\n".to_string(),
            ),
        ];
        for i in 1..N {
            let j = i - 1;
            files.push((
                format!("pkg/m{i}.py"),
                format!("pkg.m{i}"),
                format!("from pkg.m{j} import C{j}\nclass C{i}(C{j}):\n    pass\n"),
            ));
        }
        let files: Vec<(&str, &str, &str)> = files
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        let p = project(&files);
        for i in [0, 1, N / 2, N - 1] {
            let mut expected: Vec<String> = (0..=i).rev().map(|k| format!("pkg.m{k}.C{k}")).collect();
            expected.push("<object>".to_string());
            assert_eq!(mro_names(&p, &format!("pkg.m{i}.C{i}")), expected);
        }
        assert!(p.classes.iter().all(|c| c.mro_error.is_none()));
        let top = class_named(&p, &format!("pkg.m{}.C{}", N - 1, N - 1));
        let below = class_named(&p, &format!("pkg.m{}.C{}", N - 2, N - 2));
        assert!(std::ptr::eq(&p.class(top).mro[1..], &p.class(below).mro[..]));
        let f = p.lookup(&p.class(top).mro, "f").and_then(Member::method).unwrap();
        assert_eq!(p.method_qualname(f), "pkg.m0.C0.f");
    }

    #[test]
    fn inconsistent_mro_is_reported_and_still_ordered() {
        let p = project(&[(
            "m.py",
            "m",
            "class A(object): pass\nclass B(object): pass\nclass X(A, B): pass\nclass Y(B, A): pass\nclass Z(X, Y):\n    def f(self): pass\n",
        )]);
        let z = class_named(&p, "m.Z");
        assert!(p.class(z).mro_error.is_some());
        assert_eq!(p.class(z).mro.first(), Some(&MroEntry::Class(z)));
    }

    #[test]
    fn lookup_stops_at_unknown_external_base() {
        let p = project(&[(
            "m.py",
            "m",
            "from ext import Mixin\nclass A(object):\n    def f(self): pass\nclass B(Mixin, A): pass\n",
        )]);
        let b = class_named(&p, "m.B");
        assert_eq!(p.lookup(&p.class(b).mro, "f"), None);
        let a = class_named(&p, "m.A");
        assert!(p.lookup(&p.class(a).mro, "f").is_some());
    }

    #[test]
    fn alias_resolves_to_earlier_method() {
        let p = project(&[("m.py", "m", "class A(object):\n    def f(self, x): pass\n    g = f\n")]);
        let a = class_named(&p, "m.A");
        let member = p.lookup(&p.class(a).mro, "g").unwrap();
        assert_eq!(member.method(), Some(MethodId { class: a, index: 0 }));
    }

    /// Each test method builds its own `Base`; before local classes were
    /// scoped, all of them went into the module's namespace and the last
    /// one won, which gave one test's classes another test's bases.
    #[test]
    fn local_classes_resolve_in_their_own_function() {
        let p = project(&[(
            "m.py",
            "m",
            "class Base(object): pass\n\
             class T(object):\n\
             \x20   def test_one(self):\n\
             \x20       class Base(object): pass\n\
             \x20       class Child(Base): pass\n\
             \x20   def test_two(self):\n\
             \x20       class Child(Base): pass\n\
             \x20   def test_three(self):\n\
             \x20       class Child(Base): pass\n\
             \x20       class Base(Exception): pass\n\
             def factory():\n\
             \x20   class Base: pass\n\
             \x20   return Base\n\
             class Top(Base): pass\n",
        )]);
        assert_eq!(
            mro_names(&p, "m.T.test_one.<locals>.Child"),
            ["m.T.test_one.<locals>.Child", "m.T.test_one.<locals>.Base", "<object>"]
        );
        // No local Base in test_two: the module's.
        assert_eq!(
            mro_names(&p, "m.T.test_two.<locals>.Child"),
            ["m.T.test_two.<locals>.Child", "m.Base", "<object>"]
        );
        // A local Base defined later is still the function's own name
        // (Python would raise UnboundLocalError, never use the module's).
        assert_eq!(
            mro_names(&p, "m.T.test_three.<locals>.Child"),
            [
                "m.T.test_three.<locals>.Child",
                "m.T.test_three.<locals>.Base",
                "<Exception>"
            ]
        );
        // Module level never sees a local class, whatever came last.
        assert_eq!(mro_names(&p, "m.Top"), ["m.Top", "m.Base", "<object>"]);
        assert_eq!(
            p.resolve_dotted(FileId(0), "Base"),
            Resolved::Class(class_named(&p, "m.Base"))
        );
    }

    /// The shape that gave SQLAlchemy's test suite "inconsistent MRO"
    /// errors: two tests define `A` and `B` with opposite inheritance.
    #[test]
    fn same_named_local_classes_of_two_functions_make_no_mro_error() {
        let p = project(&[(
            "m.py",
            "m",
            "def test_one():\n\
             \x20   class A(object): pass\n\
             \x20   class B(A): pass\n\
             \x20   class C(B, A): pass\n\
             def test_two():\n\
             \x20   class B(object): pass\n\
             \x20   class A(B): pass\n\
             \x20   class C(A, B): pass\n",
        )]);
        for c in p.class_ids() {
            assert_eq!(p.class(c).mro_error, None, "{}", p.class(c).qualname);
        }
        assert_eq!(
            mro_names(&p, "m.test_one.<locals>.C"),
            [
                "m.test_one.<locals>.C",
                "m.test_one.<locals>.B",
                "m.test_one.<locals>.A",
                "<object>"
            ]
        );
    }

    /// A `super(X, self)` in a method of a local class names a class of the
    /// function the class was built in.
    #[test]
    fn super_with_a_local_class_name() {
        let p = project(&[(
            "m.py",
            "m",
            "class Mid(object): pass\n\
             def test():\n\
             \x20   class Mid(object): pass\n\
             \x20   class Leaf(Mid):\n\
             \x20       def f(self):\n\
             \x20           return super(Mid, self).f()\n",
        )]);
        let leaf = class_named(&p, "m.test.<locals>.Leaf");
        let receiver = Receiver::Super {
            class: Some("Mid".into()),
        };
        assert_eq!(
            p.super_start(FileId(0), leaf, &receiver),
            Some(class_named(&p, "m.test.<locals>.Mid"))
        );
    }

    #[test]
    fn module_level_class_alias_resolves_but_imports_win() {
        let p = project(&[
            ("m.py", "m", "class Base(object): pass\n"),
            (
                "n.py",
                "n",
                "import m\nAlias = m.Base\nclass N(Alias): pass\n\
                 try:\n    from m import Base\nexcept ImportError:\n    Base = object\nclass O(Base): pass\n",
            ),
        ]);
        assert_eq!(mro_names(&p, "n.N"), ["n.N", "m.Base", "<object>"]);
        assert_eq!(mro_names(&p, "n.O"), ["n.O", "m.Base", "<object>"]);
    }
}
