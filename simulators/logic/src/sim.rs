//! The `logic` simulator: a design is a recipe of `recipe_length` commands (one categorical knob per
//! step over ABC-RL's seven commands); metrics are the AIG and mapped-netlist figures and ABC-RL's
//! reward relative to `resyn2`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gym::{Design, EnvOption, MetricSpec, Metrics, Param, ParamSpace, SimError, Simulator};

use crate::error::LogicError;
use crate::recipe::{Command, RESYN2};
use crate::synth::{Engine, Evaluation, Evaluator};

pub const ENV_OPTIONS: &[EnvOption] = &[
    EnvOption {
        name: "circuit",
        default: "alu:8",
        help: "AIGER/BLIF file or generator spec (adder:ripple|cla|ks:N, mult:array|wallace|dadda:N, cmp:N, mux:N, dec:K, popcount:N, voter:N, shifter:N, alu:N)",
    },
    EnvOption {
        name: "genlib",
        default: "",
        help: "genlib cell library (empty: the project's built-in library)",
    },
    EnvOption {
        name: "engine",
        default: "native",
        help: "native (in-process) or abc (berkeley-abc subprocess)",
    },
    EnvOption {
        name: "recipe_length",
        default: "10",
        help: "number of commands per recipe (1..=50)",
    },
    EnvOption {
        name: "abc_timeout",
        default: "120",
        help: "seconds before an ABC run is killed (engine=abc)",
    },
];

/// Labels of the per-step knob (ABC-RL's action set; `-z` written as `rewrite-z` etc.).
pub fn command_labels() -> Vec<String> {
    Command::ALL
        .iter()
        .map(|c| c.abc_text().replace(" -", "-"))
        .collect()
}

/// Options resolved and validated once.
#[derive(Clone, Debug, PartialEq)]
pub struct LogicConfig {
    pub circuit: String,
    pub genlib: Option<PathBuf>,
    pub engine: Engine,
    pub recipe_length: usize,
    pub abc_timeout: Duration,
}

impl LogicConfig {
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<LogicConfig, LogicError> {
        gym::sim::check_option_keys(options.keys(), ENV_OPTIONS).map_err(|m| {
            LogicError::Option {
                name: "options".into(),
                message: m,
            }
        })?;
        let get = |name: &str| -> String {
            options.get(name).cloned().unwrap_or_else(|| {
                ENV_OPTIONS
                    .iter()
                    .find(|o| o.name == name)
                    .unwrap()
                    .default
                    .to_string()
            })
        };
        let recipe_length: usize = get("recipe_length")
            .parse()
            .ok()
            .filter(|l| (1..=50).contains(l))
            .ok_or_else(|| LogicError::Option {
                name: "recipe_length".into(),
                message: "must be an integer in 1..=50".into(),
            })?;
        let abc_timeout: f64 = get("abc_timeout")
            .parse()
            .ok()
            .filter(|t: &f64| *t > 0.0)
            .ok_or_else(|| LogicError::Option {
                name: "abc_timeout".into(),
                message: "must be a positive number of seconds".into(),
            })?;
        let genlib = get("genlib");
        Ok(LogicConfig {
            circuit: get("circuit"),
            genlib: (!genlib.is_empty()).then(|| PathBuf::from(genlib)),
            engine: get("engine").parse()?,
            recipe_length,
            abc_timeout: Duration::from_secs_f64(abc_timeout),
        })
    }
}

/// ADP of `resyn2` on the circuit with the same engine, the reference of ABC-RL's reward.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    pub resyn2: Evaluation,
}

pub struct LogicSimulator {
    pub config: LogicConfig,
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
    pub evaluator: Arc<Evaluator>,
    pub baseline: Baseline,
}

pub fn from_options(options: &BTreeMap<String, String>) -> Result<LogicSimulator, LogicError> {
    LogicSimulator::new(LogicConfig::from_options(options)?)
}

pub fn metric_specs() -> Vec<MetricSpec> {
    vec![
        MetricSpec::minimize("and", "nodes", "AND nodes of the optimised AIG"),
        MetricSpec::minimize("lev", "levels", "logic levels of the optimised AIG"),
        MetricSpec::minimize("gates", "cells", "cells after technology mapping"),
        MetricSpec::minimize("area", "genlib area", "mapped area"),
        MetricSpec::minimize("delay", "genlib delay", "mapped critical-path delay"),
        MetricSpec::minimize("adp", "area*delay", "area-delay product"),
        MetricSpec::minimize(
            "adp_vs_resyn2",
            "ratio",
            "ADP relative to resyn2's on the same circuit and engine",
        ),
        MetricSpec::maximize(
            "abcrl_reward",
            "",
            "ABC-RL reward max(-1, (ADP_resyn2 - ADP) / ADP_resyn2)",
        ),
    ]
}

/// ABC-RL's reward.
pub fn abcrl_reward(adp: f64, adp_resyn2: f64) -> f64 {
    ((adp_resyn2 - adp) / adp_resyn2).max(-1.0)
}

pub fn metrics_of(e: &Evaluation, baseline: &Baseline) -> Metrics {
    let base = baseline.resyn2.adp();
    let mut m = Metrics::new();
    m.insert("and", e.and as f64);
    m.insert("lev", e.lev as f64);
    m.insert("gates", e.gates as f64);
    m.insert("area", e.area);
    m.insert("delay", e.delay);
    m.insert("adp", e.adp());
    m.insert("adp_vs_resyn2", e.adp() / base);
    m.insert("abcrl_reward", abcrl_reward(e.adp(), base));
    m.insert("engine_seconds", e.seconds);
    m
}

impl LogicSimulator {
    pub fn new(config: LogicConfig) -> Result<LogicSimulator, LogicError> {
        let evaluator = Evaluator::new(
            &config.circuit,
            config.genlib.as_deref(),
            config.engine,
            config.abc_timeout,
        )?;
        let labels = command_labels();
        let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let params: Vec<Param> = (0..config.recipe_length)
            .map(|i| {
                let default = RESYN2[i % RESYN2.len()].abc_text().replace(" -", "-");
                Param::categorical(format!("step{}", i + 1), &label_refs)
                    .with_default(&default)
                    .with_description(format!("synthesis command {} of the recipe", i + 1))
            })
            .collect();
        let space = ParamSpace::new(params).map_err(|e| LogicError::Option {
            name: "recipe_length".into(),
            message: e.to_string(),
        })?;
        let (resyn2, _) = evaluator.evaluate(&RESYN2, None)?;
        if resyn2.adp() <= 0.0 {
            return Err(LogicError::Mapping(
                "resyn2 baseline has zero area-delay product (constant circuit?)".into(),
            ));
        }
        Ok(LogicSimulator {
            config,
            space,
            metrics: metric_specs(),
            evaluator: Arc::new(evaluator),
            baseline: Baseline { resyn2 },
        })
    }

    /// The recipe a design encodes.
    pub fn recipe(&self, design: &Design) -> Vec<Command> {
        (0..self.config.recipe_length)
            .map(|i| Command::ALL[self.space.int(design, &format!("step{}", i + 1)) as usize])
            .collect()
    }
}

impl Simulator for LogicSimulator {
    fn space(&self) -> &ParamSpace {
        &self.space
    }
    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }
    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
        let recipe = self.recipe(design);
        match self.evaluator.evaluate(&recipe, None) {
            Ok((e, _)) => Ok(metrics_of(&e, &self.baseline)),
            Err(LogicError::AbcTimeout { seconds }) => Err(SimError::Timeout { seconds }),
            Err(e) => Err(SimError::Failed(e.to_string())),
        }
    }
}
