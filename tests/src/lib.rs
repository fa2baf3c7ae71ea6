//! Tests of the workspace: trybuild UI cases (`ui/`) and integration tests (`tests/`). The library
//! itself only compiles documentation examples that no crate compiles as its own doctests: those
//! of the repository's README and `docs/`, and of cors-runtime's README (its crate documentation
//! is the guide).

#[doc = include_str!("../../cors-runtime/README.md")]
pub mod cors_runtime_readme {}

/// The examples of the README and of `docs/*.md` (see `build.rs`).
#[doc = include_str!(concat!(env!("OUT_DIR"), "/readme_checked.md"))]
pub mod readme {}
