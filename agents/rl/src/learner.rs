//! The parts every learner shares: PPO's hyperparameters, a policy trained by the clipped surrogate,
//! a value critic, generalised advantage estimation, reward shaping and policy files.
//!
//! Design exploration in ArchGym's formulation is one design per step and the observation (the last
//! design's metrics) does not depend on the action being chosen, so these learners observe a constant:
//! a policy is a learned distribution over designs, and its critic a learned baseline. With a
//! constant observation a discount above 0 only adds other actions' rewards to an action's return
//! (variance without signal), hence `discount` defaults to 0; GAE is kept for ArchGym parity.

use std::time::Instant;

use burn::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::store::ModuleRecord;
use gym::rng::Rng;
use gym::{Evaluation, ParamSpace};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::device::device;
use crate::nets::{ActionLayout, Distribution, Mlp, PolicyNet, matrix, to_vec, vector};
use agents::params::check_range;

/// PPO's hyperparameters, named as ArchGym's (ACME) PPO agent names them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PpoConfig {
    /// Adam step size of the policy and the critic (default 3e-3).
    pub learning_rate: f64,
    /// Weight of the entropy bonus (default 0.01).
    pub entropy_cost: f64,
    /// Weight of the value loss (default 0.5).
    pub value_cost: f64,
    /// PPO's ratio clip ε (default 0.2).
    pub ppo_clipping_epsilon: f64,
    /// Reward discount γ (default 0: see the module docs).
    pub discount: f64,
    /// GAE's λ (default 0.95).
    pub gae_lambda: f64,
    /// Designs per policy update (ACME's `unroll_length`; default 64).
    #[serde(alias = "unroll_length")]
    pub steps_per_update: usize,
    /// Passes over each batch (default 4).
    pub num_epochs: usize,
    /// Minibatches per pass (default 4).
    pub num_minibatches: usize,
    /// Gradient-norm clip (default 0.5).
    pub max_gradient_norm: f64,
    /// Standardise advantages per batch (default true).
    pub normalize_advantage: bool,
    /// Hidden layer widths of the policy torso and the critic (default [64, 64]).
    pub hidden: Vec<usize>,
    /// Gaussian heads for float knobs; false gives them categorical heads over their levels (default true).
    pub gaussian_floats: bool,
    /// Designs proposed per ask, evaluated in parallel by the runner (default 16).
    pub batch: usize,
    /// Reward given to infeasible or failed designs (default: the lowest reward seen so far).
    pub infeasible_reward: Option<f64>,
    /// A policy file (burn record) to start from, as a prior.
    pub load_policy: Option<String>,
    /// Where to write the policy (burn record) after every update.
    pub save_policy: Option<String>,
}

impl Default for PpoConfig {
    fn default() -> Self {
        PpoConfig {
            learning_rate: 3e-3,
            entropy_cost: 0.01,
            value_cost: 0.5,
            ppo_clipping_epsilon: 0.2,
            discount: 0.0,
            gae_lambda: 0.95,
            steps_per_update: 64,
            num_epochs: 4,
            num_minibatches: 4,
            max_gradient_norm: 0.5,
            normalize_advantage: true,
            hidden: vec![64, 64],
            gaussian_floats: true,
            batch: 16,
            infeasible_reward: None,
            load_policy: None,
            save_policy: None,
        }
    }
}

impl PpoConfig {
    pub fn validate(&self) -> Result<(), String> {
        check_range("learning_rate", self.learning_rate, 1e-8, 1.0)?;
        check_range("entropy_cost", self.entropy_cost, 0.0, 10.0)?;
        check_range("value_cost", self.value_cost, 0.0, 100.0)?;
        check_range("ppo_clipping_epsilon", self.ppo_clipping_epsilon, 1e-4, 1.0)?;
        check_range("discount", self.discount, 0.0, 1.0)?;
        check_range("gae_lambda", self.gae_lambda, 0.0, 1.0)?;
        check_range("steps_per_update", self.steps_per_update, 2, 1 << 20)?;
        check_range("num_epochs", self.num_epochs, 1, 1000)?;
        check_range(
            "num_minibatches",
            self.num_minibatches,
            1,
            self.steps_per_update,
        )?;
        check_range("max_gradient_norm", self.max_gradient_norm, 1e-6, 1e6)?;
        check_range("batch", self.batch, 1, 1 << 16)?;
        check_hidden(&self.hidden)?;
        if let Some(r) = self.infeasible_reward
            && !r.is_finite()
        {
            return Err(format!(
                "infeasible_reward: must be a finite number, got {r}"
            ));
        }
        Ok(())
    }
}

/// Hidden widths must be positive and few.
pub(crate) fn check_hidden(hidden: &[usize]) -> Result<(), String> {
    check_range("hidden (number of layers)", hidden.len(), 0, 8)?;
    for &w in hidden {
        check_range("hidden (layer width)", w, 1, 4096)?;
    }
    Ok(())
}

/// An Adam optimiser with gradient-norm clipping.
pub(crate) fn adam(max_gradient_norm: f64) -> ModuleOptimizer {
    AdamConfig::new()
        .with_grad_clipping(Some(GradientClippingConfig::Norm(max_gradient_norm as f32)))
        .init()
}

/// The constant observation policies see (see the module docs).
pub(crate) const OBS: [f32; 1] = [1.0];

/// What one policy update measured (means over minibatches).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyStats {
    pub policy_loss: f64,
    pub entropy: f64,
    pub approx_kl: f64,
    pub clip_fraction: f64,
}

/// A policy over an action layout, trained by PPO's clipped surrogate with an entropy bonus.
pub struct PolicyLearner {
    pub layout: ActionLayout,
    pub net: PolicyNet,
    optim: ModuleOptimizer,
}

impl PolicyLearner {
    pub fn new(space: &ParamSpace, cfg: &PpoConfig, rng: &mut Rng) -> Self {
        let layout = ActionLayout::new(space, cfg.gaussian_floats);
        let net = PolicyNet::new(OBS.len(), &cfg.hidden, &layout, rng, &device());
        PolicyLearner {
            layout,
            net,
            optim: adam(cfg.max_gradient_norm),
        }
    }

    pub fn distribution(&self) -> Distribution {
        self.net.distribution(&self.layout, &OBS)
    }

    /// `num_epochs` passes of `num_minibatches` clipped-surrogate steps over one batch.
    pub fn update(
        &mut self,
        actions: &[Vec<f32>],
        old_logp: &[f32],
        adv: &[f32],
        cfg: &PpoConfig,
        rng: &mut Rng,
    ) -> PolicyStats {
        let dev = device();
        let eps = cfg.ppo_clipping_epsilon as f32;
        let mut sums = PolicyStats::default();
        let mut steps = 0.0;
        for_minibatches(actions.len(), cfg, rng, |mb| {
            let b = mb.len();
            let acts: Vec<Vec<f32>> = mb.iter().map(|&i| actions[i].clone()).collect();
            let old = vector(mb.iter().map(|&i| old_logp[i]).collect(), &dev);
            let a = vector(mb.iter().map(|&i| adv[i]).collect(), &dev);
            // One observation row for the whole minibatch: the observation is constant.
            let obs = matrix(OBS.to_vec(), 1, OBS.len(), &dev);
            let lp = self.net.log_probs(&self.layout, obs, &acts);
            let log_ratio = lp.log_prob - old;
            let ratio = log_ratio.clone().exp();
            let unclipped = ratio.clone() * a.clone();
            let clipped = ratio.clone().clamp(1.0 - eps, 1.0 + eps) * a;
            let surrogate = unclipped.min_pair(clipped).mean().neg();
            let entropy = lp.entropy.mean();
            let loss = surrogate.clone() - entropy.clone().mul_scalar(cfg.entropy_cost as f32);
            let grads = GradientsParams::from_grads(loss.backward(), &self.net);
            self.net = self.optim.step(cfg.learning_rate, self.net.clone(), grads);
            let r = to_vec(ratio);
            let lr = to_vec(log_ratio);
            sums.policy_loss += to_vec(surrogate)[0] as f64;
            sums.entropy += to_vec(entropy)[0] as f64;
            // Schulman's low-variance KL estimator, (r − 1) − ln r.
            sums.approx_kl += r
                .iter()
                .zip(&lr)
                .map(|(r, l)| (r - 1.0 - l) as f64)
                .sum::<f64>()
                / b as f64;
            sums.clip_fraction +=
                r.iter().filter(|r| (**r - 1.0).abs() > eps).count() as f64 / b as f64;
            steps += 1.0;
        });
        PolicyStats {
            policy_loss: sums.policy_loss / steps,
            entropy: sums.entropy / steps,
            approx_kl: sums.approx_kl / steps,
            clip_fraction: sums.clip_fraction / steps,
        }
    }
}

/// Calls `f` with the indices of each minibatch of each epoch (a fresh shuffle per epoch).
pub(crate) fn for_minibatches(
    n: usize,
    cfg: &PpoConfig,
    rng: &mut Rng,
    mut f: impl FnMut(&[usize]),
) {
    let mut order: Vec<usize> = (0..n).collect();
    let size = n.div_ceil(cfg.num_minibatches.min(n).max(1));
    for _ in 0..cfg.num_epochs {
        order.shuffle(rng);
        for mb in order.chunks(size) {
            f(mb);
        }
    }
}

/// A state-value critic `V(x)` fitted by least squares.
pub struct Critic {
    pub net: Mlp,
    inputs: usize,
    optim: ModuleOptimizer,
}

impl Critic {
    pub fn new(inputs: usize, cfg: &PpoConfig, rng: &mut Rng) -> Self {
        Critic {
            net: Mlp::new(inputs, &cfg.hidden, 1, 1.0, rng, &device()),
            inputs,
            optim: adam(cfg.max_gradient_norm),
        }
    }

    pub fn predict(&self, xs: &[Vec<f32>]) -> Vec<f32> {
        let all: Vec<usize> = (0..xs.len()).collect();
        to_vec(self.forward(xs, &all).detach())
    }

    /// `V` of the rows `xs[i]` for `i` in `rows`; identical rows (a constant observation) are
    /// computed once and broadcast.
    fn forward(&self, xs: &[Vec<f32>], rows: &[usize]) -> Tensor<1> {
        let b = rows.len();
        if rows.iter().all(|&i| xs[i] == xs[rows[0]]) {
            let x = matrix(xs[rows[0]].clone(), 1, self.inputs, &device());
            self.net.forward(x).reshape([1]).expand([b])
        } else {
            let x = matrix(
                rows.iter().flat_map(|&i| xs[i].iter().copied()).collect(),
                b,
                self.inputs,
                &device(),
            );
            self.net.forward(x).reshape([b])
        }
    }

    /// PPO's value loss over minibatch epochs; returns its mean.
    pub fn fit(&mut self, xs: &[Vec<f32>], targets: &[f32], cfg: &PpoConfig, rng: &mut Rng) -> f64 {
        let dev = device();
        let (mut sum, mut steps) = (0.0, 0.0);
        for_minibatches(xs.len(), cfg, rng, |mb| {
            let y = vector(mb.iter().map(|&i| targets[i]).collect(), &dev);
            let loss = (self.forward(xs, mb) - y).square().mean();
            let weighted = loss.clone().mul_scalar(cfg.value_cost as f32);
            let grads = GradientsParams::from_grads(weighted.backward(), &self.net);
            self.net = self.optim.step(cfg.learning_rate, self.net.clone(), grads);
            sum += to_vec(loss)[0] as f64;
            steps += 1.0;
        });
        sum / steps
    }
}

/// Generalised advantage estimation over one stream of steps (no episode ends inside the batch);
/// `values[t]` is V of step t's state and `last_value` bootstraps after the last step. Returns
/// advantages and value targets (advantage + value).
pub fn gae(
    rewards: &[f32],
    values: &[f32],
    last_value: f32,
    discount: f32,
    lambda: f32,
) -> (Vec<f32>, Vec<f32>) {
    let n = rewards.len();
    let mut adv = vec![0.0; n];
    let mut next_adv = 0.0;
    for t in (0..n).rev() {
        let next_value = if t + 1 < n { values[t + 1] } else { last_value };
        let delta = rewards[t] + discount * next_value - values[t];
        next_adv = delta + discount * lambda * next_adv;
        adv[t] = next_adv;
    }
    let targets = adv.iter().zip(values).map(|(a, v)| a + v).collect();
    (adv, targets)
}

/// Standardises advantages in place (no-op for fewer than two).
pub fn standardise(x: &mut [f32]) {
    let n = x.len() as f32;
    if x.len() < 2 {
        return;
    }
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
    let sd = var.sqrt().max(1e-6);
    x.iter_mut().for_each(|v| *v = (*v - mean) / sd);
}

/// Turns evaluations into learning signals: non-finite rewards (infeasible or failed designs) become
/// `infeasible_reward` or the lowest reward seen so far, then rewards are standardised by running
/// statistics so that one learning rate suits every objective's scale.
#[derive(Clone, Debug)]
pub struct RewardShaper {
    infeasible_reward: Option<f64>,
    lowest: Option<f64>,
    count: f64,
    mean: f64,
    m2: f64,
}

impl RewardShaper {
    pub fn new(infeasible_reward: Option<f64>) -> Self {
        RewardShaper {
            infeasible_reward,
            lowest: None,
            count: 0.0,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// The reward of `e` after infeasibility filling and standardisation.
    pub fn shape(&mut self, e: &Evaluation) -> f32 {
        let r = if e.is_ok() {
            self.lowest = Some(self.lowest.map_or(e.reward, |l| l.min(e.reward)));
            e.reward
        } else {
            self.infeasible_reward.or(self.lowest).unwrap_or(0.0)
        };
        self.count += 1.0;
        let d = r - self.mean;
        self.mean += d / self.count;
        self.m2 += d * (r - self.mean);
        let sd = if self.count < 2.0 {
            1.0
        } else {
            (self.m2 / self.count).sqrt().max(1e-9)
        };
        ((r - self.mean) / sd) as f32
    }
}

/// Errors writing or reading policy files.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PolicyFileError {
    #[error("policy file `{path}`: {message}")]
    Record { path: String, message: String },
}

/// Writes a module's parameters as a burn record.
pub fn save_module<M: Module>(module: M, path: &str) -> Result<(), PolicyFileError> {
    module
        .into_record()
        .save(path)
        .map_err(|e| PolicyFileError::Record {
            path: path.to_string(),
            message: e.to_string(),
        })
}

/// Loads a burn record into `module` (shapes must match the module's).
pub fn load_module<M: Module>(module: M, path: &str) -> Result<M, PolicyFileError> {
    let err = |e: burn::store::RecordError| PolicyFileError::Record {
        path: path.to_string(),
        message: e.to_string(),
    };
    let record = ModuleRecord::load(path).map_err(err)?;
    module.try_load_record(record).map_err(err)
}

/// Milliseconds since `t`.
pub(crate) fn millis(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}
