//! Benchmark (not a test): scan time and peak memory on a real tree.
//!
//!     cargo bench --bench scan -- [PATH] [--runs N]
//!
//! Without PATH it scans OpenStack Cinder's oldest sdist on PyPI (10.0.8,
//! Ocata, still Python 2), fetched once with
//! `pip download --no-deps --no-binary :all:` into target/bench-trees.
//! Prints the phases (walk, parse + model, analyze) of each run, the best
//! and median totals, and the process's peak resident memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DEFAULT_TREE: &str = "cinder==10.0.8";

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut path: Option<PathBuf> = None;
    let mut runs = 5usize;
    while let Some(a) = args.next() {
        if a == "--runs" {
            runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N");
        } else {
            path = Some(PathBuf::from(a));
        }
    }
    let root = path.unwrap_or_else(|| fetch(DEFAULT_TREE));
    println!("tree: {}", root.display());
    println!("threads: {}", rayon::current_num_threads());

    let mut totals = Vec::new();
    for run in 1..=runs {
        let t0 = Instant::now();
        let walked = shadowfix::scan::walk_tree(&root).expect("walk");
        let bytes: usize = walked.sources.iter().map(|s| s.bytes.len()).sum();
        let files = walked.sources.len();
        let t1 = Instant::now();
        let project = shadowfix::scan::Project::build(walked.sources);
        let t2 = Instant::now();
        let analysis = shadowfix::scan::analyze(&project);
        let t3 = Instant::now();
        println!(
            "run {run}: {files} files, {:.1} MB, {} classes, {} conflicts | walk {:>4} ms, parse+model {:>4} ms, analyze {:>4} ms, total {:>4} ms",
            bytes as f64 / 1e6,
            project.classes.len(),
            analysis.conflicts.len(),
            ms(t1 - t0),
            ms(t2 - t1),
            ms(t3 - t2),
            ms(t3 - t0)
        );
        totals.push(t3 - t0);
    }
    totals.sort();
    println!(
        "best {} ms, median {} ms over {} runs",
        ms(totals[0]),
        ms(totals[totals.len() / 2]),
        runs
    );
    println!("peak RSS: {} MB", peak_rss_kb() / 1024);
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// VmHWM from /proc: the high-water mark of resident memory.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Downloads and unpacks an sdist once; returns its directory.
fn fetch(requirement: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-trees");
    let (name, version) = requirement.split_once("==").expect("name==version");
    let unpacked = dir.join(format!("{name}-{version}"));
    if unpacked.is_dir() {
        return unpacked;
    }
    std::fs::create_dir_all(&dir).expect("create target/bench-trees");
    let status = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            requirement,
            "-d",
        ])
        .arg(&dir)
        .status()
        .expect("run pip");
    assert!(status.success(), "pip download {requirement} failed");
    let tarball = dir.join(format!("{name}-{version}.tar.gz"));
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&dir)
        .status()
        .expect("run tar");
    assert!(status.success(), "cannot unpack {}", tarball.display());
    unpacked
}
