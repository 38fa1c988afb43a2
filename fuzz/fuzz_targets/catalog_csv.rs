#![no_main]
//! libFuzzer entry for the `catalog_csv` body of `tests/fuzz_targets`.

#[allow(dead_code)]
#[path = "../../tests/fuzz_targets/mod.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::catalog_csv(data));
