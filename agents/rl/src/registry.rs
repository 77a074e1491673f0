//! The RL agents by name, in the same shape as `agents::AGENTS` (the CLI concatenates the tables).

use agents::{AgentInfo, AgentParams};
use gym::{Agent, AgentError, ParamSpace};

use crate::{marl, ppo, sac};

fn build<P: AgentParams>(
    kind: &str,
    json: &serde_json::Value,
    ctor: impl FnOnce(P) -> Result<Box<dyn Agent>, AgentError>,
) -> Result<Box<dyn Agent>, AgentError> {
    ctor(P::parse(kind, json)?)
}

/// Every RL agent this crate ships.
pub const AGENTS: &[AgentInfo] = &[
    AgentInfo {
        kind: "ppo",
        description: "proximal policy optimisation with a categorical head per knob (ArchGym's PPO, multi-discrete)",
        defaults: <ppo::Params as AgentParams>::defaults_json,
        build: |space: &ParamSpace, json, seed| {
            build("ppo", json, |p| {
                Ok(Box::new(ppo::Ppo::new(space, p, seed)?))
            })
        },
    },
    AgentInfo {
        kind: "sac",
        description: "discrete soft actor-critic with per-knob counterfactual twin critics",
        defaults: <sac::Params as AgentParams>::defaults_json,
        build: |space: &ParamSpace, json, seed| {
            build("sac", json, |p| {
                Ok(Box::new(sac::Sac::new(space, p, seed)?))
            })
        },
    },
    AgentInfo {
        kind: "marl",
        description: "one PPO agent per knob group sharing the team reward (independent PPO, or MAPPO with critic: centralised)",
        defaults: <marl::Params as AgentParams>::defaults_json,
        build: |space: &ParamSpace, json, seed| {
            build("marl", json, |p| {
                Ok(Box::new(marl::Marl::new(space, p, seed)?))
            })
        },
    },
];

/// The RL agent called `kind`.
pub fn find(kind: &str) -> Option<&'static AgentInfo> {
    AGENTS.iter().find(|a| a.kind == kind)
}
