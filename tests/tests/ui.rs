//! Compile-time diagnostics: every rule has failing cases with committed `.stderr` snapshots,
//! and the passing cases cover every valid form. Regenerate snapshots with
//! `TRYBUILD=overwrite cargo test -p cors-tests --test ui` and read the diff before committing.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
