//! Registry behaviour shared by every agent: params errors name agent and field, determinism under a
//! seed, designs stay in the space.

use gym::testing::MixedQuadratic;
use gym::{Budget, ObjectiveSpec, Runner, Simulator};

fn designs(kind: &str, seed: u64) -> Vec<gym::Design> {
    let sim = MixedQuadratic::constrained();
    let obj = ObjectiveSpec {
        minimize: Some("loss".into()),
        ..Default::default()
    }
    .build(sim.metrics())
    .unwrap();
    let mut agent = agents::build(kind, sim.space(), &serde_json::Value::Null, seed).unwrap();
    let mut out = Vec::new();
    Runner::new(&sim, &obj, Budget::evaluations(60))
        .run(agent.as_mut(), |r| out.push(r.design.clone()));
    out
}

#[test]
fn every_agent_is_deterministic_and_stays_in_the_space() {
    let sim = MixedQuadratic::constrained();
    for info in agents::AGENTS {
        let a = designs(info.kind, 7);
        assert_eq!(
            a,
            designs(info.kind, 7),
            "{} is not deterministic",
            info.kind
        );
        assert_ne!(a, designs(info.kind, 8), "{} ignores its seed", info.kind);
        for d in &a {
            assert!(
                sim.space().check_domains(d).is_ok(),
                "{} proposed {:?}",
                info.kind,
                d
            );
        }
    }
}

#[test]
fn bad_params_name_agent_and_field() {
    let space = MixedQuadratic::new().space().clone();
    let e = agents::build(
        "random_walk",
        &space,
        &serde_json::json!({"restart": 0.1}),
        1,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("random_walk") && e.contains("restart"), "{e}");
    let e = agents::build(
        "random_walk",
        &space,
        &serde_json::json!({"restart_probability": 2.0}),
        1,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("restart_probability: must be in [0, 1], got 2"),
        "{e}"
    );
    let e = agents::build("simulated_typo", &space, &serde_json::Value::Null, 1)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("unknown agent `simulated_typo`") && e.contains("random_walk"),
        "{e}"
    );
}

#[test]
fn defaults_round_trip_through_build() {
    let space = MixedQuadratic::new().space().clone();
    for info in agents::AGENTS {
        let defaults = (info.defaults)();
        assert!(
            agents::build(info.kind, &space, &defaults, 0).is_ok(),
            "{}",
            info.kind
        );
    }
}
