//! Sequential environments: the state is a design under construction (e.g. the AIG after k synthesis
//! commands), each action appends one step, and [`SequentialEnv::fork`] copies the state cheaply so tree
//! search (MCTS) can explore alternatives.

use crate::env::Env;

pub trait SequentialEnv: Env {
    /// An independent copy of the current state; stepping the copy does not affect `self`.
    fn fork(&self) -> Self
    where
        Self: Sized;
    /// The actions allowed in the current state.
    fn legal_actions(&self) -> Vec<Self::Action>;
}
