//! Mixed spaces (categorical, integer, power-of-two, linear and log floats): Gaussian heads learn float
//! knobs, and every learner runs on them.

use gym::testing::MixedQuadratic;
use gym::{Budget, ObjectiveSpec, Runner, Simulator};
use serde_json::json;

fn losses(kind: &str, params: serde_json::Value, budget: usize) -> Vec<f64> {
    let sim = MixedQuadratic::new();
    let objective = ObjectiveSpec {
        minimize: Some("loss".into()),
        ..Default::default()
    }
    .build(sim.metrics())
    .unwrap();
    let mut agent = (rl::find(kind).unwrap().build)(sim.space(), &params, 11).unwrap();
    let mut out = Vec::new();
    Runner::new(&sim, &objective, Budget::evaluations(budget)).run(agent.as_mut(), |r| {
        out.push(
            r.metrics
                .as_ref()
                .and_then(|m| m.get("loss"))
                .expect("loss reported"),
        )
    });
    out
}

#[test]
fn ppo_with_gaussian_float_heads_learns_a_mixed_space() {
    let l = losses(
        "ppo",
        json!({ "hidden": [16], "learning_rate": 0.01, "steps_per_update": 64 }),
        640,
    );
    let n = l.len() / 5;
    let first = l[..n].iter().sum::<f64>() / n as f64;
    let last = l[l.len() - n..].iter().sum::<f64>() / n as f64;
    println!("ppo on MixedQuadratic: mean loss first 20% {first:.3}, last 20% {last:.3}");
    assert!(last < 0.4 * first, "first {first:.3} last {last:.3}");
}

#[test]
fn every_learner_runs_on_a_mixed_space() {
    for (kind, params) in [
        (
            "sac",
            json!({ "hidden": [8], "min_replay_size": 16, "steps_per_update": 16, "gradient_steps": 1 }),
        ),
        (
            "marl",
            json!({ "ppo": { "hidden": [8], "steps_per_update": 16 } }),
        ),
        (
            "marl",
            json!({ "critic": "centralised", "ppo": { "hidden": [8], "steps_per_update": 16, "gaussian_floats": false } }),
        ),
    ] {
        let l = losses(kind, params, 64);
        assert_eq!(l.len(), 64, "{kind}");
        assert!(l.iter().all(|x| x.is_finite()), "{kind}");
    }
}
