//! Gymnasium-like environments: spaces, the [`Env`] trait, [`DesignEnv`] (one step = one design, as
//! ArchGym formulates design-space exploration) and the [`check_env`] conformance check.

use std::collections::BTreeMap;
use std::fmt::Debug;

use rand::Rng as _;

use crate::objective::Objective;
use crate::rng::{Rng, seeded};
use crate::sim::{SimError, Simulator};
use crate::space::{Design, ParamSpace};

/// Auxiliary information returned with observations (metrics, errors, flags), as Gymnasium's `info`.
pub type Info = BTreeMap<String, serde_json::Value>;

/// A set of observations or actions.
pub trait Space<T> {
    fn contains(&self, x: &T) -> bool;
    fn sample(&self, rng: &mut Rng) -> T;
}

/// A box of real vectors, `low[i] <= x[i] <= high[i]` (bounds may be infinite; NaN is never inside).
#[derive(Clone, Debug, PartialEq)]
pub struct BoxSpace {
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

impl BoxSpace {
    pub fn unbounded(n: usize) -> Self {
        BoxSpace {
            low: vec![f64::NEG_INFINITY; n],
            high: vec![f64::INFINITY; n],
        }
    }
    pub fn unit(n: usize) -> Self {
        BoxSpace {
            low: vec![0.0; n],
            high: vec![1.0; n],
        }
    }
}

impl Space<Vec<f64>> for BoxSpace {
    fn contains(&self, x: &Vec<f64>) -> bool {
        x.len() == self.low.len()
            && x.iter()
                .zip(&self.low)
                .zip(&self.high)
                .all(|((v, l), h)| l <= v && v <= h)
    }
    fn sample(&self, rng: &mut Rng) -> Vec<f64> {
        self.low
            .iter()
            .zip(&self.high)
            .map(|(l, h)| {
                // Unbounded sides sample from a unit normal-ish range around the finite bound.
                let (l, h) = match (l.is_finite(), h.is_finite()) {
                    (true, true) => (*l, *h),
                    (true, false) => (*l, l + 1.0),
                    (false, true) => (h - 1.0, *h),
                    (false, false) => (-1.0, 1.0),
                };
                l + rng.random::<f64>() * (h - l)
            })
            .collect()
    }
}

/// `{0, …, n−1}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Discrete(pub usize);

impl Space<usize> for Discrete {
    fn contains(&self, x: &usize) -> bool {
        *x < self.0
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        rng.random_range(0..self.0)
    }
}

/// A vector of independent discrete choices, `x[i] < n[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiDiscrete(pub Vec<usize>);

impl Space<Vec<usize>> for MultiDiscrete {
    fn contains(&self, x: &Vec<usize>) -> bool {
        x.len() == self.0.len() && x.iter().zip(&self.0).all(|(v, n)| v < n)
    }
    fn sample(&self, rng: &mut Rng) -> Vec<usize> {
        self.0.iter().map(|n| rng.random_range(0..*n)).collect()
    }
}

/// A parameter space is the action space of design environments.
impl Space<Design> for ParamSpace {
    fn contains(&self, x: &Design) -> bool {
        self.check_domains(x).is_ok()
    }
    fn sample(&self, rng: &mut Rng) -> Design {
        ParamSpace::sample(self, rng)
    }
}

/// What one [`Env::step`] returns (Gymnasium's 5-tuple).
#[derive(Clone, Debug, PartialEq)]
pub struct Step<O> {
    pub obs: O,
    pub reward: f64,
    /// The episode reached a terminal state (for design environments: the target was met).
    pub terminated: bool,
    /// The episode was cut short (the horizon was reached).
    pub truncated: bool,
    pub info: Info,
}

/// A Gymnasium-style environment.
pub trait Env {
    type Obs: Clone + Debug + PartialEq;
    type Action: Clone + Debug;

    fn observation_space(&self) -> &dyn Space<Self::Obs>;
    fn action_space(&self) -> &dyn Space<Self::Action>;
    /// Starts a new episode. `Some(seed)` reseeds the environment's randomness.
    fn reset(&mut self, seed: Option<u64>) -> (Self::Obs, Info);
    fn step(&mut self, action: &Self::Action) -> Step<Self::Obs>;
}

/// Default episode length of design environments (ArchGym's DRAM environment uses 100 steps).
pub const DEFAULT_HORIZON: usize = 100;

/// Evaluates one design for an environment: observation (metric values in the simulator's metric
/// order; zeros when there are no metrics), reward, whether the target is met, and info.
pub(crate) fn evaluate_for_env<S: Simulator + ?Sized>(
    sim: &S,
    objective: &Objective,
    design: &Design,
    infeasible_reward: f64,
) -> (Vec<f64>, f64, bool, Info) {
    let mut info = Info::new();
    match sim.evaluate_checked(design) {
        Ok(m) => {
            let score = objective.score(&m);
            let obs = sim
                .metrics()
                .iter()
                .map(|s| m.get(&s.name).unwrap_or(0.0))
                .collect();
            for (k, v) in m.iter() {
                info.insert(k.to_string(), serde_json::json!(v));
            }
            info.insert("target_met".into(), serde_json::json!(score.target_met));
            let reward = if score.reward.is_nan() {
                infeasible_reward
            } else {
                score.reward
            };
            (obs, reward, score.target_met, info)
        }
        Err(e) => {
            info.insert("error".into(), serde_json::json!(e.to_string()));
            info.insert(
                "feasible".into(),
                serde_json::json!(!SimError::is_infeasible(&e)),
            );
            (
                vec![0.0; sim.metrics().len()],
                infeasible_reward,
                false,
                info,
            )
        }
    }
}

/// A simulator as an environment: each step evaluates one design (the action) and observes its
/// metrics. The episode terminates when an objective's target is met and is truncated at the horizon.
pub struct DesignEnv<S> {
    sim: S,
    objective: Objective,
    horizon: usize,
    infeasible_reward: f64,
    steps: usize,
    obs_space: BoxSpace,
}

impl<S: Simulator> DesignEnv<S> {
    pub fn new(sim: S, objective: Objective) -> Self {
        let n = sim.metrics().len();
        DesignEnv {
            sim,
            objective,
            horizon: DEFAULT_HORIZON,
            infeasible_reward: -1.0,
            steps: 0,
            obs_space: BoxSpace::unbounded(n),
        }
    }
    /// Steps per episode before truncation.
    pub fn with_horizon(mut self, horizon: usize) -> Self {
        self.horizon = horizon.max(1);
        self
    }
    /// Reward given for infeasible designs and failed evaluations (default −1; RL needs a finite value).
    pub fn with_infeasible_reward(mut self, r: f64) -> Self {
        self.infeasible_reward = r;
        self
    }
    pub fn simulator(&self) -> &S {
        &self.sim
    }
    pub fn objective(&self) -> &Objective {
        &self.objective
    }
}

impl<S: Simulator> Env for DesignEnv<S> {
    type Obs = Vec<f64>;
    type Action = Design;

    fn observation_space(&self) -> &dyn Space<Vec<f64>> {
        &self.obs_space
    }
    fn action_space(&self) -> &dyn Space<Design> {
        self.sim.space()
    }
    fn reset(&mut self, _seed: Option<u64>) -> (Vec<f64>, Info) {
        // Design environments have no hidden random state: the seed only matters to the agent.
        self.steps = 0;
        (vec![0.0; self.sim.metrics().len()], Info::new())
    }
    fn step(&mut self, action: &Design) -> Step<Vec<f64>> {
        self.steps += 1;
        let (obs, reward, met, info) =
            evaluate_for_env(&self.sim, &self.objective, action, self.infeasible_reward);
        Step {
            obs,
            reward,
            terminated: met,
            truncated: self.steps >= self.horizon,
            info,
        }
    }
}

/// A failed conformance check.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("environment check failed: {0}")]
pub struct EnvCheckError(pub String);

/// Gymnasium's `check_env`, for hwgym environments: runs `steps` random actions from `reset(seed)`,
/// checks that observations and actions lie in their spaces and rewards are numbers, then replays the
/// same actions from `reset(seed)` and checks the trajectory is identical (determinism under a seed).
pub fn check_env<E: Env>(env: &mut E, seed: u64, steps: usize) -> Result<(), EnvCheckError> {
    let fail = |m: String| Err(EnvCheckError(m));
    let mut rng = seeded(seed);
    let mut actions = Vec::with_capacity(steps);
    let mut first = Vec::with_capacity(steps);
    let (obs0, _) = env.reset(Some(seed));
    if !env.observation_space().contains(&obs0) {
        return fail(format!(
            "reset observation {obs0:?} is outside the observation space"
        ));
    }
    let mut resets = Vec::new();
    for i in 0..steps {
        let a = env.action_space().sample(&mut rng);
        if !env.action_space().contains(&a) {
            return fail(format!(
                "action space sampled {a:?}, which it does not contain"
            ));
        }
        let s = env.step(&a);
        if !env.observation_space().contains(&s.obs) {
            return fail(format!(
                "step {i}: observation {:?} is outside the observation space",
                s.obs
            ));
        }
        if s.reward.is_nan() {
            return fail(format!("step {i}: reward is NaN"));
        }
        let done = s.terminated || s.truncated;
        actions.push(a);
        first.push((s.obs, s.reward.to_bits(), s.terminated, s.truncated));
        if done {
            env.reset(None);
            resets.push(i);
        }
    }
    let (again, _) = env.reset(Some(seed));
    if again != obs0 {
        return fail(format!("reset({seed}) gave {obs0:?} then {again:?}"));
    }
    for (i, a) in actions.iter().enumerate() {
        let s = env.step(a);
        let got = (s.obs, s.reward.to_bits(), s.terminated, s.truncated);
        if got != first[i] {
            return fail(format!(
                "step {i} differs on replay under seed {seed}: {:?} vs {:?}",
                first[i], got
            ));
        }
        if resets.contains(&i) {
            env.reset(None);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::ObjectiveSpec;
    use crate::testing::MixedQuadratic;

    #[test]
    fn design_env_passes_check_env() {
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            minimize: Some("loss".into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let mut env = DesignEnv::new(sim, obj).with_horizon(7);
        check_env(&mut env, 3, 25).unwrap();
    }

    #[test]
    fn design_env_reports_target_and_horizon() {
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            target: Some([("loss".to_string(), 0.5)].into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let best = sim.optimum();
        let mut env = DesignEnv::new(sim, obj).with_horizon(2);
        env.reset(Some(0));
        let s = env.step(&best);
        assert!(s.terminated && !s.truncated);
        assert_eq!(s.info["target_met"], serde_json::json!(true));
        let s = env.step(&best);
        assert!(s.truncated);
    }

    #[test]
    fn check_env_catches_nondeterminism() {
        struct Flaky(u64);
        impl Env for Flaky {
            type Obs = Vec<f64>;
            type Action = usize;
            fn observation_space(&self) -> &dyn Space<Vec<f64>> {
                Box::leak(Box::new(BoxSpace::unbounded(1)))
            }
            fn action_space(&self) -> &dyn Space<usize> {
                &Discrete(3)
            }
            fn reset(&mut self, _: Option<u64>) -> (Vec<f64>, Info) {
                (vec![0.0], Info::new())
            }
            fn step(&mut self, _: &usize) -> Step<Vec<f64>> {
                self.0 += 1; // state leaks across resets
                Step {
                    obs: vec![self.0 as f64],
                    reward: 0.0,
                    terminated: false,
                    truncated: false,
                    info: Info::new(),
                }
            }
        }
        let e = check_env(&mut Flaky(0), 1, 3).unwrap_err();
        assert!(e.0.contains("differs on replay"), "{e}");
    }
}
