//! The ask/tell [`Agent`] trait. Agents see only a [`ParamSpace`](crate::ParamSpace), rewards and metrics,
//! never simulator internals. Each agent kind has a typed params struct and is built from
//! `(space, params, seed)`.

use std::collections::BTreeMap;

use crate::sim::Metrics;
use crate::space::Design;

/// What an agent learns about one design it asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub design: Design,
    /// `None` when the design was infeasible or the evaluation failed.
    pub metrics: Option<Metrics>,
    /// Reward to maximise; `f64::NEG_INFINITY` when `feasible` is false or the evaluation failed.
    pub reward: f64,
    /// Costs to minimise for vector (Pareto) objectives; empty otherwise.
    pub costs: Vec<f64>,
    /// False for designs that violate a constraint or that the simulator judged infeasible.
    pub feasible: bool,
    /// Why the evaluation produced no metrics.
    pub error: Option<String>,
}

impl Evaluation {
    /// Whether this evaluation produced a usable reward.
    pub fn is_ok(&self) -> bool {
        self.feasible && self.error.is_none() && self.reward.is_finite()
    }
}

/// A search algorithm in ask/tell form. The runner asks for designs, evaluates them (in parallel, in
/// any order) and tells the agent the results in the order it asked for them.
pub trait Agent: Send {
    /// Proposes up to `n` designs to evaluate next. Returning fewer is allowed; returning none ends the
    /// run (the agent is done).
    fn ask(&mut self, n: usize) -> Vec<Design>;
    /// Reports the evaluations of the designs from the last `ask`, in the same order.
    fn tell(&mut self, evaluations: &[Evaluation]);

    /// How many designs the agent would like evaluated at once (the runner asks for this many, within
    /// the budget). Agents that learn from every result before the next proposal keep the default 1.
    fn batch_size(&self) -> usize {
        1
    }
    /// Training or search statistics so far (losses, temperatures, model sizes, …), for logs.
    fn stats(&self) -> BTreeMap<String, f64> {
        BTreeMap::new()
    }
}

impl<A: Agent + ?Sized> Agent for Box<A> {
    fn ask(&mut self, n: usize) -> Vec<Design> {
        (**self).ask(n)
    }
    fn tell(&mut self, evaluations: &[Evaluation]) {
        (**self).tell(evaluations)
    }
    fn batch_size(&self) -> usize {
        (**self).batch_size()
    }
    fn stats(&self) -> BTreeMap<String, f64> {
        (**self).stats()
    }
}

/// Errors building an agent.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AgentError {
    #[error("unknown agent `{kind}` (known: {known})")]
    UnknownAgent { kind: String, known: String },
    #[error("agent `{agent}`: {message}")]
    BadParams { agent: String, message: String },
    #[error("agent `{agent}` cannot search this space: {reason}")]
    Unsupported { agent: String, reason: String },
}
