//! Sweep plans: what a recipe expands to (runs, estimated evaluations, per agent and option set), and
//! the `plan.json` a results directory keeps so that `hwgym status` knows which runs are missing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::lab::failed::write_atomically;
use crate::lab::shard::Shard;
use crate::recipe::{Recipe, RunSpec};

/// The plan file every sweep writes into its results directory.
pub const PLAN_FILE: &str = "plan.json";

/// What `plan.json` holds: the recipe's runs, fully resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPlan {
    pub sweep: String,
    pub recipe: PathBuf,
    pub runs: Vec<RunSpec>,
}

impl SweepPlan {
    pub fn of(recipe: &Recipe) -> Self {
        SweepPlan {
            sweep: recipe.name.clone(),
            recipe: recipe.file.clone(),
            runs: recipe.runs.clone(),
        }
    }
}

/// Writes `dir/plan.json` (unless it already holds the same plan).
pub fn write_plan(dir: &Path, recipe: &Recipe) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(PLAN_FILE);
    let text = serde_json::to_string_pretty(&SweepPlan::of(recipe))?;
    if fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    write_atomically(&path, text.as_bytes())
}

/// Reads `dir/plan.json`.
pub fn read_plan(dir: &Path) -> Result<SweepPlan> {
    let path = dir.join(PLAN_FILE);
    let text = fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (run the sweep once, or pass --recipe)",
            path.display()
        )
    })?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a sweep plan", path.display()))
}

/// One agent entry's share of a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentPlan {
    pub label: String,
    pub kind: String,
    /// Distinct hyperparameter settings.
    pub settings: usize,
    pub runs: usize,
    /// Evaluations the budgets allow (`None` when a run is bounded by wall-clock time only).
    pub evaluations: Option<u64>,
}

/// A plan at a glance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanSummary {
    pub sweep: String,
    pub shard: Shard,
    pub runs: Vec<RunSpec>,
    pub evaluations: Option<u64>,
    pub option_sets: Vec<BTreeMap<String, String>>,
    pub seeds: Vec<u64>,
    pub agents: Vec<AgentPlan>,
}

fn evaluations<'a>(runs: impl IntoIterator<Item = &'a RunSpec>) -> Option<u64> {
    runs.into_iter()
        .map(|r| r.budget.evaluations.map(|e| e as u64))
        .sum()
}

/// Summarises the runs of one shard of `recipe` (`Shard::WHOLE` for all of it).
pub fn summarize(recipe: &Recipe, shard: Shard) -> PlanSummary {
    let runs: Vec<RunSpec> = shard.select(&recipe.runs).into_iter().cloned().collect();
    let mut option_sets: Vec<BTreeMap<String, String>> = Vec::new();
    let mut agents: Vec<AgentPlan> = Vec::new();
    let mut settings: BTreeMap<&str, Vec<&serde_json::Value>> = BTreeMap::new();
    for r in &runs {
        if !option_sets.contains(&r.options) {
            option_sets.push(r.options.clone());
        }
        let seen = settings.entry(&r.label).or_default();
        if !seen.contains(&&r.params) {
            seen.push(&r.params);
        }
        if !agents.iter().any(|a| a.label == r.label) {
            agents.push(AgentPlan {
                label: r.label.clone(),
                kind: r.agent.clone(),
                settings: 0,
                runs: 0,
                evaluations: None,
            });
        }
    }
    for a in &mut agents {
        let mine: Vec<&RunSpec> = runs.iter().filter(|r| r.label == a.label).collect();
        a.settings = settings[a.label.as_str()].len();
        a.runs = mine.len();
        a.evaluations = evaluations(mine);
    }
    PlanSummary {
        sweep: recipe.name.clone(),
        shard,
        evaluations: evaluations(&runs),
        runs,
        option_sets,
        seeds: recipe.seeds.clone(),
        agents,
    }
}
