//! Property tests against models, and the fuzz corpus replayed on stable.
//!
//! - [`reference_model`]: the runtime answers as the reference model (`tests/reference`) for
//!   arbitrary policies and requests;
//! - [`nesting_model`]: arbitrary app shapes of nested policies answer as the nesting reference;
//! - [`fuzz_corpus`]: the committed fuzz corpus through the fuzz targets' harness functions.
//!
//! The reference model is shared with the fuzz targets (`fuzz/src/lib.rs` includes it too).

#[path = "../../../reference/mod.rs"]
mod reference;

mod fuzz_corpus;
mod nesting_model;
mod reference_model;
