//! Tests of the workspace: trybuild UI cases (`ui/`) and integration tests (`tests/`). The library
//! itself only compiles the examples of the documentation as doctests, here where actix-web and
//! cors-runtime are available: those of `#[cors]` and `#[policy]` (cors-macros has no doctests of
//! its own), of the crates' READMEs, and of the repository's README.

#[doc = include_str!("../../cors-macros/RULES.md")]
pub mod cors_docs {}

#[doc = include_str!("../../cors-macros/POLICY.md")]
pub mod policy_docs {}

#[doc = include_str!("../../cors-macros/README.md")]
pub mod cors_macros_readme {}

#[doc = include_str!("../../cors-runtime/README.md")]
pub mod cors_runtime_readme {}

/// The README's examples (see `build.rs`).
#[doc = include_str!(concat!(env!("OUT_DIR"), "/readme_checked.md"))]
pub mod readme {}
