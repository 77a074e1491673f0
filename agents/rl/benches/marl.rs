//! The MARL paper's comparison: one PPO agent per knob (independent and MAPPO) vs single-agent PPO vs
//! discrete SAC vs random search, at an equal evaluation budget over several seeds, for each target
//! and workload. Prints the best reward and the samples-to-target per agent, and how long a PPO update
//! on a batch of 256 designs takes.
//!
//! `cargo bench -p rl --features dram --bench marl` runs it on the DRAM simulator (low-power and
//! low-latency targets on the four built-in workloads); without the `dram` feature it runs on
//! `gym::testing::Separable`. `HWGYM_BENCH_BUDGET` (default 500) and `HWGYM_BENCH_SEEDS` (default 5)
//! set the budget and the number of seeds.

use std::time::Instant;

use gym::{Agent, Budget, Evaluation, ObjectiveSpec, ParamSpace, Runner, Simulator};
use serde_json::json;

/// The contestants: (label, registry kind, params). The learners update every 16 designs so that
/// they learn within small budgets; everything else is at its defaults.
fn contestants() -> Vec<(&'static str, &'static str, serde_json::Value)> {
    let ppo = json!({ "steps_per_update": 16, "batch": 16 });
    vec![
        ("marl (1 agent/knob)", "marl", json!({ "ppo": ppo })),
        (
            "mappo (central critic)",
            "marl",
            json!({ "critic": "centralised", "ppo": ppo }),
        ),
        ("ppo", "ppo", ppo.clone()),
        (
            "sac",
            "sac",
            json!({ "min_replay_size": 16, "steps_per_update": 16, "batch": 16 }),
        ),
        ("random_search", "random_search", json!({ "batch": 16 })),
    ]
}

fn build(kind: &str, space: &ParamSpace, params: &serde_json::Value, seed: u64) -> Box<dyn Agent> {
    match rl::find(kind) {
        Some(info) => (info.build)(space, params, seed).unwrap(),
        None => agents::build(kind, space, params, seed).unwrap(),
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64;
    (m, v.sqrt())
}

/// Runs every contestant on one problem and prints a table row per agent.
fn compare(problem: &str, sim: &dyn Simulator, spec: &ObjectiveSpec, budget: usize, seeds: usize) {
    let objective = spec.build(sim.metrics()).unwrap();
    println!("\n### {problem} ({budget} evaluations, {seeds} seeds)\n");
    println!(
        "| agent | best reward (mean ± sd) | runs reaching target | samples to target (median of those) | seconds/run |"
    );
    println!("|---|---|---|---|---|");
    for (label, kind, params) in contestants() {
        let (mut best, mut hits) = (Vec::new(), Vec::new());
        let t = Instant::now();
        for seed in 0..seeds as u64 {
            let mut agent = build(kind, sim.space(), &params, seed);
            let runner = Runner::new(sim, &objective, Budget::evaluations(budget));
            let mut first_hit = None;
            let mut top = f64::NEG_INFINITY;
            runner.run(agent.as_mut(), |r| {
                top = top.max(r.reward);
                if r.target_met && first_hit.is_none() {
                    first_hit = Some(r.step + 1);
                }
            });
            best.push(top);
            hits.extend(first_hit);
        }
        let (m, sd) = mean_sd(&best);
        hits.sort_unstable();
        let median = if hits.is_empty() {
            "-".to_string()
        } else {
            hits[hits.len() / 2].to_string()
        };
        let secs = t.elapsed().as_secs_f64() / seeds as f64;
        println!(
            "| {label} | {m:.4} ± {sd:.4} | {}/{seeds} | {median} | {secs:.2} |",
            hits.len()
        );
    }
}

/// Times PPO updates on batches of 256 designs (the default network and epochs).
fn time_ppo_update(sim: &dyn Simulator, spec: &ObjectiveSpec) {
    let objective = spec.build(sim.metrics()).unwrap();
    let params = rl::PpoConfig {
        steps_per_update: 256,
        ..Default::default()
    };
    let mut ppo = rl::ppo::Ppo::new(sim.space(), params, 1).unwrap();
    let mut times = Vec::new();
    for _ in 0..5 {
        let designs = ppo.ask(256);
        let evals: Vec<Evaluation> = designs
            .into_iter()
            .map(|d| {
                let m = sim.evaluate(&d).ok();
                let reward = m
                    .as_ref()
                    .map_or(f64::NEG_INFINITY, |m| objective.score(m).reward);
                Evaluation {
                    design: d,
                    feasible: m.is_some(),
                    metrics: m,
                    reward,
                    costs: Vec::new(),
                    error: None,
                }
            })
            .collect();
        ppo.tell(&evals);
        times.push(ppo.stats()["update_ms"]);
    }
    let (m, sd) = mean_sd(&times);
    println!(
        "\nPPO update on a batch of 256 designs ({} knobs, hidden [64, 64], 4 epochs × 4 minibatches): {m:.1} ± {sd:.1} ms",
        sim.space().len()
    );
}

#[cfg(feature = "dram")]
fn main() {
    let budget = env_usize("HWGYM_BENCH_BUDGET", 500);
    let seeds = env_usize("HWGYM_BENCH_SEEDS", 5);
    let targets = [
        ("low power", dram::objectives::low_power()),
        ("low latency", dram::objectives::low_latency()),
    ];
    let mut timed = false;
    for workload in ["stream", "random", "cloud-1", "cloud-2"] {
        let options: std::collections::BTreeMap<String, String> =
            [("trace".to_string(), workload.to_string())].into();
        let sim = gym::Memoized::new(dram::from_options(&options).expect("dram simulator"));
        if !timed {
            time_ppo_update(&sim, &targets[0].1);
            timed = true;
        }
        for (name, spec) in &targets {
            compare(
                &format!("DRAM {workload}, {name}"),
                &sim,
                spec,
                budget,
                seeds,
            );
        }
    }
}

#[cfg(not(feature = "dram"))]
fn main() {
    let budget = env_usize("HWGYM_BENCH_BUDGET", 500);
    let seeds = env_usize("HWGYM_BENCH_SEEDS", 5);
    let sim = gym::Memoized::new(gym::testing::Separable::new(10, 8));
    let spec = ObjectiveSpec {
        target: Some([("score".to_string(), 9.5)].into()),
        ..Default::default()
    };
    time_ppo_update(&sim, &spec);
    compare(
        "Separable(10 knobs × 8 choices), target score 9.5",
        &sim,
        &spec,
        budget,
        seeds,
    );
}
