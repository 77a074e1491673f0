//! Synthetic simulators with known optima, for tests and agent benchmarks. They are cheap, pure and
//! cover every domain kind.

use crate::sim::{MetricSpec, Metrics, SimError, Simulator};
use crate::space::{Design, Domain, Param, ParamSpace, Value};

/// A mixed categorical / integer / power-of-two / float / log-float bowl. `loss` (to minimise) is a sum
/// of per-knob penalties, zero only at [`MixedQuadratic::optimum`]; `size` = `n · width` is a second
/// metric for weighted and target objectives.
pub struct MixedQuadratic {
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
}

/// Per-label penalty of the categorical knob `shape` (optimum: `triangle`).
const SHAPE_PENALTY: [(&str, f64); 4] = [
    ("circle", 3.0),
    ("square", 2.0),
    ("triangle", 0.0),
    ("hexagon", 1.0),
];

impl MixedQuadratic {
    pub fn new() -> Self {
        let labels: Vec<&str> = SHAPE_PENALTY.iter().map(|(l, _)| *l).collect();
        let space = ParamSpace::new(vec![
            Param::categorical("shape", &labels),
            Param::int("n", 0, 20),
            Param::pow2("width", 1, 256),
            Param::float("x", -5.0, 5.0, false),
            Param::float("lr", 1e-4, 1.0, true),
        ])
        .expect("valid space");
        MixedQuadratic {
            space,
            metrics: vec![
                MetricSpec::minimize(
                    "loss",
                    "",
                    "sum of squared distances to the optimum, per knob",
                ),
                MetricSpec::minimize("size", "", "n · width"),
            ],
        }
    }

    /// The same function with the constraint `n · width ≤ 512` (the optimum satisfies it).
    pub fn constrained() -> Self {
        let mut s = Self::new();
        s.space = s.space.with_constraint("n*width<=512", |sp, d| {
            sp.int(d, "n") * sp.int(d, "width") <= 512
        });
        s
    }

    /// The unique design with `loss` 0.
    pub fn optimum(&self) -> Design {
        Design(vec![
            Value::Cat(2),
            Value::Int(13),
            Value::Int(32),
            Value::Float(1.5),
            Value::Float(0.01),
        ])
    }

    /// A design that violates the constraint of [`MixedQuadratic::constrained`].
    pub fn infeasible_example(&self) -> Design {
        Design(vec![
            Value::Cat(0),
            Value::Int(20),
            Value::Int(256),
            Value::Float(0.0),
            Value::Float(0.1),
        ])
    }
}

impl Default for MixedQuadratic {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator for MixedQuadratic {
    fn space(&self) -> &ParamSpace {
        &self.space
    }
    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }
    fn evaluate(&self, d: &Design) -> Result<Metrics, SimError> {
        let s = &self.space;
        let shape = SHAPE_PENALTY[s.int(d, "shape") as usize].1;
        let n = s.int(d, "n") as f64;
        let width = s.int(d, "width") as f64;
        let x = s.float(d, "x");
        let lr = s.float(d, "lr");
        let loss = shape
            + ((n - 13.0) / 4.0).powi(2)
            + (width.log2() - 5.0).powi(2) / 4.0
            + (x - 1.5).powi(2)
            + (lr.log10() + 2.0).powi(2);
        Ok([("loss", loss), ("size", n * width)].into_iter().collect())
    }
}

/// A mixed-space ZDT1: `f1 = x`, `f2 = g·(1 − sqrt(x/g))` with `g = 1 + 0.9·y + penalty(mode)`, both to
/// minimise. The Pareto front is `y = 0`, `mode = a`, `f2 = 1 − sqrt(f1)`.
pub struct TwoObjective {
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
}

impl TwoObjective {
    pub fn new() -> Self {
        TwoObjective {
            space: ParamSpace::new(vec![
                Param::float("x", 0.0, 1.0, false),
                Param::int("y", 0, 10),
                Param::categorical("mode", &["a", "b", "c"]),
            ])
            .expect("valid space"),
            metrics: vec![
                MetricSpec::minimize("f1", "", "first objective"),
                MetricSpec::minimize("f2", "", "second objective"),
            ],
        }
    }
}

impl Default for TwoObjective {
    fn default() -> Self {
        Self::new()
    }
}

impl Simulator for TwoObjective {
    fn space(&self) -> &ParamSpace {
        &self.space
    }
    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }
    fn evaluate(&self, d: &Design) -> Result<Metrics, SimError> {
        let s = &self.space;
        let x = s.float(d, "x");
        let g = 1.0 + 0.9 * s.int(d, "y") as f64 + 0.5 * s.int(d, "mode") as f64;
        Ok([("f1", x), ("f2", g * (1.0 - (x / g).sqrt()))]
            .into_iter()
            .collect())
    }
}

/// A separable multi-discrete reward for learners: `knobs` integer knobs with `choices` values each;
/// `score` (to maximise) adds `1 − |k − best_k| / (choices − 1)` per knob, so its maximum is `knobs`.
pub struct Separable {
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
    best: Vec<i64>,
}

impl Separable {
    pub fn new(knobs: usize, choices: usize) -> Self {
        assert!(
            choices >= 2,
            "Separable needs at least two choices per knob"
        );
        let params = (0..knobs)
            .map(|i| {
                Param::new(
                    format!("k{i}"),
                    Domain::Int {
                        lo: 0,
                        hi: choices as i64 - 1,
                    },
                )
            })
            .collect();
        Separable {
            space: ParamSpace::new(params).expect("valid space"),
            metrics: vec![MetricSpec::maximize(
                "score",
                "",
                "per-knob closeness to the best value, summed",
            )],
            best: (0..knobs).map(|i| ((i * 7 + 3) % choices) as i64).collect(),
        }
    }

    pub fn optimum(&self) -> Design {
        Design(self.best.iter().map(|b| Value::Int(*b)).collect())
    }

    pub fn max_score(&self) -> f64 {
        self.best.len() as f64
    }
}

impl Simulator for Separable {
    fn space(&self) -> &ParamSpace {
        &self.space
    }
    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }
    fn evaluate(&self, d: &Design) -> Result<Metrics, SimError> {
        let span = (self.space.params()[0].domain.levels() - 1) as f64;
        let score: f64 = d
            .values()
            .iter()
            .zip(&self.best)
            .map(|(v, b)| 1.0 - (v.as_f64() - *b as f64).abs() / span)
            .sum();
        Ok([("score", score)].into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optima_are_optimal() {
        let m = MixedQuadratic::new();
        assert_eq!(m.evaluate(&m.optimum()).unwrap().get("loss"), Some(0.0));
        assert!(m.space().contains(&m.optimum()));
        let c = MixedQuadratic::constrained();
        assert!(c.space().contains(&c.optimum()));
        assert!(!c.space().contains(&c.infeasible_example()));
        let s = Separable::new(6, 5);
        assert_eq!(s.evaluate(&s.optimum()).unwrap().get("score"), Some(6.0));
        let t = TwoObjective::new();
        let d = t.space().parse_assignments([("x", "0.25")]).unwrap();
        let m = t.evaluate(&d).unwrap();
        assert_eq!((m.get("f1"), m.get("f2")), (Some(0.25), Some(0.5)));
    }
}
