//! Sweeps at scale on the synthetic simulator: shards merged equal the unsharded sweep, status after a
//! partial run, failed runs recorded while the rest carries on, one simulator per option set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hwgym::lab::shard::Shard;
use hwgym::lab::status::{RunState, status};
use hwgym::lab::{failed, merge, plan};
use hwgym::store::{self, TIMING_COLUMNS};
use hwgym::{recipe, registry, sweep};
use polars::prelude::*;

const RECIPE: &str = "\
name: lab-sweep
simulator: synthetic
options_grid: { function: [mixed, constrained] }
objective: { minimize: loss }
agents:
  - { kind: random_walk, grid: { restart_probability: [0.0, 0.2] } }
  - { kind: random_search, params: { batch: 4 } }
seeds: [1, 2]
budget: { evaluations: 30 }
";

fn recipe() -> recipe::Recipe {
    recipe::parse(Path::new("lab-sweep.yaml"), RECIPE).unwrap()
}

fn opts(dir: &Path) -> sweep::SweepOptions {
    sweep::SweepOptions {
        out: dir.to_path_buf(),
        jobs: 2,
        progress: false,
        git_rev: Some("test".into()),
    }
}

fn without_timing(df: DataFrame) -> DataFrame {
    df.drop_many(TIMING_COLUMNS.iter().copied())
}

#[test]
fn sharded_sweep_merged_equals_the_unsharded_one() {
    let r = recipe();
    assert_eq!(r.runs.len(), 12);
    let whole = tempfile::tempdir().unwrap();
    sweep::run(&r, &opts(whole.path())).unwrap();
    let reference = without_timing(store::read_all(whole.path()).unwrap());
    assert_eq!(reference.height(), 12 * 30);

    // Three shards, each in its own directory (as on machines without a shared file system).
    let parts: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (i, dir) in parts.iter().enumerate() {
        let report = sweep::run_shard(&r, Shard::new(i, 3).unwrap(), &opts(dir.path())).unwrap();
        assert_eq!(report.summaries.len(), 4);
    }
    let dirs: Vec<PathBuf> = parts.iter().map(|d| d.path().to_path_buf()).collect();
    let out = tempfile::tempdir().unwrap();
    let merged_path = out.path().join("all.parquet");
    let stats = merge::merge(&dirs, &merged_path).unwrap();
    assert_eq!((stats.runs, stats.rows, stats.duplicates), (12, 12 * 30, 0));
    let merged = without_timing(store::read_run(&merged_path).unwrap());
    assert!(
        merged.equals_missing(&reference),
        "merged shards differ from the unsharded sweep"
    );

    // Two shards sharing one directory (as under Slurm), merged to the default place.
    let shared = tempfile::tempdir().unwrap();
    for i in 0..2 {
        sweep::run_shard(&r, Shard::new(i, 2).unwrap(), &opts(shared.path())).unwrap();
    }
    let default = merge::default_output(shared.path());
    merge::merge(&[shared.path().to_path_buf()], &default).unwrap();
    assert!(without_timing(store::read_run(&default).unwrap()).equals_missing(&reference));
    // The merged file is not taken for a run.
    assert_eq!(store::finished_runs(shared.path()).len(), 12);
}

#[test]
fn each_option_set_gets_its_own_simulator() {
    let dir = tempfile::tempdir().unwrap();
    sweep::run(&recipe(), &opts(dir.path())).unwrap();
    let df = store::read_all(dir.path()).unwrap();
    let workloads = df
        .column("workload")
        .unwrap()
        .as_materialized_series()
        .n_unique()
        .unwrap();
    assert_eq!(workloads, 2);
    // Each run sampled the space of its own option set: only the constrained function keeps
    // n · width ≤ 512 (its agents never propose designs that violate the constraint).
    let largest = df
        .lazy()
        .group_by([col("workload")])
        .agg([(col("p.n") * col("p.width")).max().alias("largest")])
        .sort(["workload"], Default::default())
        .collect()
        .unwrap();
    let values: Vec<i64> = largest
        .column("largest")
        .unwrap()
        .as_materialized_series()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    // Sorted by workload: constrained, mixed.
    assert!(values[0] <= 512 && values[1] > 512, "{largest}");
}

#[test]
fn status_after_a_partial_run_and_failed_runs() {
    let r = recipe();
    let dir = tempfile::tempdir().unwrap();
    // A partial sweep: shard 0 of 3 only.
    sweep::run_shard(&r, Shard::new(0, 3).unwrap(), &opts(dir.path())).unwrap();
    let p = plan::read_plan(dir.path()).unwrap();
    assert_eq!(
        p.runs.len(),
        12,
        "the plan lists the whole sweep, not only the shard"
    );
    let s = status(dir.path(), &p).unwrap();
    assert_eq!((s.done, s.failed, s.missing), (4, 0, 8));
    for (i, run) in s.runs.iter().enumerate() {
        assert_eq!(run.state == RunState::Done, i % 3 == 0, "{}", run.run_id);
    }

    // The rest, with a simulator that cannot be built for one option set and one that panics: those
    // runs are recorded as failed and the others finish.
    let info = registry::find_simulator("synthetic").unwrap();
    let broken = |options: &BTreeMap<String, String>| -> anyhow::Result<sweep::BuiltSim> {
        anyhow::ensure!(
            options["function"] != "constrained",
            "licence server unreachable"
        );
        Ok((info.build)(options)?.into())
    };
    let runs: Vec<&recipe::RunSpec> = r.runs.iter().collect();
    let report = sweep::run_specs(&runs, &opts(dir.path()), &broken).unwrap();
    let constrained = r
        .runs
        .iter()
        .filter(|x| x.options["function"] == "constrained")
        .count();
    let already = r
        .runs
        .iter()
        .enumerate()
        .filter(|(i, x)| i % 3 == 0 && x.options["function"] == "constrained")
        .count();
    assert_eq!(report.failed.len(), constrained - already);
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.error.contains("licence server unreachable")),
        "{:?}",
        report.failed
    );
    assert!(failed::failed_path(dir.path(), &report.failed[0].run_id).exists());
    let s = status(dir.path(), &p).unwrap();
    assert_eq!(
        (s.done, s.failed, s.missing),
        (12 - report.failed.len(), report.failed.len(), 0)
    );
    let shown = s
        .runs
        .iter()
        .find(|x| x.run_id == report.failed[0].run_id)
        .unwrap();
    assert!(matches!(&shown.state, RunState::Failed(e) if e.contains("licence")));

    // Running again with a working simulator retries the failed runs and clears their records.
    let again = sweep::run(&r, &opts(dir.path())).unwrap();
    assert!(again.failed.is_empty());
    assert_eq!(again.summaries.len(), 12);
    let s = status(dir.path(), &p).unwrap();
    assert_eq!((s.done, s.failed, s.missing), (12, 0, 0));
    assert!(failed::failed_runs(dir.path()).unwrap().is_empty());
}

/// A simulator that panics on every evaluation: its runs fail, the sweep does not.
struct Panicking(Box<dyn gym::Simulator>);

impl gym::Simulator for Panicking {
    fn space(&self) -> &gym::ParamSpace {
        self.0.space()
    }
    fn metrics(&self) -> &[gym::MetricSpec] {
        self.0.metrics()
    }
    fn evaluate(&self, _: &gym::Design) -> Result<gym::Metrics, gym::SimError> {
        panic!("simulator bug")
    }
}

#[test]
fn a_panicking_run_is_recorded_as_failed() {
    let r = recipe();
    let dir = tempfile::tempdir().unwrap();
    let info = registry::find_simulator("synthetic").unwrap();
    let build = |options: &BTreeMap<String, String>| -> anyhow::Result<sweep::BuiltSim> {
        let sim = (info.build)(options)?;
        let sim: Box<dyn gym::Simulator> = if options["function"] == "mixed" {
            Box::new(Panicking(sim))
        } else {
            sim
        };
        Ok(sim.into())
    };
    let runs: Vec<&recipe::RunSpec> = r.runs.iter().collect();
    let report = sweep::run_specs(&runs, &opts(dir.path()), &build).unwrap();
    assert_eq!(report.failed.len(), 6);
    assert!(
        report
            .failed
            .iter()
            .all(|f| f.error.contains("panicked: simulator bug")),
        "{:?}",
        report.failed[0]
    );
    assert_eq!(report.summaries.len(), 6);
}
