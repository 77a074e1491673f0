//! Sweep status: which of a plan's runs are done, failed or still missing in a results directory.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::lab::failed::failed_runs;
use crate::lab::plan::SweepPlan;
use crate::recipe::RunSpec;
use crate::store;

/// Where one run stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Done,
    /// The run's last attempt failed with this error.
    Failed(String),
    /// Never run, still running, or killed before it finished.
    Missing,
}

/// One planned run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunStatus {
    pub run_id: String,
    pub label: String,
    pub workload: String,
    pub seed: u64,
    pub state: RunState,
}

/// The state of a sweep's results directory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepStatus {
    pub sweep: String,
    pub runs: Vec<RunStatus>,
    pub done: usize,
    pub failed: usize,
    pub missing: usize,
    /// Finished runs in the directory that the plan does not list (e.g. from an edited recipe).
    pub unplanned: Vec<String>,
}

/// Compares `plan` with what `dir` holds.
pub fn status(dir: &Path, plan: &SweepPlan) -> Result<SweepStatus> {
    let finished = store::finished_runs(dir);
    let failed = failed_runs(dir)?;
    let state = |r: &RunSpec| {
        if finished.contains(&r.run_id) {
            RunState::Done
        } else if let Some(f) = failed.get(&r.run_id) {
            RunState::Failed(f.error.clone())
        } else {
            RunState::Missing
        }
    };
    let runs: Vec<RunStatus> = plan
        .runs
        .iter()
        .map(|r| RunStatus {
            run_id: r.run_id.clone(),
            label: r.label.clone(),
            workload: r.workload(),
            seed: r.seed,
            state: state(r),
        })
        .collect();
    let count = |f: fn(&RunState) -> bool| runs.iter().filter(|r| f(&r.state)).count();
    let unplanned = finished
        .into_iter()
        .filter(|id| !plan.runs.iter().any(|r| &r.run_id == id))
        .collect();
    Ok(SweepStatus {
        sweep: plan.sweep.clone(),
        done: count(|s| *s == RunState::Done),
        failed: count(|s| matches!(s, RunState::Failed(_))),
        missing: count(|s| *s == RunState::Missing),
        runs,
        unplanned,
    })
}
