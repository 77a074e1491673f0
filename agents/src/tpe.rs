//! Tree-structured Parzen estimator (TPE), Optuna's default sampler, for mixed spaces (own
//! implementation, following Optuna's multivariate TPE).
//!
//! After `startup_trials` uniform samples, the observations are split into the best
//! `min(ceil(gamma · n), max_good)` ("good") and the rest ("bad"; infeasible and failed designs are
//! always bad). Each group gets a Parzen density over the space: a mixture with one component per
//! observation plus a prior component, each component a product over knobs of a truncated Gaussian
//! on the unit scale (ordered knobs, Scott bandwidth `0.2 · n^(−1/(d+4))` clipped below at
//! `1/min(n+1, 100)`, as Optuna) or a smoothed one-hot distribution (categorical knobs, smoothing
//! `prior_weight / n`, as Optuna). `candidates` designs are drawn from the good density and the one
//! maximising `log l(x) − log g(x)` is proposed.
//!
//! Batches use Optuna's constant liar: designs already chosen in the batch join the bad group, so the
//! next proposal moves elsewhere. Constraint-violating and already evaluated designs are skipped.

use std::collections::BTreeMap;

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Domain, Evaluation, ParamSpace, Value};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::common::{History, argmax, normal_cdf, observe_fresh, propose_fresh, standard_normal};
use crate::params::{AgentParams, check_range};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Uniform samples before the estimator takes over (Optuna `n_startup_trials`; default 10).
    pub startup_trials: usize,
    /// Draws from the good density scored per proposal (Optuna `n_ei_candidates`; default 24).
    pub candidates: usize,
    /// Fraction of observations counted as good (default 0.1, Optuna's `gamma`).
    pub gamma: f64,
    /// At most this many good observations (default 25, as Optuna).
    pub max_good: usize,
    /// Weight of the prior component of each density (default 1.0).
    pub prior_weight: f64,
    /// Designs per ask (constant liar; default 4).
    pub batch: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            startup_trials: 10,
            candidates: 24,
            gamma: 0.1,
            max_good: 25,
            prior_weight: 1.0,
            batch: 4,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("startup_trials", self.startup_trials, 1, 100_000)?;
        check_range("candidates", self.candidates, 1, 100_000)?;
        check_range("gamma", self.gamma, 0.0, 1.0)?;
        check_range("max_good", self.max_good, 1, 100_000)?;
        check_range("prior_weight", self.prior_weight, 1e-6, 1e6)?;
        check_range("batch", self.batch, 1, 4096)
    }
}

/// A Parzen density over the space: components are observations in the unit / index encoding.
struct Parzen<'a> {
    space: &'a ParamSpace,
    /// Per component, per knob: unit coordinate (ordered knobs) or label index (categorical).
    centres: Vec<Vec<f64>>,
    /// Mixture weights, normalised; the last component is the prior.
    weights: Vec<f64>,
    /// Standard deviation of ordered knobs' kernels on the unit scale (the prior's is [`PRIOR_SIGMA`]).
    bandwidth: f64,
    /// Per-label smoothing of categorical kernels.
    smoothing: f64,
    /// Per component and knob, the kernel's log normaliser: `−ln σ − ln(truncated mass)` for ordered
    /// knobs; for categorical knobs the log probability of a label other than the centre's.
    log_norm: Vec<Vec<f64>>,
}

/// Width of the prior's Gaussian on the unit scale (Optuna: the whole range).
const PRIOR_SIGMA: f64 = 1.0;

impl<'a> Parzen<'a> {
    fn new(space: &'a ParamSpace, observations: &[&Design], prior_weight: f64) -> Self {
        let n = observations.len();
        let d = space.len() as f64;
        let nf = n.max(1) as f64;
        let bandwidth = (0.2 * nf.powf(-1.0 / (d + 4.0))).clamp(1.0 / (nf + 1.0).min(100.0), 1.0);
        let mut centres: Vec<Vec<f64>> = observations
            .iter()
            .map(|o| Self::coordinates(space, o))
            .collect();
        centres.push(vec![0.5; space.len()]);
        let mut weights = vec![1.0; n];
        weights.push(prior_weight);
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        let mut parzen = Parzen {
            space,
            centres,
            weights,
            bandwidth,
            smoothing: prior_weight / nf,
            log_norm: Vec::new(),
        };
        parzen.log_norm = (0..parzen.centres.len())
            .map(|c| (0..space.len()).map(|k| parzen.normaliser(c, k)).collect())
            .collect();
        parzen
    }

    fn normaliser(&self, c: usize, k: usize) -> f64 {
        match &self.space.params()[k].domain {
            Domain::Categorical(labels) if self.is_prior(c) => -(labels.len() as f64).ln(),
            Domain::Categorical(labels) => {
                (self.smoothing / (1.0 + labels.len() as f64 * self.smoothing)).ln()
            }
            _ => {
                let (centre, s) = (self.centres[c][k], self.sigma(c));
                let mass = normal_cdf((1.0 - centre) / s) - normal_cdf(-centre / s);
                -s.ln() - mass.max(1e-300).ln()
            }
        }
    }

    fn coordinates(space: &ParamSpace, d: &Design) -> Vec<f64> {
        space
            .params()
            .iter()
            .zip(d.values())
            .map(|(p, v)| match p.domain {
                Domain::Categorical(_) => p.domain.index_of(v) as f64,
                _ => p.domain.to_unit(v),
            })
            .collect()
    }

    fn is_prior(&self, c: usize) -> bool {
        c + 1 == self.centres.len()
    }

    fn sigma(&self, c: usize) -> f64 {
        if self.is_prior(c) {
            PRIOR_SIGMA
        } else {
            self.bandwidth
        }
    }

    /// Log density of knob `k` at coordinate `x` under component `c`.
    fn log_kernel(&self, c: usize, k: usize, x: f64) -> f64 {
        let centre = self.centres[c][k];
        match &self.space.params()[k].domain {
            Domain::Categorical(labels) if !self.is_prior(c) && x == centre => {
                ((1.0 + self.smoothing) / (1.0 + labels.len() as f64 * self.smoothing)).ln()
            }
            Domain::Categorical(_) => self.log_norm[c][k],
            _ => {
                let z = (x - centre) / self.sigma(c);
                -0.5 * z * z + self.log_norm[c][k]
            }
        }
    }

    fn log_density(&self, coords: &[f64]) -> f64 {
        let terms: Vec<f64> = (0..self.centres.len())
            .map(|c| {
                self.weights[c].ln()
                    + (0..coords.len())
                        .map(|k| self.log_kernel(c, k, coords[k]))
                        .sum::<f64>()
            })
            .collect();
        let top = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln()
    }

    fn sample(&self, rng: &mut Rng) -> Design {
        let mut u = rng.random::<f64>();
        let c = self.weights.iter().position(|w| {
            u -= w;
            u < 0.0
        });
        let c = c.unwrap_or(self.weights.len() - 1);
        let values: Vec<Value> = self
            .space
            .params()
            .iter()
            .enumerate()
            .map(|(k, p)| match &p.domain {
                Domain::Categorical(labels) => {
                    if self.is_prior(c)
                        || !rng.random_bool(1.0 / (1.0 + labels.len() as f64 * self.smoothing))
                    {
                        p.domain.sample(rng)
                    } else {
                        p.domain.value_at(self.centres[c][k] as usize)
                    }
                }
                _ => {
                    let (centre, s) = (self.centres[c][k], self.sigma(c));
                    // Rejection sampling of the truncated Gaussian; the clamp only matters if a
                    // centre sits at a bound with a huge bandwidth, which the prior never has.
                    let mut x = centre + s * standard_normal(rng);
                    for _ in 0..32 {
                        if (0.0..=1.0).contains(&x) {
                            break;
                        }
                        x = centre + s * standard_normal(rng);
                    }
                    p.domain.from_unit(x)
                }
            })
            .collect();
        Design(values)
    }
}

pub struct Tpe {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    /// Every design told, with its fitness (−∞ for infeasible or failed), in arrival order.
    observed: Vec<(Design, f64)>,
    history: History<()>,
}

impl Tpe {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        Tpe {
            space: space.clone(),
            params,
            rng: seeded(seed),
            observed: Vec::new(),
            history: History::default(),
        }
    }

    fn propose(&mut self, pending: &[Design]) -> Option<Design> {
        let mut ranked: Vec<&(Design, f64)> = self.observed.iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1)); // stable: ties keep arrival order
        let ok = ranked.iter().filter(|o| o.1.is_finite()).count();
        let n_good = ((self.params.gamma * ranked.len() as f64).ceil() as usize)
            .min(self.params.max_good)
            .min(ok)
            .max(1);
        let good: Vec<&Design> = ranked[..n_good].iter().map(|o| &o.0).collect();
        let bad: Vec<&Design> = ranked[n_good..]
            .iter()
            .map(|o| &o.0)
            .chain(pending)
            .collect();
        let l = Parzen::new(&self.space, &good, self.params.prior_weight);
        let g = Parzen::new(&self.space, &bad, self.params.prior_weight);
        let candidates: Vec<(Design, f64)> = (0..self.params.candidates)
            .map(|_| l.sample(&mut self.rng))
            .filter(|d| {
                self.space.violated_constraint(d).is_none()
                    && !self.history.contains(d)
                    && !pending.contains(d)
            })
            .map(|d| {
                let x = Parzen::coordinates(&self.space, &d);
                let score = l.log_density(&x) - g.log_density(&x);
                (d, score)
            })
            .collect();
        argmax(&candidates, |c| c.1).map(|i| candidates[i].0.clone())
    }
}

impl Agent for Tpe {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        let mut out: Vec<Design> = Vec::with_capacity(n);
        for _ in 0..n {
            let modelled = self.observed.len() >= self.params.startup_trials
                && self.observed.iter().any(|o| o.1.is_finite());
            let d = match modelled.then(|| self.propose(&out)).flatten() {
                Some(d) => d,
                None => {
                    let space = &self.space;
                    propose_fresh(space, &self.history, &out, &mut self.rng, |rng| {
                        space.sample(rng)
                    })
                }
            };
            out.push(d);
        }
        out
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        observe_fresh(&mut self.history, &mut self.observed, evaluations);
    }

    fn batch_size(&self) -> usize {
        self.params.batch
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        [("observations".to_string(), self.observed.len() as f64)].into()
    }
}
