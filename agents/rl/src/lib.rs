//! Reinforcement-learning agents for hwgym on burn: [`ppo`], discrete soft actor-critic ([`sac`]) and
//! multi-agent RL with one learner per knob group ([`marl`]: independent PPO or MAPPO). All implement
//! the ask/tell [`gym::Agent`] trait and are registered in [`AGENTS`] (to concatenate with
//! `agents::AGENTS`). Policies are saved and loaded as burn records (`save_policy` / `load_policy`).

pub mod device;
pub mod learner;
pub mod marl;
pub mod nets;
pub mod ppo;
pub mod registry;
pub mod sac;

pub use learner::{PolicyFileError, PpoConfig};
pub use registry::{AGENTS, find};
