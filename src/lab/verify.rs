//! `verify_top`: after a search on a proxy model, the K best distinct designs of the run are evaluated
//! again on the simulator the proxy was trained from, so the run logs what the proxy promised next to
//! what the design delivers (`v.<metric>` and `v.reward` columns; a summary in the run's JSON).

use std::collections::HashSet;

use polars::prelude::{Column, DataFrame};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use gym::{Metrics, Objective, Record, Simulator};

/// One re-evaluated design.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// Index of the record (its `step`) in the run.
    pub step: usize,
    pub metrics: Option<Metrics>,
    pub reward: f64,
    pub error: Option<String>,
}

/// What the run's summary says about the verification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifySummary {
    /// The simulator the designs were re-evaluated on.
    pub simulator: String,
    pub designs: usize,
    /// Best reward among the verified designs according to the proxy, and according to the simulator.
    pub best_proxy_reward: Option<f64>,
    pub best_verified_reward: Option<f64>,
    /// Per verified metric: mean |proxy − simulator| / |simulator| over the verified designs.
    pub mean_relative_error: std::collections::BTreeMap<String, f64>,
}

/// Indices of the `k` best records by reward, one per distinct design, successful ones only, best first
/// (ties keep the earlier step).
pub fn top_k(records: &[Record], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..records.len())
        .filter(|&i| {
            let r = &records[i];
            r.feasible && r.error.is_none() && r.metrics.is_some() && r.reward.is_finite()
        })
        .collect();
    order.sort_by(|&a, &b| {
        records[b]
            .reward
            .total_cmp(&records[a].reward)
            .then(a.cmp(&b))
    });
    let mut seen = HashSet::new();
    order
        .into_iter()
        .filter(|&i| seen.insert(&records[i].design))
        .take(k)
        .collect()
}

/// Re-evaluates the `k` best designs of `records` on `real`, scoring them with `objective`.
pub fn verify(
    records: &[Record],
    k: usize,
    real: &dyn Simulator,
    objective: &Objective,
) -> Vec<Verified> {
    top_k(records, k)
        .into_par_iter()
        .map(|i| match real.evaluate_checked(&records[i].design) {
            Ok(m) => Verified {
                step: i,
                reward: objective.score(&m).reward,
                metrics: Some(m),
                error: None,
            },
            Err(e) => Verified {
                step: i,
                metrics: None,
                reward: f64::NAN,
                error: Some(e.to_string()),
            },
        })
        .collect()
}

/// Adds `verified`, `v.reward` and `v.<metric>` columns to a run's rows (null where not verified).
pub fn add_columns(
    frame: &mut DataFrame,
    verified: &[Verified],
    metrics: &[String],
) -> anyhow::Result<()> {
    let n = frame.height();
    let mut at: Vec<Option<&Verified>> = vec![None; n];
    for v in verified {
        at[v.step] = Some(v);
    }
    let finite = |x: f64| x.is_finite().then_some(x);
    let mut cols = vec![
        Column::new(
            "verified".into(),
            at.iter().map(Option::is_some).collect::<Vec<_>>(),
        ),
        Column::new(
            "v.reward".into(),
            at.iter()
                .map(|v| v.and_then(|v| finite(v.reward)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "v.error".into(),
            at.iter()
                .map(|v| v.and_then(|v| v.error.clone()))
                .collect::<Vec<_>>(),
        ),
    ];
    for m in metrics {
        cols.push(Column::new(
            format!("v.{m}").into(),
            at.iter()
                .map(|v| v.and_then(|v| v.metrics.as_ref()).and_then(|x| x.get(m)))
                .collect::<Vec<_>>(),
        ));
    }
    for c in cols {
        frame.with_column(c)?;
    }
    Ok(())
}

/// The summary of a verification.
pub fn summarise(simulator: &str, records: &[Record], verified: &[Verified]) -> VerifySummary {
    let best = |xs: &mut dyn Iterator<Item = f64>| xs.filter(|x| x.is_finite()).reduce(f64::max);
    let ok: Vec<&Verified> = verified.iter().filter(|v| v.metrics.is_some()).collect();
    let mut errors = std::collections::BTreeMap::new();
    if let Some(first) = ok.first().and_then(|v| v.metrics.as_ref()) {
        for (name, _) in first.iter() {
            let diffs: Vec<f64> = ok
                .iter()
                .filter_map(|v| {
                    let real = v.metrics.as_ref()?.get(name)?;
                    let promised = records[v.step].metrics.as_ref()?.get(name)?;
                    (real != 0.0).then(|| ((promised - real) / real).abs())
                })
                .collect();
            if !diffs.is_empty() {
                errors.insert(
                    name.to_string(),
                    diffs.iter().sum::<f64>() / diffs.len() as f64,
                );
            }
        }
    }
    VerifySummary {
        simulator: simulator.to_string(),
        designs: verified.len(),
        best_proxy_reward: best(&mut verified.iter().map(|v| records[v.step].reward)),
        best_verified_reward: best(&mut verified.iter().map(|v| v.reward)),
        mean_relative_error: errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gym::{Design, Value};

    fn record(step: usize, x: i64, reward: f64, ok: bool) -> Record {
        Record {
            step,
            batch: 0,
            design: Design(vec![Value::Int(x)]),
            metrics: ok.then(|| [("y", reward)].into_iter().collect()),
            reward: if ok { reward } else { f64::NEG_INFINITY },
            best_reward: reward,
            costs: Vec::new(),
            feasible: true,
            error: (!ok).then(|| "failed".into()),
            target_met: false,
            sim_seconds: 0.0,
            wall_seconds: 0.0,
            cache_hit: false,
        }
    }

    #[test]
    fn top_k_is_best_first_distinct_and_successful() {
        let records = vec![
            record(0, 1, 1.0, true),
            record(1, 2, 5.0, true),
            record(2, 2, 5.0, true), // same design again
            record(3, 3, 9.0, false),
            record(4, 4, 3.0, true),
        ];
        assert_eq!(top_k(&records, 2), vec![1, 4]);
        assert_eq!(top_k(&records, 10), vec![1, 4, 0]);
        assert!(top_k(&records, 0).is_empty());
    }
}
