//! The parse stage: turns one Python file's bytes into [`Module`] facts.
//!
//! This is the only module of shadowfix that knows about tree-sitter. It owns
//! the per-thread parser, the conversion from tree-sitter points to
//! [`Position`]s, the node-text helpers the extractors share, and the search
//! for regions tree-sitter could not read. `grammar` resolves the node kinds
//! and field ids the extractors test; `visit` walks each tree once, handing
//! each node of interest to its extractor: `imports` (import bindings),
//! `classes` (classes, methods, signatures, aliases) and `refs` (attribute
//! references, method-naming strings and bindings). `layout` is a separate,
//! smaller pass for the fix stage: bracket pairs, strings and comments.
//!
//! Lone `\r` line endings are read as Python reads them (see
//! `lone_cr_as_lf`), and every byte range still indexes the original bytes.
//!
//! Every walk here is iterative (tree cursors, explicit stacks):
//! files are parsed on rayon worker threads, whose stacks are small, and a
//! pathological file (thousands of nested brackets) must not overflow them.

mod classes;
mod grammar;
mod imports;
mod layout;
mod lists;
mod refs;
mod visit;

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::{Language, Node, Parser, Tree};

use crate::scan::syntax::{Module, Name, ParseErrorRegion, Position};
use grammar::{Kind, fields, kind};
pub use layout::token_layout;
pub use lists::{argument_list, parameter_list};

thread_local! {
    // One parser per thread: `Parser` is not `Sync`, and building one per
    // file would repeat the language setup for every file.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses `source` (any bytes: Python 2 or 3, broken or not) and extracts
/// everything later stages need. Never panics; what could not be parsed is
/// reported in [`Module::parse_errors`] and the rest is still extracted.
pub fn parse_module(source: &[u8]) -> Module {
    let Some(tree) = parse_tree(source) else {
        return Module::default();
    };
    let root = tree.root_node();
    let mut module = visit::walk(root, source);
    module.parse_errors = error_regions(root);
    module.shrink_to_fit();
    module
}

/// The Python grammar, shared by the parser and the kind tables.
fn language() -> Language {
    tree_sitter_python::LANGUAGE.into()
}

/// The tree of `source`. Node ranges index `source` itself: a copy is
/// parsed only to read lone `\r` line endings (see [`lone_cr_as_lf`]), and
/// it has the same length.
fn parse_tree(source: &[u8]) -> Option<Tree> {
    let copy = lone_cr_as_lf(source);
    let input = copy.as_deref().unwrap_or(source);
    PARSER.with(|cell| {
        // `try_borrow_mut` rather than `borrow_mut`: a re-entrant call cannot
        // happen today, but if it ever did it should yield nothing, not panic.
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&language()).ok()?;
            *slot = Some(parser);
        }
        // `parse` only returns None on timeout or cancellation, neither of
        // which we configure; an empty module is the safe answer anyway.
        slot.as_mut()?.parse(input, None)
    })
}

/// `source` with each `\r` that no `\n` follows replaced by `\n`, or None
/// when it has none (nearly every file: no copy is made).
///
/// Python reads source with universal newlines, so a lone `\r` (old Mac
/// files) ends a line, while tree-sitter's grammar only knows `\n` and
/// `\r\n`: a CR-only file would be one long line to it, its first comment
/// running to the end of the file. The swap is one byte for one byte, so
/// every offset into the copy is an offset into the original, whose bytes
/// the extractors read and rewrites keep. Rows then count lines as Python
/// does; a `\r\n` is left alone, as tree-sitter already reads it.
fn lone_cr_as_lf(source: &[u8]) -> Option<Vec<u8>> {
    let is_lone = |i: usize| source[i] == b'\r' && source.get(i + 1) != Some(&b'\n');
    let first = (0..source.len()).find(|&i| is_lone(i))?;
    let mut copy = source.to_vec();
    for (i, byte) in copy.iter_mut().enumerate().skip(first) {
        if is_lone(i) {
            *byte = b'\n';
        }
    }
    Some(copy)
}

/// 1-based line and 1-based byte column of the node's start.
pub(crate) fn position(node: Node) -> Position {
    let point = node.start_position();
    Position {
        line: u32::try_from(point.row + 1).unwrap_or(u32::MAX),
        column: u32::try_from(point.column + 1).unwrap_or(u32::MAX),
    }
}

/// The bytes of `range`, or nothing if the range does not fit `source`
/// (it always should; this keeps a grammar bug from becoming a panic).
pub(crate) fn bytes(source: &[u8], range: Range<usize>) -> &[u8] {
    source.get(range).unwrap_or(&[])
}

/// The node's text; invalid UTF-8 (latin-1 files, garbage) is replaced
/// rather than rejected, since byte ranges, not text, drive any rewrite.
pub(crate) fn text(node: Node, source: &[u8]) -> String {
    String::from_utf8_lossy(bytes(source, node.byte_range())).into_owned()
}

/// [`text`] as a [`Name`], built without a heap string when it is short.
pub(crate) fn name_text(node: Node, source: &[u8]) -> Name {
    Name::from(String::from_utf8_lossy(bytes(source, node.byte_range())).as_ref())
}

/// The text of an identifier or of a chain of attribute accesses on
/// identifiers (`a`, `a.b.c`), rebuilt from its names so that whitespace or
/// comments around the dots do not leak in. None for anything else.
pub(crate) fn dotted(node: Node, source: &[u8]) -> Option<String> {
    dotted_within(node, source, usize::MAX)
}

/// Like [`dotted`], but None as soon as the chain has more than `max_links`
/// names, after looking at no more than that many: a caller that meets
/// every link of a long chain (each `attribute` node of it) then does
/// bounded work per link instead of walking the whole chain each time.
pub(crate) fn dotted_within(node: Node, source: &[u8], max_links: usize) -> Option<String> {
    if !matches!(kind(node), Kind::Identifier | Kind::Attribute) {
        return None;
    }
    // The chain nests leftwards (`a.b.c` is `(a.b).c`), so walking down the
    // `object` side meets the names last to first: collect their ranges,
    // then write them out in one pass.
    let mut names = Vec::new();
    let mut current = node;
    loop {
        let name = match kind(current) {
            Kind::Identifier => current,
            Kind::Attribute => {
                let attr = current.child_by_field_id(fields().attribute)?;
                if kind(attr) != Kind::Identifier {
                    return None;
                }
                attr
            }
            _ => return None,
        };
        if name.is_missing() || name.byte_range().is_empty() || names.len() == max_links {
            return None;
        }
        names.push(name.byte_range());
        if name == current {
            break;
        }
        current = current.child_by_field_id(fields().object)?;
    }
    let mut out = String::with_capacity(node.byte_range().len());
    for (i, range) in names.into_iter().rev().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&String::from_utf8_lossy(bytes(source, range)));
    }
    Some(out)
}

/// The outermost ERROR and MISSING nodes, in source order. Subtrees without
/// errors are pruned via `has_error`, so clean files cost one check.
fn error_regions(root: Node) -> Vec<ParseErrorRegion> {
    let mut regions = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            regions.push(ParseErrorRegion {
                range: node.byte_range(),
                position: position(node),
            });
            continue;
        }
        if !node.has_error() {
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    regions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::syntax::{MethodKind, Receiver};

    #[test]
    fn empty_file_yields_empty_module() {
        let m = parse_module(b"");
        assert!(m.imports.is_empty());
        assert!(m.classes.is_empty());
        assert!(m.attr_refs.is_empty());
        assert!(m.string_refs.is_empty());
        assert!(m.parse_errors.is_empty());
    }

    #[test]
    fn binary_garbage_does_not_panic_and_reports_errors() {
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        let m = parse_module(&garbage);
        assert!(!m.parse_errors.is_empty());
        let m = parse_module(b"\x00\xff\xfe\x80((((([[[[{{{{");
        assert!(!m.parse_errors.is_empty());
    }

    #[test]
    fn deeply_nested_input_does_not_overflow() {
        let mut src = String::from("x = ");
        src.push_str(&"(".repeat(20_000));
        src.push('a');
        src.push_str(&")".repeat(20_000));
        src.push_str("\nclass A:\n    def f(self):\n        self.g()\n");
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse_module(src.as_bytes()))
            .unwrap();
        let m = handle.join().unwrap();
        assert_eq!(m.classes.len(), 1);
        assert_eq!(m.attr_refs.len(), 1);
    }

    /// A base written as a 2,000-name chain is read whole, names in order.
    #[test]
    fn long_dotted_base_is_read_whole() {
        let chain: Vec<String> = (0..2_000).map(|i| format!("n{i}")).collect();
        let chain = chain.join(" . ");
        let m = parse_module(format!("class C({chain}):\n    pass\n").as_bytes());
        assert_eq!(
            m.classes[0].bases,
            [crate::scan::syntax::BaseExpr::Dotted(chain.replace(" . ", "."))]
        );
    }

    #[test]
    fn latin1_crlf_and_tabs_are_handled() {
        let src = b"# caf\xe9\r\nclass A(object):\r\n\tdef f(self):\r\n\t\tself.g('\xe9')\r\n";
        let m = parse_module(src);
        assert_eq!(m.classes.len(), 1);
        let class = &m.classes[0];
        assert_eq!(class.name, "A");
        assert_eq!(class.position, Position { line: 2, column: 7 });
        assert_eq!(class.methods.len(), 1);
        assert_eq!(class.methods[0].name, "f");
        assert_eq!(class.methods[0].position, Position { line: 3, column: 6 });
        assert_eq!(m.attr_refs.len(), 1);
        let r = &m.attr_refs[0];
        assert_eq!(r.receiver, Receiver::SelfParam);
        assert_eq!(r.attr, "g");
        assert_eq!(r.position, Position { line: 4, column: 8 });
        assert_eq!(&src[r.attr_range.clone()], b"g");
    }

    /// An old Mac file: lines end with a lone `\r`. Python reads it as
    /// lines (`ast` puts class A on line 2, f on 3, the call on 4), and so
    /// must the extraction.
    #[test]
    fn cr_only_line_endings_count_as_lines() {
        let src = b"# old Mac file\rclass A(Base):  # the base\r    def f(self, a):\r        return self.g(a, 2)\r\r";
        let m = parse_module(src);
        assert!(m.parse_errors.is_empty(), "{:?}", m.parse_errors);
        assert_eq!(m.classes.len(), 1);
        let class = &m.classes[0];
        assert_eq!(class.name, "A");
        assert_eq!(class.position, Position { line: 2, column: 7 });
        assert_eq!(class.bases, [crate::scan::syntax::BaseExpr::Dotted("Base".into())]);
        assert_eq!(class.methods.len(), 1);
        let f = &class.methods[0];
        assert_eq!(f.name, "f");
        assert_eq!(f.position, Position { line: 3, column: 9 });
        assert_eq!(f.signature.text, "(self, a)");
        // The header ends at its `:`, not at the end of the file.
        assert_eq!(&src[f.header_range.clone()], b"def f(self, a):");
        assert_eq!(m.attr_refs.len(), 1);
        let r = &m.attr_refs[0];
        assert_eq!((r.receiver.clone(), r.attr.as_str()), (Receiver::SelfParam, "g"));
        assert_eq!(r.position, Position { line: 4, column: 21 });
        assert_eq!(r.call.as_ref().map(|c| c.positional), Some(2));
        // Ranges index the original bytes, `\r` and all.
        assert_eq!(&src[r.expr_range.clone()], b"self.g(a, 2)");
        assert_eq!(
            &src[class.body_range.clone()],
            b"def f(self, a):\r        return self.g(a, 2)"
        );
        let layout = token_layout(src);
        let comments: Vec<&[u8]> = layout.comments.iter().map(|c| &src[c.clone()]).collect();
        assert_eq!(comments, [&b"# old Mac file"[..], b"# the base"]);
    }

    /// `\r\n` endings, and a `\r` before a `\n`, are not lone: a CRLF
    /// file parses from its own bytes, as before.
    #[test]
    fn crlf_and_mixed_endings_are_left_to_the_grammar() {
        assert_eq!(lone_cr_as_lf(b"a = 1\r\nb = 2\r\n"), None);
        assert_eq!(lone_cr_as_lf(b"a = 1\nb = 2"), None);
        assert_eq!(lone_cr_as_lf(b"a\r\nb\rc\r").as_deref(), Some(&b"a\r\nb\nc\n"[..]));
        let src = b"class A(object):\r\n    def f(self):\r\n        self.g()\r\n";
        let m = parse_module(src);
        assert_eq!(m.classes[0].methods[0].position, Position { line: 2, column: 9 });
        assert_eq!(m.attr_refs[0].position, Position { line: 3, column: 14 });
    }

    #[test]
    fn positions_are_one_based_byte_columns() {
        // "é" is two bytes in UTF-8: the column counts bytes, not characters.
        let m = parse_module("x = 'é'; y.z\n".as_bytes());
        assert_eq!(m.attr_refs.len(), 1);
        assert_eq!(m.attr_refs[0].position, Position { line: 1, column: 13 });
    }

    #[test]
    fn parallel_parsing_uses_independent_parsers() {
        use rayon::prelude::*;
        let sources: Vec<String> = (0..64)
            .map(|i| format!("class C{i}(object):\n    def m{i}(self):\n        self.x{i}()\n"))
            .collect();
        let modules: Vec<Module> = sources.par_iter().map(|s| parse_module(s.as_bytes())).collect();
        for (i, m) in modules.iter().enumerate() {
            assert_eq!(m.classes[0].name, format!("C{i}"));
            assert_eq!(m.classes[0].methods[0].name, format!("m{i}"));
            assert_eq!(m.attr_refs[0].attr, format!("x{i}"));
        }
    }

    #[test]
    fn syntax_error_keeps_classes_around_it_and_reports_region() {
        let src = "class Before(object):\n    def a(self):\n        self.b()\n\nclass Broken:\n    def h(self:\n        pass\n\nclass After(Before):\n    def c(self):\n        return self.a()\n";
        let m = parse_module(src.as_bytes());
        let names: Vec<&str> = m.classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Before", "Broken", "After"]);
        assert_eq!(m.classes[0].methods[0].name, "a");
        assert_eq!(m.classes[2].methods[0].name, "c");
        assert_eq!(m.classes[2].methods[0].kind, MethodKind::Instance);
        assert_eq!(m.parse_errors.len(), 1);
        let err = &m.parse_errors[0];
        assert_eq!(&src[err.range.clone()], "def h(self:");
        assert_eq!(err.position, Position { line: 6, column: 5 });
        let attrs: Vec<(&str, Receiver)> = m
            .attr_refs
            .iter()
            .map(|r| (r.attr.as_str(), r.receiver.clone()))
            .collect();
        assert_eq!(attrs, [("b", Receiver::SelfParam), ("a", Receiver::SelfParam)]);
    }

    #[test]
    fn nested_errors_are_reported_once_at_the_outermost_node() {
        let m = parse_module(b"\x00\xff\xfeclass \x80:\n    def f(self):\n        self.x()\n");
        assert_eq!(m.parse_errors.len(), 1);
        assert_eq!(m.parse_errors[0].range.start, 0);
        assert_eq!(m.parse_errors[0].position, Position { line: 1, column: 1 });
    }

    #[test]
    fn missing_nodes_are_reported() {
        let src = "foo(a, b\n";
        let m = parse_module(src.as_bytes());
        assert!(!m.parse_errors.is_empty());
    }

    /// The tree's S-expression, to pin down what the grammar makes of
    /// Python 2 constructs.
    fn sexp(src: &str) -> String {
        parse_tree(src.as_bytes()).unwrap().root_node().to_sexp()
    }

    /// `src` (one Python 2 statement) inside a method followed by another
    /// method: both methods and the reference after it must be extracted.
    fn assert_method_after(statement: &str) -> Module {
        let src = format!(
            "class Legacy(object):\n    def before(self):\n        {statement}\n    def after(self):\n        self.done()\n"
        );
        let m = parse_module(src.as_bytes());
        assert!(m.parse_errors.is_empty(), "{statement}: {:?}", m.parse_errors);
        assert_eq!(m.classes.len(), 1);
        let names: Vec<&str> = m.classes[0].methods.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["before", "after"], "{statement}");
        let done = m.attr_refs.iter().find(|r| r.attr == "done").unwrap();
        assert_eq!(done.receiver, Receiver::SelfParam);
        assert_eq!(done.scope.map(|s| s.method), Some(1));
        m
    }

    #[test]
    fn py2_print_statement() {
        // A dedicated `print_statement` node whose operands are `argument`s.
        assert_eq!(
            sexp("print \"hello\", x\n"),
            "(module (print_statement argument: (string (string_start) (string_content) (string_end)) argument: (identifier)))"
        );
        let m = assert_method_after("print 'x=%s' % self.x,");
        assert_eq!(m.attr_refs[0].attr, "x");
        assert_eq!(m.attr_refs[0].receiver, Receiver::SelfParam);
    }

    #[test]
    fn py2_print_chevron_and_bare_print() {
        // `print >>f, x` gets a `chevron`; a bare `print` is just a name.
        assert_eq!(
            sexp("print >>sys.stderr, x\n"),
            "(module (print_statement (chevron (attribute object: (identifier) attribute: (identifier))) argument: (identifier)))"
        );
        assert_eq!(sexp("print\n"), "(module (expression_statement (identifier)))");
        let m = assert_method_after("print >>self.log, 'x'");
        assert_eq!(m.attr_refs[0].attr, "log");
        assert_method_after("print");
    }

    #[test]
    fn py2_except_comma() {
        // `except X, e:` parses cleanly: the clause just has two `value`s.
        assert_eq!(
            sexp("try:\n    pass\nexcept ValueError, e:\n    pass\n"),
            "(module (try_statement body: (block (pass_statement)) (except_clause value: (identifier) value: (identifier) (block (pass_statement)))))"
        );
        assert_method_after("try:\n            pass\n        except (OSError, IOError), e:\n            pass");
    }

    #[test]
    fn py2_octal_and_long_literals() {
        // `0755` and `0L` are ordinary `integer` tokens.
        assert_eq!(
            sexp("os.chmod(p, 0755)\n"),
            "(module (expression_statement (call function: (attribute object: (identifier) attribute: (identifier)) arguments: (argument_list (identifier) (integer)))))"
        );
        assert_eq!(
            sexp("x = 0L\n"),
            "(module (expression_statement (assignment left: (identifier) right: (integer))))"
        );
        assert_method_after("os.chmod(path, 0755)");
    }

    #[test]
    fn py2_ur_string_prefix() {
        // `ur''` is a normal string; the prefix is part of `string_start`.
        assert_eq!(
            sexp("s = ur'abc'\n"),
            "(module (expression_statement (assignment left: (identifier) right: (string (string_start) (string_content) (string_end)))))"
        );
        assert_method_after("s = ur'\\d+'");
    }

    #[test]
    fn py2_backticks() {
        // Backticks come out as a `string` whose delimiters are the
        // backticks: the expression inside is not parsed, so `self.y` in
        // `` `self.y` `` yields no reference.
        assert_eq!(
            sexp("t = `x`\n"),
            "(module (expression_statement (assignment left: (identifier) right: (string (string_start) (string_content) (string_end)))))"
        );
        let m = assert_method_after("t = `self.y`");
        assert!(m.attr_refs.iter().all(|r| r.attr != "y"));
    }

    #[test]
    fn py2_exec_and_raise_comma() {
        assert_eq!(
            sexp("exec code in ns\n"),
            "(module (exec_statement code: (identifier) (identifier)))"
        );
        // `raise E, "msg"` raises an `expression_list`.
        assert_eq!(
            sexp("raise E, 'm'\n"),
            "(module (raise_statement (expression_list (identifier) (string (string_start) (string_content) (string_end)))))"
        );
        assert_method_after("exec \"code\" in ns");
        assert_method_after("raise ValueError, 'bad'");
    }

    #[test]
    fn py2_tuple_parameters() {
        // Tuple parameters are `tuple_pattern`s inside `parameters`, also as
        // the name of a `default_parameter`; lambdas accept them too.
        assert_eq!(
            sexp("def f(self, (a, b), c): pass\n"),
            "(module (function_definition name: (identifier) parameters: (parameters (identifier) (tuple_pattern (identifier) (identifier)) (identifier)) body: (block (pass_statement))))"
        );
        assert_method_after("g = lambda (a, b): a");
    }

    #[test]
    fn py2_not_equal_operator() {
        assert_method_after("if a <> b:\n            pass");
    }

    #[test]
    fn py2_exec_of_an_expression_is_a_local_error() {
        // The grammar's `exec_statement` only takes a string or a name as
        // its code: `exec "..." % x in d` becomes a small ERROR inside an
        // expression statement, and everything around it is still read.
        let src = "class A:\n    def f(self):\n        exec \"x = %s\" % y in d\n        self.g()\n    def h(self):\n        pass\n";
        let m = parse_module(src.as_bytes());
        assert_eq!(m.parse_errors.len(), 1);
        assert_eq!(&src[m.parse_errors[0].range.clone()], "\"x = %s\"");
        assert_eq!(m.parse_errors[0].position, Position { line: 3, column: 14 });
        let names: Vec<&str> = m.classes[0].methods.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["f", "h"]);
        assert_eq!(m.attr_refs.len(), 1);
        assert_eq!(m.attr_refs[0].attr, "g");
        assert_eq!(m.attr_refs[0].receiver, Receiver::SelfParam);
    }
}
