//! Benchmark (not a test): wall time, peak memory and exit code on hostile
//! inputs, the shapes that once made shadowfix super-linear (project issue
//! 11, item 9).
//!
//!     cargo bench --bench hostile -- [--only NAME]... [--timeout SECS] [--keep]
//!
//! Each input is generated in a temporary directory, then each command runs
//! in a fresh process (this benchmark re-executed), so every peak resident
//! memory (VmHWM) is that command's alone. The commands are the CLI's own,
//! run in-process with the report sent to /dev/null: `scan --format json`,
//! and for the recipe `recipes FILE` (load and validate) and `diff --patch
//! FILE` against the Kilo fixture (scan, plan every rule, verify). A command
//! still running after the timeout (600 s unless told) is killed and shown
//! as `> N s`. `--keep` leaves the inputs on disk and prints where.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The marker a child prints before its figures.
const MARK: &str = "@@hostile";

struct Case {
    name: &'static str,
    what: &'static str,
    make: fn(&Path) -> Vec<Run>,
}

/// One command on one generated input.
struct Run {
    label: &'static str,
    args: Vec<String>,
}

const CASES: &[Case] = &[
    Case {
        name: "dotted-chain",
        what: "one 40 KB line `x = a.b.b.b...`, 20,000 links",
        make: dotted_chain,
    },
    Case {
        name: "chain-one-file",
        what: "inheritance chain of 4,000 classes in one file",
        make: chain_one_file,
    },
    Case {
        name: "chain-files",
        what: "inheritance chain of 10,000 classes, one file each",
        make: chain_files,
    },
    Case {
        name: "wide-bases",
        what: "one class with 10,000 bases",
        make: wide_bases,
    },
    Case {
        name: "recipe-rules",
        what: "recipe with 2,000 rules on one class, Kilo fixture",
        make: recipe_rules,
    },
    Case {
        name: "binary-py",
        what: "4 MB of binary bytes named `.py`, next to a small module",
        make: binary_py,
    },
    Case {
        name: "huge-file",
        what: "one 200 MB Python source file",
        make: huge_file,
    },
    Case {
        name: "file-at-limit",
        what: "one 33 MB Python source file, just under the 32 MiB limit",
        make: file_at_limit,
    },
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let mut only: Vec<String> = Vec::new();
    let mut timeout = Duration::from_secs(600);
    let mut keep = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--only" => only.push(it.next().expect("--only NAME")),
            "--timeout" => {
                let secs: u64 = it.next().and_then(|s| s.parse().ok()).expect("--timeout SECS");
                timeout = Duration::from_secs(secs);
            }
            "--keep" => keep = true,
            other => panic!("unknown argument {other:?}; see the doc comment of tests/bench/hostile.rs"),
        }
    }
    for name in &only {
        assert!(CASES.iter().any(|c| c.name == name), "no case {name:?}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    println!("threads: {}", rayon::current_num_threads());
    println!(
        "{:<16} {:<10} {:>10} {:>10} {:>5}  input",
        "case", "command", "wall", "peak RSS", "exit"
    );
    for case in CASES
        .iter()
        .filter(|c| only.is_empty() || only.iter().any(|o| o == c.name))
    {
        let root = dir.path().join(case.name);
        fs::create_dir_all(&root).expect("mkdir");
        let runs = (case.make)(&root);
        for run in runs {
            let figures = measure(&run.args, timeout, dir.path());
            println!(
                "{:<16} {:<10} {:>10} {:>10} {:>5}  {}",
                case.name, run.label, figures.0, figures.1, figures.2, case.what
            );
        }
        if !keep {
            fs::remove_dir_all(&root).ok();
        }
    }
    if keep {
        println!("inputs kept in {}", dir.keep().display());
    }
}

/// Runs one command in a child process; returns its wall time and peak
/// RSS as printed. The child's stderr goes to a file: a pipe read only
/// after it exits would stall a child that writes more than the pipe holds
/// (a summary line per recipe rule).
fn measure(args: &[String], timeout: Duration, scratch: &Path) -> (String, String, String) {
    let exe = std::env::current_exe().expect("current exe");
    let log = scratch.join("child-stderr.txt");
    let mut child = Command::new(exe)
        .arg("--child")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).expect("create the child's log"))
        .spawn()
        .expect("spawn the benchmark itself");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > timeout {
            child.kill().ok();
            child.wait().ok();
            return (format!("> {} s", timeout.as_secs()), "-".to_string(), "-".to_string());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = fs::read_to_string(&log).unwrap_or_default();
    let Some(line) = err.lines().find_map(|l| l.strip_prefix(MARK)) else {
        let last = err.lines().last().unwrap_or("").to_string();
        return ("failed".to_string(), "-".to_string(), last);
    };
    let mut parts = line.split_whitespace();
    let ms: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    let kb: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let code = parts.next().unwrap_or("?");
    let wall = if ms >= 10_000.0 {
        format!("{:.0} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    };
    (wall, format!("{} MB", kb / 1024), code.to_string())
}

/// In the child: runs the CLI with `args` and prints the wall time and the
/// process's peak resident memory after the marker, on stderr.
fn child(args: &[String]) {
    let started = Instant::now();
    let code = shadowfix::cli::run(std::iter::once("shadowfix".to_string()).chain(args.iter().cloned()));
    let elapsed = started.elapsed();
    // `ExitCode` shows its number only through Debug.
    let code: String = format!("{code:?}").chars().filter(char::is_ascii_digit).collect();
    eprintln!("{MARK} {:.1} {} {code}", elapsed.as_secs_f64() * 1000.0, peak_rss_kb());
}

/// VmHWM from /proc: the high-water mark of resident memory.
fn peak_rss_kb() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn scan(root: &Path) -> Vec<Run> {
    vec![Run {
        label: "scan",
        args: vec![
            "scan".into(),
            root.display().to_string(),
            "--format".into(),
            "json".into(),
        ],
    }]
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).expect("write input");
}

fn dotted_chain(root: &Path) -> Vec<Run> {
    let mut src = String::from("x = a");
    for _ in 0..20_000 {
        src.push_str(".b");
    }
    src.push('\n');
    write(&root.join("chain.py"), &src);
    scan(root)
}

fn chain_one_file(root: &Path) -> Vec<Run> {
    let mut src = String::from("class C0(object):\n    def f(self): pass\n");
    for i in 1..4_000 {
        src.push_str(&format!("class C{i}(C{}): pass\n", i - 1));
    }
    write(&root.join("chain.py"), &src);
    scan(root)
}

fn chain_files(root: &Path) -> Vec<Run> {
    let pkg = root.join("pkg");
    fs::create_dir_all(&pkg).expect("mkdir");
    write(&pkg.join("__init__.py"), "");
    write(&pkg.join("m0.py"), "class C0(object):\n    def f(self): pass\n");
    for i in 1..10_000 {
        let j = i - 1;
        write(
            &pkg.join(format!("m{i}.py")),
            &format!("from pkg.m{j} import C{j}\n\n\nclass C{i}(C{j}):\n    pass\n"),
        );
    }
    scan(root)
}

fn wide_bases(root: &Path) -> Vec<Run> {
    let mut src = String::new();
    for i in 0..10_000 {
        src.push_str(&format!("class B{i}(object): pass\n"));
    }
    let bases: Vec<String> = (0..10_000).map(|i| format!("B{i}")).collect();
    src.push_str(&format!("class W({}):\n    pass\n", bases.join(", ")));
    write(&root.join("wide.py"), &src);
    scan(root)
}

fn recipe_rules(root: &Path) -> Vec<Run> {
    let mut toml = String::from(
        "id = \"many-rules\"\ntitle = \"Many rules on one class\"\ndescription = \"Hostile input.\"\n\n\
         [[rename]]\nclass = \"ScaleIODriver\"\nmethod = \"_attach_volume\"\nto = \"_sio_attach_volume\"\n\n\
         [[rename]]\nclass = \"ScaleIODriver\"\nmethod = \"_detach_volume\"\nto = \"_sio_detach_volume\"\n",
    );
    for i in 2..2_000 {
        toml.push_str(&format!(
            "\n[[rename]]\nclass = \"ScaleIODriver\"\nmethod = \"m{i}\"\nto = \"_sio_m{i}\"\n"
        ));
    }
    let recipe = root.join("many.toml");
    write(&recipe, &toml);
    let kilo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kilo");
    vec![
        Run {
            label: "recipes",
            args: vec!["recipes".into(), recipe.display().to_string()],
        },
        Run {
            label: "diff",
            args: vec![
                "diff".into(),
                kilo.display().to_string(),
                "--patch".into(),
                recipe.display().to_string(),
            ],
        },
    ]
}

fn binary_py(root: &Path) -> Vec<Run> {
    // xorshift: the same bytes every run, a NUL in every few hundred.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(4 << 20);
    while bytes.len() < 4 << 20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    fs::write(root.join("blob.py"), &bytes).expect("write input");
    write(
        &root.join("ok.py"),
        "class A(object):\n    def f(self):\n        return self.g()\n",
    );
    scan(root)
}

fn huge_file(root: &Path) -> Vec<Run> {
    python_file(&root.join("huge.py"), 200_000_000);
    scan(root)
}

fn file_at_limit(root: &Path) -> Vec<Run> {
    python_file(&root.join("big.py"), 33_000_000);
    scan(root)
}

/// Writes up to `size` bytes of dense, ordinary Python: a class with three
/// methods and a function per KB, an attribute reference every 27 bytes.
fn python_file(path: &Path, size: usize) {
    let file = fs::File::create(path).expect("create input");
    let mut out = BufWriter::new(file);
    out.write_all(b"import os\n\nfrom pkg import base, utils\n\n")
        .expect("write");
    let mut written = 0usize;
    let mut i = 0usize;
    loop {
        let block = format!(
            "class Handler{i}(base.Handler):\n    \"\"\"Handles request kind {i}.\"\"\"\n\n    \
             def process(self, request, context=None):\n        \
             data = self.client.get(request.id, timeout=self.conf.timeout)\n        \
             if data is None:\n            LOG.warning(\"no data for %s\", request.id)\n            \
             return self._fallback(request)\n        \
             result = utils.transform(data, self.options.mode)\n        \
             self.stats.record(len(result))\n        return self._finish(result, context)\n\n    \
             def _fallback(self, request):\n        return os.path.join(self.conf.root, request.name)\n\n    \
             def _finish(self, result, context):\n        \
             return super(Handler{i}, self).finish(result, context)\n\n\n\
             def helper_{i}(conf, items):\n    total = 0\n    for item in items:\n        \
             if item.kind == conf.kind and item.owner.name in conf.owners:\n            \
             total += item.size.value * conf.scale.factor\n        \
             elif os.path.exists(item.path):\n            \
             total += os.stat(item.path).st_size\n    \
             return utils.round(total, conf.precision)\n\n\n"
        );
        if written + block.len() > size {
            break;
        }
        out.write_all(block.as_bytes()).expect("write");
        written += block.len();
        i += 1;
    }
    out.flush().expect("flush");
}
