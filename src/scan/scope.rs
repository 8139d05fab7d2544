//! What is read and what is reported for a PATH.
//!
//! A driver's base class and the inherited bodies that call its methods
//! usually live elsewhere in its package (`cinder/volume/driver.py` for
//! `cinder/volume/drivers/emc/scaleio.py`), so analysing PATH alone would
//! miss exactly the conflicts shadowfix exists to find. When PATH lies
//! inside a package (the directory holding it has `__init__.py`), the whole
//! package is read, from the top of the `__init__.py` chain, and only what
//! lies under PATH is reported. Paths are then relative to the directory
//! holding that top package, the *analysed root*, so that a diff applies
//! there with `git apply` or `patch -p1`. A PATH that is not inside a
//! package (a checkout, a top-level package such as
//! `site-packages/cinder`, a loose script) is read and reported as given.

use std::path::{Component, Path, PathBuf};

use crate::scan::analyze::Analysis;
use crate::scan::model::Project;
use crate::scan::walk::is_skipped;

/// Where to read and how to name what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What report and diff paths are relative to: the directory holding
    /// the top package, or PATH itself.
    pub root: PathBuf,
    /// What the walk reads: the top package directory, or PATH itself.
    pub walk: PathBuf,
    /// The top package's directory name, which walked paths get in front
    /// so that they are relative to `root`; None when `walk` is PATH.
    pub prefix: Option<String>,
    pub scope: Scope,
}

/// The part of the analysed tree whose findings are reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `/`-separated path relative to the analysed root; None: everything.
    under: Option<String>,
}

impl Scope {
    /// Everything that was read.
    pub fn everything() -> Scope {
        Scope::default()
    }

    /// The file or directory at `rel_path` (relative to the analysed root).
    pub fn under(rel_path: impl Into<String>) -> Scope {
        Scope {
            under: Some(rel_path.into()),
        }
    }

    /// PATH relative to the analysed root, when it is not the whole tree.
    pub fn path(&self) -> Option<&str> {
        self.under.as_deref()
    }

    /// Whether a file (by its path relative to the analysed root) lies
    /// under PATH.
    pub fn contains(&self, rel_path: &str) -> bool {
        match &self.under {
            None => true,
            Some(under) => rel_path
                .strip_prefix(under.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
        }
    }

    /// Whether a file or directory is under PATH or holds it: an
    /// unreadable directory above PATH hides PATH's files too.
    pub fn overlaps(&self, rel_path: &str) -> bool {
        self.contains(rel_path)
            || self
                .under
                .as_deref()
                .is_some_and(|under| under.strip_prefix(rel_path).is_some_and(|rest| rest.starts_with('/')))
    }

    /// The analysis as reported for this scope: the conflicts whose
    /// override, or one of whose breaking calls, lies under PATH, each
    /// with all its calls (the inherited body that breaks is usually
    /// elsewhere). The other conflicts move to `outside`, so that the fix
    /// stage can say why a recipe leaves them. Signature warnings stay when
    /// their override lies under PATH.
    pub fn restrict(&self, project: &Project, analysis: Analysis) -> Analysis {
        if self.under.is_none() {
            return analysis;
        }
        let file_of_method = |m: crate::scan::MethodId| project.file(project.class(m.class).file).rel_path.as_str();
        let (conflicts, outside): (Vec<_>, Vec<_>) = analysis.conflicts.into_iter().partition(|c| {
            self.contains(file_of_method(c.override_method))
                || c.calls
                    .iter()
                    .any(|call| self.contains(&project.file(call.file).rel_path))
        });
        let warnings = analysis
            .warnings
            .into_iter()
            .filter(|w| self.contains(file_of_method(w.override_method)))
            .collect();
        Analysis {
            conflicts,
            warnings,
            outside: analysis.outside.into_iter().chain(outside).collect(),
        }
    }
}

/// Decides what to read for `path`. A path that cannot be resolved is
/// returned as given, so that the walk reports the error with the name the
/// user typed.
pub fn locate(path: &Path) -> Target {
    let as_given = || Target {
        root: path.to_path_buf(),
        walk: path.to_path_buf(),
        prefix: None,
        scope: Scope::everything(),
    };
    // Canonical, so that `.`, `..` and symlinked spellings climb through
    // real directory names.
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return as_given();
    };
    // The walk reads only `*.py`; any other file named on its own is read
    // as Python, as given.
    let is_dir = canonical.is_dir();
    if !is_dir && canonical.extension().is_none_or(|e| e != "py") {
        return as_given();
    }
    let Some(top) = package_top(&canonical) else {
        return as_given();
    };
    let Some(root) = top.parent() else {
        return as_given();
    };
    let Ok(rel) = canonical.strip_prefix(root) else {
        return as_given();
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    // The walk from the top skips hidden and build directories; a PATH
    // inside one would silently come out empty, so it is read as given.
    let skipped = parts
        .iter()
        .enumerate()
        .any(|(i, name)| is_skipped(name, is_dir || i + 1 < parts.len()));
    let Some(prefix) = parts.first().cloned() else {
        return as_given();
    };
    if skipped {
        return as_given();
    }
    Target {
        root: display_root(path, &parts, root),
        walk: top.clone(),
        prefix: Some(prefix),
        scope: Scope::under(parts.join("/")),
    }
}

/// The highest directory of the `__init__.py` chain above `path` (a
/// canonical file or directory), or None when the directory holding `path`
/// is not a package. `path` itself does not count: a top-level package
/// (`site-packages/cinder`) is read as it is.
fn package_top(path: &Path) -> Option<PathBuf> {
    let mut top = path.parent()?;
    if !top.join("__init__.py").is_file() {
        return None;
    }
    while let Some(parent) = top.parent() {
        if !parent.join("__init__.py").is_file() {
            break;
        }
        top = parent;
    }
    Some(top.to_path_buf())
}

/// The analysed root spelled the way the user spelled PATH where that is
/// possible (`cinder/volume/x.py` gives `.`, `/src/cinder-29/cinder/x.py`
/// gives `/src/cinder-29`), so that messages and written paths read
/// naturally; otherwise (a PATH through `..` or a symlink) the canonical
/// directory.
fn display_root(path: &Path, parts: &[String], canonical_root: &Path) -> PathBuf {
    let components: Vec<Component> = path.components().collect();
    let Some(split) = components.len().checked_sub(parts.len()) else {
        return canonical_root.to_path_buf();
    };
    let tail_matches = components[split..]
        .iter()
        .zip(parts)
        .all(|(c, p)| matches!(c, Component::Normal(n) if n.to_string_lossy() == p.as_str()));
    if !tail_matches {
        return canonical_root.to_path_buf();
    }
    let lexical: PathBuf = components[..split].iter().collect();
    let lexical = if lexical.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        lexical
    };
    match std::fs::canonicalize(&lexical) {
        Ok(resolved) if resolved == canonical_root => lexical,
        _ => canonical_root.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "").unwrap();
    }

    /// `repo/pkg/sub/mod.py` with `pkg` and `sub` packages, `repo/tools`
    /// not one.
    fn tree() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = fs::canonicalize(tmp.path()).unwrap().join("repo");
        for f in [
            "pkg/__init__.py",
            "pkg/base.py",
            "pkg/sub/__init__.py",
            "pkg/sub/mod.py",
            "pkg/sub/plain/leaf.py",
            "pkg/build/__init__.py",
            "pkg/build/gen.py",
            "pkg/data.txt",
            "tools/run.py",
        ] {
            touch(&repo, f);
        }
        (tmp, repo)
    }

    #[test]
    fn a_file_inside_a_package_reads_the_whole_package() {
        let (_tmp, repo) = tree();
        let target = locate(&repo.join("pkg/sub/mod.py"));
        assert_eq!(target.root, repo);
        assert_eq!(target.walk, repo.join("pkg"));
        assert_eq!(target.prefix.as_deref(), Some("pkg"));
        assert_eq!(target.scope.path(), Some("pkg/sub/mod.py"));
    }

    #[test]
    fn a_directory_inside_a_package_and_one_that_is_not_a_package() {
        let (_tmp, repo) = tree();
        let target = locate(&repo.join("pkg/sub"));
        assert_eq!(target.walk, repo.join("pkg"));
        assert_eq!(target.scope.path(), Some("pkg/sub"));
        // `plain` has no __init__.py, but its parent does.
        let target = locate(&repo.join("pkg/sub/plain"));
        assert_eq!(target.walk, repo.join("pkg"));
        assert_eq!(target.scope.path(), Some("pkg/sub/plain"));
    }

    #[test]
    fn paths_outside_any_package_are_read_as_given() {
        let (_tmp, repo) = tree();
        for path in [
            repo.clone(),
            repo.join("pkg"),
            repo.join("tools/run.py"),
            repo.join("tools"),
        ] {
            let target = locate(&path);
            assert_eq!(target.walk, path);
            assert_eq!(target.root, path);
            assert_eq!(target.prefix, None);
            assert_eq!(target.scope, Scope::everything());
        }
        let missing = repo.join("pkg/missing.py");
        assert_eq!(locate(&missing).walk, missing);
    }

    #[test]
    fn a_path_the_package_walk_would_skip_is_read_as_given() {
        let (_tmp, repo) = tree();
        let path = repo.join("pkg/build/gen.py");
        assert_eq!(locate(&path).walk, path);
        // Nor would it read a file that is not `*.py`.
        let path = repo.join("pkg/data.txt");
        assert_eq!(locate(&path).walk, path);
    }

    #[test]
    fn the_root_keeps_the_users_spelling_when_it_can() {
        let (_tmp, repo) = tree();
        // A spelling through `..` cannot be shortened: the canonical root.
        let dotted = repo.join("pkg/sub/../sub/mod.py");
        let target = locate(&dotted);
        assert_eq!(target.root, repo);
        assert_eq!(target.scope.path(), Some("pkg/sub/mod.py"));
        assert_eq!(
            display_root(
                Path::new("pkg/sub/mod.py"),
                &["pkg".into(), "sub".into(), "mod.py".into()],
                &repo
            ),
            // Relative to the test's working directory this is not `repo`.
            repo
        );
    }

    #[test]
    fn scope_contains_whole_path_components_only() {
        let scope = Scope::under("pkg/sub");
        assert!(scope.contains("pkg/sub"));
        assert!(scope.contains("pkg/sub/mod.py"));
        assert!(!scope.contains("pkg/subway.py"));
        assert!(!scope.contains("pkg/base.py"));
        let file = Scope::under("pkg/sub/mod.py");
        assert!(file.contains("pkg/sub/mod.py"));
        assert!(!file.contains("pkg/sub/mod.pyc"));
        assert!(Scope::everything().contains("anything.py"));
        assert!(file.overlaps("pkg/sub"));
        assert!(file.overlaps("pkg"));
        assert!(!file.overlaps("pkg/su"));
        assert!(!file.overlaps("pkg/other"));
    }
}
