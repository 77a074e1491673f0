//! NSGA-II (Deb et al., 2002) for vector objectives: each generation breeds `population` children by
//! binary tournaments on (Pareto rank, crowding distance), crossover and mutation (the GA's
//! operators), then keeps the best `population` of parents and children by non-dominated sorting,
//! breaking ties in the last front by crowding distance.
//!
//! Costs come from [`Evaluation::costs`]; for scalar objectives (no costs) the single cost is
//! `−reward`, so NSGA-II also searches them. Infeasible or failed designs get NaN costs, which
//! [`gym::pareto_ranks`] puts behind every evaluated design. The front's hypervolume is reported by
//! the runner's [`gym::Outcome`] when the objective gives a reference point; [`Agent::stats`] reports
//! the front size.

use std::collections::{BTreeMap, VecDeque};

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Evaluation, ParamSpace, pareto_ranks};
use serde::{Deserialize, Serialize};

use crate::common::{History, random_population};
use crate::params::{AgentParams, check_range};
use crate::variation::{Breeding, Crossover};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Individuals kept per generation, and children bred per generation (default 20).
    pub population: usize,
    /// Generations to breed after the first; `null` (default) runs until the budget ends.
    pub generations: Option<usize>,
    /// Crossover operator: `uniform` (default) or `one_point`.
    pub crossover: Crossover,
    /// Probability that a child is a crossover of two parents (default 0.9).
    pub crossover_probability: f64,
    /// Per-knob mutation probability (default 0.2).
    pub mutation: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            population: 20,
            generations: None,
            crossover: Crossover::Uniform,
            crossover_probability: 0.9,
            mutation: 0.2,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("population", self.population, 2, 4096)?;
        if let Some(g) = self.generations {
            check_range("generations", g, 1, 1_000_000)?;
        }
        check_range(
            "crossover_probability",
            self.crossover_probability,
            0.0,
            1.0,
        )?;
        check_range("mutation", self.mutation, 0.0, 1.0)
    }
}

/// One individual: a design and its costs (NaN when infeasible or failed).
type Individual = (Design, Vec<f64>);

pub struct Nsga2 {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    parents: Vec<Individual>,
    /// Pareto rank and crowding distance of each parent.
    fitness: Vec<(usize, f64)>,
    queue: VecDeque<Design>,
    children: Vec<Individual>,
    generation: usize,
    history: History<()>,
}

/// Crowding distance of each point within its front (infinite at a front's extremes).
#[allow(clippy::needless_range_loop)] // `m` indexes the objectives of several points at once
pub fn crowding_distances(points: &[Vec<f64>], ranks: &[usize]) -> Vec<f64> {
    let mut distance = vec![0.0; points.len()];
    let fronts = ranks.iter().copied().max().map_or(0, |m| m + 1);
    let dims = points.first().map_or(0, Vec::len);
    for r in 0..fronts {
        let front: Vec<usize> = (0..points.len()).filter(|&i| ranks[i] == r).collect();
        for m in 0..dims {
            let mut sorted = front.clone();
            sorted.sort_by(|&a, &b| points[a][m].total_cmp(&points[b][m]));
            let (lo, hi) = (points[sorted[0]][m], points[sorted[sorted.len() - 1]][m]);
            distance[sorted[0]] = f64::INFINITY;
            distance[sorted[sorted.len() - 1]] = f64::INFINITY;
            let span = hi - lo;
            if span.is_nan() || span <= 0.0 {
                continue;
            }
            for w in sorted.windows(3) {
                distance[w[1]] += (points[w[2]][m] - points[w[0]][m]) / span;
            }
        }
    }
    distance
}

impl Nsga2 {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        Nsga2 {
            space: space.clone(),
            params,
            rng: seeded(seed),
            parents: Vec::new(),
            fitness: Vec::new(),
            queue: VecDeque::new(),
            children: Vec::new(),
            generation: 0,
            history: History::default(),
        }
    }

    /// Environmental selection of parents ∪ children, then breeding of the next children.
    fn next_generation(&mut self) {
        let mut pool: Vec<Individual> = std::mem::take(&mut self.parents);
        pool.append(&mut self.children);
        let dims = pool
            .iter()
            .find(|i| !i.1.is_empty())
            .map_or(1, |i| i.1.len());
        let points: Vec<Vec<f64>> = pool
            .iter()
            .map(|i| {
                if i.1.is_empty() {
                    vec![f64::NAN; dims]
                } else {
                    i.1.clone()
                }
            })
            .collect();
        let ranks = pareto_ranks(&points);
        let crowding = crowding_distances(&points, &ranks);
        let mut order: Vec<usize> = (0..pool.len()).collect();
        order.sort_by(|&a, &b| {
            ranks[a]
                .cmp(&ranks[b])
                .then(crowding[b].total_cmp(&crowding[a]))
        });
        order.truncate(self.params.population);
        self.fitness = order.iter().map(|&i| (ranks[i], crowding[i])).collect();
        self.parents = order.iter().map(|&i| pool[i].clone()).collect();

        let breeding = Breeding {
            crossover: self.params.crossover,
            crossover_probability: self.params.crossover_probability,
            mutation: self.params.mutation,
            tournament: 2,
        };
        let designs: Vec<Design> = self.parents.iter().map(|p| p.0.clone()).collect();
        let fit = &self.fitness;
        let better = |a: usize, b: usize| {
            fit[a].0 < fit[b].0 || (fit[a].0 == fit[b].0 && fit[a].1 > fit[b].1)
        };
        let brood = breeding.breed(
            &self.space,
            &self.history,
            &designs,
            better,
            self.params.population,
            &mut self.rng,
        );
        self.queue = brood.into();
        self.generation += 1;
    }
}

impl Agent for Nsga2 {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        if self.queue.is_empty() {
            if self.parents.is_empty() && self.children.is_empty() {
                self.queue = random_population(
                    &self.space,
                    &self.history,
                    self.params.population,
                    &mut self.rng,
                )
                .into();
            } else if self
                .params
                .generations
                .is_some_and(|g| self.generation >= g)
            {
                return Vec::new();
            } else {
                self.next_generation();
            }
        }
        let take = n.min(self.queue.len());
        self.queue.drain(..take).collect()
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        for e in evaluations {
            self.history.insert(e.design.clone(), ());
            let costs = match (e.is_ok(), e.costs.is_empty()) {
                (false, _) => Vec::new(),
                (true, true) => vec![-e.reward],
                (true, false) => e.costs.clone(),
            };
            self.children.push((e.design.clone(), costs));
        }
    }

    fn batch_size(&self) -> usize {
        self.params.population
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        let front = self.fitness.iter().filter(|f| f.0 == 0).count();
        [
            ("generation".to_string(), self.generation as f64),
            ("front_size".to_string(), front as f64),
        ]
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crowding_favours_extremes_and_isolated_points() {
        let pts = vec![
            vec![0.0, 4.0],
            vec![1.0, 3.0],
            vec![1.1, 2.9],
            vec![4.0, 0.0],
            vec![5.0, 5.0],
        ];
        let ranks = pareto_ranks(&pts);
        assert_eq!(ranks, vec![0, 0, 0, 0, 1]);
        let d = crowding_distances(&pts, &ranks);
        assert!(d[0].is_infinite() && d[3].is_infinite() && d[4].is_infinite());
        assert!(d[2] > d[1], "{d:?}");
    }
}
