//! Sweep throughput: evaluations per second of a whole sweep (runs in parallel, each run's batches in
//! parallel, results written to parquet) at several thread counts.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use gym::{Design, MetricSpec, Metrics, ParamSpace, SimError, Simulator};

use crate::lab::stats::median;
use crate::recipe::Recipe;
use crate::sweep::{self, SimBuilder, SweepOptions};

/// A simulator that burns `cost` of CPU time per evaluation before delegating (stands in for a real
/// simulator's work when benchmarking the sweep machinery on a synthetic function).
pub struct Costly {
    pub inner: Box<dyn Simulator>,
    pub cost: Duration,
}

impl Simulator for Costly {
    fn space(&self) -> &ParamSpace {
        self.inner.space()
    }
    fn metrics(&self) -> &[MetricSpec] {
        self.inner.metrics()
    }
    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
        // Spin rather than sleep: the benchmark must measure how well the cores are used.
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed() < self.cost {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        self.inner.evaluate(design)
    }
}

/// One measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct ThroughputRow {
    /// Which round of the benchmark (rounds alternate the thread counts, so a burst of load from
    /// elsewhere on the machine hits every thread count alike).
    pub round: usize,
    pub threads: usize,
    pub evaluations: usize,
    pub seconds: f64,
    pub per_second: f64,
    /// `per_second` over the same round's rate at the first thread count.
    pub speed_up: f64,
}

/// Runs the whole of `recipe` `rounds` times per thread count (interleaved), each time into a fresh
/// directory under `scratch`, and measures evaluations per second.
pub fn throughput(
    recipe: &Recipe,
    threads: &[usize],
    rounds: usize,
    build: &SimBuilder,
    scratch: &Path,
) -> Result<Vec<ThroughputRow>> {
    let runs: Vec<_> = recipe.runs.iter().collect();
    let mut rows = Vec::new();
    for round in 0..rounds {
        let mut base_rate = None;
        for &t in threads {
            let out = scratch.join(format!("round-{round}-threads-{t}"));
            let _ = std::fs::remove_dir_all(&out);
            let opts = SweepOptions {
                out: out.clone(),
                jobs: t,
                progress: false,
                git_rev: None,
            };
            let start = Instant::now();
            let report = sweep::run_specs(&runs, &opts, build)?;
            let seconds = start.elapsed().as_secs_f64();
            anyhow::ensure!(
                report.failed.is_empty(),
                "benchmark run failed: {}",
                report.failed[0].error
            );
            let evaluations: usize = report.summaries.iter().map(|s| s.evaluations).sum();
            let per_second = evaluations as f64 / seconds;
            let base = *base_rate.get_or_insert(per_second);
            rows.push(ThroughputRow {
                round,
                threads: t,
                evaluations,
                seconds,
                per_second,
                speed_up: per_second / base,
            });
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    Ok(rows)
}

/// Per thread count: the median evaluations per second over the rounds, and the median over rounds of
/// the speed-up against the first thread count of the same round.
pub fn summarise(rows: &[ThroughputRow], threads: &[usize]) -> Vec<(usize, f64, f64)> {
    threads
        .iter()
        .map(|&t| {
            let of_t = || rows.iter().filter(move |r| r.threads == t);
            let rates: Vec<f64> = of_t().map(|r| r.per_second).collect();
            let ratios: Vec<f64> = of_t().map(|r| r.speed_up).collect();
            (t, median(&rates), median(&ratios))
        })
        .collect()
}

/// The benchmark sweep: two agents × `seeds` seeds × `evaluations` each on `simulator`.
pub fn recipe_text(
    simulator: &str,
    options: &str,
    objective: &str,
    seeds: usize,
    evaluations: usize,
) -> String {
    format!(
        "name: throughput\nsimulator: {simulator}\noptions: {{ {options} }}\nobjective: {objective}\nagents:\n  - {{ kind: random_search, params: {{ batch: 8 }} }}\n  - {{ kind: random_walk }}\nseeds: {seeds}\nbudget: {{ evaluations: {evaluations} }}\n"
    )
}
