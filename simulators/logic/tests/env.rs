//! Gym conformance: the design environment and the sequential synthesis environment.

use std::collections::BTreeMap;

use gym::objective::ObjectiveSpec;
use gym::sequential::SequentialEnv;
use gym::{DesignEnv, Env, Simulator, check_env};

fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn design_env_passes_check_env() {
    let sim = logic::from_options(&options(&[
        ("circuit", "adder:ripple:4"),
        ("recipe_length", "4"),
    ]))
    .unwrap();
    assert_eq!(sim.space().len(), 4);
    let m = sim.evaluate_checked(&sim.space().default_design()).unwrap();
    for spec in sim.metrics() {
        assert!(
            m.get(&spec.name).is_some_and(f64::is_finite),
            "metric {} missing",
            spec.name
        );
    }
    let obj = ObjectiveSpec {
        minimize: Some("adp".into()),
        ..Default::default()
    }
    .build(sim.metrics())
    .unwrap();
    let mut env = DesignEnv::new(sim, obj).with_horizon(5);
    check_env(&mut env, 7, 8).unwrap();
}

#[test]
fn default_options_work_without_files() {
    let sim = logic::from_options(&BTreeMap::new()).unwrap();
    let m = sim.evaluate_checked(&sim.space().default_design()).unwrap();
    // The default design is resyn2, so its reward relative to resyn2 is zero.
    assert!(m.get("abcrl_reward").unwrap().abs() < 1e-9);
    assert_eq!(sim.space().len(), 10);
}

#[test]
fn unknown_and_invalid_options_are_errors() {
    let e = logic::from_options(&options(&[("circuitt", "x")]))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("circuitt") && e.contains("circuit"), "{e}");
    assert!(logic::from_options(&options(&[("engine", "yosys")])).is_err());
    assert!(logic::from_options(&options(&[("recipe_length", "0")])).is_err());
    assert!(logic::from_options(&options(&[("circuit", "adder:nope:3")])).is_err());
}

#[test]
fn sequential_env_passes_check_env_and_forks() {
    let mut env = logic::SynthEnv::from_options(&options(&[
        ("circuit", "mult:array:3"),
        ("recipe_length", "3"),
    ]))
    .unwrap();
    check_env(&mut env, 3, 10).unwrap();
    env.reset(Some(0));
    env.step(&2);
    let mut fork = env.fork();
    let before = env.state().stats();
    fork.step(&6);
    fork.step(&0);
    assert_eq!(
        env.state().stats(),
        before,
        "stepping a fork must not change the original"
    );
    assert_eq!(env.history().len(), 1);
    assert!(fork.legal_actions().is_empty());
    let g = env.graph();
    assert_eq!(
        g.edges.len(),
        2 * env.state().num_ands() + env.state().num_outputs()
    );
}
