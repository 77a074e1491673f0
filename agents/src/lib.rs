//! hwgym's search agents, all behind the ask/tell [`gym::Agent`] trait, and the registry that builds
//! them by name from JSON params (as recipes give them).
//!
//! Every agent kind has a typed params struct (serde, `deny_unknown_fields`, documented defaults) and is
//! built from `(space, params, seed)`.

pub mod params;
pub mod random_search;
pub mod random_walk;
pub mod registry;

pub use params::AgentParams;
pub use registry::{AGENTS, AgentInfo, build, find};
