//! Seconds per recipe evaluation (recipe + `map` onto asap7.genlib), native engine vs a
//! `berkeley-abc` process on the same recipe, per benchmark circuit; prints the speed-up and its
//! geometric mean. `cargo bench -p logic --bench native_vs_abc` (set HWGYM_BENCH_ALL=1 to include
//! the six largest EPFL circuits).

use std::path::PathBuf;
use std::time::Duration;

use logic::recipe::{RESYN2, parse_recipe};
use logic::synth::{Engine, Evaluator};

fn main() {
    let shared = std::env::var_os("HWGYM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    let genlib = shared.join("reference/logic/asap7.genlib");
    assert!(
        genlib.is_file(),
        "shared data not found at {} (set HWGYM_SHARED)",
        shared.display()
    );
    let have_abc = logic::abc::find_abc().is_some();
    if !have_abc {
        println!("berkeley-abc not found: printing native timings only");
    }
    let all = std::env::var("HWGYM_BENCH_ALL").is_ok_and(|v| v == "1");
    let large = ["div", "mem_ctrl", "log2", "multiplier", "sqrt", "square"];
    // A random length-10 recipe from ABC-RL's action set, as in abc.csv.
    let random = parse_recipe("rewrite -z; resub -z; balance; rewrite -z; resub; rewrite -z; resub -z; refactor -z; resub -z; resub").unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("benchmarks/aig"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    println!(
        "{:<12} {:>7} {:>11} {:>11} {:>9}",
        "circuit", "ands", "native s", "abc s", "speed-up"
    );
    let mut log_sum = 0.0;
    let mut n = 0;
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        if !all && large.contains(&stem.as_str()) {
            continue;
        }
        let circuit = f.display().to_string();
        let native = Evaluator::new(
            &circuit,
            Some(&genlib),
            Engine::Native,
            Duration::from_secs(600),
        )
        .unwrap();
        let mut t_native = 0.0;
        for recipe in [&RESYN2[..], &random[..]] {
            t_native += native.evaluate(recipe, None).unwrap().0.seconds;
        }
        t_native /= 2.0;
        let t_abc = if have_abc {
            let abc = Evaluator::new(
                &circuit,
                Some(&genlib),
                Engine::Abc,
                Duration::from_secs(600),
            )
            .unwrap();
            let mut t = 0.0;
            for recipe in [&RESYN2[..], &random[..]] {
                t += abc.evaluate(recipe, None).unwrap().0.seconds;
            }
            Some(t / 2.0)
        } else {
            None
        };
        match t_abc {
            Some(a) => {
                let s = a / t_native;
                log_sum += s.ln();
                n += 1;
                println!(
                    "{:<12} {:>7} {:>11.4} {:>11.4} {:>8.2}x",
                    stem,
                    native.circuit.num_ands(),
                    t_native,
                    a,
                    s
                );
            }
            None => println!(
                "{:<12} {:>7} {:>11.4} {:>11} {:>9}",
                stem,
                native.circuit.num_ands(),
                t_native,
                "-",
                "-"
            ),
        }
    }
    if n > 0 {
        println!(
            "geomean speed-up native vs berkeley-abc process: {:.2}x over {n} circuits (target >= 5x)",
            (log_sum / n as f64).exp()
        );
    }
}
