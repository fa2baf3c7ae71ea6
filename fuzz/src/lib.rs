//! The fuzz targets' harness: the reference model, the runtime driver and one function per
//! target, shared with the stable corpus replay in `tests/tests/it/model/fuzz_corpus.rs`.

#[path = "../../tests/reference/mod.rs"]
pub mod reference;
