//! Feature encoding of designs for the regressors: categorical knobs become one-hot blocks, integers
//! their value, powers of two their log2, floats their value (its natural log on log-scale domains).
//! Ordinal encodings keep the order trees split on and keep the feature count small; one-hot keeps
//! unordered labels from pretending to be ordered.

use gym::{Design, Domain, Param, Value};
use serde::{Deserialize, Serialize};

/// How one parameter becomes features.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// One feature per label: 1 for the design's label, 0 otherwise.
    OneHot { labels: usize },
    /// The integer itself.
    Int,
    /// log2 of the power of two.
    Log2,
    /// The float itself.
    Float,
    /// ln of the float (log-scale domains).
    Ln,
}

impl Column {
    fn width(&self) -> usize {
        match self {
            Column::OneHot { labels } => *labels,
            _ => 1,
        }
    }
}

/// The feature layout of a space: one [`Column`] per parameter, in space order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureEncoding {
    columns: Vec<Column>,
    names: Vec<String>,
}

impl FeatureEncoding {
    /// The encoding of a space's parameters.
    pub fn from_params(params: &[Param]) -> Self {
        let mut columns = Vec::with_capacity(params.len());
        let mut names = Vec::new();
        for p in params {
            let c = match &p.domain {
                Domain::Categorical(labels) => {
                    names.extend(labels.iter().map(|l| format!("{}={l}", p.name)));
                    Column::OneHot {
                        labels: labels.len(),
                    }
                }
                Domain::Int { .. } => {
                    names.push(p.name.clone());
                    Column::Int
                }
                Domain::Pow2 { .. } => {
                    names.push(format!("log2({})", p.name));
                    Column::Log2
                }
                Domain::Float { log: false, .. } => {
                    names.push(p.name.clone());
                    Column::Float
                }
                Domain::Float { log: true, .. } => {
                    names.push(format!("ln({})", p.name));
                    Column::Ln
                }
            };
            columns.push(c);
        }
        FeatureEncoding { columns, names }
    }

    /// Feature names, in feature order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of features.
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// Number of parameters a design must have.
    pub fn params(&self) -> usize {
        self.columns.len()
    }

    /// The features of a design of this space (callers validate designs; see [`gym::ParamSpace`]).
    pub fn encode(&self, design: &Design) -> Vec<f64> {
        let mut out = vec![0.0; self.width()];
        self.encode_into(design, &mut out);
        out
    }

    /// Writes the features of `design` into `out` (`out.len()` = [`FeatureEncoding::width`]).
    pub fn encode_into(&self, design: &Design, out: &mut [f64]) {
        let mut k = 0;
        for (c, v) in self.columns.iter().zip(design.values()) {
            match c {
                Column::OneHot { labels } => {
                    out[k..k + labels].fill(0.0);
                    let i = match v {
                        Value::Cat(i) => *i,
                        other => other.as_f64() as usize,
                    };
                    if i < *labels {
                        out[k + i] = 1.0;
                    }
                }
                Column::Int | Column::Float => out[k] = v.as_f64(),
                Column::Log2 => out[k] = v.as_f64().log2(),
                Column::Ln => out[k] = v.as_f64().ln(),
            }
            k += c.width();
        }
    }
}
