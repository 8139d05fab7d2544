//! Node kinds and field ids of the Python grammar, resolved once.
//!
//! `Node::kind` turns a node's symbol into a `&str` (a C string, measured
//! and checked as UTF-8 on every call) and `child_by_field_name` searches the
//! grammar's field names on every lookup; on the paths that run for every
//! node those costs added up to a good share of the extraction. Instead,
//! every symbol id of the grammar is mapped once, by its name, to a [`Kind`],
//! so a kind test is an array read, and the field ids are looked up once.
//!
//! Mapping by name (not by one id per name) keeps the tests exactly what the
//! string comparisons were: the grammar has several ids for some names
//! (`block`, `lambda`, `tuple_pattern`), all of which map to the same kind.
//! Code that runs once per import, class or method (reading imported names,
//! bases, decorators, signatures) still compares kind names: it is not hot,
//! and there the names read better.

use std::sync::OnceLock;

use tree_sitter::{Language, Node};

/// The node kinds the extractors tell apart; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Assignment,
    Attribute,
    Block,
    Call,
    ClassDefinition,
    /// `)`, `]`, `}`: the anonymous closing tokens.
    CloseParen,
    CloseBracket,
    CloseBrace,
    Comment,
    DecoratedDefinition,
    DefaultParameter,
    DictionarySplat,
    ElifClause,
    ElseClause,
    /// Error recovery's `ERROR` node.
    Error,
    ExceptClause,
    ExceptGroupClause,
    ExpressionList,
    ExpressionStatement,
    FinallyClause,
    FunctionDefinition,
    FutureImportStatement,
    GeneratorExpression,
    Identifier,
    IfStatement,
    ImportFromStatement,
    ImportStatement,
    KeywordArgument,
    Lambda,
    ListSplat,
    /// `(`, `[`, `{`: the anonymous opening tokens.
    OpenParen,
    OpenBracket,
    OpenBrace,
    ParenthesizedListSplat,
    PatternList,
    String,
    StringContent,
    StringEnd,
    StringStart,
    TryStatement,
    Tuple,
    TuplePattern,
    /// A type annotation (`x: int`).
    Type,
    TypedDefaultParameter,
    Other,
}

impl Kind {
    fn from_name(name: &str) -> Kind {
        match name {
            "assignment" => Kind::Assignment,
            "attribute" => Kind::Attribute,
            "block" => Kind::Block,
            "call" => Kind::Call,
            "class_definition" => Kind::ClassDefinition,
            ")" => Kind::CloseParen,
            "]" => Kind::CloseBracket,
            "}" => Kind::CloseBrace,
            "comment" => Kind::Comment,
            "decorated_definition" => Kind::DecoratedDefinition,
            "default_parameter" => Kind::DefaultParameter,
            "dictionary_splat" => Kind::DictionarySplat,
            "elif_clause" => Kind::ElifClause,
            "else_clause" => Kind::ElseClause,
            "ERROR" => Kind::Error,
            "except_clause" => Kind::ExceptClause,
            "except_group_clause" => Kind::ExceptGroupClause,
            "expression_list" => Kind::ExpressionList,
            "expression_statement" => Kind::ExpressionStatement,
            "finally_clause" => Kind::FinallyClause,
            "function_definition" => Kind::FunctionDefinition,
            "future_import_statement" => Kind::FutureImportStatement,
            "generator_expression" => Kind::GeneratorExpression,
            "identifier" => Kind::Identifier,
            "if_statement" => Kind::IfStatement,
            "import_from_statement" => Kind::ImportFromStatement,
            "import_statement" => Kind::ImportStatement,
            "keyword_argument" => Kind::KeywordArgument,
            "lambda" => Kind::Lambda,
            "list_splat" => Kind::ListSplat,
            "(" => Kind::OpenParen,
            "[" => Kind::OpenBracket,
            "{" => Kind::OpenBrace,
            "parenthesized_list_splat" => Kind::ParenthesizedListSplat,
            "pattern_list" => Kind::PatternList,
            "string" => Kind::String,
            "string_content" => Kind::StringContent,
            "string_end" => Kind::StringEnd,
            "string_start" => Kind::StringStart,
            "try_statement" => Kind::TryStatement,
            "tuple" => Kind::Tuple,
            "tuple_pattern" => Kind::TuplePattern,
            "type" => Kind::Type,
            "typed_default_parameter" => Kind::TypedDefaultParameter,
            _ => Kind::Other,
        }
    }
}

/// The field ids the extractors read. An id the grammar lacks would be 0,
/// which tree-sitter answers with "no such child": never a panic.
pub(crate) struct Fields {
    pub alias: u16,
    pub arguments: u16,
    pub attribute: u16,
    pub body: u16,
    pub function: u16,
    pub left: u16,
    pub module_name: u16,
    pub name: u16,
    pub object: u16,
    pub parameters: u16,
    pub right: u16,
    pub superclasses: u16,
    pub r#type: u16,
}

struct Tables {
    /// Indexed by symbol id.
    kinds: Vec<Kind>,
    fields: Fields,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let language = super::language();
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                let name = u16::try_from(id).ok().and_then(|id| language.node_kind_for_id(id));
                name.map_or(Kind::Other, Kind::from_name)
            })
            .collect();
        let field = |name: &str| field_id(&language, name);
        let fields = Fields {
            alias: field("alias"),
            arguments: field("arguments"),
            attribute: field("attribute"),
            body: field("body"),
            function: field("function"),
            left: field("left"),
            module_name: field("module_name"),
            name: field("name"),
            object: field("object"),
            parameters: field("parameters"),
            right: field("right"),
            superclasses: field("superclasses"),
            r#type: field("type"),
        };
        Tables { kinds, fields }
    })
}

fn field_id(language: &Language, name: &str) -> u16 {
    language.field_id_for_name(name).map_or(0, |id| id.get())
}

/// The node's kind.
pub(crate) fn kind(node: Node) -> Kind {
    match tables().kinds.get(usize::from(node.kind_id())) {
        Some(kind) => *kind,
        // Built-in symbols past the grammar's own (`ERROR` is u16::MAX).
        None => Kind::from_name(node.kind()),
    }
}

/// The grammar's field ids.
pub(crate) fn fields() -> &'static Fields {
    &tables().fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_ids_agree_with_kind_names() {
        // Python 2 and 3, aliased nodes (`lambda`, `block`, `tuple_pattern`
        // have several symbols) and error recovery.
        let src = "class A(B):\n    def f(self, (a, b), *c, **d):\n        g = lambda x: [y for (y, z) in x]\n        print >>f, `x`\n        exec \"s\" % y in d\n\x00\x01((((";
        let tree = super::super::parse_tree(src.as_bytes()).unwrap();
        let mut seen = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            assert_eq!(kind(node), Kind::from_name(node.kind()), "{}", node.kind());
            seen.push(kind(node));
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        for expected in [Kind::Error, Kind::Lambda, Kind::TuplePattern, Kind::Block, Kind::Other] {
            assert!(seen.contains(&expected), "{expected:?}");
        }
    }

    #[test]
    fn every_field_exists() {
        let f = fields();
        let ids = [
            f.alias,
            f.arguments,
            f.attribute,
            f.body,
            f.function,
            f.left,
            f.module_name,
            f.name,
            f.object,
            f.parameters,
            f.right,
            f.superclasses,
            f.r#type,
        ];
        assert!(ids.iter().all(|id| *id != 0));
    }
}
