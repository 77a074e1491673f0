//! A results directory loaded for analysis: every finished run's summary and rows, grouped into
//! problems (simulator + options + objective), the unit that reports and plots compare agents on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gym::ObjectiveSpec;
use polars::prelude::*;

use crate::store::{self, RunSummary};

/// One finished run.
#[derive(Clone, Debug)]
pub struct RunData {
    pub summary: RunSummary,
    /// Its evaluation rows (schema in ARCHITECTURE.md).
    pub rows: DataFrame,
}

impl RunData {
    pub fn label(&self) -> &str {
        &self.summary.spec.label
    }

    /// The agent's hyperparameter setting, as compact JSON.
    pub fn setting(&self) -> String {
        self.summary.spec.params.to_string()
    }

    /// Best reward so far after each evaluation (NaN before the first successful one).
    pub fn best_so_far(&self) -> Result<Vec<f64>> {
        Ok(f64_column(&self.rows, "best_reward")?
            .into_iter()
            .map(|x| x.unwrap_or(f64::NAN))
            .collect())
    }

    /// The run's final reward: the best reward it found.
    pub fn final_reward(&self) -> Option<f64> {
        self.summary.best_reward.filter(|x| x.is_finite())
    }
}

/// The runs that share a simulator, its options and an objective.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub simulator: String,
    pub options: BTreeMap<String, String>,
    pub objective: ObjectiveSpec,
    /// Indices into [`Results::runs`], in run-id order.
    pub runs: Vec<usize>,
    /// Agent labels in order of first appearance.
    pub agents: Vec<String>,
}

impl Problem {
    /// E.g. `synthetic (function=mixed), target loss=0.25 (product)`.
    pub fn title(&self) -> String {
        let options = self
            .options
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" ({options})")
        };
        format!(
            "{}{options}, {}",
            self.simulator,
            describe_objective(&self.objective)
        )
    }

    /// A file-name-safe version of the title.
    pub fn slug(&self) -> String {
        let mut parts = vec![self.simulator.clone()];
        parts.extend(self.options.values().cloned());
        let text = parts.join("-");
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// What the reward axis means, for plot labels.
    pub fn reward_label(&self) -> String {
        let o = &self.objective;
        if let Some(m) = &o.minimize {
            format!("reward = −{m}")
        } else if let Some(m) = &o.maximize {
            format!("reward = {m}")
        } else if o.weighted.is_some() {
            "reward = −weighted cost".into()
        } else if o.target.is_some() {
            format!(
                "reward ({} target form)",
                serde_json::to_value(o.form.unwrap_or_default())
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            )
        } else {
            "reward (−normalised cost sum)".into()
        }
    }
}

/// A one-line description of an objective.
pub fn describe_objective(o: &ObjectiveSpec) -> String {
    let pairs = |m: &BTreeMap<String, f64>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(t) = &o.target {
        let form = serde_json::to_value(o.form.unwrap_or_default())
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        format!("target {} ({form})", pairs(t))
    } else if let Some(m) = &o.minimize {
        format!("minimize {m}")
    } else if let Some(m) = &o.maximize {
        format!("maximize {m}")
    } else if let Some(w) = &o.weighted {
        format!("weighted {}", pairs(w))
    } else if let Some(p) = &o.pareto {
        format!("pareto {}", p.join(", "))
    } else {
        "objective".into()
    }
}

/// Every finished run of a results directory.
#[derive(Clone, Debug)]
pub struct Results {
    pub dir: PathBuf,
    pub runs: Vec<RunData>,
    pub problems: Vec<Problem>,
}

impl Results {
    pub fn problem_runs<'a>(&'a self, p: &'a Problem) -> impl Iterator<Item = &'a RunData> + 'a {
        p.runs.iter().map(|&i| &self.runs[i])
    }
}

/// Loads every finished run of `dir`.
pub fn load(dir: &Path) -> Result<Results> {
    let ids = store::finished_runs(dir);
    anyhow::ensure!(
        !ids.is_empty(),
        "{}: no finished runs (no *.parquet files)",
        dir.display()
    );
    let mut runs = Vec::with_capacity(ids.len());
    for id in &ids {
        let summary = store::read_summary(dir, id)?;
        let rows =
            store::read_run(&store::parquet_path(dir, id)).with_context(|| format!("run {id}"))?;
        runs.push(RunData { summary, rows });
    }
    let mut problems: Vec<Problem> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let s = &r.summary.spec;
        let p = match problems.iter_mut().find(|p| {
            p.simulator == s.simulator && p.options == s.options && p.objective == s.objective
        }) {
            Some(p) => p,
            None => {
                problems.push(Problem {
                    simulator: s.simulator.clone(),
                    options: s.options.clone(),
                    objective: s.objective.clone(),
                    runs: Vec::new(),
                    agents: Vec::new(),
                });
                problems.last_mut().expect("just pushed")
            }
        };
        p.runs.push(i);
        if !p.agents.contains(&s.label) {
            p.agents.push(s.label.clone());
        }
    }
    Ok(Results {
        dir: dir.to_path_buf(),
        runs,
        problems,
    })
}

/// A numeric column as `f64`s (nulls as `None`).
pub fn f64_column(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let col = anyhow::Context::with_context(df.column(name), || format!("no column `{name}`"))?;
    let cast = col.as_materialized_series().cast(&DataType::Float64)?;
    Ok(cast.f64()?.iter().collect())
}

/// A column as strings (nulls as `None`).
pub fn str_column(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let col = anyhow::Context::with_context(df.column(name), || format!("no column `{name}`"))?;
    let cast = col.as_materialized_series().cast(&DataType::String)?;
    Ok(cast.str()?.iter().map(|s| s.map(String::from)).collect())
}

/// A boolean column (nulls as `false`).
pub fn bool_column(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    let col = anyhow::Context::with_context(df.column(name), || format!("no column `{name}`"))?;
    Ok(col
        .as_materialized_series()
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect())
}
