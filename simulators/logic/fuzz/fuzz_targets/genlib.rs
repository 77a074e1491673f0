#![no_main]
//! genlib parser: never panics, and parsed libraries build a match table or report an error.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(lib) = logic::genlib::parse_genlib(&String::from_utf8_lossy(data), "fuzz.genlib", "fuzz") {
        let _ = logic::map::MatchTable::new(&lib, 5);
    }
});
