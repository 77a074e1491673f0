//! Params, registry, policy files, GAE and the parallel-environment interface.

use gym::testing::Separable;
use gym::{Agent, Budget, DesignParallelEnv, ObjectiveSpec, ParallelEnv, Runner, Simulator};
use serde_json::json;

fn objective(sim: &Separable) -> gym::Objective {
    ObjectiveSpec {
        maximize: Some("score".into()),
        ..Default::default()
    }
    .build(sim.metrics())
    .unwrap()
}

fn mean_reward(sim: &Separable, designs: &[gym::Design]) -> f64 {
    designs
        .iter()
        .map(|d| sim.evaluate(d).unwrap().get("score").unwrap())
        .sum::<f64>()
        / designs.len() as f64
}

#[test]
fn registry_is_disjoint_from_the_search_agents_and_defaults_parse() {
    let space = Separable::new(3, 4).space().clone();
    for info in rl::AGENTS {
        assert!(
            agents::find(info.kind).is_err(),
            "{} is also in agents::AGENTS",
            info.kind
        );
        let defaults = (info.defaults)();
        (info.build)(&space, &defaults, 0)
            .unwrap_or_else(|e| panic!("{}: defaults do not build: {e}", info.kind));
        (info.build)(&space, &serde_json::Value::Null, 0).unwrap();
    }
}

#[test]
fn params_errors_name_the_field() {
    let space = Separable::new(3, 4).space().clone();
    let err = |kind: &str, p: serde_json::Value| {
        (rl::find(kind).unwrap().build)(&space, &p, 0)
            .err()
            .unwrap()
            .to_string()
    };
    assert!(err("ppo", json!({ "learning_rat": 0.1 })).contains("learning_rat"));
    assert!(err("ppo", json!({ "ppo_clipping_epsilon": 3.0 })).contains("ppo_clipping_epsilon"));
    assert!(err("sac", json!({ "batch_size": 0 })).contains("batch_size"));
    assert!(err("marl", json!({ "ppo": { "num_epochs": 0 } })).contains("ppo.num_epochs"));
    assert!(
        err("marl", json!({ "groups": [["k0"], ["k1"]] })).contains("`k2` belongs to no group")
    );
    assert!(err("marl", json!({ "groups": [["k0", "k1"], ["k1", "k2"]] })).contains("two groups"));
    assert!(err("marl", json!({ "groups": [["k0", "k1", "k2", "nope"]] })).contains("nope"));
    // ACME's name for steps per update is accepted too.
    (rl::find("ppo").unwrap().build)(&space, &json!({ "unroll_length": 32 }), 0).unwrap();
}

#[test]
fn gae_matches_hand_computation() {
    let (adv, targets) = rl::learner::gae(&[1.0, 0.0, 2.0], &[0.5, 0.5, 0.5], 1.0, 0.9, 0.8);
    // δ = r + γ V' − V: [0.95, −0.05, 2.4]; A₂ = 2.4, A₁ = −0.05 + 0.72·2.4, A₀ = 0.95 + 0.72·A₁.
    let a1 = -0.05 + 0.72 * 2.4;
    let expected = [0.95 + 0.72 * a1, a1, 2.4];
    for (a, e) in adv.iter().zip(expected) {
        assert!((a - e).abs() < 1e-5, "{adv:?} vs {expected:?}");
    }
    assert!((targets[2] - 2.9).abs() < 1e-5);
    // γ = 0: the advantage is the reward minus the baseline.
    let (adv, _) = rl::learner::gae(&[1.0, 3.0], &[2.0, 2.0], 5.0, 0.0, 0.95);
    assert_eq!(adv, vec![-1.0, 1.0]);
}

fn temp_path(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("hwgym-rl-{}-{name}.bpk", std::process::id()))
        .to_string_lossy()
        .into_owned()
}

/// Trains `kind` with `save_policy`, then checks that an agent loading the file as a prior starts
/// well above a fresh one, and that a file for another space is refused with its path.
fn check_policy_file(kind: &str, params: serde_json::Value, nested: bool) {
    let sim = Separable::new(6, 8);
    let obj = objective(&sim);
    let path = temp_path(kind);
    let with = |key: &str, value: &str| {
        let mut p = params.clone();
        let target = if nested {
            p.get_mut("ppo").unwrap()
        } else {
            &mut p
        };
        target[key] = json!(value);
        p
    };
    let info = rl::find(kind).unwrap();
    let mut trained = (info.build)(sim.space(), &with("save_policy", &path), 3).unwrap();
    Runner::new(&sim, &obj, Budget::evaluations(448)).run(trained.as_mut(), |_| {});
    assert_eq!(
        trained.stats().get("policy_saved"),
        Some(&1.0),
        "{kind}: {:?}",
        trained.stats()
    );

    let mut prior = (info.build)(sim.space(), &with("load_policy", &path), 4).unwrap();
    let mut fresh = (info.build)(sim.space(), &params, 4).unwrap();
    let (p, f) = (
        mean_reward(&sim, &prior.ask(200)),
        mean_reward(&sim, &fresh.ask(200)),
    );
    println!("{kind}: first designs with the loaded prior {p:.3}, fresh {f:.3}");
    assert!(
        p > f + 0.5,
        "{kind}: prior {p:.3} is not better than fresh {f:.3}"
    );

    let other = Separable::new(5, 8);
    let e = (info.build)(other.space(), &with("load_policy", &path), 0)
        .err()
        .expect("shape mismatch refused")
        .to_string();
    assert!(e.contains(&path), "{e}");
    let _ = std::fs::remove_file(&path);
    let e = (info.build)(sim.space(), &with("load_policy", &path), 0)
        .err()
        .expect("missing file refused")
        .to_string();
    assert!(e.contains(&path), "{e}");
}

#[test]
fn ppo_policy_files_round_trip_as_priors() {
    check_policy_file(
        "ppo",
        json!({ "hidden": [16], "learning_rate": 0.01 }),
        false,
    );
}

#[test]
fn marl_policy_files_round_trip_as_priors() {
    check_policy_file(
        "marl",
        json!({ "ppo": { "hidden": [16], "learning_rate": 0.01 } }),
        true,
    );
}

#[test]
fn sac_policy_files_round_trip_as_priors() {
    check_policy_file("sac", json!({ "hidden": [16] }), false);
}

#[test]
fn marl_drives_a_parallel_env() {
    let sim = Separable::new(4, 5);
    let obj = objective(&sim);
    let space = sim.space().clone();
    let mut env = DesignParallelEnv::new(sim, obj).with_horizon(50);
    let params = rl::marl::Params {
        ppo: rl::PpoConfig {
            hidden: vec![16],
            learning_rate: 0.02,
            steps_per_update: 32,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut marl = rl::marl::Marl::new(&space, params, 5).unwrap();
    assert_eq!(marl.agents(), env.agents());
    env.reset(Some(5));
    let mut rewards = Vec::new();
    for _ in 0..640 {
        let actions = marl.act();
        let step = env.step(&actions);
        let team = step.rewards.values().next().copied().unwrap();
        marl.observe(team);
        rewards.push(team);
        if step.truncations.values().any(|t| *t) || step.terminations.values().any(|t| *t) {
            env.reset(None);
        }
    }
    let n = rewards.len() / 5;
    let first = rewards[..n].iter().sum::<f64>() / n as f64;
    let last = rewards[rewards.len() - n..].iter().sum::<f64>() / n as f64;
    println!("marl on DesignParallelEnv: first {first:.3} last {last:.3}");
    assert!(
        last > first + 0.5 * (4.0 - first),
        "first {first:.3} last {last:.3}"
    );
    assert!(marl.stats()["updates"] >= 10.0);
}
