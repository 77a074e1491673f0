//! Proxy inference time per design against the DRAM simulator's evaluation time per design, in the
//! same process, single-threaded, as a ratio.
//!
//! `cargo bench -p proxy --bench inference` (`PROXY_INFER_TRAIN` training designs, default 20000;
//! `PROXY_INFER_SIM` designs simulated for the timing, default 200; `PROXY_BENCH_CACHE` as in
//! `common`). The MLP is trained for 5 epochs only: its inference cost depends on its shape, not on
//! its weights.

mod common;

use std::hint::black_box;
use std::time::Instant;

use gym::Simulator;
use proxy::{ModelKind, Provenance, TrainSpec, train_all};

fn main() {
    let n_train = common::env_usize("PROXY_INFER_TRAIN", 20000);
    let n_sim = common::env_usize("PROXY_INFER_SIM", 200);
    let sim = common::simulator();
    let data = common::dram_dataset(n_train);
    let designs: Vec<gym::Design> = data.iter().map(|(d, _)| d.clone()).collect();

    // The simulator, on the first designs (their cost depends on the design).
    let probe = &designs[..n_sim.min(designs.len())];
    let start = Instant::now();
    for d in probe {
        black_box(sim.evaluate(d).expect("dram"));
    }
    let sim_s = start.elapsed().as_secs_f64() / probe.len() as f64;

    println!(
        "\n### Inference: proxy vs DRAM simulator (DDR3-1600, stream), one thread, per design\n"
    );
    println!(
        "| model (trained on {n_train}) | predict µs/design (all metrics) | simulator µs/design | speed-up |"
    );
    println!("|---|---|---|---|");
    let metrics = ["power_mw", "total_time_ns"];
    for kind in ModelKind::ALL {
        let mut spec = TrainSpec::new(metrics, kind);
        // Inference cost does not depend on how well the weights are trained: a few epochs will do.
        spec.params.mlp.max_epochs = 5;
        let (model, _) =
            train_all(sim.space().params(), &data, &spec, Provenance::default()).expect("train");
        // Repeat over all training designs until at least ~0.5 s passed.
        let mut n = 0usize;
        let start = Instant::now();
        while start.elapsed().as_secs_f64() < 0.5 {
            for d in &designs {
                black_box(model.predict(d));
            }
            n += designs.len();
        }
        let proxy_s = start.elapsed().as_secs_f64() / n as f64;
        println!(
            "| {kind} ({} metrics) | {:.2} | {:.0} | {:.0}× |",
            metrics.len(),
            proxy_s * 1e6,
            sim_s * 1e6,
            sim_s / proxy_s
        );
    }
}
