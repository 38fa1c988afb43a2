#![no_main]
//! libFuzzer entry for the `case_json` body of `tests/fuzz_targets`.

#[allow(dead_code)]
#[path = "../../tests/fuzz_targets/mod.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::case_json(data));
