#![no_main]
//! AIGER parser: any input gives a circuit or an error, and parsed circuits survive a write/read round trip.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(aig) = logic::aiger::parse_aiger(data, "fuzz.aig") {
        let back = logic::aiger::parse_aiger(&logic::aiger::write_aiger(&aig, true), "rt.aig").expect("round trip");
        assert_eq!(back.stats(), aig.stats());
    }
});
