//! The `hwgym` command-line workbench: recipes, sweeps, the parquet results store, and the registry of
//! simulators and agents. The binary (`src/main.rs`) is a thin clap layer over these modules.

pub mod lab;
pub mod recipe;
pub mod registry;
pub mod store;
pub mod sweep;
