//! Simulators and agents by name: the tables `hwgym list`, recipes and `hwgym eval` look things up in.

use std::collections::BTreeMap;

use gym::sim::check_option_keys;
use gym::testing::{MixedQuadratic, Separable, TwoObjective};
use gym::{EnvOption, Simulator};

/// One registered simulator.
pub struct SimInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [EnvOption],
    /// Builds the simulator from its env options (strings, as `--env KEY=VALUE` gives them).
    pub build: fn(&BTreeMap<String, String>) -> anyhow::Result<Box<dyn Simulator>>,
}

const SYNTHETIC_OPTIONS: &[EnvOption] = &[EnvOption {
    name: "function",
    default: "mixed",
    help: "mixed | constrained | two_objective | separable (gym::testing functions with known optima)",
}];

fn build_synthetic(options: &BTreeMap<String, String>) -> anyhow::Result<Box<dyn Simulator>> {
    check_option_keys(options.keys(), SYNTHETIC_OPTIONS).map_err(anyhow::Error::msg)?;
    Ok(
        match options
            .get("function")
            .map(String::as_str)
            .unwrap_or("mixed")
        {
            "mixed" => Box::new(MixedQuadratic::new()),
            "constrained" => Box::new(MixedQuadratic::constrained()),
            "two_objective" => Box::new(TwoObjective::new()),
            "separable" => Box::new(Separable::new(6, 8)),
            other => anyhow::bail!(
                "option `function`: unknown function `{other}` (known: mixed, constrained, two_objective, separable)"
            ),
        },
    )
}

/// Every simulator hwgym ships.
pub const SIMULATORS: &[SimInfo] = &[
    SimInfo {
        name: "accel",
        description: "systolic DNN accelerator (SCALE-Sim 3.0.0 semantics) with energy and area",
        options: accel::ENV_OPTIONS,
        build: |o| Ok(Box::new(accel::from_options(o)?)),
    },
    SimInfo {
        name: "dram",
        description: "DDR3/DDR4 memory controller (DRAMSys 4.0 semantics) with DRAMPower energy",
        options: dram::ENV_OPTIONS,
        build: |o| Ok(Box::new(dram::from_options(o)?)),
    },
    SimInfo {
        name: "logic",
        description: "logic-synthesis recipes (ABC-RL's seven commands) on an AIG, mapped with a genlib library",
        options: logic::ENV_OPTIONS,
        build: |o| Ok(Box::new(logic::from_options(o)?)),
    },
    SimInfo {
        name: "synthetic",
        description: "synthetic functions with known optima, for tests and agent benchmarks",
        options: SYNTHETIC_OPTIONS,
        build: build_synthetic,
    },
];

pub fn find_simulator(name: &str) -> Result<&'static SimInfo, String> {
    SIMULATORS.iter().find(|s| s.name == name).ok_or_else(|| {
        let known: Vec<&str> = SIMULATORS.iter().map(|s| s.name).collect();
        format!("unknown simulator `{name}` (known: {})", known.join(", "))
    })
}

/// Every agent the CLI knows. (The learners of the `rl` crate — PPO, SAC, MARL on burn — are not wired
/// into the CLI yet.)
pub fn agents() -> impl Iterator<Item = &'static agents::AgentInfo> {
    agents::AGENTS.iter()
}

pub fn find_agent(kind: &str) -> Result<&'static agents::AgentInfo, String> {
    agents().find(|a| a.kind == kind).ok_or_else(|| {
        let known: Vec<&str> = agents().map(|a| a.kind).collect();
        format!("unknown agent `{kind}` (known: {})", known.join(", "))
    })
}
