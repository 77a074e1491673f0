//! Multi-agent RL over a [`gym::ParallelEnv`] formulation: the knobs are split among agents (by
//! default one agent per knob, the MARL paper's decentralised formulation), each agent is its own PPO
//! learner over its sub-space, and all agents share the team reward.
//!
//! The critic is either decentralised (independent PPO: each agent has its own value baseline) or
//! centralised (MAPPO): one critic shared by all agents that sees the other agents' joint choice and
//! the agent's identity, `V(a₋ᵢ, i)`, a baseline that removes the other agents' share of the team
//! reward from each agent's advantage.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use agents::AgentParams;
use agents::params::check_range;
use gym::rng::{Rng, seeded};
use gym::{Agent, AgentError, Design, Evaluation, ParamSpace};
use serde::{Deserialize, Serialize};

use crate::learner::{
    Critic, OBS, PolicyFileError, PolicyLearner, PpoConfig, RewardShaper, gae, load_module, millis,
    save_module, standardise,
};
use crate::nets::{PolicyNet, index_onehot};
use crate::ppo::bad_params;

/// Which value baseline the agents learn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriticKind {
    /// One critic per agent on its own observation (independent PPO).
    Decentralised,
    /// One critic for all agents on the joint choice of the others and the agent's identity (MAPPO).
    Centralised,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Knob groups, one agent each (e.g. `[["PagePolicy"], ["Scheduler", "SchedulerBuffer"]]`); every
    /// knob in exactly one group. Empty (default): one agent per knob.
    pub groups: Vec<Vec<String>>,
    /// `decentralised` (default, independent PPO) or `centralised` (MAPPO).
    pub critic: CriticKind,
    /// Every agent's PPO hyperparameters (`load_policy` / `save_policy` name the team's policy file).
    pub ppo: PpoConfig,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            groups: Vec::new(),
            critic: CriticKind::Decentralised,
            ppo: PpoConfig::default(),
        }
    }
}

impl AgentParams for Params {
    fn validate(&self) -> Result<(), String> {
        for (i, g) in self.groups.iter().enumerate() {
            check_range(
                &format!("groups[{i}] (number of knobs)"),
                g.len(),
                1,
                usize::MAX,
            )?;
        }
        self.ppo.validate().map_err(|e| format!("ppo.{e}"))
    }
}

/// Knob indices per agent, and agent names (the knob names, joined by `+`).
pub fn resolve_groups(
    space: &ParamSpace,
    groups: &[Vec<String>],
) -> Result<(Vec<Vec<usize>>, Vec<String>), String> {
    if groups.is_empty() {
        return Ok((
            (0..space.len()).map(|i| vec![i]).collect(),
            space.names().map(String::from).collect(),
        ));
    }
    let mut owner = vec![false; space.len()];
    let mut idx = Vec::new();
    for g in groups {
        let mut ids = Vec::new();
        for k in g {
            let i = space.index_of(k).map_err(|e| format!("groups: {e}"))?;
            if std::mem::replace(&mut owner[i], true) {
                return Err(format!("groups: knob `{k}` is in two groups"));
            }
            ids.push(i);
        }
        idx.push(ids);
    }
    if let Some(i) = owner.iter().position(|o| !o) {
        return Err(format!(
            "groups: knob `{}` belongs to no group",
            space.params()[i].name
        ));
    }
    Ok((idx, groups.iter().map(|g| g.join("+")).collect()))
}

enum Critics {
    Decentralised(Vec<Critic>),
    Centralised(Critic),
}

/// One joint step asked for and not yet told: the joint design, and per agent its action and
/// log-probability.
struct PendingStep {
    design: Design,
    actions: Vec<Vec<f32>>,
    log_probs: Vec<f32>,
}

#[derive(Default)]
struct Rollout {
    /// Joint index vectors (the centralised critic's input).
    joint: Vec<Vec<usize>>,
    /// `[agent][step]`.
    actions: Vec<Vec<Vec<f32>>>,
    log_probs: Vec<Vec<f32>>,
    rewards: Vec<f32>,
}

pub struct Marl {
    params: Params,
    rng: Rng,
    space: ParamSpace,
    groups: Vec<Vec<usize>>,
    names: Vec<String>,
    levels: Vec<usize>,
    learners: Vec<PolicyLearner>,
    critics: Critics,
    shaper: RewardShaper,
    pending: VecDeque<PendingStep>,
    rollout: Rollout,
    stats: BTreeMap<String, f64>,
}

impl Marl {
    pub fn new(space: &ParamSpace, params: Params, seed: u64) -> Result<Self, AgentError> {
        let (groups, names) =
            resolve_groups(space, &params.groups).map_err(|e| bad_params("marl", e))?;
        let mut rng = seeded(seed);
        let mut learners: Vec<PolicyLearner> = groups
            .iter()
            .map(|g| PolicyLearner::new(&space.subspace(g), &params.ppo, &mut rng))
            .collect();
        let levels = space.levels();
        let critics = match params.critic {
            CriticKind::Decentralised => Critics::Decentralised(
                groups
                    .iter()
                    .map(|_| Critic::new(OBS.len(), &params.ppo, &mut rng))
                    .collect(),
            ),
            CriticKind::Centralised => Critics::Centralised(Critic::new(
                levels.iter().sum::<usize>() + groups.len(),
                &params.ppo,
                &mut rng,
            )),
        };
        if let Some(path) = &params.ppo.load_policy {
            let nets: Vec<PolicyNet> = learners.iter().map(|l| l.net.clone()).collect();
            let nets = load_module(nets, path).map_err(|e| bad_params("marl", e))?;
            for (l, n) in learners.iter_mut().zip(nets) {
                l.net = n;
            }
        }
        let n = groups.len();
        Ok(Marl {
            shaper: RewardShaper::new(params.ppo.infeasible_reward),
            params,
            rng,
            space: space.clone(),
            groups,
            names,
            levels,
            learners,
            critics,
            pending: VecDeque::new(),
            rollout: Rollout {
                actions: vec![Vec::new(); n],
                log_probs: vec![Vec::new(); n],
                ..Default::default()
            },
            stats: BTreeMap::new(),
        })
    }

    /// Agent names, in agent order (for a `DesignParallelEnv` with the same groups).
    pub fn agents(&self) -> &[String] {
        &self.names
    }

    /// Writes every agent's policy as one burn record (load it with `ppo.load_policy`).
    pub fn save_policy(&self, path: &str) -> Result<(), PolicyFileError> {
        save_module(
            self.learners
                .iter()
                .map(|l| l.net.clone())
                .collect::<Vec<_>>(),
            path,
        )
    }

    /// One joint action as a parallel environment takes it: each agent's sub-design, by agent name.
    /// Report its team reward with [`Marl::observe`].
    pub fn act(&mut self) -> BTreeMap<String, Design> {
        let step = self.sample_step();
        let out = self
            .names
            .iter()
            .zip(&self.learners)
            .zip(&step.actions)
            .map(|((n, l), a)| (n.clone(), l.layout.decode(a)))
            .collect();
        self.pending.push_back(step);
        out
    }

    /// The team reward of the oldest joint action from [`Marl::act`] (a step of a parallel environment).
    pub fn observe(&mut self, team_reward: f64) {
        if let Some(step) = self.pending.pop_front() {
            let e = Evaluation {
                design: step.design.clone(),
                metrics: None,
                reward: team_reward,
                costs: Vec::new(),
                feasible: true,
                error: None,
            };
            self.record(step, &e);
        }
    }

    fn sample_step(&mut self) -> PendingStep {
        let mut design = self.space.default_design();
        let mut actions = Vec::with_capacity(self.learners.len());
        let mut log_probs = Vec::with_capacity(self.learners.len());
        for (l, g) in self.learners.iter().zip(&self.groups) {
            let (a, lp) = l.distribution().sample(&mut self.rng);
            for (k, v) in g.iter().zip(l.layout.decode(&a).0) {
                design.0[*k] = v;
            }
            actions.push(a);
            log_probs.push(lp);
        }
        PendingStep {
            design,
            actions,
            log_probs,
        }
    }

    /// The step for a design the agents did not ask for: each agent's part, encoded.
    fn encode_step(&self, design: &Design) -> PendingStep {
        let mut actions = Vec::new();
        let mut log_probs = Vec::new();
        for (l, g) in self.learners.iter().zip(&self.groups) {
            let part = Design(g.iter().map(|&k| design[k]).collect());
            let a = l.layout.encode(&part);
            log_probs.push(l.distribution().log_prob(&a));
            actions.push(a);
        }
        PendingStep {
            design: design.clone(),
            actions,
            log_probs,
        }
    }

    fn record(&mut self, step: PendingStep, e: &Evaluation) {
        let r = self.shaper.shape(e);
        self.rollout.joint.push(self.space.to_indices(&step.design));
        for (i, (a, lp)) in step.actions.into_iter().zip(step.log_probs).enumerate() {
            self.rollout.actions[i].push(a);
            self.rollout.log_probs[i].push(lp);
        }
        self.rollout.rewards.push(r);
        if self.rollout.rewards.len() >= self.params.ppo.steps_per_update {
            self.update();
        }
    }

    /// The critic's input for agent `i` at a joint choice.
    fn critic_input(&self, i: usize, joint: &[usize]) -> Vec<f32> {
        match self.critics {
            Critics::Decentralised(_) => OBS.to_vec(),
            Critics::Centralised(_) => {
                let mut x = index_onehot(&self.levels, joint, &self.groups[i]);
                x.extend((0..self.groups.len()).map(|j| if i == j { 1.0 } else { 0.0 }));
                x
            }
        }
    }

    fn update(&mut self) {
        let t = Instant::now();
        let n_agents = self.learners.len();
        let fresh = Rollout {
            actions: vec![Vec::new(); n_agents],
            log_probs: vec![Vec::new(); n_agents],
            ..Default::default()
        };
        let r = std::mem::replace(&mut self.rollout, fresh);
        let cfg = self.params.ppo.clone();
        let (mut inputs, mut targets) = (Vec::new(), Vec::new());
        let (mut loss, mut entropy, mut kl, mut clip) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..n_agents {
            let x: Vec<Vec<f32>> = r.joint.iter().map(|j| self.critic_input(i, j)).collect();
            let values = match &self.critics {
                Critics::Decentralised(c) => c[i].predict(&x),
                Critics::Centralised(c) => c.predict(&x),
            };
            let last = *values.last().expect("non-empty rollout");
            let (mut adv, tgt) = gae(
                &r.rewards,
                &values,
                last,
                cfg.discount as f32,
                cfg.gae_lambda as f32,
            );
            if cfg.normalize_advantage {
                standardise(&mut adv);
            }
            let p =
                self.learners[i].update(&r.actions[i], &r.log_probs[i], &adv, &cfg, &mut self.rng);
            (loss, entropy, kl, clip) = (
                loss + p.policy_loss,
                entropy + p.entropy,
                kl + p.approx_kl,
                clip + p.clip_fraction,
            );
            inputs.push(x);
            targets.push(tgt);
        }
        let value_loss = match &mut self.critics {
            Critics::Decentralised(cs) => {
                let mut sum = 0.0;
                for (c, (x, y)) in cs.iter_mut().zip(inputs.iter().zip(&targets)) {
                    sum += c.fit(x, y, &cfg, &mut self.rng);
                }
                sum / n_agents as f64
            }
            Critics::Centralised(c) => {
                c.fit(&inputs.concat(), &targets.concat(), &cfg, &mut self.rng)
            }
        };
        let n = n_agents as f64;
        let s = &mut self.stats;
        *s.entry("updates".into()).or_default() += 1.0;
        s.insert("policy_loss".into(), loss / n);
        s.insert("value_loss".into(), value_loss);
        s.insert("entropy".into(), entropy / n);
        s.insert("approx_kl".into(), kl / n);
        s.insert("clip_fraction".into(), clip / n);
        s.insert("agents".into(), n);
        s.insert("update_ms".into(), millis(t));
        if let Some(path) = &self.params.ppo.save_policy {
            let ok = self.save_policy(path).is_ok();
            self.stats
                .insert("policy_saved".into(), if ok { 1.0 } else { 0.0 });
        }
    }
}

impl Agent for Marl {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        // Designs of an earlier ask that were never told (a run cut short) are forgotten.
        self.pending.clear();
        (0..n)
            .map(|_| {
                let step = self.sample_step();
                let d = step.design.clone();
                self.pending.push_back(step);
                d
            })
            .collect()
    }

    fn tell(&mut self, evaluations: &[Evaluation]) {
        for e in evaluations {
            let step = match self.pending.front() {
                Some(s) if s.design == e.design => self.pending.pop_front().expect("front exists"),
                _ => self.encode_step(&e.design),
            };
            self.record(step, e);
        }
    }

    fn batch_size(&self) -> usize {
        self.params.ppo.batch
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        self.stats.clone()
    }
}
