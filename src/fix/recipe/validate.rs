//! Checking a parsed recipe value by value, so a typo is reported against
//! the recipe file (line, column, what to change) instead of surfacing later
//! as a broken Python file: ids, titles, identifiers, keywords and builtins,
//! trailers, and rules that would collide.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::{
    MAX_TITLE_LEN, RawRecipe, RawRename, RawWiden, Recipe, RecipeError, RecipeSource, Reference, RenameRule, WidenRule,
    line_col,
};

pub(super) struct Validator<'a> {
    pub(super) text: &'a str,
    pub(super) origin: String,
}

impl Validator<'_> {
    fn err(&self, span: &Range<usize>, message: String) -> RecipeError {
        let (line, column) = line_col(self.text, span.start);
        RecipeError::Invalid {
            origin: self.origin.clone(),
            line,
            column,
            message,
        }
    }

    pub(super) fn validate(&self, raw: RawRecipe, source: RecipeSource) -> Result<Recipe, RecipeError> {
        let id = self.id(&raw.id)?;
        let title = self.title(&raw.title)?;
        let description = self.description(&raw.description)?;
        let references = raw
            .references
            .iter()
            .map(|r| self.reference(r))
            .collect::<Result<Vec<_>, _>>()?;
        let renames = self.renames(raw.rename.as_ref())?;
        let widens = self.widens(raw.widen.as_ref(), &renames)?;
        if renames.is_empty() && widens.is_empty() {
            let span = [
                raw.rename.as_ref().map(|r| r.span()),
                raw.widen.as_ref().map(|w| w.span()),
            ]
            .into_iter()
            .flatten()
            .next()
            .unwrap_or(0..0);
            return Err(self.err(
                &span,
                "the recipe changes nothing: add at least one [[rename]] table with `class`, \
                 `method` and `to`, or a [[widen]] table with `class` and `method`"
                    .to_string(),
            ));
        }
        Ok(Recipe {
            id,
            title,
            description,
            references,
            renames,
            widens,
            source,
        })
    }

    fn id(&self, id: &Spanned<String>) -> Result<String, RecipeError> {
        let value = id.get_ref();
        let mut bytes = value.bytes();
        let ok = bytes
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(self.err(
                &id.span(),
                format!(
                    "`id` must be lowercase letters, digits and dashes, starting with a \
                     letter or digit, found {value:?}: for example \"scaleio-attach-detach\""
                ),
            ));
        }
        Ok(value.clone())
    }

    fn title(&self, title: &Spanned<String>) -> Result<String, RecipeError> {
        let value = title.get_ref().trim();
        if value.is_empty() {
            return Err(self.err(
                &title.span(),
                "`title` is empty: write a one-line summary of the fix, it becomes the \
                 commit subject"
                    .to_string(),
            ));
        }
        if value.contains(['\n', '\r']) {
            return Err(self.err(
                &title.span(),
                "`title` spans several lines: keep it to one line (it becomes the commit \
                 subject) and move the rest to `description`"
                    .to_string(),
            ));
        }
        let len = value.chars().count();
        if len > MAX_TITLE_LEN {
            return Err(self.err(
                &title.span(),
                format!(
                    "`title` is {len} characters long: shorten it to at most \
                     {MAX_TITLE_LEN} (it becomes the commit subject)"
                ),
            ));
        }
        Ok(value.to_string())
    }

    fn description(&self, desc: &Spanned<String>) -> Result<String, RecipeError> {
        let value = desc.get_ref().trim_end();
        // Strip leading blank lines only: indentation of the first text line
        // is the author's choice.
        let value = value.trim_start_matches(['\n', '\r']);
        if value.trim().is_empty() {
            return Err(self.err(
                &desc.span(),
                "`description` is empty: explain the root cause, it becomes the commit \
                 message body"
                    .to_string(),
            ));
        }
        Ok(value.to_string())
    }

    fn reference(&self, r: &Spanned<String>) -> Result<Reference, RecipeError> {
        let value = r.get_ref().trim();
        if value.is_empty() {
            return Err(self.err(
                &r.span(),
                "empty entry in `references`: remove it, or write a URL or a \
                 `Key: value` trailer"
                    .to_string(),
            ));
        }
        if value.contains(['\n', '\r']) {
            return Err(self.err(
                &r.span(),
                "entry in `references` spans several lines: write one URL or one \
                 `Key: value` trailer per entry"
                    .to_string(),
            ));
        }
        // A git trailer key is letters, digits and dashes followed by ": "
        // (the value was trimmed, so a bare `Key:` ends at the colon).
        // `https://...` is not one: its colon is followed by '/'.
        if let Some((key, rest)) = value.split_once(':') {
            let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if is_key && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
                let trailer_value = rest.trim();
                if trailer_value.is_empty() {
                    return Err(self.err(
                        &r.span(),
                        format!(
                            "trailer `{key}:` in `references` has no value: write \
                             `{key}: <value>` or remove it"
                        ),
                    ));
                }
                return Ok(Reference::Trailer {
                    key: key.to_string(),
                    value: trailer_value.to_string(),
                });
            }
        }
        Ok(Reference::Link(value.to_string()))
    }

    fn renames(&self, rename: Option<&Spanned<Vec<Spanned<RawRename>>>>) -> Result<Vec<RenameRule>, RecipeError> {
        let Some(rename) = rename else {
            return Ok(Vec::new());
        };
        let mut rules: Vec<(RenameRule, &RawRename)> = Vec::new();
        // Each rule is checked against the earlier ones whose class it may
        // share: the first of them that clashes is the one reported. An
        // index of the first rule per class, field and name finds it
        // without comparing every pair (a recipe of 2,000 rules on one
        // class took a minute).
        let mut earlier = FirstRules::default();
        for raw in rename.get_ref() {
            let raw = raw.get_ref();
            let rule = self.rule(raw)?;
            let first = [
                earlier.first(&rule.class, Field::Method, &rule.method),
                earlier.first(&rule.class, Field::To, &rule.to),
                earlier.first(&rule.class, Field::To, &rule.method),
                earlier.first(&rule.class, Field::Method, &rule.to),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(j) = first {
                let (prev, prev_raw) = &rules[j];
                return Err(self.rename_clash(&rule, raw, prev, prev_raw));
            }
            earlier.insert(rules.len(), &rule.class, Field::Method, &rule.method);
            earlier.insert(rules.len(), &rule.class, Field::To, &rule.to);
            rules.push((rule, raw));
        }
        Ok(rules.into_iter().map(|(r, _)| r).collect())
    }

    /// Why `rule` cannot stand with `prev`, an earlier rule that may name
    /// the same class and shares one of its names.
    fn rename_clash(&self, rule: &RenameRule, raw: &RawRename, prev: &RenameRule, prev_raw: &RawRename) -> RecipeError {
        let prev_line = |span: Range<usize>| line_col(self.text, span.start).0;
        if prev.method == rule.method {
            return self.err(
                &raw.method.span(),
                format!(
                    "`{}.{}` is already renamed by the rule at line {}: \
                     keep only one rule for it",
                    rule.class,
                    rule.method,
                    prev_line(prev_raw.method.span())
                ),
            );
        }
        if prev.to == rule.to {
            return self.err(
                &raw.to.span(),
                format!(
                    "`{}` is already the new name of `{}.{}` (line {}): two \
                     methods of one class cannot get the same name; pick another `to`",
                    rule.to,
                    prev.class,
                    prev.method,
                    prev_line(prev_raw.to.span())
                ),
            );
        }
        // Chains (a -> b, b -> c) and swaps make the result depend on the
        // order the renames are applied in; refuse them.
        let (name, span) = if prev.to == rule.method {
            (&rule.method, raw.method.span())
        } else {
            (&rule.to, raw.to.span())
        };
        self.err(
            &span,
            format!(
                "`{name}` is both renamed and a rename target in class `{}` \
                 (see line {}): chained or swapped renames are \
                 ambiguous; rename to a name no other rule uses",
                rule.class,
                prev_line(prev_raw.method.span())
            ),
        )
    }

    fn widens(
        &self,
        widen: Option<&Spanned<Vec<Spanned<RawWiden>>>>,
        renames: &[RenameRule],
    ) -> Result<Vec<WidenRule>, RecipeError> {
        let Some(widen) = widen else {
            return Ok(Vec::new());
        };
        let mut renamed = FirstRules::default();
        for (i, r) in renames.iter().enumerate() {
            renamed.insert(i, &r.class, Field::Method, &r.method);
        }
        let mut rules: Vec<(WidenRule, &RawWiden)> = Vec::new();
        let mut earlier = FirstRules::default();
        for raw in widen.get_ref() {
            let raw = raw.get_ref();
            let class = self.class_name(&raw.class)?;
            let method = self.method_name(&raw.method)?;
            let params = match &raw.params {
                None => None,
                Some(p) => Some(self.params(p)?),
            };
            let rule = WidenRule { class, method, params };
            if let Some(j) = earlier.first(&rule.class, Field::Method, &rule.method) {
                let prev_line = line_col(self.text, rules[j].1.method.span().start).0;
                return Err(self.err(
                    &raw.method.span(),
                    format!(
                        "`{}.{}` is already widened by the rule at line {prev_line}: keep only one \
                         rule for it",
                        rule.class, rule.method
                    ),
                ));
            }
            if renamed.first(&rule.class, Field::Method, &rule.method).is_some() {
                return Err(self.err(
                    &raw.method.span(),
                    format!(
                        "`{}.{}` is both renamed and widened: a conflict gets one fix; keep the \
                         [[rename]] or the [[widen]]",
                        rule.class, rule.method
                    ),
                ));
            }
            earlier.insert(rules.len(), &rule.class, Field::Method, &rule.method);
            rules.push((rule, raw));
        }
        Ok(rules.into_iter().map(|(r, _)| r).collect())
    }

    /// `params = "..."`: parameters as they would stand in a `def`.
    fn params(&self, params: &Spanned<String>) -> Result<String, RecipeError> {
        let text = params.get_ref().trim();
        let src = format!("def f({text}):\n    pass\n");
        let module = crate::scan::parse_module(src.as_bytes());
        let items = crate::scan::parameter_list(src.as_bytes(), 4).map_or(0, |l| l.items.len());
        if text.is_empty() || text.contains(['\n', '\r']) || !module.parse_errors.is_empty() || items == 0 {
            return Err(self.err(
                &params.span(),
                format!(
                    "`params` must be parameters as written in a `def`, on one line, such as \
                     \"groups=None\" or \"**kwargs\", found {text:?}"
                ),
            ));
        }
        Ok(text.to_string())
    }

    fn class_name(&self, class: &Spanned<String>) -> Result<String, RecipeError> {
        let value = class.get_ref();
        if !value.split('.').all(is_identifier) {
            return Err(self.err(
                &class.span(),
                format!(
                    "`class` must be a class name or a dotted path such as \
                     \"pkg.module.ClassName\", found {value:?}: use identifiers \
                     (letters, digits, underscores) separated by dots"
                ),
            ));
        }
        Ok(value.clone())
    }

    fn method_name(&self, method: &Spanned<String>) -> Result<String, RecipeError> {
        let value = method.get_ref();
        if !is_identifier(value) {
            return Err(self.err(
                &method.span(),
                format!(
                    "`method` must be a Python identifier, found {value:?}: use letters, \
                     digits and underscores, not starting with a digit"
                ),
            ));
        }
        Ok(value.clone())
    }

    fn rule(&self, raw: &RawRename) -> Result<RenameRule, RecipeError> {
        let class = &self.class_name(&raw.class)?;
        let method = &self.method_name(&raw.method)?;
        let to = raw.to.get_ref();
        if !is_identifier(to) {
            return Err(self.err(
                &raw.to.span(),
                format!(
                    "`to` must be a Python identifier, found {to:?}: use letters, digits \
                     and underscores"
                ),
            ));
        }
        if to == method {
            return Err(self.err(
                &raw.to.span(),
                format!("`to` is the same as `method` ({to:?}): choose a new name"),
            ));
        }
        if PYTHON_KEYWORDS.contains(&to.as_str()) {
            return Err(self.err(
                &raw.to.span(),
                format!(
                    "`to` is the Python keyword {to:?}: `self.{to}(...)` would not parse \
                     (in Python 2 or 3); choose another name"
                ),
            ));
        }
        if PYTHON_BUILTINS.contains(&to.as_str()) {
            return Err(self.err(
                &raw.to.span(),
                format!(
                    "`to` is the Python builtin name {to:?}: a method with that name is \
                     easily confused with the builtin; choose a more specific name"
                ),
            ));
        }
        // `__name` is mangled to `_Class__name` inside the class body, so
        // callers outside the class (tests, mock.patch strings) would no
        // longer find it; `__name__` names are reserved for the language.
        if to.starts_with("__") {
            return Err(self.err(
                &raw.to.span(),
                format!(
                    "`to` starts with two underscores ({to:?}): Python mangles or reserves \
                     such names; use a single leading underscore for a private helper"
                ),
            ));
        }
        Ok(RenameRule {
            class: class.clone(),
            method: method.clone(),
            to: to.clone(),
        })
    }
}

/// A name a rule holds: the method it changes, or a rename's new name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Method,
    To,
}

/// The first rule (by index) holding each name, among the rules whose class
/// may be the same class as a given one.
///
/// Two class specs may name the same class when they are equal, or when one
/// is a simple name equal to the other's last component (a simple name
/// matches the class in any module): so only specs with the same last
/// component overlap, and among those a dotted spec overlaps an equal one
/// and every simple one, a simple spec all of them.
#[derive(Default)]
struct FirstRules {
    /// (class spec, field, name) -> first rule.
    exact: HashMap<(String, Field, String), usize>,
    /// (last component of the class, field, name) -> first rule.
    by_last: HashMap<(String, Field, String), usize>,
    /// The same, over rules whose class is a simple name only.
    simple: HashMap<(String, Field, String), usize>,
}

impl FirstRules {
    fn insert(&mut self, index: usize, class: &str, field: Field, name: &str) {
        let last = last_component(class);
        let key = |class: &str| (class.to_string(), field, name.to_string());
        self.exact.entry(key(class)).or_insert(index);
        self.by_last.entry(key(last)).or_insert(index);
        if last == class {
            self.simple.entry(key(last)).or_insert(index);
        }
    }

    /// The first rule holding `name` in `field` whose class may be `class`.
    fn first(&self, class: &str, field: Field, name: &str) -> Option<usize> {
        let last = last_component(class);
        let key = |class: &str| (class.to_string(), field, name.to_string());
        if last == class {
            return self.by_last.get(&key(last)).copied();
        }
        [self.exact.get(&key(class)), self.simple.get(&key(last))]
            .into_iter()
            .flatten()
            .min()
            .copied()
    }
}

fn last_component(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

/// ASCII Python identifier: `[A-Za-z_][A-Za-z0-9_]*`. Non-ASCII identifiers
/// are legal in Python 3 but not in Python 2, and recipes target both.
pub fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Python 3 keywords plus Python 2's `print` and `exec` statements.
const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "exec", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "print", "raise", "return", "try", "while", "with", "yield",
];

/// Builtin names of Python 3 and Python 2 (functions, types and constants).
/// A method may legally carry one of these names, but a rename should not
/// introduce one: `self.open` next to `open(...)` invites mistakes.
const PYTHON_BUILTINS: &[&str] = &[
    "Ellipsis",
    "NotImplemented",
    "__debug__",
    "__import__",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "apply",
    "ascii",
    "basestring",
    "bin",
    "bool",
    "breakpoint",
    "buffer",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "cmp",
    "coerce",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "execfile",
    "exit",
    "file",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "intern",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "long",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "property",
    "quit",
    "range",
    "raw_input",
    "reduce",
    "reload",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "unichr",
    "unicode",
    "vars",
    "xrange",
    "zip",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule the index stands for: equal specs, or a simple name equal
    /// to the other's last component.
    fn classes_overlap(a: &str, b: &str) -> bool {
        a == b || (!a.contains('.') && a == last_component(b)) || (!b.contains('.') && b == last_component(a))
    }

    /// On random rules, `FirstRules::first` is the first earlier rule that a
    /// comparison of every pair would find.
    #[test]
    fn first_rules_equals_the_pairwise_search() {
        const CLASSES: &[&str] = &["A", "B", "m.A", "n.A", "m.B", "p.m.A", "A.B"];
        const NAMES: &[&str] = &["a", "b", "c"];
        let mut state: u64 = 0x853C_49E6_748F_EA9B;
        let mut below = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..500 {
            let mut index = FirstRules::default();
            let mut rules: Vec<(&str, Field, &str)> = Vec::new();
            for i in 0..20 {
                let field = if below(2) == 0 { Field::Method } else { Field::To };
                let (class, name) = (CLASSES[below(CLASSES.len())], NAMES[below(NAMES.len())]);
                let expected = rules
                    .iter()
                    .position(|&(c, f, n)| f == field && n == name && classes_overlap(c, class));
                assert_eq!(
                    index.first(class, field, name),
                    expected,
                    "{class} {name} after {rules:?}"
                );
                index.insert(i, class, field, name);
                rules.push((class, field, name));
            }
        }
    }
}
