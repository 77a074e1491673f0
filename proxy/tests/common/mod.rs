//! Shared fixtures: samples of gym's `MixedQuadratic` (a smooth function of a categorical, an
//! integer, a power-of-two, a float and a log-float knob) and small, fast hyperparameters.

#![allow(dead_code)]

use gym::testing::MixedQuadratic;
use gym::{Design, Metrics, Simulator};
use proxy::{ModelKind, ModelParams, Split, TrainSpec};

pub fn samples(n: usize, seed: u64) -> Vec<(Design, Metrics)> {
    let sim = MixedQuadratic::new();
    let mut rng = gym::rng::seeded(seed);
    (0..n)
        .map(|_| {
            let d = sim.space().sample(&mut rng);
            let m = sim.evaluate(&d).expect("synthetic simulator");
            (d, m)
        })
        .collect()
}

/// Hyperparameters small enough for a quick test run.
pub fn fast_params() -> ModelParams {
    let mut p = ModelParams::default();
    p.forest.trees = 40;
    p.boosting.max_trees = 400;
    p.mlp.hidden = vec![32, 32];
    p.mlp.max_epochs = 150;
    p.mlp.patience = 20;
    p.mlp.batch_size = 64;
    p
}

pub fn spec(kind: ModelKind, metrics: &[&str]) -> TrainSpec {
    TrainSpec {
        split: Split::Holdout(0.2),
        seed: 7,
        params: fast_params(),
        ..TrainSpec::new(metrics.iter().copied(), kind)
    }
}
