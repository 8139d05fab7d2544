//! SARIF 2.1.0 output, as code-scanning UIs ingest it: one rule per
//! conflict kind, one result per conflict located at the override (at the
//! call for a broken call), and the overridden method and every breaking
//! call site as related locations. URIs are relative to the repository
//! root (found by walking up from the analysed root to `.git`), even when
//! PATH is a subdirectory, so GitHub code scanning places them; regions
//! carry start and end; parse errors and unreadable files become tool
//! execution notifications.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{
    CallRecord, ConflictRecord, MethodRecord, RULE_BROKEN, RULE_REVERSE, RULE_SHADOWED, RULE_SIGNATURE, ScanReport,
};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const HELP_URI: &str = "https://github.com/shadowfix/shadowfix#how-detection-decides";
const SRCROOT: &str = "%SRCROOT%";

/// The repository root that URIs are relative to, and where the analysed
/// root lies inside it.
#[derive(Debug, Clone)]
pub struct SourceRoot {
    /// Absolute path of the repository root.
    pub dir: PathBuf,
    /// The analysed root relative to `dir`, `/`-separated; empty when they
    /// are the same.
    pub prefix: String,
}

impl SourceRoot {
    /// The git work tree holding `root` (the nearest directory at or above
    /// it with a `.git`), or None outside any repository.
    pub fn find(root: &Path) -> Option<SourceRoot> {
        let abs = std::fs::canonicalize(root).ok()?;
        let start = if abs.is_file() {
            abs.parent()?.to_path_buf()
        } else {
            abs
        };
        let dir = start.ancestors().find(|d| d.join(".git").exists())?.to_path_buf();
        let rel = start.strip_prefix(&dir).ok()?;
        let prefix = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        Some(SourceRoot { dir, prefix })
    }
}

/// One rule: id, name, one-line description, help, default level, and the
/// `problem.severity` GitHub shows.
struct RuleDef {
    id: &'static str,
    name: &'static str,
    short: &'static str,
    full: &'static str,
    level: &'static str,
    problem_severity: &'static str,
}

const RULES: &[RuleDef] = &[
    RuleDef {
        id: RULE_SHADOWED,
        name: "ShadowedOverride",
        short: "A subclass method shadows a base method that inherited code still calls",
        full: "A method in a subclass has the same name as a base-class method but a different signature. An inherited base-class body calls the name with the base's arguments, dispatches to the subclass method, and raises TypeError. `shadowfix diff --auto` renames an accidental helper or widens an outdated override.",
        level: "error",
        problem_severity: "error",
    },
    RuleDef {
        id: RULE_REVERSE,
        name: "ReverseOverride",
        short: "A call made for a base method reaches the class's own override",
        full: "The class overrides a base method with a different signature, and a call written with the base method's arguments reaches the override and raises TypeError.",
        level: "error",
        problem_severity: "error",
    },
    RuleDef {
        id: RULE_BROKEN,
        name: "BrokenCall",
        short: "A call on a typed instance binds to no method it can reach",
        full: "The tree types the object (`drv = Driver()`, `self.driver = Driver()`) and the method its call reaches cannot bind the arguments, nor can any definition further up the MRO: typically a caller a rename missed.",
        level: "error",
        problem_severity: "error",
    },
    RuleDef {
        id: RULE_SIGNATURE,
        name: "SignatureDiffers",
        short: "An override's signature differs from the overridden method (no call breaks)",
        full: "Reported with --all only: no call in the tree breaks on this difference today.",
        level: "note",
        problem_severity: "recommendation",
    },
];

/// The SARIF log of `report`; `root` makes URIs repository-relative.
pub fn render(report: &ScanReport, root: Option<&SourceRoot>) -> Value {
    let loc = Locator { root };
    let rule_values: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full },
                "defaultConfiguration": { "level": r.level },
                "help": { "text": r.full, "markdown": format!("**{}**\n\n{}\n\nSee [how detection decides]({HELP_URI}).", r.short, r.full) },
                "helpUri": HELP_URI,
                "properties": {
                    "precision": "high",
                    "problem.severity": r.problem_severity,
                    "tags": ["correctness", "python", "override"],
                },
            })
        })
        .collect();
    let rule_index = |id: &str| RULES.iter().position(|r| r.id == id).unwrap_or(0);

    let mut results: Vec<Value> = report
        .conflicts
        .iter()
        .map(|c| loc.conflict_result(c, rule_index(c.rule)))
        .collect();
    results.extend(report.warnings.iter().map(|w| {
        json!({
            "ruleId": w.rule,
            "ruleIndex": rule_index(w.rule),
            "level": "note",
            "message": { "text": format!(
                "`{}` overrides `{}` with a different signature; no call in the tree breaks on it",
                w.override_method.signature, w.overridden.qualname) },
            "locations": [loc.method(&w.override_method)],
            "relatedLocations": [loc.related_method(1, &w.overridden, "overridden method")],
        })
    }));

    let mut notifications: Vec<Value> = report
        .parse_errors
        .iter()
        .map(|e| {
            json!({
                "level": "warning",
                "message": { "text": "a region the parser could not read; the rest of the file was analysed" },
                "locations": [loc.physical(&e.path, e.line, e.column, None)],
            })
        })
        .collect();
    notifications.extend(report.unreadable.iter().map(|u| {
        json!({
            "level": "warning",
            "message": { "text": format!("not read: {}", u.reason) },
            "locations": [{ "physicalLocation": { "artifactLocation": loc.artifact(&u.path) } }],
        })
    }));

    let mut run = json!({
        "tool": { "driver": {
            "name": "shadowfix",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/shadowfix/shadowfix",
            "rules": rule_values,
        }},
        "invocations": [{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }],
        "columnKind": "utf16CodeUnits",
        "results": results,
    });
    if let Some(root) = root {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": file_uri(&root.dir) } });
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Builds locations, relative to the repository root when there is one.
struct Locator<'a> {
    root: Option<&'a SourceRoot>,
}

impl Locator<'_> {
    fn artifact(&self, path: &str) -> Value {
        match self.root {
            Some(root) if !root.prefix.is_empty() => {
                json!({ "uri": uri_path(&format!("{}/{path}", root.prefix)), "uriBaseId": SRCROOT })
            }
            Some(_) => json!({ "uri": uri_path(path), "uriBaseId": SRCROOT }),
            None => json!({ "uri": uri_path(path) }),
        }
    }

    fn physical(&self, path: &str, line: u32, column: u32, end: Option<(u32, u32)>) -> Value {
        let mut region = json!({ "startLine": line, "startColumn": column });
        if let Some((end_line, end_column)) = end {
            region["endLine"] = json!(end_line);
            region["endColumn"] = json!(end_column);
        }
        json!({ "physicalLocation": { "artifactLocation": self.artifact(path), "region": region } })
    }

    fn method(&self, m: &MethodRecord) -> Value {
        self.physical(&m.path, m.line, m.column, Some((m.end_line, m.end_column)))
    }

    fn call(&self, call: &CallRecord) -> Value {
        self.physical(
            &call.path,
            call.line,
            call.column,
            Some((call.end_line, call.end_column)),
        )
    }

    fn related_method(&self, id: usize, m: &MethodRecord, message: &str) -> Value {
        let mut v = self.method(m);
        v["id"] = json!(id);
        v["message"] = json!({ "text": message });
        v
    }

    fn related_call(&self, id: usize, call: &CallRecord) -> Value {
        let mut v = self.call(call);
        v["id"] = json!(id);
        v["message"] = json!({ "text": format!("{} (dispatching on {}): TypeError: {}", call.caller, call.dispatch_class, call.error_py3) });
        v
    }

    fn conflict_result(&self, c: &ConflictRecord, rule_index: usize) -> Value {
        let first = c.calls.first();
        let plural = if c.calls.len() == 1 { "" } else { "s" };
        let text = match first {
            Some(call) if c.kind == "broken" => format!(
                "`{}` cannot bind {} call{plural} made on its instances, e.g. [{}](2): {}",
                c.override_method.signature,
                c.calls.len(),
                call.caller,
                call.error_py3
            ),
            Some(call) => format!(
                "`{}` overrides `{}` ([overridden](1)); {} inherited call{plural} raise TypeError, e.g. [{}](2): {}",
                c.override_method.signature,
                c.overridden.qualname,
                c.calls.len(),
                call.caller,
                call.error_py3
            ),
            None => format!(
                "`{}` overrides `{}`",
                c.override_method.signature, c.overridden.qualname
            ),
        };
        let primary = match (c.kind, first) {
            ("broken", Some(call)) => self.call(call),
            _ => self.method(&c.override_method),
        };
        let mut related_locations =
            vec![self.related_method(1, &c.overridden, &format!("overridden: {}", c.overridden.signature))];
        related_locations.extend(
            c.calls
                .iter()
                .enumerate()
                .map(|(i, call)| self.related_call(i + 2, call)),
        );
        json!({
            "ruleId": c.rule,
            "ruleIndex": rule_index,
            "level": c.severity,
            "message": { "text": text },
            "locations": [primary],
            "relatedLocations": related_locations,
            "partialFingerprints": {
                // Our fingerprint already survives line moves: the rule and
                // the two methods, not their lines.
                "primaryLocationLineHash": format!("{}:1", c.fingerprint),
                "shadowfix/pair": format!("{}|{}", c.override_method.qualname, c.overridden.qualname),
            },
            "properties": { "classes": c.classes, "severity": c.severity },
        })
    }
}

/// `file:///abs/dir/` for a directory.
fn file_uri(dir: &Path) -> String {
    let path = dir.to_string_lossy().replace('\\', "/");
    let path = path.trim_end_matches('/');
    let lead = if path.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}/", uri_path(path))
}

/// A relative path as a URI reference: only the characters a path may hold
/// that are not allowed in a URI are escaped.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{file_uri, uri_path};

    #[test]
    fn uri_escapes_spaces_and_percent() {
        assert_eq!(uri_path("a b/c%d.py"), "a%20b/c%25d.py");
        assert_eq!(uri_path("cinder/volume/driver.py"), "cinder/volume/driver.py");
        assert_eq!(
            file_uri(std::path::Path::new("/work/my repo")),
            "file:///work/my%20repo/"
        );
    }
}
