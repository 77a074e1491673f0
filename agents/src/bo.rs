//! Bayesian optimisation with a Gaussian process, for mixed spaces.
//!
//! **Why an own GP.** The design doc suggests `egobox-ego`, but it pulls in ndarray, linfa and a long
//! build on our 2-core CI; design-space exploration runs have at most a few hundred evaluations, where
//! a dense Cholesky GP ([`crate::gp`]: Matérn-5/2, one length scale per parameter, MAP hyperparameters
//! by a seeded search) costs milliseconds. So this module uses that compact GP, which also keeps
//! every random choice on the agent's seed.
//!
//! **Loop.** The first `initial_design` designs are uniform samples. Afterwards each ask fits the GP
//! to the rank-Gaussianised rewards (target-spec rewards span orders of magnitude; ranks do not),
//! with infeasible or failed designs tied at the bottom rank (the GP never sees −∞), and maximises the
//! acquisition (`log_ei` by default, `ei`, or `ucb`) over seeded random candidates plus mutations of
//! the best designs, refined by hill-climbing over [`ParamSpace::neighbours`]. Candidates that
//! violate the space's constraints or were already evaluated are never proposed.
//!
//! **Batches.** For `batch > 1` the next design of a batch is chosen after adding the previous one to
//! the GP with its predicted mean as a fake observation (kriging believer), which spreads a batch
//! out without refitting.

use std::collections::BTreeMap;

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Evaluation, ParamSpace};
use serde::{Deserialize, Serialize};

use crate::common::{
    Features, History, argmax, normal_cdf, normal_pdf, observe_fresh, propose_fresh,
    rank_gaussianize,
};
use crate::gp::{Gp, Hyper, fit_map};
use crate::params::{AgentParams, check_range};
use crate::variation::mutate;

/// Acquisition function maximised to choose the next design.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acquisition {
    /// Expected improvement.
    Ei,
    /// Logarithm of the expected improvement, computed stably far from the incumbent, where EI
    /// underflows to a flat zero (Ament et al., 2023).
    #[default]
    LogEi,
    /// Upper confidence bound `μ + ucb_beta · σ`.
    Ucb,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Uniform samples before the GP takes over (default 10).
    pub initial_design: usize,
    /// `log_ei` (default), `ei` or `ucb`.
    pub acquisition: Acquisition,
    /// Exploration weight of `ucb` (default 2.0).
    pub ucb_beta: f64,
    /// Designs per ask, chosen by kriging believer (default 4).
    pub batch: usize,
    /// Random candidates scored per proposal (default 128).
    pub candidates: usize,
    /// Best candidates refined by hill-climbing over neighbours (default 2).
    pub local_starts: usize,
    /// Most observations the GP is fitted to; beyond it, the best ones are kept (default 256).
    pub max_points: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            initial_design: 10,
            acquisition: Acquisition::LogEi,
            ucb_beta: 2.0,
            batch: 4,
            candidates: 128,
            local_starts: 2,
            max_points: 256,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("initial_design", self.initial_design, 2, 100_000)?;
        check_range("ucb_beta", self.ucb_beta, 0.0, 100.0)?;
        check_range("batch", self.batch, 1, 1024)?;
        check_range("candidates", self.candidates, 1, 1_000_000)?;
        check_range("local_starts", self.local_starts, 0, 1024)?;
        check_range("max_points", self.max_points, 2, 5000)
    }
}

/// Hyperparameter search effort: random draws on the first fit, then per refit (warm-started).
const FIRST_FIT: (usize, usize) = (32, 16);
const REFIT: (usize, usize) = (4, 8);
/// Hill-climbing rounds per local start.
const LOCAL_ROUNDS: usize = 10;
/// Incumbents whose mutations join the candidate pool, and mutations per incumbent.
const INCUMBENTS: (usize, usize) = (3, 16);

pub struct Bo {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    features: Features,
    /// Every design told, with its fitness (−∞ for infeasible or failed ones).
    observed: Vec<(Design, f64)>,
    history: History<()>,
    hyper: Option<Hyper>,
    fits: usize,
    log_posterior: f64,
}

/// `ln(φ(z) + z·Φ(z))`, the log of expected improvement per unit σ, stable for very negative `z`.
fn log_h(z: f64) -> f64 {
    if z > -8.0 {
        (normal_pdf(z) + z * normal_cdf(z))
            .max(f64::MIN_POSITIVE)
            .ln()
    } else {
        // φ(z)·(1/z² − 3/z⁴ + 15/z⁶ − 105/z⁸), the asymptotic series of the Mills ratio.
        let w = 1.0 / (z * z);
        (-0.5 * z * z - 0.5 * std::f64::consts::TAU.ln())
            + (w * (1.0 - 3.0 * w * (1.0 - 5.0 * w * (1.0 - 7.0 * w)))).ln()
    }
}

impl Bo {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        Bo {
            space: space.clone(),
            params,
            rng: seeded(seed),
            features: Features::new(space),
            observed: Vec::new(),
            history: History::default(),
            hyper: None,
            fits: 0,
            log_posterior: f64::NAN,
        }
    }

    fn acquisition(&self, gp: &Gp, incumbent: f64, x: &[f64]) -> f64 {
        let (mu, sd) = gp.predict(x);
        let z = (mu - incumbent) / sd;
        match self.params.acquisition {
            Acquisition::Ei => sd * log_h(z).exp(),
            Acquisition::LogEi => sd.ln() + log_h(z),
            Acquisition::Ucb => mu + self.params.ucb_beta * sd,
        }
    }

    fn is_new(&self, d: &Design, pending: &[Design]) -> bool {
        self.space.violated_constraint(d).is_none()
            && !self.history.contains(d)
            && !pending.contains(d)
    }

    /// The candidate with the highest acquisition that is feasible and new, if any.
    fn maximise(&mut self, gp: &Gp, incumbent: f64, pending: &[Design]) -> Option<Design> {
        let mut pool: Vec<Design> = (0..self.params.candidates)
            .map(|_| self.space.sample(&mut self.rng))
            .collect();
        let mut ranked: Vec<&(Design, f64)> =
            self.observed.iter().filter(|o| o.1.is_finite()).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let p = (1.0 / self.space.len() as f64).max(0.2);
        for (d, _) in ranked.iter().take(INCUMBENTS.0) {
            for _ in 0..INCUMBENTS.1 {
                let mut m = d.clone();
                mutate(&self.space, &mut m, p, &mut self.rng);
                pool.push(m);
            }
        }
        let score =
            |d: &Design| self.acquisition(gp, incumbent, &self.features.encode(&self.space, d));
        let mut scored: Vec<(Design, f64)> = pool
            .into_iter()
            .filter(|d| self.is_new(d, pending))
            .map(|d| (d.clone(), score(&d)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.dedup_by(|a, b| a.0 == b.0);
        // Hill-climb from the best few candidates, one knob at a time.
        let starts = scored.len().min(self.params.local_starts);
        for s in 0..starts {
            let (mut cur, mut val) = scored[s].clone();
            for _ in 0..LOCAL_ROUNDS {
                let moves: Vec<(Design, f64)> = self
                    .space
                    .neighbours(&cur)
                    .into_iter()
                    .filter(|d| self.is_new(d, pending))
                    .map(|d| {
                        let v = score(&d);
                        (d, v)
                    })
                    .collect();
                match argmax(&moves, |m| m.1) {
                    Some(i) if moves[i].1 > val => (cur, val) = moves[i].clone(),
                    _ => break,
                }
            }
            scored.push((cur, val));
        }
        argmax(&scored, |c| c.1).map(|i| scored[i].0.clone())
    }

    /// Fits the GP to the observations (the best `max_points` of them); also returns the incumbent
    /// (best output the GP was fitted to).
    fn fit(&mut self) -> Option<(Gp, f64)> {
        let mut data: Vec<&(Design, f64)> = self.observed.iter().collect();
        if data.len() > self.params.max_points {
            data.sort_by(|a, b| b.1.total_cmp(&a.1));
            data.truncate(self.params.max_points);
        }
        let x: Vec<Vec<f64>> = data
            .iter()
            .map(|(d, _)| self.features.encode(&self.space, d))
            .collect();
        let y = rank_gaussianize(&data.iter().map(|o| o.1).collect::<Vec<_>>());
        let effort = if self.hyper.is_some() {
            REFIT
        } else {
            FIRST_FIT
        };
        let gp = fit_map(
            &x,
            &y,
            &self.features.owner,
            self.space.len(),
            self.hyper.as_ref(),
            effort,
            &mut self.rng,
        )?;
        self.hyper = Some(gp.hyper().clone());
        self.fits += 1;
        self.log_posterior = gp.log_posterior();
        Some((gp, y.iter().cloned().fold(f64::NEG_INFINITY, f64::max)))
    }

    fn random_fresh(&mut self, pending: &[Design]) -> Design {
        let space = &self.space;
        propose_fresh(space, &self.history, pending, &mut self.rng, |rng| {
            space.sample(rng)
        })
    }
}

impl Agent for Bo {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        let mut out: Vec<Design> = Vec::with_capacity(n);
        let evaluated = self.observed.iter().filter(|o| o.1.is_finite()).count();
        let gp = if self.observed.len() >= self.params.initial_design && evaluated >= 2 {
            self.fit()
        } else {
            None
        };
        let Some((mut gp, mut incumbent)) = gp else {
            for _ in 0..n {
                let d = self.random_fresh(&out);
                out.push(d);
            }
            return out;
        };
        for _ in 0..n {
            let d = match self.maximise(&gp, incumbent, &out) {
                Some(d) => d,
                None => self.random_fresh(&out),
            };
            let x = self.features.encode(&self.space, &d);
            let (mu, _) = gp.predict(&x);
            incumbent = incumbent.max(mu);
            if let Some(g) = gp.with_observation(x, mu) {
                gp = g;
            }
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
        let mut s: BTreeMap<String, f64> = [
            ("gp_fits".to_string(), self.fits as f64),
            ("log_posterior".to_string(), self.log_posterior),
        ]
        .into();
        if let Some(h) = &self.hyper {
            s.insert("noise".into(), h.noise);
            for (p, l) in self.space.params().iter().zip(&h.lengths) {
                s.insert(format!("length_scale.{}", p.name), *l);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_h_is_continuous_and_matches_the_direct_form() {
        for z in [-2.0, 0.0, 1.5] {
            assert!((log_h(z) - (normal_pdf(z) + z * normal_cdf(z)).ln()).abs() < 1e-6);
        }
        assert!((log_h(-8.0 - 1e-9) - log_h(-8.0 + 1e-9)).abs() < 1e-4);
        assert!(log_h(-40.0).is_finite() && log_h(-40.0) < log_h(-39.0));
    }
}
