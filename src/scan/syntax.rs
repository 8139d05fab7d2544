//! The syntax facts shadowfix extracts from one Python file.
//!
//! These are shadowfix's own types: the parse stage (the only module that
//! touches tree-sitter) produces them, and every later stage (model, analysis,
//! rename) reads them. Byte ranges always index the file's original bytes, so
//! a rename can be expressed as byte-range edits without re-parsing.

use std::ops::Range;

/// A 1-based line and 1-based byte column, as editors and SARIF count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Everything shadowfix needs from one module.
#[derive(Debug, Clone, Default)]
pub struct Module {
    pub imports: Vec<Import>,
    /// Every class in the file, nested ones included, in source order.
    pub classes: Vec<ClassDef>,
    /// Every `x.attr` reference in the file (calls and plain references).
    pub attr_refs: Vec<AttrRef>,
    /// String literals that name a method: `mock.patch.object(C, 'm')`,
    /// `mock.patch('pkg.mod.C.m')`, `getattr(self, 'm')`.
    pub string_refs: Vec<StringRef>,
    /// Regions tree-sitter could not read (ERROR or MISSING nodes).
    pub parse_errors: Vec<ParseErrorRegion>,
    /// Assignments that type a variable or instance attribute.
    pub bindings: Vec<Binding>,
}

/// One import binding. `import a.b` binds `a`; `import a.b as x` binds `x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// `import a.b.c [as alias]`.
    Module { module: String, alias: Option<String> },
    /// `from [.]*module import name [as alias]`; `level` counts leading dots,
    /// `module` may be empty (`from . import x`), `name` may be `*`.
    From {
        level: u32,
        module: String,
        name: String,
        alias: Option<String>,
    },
}

/// A base class expression as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseExpr {
    /// A name or attribute chain: `BaseVD`, `driver.VolumeDriver`.
    Dotted(String),
    /// Anything else (a call we do not understand, a subscript, ...): its text.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct ClassDef {
    pub name: String,
    /// Dotted path inside the module: `Outer.Inner` for nested classes.
    pub qualname: String,
    /// Index in `Module::classes` of the class this one is nested in.
    pub parent: Option<usize>,
    pub name_range: Range<usize>,
    pub position: Position,
    /// Bases in order; `six.with_metaclass(Meta, A, B)` contributes `A, B`.
    /// `metaclass=` and other keyword arguments are dropped.
    pub bases: Vec<BaseExpr>,
    pub methods: Vec<MethodDef>,
    /// Class-level aliases: `name = other_method` (a bare identifier on the right).
    pub aliases: Vec<Alias>,
}

#[derive(Debug, Clone)]
pub struct Alias {
    pub name: String,
    pub target: String,
    pub name_range: Range<usize>,
    pub target_range: Range<usize>,
    pub position: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    Instance,
    Static,
    Class,
    Property,
}

#[derive(Debug, Clone)]
pub struct MethodDef {
    pub name: String,
    /// The identifier after `def`.
    pub name_range: Range<usize>,
    pub position: Position,
    /// The whole definition, decorators included.
    pub def_range: Range<usize>,
    /// The line holding `def name(...)`: from `def` to the closing `:` of the
    /// header, for snippets.
    pub header_range: Range<usize>,
    pub kind: MethodKind,
    pub signature: Signature,
    /// A decorator passes extra arguments (`@mock.patch(...)`,
    /// `@mock.patch.object(...)`, `@ddt.data(...)`): the written signature
    /// is not what callers bind against.
    pub injects_args: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    PositionalOnly,
    PositionalOrKeyword,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name; a Python 2 tuple parameter `(a, b)` keeps its text.
    pub name: String,
    pub kind: ParamKind,
    pub has_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature {
    pub params: Vec<Param>,
    /// The parameter list as written, whitespace collapsed: `(self, volume, sdc_ip)`.
    pub text: String,
}

/// What stands left of the dot in `x.attr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receiver {
    /// The enclosing method's first parameter (`self`, `cls`, or any other
    /// name), seen from the method body or a function nested in it.
    SelfParam,
    /// `super(C, self).attr` (class = Some("C")) or `super().attr` (None).
    Super { class: Option<String> },
    /// A bare name or attribute chain: `ScaleIODriver`, `scaleio.ScaleIODriver`,
    /// or a local variable (`drv`), which `Module::bindings` may type.
    Dotted(String),
    /// An attribute of the instance: `self.driver.attr` (holds `driver`).
    SelfAttr(String),
}

/// The shape of a call's arguments, enough to decide binding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArgShape {
    pub positional: usize,
    pub keywords: Vec<String>,
    /// A `*x` argument: the positional count is unknown.
    pub star: bool,
    /// A `**y` argument: the keyword names are unknown.
    pub double_star: bool,
}

/// The enclosing method of a reference: indexes into `Module::classes` and
/// that class's `methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MethodScope {
    pub class: usize,
    pub method: usize,
}

#[derive(Debug, Clone)]
pub struct AttrRef {
    pub receiver: Receiver,
    pub attr: String,
    /// The attribute identifier only (what a rename replaces).
    pub attr_range: Range<usize>,
    pub position: Position,
    /// Set when the reference is the function of a call: `x.attr(...)`.
    pub call: Option<ArgShape>,
    /// The whole call (or the attribute expression when not called), for
    /// messages and snippets.
    pub expr_range: Range<usize>,
    /// The method whose body holds the reference, if any.
    pub scope: Option<MethodScope>,
    /// Start byte of the innermost enclosing function (method, nested
    /// function or lambda); None at module or class level. Local variables
    /// are looked up in this function only.
    pub function_start: Option<usize>,
}

/// A simple binding that tells which class an instance belongs to:
/// `drv = scaleio.ScaleIODriver(...)`, `self.driver = ScaleIODriver(...)`,
/// `drv = self.driver`, `drv, vol = self.drv, self.volume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub target: BindingTarget,
    pub value: BindingValue,
    pub scope: Option<MethodScope>,
    pub function_start: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingTarget {
    /// A local (or module-level) name.
    Name(String),
    /// `self.<attr>`.
    SelfAttr(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingValue {
    /// A call of a dotted name: a constructor, as far as we can tell.
    Construct(String),
    Name(String),
    SelfAttr(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringContext {
    /// `mock.patch.object(target, 'm')` / `patch.object(...)`; target as written.
    PatchObject { target: String },
    /// `mock.patch('pkg.mod.C.m')` / `patch(...)`: a dotted path.
    Patch,
    /// `getattr/hasattr/setattr(receiver, 'm')`.
    Getattr { receiver: Receiver },
}

#[derive(Debug, Clone)]
pub struct StringRef {
    pub context: StringContext,
    /// The literal's content, without prefix and quotes.
    pub value: String,
    /// Byte range of the content (inside the quotes).
    pub value_range: Range<usize>,
    pub position: Position,
    pub scope: Option<MethodScope>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseErrorRegion {
    pub range: Range<usize>,
    pub position: Position,
}

/// Byte offsets of every bracket pair, string and comment in a file: what a
/// rewrite needs to re-indent or break lines without reading Python itself.
/// Each list is in source order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenLayout {
    pub brackets: Vec<BracketPair>,
    /// Whole string literals, prefix and quotes included; each part of an
    /// implicit concatenation (`'a' 'b'`) is its own range.
    pub strings: Vec<Range<usize>>,
    /// `#` to the end of the line, the line ending excluded.
    pub comments: Vec<Range<usize>>,
}

/// Offsets of an opening `(`, `[` or `{` and of its matching closer. Pairs
/// nest: two pairs are either disjoint or one holds the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BracketPair {
    pub open: usize,
    pub close: usize,
}
