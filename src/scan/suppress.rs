//! Which findings the user wants: rule selection (`--select`/`--ignore`,
//! per-file ignores from the configuration) and suppression comments.
//!
//! Suppression comments: `# shadowfix: ignore` (every rule) or
//! `# shadowfix: ignore[shadowed-override, broken-call]` (those rules) on
//! the override's `def` line drops the conflict; on a call's lines it drops
//! that call, and a conflict left without calls is dropped too. A team can
//! then keep a deliberate override (or a call it knows is never made on the
//! affected class) without the gate failing.

use std::collections::HashMap;

use crate::scan::analyze::{Analysis, Conflict, ConflictKind};
use crate::scan::model::{FileId, Project};
use crate::scan::parse::token_layout;

/// The rule id a suppression names for each kind of conflict.
fn rule_id(kind: ConflictKind) -> &'static str {
    match kind {
        ConflictKind::Shadowing => "shadowed-override",
        ConflictKind::Reverse => "reverse-override",
        ConflictKind::Broken => "broken-call",
    }
}

/// What one comment suppresses: every rule, or those listed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ignore {
    All,
    Rules(Vec<String>),
}

impl Ignore {
    fn covers(&self, rule: &str) -> bool {
        match self {
            Ignore::All => true,
            Ignore::Rules(rules) => rules.iter().any(|r| r == rule),
        }
    }
}

/// Reads `# shadowfix: ignore` or `# shadowfix: ignore[a, b]` from the text
/// of one comment.
fn parse_comment(comment: &str) -> Option<Ignore> {
    let at = comment.find("shadowfix:")?;
    let rest = comment[at + "shadowfix:".len()..].trim_start();
    let rest = rest.strip_prefix("ignore")?;
    match rest.strip_prefix('[') {
        Some(list) => {
            let list = &list[..list.find(']')?];
            let rules: Vec<String> = list
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            Some(Ignore::Rules(rules))
        }
        // `ignore` must end the word: `ignored` is not a suppression.
        None if rest.chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_') => Some(Ignore::All),
        None => None,
    }
}

/// The suppressions of one file, by 1-based line.
fn suppressions(bytes: &[u8]) -> HashMap<u32, Ignore> {
    let mut out = HashMap::new();
    // Most files have none: do not parse them again.
    if !bytes.windows(10).any(|w| w == b"shadowfix:") {
        return out;
    }
    for comment in token_layout(bytes).comments {
        let text = String::from_utf8_lossy(&bytes[comment.clone()]);
        if let Some(ignore) = parse_comment(&text) {
            let line = 1 + bytes[..comment.start].iter().filter(|&&b| b == b'\n').count();
            out.insert(u32::try_from(line).unwrap_or(u32::MAX), ignore);
        }
    }
    out
}

/// The rules to report, and the files where some rules are not reported.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Report only these rules (all when empty).
    pub select: Vec<String>,
    /// Never report these rules.
    pub ignore: Vec<String>,
    /// Glob over the override's path (relative to the analysed root), and
    /// the rules not reported there.
    pub per_file_ignores: Vec<(globset::GlobMatcher, Vec<String>)>,
}

impl Policy {
    /// Whether a conflict of `rule` whose override lies in `path` is
    /// reported.
    pub fn reports(&self, rule: &str, path: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|r| r == rule))
            && !self.ignore.iter().any(|r| r == rule)
            && !self
                .per_file_ignores
                .iter()
                .any(|(glob, rules)| glob.is_match(path) && rules.iter().any(|r| r == rule || r == "all"))
    }
}

/// Drops what `policy` does not report; returns the analysis and how many
/// conflicts were dropped.
pub fn select(project: &Project, mut analysis: Analysis, policy: &Policy) -> (Analysis, usize) {
    let before = analysis.conflicts.len();
    analysis.conflicts.retain(|c| {
        let path = &project.file(project.class(c.override_method.class).file).rel_path;
        policy.reports(rule_id(c.kind), path)
    });
    let dropped = before - analysis.conflicts.len();
    (analysis, dropped)
}

/// Drops the suppressed conflicts and calls; returns the analysis and how
/// many conflicts were dropped.
pub fn apply(project: &Project, mut analysis: Analysis) -> (Analysis, usize) {
    let mut cache: HashMap<FileId, HashMap<u32, Ignore>> = HashMap::new();
    let mut lines_of = |file: FileId| -> HashMap<u32, Ignore> {
        cache
            .entry(file)
            .or_insert_with(|| suppressions(&project.file(file).bytes))
            .clone()
    };
    let before = analysis.conflicts.len();
    let conflicts: Vec<Conflict> = std::mem::take(&mut analysis.conflicts);
    for mut c in conflicts {
        let rule = rule_id(c.kind);
        let def = project.method(c.override_method);
        let def_file = project.class(c.override_method.class).file;
        if lines_of(def_file)
            .get(&def.position.line)
            .is_some_and(|i| i.covers(rule))
        {
            continue;
        }
        c.calls.retain(|call| {
            let f = project.file(call.file);
            let r = &f.syntax.attr_refs[call.attr_ref];
            let first = r.position.line;
            let last = first + f.bytes[r.expr_range.clone()].iter().filter(|&&b| b == b'\n').count() as u32;
            let marks = lines_of(call.file);
            !(first..=last).any(|line| marks.get(&line).is_some_and(|i| i.covers(rule)))
        });
        if !c.calls.is_empty() {
            analysis.conflicts.push(c);
        }
    }
    let dropped = before - analysis.conflicts.len();
    (analysis, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_forms() {
        assert_eq!(parse_comment("# shadowfix: ignore"), Some(Ignore::All));
        assert_eq!(parse_comment("#shadowfix:ignore  -- deliberate"), Some(Ignore::All));
        assert_eq!(
            parse_comment("# noqa  # shadowfix: ignore[shadowed-override, broken-call]"),
            Some(Ignore::Rules(vec!["shadowed-override".into(), "broken-call".into()]))
        );
        assert_eq!(parse_comment("# shadowfix: ignored"), None);
        assert_eq!(parse_comment("# shadowfix: ignore[shadowed-override"), None);
        assert_eq!(parse_comment("# unrelated"), None);
    }
}
