//! DRAM data for the benchmarks: hwgym's own agents (random search, GA, SA, ACO, random walk, mixed)
//! search the `dram` simulator with default options (DDR3-1600, the `stream` trace) through
//! `gym::Runner` until enough distinct designs are logged. Runs execute in parallel, in chunks, and
//! are concatenated in run order, so the data set depends only on its size.
//!
//! Collection is the slow part, so the data set is cached as JSON: `PROXY_BENCH_CACHE` names the
//! file (default: `<temp dir>/hwgym-proxy-dram-<designs>.json`).

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use gym::{Budget, Design, Metrics, Runner, Simulator};
use rayon::prelude::*;

/// Agents in the mix, cycled through run by run.
const AGENTS: [&str; 5] = ["random_search", "ga", "sa", "aco", "random_walk"];
/// Evaluations per run.
const RUN_BUDGET: usize = 1000;
/// Runs executed in parallel before checking how many designs there are.
const CHUNK: usize = 10;

pub fn simulator() -> dram::DramSimulator {
    dram::from_options(&BTreeMap::new()).expect("dram simulator with default options")
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}: not a number: {v}"))
        })
        .unwrap_or(default)
}

fn save(path: &std::path::Path, cache: &Cache) {
    let tmp = path.with_extension("tmp");
    let r = serde_json::to_string(cache)
        .map_err(|e| e.to_string())
        .and_then(|text| std::fs::write(&tmp, text).map_err(|e| e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| e.to_string()));
    if let Err(e) = r {
        eprintln!("data: could not cache to {}: {e}", path.display());
    }
}

/// The cache: every distinct design of the first `runs` runs, in run order.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Cache {
    runs: usize,
    data: Vec<(Design, Metrics)>,
}

/// The first `designs` distinct successful DRAM evaluations of the agents' runs (run order).
pub fn dram_dataset(designs: usize) -> Vec<(Design, Metrics)> {
    let path = std::env::var("PROXY_BENCH_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("hwgym-proxy-dram.json"));
    let mut cache: Cache = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).expect("cached data set"),
        Err(_) => Cache::default(),
    };
    if cache.data.len() >= designs {
        eprintln!("data: {} designs from {}", cache.data.len(), path.display());
        cache.data.truncate(designs);
        return cache.data;
    }
    let sim = simulator();
    let memo = gym::Memoized::new(&sim);
    let objective = dram::objectives::low_power_and_latency()
        .build(sim.metrics())
        .expect("objective");
    let start = Instant::now();
    let mut seen: HashSet<Design> = cache.data.iter().map(|(d, _)| d.clone()).collect();
    // Resume after the cached runs.
    while cache.data.len() < designs {
        let runs: Vec<Vec<(Design, Metrics)>> = (cache.runs..cache.runs + CHUNK)
            .into_par_iter()
            .map(|r| {
                let kind = AGENTS[r % AGENTS.len()];
                let mut agent =
                    agents::build(kind, memo.space(), &serde_json::Value::Null, r as u64)
                        .expect("agent");
                let mut out = Vec::new();
                Runner::new(&memo, &objective, Budget::evaluations(RUN_BUDGET)).run(
                    agent.as_mut(),
                    |rec| {
                        if let Some(m) = &rec.metrics {
                            out.push((rec.design.clone(), m.clone()));
                        }
                    },
                );
                out
            })
            .collect();
        cache.runs += CHUNK;
        for (d, m) in runs.into_iter().flatten() {
            if seen.insert(d.clone()) {
                cache.data.push((d, m));
            }
        }
        eprintln!(
            "data: {} runs, {} distinct designs, {:.0} s",
            cache.runs,
            cache.data.len(),
            start.elapsed().as_secs_f64()
        );
        // Saved after every chunk, so an interrupted collection resumes where it stopped.
        save(&path, &cache);
    }
    cache.data.truncate(designs);
    cache.data
}
