//! Finding the Python files of a tree and naming their modules.
//!
//! The walk reads every `*.py` file under a root (or the root itself when it
//! is a file), skipping hidden entries, build/cache directories and virtual
//! environments, what `.gitignore` ignores (inside a git work tree, unless
//! turned off) and the user's `--exclude` globs. Symlinks are never
//! followed, so nothing outside the root is read. A file that cannot be read is reported and the walk goes
//! on; only a root that cannot be read at all is an error.
//!
//! A path is named by a `String` everywhere in the analysis; a name that is
//! not UTF-8 (a Latin-1 `caf\xe9.py` on an old tree) keeps its exact bytes
//! on the side, in [`WalkResult::raw_paths`], so that the file is written
//! back and named in diffs as it is on disk.
//!
//! Two kinds of file are reported and skipped rather than analysed, since
//! parsing them costs far more than they can hold: a binary file (a NUL
//! byte in its first 8 KB, as git and ripgrep tell binary files; Python
//! refuses source with NUL bytes) and a file over [`MAX_FILE_BYTES`]
//! (32 MB: generated data, never hand-written code; its parse tree alone
//! takes about 40 bytes of memory per byte of source).
//!
//! Module names follow Python's package rule: the directories above a file
//! count only while they are packages (hold `__init__.py`). When that chain
//! reaches the root and the root itself is a package (a site-packages
//! install such as `.../site-packages/cinder`), the chain continues above
//! the root on the real filesystem.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ignore::overrides::OverrideBuilder;
use rayon::prelude::*;

/// One Python file to analyse.
#[derive(Debug, Clone)]
pub struct SourceInput {
    /// Path relative to the root, `/`-separated.
    pub rel_path: String,
    /// Dotted module name (`cinder.volume.driver`).
    pub module: String,
    pub bytes: Vec<u8>,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct WalkResult {
    /// Readable files, sorted by `rel_path`.
    pub sources: Vec<SourceInput>,
    /// Files and directories that could not be read: (rel path, reason).
    pub unreadable: Vec<(String, String)>,
    /// For each source (by index) whose path is not UTF-8, the path's exact
    /// bytes, `/`-separated; its `rel_path` is only a lossy spelling.
    pub raw_paths: BTreeMap<usize, Vec<u8>>,
}

impl WalkResult {
    /// The same files with paths relative to the directory above the walked
    /// root, whose name is `dir`: a package read from its top keeps the
    /// package's name in every path (`cinder/volume/driver.py`).
    pub fn under(self, dir: &str) -> WalkResult {
        let join = |rel: String| {
            if rel.is_empty() {
                dir.to_string()
            } else {
                format!("{dir}/{rel}")
            }
        };
        WalkResult {
            sources: self
                .sources
                .into_iter()
                .map(|s| SourceInput {
                    rel_path: join(s.rel_path),
                    ..s
                })
                .collect(),
            unreadable: self.unreadable.into_iter().map(|(p, why)| (join(p), why)).collect(),
            raw_paths: self
                .raw_paths
                .into_iter()
                .map(|(i, raw)| (i, [dir.as_bytes(), b"/", &raw].concat()))
                .collect(),
        }
    }
}

#[derive(thiserror::Error, Debug)]
pub enum WalkError {
    #[error("cannot read {}: {source}", path.display())]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is neither a file nor a directory", path.display())]
    NotFileOrDir { path: PathBuf },
    #[error(
        "{} is not Python: a file named as PATH must end in .py or .pyi, or start with a python \
         `#!` line; give the directory holding it to scan a tree",
        path.display()
    )]
    NotPython { path: PathBuf },
    #[error(transparent)]
    Exclude(BadGlob),
}

/// The largest file analysed: 32 MB. A larger `.py` file is generated data,
/// and parsing it would take seconds and gigabytes.
pub const MAX_FILE_BYTES: usize = 32 << 20;

/// How far into a file a NUL byte marks it binary: the first chunk git and
/// ripgrep look at.
const BINARY_PROBE_BYTES: usize = 8 << 10;

/// The note for a binary file. Python refuses source holding a NUL byte,
/// so such a file holds no reference a rename must update, and unlike other
/// files left unread it does not stop a rewrite.
pub const BINARY_NOTE: &str = "binary file (NUL byte), skipped";

/// Why a file of `len` bytes that starts with `head` is skipped rather than
/// analysed (too large, or binary), or None. `commit` asks the same of git
/// blobs.
pub fn skip_reason(len: usize, head: &[u8]) -> Option<String> {
    if len > MAX_FILE_BYTES {
        let mb = |n: usize| n.div_ceil(1 << 20);
        return Some(format!(
            "file too large ({} MB, the limit is {} MB), skipped",
            mb(len),
            mb(MAX_FILE_BYTES)
        ));
    }
    if head[..head.len().min(BINARY_PROBE_BYTES)].contains(&0) {
        return Some(BINARY_NOTE.to_string());
    }
    None
}

/// Why a source file's bytes are not analysed.
enum NotRead {
    Io(std::io::Error),
    /// A [`skip_reason`].
    Skipped(String),
}

impl NotRead {
    fn reason(self) -> String {
        match self {
            NotRead::Io(err) => err.to_string(),
            NotRead::Skipped(reason) => reason,
        }
    }
}

/// The bytes of a source file, unless it cannot be read or is skipped. A
/// file over the size limit is not read at all.
fn read_source(path: &Path) -> Result<Vec<u8>, NotRead> {
    let file = File::open(path).map_err(NotRead::Io)?;
    let len = file.metadata().map_err(NotRead::Io)?.len();
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if let Some(reason) = skip_reason(len, &[]) {
        return Err(NotRead::Skipped(reason));
    }
    let mut bytes = Vec::with_capacity(len);
    // A file that grows while it is read is still held to the limit.
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(NotRead::Io)?;
    match skip_reason(bytes.len(), &bytes) {
        Some(reason) => Err(NotRead::Skipped(reason)),
        None => Ok(bytes),
    }
}

/// Whether a tree entry is left out: hidden entries (`.tox`, `.git`,
/// `.venv`, `.hidden.py`), build or cache directories and virtual
/// environments. `commit` applies the same rule to git trees, so it fixes
/// exactly what `diff` shows.
pub fn is_skipped(name: &str, is_dir: bool) -> bool {
    name.starts_with('.')
        || (is_dir
            && (matches!(name, "__pycache__" | "build" | "dist" | "node_modules" | "venv")
                || name.ends_with(".egg-info")))
}

/// What the walk leaves out besides its own rule.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Gitignore-style globs, relative to the walked root (`tests/data/`,
    /// `**/migrations/*.py`).
    pub exclude: Vec<String>,
    /// Leave out what `.gitignore` (and `.git/info/exclude`, the global
    /// excludes file) ignores; only inside a git work tree.
    pub respect_gitignore: bool,
}

#[derive(thiserror::Error, Debug)]
#[error("bad --exclude glob `{glob}`: {message}")]
pub struct BadGlob {
    pub glob: String,
    pub message: String,
}

/// Every `*.py` file under `root` (or `root` itself if it is a file), with
/// nothing left out but the built-in rule.
pub fn collect(root: &Path) -> Result<WalkResult, WalkError> {
    collect_with(root, &WalkOptions::default())
}

/// Every `*.py` file under `root` (or `root` itself if it is a file) that
/// `options` do not leave out. A file named as the root is always read.
pub fn collect_with(root: &Path, options: &WalkOptions) -> Result<WalkResult, WalkError> {
    let root_error = |source| WalkError::Root {
        path: root.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(root).map_err(root_error)?;
    if metadata.is_file() {
        return collect_file(root);
    }
    if !metadata.is_dir() {
        return Err(WalkError::NotFileOrDir {
            path: root.to_path_buf(),
        });
    }
    // Fail early and clearly when the root directory itself is unreadable,
    // rather than returning an empty result with one obscure entry.
    std::fs::read_dir(root).map_err(root_error)?;

    let mut files: Vec<(String, PathBuf, Option<Vec<u8>>)> = Vec::new();
    let mut packages: HashSet<String> = HashSet::new();
    let mut unreadable: Vec<(String, String)> = Vec::new();
    let mut overrides = OverrideBuilder::new(root);
    for glob in &options.exclude {
        // An override is a whitelist unless negated: every exclude is one.
        overrides.add(&format!("!{glob}")).map_err(|e| {
            WalkError::Exclude(BadGlob {
                glob: glob.clone(),
                message: e.to_string(),
            })
        })?;
    }
    let overrides = overrides.build().map_err(|e| {
        WalkError::Exclude(BadGlob {
            glob: options.exclude.join(" "),
            message: e.to_string(),
        })
    })?;
    let walker = WalkBuilder::new(root)
        // No hidden-file or .ignore filter: the skip rule below is ours and
        // explicit; .gitignore only when asked.
        .standard_filters(false)
        .git_ignore(options.respect_gitignore)
        .git_exclude(options.respect_gitignore)
        .git_global(options.respect_gitignore)
        .parents(options.respect_gitignore)
        .overrides(overrides)
        .follow_links(false)
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !is_skipped(&entry.file_name().to_string_lossy(), is_dir)
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = error_path(&err).map(|p| relative(root, &p)).unwrap_or_default();
                unreadable.push((path, err.to_string()));
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy();
        if !name.ends_with(".py") {
            continue;
        }
        let rel = relative(root, entry.path());
        if name == "__init__.py" {
            // Even a symlinked `__init__.py` makes its directory a package.
            let dir = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
            packages.insert(dir.to_string());
        }
        // Symlinks are not followed: a linked file may live outside root.
        if file_type.is_file() {
            let raw = raw_relative(root, entry.path());
            files.push((rel, entry.into_path(), raw));
        }
    }

    let root_prefix = root_package_prefix(root);
    let is_package = |dir: &str| packages.contains(dir);
    // Reading is the slow part on big trees: do it in parallel.
    type Read = Result<(SourceInput, Option<Vec<u8>>), (String, String)>;
    let read: Vec<Read> = files
        .into_par_iter()
        .map(|(rel_path, path, raw)| match read_source(&path) {
            Ok(bytes) => Ok((
                SourceInput {
                    module: module_name(&rel_path, &is_package, &root_prefix),
                    rel_path,
                    bytes,
                },
                raw,
            )),
            Err(not_read) => Err((rel_path, not_read.reason())),
        })
        .collect();
    let mut found = Vec::new();
    for result in read {
        match result {
            Ok(source) => found.push(source),
            Err(entry) => unreadable.push(entry),
        }
    }
    // Sorted with their raw paths, which are then keyed by position.
    found.sort_by(|a, b| a.0.rel_path.cmp(&b.0.rel_path));
    unreadable.sort();
    let mut sources = Vec::with_capacity(found.len());
    let mut raw_paths = BTreeMap::new();
    for (i, (source, raw)) in found.into_iter().enumerate() {
        sources.push(source);
        if let Some(raw) = raw {
            raw_paths.insert(i, raw);
        }
    }
    Ok(WalkResult {
        sources,
        unreadable,
        raw_paths,
    })
}

/// A root that is a single file: its name is the relative path, and its
/// module is named from its directory's packages. It must look like Python
/// (see [`is_python_file`]): `apply notes.txt` would otherwise parse prose
/// as code and could rewrite it.
fn collect_file(root: &Path) -> Result<WalkResult, WalkError> {
    let rel_path = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.to_string_lossy().into_owned());
    let bytes = match read_source(root) {
        Ok(bytes) => bytes,
        Err(NotRead::Io(source)) => {
            return Err(WalkError::Root {
                path: root.to_path_buf(),
                source,
            });
        }
        Err(NotRead::Skipped(_)) if !is_python_file(root, b"") => {
            return Err(WalkError::NotPython {
                path: root.to_path_buf(),
            });
        }
        // Skipped like any other file: a note, not an error.
        Err(NotRead::Skipped(reason)) => {
            return Ok(WalkResult {
                sources: Vec::new(),
                unreadable: vec![(rel_path, reason)],
                raw_paths: BTreeMap::new(),
            });
        }
    };
    if !is_python_file(root, &bytes) {
        return Err(WalkError::NotPython {
            path: root.to_path_buf(),
        });
    }
    let dir = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir_prefix = root_package_prefix(&dir);
    let is_package = |rel_dir: &str| rel_dir.is_empty() && !dir_prefix.is_empty();
    let raw_paths = root
        .file_name()
        .and_then(|name| raw_relative(Path::new(""), Path::new(name)))
        .map(|raw| (0, raw))
        .into_iter()
        .collect();
    Ok(WalkResult {
        sources: vec![SourceInput {
            module: module_name(&rel_path, &is_package, &dir_prefix),
            rel_path,
            bytes,
        }],
        unreadable: Vec::new(),
        raw_paths,
    })
}

/// Whether a file named on its own is Python: a `.py` or `.pyi` name, or a
/// script whose first line is a `#!` line naming python (`#!/usr/bin/env
/// python3`, `#!/usr/bin/python2.7`), as installed console scripts are.
pub fn is_python_file(path: &Path, bytes: &[u8]) -> bool {
    if path.extension().is_some_and(|e| e == "py" || e == "pyi") {
        return true;
    }
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    first.starts_with(b"#!") && first.windows(6).any(|w| w == b"python")
}

/// The path an `ignore` error is about, if it names one.
fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// `path` relative to `root`, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The exact bytes of `path` relative to `root`, `/`-separated, when they
/// are not UTF-8 (so [`relative`] could only spell them lossily); None
/// otherwise.
#[cfg(unix)]
fn raw_relative(root: &Path, path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let rel = path.strip_prefix(root).unwrap_or(path);
    if rel.to_str().is_some() {
        return None;
    }
    let parts: Vec<&[u8]> = rel.components().map(|c| c.as_os_str().as_bytes()).collect();
    Some(parts.join(&b'/'))
}

/// Elsewhere a path that is not Unicode has no byte form to keep.
#[cfg(not(unix))]
fn raw_relative(_root: &Path, _path: &Path) -> Option<Vec<u8>> {
    None
}

/// Module name for a '/'-separated path relative to a root, given which
/// directories (relative, "" = root) are packages (contain __init__.py) and
/// the dotted package prefix of the root itself ("" when root is not a
/// package).
pub fn module_name(rel_path: &str, is_package_dir: &dyn Fn(&str) -> bool, root_prefix: &str) -> String {
    let mut parts: Vec<&str> = rel_path.split('/').filter(|p| !p.is_empty()).collect();
    let Some(file) = parts.pop() else {
        return String::new();
    };
    let stem = file
        .strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))
        .unwrap_or(file);

    // Climb from the file's directory while directories are packages.
    let mut chain: Vec<&str> = Vec::new();
    let mut depth = parts.len();
    loop {
        let dir = parts[..depth].join("/");
        if !is_package_dir(&dir) {
            break;
        }
        if depth == 0 {
            // The root is a package: its own dotted name goes first.
            if !root_prefix.is_empty() {
                chain.push(root_prefix);
            }
            break;
        }
        chain.push(parts[depth - 1]);
        depth -= 1;
    }
    chain.reverse();
    // `pkg/__init__.py` is the package itself.
    if stem != "__init__" || chain.is_empty() {
        chain.push(stem);
    }
    chain.join(".")
}

/// The dotted package name of `root` itself: its name and those of the
/// package directories above it, or "" when root is not a package.
pub fn root_package_prefix(root: &Path) -> String {
    // Canonical, so that `.` or `pkg/..` have real names to climb through.
    let mut dir = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut names = Vec::new();
    while dir.join("__init__.py").is_file() {
        let Some(name) = dir.file_name() else {
            break;
        };
        names.push(name.to_string_lossy().into_owned());
        if !dir.pop() {
            break;
        }
    }
    names.reverse();
    names.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, format!("# {rel}\n")).unwrap();
    }

    fn listing(result: &WalkResult) -> Vec<(&str, &str)> {
        result
            .sources
            .iter()
            .map(|s| (s.rel_path.as_str(), s.module.as_str()))
            .collect()
    }

    #[test]
    fn checkout_layout() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("cinder-repo");
        for f in [
            "setup.py",
            "cinder/__init__.py",
            "cinder/volume/__init__.py",
            "cinder/volume/driver.py",
            "cinder/volume/drivers/__init__.py",
            "cinder/volume/drivers/scaleio.py",
            "tools/check.py",
            "tools/sub/__init__.py",
            "tools/sub/x.py",
        ] {
            touch(&root, f);
        }
        let result = collect(&root).unwrap();
        assert_eq!(
            listing(&result),
            [
                ("cinder/__init__.py", "cinder"),
                ("cinder/volume/__init__.py", "cinder.volume"),
                ("cinder/volume/driver.py", "cinder.volume.driver"),
                ("cinder/volume/drivers/__init__.py", "cinder.volume.drivers"),
                ("cinder/volume/drivers/scaleio.py", "cinder.volume.drivers.scaleio"),
                ("setup.py", "setup"),
                ("tools/check.py", "check"),
                ("tools/sub/__init__.py", "sub"),
                ("tools/sub/x.py", "sub.x"),
            ]
        );
        assert_eq!(result.sources[2].bytes, b"# cinder/volume/driver.py\n");
        assert!(result.unreadable.is_empty());
    }

    #[test]
    fn site_packages_layout_root_is_the_package() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site-packages");
        for f in [
            "cinder/__init__.py",
            "cinder/volume/__init__.py",
            "cinder/volume/driver.py",
            "cinder/cmd/volume.py",
        ] {
            touch(&site, f);
        }
        let root = site.join("cinder");
        assert_eq!(root_package_prefix(&root), "cinder");
        assert_eq!(root_package_prefix(&site), "");
        let result = collect(&root).unwrap();
        assert_eq!(
            listing(&result),
            [
                ("__init__.py", "cinder"),
                // `cmd` has no __init__.py: the chain stops there.
                ("cmd/volume.py", "volume"),
                ("volume/__init__.py", "cinder.volume"),
                ("volume/driver.py", "cinder.volume.driver"),
            ]
        );
    }

    #[test]
    fn root_inside_nested_packages_climbs_above_root() {
        let tmp = tempfile::tempdir().unwrap();
        touch(tmp.path(), "a/__init__.py");
        touch(tmp.path(), "a/b/__init__.py");
        touch(tmp.path(), "a/b/c.py");
        let root = tmp.path().join("a").join("b");
        assert_eq!(root_package_prefix(&root), "a.b");
        // A relative spelling of the same directory has the same name.
        assert_eq!(root_package_prefix(&root.join("..").join("b")), "a.b");
        let result = collect(&root).unwrap();
        assert_eq!(listing(&result), [("__init__.py", "a.b"), ("c.py", "a.b.c")]);
    }

    #[test]
    fn single_file_root() {
        let tmp = tempfile::tempdir().unwrap();
        touch(tmp.path(), "loose.py");
        touch(tmp.path(), "pkg/__init__.py");
        touch(tmp.path(), "pkg/mod.py");
        let result = collect(&tmp.path().join("loose.py")).unwrap();
        assert_eq!(listing(&result), [("loose.py", "loose")]);
        let result = collect(&tmp.path().join("pkg/mod.py")).unwrap();
        assert_eq!(listing(&result), [("mod.py", "pkg.mod")]);
        assert_eq!(result.sources[0].bytes, b"# pkg/mod.py\n");
    }

    #[test]
    fn skip_rules() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in [
            "keep.py",
            "notes.txt",
            ".hidden.py",
            ".git/hook.py",
            ".tox/py27/lib/x.py",
            ".eggs/e.py",
            "__pycache__/keep.cpython-311.py",
            "build/lib/x.py",
            "dist/x.py",
            "pkg.egg-info/x.py",
            "node_modules/x.py",
            "src/build.py",
            "src/dist_utils.py",
            "src/keep_too.py",
        ] {
            touch(root, f);
        }
        // .gitignore must not hide files.
        fs::write(root.join(".gitignore"), "src/\n*.py\n").unwrap();
        fs::create_dir(root.join(".git")).ok();
        let result = collect(root).unwrap();
        assert_eq!(
            listing(&result),
            [
                ("keep.py", "keep"),
                ("src/build.py", "build"),
                ("src/dist_utils.py", "dist_utils"),
                ("src/keep_too.py", "keep_too"),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        touch(&outside, "secret.py");
        touch(&outside, "pkg/__init__.py");
        let root = tmp.path().join("root");
        touch(&root, "real.py");
        symlink(&outside, root.join("linked_dir")).unwrap();
        symlink(outside.join("secret.py"), root.join("linked_file.py")).unwrap();
        let result = collect(&root).unwrap();
        assert_eq!(listing(&result), [("real.py", "real")]);
        assert!(result.unreadable.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_latin1_file_name_keeps_its_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        touch(&root, "a.py");
        touch(&root, "pkg/__init__.py");
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
        fs::write(root.join("pkg").join(name), "x = 1\n").unwrap();
        let result = collect(&root).unwrap();
        assert_eq!(
            listing(&result),
            [
                ("a.py", "a"),
                ("pkg/__init__.py", "pkg"),
                ("pkg/caf\u{fffd}.py", "pkg.caf\u{fffd}")
            ]
        );
        assert_eq!(result.raw_paths, BTreeMap::from([(2, b"pkg/caf\xe9.py".to_vec())]));
        let under = result.under("top");
        assert_eq!(under.raw_paths, BTreeMap::from([(2, b"top/pkg/caf\xe9.py".to_vec())]));
        let single = collect(&root.join("pkg").join(name)).unwrap();
        assert_eq!(single.raw_paths, BTreeMap::from([(0, b"caf\xe9.py".to_vec())]));
    }

    #[test]
    fn missing_root_error_names_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("no-such-dir");
        let err = collect(&missing).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(&missing.display().to_string()), "{message}");
        assert!(message.starts_with("cannot read "), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_root_and_files() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        touch(&root, "ok.py");
        touch(&root, "secret.py");
        touch(&root, "locked/inner.py");
        fs::set_permissions(root.join("secret.py"), fs::Permissions::from_mode(0o000)).unwrap();
        fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
        // Running as root (containers, CI) permissions do not apply: only
        // check what can be checked.
        let enforced = fs::read(root.join("secret.py")).is_err();
        let result = collect(&root).unwrap();
        if enforced {
            assert_eq!(listing(&result), [("ok.py", "ok")]);
            let paths: Vec<&str> = result.unreadable.iter().map(|(p, _)| p.as_str()).collect();
            assert_eq!(paths, ["locked", "secret.py"]);
            fs::set_permissions(&root, fs::Permissions::from_mode(0o000)).unwrap();
            let message = collect(&root).unwrap_err().to_string();
            assert!(message.contains(&root.display().to_string()), "{message}");
            fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        } else {
            assert_eq!(result.sources.len(), 3);
        }
        fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A NUL byte in the first 8 KB marks a file binary; a file over the
    /// limit is not even read (this one is sparse: no byte is written).
    #[test]
    fn binary_and_oversized_files_are_skipped_with_a_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        touch(root, "ok.py");
        fs::write(root.join("blob.py"), b"\x7fELF\x02\x01\x01\x00").unwrap();
        let mut late = vec![b'#'; BINARY_PROBE_BYTES];
        late.extend_from_slice(b"\x00\nx = 1\n");
        fs::write(root.join("late_nul.py"), &late).unwrap();
        let huge = fs::File::create(root.join("huge.py")).unwrap();
        huge.set_len(MAX_FILE_BYTES as u64 + 1).unwrap();
        let result = collect(root).unwrap();
        assert_eq!(listing(&result), [("late_nul.py", "late_nul"), ("ok.py", "ok")]);
        assert_eq!(result.sources[0].bytes, late);
        assert_eq!(
            result.unreadable,
            [
                ("blob.py".to_string(), "binary file (NUL byte), skipped".to_string()),
                (
                    "huge.py".to_string(),
                    "file too large (33 MB, the limit is 32 MB), skipped".to_string()
                ),
            ]
        );
        // A root that is such a file is skipped the same way, not an error.
        let result = collect(&root.join("blob.py")).unwrap();
        assert!(result.sources.is_empty());
        assert_eq!(
            result.unreadable,
            [("blob.py".to_string(), "binary file (NUL byte), skipped".to_string())]
        );
        // The limit itself is allowed.
        assert_eq!(skip_reason(MAX_FILE_BYTES, b"x = 1\n"), None);
    }

    #[test]
    fn a_file_path_that_is_not_python_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::write(root.join("notes.txt"), "class A:\n    pass\n").unwrap();
        fs::write(root.join("tool"), "#!/usr/bin/env python3\nclass A: pass\n").unwrap();
        fs::write(root.join("run.sh"), "#!/bin/sh\necho python\n").unwrap();
        fs::write(root.join("stub.pyi"), "class A: ...\n").unwrap();
        for name in ["notes.txt", "run.sh"] {
            let err = collect(&root.join(name)).unwrap_err();
            assert!(matches!(err, WalkError::NotPython { .. }), "{name}: {err}");
            assert!(err.to_string().contains(name), "{err}");
        }
        assert_eq!(listing(&collect(&root.join("tool")).unwrap()), [("tool", "tool")]);
        assert_eq!(
            listing(&collect(&root.join("stub.pyi")).unwrap()),
            [("stub.pyi", "stub")]
        );
    }

    #[test]
    fn module_name_rules() {
        let packages = ["", "a", "a/b", "x/y"];
        let is_pkg = |d: &str| packages.contains(&d);
        assert_eq!(module_name("a/b/c.py", &is_pkg, ""), "a.b.c");
        assert_eq!(module_name("a/b/__init__.py", &is_pkg, ""), "a.b");
        assert_eq!(module_name("a/b/c.py", &is_pkg, "root"), "root.a.b.c");
        assert_eq!(module_name("__init__.py", &is_pkg, "root"), "root");
        // `x` is not a package: the chain stops at `y`.
        assert_eq!(module_name("x/y/z.py", &is_pkg, "root"), "y.z");
        assert_eq!(module_name("x/z.py", &is_pkg, "root"), "z");
        let none = |_: &str| false;
        assert_eq!(module_name("tools/check.py", &none, ""), "check");
        assert_eq!(module_name("top.py", &none, ""), "top");
    }
}
