//! The lab: what a sweep will run (plans), deterministic shares of it (shards, Slurm job arrays), what is
//! done (status, failures), and what came out of it (merged parquet, reports, plots, throughput).
//! Every function returns data; the CLI (`src/main.rs`) prints.

pub mod bench;
pub mod dataset;
pub mod failed;
pub mod merge;
pub mod plan;
pub mod plot;
pub mod png;
pub mod report;
pub mod results;
pub mod shard;
pub mod slurm;
pub mod stats;
pub mod status;
pub mod verify;

// `cli.rs` in this directory is not part of the library: `src/main.rs` includes it as the binary's
// printing layer for the lab subcommands.
