//! Ant colony optimisation over the index encoding (floats as [`gym::space::FLOAT_LEVELS`] levels),
//! after ArchGym's DeepSwarm-based ACO: each ant builds a design knob by knob, taking the level with
//! the most pheromone with probability `greediness` (exploitation) and otherwise a level drawn in
//! proportion to pheromone (exploration). After each colony the trails evaporate and the colony's best
//! ant and the best design so far deposit pheromone; trails are kept within `[pheromone_min,
//! pheromone_max]` (MAX–MIN ant system) so no level is ever ruled out.
//!
//! Unlike categorical labels, the levels of ordered knobs (integers, powers of two, floats) have
//! neighbours that are probably about as good; deposits spill half their amount onto the adjacent
//! levels so that ants learn a region, not one of 64 float levels at a time.

use std::collections::BTreeMap;

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Domain, Evaluation, ParamSpace};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::common::{History, fitness, propose_fresh};
use crate::params::{AgentParams, check_range};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Ants per colony, i.e. designs per batch (default 8).
    pub ants: usize,
    /// Fraction of pheromone that evaporates after each colony (default 0.1).
    pub evaporation: f64,
    /// Probability that an ant takes the strongest trail instead of sampling (ACS `q0`; default 0.2).
    pub greediness: f64,
    /// Lower bound of every trail (default 0.05).
    pub pheromone_min: f64,
    /// Upper bound of every trail, and its initial value (default 1.0).
    pub pheromone_max: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ants: 8,
            evaporation: 0.1,
            greediness: 0.2,
            pheromone_min: 0.05,
            pheromone_max: 1.0,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("ants", self.ants, 1, 4096)?;
        check_range("evaporation", self.evaporation, 0.0, 1.0)?;
        check_range("greediness", self.greediness, 0.0, 1.0)?;
        check_range("pheromone_min", self.pheromone_min, 1e-9, 1e9)?;
        check_range("pheromone_max", self.pheromone_max, self.pheromone_min, 1e9)
    }
}

pub struct Aco {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    /// `trails[knob][level]`.
    trails: Vec<Vec<f64>>,
    /// Whether each knob's levels are ordered (deposits spill onto neighbours).
    ordered: Vec<bool>,
    best: Option<(Design, f64)>,
    colonies: usize,
    history: History<()>,
}

impl Aco {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        let trails = space
            .levels()
            .iter()
            .map(|&n| vec![params.pheromone_max; n])
            .collect();
        let ordered = space
            .params()
            .iter()
            .map(|p| !matches!(p.domain, Domain::Categorical(_)))
            .collect();
        Aco {
            space: space.clone(),
            params,
            rng: seeded(seed),
            trails,
            ordered,
            best: None,
            colonies: 0,
            history: History::default(),
        }
    }

    /// One ant's walk through the knobs.
    fn build(trails: &[Vec<f64>], greediness: f64, space: &ParamSpace, rng: &mut Rng) -> Design {
        let idx: Vec<usize> = trails
            .iter()
            .map(|t| {
                if rng.random_bool(greediness) {
                    // The strongest trail, ties broken at random.
                    let top = t.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let ties: Vec<usize> = (0..t.len()).filter(|&i| t[i] == top).collect();
                    ties[rng.random_range(0..ties.len())]
                } else {
                    let mut x = rng.random::<f64>() * t.iter().sum::<f64>();
                    t.iter()
                        .position(|w| {
                            x -= w;
                            x < 0.0
                        })
                        .unwrap_or(t.len() - 1)
                }
            })
            .collect();
        space.from_indices(&idx)
    }

    fn deposit(&mut self, d: &Design, amount: f64) {
        for (k, level) in self.space.to_indices(d).into_iter().enumerate() {
            let t = &mut self.trails[k];
            t[level] += amount;
            if self.ordered[k] {
                for n in [level.wrapping_sub(1), level + 1] {
                    if let Some(w) = t.get_mut(n) {
                        *w += amount / 2.0;
                    }
                }
            }
        }
    }
}

impl Agent for Aco {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        let mut colony = Vec::with_capacity(n);
        for _ in 0..n {
            let (trails, g, space) = (&self.trails, self.params.greediness, &self.space);
            let d = propose_fresh(space, &self.history, &colony, &mut self.rng, |rng| {
                Self::build(trails, g, space, rng)
            });
            colony.push(d);
        }
        colony
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        for e in evaluations {
            self.history.insert(e.design.clone(), ());
        }
        let rho = self.params.evaporation;
        for t in &mut self.trails {
            t.iter_mut().for_each(|w| *w *= 1.0 - rho);
        }
        let colony_best = evaluations
            .iter()
            .filter(|e| e.is_ok())
            .max_by(|a, b| a.reward.total_cmp(&b.reward));
        if let Some(e) = colony_best {
            if self.best.as_ref().is_none_or(|(_, r)| fitness(e) > *r) {
                self.best = Some((e.design.clone(), e.reward));
            }
            self.deposit(&e.design, rho * self.params.pheromone_max);
        }
        if let Some((d, _)) = self.best.clone() {
            self.deposit(&d, rho * self.params.pheromone_max);
        }
        let (lo, hi) = (self.params.pheromone_min, self.params.pheromone_max);
        for t in &mut self.trails {
            t.iter_mut().for_each(|w| *w = w.clamp(lo, hi));
        }
        self.colonies += 1;
    }

    fn batch_size(&self) -> usize {
        self.params.ants
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        let best = self.best.as_ref().map_or(f64::NEG_INFINITY, |b| b.1);
        [
            ("colonies".to_string(), self.colonies as f64),
            ("best_reward".to_string(), best),
        ]
        .into()
    }
}
