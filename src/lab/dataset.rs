//! Training data for proxy models: the evaluated designs and their metrics, read back from one or more
//! results directories, for one simulator and one option set, de-duplicated by design.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use anyhow::{Result, bail};
use gym::{Design, Domain, Metrics, Param, Value};

use crate::lab::results::{self, RunData, bool_column, f64_column, str_column};

/// Which rows to take.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only runs of this simulator (required when the directories hold several).
    pub simulator: Option<String>,
    /// Only runs whose options include these pairs.
    pub options: BTreeMap<String, String>,
    /// Metrics every row must have (default: every metric the runs declare).
    pub metrics: Vec<String>,
    /// Accept runs with different option sets (evaluating a proxy on other workloads); training
    /// needs one option set, the one its `verify_top` simulator is rebuilt with.
    pub any_options: bool,
}

/// Distinct designs with their metrics, and where they came from.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub simulator: String,
    /// The option set of the runs (the first one's when `any_options`).
    pub options: BTreeMap<String, String>,
    pub params: Vec<Param>,
    pub metrics: Vec<String>,
    pub samples: Vec<(Design, Metrics)>,
    pub results_dirs: Vec<String>,
    pub run_ids: Vec<String>,
    /// Usable rows read (feasible, no error, every metric present) before de-duplication.
    pub rows: usize,
    /// Per sample: the run and step it was first seen at.
    pub sources: Vec<(String, u64)>,
}

/// Reads every finished run of `dirs` that matches `selection`.
pub fn collect(dirs: &[PathBuf], selection: &Selection) -> Result<Dataset> {
    if dirs.is_empty() {
        bail!("no results directory given");
    }
    let mut runs: Vec<RunData> = Vec::new();
    for dir in dirs {
        runs.extend(results::load(dir)?.runs);
    }
    let simulators: BTreeMap<&str, usize> = runs.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.summary.spec.simulator.as_str()).or_default() += 1;
        m
    });
    let found = || {
        simulators
            .iter()
            .map(|(s, n)| format!("{s} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let simulator = match &selection.simulator {
        Some(s) if simulators.contains_key(s.as_str()) => s.clone(),
        Some(s) => bail!(
            "{}: no runs of simulator `{s}` (found runs of: {})",
            show_dirs(dirs),
            found()
        ),
        None if simulators.len() == 1 => simulators.keys().next().expect("one").to_string(),
        None => bail!(
            "{}: runs of several simulators ({}); choose one with --simulator",
            show_dirs(dirs),
            found()
        ),
    };
    runs.retain(|r| {
        let spec = &r.summary.spec;
        spec.simulator == simulator
            && selection
                .options
                .iter()
                .all(|(k, v)| spec.options.get(k) == Some(v))
    });
    if runs.is_empty() {
        bail!(
            "{}: no runs of `{simulator}` with options {}",
            show_dirs(dirs),
            show_options(&selection.options)
        );
    }
    let option_sets: Vec<&BTreeMap<String, String>> =
        runs.iter().fold(Vec::new(), |mut sets, r| {
            if !sets.contains(&&r.summary.spec.options) {
                sets.push(&r.summary.spec.options);
            }
            sets
        });
    if option_sets.len() > 1 && !selection.any_options {
        let listed: Vec<String> = option_sets.iter().map(|o| show_options(o)).collect();
        bail!(
            "{}: runs of `{simulator}` with {} different option sets ({}); a proxy models one: choose with --env KEY=VALUE",
            show_dirs(dirs),
            option_sets.len(),
            listed.join("; ")
        );
    }
    let options = runs[0].summary.spec.options.clone();
    let params = runs[0].summary.space.clone();
    if let Some(other) = runs.iter().find(|r| r.summary.space != params) {
        bail!(
            "run {}: its design space differs from run {}'s (different simulator versions?)",
            other.summary.spec.run_id,
            runs[0].summary.spec.run_id
        );
    }
    let declared: Vec<String> = runs[0]
        .summary
        .metrics
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let metrics = if selection.metrics.is_empty() {
        declared.clone()
    } else {
        selection.metrics.clone()
    };
    for m in &metrics {
        if let Some(r) = runs
            .iter()
            .find(|r| r.rows.column(&format!("m.{m}")).is_err())
        {
            bail!(
                "run {}: no metric `{m}` (the runs of `{simulator}` have: {})",
                r.summary.spec.run_id,
                declared.join(", ")
            );
        }
    }

    let mut seen: HashSet<Design> = HashSet::new();
    let mut samples = Vec::new();
    let mut sources = Vec::new();
    let mut rows = 0;
    for run in &runs {
        let df = &run.rows;
        let id = &run.summary.spec.run_id;
        let feasible = bool_column(df, "feasible")?;
        let errors = str_column(df, "error")?;
        let steps = f64_column(df, "step")?;
        let knobs = params
            .iter()
            .map(|p| knob_column(df, p))
            .collect::<Result<Vec<_>>>()?;
        let values = metrics
            .iter()
            .map(|m| f64_column(df, &format!("m.{m}")))
            .collect::<Result<Vec<_>>>()?;
        for i in 0..df.height() {
            if !feasible[i] || errors[i].is_some() {
                continue;
            }
            let Some(row_metrics) = metrics
                .iter()
                .zip(&values)
                .map(|(m, col)| col[i].filter(|x| x.is_finite()).map(|x| (m.clone(), x)))
                .collect::<Option<Metrics>>()
            else {
                continue;
            };
            let design = Design(
                knobs
                    .iter()
                    .zip(&params)
                    .map(|(col, p)| {
                        col[i].ok_or_else(|| {
                            anyhow::anyhow!("run {id}, row {i}: knob `{}` is null", p.name)
                        })
                    })
                    .collect::<Result<Vec<Value>>>()?,
            );
            rows += 1;
            if seen.insert(design.clone()) {
                sources.push((id.clone(), steps[i].unwrap_or(f64::NAN) as u64));
                samples.push((design, row_metrics));
            }
        }
    }
    if samples.is_empty() {
        bail!(
            "{}: no usable rows for `{simulator}` (every evaluation failed, was infeasible or lacks {})",
            show_dirs(dirs),
            metrics.join(", ")
        );
    }
    Ok(Dataset {
        simulator,
        options,
        params,
        metrics,
        samples,
        results_dirs: dirs.iter().map(|d| d.display().to_string()).collect(),
        run_ids: runs.iter().map(|r| r.summary.spec.run_id.clone()).collect(),
        rows,
        sources,
    })
}

/// One knob's column (`p.<name>`) as values of its domain.
fn knob_column(df: &polars::prelude::DataFrame, p: &Param) -> Result<Vec<Option<Value>>> {
    let name = format!("p.{}", p.name);
    let parse = |text: Option<String>| -> Result<Option<Value>> {
        text.map(|t| {
            p.domain
                .parse(&t)
                .map_err(|e| anyhow::anyhow!("column `{name}`: `{t}`: {e}"))
        })
        .transpose()
    };
    match p.domain {
        // Floats straight from the f64 column: no round trip through text.
        Domain::Float { .. } => Ok(f64_column(df, &name)?
            .into_iter()
            .map(|x| x.map(Value::Float))
            .collect()),
        _ => str_column(df, &name)?.into_iter().map(parse).collect(),
    }
}

fn show_dirs(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn show_options(options: &BTreeMap<String, String>) -> String {
    if options.is_empty() {
        return "{} (defaults)".into();
    }
    let pairs: Vec<String> = options.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// The dataset as one table for users who train elsewhere: `run_id`, `step` (where each design was
/// first seen), the knobs (`p.<knob>`, typed as in the results), the model features (`f.<feature>`,
/// numbers) and the metrics (`m.<metric>`).
pub fn frame(
    ds: &Dataset,
    encoding: &proxy::FeatureEncoding,
) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::{Column, DataFrame};
    let designs: Vec<&Design> = ds.samples.iter().map(|(d, _)| d).collect();
    let mut cols = vec![
        Column::new(
            "run_id".into(),
            ds.sources
                .iter()
                .map(|(r, _)| r.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "step".into(),
            ds.sources.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        ),
    ];
    cols.extend(crate::store::knob_columns(&ds.params, &designs));
    let encoded: Vec<Vec<f64>> = designs.iter().map(|d| encoding.encode(d)).collect();
    for (j, name) in encoding.names().iter().enumerate() {
        cols.push(Column::new(
            format!("f.{name}").into(),
            encoded.iter().map(|x| x[j]).collect::<Vec<_>>(),
        ));
    }
    for m in &ds.metrics {
        cols.push(Column::new(
            format!("m.{m}").into(),
            ds.samples
                .iter()
                .map(|(_, x)| x.get(m).unwrap_or(f64::NAN))
                .collect::<Vec<_>>(),
        ));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}
