//! The `$filter` fuzz target's check (`fuzz/fuzz_targets/check.rs`) over its seeds and
//! its corpus, on stable Rust: every CI run executes them, so the target cannot rot and
//! what the fuzzer once found stays fixed.

use std::path::{Path, PathBuf};

#[allow(unused_imports)] // used by check.rs, as `super::{filter, properties}`
use stratus::api::{filter, properties};

#[path = "../../fuzz/fuzz_targets/check.rs"]
mod check;

fn inputs(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            inputs(&path, found);
        } else {
            found.push(path);
        }
    }
}

#[test]
fn the_fuzz_targets_check_passes_on_its_seeds_and_corpus() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut seeds = Vec::new();
    inputs(&fuzz.join("seeds"), &mut seeds);
    assert!(seeds.len() >= 5, "the seeds are in the repository: {seeds:?}");
    // The corpus the fuzzer grows is kept on the machine (it is not committed): run it when there.
    let mut all = seeds;
    inputs(&fuzz.join("corpus"), &mut all);
    for path in &all {
        let data = std::fs::read(path).unwrap();
        if std::panic::catch_unwind(|| check::check(&data)).is_err() {
            panic!("{} fails the fuzz target's check", path.display());
        }
    }
}
