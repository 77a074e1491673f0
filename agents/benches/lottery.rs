//! The hyperparameter lottery (ArchGym's central experiment): every agent, with a few settings of one
//! or two of its hyperparameters, searches each environment for a target spec under the same sample
//! budget; per agent it prints samples-to-target and best reward, median and spread over seeds.
//!
//! `cargo bench -p agents --bench lottery` (environment variables: `LOTTERY_SEEDS`, default 5;
//! `LOTTERY_ENVS`, a comma-separated subset of `synthetic,dram,accel`).
//!
//! Targets use the `overshoot` form (reward 0 once every target is met), so maximising the reward
//! and meeting the spec agree. They are hard for uniform sampling (DRAM: ArchGym's 1,000 mW power
//! target, where 150 random designs on `cloud-1` all drew ≥ 1,157 mW; accel: cycles and energy both
//! near the best designs found by BO), so that the table separates the agents.

use std::collections::BTreeMap;
use std::time::Instant;

use gym::testing::MixedQuadratic;
use gym::{Budget, Objective, ObjectiveSpec, Runner, Simulator, TargetForm};
use rayon::prelude::*;
use serde_json::json;

struct Environment {
    name: String,
    sim: Box<dyn Simulator>,
    target: BTreeMap<String, f64>,
    budget: usize,
}

/// An agent with one hyperparameter setting.
struct Contestant {
    kind: &'static str,
    params: serde_json::Value,
}

fn contestants() -> Vec<Contestant> {
    let c = |kind, params| Contestant { kind, params };
    vec![
        c("random_search", json!({})),
        c("random_walk", json!({})),
        c("ga", json!({})),
        c("ga", json!({"mutation": 0.02})),
        c("ga", json!({"population": 8})),
        c("aco", json!({})),
        c("aco", json!({"greediness": 0.6})),
        c("aco", json!({"evaporation": 0.3})),
        c("sa", json!({})),
        c("sa", json!({"cooling": 0.99})),
        c("bo", json!({})),
        c("bo", json!({"acquisition": "ucb"})),
        c("bo", json!({"batch": 1})),
        c("tpe", json!({})),
        c("tpe", json!({"gamma": 0.25})),
        c("nsga2", json!({})),
    ]
}

fn environments(selected: &[String]) -> Vec<Environment> {
    let want = |name: &str| selected.is_empty() || selected.iter().any(|s| s == name);
    let mut envs = Vec::new();
    if want("synthetic") {
        envs.push(Environment {
            name: "synthetic: MixedQuadratic::constrained".into(),
            sim: Box::new(MixedQuadratic::constrained()),
            target: [("loss".to_string(), 0.3)].into(),
            budget: 150,
        });
    }
    if want("dram") {
        let options: BTreeMap<String, String> =
            [("trace".to_string(), "cloud-1".to_string())].into();
        envs.push(Environment {
            name: "dram: DDR3-1600, cloud-1, ArchGym's low-power target".into(),
            sim: Box::new(dram::from_options(&options).expect("dram simulator")),
            target: dram::objectives::low_power().target.expect("a target spec"),
            budget: 100,
        });
    }
    if want("accel") {
        envs.push(Environment {
            name: "accel: resnet18".into(),
            sim: Box::new(accel::from_options(&BTreeMap::new()).expect("accel simulator")),
            target: [
                ("total_cycles".to_string(), 2e5),
                ("energy_pj".to_string(), 7e9),
            ]
            .into(),
            budget: 100,
        });
    }
    envs
}

/// `median [min, max]` of finite values, or `—`.
fn spread(mut xs: Vec<f64>, fmt: impl Fn(f64) -> String) -> String {
    xs.retain(|x| x.is_finite());
    if xs.is_empty() {
        return "—".into();
    }
    xs.sort_by(f64::total_cmp);
    format!(
        "{} [{}, {}]",
        fmt(xs[xs.len() / 2]),
        fmt(xs[0]),
        fmt(xs[xs.len() - 1])
    )
}

fn main() {
    let seeds: u64 = std::env::var("LOTTERY_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let selected: Vec<String> = std::env::var("LOTTERY_ENVS")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    for env in environments(&selected) {
        let objective: Objective = ObjectiveSpec {
            target: Some(env.target.clone()),
            form: Some(TargetForm::Overshoot),
            ..Default::default()
        }
        .build(env.sim.metrics())
        .expect("objective");
        let memo = gym::Memoized::new(env.sim.as_ref());
        let start = Instant::now();
        println!(
            "\n### {} — target {:?}, budget {} evaluations, {} seeds\n",
            env.name, env.target, env.budget, seeds
        );
        println!(
            "| agent | params | runs meeting target | samples to target, median [min, max] | best reward, median [min, max] |"
        );
        println!("|---|---|---|---|---|");
        for c in contestants() {
            let runs: Vec<(Option<usize>, f64)> = (0..seeds)
                .into_par_iter()
                .map(|seed| {
                    let mut agent =
                        agents::build(c.kind, memo.space(), &c.params, seed).expect("agent params");
                    let (out, _, _) =
                        Runner::new(&memo, &objective, Budget::evaluations(env.budget))
                            .run(agent.as_mut(), |_| {});
                    (
                        out.evaluations_to_target,
                        out.best.map_or(f64::NEG_INFINITY, |b| b.reward),
                    )
                })
                .collect();
            let hits = runs.iter().filter(|r| r.0.is_some()).count();
            // Runs that miss the target count as "more than the budget" for the median.
            let to_target: Vec<f64> = runs
                .iter()
                .map(|r| r.0.map_or(f64::INFINITY, |n| n as f64))
                .collect();
            let mut sorted = to_target.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted[sorted.len() / 2];
            let samples = if median.is_finite() {
                spread(to_target, |x| format!("{x:.0}"))
            } else {
                format!("> {} (median run misses)", env.budget)
            };
            println!(
                "| {} | `{}` | {hits}/{seeds} | {samples} | {} |",
                c.kind,
                c.params,
                spread(runs.iter().map(|r| r.1).collect(), |x| format!(
                    "{:.3}",
                    x + 0.0
                )) // + 0.0 prints −0 as 0
            );
        }
        let simulated = memo.len();
        println!(
            "\n({simulated} distinct designs simulated, {:.1} s)",
            start.elapsed().as_secs_f64()
        );
    }
}
