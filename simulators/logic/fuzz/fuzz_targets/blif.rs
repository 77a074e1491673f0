#![no_main]
//! BLIF parser: never panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = logic::blif::parse_blif(&String::from_utf8_lossy(data), "fuzz.blif");
});
