//! PettingZoo-style parallel multi-agent environments. [`DesignParallelEnv`] splits a simulator's knobs
//! among agents (by default one agent per knob, the MARL paper's formulation): each step every agent
//! picks values for its own knobs, the joint design is evaluated once and all agents share the reward.

use std::collections::BTreeMap;
use std::fmt::Debug;

use crate::env::{BoxSpace, DEFAULT_HORIZON, EnvCheckError, Info, Space, evaluate_for_env};
use crate::objective::Objective;
use crate::rng::seeded;
use crate::sim::Simulator;
use crate::space::{Design, ParamSpace, SpaceError};

/// What one [`ParallelEnv::step`] returns: a dict per field keyed by agent name, as PettingZoo's.
#[derive(Clone, Debug, PartialEq)]
pub struct ParallelStep<O> {
    pub obs: BTreeMap<String, O>,
    pub rewards: BTreeMap<String, f64>,
    pub terminations: BTreeMap<String, bool>,
    pub truncations: BTreeMap<String, bool>,
    pub infos: BTreeMap<String, Info>,
}

/// A PettingZoo parallel-API environment: all agents act at once.
pub trait ParallelEnv {
    type Obs: Clone + Debug + PartialEq;
    type Action: Clone + Debug;

    /// Agent names, in a fixed order.
    fn agents(&self) -> &[String];
    fn observation_space(&self, agent: &str) -> &dyn Space<Self::Obs>;
    fn action_space(&self, agent: &str) -> &dyn Space<Self::Action>;
    fn reset(&mut self, seed: Option<u64>)
    -> (BTreeMap<String, Self::Obs>, BTreeMap<String, Info>);
    /// `actions` must hold one action per agent.
    fn step(&mut self, actions: &BTreeMap<String, Self::Action>) -> ParallelStep<Self::Obs>;
}

/// One agent per group of knobs; every agent observes the joint design's metrics and gets the team
/// reward. An agent's action is a design of its own sub-space (its knobs, in group order).
pub struct DesignParallelEnv<S> {
    sim: S,
    objective: Objective,
    agents: Vec<String>,
    groups: Vec<Vec<usize>>,
    subspaces: Vec<ParamSpace>,
    obs_space: BoxSpace,
    horizon: usize,
    infeasible_reward: f64,
    steps: usize,
}

impl<S: Simulator> DesignParallelEnv<S> {
    /// One agent per knob, named after it.
    pub fn new(sim: S, objective: Objective) -> Self {
        let groups: Vec<(String, Vec<String>)> = sim
            .space()
            .names()
            .map(|n| (n.to_string(), vec![n.to_string()]))
            .collect();
        Self::with_groups(sim, objective, groups).expect("every knob of the space exists")
    }

    /// Agents named by `groups`, each owning the listed knobs. Every knob must belong to exactly one group.
    pub fn with_groups(
        sim: S,
        objective: Objective,
        groups: Vec<(String, Vec<String>)>,
    ) -> Result<Self, SpaceError> {
        let space = sim.space();
        let mut owner = vec![None; space.len()];
        let mut idx_groups = Vec::new();
        for (g, (_, knobs)) in groups.iter().enumerate() {
            let mut idx = Vec::new();
            for k in knobs {
                let i = space.index_of(k)?;
                if owner[i].replace(g).is_some() {
                    return Err(SpaceError::DuplicateParam(k.clone()));
                }
                idx.push(i);
            }
            idx_groups.push(idx);
        }
        if let Some(i) = owner.iter().position(Option::is_none) {
            return Err(SpaceError::InvalidDomain {
                param: space.params()[i].name.clone(),
                reason: "belongs to no agent group".into(),
            });
        }
        let subspaces = idx_groups.iter().map(|g| space.subspace(g)).collect();
        let obs_space = BoxSpace::unbounded(sim.metrics().len());
        Ok(DesignParallelEnv {
            sim,
            objective,
            agents: groups.into_iter().map(|(n, _)| n).collect(),
            groups: idx_groups,
            subspaces,
            obs_space,
            horizon: DEFAULT_HORIZON,
            infeasible_reward: -1.0,
            steps: 0,
        })
    }

    pub fn with_horizon(mut self, horizon: usize) -> Self {
        self.horizon = horizon.max(1);
        self
    }

    /// The knob indices each agent owns, in agent order.
    pub fn groups(&self) -> &[Vec<usize>] {
        &self.groups
    }

    pub fn simulator(&self) -> &S {
        &self.sim
    }

    /// Assembles the joint design from per-agent sub-designs.
    pub fn joint_design(&self, actions: &BTreeMap<String, Design>) -> Result<Design, SpaceError> {
        let mut d = self.sim.space().default_design();
        for (a, group) in self.agents.iter().zip(&self.groups) {
            let part = actions.get(a).ok_or_else(|| SpaceError::UnknownParam {
                name: format!("action for agent `{a}`"),
                known: self.agents.join(", "),
            })?;
            if part.len() != group.len() {
                return Err(SpaceError::WrongLength {
                    expected: group.len(),
                    got: part.len(),
                });
            }
            for (k, &i) in group.iter().enumerate() {
                d.0[i] = part[k];
            }
        }
        Ok(d)
    }

    fn agent_index(&self, agent: &str) -> usize {
        self.agents
            .iter()
            .position(|a| a == agent)
            .unwrap_or_else(|| panic!("unknown agent `{agent}`"))
    }

    fn per_agent<T: Clone>(&self, x: T) -> BTreeMap<String, T> {
        self.agents.iter().map(|a| (a.clone(), x.clone())).collect()
    }
}

impl<S: Simulator> ParallelEnv for DesignParallelEnv<S> {
    type Obs = Vec<f64>;
    type Action = Design;

    fn agents(&self) -> &[String] {
        &self.agents
    }
    fn observation_space(&self, _agent: &str) -> &dyn Space<Vec<f64>> {
        &self.obs_space
    }
    fn action_space(&self, agent: &str) -> &dyn Space<Design> {
        &self.subspaces[self.agent_index(agent)]
    }
    fn reset(
        &mut self,
        _seed: Option<u64>,
    ) -> (BTreeMap<String, Vec<f64>>, BTreeMap<String, Info>) {
        self.steps = 0;
        (
            self.per_agent(vec![0.0; self.sim.metrics().len()]),
            self.per_agent(Info::new()),
        )
    }
    fn step(&mut self, actions: &BTreeMap<String, Design>) -> ParallelStep<Vec<f64>> {
        self.steps += 1;
        let (obs, reward, met, info) = match self.joint_design(actions) {
            Ok(d) => evaluate_for_env(&self.sim, &self.objective, &d, self.infeasible_reward),
            Err(e) => {
                let mut info = Info::new();
                info.insert("error".into(), serde_json::json!(e.to_string()));
                (
                    vec![0.0; self.sim.metrics().len()],
                    self.infeasible_reward,
                    false,
                    info,
                )
            }
        };
        ParallelStep {
            obs: self.per_agent(obs),
            rewards: self.per_agent(reward),
            terminations: self.per_agent(met),
            truncations: self.per_agent(self.steps >= self.horizon),
            infos: self.per_agent(info),
        }
    }
}

/// PettingZoo's `parallel_api_test`, for hwgym: every agent gets observations inside its space, rewards
/// are numbers, every dict has one entry per agent, and replaying the same actions from `reset(seed)`
/// gives the same trajectory.
pub fn check_parallel_env<E: ParallelEnv>(
    env: &mut E,
    seed: u64,
    steps: usize,
) -> Result<(), EnvCheckError> {
    let fail = |m: String| Err(EnvCheckError(m));
    let mut rng = seeded(seed);
    let (obs0, infos0) = env.reset(Some(seed));
    let agents: Vec<String> = env.agents().to_vec();
    if agents.is_empty() {
        return fail("no agents".into());
    }
    for a in &agents {
        match obs0.get(a) {
            Some(o) if env.observation_space(a).contains(o) => {}
            other => {
                return fail(format!(
                    "reset: agent `{a}` observation {other:?} missing or outside its space"
                ));
            }
        }
        if !infos0.contains_key(a) {
            return fail(format!("reset: no info for agent `{a}`"));
        }
    }
    let mut history = Vec::new();
    let mut resets = Vec::new();
    for i in 0..steps {
        let actions: BTreeMap<String, E::Action> = agents
            .iter()
            .map(|a| (a.clone(), env.action_space(a).sample(&mut rng)))
            .collect();
        let s = env.step(&actions);
        for a in &agents {
            let ok = s
                .obs
                .get(a)
                .is_some_and(|o| env.observation_space(a).contains(o))
                && s.rewards.get(a).is_some_and(|r| !r.is_nan())
                && s.terminations.contains_key(a)
                && s.truncations.contains_key(a)
                && s.infos.contains_key(a);
            if !ok {
                return fail(format!(
                    "step {i}: agent `{a}` has a missing or invalid entry"
                ));
            }
        }
        let done = agents.iter().any(|a| s.terminations[a] || s.truncations[a]);
        history.push((actions, outcome_key(&agents, &s), s.obs));
        if done {
            env.reset(None);
            resets.push(i);
        }
    }
    env.reset(Some(seed));
    for (i, (actions, key, obs)) in history.iter().enumerate() {
        let s = env.step(actions);
        if &outcome_key(&agents, &s) != key || &s.obs != obs {
            return fail(format!("step {i} differs on replay under seed {seed}"));
        }
        if resets.contains(&i) {
            env.reset(None);
        }
    }
    Ok(())
}

/// Rewards (bitwise) and episode flags per agent, for exact replay comparison.
fn outcome_key<O>(agents: &[String], s: &ParallelStep<O>) -> Vec<(u64, bool, bool)> {
    agents
        .iter()
        .map(|a| (s.rewards[a].to_bits(), s.terminations[a], s.truncations[a]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::ObjectiveSpec;
    use crate::testing::MixedQuadratic;

    #[test]
    fn one_agent_per_knob_passes_check() {
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            minimize: Some("loss".into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let n = sim.space().len();
        let mut env = DesignParallelEnv::new(sim, obj).with_horizon(5);
        assert_eq!(env.agents().len(), n);
        check_parallel_env(&mut env, 11, 20).unwrap();
    }

    #[test]
    fn groups_must_cover_every_knob_once() {
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            minimize: Some("loss".into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let names: Vec<String> = sim.space().names().map(String::from).collect();
        let groups = vec![
            ("a".to_string(), names[..2].to_vec()),
            ("b".to_string(), names[2..].to_vec()),
        ];
        let mut env =
            DesignParallelEnv::with_groups(MixedQuadratic::new(), obj.clone(), groups).unwrap();
        assert_eq!(env.groups()[0], vec![0, 1]);
        check_parallel_env(&mut env, 2, 10).unwrap();
        let partial = vec![("a".to_string(), names[..2].to_vec())];
        assert!(DesignParallelEnv::with_groups(sim, obj, partial).is_err());
    }
}
