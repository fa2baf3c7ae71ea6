//! Tests of the workspace: trybuild UI cases (`ui/`) and integration tests (`tests/`). The library
//! itself only compiles the examples of `#[cors]`'s documentation as doctests, here where
//! actix-web and cors-runtime are available.

#[doc = include_str!("../../cors-macros/RULES.md")]
pub mod cors_docs {}

/// The README's examples of configured policies (see `build.rs`).
#[doc = include_str!(concat!(env!("OUT_DIR"), "/readme_checked.md"))]
pub mod readme {}
