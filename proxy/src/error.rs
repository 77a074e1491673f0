//! Everything that can go wrong training, saving, loading or wrapping a proxy model. Every variant
//! names what the user has to look at: the metric, the row, the file or the parameter.

use std::path::PathBuf;

/// Errors of the proxy crate.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "no samples to train on (are the results directories empty, or did every evaluation fail?)"
    )]
    NoSamples,
    #[error("no metrics requested: name at least one metric to model")]
    NoMetrics,
    #[error("metric `{0}` is requested twice")]
    DuplicateMetric(String),
    #[error("sample {row}: metric `{metric}` is missing (the sample has: {available})")]
    MissingMetric {
        metric: String,
        row: usize,
        available: String,
    },
    #[error("sample {row}: metric `{metric}` is {value}, not a finite number")]
    NonFiniteMetric {
        metric: String,
        row: usize,
        value: f64,
    },
    #[error(
        "metric `{metric}`: log_targets = always needs positive values, but sample {row} has {value}"
    )]
    NonPositiveLogTarget {
        metric: String,
        row: usize,
        value: f64,
    },
    #[error("sample {row}: the design does not fit the model's space: {reason}")]
    DesignOutsideSpace { row: usize, reason: String },
    #[error("{split} needs at least {needed} distinct designs, got {distinct}")]
    TooFewDesigns {
        distinct: usize,
        needed: usize,
        split: String,
    },
    #[error("invalid training spec: {0}")]
    InvalidSpec(String),
    #[error("unknown model kind `{0}` (known: forest, boosting, mlp)")]
    UnknownModelKind(String),
    #[error("training the {kind} model of `{metric}` failed: {reason}")]
    Training {
        kind: String,
        metric: String,
        reason: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: {reason}", path.display())]
    BadModelFile { path: PathBuf, reason: String },
    #[error("the simulator's space does not match the model's: {0}")]
    SpaceMismatch(String),
    #[error(
        "the model predicts `{metric}` but the simulator reports no such metric (it has: {known})"
    )]
    UnknownMetric { metric: String, known: String },
}
