//! The project's configuration, found the way ruff finds its own: walking up
//! from PATH, the first directory holding `.shadowfix.toml`,
//! `shadowfix.toml` or a `pyproject.toml` with a `[tool.shadowfix]` table
//! (in that order of preference) supplies it. Command-line flags override
//! it. A malformed file is reported with file:line:column and what to
//! change, before anything runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::report::{RULE_BROKEN, RULE_REVERSE, RULE_SHADOWED};

/// The rule ids `select`, `ignore` and `per-file-ignores` take.
pub const RULES: [&str; 3] = [RULE_SHADOWED, RULE_REVERSE, RULE_BROKEN];

/// The settings as written; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    exclude: Option<Vec<String>>,
    extend_exclude: Option<Vec<String>>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    recipes: Option<Vec<String>>,
    prefix: Option<String>,
    line_length: Option<usize>,
    cache_dir: Option<String>,
    respect_gitignore: Option<bool>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tools>,
}

#[derive(Deserialize)]
struct Tools {
    shadowfix: Option<RawConfig>,
}

/// The configuration in effect: what the file said, with paths in it made
/// absolute (relative to the file's directory).
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The file it came from; None when no file was found.
    pub file: Option<PathBuf>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    pub recipes: Vec<PathBuf>,
    pub prefix: Option<String>,
    pub line_length: Option<usize>,
    pub cache_dir: Option<PathBuf>,
    pub respect_gitignore: Option<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the configuration: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The configuration for PATH: `explicit` when given (`--config FILE`),
/// else the nearest one at or above PATH.
pub fn load(path: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
    if let Some(file) = explicit {
        return read(file, !is_pyproject(file)).map(|c| c.unwrap_or_default());
    }
    let start = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    for dir in start.ancestors() {
        for name in [".shadowfix.toml", "shadowfix.toml", "pyproject.toml"] {
            let file = dir.join(name);
            if !file.is_file() {
                continue;
            }
            if let Some(config) = read(&file, name != "pyproject.toml")? {
                return Ok(config);
            }
        }
    }
    Ok(Config::default())
}

fn is_pyproject(file: &Path) -> bool {
    file.file_name().is_some_and(|n| n == "pyproject.toml")
}

/// Reads one file: a whole shadowfix file, or a pyproject.toml's
/// `[tool.shadowfix]` (None when it has none: that pyproject does not
/// configure shadowfix, and the search goes on).
fn read(file: &Path, whole: bool) -> Result<Option<Config>, ConfigError> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
        path: shown.clone(),
        source,
    })?;
    let syntax = |e: toml::de::Error| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        ConfigError::Syntax {
            path: shown.clone(),
            line,
            column,
            message: format!(
                "{}; the keys are exclude, extend-exclude, select, ignore, per-file-ignores, recipes, prefix, \
                 line-length, cache-dir and respect-gitignore",
                e.message().trim()
            ),
        }
    };
    let raw = if whole {
        toml::from_str::<RawConfig>(&text).map_err(syntax)?
    } else {
        let Some(raw) = toml::from_str::<PyProject>(&text)
            .map_err(syntax)?
            .tool
            .and_then(|t| t.shadowfix)
        else {
            return Ok(None);
        };
        raw
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    let invalid = |message: String| ConfigError::Invalid {
        path: shown.clone(),
        message,
    };
    let check_rules = |key: &str, rules: &[String]| -> Result<(), ConfigError> {
        match rules
            .iter()
            .find(|r| !RULES.contains(&r.as_str()) && r.as_str() != "all")
        {
            Some(bad) => Err(invalid(format!(
                "`{key}` names the unknown rule `{bad}`: the rules are {}",
                RULES.join(", ")
            ))),
            None => Ok(()),
        }
    };
    if let Some(rules) = &raw.select {
        check_rules("select", rules)?;
    }
    if let Some(rules) = &raw.ignore {
        check_rules("ignore", rules)?;
    }
    let mut per_file_ignores = Vec::new();
    for (glob, rules) in raw.per_file_ignores.unwrap_or_default() {
        check_rules("per-file-ignores", &rules)?;
        globset::Glob::new(&glob).map_err(|e| invalid(format!("`per-file-ignores` has a bad glob `{glob}`: {e}")))?;
        per_file_ignores.push((glob, rules));
    }
    if raw.line_length == Some(0) {
        return Err(invalid("`line-length` must be a positive number of columns".into()));
    }
    Ok(Some(Config {
        file: Some(file.to_path_buf()),
        exclude: raw.exclude,
        extend_exclude: raw.extend_exclude.unwrap_or_default(),
        select: raw.select,
        ignore: raw.ignore,
        per_file_ignores,
        recipes: raw.recipes.unwrap_or_default().iter().map(|r| dir.join(r)).collect(),
        prefix: raw.prefix,
        line_length: raw.line_length,
        cache_dir: raw.cache_dir.map(|c| dir.join(c)),
        respect_gitignore: raw.respect_gitignore,
    }))
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn nearest_file_wins_and_pyproject_without_the_table_is_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let top = tmp.path();
        write(top, "shadowfix.toml", "prefix = \"top\"\n");
        write(&top.join("pkg"), "pyproject.toml", "[tool.black]\nline-length = 100\n");
        let deep = top.join("pkg/sub");
        std::fs::create_dir_all(&deep).unwrap();
        let c = load(&deep, None).unwrap();
        assert_eq!(c.prefix.as_deref(), Some("top"));
        write(
            &top.join("pkg"),
            "pyproject.toml",
            "[tool.shadowfix]\nprefix = \"pkg\"\n",
        );
        assert_eq!(load(&deep, None).unwrap().prefix.as_deref(), Some("pkg"));
        // In one directory, .shadowfix.toml comes before pyproject.toml.
        write(&top.join("pkg"), ".shadowfix.toml", "prefix = \"dot\"\n");
        assert_eq!(load(&deep, None).unwrap().prefix.as_deref(), Some("dot"));
    }

    #[test]
    fn malformed_files_say_where_and_what() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "shadowfix.toml", "prefix = \"x\"\nline-lenght = 100\n");
        let e = load(tmp.path(), None).unwrap_err().to_string();
        assert!(e.contains("shadowfix.toml:2:1: unknown field `line-lenght`"), "{e}");
        assert!(e.contains("the keys are exclude"), "{e}");
        write(tmp.path(), "shadowfix.toml", "select = [\"shadowed-overide\"]\n");
        let e = load(tmp.path(), None).unwrap_err().to_string();
        assert!(e.contains("unknown rule `shadowed-overide`"), "{e}");
        write(tmp.path(), "shadowfix.toml", "exclude = \"tests\"\n");
        let e = load(tmp.path(), None).unwrap_err().to_string();
        assert!(e.contains("shadowfix.toml:1:11: invalid type"), "{e}");
    }

    #[test]
    fn relative_paths_are_relative_to_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "shadowfix.toml",
            "recipes = [\"patches/mine.toml\"]\ncache-dir = \".cache\"\n",
        );
        let c = load(tmp.path(), None).unwrap();
        assert_eq!(c.recipes, [tmp.path().join("patches/mine.toml")]);
        assert_eq!(c.cache_dir, Some(tmp.path().join(".cache")));
    }
}
