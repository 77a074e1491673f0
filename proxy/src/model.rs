//! Training, saving, loading and querying proxy models: one regressor per metric over the feature
//! encoding of a design space, with optional log-transformed targets and a held-out report.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use gym::{Design, Metrics, Param, ParamSpace};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::boosting::{Boosting, BoostingParams, BoostingStats};
use crate::encoding::FeatureEncoding;
use crate::error::ProxyError;
use crate::forest::{Forest, ForestParams, ForestStats};
use crate::mlp::{MlpNet, MlpParams, MlpStats};
use crate::report::{MetricReport, Report};
use crate::tree::Binned;

/// Version of the model directory layout; [`ProxyModel::load`] rejects others.
pub const FORMAT_VERSION: u32 = 1;

/// Which regressor family models each metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Random forest of CART regression trees.
    Forest,
    /// Gradient-boosted regression trees.
    Boosting,
    /// Multi-layer perceptron (burn).
    Mlp,
}

impl ModelKind {
    pub const ALL: [ModelKind; 3] = [ModelKind::Forest, ModelKind::Boosting, ModelKind::Mlp];

    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Forest => "forest",
            ModelKind::Boosting => "boosting",
            ModelKind::Mlp => "mlp",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ModelKind {
    type Err = ProxyError;
    fn from_str(s: &str) -> Result<Self, ProxyError> {
        ModelKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| ProxyError::UnknownModelKind(s.to_string()))
    }
}

/// How the distinct designs are split for the report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Hold out this fraction (in (0, 1)) of the designs; the model is trained on the rest.
    Holdout(f64),
    /// K-fold cross-validation: the report pools every fold's out-of-fold predictions; the model
    /// returned is then trained on all designs.
    Folds(usize),
}

/// Whether targets are modelled on a log scale (predictions are always in the metric's unit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogTargets {
    /// Per metric: log when every value is positive and the largest is at least
    /// [`AUTO_LOG_RATIO`] times the smallest (the metric spans an order of magnitude, where
    /// relative errors matter more than absolute ones).
    #[default]
    Auto,
    /// Every metric (all values must be positive).
    Always,
    Never,
}

/// The max/min ratio from which [`LogTargets::Auto`] models a positive metric on a log scale.
pub const AUTO_LOG_RATIO: f64 = 10.0;

/// Hyperparameters of every model kind (only the chosen kind's are used).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    pub forest: ForestParams,
    pub boosting: BoostingParams,
    pub mlp: MlpParams,
}

impl ModelParams {
    pub fn validate(&self, kind: ModelKind) -> Result<(), String> {
        match kind {
            ModelKind::Forest => self.forest.validate(),
            ModelKind::Boosting => self.boosting.validate(),
            ModelKind::Mlp => self.mlp.validate(),
        }
    }
}

/// What to train.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainSpec {
    pub metrics: Vec<String>,
    pub kind: ModelKind,
    pub split: Split,
    pub seed: u64,
    #[serde(default)]
    pub log_targets: LogTargets,
    #[serde(default)]
    pub params: ModelParams,
}

impl TrainSpec {
    /// A spec with a 20 % holdout, seed 0, automatic log targets and default hyperparameters.
    pub fn new<S: Into<String>>(metrics: impl IntoIterator<Item = S>, kind: ModelKind) -> Self {
        TrainSpec {
            metrics: metrics.into_iter().map(Into::into).collect(),
            kind,
            split: Split::Holdout(0.2),
            seed: 0,
            log_targets: LogTargets::Auto,
            params: ModelParams::default(),
        }
    }
}

/// Where the training data came from (filled by the caller).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    pub simulator: String,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    #[serde(default)]
    pub results_dirs: Vec<String>,
    #[serde(default)]
    pub run_ids: Vec<String>,
    /// Rows read (before de-duplication).
    pub rows: usize,
}

/// What fitting one metric's final model did.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FitStats {
    Forest(ForestStats),
    Boosting(BoostingStats),
    Mlp(MlpStats),
}

/// Counts of a training run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrainStats {
    /// Samples given.
    pub rows: usize,
    pub distinct_designs: usize,
    /// Samples dropped as repeats of an earlier design.
    pub duplicates: usize,
    /// Designs the returned models were trained on.
    pub n_train: usize,
    /// Designs the report was computed on (held out, or out-of-fold for cross-validation).
    pub n_test: usize,
    pub folds: Option<usize>,
    /// Per metric: whether it was modelled on a log scale.
    pub log_targets: BTreeMap<String, bool>,
    /// Per metric: the final model's fit.
    pub fits: BTreeMap<String, FitStats>,
}

/// One metric's fitted regressor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Regressor {
    Forest(Forest),
    Boosting(Boosting),
    Mlp(MlpNet),
}

impl Regressor {
    fn predict(&self, x: &[f64]) -> f64 {
        match self {
            Regressor::Forest(m) => m.predict(x),
            Regressor::Boosting(m) => m.predict(x),
            Regressor::Mlp(m) => m.predict(x),
        }
    }

    fn kind(&self) -> ModelKind {
        match self {
            Regressor::Forest(_) => ModelKind::Forest,
            Regressor::Boosting(_) => ModelKind::Boosting,
            Regressor::Mlp(_) => ModelKind::Mlp,
        }
    }

    fn validate(&self, width: usize) -> Result<(), String> {
        match self {
            Regressor::Forest(m) => m.validate(width),
            Regressor::Boosting(m) => m.validate(width),
            Regressor::Mlp(m) => m.validate(width),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Target {
    metric: String,
    log: bool,
    /// Distinct designs the regressor was fitted on.
    n_train: usize,
    regressor: Regressor,
}

impl Target {
    fn predict(&self, x: &[f64]) -> f64 {
        let v = self.regressor.predict(x);
        if self.log { v.exp() } else { v }
    }
}

/// A trained surrogate: one regressor per metric, the space and encoding it reads designs in, how
/// it was trained and how well it did on held-out data.
#[derive(Clone, Debug, PartialEq)]
pub struct ProxyModel {
    params: Vec<Param>,
    encoding: FeatureEncoding,
    spec: TrainSpec,
    provenance: Provenance,
    report: Report,
    targets: Vec<Target>,
}

/// Distinct samples as a feature matrix and per-metric targets.
struct Dataset {
    /// Row-major features, `encoding.width()` per row.
    x: Vec<f64>,
    width: usize,
    /// Per requested metric, one value per distinct design.
    y: Vec<Vec<f64>>,
    /// Sample index (in the caller's slice) of each distinct design.
    origin: Vec<usize>,
    duplicates: usize,
}

/// De-duplicates (keeping first occurrences), validates designs against `params` and reads `metrics`.
fn dataset(
    params: &[Param],
    encoding: &FeatureEncoding,
    samples: &[(Design, Metrics)],
    metrics: &[String],
) -> Result<Dataset, ProxyError> {
    if samples.is_empty() {
        return Err(ProxyError::NoSamples);
    }
    let mut seen: HashSet<&Design> = HashSet::with_capacity(samples.len());
    let mut origin = Vec::new();
    for (row, (design, _)) in samples.iter().enumerate() {
        if seen.contains(design) {
            continue;
        }
        check_design(params, design)
            .map_err(|reason| ProxyError::DesignOutsideSpace { row, reason })?;
        seen.insert(design);
        origin.push(row);
    }
    let width = encoding.width();
    let mut x = vec![0.0; origin.len() * width];
    for (i, &row) in origin.iter().enumerate() {
        encoding.encode_into(&samples[row].0, &mut x[i * width..(i + 1) * width]);
    }
    let mut y = Vec::with_capacity(metrics.len());
    for metric in metrics {
        let mut col = Vec::with_capacity(origin.len());
        for &row in &origin {
            let m = &samples[row].1;
            let v = m.get(metric).ok_or_else(|| ProxyError::MissingMetric {
                metric: metric.clone(),
                row,
                available: m.0.keys().cloned().collect::<Vec<_>>().join(", "),
            })?;
            if !v.is_finite() {
                return Err(ProxyError::NonFiniteMetric {
                    metric: metric.clone(),
                    row,
                    value: v,
                });
            }
            col.push(v);
        }
        y.push(col);
    }
    Ok(Dataset {
        x,
        width,
        y,
        duplicates: samples.len() - origin.len(),
        origin,
    })
}

/// Checks a design's length and domains (constraints are the simulator's business).
fn check_design(params: &[Param], design: &Design) -> Result<(), String> {
    if design.len() != params.len() {
        return Err(format!(
            "it has {} values but the space has {} parameters",
            design.len(),
            params.len()
        ));
    }
    for (p, v) in params.iter().zip(design.values()) {
        if !p.domain.contains(v) {
            return Err(format!(
                "parameter `{}`: {v:?} is not {}",
                p.name,
                p.domain.expected()
            ));
        }
    }
    Ok(())
}

/// Row indices for training and for testing.
type TrainTest = (Vec<u32>, Vec<u32>);

/// (train rows, test rows) pairs: one for a holdout, K for cross-validation.
fn split_rows(n: usize, split: Split, seed: u64) -> Result<Vec<TrainTest>, ProxyError> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(&mut gym::rng::seeded(gym::rng::derive(seed, "split")));
    match split {
        Split::Holdout(f) => {
            if !(f > 0.0 && f < 1.0) {
                return Err(ProxyError::InvalidSpec(format!(
                    "the holdout fraction must be in (0, 1), got {f}"
                )));
            }
            let n_test = ((f * n as f64).round() as usize).max(1);
            if n < n_test + 2 {
                return Err(ProxyError::TooFewDesigns {
                    distinct: n,
                    needed: n_test + 2,
                    split: format!("a {f} holdout"),
                });
            }
            let (test, train) = order.split_at(n_test);
            let (mut train, mut test) = (train.to_vec(), test.to_vec());
            train.sort_unstable();
            test.sort_unstable();
            Ok(vec![(train, test)])
        }
        Split::Folds(k) => {
            if k < 2 {
                return Err(ProxyError::InvalidSpec(format!(
                    "cross-validation needs at least 2 folds, got {k}"
                )));
            }
            if n < 2 * k {
                return Err(ProxyError::TooFewDesigns {
                    distinct: n,
                    needed: 2 * k,
                    split: format!("{k}-fold cross-validation"),
                });
            }
            Ok((0..k)
                .map(|fold| {
                    let (mut train, mut test) = (Vec::new(), Vec::new());
                    for (i, &r) in order.iter().enumerate() {
                        if i % k == fold { &mut test } else { &mut train }.push(r);
                    }
                    train.sort_unstable();
                    test.sort_unstable();
                    (train, test)
                })
                .collect())
        }
    }
}

/// Whether `metric` is modelled on a log scale.
fn use_log(
    mode: LogTargets,
    metric: &str,
    y: &[f64],
    origin: &[usize],
) -> Result<bool, ProxyError> {
    let (lo, hi) = y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    match mode {
        LogTargets::Never => Ok(false),
        LogTargets::Auto => Ok(lo > 0.0 && hi >= AUTO_LOG_RATIO * lo),
        LogTargets::Always => match y.iter().position(|&v| v <= 0.0) {
            Some(i) => Err(ProxyError::NonPositiveLogTarget {
                metric: metric.to_string(),
                row: origin[i],
                value: y[i],
            }),
            None => Ok(true),
        },
    }
}

/// Fits one regressor on rows `train`.
fn fit(
    spec: &TrainSpec,
    metric: &str,
    binned: &Binned,
    x: &[f64],
    y: &[f64],
    train: &[u32],
    seed: u64,
) -> Result<(Regressor, FitStats), ProxyError> {
    let p = &spec.params;
    Ok(match spec.kind {
        ModelKind::Forest => {
            let (m, s) = Forest::fit(binned, y, train, &p.forest, seed);
            (Regressor::Forest(m), FitStats::Forest(s))
        }
        ModelKind::Boosting => {
            let (m, s) = Boosting::fit(binned, x, y, train, &p.boosting, seed);
            (Regressor::Boosting(m), FitStats::Boosting(s))
        }
        ModelKind::Mlp => {
            let (m, s) =
                MlpNet::fit(x, binned.width(), y, train, &p.mlp, seed).map_err(|reason| {
                    ProxyError::Training {
                        kind: spec.kind.to_string(),
                        metric: metric.to_string(),
                        reason,
                    }
                })?;
            (Regressor::Mlp(m), FitStats::Mlp(s))
        }
    })
}

/// Trains one model per metric of `spec` on `samples` (designs of the space `params`), and reports
/// their accuracy on held-out designs (see [`Split`]).
pub fn train(
    params: &[Param],
    samples: &[(Design, Metrics)],
    spec: &TrainSpec,
    provenance: Provenance,
) -> Result<(ProxyModel, TrainStats), ProxyError> {
    train_impl(params, samples, spec, provenance, true)
}

/// Trains on every distinct design of `samples`, ignoring `spec.split`: the model's report is empty
/// (evaluate it on separate data with [`ProxyModel::evaluate`]; the learning-curve benchmark does).
pub fn train_all(
    params: &[Param],
    samples: &[(Design, Metrics)],
    spec: &TrainSpec,
    provenance: Provenance,
) -> Result<(ProxyModel, TrainStats), ProxyError> {
    train_impl(params, samples, spec, provenance, false)
}

fn train_impl(
    params: &[Param],
    samples: &[(Design, Metrics)],
    spec: &TrainSpec,
    provenance: Provenance,
    held_out: bool,
) -> Result<(ProxyModel, TrainStats), ProxyError> {
    if spec.metrics.is_empty() {
        return Err(ProxyError::NoMetrics);
    }
    for (i, m) in spec.metrics.iter().enumerate() {
        if spec.metrics[..i].contains(m) {
            return Err(ProxyError::DuplicateMetric(m.clone()));
        }
    }
    spec.params
        .validate(spec.kind)
        .map_err(ProxyError::InvalidSpec)?;
    ParamSpace::new(params.to_vec()).map_err(|e| {
        ProxyError::InvalidSpec(format!("the parameter list is not a valid space: {e}"))
    })?;
    let encoding = FeatureEncoding::from_params(params);
    let data = dataset(params, &encoding, samples, &spec.metrics)?;
    let n = data.origin.len();
    let all: Vec<u32> = (0..n as u32).collect();
    let splits = if held_out {
        split_rows(n, spec.split, spec.seed)?
    } else if n < 2 {
        return Err(ProxyError::TooFewDesigns {
            distinct: n,
            needed: 2,
            split: "training".into(),
        });
    } else {
        vec![(all.clone(), Vec::new())]
    };
    let binned = Binned::new(&data.x, data.width);

    struct Fitted {
        target: Target,
        report: Option<MetricReport>,
        stats: FitStats,
    }
    let fitted: Vec<Fitted> = spec
        .metrics
        .par_iter()
        .enumerate()
        .map(|(m, metric)| {
            let y = &data.y[m];
            let log = use_log(spec.log_targets, metric, y, &data.origin)?;
            let yt: Vec<f64> = if log {
                y.iter().map(|v| v.ln()).collect()
            } else {
                y.clone()
            };
            let seed = gym::rng::derive(spec.seed, metric);
            let x_of = |r: u32| &data.x[r as usize * data.width..(r as usize + 1) * data.width];
            let inverse = |v: f64| if log { v.exp() } else { v };
            // Out-of-sample predictions for the report.
            let mut truth = Vec::new();
            let mut predicted = Vec::new();
            let mut holdout_model = None;
            for (fold, (train, test)) in splits.iter().enumerate() {
                let fold_seed = gym::rng::derive(seed, &format!("fold{fold}"));
                let (reg, stats) = fit(spec, metric, &binned, &data.x, &yt, train, fold_seed)?;
                for &r in test {
                    truth.push(y[r as usize]);
                    predicted.push(inverse(reg.predict(x_of(r))));
                }
                holdout_model = Some((reg, stats, train.len()));
            }
            let (regressor, stats, n_train) = match spec.split {
                _ if !held_out => holdout_model.expect("one split"),
                Split::Holdout(_) => holdout_model.expect("one split"),
                Split::Folds(_) => {
                    let (reg, stats) = fit(spec, metric, &binned, &data.x, &yt, &all, seed)?;
                    (reg, stats, n)
                }
            };
            Ok(Fitted {
                target: Target {
                    metric: metric.clone(),
                    log,
                    n_train,
                    regressor,
                },
                report: (!truth.is_empty())
                    .then(|| MetricReport::compute(&truth, &predicted, n_train)),
                stats,
            })
        })
        .collect::<Result<_, ProxyError>>()?;

    let stats = TrainStats {
        rows: samples.len(),
        distinct_designs: n,
        duplicates: data.duplicates,
        n_train: fitted[0].target.n_train,
        n_test: fitted[0].report.as_ref().map_or(0, |r| r.n_test),
        folds: match spec.split {
            Split::Folds(k) if held_out => Some(k),
            _ => None,
        },
        log_targets: fitted
            .iter()
            .map(|f| (f.target.metric.clone(), f.target.log))
            .collect(),
        fits: fitted
            .iter()
            .map(|f| (f.target.metric.clone(), f.stats.clone()))
            .collect(),
    };
    let report = fitted
        .iter()
        .filter_map(|f| Some((f.target.metric.clone(), f.report.clone()?)))
        .collect();
    let model = ProxyModel {
        params: params.to_vec(),
        encoding,
        spec: spec.clone(),
        provenance,
        report,
        targets: fitted.into_iter().map(|f| f.target).collect(),
    };
    Ok((model, stats))
}

/// The manifest of a model directory: format, kind and which file holds which metric's model.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: u32,
    kind: ModelKind,
    targets: Vec<ManifestTarget>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestTarget {
    metric: String,
    log: bool,
    n_train: usize,
    file: String,
}

const MANIFEST: &str = "proxy.json";
const PARAMS: &str = "params.json";
const ENCODING: &str = "encoding.json";
const SPEC: &str = "spec.json";
const PROVENANCE: &str = "provenance.json";
const REPORT: &str = "report.json";

fn write_json(
    dir: &Path,
    name: &str,
    value: &impl Serialize,
    pretty: bool,
) -> Result<(), ProxyError> {
    let path = dir.join(name);
    // Written under a temporary name and renamed, so a crash never leaves a half-written file.
    let tmp = dir.join(format!(".{name}.tmp"));
    let io = |source| ProxyError::Io {
        path: path.clone(),
        source,
    };
    let file = fs::File::create(&tmp).map_err(io)?;
    let mut w = BufWriter::new(file);
    let r = if pretty {
        serde_json::to_writer_pretty(&mut w, value)
    } else {
        serde_json::to_writer(&mut w, value)
    };
    r.map_err(|source| ProxyError::Json {
        path: path.clone(),
        source,
    })?;
    w.write_all(b"\n").map_err(io)?;
    w.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    fs::rename(&tmp, &path).map_err(io)
}

fn read_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<T, ProxyError> {
    let path = dir.join(name);
    let file = fs::File::open(&path).map_err(|source| ProxyError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_reader(BufReader::new(file))
        .map_err(|source| ProxyError::Json { path, source })
}

fn bad(dir: &Path, name: &str, reason: impl Into<String>) -> ProxyError {
    ProxyError::BadModelFile {
        path: dir.join(name),
        reason: reason.into(),
    }
}

impl ProxyModel {
    /// Writes the model directory (created if missing): `proxy.json` (manifest), `params.json`,
    /// `encoding.json`, `spec.json`, `provenance.json`, `report.json` and one `model-<i>.json` per
    /// metric.
    pub fn save(&self, dir: &Path) -> Result<(), ProxyError> {
        fs::create_dir_all(dir).map_err(|source| ProxyError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut targets = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            let file = format!("model-{i}.json");
            write_json(dir, &file, &t.regressor, false)?;
            targets.push(ManifestTarget {
                metric: t.metric.clone(),
                log: t.log,
                n_train: t.n_train,
                file,
            });
        }
        write_json(dir, PARAMS, &self.params, true)?;
        write_json(dir, ENCODING, &self.encoding, true)?;
        write_json(dir, SPEC, &self.spec, true)?;
        write_json(dir, PROVENANCE, &self.provenance, true)?;
        write_json(dir, REPORT, &self.report, true)?;
        // The manifest last: a directory without one is not a model.
        write_json(
            dir,
            MANIFEST,
            &Manifest {
                format: FORMAT_VERSION,
                kind: self.spec.kind,
                targets,
            },
            true,
        )
    }

    /// Reads a model directory written by [`ProxyModel::save`], checking that its files agree.
    pub fn load(dir: &Path) -> Result<Self, ProxyError> {
        let manifest: Manifest = read_json(dir, MANIFEST)?;
        if manifest.format != FORMAT_VERSION {
            return Err(bad(
                dir,
                MANIFEST,
                format!(
                    "format {} is not supported (this build reads format {FORMAT_VERSION})",
                    manifest.format
                ),
            ));
        }
        if manifest.targets.is_empty() {
            return Err(bad(dir, MANIFEST, "lists no metrics"));
        }
        let params: Vec<Param> = read_json(dir, PARAMS)?;
        ParamSpace::new(params.clone())
            .map_err(|e| bad(dir, PARAMS, format!("not a valid space: {e}")))?;
        let encoding: FeatureEncoding = read_json(dir, ENCODING)?;
        if encoding != FeatureEncoding::from_params(&params) {
            return Err(bad(
                dir,
                ENCODING,
                format!("does not match the space in {PARAMS}"),
            ));
        }
        let spec: TrainSpec = read_json(dir, SPEC)?;
        if spec.kind != manifest.kind {
            return Err(bad(
                dir,
                SPEC,
                format!(
                    "kind `{}` but {MANIFEST} says `{}`",
                    spec.kind, manifest.kind
                ),
            ));
        }
        let provenance: Provenance = read_json(dir, PROVENANCE)?;
        let report: Report = read_json(dir, REPORT)?;
        let metrics: Vec<&String> = manifest.targets.iter().map(|t| &t.metric).collect();
        if !report.is_empty()
            && !report.keys().eq(metrics
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>())
        {
            return Err(bad(
                dir,
                REPORT,
                format!(
                    "reports {:?} but {MANIFEST} lists {:?}",
                    report.keys().collect::<Vec<_>>(),
                    metrics
                ),
            ));
        }
        let mut targets = Vec::new();
        for t in manifest.targets {
            if t.file.contains(['/', '\\']) || t.file.starts_with('.') {
                return Err(bad(
                    dir,
                    MANIFEST,
                    format!("model file name `{}` is not a plain file name", t.file),
                ));
            }
            let regressor: Regressor = read_json(dir, &t.file)?;
            if regressor.kind() != manifest.kind {
                return Err(bad(
                    dir,
                    &t.file,
                    format!(
                        "holds a {} model but {MANIFEST} says {}",
                        regressor.kind(),
                        manifest.kind
                    ),
                ));
            }
            regressor
                .validate(encoding.width())
                .map_err(|e| bad(dir, &t.file, e))?;
            targets.push(Target {
                metric: t.metric,
                log: t.log,
                n_train: t.n_train,
                regressor,
            });
        }
        Ok(ProxyModel {
            params,
            encoding,
            spec,
            provenance,
            report,
            targets,
        })
    }

    /// The parameters of the space the model was trained on.
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    pub fn encoding(&self) -> &FeatureEncoding {
        &self.encoding
    }

    /// The metrics the model predicts, in training order.
    pub fn metrics(&self) -> Vec<&str> {
        self.targets.iter().map(|t| t.metric.as_str()).collect()
    }

    pub fn provenance(&self) -> &Provenance {
        &self.provenance
    }

    /// The held-out report from training.
    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn spec(&self) -> &TrainSpec {
        &self.spec
    }

    pub fn kind(&self) -> ModelKind {
        self.spec.kind
    }

    /// Whether each metric is modelled on a log scale.
    pub fn log_targets(&self) -> BTreeMap<&str, bool> {
        self.targets
            .iter()
            .map(|t| (t.metric.as_str(), t.log))
            .collect()
    }

    /// Predicts every metric of a design of the model's space (callers validate designs).
    pub fn predict(&self, design: &Design) -> Metrics {
        let x = self.encoding.encode(design);
        self.targets
            .iter()
            .map(|t| (t.metric.clone(), t.predict(&x)))
            .collect()
    }

    /// [`ProxyModel::predict`] for many designs, in parallel, in order.
    pub fn predict_batch(&self, designs: &[Design]) -> Vec<Metrics> {
        designs.par_iter().map(|d| self.predict(d)).collect()
    }

    /// The report of this model on other samples (de-duplicated; `n_train` stays the model's).
    pub fn evaluate(&self, samples: &[(Design, Metrics)]) -> Result<Report, ProxyError> {
        let metrics: Vec<String> = self.targets.iter().map(|t| t.metric.clone()).collect();
        let data = dataset(&self.params, &self.encoding, samples, &metrics)?;
        let n = data.origin.len();
        Ok(self
            .targets
            .par_iter()
            .zip(&data.y)
            .map(|(t, y)| {
                let predicted: Vec<f64> = (0..n)
                    .map(|r| t.predict(&data.x[r * data.width..(r + 1) * data.width]))
                    .collect();
                (
                    t.metric.clone(),
                    MetricReport::compute(y, &predicted, t.n_train),
                )
            })
            .collect())
    }

    /// Paths of the files [`ProxyModel::save`] writes into `dir`.
    pub fn files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = [MANIFEST, PARAMS, ENCODING, SPEC, PROVENANCE, REPORT]
            .iter()
            .map(|f| dir.join(f))
            .collect();
        v.extend((0..self.targets.len()).map(|i| dir.join(format!("model-{i}.json"))));
        v
    }
}
