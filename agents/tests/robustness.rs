//! Agents must cope with awkward spaces and simulators: a space smaller than the budget, a simulator
//! that judges half the designs infeasible, one that fails on every design, and vector objectives.

use gym::testing::{MixedQuadratic, Separable, TwoObjective};
use gym::{
    Budget, Design, MetricSpec, Metrics, ObjectiveSpec, ParamSpace, Runner, SimError, Simulator,
};

/// Wraps a simulator, rejecting designs where `reject` holds (as infeasible or as failed runs).
struct Flaky<S> {
    inner: S,
    reject: fn(&Design) -> bool,
    infeasible: bool,
}

impl<S: Simulator> Simulator for Flaky<S> {
    fn space(&self) -> &ParamSpace {
        self.inner.space()
    }
    fn metrics(&self) -> &[MetricSpec] {
        self.inner.metrics()
    }
    fn evaluate(&self, d: &Design) -> Result<Metrics, SimError> {
        match ((self.reject)(d), self.infeasible) {
            (false, _) => self.inner.evaluate(d),
            (true, true) => Err(SimError::Infeasible("rejected by the test".into())),
            (true, false) => Err(SimError::Failed("crashed in the test".into())),
        }
    }
}

/// Runs every registered agent with default params; returns (agent, records' designs, best reward).
fn run_all(
    sim: &dyn Simulator,
    spec: &ObjectiveSpec,
    budget: usize,
) -> Vec<(&'static str, Vec<Design>, f64)> {
    let objective = spec.build(sim.metrics()).unwrap();
    agents::AGENTS
        .iter()
        .map(|info| {
            let mut agent =
                agents::build(info.kind, sim.space(), &serde_json::Value::Null, 3).unwrap();
            let mut designs = Vec::new();
            let (out, _, stats) = Runner::new(sim, &objective, Budget::evaluations(budget))
                .run(agent.as_mut(), |r| designs.push(r.design.clone()));
            assert_eq!(stats.evaluations, budget, "{} stopped early", info.kind);
            (
                info.kind,
                designs,
                out.best.map_or(f64::NEG_INFINITY, |b| b.reward),
            )
        })
        .collect()
}

#[test]
fn exhausting_a_tiny_space_finds_its_optimum() {
    // 2 knobs × 2 levels = 4 designs, budget 12: every agent must keep proposing valid designs and
    // must have seen the optimum.
    let sim = Separable::new(2, 2);
    let spec = ObjectiveSpec {
        maximize: Some("score".into()),
        ..Default::default()
    };
    for (kind, designs, best) in run_all(&sim, &spec, 12) {
        assert!(
            designs.iter().all(|d| sim.space().check_domains(d).is_ok()),
            "{kind}"
        );
        if kind != "random_walk" {
            assert_eq!(
                best,
                sim.max_score(),
                "{kind} missed the optimum of a 4-design space in 12 samples"
            );
        }
    }
}

#[test]
fn agents_survive_infeasible_and_failing_designs() {
    let spec = ObjectiveSpec {
        minimize: Some("loss".into()),
        ..Default::default()
    };
    // Half the space (by the integer knob's parity) is infeasible; the optimum (n = 13) is not.
    let half = Flaky {
        inner: MixedQuadratic::new(),
        reject: |d| d[1].as_f64() as i64 % 2 == 0,
        infeasible: true,
    };
    for (kind, _, best) in run_all(&half, &spec, 60) {
        assert!(best.is_finite(), "{kind} found no feasible design");
    }
    // Every evaluation fails: nothing to learn, but no agent may panic or stop asking.
    let broken = Flaky {
        inner: MixedQuadratic::new(),
        reject: |_| true,
        infeasible: false,
    };
    for (kind, designs, best) in run_all(&broken, &spec, 40) {
        assert!(best == f64::NEG_INFINITY && designs.len() == 40, "{kind}");
    }
}

#[test]
fn vector_objectives_reach_every_agent() {
    // Scalar agents search a Pareto objective through its scalarised reward; all must run.
    let sim = TwoObjective::new();
    let spec = ObjectiveSpec {
        pareto: Some(vec!["f1".into(), "f2".into()]),
        reference: Some([("f1".to_string(), 1.1), ("f2".to_string(), 1.1)].into()),
        ..Default::default()
    };
    for (kind, designs, best) in run_all(&sim, &spec, 50) {
        assert!(best.is_finite() && designs.len() == 50, "{kind}");
    }
}
