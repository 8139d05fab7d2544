//! Declarative fix recipes: loading, validating and resolving them.
//!
//! A recipe is a TOML file that names one or more `class.method -> new name`
//! renames plus the prose that becomes the commit message of the fix. This
//! module owns the file format, checks every value before anything is
//! rewritten (so a typo in a recipe is reported against the recipe file, with
//! line and column, instead of surfacing later as a broken Python file), and
//! turns the user's recipe arguments (built-in ids or paths) into checked
//! [`Recipe`]s. It knows nothing about Python sources; applying the renames is
//! the rewrite stage's job.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

mod validate;

use validate::Validator;
pub use validate::is_identifier;

/// Every built-in recipe, embedded at compile time.
///
/// A plain list instead of a build script keeps the build simple; the
/// `builtin_list_matches_patches_dir` test fails when a file in `patches/` is
/// missing here, so the list cannot silently fall behind the directory.
const BUILTIN: &[(&str, &str)] = &[(
    "scaleio-attach-detach.toml",
    include_str!("../../../patches/scaleio-attach-detach.toml"),
)];

/// Longest accepted title: it becomes a commit subject, and 72 columns is the
/// conventional limit for those (git log, email, review tools).
pub const MAX_TITLE_LEN: usize = 72;

/// A checked recipe: every field has passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    /// `[a-z0-9][a-z0-9-]*`, unique among the recipes in use.
    pub id: String,
    /// One line, at most [`MAX_TITLE_LEN`] characters: the commit subject.
    pub title: String,
    /// Root-cause explanation: the commit message body. Leading blank lines
    /// and trailing whitespace are removed.
    pub description: String,
    pub references: Vec<Reference>,
    pub renames: Vec<RenameRule>,
    pub widens: Vec<WidenRule>,
    pub source: RecipeSource,
}

/// One rename: method `method` of class `class` becomes `to`, together with
/// the callers that reach it through that class.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RenameRule {
    /// A simple class name (`ScaleIODriver`, matching that class in any
    /// module) or a dotted qualified name
    /// (`cinder.volume.drivers.emc.scaleio.ScaleIODriver`).
    pub class: String,
    pub method: String,
    pub to: String,
}

/// One widening: method `method` of class `class` accepts what the base
/// method's inherited callers pass (the parameters a later base gained, or
/// `**kwargs`), derived from the conflict or given as `params`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WidenRule {
    /// As for [`RenameRule::class`].
    pub class: String,
    pub method: String,
    /// Parameters to add, as written (`"groups=None"`); None derives them
    /// from the breaking calls.
    pub params: Option<String>,
}

/// A rule of either kind, for outcomes and messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rule {
    Rename(RenameRule),
    Widen(WidenRule),
}

impl Rule {
    pub fn class(&self) -> &str {
        match self {
            Rule::Rename(r) => &r.class,
            Rule::Widen(w) => &w.class,
        }
    }

    pub fn method(&self) -> &str {
        match self {
            Rule::Rename(r) => &r.method,
            Rule::Widen(w) => &w.method,
        }
    }
}

/// A reference attached to the fix's commit message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reference {
    /// `Key: value`, emitted as a git trailer (`Closes-Bug: #123`).
    Trailer { key: String, value: String },
    /// Anything else (usually a URL), emitted as a plain line.
    Link(String),
}

/// Where a recipe came from, for error messages and `--list` style output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecipeSource {
    /// A file of `patches/`, by file name, embedded in the binary.
    Builtin(&'static str),
    /// A recipe file given on the command line.
    File(PathBuf),
    /// Derived from the detected conflicts (`--auto`).
    Derived,
}

impl fmt::Display for RecipeSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipeSource::Builtin(name) => write!(f, "builtin:{name}"),
            RecipeSource::File(path) => write!(f, "{}", path.display()),
            RecipeSource::Derived => f.write_str("derived:auto"),
        }
    }
}

impl fmt::Display for RenameRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{} -> {}", self.class, self.method, self.to)
    }
}

impl fmt::Display for WidenRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.params {
            Some(p) => write!(f, "{}.{}: widen with {p}", self.class, self.method),
            None => write!(f, "{}.{}: widen", self.class, self.method),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Rename(r) => r.fmt(f),
            Rule::Widen(w) => w.fmt(f),
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Trailer { key, value } => write!(f, "{key}: {value}"),
            Reference::Link(link) => f.write_str(link),
        }
    }
}

impl Recipe {
    /// A recipe made at run time (`--auto`), not read from a file. The rules
    /// are trusted to be checked by whoever derived them.
    pub fn derived(
        id: &str,
        title: &str,
        description: &str,
        renames: Vec<RenameRule>,
        widens: Vec<WidenRule>,
    ) -> Recipe {
        Recipe {
            id: id.to_string(),
            title: title.to_string(),
            description: description.to_string(),
            references: Vec::new(),
            renames,
            widens,
            source: RecipeSource::Derived,
        }
    }

    /// Every rule, renames first, in file order.
    pub fn rules(&self) -> impl Iterator<Item = Rule> + '_ {
        self.renames
            .iter()
            .cloned()
            .map(Rule::Rename)
            .chain(self.widens.iter().cloned().map(Rule::Widen))
    }
}

/// Why a recipe could not be loaded or resolved.
#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    #[error("{path}: cannot read recipe file: {source}; check the path and its permissions")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or its keys do not match the format.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file parsed, but a value breaks one of the recipe rules.
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "unknown recipe `{id}`: the built-in recipes are {available}; \
         to use a recipe file, pass its path (ending in .toml)"
    )]
    UnknownId { id: String, available: String },
    #[error(
        "{second}: recipe id `{id}` is also used by {first}; \
         give one of them another id, or use only one of them"
    )]
    DuplicateId { id: String, first: String, second: String },
}

/// The file as written, before validation. `Spanned` keeps each value's byte
/// range so validation errors can point at the offending value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipe {
    id: Spanned<String>,
    title: Spanned<String>,
    description: Spanned<String>,
    #[serde(default)]
    references: Vec<Spanned<String>>,
    // `Option` so "no rename at all" and "rename = []" are both reported by
    // validation, with a message about recipes rather than serde's
    // "missing field".
    #[serde(default)]
    rename: Option<Spanned<Vec<Spanned<RawRename>>>>,
    #[serde(default)]
    widen: Option<Spanned<Vec<Spanned<RawWiden>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRename {
    class: Spanned<String>,
    method: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWiden {
    class: Spanned<String>,
    method: Spanned<String>,
    #[serde(default)]
    params: Option<Spanned<String>>,
}

/// All built-in recipes, in file-name order.
pub fn builtin() -> Result<Vec<Recipe>, RecipeError> {
    let mut recipes = BUILTIN
        .iter()
        .map(|&(name, text)| parse(text, RecipeSource::Builtin(name)))
        .collect::<Result<Vec<_>, _>>()?;
    recipes.sort_by_key(|r| r.source.to_string());
    check_unique_ids(&recipes)?;
    Ok(recipes)
}

/// Reads and validates one recipe file.
pub fn load_file(path: &Path) -> Result<Recipe, RecipeError> {
    let text = std::fs::read_to_string(path).map_err(|source| RecipeError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, RecipeSource::File(path.to_path_buf()))
}

/// Parses and validates recipe text; `source` is used in error messages and
/// kept in the result.
pub fn parse(text: &str, source: RecipeSource) -> Result<Recipe, RecipeError> {
    let origin = source.to_string();
    let raw: RawRecipe = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|span| line_col(text, span.start)).unwrap_or((1, 1));
        RecipeError::Syntax {
            origin: origin.clone(),
            line,
            column,
            message: syntax_message(&e),
        }
    })?;
    let v = Validator { text, origin };
    v.validate(raw, source)
}

/// Turns command-line recipe arguments into recipes.
///
/// Each spec is a path when it names an existing file or ends in `.toml`
/// (so a mistyped path reports "cannot read", not "unknown id"), otherwise a
/// built-in id. No specs means every built-in recipe.
pub fn resolve(specs: &[String]) -> Result<Vec<Recipe>, RecipeError> {
    if specs.is_empty() {
        return builtin();
    }
    // Built-ins are parsed lazily: a user who only passes files is not
    // affected by (or slowed down by) the embedded set.
    let mut builtins: Option<Vec<Recipe>> = None;
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let path = Path::new(spec);
        if spec.ends_with(".toml") || path.is_file() {
            out.push(load_file(path)?);
            continue;
        }
        if builtins.is_none() {
            builtins = Some(builtin()?);
        }
        let all = builtins.as_deref().unwrap_or_default();
        match all.iter().find(|r| r.id == *spec) {
            Some(r) => out.push(r.clone()),
            None => {
                let available = if all.is_empty() {
                    "(none)".to_string()
                } else {
                    all.iter().map(|r| format!("`{}`", r.id)).collect::<Vec<_>>().join(", ")
                };
                return Err(RecipeError::UnknownId {
                    id: spec.clone(),
                    available,
                });
            }
        }
    }
    check_unique_ids(&out)?;
    Ok(out)
}

fn check_unique_ids(recipes: &[Recipe]) -> Result<(), RecipeError> {
    for (i, r) in recipes.iter().enumerate() {
        if let Some(first) = recipes[..i].iter().find(|p| p.id == r.id) {
            return Err(RecipeError::DuplicateId {
                id: r.id.clone(),
                first: first.source.to_string(),
                second: r.source.to_string(),
            });
        }
    }
    Ok(())
}

/// toml's message, minus the source excerpt its `Display` adds (we print our
/// own `file:line:column` prefix instead), plus what to do about it.
fn syntax_message(e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    // serde's data errors start with these words; anything else comes from
    // the TOML parser itself.
    let hint = if msg.starts_with("unknown field") {
        "recipe keys are id, title, description, references, [[rename]] tables \
         with class, method and to, and [[widen]] tables with class, method and an \
         optional params"
    } else if msg.starts_with("missing field") {
        "add it to the recipe"
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        "write strings in double quotes, and `references` as a list of strings"
    } else if msg.starts_with("duplicate") {
        "keep only one of them"
    } else {
        "this is not valid TOML: check the quoting and brackets here \
         (strings need double quotes, e.g. to = \"_new_name\")"
    };
    format!("{msg}; {hint}")
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    // A span should always start on a character boundary, but never panic
    // on a bad one: round down.
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// File names of the embedded recipes, without parsing them.
#[cfg(test)]
fn builtin_file_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|&(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const GOOD: &str = r#"id = "demo-fix"
title = "Demo: rename a helper"
description = """
Why the fix is needed.
"""
references = ["Closes-Bug: #42", "https://example.org/bug/42"]

[[rename]]
class = "pkg.mod.Driver"
method = "_attach_volume"
to = "_drv_attach_volume"
"#;

    fn src() -> RecipeSource {
        RecipeSource::File(PathBuf::from("patches/x.toml"))
    }

    /// Parses `text` and returns the error as displayed.
    fn err_of(text: &str) -> String {
        match parse(text, src()) {
            Ok(r) => panic!("expected an error, got {r:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// `GOOD` with its rename table replaced by `renames`.
    fn with_renames(renames: &str) -> String {
        let head = GOOD.split("[[rename]]").next().unwrap();
        format!("{head}{renames}")
    }

    #[test]
    fn parses_a_good_recipe() {
        let r = parse(GOOD, src()).unwrap();
        assert_eq!(r.id, "demo-fix");
        assert_eq!(r.title, "Demo: rename a helper");
        assert_eq!(r.description, "Why the fix is needed.");
        assert_eq!(
            r.references,
            vec![
                Reference::Trailer {
                    key: "Closes-Bug".into(),
                    value: "#42".into()
                },
                Reference::Link("https://example.org/bug/42".into()),
            ]
        );
        assert_eq!(
            r.renames,
            vec![RenameRule {
                class: "pkg.mod.Driver".into(),
                method: "_attach_volume".into(),
                to: "_drv_attach_volume".into(),
            }]
        );
        assert_eq!(r.source, src());
    }

    #[test]
    fn bad_id() {
        let text = GOOD.replace("\"demo-fix\"", "\"Demo_fix\"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:1:6: `id` must be lowercase letters, digits and dashes, starting \
             with a letter or digit, found \"Demo_fix\": for example \"scaleio-attach-detach\""
        );
        let text = GOOD.replace("\"demo-fix\"", "\"-fix\"");
        assert!(err_of(&text).starts_with("patches/x.toml:1:6: `id` must be"));
    }

    #[test]
    fn empty_title() {
        let text = GOOD.replace("\"Demo: rename a helper\"", "\"  \"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:2:9: `title` is empty: write a one-line summary of the fix, it \
             becomes the commit subject"
        );
    }

    #[test]
    fn multi_line_title() {
        let text = GOOD.replace("\"Demo: rename a helper\"", "\"first\\nsecond\"");
        assert!(
            err_of(&text).starts_with("patches/x.toml:2:9: `title` spans several lines"),
            "{}",
            err_of(&text)
        );
    }

    #[test]
    fn long_title() {
        let long = "x".repeat(73);
        let text = GOOD.replace("Demo: rename a helper", &long);
        assert_eq!(
            err_of(&text),
            "patches/x.toml:2:9: `title` is 73 characters long: shorten it to at most 72 \
             (it becomes the commit subject)"
        );
        // Exactly 72 is fine.
        let text = GOOD.replace("Demo: rename a helper", &"x".repeat(72));
        parse(&text, src()).unwrap();
    }

    #[test]
    fn empty_description() {
        let text = GOOD.replace("Why the fix is needed.\n", "  \n");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:3:15: `description` is empty: explain the root cause, it becomes \
             the commit message body"
        );
    }

    #[test]
    fn bad_references() {
        let text = GOOD.replace("\"Closes-Bug: #42\"", "\"\"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:6:15: empty entry in `references`: remove it, or write a URL or \
             a `Key: value` trailer"
        );
        let text = GOOD.replace("\"Closes-Bug: #42\"", "\"Closes-Bug: \"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:6:15: trailer `Closes-Bug:` in `references` has no value: write \
             `Closes-Bug: <value>` or remove it"
        );
        let text = GOOD.replace("\"Closes-Bug: #42\"", "\"a\\nb\"");
        assert!(err_of(&text).starts_with("patches/x.toml:6:15: entry in `references` spans"));
    }

    #[test]
    fn no_rule() {
        let text = GOOD.split("[[rename]]").next().unwrap();
        let msg = "the recipe changes nothing: add at least one [[rename]] table with `class`, \
                   `method` and `to`, or a [[widen]] table with `class` and `method`";
        assert_eq!(err_of(text), format!("patches/x.toml:1:1: {msg}"));
        let text = format!("{text}rename = []\n");
        assert_eq!(err_of(&text), format!("patches/x.toml:8:10: {msg}"));
    }

    #[test]
    fn widen_rules() {
        let text = with_renames(
            "[[widen]]\nclass = \"Driver\"\nmethod = \"failover_host\"\n\
             [[widen]]\nclass = \"pkg.Other\"\nmethod = \"m\"\nparams = \"groups=None, **kwargs\"\n",
        );
        let r = parse(&text, src()).unwrap();
        assert!(r.renames.is_empty());
        assert_eq!(
            r.widens,
            vec![
                WidenRule {
                    class: "Driver".into(),
                    method: "failover_host".into(),
                    params: None,
                },
                WidenRule {
                    class: "pkg.Other".into(),
                    method: "m".into(),
                    params: Some("groups=None, **kwargs".into()),
                },
            ]
        );
        let bad = with_renames("[[widen]]\nclass = \"D\"\nmethod = \"m\"\nparams = \"groups=\"\n");
        assert!(
            err_of(&bad).starts_with("patches/x.toml:11:10: `params` must be parameters as written in a `def`"),
            "{}",
            err_of(&bad)
        );
        let both = format!("{GOOD}[[widen]]\nclass = \"Driver\"\nmethod = \"_attach_volume\"\n");
        assert!(
            err_of(&both).contains("is both renamed and widened"),
            "{}",
            err_of(&both)
        );
        let twice =
            with_renames("[[widen]]\nclass = \"D\"\nmethod = \"m\"\n[[widen]]\nclass = \"D\"\nmethod = \"m\"\n");
        assert!(
            err_of(&twice).contains("is already widened by the rule at line 10"),
            "{}",
            err_of(&twice)
        );
    }

    #[test]
    fn bad_class() {
        let text = GOOD.replace("\"pkg.mod.Driver\"", "\"pkg..Driver\"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:9:9: `class` must be a class name or a dotted path such as \
             \"pkg.module.ClassName\", found \"pkg..Driver\": use identifiers (letters, \
             digits, underscores) separated by dots"
        );
        let text = GOOD.replace("\"pkg.mod.Driver\"", "\"\"");
        assert!(err_of(&text).starts_with("patches/x.toml:9:9: `class` must be"));
        let text = GOOD.replace("\"pkg.mod.Driver\"", "\"1Driver\"");
        assert!(err_of(&text).starts_with("patches/x.toml:9:9: `class` must be"));
    }

    #[test]
    fn bad_method() {
        let text = GOOD.replace("\"_attach_volume\"", "\"attach-volume\"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:10:10: `method` must be a Python identifier, found \
             \"attach-volume\": use letters, digits and underscores, not starting with a digit"
        );
    }

    #[test]
    fn bad_to() {
        let text = GOOD.replace("\"_drv_attach_volume\"", "\"sio-attach\"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:11:6: `to` must be a Python identifier, found \"sio-attach\": use \
             letters, digits and underscores"
        );
        // Non-ASCII identifiers are not accepted (Python 2 cannot parse them).
        let text = GOOD.replace("\"_drv_attach_volume\"", "\"attaché\"");
        assert!(err_of(&text).starts_with("patches/x.toml:11:6: `to` must be a Python"));
    }

    #[test]
    fn to_same_as_method() {
        let text = GOOD.replace("\"_drv_attach_volume\"", "\"_attach_volume\"");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:11:6: `to` is the same as `method` (\"_attach_volume\"): choose a \
             new name"
        );
    }

    #[test]
    fn to_keyword() {
        for kw in ["print", "exec", "lambda", "async", "None"] {
            let text = GOOD.replace("\"_drv_attach_volume\"", &format!("\"{kw}\""));
            assert_eq!(
                err_of(&text),
                format!(
                    "patches/x.toml:11:6: `to` is the Python keyword \"{kw}\": `self.{kw}(...)` \
                     would not parse (in Python 2 or 3); choose another name"
                )
            );
        }
    }

    #[test]
    fn to_builtin() {
        for b in ["len", "id", "type", "object", "super", "open", "xrange"] {
            let text = GOOD.replace("\"_drv_attach_volume\"", &format!("\"{b}\""));
            assert_eq!(
                err_of(&text),
                format!(
                    "patches/x.toml:11:6: `to` is the Python builtin name \"{b}\": a method with \
                     that name is easily confused with the builtin; choose a more specific name"
                )
            );
        }
    }

    #[test]
    fn to_double_underscore() {
        let text = GOOD.replace("\"_drv_attach_volume\"", "\"__attach\"");
        assert!(
            err_of(&text).starts_with("patches/x.toml:11:6: `to` starts with two underscores"),
            "{}",
            err_of(&text)
        );
    }

    #[test]
    fn duplicate_class_method() {
        let text = with_renames(
            "[[rename]]\nclass = \"Driver\"\nmethod = \"a\"\nto = \"b\"\n\
             [[rename]]\nclass = \"pkg.Driver\"\nmethod = \"a\"\nto = \"c\"\n",
        );
        assert_eq!(
            err_of(&text),
            "patches/x.toml:14:10: `pkg.Driver.a` is already renamed by the rule at line 10: \
             keep only one rule for it"
        );
        // Different classes may rename the same method.
        let text = with_renames(
            "[[rename]]\nclass = \"a.Driver\"\nmethod = \"a\"\nto = \"b\"\n\
             [[rename]]\nclass = \"b.Driver\"\nmethod = \"a\"\nto = \"b\"\n",
        );
        assert_eq!(parse(&text, src()).unwrap().renames.len(), 2);
    }

    #[test]
    fn duplicate_to_in_class() {
        let text = with_renames(
            "[[rename]]\nclass = \"Driver\"\nmethod = \"a\"\nto = \"c\"\n\
             [[rename]]\nclass = \"Driver\"\nmethod = \"b\"\nto = \"c\"\n",
        );
        assert_eq!(
            err_of(&text),
            "patches/x.toml:15:6: `c` is already the new name of `Driver.a` (line 11): two \
             methods of one class cannot get the same name; pick another `to`"
        );
    }

    #[test]
    fn chained_rename() {
        let text = with_renames(
            "[[rename]]\nclass = \"Driver\"\nmethod = \"a\"\nto = \"b\"\n\
             [[rename]]\nclass = \"Driver\"\nmethod = \"b\"\nto = \"c\"\n",
        );
        assert_eq!(
            err_of(&text),
            "patches/x.toml:14:10: `b` is both renamed and a rename target in class `Driver` \
             (see line 10): chained or swapped renames are ambiguous; rename to a name no \
             other rule uses"
        );
    }

    /// A recipe of 2,000 rules on one class (a hostile input once took a
    /// minute to check) validates; a clash at its end names the first rule
    /// it clashes with.
    #[test]
    fn thousands_of_rules_on_one_class() {
        let rules: String = (0..2_000)
            .map(|i| format!("[[rename]]\nclass = \"Driver\"\nmethod = \"m{i}\"\nto = \"n{i}\"\n"))
            .collect();
        let text = with_renames(&rules);
        assert_eq!(parse(&text, src()).unwrap().renames.len(), 2_000);
        // Rule 5's method is on line 10 + 4 * 5.
        let clash = format!("{rules}[[rename]]\nclass = \"pkg.Driver\"\nmethod = \"m5\"\nto = \"n5\"\n");
        assert_eq!(
            err_of(&with_renames(&clash)),
            "patches/x.toml:8010:10: `pkg.Driver.m5` is already renamed by the rule at line 30: \
             keep only one rule for it"
        );
    }

    /// The earliest clashing rule is reported, whichever check it fails.
    #[test]
    fn earliest_clash_is_reported() {
        let text = with_renames(
            "[[rename]]\nclass = \"Driver\"\nmethod = \"a\"\nto = \"b\"\n\
             [[rename]]\nclass = \"Driver\"\nmethod = \"c\"\nto = \"d\"\n\
             [[rename]]\nclass = \"Driver\"\nmethod = \"c\"\nto = \"b\"\n",
        );
        assert_eq!(
            err_of(&text),
            "patches/x.toml:19:6: `b` is already the new name of `Driver.a` (line 11): two \
             methods of one class cannot get the same name; pick another `to`"
        );
        let text = with_renames(
            "[[rename]]\nclass = \"Driver\"\nmethod = \"x\"\nto = \"y\"\n\
             [[rename]]\nclass = \"Driver\"\nmethod = \"m\"\nto = \"n\"\n\
             [[rename]]\nclass = \"m.Driver\"\nmethod = \"y\"\nto = \"m\"\n",
        );
        assert_eq!(
            err_of(&text),
            "patches/x.toml:18:10: `y` is both renamed and a rename target in class `m.Driver` \
             (see line 10): chained or swapped renames are ambiguous; rename to a name no \
             other rule uses"
        );
    }

    #[test]
    fn toml_syntax_error() {
        let text = GOOD.replace("to = \"_drv_attach_volume\"", "to = _drv");
        let e = err_of(&text);
        assert!(e.starts_with("patches/x.toml:11:6: "), "{e}");
        assert!(
            e.ends_with(
                "; this is not valid TOML: check the quoting and brackets here (strings \
                 need double quotes, e.g. to = \"_new_name\")"
            ),
            "{e}"
        );
        assert!(matches!(parse(&text, src()), Err(RecipeError::Syntax { line: 11, .. })));
    }

    #[test]
    fn unknown_field() {
        let text = GOOD.replace("to = ", "new_name = ");
        let e = err_of(&text);
        assert!(e.starts_with("patches/x.toml:11:1: unknown field `new_name`"), "{e}");
        assert!(e.contains("class, method and to"), "{e}");
        let text = format!("author = \"me\"\n{GOOD}");
        let e = err_of(&text);
        assert!(e.starts_with("patches/x.toml:1:1: unknown field `author`"), "{e}");
    }

    #[test]
    fn wrong_type() {
        let text = GOOD.replace("\"Demo: rename a helper\"", "3");
        assert_eq!(
            err_of(&text),
            "patches/x.toml:2:9: invalid type: integer `3`, expected a string; write strings \
             in double quotes, and `references` as a list of strings"
        );
    }

    #[test]
    fn duplicate_key() {
        let text = GOOD.replace("title = ", "id = \"again\"\ntitle = ");
        let e = err_of(&text);
        assert!(e.starts_with("patches/x.toml:2:1: duplicate key"), "{e}");
    }

    #[test]
    fn missing_field() {
        let text = GOOD.replace("to = \"_drv_attach_volume\"\n", "");
        let e = err_of(&text);
        assert!(e.contains("missing field `to`"), "{e}");
        assert!(e.starts_with("patches/x.toml:"), "{e}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 0), (1, 1));
        assert_eq!(line_col("a\n", 2), (2, 1));
    }

    #[test]
    fn builtin_recipes_load() {
        let all = builtin().unwrap();
        assert!(!all.is_empty());
        let sio = all.iter().find(|r| r.id == "scaleio-attach-detach").unwrap();
        assert_eq!(sio.source, RecipeSource::Builtin("scaleio-attach-detach.toml"));
        assert_eq!(
            sio.renames,
            vec![
                RenameRule {
                    class: "ScaleIODriver".into(),
                    method: "_attach_volume".into(),
                    to: "_sio_attach_volume".into(),
                },
                RenameRule {
                    class: "ScaleIODriver".into(),
                    method: "_detach_volume".into(),
                    to: "_sio_detach_volume".into(),
                },
            ]
        );
        // Each built-in's file is named after its id, so `--recipe ID` and
        // the file in patches/ are easy to match up.
        for r in &all {
            assert_eq!(r.source, RecipeSource::Builtin(builtin_name(&r.id)));
        }
    }

    fn builtin_name(id: &str) -> &'static str {
        builtin_file_names()
            .find(|n| n.strip_suffix(".toml") == Some(id))
            .unwrap_or_else(|| panic!("no patches/{id}.toml"))
    }

    #[test]
    fn builtin_list_matches_patches_dir() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches");
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        let listed: BTreeSet<String> = builtin_file_names().map(String::from).collect();
        assert_eq!(
            on_disk, listed,
            "every patches/*.toml must be listed in BUILTIN in src/fix/recipe/mod.rs"
        );
        // And the embedded text is the file's current content.
        for (name, text) in BUILTIN {
            assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), *text);
        }
    }

    #[test]
    fn resolve_by_id_path_and_default() {
        let all = resolve(&[]).unwrap();
        assert_eq!(all, builtin().unwrap());

        let by_id = resolve(&["scaleio-attach-detach".to_string()]).unwrap();
        assert_eq!(by_id.len(), 1);
        assert_eq!(by_id[0].id, "scaleio-attach-detach");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, GOOD).unwrap();
        let spec = path.to_str().unwrap().to_string();
        let both = resolve(&[spec.clone(), "scaleio-attach-detach".to_string()]).unwrap();
        assert_eq!(both[0].id, "demo-fix");
        assert_eq!(both[0].source, RecipeSource::File(path.clone()));
        assert_eq!(both[1].id, "scaleio-attach-detach");

        // An existing file without the .toml extension is still a path.
        let other = dir.path().join("recipe.txt");
        std::fs::write(&other, GOOD).unwrap();
        let r = resolve(&[other.to_str().unwrap().to_string()]).unwrap();
        assert_eq!(r[0].id, "demo-fix");
    }

    #[test]
    fn resolve_missing_file() {
        let e = resolve(&["no/such/recipe.toml".to_string()]).unwrap_err();
        assert!(matches!(e, RecipeError::Read { .. }));
        assert!(
            e.to_string()
                .starts_with("no/such/recipe.toml: cannot read recipe file: "),
            "{e}"
        );
    }

    #[test]
    fn resolve_unknown_id() {
        let e = resolve(&["no-such-fix".to_string()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown recipe `no-such-fix`: the built-in recipes are \
             `scaleio-attach-detach`; to use a recipe file, pass its path (ending in .toml)"
        );
    }

    #[test]
    fn resolve_duplicates() {
        let e = resolve(&["scaleio-attach-detach".to_string(), "scaleio-attach-detach".to_string()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "builtin:scaleio-attach-detach.toml: recipe id `scaleio-attach-detach` is also \
             used by builtin:scaleio-attach-detach.toml; give one of them another id, or use \
             only one of them"
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy.toml");
        std::fs::write(&path, BUILTIN[0].1).unwrap();
        let e = resolve(&["scaleio-attach-detach".to_string(), path.to_str().unwrap().to_string()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: recipe id `scaleio-attach-detach` is also used by \
                 builtin:scaleio-attach-detach.toml; give one of them another id, or use \
                 only one of them",
                path.display()
            )
        );
    }
}
