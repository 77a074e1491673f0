//! Malformed AIGER / BLIF / genlib input gives errors naming file and line, never panics
//! (a deterministic mutation smoke test; the cargo-fuzz targets in `fuzz/` go further).

use std::path::PathBuf;

use rand::{Rng, SeedableRng};

fn shared() -> PathBuf {
    let p = std::env::var_os("HWGYM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    assert!(
        p.is_dir(),
        "shared data not found at {} (set HWGYM_SHARED)",
        p.display()
    );
    p
}

fn mutate(base: &[u8], rng: &mut rand_chacha::ChaCha8Rng) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..rng.random_range(1..4) {
        let i = rng.random_range(0..v.len());
        match rng.random_range(0..3) {
            0 => v[i] = rng.random(),
            1 => {
                v.truncate(i);
                if v.is_empty() {
                    v.push(b'a');
                }
            }
            _ => v.insert(i, b"0123456789 \n-!*+()=;."[rng.random_range(0..21)]),
        }
    }
    v
}

#[test]
fn mutated_inputs_never_panic() {
    let s = shared();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let aig = std::fs::read(s.join("benchmarks/aig/alu2.aig")).unwrap();
    let aag =
        logic::aiger::write_aiger(&logic::aiger::parse_aiger(&aig, "alu2.aig").unwrap(), false);
    let genlib = std::fs::read(s.join("reference/logic/asap7.genlib")).unwrap();
    let blif = b".model m\n.inputs a b c\n.outputs y\n.names a b t\n11 1\n.names t c y\n1- 1\n-1 1\n.end\n".to_vec();
    for _ in 0..1000 {
        let _ = logic::aiger::parse_aiger(&mutate(&aig, &mut rng), "m.aig");
        let _ = logic::aiger::parse_aiger(&mutate(&aag, &mut rng), "m.aag");
        let _ =
            logic::blif::parse_blif(&String::from_utf8_lossy(&mutate(&blif, &mut rng)), "m.blif");
        if let Ok(lib) = logic::genlib::parse_genlib(
            &String::from_utf8_lossy(&mutate(&genlib, &mut rng)),
            "m.genlib",
            "m",
        ) {
            let _ = logic::map::MatchTable::new(&lib, 5);
        }
    }
}

#[test]
fn errors_name_file_and_line() {
    let e = logic::aiger::parse_aiger(b"aag 2 1 0 1 1\n2\n4\n4 2 7\n", "x.aag")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("x.aag:4:"), "{e}");
    let e = logic::blif::parse_blif(".model m\n.inputs a\n.outputs y\n.latch a y\n", "x.blif")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("x.blif:4:"), "{e}");
    let e = logic::genlib::parse_genlib(
        "GATE INV 1 Y=!A;\nPIN A UNKNOWN 1 999 1 0 1 0\nGATE B 2 Y=A+;\n",
        "x.genlib",
        "x",
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("x.genlib:3:"), "{e}");
    let e = logic::synth::load_circuit("/nonexistent/c.aig")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("/nonexistent/c.aig"), "{e}");
}
