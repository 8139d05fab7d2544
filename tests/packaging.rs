//! The packaging files at the repository root, checked where a mistake would
//! not show until a release: the wheel's pyproject.toml, which is also a
//! file shadowfix itself reads when it fixes the fixtures under tests/.
//! Building and installing the packages is `.ci/check-*`'s job.

mod common;

use std::path::Path;

use common::{fixture, shadowfix, stderr};

fn root_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pyproject() -> toml::Table {
    toml::from_str(&root_file("pyproject.toml")).unwrap()
}

/// The wheel is named like the crate, takes its version from Cargo.toml and
/// ships the binary alone.
#[test]
fn wheel_is_the_binary_at_cargos_version() {
    let py = pyproject();
    let project = py["project"].as_table().unwrap();
    assert_eq!(project["name"].as_str(), Some(env!("CARGO_PKG_NAME")));
    assert!(
        !project.contains_key("version"),
        "a version in pyproject.toml drifts from Cargo.toml's"
    );
    assert!(
        project["dynamic"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("version")),
        "{project:?}"
    );
    assert_eq!(py["build-system"]["build-backend"].as_str(), Some("maturin"));
    assert_eq!(py["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
}

/// shadowfix takes the line length for rewritten lines from the nearest
/// pyproject.toml (or setup.cfg, tox.ini, .flake8) at or above the tree it
/// fixes, and for the fixtures under tests/ that is now the root
/// pyproject.toml: it must hold no linter settings, so they keep PEP 8's 79.
#[test]
fn root_pyproject_leaves_the_fixtures_at_79_columns() {
    let py = pyproject();
    let tools: Vec<&String> = py["tool"].as_table().unwrap().keys().collect();
    assert_eq!(tools, ["maturin"], "linter settings in the root pyproject.toml");
    for config in ["setup.cfg", "tox.ini", ".flake8"] {
        assert!(
            !Path::new(env!("CARGO_MANIFEST_DIR")).join(config).exists(),
            "{config} at the repository root changes the fixtures' line length"
        );
    }
    // The fixture in place, not a copy: the search climbs from here to the root.
    let out = shadowfix(&["diff", fixture("kilo").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("81 characters long, over the maximum of 79"),
        "{}",
        stderr(&out)
    );
}

fn spec_tag(spec: &str, tag: &str) -> String {
    spec.lines()
        .find_map(|l| l.strip_prefix(&format!("{tag}:")))
        .unwrap_or_else(|| panic!("no {tag}: in dist/shadowfix.spec"))
        .trim()
        .to_string()
}

/// The spec builds what Cargo.toml describes: its Version is the crate's, and
/// it asks for the rust-version Cargo.toml declares.
#[test]
fn rpm_spec_matches_cargo_toml() {
    let spec = root_file("dist/shadowfix.spec");
    assert_eq!(spec_tag(&spec, "Name"), env!("CARGO_PKG_NAME"));
    assert_eq!(spec_tag(&spec, "Version"), env!("CARGO_PKG_VERSION"));
    let rust = env!("CARGO_PKG_RUST_VERSION");
    assert!(spec.contains(&format!("BuildRequires:  cargo >= {rust}\n")), "{spec}");
    assert!(spec.contains(&format!("BuildRequires:  rust >= {rust}\n")), "{spec}");
    assert!(
        spec.contains("cargo build --release --offline --locked"),
        "the spec must build offline from the vendored crates"
    );
}

#[test]
fn readme_names_the_minimum_rust() {
    let readme = root_file("README.md");
    let wanted = format!("with Rust {} or newer", env!("CARGO_PKG_RUST_VERSION"));
    assert!(readme.contains(&wanted), "README.md does not say `{wanted}`");
}
