//! Every learner improves on the separable multi-discrete reward, reproducibly under a seed.

use gym::testing::Separable;
use gym::{Budget, ObjectiveSpec, Runner, Simulator};
use serde_json::json;

const KNOBS: usize = 6;
const CHOICES: usize = 8;
const BUDGET: usize = 640;
/// Evaluations of the same-seed replay (enough for several updates).
const REPLAY_BUDGET: usize = 256;

/// Rewards of every evaluation of agent `kind` on `Separable(6, 8)`, in order.
fn run(
    kind: &str,
    params: serde_json::Value,
    seed: u64,
    budget: usize,
) -> (Vec<f64>, std::collections::BTreeMap<String, f64>) {
    let sim = Separable::new(KNOBS, CHOICES);
    let objective = ObjectiveSpec {
        maximize: Some("score".into()),
        ..Default::default()
    }
    .build(sim.metrics())
    .unwrap();
    let info = rl::find(kind).unwrap_or_else(|| panic!("agent {kind} is registered"));
    let mut agent = (info.build)(sim.space(), &params, seed).unwrap();
    let runner = Runner::new(&sim, &objective, Budget::evaluations(budget));
    let mut rewards = Vec::new();
    runner.run(agent.as_mut(), |r| rewards.push(r.reward));
    (rewards, agent.stats())
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Mean reward of the first and the last 20% of the evaluations.
fn first_last(rewards: &[f64]) -> (f64, f64) {
    let n = rewards.len() / 5;
    (mean(&rewards[..n]), mean(&rewards[rewards.len() - n..]))
}

/// The learner must close at least `share` of the gap between its first 20% and the optimum (6), and
/// give the same rewards twice under one seed.
fn check_learns(kind: &str, params: serde_json::Value, share: f64) {
    let (rewards, stats) = run(kind, params.clone(), 7, BUDGET);
    assert_eq!(rewards.len(), BUDGET);
    let (first, last) = first_last(&rewards);
    let max = KNOBS as f64;
    println!(
        "{kind}: first 20% mean {first:.3}, last 20% mean {last:.3} (max {max}); stats {stats:?}"
    );
    assert!(
        last - first >= share * (max - first),
        "{kind} did not learn enough: first {first:.3} last {last:.3}, wanted {share} of the gap to {max}"
    );
    assert!(
        stats.get("updates").copied().unwrap_or(0.0) >= 1.0,
        "{kind} never updated: {stats:?}"
    );
    let (again, _) = run(kind, params, 7, REPLAY_BUDGET);
    assert_eq!(
        rewards[..REPLAY_BUDGET],
        again[..],
        "{kind}: same seed must give the same run"
    );
}

fn small_ppo() -> serde_json::Value {
    json!({ "hidden": [16], "steps_per_update": 64, "learning_rate": 0.01 })
}

#[test]
fn ppo_learns_separable() {
    check_learns("ppo", small_ppo(), 0.6);
}

#[test]
fn sac_learns_separable() {
    check_learns(
        "sac",
        json!({ "hidden": [16], "steps_per_update": 32, "gradient_steps": 4 }),
        0.6,
    );
}

#[test]
fn independent_marl_learns_separable() {
    check_learns("marl", json!({ "ppo": small_ppo() }), 0.6);
}

#[test]
fn mappo_learns_separable() {
    check_learns(
        "marl",
        json!({ "critic": "centralised", "ppo": small_ppo() }),
        0.6,
    );
}

#[test]
fn grouped_marl_learns_separable() {
    let groups = json!([["k0", "k1"], ["k2", "k3", "k4"], ["k5"]]);
    check_learns("marl", json!({ "groups": groups, "ppo": small_ppo() }), 0.6);
}
