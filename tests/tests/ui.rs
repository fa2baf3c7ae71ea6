//! Compile-time diagnostics: every rule has failing cases with committed `.stderr` snapshots,
//! and the passing cases cover every valid form. Regenerate snapshots with
//! `TRYBUILD=overwrite cargo test -p cors-tests --test ui` and read the diff before committing.
//!
//! The snapshots hold rustc's rendering of the errors, which changes between compiler releases:
//! they were made with rustc 1.95, the toolchain CI has. On another compiler the test fails and
//! says so, rather than passing without checking anything: regenerate the snapshots to move to
//! it, or set `CORS_UI_SNAPSHOTS=skip` to run the rest of the suite on that compiler knowingly.

/// The compiler the snapshots were made with.
const SNAPSHOT_RUSTC: &str = "1.95";

#[test]
fn ui() {
    if !snapshots_match_this_compiler() {
        let skip = std::env::var("CORS_UI_SNAPSHOTS").is_ok_and(|v| v == "skip");
        assert!(
            skip,
            "the UI snapshots were made with rustc {SNAPSHOT_RUSTC}, not this compiler: \
             regenerate them (TRYBUILD=overwrite cargo test -p cors-tests --test ui, then read \
             the diff), or set CORS_UI_SNAPSHOTS=skip to skip the compile-time cases knowingly"
        );
        eprintln!(
            "UI cases SKIPPED: snapshots made with rustc {SNAPSHOT_RUSTC} (CORS_UI_SNAPSHOTS=skip)"
        );
        return;
    }
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}

#[rustversion::stable(1.95)]
fn snapshots_match_this_compiler() -> bool {
    true
}

#[rustversion::not(stable(1.95))]
fn snapshots_match_this_compiler() -> bool {
    false
}

/// Every rule of the catalogue is shown by at least one failing case's snapshot, so that a new
/// rule cannot land without a case that shows its diagnostic.
#[test]
fn every_rule_has_a_failing_case() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fail");
    let mut snapshots = String::new();
    for entry in std::fs::read_dir(&dir).expect("tests/ui/fail is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "stderr") {
            snapshots.push_str(&std::fs::read_to_string(&path).expect("a UTF-8 snapshot"));
        }
    }
    let missing: Vec<&str> = cors_policy::Rule::ALL
        .iter()
        .map(|rule| rule.name())
        .filter(|name| !snapshots.contains(&format!("rule: cors::{name}\n")))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a failing UI case (add one under tests/ui/fail): {missing:?}"
    );
}
