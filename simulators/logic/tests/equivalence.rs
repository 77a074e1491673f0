//! Every command on every benchmark circuit preserves the function (random simulation + SAT).
//! The three SAT-hard circuits in [`SLOW`] run only with `--ignored` (all seven commands: log2
//! ≈ 15 min, div ≈ 5 min, voter ≈ 2.5 min on one core); the other 30, mem_ctrl and the other
//! EPFL circuits included, take ≈ 2 min in the default run. `HWGYM_EQUIV_CIRCUITS=sin,voter`
//! restricts either test to the named circuits (file stems), so a long run can be split.

use std::path::PathBuf;

use logic::aig::{Aig, Lit};
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

/// Circuits whose output miters are hard for SAT (deep arithmetic, a wide majority).
const SLOW: &[&str] = &["div", "log2", "voter"];

fn run(slow: bool) {
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
        if SLOW.contains(&stem.as_str()) != slow {
            continue;
        }
        let original = logic::aiger::read_aiger_file(&f).unwrap();
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
fn every_command_preserves_function_on_benchmarks() {
    run(false);
}

#[test]
#[ignore = "SAT-hard circuits (div, log2, voter): over 20 minutes"]
fn every_command_preserves_function_on_sat_hard_benchmarks() {
    run(true);
}

/// Exhaustive output words of `g` (at most 16 inputs): pattern `p` sets input `i` to bit `i` of `p`.
fn truth_tables(g: &Aig) -> Vec<Vec<u64>> {
    let n = g.num_inputs();
    assert!(n <= 16);
    let words = (1usize << n).div_ceil(64);
    let pats: Vec<Vec<u64>> = (0..n)
        .map(|i| {
            (0..words)
                .map(|w| (0..64).fold(0u64, |acc, b| acc | ((((w * 64 + b) >> i) & 1) as u64) << b))
                .collect()
        })
        .collect();
    let mut out = g.simulate_outputs(&pats);
    // Patterns past 2^n repeat earlier ones; mask them off so they cannot differ.
    if n < 6 {
        let live = (1u64 << (1 << n)) - 1;
        out.iter_mut().for_each(|o| o[0] &= live);
    }
    out
}

/// A copy of `g` with one fault: the first fanin of AND node `victim` complemented.
fn with_fault(g: &Aig, victim: u32) -> Aig {
    let mut f = Aig::new();
    let mut map = vec![Lit::FALSE; g.num_slots()];
    for &i in g.inputs() {
        map[i as usize] = f.add_input();
    }
    for n in g.topo_order() {
        let m = |l: Lit| map[l.node() as usize].not_if(l.is_compl());
        let a = m(g.fanin0(n)).not_if(n == victim);
        map[n as usize] = f.and(a, m(g.fanin1(n)));
    }
    for &o in g.outputs() {
        f.add_output(map[o.node() as usize].not_if(o.is_compl()));
    }
    f
}

#[test]
fn verdicts_match_exhaustive_simulation_on_injected_faults() {
    // One word of random patterns, so that rarely observable faults reach the SAT sweep; the
    // optimised side (resub) gives the sweep many internal equivalences to merge.
    let params = Params {
        sim_words: 1,
        ..Params::default()
    };
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(7);
    let (mut equal, mut different) = (0, 0);
    for spec in ["adder:cla:6", "mult:array:4", "alu:3", "cmp:6", "voter:11"] {
        let original = logic::generators::generate(spec).unwrap();
        let optimised = logic::recipe::run_native(&original, &[Command::Resub]);
        let ands: Vec<u32> = original.topo_order();
        // No fault first (the sweep must prove it), then random single faults.
        for round in 0..13 {
            let (victim, faulty) = if round == 0 {
                (0, original.clone())
            } else {
                let victim = ands[rand::Rng::random_range(&mut rng, 0..ands.len())];
                (victim, with_fault(&original, victim))
            };
            let truly_equal = truth_tables(&faulty) == truth_tables(&original);
            let (verdict, _) = check(&optimised, &faulty, &params).unwrap();
            match verdict {
                Verdict::Equivalent => {
                    assert!(truly_equal, "{spec}: fault at {victim} missed");
                    equal += 1;
                }
                Verdict::Different {
                    output,
                    counterexample,
                } => {
                    assert!(!truly_equal, "{spec}: fault at {victim} is redundant");
                    let pats: Vec<Vec<u64>> =
                        counterexample.iter().map(|&b| vec![b as u64]).collect();
                    let (x, y) = (
                        optimised.simulate_outputs(&pats),
                        faulty.simulate_outputs(&pats),
                    );
                    assert_ne!(
                        x[output][0] & 1,
                        y[output][0] & 1,
                        "{spec}: the counterexample does not distinguish output {output}"
                    );
                    different += 1;
                }
            }
        }
    }
    // Both verdicts must have been exercised for the test to mean anything.
    assert!(
        equal > 0 && different > 0,
        "{equal} equal, {different} different"
    );
}
