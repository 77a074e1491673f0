//! The results store: one parquet file per run (`<run_id>.parquet`, one row per evaluation, schema in
//! ARCHITECTURE.md) plus the run's resolved spec and summary (`<run_id>.json`). Files are written under
//! a temporary name and renamed when complete, so a killed sweep leaves only whole runs behind.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gym::{Domain, MetricSpec, ParamSpace, Record, RunStats, StopReason};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::recipe::RunSpec;

/// Columns that hold timings; everything else is reproducible bit for bit.
pub const TIMING_COLUMNS: &[&str] = &["sim_seconds", "wall_seconds"];

/// What `<run_id>.json` holds: the resolved spec and how the run ended.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSummary {
    pub spec: RunSpec,
    pub space: Vec<gym::Param>,
    pub metrics: Vec<MetricSpec>,
    pub stop: StopReason,
    pub evaluations: usize,
    pub simulator_calls: usize,
    pub cache_hits: usize,
    pub infeasible: usize,
    pub failed: usize,
    pub simulator_seconds: f64,
    pub wall_seconds: f64,
    pub best_reward: Option<f64>,
    pub best_design: Option<serde_json::Map<String, serde_json::Value>>,
    pub best_metrics: Option<BTreeMap<String, f64>>,
    pub evaluations_to_target: Option<usize>,
    pub hypervolume: Option<f64>,
    pub agent_stats: BTreeMap<String, f64>,
    pub git_rev: Option<String>,
    /// Proxy runs with `verify_top`: the best designs re-evaluated on the real simulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<crate::lab::verify::VerifySummary>,
}

impl RunSummary {
    pub fn new(
        spec: &RunSpec,
        space: &ParamSpace,
        metrics: &[MetricSpec],
        stop: StopReason,
        stats: &RunStats,
        outcome: &gym::Outcome,
        git_rev: Option<&str>,
    ) -> Self {
        RunSummary {
            spec: spec.clone(),
            space: space.params().to_vec(),
            metrics: metrics.to_vec(),
            stop,
            evaluations: stats.evaluations,
            simulator_calls: stats.simulator_calls,
            cache_hits: stats.cache_hits,
            infeasible: stats.infeasible,
            failed: stats.failed,
            simulator_seconds: stats.simulator_seconds,
            wall_seconds: stats.wall_seconds,
            best_reward: outcome.best.as_ref().map(|b| b.reward),
            best_design: outcome.best.as_ref().map(|b| space.to_json(&b.design)),
            best_metrics: outcome.best.as_ref().map(|b| b.metrics.0.clone()),
            evaluations_to_target: outcome.evaluations_to_target,
            hypervolume: outcome.hypervolume,
            agent_stats: stats.agent.clone(),
            git_rev: git_rev.map(String::from),
            verification: None,
        }
    }
}

pub fn parquet_path(dir: &Path, run_id: &str) -> PathBuf {
    dir.join(format!("{run_id}.parquet"))
}

pub fn summary_path(dir: &Path, run_id: &str) -> PathBuf {
    dir.join(format!("{run_id}.json"))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
fn write_atomically(path: &Path, write: impl FnOnce(&mut fs::File) -> Result<()>) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let mut f =
        fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    write(&mut f)?;
    f.sync_all().ok();
    fs::rename(&tmp, path)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
}

/// The run ids whose parquet file is complete in `dir`.
pub fn finished_runs(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".parquet"))
                .map(String::from)
        })
        .collect()
}

pub fn read_summary(dir: &Path, run_id: &str) -> Result<RunSummary> {
    let path = summary_path(dir, run_id);
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a run summary", path.display()))
}

/// The evaluation rows of one run as a data frame (schema in ARCHITECTURE.md).
pub fn records_frame(
    spec: &RunSpec,
    space: &ParamSpace,
    metrics: &[MetricSpec],
    records: &[Record],
    git_rev: Option<&str>,
) -> Result<DataFrame> {
    let n = records.len();
    let constant = |name: &str, value: &str| Column::new(name.into(), vec![value.to_string(); n]);
    let mut cols = vec![
        constant("sweep", &spec.sweep),
        constant("run_id", &spec.run_id),
        constant("env", &spec.simulator),
        constant("workload", &spec.workload()),
        constant("objective", &serde_json::to_string(&spec.objective)?),
        constant("agent", &spec.label),
        constant("agent_params", &serde_json::to_string(&spec.params)?),
        Column::new("seed".into(), vec![spec.seed; n]),
        Column::new(
            "step".into(),
            records.iter().map(|r| r.step as u64).collect::<Vec<_>>(),
        ),
        Column::new(
            "batch".into(),
            records.iter().map(|r| r.batch as u64).collect::<Vec<_>>(),
        ),
    ];
    let designs: Vec<&gym::Design> = records.iter().map(|r| &r.design).collect();
    cols.extend(knob_columns(space.params(), &designs));
    // The declared metrics first, then any extra detail a simulator reported, in name order.
    let mut names: Vec<String> = metrics.iter().map(|m| m.name.clone()).collect();
    let extra: BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r.metrics.as_ref())
        .flat_map(|m| m.0.keys().map(String::as_str))
        .collect();
    for e in extra {
        if !names.iter().any(|n| n == e) {
            names.push(e.to_string());
        }
    }
    for m in &names {
        let values: Vec<Option<f64>> = records
            .iter()
            .map(|r| r.metrics.as_ref().and_then(|x| x.get(m)))
            .collect();
        cols.push(Column::new(format!("m.{m}").into(), values));
    }
    let finite = |x: f64| if x.is_finite() { Some(x) } else { None };
    cols.extend([
        Column::new(
            "reward".into(),
            records.iter().map(|r| finite(r.reward)).collect::<Vec<_>>(),
        ),
        Column::new(
            "best_reward".into(),
            records
                .iter()
                .map(|r| finite(r.best_reward))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "feasible".into(),
            records.iter().map(|r| r.feasible).collect::<Vec<_>>(),
        ),
        Column::new(
            "target_met".into(),
            records.iter().map(|r| r.target_met).collect::<Vec<_>>(),
        ),
        Column::new(
            "error".into(),
            records.iter().map(|r| r.error.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "sim_seconds".into(),
            records.iter().map(|r| r.sim_seconds).collect::<Vec<_>>(),
        ),
        Column::new(
            "wall_seconds".into(),
            records.iter().map(|r| r.wall_seconds).collect::<Vec<_>>(),
        ),
        Column::new(
            "cache_hit".into(),
            records.iter().map(|r| r.cache_hit).collect::<Vec<_>>(),
        ),
        Column::new("git_rev".into(), vec![git_rev.map(String::from); n]),
    ]);
    Ok(DataFrame::new_infer_height(cols)?)
}

/// One `p.<knob>` column per parameter: labels for categorical knobs, `i64` for integers and powers of
/// two, `f64` for floats.
pub fn knob_columns(params: &[gym::Param], designs: &[&gym::Design]) -> Vec<Column> {
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = format!("p.{}", p.name);
            match &p.domain {
                Domain::Categorical(_) => Column::new(
                    name.into(),
                    designs
                        .iter()
                        .map(|d| p.domain.format(&d[i]))
                        .collect::<Vec<_>>(),
                ),
                Domain::Int { .. } | Domain::Pow2 { .. } => Column::new(
                    name.into(),
                    designs
                        .iter()
                        .map(|d| d[i].as_f64() as i64)
                        .collect::<Vec<_>>(),
                ),
                Domain::Float { .. } => Column::new(
                    name.into(),
                    designs.iter().map(|d| d[i].as_f64()).collect::<Vec<_>>(),
                ),
            }
        })
        .collect()
}

/// Writes a finished run: its summary, then its rows (the parquet file marks the run complete).
pub fn write_run(dir: &Path, summary: &RunSummary, mut frame: DataFrame) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let id = &summary.spec.run_id;
    write_atomically(&summary_path(dir, id), |f| {
        serde_json::to_writer_pretty(f, summary)?;
        Ok(())
    })?;
    write_parquet(&parquet_path(dir, id), &mut frame)
}

/// Writes `frame` to the parquet file `path` through a temporary name and a rename (creating the
/// parent directory), so a reader never sees half a file.
pub fn write_parquet(path: &Path, frame: &mut DataFrame) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    write_atomically(path, |f| {
        anyhow::Context::with_context(ParquetWriter::new(f).finish(frame), || {
            format!("cannot write {}", path.display())
        })?;
        Ok(())
    })
}

/// Reads one run's rows.
pub fn read_run(path: &Path) -> Result<DataFrame> {
    let f = fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    // `anyhow::Context` spelled out: polars' prelude has its own `with_context`.
    anyhow::Context::with_context(ParquetReader::new(f).finish(), || {
        format!("{}: not a readable parquet file", path.display())
    })
}

/// All rows of every run in `dir`, in run-id order (columns of different simulators are united).
pub fn read_all(dir: &Path) -> Result<DataFrame> {
    let ids = finished_runs(dir);
    anyhow::ensure!(
        !ids.is_empty(),
        "{}: no finished runs (no *.parquet files)",
        dir.display()
    );
    let frames = ids
        .iter()
        .map(|id| read_run(&parquet_path(dir, id)))
        .collect::<Result<Vec<_>>>()?;
    let lazy: Vec<LazyFrame> = frames.into_iter().map(|f| f.lazy()).collect();
    Ok(concat_lf_diagonal(lazy, UnionArgs::default())?.collect()?)
}
