//! Every command on every benchmark circuit preserves the function (random simulation + SAT).
//! Circuits above 2000 AND nodes (the EPFL arithmetic and the largest control circuits) run only
//! with `--ignored`: SAT sweeping on div, log2, multiplier, voter or sin takes minutes per circuit,
//! too long for CI. `HWGYM_EQUIV_CIRCUITS=sin,voter` restricts either test to the named circuits
//! (file stems), so a long run can be split or resumed.

use std::path::PathBuf;

use logic::equiv::{Params, Verdict, check};
use logic::recipe::Command;

fn shared() -> PathBuf {
    let p = std::env::var_os("HWGYM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    assert!(
        p.join("benchmarks/aig").is_dir(),
        "shared data not found at {} (set HWGYM_SHARED)",
        p.display()
    );
    p
}

fn run(large: bool) {
    let dir = shared().join("benchmarks/aig");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let only: Option<Vec<String>> = std::env::var("HWGYM_EQUIV_CIRCUITS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    let mut checked = 0;
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        if only.as_ref().is_some_and(|names| !names.contains(&stem)) {
            continue;
        }
        let original = logic::aiger::read_aiger_file(&f).unwrap();
        if (original.num_ands() > 2000) != large {
            continue;
        }
        for cmd in Command::ALL {
            let started = std::time::Instant::now();
            let out = logic::recipe::run_native(&original, &[cmd]);
            let (verdict, stats) = check(&original, &out, &Params::default()).unwrap();
            println!(
                "{stem}: `{cmd}` {verdict:?} in {:.1} s ({stats:?})",
                started.elapsed().as_secs_f64()
            );
            assert_eq!(
                verdict,
                Verdict::Equivalent,
                "{stem}: `{cmd}` changed the function"
            );
            checked += 1;
        }
        println!("{stem}: all 7 commands equivalent");
    }
    assert!(checked > 0);
}

#[test]
fn every_command_preserves_function_on_small_benchmarks() {
    run(false);
}

#[test]
#[ignore = "large or SAT-hard EPFL circuits: many minutes of runtime"]
fn every_command_preserves_function_on_large_benchmarks() {
    run(true);
}
