//! Reports: per problem (simulator, options, objective) and agent, the best reward, samples-to-target
//! and success rate; the hyperparameter-lottery view; and Pareto fronts with hypervolumes for vector
//! objectives. [`build`] returns tables; [`markdown`] renders them.
//!
//! Definitions (all over the runs of one problem):
//! - *final reward* of a run: the best reward it found.
//! - *samples-to-target*: evaluations until the target was first met, median and IQR over the runs
//!   that met it (all settings and seeds of the agent); *success rate*: the share of runs that met it.
//! - *lottery*: a setting's score is the median final reward over its seeds; the spread is taken over
//!   settings. The *win rate* of an agent is the chance that the best seed of one of its settings beats
//!   the best seed of a setting of another agent, over all such pairs (ties count one half).

use std::collections::BTreeMap;
use std::fmt::Write;

use anyhow::Result;
use gym::objective::{hypervolume, pareto_front};
use gym::{Direction, Objective};
use serde::Serialize;

use crate::lab::results::{Problem, Results, RunData, f64_column};
use crate::lab::stats::{Quartiles, median};

/// Samples-to-target of one agent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetStats {
    pub hits: usize,
    pub runs: usize,
    pub success_rate: f64,
    /// Over the runs that met the target.
    pub samples: Option<Quartiles>,
}

/// One agent on one problem.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentRow {
    pub label: String,
    pub runs: usize,
    pub settings: usize,
    pub evaluations: usize,
    pub best_reward: Option<f64>,
    pub median_final_reward: Option<f64>,
    /// `None` when the objective has no target.
    pub target: Option<TargetStats>,
}

/// The hyperparameter lottery for one agent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LotteryRow {
    pub label: String,
    pub settings: usize,
    /// Spread over settings of the per-setting median final reward.
    pub spread: Option<Quartiles>,
    pub best_setting: Option<String>,
    pub worst_setting: Option<String>,
    /// `None` when there is no other agent to compare with.
    pub win_rate: Option<f64>,
}

/// One agent's Pareto front (all its runs pooled).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParetoRow {
    pub label: String,
    pub front_size: usize,
    /// Hypervolume of the pooled front (when the objective has a reference point).
    pub hypervolume: Option<f64>,
    /// Median over runs of each run's own hypervolume.
    pub median_run_hypervolume: Option<f64>,
    /// Points this agent contributes to the front of all agents together.
    pub on_global_front: usize,
}

/// A point of the front of all agents together, in metric values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrontPoint {
    pub label: String,
    pub metrics: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParetoTable {
    pub metrics: Vec<String>,
    pub rows: Vec<ParetoRow>,
    pub global_front: Vec<FrontPoint>,
    pub global_hypervolume: Option<f64>,
}

/// Everything the report says about one problem.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProblemReport {
    pub title: String,
    pub agents: Vec<AgentRow>,
    pub lottery: Vec<LotteryRow>,
    pub pareto: Option<ParetoTable>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub dir: String,
    pub problems: Vec<ProblemReport>,
}

fn max(xs: impl IntoIterator<Item = f64>) -> Option<f64> {
    xs.into_iter()
        .filter(|x| !x.is_nan())
        .max_by(f64::total_cmp)
}

/// Final rewards by setting (in order of first appearance) for one agent's runs.
fn by_setting(runs: &[&RunData]) -> Vec<(String, Vec<f64>)> {
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    for r in runs {
        let s = r.setting();
        let reward = r.final_reward().unwrap_or(f64::NAN);
        match out.iter_mut().find(|(k, _)| *k == s) {
            Some((_, v)) => v.push(reward),
            None => out.push((s, vec![reward])),
        }
    }
    out
}

fn agent_row(problem: &Problem, label: &str, runs: &[&RunData]) -> AgentRow {
    let finals: Vec<f64> = runs.iter().filter_map(|r| r.final_reward()).collect();
    let target = problem.objective.target.as_ref().map(|_| {
        let samples: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.summary.evaluations_to_target)
            .map(|n| n as f64)
            .collect();
        TargetStats {
            hits: samples.len(),
            runs: runs.len(),
            success_rate: samples.len() as f64 / runs.len() as f64,
            samples: Quartiles::of(&samples),
        }
    });
    AgentRow {
        label: label.to_string(),
        runs: runs.len(),
        settings: by_setting(runs).len(),
        evaluations: runs.iter().map(|r| r.summary.evaluations).sum(),
        best_reward: max(finals.iter().copied()),
        median_final_reward: Quartiles::of(&finals).map(|q| q.median),
        target,
    }
}

/// The share of (setting of `mine`, setting of `others`) pairs where mine's best seed is higher.
fn win_rate(mine: &[f64], others: &[f64]) -> Option<f64> {
    if mine.is_empty() || others.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for a in mine {
        for b in others {
            wins += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (mine.len() * others.len()) as f64)
}

fn lottery(problem: &Problem, agent_runs: &BTreeMap<&str, Vec<&RunData>>) -> Vec<LotteryRow> {
    // Best seed per setting (−∞ for settings that never produced a reward).
    let best_seeds: BTreeMap<&str, Vec<f64>> = agent_runs
        .iter()
        .map(|(label, runs)| {
            (
                *label,
                by_setting(runs)
                    .into_iter()
                    .map(|(_, v)| max(v).unwrap_or(f64::NEG_INFINITY))
                    .collect(),
            )
        })
        .collect();
    problem
        .agents
        .iter()
        .map(|label| {
            let settings = by_setting(&agent_runs[label.as_str()]);
            let medians: Vec<(String, f64)> = settings
                .iter()
                .map(|(s, v)| (s.clone(), median(v)))
                .collect();
            let scored: Vec<&(String, f64)> = medians.iter().filter(|(_, m)| !m.is_nan()).collect();
            let best = scored
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, _)| s.clone());
            let worst = scored
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, _)| s.clone());
            let others: Vec<f64> = best_seeds
                .iter()
                .filter(|(l, _)| **l != label.as_str())
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            LotteryRow {
                label: label.clone(),
                settings: settings.len(),
                spread: Quartiles::of(&medians.iter().map(|(_, m)| *m).collect::<Vec<_>>()),
                best_setting: best,
                worst_setting: worst,
                win_rate: win_rate(&best_seeds[label.as_str()], &others),
            }
        })
        .collect()
}

/// The cost vectors (metrics oriented to be minimised) of a run's successful evaluations, and the
/// metric values they come from.
pub fn run_costs(
    run: &RunData,
    metrics: &[(String, Direction)],
) -> Result<Vec<(Vec<f64>, Vec<f64>)>> {
    let columns = metrics
        .iter()
        .map(|(m, _)| f64_column(&run.rows, &format!("m.{m}")))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for i in 0..run.rows.height() {
        let values: Option<Vec<f64>> = columns.iter().map(|c| c[i]).collect();
        if let Some(values) = values {
            let costs = values
                .iter()
                .zip(metrics)
                .map(|(x, (_, d))| d.as_cost(*x))
                .collect();
            out.push((costs, values));
        }
    }
    Ok(out)
}

/// A vector objective's metrics (with their directions) and reference point (in costs).
pub type ParetoObjective = (Vec<(String, Direction)>, Option<Vec<f64>>);

/// A point of a Pareto front: (costs, metric values).
type CostsAndValues = (Vec<f64>, Vec<f64>);

/// The Pareto metrics and reference point (in costs) of a problem's objective, if it is a vector one.
pub fn pareto_objective(results: &Results, problem: &Problem) -> Result<Option<ParetoObjective>> {
    let Some(first) = results.problem_runs(problem).next() else {
        return Ok(None);
    };
    match problem.objective.build(&first.summary.metrics)? {
        Objective::Pareto { metrics, reference } => Ok(Some((metrics, reference))),
        _ => Ok(None),
    }
}

fn pareto_table(
    results: &Results,
    problem: &Problem,
    agent_runs: &BTreeMap<&str, Vec<&RunData>>,
) -> Result<Option<ParetoTable>> {
    let Some((metrics, reference)) = pareto_objective(results, problem)? else {
        return Ok(None);
    };
    let mut fronts: Vec<(String, Vec<CostsAndValues>)> = Vec::new();
    let mut rows = Vec::new();
    for label in &problem.agents {
        let runs = &agent_runs[label.as_str()];
        let mut points = Vec::new();
        for r in runs {
            points.extend(run_costs(r, &metrics)?);
        }
        let costs: Vec<Vec<f64>> = points.iter().map(|(c, _)| c.clone()).collect();
        let mut front: Vec<CostsAndValues> = pareto_front(&costs)
            .into_iter()
            .map(|i| points[i].clone())
            .collect();
        front.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        front.dedup();
        let front_costs: Vec<Vec<f64>> = front.iter().map(|(c, _)| c.clone()).collect();
        let run_hv: Vec<f64> = runs.iter().filter_map(|r| r.summary.hypervolume).collect();
        rows.push(ParetoRow {
            label: label.clone(),
            front_size: front.len(),
            hypervolume: reference.as_ref().map(|r| hypervolume(&front_costs, r)),
            median_run_hypervolume: Quartiles::of(&run_hv).map(|q| q.median),
            on_global_front: 0,
        });
        fronts.push((label.clone(), front));
    }
    let all: Vec<(&str, &CostsAndValues)> = fronts
        .iter()
        .flat_map(|(l, f)| f.iter().map(move |p| (l.as_str(), p)))
        .collect();
    let costs: Vec<Vec<f64>> = all.iter().map(|(_, (c, _))| c.clone()).collect();
    let mut global_front = Vec::new();
    let mut global_costs = Vec::new();
    for i in pareto_front(&costs) {
        let (label, (c, values)) = all[i];
        if let Some(row) = rows.iter_mut().find(|r| r.label == label) {
            row.on_global_front += 1;
        }
        global_costs.push(c.clone());
        global_front.push(FrontPoint {
            label: label.to_string(),
            metrics: values.clone(),
        });
    }
    global_front.sort_by(|a, b| {
        a.metrics
            .partial_cmp(&b.metrics)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(Some(ParetoTable {
        metrics: metrics.into_iter().map(|(m, _)| m).collect(),
        rows,
        global_hypervolume: reference.as_ref().map(|r| hypervolume(&global_costs, r)),
        global_front,
    }))
}

/// Builds the report of every problem in `results`.
pub fn build(results: &Results) -> Result<Report> {
    let mut problems = Vec::new();
    for problem in &results.problems {
        let mut agent_runs: BTreeMap<&str, Vec<&RunData>> = BTreeMap::new();
        for r in results.problem_runs(problem) {
            agent_runs.entry(r.label()).or_default().push(r);
        }
        let agents = problem
            .agents
            .iter()
            .map(|l| agent_row(problem, l, &agent_runs[l.as_str()]))
            .collect();
        problems.push(ProblemReport {
            title: problem.title(),
            agents,
            lottery: lottery(problem, &agent_runs),
            pareto: pareto_table(results, problem, &agent_runs)?,
        });
    }
    Ok(Report {
        dir: results.dir.display().to_string(),
        problems,
    })
}

/// A number for a table: 6 significant digits, `-` when absent.
pub fn num(x: Option<f64>) -> String {
    match x {
        None => "-".into(),
        Some(x) if x.is_nan() => "-".into(),
        Some(x) if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) => {
            let text = format!("{x:.4e}");
            let (mantissa, exponent) = text.split_once('e').expect("exponent format");
            format!(
                "{}e{exponent}",
                mantissa.trim_end_matches('0').trim_end_matches('.')
            )
        }
        Some(x) => format!("{:.6}", x)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

/// The report as Markdown.
pub fn markdown(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Sweep report: {}\n", report.dir);
    for p in &report.problems {
        let _ = writeln!(s, "## {}\n", p.title);
        let _ = writeln!(
            s,
            "| agent | runs | settings | evaluations | best reward | median final reward | samples-to-target median [IQR] | success rate |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
        for a in &p.agents {
            let (to_target, success) = match &a.target {
                None => ("-".to_string(), "-".to_string()),
                Some(t) => (
                    t.samples.map_or("-".into(), |q| {
                        format!(
                            "{} [{}, {}]",
                            num(Some(q.median)),
                            num(Some(q.q1)),
                            num(Some(q.q3))
                        )
                    }),
                    format!("{:.0} % ({}/{})", 100.0 * t.success_rate, t.hits, t.runs),
                ),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                a.label,
                a.runs,
                a.settings,
                a.evaluations,
                num(a.best_reward),
                num(a.median_final_reward),
                to_target,
                success
            );
        }
        let _ = writeln!(s, "\n### Hyperparameter lottery\n");
        let _ = writeln!(
            s,
            "Per setting: median final reward over seeds; spread over settings. Win rate: chance that a setting's best seed beats a setting of another agent.\n"
        );
        let _ = writeln!(
            s,
            "| agent | settings | worst | Q1 | median | Q3 | best | spread (best − worst) | win rate | best setting |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for l in &p.lottery {
            let q = l.spread;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | `{}` |",
                l.label,
                l.settings,
                num(q.map(|q| q.min)),
                num(q.map(|q| q.q1)),
                num(q.map(|q| q.median)),
                num(q.map(|q| q.q3)),
                num(q.map(|q| q.max)),
                num(q.map(|q| q.max - q.min)),
                l.win_rate
                    .map_or("-".into(), |w| format!("{:.0} %", 100.0 * w)),
                l.best_setting.as_deref().unwrap_or("-"),
            );
        }
        if let Some(t) = &p.pareto {
            let _ = writeln!(s, "\n### Pareto front ({})\n", t.metrics.join(", "));
            let _ = writeln!(
                s,
                "| agent | front size | hypervolume (pooled) | median run hypervolume | points on the global front |"
            );
            let _ = writeln!(s, "|---|---:|---:|---:|---:|");
            for r in &t.rows {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    r.label,
                    r.front_size,
                    num(r.hypervolume),
                    num(r.median_run_hypervolume),
                    r.on_global_front
                );
            }
            let _ = writeln!(
                s,
                "\nGlobal front ({} points, hypervolume {}):\n",
                t.global_front.len(),
                num(t.global_hypervolume)
            );
            let _ = writeln!(s, "| agent | {} |", t.metrics.join(" | "));
            let _ = writeln!(s, "|---|{}", "---:|".repeat(t.metrics.len()));
            for f in &t.global_front {
                let _ = writeln!(
                    s,
                    "| {} | {} |",
                    f.label,
                    f.metrics
                        .iter()
                        .map(|x| num(Some(*x)))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
            }
        }
        let _ = writeln!(s);
    }
    s
}
