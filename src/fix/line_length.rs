//! The maximum line length a project's style gate enforces, read from its
//! configuration files.
//!
//! Rewritten lines must pass the same gate as the rest of the tree (OpenStack
//! runs flake8 in its pep8 job), so the limit comes from where the linters
//! look for it: flake8's section first, since that is what such gates run,
//! then ruff's, then pycodestyle's own sections. The files are read through
//! a callback, so a git tree's blobs serve as well as a checkout. A file
//! that does not parse, or a value that is not a positive integer, counts as
//! absent: a broken `tox.ini` must not stop a fix, and the next source (or
//! PEP 8's 79) is as good a guess as any.

use configparser::ini::Ini;

/// PEP 8's limit, and pycodestyle's and flake8's default.
const DEFAULT: usize = 79;

/// The project's maximum line length, from the first of:
/// 1. `[flake8] max-line-length` in `setup.cfg`, `tox.ini`, `.flake8`;
/// 2. `[tool.ruff] line-length` in `pyproject.toml` (only there: ruff's
///    `[tool.ruff.lint]` has no line length of its own);
/// 3. `[pycodestyle] max-line-length` in `setup.cfg`, `tox.ini`, then
///    `[pep8] max-line-length` in the same files.
///
/// Default 79. Keys are matched the way flake8 and pycodestyle match them:
/// case-insensitively, with `_` and `-` alike (`max_line_length`). `read`
/// returns the bytes of a file at a path relative to the tree root, or None
/// when there is no such file.
pub fn max_line_length(read: &dyn Fn(&str) -> Option<Vec<u8>>) -> usize {
    let setup = ini(read, "setup.cfg");
    let tox = ini(read, "tox.ini");
    ini_value(&setup, "flake8")
        .or_else(|| ini_value(&tox, "flake8"))
        .or_else(|| ini_value(&ini(read, ".flake8"), "flake8"))
        .or_else(|| ruff(read))
        .or_else(|| ini_value(&setup, "pycodestyle"))
        .or_else(|| ini_value(&tox, "pycodestyle"))
        .or_else(|| ini_value(&setup, "pep8"))
        .or_else(|| ini_value(&tox, "pep8"))
        .unwrap_or(DEFAULT)
}

/// An INI file as Python's configparser reads it (indented continuation
/// lines, `=` or `:`, `#` and `;` comments); None if absent or unreadable.
fn ini(read: &dyn Fn(&str) -> Option<Vec<u8>>, path: &str) -> Option<Ini> {
    let bytes = read(path)?;
    // Case-sensitive, as configparser treats section names; keys are
    // normalized in `ini_value`.
    let mut config = Ini::new_cs();
    config.set_multiline(true);
    config.read(String::from_utf8_lossy(&bytes).into_owned()).ok()?;
    Some(config)
}

/// `max-line-length` in `section`, if set to a usable number.
fn ini_value(config: &Option<Ini>, section: &str) -> Option<usize> {
    let map = config.as_ref()?.get_map_ref();
    let (_, value) = map
        .get(section)?
        .iter()
        .find(|(key, _)| key.to_ascii_lowercase().replace('_', "-") == "max-line-length")?;
    positive(value.as_deref()?.trim().parse().ok()?)
}

/// `[tool.ruff] line-length` in `pyproject.toml`.
fn ruff(read: &dyn Fn(&str) -> Option<Vec<u8>>) -> Option<usize> {
    let bytes = read("pyproject.toml")?;
    let table: toml::Table = toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()?;
    let length = table.get("tool")?.get("ruff")?.get("line-length")?.as_integer()?;
    positive(usize::try_from(length).ok()?)
}

/// A limit of 0 would make every line too long: a typo, not a style.
fn positive(n: usize) -> Option<usize> {
    (n > 0).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `max_line_length` over an in-memory tree.
    fn length(files: &[(&str, &str)]) -> usize {
        max_line_length(&|path| {
            files
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| text.as_bytes().to_vec())
        })
    }

    #[test]
    fn default_is_79() {
        assert_eq!(length(&[]), 79);
        assert_eq!(length(&[("setup.cfg", "[metadata]\nname = x\n")]), 79);
        assert_eq!(length(&[("pyproject.toml", "[tool.black]\nline-length = 88\n")]), 79);
    }

    #[test]
    fn reads_flake8_in_an_openstack_tox_ini() {
        // Multi-line values, `{posargs}`, `%` and comments around the section.
        let tox = "[tox]\nminversion = 1.6\nenvlist = py27,pep8\n\n[testenv]\ncommands =\n    python setup.py testr --slowest --testr-args='{posargs}'\n    flake8 --max-line-length=100\nsetenv = VIRTUAL_ENV={envdir}\n\n# E251 ...\n[flake8]\nignore = E251,H405\nexclude = .venv,.git,.tox,dist,*egg,build\nmax-line-length = 99\n[hacking]\nlocal-check-factory = cinder.hacking.checks.factory\n";
        assert_eq!(length(&[("tox.ini", tox)]), 99);
    }

    #[test]
    fn key_spelling_like_flake8() {
        assert_eq!(length(&[(".flake8", "[flake8]\nmax_line_length: 120\n")]), 120);
        assert_eq!(length(&[(".flake8", "[flake8]\nMax-Line-Length=101 ; why\n")]), 101);
    }

    #[test]
    fn flake8_files_in_order_then_ruff_then_pycodestyle() {
        let all = [
            (
                "setup.cfg",
                "[pycodestyle]\nmax-line-length = 81\n[pep8]\nmax-line-length = 82\n",
            ),
            (
                "tox.ini",
                "[flake8]\nmax-line-length = 83\n[pycodestyle]\nmax-line-length = 84\n",
            ),
            (".flake8", "[flake8]\nmax-line-length = 85\n"),
            ("pyproject.toml", "[tool.ruff]\nline-length = 86\n"),
        ];
        assert_eq!(length(&all), 83);
        // setup.cfg's flake8 section comes first.
        let mut first = all;
        first[0].1 = "[flake8]\nmax-line-length = 80\n";
        assert_eq!(length(&first), 80);
        // Without tox.ini: .flake8, then ruff, then pycodestyle, then pep8.
        assert_eq!(length(&[all[0], all[2], all[3]]), 85);
        assert_eq!(length(&[all[0], all[3]]), 86);
        assert_eq!(length(&[all[0]]), 81);
        assert_eq!(length(&[("setup.cfg", "[pep8]\nmax-line-length = 82\n"), all[1]]), 83);
        assert_eq!(length(&[("tox.ini", "[pycodestyle]\nmax-line-length = 84\n")]), 84);
        assert_eq!(length(&[("tox.ini", "[pep8]\nmax-line-length = 87\n")]), 87);
    }

    #[test]
    fn ruff_only_at_tool_ruff() {
        assert_eq!(
            length(&[("pyproject.toml", "[tool.ruff.lint]\nline-length = 100\n")]),
            79
        );
        assert_eq!(
            length(&[(
                "pyproject.toml",
                "[tool.ruff]\nline-length = 100\n[tool.ruff.lint]\nselect = [\"E\"]\n"
            )]),
            100
        );
    }

    #[test]
    fn malformed_files_and_values_are_ignored() {
        assert_eq!(length(&[("setup.cfg", "[flake8\nmax-line-length = 100\n")]), 79);
        assert_eq!(length(&[("tox.ini", "[flake8]\nmax-line-length = lots\n")]), 79);
        assert_eq!(length(&[("tox.ini", "[flake8]\nmax-line-length = 0\n")]), 79);
        assert_eq!(length(&[("tox.ini", "[flake8]\nmax-line-length\n")]), 79);
        assert_eq!(length(&[("pyproject.toml", "[tool.ruff\nline-length = 100\n")]), 79);
        assert_eq!(length(&[("pyproject.toml", "[tool.ruff]\nline-length = -5\n")]), 79);
        assert_eq!(
            length(&[("pyproject.toml", "[tool.ruff]\nline-length = \"100\"\n")]),
            79
        );
        // A broken file gives way to the next source.
        assert_eq!(
            length(&[
                ("setup.cfg", "[flake8\n"),
                ("tox.ini", "[flake8]\nmax-line-length = 90\n")
            ]),
            90
        );
        assert_eq!(
            length(&[
                ("pyproject.toml", "\u{0}\u{ff}"),
                ("setup.cfg", "[pep8]\nmax-line-length=88\n")
            ]),
            88
        );
        // Not UTF-8 (a latin-1 comment) is still read.
        let latin1 = max_line_length(&|path| {
            (path == "tox.ini").then(|| b"# caf\xe9\n[flake8]\nmax-line-length = 95\n".to_vec())
        });
        assert_eq!(latin1, 95);
    }
}
