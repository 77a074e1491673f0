//! The [`Simulator`] trait: evaluate one design, get named metrics.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::space::{Design, ParamSpace, SpaceError};

/// Whether smaller or larger values of a metric are better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Minimize,
    Maximize,
}

impl Direction {
    /// `x` oriented so that smaller is better.
    pub fn as_cost(self, x: f64) -> f64 {
        match self {
            Direction::Minimize => x,
            Direction::Maximize => -x,
        }
    }
}

/// Name, unit and preferred direction of one metric a simulator reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSpec {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl MetricSpec {
    pub fn new(name: &str, unit: &str, direction: Direction, description: &str) -> Self {
        MetricSpec {
            name: name.into(),
            unit: unit.into(),
            direction,
            description: description.into(),
        }
    }
    pub fn minimize(name: &str, unit: &str, description: &str) -> Self {
        Self::new(name, unit, Direction::Minimize, description)
    }
    pub fn maximize(name: &str, unit: &str, description: &str) -> Self {
        Self::new(name, unit, Direction::Maximize, description)
    }
}

/// Named metric values of one evaluation. Simulators must report every metric of their
/// [`Simulator::metrics`] and may add extra detail (e.g. per-report fields).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics(pub BTreeMap<String, f64>);

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.get(name).copied()
    }
    pub fn insert(&mut self, name: impl Into<String>, value: f64) {
        self.0.insert(name.into(), value);
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<S: Into<String>> FromIterator<(S, f64)> for Metrics {
    fn from_iter<I: IntoIterator<Item = (S, f64)>>(iter: I) -> Self {
        Metrics(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// Why an evaluation produced no metrics.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The design is outside the space or violates a constraint.
    #[error(transparent)]
    Design(#[from] SpaceError),
    /// The simulator judged the design infeasible (e.g. a layer does not fit the array).
    #[error("infeasible design: {0}")]
    Infeasible(String),
    /// The simulator ran but failed (a crashed subprocess, a numerical failure, …).
    #[error("simulation failed: {0}")]
    Failed(String),
    /// The simulator took longer than allowed.
    #[error("simulation timed out after {seconds} s")]
    Timeout { seconds: f64 },
}

impl SimError {
    /// Infeasible designs are a property of the design; other errors are failures of the evaluation.
    pub fn is_infeasible(&self) -> bool {
        matches!(
            self,
            SimError::Infeasible(_) | SimError::Design(SpaceError::Infeasible { .. })
        )
    }
}

/// Evaluates designs. Implementations are pure: the same design always gives the same metrics, so
/// the runner may cache results and evaluate batches on any number of threads.
pub trait Simulator: Send + Sync {
    /// The knobs this simulator accepts.
    fn space(&self) -> &ParamSpace;
    /// The metrics every successful evaluation reports.
    fn metrics(&self) -> &[MetricSpec];
    /// Simulates one design. Callers validate the design first (see [`Simulator::evaluate_checked`]).
    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError>;

    /// Validates the design against the space (domains and constraints), then evaluates it.
    fn evaluate_checked(&self, design: &Design) -> Result<Metrics, SimError> {
        self.space().validate(design)?;
        self.evaluate(design)
    }

    /// The spec of metric `name`.
    fn metric(&self, name: &str) -> Option<&MetricSpec> {
        self.metrics().iter().find(|m| m.name == name)
    }
}

/// Smart pointers and references to a simulator are simulators.
macro_rules! forward_simulator {
    ($($pointer:ty),*) => {$(
        impl<S: Simulator + ?Sized> Simulator for $pointer {
            fn space(&self) -> &ParamSpace {
                (**self).space()
            }
            fn metrics(&self) -> &[MetricSpec] {
                (**self).metrics()
            }
            fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
                (**self).evaluate(design)
            }
        }
    )*};
}

forward_simulator!(Box<S>, std::sync::Arc<S>, &S);

/// A simulator that remembers every result: simulators are pure, so a design already simulated for
/// one agent, seed or target need not be simulated again (benchmarks that compare many runs on one
/// environment share one). The runner's own cache is per run; this one outlives runs.
pub struct Memoized<S> {
    inner: S,
    cache: Mutex<HashMap<Design, Result<Metrics, SimError>>>,
}

impl<S> Memoized<S> {
    pub fn new(inner: S) -> Self {
        Memoized {
            inner,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Distinct designs evaluated so far.
    pub fn len(&self) -> usize {
        self.cache.lock().expect("cache lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S: Simulator> Simulator for Memoized<S> {
    fn space(&self) -> &ParamSpace {
        self.inner.space()
    }
    fn metrics(&self) -> &[MetricSpec] {
        self.inner.metrics()
    }
    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
        if let Some(r) = self.cache.lock().expect("cache lock").get(design) {
            return r.clone();
        }
        let r = self.inner.evaluate(design);
        self.cache
            .lock()
            .expect("cache lock")
            .insert(design.clone(), r.clone());
        r
    }
}

/// One environment option a simulator accepts (`--env KEY=VALUE` on the command line, `options:` in a
/// recipe): workloads, memspecs, circuits and the like, fixed for a whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvOption {
    pub name: &'static str,
    /// The value used when the option is not given (empty: required or none).
    pub default: &'static str,
    pub help: &'static str,
}

/// Checks that every key of `options` is one of `known`, naming the first unknown one.
pub fn check_option_keys<'a>(
    options: impl IntoIterator<Item = &'a String>,
    known: &[EnvOption],
) -> Result<(), String> {
    for key in options {
        if !known.iter().any(|o| o.name == key) {
            let names: Vec<&str> = known.iter().map(|o| o.name).collect();
            return Err(format!(
                "unknown option `{key}` (known: {})",
                names.join(", ")
            ));
        }
    }
    Ok(())
}
