//! Proximal policy optimisation over a whole design (ArchGym's PPO agent, one step = one design), with
//! a multi-discrete policy: a categorical head per discrete knob (and Gaussian heads for float knobs)
//! instead of ArchGym's squashed continuous vector decoded by bins.
//!
//! `ask(n)` samples n designs from the current policy; `tell` stores the transitions and runs a PPO
//! update (GAE, clipped surrogate, entropy bonus, value loss, minibatch epochs) every
//! `steps_per_update` designs.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use agents::AgentParams;
use gym::rng::{Rng, seeded};
use gym::{Agent, AgentError, Design, Evaluation, ParamSpace};

use crate::learner::{
    Critic, OBS, PolicyFileError, PolicyLearner, PpoConfig, RewardShaper, gae, load_module, millis,
    save_module, standardise,
};

/// PPO's params are its learner's hyperparameters.
pub type Params = PpoConfig;

impl AgentParams for PpoConfig {
    fn validate(&self) -> Result<(), String> {
        PpoConfig::validate(self)
    }
}

/// Designs asked for and not yet told: the action and its log-probability under the sampling policy.
pub(crate) type Pending = VecDeque<(Design, Vec<f32>, f32)>;

/// Transitions since the last update.
#[derive(Default)]
struct Rollout {
    actions: Vec<Vec<f32>>,
    log_probs: Vec<f32>,
    rewards: Vec<f32>,
}

pub struct Ppo {
    params: Params,
    rng: Rng,
    policy: PolicyLearner,
    critic: Critic,
    shaper: RewardShaper,
    pending: Pending,
    rollout: Rollout,
    stats: BTreeMap<String, f64>,
}

impl Ppo {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Result<Self, AgentError> {
        let mut rng = seeded(seed);
        let mut policy = PolicyLearner::new(space, &params, &mut rng);
        let critic = Critic::new(OBS.len(), &params, &mut rng);
        if let Some(path) = &params.load_policy {
            policy.net = load_module(policy.net, path).map_err(|e| bad_params("ppo", e))?;
        }
        Ok(Ppo {
            shaper: RewardShaper::new(params.infeasible_reward),
            params,
            rng,
            policy,
            critic,
            pending: VecDeque::new(),
            rollout: Rollout::default(),
            stats: BTreeMap::new(),
        })
    }

    /// Writes the policy as a burn record (load it with the `load_policy` param).
    pub fn save_policy(&self, path: &str) -> Result<(), PolicyFileError> {
        save_module(self.policy.net.clone(), path)
    }

    /// The most likely design under the current policy.
    pub fn greedy_design(&self) -> Design {
        self.policy
            .layout
            .decode(&self.policy.distribution().mode())
    }

    fn update(&mut self) {
        let t = Instant::now();
        let r = std::mem::take(&mut self.rollout);
        let n = r.rewards.len();
        let obs = vec![OBS.to_vec(); n];
        let values = self.critic.predict(&obs);
        let (mut adv, targets) = gae(
            &r.rewards,
            &values,
            values[n - 1],
            self.params.discount as f32,
            self.params.gae_lambda as f32,
        );
        if self.params.normalize_advantage {
            standardise(&mut adv);
        }
        let p = self
            .policy
            .update(&r.actions, &r.log_probs, &adv, &self.params, &mut self.rng);
        let value_loss = self.critic.fit(&obs, &targets, &self.params, &mut self.rng);
        let s = &mut self.stats;
        *s.entry("updates".into()).or_default() += 1.0;
        s.insert("policy_loss".into(), p.policy_loss);
        s.insert("value_loss".into(), value_loss);
        s.insert("entropy".into(), p.entropy);
        s.insert("approx_kl".into(), p.approx_kl);
        s.insert("clip_fraction".into(), p.clip_fraction);
        s.insert("update_ms".into(), millis(t));
        if let Some(path) = &self.params.save_policy {
            let ok = self.save_policy(path).is_ok();
            self.stats
                .insert("policy_saved".into(), if ok { 1.0 } else { 0.0 });
        }
    }
}

pub(crate) fn bad_params(agent: &str, e: impl std::fmt::Display) -> AgentError {
    AgentError::BadParams {
        agent: agent.to_string(),
        message: e.to_string(),
    }
}

/// Takes the pending entry for `design` (in ask order), or encodes a design the agent did not ask for.
pub(crate) fn take_pending(
    pending: &mut Pending,
    design: &Design,
    encode: impl FnOnce() -> (Vec<f32>, f32),
) -> (Vec<f32>, f32) {
    match pending.front() {
        Some((d, _, _)) if d == design => {
            let (_, a, lp) = pending.pop_front().expect("front exists");
            (a, lp)
        }
        _ => encode(),
    }
}

impl Agent for Ppo {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        // Designs of an earlier ask that were never told (a run cut short) are forgotten.
        self.pending.clear();
        let dist = self.policy.distribution();
        (0..n)
            .map(|_| {
                let (a, lp) = dist.sample(&mut self.rng);
                let d = self.policy.layout.decode(&a);
                self.pending.push_back((d.clone(), a, lp));
                d
            })
            .collect()
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        for e in evaluations {
            let (a, lp) = take_pending(&mut self.pending, &e.design, || {
                let a = self.policy.layout.encode(&e.design);
                let lp = self.policy.distribution().log_prob(&a);
                (a, lp)
            });
            let r = self.shaper.shape(e);
            self.rollout.actions.push(a);
            self.rollout.log_probs.push(lp);
            self.rollout.rewards.push(r);
            if self.rollout.rewards.len() >= self.params.steps_per_update {
                self.update();
            }
        }
    }

    fn batch_size(&self) -> usize {
        self.params.batch
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        self.stats.clone()
    }
}
