//! The real-ABC backend. Needs Debian's `berkeley-abc` (or `abc`): with `HWGYM_REQUIRE_ABC=1` (CI)
//! a missing binary fails the test, otherwise the test says it was skipped.

use std::path::PathBuf;
use std::time::Duration;

use logic::synth::{Engine, SynthRequest, run};

fn abc_available(test: &str) -> bool {
    if logic::abc::find_abc().is_some() {
        return true;
    }
    if std::env::var("HWGYM_REQUIRE_ABC").is_ok_and(|v| v == "1") {
        panic!(
            "{test}: ABC is required (HWGYM_REQUIRE_ABC=1) but neither `berkeley-abc` nor `abc` is on PATH"
        );
    }
    eprintln!("{test}: SKIPPED, ABC not installed (apt-get install berkeley-abc)");
    false
}

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

#[test]
fn abc_engine_reproduces_reference_row() {
    if !abc_available("abc_engine_reproduces_reference_row") {
        return;
    }
    let s = shared();
    let req = SynthRequest {
        circuit: s.join("benchmarks/aig/alu2.aig").display().to_string(),
        recipe: "resyn2".into(),
        genlib: Some(s.join("reference/logic/asap7.genlib")),
        engine: Engine::Abc,
        write: None,
        verify: true,
        abc_timeout: Duration::from_secs(60),
    };
    let r = run(&req).unwrap();
    // The reference row for alu2 / resyn2 in abc.csv.
    let csv = std::fs::read_to_string(s.join("reference/logic/abc.csv")).unwrap();
    let resyn2 = logic::recipe::RESYN2
        .iter()
        .map(|c| c.abc_text())
        .collect::<Vec<_>>()
        .join(";");
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("alu2,{resyn2},")))
        .expect("alu2 resyn2 row");
    let f: Vec<&str> = row.split(',').collect();
    assert_eq!(r.and, f[2].parse::<usize>().unwrap());
    assert_eq!(r.lev, f[3].parse::<u32>().unwrap());
    assert_eq!(r.gates, f[4].parse::<usize>().unwrap());
    assert!((r.area - f[5].parse::<f64>().unwrap()).abs() < 0.01);
    assert_eq!(r.equivalent, Some(true));
}

#[test]
fn abc_engine_works_on_generated_circuits_and_builtin_library() {
    if !abc_available("abc_engine_works_on_generated_circuits_and_builtin_library") {
        return;
    }
    let opts = [
        ("circuit", "adder:cla:8"),
        ("engine", "abc"),
        ("recipe_length", "3"),
    ];
    let sim = logic::from_options(
        &opts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
    .unwrap();
    let m = gym::Simulator::evaluate_checked(&sim, &gym::Simulator::space(&sim).default_design())
        .unwrap();
    assert!(m.get("area").unwrap() > 0.0 && m.get("delay").unwrap() > 0.0);
}

#[test]
fn abc_failures_are_errors_not_panics() {
    if !abc_available("abc_failures_are_errors_not_panics") {
        return;
    }
    let params = logic::abc::AbcParams {
        binary: logic::abc::find_abc().unwrap(),
        timeout: Duration::from_secs(30),
    };
    let missing = std::path::Path::new("/nonexistent/circuit.aig");
    assert!(logic::abc::run(&params, missing, None, &[], None).is_err());
    let tiny = logic::abc::AbcParams {
        timeout: Duration::from_millis(1),
        ..params
    };
    let s = shared();
    let r = logic::abc::run(
        &tiny,
        &s.join("benchmarks/aig/sin.aig"),
        None,
        &logic::recipe::RESYN2,
        None,
    );
    assert!(
        matches!(r, Err(logic::LogicError::AbcTimeout { .. })),
        "{r:?}"
    );
}
