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
    pub build: BuildSimulator,
}

/// A simulator's constructor from env options.
pub type BuildSimulator = fn(&BTreeMap<String, String>) -> anyhow::Result<Box<dyn Simulator>>;

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

const PROXY_OPTIONS: &[EnvOption] = &[
    EnvOption {
        name: "model",
        default: "",
        help: "proxy model directory (written by `hwgym proxy train … --out DIR`)",
    },
    EnvOption {
        name: "verify_top",
        default: "0",
        help: "after each run, re-evaluate its K best designs on the model's own simulator and log both (v.<metric> columns)",
    },
];

/// A proxy model made a simulator, and the real simulator it was trained from (rebuilt from the
/// model's provenance: same knobs, same metric names).
pub struct ProxySetup {
    pub proxy: proxy::ProxySimulator,
    pub real: Box<dyn Simulator>,
    pub real_name: String,
    /// How many of each run's best designs to re-evaluate on `real`.
    pub verify_top: usize,
}

pub fn build_proxy(options: &BTreeMap<String, String>) -> anyhow::Result<ProxySetup> {
    check_option_keys(options.keys(), PROXY_OPTIONS).map_err(anyhow::Error::msg)?;
    let dir = options
        .get("model")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!("option `model`: required (a directory from `hwgym proxy train`)")
        })?;
    let verify_top = match options.get("verify_top") {
        None => 0,
        Some(k) => k
            .parse::<usize>()
            .map_err(|_| anyhow::anyhow!("option `verify_top`: `{k}` is not a count of designs"))?,
    };
    let model = proxy::ProxyModel::load(std::path::Path::new(dir))?;
    let real_name = model.provenance().simulator.clone();
    let info = find_simulator(&real_name)
        .ok()
        .filter(|s| s.name != "proxy")
        .ok_or_else(|| anyhow::anyhow!("{dir}: trained from unknown simulator `{real_name}`"))?;
    let real = (info.build)(&model.provenance().options).map_err(|e| {
        anyhow::anyhow!(
            "{dir}: rebuilding its simulator `{real_name}` with the training options: {e:#}"
        )
    })?;
    let proxy = proxy::ProxySimulator::new(model, real.space().clone(), real.metrics().to_vec())
        .map_err(|e| anyhow::anyhow!("{dir}: {e}"))?;
    Ok(ProxySetup {
        proxy,
        real,
        real_name,
        verify_top,
    })
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
        name: "proxy",
        description: "a surrogate model trained from logged evaluations (`hwgym proxy train`), with the knobs and metrics of its simulator",
        options: PROXY_OPTIONS,
        build: |o| Ok(Box::new(build_proxy(o)?.proxy)),
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

/// Every agent the CLI knows: the black-box agents, then the learners of the `rl` crate (PPO, SAC,
/// MARL on burn).
pub fn agents() -> impl Iterator<Item = &'static agents::AgentInfo> {
    agents::AGENTS.iter().chain(rl::AGENTS.iter())
}

pub fn find_agent(kind: &str) -> Result<&'static agents::AgentInfo, String> {
    agents().find(|a| a.kind == kind).ok_or_else(|| {
        let known: Vec<&str> = agents().map(|a| a.kind).collect();
        format!("unknown agent `{kind}` (known: {})", known.join(", "))
    })
}
