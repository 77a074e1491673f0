//! Agents by name, for recipes and the CLI.

use gym::{Agent, AgentError, ParamSpace};

use crate::params::AgentParams;
use crate::{aco, bo, ga, nsga2, random_search, random_walk, sa, tpe};

/// One registered agent kind.
pub struct AgentInfo {
    pub kind: &'static str,
    pub description: &'static str,
    /// The default params, as JSON (for `hwgym list` and resolved specs).
    pub defaults: fn() -> serde_json::Value,
    /// Builds the agent from JSON params (`null` = defaults) and a seed.
    pub build: BuildAgent,
}

/// An agent's constructor from its space, JSON params and seed.
pub type BuildAgent =
    fn(&ParamSpace, &serde_json::Value, u64) -> Result<Box<dyn Agent>, AgentError>;

macro_rules! agent {
    ($kind:literal, $desc:literal, $params:ty, $ctor:expr) => {
        AgentInfo {
            kind: $kind,
            description: $desc,
            defaults: <$params as AgentParams>::defaults_json,
            build: |space, json, seed| {
                let p = <$params as AgentParams>::parse($kind, json)?;
                let ctor: fn(&ParamSpace, $params, u64) -> Result<Box<dyn Agent>, AgentError> =
                    $ctor;
                ctor(space, p, seed)
            },
        }
    };
}

/// Every agent hwgym ships.
pub const AGENTS: &[AgentInfo] = &[
    agent!(
        "random_search",
        "independent uniform samples (ArchGym's random walker, RW)",
        random_search::Params,
        |s, p, seed| Ok(Box::new(random_search::RandomSearch::new(s, p, seed)))
    ),
    agent!(
        "random_walk",
        "walk to a random neighbour each step, with random restarts",
        random_walk::Params,
        |s, p, seed| Ok(Box::new(random_walk::RandomWalk::new(s, p, seed)))
    ),
    agent!(
        "ga",
        "genetic algorithm: tournament selection, uniform/one-point crossover, mutation, elitism",
        ga::Params,
        |s, p, seed| Ok(Box::new(ga::Ga::new(s, p, seed)))
    ),
    agent!(
        "aco",
        "ant colony optimisation (MAX-MIN trails over the index encoding)",
        aco::Params,
        |s, p, seed| Ok(Box::new(aco::Aco::new(s, p, seed)))
    ),
    agent!(
        "sa",
        "simulated annealing over neighbours with a geometric temperature schedule",
        sa::Params,
        |s, p, seed| Ok(Box::new(sa::Sa::new(s, p, seed)))
    ),
    agent!(
        "bo",
        "Gaussian-process Bayesian optimisation (Matern-5/2, LogEI/EI/UCB, kriging-believer batches)",
        bo::Params,
        |s, p, seed| Ok(Box::new(bo::Bo::new(s, p, seed)))
    ),
    agent!(
        "tpe",
        "tree-structured Parzen estimator (Optuna-style multivariate TPE, constant-liar batches)",
        tpe::Params,
        |s, p, seed| Ok(Box::new(tpe::Tpe::new(s, p, seed)))
    ),
    agent!(
        "nsga2",
        "NSGA-II for vector (Pareto) objectives; scalar objectives as one cost",
        nsga2::Params,
        |s, p, seed| Ok(Box::new(nsga2::Nsga2::new(s, p, seed)))
    ),
];

/// The registered agent called `kind`.
pub fn find(kind: &str) -> Result<&'static AgentInfo, AgentError> {
    AGENTS
        .iter()
        .find(|a| a.kind == kind)
        .ok_or_else(|| AgentError::UnknownAgent {
            kind: kind.to_string(),
            known: AGENTS.iter().map(|a| a.kind).collect::<Vec<_>>().join(", "),
        })
}

/// Builds agent `kind` over `space` from JSON params and a seed.
pub fn build(
    kind: &str,
    space: &ParamSpace,
    params: &serde_json::Value,
    seed: u64,
) -> Result<Box<dyn Agent>, AgentError> {
    (find(kind)?.build)(space, params, seed)
}
