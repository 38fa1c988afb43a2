#![no_main]
//! libFuzzer entry for the `xapi_statements` body of `tests/fuzz_targets`.

#[allow(dead_code)]
#[path = "../../tests/fuzz_targets/mod.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::xapi_statements(data));
