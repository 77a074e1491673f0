//! hwgym's search agents, all behind the ask/tell [`gym::Agent`] trait, and the registry that builds
//! them by name from JSON params (as recipes give them).
//!
//! Every agent kind has a typed params struct (serde, `deny_unknown_fields`, documented defaults) and is
//! built from `(space, params, seed)`.
//!
//! Agents: [`random_search`], [`random_walk`], [`ga`], [`aco`], [`sa`], [`bo`] (on the GP of [`gp`]),
//! [`tpe`], [`nsga2`]. Shared pieces: [`common`] (memory of evaluated designs, fresh proposals,
//! normal-distribution helpers, mixed-space features) and [`variation`] (crossover, mutation,
//! tournaments for the evolutionary agents).

pub mod aco;
pub mod bo;
pub mod common;
pub mod ga;
pub mod gp;
pub mod nsga2;
pub mod params;
pub mod random_search;
pub mod random_walk;
pub mod registry;
pub mod sa;
pub mod tpe;
pub mod variation;

pub use params::AgentParams;
pub use registry::{AGENTS, AgentInfo, build, find};
