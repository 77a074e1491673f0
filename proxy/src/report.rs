//! Accuracy of a model on held-out data, per metric: RMSE, RMSE normalised by the range and by the
//! mean of the true values, MAPE and R². Ratios are fractions (0.01 = 1 %), not percent.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A report: one entry per metric.
pub type Report = BTreeMap<String, MetricReport>;

/// Accuracy on one metric. Undefined ratios (a constant metric has no range; R² of a constant) are
/// NaN in memory and `null` in JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    /// Root-mean-square error, in the metric's unit.
    #[serde(serialize_with = "ser_f64", deserialize_with = "de_f64")]
    pub rmse: f64,
    /// RMSE / (max − min) of the true values evaluated on.
    #[serde(serialize_with = "ser_f64", deserialize_with = "de_f64")]
    pub nrmse_range: f64,
    /// RMSE / |mean| of the true values evaluated on.
    #[serde(serialize_with = "ser_f64", deserialize_with = "de_f64")]
    pub nrmse_mean: f64,
    /// Mean of |error| / |true| over values with a non-zero true value.
    #[serde(serialize_with = "ser_f64", deserialize_with = "de_f64")]
    pub mape: f64,
    /// Coefficient of determination, 1 − SSE / SST.
    #[serde(serialize_with = "ser_f64", deserialize_with = "de_f64")]
    pub r2: f64,
    /// Distinct designs the model was trained on.
    pub n_train: usize,
    /// Distinct designs the report was computed on.
    pub n_test: usize,
}

fn ser_f64<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else {
        s.serialize_none()
    }
}

fn de_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl MetricReport {
    /// Compares predictions with true values (same length, at least one).
    pub fn compute(truth: &[f64], predicted: &[f64], n_train: usize) -> Self {
        assert_eq!(truth.len(), predicted.len(), "one prediction per value");
        let n = truth.len() as f64;
        let mean = truth.iter().sum::<f64>() / n;
        let (lo, hi) = truth
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &y| {
                (lo.min(y), hi.max(y))
            });
        let sse: f64 = truth
            .iter()
            .zip(predicted)
            .map(|(y, p)| (y - p) * (y - p))
            .sum();
        let sst: f64 = truth.iter().map(|y| (y - mean) * (y - mean)).sum();
        let (ape, nonzero) = truth
            .iter()
            .zip(predicted)
            .filter(|(y, _)| **y != 0.0)
            .fold((0.0, 0usize), |(s, k), (y, p)| {
                (s + ((y - p) / y).abs(), k + 1)
            });
        let rmse = (sse / n).sqrt();
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { f64::NAN };
        MetricReport {
            rmse,
            nrmse_range: ratio(rmse, hi - lo),
            nrmse_mean: ratio(rmse, mean.abs()),
            mape: ratio(ape, nonzero as f64),
            r2: if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN },
            n_train,
            n_test: truth.len(),
        }
    }
}
