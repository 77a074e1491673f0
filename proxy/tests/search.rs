//! Agents search a proxy like any simulator: through the runner, and as a Gymnasium-style env.

mod common;

use gym::testing::MixedQuadratic;
use gym::{Budget, DesignEnv, Objective, ObjectiveSpec, Runner, Simulator, check_env};
use proxy::{ModelKind, Provenance, ProxySimulator, train};

fn proxy() -> ProxySimulator {
    let sim = MixedQuadratic::new();
    let (model, _) = train(
        sim.space().params(),
        &common::samples(800, 11),
        &common::spec(ModelKind::Boosting, &["loss", "size"]),
        Provenance::default(),
    )
    .unwrap();
    ProxySimulator::new(model, sim.space().clone(), sim.metrics().to_vec()).unwrap()
}

fn minimize_loss(proxy: &ProxySimulator) -> Objective {
    ObjectiveSpec {
        minimize: Some("loss".into()),
        ..Default::default()
    }
    .build(proxy.metrics())
    .unwrap()
}

#[test]
fn an_agent_searches_the_proxy_and_finds_a_good_real_design() {
    let proxy = proxy();
    let objective = minimize_loss(&proxy);
    let mut agent = agents::build("ga", proxy.space(), &serde_json::Value::Null, 3).unwrap();
    let mut records = 0;
    let (outcome, _, stats) =
        Runner::new(&proxy, &objective, Budget::evaluations(300)).run(agent.as_mut(), |r| {
            records += 1;
            assert!(r.metrics.as_ref().is_some_and(|m| m.get("loss").is_some()));
        });
    assert_eq!(records, 300);
    assert_eq!(stats.failed, 0);
    // The proxy's best design is good on the real function too (random designs average far worse).
    let best = outcome.best.unwrap();
    let real = MixedQuadratic::new().evaluate(&best.design).unwrap();
    let typical: f64 = common::samples(200, 12)
        .iter()
        .map(|s| s.1.get("loss").unwrap())
        .sum::<f64>()
        / 200.0;
    assert!(
        real.get("loss").unwrap() < 0.25 * typical,
        "real loss {} of the proxy's best vs a random design's {typical}",
        real.get("loss").unwrap()
    );
}

#[test]
fn the_proxy_passes_check_env() {
    let proxy = proxy();
    let objective = minimize_loss(&proxy);
    let mut env = DesignEnv::new(proxy, objective);
    check_env(&mut env, 5, 20).unwrap();
}
