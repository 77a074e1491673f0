//! Learning curve of the proxy models on DRAM data: held-out NRMSE (of range) per metric against the
//! number of distinct training designs, per model kind, on one fixed held-out set. Then the acceptance
//! check of issue 8: `proxy::train` with a 20 % holdout on the largest data set.
//!
//! `cargo bench -p proxy --bench learning_curve`. Environment variables:
//! - `PROXY_CURVE_SIZES` training sizes (default `1000,5000,20000`; add `100000` for the full curve),
//! - `PROXY_CURVE_TEST` held-out designs (default 5000),
//! - `PROXY_CURVE_MODELS` (default `forest,boosting,mlp`),
//! - `PROXY_CURVE_METRICS` (default `power_mw,total_time_ns`),
//! - `PROXY_BENCH_CACHE` where the collected DRAM data is cached (see `common`).

mod common;

use std::time::Instant;

use gym::Simulator;
use proxy::{ModelKind, Provenance, Split, TrainSpec, train, train_all};
use rand::seq::SliceRandom;

fn list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn main() {
    let sizes: Vec<usize> = list("PROXY_CURVE_SIZES", "1000,5000,20000")
        .iter()
        .map(|s| s.parse().expect("PROXY_CURVE_SIZES: numbers"))
        .collect();
    let n_test = common::env_usize("PROXY_CURVE_TEST", 5000);
    let kinds: Vec<ModelKind> = list("PROXY_CURVE_MODELS", "forest,boosting,mlp")
        .iter()
        .map(|s| s.parse().expect("PROXY_CURVE_MODELS"))
        .collect();
    let metrics = list("PROXY_CURVE_METRICS", "power_mw,total_time_ns");
    let largest = *sizes.iter().max().expect("at least one size");

    let sim = common::simulator();
    let params = sim.space().params().to_vec();
    let mut data = common::dram_dataset(largest + n_test);
    // A fixed shuffle: the first `n_test` designs are the held-out set, training sets are prefixes of
    // the rest (so a larger set contains every smaller one).
    data.shuffle(&mut gym::rng::seeded(2024));
    let (test, pool) = data.split_at(n_test);

    println!(
        "\n### Learning curve: DRAM (DDR3-1600, stream), {} held-out designs, NRMSE of range\n",
        n_test
    );
    let header: Vec<String> = metrics.iter().map(|m| format!("{m} NRMSE")).collect();
    let r2: Vec<String> = metrics.iter().map(|m| format!("{m} R²")).collect();
    println!(
        "| model | train designs | {} | {} | train s |",
        header.join(" | "),
        r2.join(" | ")
    );
    println!("|---|---|{}---|", "---|".repeat(2 * metrics.len()));
    for &kind in &kinds {
        for &size in &sizes {
            let spec = TrainSpec::new(metrics.iter().cloned(), kind);
            let start = Instant::now();
            let (model, _) = train_all(&params, &pool[..size], &spec, Provenance::default())
                .unwrap_or_else(|e| panic!("{kind} on {size}: {e}"));
            let seconds = start.elapsed().as_secs_f64();
            let report = model.evaluate(test).expect("evaluate");
            let nrmse: Vec<String> = metrics
                .iter()
                .map(|m| format!("{:.3} %", 100.0 * report[m].nrmse_range))
                .collect();
            let r2: Vec<String> = metrics
                .iter()
                .map(|m| format!("{:.5}", report[m].r2))
                .collect();
            println!(
                "| {kind} | {size} | {} | {} | {seconds:.1} |",
                nrmse.join(" | "),
                r2.join(" | ")
            );
        }
    }

    // Acceptance (issue 8): `train` as the CLI calls it, on every collected design, 20 % held out.
    let all = largest + n_test;
    println!("\n### `proxy::train` on {all} distinct designs, 20 % holdout (seed 0)\n");
    println!("| model | metric | RMSE | NRMSE range | NRMSE mean | MAPE | R² | n_train | n_test |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for &kind in &kinds {
        let spec = TrainSpec {
            split: Split::Holdout(0.2),
            ..TrainSpec::new(metrics.iter().cloned(), kind)
        };
        let (model, _) = train(&params, &data, &spec, Provenance::default()).expect("train");
        for (m, r) in model.report() {
            println!(
                "| {kind} | {m} | {:.4} | {:.3} % | {:.3} % | {:.3} % | {:.5} | {} | {} |",
                r.rmse,
                100.0 * r.nrmse_range,
                100.0 * r.nrmse_mean,
                100.0 * r.mape,
                r.r2,
                r.n_train,
                r.n_test
            );
        }
    }
}
