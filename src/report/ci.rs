//! Findings in the formats CI systems read: GitHub workflow commands,
//! GitLab Code Quality JSON, JUnit XML and JSON Lines. Each finding is one
//! conflict, placed at the override (or, for a broken call, at the call),
//! with the fingerprint that keeps it the same finding across line moves.

use std::fmt::Write as _;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::json;

use super::{ConflictRecord, ScanReport};

/// Where a finding is shown: the override's name, or the first call's for
/// a broken call (its "override" is the method the call reaches).
fn anchor(c: &ConflictRecord) -> (&str, u32, u32, u32, u32) {
    match (c.kind, c.calls.first()) {
        ("broken", Some(call)) => (&call.path, call.line, call.column, call.end_line, call.end_column),
        _ => {
            let m = &c.override_method;
            (&m.path, m.line, m.column, m.end_line, m.end_column)
        }
    }
}

/// A one-line title and a message with the first breaking call.
fn describe(c: &ConflictRecord) -> (String, String) {
    let title = c.headline("");
    let mut message = format!("{title} ({} {})", c.severity, c.rule);
    if let Some(call) = c.calls.first() {
        let _ = write!(
            message,
            ": {}:{} `{}` raises TypeError: {}",
            call.path, call.line, call.text, call.error_py3
        );
        if c.calls.len() > 1 {
            let _ = write!(
                message,
                " (and {} more call{})",
                c.calls.len() - 1,
                if c.calls.len() == 2 { "" } else { "s" }
            );
        }
    }
    (title, message)
}

/// GitHub Actions workflow commands: `::error file=...,line=...::message`.
pub fn github(report: &ScanReport) -> String {
    let mut out = String::new();
    for c in &report.conflicts {
        let (path, line, col, end_line, end_col) = anchor(c);
        let (title, message) = describe(c);
        let _ = writeln!(
            out,
            "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
            c.severity,
            github_property(path),
            github_property(&title),
            github_data(&message)
        );
    }
    out
}

/// Escapes a workflow command's message.
fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`:` and `,` too).
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitLab Code Quality report: a JSON array of issues.
pub fn gitlab(report: &ScanReport) -> serde_json::Value {
    let issues: Vec<serde_json::Value> = report
        .conflicts
        .iter()
        .map(|c| {
            let (path, line, ..) = anchor(c);
            let (_, message) = describe(c);
            json!({
                "description": message,
                "check_name": c.rule,
                "fingerprint": c.fingerprint,
                "severity": if c.severity == "error" { "major" } else { "minor" },
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .collect();
    serde_json::Value::Array(issues)
}

/// One JSON object per conflict per line, for `jq` and log pipelines.
pub fn json_lines(report: &ScanReport) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for c in &report.conflicts {
        out.push_str(&serde_json::to_string(c)?);
        out.push('\n');
    }
    Ok(out)
}

/// JUnit XML: one test case per conflict, failed; a clean tree is one
/// passing case, so CI dashboards show the check ran.
pub fn junit(report: &ScanReport) -> Result<String, quick_xml::Error> {
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let failures = report.conflicts.len().to_string();
    let tests = report.conflicts.len().max(1).to_string();
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "shadowfix"));
    suites.push_attribute(("tests", tests.as_str()));
    suites.push_attribute(("failures", failures.as_str()));
    w.write_event(Event::Start(suites))?;
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", "shadowfix scan"));
    suite.push_attribute(("tests", tests.as_str()));
    suite.push_attribute(("failures", failures.as_str()));
    suite.push_attribute(("errors", "0"));
    w.write_event(Event::Start(suite))?;
    if report.conflicts.is_empty() {
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("name", "no override conflicts"));
        case.push_attribute(("classname", "shadowfix"));
        w.write_event(Event::Empty(case))?;
    }
    for c in &report.conflicts {
        let (path, line, ..) = anchor(c);
        let (title, message) = describe(c);
        let line = line.to_string();
        let mut case = BytesStart::new("testcase");
        case.push_attribute(("name", title.as_str()));
        case.push_attribute(("classname", c.override_method.qualname.as_str()));
        case.push_attribute(("file", path));
        case.push_attribute(("line", line.as_str()));
        w.write_event(Event::Start(case))?;
        let mut failure = BytesStart::new("failure");
        failure.push_attribute(("message", message.as_str()));
        failure.push_attribute(("type", c.rule));
        w.write_event(Event::Start(failure))?;
        let mut body = String::new();
        for call in &c.calls {
            let _ = writeln!(
                body,
                "{}:{} {}: TypeError: {}",
                call.path, call.line, call.text, call.error_py3
            );
        }
        w.write_event(Event::Text(BytesText::new(&body)))?;
        w.write_event(Event::End(BytesEnd::new("failure")))?;
        w.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{github_data, github_property};

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(github_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(github_property("a:b,c"), "a%3Ab%2Cc");
    }
}
