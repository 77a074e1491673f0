//! Pieces several agents share: a memory of evaluated designs, proposing designs not tried before,
//! Gaussian draws and the normal distribution's functions, and the mixed-space feature encoding used
//! by the model-based agents.

use std::collections::HashMap;

use gym::rng::Rng;
use gym::{Design, Domain, Evaluation, ParamSpace};
use rand::Rng as _;

/// Attempts [`propose_fresh`] makes with the agent's own generator before falling back to uniform
/// samples: a search that keeps re-proposing known designs has converged, and a random design is then
/// the most useful sample left.
pub const FRESH_TRIES: usize = 64;

/// Every design an agent was told about, with what it learnt (reward, costs, …). Lookups only: the
/// map is never iterated, so its order cannot leak into the agent's choices.
#[derive(Clone, Debug)]
pub struct History<T> {
    seen: HashMap<Design, T>,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        History {
            seen: HashMap::new(),
        }
    }
}

impl<T> History<T> {
    pub fn insert(&mut self, d: Design, value: T) {
        self.seen.insert(d, value);
    }
    pub fn get(&self, d: &Design) -> Option<&T> {
        self.seen.get(d)
    }
    pub fn contains(&self, d: &Design) -> bool {
        self.seen.contains_key(d)
    }
    pub fn len(&self) -> usize {
        self.seen.len()
    }
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// `size` distinct feasible designs not in `history`, drawn uniformly: the first generation of the
/// population-based agents.
pub fn random_population<T>(
    space: &ParamSpace,
    history: &History<T>,
    size: usize,
    rng: &mut Rng,
) -> Vec<Design> {
    let mut population = Vec::with_capacity(size);
    for _ in 0..size {
        let d = propose_fresh(space, history, &population, rng, |rng| space.sample(rng));
        population.push(d);
    }
    population
}

/// A design from `make` that satisfies the space's constraints and is neither in `history` nor in
/// `pending` (a batch being assembled). After [`FRESH_TRIES`] misses it tries uniform samples, and
/// if the space is exhausted it returns the last attempt (a repeat costs a sample but stays valid).
pub fn propose_fresh<T>(
    space: &ParamSpace,
    history: &History<T>,
    pending: &[Design],
    rng: &mut Rng,
    mut make: impl FnMut(&mut Rng) -> Design,
) -> Design {
    let is_new = |d: &Design| {
        space.violated_constraint(d).is_none() && !history.contains(d) && !pending.contains(d)
    };
    for _ in 0..FRESH_TRIES {
        let d = make(rng);
        if is_new(&d) {
            return d;
        }
    }
    let mut d = space.sample(rng);
    for _ in 0..FRESH_TRIES {
        if is_new(&d) {
            break;
        }
        d = space.sample(rng);
    }
    d
}

/// The reward of an evaluation as a fitness to maximise: failed or infeasible designs rank below
/// every evaluated one.
pub fn fitness(e: &Evaluation) -> f64 {
    if e.is_ok() {
        e.reward
    } else {
        f64::NEG_INFINITY
    }
}

/// Records each evaluation of a design not seen before in `history` and, with its [`fitness`], in
/// `observed` (the data a surrogate model is fitted to).
pub fn observe_fresh(
    history: &mut History<()>,
    observed: &mut Vec<(Design, f64)>,
    evaluations: &[Evaluation],
) {
    for e in evaluations {
        if !history.contains(&e.design) {
            history.insert(e.design.clone(), ());
            observed.push((e.design.clone(), fitness(e)));
        }
    }
}

/// Index of the largest `key`, first one on ties (`None` for an empty slice).
pub fn argmax<T>(items: &[T], key: impl Fn(&T) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, x) in items.iter().enumerate() {
        let k = key(x);
        if best.is_none_or(|(_, b)| k > b) {
            best = Some((i, k));
        }
    }
    best.map(|(i, _)| i)
}

/// A standard normal draw (Box–Muller; one of the pair is discarded to keep the stream simple).
pub fn standard_normal(rng: &mut Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1], so the log is finite
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Standard normal density.
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (std::f64::consts::TAU).sqrt()
}

/// Standard normal distribution function, via `erfc` (accurate to ~1e-7 relative, also in the tails).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Inverse of the standard normal distribution function (Acklam's rational approximation, relative
/// error < 1.2e-9); `p` is clamped into (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Rewards as Gaussian scores by rank (a Gaussian copula): model-based agents see ranks, not raw
/// rewards, because target-spec rewards span many orders of magnitude. Ties share their mean rank.
pub fn rank_gaussianize(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0;
        for &k in &order[i..=j] {
            out[k] = normal_quantile((mean_rank + 0.5) / n as f64);
        }
        i = j + 1;
    }
    out
}

/// Mixed-space features for surrogate models: each categorical parameter becomes a one-hot block
/// scaled so that two different labels are at distance 1, every ordered parameter (integer, power of
/// two, float) its unit-cube coordinate. `owner[k]` is the parameter feature `k` belongs to, so a
/// model can give each parameter one length scale.
pub struct Features {
    pub owner: Vec<usize>,
}

impl Features {
    pub fn new(space: &ParamSpace) -> Self {
        let mut owner = Vec::new();
        for (i, p) in space.params().iter().enumerate() {
            let width = if let Domain::Categorical(l) = &p.domain {
                l.len()
            } else {
                1
            };
            owner.extend(std::iter::repeat_n(i, width));
        }
        Features { owner }
    }

    pub fn width(&self) -> usize {
        self.owner.len()
    }

    pub fn encode(&self, space: &ParamSpace, d: &Design) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.width());
        for (p, v) in space.params().iter().zip(d.values()) {
            match &p.domain {
                Domain::Categorical(l) => {
                    let hot = p.domain.index_of(v);
                    out.extend((0..l.len()).map(|k| {
                        if k == hot {
                            std::f64::consts::FRAC_1_SQRT_2
                        } else {
                            0.0
                        }
                    }));
                }
                _ => out.push(p.domain.to_unit(v)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_functions_agree_with_tables() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_963_985) - 0.975).abs() < 1e-7);
        assert!((normal_cdf(-3.0) - 0.001_349_898).abs() < 1e-8);
        for p in [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999] {
            assert!(
                (normal_cdf(normal_quantile(p)) - p).abs() < 1e-7 * p.max(1e-2),
                "{p}"
            );
        }
    }

    #[test]
    fn ranks_become_symmetric_scores() {
        let z = rank_gaussianize(&[10.0, 1e9, -3.0, 10.0]);
        assert!(z[2] < z[0] && z[0] == z[3] && z[3] < z[1]);
        assert!((z[2] + z[1]).abs() < 1e-12);
    }
}
