//! References to methods: every `x.attr` attribute expression whose left
//! side we can name (the method's own instance parameter, `super(...)`, or a
//! dotted name), and the string literals that name a method in
//! `mock.patch.object(C, 'm')`, `mock.patch('pkg.C.m')` and
//! `getattr/hasattr/setattr(x, 'm')`; and the simple assignments that tell
//! which class a variable or instance attribute holds.
//!
//! Each reference needs its lexical context: which method's body it is in,
//! and whether a nested function or lambda has rebound that method's `self`
//! name. The walk in `visit` keeps that context for each ancestor of the
//! node it is at and calls the extractors here for each `attribute`, `call`
//! and `assignment` node; these run for a large share of all nodes, so they
//! test kinds and fields by id and list arguments only when they need them.

use tree_sitter::Node;

use super::grammar::{Kind, fields, kind};
use super::{bytes, dotted, dotted_within, name_text, position};
use crate::scan::syntax::{
    ArgShape, AttrRef, Binding, BindingTarget, BindingValue, MethodScope, Name, Receiver, StringContext, StringRef,
};

/// The lexical context of a node: the method whose body holds it.
pub(crate) struct Context {
    pub scope: MethodScope,
    /// The name standing for the instance, None when there is none (static
    /// method) or it was shadowed by a nested function's parameter.
    pub self_name: Option<String>,
}

/// The context of the body of a nested function or lambda (not a method)
/// whose parameters rebind the enclosing method's `self` name: the method's
/// scope without that name. None when the enclosing context stands.
pub(crate) fn rebinding_context(function: Node, enclosing: &Context, source: &[u8]) -> Option<Context> {
    let name = enclosing.self_name.as_deref()?;
    let params = function.child_by_field_id(fields().parameters)?;
    if !binds(params, name, source) {
        return None;
    }
    Some(Context {
        scope: enclosing.scope,
        self_name: None,
    })
}

/// Whether a parameter list binds `name` (plain, defaulted, typed, splat or
/// inside a Python 2 tuple parameter). Defaults and annotations are skipped:
/// they are evaluated outside the function.
fn binds(params: Node, name: &str, source: &[u8]) -> bool {
    let mut stack = vec![params];
    while let Some(node) = stack.pop() {
        match kind(node) {
            Kind::Identifier => {
                if bytes(source, node.byte_range()) == name.as_bytes() {
                    return true;
                }
            }
            Kind::DefaultParameter | Kind::TypedDefaultParameter => {
                stack.extend(node.child_by_field_id(fields().name));
            }
            _ => {
                let mut cursor = node.walk();
                // Annotations (`x: int`) are `type` nodes: not bindings.
                stack.extend(node.named_children(&mut cursor).filter(|c| kind(*c) != Kind::Type));
            }
        }
    }
    false
}

/// The most names a dotted receiver may have. Every `attribute` node of a
/// chain is a reference whose receiver is the chain left of it, so a chain
/// of n names would cost n receivers of up to n names each: a generated
/// 40 KB line `x = a.b.b...` took a minute and 400 MB. A longer receiver
/// names nothing a lookup resolves (that would take packages and classes
/// nested this deep), so the links past it are not references.
pub(crate) const MAX_RECEIVER_LINKS: usize = 64;

/// What stands left of a dot, when we can name it.
fn classify(object: Node, source: &[u8], context: Option<&Context>) -> Option<Receiver> {
    let self_name = context.and_then(|c| c.self_name.as_deref());
    match kind(object) {
        Kind::Identifier => {
            // Borrowed unless the bytes are not UTF-8: the instance name,
            // the most common receiver, needs no string of its own.
            let name = String::from_utf8_lossy(bytes(source, object.byte_range()));
            if self_name == Some(&*name) {
                Some(Receiver::SelfParam)
            } else {
                Some(Receiver::Dotted(Name::from(name.as_ref())))
            }
        }
        Kind::Attribute => {
            let chain = dotted_within(object, source, MAX_RECEIVER_LINKS)?;
            // `self.x.y`: the receiver is an instance attribute, not a name.
            let mut parts = chain.split('.');
            if self_name == parts.next() {
                return match (parts.next(), parts.next()) {
                    (Some(attr), None) => Some(Receiver::SelfAttr(Name::from(attr))),
                    _ => None,
                };
            }
            Some(Receiver::Dotted(Name::from(chain.as_str())))
        }
        Kind::Call => {
            let function = object.child_by_field_id(fields().function)?;
            if kind(function) != Kind::Identifier || bytes(source, function.byte_range()) != b"super" {
                return None;
            }
            let args = object.child_by_field_id(fields().arguments)?;
            let first = positional_args(args).into_iter().next();
            Some(Receiver::Super {
                class: first
                    .map(|a| dotted(a, source).map_or_else(|| name_text(a, source), |d| Name::from(d.as_str()))),
            })
        }
        _ => None,
    }
}

/// The reference an `attribute` node makes; `callee_of` is the call whose
/// function it is. The caller fills in `function_start` and the arguments of
/// the call's shape, which it reads as it walks the call's arguments.
pub(crate) fn attr_ref(
    node: Node,
    callee_of: Option<Node>,
    source: &[u8],
    context: Option<&Context>,
) -> Option<AttrRef> {
    let attr = node.child_by_field_id(fields().attribute)?;
    if kind(attr) != Kind::Identifier || attr.is_missing() || attr.byte_range().is_empty() {
        return None;
    }
    let receiver = classify(node.child_by_field_id(fields().object)?, source, context)?;
    let call = callee_of.map(|_| ArgShape::default());
    Some(AttrRef {
        receiver,
        attr: name_text(attr, source),
        attr_range: attr.byte_range(),
        position: position(attr),
        call,
        expr_range: callee_of.unwrap_or(node).byte_range(),
        scope: context.map(|c| c.scope),
        function_start: None,
    })
}

/// `x = C(...)`, `self.x = C(...)`, `x = self.y`, `x = y`, and the pairwise
/// tuple form `a, b = self.x, C()`. Anything else types nothing.
pub(crate) fn assignment_bindings(
    node: Node,
    source: &[u8],
    context: Option<&Context>,
    function_start: Option<usize>,
    class_body: Option<usize>,
    out: &mut Vec<Binding>,
) {
    let (Some(left), Some(right)) = (
        node.child_by_field_id(fields().left),
        node.child_by_field_id(fields().right),
    ) else {
        return;
    };
    let bind = |l: Node, r: Node| {
        let mut b = binding(l, r, source, context, function_start)?;
        b.class_body = class_body;
        Some(b)
    };
    match (kind(left), kind(right)) {
        (Kind::PatternList | Kind::TuplePattern, Kind::ExpressionList | Kind::Tuple) => {
            let mut lc = left.walk();
            let mut rc = right.walk();
            let l: Vec<Node> = left.named_children(&mut lc).collect();
            let r: Vec<Node> = right.named_children(&mut rc).collect();
            if l.len() != r.len() {
                return;
            }
            out.extend(l.into_iter().zip(r).filter_map(|(l, r)| bind(l, r)));
        }
        _ => out.extend(bind(left, right)),
    }
}

/// The binding of one `target = value` pair, if it types anything.
fn binding(
    target: Node,
    value: Node,
    source: &[u8],
    context: Option<&Context>,
    function_start: Option<usize>,
) -> Option<Binding> {
    // Most assignments store something else (a literal, an expression):
    // tell by the kinds before spelling out any name.
    if !matches!(kind(target), Kind::Identifier | Kind::Attribute)
        || !matches!(kind(value), Kind::Call | Kind::Identifier | Kind::Attribute)
    {
        return None;
    }
    let self_name = context.and_then(|c| c.self_name.as_deref());
    let self_attr = |n: Node| -> Option<String> {
        let chain = dotted(n, source)?;
        let (root, attr) = chain.split_once('.')?;
        (Some(root) == self_name && !attr.contains('.')).then(|| attr.to_string())
    };
    let target = match kind(target) {
        Kind::Identifier => BindingTarget::Name(name_text(target, source)),
        Kind::Attribute => BindingTarget::SelfAttr(self_attr(target)?.into()),
        _ => return None,
    };
    let value = match kind(value) {
        Kind::Call => BindingValue::Construct(dotted(value.child_by_field_id(fields().function)?, source)?.into()),
        Kind::Identifier => BindingValue::Name(name_text(value, source)),
        Kind::Attribute => match self_attr(value) {
            Some(attr) => BindingValue::SelfAttr(attr.into()),
            None => BindingValue::Dotted(dotted(value, source)?.into()),
        },
        _ => return None,
    };
    Some(Binding {
        target,
        value,
        scope: context.map(|c| c.scope),
        function_start,
        class_body: None,
    })
}

/// The shape of a call's arguments (`argument_list` or a bare generator).
pub(crate) fn arg_shape(args: Node, source: &[u8]) -> ArgShape {
    let mut shape = ArgShape::default();
    if kind(args) == Kind::GeneratorExpression {
        // `f(x for x in y)`: one positional argument.
        shape.positional = 1;
        return shape;
    }
    let mut cursor = args.walk();
    for arg in args.named_children(&mut cursor) {
        count_argument(arg, source, &mut shape);
    }
    shape
}

/// Adds one named child of an argument list to the call's shape.
pub(crate) fn count_argument(arg: Node, source: &[u8], shape: &mut ArgShape) {
    match kind(arg) {
        Kind::Comment | Kind::Error => {}
        Kind::KeywordArgument => {
            if let Some(name) = arg.child_by_field_id(fields().name) {
                shape.keywords.push(name_text(name, source));
            }
        }
        Kind::ListSplat | Kind::ParenthesizedListSplat => shape.star = true,
        Kind::DictionarySplat => shape.double_star = true,
        _ => {
            shape.positional += 1;
            if shape.star {
                shape.after_star += 1;
            }
        }
    }
}

/// Positional arguments up to (not including) the first `*args`, after
/// which positions are unknown.
fn positional_args(args: Node) -> Vec<Node> {
    if kind(args) == Kind::GeneratorExpression {
        return vec![args];
    }
    let mut out = Vec::new();
    let mut cursor = args.walk();
    for arg in args.named_children(&mut cursor) {
        match kind(arg) {
            Kind::Comment | Kind::Error | Kind::KeywordArgument | Kind::DictionarySplat => {}
            Kind::ListSplat | Kind::ParenthesizedListSplat => break,
            _ => out.push(arg),
        }
    }
    out
}

/// The calls whose string arguments may name a method.
enum StringCall {
    /// `patch.object(target, 'm')`.
    PatchObject,
    /// `patch('pkg.C.m')`.
    Patch,
    /// `getattr(x, 'm')`, `hasattr`, `setattr`.
    Getattr,
}

/// Records the method-naming string of a `patch.object`, `patch` or
/// `getattr`-family call.
pub(crate) fn string_ref(
    call: Node,
    source: &[u8],
    context: Option<&Context>,
    function_start: Option<usize>,
    out: &mut Vec<StringRef>,
) {
    let Some(function) = call.child_by_field_id(fields().function) else {
        return;
    };
    // Nearly every call is none of these: rule it out by its last name
    // before spelling out the dotted name or reading the arguments.
    let last_name = match kind(function) {
        Kind::Identifier => Some(function),
        Kind::Attribute => function.child_by_field_id(fields().attribute),
        _ => None,
    };
    let Some(last_name) = last_name else {
        return;
    };
    if !matches!(
        bytes(source, last_name.byte_range()),
        b"object" | b"patch" | b"mock_object" | b"getattr" | b"hasattr" | b"setattr"
    ) {
        return;
    }
    let (Some(args), Some(name)) = (call.child_by_field_id(fields().arguments), dotted(function, source)) else {
        return;
    };
    let mut segments = name.rsplit('.');
    let last = segments.next().unwrap_or("");
    let before_last = segments.next();
    let form = match (last, before_last) {
        ("object", Some("patch")) | ("mock_object", _) => StringCall::PatchObject,
        ("patch", _) => StringCall::Patch,
        ("getattr" | "hasattr" | "setattr", None) => StringCall::Getattr,
        _ => return,
    };
    let positional = positional_args(args);
    let (literal, context_kind) = match form {
        StringCall::PatchObject => {
            let (Some(target), Some(literal)) = (positional.first(), positional.get(1)) else {
                return;
            };
            let Some(target) = classify(*target, source, context) else {
                return;
            };
            (*literal, StringContext::PatchObject { target })
        }
        StringCall::Patch => {
            let Some(literal) = positional.first() else {
                return;
            };
            (*literal, StringContext::Patch)
        }
        StringCall::Getattr => {
            let (Some(object), Some(literal)) = (positional.first(), positional.get(1)) else {
                return;
            };
            let Some(receiver) = classify(*object, source, context) else {
                return;
            };
            (*literal, StringContext::Getattr { receiver })
        }
    };
    let Some(range) = plain_string_content(literal, source) else {
        return;
    };
    out.push(StringRef {
        context: context_kind,
        value: String::from_utf8_lossy(bytes(source, range.clone())).into_owned(),
        position: position_at(literal, range.start),
        value_range: range,
        scope: context.map(|c| c.scope),
        function_start,
    });
}

/// The content range of a plain string literal: not an f-string, not a
/// Python 2 backtick repr (which the grammar reads as a string), no escapes,
/// not empty. Concatenated strings are a different node kind and never pass.
fn plain_string_content(node: Node, source: &[u8]) -> Option<std::ops::Range<usize>> {
    if kind(node) != Kind::String {
        return None;
    }
    let mut start = None;
    let mut end = None;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match kind(child) {
            Kind::StringStart => start = Some(child),
            Kind::StringEnd => end = Some(child),
            Kind::StringContent => {}
            _ => return None, // interpolation, error recovery
        }
    }
    let (start, end) = (start?, end?);
    if end.is_missing() || start.is_missing() {
        return None;
    }
    let opener = bytes(source, start.byte_range());
    if opener.iter().any(|b| matches!(b, b'f' | b'F' | b'`' | b't' | b'T')) {
        return None;
    }
    let range = start.end_byte()..end.start_byte();
    let content = bytes(source, range.clone());
    if content.is_empty() || content.contains(&b'\\') {
        return None;
    }
    Some(range)
}

/// Position of a byte offset inside `node` that lies on the node's first
/// line: a literal's content starts right after its opening quotes, which
/// never span lines.
fn position_at(node: Node, offset: usize) -> crate::scan::syntax::Position {
    let mut p = position(node);
    let delta = offset.saturating_sub(node.start_byte());
    p.column = p.column.saturating_add(u32::try_from(delta).unwrap_or(u32::MAX));
    p
}

#[cfg(test)]
mod tests {
    use super::super::parse_module;
    use crate::scan::syntax::{ArgShape, AttrRef, MethodScope, Module, Position, Receiver, StringContext, StringRef};

    fn parse(src: &str) -> Module {
        parse_module(src.as_bytes())
    }

    fn dotted(s: &str) -> Receiver {
        Receiver::Dotted(s.into())
    }

    fn scope(class: usize, method: usize) -> Option<MethodScope> {
        Some(MethodScope { class, method })
    }

    /// (receiver, attr) of every reference, in order.
    fn pairs(m: &Module) -> Vec<(Receiver, &str)> {
        m.attr_refs
            .iter()
            .map(|r| (r.receiver.clone(), r.attr.as_str()))
            .collect()
    }

    fn find<'m>(m: &'m Module, attr: &str) -> &'m AttrRef {
        m.attr_refs
            .iter()
            .find(|r| r.attr == attr)
            .unwrap_or_else(|| panic!("no reference to {attr}"))
    }

    fn shape(positional: usize, keywords: &[&str], star: bool, double_star: bool) -> ArgShape {
        ArgShape {
            positional,
            keywords: keywords.iter().map(|k| (*k).into()).collect(),
            star,
            double_star,
            after_star: 0,
        }
    }

    fn strings(m: &Module) -> Vec<(StringContext, &str)> {
        m.string_refs
            .iter()
            .map(|r| (r.context.clone(), r.value.as_str()))
            .collect()
    }

    #[test]
    fn self_call_with_ranges_and_scope() {
        let src = "class A(object):\n    def f(self):\n        return self.g(1, x=2)\n";
        let m = parse(src);
        assert_eq!(m.attr_refs.len(), 1);
        let r = &m.attr_refs[0];
        assert_eq!(r.receiver, Receiver::SelfParam);
        assert_eq!(r.attr, "g");
        assert_eq!(&src[r.attr_range.clone()], "g");
        assert_eq!(r.position, Position { line: 3, column: 21 });
        assert_eq!(&src[r.expr_range.clone()], "self.g(1, x=2)");
        assert_eq!(r.call, Some(shape(1, &["x"], false, false)));
        assert_eq!(r.scope, scope(0, 0));
    }

    #[test]
    fn plain_reference_is_not_a_call() {
        let src = "class A:\n    def f(self):\n        cb = self.g\n        self.h = 1\n";
        let m = parse(src);
        let g = find(&m, "g");
        assert_eq!(g.call, None);
        assert_eq!(&src[g.expr_range.clone()], "self.g");
        assert_eq!(find(&m, "h").receiver, Receiver::SelfParam);
    }

    #[test]
    fn custom_first_parameter_names() {
        let src = "\
class A(object):
    def f(s):
        s.g()
    @classmethod
    def make(cls):
        return cls.build()
    @staticmethod
    def st(self):
        self.nope()
";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (Receiver::SelfParam, "g"),
                (Receiver::SelfParam, "build"),
                // A static method has no instance: its first parameter is a name.
                (dotted("self"), "nope"),
            ]
        );
        assert_eq!(find(&m, "g").scope, scope(0, 0));
        assert_eq!(find(&m, "build").scope, scope(0, 1));
        assert_eq!(find(&m, "nope").scope, scope(0, 2));
    }

    #[test]
    fn self_outside_methods_is_a_plain_name() {
        let m = parse("def f(self):\n    self.g()\nself.h\n");
        assert_eq!(pairs(&m), [(dotted("self"), "g"), (dotted("self"), "h")]);
        assert!(m.attr_refs.iter().all(|r| r.scope.is_none()));
    }

    #[test]
    fn nested_closures_lambdas_and_comprehensions_keep_method_scope() {
        let src = "\
class A(object):
    def f(self):
        def inner(x):
            return self.a(x)
        cb = lambda: self.b()
        items = [self.c(i) for i in range(3)]
        gen = (self.d(i) for i in items)
        def shadow(self):
            return self.e()
        other = lambda self: self.g()
        return inner
";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (Receiver::SelfParam, "a"),
                (Receiver::SelfParam, "b"),
                (Receiver::SelfParam, "c"),
                (Receiver::SelfParam, "d"),
                (dotted("self"), "e"),
                (dotted("self"), "g"),
            ]
        );
        assert!(m.attr_refs.iter().all(|r| r.scope == scope(0, 0)));
    }

    #[test]
    fn nested_function_shadowing_via_default_splat_or_tuple() {
        let src = "\
class A:
    def f(self):
        def a(x, self=None): self.p()
        def b(*self): self.q()
        def c(x=self.r()): self.s()
";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (dotted("self"), "p"),
                (dotted("self"), "q"),
                // The default is evaluated in the method: still the instance.
                (Receiver::SelfParam, "r"),
                (Receiver::SelfParam, "s"),
            ]
        );
    }

    #[test]
    fn methods_of_a_class_inside_a_method_have_their_own_scope() {
        let src = "\
class Outer:
    def f(self):
        class Inner:
            def g(me):
                me.x()
                self.y()
        self.z()
";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (Receiver::SelfParam, "x"),
                // Outer's `self` seen from Inner.g: the name is not g's own
                // first parameter, so it is just a name there.
                (dotted("self"), "y"),
                (Receiver::SelfParam, "z"),
            ]
        );
        assert_eq!(find(&m, "x").scope, scope(1, 0));
        assert_eq!(find(&m, "y").scope, scope(1, 0));
        assert_eq!(find(&m, "z").scope, scope(0, 0));
    }

    #[test]
    fn super_forms() {
        let src = "\
class B(A):
    def f(self):
        super(B, self).f(1)
        super().g()
        super(pkg.mod.B, self).h
";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (
                    Receiver::Super {
                        class: Some("B".into())
                    },
                    "f"
                ),
                (Receiver::Super { class: None }, "g"),
                // The dotted class argument is itself a chain of references.
                (dotted("pkg"), "mod"),
                (dotted("pkg.mod"), "B"),
                (
                    Receiver::Super {
                        class: Some("pkg.mod.B".into())
                    },
                    "h"
                ),
            ]
        );
        let f = find(&m, "f");
        assert_eq!(&src[f.expr_range.clone()], "super(B, self).f(1)");
        assert_eq!(f.call, Some(shape(1, &[], false, false)));
    }

    #[test]
    fn dotted_receivers_record_every_level() {
        let src = "x = scaleio.ScaleIODriver.create(1)\nScaleIODriver.f\n";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (dotted("scaleio"), "ScaleIODriver"),
                (dotted("scaleio.ScaleIODriver"), "create"),
                (dotted("ScaleIODriver"), "f"),
            ]
        );
        assert_eq!(m.attr_refs[0].call, None);
        assert_eq!(m.attr_refs[1].call, Some(shape(1, &[], false, false)));
        assert_eq!(
            &src[m.attr_refs[1].expr_range.clone()],
            "scaleio.ScaleIODriver.create(1)"
        );
    }

    #[test]
    fn unknown_receivers_are_skipped_but_inner_self_is_kept() {
        let src = "\
class A:
    def f(self):
        self.client.call()
        get().x
        items[0].y
        'a'.join(z)
";
        let m = parse(src);
        // `self.client.call`: `self.client` is an instance attribute the
        // rename stage may type through `Module::bindings`.
        assert_eq!(
            pairs(&m),
            [
                (Receiver::SelfParam, "client"),
                (Receiver::SelfAttr("client".into()), "call")
            ]
        );
    }

    /// A generated line `x = a.b.b...b` of 2,000 links (the hostile input
    /// had 20,000): the links whose receiver has at most
    /// `MAX_RECEIVER_LINKS` names are the references they always were,
    /// the rest are none, and the work per link stays bounded.
    #[test]
    fn long_dotted_chain_keeps_the_references_a_lookup_can_use() {
        let mut src = String::from("x = a");
        src.push_str(&".b".repeat(2_000));
        src.push('\n');
        let m = parse(&src);
        assert_eq!(m.attr_refs.len(), super::MAX_RECEIVER_LINKS);
        for (i, r) in m.attr_refs.iter().enumerate() {
            let receiver = format!("a{}", ".b".repeat(i));
            assert_eq!((&r.receiver, r.attr.as_str()), (&dotted(&receiver), "b"));
            let column = 7 + 2 * i;
            assert_eq!(
                r.position,
                Position {
                    line: 1,
                    column: column as u32
                }
            );
            assert_eq!(r.attr_range, column - 1..column);
            assert_eq!(&src[r.expr_range.clone()], format!("{receiver}.b"));
            assert_eq!((r.call.as_ref(), r.scope), (None, None));
        }
        // An assignment still reads the whole chain.
        assert_eq!(m.bindings.len(), 1);
        let crate::scan::syntax::BindingValue::Dotted(value) = &m.bindings[0].value else {
            panic!("{:?}", m.bindings[0].value)
        };
        assert_eq!(value.len(), 1 + 2 * 2_000);
    }

    /// A call on a receiver of exactly `MAX_RECEIVER_LINKS` names is a
    /// reference; one name more and it is not.
    #[test]
    fn receiver_cap_boundary() {
        let names = |n: usize| (0..n).map(|i| format!("p{i}")).collect::<Vec<String>>().join(".");
        let at_cap = names(super::MAX_RECEIVER_LINKS);
        let m = parse(&format!("{at_cap}.m(1)\n"));
        let r = find(&m, "m");
        assert_eq!(r.receiver, dotted(&at_cap));
        assert_eq!(r.call, Some(shape(1, &[], false, false)));
        assert_eq!(m.attr_refs.len(), super::MAX_RECEIVER_LINKS);
        let over = names(super::MAX_RECEIVER_LINKS + 1);
        let m = parse(&format!("{over}.m(1)\n"));
        assert!(m.attr_refs.iter().all(|r| r.attr != "m"));
        assert_eq!(m.attr_refs.len(), super::MAX_RECEIVER_LINKS);
    }

    #[test]
    fn argument_shapes() {
        let src = "\
class A:
    def f(self, args, kw):
        self.a()
        self.b(1, 2, k=3, j=4)
        self.c(*args)
        self.d(1, **kw)
        self.e(x for x in args)
        self.g(1, *args, k=2, **kw)
";
        let m = parse(src);
        assert_eq!(find(&m, "a").call, Some(shape(0, &[], false, false)));
        assert_eq!(find(&m, "b").call, Some(shape(2, &["k", "j"], false, false)));
        assert_eq!(find(&m, "c").call, Some(shape(0, &[], true, false)));
        assert_eq!(find(&m, "d").call, Some(shape(1, &[], false, true)));
        assert_eq!(find(&m, "e").call, Some(shape(1, &[], false, false)));
        assert_eq!(find(&m, "g").call, Some(shape(1, &["k"], true, true)));
    }

    #[test]
    fn calls_nested_in_arguments_finally_decorators_and_defaults() {
        let src = "\
class A(object):
    @decorators.retry(self_check=utils.check())
    def f(self, v, ip, cb=helpers.default()):
        try:
            self.a(self._attach_volume(v, ip))
        finally:
            self._detach(v)
        return [lambda: self.cleanup()]
";
        let m = parse(src);
        assert_eq!(
            pairs(&m),
            [
                (dotted("decorators"), "retry"),
                (dotted("utils"), "check"),
                (dotted("helpers"), "default"),
                (Receiver::SelfParam, "a"),
                (Receiver::SelfParam, "_attach_volume"),
                (Receiver::SelfParam, "_detach"),
                (Receiver::SelfParam, "cleanup"),
            ]
        );
        // Decorators and defaults are evaluated outside the method body.
        assert_eq!(find(&m, "retry").scope, None);
        assert_eq!(find(&m, "default").scope, None);
        assert_eq!(find(&m, "_detach").scope, scope(0, 0));
        assert_eq!(find(&m, "_attach_volume").call, Some(shape(2, &[], false, false)));
    }

    #[test]
    fn python2_constructs_keep_references() {
        let src = "\
class A(object):
    def f(self):
        print self.a(), self.b
        print >>sys.stderr, self.c()
        try:
            self.d()
        except ValueError, e:
            e.message
    def g(self):
        self.h()
";
        let m = parse(src);
        assert!(m.parse_errors.is_empty());
        assert_eq!(
            pairs(&m),
            [
                (Receiver::SelfParam, "a"),
                (Receiver::SelfParam, "b"),
                (dotted("sys"), "stderr"),
                (Receiver::SelfParam, "c"),
                (Receiver::SelfParam, "d"),
                (dotted("e"), "message"),
                (Receiver::SelfParam, "h"),
            ]
        );
        assert_eq!(find(&m, "h").scope, scope(0, 1));
    }

    #[test]
    fn patch_object_strings() {
        let src = "\
class T(test.TestCase):
    @mock.patch.object(driver.ScaleIODriver, '_get_client')
    def test_a(self):
        with patch.object(self.driver, \"create\", return_value=1):
            pass
";
        let m = parse(src);
        assert_eq!(
            strings(&m),
            [
                (
                    StringContext::PatchObject {
                        target: dotted("driver.ScaleIODriver")
                    },
                    "_get_client"
                ),
                (
                    StringContext::PatchObject {
                        target: Receiver::SelfAttr("driver".into())
                    },
                    "create"
                ),
            ]
        );
        let first: &StringRef = &m.string_refs[0];
        assert_eq!(&src[first.value_range.clone()], "_get_client");
        assert_eq!(first.position, Position { line: 2, column: 47 });
        assert_eq!(first.scope, None);
        assert_eq!(m.string_refs[1].scope, scope(0, 0));
    }

    #[test]
    fn patch_strings_with_prefixes_and_triple_quotes() {
        let src = "\
@mock.patch('cinder.volume.driver.VolumeDriver.create')
def test(): pass
patch(u'a.b.C.m')
x.patch(r'''a.C.n''')
mock.patch(\"\"\"a.C.o\"\"\", new=1)
";
        let m = parse(src);
        assert_eq!(
            strings(&m),
            [
                (StringContext::Patch, "cinder.volume.driver.VolumeDriver.create"),
                (StringContext::Patch, "a.b.C.m"),
                (StringContext::Patch, "a.C.n"),
                (StringContext::Patch, "a.C.o"),
            ]
        );
        let triple = &m.string_refs[2];
        assert_eq!(&src[triple.value_range.clone()], "a.C.n");
        assert_eq!(triple.position, Position { line: 4, column: 13 });
    }

    #[test]
    fn getattr_family_strings() {
        let src = "\
class A(object):
    def f(self):
        getattr(self, 'm')()
        hasattr(super(A, self), 'n')
        setattr(mod.Cls, 'o', None)
        getattr(self.x, 'p')
        getattr(obj(), 'skipped')
        getattr(self, name)
";
        let m = parse(src);
        assert_eq!(
            strings(&m),
            [
                (
                    StringContext::Getattr {
                        receiver: Receiver::SelfParam
                    },
                    "m"
                ),
                (
                    StringContext::Getattr {
                        receiver: Receiver::Super {
                            class: Some("A".into())
                        }
                    },
                    "n"
                ),
                (
                    StringContext::Getattr {
                        receiver: dotted("mod.Cls")
                    },
                    "o"
                ),
                (
                    StringContext::Getattr {
                        receiver: Receiver::SelfAttr("x".into())
                    },
                    "p"
                ),
            ]
        );
        assert!(m.string_refs.iter().all(|r| r.scope == scope(0, 0)));
    }

    #[test]
    fn non_plain_strings_are_skipped() {
        let src = "\
patch(f'a.{b}.c')
patch('a.b' '.c')
patch('a\\\\nb')
patch('')
patch(`x`)
patch(name)
mock.patch.multiple('a.b', m=1)
patch.object(C)
getattr(*args)
";
        let m = parse(src);
        // `patch.multiple` ends in `multiple`, not `patch`: not a Patch.
        assert_eq!(strings(&m), []);
    }

    #[test]
    fn positions_after_star_args_are_unknown() {
        let m = parse("patch.object(*args, 'm')\ngetattr(x, *rest)\n");
        assert!(m.string_refs.is_empty());
    }
}
