//! Random search: independent uniform samples of the space. This is what ArchGym calls its random walker
//! ("RW"): every step draws a fresh random action.

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Evaluation, ParamSpace};
use serde::{Deserialize, Serialize};

use crate::params::{AgentParams, check_range};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Designs proposed per ask, so the runner can evaluate them in parallel (default 8).
    pub batch: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { batch: 8 }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("batch", self.batch, 1, 4096)
    }
}

pub struct RandomSearch {
    space: ParamSpace,
    params: Params,
    rng: Rng,
}

impl RandomSearch {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        RandomSearch {
            space: space.clone(),
            params,
            rng: seeded(seed),
        }
    }
}

impl Agent for RandomSearch {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        (0..n).map(|_| self.space.sample(&mut self.rng)).collect()
    }
    fn tell(&mut self, _evaluations: &[Evaluation]) {}
    fn batch_size(&self) -> usize {
        self.params.batch
    }
}
