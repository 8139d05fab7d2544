//! The scan report: analysis results turned into plain, serialisable
//! records (paths relative to the analysed root, 1-based lines), which the
//! text, JSON and SARIF renderers all read. When PATH lies inside a package
//! the whole package was analysed, and the report keeps only what lies
//! under PATH.
//!
//! The JSON schema is this module's types serialised as they are; the README
//! documents it, so renaming a field is a breaking change.

pub mod baseline;
mod call_text;
pub mod ci;
pub mod fixes;
pub mod sarif;
pub mod text;

pub use call_text::call_text;

use schemars::JsonSchema;
use serde::Serialize;

use crate::scan::syntax::Position;
use crate::scan::{Analysis, Conflict, Scope};
use crate::scan::{Base, MethodId, MroEntry, Project};

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ScanReport {
    /// The JSON Schema of this document (`shadowfix schema` prints it).
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// The shadowfix version that wrote it.
    pub version: &'static str,
    /// The analysed root that paths are relative to, when it is not PATH
    /// (PATH lies inside a package); set by the caller, who knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// PATH relative to `root`: only findings under it are reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub files_scanned: usize,
    pub classes_scanned: usize,
    /// Classes (under PATH) with a base that does not resolve to a class in
    /// the tree (`object` aside): a name such a base may define stops every
    /// lookup, so calls through it are not checked.
    pub classes_with_external_bases: usize,
    pub conflicts: Vec<ConflictRecord>,
    /// Conflicts not listed because a `# shadowfix: ignore` comment, the
    /// baseline (`--baseline`) or `--ignore`/`--select` took them out.
    pub suppressed: usize,
    /// Signature differences that no call breaks; filled only with `--all`.
    pub warnings: Vec<WarningRecord>,
    pub parse_errors: Vec<ParseErrorRecord>,
    pub mro_errors: Vec<MroErrorRecord>,
    pub unreadable: Vec<UnreadableRecord>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConflictRecord {
    /// `shadowed-override` or `reverse-override`.
    pub rule: &'static str,
    pub kind: &'static str,
    /// `error` when a public method reaches some breaking call, `warning`
    /// when none does (latent).
    pub severity: &'static str,
    #[serde(rename = "override")]
    pub override_method: MethodRecord,
    pub overridden: MethodRecord,
    pub calls: Vec<CallRecord>,
    /// Qualnames of every class in which the breaking dispatch happens.
    pub classes: Vec<String>,
    /// Stable across line moves and edits elsewhere: a hash of the rule and
    /// the two qualnames. Baselines and CI formats key findings by it.
    pub fingerprint: String,
    /// MRO of the first affected class, by qualname, for the explanation.
    pub mro: Vec<String>,
    /// Whether the hierarchy fixes the order of the external bases in
    /// `mro` (their own bases, unknown, could reorder them otherwise).
    #[serde(skip)]
    pub mro_external_order_known: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MethodRecord {
    pub qualname: String,
    /// `name(params)` as written, whitespace collapsed.
    pub signature: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// Where the method name ends (exclusive), on the same line.
    pub end_line: u32,
    pub end_column: u32,
    /// Byte range of the method name, for snippets.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CallRecord {
    /// Qualname of the method whose body holds the call.
    pub caller: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// Where the called attribute's name ends (exclusive), on the same line.
    pub end_line: u32,
    pub end_column: u32,
    /// The call as written, on one line: comments dropped, whitespace
    /// outside strings collapsed.
    pub text: String,
    /// Qualname of the class whose instance makes this call dispatch wrongly.
    pub dispatch_class: String,
    pub error_py2: String,
    pub error_py3: String,
    /// Qualname of the public method of `dispatch_class` from which the
    /// calling body is entered through calls on the instance; null when no
    /// public method reaches it.
    pub reachable_from: Option<String>,
    /// `self` for a call on the instance (`self.m`, `cls.m`, `super().m`),
    /// `instance` for one on an object the tree types (`drv = Driver()`).
    pub receiver: &'static str,
    /// Byte range of the called attribute, for snippets.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct WarningRecord {
    pub rule: &'static str,
    #[serde(rename = "override")]
    pub override_method: MethodRecord,
    pub overridden: MethodRecord,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ParseErrorRecord {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MroErrorRecord {
    pub class: String,
    pub path: String,
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnreadableRecord {
    pub path: String,
    pub reason: String,
}

/// The id of the report's JSON Schema, which `shadowfix schema` prints.
pub const SCHEMA_ID: &str = "https://github.com/shadowfix/shadowfix/schema/scan-report-1.json";

pub const RULE_SHADOWED: &str = "shadowed-override";
pub const RULE_REVERSE: &str = "reverse-override";
pub const RULE_BROKEN: &str = "broken-call";
pub const RULE_SIGNATURE: &str = "signature-differs";

impl ScanReport {
    /// The report of `analysis` (already restricted to `scope`, see
    /// [`Scope::restrict`]); parse errors, MRO errors, unreadable files and
    /// the external-base count are restricted here.
    pub fn new(
        project: &Project,
        analysis: &Analysis,
        unreadable: &[(String, String)],
        scope: &Scope,
        all: bool,
    ) -> ScanReport {
        let conflicts = analysis.conflicts.iter().map(|c| conflict_record(project, c)).collect();
        let warnings = if all {
            analysis
                .warnings
                .iter()
                .map(|w| WarningRecord {
                    rule: RULE_SIGNATURE,
                    override_method: method_record(project, w.override_method),
                    overridden: method_record(project, w.overridden),
                })
                .collect()
        } else {
            Vec::new()
        };
        let parse_errors = project
            .files
            .iter()
            .filter(|f| scope.contains(&f.rel_path))
            .flat_map(|f| {
                f.syntax.parse_errors.iter().map(|e| ParseErrorRecord {
                    path: f.rel_path.clone(),
                    line: e.position.line,
                    column: e.position.column,
                })
            })
            .collect();
        let mro_errors = project
            .class_ids()
            .filter_map(|id| {
                let info = project.class(id);
                let message = info.mro_error.clone()?;
                let path = &project.file(info.file).rel_path;
                if !scope.contains(path) {
                    return None;
                }
                Some(MroErrorRecord {
                    class: info.qualname.clone(),
                    path: path.clone(),
                    line: project.class_def(id).position.line,
                    message,
                })
            })
            .collect();
        let classes_with_external_bases = project
            .classes
            .iter()
            .filter(|c| scope.contains(&project.file(c.file).rel_path))
            .filter(|c| {
                c.bases
                    .iter()
                    .any(|b| matches!(b, Base::External(name) if name != "object"))
            })
            .count();
        ScanReport {
            schema: SCHEMA_ID,
            version: env!("CARGO_PKG_VERSION"),
            root: None,
            scope: scope.path().map(str::to_string),
            files_scanned: project.files.len(),
            classes_scanned: project.classes.len(),
            classes_with_external_bases,
            conflicts,
            suppressed: 0,
            warnings,
            parse_errors,
            mro_errors,
            unreadable: unreadable
                .iter()
                .filter(|(path, _)| scope.overlaps(path))
                .map(|(path, reason)| UnreadableRecord {
                    path: path.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        }
    }

    /// Conflicts of each severity: (errors, warnings).
    pub fn severities(&self) -> (usize, usize) {
        let errors = self.conflicts.iter().filter(|c| c.severity == "error").count();
        (errors, self.conflicts.len() - errors)
    }

    /// Files with at least one parse error.
    pub fn files_with_parse_errors(&self) -> usize {
        let mut paths: Vec<&str> = self.parse_errors.iter().map(|e| e.path.as_str()).collect();
        paths.dedup();
        paths.len()
    }
}

fn conflict_record(project: &Project, c: &Conflict) -> ConflictRecord {
    let calls = c
        .calls
        .iter()
        .map(|call| {
            let file = project.file(call.file);
            let r = &file.syntax.attr_refs[call.attr_ref];
            CallRecord {
                caller: project.method_qualname(call.caller),
                path: file.rel_path.clone(),
                line: r.position.line,
                column: r.position.column,
                end_line: r.position.line,
                end_column: end_column(r.position.column, &r.attr_range),
                text: call_text(&file.bytes[r.expr_range.clone()]),
                dispatch_class: project.class(call.dispatch_class).qualname.clone(),
                error_py2: call.error.py2.clone(),
                error_py3: call.error.py3.clone(),
                reachable_from: call.reachable_from.map(|m| project.method_qualname(m)),
                receiver: if call.on_instance { "instance" } else { "self" },
                span: r.attr_range.clone(),
            }
        })
        .collect();
    let mro_external_order_known = c.classes.first().is_none_or(|x| project.external_order_known(*x));
    let mro = c
        .classes
        .first()
        .map(|x| {
            project
                .class(*x)
                .mro
                .iter()
                .map(|e| match e {
                    MroEntry::Class(id) => project.class(*id).qualname.clone(),
                    MroEntry::External(name) => name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let rule = match c.kind {
        crate::scan::ConflictKind::Shadowing => RULE_SHADOWED,
        crate::scan::ConflictKind::Reverse => RULE_REVERSE,
        crate::scan::ConflictKind::Broken => RULE_BROKEN,
    };
    let override_method = method_record(project, c.override_method);
    let overridden = method_record(project, c.overridden);
    ConflictRecord {
        rule,
        kind: c.kind.as_str(),
        severity: c.severity().as_str(),
        fingerprint: fingerprint(rule, &override_method.qualname, &overridden.qualname),
        override_method,
        overridden,
        calls,
        classes: c.classes.iter().map(|id| project.class(*id).qualname.clone()).collect(),
        mro,
        mro_external_order_known,
    }
}

pub fn method_record(project: &Project, id: MethodId) -> MethodRecord {
    let def = project.method(id);
    let Position { line, column } = def.position;
    MethodRecord {
        qualname: project.method_qualname(id),
        signature: format!("{}{}", def.name, def.signature.text),
        path: project.file(project.class(id.class).file).rel_path.clone(),
        line,
        column,
        end_line: line,
        end_column: end_column(column, &def.name_range),
        span: def.name_range.clone(),
    }
}

/// `Class.method` from a qualname: its last two names.
pub fn short_qualname(qualname: &str) -> String {
    let parts: Vec<&str> = qualname.rsplitn(3, '.').take(2).collect();
    parts.into_iter().rev().collect::<Vec<_>>().join(".")
}

impl ConflictRecord {
    /// What the conflict is, in one line; `quote` wraps code names (a
    /// backtick in text, nothing in CI titles).
    pub fn headline(&self, quote: &str) -> String {
        let over = short_qualname(&self.override_method.qualname);
        let base = short_qualname(&self.overridden.qualname);
        match self.kind {
            "broken" => format!("{quote}{over}{quote} cannot bind a call made on its instances"),
            "reverse" => format!("{quote}{over}{quote} is called with arguments only {quote}{base}{quote} accepts"),
            _ => format!("{quote}{over}{quote} shadows {quote}{base}{quote}, which inherited code still calls"),
        }
    }
}

/// A finding's identity: the rule and the two methods, not where they
/// stand, so it survives lines moving above them.
pub fn fingerprint(rule: &str, override_method: &str, overridden: &str) -> String {
    let hash = blake3::hash(format!("{rule}\0{override_method}\0{overridden}").as_bytes());
    hash.to_hex()[..16].to_string()
}

/// The column just past a one-line span that starts at `column` (byte
/// columns, like the start).
fn end_column(column: u32, span: &std::ops::Range<usize>) -> u32 {
    column.saturating_add(u32::try_from(span.len()).unwrap_or(u32::MAX))
}
