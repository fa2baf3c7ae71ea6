#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_fuzz::reference::harness::validate(data));
