//! The fact cache from the outside: a second scan reads facts instead of
//! parsing, a changed file is parsed again, and two scans writing the same
//! cache at once both succeed with the same report.

mod common;

use std::process::Command;

use common::*;

fn scan_verbose(root: &std::path::Path, cache: &std::path::Path) -> (String, String) {
    let out = shadowfix(&[
        "scan",
        "-v",
        "--format",
        "json",
        "--cache-dir",
        cache.to_str().unwrap(),
        root.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    (stdout(&out), stderr(&out))
}

#[test]
fn second_run_reads_facts_and_a_changed_file_is_parsed_again() {
    let (dir, root) = copy_fixture("kilo");
    let cache = dir.path().join("cache");
    let (first, err) = scan_verbose(&root, &cache);
    let files = serde_json::from_str::<serde_json::Value>(&first).unwrap()["files_scanned"]
        .as_u64()
        .unwrap();
    assert!(
        err.contains(&format!("0 file(s) read from the cache, {files} parsed")),
        "{err}"
    );
    let (second, err) = scan_verbose(&root, &cache);
    assert!(
        err.contains(&format!("{files} file(s) read from the cache, 0 parsed")),
        "{err}"
    );
    assert_eq!(first, second, "the same report from cached facts");
    // One file changes: only it is parsed.
    let driver = root.join("cinder/volume/drivers/emc/scaleio.py");
    let text = std::fs::read_to_string(&driver).unwrap();
    std::fs::write(&driver, text.replace("_detach_volume", "_sio_detach_volume")).unwrap();
    let (third, err) = scan_verbose(&root, &cache);
    assert!(
        err.contains(&format!("{} file(s) read from the cache, 1 parsed", files - 1)),
        "{err}"
    );
    assert_ne!(third, first);
    // --no-cache reads nothing.
    let out = shadowfix(&["scan", "-v", "--no-cache", root.to_str().unwrap()]);
    assert!(!stderr(&out).contains("fact cache"), "{}", stderr(&out));
}

#[test]
fn two_writers_at_once_share_the_cache() {
    let (dir, root) = copy_fixture("kilo");
    let cache = dir.path().join("cache");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_shadowfix"))
            .args(["scan", "--format", "json", "--cache-dir"])
            .arg(&cache)
            .arg(&root)
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a.status.code(), Some(1), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(1), "{}", stderr(&b));
    assert_eq!(a.stdout, b.stdout);
    let (_, err) = scan_verbose(&root, &cache);
    assert!(err.contains(" 0 parsed"), "{err}");
}
