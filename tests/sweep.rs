//! End-to-end sweep behaviour on the synthetic simulator: thread-count independence, resume after a
//! kill, and the parquet schema.

use std::path::Path;

use hwgym::store::{self, TIMING_COLUMNS};
use hwgym::{recipe, sweep};
use polars::prelude::*;

const RECIPE: &str = "\
name: sweep-test
simulator: synthetic
options: { function: constrained }
objective: { target: { loss: 0.5 }, form: product }
agents:
  - { kind: random_walk, grid: { restart_probability: [0.0, 0.2] } }
  - { kind: random_search, params: { batch: 4 } }
seeds: [1, 2]
budget: { evaluations: 40 }
";

fn run(dir: &Path, jobs: usize) -> sweep::SweepReport {
    let r = recipe::parse(Path::new("sweep-test.yaml"), RECIPE).unwrap();
    let opts = sweep::SweepOptions {
        out: dir.to_path_buf(),
        jobs,
        progress: false,
        git_rev: Some("test".into()),
    };
    sweep::run(&r, &opts).unwrap()
}

fn without_timing(df: DataFrame) -> DataFrame {
    df.drop_many(TIMING_COLUMNS.iter().copied())
}

#[test]
fn one_and_two_threads_give_identical_rows() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    run(a.path(), 1);
    run(b.path(), 2);
    let x = without_timing(store::read_all(a.path()).unwrap());
    let y = without_timing(store::read_all(b.path()).unwrap());
    assert_eq!(x.height(), 6 * 40);
    assert!(x.equals_missing(&y), "rows differ between 1 and 2 threads");
}

#[test]
fn killed_sweep_resumes_without_duplicates_or_losses() {
    let full = tempfile::tempdir().unwrap();
    let first = run(full.path(), 2);
    assert_eq!((first.summaries.len(), first.skipped), (6, 0));
    let reference = without_timing(store::read_all(full.path()).unwrap());

    // Simulate a kill: two runs never finished (no parquet; one left a temporary file behind).
    let ids: Vec<String> = first
        .summaries
        .iter()
        .map(|s| s.spec.run_id.clone())
        .collect();
    std::fs::remove_file(store::parquet_path(full.path(), &ids[1])).unwrap();
    std::fs::rename(
        store::parquet_path(full.path(), &ids[4]),
        full.path().join(format!("{}.parquet.tmp", ids[4])),
    )
    .unwrap();
    let untouched = std::fs::read(store::parquet_path(full.path(), &ids[0])).unwrap();

    let again = run(full.path(), 2);
    assert_eq!((again.summaries.len(), again.skipped), (6, 4));
    assert_eq!(
        std::fs::read(store::parquet_path(full.path(), &ids[0])).unwrap(),
        untouched,
        "finished runs must not be rewritten"
    );
    let resumed = without_timing(store::read_all(full.path()).unwrap());
    assert!(
        resumed.equals_missing(&reference),
        "resumed sweep differs from the uninterrupted one"
    );
    let run_ids = resumed
        .column("run_id")
        .unwrap()
        .as_materialized_series()
        .n_unique()
        .unwrap();
    assert_eq!(run_ids, 6);
    // A third run does nothing.
    assert_eq!(run(full.path(), 1).skipped, 6);
}

#[test]
fn parquet_rows_follow_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path(), 2);
    let df = store::read_all(dir.path()).unwrap();
    for col in [
        "sweep",
        "run_id",
        "env",
        "workload",
        "objective",
        "agent",
        "agent_params",
        "seed",
        "step",
        "batch",
        "p.shape",
        "p.n",
        "p.width",
        "p.x",
        "p.lr",
        "m.loss",
        "m.size",
        "reward",
        "best_reward",
        "feasible",
        "target_met",
        "error",
        "sim_seconds",
        "wall_seconds",
        "cache_hit",
        "git_rev",
    ] {
        assert!(df.column(col).is_ok(), "missing column {col}");
    }
    assert_eq!(df.column("p.shape").unwrap().dtype(), &DataType::String);
    assert_eq!(df.column("p.width").unwrap().dtype(), &DataType::Int64);
    // Every run's summary agrees with its rows: best reward = max reward.
    for s in &report.summaries {
        let rows = store::read_run(&store::parquet_path(dir.path(), &s.spec.run_id)).unwrap();
        let max = rows
            .column("reward")
            .unwrap()
            .as_materialized_series()
            .max::<f64>()
            .unwrap()
            .unwrap();
        // The parquet rows are exact; the JSON summary goes through serde_json's default float parser,
        // which may differ in the last bit.
        let best = s.best_reward.unwrap();
        assert!(
            (max - best).abs() <= 1e-15 * max.abs().max(1.0),
            "{max} vs {best}"
        );
        assert_eq!(rows.height(), s.evaluations);
    }
}
