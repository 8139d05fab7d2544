//! Import bindings: every `import` and `from ... import` statement in the
//! file, wherever it stands (top level, `try`/`except` fallbacks, `if`
//! blocks, function bodies), each imported name becoming one [`Import`].
//!
//! The walk in `visit` finds the statements, as they may sit at any depth;
//! the names inside one statement are then read from its fields.

use tree_sitter::Node;

use super::grammar::{Kind, fields};
use super::text;
use crate::scan::syntax::Import;

/// Appends the import bindings of one import statement of kind `kind`.
pub(crate) fn statement(node: Node, kind: Kind, source: &[u8], out: &mut Vec<Import>) {
    match kind {
        Kind::ImportStatement => plain_import(node, source, out),
        Kind::ImportFromStatement | Kind::FutureImportStatement => from_import(node, kind, source, out),
        _ => {}
    }
}

/// `import a.b`, `import a.b as x, c`.
fn plain_import(node: Node, source: &[u8], out: &mut Vec<Import>) {
    let mut cursor = node.walk();
    for name in node.children_by_field_name("name", &mut cursor) {
        if let Some((module, alias)) = name_and_alias(name, source) {
            out.push(Import::Module { module, alias });
        }
    }
}

/// `from [.]*a.b import c [as d], e`, `from a import (c, d)`, `from a import *`
/// and `from __future__ import x`.
fn from_import(node: Node, kind: Kind, source: &[u8], out: &mut Vec<Import>) {
    let (level, module) = match node.child_by_field_id(fields().module_name) {
        Some(m) if m.kind() == "relative_import" => relative_module(m, source),
        Some(m) => (0, dotted_name(m, source)),
        // `future_import_statement` has no module field: the keyword is
        // part of the statement itself.
        None if kind == Kind::FutureImportStatement => (0, "__future__".to_string()),
        None => return,
    };
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.kind() == "wildcard_import" {
            out.push(Import::From {
                level,
                module: module.clone(),
                name: "*".to_string(),
                alias: None,
            });
        }
    }
    let mut cursor = node.walk();
    for name_node in node.children_by_field_name("name", &mut cursor) {
        if let Some((name, alias)) = name_and_alias(name_node, source) {
            out.push(Import::From {
                level,
                module: module.clone(),
                name,
                alias,
            });
        }
    }
}

/// `..pkg.sub` → (2, "pkg.sub"); `.` → (1, "").
fn relative_module(node: Node, source: &[u8]) -> (u32, String) {
    let mut level = 0u32;
    let mut module = String::new();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            // Count the dots in the prefix's text: `...` may arrive as one
            // token or as three.
            "import_prefix" => {
                let dots = text(child, source).bytes().filter(|b| *b == b'.').count();
                level = u32::try_from(dots).unwrap_or(u32::MAX);
            }
            "dotted_name" => module = dotted_name(child, source),
            _ => {}
        }
    }
    (level, module)
}

/// A `dotted_name` or `aliased_import` → (dotted name, alias).
fn name_and_alias(node: Node, source: &[u8]) -> Option<(String, Option<String>)> {
    match node.kind() {
        "dotted_name" => Some((dotted_name(node, source), None)),
        "aliased_import" => {
            let name = dotted_name(node.child_by_field_id(fields().name)?, source);
            let alias = node
                .child_by_field_id(fields().alias)
                .filter(|a| !a.is_missing())
                .map(|a| text(a, source));
            Some((name, alias))
        }
        _ => None,
    }
}

/// The identifiers of a `dotted_name` joined by dots (whitespace dropped).
fn dotted_name(node: Node, source: &[u8]) -> String {
    let mut cursor = node.walk();
    let parts: Vec<String> = node
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "identifier")
        .map(|c| text(c, source))
        .collect();
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::super::parse_module;
    use crate::scan::syntax::Import;

    fn imports(src: &str) -> Vec<Import> {
        parse_module(src.as_bytes()).imports
    }

    fn module(module: &str, alias: Option<&str>) -> Import {
        Import::Module {
            module: module.to_string(),
            alias: alias.map(str::to_string),
        }
    }

    fn from(level: u32, module: &str, name: &str, alias: Option<&str>) -> Import {
        Import::From {
            level,
            module: module.to_string(),
            name: name.to_string(),
            alias: alias.map(str::to_string),
        }
    }

    #[test]
    fn import_dotted() {
        assert_eq!(imports("import a.b\n"), [module("a.b", None)]);
    }

    #[test]
    fn import_dotted_as() {
        assert_eq!(imports("import a.b as x\n"), [module("a.b", Some("x"))]);
    }

    #[test]
    fn import_several() {
        assert_eq!(imports("import a, b\n"), [module("a", None), module("b", None)]);
        assert_eq!(
            imports("import os.path as p, sys\n"),
            [module("os.path", Some("p")), module("sys", None)]
        );
    }

    #[test]
    fn from_import_name() {
        assert_eq!(imports("from a.b import c\n"), [from(0, "a.b", "c", None)]);
    }

    #[test]
    fn from_import_aliases_and_plain() {
        assert_eq!(
            imports("from a.b import c as d, e\n"),
            [from(0, "a.b", "c", Some("d")), from(0, "a.b", "e", None)]
        );
    }

    #[test]
    fn from_import_parenthesized_multiline() {
        assert_eq!(
            imports("from a.b import (c,\n    d,\n)\n"),
            [from(0, "a.b", "c", None), from(0, "a.b", "d", None)]
        );
    }

    #[test]
    fn from_dot_import() {
        assert_eq!(imports("from . import x\n"), [from(1, "", "x", None)]);
    }

    #[test]
    fn from_dotdot_pkg_import() {
        assert_eq!(imports("from ..pkg import y\n"), [from(2, "pkg", "y", None)]);
        assert_eq!(imports("from ...a.b import y as z\n"), [from(3, "a.b", "y", Some("z"))]);
    }

    #[test]
    fn from_import_star() {
        assert_eq!(imports("from a import *\n"), [from(0, "a", "*", None)]);
        assert_eq!(imports("from .m import *\n"), [from(1, "m", "*", None)]);
    }

    #[test]
    fn future_import() {
        assert_eq!(
            imports("from __future__ import print_function\n"),
            [from(0, "__future__", "print_function", None)]
        );
    }

    #[test]
    fn imports_anywhere_in_the_file() {
        let src = "\
try:
    import json
except ImportError:
    import simplejson as json
if PY2:
    from urllib import quote
def f():
    from os import path
class C(object):
    def m(self):
        import a.b
";
        assert_eq!(
            imports(src),
            [
                module("json", None),
                module("simplejson", Some("json")),
                from(0, "urllib", "quote", None),
                from(0, "os", "path", None),
                module("a.b", None),
            ]
        );
    }

    #[test]
    fn imports_after_a_python2_print_statement() {
        let src = "print 'starting'\nimport os\nprint >>sys.stderr, 'x'\nfrom a import b\n";
        assert_eq!(imports(src), [module("os", None), from(0, "a", "b", None)]);
    }
}
