//! The syntax facts shadowfix extracts from one Python file.
//!
//! These are shadowfix's own types: the parse stage (the only module that
//! touches tree-sitter) produces them, and every later stage (model, analysis,
//! rename) reads them. Byte ranges always index the file's original bytes, so
//! a rename can be expressed as byte-range edits without re-parsing.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// An identifier or short dotted name. Inline up to 24 bytes, which holds
/// nearly every Python name: a tree has hundreds of thousands of them, and
/// a heap string each cost more in allocator overhead than in text.
pub type Name = compact_str::CompactString;

/// A 1-based line and 1-based byte column, as editors and SARIF count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Everything shadowfix needs from one module.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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

impl Module {
    /// Drops the spare capacity the extraction's vectors grew: a project
    /// keeps every file's facts for the whole run, and the slack was a
    /// third of their memory.
    pub fn shrink_to_fit(&mut self) {
        self.imports.shrink_to_fit();
        self.classes.shrink_to_fit();
        for class in &mut self.classes {
            class.methods.shrink_to_fit();
            class.attributes.shrink_to_fit();
        }
        self.attr_refs.shrink_to_fit();
        self.string_refs.shrink_to_fit();
        self.parse_errors.shrink_to_fit();
        self.bindings.shrink_to_fit();
    }
}

/// One import binding. `import a.b` binds `a`; `import a.b as x` binds `x`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaseExpr {
    /// A name or attribute chain: `BaseVD`, `driver.VolumeDriver`.
    Dotted(String),
    /// Anything else (a call we do not understand, a subscript, ...): its text.
    Other(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassDef {
    pub name: String,
    /// Python 3's `__qualname__`: `Outer.Inner` for a nested class,
    /// `T.test_x.<locals>.Base` for a class built in method `test_x` of
    /// class `T`, `make.<locals>.C` in a module-level function `make`.
    pub qualname: String,
    /// Index in `Module::classes` of the class this one is nested in.
    pub parent: Option<usize>,
    /// Start byte of the innermost function whose body holds the class,
    /// directly or through enclosing classes; None when no function does.
    /// A local class is no module attribute: names are looked up in the
    /// function's local classes first (like [`AttrRef::function_start`]).
    pub function_start: Option<usize>,
    pub name_range: Range<usize>,
    pub position: Position,
    /// The class body (its block): a reference at class level inside it
    /// (a decorator argument, a class attribute) sees the class's names.
    pub body_range: Range<usize>,
    /// Bases in order; `six.with_metaclass(Meta, A, B)` contributes `A, B`.
    /// `metaclass=` and other keyword arguments are dropped.
    pub bases: Vec<BaseExpr>,
    pub methods: Vec<MethodDef>,
    /// Class-level aliases: `name = other_method` (a bare identifier on the right).
    pub aliases: Vec<Alias>,
    /// Every name the class body assigns (`VERSION = '1.0'`, `x: int = 0`,
    /// `a, b = 1, 2`), aliases included: class attributes a method of the
    /// same name would clash with.
    pub attributes: Vec<ClassAttr>,
}

/// A name assigned in a class body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassAttr {
    pub name: String,
    pub position: Position,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub target: String,
    pub name_range: Range<usize>,
    pub target_range: Range<usize>,
    pub position: Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MethodKind {
    Instance,
    Static,
    Class,
    Property,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// Decorated with `abc.abstractmethod` (or an `abstract*` variant):
    /// subclasses are meant to implement it.
    pub is_abstract: bool,
    /// What the body does, as far as choosing a fix cares.
    pub body: BodyKind,
    /// The docstring says the method is meant to be overridden ("Subclass
    /// this", "must be implemented by ...", "override ...").
    pub hook_doc: bool,
}

impl MethodDef {
    /// Whether decorators stand before the `def`.
    pub fn is_decorated(&self) -> bool {
        self.def_range.start < self.header_range.start
    }
}

/// What a method body amounts to, for telling a hook from an implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BodyKind {
    /// Does real work.
    #[default]
    Real,
    /// Nothing but a docstring, `pass`, `...`, or a bare or trivial `return`
    /// (`None`, an empty literal): a default for subclasses to replace.
    NoOp,
    /// Ends in `raise NotImplementedError`, with at most one statement
    /// before it: a hook subclasses must implement.
    RaisesNotImplemented,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamKind {
    PositionalOnly,
    PositionalOrKeyword,
    VarPositional,
    KeywordOnly,
    VarKeyword,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The name; a Python 2 tuple parameter `(a, b)` keeps its text.
    pub name: String,
    pub kind: ParamKind,
    pub has_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Signature {
    pub params: Vec<Param>,
    /// The parameter list as written, whitespace collapsed: `(self, volume, sdc_ip)`.
    pub text: String,
}

/// What stands left of the dot in `x.attr`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Receiver {
    /// The enclosing method's first parameter (`self`, `cls`, or any other
    /// name), seen from the method body or a function nested in it.
    SelfParam,
    /// `super(C, self).attr` (class = Some("C")) or `super().attr` (None).
    Super { class: Option<Name> },
    /// A bare name or attribute chain: `ScaleIODriver`, `scaleio.ScaleIODriver`,
    /// or a local variable (`drv`), which `Module::bindings` may type.
    Dotted(Name),
    /// An attribute of the instance: `self.driver.attr` (holds `driver`).
    SelfAttr(Name),
}

/// The shape of a call's arguments, enough to decide binding.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArgShape {
    pub positional: usize,
    pub keywords: Vec<Name>,
    /// A `*x` argument: the positional count is unknown.
    pub star: bool,
    /// Explicit positional arguments written after the first `*x`: their
    /// slots are unknown.
    pub after_star: u32,
    /// A `**y` argument: the keyword names are unknown.
    pub double_star: bool,
}

/// The enclosing method of a reference: indexes into `Module::classes` and
/// that class's `methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MethodScope {
    pub class: usize,
    pub method: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttrRef {
    pub receiver: Receiver,
    pub attr: Name,
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

/// A simple binding that tells which class an instance belongs to, or
/// which class a name stands for: `drv = scaleio.ScaleIODriver(...)`,
/// `self.driver = ScaleIODriver(...)`, `drv = self.driver`,
/// `drv, vol = self.drv, self.volume`, and class aliases at module level or
/// in a class body (`FCD_DRIVER = fcd.VMwareVStorageObjectDriver`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub target: BindingTarget,
    pub value: BindingValue,
    pub scope: Option<MethodScope>,
    pub function_start: Option<usize>,
    /// The class (index into `Module::classes`) whose body holds the
    /// assignment directly: a class attribute.
    pub class_body: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BindingTarget {
    /// A local (or module-level) name.
    Name(Name),
    /// `self.<attr>`.
    SelfAttr(Name),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BindingValue {
    /// A call of a dotted name: a constructor, as far as we can tell.
    Construct(Name),
    Name(Name),
    SelfAttr(Name),
    /// An attribute chain not on the instance: `mod.Cls`, a class alias
    /// when it names a class.
    Dotted(Name),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StringContext {
    /// `mock.patch.object(target, 'm')`, `patch.object(...)`, and the
    /// OpenStack test helper `self.mock_object(target, 'm')`.
    PatchObject { target: Receiver },
    /// `mock.patch('pkg.mod.C.m')` / `patch(...)`: a dotted path.
    Patch,
    /// `getattr/hasattr/setattr(receiver, 'm')`.
    Getattr { receiver: Receiver },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StringRef {
    pub context: StringContext,
    /// The literal's content, without prefix and quotes.
    pub value: String,
    /// Byte range of the content (inside the quotes).
    pub value_range: Range<usize>,
    pub position: Position,
    pub scope: Option<MethodScope>,
    /// Start byte of the innermost enclosing function, as for [`AttrRef`].
    pub function_start: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseErrorRegion {
    pub range: Range<usize>,
    pub position: Position,
}

/// The layout of a bracketed list as written: a `def`'s parameters or a
/// call's arguments. Read on demand (not kept per file) by the fix stage,
/// which inserts parameters and arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLayout {
    /// Byte offset of the opening `(`.
    pub open: usize,
    /// Byte offset of the closing `)`.
    pub close: usize,
    pub items: Vec<ListItem>,
    /// A comma follows the last item.
    pub trailing_comma: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    pub range: Range<usize>,
    pub kind: ItemKind,
    /// The parameter or keyword name, when there is one.
    pub name: Option<String>,
    /// A parameter's default value or a keyword argument's value.
    pub value: Option<Range<usize>>,
    /// End of the comma that follows the item, if one does.
    pub comma_end: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    /// A parameter (with or without default or annotation), or a
    /// positional argument.
    Plain,
    /// A keyword argument `k=v` in a call.
    Keyword,
    /// `*args`, or a bare `*` in a parameter list (no name).
    Star,
    /// `**kwargs`.
    DoubleStar,
    /// The positional-only marker `/`.
    Slash,
}

/// Byte offsets of every bracket pair, string and comment in a file: what a
/// rewrite needs to re-indent or break lines without reading Python itself.
/// Each list is in source order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BracketPair {
    pub open: usize,
    pub close: usize,
}
