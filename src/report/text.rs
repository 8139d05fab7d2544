//! Compiler-style text diagnostics: the override, the overridden method and
//! each breaking call as source snippets, the TypeError in both Python
//! wordings, and the MRO line that explains the dispatch.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{ConflictRecord, MethodRecord, ScanReport, short_qualname};
use crate::scan::Project;

pub fn render(project: &Project, report: &ScanReport, styled: bool) -> String {
    let sources: HashMap<&str, &[u8]> = project
        .files
        .iter()
        .map(|f| (f.rel_path.as_str(), f.bytes.as_slice()))
        .collect();
    let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for c in &report.conflicts {
        out.push_str(&renderer.render(&conflict_groups(&sources, c)));
        out.push_str("\n\n");
    }
    for w in &report.warnings {
        let groups = [Level::WARNING
            .primary_title(format!(
                "`{}` overrides `{}` with a different signature; no call in the tree breaks on it",
                short_qualname(&w.override_method.qualname),
                short_qualname(&w.overridden.qualname)
            ))
            .id(w.rule)
            .element(method_snippet(
                &sources,
                &w.override_method,
                AnnotationKind::Primary,
                "override".into(),
            ))
            .element(method_snippet(
                &sources,
                &w.overridden,
                AnnotationKind::Context,
                format!("overridden: {}", w.overridden.signature),
            ))];
        out.push_str(&renderer.render(&groups));
        out.push_str("\n\n");
    }
    for e in &report.parse_errors {
        out.push_str(&format!(
            "note: {}:{}:{}: could not parse this region; the rest of the file was analysed\n",
            e.path, e.line, e.column
        ));
    }
    for e in &report.mro_errors {
        out.push_str(&format!(
            "note: {}:{}: {}: {}; analysed with a best-effort order\n",
            e.path, e.line, e.class, e.message
        ));
    }
    for u in &report.unreadable {
        out.push_str(&format!("note: {}: not read: {}\n", u.path, u.reason));
    }
    // One line, not one per class: most trees subclass `Exception` or a
    // library's class somewhere, and the count is enough to say how much of
    // the hierarchy was seen.
    let external = report.classes_with_external_bases;
    if external > 0 {
        out.push_str(&format!(
            "note: {external} class{} {} bases outside the tree; names those bases may define are not checked\n",
            if external == 1 { "" } else { "es" },
            if external == 1 { "has" } else { "have" },
        ));
    }
    out
}

/// The closing line: what was read, what was found, how long it took.
/// When PATH lies inside a package it names the analysed root (which paths
/// are relative to) and PATH, the part reported.
pub fn summary(report: &ScanReport, elapsed: Duration) -> String {
    let n = report.conflicts.len();
    let mut line = format!("scanned {} file{}", report.files_scanned, plural(report.files_scanned));
    if let Some(root) = &report.root {
        line.push_str(&format!(" under {root}"));
    }
    line.push_str(&format!(
        ", {} class{}: {} conflict{}",
        report.classes_scanned,
        if report.classes_scanned == 1 { "" } else { "es" },
        n,
        plural(n)
    ));
    if let Some(scope) = &report.scope {
        line.push_str(&format!(" under {scope}"));
    }
    if n > 0 {
        let (errors, warnings) = report.severities();
        line.push_str(&format!(
            " ({errors} error{}, {warnings} latent warning{})",
            plural(errors),
            plural(warnings)
        ));
    }
    if report.suppressed > 0 {
        line.push_str(&format!(", {} suppressed", report.suppressed));
    }
    if !report.warnings.is_empty() {
        line.push_str(&format!(
            ", {} signature difference{}",
            report.warnings.len(),
            plural(report.warnings.len())
        ));
    }
    let pe = report.files_with_parse_errors();
    if pe > 0 {
        line.push_str(&format!(", {pe} file{} with parse errors", plural(pe)));
    }
    line.push_str(&format!(" in {:.2}s", elapsed.as_secs_f64()));
    line
}

fn last(qualname: &str) -> &str {
    qualname.rsplit('.').next().unwrap_or(qualname)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn conflict_groups<'a>(sources: &HashMap<&str, &'a [u8]>, c: &'a ConflictRecord) -> Vec<Group<'a>> {
    let short = |q: &str| short_qualname(q);
    let n = c.calls.len();
    let title = match c.kind {
        "reverse" => c.headline("`"),
        _ => format!(
            "{}: {n} call{} TypeError",
            c.headline("`"),
            if n == 1 { " raises" } else { "s raise" }
        ),
    };
    let level = if c.severity == "error" {
        Level::ERROR
    } else {
        Level::WARNING
    };
    let mut groups = vec![
        level
            .primary_title(title)
            .id(c.rule)
            .element(method_snippet(
                sources,
                &c.override_method,
                AnnotationKind::Primary,
                format!("override: {}", c.override_method.signature),
            ))
            .element(method_snippet(
                sources,
                &c.overridden,
                AnnotationKind::Context,
                format!("overridden: {}", c.overridden.signature),
            )),
    ];
    for call in &c.calls {
        groups.push(
            Group::with_title(Level::NOTE.secondary_title(if call.receiver == "instance" {
                format!(
                    "`{}` calls it on a `{}` instance and the call reaches `{}`",
                    short(&call.caller),
                    last(&call.dispatch_class),
                    short(&c.override_method.qualname)
                )
            } else {
                format!(
                    "`{}` runs on a `{}` and this call reaches `{}`",
                    short(&call.caller),
                    last(&call.dispatch_class),
                    short(&c.override_method.qualname)
                )
            }))
            .element(snippet(
                sources,
                &call.path,
                call.span.clone(),
                AnnotationKind::Primary,
                format!("TypeError: {}", call.error_py2),
            ))
            .element(Level::NOTE.message(format!("Python 2.7: TypeError: {}", call.error_py2)))
            .element(Level::NOTE.message(format!("Python 3:   TypeError: {}", call.error_py3)))
            .element(Level::NOTE.message(match &call.reachable_from {
                Some(entry) if *entry == call.caller => format!("reachable: `{}` is public", short(entry)),
                Some(entry) => format!("reachable from `{}`", short(entry)),
                None => format!(
                    "latent: no public method of `{}` reaches `{}`",
                    last(&call.dispatch_class),
                    short(&call.caller)
                ),
            })),
        );
    }
    if !c.mro.is_empty() {
        let names: Vec<String> = c
            .mro
            .iter()
            .map(|q| q.rsplit('.').next().unwrap_or(q).to_string())
            .collect();
        let mut text = format!("MRO of {}: {}", names[0], names.join(" -> "));
        if c.classes.len() > 1 {
            text.push_str(&format!(
                " (also affected: {})",
                c.classes[1..].iter().map(|q| last(q)).collect::<Vec<_>>().join(", ")
            ));
        }
        if !c.mro_external_order_known {
            text.push_str(" (order of external bases unknown)");
        }
        groups.push(Group::with_title(Level::HELP.secondary_title(text)));
    }
    groups
}

fn method_snippet<'a>(
    sources: &HashMap<&str, &'a [u8]>,
    m: &'a MethodRecord,
    kind: AnnotationKind,
    label: String,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    snippet(sources, &m.path, m.span.clone(), kind, label)
}

/// A snippet of the whole lines around `span`; the text is decoded lossily
/// (non-UTF-8 files still render) and the span shifted to match. Lines end
/// where Python ends them, at `\n`, `\r\n` or a lone `\r`, so the line
/// numbers agree with the positions the parse stage reports.
fn snippet<'a>(
    sources: &HashMap<&str, &'a [u8]>,
    path: &'a str,
    span: Range<usize>,
    kind: AnnotationKind,
    label: String,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let bytes = sources.get(path).copied().unwrap_or_default();
    let is_break = |b: &u8| matches!(b, b'\n' | b'\r');
    let start = bytes[..span.start.min(bytes.len())]
        .iter()
        .rposition(is_break)
        .map_or(0, |p| p + 1);
    let end = bytes[span.end.min(bytes.len())..]
        .iter()
        .position(is_break)
        .map_or(bytes.len(), |p| span.end + p);
    // A `\r\n` is one line end: count its `\n`, and only lone `\r`s.
    let line_start = bytes[..start]
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
        + 1;
    let before = String::from_utf8_lossy(&bytes[start..span.start]).len();
    let inside = String::from_utf8_lossy(&bytes[span.clone()]).len();
    let text = String::from_utf8_lossy(&bytes[start..end]).into_owned();
    Snippet::source(text)
        .line_start(line_start)
        .path(path)
        .annotation(kind.span(before..before + inside).label(label))
}
