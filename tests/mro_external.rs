//! External bases (outside the scanned tree) in the reported MRO: placed
//! where Python places them, checked against the `__mro__` python3 computes
//! with the external bases defined as empty classes, and flagged in the
//! text report when their own bases could reorder them.

mod common;

use common::*;
use serde_json::Value;

fn tree() -> std::path::PathBuf {
    fixture("mro_external").join("tree")
}

fn conflict_for<'r>(report: &'r Value, class: &str) -> &'r Value {
    report["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["classes"][0] == format!("shop.orders.{class}"))
        .unwrap_or_else(|| panic!("no conflict first affecting {class}: {report}"))
}

#[test]
fn mro_with_external_bases_is_the_one_python_computes() {
    let out = shadowfix(&["scan", tree().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for class in ["Checkout", "Ledger"] {
        let mro: Vec<&str> = conflict_for(&report, class)["mro"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q.as_str().unwrap().rsplit('.').next().unwrap())
            .collect();
        let python = python("python3", &fixture("mro_external"), &["show_mro.py", class])
            .expect("python3 is required for this test");
        assert_eq!(python.status.code(), Some(0), "{}", stderr(&python));
        assert_eq!(mro.join(" -> "), stdout(&python).trim(), "{class}");
    }
}

#[test]
fn help_line_says_when_the_order_of_external_bases_is_unknown() {
    let out = shadowfix(&["scan", tree().to_str().unwrap()]);
    let text = stdout(&out);
    let help: Vec<&str> = text.lines().filter(|l| l.starts_with("help: MRO of")).collect();
    assert_eq!(
        help,
        [
            "help: MRO of Checkout: Checkout -> AuditedOrder -> DiscountOrder -> Order -> Audited -> Cached -> object (also affected: DiscountOrder)",
            "help: MRO of Ledger: Ledger -> CachedInvoice -> TaxedInvoice -> Invoice -> Cached -> Audited -> object (also affected: TaxedInvoice) (order of external bases unknown)",
        ]
    );
}
