//! `shadowfix completions` and `shadowfix man`: the generated scripts and
//! pages name every subcommand, and the real shells and groff accept them.
//! bash, zsh, fish and groff are used when installed; without them those
//! checks skip, loudly, except in CI, where `.ci/run` installs them and a
//! missing one fails.

mod common;

use std::path::Path;
use std::process::Command;

use common::{shadowfix, stderr, stdout, tool_or_skip};

/// Every subcommand a user can type.
const SUBCOMMANDS: [&str; 9] = [
    "scan",
    "diff",
    "apply",
    "recipes",
    "commit",
    "rpm-macros",
    "schema",
    "completions",
    "man",
];

/// Whether `tool` can be used; in CI its absence fails.
fn have(tool: &str, package: &str) -> bool {
    tool_or_skip(tool, &format!("apt-get install -y {package}"))
}

fn completions(shell: &str) -> String {
    let out = shadowfix(&["completions", shell]);
    assert!(out.status.success(), "completions {shell}: {}", stderr(&out));
    assert!(stderr(&out).is_empty(), "completions {shell}: {}", stderr(&out));
    stdout(&out)
}

/// Runs `program args` and returns its stdout, failing the test on a
/// non-zero exit or on anything written to stderr.
fn run_clean(program: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(program).args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{program} {args:?} failed ({}):\n{}",
        out.status,
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn completion_scripts_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = completions(shell);
        for sub in SUBCOMMANDS {
            assert!(
                script.contains(sub),
                "{shell} script does not mention `{sub}`:\n{script}"
            );
        }
        // A flag and the values of an enum flag, so the script is not just the command list.
        assert!(script.contains("--format"), "{shell}:\n{script}");
        assert!(script.contains("sarif"), "{shell}:\n{script}");
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = shadowfix(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bash"), "{}", stderr(&out));
}

/// The bash script, sourced into a real bash, completes a subcommand and
/// the values of `--format`.
#[test]
fn bash_completes_subcommands_and_values() {
    if !have("bash", "bash") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("shadowfix.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    run_clean("bash", &["-n", script.to_str().unwrap()], tmp.path());
    // `_shadowfix` is what `complete -F` registers; bash calls it with the
    // command, the word being completed and the word before it.
    let driver = r#"
        source "$1"
        complete -p shadowfix >/dev/null || exit 3
        try() { COMP_WORDS=("${@:2}"); COMP_CWORD=$(($# - 2)); COMP_LINE="${*:2}"; COMP_POINT=${#COMP_LINE}
                _shadowfix shadowfix "${@: -1}" "${@: -2:1}"; echo "$1: ${COMPREPLY[*]}"; }
        try sub shadowfix sca
        try fmt shadowfix scan --format ''
        try shell shadowfix completions ''
    "#;
    let out = run_clean("bash", &["-c", driver, "bash", script.to_str().unwrap()], tmp.path());
    assert!(out.contains("sub: scan\n"), "{out}");
    let formats = out.lines().find_map(|l| l.strip_prefix("fmt: ")).unwrap_or_default();
    for value in ["text", "json", "sarif", "github", "junit"] {
        assert!(formats.split(' ').any(|v| v == value), "{value} not offered:\n{out}");
    }
    assert!(
        out.contains("bash") && out.contains("zsh") && out.contains("fish"),
        "{out}"
    );
}

/// zsh parses the script and it defines the `_shadowfix` completion
/// function for `shadowfix`.
#[test]
fn zsh_accepts_the_script() {
    if !have("zsh", "zsh") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("_shadowfix");
    let text = completions("zsh");
    assert!(text.starts_with("#compdef shadowfix"), "{text}");
    std::fs::write(&script, text).unwrap();
    let path = script.to_str().unwrap();
    run_clean("zsh", &["-n", path], tmp.path());
    let out = run_clean(
        "zsh",
        &[
            "-f",
            "-c",
            "autoload -U compinit && compinit -u -D && source \"$1\" && whence -w _shadowfix",
            "zsh",
            path,
        ],
        tmp.path(),
    );
    assert!(out.contains("_shadowfix: function"), "{out}");
}

/// fish loads the script and completes with it (`complete -C` prints what
/// fish would offer).
#[test]
fn fish_completes_subcommands_and_values() {
    if !have("fish", "fish") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("shadowfix.fish");
    std::fs::write(&script, completions("fish")).unwrap();
    let path = script.to_str().unwrap();
    run_clean("fish", &["--no-execute", path], tmp.path());
    let out = run_clean(
        "fish",
        &[
            "--no-config",
            "-c",
            "source $argv[1]; complete -C 'shadowfix sc'; complete -C 'shadowfix scan --format '",
            path,
        ],
        tmp.path(),
    );
    assert!(out.lines().any(|l| l.starts_with("scan\t")), "{out}");
    for value in ["text", "json", "sarif"] {
        let offered = |l: &str| l == value || l.starts_with(&format!("{value}\t"));
        assert!(out.lines().any(offered), "{value} not offered:\n{out}");
    }
}

/// The roff header man relies on: the title line names the page, section 1
/// and shadowfix's version.
fn assert_man_page(roff: &str, name: &str) {
    let title = format!(".TH {name} 1  \"shadowfix {}\"", env!("CARGO_PKG_VERSION"));
    assert!(
        roff.lines().any(|l| l.starts_with(&title)),
        "no `{title}` title line:\n{roff}"
    );
    assert!(roff.contains(".SH NAME"), "{roff}");
    assert!(roff.contains(".SH SYNOPSIS"), "{roff}");
}

/// groff renders a page with every warning on and none given; returns the
/// plain text (`-P-cbou`: no bold or underline by overstriking or escapes).
fn groff(page: &Path) -> String {
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-P-cbou"])
        .arg(page)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    assert!(out.status.success(), "groff {}: {}", page.display(), stderr(&out));
    assert!(
        out.stderr.is_empty(),
        "groff warns on {}:\n{}",
        page.display(),
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn man_prints_the_main_page_with_every_subcommand() {
    let out = shadowfix(&["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let roff = stdout(&out);
    assert_man_page(&roff, "shadowfix");
    assert!(roff.contains(".SH SUBCOMMANDS"), "{roff}");
    for sub in SUBCOMMANDS {
        // roff escapes the dash: shadowfix\-scan(1).
        let reference = format!("shadowfix\\-{}(1)", sub.replace('-', "\\-"));
        assert!(roff.contains(&reference), "no reference to {reference}:\n{roff}");
    }
    assert!(!roff.contains("shadowfix\\-help(1)"), "{roff}");
    assert!(roff.contains("Exit codes"), "the long description is missing:\n{roff}");
}

/// `--dir` writes one page per subcommand besides shadowfix.1 (those the
/// main page refers to), prints their paths, and groff renders each.
#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man/man1");
    let out = shadowfix(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    let mut expected = vec![dir.join("shadowfix.1").display().to_string()];
    expected.extend(SUBCOMMANDS.map(|s| dir.join(format!("shadowfix-{s}.1")).display().to_string()));
    assert_eq!(printed, expected);
    let mut on_disk: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    on_disk.sort();
    assert_eq!(on_disk.len(), 1 + SUBCOMMANDS.len(), "{on_disk:?}");
    let scan = std::fs::read_to_string(dir.join("shadowfix-scan.1")).unwrap();
    assert_man_page(&scan, "shadowfix-scan");
    assert!(scan.contains("\\-\\-format"), "{scan}");
    if !have("groff", "groff") {
        return;
    }
    for page in &on_disk {
        assert!(!groff(page).trim().is_empty(), "{} renders empty", page.display());
    }
    // groff justifies lines, so compare with runs of spaces collapsed.
    let text = groff(&dir.join("shadowfix-scan.1"));
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("shadowfix scan [--"), "{text}");
    assert!(text.contains("sarif"), "{text}");
}

#[test]
fn man_dir_names_the_path_it_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let dir = blocker.join("man1");
    let out = shadowfix(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&dir.display().to_string()), "{}", stderr(&out));
}
