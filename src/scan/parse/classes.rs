//! Classes and what they define: every `class` statement in the file (at any
//! depth), its bases, its methods with their kinds and signatures, and its
//! `name = other` aliases.
//!
//! The walk in `visit` meets classes, functions and assignments wherever
//! they are; a function or assignment belongs to a class when the only nodes
//! between it and the class are "transparent" ones (blocks, `if`/`try`
//! statements and their clauses, decorators, error recovery nodes): that is
//! how a method defined under `if PY2:` or in a `try:` inside a class body is
//! still a method of that class. The walk tracks that ownership and the
//! enclosing scopes (for qualnames); the functions here read one class,
//! method or alias.

use tree_sitter::Node;

use super::grammar::{Kind, fields};
use super::{bytes, dotted, position, text};
use crate::scan::syntax::{
    Alias, BaseExpr, BodyKind, ClassAttr, ClassDef, MethodDef, MethodKind, Param, ParamKind, Signature,
};

/// Nodes that may stand between a class body and a statement that still
/// belongs to that body.
pub(crate) fn is_transparent(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Block
            | Kind::IfStatement
            | Kind::ElifClause
            | Kind::ElseClause
            | Kind::TryStatement
            | Kind::ExceptClause
            | Kind::ExceptGroupClause
            | Kind::FinallyClause
            | Kind::DecoratedDefinition
            | Kind::Error
    )
}

/// `name = target` from an `expression_statement` in a class body.
pub(crate) fn alias(statement: Node, source: &[u8]) -> Option<Alias> {
    let mut cursor = statement.walk();
    let assignment = statement
        .named_children(&mut cursor)
        .find(|c| c.kind() == "assignment")?;
    // `x: T = y` is an annotated attribute, not an alias.
    if assignment.child_by_field_id(fields().r#type).is_some() {
        return None;
    }
    let name = assignment.child_by_field_id(fields().left)?;
    let target = assignment.child_by_field_id(fields().right)?;
    if name.kind() != "identifier" || target.kind() != "identifier" {
        return None;
    }
    if name.is_missing() || target.is_missing() {
        return None;
    }
    Some(Alias {
        name: text(name, source),
        target: text(target, source),
        name_range: name.byte_range(),
        target_range: target.byte_range(),
        position: position(name),
    })
}

/// A class without its methods and aliases (added by the walk), given its
/// name node, its qualname, the index of the class it is nested in and the
/// start of the function around it.
pub(crate) fn class_def(
    node: Node,
    name: Node,
    qualname: String,
    parent: Option<usize>,
    function_start: Option<usize>,
    source: &[u8],
) -> ClassDef {
    ClassDef {
        name: text(name, source),
        qualname,
        parent,
        function_start,
        name_range: name.byte_range(),
        position: position(name),
        body_range: node
            .child_by_field_id(fields().body)
            .map_or(node.end_byte()..node.end_byte(), |b| b.byte_range()),
        bases: node
            .child_by_field_id(fields().superclasses)
            .map(|args| bases(args, source))
            .unwrap_or_default(),
        methods: Vec::new(),
        aliases: Vec::new(),
        attributes: Vec::new(),
    }
}

/// The names an assignment in a class body binds: a name, the names of a
/// tuple or list target, or an annotated name (`x: int` binds nothing at
/// run time but declares the attribute; it is counted too).
pub(crate) fn assigned_names(assignment: Node, source: &[u8]) -> Vec<ClassAttr> {
    let Some(left) = assignment.child_by_field_id(fields().left) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![left];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "identifier" if !node.is_missing() => out.push(ClassAttr {
                name: text(node, source),
                position: position(node),
            }),
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            _ => {}
        }
    }
    out
}

/// Positional arguments of an argument list (keywords, `**kw` and comments
/// dropped; `*args` kept, as it is positional).
fn positional_args(args: Node) -> Vec<Node> {
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|a| !matches!(a.kind(), "keyword_argument" | "dictionary_splat" | "comment" | "ERROR"))
        .collect()
}

/// Bases of `class X(<args>)`, with `six.with_metaclass(Meta, A, B)` or
/// `with_metaclass(Meta, A, B)` expanded to `A, B`.
fn bases(args: Node, source: &[u8]) -> Vec<BaseExpr> {
    let mut out = Vec::new();
    for arg in positional_args(args) {
        if arg.kind() == "call"
            && let Some(function) = arg.child_by_field_id(fields().function)
            && let Some(name) = dotted(function, source)
            && (name == "with_metaclass" || name.ends_with(".with_metaclass"))
            && let Some(inner) = arg.child_by_field_id(fields().arguments)
            && inner.kind() == "argument_list"
        {
            out.extend(positional_args(inner).into_iter().skip(1).map(|a| base(a, source)));
            continue;
        }
        out.push(base(arg, source));
    }
    out
}

fn base(node: Node, source: &[u8]) -> BaseExpr {
    match dotted(node, source) {
        Some(name) => BaseExpr::Dotted(name),
        None => BaseExpr::Other(text(node, source)),
    }
}

/// The method for a `function_definition` directly in a class body, and the
/// name of its instance/class parameter. `decorated` is the function's
/// parent when that is a `decorated_definition`.
pub(crate) fn method_def(
    function: Node,
    decorated: Option<Node>,
    source: &[u8],
) -> Option<(MethodDef, Option<String>)> {
    let name_node = function.child_by_field_id(fields().name)?;
    if name_node.is_missing() || name_node.byte_range().is_empty() {
        return None;
    }
    let kind = decorated.map_or(MethodKind::Instance, |d| kind_from_decorators(d, source));
    let params_node = function.child_by_field_id(fields().parameters);
    let signature = params_node.map(|p| signature(p, source)).unwrap_or_default();
    let self_name = match kind {
        MethodKind::Static => None,
        _ => params_node.and_then(|p| first_param_name(p, source)),
    };
    let def_range = decorated.unwrap_or(function).byte_range();
    let (body, hook_doc) = function
        .child_by_field_id(fields().body)
        .map_or((BodyKind::Real, false), |b| body_facts(b, source));
    Some((
        MethodDef {
            name: text(name_node, source),
            name_range: name_node.byte_range(),
            position: position(name_node),
            def_range,
            header_range: function.start_byte()..header_end(function),
            kind,
            signature,
            injects_args: decorated.is_some_and(|d| injects_args(d, source)),
            is_abstract: decorated.is_some_and(|d| is_abstract(d, source)),
            body,
            hook_doc,
        },
        self_name,
    ))
}

/// End of the `:` closing the `def` header; if error recovery lost it, the
/// end of the last header part that is there.
fn header_end(function: Node) -> usize {
    let mut end = function.start_byte();
    let body = function.child_by_field_id(fields().body);
    let mut cursor = function.walk();
    for child in function.children(&mut cursor) {
        if child.kind() == ":" && !child.is_named() {
            return child.end_byte();
        }
        if body.is_some_and(|b| b.id() == child.id()) {
            break;
        }
        end = child.end_byte();
    }
    end
}

/// Whether a decorator call hands the method extra arguments: the mock
/// library's `patch`, `patch.object` and `patch.multiple` (not `patch.dict`)
/// and ddt's `data`/`file_data`/`unpack`.
fn injects_args(decorated: Node, source: &[u8]) -> bool {
    let mut cursor = decorated.walk();
    decorated
        .named_children(&mut cursor)
        .filter(|d| d.kind() == "decorator")
        .any(|decorator| {
            let mut inner = decorator.walk();
            let Some(expr) = decorator.named_children(&mut inner).find(|c| c.kind() != "comment") else {
                return false;
            };
            let function = if expr.kind() == "call" {
                expr.child_by_field_id(fields().function)
            } else {
                Some(expr)
            };
            let Some(name) = function.and_then(|f| dotted(f, source)) else {
                return false;
            };
            let mut parts = name.rsplit('.');
            matches!(
                (parts.next(), parts.next()),
                (Some("patch"), _)
                    | (Some("object" | "multiple"), Some("patch"))
                    | (Some("data" | "file_data" | "unpack" | "idata"), Some("ddt") | None)
            )
        })
}

/// The dotted names of a decorated definition's decorators, called or not
/// (`@abc.abstractmethod`, `@utils.synchronized('x')` gives
/// `utils.synchronized`).
fn decorator_names(decorated: Node, source: &[u8]) -> Vec<String> {
    let mut cursor = decorated.walk();
    decorated
        .named_children(&mut cursor)
        .filter(|d| d.kind() == "decorator")
        .filter_map(|decorator| {
            let mut inner = decorator.walk();
            let expr = decorator.named_children(&mut inner).find(|c| c.kind() != "comment")?;
            let function = if expr.kind() == "call" {
                expr.child_by_field_id(fields().function)?
            } else {
                expr
            };
            dotted(function, source)
        })
        .collect()
}

/// `@abc.abstractmethod`, `@abstractmethod` and the `abstract*` variants.
fn is_abstract(decorated: Node, source: &[u8]) -> bool {
    decorator_names(decorated, source).iter().any(|name| {
        let last = name.rsplit('.').next().unwrap_or(name);
        matches!(
            last,
            "abstractmethod" | "abstractproperty" | "abstractclassmethod" | "abstractstaticmethod"
        )
    })
}

/// What a function body amounts to, and whether its docstring asks for
/// overriding. Comments are not statements; a docstring is the first
/// statement when it is a lone string.
fn body_facts(block: Node, source: &[u8]) -> (BodyKind, bool) {
    let mut cursor = block.walk();
    let mut statements: Vec<Node> = block
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    let mut hook_doc = false;
    if let Some(first) = statements.first()
        && let Some(doc) = lone_string(*first)
    {
        hook_doc = says_override(&text(doc, source));
        statements.remove(0);
    }
    let kind = match statements.as_slice() {
        [] => BodyKind::NoOp,
        [.., last] if statements.len() <= 2 && raises_not_implemented(*last, source) => BodyKind::RaisesNotImplemented,
        [one] if is_trivial(*one, source) => BodyKind::NoOp,
        _ => BodyKind::Real,
    };
    (kind, hook_doc)
}

/// The string of an expression statement that is nothing but a string.
fn lone_string(statement: Node) -> Option<Node> {
    if statement.kind() != "expression_statement" || statement.named_child_count() != 1 {
        return None;
    }
    let expr = statement.named_child(0)?;
    matches!(expr.kind(), "string" | "concatenated_string").then_some(expr)
}

/// `pass`, `...`, `return`, or `return` of `None` or an empty literal.
fn is_trivial(statement: Node, source: &[u8]) -> bool {
    match statement.kind() {
        "pass_statement" => true,
        "expression_statement" => statement
            .named_child(0)
            .is_some_and(|e| e.kind() == "ellipsis" && statement.named_child_count() == 1),
        "return_statement" => match statement.named_child(0) {
            None => true,
            Some(value) => match value.kind() {
                "none" => true,
                "list" | "dictionary" | "tuple" | "set" => value.named_child_count() == 0,
                "identifier" => bytes(source, value.byte_range()) == b"None",
                _ => false,
            },
        },
        _ => false,
    }
}

/// `raise NotImplementedError`, `raise NotImplementedError(...)`, also
/// qualified (`exceptions.NotImplementedError`) or Python 2's
/// `raise NotImplementedError, "msg"`.
fn raises_not_implemented(statement: Node, source: &[u8]) -> bool {
    if statement.kind() != "raise_statement" {
        return false;
    }
    let Some(mut raised) = statement.named_child(0) else {
        return false;
    };
    if raised.kind() == "expression_list"
        && let Some(first) = raised.named_child(0)
    {
        raised = first;
    }
    if raised.kind() == "call"
        && let Some(function) = raised.child_by_field_id(fields().function)
    {
        raised = function;
    }
    dotted(raised, source).is_some_and(|name| name == "NotImplementedError" || name.ends_with(".NotImplementedError"))
}

/// Whether a docstring says the method is there to be overridden.
fn says_override(doc: &str) -> bool {
    let doc = doc.to_ascii_lowercase();
    [
        "subclass this",
        "subclasses should",
        "subclasses must",
        "subclasses can",
        "subclasses may",
        "should be overridden",
        "must be overridden",
        "can be overridden",
        "may be overridden",
        "to be overridden",
        "override this",
        "overridden by",
        "must be implemented",
        "should be implemented",
        "to be implemented",
        "implement this",
        "hook for",
        "hook method",
    ]
    .iter()
    .any(|phrase| doc.contains(phrase))
}

/// The strongest kind named by the decorators: static and class methods
/// outrank properties (`@classmethod @property`), which outrank the rest.
fn kind_from_decorators(decorated: Node, source: &[u8]) -> MethodKind {
    let mut kind = MethodKind::Instance;
    let mut cursor = decorated.walk();
    for decorator in decorated.named_children(&mut cursor) {
        if decorator.kind() != "decorator" {
            continue;
        }
        let mut inner = decorator.walk();
        let Some(expr) = decorator.named_children(&mut inner).find(|c| c.kind() != "comment") else {
            continue;
        };
        // A called decorator (`@utils.synchronized('x')`) is never one of
        // these builtins, so only names and attribute chains are compared.
        let Some(name) = dotted(expr, source) else {
            continue;
        };
        let last = name.rsplit('.').next().unwrap_or(&name);
        let this = match (name.as_str(), last) {
            ("staticmethod", _) | (_, "abstractstaticmethod") => MethodKind::Static,
            ("classmethod", _) | (_, "abstractclassmethod") => MethodKind::Class,
            ("property", _) | (_, "abstractproperty" | "cached_property") | (_, "setter" | "getter" | "deleter") => {
                MethodKind::Property
            }
            _ => MethodKind::Instance,
        };
        kind = match (kind, this) {
            (MethodKind::Static | MethodKind::Class, _) => kind,
            (_, MethodKind::Static | MethodKind::Class) => this,
            (MethodKind::Property, _) | (_, MethodKind::Property) => MethodKind::Property,
            _ => MethodKind::Instance,
        };
    }
    kind
}

/// The name of the first parameter when it is a plain (possibly typed or
/// defaulted) name.
fn first_param_name(params: Node, source: &[u8]) -> Option<String> {
    let mut cursor = params.walk();
    let first = params.named_children(&mut cursor).find(|c| c.kind() != "comment")?;
    let name = match first.kind() {
        "identifier" => first,
        "typed_parameter" => {
            let mut inner = first.walk();
            first.named_children(&mut inner).find(|c| c.kind() == "identifier")?
        }
        "default_parameter" | "typed_default_parameter" => first.child_by_field_id(fields().name)?,
        _ => return None,
    };
    (name.kind() == "identifier" && !name.is_missing()).then(|| text(name, source))
}

/// The parameters of a `parameters` node, with their kinds.
fn signature(params: Node, source: &[u8]) -> Signature {
    let mut out: Vec<Param> = Vec::new();
    // After `*` or `*args`, plain parameters are keyword-only.
    let mut keyword_only = false;
    let mut cursor = params.walk();
    for child in params.named_children(&mut cursor) {
        let plain = if keyword_only {
            ParamKind::KeywordOnly
        } else {
            ParamKind::PositionalOrKeyword
        };
        let param = match child.kind() {
            "identifier" => Param {
                name: text(child, source),
                kind: plain,
                has_default: false,
            },
            // Python 2 tuple parameter: `def f(self, (a, b))`.
            "tuple_pattern" => Param {
                name: collapse_whitespace(&text(child, source)),
                kind: ParamKind::PositionalOnly,
                has_default: false,
            },
            "default_parameter" | "typed_default_parameter" => {
                let Some(name) = child.child_by_field_id(fields().name) else {
                    continue;
                };
                let kind = if name.kind() == "tuple_pattern" {
                    ParamKind::PositionalOnly
                } else {
                    plain
                };
                Param {
                    name: collapse_whitespace(&text(name, source)),
                    kind,
                    has_default: true,
                }
            }
            "typed_parameter" => {
                let mut inner = child.walk();
                let Some(target) = child.named_children(&mut inner).find(|c| c.kind() != "comment") else {
                    continue;
                };
                match splat(target, source) {
                    Some(p) => p,
                    None => Param {
                        name: text(target, source),
                        kind: plain,
                        has_default: false,
                    },
                }
            }
            "list_splat_pattern" | "dictionary_splat_pattern" => match splat(child, source) {
                Some(p) => p,
                None => continue,
            },
            "keyword_separator" => {
                keyword_only = true;
                continue;
            }
            "positional_separator" => {
                for p in &mut out {
                    if p.kind == ParamKind::PositionalOrKeyword {
                        p.kind = ParamKind::PositionalOnly;
                    }
                }
                continue;
            }
            _ => continue,
        };
        if param.kind == ParamKind::VarPositional {
            keyword_only = true;
        }
        out.push(param);
    }
    Signature {
        params: out,
        text: params_text(params, source),
    }
}

/// `*args` / `**kwargs` (also inside a `typed_parameter`).
fn splat(node: Node, source: &[u8]) -> Option<Param> {
    let kind = match node.kind() {
        "list_splat_pattern" => ParamKind::VarPositional,
        "dictionary_splat_pattern" => ParamKind::VarKeyword,
        _ => return None,
    };
    let mut cursor = node.walk();
    let name = node.named_children(&mut cursor).find(|c| c.kind() == "identifier")?;
    Some(Param {
        name: text(name, source),
        kind,
        has_default: false,
    })
}

/// The parameter list as one line: comments dropped, whitespace runs
/// collapsed, no space just inside the parentheses.
fn params_text(params: Node, source: &[u8]) -> String {
    let range = params.byte_range();
    let mut comments = Vec::new();
    // Comments start with `#`: most parameter lists have none, and need no
    // search of their subtree.
    let mut stack = if bytes(source, range.clone()).contains(&b'#') {
        vec![params]
    } else {
        Vec::new()
    };
    while let Some(node) = stack.pop() {
        if node.kind() == "comment" {
            comments.push(node.byte_range());
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    comments.sort_by_key(|r| r.start);
    let mut kept = Vec::with_capacity(range.len());
    let mut at = range.start;
    for comment in comments {
        if comment.start > at {
            kept.extend_from_slice(bytes(source, at..comment.start));
        }
        // A comment always ends a line; keep a separator in its place.
        kept.push(b' ');
        at = at.max(comment.end);
    }
    if range.end > at {
        kept.extend_from_slice(bytes(source, at..range.end));
    }
    let collapsed = collapse_whitespace(&String::from_utf8_lossy(&kept));
    collapsed.replace("( ", "(").replace(" )", ")")
}

/// Every run of whitespace (newlines included) becomes one space.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse_module;
    use crate::scan::syntax::{BaseExpr, BodyKind, ClassDef, MethodKind, Module, Param, ParamKind, Position};

    fn parse(src: &str) -> Module {
        parse_module(src.as_bytes())
    }

    fn dotted(s: &str) -> BaseExpr {
        BaseExpr::Dotted(s.to_string())
    }

    fn param(name: &str, kind: ParamKind, has_default: bool) -> Param {
        Param {
            name: name.to_string(),
            kind,
            has_default,
        }
    }

    fn method_names(class: &ClassDef) -> Vec<&str> {
        class.methods.iter().map(|m| m.name.as_str()).collect()
    }

    /// The signature of the only method of the only class.
    fn sig_of(def: &str) -> (Vec<Param>, String) {
        let m = parse(&format!("class C:\n    {def}\n        pass\n"));
        let s = &m.classes[0].methods[0].signature;
        (s.params.clone(), s.text.clone())
    }

    #[test]
    fn class_basics_and_ranges() {
        let src = "class A(driver.VolumeDriver, object):\n    pass\n";
        let m = parse(src);
        assert_eq!(m.classes.len(), 1);
        let c = &m.classes[0];
        assert_eq!(c.name, "A");
        assert_eq!(c.qualname, "A");
        assert_eq!(c.parent, None);
        assert_eq!(&src[c.name_range.clone()], "A");
        assert_eq!(c.position, Position { line: 1, column: 7 });
        assert_eq!(c.bases, [dotted("driver.VolumeDriver"), dotted("object")]);
    }

    #[test]
    fn class_without_bases_and_empty_parens() {
        let m = parse("class A:\n    pass\nclass B():\n    pass\n");
        assert!(m.classes[0].bases.is_empty());
        assert!(m.classes[1].bases.is_empty());
    }

    #[test]
    fn nested_classes_get_qualname_and_parent() {
        let src = "\
class Outer(object):
    class Inner(object):
        class Deep:
            pass
    if PY2:
        class InIf:
            pass
    try:
        pass
    except ImportError:
        class InExcept:
            pass
class Other:
    pass
";
        let m = parse(src);
        let got: Vec<(&str, &str, Option<usize>)> = m
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.qualname.as_str(), c.parent))
            .collect();
        assert_eq!(
            got,
            [
                ("Outer", "Outer", None),
                ("Inner", "Outer.Inner", Some(0)),
                ("Deep", "Outer.Inner.Deep", Some(1)),
                ("InIf", "Outer.InIf", Some(0)),
                ("InExcept", "Outer.InExcept", Some(0)),
                ("Other", "Other", None),
            ]
        );
    }

    #[test]
    fn classes_in_blocks_and_functions() {
        let src = "\
if six.PY2:
    class A(object):
        def f(self): pass
try:
    class B(object): pass
except Exception:
    pass
with ctx:
    class W: pass
def factory():
    class Local(Base):
        def g(self): pass
    return Local
class Holder:
    def make(self):
        class Made:
            def h(self): pass
";
        let m = parse(src);
        let got: Vec<(&str, &str, Option<usize>)> = m
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.qualname.as_str(), c.parent))
            .collect();
        assert_eq!(
            got,
            [
                ("A", "A", None),
                ("B", "B", None),
                ("W", "W", None),
                ("Local", "factory.<locals>.Local", None),
                ("Holder", "Holder", None),
                // Inside a method: not directly in Holder's body, so no
                // parent; the qualname is Python 3's.
                ("Made", "Holder.make.<locals>.Made", None),
            ]
        );
        let starts: Vec<Option<&str>> = m
            .classes
            .iter()
            .map(|c| c.function_start.map(|s| &src[s..s + 7]))
            .collect();
        assert_eq!(starts, [None, None, None, Some("def fac"), None, Some("def mak")]);
        assert_eq!(method_names(&m.classes[0]), ["f"]);
        assert_eq!(method_names(&m.classes[3]), ["g"]);
        assert_eq!(method_names(&m.classes[4]), ["make"]);
        assert_eq!(method_names(&m.classes[5]), ["h"]);
    }

    /// Each qualname here is the `__qualname__` python3 prints for the
    /// same source (checked by hand; the scan tests check it with python3).
    #[test]
    fn local_class_qualnames_follow_python3() {
        let src = "\
def outer():
    def inner():
        class Deep:
            class Nested:
                def m(self):
                    class InMethod: pass
    class Sibling:
        pass
    lam = lambda: None
    class AfterLambda: pass
class T:
    @decorate
    def test_x(self):
        if flag:
            class Base: pass
    async def test_y(self):
        class Base: pass
";
        let m = parse(src);
        let got: Vec<&str> = m.classes.iter().map(|c| c.qualname.as_str()).collect();
        assert_eq!(
            got,
            [
                "outer.<locals>.inner.<locals>.Deep",
                "outer.<locals>.inner.<locals>.Deep.Nested",
                "outer.<locals>.inner.<locals>.Deep.Nested.m.<locals>.InMethod",
                "outer.<locals>.Sibling",
                "outer.<locals>.AfterLambda",
                "T",
                "T.test_x.<locals>.Base",
                "T.test_y.<locals>.Base",
            ]
        );
        // A class nested in a local class is still in that function.
        let start = |i: usize| m.classes[i].function_start;
        assert_eq!(start(0), start(1));
        assert_ne!(start(1), start(2));
        assert_eq!(start(3), start(4));
        assert_ne!(start(6), start(7));
        assert_eq!(start(5), None);
    }

    #[test]
    fn with_metaclass_bases() {
        let m = parse(
            "class A(six.with_metaclass(abc.ABCMeta, base.Driver, Mixin)):\n    pass\n\
             class B(with_metaclass(Meta, X)):\n    pass\n\
             class C(with_metaclass(Meta)):\n    pass\n",
        );
        assert_eq!(m.classes[0].bases, [dotted("base.Driver"), dotted("Mixin")]);
        assert_eq!(m.classes[1].bases, [dotted("X")]);
        assert!(m.classes[2].bases.is_empty());
    }

    #[test]
    fn keyword_bases_dropped_and_other_bases_kept_as_text() {
        let m = parse(
            "class A(Base, metaclass=abc.ABCMeta, **kw):\n    pass\n\
             class B(make_base(1), Generic[T], mod.Base):\n    pass\n",
        );
        assert_eq!(m.classes[0].bases, [dotted("Base")]);
        assert_eq!(
            m.classes[1].bases,
            [
                BaseExpr::Other("make_base(1)".to_string()),
                BaseExpr::Other("Generic[T]".to_string()),
                dotted("mod.Base"),
            ]
        );
    }

    #[test]
    fn add_metaclass_decorated_class_is_normal() {
        let src = "\
@six.add_metaclass(abc.ABCMeta)
class VolumeDriver(BaseVD):
    @abc.abstractmethod
    def create(self, volume):
        pass
";
        let m = parse(src);
        assert_eq!(m.classes.len(), 1);
        let c = &m.classes[0];
        assert_eq!(c.name, "VolumeDriver");
        assert_eq!(c.position, Position { line: 2, column: 7 });
        assert_eq!(c.bases, [dotted("BaseVD")]);
        assert_eq!(method_names(c), ["create"]);
        assert_eq!(c.methods[0].kind, MethodKind::Instance);
    }

    #[test]
    fn method_ranges() {
        let src = "class A:\n    @utils.synchronized('x')\n    def f(self,\n          a):\n        return a\n";
        let m = parse(src);
        let f = &m.classes[0].methods[0];
        assert_eq!(f.name, "f");
        assert_eq!(&src[f.name_range.clone()], "f");
        assert_eq!(f.position, Position { line: 3, column: 9 });
        assert!(src[f.def_range.clone()].starts_with("@utils.synchronized('x')\n"));
        assert!(src[f.def_range.clone()].ends_with("return a"));
        assert_eq!(&src[f.header_range.clone()], "def f(self,\n          a):");
        assert_eq!(f.kind, MethodKind::Instance);
        assert_eq!(f.signature.text, "(self, a)");
    }

    #[test]
    fn async_method_header_starts_at_async() {
        let src = "class A:\n    async def f(self) -> int:\n        pass\n";
        let m = parse(src);
        let f = &m.classes[0].methods[0];
        assert_eq!(&src[f.header_range.clone()], "async def f(self) -> int:");
        assert_eq!(&src[f.def_range.clone()], "async def f(self) -> int:\n        pass");
    }

    #[test]
    fn methods_in_if_and_try_blocks_of_class_body() {
        let src = "\
class A(object):
    def a(self): pass
    if six.PY2:
        def b(self): pass
    else:
        @property
        def c(self): pass
    try:
        def d(self): pass
    except Exception:
        def e(self): pass
    finally:
        def f(self): pass
    def g(self):
        def not_a_method(): pass
        return not_a_method
";
        let m = parse(src);
        assert_eq!(method_names(&m.classes[0]), ["a", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(m.classes[0].methods[2].kind, MethodKind::Property);
    }

    #[test]
    fn argument_injecting_decorators() {
        let m = parse_module(
            b"class T(object):\n    @mock.patch.object(A, 'b')\n    def a(self, m): pass\n    @mock.patch('x.y')\n    def b(self, m): pass\n    @patch.dict(os.environ)\n    def c(self): pass\n    @ddt.data(1, 2)\n    def d(self, v): pass\n    @utils.synchronized('x')\n    def e(self): pass\n",
        );
        let injects: Vec<bool> = m.classes[0].methods.iter().map(|m| m.injects_args).collect();
        assert_eq!(injects, [true, true, false, true, false]);
    }

    #[test]
    fn method_kinds_from_decorators() {
        let src = "\
class A(object):
    @staticmethod
    def s(x): pass
    @classmethod
    def c(cls): pass
    @property
    def p(self): pass
    @p.setter
    def p(self, v): pass
    @p.getter
    def p2(self): pass
    @p.deleter
    def p3(self): pass
    @abc.abstractproperty
    def ap(self): pass
    @abstractproperty
    def ap2(self): pass
    @abc.abstractmethod
    def am(self): pass
    @utils.synchronized('lock')
    def sync(self): pass
    @abc.abstractmethod
    @staticmethod
    def abs_static(): pass
    def plain(self): pass
";
        let m = parse(src);
        let kinds: Vec<(&str, MethodKind)> = m.classes[0].methods.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("s", MethodKind::Static),
                ("c", MethodKind::Class),
                ("p", MethodKind::Property),
                ("p", MethodKind::Property),
                ("p2", MethodKind::Property),
                ("p3", MethodKind::Property),
                ("ap", MethodKind::Property),
                ("ap2", MethodKind::Property),
                ("am", MethodKind::Instance),
                ("sync", MethodKind::Instance),
                ("abs_static", MethodKind::Static),
                ("plain", MethodKind::Instance),
            ]
        );
    }

    #[test]
    fn signature_plain_and_defaults() {
        let (params, text) = sig_of("def f(self, context, volume, properties, remote=False):");
        use ParamKind::*;
        assert_eq!(
            params,
            [
                param("self", PositionalOrKeyword, false),
                param("context", PositionalOrKeyword, false),
                param("volume", PositionalOrKeyword, false),
                param("properties", PositionalOrKeyword, false),
                param("remote", PositionalOrKeyword, true),
            ]
        );
        assert_eq!(text, "(self, context, volume, properties, remote=False)");
    }

    #[test]
    fn signature_text_collapses_multiline_and_comments() {
        let (_, text) = sig_of("def f( self,\n            a,   # the a\n            b=1 ):");
        assert_eq!(text, "(self, a, b=1)");
    }

    #[test]
    fn signature_splats() {
        let (params, text) = sig_of("def f(self, *args, **kwargs):");
        use ParamKind::*;
        assert_eq!(
            params,
            [
                param("self", PositionalOrKeyword, false),
                param("args", VarPositional, false),
                param("kwargs", VarKeyword, false),
            ]
        );
        assert_eq!(text, "(self, *args, **kwargs)");
    }

    #[test]
    fn signature_keyword_only_after_star_and_after_varargs() {
        use ParamKind::*;
        let (params, _) = sig_of("def f(self, a, *, b, c=2, **kw):");
        assert_eq!(
            params,
            [
                param("self", PositionalOrKeyword, false),
                param("a", PositionalOrKeyword, false),
                param("b", KeywordOnly, false),
                param("c", KeywordOnly, true),
                param("kw", VarKeyword, false),
            ]
        );
        let (params, _) = sig_of("def f(self, *args, flag=False):");
        assert_eq!(
            params,
            [
                param("self", PositionalOrKeyword, false),
                param("args", VarPositional, false),
                param("flag", KeywordOnly, true),
            ]
        );
    }

    #[test]
    fn signature_positional_only() {
        use ParamKind::*;
        let (params, text) = sig_of("def f(self, a, b=1, /, c=2, *, d):");
        assert_eq!(
            params,
            [
                param("self", PositionalOnly, false),
                param("a", PositionalOnly, false),
                param("b", PositionalOnly, true),
                param("c", PositionalOrKeyword, true),
                param("d", KeywordOnly, false),
            ]
        );
        assert_eq!(text, "(self, a, b=1, /, c=2, *, d)");
    }

    #[test]
    fn signature_typed_params() {
        use ParamKind::*;
        let (params, _) = sig_of("def f(self, a: int, b: str = 'x', *args: int, k: bool, **kw: Any) -> None:");
        assert_eq!(
            params,
            [
                param("self", PositionalOrKeyword, false),
                param("a", PositionalOrKeyword, false),
                param("b", PositionalOrKeyword, true),
                param("args", VarPositional, false),
                param("k", KeywordOnly, false),
                param("kw", VarKeyword, false),
            ]
        );
    }

    #[test]
    fn signature_python2_tuple_params() {
        use ParamKind::*;
        let (params, text) = sig_of("def f(self, (a, b), c, ((d,e), f)=(1, 2)):");
        assert_eq!(
            params,
            [
                param("self", PositionalOrKeyword, false),
                param("(a, b)", PositionalOnly, false),
                param("c", PositionalOrKeyword, false),
                param("((d,e), f)", PositionalOnly, true),
            ]
        );
        assert_eq!(text, "(self, (a, b), c, ((d,e), f)=(1, 2))");
    }

    #[test]
    fn aliases_in_class_body() {
        let src = "\
class A(object):
    def get(self): pass
    fetch = get
    if PY2:
        next = __next__
    try:
        old = new
    except NameError:
        pass
    number = 3
    call = other.method
    typed: Callable = get
    def m(self):
        local = get
";
        let m = parse(src);
        let got: Vec<(&str, &str)> = m.classes[0]
            .aliases
            .iter()
            .map(|a| (a.name.as_str(), a.target.as_str()))
            .collect();
        assert_eq!(got, [("fetch", "get"), ("next", "__next__"), ("old", "new")]);
        let a = &m.classes[0].aliases[0];
        assert_eq!(&src[a.name_range.clone()], "fetch");
        assert_eq!(&src[a.target_range.clone()], "get");
        assert_eq!(a.position, Position { line: 3, column: 5 });
    }

    #[test]
    fn module_level_assignments_are_not_aliases() {
        let m = parse("x = y\nclass A:\n    pass\n");
        assert!(m.classes[0].aliases.is_empty());
    }

    #[test]
    fn python2_statements_do_not_hide_following_methods() {
        let src = "\
class Legacy(object):
    def first(self):
        print \"hello\", self.name
        print >>sys.stderr, 'warn'
        try:
            os.chmod(path, 0755)
        except OSError, e:
            print e
        s = ur'raw'
        t = `self.x`
        exec \"code\" in ns
        raise ValueError, \"bad\"
    def second(self):
        return 1
";
        let m = parse(src);
        assert!(m.parse_errors.is_empty());
        assert_eq!(m.classes.len(), 1);
        assert_eq!(method_names(&m.classes[0]), ["first", "second"]);
        assert_eq!(m.classes[0].methods[1].position, Position { line: 13, column: 9 });
    }

    #[test]
    fn body_kinds_abstract_and_hook_docstrings() {
        let src = "\
class A(object):
    @abc.abstractmethod
    def ab(self, x):
        \"\"\"Do it.\"\"\"
    def nie(self, x):
        raise NotImplementedError()
    def nie_msg(self, x):
        msg = 'not here'
        raise exception.NotImplementedError(msg)
    def nie_py2(self):
        raise NotImplementedError, 'no'
    def noop(self):
        \"\"\"Subclass this to add an FSAL block.\"\"\"
        return {}
    def ret_none(self):
        # nothing to do
        return None
    def dots(self): ...
    def real(self, x):
        return x + 1
    def late_raise(self, x):
        a = 1
        b = 2
        raise NotImplementedError()
";
        let m = parse(src);
        let got: Vec<(&str, BodyKind, bool, bool)> = m.classes[0]
            .methods
            .iter()
            .map(|f| (f.name.as_str(), f.body, f.is_abstract, f.hook_doc))
            .collect();
        use BodyKind::*;
        assert_eq!(
            got,
            [
                ("ab", NoOp, true, false),
                ("nie", RaisesNotImplemented, false, false),
                ("nie_msg", RaisesNotImplemented, false, false),
                ("nie_py2", RaisesNotImplemented, false, false),
                ("noop", NoOp, false, true),
                ("ret_none", NoOp, false, false),
                ("dots", NoOp, false, false),
                ("real", Real, false, false),
                ("late_raise", Real, false, false),
            ]
        );
    }
}
