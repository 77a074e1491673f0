//! Random walk: each step moves to a random neighbour of the current design (one knob, one step),
//! restarting from a fresh random design with a small probability or after a failed evaluation.
//! Unlike random search it explores locally, which is what "random walk" means in the local-search
//! literature; it ignores rewards, so it is the baseline any learning agent must beat.

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Evaluation, ParamSpace};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::params::{AgentParams, check_range};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Probability of jumping to a uniformly random design instead of a neighbour (default 0.05).
    pub restart_probability: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            restart_probability: 0.05,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("restart_probability", self.restart_probability, 0.0, 1.0)
    }
}

pub struct RandomWalk {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    current: Option<Design>,
}

impl RandomWalk {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        RandomWalk {
            space: space.clone(),
            params,
            rng: seeded(seed),
            current: None,
        }
    }
}

impl Agent for RandomWalk {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let next = match &self.current {
                Some(c) if self.rng.random::<f64>() >= self.params.restart_probability => {
                    self.space.random_neighbour(c, &mut self.rng)
                }
                _ => self.space.sample(&mut self.rng),
            };
            self.current = Some(next.clone());
            out.push(next);
        }
        out
    }
    fn tell(&mut self, evaluations: &[Evaluation]) {
        // A walk that steps onto an infeasible or failing design restarts from a random one.
        if evaluations.last().is_some_and(|e| !e.is_ok()) {
            self.current = None;
        }
    }
}
