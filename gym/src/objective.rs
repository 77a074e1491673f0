//! Objectives turn a simulator's [`Metrics`] into a reward to maximise (and, for Pareto objectives, a
//! vector of costs to minimise). The target-spec forms are ArchGym's.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sim::{Direction, MetricSpec, Metrics};

/// How a target spec becomes a reward.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetForm {
    /// ArchGym's DRAM reward: `Π T / max(|x − T|, ε)`, with ArchGym's cap `ε` = machine epsilon
    /// (`sys.float_info.epsilon`) keeping the reward finite when a metric hits its target exactly.
    #[default]
    Product,
    /// ArchGym's distance form: reward `−sqrt(Σ ((x − T) / T)²)`.
    Distance,
    /// One-sided overshoot: reward `−Σ max((x − T) / T, 0)` (for metrics to maximise, the shortfall
    /// `max((T − x) / T, 0)`); zero once every target is met.
    Overshoot,
}

/// ArchGym's reward cap for the product form.
pub const PRODUCT_CAP: f64 = f64::EPSILON;

/// An objective as written in a recipe: exactly one of `target`, `minimize`, `maximize`, `weighted`,
/// `pareto`. Validate it against a simulator's metrics with [`ObjectiveSpec::build`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// Target value per metric (ArchGym target spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<BTreeMap<String, f64>>,
    /// How targets become a reward (default `product`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<TargetForm>,
    /// Relative slack within which a target counts as met even on the wrong side (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimize: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximize: Option<String>,
    /// A cost to minimise: reward `−Σ wᵢ·xᵢ` (use negative weights for metrics to maximise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<BTreeMap<String, f64>>,
    /// Metrics of a vector objective, each in its metric's own direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pareto: Option<Vec<String>>,
    /// Reference point for the hypervolume of a Pareto objective (metric values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<BTreeMap<String, f64>>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ObjectiveError {
    #[error("objective: unknown metric `{metric}` (this simulator reports: {known})")]
    UnknownMetric { metric: String, known: String },
    #[error(
        "objective: give exactly one of target, minimize, maximize, weighted, pareto (got {0})"
    )]
    Shape(String),
    #[error("objective: `{field}` {reason}")]
    Invalid { field: String, reason: String },
}

/// A validated objective.
#[derive(Clone, Debug, PartialEq)]
pub enum Objective {
    /// Optimise one metric: reward is the metric (maximise) or its negation (minimise).
    Single {
        metric: String,
        direction: Direction,
    },
    /// Minimise `Σ wᵢ·xᵢ`: reward is its negation.
    Weighted { weights: Vec<(String, f64)> },
    /// ArchGym target spec.
    Target {
        targets: Vec<Target>,
        form: TargetForm,
        tolerance: f64,
    },
    /// Vector objective; costs are the metrics oriented to be minimised.
    Pareto {
        metrics: Vec<(String, Direction)>,
        reference: Option<Vec<f64>>,
    },
}

/// One metric's target.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub metric: String,
    pub value: f64,
    pub direction: Direction,
}

/// What an objective makes of one evaluation's metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// Scalar to maximise. For Pareto objectives, `−Σ costᵢ / |refᵢ|` (reference 1 where none is
    /// given), so that scalar agents can still search a vector objective.
    pub reward: f64,
    /// Costs to minimise (Pareto objectives only; empty otherwise).
    pub costs: Vec<f64>,
    /// Whether every target is met (target objectives only).
    pub target_met: bool,
}

fn lookup<'a>(specs: &'a [MetricSpec], metric: &str) -> Result<&'a MetricSpec, ObjectiveError> {
    specs
        .iter()
        .find(|m| m.name == metric)
        .ok_or_else(|| ObjectiveError::UnknownMetric {
            metric: metric.to_string(),
            known: specs
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl ObjectiveSpec {
    /// Checks the spec against the simulator's metrics and resolves metric directions.
    pub fn build(&self, specs: &[MetricSpec]) -> Result<Objective, ObjectiveError> {
        let given: Vec<&str> = [
            ("target", self.target.is_some()),
            ("minimize", self.minimize.is_some()),
            ("maximize", self.maximize.is_some()),
            ("weighted", self.weighted.is_some()),
            ("pareto", self.pareto.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| name)
        .collect();
        if given.len() != 1 {
            return Err(ObjectiveError::Shape(if given.is_empty() {
                "none".into()
            } else {
                given.join(" and ")
            }));
        }
        let only_with = |field: &str, set: bool, owner: &str| -> Result<(), ObjectiveError> {
            if set && given[0] != owner {
                Err(ObjectiveError::Invalid {
                    field: field.into(),
                    reason: format!("only applies to `{owner}`"),
                })
            } else {
                Ok(())
            }
        };
        only_with("form", self.form.is_some(), "target")?;
        only_with("tolerance", self.tolerance.is_some(), "target")?;
        only_with("reference", self.reference.is_some(), "pareto")?;

        if let Some(m) = &self.minimize {
            lookup(specs, m)?;
            return Ok(Objective::Single {
                metric: m.clone(),
                direction: Direction::Minimize,
            });
        }
        if let Some(m) = &self.maximize {
            lookup(specs, m)?;
            return Ok(Objective::Single {
                metric: m.clone(),
                direction: Direction::Maximize,
            });
        }
        if let Some(w) = &self.weighted {
            if w.is_empty() {
                return Err(ObjectiveError::Invalid {
                    field: "weighted".into(),
                    reason: "is empty".into(),
                });
            }
            for (m, x) in w {
                lookup(specs, m)?;
                if !x.is_finite() {
                    return Err(ObjectiveError::Invalid {
                        field: format!("weighted.{m}"),
                        reason: format!("must be finite, got {x}"),
                    });
                }
            }
            return Ok(Objective::Weighted {
                weights: w.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            });
        }
        if let Some(t) = &self.target {
            if t.is_empty() {
                return Err(ObjectiveError::Invalid {
                    field: "target".into(),
                    reason: "is empty".into(),
                });
            }
            let mut targets = Vec::new();
            for (m, v) in t {
                let spec = lookup(specs, m)?;
                if !(v.is_finite() && *v != 0.0) {
                    return Err(ObjectiveError::Invalid {
                        field: format!("target.{m}"),
                        reason: format!("must be a finite non-zero number, got {v}"),
                    });
                }
                targets.push(Target {
                    metric: m.clone(),
                    value: *v,
                    direction: spec.direction,
                });
            }
            let tolerance = self.tolerance.unwrap_or(0.0);
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                return Err(ObjectiveError::Invalid {
                    field: "tolerance".into(),
                    reason: format!("must be >= 0, got {tolerance}"),
                });
            }
            return Ok(Objective::Target {
                targets,
                form: self.form.unwrap_or_default(),
                tolerance,
            });
        }
        let names = self.pareto.as_ref().expect("one field is set");
        if names.len() < 2 {
            return Err(ObjectiveError::Invalid {
                field: "pareto".into(),
                reason: "needs at least two metrics".into(),
            });
        }
        let metrics = names
            .iter()
            .map(|m| Ok((m.clone(), lookup(specs, m)?.direction)))
            .collect::<Result<Vec<_>, ObjectiveError>>()?;
        let reference = match &self.reference {
            None => None,
            Some(r) => {
                for k in r.keys() {
                    if !names.contains(k) {
                        return Err(ObjectiveError::Invalid {
                            field: format!("reference.{k}"),
                            reason: "is not one of the pareto metrics".into(),
                        });
                    }
                }
                let point = metrics
                    .iter()
                    .map(|(m, d)| {
                        r.get(m)
                            .map(|x| d.as_cost(*x))
                            .ok_or_else(|| ObjectiveError::Invalid {
                                field: "reference".into(),
                                reason: format!("has no value for `{m}`"),
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Some(point)
            }
        };
        Ok(Objective::Pareto { metrics, reference })
    }
}

impl Objective {
    /// Scores one evaluation. A metric the objective needs but the evaluation lacks gives a reward of
    /// NaN (the runner treats it as an evaluation error, never as a silent zero).
    pub fn score(&self, m: &Metrics) -> Score {
        let get = |name: &str| m.get(name).unwrap_or(f64::NAN);
        match self {
            Objective::Single { metric, direction } => Score {
                reward: -direction.as_cost(get(metric)),
                costs: Vec::new(),
                target_met: false,
            },
            Objective::Weighted { weights } => Score {
                reward: -weights.iter().map(|(k, w)| w * get(k)).sum::<f64>(),
                costs: Vec::new(),
                target_met: false,
            },
            Objective::Target {
                targets,
                form,
                tolerance,
            } => {
                let reward = match form {
                    TargetForm::Product => targets
                        .iter()
                        .map(|t| t.value.abs() / (get(&t.metric) - t.value).abs().max(PRODUCT_CAP))
                        .product(),
                    TargetForm::Distance => -targets
                        .iter()
                        .map(|t| ((get(&t.metric) - t.value) / t.value).powi(2))
                        .sum::<f64>()
                        .sqrt(),
                    TargetForm::Overshoot => -targets
                        .iter()
                        .map(|t| overshoot(t, get(&t.metric)).max(0.0))
                        .sum::<f64>(),
                };
                let target_met = targets
                    .iter()
                    .all(|t| overshoot(t, get(&t.metric)) <= *tolerance);
                Score {
                    reward,
                    costs: Vec::new(),
                    target_met,
                }
            }
            Objective::Pareto { metrics, reference } => {
                let costs: Vec<f64> = metrics.iter().map(|(k, d)| d.as_cost(get(k))).collect();
                let reward = -costs
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        c / reference
                            .as_ref()
                            .map_or(1.0, |r| r[i].abs().max(f64::MIN_POSITIVE))
                    })
                    .sum::<f64>();
                Score {
                    reward,
                    costs,
                    target_met: false,
                }
            }
        }
    }

    /// Whether this objective can report a met target (for samples-to-target figures).
    pub fn has_target(&self) -> bool {
        matches!(self, Objective::Target { .. })
    }

    /// Whether this is a vector objective.
    pub fn is_pareto(&self) -> bool {
        matches!(self, Objective::Pareto { .. })
    }

    /// The metrics this objective reads.
    pub fn metric_names(&self) -> Vec<&str> {
        match self {
            Objective::Single { metric, .. } => vec![metric],
            Objective::Weighted { weights } => weights.iter().map(|(k, _)| k.as_str()).collect(),
            Objective::Target { targets, .. } => {
                targets.iter().map(|t| t.metric.as_str()).collect()
            }
            Objective::Pareto { metrics, .. } => metrics.iter().map(|(k, _)| k.as_str()).collect(),
        }
    }
}

/// Relative distance on the wrong side of a target (negative when the target is beaten).
fn overshoot(t: &Target, x: f64) -> f64 {
    let rel = (x - t.value) / t.value.abs();
    match t.direction {
        Direction::Minimize => rel,
        Direction::Maximize => -rel,
    }
}

/// `a` dominates `b` (all costs ≤, one <).
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
}

/// Non-dominated sorting of cost vectors: rank 0 is the Pareto front, rank 1 the front once rank 0 is
/// removed, and so on. Points with a NaN cost get the last rank.
pub fn pareto_ranks(points: &[Vec<f64>]) -> Vec<usize> {
    let n = points.len();
    let valid: Vec<bool> = points
        .iter()
        .map(|p| p.iter().all(|x| !x.is_nan()))
        .collect();
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        for j in 0..n {
            if i != j && valid[i] && valid[j] && dominates(&points[i], &points[j]) {
                dominates_list[i].push(j);
                dominated_by[j] += 1;
            }
        }
    }
    let mut rank = vec![usize::MAX; n];
    let mut front: Vec<usize> = (0..n)
        .filter(|&i| valid[i] && dominated_by[i] == 0)
        .collect();
    let mut r = 0;
    while !front.is_empty() {
        let mut next = Vec::new();
        for &i in &front {
            rank[i] = r;
            for &j in &dominates_list[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        front = next;
        r += 1;
    }
    for x in rank.iter_mut() {
        if *x == usize::MAX {
            *x = r;
        }
    }
    rank
}

/// Indices of the non-dominated points (rank 0), in input order.
pub fn pareto_front(points: &[Vec<f64>]) -> Vec<usize> {
    pareto_ranks(points)
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == 0)
        .map(|(i, _)| i)
        .collect()
}

/// Hypervolume dominated by cost vectors (minimisation) and bounded by `reference`. Points that do not
/// strictly dominate the reference in every coordinate contribute nothing. Exact, by slicing along the
/// last objective (fine for the handful of objectives design-space exploration uses).
pub fn hypervolume(points: &[Vec<f64>], reference: &[f64]) -> f64 {
    let pts: Vec<Vec<f64>> = points
        .iter()
        .filter(|p| p.len() == reference.len() && p.iter().zip(reference).all(|(x, r)| x < r))
        .cloned()
        .collect();
    hv_rec(pts, reference)
}

fn hv_rec(mut pts: Vec<Vec<f64>>, reference: &[f64]) -> f64 {
    let d = reference.len();
    if pts.is_empty() {
        return 0.0;
    }
    if d == 1 {
        let best = pts.iter().map(|p| p[0]).fold(f64::INFINITY, f64::min);
        return reference[0] - best;
    }
    pts.sort_by(|a, b| a[d - 1].total_cmp(&b[d - 1]));
    let mut total = 0.0;
    for i in 0..pts.len() {
        let upper = if i + 1 < pts.len() {
            pts[i + 1][d - 1]
        } else {
            reference[d - 1]
        };
        let depth = upper - pts[i][d - 1];
        if depth <= 0.0 {
            continue;
        }
        let slice: Vec<Vec<f64>> = pts[..=i].iter().map(|p| p[..d - 1].to_vec()).collect();
        total += depth * hv_rec(slice, &reference[..d - 1]);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<MetricSpec> {
        vec![
            MetricSpec::minimize("power_mw", "mW", ""),
            MetricSpec::minimize("latency_ns", "ns", ""),
            MetricSpec::maximize("bw", "GB/s", ""),
        ]
    }

    fn metrics(p: f64, l: f64, bw: f64) -> Metrics {
        [("power_mw", p), ("latency_ns", l), ("bw", bw)]
            .into_iter()
            .collect()
    }

    fn target(form: TargetForm) -> Objective {
        let spec = ObjectiveSpec {
            target: Some(
                [
                    ("power_mw".to_string(), 1000.0),
                    ("latency_ns".to_string(), 50.0),
                ]
                .into(),
            ),
            form: Some(form),
            ..Default::default()
        };
        spec.build(&specs()).unwrap()
    }

    #[test]
    fn archgym_product_form() {
        let o = target(TargetForm::Product);
        let s = o.score(&metrics(1100.0, 40.0, 0.0));
        // 1000/|1100-1000| * 50/|40-50| = 10 * 5
        assert!((s.reward - 50.0).abs() < 1e-9);
        assert!(!s.target_met);
        assert!(o.score(&metrics(900.0, 40.0, 0.0)).target_met);
        // Exactly on target: capped, finite.
        let s = o.score(&metrics(1000.0, 50.0, 0.0));
        assert!(s.reward.is_finite() && s.reward > 1e20);
    }

    #[test]
    fn distance_and_overshoot_forms() {
        let s = target(TargetForm::Distance).score(&metrics(1100.0, 40.0, 0.0));
        assert!((s.reward + (0.1f64.powi(2) + 0.2f64.powi(2)).sqrt()).abs() < 1e-12);
        let s = target(TargetForm::Overshoot).score(&metrics(1100.0, 40.0, 0.0));
        assert!((s.reward + 0.1).abs() < 1e-12);
        let s = target(TargetForm::Overshoot).score(&metrics(900.0, 40.0, 0.0));
        assert_eq!(s.reward, 0.0);
        assert!(s.target_met);
    }

    #[test]
    fn tolerance_and_maximise_targets() {
        let spec = ObjectiveSpec {
            target: Some([("bw".to_string(), 10.0)].into()),
            tolerance: Some(0.05),
            ..Default::default()
        };
        let o = spec.build(&specs()).unwrap();
        assert!(o.score(&metrics(0.0, 0.0, 12.0)).target_met);
        assert!(o.score(&metrics(0.0, 0.0, 9.6)).target_met);
        assert!(!o.score(&metrics(0.0, 0.0, 9.4)).target_met);
    }

    #[test]
    fn single_weighted_and_errors() {
        let o = ObjectiveSpec {
            minimize: Some("power_mw".into()),
            ..Default::default()
        }
        .build(&specs())
        .unwrap();
        assert_eq!(o.score(&metrics(3.0, 0.0, 0.0)).reward, -3.0);
        let o = ObjectiveSpec {
            maximize: Some("bw".into()),
            ..Default::default()
        }
        .build(&specs())
        .unwrap();
        assert_eq!(o.score(&metrics(3.0, 0.0, 7.0)).reward, 7.0);
        let o = ObjectiveSpec {
            weighted: Some(
                [
                    ("power_mw".to_string(), 1.0),
                    ("latency_ns".to_string(), 0.5),
                ]
                .into(),
            ),
            ..Default::default()
        }
        .build(&specs())
        .unwrap();
        assert_eq!(o.score(&metrics(2.0, 4.0, 0.0)).reward, -4.0);
        let e = ObjectiveSpec {
            minimize: Some("energy".into()),
            ..Default::default()
        }
        .build(&specs())
        .unwrap_err();
        assert!(e.to_string().contains("unknown metric `energy`"), "{e}");
        let e = ObjectiveSpec::default().build(&specs()).unwrap_err();
        assert!(matches!(e, ObjectiveError::Shape(_)));
        let e = ObjectiveSpec {
            minimize: Some("bw".into()),
            form: Some(TargetForm::Distance),
            ..Default::default()
        }
        .build(&specs())
        .unwrap_err();
        assert!(e.to_string().contains("`form`"), "{e}");
        // A missing metric is NaN, never a silent zero.
        assert!(o.score(&Metrics::new()).reward.is_nan());
    }

    #[test]
    fn pareto_costs_are_oriented() {
        let o = ObjectiveSpec {
            pareto: Some(vec!["power_mw".into(), "bw".into()]),
            ..Default::default()
        }
        .build(&specs())
        .unwrap();
        assert_eq!(o.score(&metrics(3.0, 0.0, 7.0)).costs, vec![3.0, -7.0]);
    }

    #[test]
    fn ranks_and_fronts() {
        let pts = vec![
            vec![1.0, 4.0],
            vec![2.0, 2.0],
            vec![4.0, 1.0],
            vec![3.0, 3.0],
            vec![5.0, 5.0],
        ];
        assert_eq!(pareto_ranks(&pts), vec![0, 0, 0, 1, 2]);
        assert_eq!(pareto_front(&pts), vec![0, 1, 2]);
    }

    #[test]
    fn hypervolume_2d_and_3d() {
        let pts = vec![vec![1.0, 4.0], vec![2.0, 2.0], vec![4.0, 1.0]];
        // Union of rectangles to (5,5): 4*1 + 3*2 (x from 2) ... computed by hand: 11.
        assert!((hypervolume(&pts, &[5.0, 5.0]) - 11.0).abs() < 1e-12);
        assert_eq!(hypervolume(&[vec![6.0, 0.0]], &[5.0, 5.0]), 0.0);
        let cube = hypervolume(&[vec![0.0, 0.0, 0.0]], &[1.0, 2.0, 3.0]);
        assert!((cube - 6.0).abs() < 1e-12);
        // Two boxes overlapping in a unit cube: 2*1*1 + 1*2*1 - 1 = 3.
        let hv = hypervolume(
            &[vec![0.0, 1.0, 0.0], vec![1.0, 0.0, 0.0]],
            &[2.0, 2.0, 1.0],
        );
        assert!((hv - 3.0).abs() < 1e-12);
    }
}
