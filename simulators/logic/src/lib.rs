//! Logic synthesis for hwgym: and-inverter graphs, ABC's optimisation commands, equivalence checking,
//! genlib technology mapping, circuit generators and a real-ABC backend.

pub mod abc;
pub mod aig;
pub mod aiger;
pub mod balance;
pub mod blif;
pub mod build;
pub mod cuts;
pub mod env;
pub mod equiv;
pub mod error;
pub mod generators;
pub mod genlib;
pub mod map;
pub mod npn;
pub mod recipe;
pub mod refactor;
pub mod resub;
pub mod rewrite;
pub mod sim;
pub mod synth;
pub mod truth;
pub mod window;

pub use aig::{Aig, AigStats, Lit};
pub use env::SynthEnv;
pub use error::LogicError;
pub use sim::{ENV_OPTIONS, LogicSimulator, from_options};
pub use synth::{Engine, SynthReport, SynthRequest};
