//! Checking a parsed recipe value by value, so a typo is reported against
//! the recipe file (line, column, what to change) instead of surfacing later
//! as a broken Python file: ids, titles, identifiers, keywords and builtins,
//! trailers, and rules that would collide.

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
        for raw in rename.get_ref() {
            let raw = raw.get_ref();
            let rule = self.rule(raw)?;
            for (prev, prev_raw) in &rules {
                if !classes_overlap(&prev.class, &rule.class) {
                    continue;
                }
                let prev_line = line_col(self.text, prev_raw.method.span().start).0;
                if prev.method == rule.method {
                    return Err(self.err(
                        &raw.method.span(),
                        format!(
                            "`{}.{}` is already renamed by the rule at line {prev_line}: \
                             keep only one rule for it",
                            rule.class, rule.method
                        ),
                    ));
                }
                if prev.to == rule.to {
                    let prev_line = line_col(self.text, prev_raw.to.span().start).0;
                    return Err(self.err(
                        &raw.to.span(),
                        format!(
                            "`{}` is already the new name of `{}.{}` (line {prev_line}): two \
                             methods of one class cannot get the same name; pick another `to`",
                            rule.to, prev.class, prev.method
                        ),
                    ));
                }
                // Chains (a -> b, b -> c) and swaps make the result depend on
                // the order the renames are applied in; refuse them.
                if prev.to == rule.method || prev.method == rule.to {
                    let (name, span) = if prev.to == rule.method {
                        (&rule.method, raw.method.span())
                    } else {
                        (&rule.to, raw.to.span())
                    };
                    return Err(self.err(
                        &span,
                        format!(
                            "`{name}` is both renamed and a rename target in class `{}` \
                             (see line {prev_line}): chained or swapped renames are \
                             ambiguous; rename to a name no other rule uses",
                            rule.class
                        ),
                    ));
                }
            }
            rules.push((rule, raw));
        }
        Ok(rules.into_iter().map(|(r, _)| r).collect())
    }

    fn widens(
        &self,
        widen: Option<&Spanned<Vec<Spanned<RawWiden>>>>,
        renames: &[RenameRule],
    ) -> Result<Vec<WidenRule>, RecipeError> {
        let Some(widen) = widen else {
            return Ok(Vec::new());
        };
        let mut rules: Vec<(WidenRule, &RawWiden)> = Vec::new();
        for raw in widen.get_ref() {
            let raw = raw.get_ref();
            let class = self.class_name(&raw.class)?;
            let method = self.method_name(&raw.method)?;
            let params = match &raw.params {
                None => None,
                Some(p) => Some(self.params(p)?),
            };
            let rule = WidenRule { class, method, params };
            if let Some((_, prev)) = rules
                .iter()
                .find(|(r, _)| r.method == rule.method && classes_overlap(&r.class, &rule.class))
            {
                let prev_line = line_col(self.text, prev.method.span().start).0;
                return Err(self.err(
                    &raw.method.span(),
                    format!(
                        "`{}.{}` is already widened by the rule at line {prev_line}: keep only one \
                         rule for it",
                        rule.class, rule.method
                    ),
                ));
            }
            if renames
                .iter()
                .any(|r| r.method == rule.method && classes_overlap(&r.class, &rule.class))
            {
                return Err(self.err(
                    &raw.method.span(),
                    format!(
                        "`{}.{}` is both renamed and widened: a conflict gets one fix; keep the \
                         [[rename]] or the [[widen]]",
                        rule.class, rule.method
                    ),
                ));
            }
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

/// True when the two class specs may name the same class: equal, or one is a
/// simple name equal to the other's last component (a simple name matches
/// the class in any module).
fn classes_overlap(a: &str, b: &str) -> bool {
    let last = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
    a == b || (!a.contains('.') && a == last(b)) || (!b.contains('.') && b == last(a))
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
