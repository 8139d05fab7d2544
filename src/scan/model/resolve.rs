//! Name resolution: what a dotted name written in a module means, as far as
//! it can be known statically. A module's top-level classes, its import
//! bindings (`import a.b`, `import a.b as x`, `from a import b as c`,
//! relative forms, `*`), module-level class aliases (`X = mod.C`), and names
//! re-exported by a package `__init__`; inside a function, the classes
//! built in that function come first.
//! Anything that leads outside the tree is an external module, never a guess.

use super::{ClassId, FileId, Project, Resolved};
use crate::scan::syntax::{BindingTarget, BindingValue, Import};

/// Bounds re-export chains, which may loop (`a` imports from `b`, `b` from `a`).
const MAX_RESOLVE_DEPTH: u32 = 24;

impl Project {
    pub fn module_file(&self, name: &str) -> Option<FileId> {
        self.modules.get(name).copied()
    }

    /// Resolves a dotted name as written in `file`'s module scope.
    pub fn resolve_dotted(&self, file: FileId, dotted: &str) -> Resolved {
        self.resolve_dotted_depth(file, dotted, 0)
    }

    /// Resolves a dotted name written at byte `offset` inside the functions
    /// starting at `functions` (innermost first; none at module level). Its
    /// head names a class built in one of those functions before anything
    /// in the module scope: two test methods that each define a `Base` get
    /// their own. Classes built in other functions are never seen.
    pub fn resolve_dotted_in(&self, file: FileId, functions: &[usize], offset: usize, dotted: &str) -> Resolved {
        let (head, rest) = match dotted.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (dotted, None),
        };
        let Some(local) = functions
            .iter()
            .find_map(|&function| self.local_class(file, function, head, offset))
        else {
            return self.resolve_dotted(file, dotted);
        };
        rest.into_iter()
            .flat_map(|rest| rest.split('.'))
            .fold(Resolved::Class(local), |current, part| {
                self.resolve_attribute(current, part, 0)
            })
    }

    /// The local class `name` of the function starting at `function`, as a
    /// use at `offset` sees it: the last one defined before the use (the
    /// function's own statements run in order), else the last one (a use in
    /// a method of a class defined earlier runs later, after them all).
    fn local_class(&self, file: FileId, function: usize, name: &str, offset: usize) -> Option<ClassId> {
        let mut last = None;
        let mut last_before = None;
        for &id in self.local.get(&(file, function))? {
            let def = self.class_def(id);
            if def.name != name {
                continue;
            }
            if def.name_range.start < offset {
                last_before = Some(id);
            }
            last = Some(id);
        }
        last_before.or(last)
    }

    fn resolve_dotted_depth(&self, file: FileId, dotted: &str, depth: u32) -> Resolved {
        if depth > MAX_RESOLVE_DEPTH {
            return Resolved::Unknown;
        }
        let mut parts = dotted.split('.');
        let Some(first) = parts.next() else {
            return Resolved::Unknown;
        };
        let mut current = self.resolve_name(file, first, depth);
        for part in parts {
            current = self.resolve_attribute(current, part, depth);
            if current == Resolved::Unknown {
                break;
            }
        }
        current
    }

    /// One name in a module's global scope.
    fn resolve_name(&self, file: FileId, name: &str, depth: u32) -> Resolved {
        if let Some(id) = self.top_level.get(&(file, name.to_string())) {
            return Resolved::Class(*id);
        }
        let module = &self.files[file.0 as usize].module;
        // The last binding of the name wins, as at run time; imports in
        // try/except fallbacks usually bind the same thing anyway.
        for import in self.files[file.0 as usize].syntax.imports.iter().rev() {
            match import {
                Import::Module {
                    module: m,
                    alias: Some(a),
                } if a == name => return self.module_resolved(m),
                Import::Module { module: m, alias: None } => {
                    let head = m.split('.').next().unwrap_or(m);
                    if head == name {
                        return self.module_resolved(head);
                    }
                }
                Import::From {
                    level,
                    module: m,
                    name: n,
                    alias,
                } => {
                    let bound = alias.as_deref().unwrap_or(n);
                    if n == "*" {
                        continue;
                    }
                    if bound == name {
                        let Some(source) = absolute_module(module, self.is_package(file), *level, m) else {
                            return Resolved::Unknown;
                        };
                        return self.resolve_attribute(self.module_resolved(&source), n, depth + 1);
                    }
                }
                _ => {}
            }
        }
        // A module-level alias of a class (`Driver = drivers.ScaleIODriver`),
        // when every such assignment names the same class.
        let aliases: Vec<Resolved> = self
            .bindings_of(file, &BindingTarget::Name(name.into()))
            .filter(|b| b.function_start.is_none() && b.class_body.is_none())
            .map(|b| match &b.value {
                BindingValue::Name(v) | BindingValue::Dotted(v) if v != name => {
                    self.resolve_dotted_depth(file, v, depth + 1)
                }
                _ => Resolved::Unknown,
            })
            .collect();
        if let Some(first @ Resolved::Class(_)) = aliases.first()
            && aliases.iter().all(|a| a == first)
        {
            return first.clone();
        }
        // `from pkg import *`: try each star source.
        for import in &self.files[file.0 as usize].syntax.imports {
            if let Import::From {
                level,
                module: m,
                name: n,
                ..
            } = import
                && n == "*"
                && let Some(source) = absolute_module(module, self.is_package(file), *level, m)
                && let Some(src_file) = self.module_file(&source)
                && src_file != file
            {
                let r = self.resolve_name(src_file, name, depth + 1);
                if r != Resolved::Unknown {
                    return r;
                }
            }
        }
        Resolved::Unknown
    }

    fn resolve_attribute(&self, base: Resolved, attr: &str, depth: u32) -> Resolved {
        if depth > MAX_RESOLVE_DEPTH {
            return Resolved::Unknown;
        }
        match base {
            Resolved::Module(f) => {
                let sub = format!("{}.{}", self.files[f.0 as usize].module, attr);
                // A package attribute bound in __init__ shadows a submodule
                // of the same name only if it is a class; prefer the class.
                if let Some(id) = self.top_level.get(&(f, attr.to_string())) {
                    return Resolved::Class(*id);
                }
                if let Some(sf) = self.module_file(&sub) {
                    return Resolved::Module(sf);
                }
                self.resolve_name(f, attr, depth + 1)
            }
            Resolved::ExternalModule(m) => self.module_resolved(&format!("{m}.{attr}")),
            Resolved::Class(id) => {
                let info = self.class(id);
                let file = info.file;
                let parent_index = info.index;
                self.files[file.0 as usize]
                    .syntax
                    .classes
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.parent == Some(parent_index) && c.name == attr)
                    .map(|(i, _)| Resolved::Class(self.by_index[&(file, i)]))
                    .unwrap_or(Resolved::Unknown)
            }
            Resolved::Unknown => Resolved::Unknown,
        }
    }

    fn module_resolved(&self, name: &str) -> Resolved {
        match self.module_file(name) {
            Some(f) => Resolved::Module(f),
            None => Resolved::ExternalModule(name.to_string()),
        }
    }

    fn is_package(&self, file: FileId) -> bool {
        let p = &self.files[file.0 as usize].rel_path;
        p == "__init__.py" || p.ends_with("/__init__.py")
    }
}

/// The absolute module a `from` import reads, or None when the relative
/// import climbs above the top-level package.
pub fn absolute_module(current: &str, is_package: bool, level: u32, module: &str) -> Option<String> {
    if level == 0 {
        return Some(module.to_string());
    }
    let mut parts: Vec<&str> = if current.is_empty() {
        Vec::new()
    } else {
        current.split('.').collect()
    };
    if !is_package {
        parts.pop()?;
    }
    for _ in 1..level {
        parts.pop()?;
    }
    if !module.is_empty() {
        parts.push(module);
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("."))
}
