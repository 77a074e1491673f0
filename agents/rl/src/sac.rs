//! Discrete soft actor-critic (Christodoulou 2019) over multi-discrete designs, the MARL paper's
//! second single-agent baseline. The actor has a categorical head per knob (float knobs become their
//! index-encoding levels). A joint multi-discrete action has too many values for one Q output, so each
//! knob has a counterfactual critic `Qₖ(a₋ₖ, ·)`: it sees the other knobs' values and scores every
//! value of its own knob, which keeps discrete SAC's exact expectation over actions per head. Twin
//! critics (minimum of two) curb over-estimation; the temperature of each head is tuned towards a
//! target entropy.
//!
//! With a constant observation (see [`crate::learner`]) the soft value of the next state does not
//! depend on the action, so the soft-Q target is the reward itself: no discount, no target networks.

use std::collections::BTreeMap;
use std::time::Instant;

use agents::AgentParams;
use agents::params::check_range;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use gym::rng::{Rng, seeded};
use gym::{Agent, AgentError, Design, Evaluation, ParamSpace};
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::device::device;
use crate::learner::{
    OBS, PolicyFileError, RewardShaper, adam, check_hidden, load_module, millis, save_module,
};
use crate::nets::{ActionLayout, Mlp, PolicyNet, index_onehot, matrix, to_vec, vector};
use crate::ppo::bad_params;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Adam step size of actor and critics (default 3e-3).
    pub learning_rate: f64,
    /// Transitions per gradient step (default 64).
    pub batch_size: usize,
    /// Uniformly random designs before learning starts, unless a policy is loaded (default 64).
    pub min_replay_size: usize,
    /// Replay capacity (default 100000).
    pub max_replay_size: usize,
    /// Designs between update rounds (default 16).
    pub steps_per_update: usize,
    /// Gradient steps per update round (default 8).
    pub gradient_steps: usize,
    /// Fixed temperature; none (default) tunes one per head towards the target entropy.
    pub entropy_coefficient: Option<f64>,
    /// Initial temperature when tuned (default 0.1).
    pub initial_entropy_coefficient: f64,
    /// Target entropy of each head as a fraction of its maximum, ln(levels) (default 0.3).
    pub target_entropy_ratio: f64,
    /// Gradient-norm clip (default 10).
    pub max_gradient_norm: f64,
    /// Hidden layer widths of actor and critics (default [64, 64]).
    pub hidden: Vec<usize>,
    /// Designs proposed per ask (default 16).
    pub batch: usize,
    /// Reward given to infeasible or failed designs (default: the lowest reward seen so far).
    pub infeasible_reward: Option<f64>,
    /// An actor file (burn record) to start from, as a prior.
    pub load_policy: Option<String>,
    /// Where to write the actor (burn record) after every update round.
    pub save_policy: Option<String>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            learning_rate: 3e-3,
            batch_size: 64,
            min_replay_size: 64,
            max_replay_size: 100_000,
            steps_per_update: 16,
            gradient_steps: 8,
            entropy_coefficient: None,
            initial_entropy_coefficient: 0.1,
            target_entropy_ratio: 0.3,
            max_gradient_norm: 10.0,
            hidden: vec![64, 64],
            batch: 16,
            infeasible_reward: None,
            load_policy: None,
            save_policy: None,
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        check_range("learning_rate", self.learning_rate, 1e-8, 1.0)?;
        check_range("batch_size", self.batch_size, 1, 1 << 16)?;
        check_range(
            "min_replay_size",
            self.min_replay_size,
            1,
            self.max_replay_size,
        )?;
        check_range("max_replay_size", self.max_replay_size, 1, 1 << 24)?;
        check_range("steps_per_update", self.steps_per_update, 1, 1 << 20)?;
        check_range("gradient_steps", self.gradient_steps, 1, 10_000)?;
        if let Some(a) = self.entropy_coefficient {
            check_range("entropy_coefficient", a, 0.0, 100.0)?;
        }
        check_range(
            "initial_entropy_coefficient",
            self.initial_entropy_coefficient,
            1e-6,
            100.0,
        )?;
        check_range("target_entropy_ratio", self.target_entropy_ratio, 0.0, 1.0)?;
        check_range("max_gradient_norm", self.max_gradient_norm, 1e-6, 1e6)?;
        check_range("batch", self.batch, 1, 1 << 16)?;
        check_hidden(&self.hidden)
    }
}

/// Twin sets of per-knob counterfactual critics.
#[derive(Module, Debug)]
struct TwinCritics {
    first: Vec<Mlp>,
    second: Vec<Mlp>,
}

pub struct Sac {
    params: Params,
    rng: Rng,
    space: ParamSpace,
    layout: ActionLayout,
    levels: Vec<usize>,
    actor: PolicyNet,
    actor_optim: ModuleOptimizer,
    critics: TwinCritics,
    critic_optim: ModuleOptimizer,
    log_alpha: Vec<f64>,
    target_entropy: Vec<f64>,
    shaper: RewardShaper,
    /// Index vectors and shaped rewards (a ring of `max_replay_size`).
    replay: Vec<(Vec<usize>, f32)>,
    inserted: usize,
    since_update: usize,
    stats: BTreeMap<String, f64>,
}

impl Sac {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Result<Self, AgentError> {
        let mut rng = seeded(seed);
        let dev = device();
        let layout = ActionLayout::new(space, false);
        let levels = space.levels();
        let width: usize = levels.iter().sum();
        let mut actor = PolicyNet::new(OBS.len(), &params.hidden, &layout, &mut rng, &dev);
        if let Some(path) = &params.load_policy {
            actor = load_module(actor, path).map_err(|e| bad_params("sac", e))?;
        }
        let critic_set = |rng: &mut Rng| -> Vec<Mlp> {
            levels
                .iter()
                .map(|&n| Mlp::new(width, &params.hidden, n, 1.0, rng, &dev))
                .collect()
        };
        let critics = TwinCritics {
            first: critic_set(&mut rng),
            second: critic_set(&mut rng),
        };
        let alpha0 = params
            .entropy_coefficient
            .unwrap_or(params.initial_entropy_coefficient)
            .max(1e-12);
        Ok(Sac {
            actor_optim: adam(params.max_gradient_norm),
            critic_optim: adam(params.max_gradient_norm),
            log_alpha: vec![alpha0.ln(); levels.len()],
            target_entropy: levels
                .iter()
                .map(|&n| params.target_entropy_ratio * (n as f64).ln())
                .collect(),
            shaper: RewardShaper::new(params.infeasible_reward),
            space: space.clone(),
            layout,
            levels,
            actor,
            critics,
            rng,
            params,
            replay: Vec::new(),
            inserted: 0,
            since_update: 0,
            stats: BTreeMap::new(),
        })
    }

    /// Writes the actor as a burn record (load it with the `load_policy` param).
    pub fn save_policy(&self, path: &str) -> Result<(), PolicyFileError> {
        save_module(self.actor.clone(), path)
    }

    fn push(&mut self, idx: Vec<usize>, r: f32) {
        if self.replay.len() < self.params.max_replay_size {
            self.replay.push((idx, r));
        } else {
            let at = self.inserted % self.params.max_replay_size;
            self.replay[at] = (idx, r);
        }
        self.inserted += 1;
    }

    /// One gradient step of the critics, the actor and the temperatures on a replay minibatch.
    fn gradient_step(&mut self) -> [f64; 3] {
        let dev = device();
        let b = self.params.batch_size.min(self.replay.len());
        let batch: Vec<usize> = (0..b)
            .map(|_| self.rng.random_range(0..self.replay.len()))
            .collect();
        let rewards = vector(batch.iter().map(|&i| self.replay[i].1).collect(), &dev);
        let width: usize = self.levels.iter().sum();
        let k = self.levels.len();
        // Per knob: the counterfactual inputs, the taken level, and both critics' scores.
        let mut critic_loss: Option<Tensor<1>> = None;
        let mut soft_q = Vec::with_capacity(k);
        for knob in 0..k {
            let x: Vec<f32> = batch
                .iter()
                .flat_map(|&i| index_onehot(&self.levels, &self.replay[i].0, &[knob]))
                .collect();
            let x = matrix(x, b, width, &dev);
            let taken: Vec<i64> = batch
                .iter()
                .map(|&i| self.replay[i].0[knob] as i64)
                .collect();
            let taken = Tensor::<2, Int>::from_data(TensorData::new(taken, [b, 1]), &dev);
            let q1 = self.critics.first[knob].forward(x.clone());
            let q2 = self.critics.second[knob].forward(x);
            let l1 = (q1.clone().gather(1, taken.clone()).reshape([b]) - rewards.clone())
                .square()
                .mean();
            let l2 = (q2.clone().gather(1, taken).reshape([b]) - rewards.clone())
                .square()
                .mean();
            let l = l1 + l2;
            critic_loss = Some(match critic_loss {
                Some(t) => t + l,
                None => l,
            });
            // The actor's target: the batch mean of the smaller score, per level.
            soft_q.push(q1.detach().min_pair(q2.detach()).mean_dim(0));
        }
        let critic_loss = critic_loss.expect("at least one knob").div_scalar(k as f32);
        let grads = GradientsParams::from_grads(critic_loss.backward(), &self.critics);
        self.critics =
            self.critic_optim
                .step(self.params.learning_rate, self.critics.clone(), grads);

        // Actor: Σₖ Σₐ πₖ(a) (αₖ ln πₖ(a) − Q̄ₖ(a)), exact over each head's levels.
        let outs = self.actor.forward(matrix(OBS.to_vec(), 1, OBS.len(), &dev));
        let mut actor_loss: Option<Tensor<1>> = None;
        let mut entropies = Vec::with_capacity(k);
        for (knob, (logits, q)) in outs.into_iter().zip(soft_q).enumerate() {
            let alpha = self.alpha(knob) as f32;
            let logp = log_softmax(logits, 1);
            let p = logp.clone().exp();
            let l = (p.clone() * (logp.clone().mul_scalar(alpha) - q)).sum();
            entropies.push(-(to_vec((p * logp).sum())[0] as f64));
            actor_loss = Some(match actor_loss {
                Some(t) => t + l,
                None => l,
            });
        }
        let actor_loss = actor_loss.expect("at least one knob");
        let actor_value = to_vec(actor_loss.clone())[0] as f64;
        let grads = GradientsParams::from_grads(actor_loss.backward(), &self.actor);
        self.actor = self
            .actor_optim
            .step(self.params.learning_rate, self.actor.clone(), grads);

        // Temperatures: gradient descent on αₖ·(Hₖ − H̄ₖ) in ln αₖ.
        if self.params.entropy_coefficient.is_none() {
            for (knob, h) in entropies.iter().enumerate() {
                let step = self.params.learning_rate * (h - self.target_entropy[knob]);
                self.log_alpha[knob] = (self.log_alpha[knob] - step).clamp(-20.0, 5.0);
            }
        }
        let q = to_vec(critic_loss)[0] as f64;
        [q, actor_value, entropies.iter().sum::<f64>()]
    }

    fn alpha(&self, knob: usize) -> f64 {
        self.params
            .entropy_coefficient
            .unwrap_or_else(|| self.log_alpha[knob].exp())
    }

    fn update(&mut self) {
        let t = Instant::now();
        let mut sums = [0.0; 3];
        for _ in 0..self.params.gradient_steps {
            let s = self.gradient_step();
            sums.iter_mut().zip(s).for_each(|(a, b)| *a += b);
        }
        let n = self.params.gradient_steps as f64;
        let alpha = (0..self.levels.len()).map(|k| self.alpha(k)).sum::<f64>()
            / self.levels.len().max(1) as f64;
        let s = &mut self.stats;
        *s.entry("updates".into()).or_default() += 1.0;
        s.insert("q_loss".into(), sums[0] / n);
        s.insert("actor_loss".into(), sums[1] / n);
        s.insert("entropy".into(), sums[2] / n);
        s.insert("alpha".into(), alpha);
        s.insert("update_ms".into(), millis(t));
        if let Some(path) = &self.params.save_policy {
            let ok = self.save_policy(path).is_ok();
            self.stats
                .insert("policy_saved".into(), if ok { 1.0 } else { 0.0 });
        }
    }
}

impl Agent for Sac {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        // A loaded prior is sampled from the start; a fresh actor waits for a warm replay.
        if self.params.load_policy.is_none() && self.inserted < self.params.min_replay_size {
            return (0..n).map(|_| self.space.sample(&mut self.rng)).collect();
        }
        let dist = self.actor.distribution(&self.layout, &OBS);
        (0..n)
            .map(|_| self.layout.decode(&dist.sample(&mut self.rng).0))
            .collect()
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        for e in evaluations {
            let r = self.shaper.shape(e);
            self.push(self.space.to_indices(&e.design), r);
            self.since_update += 1;
            if self.inserted >= self.params.min_replay_size
                && self.since_update >= self.params.steps_per_update
            {
                self.since_update = 0;
                self.update();
            }
        }
    }

    // Designs per ask (`batch`), not the gradient minibatch (`batch_size`).
    #[allow(clippy::misnamed_getters)]
    fn batch_size(&self) -> usize {
        self.params.batch
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        self.stats.clone()
    }
}
