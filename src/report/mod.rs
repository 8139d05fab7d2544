//! The scan report: analysis results turned into plain, serialisable
//! records (paths relative to the scanned root, 1-based lines), which the
//! text, JSON and SARIF renderers all read.
//!
//! The JSON schema is this module's types serialised as they are; the README
//! documents it, so renaming a field is a breaking change.

mod call_text;
pub mod fixes;
pub mod sarif;
pub mod text;

pub use call_text::call_text;

use serde::Serialize;

use crate::scan::syntax::Position;
use crate::scan::{Analysis, Conflict};
use crate::scan::{MethodId, MroEntry, Project};

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub files_scanned: usize,
    pub classes_scanned: usize,
    pub conflicts: Vec<ConflictRecord>,
    /// Signature differences that no call breaks; filled only with `--all`.
    pub warnings: Vec<WarningRecord>,
    pub parse_errors: Vec<ParseErrorRecord>,
    pub mro_errors: Vec<MroErrorRecord>,
    pub unreadable: Vec<UnreadableRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConflictRecord {
    /// `shadowed-override` or `reverse-override`.
    pub rule: &'static str,
    pub kind: &'static str,
    #[serde(rename = "override")]
    pub override_method: MethodRecord,
    pub overridden: MethodRecord,
    pub calls: Vec<CallRecord>,
    /// Qualnames of every class in which the breaking dispatch happens.
    pub classes: Vec<String>,
    /// MRO of the first affected class, by qualname, for the explanation.
    pub mro: Vec<String>,
    /// Whether the hierarchy fixes the order of the external bases in
    /// `mro` (their own bases, unknown, could reorder them otherwise).
    #[serde(skip)]
    pub mro_external_order_known: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodRecord {
    pub qualname: String,
    /// `name(params)` as written, whitespace collapsed.
    pub signature: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// Byte range of the method name, for snippets.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    /// Qualname of the method whose body holds the call.
    pub caller: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// The call as written, on one line: comments dropped, whitespace
    /// outside strings collapsed.
    pub text: String,
    /// Qualname of the class whose instance makes this call dispatch wrongly.
    pub dispatch_class: String,
    pub error_py2: String,
    pub error_py3: String,
    /// Byte range of the called attribute, for snippets.
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarningRecord {
    pub rule: &'static str,
    #[serde(rename = "override")]
    pub override_method: MethodRecord,
    pub overridden: MethodRecord,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParseErrorRecord {
    pub path: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MroErrorRecord {
    pub class: String,
    pub path: String,
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnreadableRecord {
    pub path: String,
    pub reason: String,
}

pub const RULE_SHADOWED: &str = "shadowed-override";
pub const RULE_REVERSE: &str = "reverse-override";
pub const RULE_SIGNATURE: &str = "signature-differs";

impl ScanReport {
    pub fn new(project: &Project, analysis: &Analysis, unreadable: &[(String, String)], all: bool) -> ScanReport {
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
                Some(MroErrorRecord {
                    class: info.qualname.clone(),
                    path: project.file(info.file).rel_path.clone(),
                    line: project.class_def(id).position.line,
                    message,
                })
            })
            .collect();
        ScanReport {
            files_scanned: project.files.len(),
            classes_scanned: project.classes.len(),
            conflicts,
            warnings,
            parse_errors,
            mro_errors,
            unreadable: unreadable
                .iter()
                .map(|(path, reason)| UnreadableRecord {
                    path: path.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        }
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
                text: call_text(&file.bytes[r.expr_range.clone()]),
                dispatch_class: project.class(call.dispatch_class).qualname.clone(),
                error_py2: call.error.py2.clone(),
                error_py3: call.error.py3.clone(),
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
    ConflictRecord {
        rule: match c.kind {
            crate::scan::ConflictKind::Shadowing => RULE_SHADOWED,
            crate::scan::ConflictKind::Reverse => RULE_REVERSE,
        },
        kind: c.kind.as_str(),
        override_method: method_record(project, c.override_method),
        overridden: method_record(project, c.overridden),
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
        span: def.name_range.clone(),
    }
}
