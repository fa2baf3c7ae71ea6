//! A reference model of the runtime's answers, written straight from the Fetch standard
//! (the shared CORS reference, `cors-rules.md`) and the project's documented behaviour (the runtime's
//! crate docs, "How the runtime answers"), separate from the optimised runtime and shared by the
//! property tests (`tests/tests/it/model/reference_model.rs`) and the fuzz targets (`fuzz/`).
//!
//! It is meant to be obviously correct, not fast: strings are built, lists are scanned, nothing is
//! precomputed.
//!
//! - [`model`]: the decision function [`model::decide`];
//! - [`runtime`]: the same request sent through the real runtime with actix-web's test utilities;
//! - [`harness`]: the fuzz harness functions, also replayed over the committed corpus on stable.

#![allow(dead_code)]

pub mod harness;
pub mod model;
pub mod runtime;
