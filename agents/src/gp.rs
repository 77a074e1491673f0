//! A compact Gaussian process for Bayesian optimisation: zero mean, unit signal variance (outputs are
//! standardised by the caller), Matérn-5/2 kernel with one length scale per design parameter (a
//! categorical parameter's one-hot block shares one), Gaussian noise, exact inference by Cholesky.
//! Hyperparameters are fitted by a small seeded search on the log marginal likelihood with a weak
//! log-normal prior on the length scales (MAP), which keeps tiny data sets from choosing absurd scales.

use gym::rng::Rng;
use rand::Rng as _;

use crate::common::standard_normal;

/// Length-scale search range (features live in the unit cube, so 0.02..10 spans "one level" to
/// "irrelevant").
const LENGTH_RANGE: (f64, f64) = (0.02, 10.0);
/// Noise-variance search range (outputs have unit variance).
const NOISE_RANGE: (f64, f64) = (1e-6, 0.2);
/// Centre and width (in log units) of the length-scale prior.
const LENGTH_PRIOR: (f64, f64) = (0.5, 1.5);
/// Diagonal jitter added when a Cholesky factorisation fails, growing tenfold per retry.
const JITTER: f64 = 1e-9;

/// Kernel hyperparameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Hyper {
    /// One length scale per design parameter.
    pub lengths: Vec<f64>,
    pub noise: f64,
}

/// A GP conditioned on data.
#[derive(Clone, Debug)]
pub struct Gp {
    hyper: Hyper,
    /// Feature index → parameter index (for length scales).
    owner: Vec<usize>,
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    /// Lower-triangular Cholesky factor of `K + noise·I`, row-major `n × n`.
    chol: Vec<f64>,
    /// `(K + noise·I)⁻¹ y`.
    alpha: Vec<f64>,
}

fn matern52(r: f64) -> f64 {
    let s = 5f64.sqrt() * r;
    (1.0 + s + s * s / 3.0) * (-s).exp()
}

fn kernel(a: &[f64], b: &[f64], owner: &[usize], lengths: &[f64]) -> f64 {
    let r2: f64 = a
        .iter()
        .zip(b)
        .zip(owner)
        .map(|((x, y), &p)| ((x - y) / lengths[p]).powi(2))
        .sum();
    matern52(r2.sqrt())
}

/// Lower Cholesky factor of a symmetric positive-definite `n × n` matrix, or `None`.
fn cholesky(mut a: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
        for k in j + 1..n {
            a[j * n + k] = 0.0;
        }
    }
    Some(a)
}

/// Solves `L z = b` for lower-triangular `L`.
fn forward(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in 0..n {
        let mut s = z[i];
        for k in 0..i {
            s -= l[i * n + k] * z[k];
        }
        z[i] = s / l[i * n + i];
    }
    z
}

/// Solves `Lᵀ z = b` for lower-triangular `L`.
fn backward(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in (0..n).rev() {
        let mut s = z[i];
        for k in i + 1..n {
            s -= l[k * n + i] * z[k];
        }
        z[i] = s / l[i * n + i];
    }
    z
}

impl Gp {
    /// Conditions a GP with `hyper` on `(x, y)`; `None` if the covariance cannot be factorised even
    /// with jitter.
    pub fn fit(x: Vec<Vec<f64>>, y: Vec<f64>, owner: &[usize], hyper: Hyper) -> Option<Gp> {
        let n = x.len();
        let mut k = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let v = kernel(&x[i], &x[j], owner, &hyper.lengths);
                k[i * n + j] = v;
                k[j * n + i] = v;
            }
            k[i * n + i] += hyper.noise;
        }
        let mut jitter = 0.0;
        let chol = loop {
            let mut a = k.clone();
            for i in 0..n {
                a[i * n + i] += jitter;
            }
            if let Some(l) = cholesky(a, n) {
                break l;
            }
            jitter = if jitter == 0.0 { JITTER } else { jitter * 10.0 };
            if jitter > 1e-2 {
                return None;
            }
        };
        let alpha = backward(&chol, n, &forward(&chol, n, &y));
        Some(Gp {
            hyper,
            owner: owner.to_vec(),
            x,
            y,
            chol,
            alpha,
        })
    }

    /// Log marginal likelihood plus the log length-scale prior (up to a constant).
    pub fn log_posterior(&self) -> f64 {
        let n = self.y.len();
        let fit: f64 = -0.5
            * self
                .y
                .iter()
                .zip(&self.alpha)
                .map(|(a, b)| a * b)
                .sum::<f64>();
        let complexity: f64 = -(0..n).map(|i| self.chol[i * n + i].ln()).sum::<f64>();
        let prior: f64 = -0.5
            * self
                .hyper
                .lengths
                .iter()
                .map(|l| ((l.ln() - LENGTH_PRIOR.0.ln()) / LENGTH_PRIOR.1).powi(2))
                .sum::<f64>();
        fit + complexity + prior
    }

    /// Posterior mean and standard deviation of the latent function at `x`.
    pub fn predict(&self, x: &[f64]) -> (f64, f64) {
        let n = self.x.len();
        let ks: Vec<f64> = self
            .x
            .iter()
            .map(|xi| kernel(xi, x, &self.owner, &self.hyper.lengths))
            .collect();
        let mean = ks.iter().zip(&self.alpha).map(|(a, b)| a * b).sum();
        let v = forward(&self.chol, n, &ks);
        let var = 1.0 - v.iter().map(|a| a * a).sum::<f64>();
        (mean, var.max(1e-12).sqrt())
    }

    /// The same GP with one more observation, hyperparameters unchanged (kriging believer). The
    /// Cholesky factor is extended by one row (O(n²)) instead of refactorised.
    pub fn with_observation(&self, x: Vec<f64>, y: f64) -> Option<Gp> {
        let n = self.x.len();
        let ks: Vec<f64> = self
            .x
            .iter()
            .map(|xi| kernel(xi, &x, &self.owner, &self.hyper.lengths))
            .collect();
        let row = forward(&self.chol, n, &ks);
        let d2 = 1.0 + self.hyper.noise - row.iter().map(|a| a * a).sum::<f64>();
        if d2.is_nan() || d2 <= 0.0 {
            return None;
        }
        let m = n + 1;
        let mut chol = vec![0.0; m * m];
        for i in 0..n {
            chol[i * m..i * m + n].copy_from_slice(&self.chol[i * n..i * n + n]);
        }
        chol[n * m..n * m + n].copy_from_slice(&row);
        chol[n * m + n] = d2.sqrt();
        let (mut xs, mut ys) = (self.x.clone(), self.y.clone());
        xs.push(x);
        ys.push(y);
        let alpha = backward(&chol, m, &forward(&chol, m, &ys));
        Some(Gp {
            hyper: self.hyper.clone(),
            owner: self.owner.clone(),
            x: xs,
            y: ys,
            chol,
            alpha,
        })
    }

    pub fn hyper(&self) -> &Hyper {
        &self.hyper
    }
}

/// Fits hyperparameters to `(x, y)` (features of `params` design parameters): `random` draws from the search ranges (plus `warm`, the previous
/// fit, when given), then `refine` Gaussian perturbations of the best in log space. Returns the GP
/// with the highest log posterior, or `None` if no candidate could be factorised.
pub fn fit_map(
    x: &[Vec<f64>],
    y: &[f64],
    owner: &[usize],
    params: usize,
    warm: Option<&Hyper>,
    (random, refine): (usize, usize),
    rng: &mut Rng,
) -> Option<Gp> {
    let log_uniform = |(lo, hi): (f64, f64), rng: &mut Rng| {
        (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
    };
    let clamp_log = |v: f64, (lo, hi): (f64, f64)| v.clamp(lo, hi);
    let try_fit = |h: Hyper| Gp::fit(x.to_vec(), y.to_vec(), owner, h);
    let mut best: Option<Gp> = None;
    let consider = |gp: Option<Gp>, best: &mut Option<Gp>| {
        if let Some(g) = gp
            && best
                .as_ref()
                .is_none_or(|b| g.log_posterior() > b.log_posterior())
        {
            *best = Some(g);
        }
    };
    if let Some(h) = warm {
        consider(try_fit(h.clone()), &mut best);
    }
    for _ in 0..random {
        // A shared scale for all parameters, jittered per parameter: good candidates are usually
        // nearer "all similar" than independent draws in many dimensions would be.
        let common = log_uniform(LENGTH_RANGE, rng);
        let lengths = (0..params)
            .map(|_| clamp_log(common * (0.7 * standard_normal(rng)).exp(), LENGTH_RANGE))
            .collect();
        consider(
            try_fit(Hyper {
                lengths,
                noise: log_uniform(NOISE_RANGE, rng),
            }),
            &mut best,
        );
    }
    for _ in 0..refine {
        let Some(b) = best.as_ref() else { break };
        let h = b.hyper();
        let lengths = h
            .lengths
            .iter()
            .map(|l| clamp_log(l * (0.3 * standard_normal(rng)).exp(), LENGTH_RANGE))
            .collect();
        let noise = clamp_log(h.noise * (0.5 * standard_normal(rng)).exp(), NOISE_RANGE);
        consider(try_fit(Hyper { lengths, noise }), &mut best);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use gym::rng::seeded;

    #[test]
    fn interpolates_smooth_data_and_is_uncertain_far_away() {
        let x: Vec<Vec<f64>> = (0..12).map(|i| vec![i as f64 / 11.0 * 0.6]).collect();
        let y: Vec<f64> = x.iter().map(|v| (6.0 * v[0]).sin()).collect();
        let gp = fit_map(&x, &y, &[0], 1, None, (24, 24), &mut seeded(1)).unwrap();
        let (m, s) = gp.predict(&[0.33]);
        assert!((m - (6.0f64 * 0.33).sin()).abs() < 0.05, "mean {m}");
        let (_, far) = gp.predict(&[1.0]);
        assert!(far > 5.0 * s, "sd near {s}, far {far}");
        // Extending the factor by one observation equals refitting with it.
        let grown = gp.with_observation(vec![0.9], 0.3).unwrap();
        let (mut x2, mut y2) = (x.clone(), y.clone());
        x2.push(vec![0.9]);
        y2.push(0.3);
        let refit = Gp::fit(x2, y2, &[0], gp.hyper().clone()).unwrap();
        for q in [0.1, 0.8, 0.95] {
            let (a, b) = (grown.predict(&[q]), refit.predict(&[q]));
            assert!(
                (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn cholesky_solves() {
        let a = vec![4.0, 2.0, 2.0, 3.0];
        let l = cholesky(a, 2).unwrap();
        let z = backward(&l, 2, &forward(&l, 2, &[2.0, 1.0]));
        assert!(
            (4.0 * z[0] + 2.0 * z[1] - 2.0).abs() < 1e-12
                && (2.0 * z[0] + 3.0 * z[1] - 1.0).abs() < 1e-12
        );
    }
}
