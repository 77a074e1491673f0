//! Merging: every finished run of one or more results directories (e.g. one per shard, or one shared
//! by all shards) into a single parquet file, in run-id order — the same rows the unsharded sweep has.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use polars::prelude::*;

use crate::store;

/// Where `hwgym merge DIR` writes by default: a subdirectory, so the merged file is never taken for a
/// run of the sweep.
pub fn default_output(dir: &Path) -> PathBuf {
    dir.join("merged").join("all.parquet")
}

/// What a merge did.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeStats {
    pub runs: usize,
    pub rows: usize,
    /// Runs found in more than one directory (kept once, from the first directory).
    pub duplicates: usize,
}

/// The parquet file of every finished run, by run id (the first directory wins on duplicates).
pub fn run_files(dirs: &[PathBuf]) -> (BTreeMap<String, PathBuf>, usize) {
    let mut files = BTreeMap::new();
    let mut duplicates = 0;
    for dir in dirs {
        for id in store::finished_runs(dir) {
            let path = store::parquet_path(dir, &id);
            match files.entry(id) {
                std::collections::btree_map::Entry::Occupied(_) => duplicates += 1,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(path);
                }
            }
        }
    }
    (files, duplicates)
}

/// All rows of all runs in `dirs`, in run-id order (columns of different simulators are united).
pub fn merged_frame(dirs: &[PathBuf]) -> Result<(DataFrame, MergeStats)> {
    let (files, duplicates) = run_files(dirs);
    anyhow::ensure!(
        !files.is_empty(),
        "no finished runs (no *.parquet files) in {}",
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let lazy = files
        .values()
        .map(|p| store::read_run(p).map(|f| f.lazy()))
        .collect::<Result<Vec<_>>>()?;
    let frame = concat_lf_diagonal(lazy, UnionArgs::default())?.collect()?;
    let stats = MergeStats {
        runs: files.len(),
        rows: frame.height(),
        duplicates,
    };
    Ok((frame, stats))
}

/// Merges `dirs` into the parquet file `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeStats> {
    let (mut frame, stats) = merged_frame(dirs)?;
    store::write_parquet(out, &mut frame)?;
    Ok(stats)
}
