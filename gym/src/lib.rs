//! hwgym's core: typed design spaces, the [`Simulator`] trait, objectives and rewards, Gymnasium-like
//! environments, the ask/tell [`Agent`] trait and the [`Runner`] that connects them.
//!
//! This crate does no file-format IO: simulators read their own inputs, the CLI owns YAML, parquet and
//! terminal output.

pub mod agent;
pub mod env;
pub mod objective;
pub mod parallel;
pub mod rng;
pub mod runner;
pub mod sequential;
pub mod sim;
pub mod space;
pub mod testing;

pub use agent::{Agent, AgentError, Evaluation};
pub use env::{BoxSpace, DesignEnv, Discrete, Env, Info, MultiDiscrete, Space, Step, check_env};
pub use objective::{
    Objective, ObjectiveError, ObjectiveSpec, Score, TargetForm, hypervolume, pareto_front,
    pareto_ranks,
};
pub use parallel::{DesignParallelEnv, ParallelEnv, ParallelStep, check_parallel_env};
pub use runner::{Budget, Outcome, Record, RunStats, Runner, StopReason};
pub use sequential::SequentialEnv;
pub use sim::{Direction, EnvOption, Memoized, MetricSpec, Metrics, SimError, Simulator};
pub use space::{Constraint, Design, Domain, Param, ParamSpace, SpaceError, Value};
