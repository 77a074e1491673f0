//! Typed design spaces: an ordered list of named parameters, each with a [`Domain`], plus optional
//! constraints between parameters. A [`Design`] holds one [`Value`] per parameter, in space order.
//!
//! The space is the only thing agents know about a simulator's inputs, so it provides everything a search
//! algorithm needs: sampling, validation with named errors, neighbours for local search, and encodings
//! (index vectors for discrete agents, the unit cube for Bayesian optimisation, one-hot for neural policies).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// How many levels a float parameter gets in index encodings (discrete agents see floats as this many
/// evenly spaced levels; the unit-cube encoding keeps them continuous).
pub const FLOAT_LEVELS: usize = 64;

/// Rejection-sampling attempts before [`ParamSpace::sample`] gives up on satisfying the constraints and
/// returns its last draw (which the runner then reports as infeasible).
pub const CONSTRAINT_TRIES: usize = 1000;

/// The set of values one parameter may take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// One of a list of labels (e.g. `Open`, `Closed`).
    Categorical(Vec<String>),
    /// An integer in `lo..=hi`.
    Int { lo: i64, hi: i64 },
    /// A power of two in `lo..=hi` (both powers of two).
    Pow2 { lo: i64, hi: i64 },
    /// A real number in `lo..=hi`, sampled and encoded on a log scale when `log` is set.
    Float { lo: f64, hi: f64, log: bool },
}

/// One parameter's value. Categorical values are indices into their domain's labels; powers of two are
/// stored as the integer itself.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Cat(usize),
    Int(i64),
    Float(f64),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Cat(a), Value::Cat(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            // Bitwise, so that designs can be hashed and cached; -0.0 and 0.0 are distinct designs.
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}
impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Cat(i) => (0u8, *i as u64).hash(state),
            Value::Int(i) => (1u8, *i as u64).hash(state),
            Value::Float(f) => (2u8, f.to_bits()).hash(state),
        }
    }
}

impl Value {
    /// The value as a number (categorical values give their index).
    pub fn as_f64(&self) -> f64 {
        match *self {
            Value::Cat(i) => i as f64,
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
        }
    }
}

/// One value per parameter, in the order of the space that made it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Design(pub Vec<Value>);

impl Design {
    pub fn values(&self) -> &[Value] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Index<usize> for Design {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        &self.0[i]
    }
}

/// A named parameter with its domain and an optional default value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub domain: Domain,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Param {
    pub fn new(name: impl Into<String>, domain: Domain) -> Self {
        Param {
            name: name.into(),
            domain,
            default: None,
            description: String::new(),
        }
    }
    pub fn categorical(name: impl Into<String>, labels: &[&str]) -> Self {
        Self::new(
            name,
            Domain::Categorical(labels.iter().map(|s| s.to_string()).collect()),
        )
    }
    pub fn int(name: impl Into<String>, lo: i64, hi: i64) -> Self {
        Self::new(name, Domain::Int { lo, hi })
    }
    pub fn pow2(name: impl Into<String>, lo: i64, hi: i64) -> Self {
        Self::new(name, Domain::Pow2 { lo, hi })
    }
    pub fn float(name: impl Into<String>, lo: f64, hi: f64, log: bool) -> Self {
        Self::new(name, Domain::Float { lo, hi, log })
    }
    /// Sets the default from its textual form (a label or a number). Panics on a value outside the
    /// domain: defaults are written by simulator authors, not users.
    pub fn with_default(mut self, text: &str) -> Self {
        let v = self
            .domain
            .parse(text)
            .unwrap_or_else(|e| panic!("default of {}: {e}", self.name));
        self.default = Some(v);
        self
    }
    pub fn with_description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
}

/// Errors about designs and spaces. Every variant names the parameter (or constraint) at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SpaceError {
    #[error("unknown parameter `{name}` (known: {known})")]
    UnknownParam { name: String, known: String },
    #[error("design has {got} values but the space has {expected} parameters")]
    WrongLength { expected: usize, got: usize },
    #[error("parameter `{param}`: value {value} is not allowed (expected {expected})")]
    BadValue {
        param: String,
        value: String,
        expected: String,
    },
    #[error("parameter `{param}`: invalid domain: {reason}")]
    InvalidDomain { param: String, reason: String },
    #[error("duplicate parameter `{0}`")]
    DuplicateParam(String),
    #[error("design violates constraint `{constraint}`")]
    Infeasible { constraint: String },
}

impl Domain {
    /// Number of distinct values, or `None` for a float domain.
    pub fn cardinality(&self) -> Option<usize> {
        match self {
            Domain::Categorical(l) => Some(l.len()),
            Domain::Int { lo, hi } => Some((hi - lo + 1) as usize),
            Domain::Pow2 { lo, hi } => {
                Some((hi.trailing_zeros() - lo.trailing_zeros() + 1) as usize)
            }
            Domain::Float { .. } => None,
        }
    }

    /// Levels in index encodings: the cardinality, or [`FLOAT_LEVELS`] for floats.
    pub fn levels(&self) -> usize {
        self.cardinality().unwrap_or(FLOAT_LEVELS)
    }

    fn check(&self) -> Result<(), String> {
        match self {
            Domain::Categorical(l) if l.is_empty() => Err("no labels".into()),
            Domain::Categorical(l) => {
                for (i, a) in l.iter().enumerate() {
                    if l[..i].contains(a) {
                        return Err(format!("label `{a}` appears twice"));
                    }
                }
                Ok(())
            }
            Domain::Int { lo, hi } if lo > hi => Err(format!("lo {lo} > hi {hi}")),
            Domain::Pow2 { lo, hi } => {
                if *lo <= 0 || lo.count_ones() != 1 || *hi <= 0 || hi.count_ones() != 1 {
                    Err(format!("bounds {lo}, {hi} must be positive powers of two"))
                } else if lo > hi {
                    Err(format!("lo {lo} > hi {hi}"))
                } else {
                    Ok(())
                }
            }
            Domain::Float { lo, hi, log } => {
                if !(lo.is_finite() && hi.is_finite()) || lo > hi {
                    Err(format!("bounds {lo}, {hi} must be finite with lo <= hi"))
                } else if *log && *lo <= 0.0 {
                    Err(format!("log scale needs lo > 0, got {lo}"))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Whether `v` lies in this domain.
    pub fn contains(&self, v: &Value) -> bool {
        match (self, v) {
            (Domain::Categorical(l), Value::Cat(i)) => *i < l.len(),
            (Domain::Int { lo, hi }, Value::Int(x)) => lo <= x && x <= hi,
            (Domain::Pow2 { lo, hi }, Value::Int(x)) => lo <= x && x <= hi && x.count_ones() == 1,
            (Domain::Float { lo, hi, .. }, Value::Float(x)) => lo <= x && x <= hi,
            _ => false,
        }
    }

    /// The value's position among the domain's levels (floats: the nearest of [`FLOAT_LEVELS`]).
    pub fn index_of(&self, v: &Value) -> usize {
        match (self, v) {
            (Domain::Categorical(_), Value::Cat(i)) => *i,
            (Domain::Int { lo, .. }, Value::Int(x)) => (x - lo) as usize,
            (Domain::Pow2 { lo, .. }, Value::Int(x)) => {
                (x.trailing_zeros() - lo.trailing_zeros()) as usize
            }
            (Domain::Float { .. }, Value::Float(_)) => {
                let u = self.to_unit(v);
                ((u * (FLOAT_LEVELS - 1) as f64).round() as usize).min(FLOAT_LEVELS - 1)
            }
            _ => 0,
        }
    }

    /// The value at level `i` (clamped to the last level).
    pub fn value_at(&self, i: usize) -> Value {
        let i = i.min(self.levels() - 1);
        match self {
            Domain::Categorical(_) => Value::Cat(i),
            Domain::Int { lo, .. } => Value::Int(lo + i as i64),
            Domain::Pow2 { lo, .. } => Value::Int(lo << i),
            Domain::Float { .. } => self.from_unit(i as f64 / (FLOAT_LEVELS - 1) as f64),
        }
    }

    /// Maps a value into `[0, 1]`: the centre of its cell for discrete domains, linear or log position
    /// for floats.
    pub fn to_unit(&self, v: &Value) -> f64 {
        match (self, v) {
            (Domain::Float { lo, hi, log }, Value::Float(x)) => {
                if hi == lo {
                    0.5
                } else if *log {
                    (x.ln() - lo.ln()) / (hi.ln() - lo.ln())
                } else {
                    (x - lo) / (hi - lo)
                }
            }
            _ => {
                let n = self.levels() as f64;
                (self.index_of(v) as f64 + 0.5) / n
            }
        }
    }

    /// Inverse of [`Domain::to_unit`]; `u` is clamped to `[0, 1]`.
    pub fn from_unit(&self, u: f64) -> Value {
        let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
        match self {
            Domain::Float { lo, hi, log } => {
                let x = if *log {
                    (lo.ln() + u * (hi.ln() - lo.ln())).exp()
                } else {
                    lo + u * (hi - lo)
                };
                Value::Float(x.clamp(*lo, *hi))
            }
            _ => {
                let n = self.levels();
                self.value_at(((u * n as f64) as usize).min(n - 1))
            }
        }
    }

    /// A uniformly random value (log-uniform for log-scale floats).
    pub fn sample(&self, rng: &mut Rng) -> Value {
        match self {
            Domain::Float { .. } => self.from_unit(rng.random::<f64>()),
            _ => self.value_at(rng.random_range(0..self.levels())),
        }
    }

    /// The values next to `v`: every other label for a categorical, the adjacent levels otherwise
    /// (floats step by 1/[`FLOAT_LEVELS`] of their range, in their own scale).
    pub fn neighbours(&self, v: &Value) -> Vec<Value> {
        match self {
            Domain::Categorical(l) => (0..l.len())
                .filter(|i| Value::Cat(*i) != *v)
                .map(Value::Cat)
                .collect(),
            Domain::Float { .. } => {
                let u = self.to_unit(v);
                let step = 1.0 / FLOAT_LEVELS as f64;
                let mut out = Vec::new();
                for w in [u - step, u + step] {
                    if (0.0..=1.0).contains(&w) {
                        out.push(self.from_unit(w));
                    }
                }
                out
            }
            _ => {
                let i = self.index_of(v);
                let mut out = Vec::new();
                if i > 0 {
                    out.push(self.value_at(i - 1));
                }
                if i + 1 < self.levels() {
                    out.push(self.value_at(i + 1));
                }
                out
            }
        }
    }

    /// Parses a label or a number. Integers written as floats (`4.0`) are accepted.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let t = text.trim();
        let v = match self {
            Domain::Categorical(l) => match l.iter().position(|x| x == t) {
                Some(i) => Value::Cat(i),
                None => return Err(self.expected()),
            },
            Domain::Int { .. } | Domain::Pow2 { .. } => {
                let x = t.parse::<i64>().ok().or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                        .map(|f| f as i64)
                });
                match x {
                    Some(x) => Value::Int(x),
                    None => return Err(self.expected()),
                }
            }
            Domain::Float { .. } => match t.parse::<f64>() {
                Ok(x) => Value::Float(x),
                Err(_) => return Err(self.expected()),
            },
        };
        if self.contains(&v) {
            Ok(v)
        } else {
            Err(self.expected())
        }
    }

    /// Human-readable description of the allowed values, for error messages.
    pub fn expected(&self) -> String {
        match self {
            Domain::Categorical(l) => format!("one of {}", l.join(", ")),
            Domain::Int { lo, hi } => format!("an integer in {lo}..={hi}"),
            Domain::Pow2 { lo, hi } => format!("a power of two in {lo}..={hi}"),
            Domain::Float { lo, hi, log } => {
                format!(
                    "a number in [{lo}, {hi}]{}",
                    if *log { " (log scale)" } else { "" }
                )
            }
        }
    }

    /// The textual form of `v`: its label, or its number.
    pub fn format(&self, v: &Value) -> String {
        match (self, v) {
            (Domain::Categorical(l), Value::Cat(i)) => {
                l.get(*i).cloned().unwrap_or_else(|| format!("#{i}"))
            }
            (_, Value::Int(x)) => x.to_string(),
            (_, Value::Float(x)) => format!("{x}"),
            (_, Value::Cat(i)) => format!("#{i}"),
        }
    }

    /// The value as JSON: a string label, an integer or a float.
    pub fn to_json(&self, v: &Value) -> serde_json::Value {
        match v {
            Value::Cat(_) => serde_json::Value::String(self.format(v)),
            Value::Int(x) => serde_json::Value::from(*x),
            Value::Float(x) => serde_json::Value::from(*x),
        }
    }

    /// Width in the one-hot encoding: one slot per level for discrete domains, one scalar for floats.
    pub fn onehot_width(&self) -> usize {
        self.cardinality().unwrap_or(1)
    }
}

/// Whether a design satisfies a constraint.
pub type ConstraintCheck = Arc<dyn Fn(&ParamSpace, &Design) -> bool + Send + Sync>;

/// A predicate between parameters; designs that fail it are infeasible and are not simulated.
#[derive(Clone)]
pub struct Constraint {
    pub name: String,
    pub check: ConstraintCheck,
}

impl fmt::Debug for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Constraint")
            .field("name", &self.name)
            .finish()
    }
}

/// An ordered list of parameters and the constraints between them.
#[derive(Clone, Debug, Default)]
pub struct ParamSpace {
    params: Vec<Param>,
    constraints: Vec<Constraint>,
}

impl ParamSpace {
    /// Builds a space, checking every domain and that names are unique.
    pub fn new(params: Vec<Param>) -> Result<Self, SpaceError> {
        for (i, p) in params.iter().enumerate() {
            p.domain
                .check()
                .map_err(|reason| SpaceError::InvalidDomain {
                    param: p.name.clone(),
                    reason,
                })?;
            if params[..i].iter().any(|q| q.name == p.name) {
                return Err(SpaceError::DuplicateParam(p.name.clone()));
            }
            if let Some(d) = &p.default
                && !p.domain.contains(d)
            {
                return Err(SpaceError::InvalidDomain {
                    param: p.name.clone(),
                    reason: "default outside the domain".into(),
                });
            }
        }
        Ok(ParamSpace {
            params,
            constraints: Vec::new(),
        })
    }

    /// Adds a constraint; designs for which `check` returns false are infeasible.
    pub fn with_constraint(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&ParamSpace, &Design) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.constraints.push(Constraint {
            name: name.into(),
            check: Arc::new(check),
        });
        self
    }

    pub fn params(&self) -> &[Param] {
        &self.params
    }
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }
    pub fn len(&self) -> usize {
        self.params.len()
    }
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|p| p.name.as_str())
    }

    /// Position of the parameter called `name`.
    pub fn index_of(&self, name: &str) -> Result<usize, SpaceError> {
        self.params
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| SpaceError::UnknownParam {
                name: name.to_string(),
                known: self.names().collect::<Vec<_>>().join(", "),
            })
    }

    /// Number of designs, or `None` when a float parameter makes it infinite (or it overflows `u128`).
    pub fn size(&self) -> Option<u128> {
        self.params.iter().try_fold(1u128, |acc, p| {
            acc.checked_mul(p.domain.cardinality()? as u128)
        })
    }

    /// Checks that every value lies in its domain (not the constraints).
    pub fn check_domains(&self, d: &Design) -> Result<(), SpaceError> {
        if d.len() != self.len() {
            return Err(SpaceError::WrongLength {
                expected: self.len(),
                got: d.len(),
            });
        }
        for (p, v) in self.params.iter().zip(d.values()) {
            if !p.domain.contains(v) {
                let value = match v {
                    Value::Cat(i) => format!("#{i}"),
                    Value::Int(x) => x.to_string(),
                    Value::Float(x) => x.to_string(),
                };
                return Err(SpaceError::BadValue {
                    param: p.name.clone(),
                    value,
                    expected: p.domain.expected(),
                });
            }
        }
        Ok(())
    }

    /// The first constraint `d` violates, if any. Assumes the domains were checked.
    pub fn violated_constraint(&self, d: &Design) -> Option<&str> {
        self.constraints
            .iter()
            .find(|c| !(c.check)(self, d))
            .map(|c| c.name.as_str())
    }

    /// Checks domains and constraints.
    pub fn validate(&self, d: &Design) -> Result<(), SpaceError> {
        self.check_domains(d)?;
        match self.violated_constraint(d) {
            Some(c) => Err(SpaceError::Infeasible {
                constraint: c.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Whether `d` is in the space and satisfies every constraint.
    pub fn contains(&self, d: &Design) -> bool {
        self.validate(d).is_ok()
    }

    /// A uniformly random design, by rejection sampling against the constraints (at most
    /// [`CONSTRAINT_TRIES`] draws; the last draw is returned even if infeasible).
    pub fn sample(&self, rng: &mut Rng) -> Design {
        let mut d = self.sample_unconstrained(rng);
        for _ in 1..CONSTRAINT_TRIES {
            if self.constraints.is_empty() || self.violated_constraint(&d).is_none() {
                break;
            }
            d = self.sample_unconstrained(rng);
        }
        d
    }

    /// A uniformly random design over the domains alone.
    pub fn sample_unconstrained(&self, rng: &mut Rng) -> Design {
        Design(self.params.iter().map(|p| p.domain.sample(rng)).collect())
    }

    /// Every parameter at its default (or its first level / lower bound when it has none).
    pub fn default_design(&self) -> Design {
        Design(
            self.params
                .iter()
                .map(|p| p.default.unwrap_or_else(|| p.domain.value_at(0)))
                .collect(),
        )
    }

    /// Designs that differ from `d` in exactly one parameter, by one step (see [`Domain::neighbours`]).
    /// Infeasible neighbours are left out.
    pub fn neighbours(&self, d: &Design) -> Vec<Design> {
        let mut out = Vec::new();
        for (i, p) in self.params.iter().enumerate() {
            for v in p.domain.neighbours(&d[i]) {
                let mut n = d.clone();
                n.0[i] = v;
                if self.violated_constraint(&n).is_none() {
                    out.push(n);
                }
            }
        }
        out
    }

    /// One random neighbour of `d`: a random parameter moved by one step. Falls back to `d` itself
    /// when no feasible neighbour exists.
    pub fn random_neighbour(&self, d: &Design, rng: &mut Rng) -> Design {
        let all = self.neighbours(d);
        if all.is_empty() {
            d.clone()
        } else {
            all[rng.random_range(0..all.len())].clone()
        }
    }

    /// Levels per parameter in index encodings (floats: [`FLOAT_LEVELS`]).
    pub fn levels(&self) -> Vec<usize> {
        self.params.iter().map(|p| p.domain.levels()).collect()
    }

    /// Index vector of `d` (see [`Domain::index_of`]).
    pub fn to_indices(&self, d: &Design) -> Vec<usize> {
        self.params
            .iter()
            .zip(d.values())
            .map(|(p, v)| p.domain.index_of(v))
            .collect()
    }

    /// The design at an index vector (indices are clamped to each parameter's levels).
    pub fn from_indices(&self, idx: &[usize]) -> Design {
        Design(
            self.params
                .iter()
                .zip(idx)
                .map(|(p, i)| p.domain.value_at(*i))
                .collect(),
        )
    }

    /// Position of `d` in the unit cube.
    pub fn to_unit(&self, d: &Design) -> Vec<f64> {
        self.params
            .iter()
            .zip(d.values())
            .map(|(p, v)| p.domain.to_unit(v))
            .collect()
    }

    /// The design at a point of the unit cube (coordinates are clamped).
    pub fn from_unit(&self, u: &[f64]) -> Design {
        Design(
            self.params
                .iter()
                .zip(u)
                .map(|(p, x)| p.domain.from_unit(*x))
                .collect(),
        )
    }

    /// Total width of the one-hot encoding.
    pub fn onehot_width(&self) -> usize {
        self.params.iter().map(|p| p.domain.onehot_width()).sum()
    }

    /// One-hot encoding: a one-hot block per discrete parameter, the unit position for floats.
    pub fn to_onehot(&self, d: &Design) -> Vec<f64> {
        let mut out = vec![0.0; self.onehot_width()];
        let mut at = 0;
        for (p, v) in self.params.iter().zip(d.values()) {
            match p.domain.cardinality() {
                Some(n) => {
                    out[at + p.domain.index_of(v)] = 1.0;
                    at += n;
                }
                None => {
                    out[at] = p.domain.to_unit(v);
                    at += 1;
                }
            }
        }
        out
    }

    /// Inverse of [`ParamSpace::to_onehot`]: the arg-max of each block (scores need not be normalised).
    pub fn from_onehot(&self, x: &[f64]) -> Design {
        let mut at = 0;
        let mut values = Vec::with_capacity(self.len());
        for p in &self.params {
            let w = p.domain.onehot_width();
            let block = &x[at..at + w];
            values.push(match p.domain.cardinality() {
                Some(_) => {
                    let best = (0..w).fold(0, |b, i| if block[i] > block[b] { i } else { b });
                    p.domain.value_at(best)
                }
                None => p.domain.from_unit(block[0]),
            });
            at += w;
        }
        Design(values)
    }

    /// Parses `name=value` assignments on top of the defaults. Errors name the parameter and the value.
    pub fn parse_assignments<'a>(
        &self,
        assignments: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Design, SpaceError> {
        let mut d = self.default_design();
        for (name, text) in assignments {
            let i = self.index_of(name)?;
            let p = &self.params[i];
            d.0[i] = p
                .domain
                .parse(text)
                .map_err(|expected| SpaceError::BadValue {
                    param: name.to_string(),
                    value: text.to_string(),
                    expected,
                })?;
        }
        Ok(d)
    }

    /// The textual value of parameter `i` in `d`.
    pub fn format(&self, d: &Design, i: usize) -> String {
        self.params[i].domain.format(&d[i])
    }

    /// `name -> value` as a JSON object (labels as strings, numbers as numbers), in space order.
    pub fn to_json(&self, d: &Design) -> serde_json::Map<String, serde_json::Value> {
        self.params
            .iter()
            .zip(d.values())
            .map(|(p, v)| (p.name.clone(), p.domain.to_json(v)))
            .collect()
    }

    /// `name=value, …`, for logs and summaries.
    pub fn describe(&self, d: &Design) -> String {
        (0..self.len())
            .map(|i| format!("{}={}", self.params[i].name, self.format(d, i)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The label of categorical parameter `name` in `d`. Panics if `name` is not a categorical
    /// parameter of this space: simulators call it with their own parameter names.
    pub fn label<'s>(&'s self, d: &Design, name: &str) -> &'s str {
        let i = self.index_of(name).unwrap_or_else(|e| panic!("{e}"));
        match (&self.params[i].domain, d[i]) {
            (Domain::Categorical(l), Value::Cat(c)) => &l[c],
            _ => panic!("parameter `{name}` is not categorical"),
        }
    }

    /// The integer value of parameter `name` in `d` (Int, Pow2, or a categorical's index).
    pub fn int(&self, d: &Design, name: &str) -> i64 {
        let i = self.index_of(name).unwrap_or_else(|e| panic!("{e}"));
        match d[i] {
            Value::Int(x) => x,
            Value::Cat(c) => c as i64,
            Value::Float(f) => panic!("parameter `{name}` is a float ({f})"),
        }
    }

    /// The numeric value of parameter `name` in `d`.
    pub fn float(&self, d: &Design, name: &str) -> f64 {
        let i = self.index_of(name).unwrap_or_else(|e| panic!("{e}"));
        d[i].as_f64()
    }

    /// The space restricted to the parameters at `indices` (constraints are dropped: they relate
    /// parameters that the sub-space may not hold).
    pub fn subspace(&self, indices: &[usize]) -> ParamSpace {
        ParamSpace {
            params: indices.iter().map(|&i| self.params[i].clone()).collect(),
            constraints: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::seeded;
    use proptest::prelude::*;

    fn space() -> ParamSpace {
        ParamSpace::new(vec![
            Param::categorical("policy", &["Open", "Closed", "OpenAdaptive"])
                .with_default("Closed"),
            Param::int("depth", 1, 8),
            Param::pow2("rows", 4, 256),
            Param::float("x", -2.0, 3.0, false),
            Param::float("lr", 1e-4, 1.0, true),
        ])
        .unwrap()
    }

    #[test]
    fn rejects_bad_domains_and_duplicates() {
        assert!(matches!(
            ParamSpace::new(vec![Param::pow2("p", 3, 8)]),
            Err(SpaceError::InvalidDomain { param, .. }) if param == "p"
        ));
        assert!(ParamSpace::new(vec![Param::int("a", 5, 1)]).is_err());
        assert!(ParamSpace::new(vec![Param::float("f", 0.0, 1.0, true)]).is_err());
        assert!(ParamSpace::new(vec![Param::categorical("c", &[])]).is_err());
        assert_eq!(
            ParamSpace::new(vec![Param::int("a", 0, 1), Param::int("a", 0, 1)]).unwrap_err(),
            SpaceError::DuplicateParam("a".into())
        );
    }

    #[test]
    fn errors_name_parameter_and_value() {
        let s = space();
        let e = s.parse_assignments([("depth", "9")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameter `depth`: value 9 is not allowed (expected an integer in 1..=8)"
        );
        let e = s.parse_assignments([("policy", "Shut")]).unwrap_err();
        assert!(
            e.to_string().contains("`policy`") && e.to_string().contains("Shut"),
            "{e}"
        );
        let e = s.parse_assignments([("rows", "48")]).unwrap_err();
        assert!(e.to_string().contains("power of two"), "{e}");
        let e = s.parse_assignments([("nope", "1")]).unwrap_err();
        assert!(e.to_string().contains("unknown parameter `nope`"), "{e}");
    }

    #[test]
    fn defaults_and_assignments() {
        let s = space();
        let d = s
            .parse_assignments([("rows", "64"), ("lr", "0.01")])
            .unwrap();
        assert_eq!(s.label(&d, "policy"), "Closed");
        assert_eq!(s.int(&d, "rows"), 64);
        assert_eq!(s.int(&d, "depth"), 1);
        assert_eq!(s.float(&d, "lr"), 0.01);
        assert_eq!(s.size(), None);
        let disc = ParamSpace::new(vec![Param::int("a", 1, 8), Param::pow2("b", 1, 128)]).unwrap();
        assert_eq!(disc.size(), Some(64));
    }

    #[test]
    fn constraints_make_designs_infeasible() {
        let s = space().with_constraint("depth<=rows/8", |s, d| {
            s.int(d, "depth") * 8 <= s.int(d, "rows")
        });
        let bad = s
            .parse_assignments([("depth", "4"), ("rows", "16")])
            .unwrap();
        assert_eq!(
            s.validate(&bad),
            Err(SpaceError::Infeasible {
                constraint: "depth<=rows/8".into()
            })
        );
        let mut rng = seeded(7);
        for _ in 0..200 {
            assert!(s.contains(&s.sample(&mut rng)));
        }
        let good = s
            .parse_assignments([("depth", "2"), ("rows", "16")])
            .unwrap();
        assert!(s.neighbours(&good).iter().all(|n| s.contains(n)));
    }

    #[test]
    fn onehot_layout() {
        let s = space();
        assert_eq!(s.onehot_width(), 3 + 8 + 7 + 1 + 1);
        let d = s
            .parse_assignments([("policy", "OpenAdaptive"), ("rows", "4")])
            .unwrap();
        let h = s.to_onehot(&d);
        assert_eq!(&h[..3], &[0.0, 0.0, 1.0]);
        assert_eq!(h[11], 1.0);
    }

    proptest! {
        #[test]
        fn encodings_round_trip(seed in any::<u64>()) {
            let s = space();
            let mut rng = seeded(seed);
            let d = s.sample(&mut rng);
            prop_assert!(s.contains(&d));
            // Discrete parameters round-trip exactly through every encoding; floats through the unit
            // cube and one-hot (continuous) but only to the nearest level through indices.
            let back = s.from_unit(&s.to_unit(&d));
            for i in 0..s.len() {
                match d[i] {
                    Value::Float(x) => prop_assert!((back[i].as_f64() - x).abs() <= 1e-9 * x.abs().max(1.0)),
                    _ => prop_assert_eq!(back[i], d[i]),
                }
            }
            let hot = s.from_onehot(&s.to_onehot(&d));
            for i in 0..s.len() {
                match d[i] {
                    Value::Float(x) => prop_assert!((hot[i].as_f64() - x).abs() <= 1e-9 * x.abs().max(1.0)),
                    _ => prop_assert_eq!(hot[i], d[i]),
                }
            }
            let idx = s.to_indices(&d);
            let e = s.from_indices(&idx);
            prop_assert!(s.contains(&e));
            prop_assert_eq!(s.to_indices(&e), idx.clone());
            for (i, (k, n)) in idx.iter().zip(s.levels()).enumerate() {
                prop_assert!(*k < n, "param {} index {} >= {}", i, k, n);
            }
            // Text round trip.
            let text: Vec<(String, String)> =
                (0..s.len()).map(|i| (s.params()[i].name.clone(), s.format(&d, i))).collect();
            let parsed = s.parse_assignments(text.iter().map(|(a, b)| (a.as_str(), b.as_str()))).unwrap();
            prop_assert_eq!(parsed, d);
        }

        #[test]
        fn neighbours_are_valid_and_one_step(seed in any::<u64>()) {
            let s = space();
            let mut rng = seeded(seed);
            let d = s.sample(&mut rng);
            let ns = s.neighbours(&d);
            prop_assert!(!ns.is_empty());
            for n in &ns {
                prop_assert!(s.contains(n));
                let changed = (0..s.len()).filter(|&i| n[i] != d[i]).count();
                prop_assert_eq!(changed, 1);
            }
            prop_assert!(s.contains(&s.random_neighbour(&d, &mut rng)));
        }

        #[test]
        fn unit_cube_points_decode_inside(u in proptest::collection::vec(-0.5f64..1.5, 5)) {
            let s = space();
            prop_assert!(s.contains(&s.from_unit(&u)));
        }
    }
}
