//! The one pass over a file's tree: a pre-order tree-cursor walk that hands
//! each node of interest to its extractor (`imports`, `classes`, `refs`),
//! dispatching on the node's [`Kind`].
//!
//! Each extractor needs to know where a node stands, and the walk keeps that
//! for every ancestor of the current node: the class whose body holds it
//! (through `if`/`try` blocks and the like: that is what makes a function a
//! method), the innermost class or function around it (for qualnames), the
//! method whose body holds it and whether a nested function or lambda has
//! rebound that method's `self` name, and the innermost function or lambda
//! around it. Classes and methods are numbered as the walk meets them, which
//! is source order.
//!
//! Traversing a tree costs about as much as everything extracted from it,
//! so it is traversed once, and the walk does not step into nodes whose
//! children are all leaves (names, punctuation, the parts of a plain
//! string): every extractor starts from a node that has children, so such
//! leaves hold nothing, and skipping them avoids most of the cursor moves.

use std::ops::Range;

use tree_sitter::{Node, TreeCursor};

use super::grammar::{Kind, fields, kind};
use super::refs::{self, Context};
use super::{bytes, classes, imports};
use crate::scan::syntax::{MethodScope, Module};

/// What the walk knows about one ancestor of the cursor's node.
struct Frame<'t> {
    node: Node<'t>,
    kind: Kind,
    /// The node's lexical context: index into `Walk::contexts`, None outside
    /// any method.
    context: Option<usize>,
    /// The context of the child in the `body` field, when this node (a
    /// method, or a nested function rebinding `self`) opens a new one.
    body_context: Option<usize>,
    /// Start byte of the innermost function or lambda holding this node.
    function_start: Option<usize>,
    /// The class (index into `Module::classes`) whose body holds this node's
    /// children through transparent nodes only.
    class_body: Option<usize>,
    /// The innermost class or function around this node's children, the
    /// node itself included: index into `Walk::scopes`.
    scope: Option<usize>,
    /// For a call: the reference (index into `Module::attr_refs`) its
    /// function makes, whose call shape its arguments make up.
    callee_ref: Option<usize>,
    /// For a call's argument list: the reference whose call shape its
    /// children make up, counted as the walk visits them.
    shape_of: Option<usize>,
    /// The children the walk has yet to step to, once it is among them.
    later_children: u32,
}

/// The walk's state besides the ancestors.
struct Walk<'s> {
    source: &'s [u8],
    /// Everything but the parse errors, which `super::error_regions` finds.
    module: Module,
    contexts: Vec<Context>,
    /// Every class and function with a name field seen so far.
    scopes: Vec<Scope>,
}

/// A class or function, as far as the qualnames of the classes inside it
/// need it. Python 3 spells a qualname with the enclosing scopes' names,
/// and a function's adds `<locals>`: `T.test_x.<locals>.Base` for a class
/// built in method `test_x` of class `T`. Functions are far more common
/// than classes, so their names are kept as byte ranges and spelled out
/// only for a class inside them.
struct Scope {
    /// The scope this one is defined in.
    parent: Option<usize>,
    name: Range<usize>,
    /// What is defined in a function's body is one of its `<locals>`.
    function: bool,
}

/// Imports, classes, references and bindings of the whole tree; the
/// references in source order.
pub(crate) fn walk(root: Node, source: &[u8]) -> Module {
    let mut walk = Walk {
        source,
        module: Module::default(),
        contexts: Vec::new(),
        scopes: Vec::new(),
    };
    // A tree cursor rather than a stack of nodes: it visits without
    // allocating, and its field ids tell which child is a function's `body`
    // or a call's `function` or `arguments`.
    let mut cursor = root.walk();
    let mut ancestors: Vec<Frame> = Vec::new();
    loop {
        let mut frame = walk.visit(&cursor, ancestors.last_mut());
        if has_grandchildren(frame.node) && cursor.goto_first_child() {
            frame.later_children = frame.node.child_count().saturating_sub(1);
            ancestors.push(frame);
            continue;
        }
        // Move to the next sibling, climbing as needed. Asked for the sibling
        // of a last child, a cursor climbs through the hidden nodes above it
        // before it fails, which costs as much as a step that succeeds: the
        // count of children still to visit avoids asking.
        loop {
            let Some(parent) = ancestors.last_mut() else {
                return walk.finish();
            };
            if parent.later_children > 0 && cursor.goto_next_sibling() {
                parent.later_children -= 1;
                break;
            }
            cursor.goto_parent();
            ancestors.pop();
        }
    }
}

/// Whether some child of `node` has children of its own. Both counts are
/// stored in the tree, so this costs no traversal.
fn has_grandchildren(node: Node) -> bool {
    node.descendant_count() > node.child_count() as usize + 1
}

impl<'s> Walk<'s> {
    /// The module, its references in source order.
    fn finish(self) -> Module {
        let mut module = self.module;
        // References are met in pre-order, which puts `a.b` after `a.b.c`:
        // nearly sorted. Sorting the keys and then moving the few references
        // out of place is cheaper than sorting the (large) references.
        module.attr_refs.sort_by_cached_key(|r| r.attr_range.start);
        module.string_refs.sort_by_key(|r| r.value_range.start);
        module
    }

    /// Extracts what the cursor's node holds; returns its frame.
    fn visit<'t>(&mut self, cursor: &TreeCursor<'t>, mut parent: Option<&mut Frame<'t>>) -> Frame<'t> {
        let node = cursor.node();
        let kind = kind(node);
        let mut frame = Frame {
            node,
            kind,
            context: None,
            body_context: None,
            function_start: None,
            class_body: None,
            scope: None,
            callee_ref: None,
            shape_of: None,
            later_children: 0,
        };
        // The class whose body holds this node, and the call it is the
        // callee of.
        let mut owner = None;
        let mut callee_of = None;
        if let Some(parent) = parent.as_deref_mut() {
            // Only these parents' fields matter, and asking a cursor for its
            // field is not free: ask only under them.
            let field = match parent.kind {
                Kind::FunctionDefinition | Kind::Lambda | Kind::Call => cursor.field_id().map(|id| id.get()),
                _ => None,
            };
            let in_body = field == Some(fields().body);
            frame.function_start = match parent.kind {
                Kind::FunctionDefinition | Kind::Lambda if in_body => Some(parent.node.start_byte()),
                _ => parent.function_start,
            };
            frame.context = match parent.body_context {
                Some(body) if in_body => Some(body),
                _ => parent.context,
            };
            if parent.kind == Kind::Call && field == Some(fields().function) {
                callee_of = Some(parent.node);
            }
            owner = parent.class_body;
            // An expression statement passes the class on to its
            // assignment, which makes a class attribute (no function or
            // class can sit under it).
            if classes::is_transparent(kind) || kind == Kind::ExpressionStatement {
                frame.class_body = owner;
            }
            frame.scope = parent.scope;

            // A call's shape: a bare generator is one argument; the children
            // of an argument list are counted as visited, or listed here if
            // the walk will not step into them.
            if field == Some(fields().arguments)
                && let Some(r) = parent.callee_ref
            {
                if kind != Kind::GeneratorExpression && has_grandchildren(node) {
                    frame.shape_of = Some(r);
                } else {
                    self.module.attr_refs[r].call = Some(refs::arg_shape(node, self.source));
                }
            }
            if let Some(r) = parent.shape_of
                && node.is_named()
                && let Some(shape) = self.module.attr_refs[r].call.as_mut()
            {
                refs::count_argument(node, self.source, shape);
            }
        }

        let source = self.source;
        let context = frame.context.and_then(|i| self.contexts.get(i));
        match kind {
            Kind::Attribute => {
                if let Some(mut r) = refs::attr_ref(node, callee_of, source, context) {
                    r.function_start = frame.function_start;
                    if callee_of.is_some()
                        && let Some(call) = parent
                    {
                        call.callee_ref = Some(self.module.attr_refs.len());
                    }
                    self.module.attr_refs.push(r);
                }
            }
            Kind::Call => refs::string_ref(
                node,
                source,
                context,
                frame.function_start,
                &mut self.module.string_refs,
            ),
            Kind::Assignment => {
                if let Some(class) = owner {
                    let names = classes::assigned_names(node, source);
                    self.module.classes[class].attributes.extend(names);
                }
                refs::assignment_bindings(
                    node,
                    source,
                    context,
                    frame.function_start,
                    owner,
                    &mut self.module.bindings,
                )
            }
            Kind::ImportStatement | Kind::ImportFromStatement | Kind::FutureImportStatement => {
                imports::statement(node, kind, source, &mut self.module.imports)
            }
            Kind::ClassDefinition => self.class(&mut frame, owner),
            Kind::FunctionDefinition => {
                self.enter_function(&mut frame);
                let decorated = parent.filter(|p| p.kind == Kind::DecoratedDefinition).map(|p| p.node);
                let method = owner.and_then(|class| self.method(node, decorated, class));
                frame.body_context = method.or_else(|| self.nested_context(node, frame.context));
            }
            Kind::Lambda => frame.body_context = self.nested_context(node, frame.context),
            Kind::ExpressionStatement => {
                if let Some(class) = owner
                    && let Some(alias) = classes::alias(node, source)
                {
                    self.module.classes[class].aliases.push(alias);
                }
            }
            _ => {}
        }
        frame
    }

    /// Records a class (unless its name is missing) and sets what its
    /// children see: its body and its scope.
    fn class(&mut self, frame: &mut Frame, owner: Option<usize>) {
        // Without a name field the class is not listed, and not part of the
        // qualnames of classes inside it either.
        let Some(name) = frame.node.child_by_field_id(fields().name) else {
            return;
        };
        self.enter_scope(frame, name, false);
        if name.is_missing() {
            return;
        }
        let qualname = self.qualname(frame.scope);
        frame.class_body = Some(self.module.classes.len());
        let class = classes::class_def(frame.node, name, qualname, owner, frame.function_start, self.source);
        self.module.classes.push(class);
    }

    /// Makes a named function the scope its children see.
    fn enter_function(&mut self, frame: &mut Frame) {
        if let Some(name) = frame.node.child_by_field_id(fields().name) {
            self.enter_scope(frame, name, true);
        }
    }

    fn enter_scope(&mut self, frame: &mut Frame, name: Node, function: bool) {
        self.scopes.push(Scope {
            parent: frame.scope,
            name: name.byte_range(),
            function,
        });
        frame.scope = Some(self.scopes.len() - 1);
    }

    /// The Python 3 `__qualname__` of what `scope` names.
    fn qualname(&self, scope: Option<usize>) -> String {
        let mut chain = Vec::new();
        let mut current = scope;
        while let Some(i) = current {
            chain.push(&self.scopes[i]);
            current = self.scopes[i].parent;
        }
        let mut out = String::new();
        for (depth, s) in chain.iter().rev().enumerate() {
            if depth > 0 {
                out.push('.');
            }
            out.push_str(&String::from_utf8_lossy(bytes(self.source, s.name.clone())));
            // The innermost scope is the one named, never "<locals>" itself.
            if s.function && depth + 1 < chain.len() {
                out.push_str(".<locals>");
            }
        }
        out
    }

    /// Records a function in a class body as a method of that class; returns
    /// the context of its body.
    fn method(&mut self, function: Node, decorated: Option<Node>, class: usize) -> Option<usize> {
        let (method, self_name) = classes::method_def(function, decorated, self.source)?;
        let methods = &mut self.module.classes[class].methods;
        let scope = MethodScope {
            class,
            method: methods.len(),
        };
        methods.push(method);
        self.contexts.push(Context { scope, self_name });
        Some(self.contexts.len() - 1)
    }

    /// The context of the body of a function that is not a method, or of a
    /// lambda, when it differs from the enclosing one.
    fn nested_context(&mut self, function: Node, context: Option<usize>) -> Option<usize> {
        let enclosing = self.contexts.get(context?)?;
        let inner = refs::rebinding_context(function, enclosing, self.source)?;
        self.contexts.push(inner);
        Some(self.contexts.len() - 1)
    }
}
