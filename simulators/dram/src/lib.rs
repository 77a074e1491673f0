//! A native memory-controller simulator that agrees with DRAMSys 4.0 + DRAMPower 4.1: memspecs and
//! address mappings as data, the ten ArchGym controller knobs with DRAMSys semantics, DRAMPower energy,
//! `.stl` / Ramulator traces and seeded synthetic workloads, and the `dram` gym simulator.

pub mod addressmap;
pub mod config;
pub mod controller;
pub mod error;
pub mod memspec;
pub mod objectives;
pub mod power;
pub mod presets;
pub mod sim;
pub mod timing;
pub mod trace;
pub mod workload;

pub use addressmap::AddressMapping;
pub use config::{ControllerConfig, KNOBS};
pub use controller::{Params, RunStats};
pub use error::DramError;
pub use memspec::{MemSpec, Standard};
pub use sim::{DramSimulator, ENV_OPTIONS, Workload, from_options};
