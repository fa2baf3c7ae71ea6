//! Replays the committed fuzz corpus (`fuzz/seeds/<target>/`, `fuzz/corpus/<target>/`) through the fuzz targets' own
//! harness functions, on the stable toolchain: what libFuzzer found once stays checked in CI.
//! Fuzzing itself needs `cargo fuzz` (see `fuzz/README.md`).

use super::reference;

use std::path::Path;

fn replay(target: &str, harness: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut inputs = Vec::new();
    for dir in ["seeds", "corpus"] {
        let dir = fuzz.join(dir).join(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        inputs.extend(entries.map(|entry| entry.unwrap().path()));
    }
    inputs.sort();
    assert!(inputs.len() > 10, "{target}: no corpus committed");
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| harness(&data));
        assert!(outcome.is_ok(), "{} fails", path.display());
    }
    eprintln!("{target}: {} inputs replayed", inputs.len());
}

#[test]
fn request_corpus() {
    replay("request", reference::harness::request);
}

#[test]
fn validate_corpus() {
    replay("validate", reference::harness::validate);
}

#[test]
fn wire_corpus() {
    replay("wire", reference::harness::wire);
}
