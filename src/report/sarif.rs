//! SARIF 2.1.0 output, as code-scanning UIs ingest it: one rule per
//! conflict kind, one result per conflict located at the override, and the
//! overridden method and every breaking call site as related locations.

use serde_json::{Value, json};

use super::{
    CallRecord, ConflictRecord, MethodRecord, RULE_BROKEN, RULE_REVERSE, RULE_SHADOWED, RULE_SIGNATURE, ScanReport,
};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &ScanReport) -> Value {
    let rules = [
        (
            RULE_SHADOWED,
            "ShadowedOverride",
            "A subclass method shadows a base method that inherited code still calls",
            "A method in a subclass has the same name as a base-class method but a different signature. An inherited base-class body calls the name with the base's arguments, dispatches to the subclass method, and raises TypeError. Rename the subclass method (shadowfix diff --auto).",
            "error",
        ),
        (
            RULE_REVERSE,
            "ReverseOverride",
            "A class calls its own override with arguments only the base method accepts",
            "The class overrides a base method with a different signature, and its own code calls the name with the base method's arguments, which now reach the override and raise TypeError.",
            "error",
        ),
        (
            RULE_BROKEN,
            "BrokenCall",
            "A call on a typed instance binds to no method it can reach",
            "The tree types the object (`drv = Driver()`, `self.driver = Driver()`) and the method its call reaches cannot bind the arguments, nor can any definition further up the MRO: typically a caller a rename missed.",
            "error",
        ),
        (
            RULE_SIGNATURE,
            "SignatureDiffers",
            "An override's signature differs from the overridden method (no call breaks)",
            "Reported with --all only: no call in the tree breaks on this difference today.",
            "warning",
        ),
    ];
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|(id, name, short, full, level)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": { "text": short },
                "fullDescription": { "text": full },
                "defaultConfiguration": { "level": level },
                "help": { "text": full },
            })
        })
        .collect();
    let rule_index = |id: &str| rules.iter().position(|r| r.0 == id).unwrap_or(0);

    let mut results: Vec<Value> = report
        .conflicts
        .iter()
        .map(|c| conflict_result(c, rule_index(c.rule)))
        .collect();
    results.extend(report.warnings.iter().map(|w| {
        json!({
            "ruleId": w.rule,
            "ruleIndex": rule_index(w.rule),
            "level": "warning",
            "message": { "text": format!(
                "`{}` overrides `{}` with a different signature; no call in the tree breaks on it",
                w.override_method.signature, w.overridden.qualname) },
            "locations": [location(&w.override_method.path, w.override_method.line, w.override_method.column)],
            "relatedLocations": [related(1, &w.overridden, "overridden method")],
        })
    }));

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "shadowfix",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/shadowfix",
                "rules": rule_values,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

fn conflict_result(c: &ConflictRecord, rule_index: usize) -> Value {
    let first = c.calls.first();
    let text = match first {
        Some(call) if c.kind == "broken" => format!(
            "`{}` cannot bind {} call{} made on its instances, e.g. [{}](2): {}",
            c.override_method.signature,
            c.calls.len(),
            if c.calls.len() == 1 { "" } else { "s" },
            call.caller,
            call.error_py3
        ),
        Some(call) => format!(
            "`{}` overrides `{}` ([overridden](1)); {} inherited call{} raise TypeError, e.g. [{}](2): {}",
            c.override_method.signature,
            c.overridden.qualname,
            c.calls.len(),
            if c.calls.len() == 1 { "" } else { "s" },
            call.caller,
            call.error_py3
        ),
        None => format!(
            "`{}` overrides `{}`",
            c.override_method.signature, c.overridden.qualname
        ),
    };
    let mut related_locations = vec![related(
        1,
        &c.overridden,
        &format!("overridden: {}", c.overridden.signature),
    )];
    related_locations.extend(c.calls.iter().enumerate().map(|(i, call)| call_related(i + 2, call)));
    json!({
        "ruleId": c.rule,
        "ruleIndex": rule_index,
        "level": c.severity,
        "message": { "text": text },
        "locations": [location(&c.override_method.path, c.override_method.line, c.override_method.column)],
        "relatedLocations": related_locations,
        "partialFingerprints": { "shadowfix/pair": format!("{}|{}", c.override_method.qualname, c.overridden.qualname) },
        "properties": { "classes": c.classes },
    })
}

fn location(path: &str, line: u32, column: u32) -> Value {
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": uri_path(path) },
        "region": { "startLine": line, "startColumn": column },
    }})
}

fn related(id: usize, m: &MethodRecord, message: &str) -> Value {
    let mut v = location(&m.path, m.line, m.column);
    v["id"] = json!(id);
    v["message"] = json!({ "text": message });
    v
}

fn call_related(id: usize, call: &CallRecord) -> Value {
    let mut v = location(&call.path, call.line, call.column);
    v["id"] = json!(id);
    v["message"] = json!({ "text": format!("{} (dispatching on {}): TypeError: {}", call.caller, call.dispatch_class, call.error_py3) });
    v
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
    use super::uri_path;

    #[test]
    fn uri_escapes_spaces_and_percent() {
        assert_eq!(uri_path("a b/c%d.py"), "a%20b/c%25d.py");
        assert_eq!(uri_path("cinder/volume/driver.py"), "cinder/volume/driver.py");
    }
}
