//! Compile-time diagnostics: every rule has failing cases with committed `.stderr` snapshots,
//! and the passing cases cover every valid form. Regenerate snapshots with
//! `TRYBUILD=overwrite cargo test -p cors-tests --test ui` and read the diff before committing.
//!
//! The snapshots hold rustc's rendering of the errors, which changes between compiler releases:
//! they were made with rustc 1.95, the toolchain CI has. On another compiler the test is
//! ignored, and says why; regenerate the snapshots to move to it.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the UI snapshots were made with rustc 1.95; regenerate them (TRYBUILD=overwrite) for this compiler"
)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
