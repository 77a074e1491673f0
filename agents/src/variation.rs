//! Variation operators shared by the evolutionary agents (GA, NSGA-II): crossover of two parents and
//! per-knob mutation, both acting on designs directly so that every domain kind keeps its meaning.

use gym::rng::Rng;
use gym::{Design, Domain, ParamSpace};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::common::{History, propose_fresh, standard_normal};

/// How two parents are recombined.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crossover {
    /// Each knob comes from either parent with probability 1/2.
    #[default]
    Uniform,
    /// Knobs before a random cut come from the first parent, the rest from the second.
    OnePoint,
}

/// Standard deviation of a mutation step on the unit scale of an ordered knob: a tenth of the range
/// keeps mutations local enough to refine, wide enough to cross a few levels.
pub const MUTATION_STEP: f64 = 0.1;

/// A child of `a` and `b`.
pub fn crossover(kind: Crossover, a: &Design, b: &Design, rng: &mut Rng) -> Design {
    let n = a.len();
    match kind {
        Crossover::Uniform => Design(
            (0..n)
                .map(|i| if rng.random_bool(0.5) { a[i] } else { b[i] })
                .collect(),
        ),
        Crossover::OnePoint => {
            let cut = if n > 1 { rng.random_range(1..n) } else { 0 };
            Design((0..n).map(|i| if i < cut { a[i] } else { b[i] }).collect())
        }
    }
}

/// Mutates each knob of `d` with probability `p`: a categorical knob takes another label, an ordered
/// knob takes a Gaussian step of [`MUTATION_STEP`] on its unit scale (at least one level for
/// discrete knobs, so that a mutation always changes the design).
pub fn mutate(space: &ParamSpace, d: &mut Design, p: f64, rng: &mut Rng) {
    for (i, param) in space.params().iter().enumerate() {
        if !rng.random_bool(p) {
            continue;
        }
        let dom = &param.domain;
        let old = d[i];
        let new = match dom {
            Domain::Categorical(_) => dom.sample(rng),
            _ => dom.from_unit(dom.to_unit(&old) + MUTATION_STEP * standard_normal(rng)),
        };
        d.0[i] = if new == old {
            let near = dom.neighbours(&old);
            if near.is_empty() {
                old
            } else {
                near[rng.random_range(0..near.len())]
            }
        } else {
            new
        };
    }
}

/// The index of the winner of a tournament among `size` random contestants (with replacement);
/// `better(a, b)` says whether contestant `a` beats `b`.
pub fn tournament(
    n: usize,
    size: usize,
    rng: &mut Rng,
    better: impl Fn(usize, usize) -> bool,
) -> usize {
    let mut best = rng.random_range(0..n);
    for _ in 1..size {
        let c = rng.random_range(0..n);
        if better(c, best) {
            best = c;
        }
    }
    best
}

/// How the evolutionary agents breed children from a ranked parent pool.
#[derive(Clone, Copy, Debug)]
pub struct Breeding {
    pub crossover: Crossover,
    pub crossover_probability: f64,
    pub mutation: f64,
    pub tournament: usize,
}

impl Breeding {
    /// `count` new feasible children (see [`propose_fresh`]) of `parents`: each picks a parent by
    /// tournament (`better(a, b)`: parent `a` beats `b`), crosses it with a second with probability
    /// `crossover_probability`, then mutates it.
    pub fn breed<T>(
        &self,
        space: &ParamSpace,
        history: &History<T>,
        parents: &[Design],
        better: impl Fn(usize, usize) -> bool,
        count: usize,
        rng: &mut Rng,
    ) -> Vec<Design> {
        let mut brood: Vec<Design> = Vec::with_capacity(count);
        for _ in 0..count {
            let child = propose_fresh(space, history, &brood, rng, |rng| {
                let a = tournament(parents.len(), self.tournament, rng, &better);
                let mut child = if rng.random_bool(self.crossover_probability) {
                    let b = tournament(parents.len(), self.tournament, rng, &better);
                    crossover(self.crossover, &parents[a], &parents[b], rng)
                } else {
                    parents[a].clone()
                };
                mutate(space, &mut child, self.mutation, rng);
                child
            });
            brood.push(child);
        }
        brood
    }
}
