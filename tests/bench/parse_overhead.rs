//! Benchmark (not a test): what shadowfix's extraction adds on top of the
//! raw tree-sitter parse, over every file of a tree.
//!
//!     cargo bench --bench parse_overhead -- PATH

use rayon::prelude::*;
use std::time::Instant;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let w = shadowfix::scan::walk_tree(&root).unwrap();
    let t = Instant::now();
    let n: usize = w
        .sources
        .par_iter()
        .map(|s| {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_python::LANGUAGE.into()).ok();
            p.parse(&s.bytes, None)
                .map(|t| t.root_node().child_count() as usize)
                .unwrap_or(0)
        })
        .sum();
    println!("ts parse only: {} ms ({n})", t.elapsed().as_millis());
    let t = Instant::now();
    let m: usize = w
        .sources
        .par_iter()
        .map(|s| shadowfix::scan::parse_module(&s.bytes).attr_refs.len())
        .sum();
    println!("parse_module: {} ms ({m})", t.elapsed().as_millis());
}
