//! Genetic algorithm: a generational GA with tournament selection, uniform or one-point crossover,
//! per-knob mutation and elitism. ArchGym's GA knobs keep their names: `population` (its
//! `num_agents`), `generations` (its `num_iter`), `mutation` (its `prob_mutation`).
//!
//! Elites carry their known fitness into the next generation instead of being re-evaluated, and
//! children that repeat a design already evaluated are bred again, so every sample is a new design.
//! Infeasible or failed designs get the worst fitness (−∞) and lose every tournament they enter
//! against an evaluated design.

use std::collections::{BTreeMap, VecDeque};

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Evaluation, ParamSpace};
use serde::{Deserialize, Serialize};

use crate::common::{History, fitness, random_population};
use crate::params::{AgentParams, check_range};
use crate::variation::{Breeding, Crossover};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Individuals per generation (ArchGym `num_agents`; default 16). Also the batch size.
    pub population: usize,
    /// Generations to breed after the first (ArchGym `num_iter`); `null` (default) runs until the
    /// budget ends.
    pub generations: Option<usize>,
    /// Contestants per tournament selection (default 2).
    pub tournament: usize,
    /// Crossover operator: `uniform` (default) or `one_point`.
    pub crossover: Crossover,
    /// Probability that a child is a crossover of two parents rather than a copy of one (default 0.9).
    pub crossover_probability: f64,
    /// Per-knob mutation probability (ArchGym `prob_mutation`; default 0.1).
    pub mutation: f64,
    /// Best individuals copied unchanged into the next generation (default 1).
    pub elitism: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            population: 16,
            generations: None,
            tournament: 2,
            crossover: Crossover::Uniform,
            crossover_probability: 0.9,
            mutation: 0.1,
            elitism: 1,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("population", self.population, 2, 4096)?;
        if let Some(g) = self.generations {
            check_range("generations", g, 1, 1_000_000)?;
        }
        check_range("tournament", self.tournament, 1, self.population)?;
        check_range(
            "crossover_probability",
            self.crossover_probability,
            0.0,
            1.0,
        )?;
        check_range("mutation", self.mutation, 0.0, 1.0)?;
        check_range("elitism", self.elitism, 0, self.population - 1)
    }
}

pub struct Ga {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    /// The parents of the generation being evaluated, with their fitness.
    parents: Vec<(Design, f64)>,
    /// Children of this generation not yet asked for.
    queue: VecDeque<Design>,
    /// Children of this generation already evaluated.
    children: Vec<(Design, f64)>,
    /// Generations bred after the initial one.
    generation: usize,
    history: History<()>,
}

impl Ga {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        Ga {
            space: space.clone(),
            params,
            rng: seeded(seed),
            parents: Vec::new(),
            queue: VecDeque::new(),
            children: Vec::new(),
            generation: 0,
            history: History::default(),
        }
    }

    /// Replaces the parents by the elites plus this generation's children, then breeds the next one.
    fn next_generation(&mut self) {
        let mut old = std::mem::take(&mut self.parents);
        old.sort_by(|a, b| b.1.total_cmp(&a.1));
        old.truncate(self.params.elitism);
        let children = std::mem::take(&mut self.children);
        // The first generation has no parents: all of it is children.
        self.parents = if children.len() >= self.params.population {
            children
        } else {
            old.into_iter().chain(children).collect()
        };
        let breeding = Breeding {
            crossover: self.params.crossover,
            crossover_probability: self.params.crossover_probability,
            mutation: self.params.mutation,
            tournament: self.params.tournament,
        };
        let designs: Vec<Design> = self.parents.iter().map(|p| p.0.clone()).collect();
        let fit: Vec<f64> = self.parents.iter().map(|p| p.1).collect();
        let count = self.params.population - self.params.elitism;
        let brood = breeding.breed(
            &self.space,
            &self.history,
            &designs,
            |a, b| fit[a] > fit[b],
            count,
            &mut self.rng,
        );
        self.queue = brood.into();
        self.generation += 1;
    }
}

impl Agent for Ga {
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
            self.children.push((e.design.clone(), fitness(e)));
        }
    }

    fn batch_size(&self) -> usize {
        self.params.population
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        let best = self
            .parents
            .iter()
            .chain(&self.children)
            .map(|p| p.1)
            .fold(f64::NEG_INFINITY, f64::max);
        [
            ("generation".to_string(), self.generation as f64),
            ("best_fitness".to_string(), best),
        ]
        .into()
    }
}
