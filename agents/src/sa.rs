//! Simulated annealing over neighbours: from the current design, propose a neighbour (one knob moved by
//! one level, or with probability `jump_probability` one knob redrawn at random); accept it if it is
//! better, or if worse with probability `exp(−Δ / (scale · T))` (Metropolis). The temperature `T`
//! cools geometrically by `cooling` per evaluation from `initial_temperature`; when it falls below
//! `min_temperature` the walk reheats and restarts from the best design found.
//!
//! Rewards have no common scale across objectives, so `Δ` is measured in units of `scale`, a running
//! mean of the reward differences seen so far: at `T = 1` a typical worsening is accepted with
//! probability 1/e whatever the objective.
//!
//! With `batch > 1` several neighbours of the current design are evaluated at once and the best of
//! them is the Metropolis candidate. Infeasible or failed neighbours are never accepted.

use std::collections::BTreeMap;

use gym::rng::{Rng, seeded};
use gym::{Agent, Design, Evaluation, ParamSpace};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::common::{History, argmax, propose_fresh};
use crate::params::{AgentParams, check_range};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Starting temperature, in units of the typical reward difference (default 1.0).
    pub initial_temperature: f64,
    /// Factor applied to the temperature after each evaluation (default 0.95).
    pub cooling: f64,
    /// Below this temperature the walk reheats and restarts from the best design (default 0.01).
    pub min_temperature: f64,
    /// Probability that a move redraws one knob uniformly instead of stepping it (default 0.2).
    pub jump_probability: f64,
    /// Neighbours evaluated per step (default 1).
    pub batch: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            initial_temperature: 1.0,
            cooling: 0.95,
            min_temperature: 0.01,
            jump_probability: 0.2,
            batch: 1,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("initial_temperature", self.initial_temperature, 1e-9, 1e9)?;
        check_range("cooling", self.cooling, 0.0, 1.0)?;
        check_range(
            "min_temperature",
            self.min_temperature,
            0.0,
            self.initial_temperature,
        )?;
        check_range("jump_probability", self.jump_probability, 0.0, 1.0)?;
        check_range("batch", self.batch, 1, 4096)
    }
}

pub struct Sa {
    space: ParamSpace,
    params: Params,
    rng: Rng,
    current: Option<(Design, f64)>,
    best: Option<(Design, f64)>,
    temperature: f64,
    /// Running mean of |reward difference| between candidates and the current design.
    scale: Option<f64>,
    accepted: usize,
    reheats: usize,
    history: History<()>,
}

impl Sa {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Self {
        let temperature = params.initial_temperature;
        Sa {
            space: space.clone(),
            params,
            rng: seeded(seed),
            current: None,
            best: None,
            temperature,
            scale: None,
            accepted: 0,
            reheats: 0,
            history: History::default(),
        }
    }

    fn neighbour(space: &ParamSpace, d: &Design, jump: f64, rng: &mut Rng) -> Design {
        if !space.is_empty() && rng.random_bool(jump) {
            let k = rng.random_range(0..space.len());
            let mut n = d.clone();
            n.0[k] = space.params()[k].domain.sample(rng);
            n
        } else {
            space.random_neighbour(d, rng)
        }
    }
}

impl Agent for Sa {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let (space, jump) = (&self.space, self.params.jump_probability);
            let d = match &self.current {
                Some((c, _)) => propose_fresh(space, &self.history, &out, &mut self.rng, |rng| {
                    Self::neighbour(space, c, jump, rng)
                }),
                None => propose_fresh(space, &self.history, &out, &mut self.rng, |rng| {
                    space.sample(rng)
                }),
            };
            out.push(d);
        }
        out
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        for e in evaluations {
            self.history.insert(e.design.clone(), ());
        }
        let ok: Vec<&Evaluation> = evaluations.iter().filter(|e| e.is_ok()).collect();
        for _ in evaluations {
            self.temperature *= self.params.cooling;
        }
        if let Some(i) = argmax(&ok, |e| e.reward) {
            let cand = ok[i];
            if self.best.as_ref().is_none_or(|(_, r)| cand.reward > *r) {
                self.best = Some((cand.design.clone(), cand.reward));
            }
            let accept = match &self.current {
                None => true,
                Some((_, r)) => {
                    let delta = r - cand.reward; // > 0: the candidate is worse
                    if delta.is_finite() && delta != 0.0 {
                        let s = self
                            .scale
                            .map_or(delta.abs(), |s| 0.9 * s + 0.1 * delta.abs());
                        self.scale = Some(s);
                    }
                    delta <= 0.0 || {
                        let s = self.scale.unwrap_or(1.0).max(f64::MIN_POSITIVE);
                        self.rng.random::<f64>() < (-delta / (s * self.temperature)).exp()
                    }
                }
            };
            if accept {
                self.current = Some((cand.design.clone(), cand.reward));
                self.accepted += 1;
            }
        }
        if self.temperature < self.params.min_temperature {
            self.temperature = self.params.initial_temperature;
            self.current = self.best.clone();
            self.reheats += 1;
        }
    }

    fn batch_size(&self) -> usize {
        self.params.batch
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        [
            ("temperature".to_string(), self.temperature),
            ("accepted".to_string(), self.accepted as f64),
            ("reheats".to_string(), self.reheats as f64),
        ]
        .into()
    }
}
