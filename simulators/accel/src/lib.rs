//! `accel`: a SCALE-Sim-3.0.0-faithful systolic-array DNN accelerator model (output-, weight- and
//! input-stationary dataflows, double-buffered SRAMs in front of DRAM), computed per fold rather
//! than per cycle, with a documented energy/area table, built-in network layer tables and a gym
//! [`gym::Simulator`].

pub mod compute;
pub mod config;
mod coverage;
mod dedup;
pub mod energy;
pub mod error;
mod first_readers;
mod footprint;
pub mod im2col;
pub mod layer;
pub mod memory;
pub mod report;
mod runs;
pub mod sim;
mod terms;
pub mod topology;
pub mod workloads;

pub use config::{ArrayConfig, Bandwidth, Dataflow};
pub use energy::{EnergyBreakdown, EnergyTable};
pub use error::AccelError;
pub use layer::Layer;
pub use report::{LayerReport, REPORT_FIELDS, metric_key, simulate_layer};
pub use sim::{AccelSimulator, ENV_OPTIONS, NetworkReport, from_options, simulate_network};
pub use topology::{parse_topology, parse_workload, read_topology};
