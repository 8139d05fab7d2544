//! Property test: mutated copies of the fixture tree (lines and bytes
//! deleted, duplicated and swapped, the new names inserted) never make a
//! fix misbehave. On every run: no panic; a fix that is refused is fine;
//! a fix that goes through changes only renamed identifiers, inserted
//! parameters and the whitespace and commas that keep them in style; `git
//! apply --check` accepts its diff; and fixing the result again changes
//! nothing.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use shadowfix::deliver::unidiff;
use shadowfix::fix::{self, FixOptions, FixResult, Recipe, StyleOptions};
use shadowfix::scan::{self, Project, SourceInput};

/// The kilo fixture's files, as the walk reads them.
fn fixture() -> Vec<SourceInput> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kilo");
    scan::walk_tree(&root).expect("walk the fixture").sources
}

/// Names the fix may introduce, inserted at random to provoke clashes.
const TOKENS: &[&str] = &[
    "_sio_attach_volume",
    "_sio_detach_volume",
    "**kwargs",
    "_attach_volume",
    "def ",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine { file: usize, line: usize },
    DuplicateLine { file: usize, line: usize },
    SwapLines { file: usize, a: usize, b: usize },
    DeleteByte { file: usize, at: usize },
    DuplicateByte { file: usize, at: usize },
    SwapBytes { file: usize, a: usize, b: usize },
    InsertToken { file: usize, at: usize, token: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let f = 0usize..64;
    let n = 0usize..4096;
    prop_oneof![
        (f.clone(), n.clone()).prop_map(|(file, line)| Mutation::DeleteLine { file, line }),
        (f.clone(), n.clone()).prop_map(|(file, line)| Mutation::DuplicateLine { file, line }),
        (f.clone(), n.clone(), n.clone()).prop_map(|(file, a, b)| Mutation::SwapLines { file, a, b }),
        (f.clone(), n.clone()).prop_map(|(file, at)| Mutation::DeleteByte { file, at }),
        (f.clone(), n.clone()).prop_map(|(file, at)| Mutation::DuplicateByte { file, at }),
        (f.clone(), n.clone(), n.clone()).prop_map(|(file, a, b)| Mutation::SwapBytes { file, a, b }),
        (f, n, 0..TOKENS.len()).prop_map(|(file, at, token)| Mutation::InsertToken { file, at, token }),
    ]
}

/// Applies `m` to the sources; indexes wrap around the real sizes.
fn mutate(sources: &mut [SourceInput], m: &Mutation) {
    let pick = |file: usize| file % sources.len();
    match *m {
        Mutation::DeleteLine { file, line } | Mutation::DuplicateLine { file, line } => {
            let bytes = &mut sources[pick(file)].bytes;
            let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            if lines.is_empty() {
                return;
            }
            let i = line % lines.len();
            if matches!(m, Mutation::DeleteLine { .. }) {
                lines.remove(i);
            } else {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            *bytes = lines.concat();
        }
        Mutation::SwapLines { file, a, b } => {
            let bytes = &mut sources[pick(file)].bytes;
            let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            if lines.is_empty() {
                return;
            }
            let n = lines.len();
            lines.swap(a % n, b % n);
            *bytes = lines.concat();
        }
        Mutation::DeleteByte { file, at } | Mutation::DuplicateByte { file, at } => {
            let bytes = &mut sources[pick(file)].bytes;
            if bytes.is_empty() {
                return;
            }
            let i = at % bytes.len();
            if matches!(m, Mutation::DeleteByte { .. }) {
                bytes.remove(i);
            } else {
                let b = bytes[i];
                bytes.insert(i, b);
            }
        }
        Mutation::SwapBytes { file, a, b } => {
            let bytes = &mut sources[pick(file)].bytes;
            if bytes.is_empty() {
                return;
            }
            let n = bytes.len();
            bytes.swap(a % n, b % n);
        }
        Mutation::InsertToken { file, at, token } => {
            let bytes = &mut sources[pick(file)].bytes;
            let i = at % (bytes.len() + 1);
            bytes.splice(i..i, TOKENS[token].bytes());
        }
    }
}

/// The fix of `project`: the built-in recipes (`auto` false) or `--auto`.
fn run_fix(project: &Project, auto: bool) -> Result<FixResult, fix::FixError> {
    let analysis = scan::analyze(project);
    let mut recipes: Vec<Recipe> = if auto {
        Vec::new()
    } else {
        fix::recipe::resolve(&[]).expect("built-in recipes")
    };
    if auto {
        let choices = fix::choose(project, &analysis, None);
        recipes.extend(fix::auto_recipe(project, &choices));
    }
    let opts = FixOptions {
        strict: false,
        style: StyleOptions::default(),
    };
    fix::fix(project, &analysis, &recipes, &opts)
}

/// Every byte the fix removed is whitespace or part of an old name, and
/// every byte it added is whitespace, a comma, a `*`, or part of a new
/// name or an added parameter.
fn only_allowed_changes(result: &FixResult) -> Result<(), String> {
    let plan = &result.plan;
    let old_names: Vec<String> = plan
        .renames
        .iter()
        .map(|(q, _)| q.rsplit('.').next().unwrap_or(q).to_string())
        .collect();
    let mut new_tokens: Vec<String> = plan.renames.iter().map(|(_, to)| to.clone()).collect();
    new_tokens.extend(plan.widened.iter().flat_map(|w| w.added.clone()));
    new_tokens.extend(plan.widened.iter().flat_map(|w| {
        w.added
            .iter()
            .filter_map(|p| p.split('=').next())
            .map(|n| format!("{0}={0}", n.trim_start_matches('*')))
            .collect::<Vec<_>>()
    }));
    let fits = |chunk: &str, tokens: &[String], extra: &[char]| {
        let trimmed: String = chunk
            .chars()
            .filter(|c| !c.is_whitespace() && !extra.contains(c))
            .collect();
        trimmed.is_empty()
            || tokens
                .iter()
                .any(|t| t.contains(&trimmed) || trimmed.split(',').all(|p| p.is_empty() || t.contains(p)))
    };
    for c in &result.changes {
        let old = String::from_utf8_lossy(&c.old);
        let new = String::from_utf8_lossy(&c.new);
        let diff = similar::TextDiff::from_chars(old.as_ref(), new.as_ref());
        for op in diff.ops() {
            for change in diff.iter_changes(op) {
                let text = change.value();
                let ok = match change.tag() {
                    similar::ChangeTag::Equal => true,
                    similar::ChangeTag::Delete => fits(text, &old_names, &[]),
                    similar::ChangeTag::Insert => fits(text, &new_tokens, &[',', '*']),
                };
                if !ok {
                    return Err(format!("{}: unexpected change {:?} {text:?}", c.rel_path, change.tag()));
                }
            }
        }
    }
    Ok(())
}

/// `git apply --check` of the fix's diff against the mutated tree.
fn git_apply_check(sources: &[SourceInput], result: &FixResult) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for s in sources {
        let path = dir.path().join(&s.rel_path);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&path, &s.bytes).map_err(|e| e.to_string())?;
    }
    let diffs: Vec<_> = result.changes.iter().map(|c| c.diff()).collect();
    let patch = dir.path().join("fix.patch");
    std::fs::write(&patch, unidiff::render(&diffs, false)).map_err(|e| e.to_string())?;
    let out = Command::new("git")
        .args(["apply", "--check", "--unsafe-paths", "fix.patch"])
        .current_dir(dir.path())
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("git apply --check: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixture_trees_never_get_a_bad_fix(mutations in proptest::collection::vec(mutation(), 1..5), auto in any::<bool>()) {
        let mut sources = fixture();
        for m in &mutations {
            mutate(&mut sources, m);
        }
        let project = Project::build(sources.clone());
        let Ok(result) = run_fix(&project, auto) else {
            // A refusal writes nothing: always acceptable.
            return Ok(());
        };
        if result.changes.is_empty() {
            return Ok(());
        }
        prop_assert!(only_allowed_changes(&result).is_ok(), "{}", only_allowed_changes(&result).unwrap_err());
        prop_assert!(git_apply_check(&sources, &result).is_ok(), "{}", git_apply_check(&sources, &result).unwrap_err());
        // A second run on the fixed tree changes nothing.
        let fixed: Vec<SourceInput> = sources
            .iter()
            .map(|s| {
                let new = result.changes.iter().find(|c| c.rel_path == s.rel_path);
                SourceInput {
                    bytes: new.map_or_else(|| s.bytes.clone(), |c| c.new.clone()),
                    ..s.clone()
                }
            })
            .collect();
        let again = run_fix(&Project::build(fixed), auto);
        prop_assert!(
            again.as_ref().is_ok_and(|r| r.changes.is_empty()),
            "second run: {:?}",
            again.map(|r| r.changes.iter().map(|c| c.rel_path.clone()).collect::<Vec<_>>())
        );
    }
}
