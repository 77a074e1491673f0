//! Proxy cost models (issue 8): surrogates trained on logged evaluations that predict a simulator's
//! metrics from a design, and a [`ProxySimulator`] that lets any agent search them.
//!
//! [`train`] turns `(Design, Metrics)` samples into a [`ProxyModel`] — one regressor per metric
//! (random forest, gradient-boosted trees or an MLP) over a [`FeatureEncoding`] of the space — with a
//! held-out [`Report`]. Models save to and load from a directory of JSON files.

pub mod boosting;
pub mod encoding;
pub mod error;
pub mod forest;
pub mod mlp;
pub mod model;
pub mod report;
pub mod simulator;
pub mod tree;

pub use encoding::FeatureEncoding;
pub use error::ProxyError;
pub use model::{
    FitStats, LogTargets, ModelKind, ModelParams, Provenance, ProxyModel, Split, TrainSpec,
    TrainStats, train, train_all,
};
pub use report::{MetricReport, Report};
pub use simulator::ProxySimulator;
