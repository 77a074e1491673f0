//! Runs a recipe's runs (or one shard of them) in parallel, skipping those already finished (resume),
//! and writes each one to the results store as it completes; a run that fails is recorded as failed and
//! the others carry on.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use gym::{Objective, Simulator};

use crate::lab::failed::{self, FailedRun};
use crate::lab::plan;
use crate::lab::shard::Shard;
use crate::lab::verify;
use crate::recipe::{Recipe, RunSpec};
use crate::registry;
use crate::store::{self, RunSummary};

/// How to execute a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    pub out: PathBuf,
    /// Worker threads for runs and batch evaluations (0: all cores).
    pub jobs: usize,
    pub progress: bool,
    pub git_rev: Option<String>,
}

/// What happened to each run of the sweep.
#[derive(Clone, Debug)]
pub struct SweepReport {
    pub summaries: Vec<RunSummary>,
    /// Runs that were already finished and were not run again.
    pub skipped: usize,
    /// Runs that failed this time (each also recorded as `<run_id>.failed.json`).
    pub failed: Vec<FailedRun>,
}

/// The runs of `recipe` not yet finished in `out`.
pub fn pending<'a>(recipe: &'a Recipe, out: &std::path::Path) -> Vec<&'a RunSpec> {
    let done = store::finished_runs(out);
    recipe
        .runs
        .iter()
        .filter(|r| !done.contains(&r.run_id))
        .collect()
}

/// Runs every pending run of `recipe`; returns the summaries of all runs (finished before or now), in
/// recipe order.
pub fn run(recipe: &Recipe, opts: &SweepOptions) -> Result<SweepReport> {
    run_shard(recipe, Shard::WHOLE, opts)
}

/// Runs the pending runs of one shard of `recipe` (a deterministic share: see [`Shard`]); returns the
/// summaries of the shard's finished runs, in recipe order. Records the whole plan in `opts.out` so
/// `hwgym status` can tell missing runs from finished ones.
pub fn run_shard(recipe: &Recipe, shard: Shard, opts: &SweepOptions) -> Result<SweepReport> {
    let sim_info = registry::find_simulator(&recipe.simulator).map_err(anyhow::Error::msg)?;
    plan::write_plan(&opts.out, recipe)?;
    let runs = shard.select(&recipe.runs);
    run_specs(&runs, opts, &|options| {
        BuiltSim::from_registry(sim_info, options)
    })
}

/// Builds the simulator (and verifier) for one run's options.
pub type SimBuilder<'a> = dyn Fn(&BTreeMap<String, String>) -> Result<BuiltSim> + Sync + 'a;

/// A simulator built for a set of runs and, for proxy runs with `verify_top`, the real simulator
/// their best designs are re-evaluated on.
pub struct BuiltSim {
    pub sim: Box<dyn Simulator>,
    pub verifier: Option<Verifier>,
}

/// The real simulator a proxy run's best designs are re-evaluated on.
pub struct Verifier {
    pub real: Box<dyn Simulator>,
    pub name: String,
    pub top: usize,
}

impl From<Box<dyn Simulator>> for BuiltSim {
    fn from(sim: Box<dyn Simulator>) -> Self {
        BuiltSim {
            sim,
            verifier: None,
        }
    }
}

impl BuiltSim {
    /// The registry's simulator `info` on `options`; a proxy also gets its verifier.
    pub fn from_registry(
        info: &registry::SimInfo,
        options: &BTreeMap<String, String>,
    ) -> Result<BuiltSim> {
        if info.name != "proxy" {
            return Ok((info.build)(options)?.into());
        }
        let setup = registry::build_proxy(options)?;
        let verifier = (setup.verify_top > 0).then(|| Verifier {
            real: setup.real,
            name: setup.real_name,
            top: setup.verify_top,
        });
        Ok(BuiltSim {
            sim: Box::new(setup.proxy),
            verifier,
        })
    }
}

/// The simulator, objective and verifier shared by the runs of one option set.
struct RunEnv {
    sim: Box<dyn Simulator>,
    objective: Objective,
    verifier: Option<Verifier>,
}

impl RunEnv {
    fn build(spec: &RunSpec, build: &SimBuilder) -> Result<RunEnv, String> {
        let BuiltSim { sim, verifier } =
            build(&spec.options).map_err(|e| format!("simulator `{}`: {e:#}", spec.simulator))?;
        let objective = spec
            .objective
            .build(sim.metrics())
            .map_err(|e| e.to_string())?;
        Ok(RunEnv {
            sim,
            objective,
            verifier,
        })
    }
}

/// Runs the pending runs among `runs`, building one simulator per distinct option set with `build`.
/// A run that errors (or panics) is recorded as `<run_id>.failed.json` and the others carry on.
pub fn run_specs(
    runs: &[&RunSpec],
    opts: &SweepOptions,
    build: &SimBuilder,
) -> Result<SweepReport> {
    let done = store::finished_runs(&opts.out);
    let todo: Vec<&RunSpec> = runs
        .iter()
        .copied()
        .filter(|r| !done.contains(&r.run_id))
        .collect();
    let skipped = runs.len() - todo.len();

    // One simulator and objective per distinct option set (a set that fails to build fails its runs).
    let mut envs: BTreeMap<&BTreeMap<String, String>, Result<RunEnv, String>> = BTreeMap::new();
    for spec in &todo {
        envs.entry(&spec.options)
            .or_insert_with(|| RunEnv::build(spec, build));
    }

    let total: u64 = todo
        .iter()
        .map(|r| r.budget.evaluations.unwrap_or(0) as u64)
        .sum();
    let bar = if opts.progress {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} evaluations ({per_sec}, eta {eta}) {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let run_one = |spec: &RunSpec| -> Result<()> {
        let env = envs[&spec.options]
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (sim, objective) = (&env.sim, &env.objective);
        let info = registry::find_agent(&spec.agent).map_err(anyhow::Error::msg)?;
        let mut agent = (info.build)(sim.space(), &spec.params, spec.seed)?;
        let mut runner = gym::Runner::new(sim.as_ref(), objective, spec.budget.clone());
        if let Some(b) = spec.batch_size {
            runner = runner.with_batch_size(b);
        }
        let mut records = Vec::new();
        let (outcome, stop, stats) = runner.run(agent.as_mut(), |r| {
            records.push(r.clone());
            bar.inc(1);
        });
        let git = opts.git_rev.as_deref();
        let mut frame = store::records_frame(spec, sim.space(), sim.metrics(), &records, git)?;
        let mut summary = RunSummary::new(
            spec,
            sim.space(),
            sim.metrics(),
            stop,
            &stats,
            &outcome,
            git,
        );
        if let Some(v) = &env.verifier {
            let verified = verify::verify(&records, v.top, v.real.as_ref(), objective);
            let names: Vec<String> = sim.metrics().iter().map(|m| m.name.clone()).collect();
            verify::add_columns(&mut frame, &verified, &names)?;
            summary.verification = Some(verify::summarise(&v.name, &records, &verified));
        }
        store::write_run(&opts.out, &summary, frame)
            .with_context(|| format!("run {}", spec.run_id))?;
        bar.set_message(format!("finished {}", spec.run_id));
        Ok(())
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()?;
    let results: Vec<Result<Option<FailedRun>>> = pool.install(|| {
        todo.par_iter()
            .map(|spec| {
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_one(spec)));
                let error = match outcome {
                    Ok(Ok(())) => {
                        failed::clear_failed(&opts.out, &spec.run_id);
                        return Ok(None);
                    }
                    Ok(Err(e)) => format!("{e:#}"),
                    Err(panic) => failed::panic_message(panic.as_ref()),
                };
                failed::write_failed(&opts.out, spec, &error).map(Some)
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut failures = Vec::new();
    for r in results {
        failures.extend(r?);
    }
    let finished = store::finished_runs(&opts.out);
    let summaries = runs
        .iter()
        .filter(|r| finished.contains(&r.run_id))
        .map(|r| store::read_summary(&opts.out, &r.run_id))
        .collect::<Result<Vec<_>>>()?;
    Ok(SweepReport {
        summaries,
        skipped,
        failed: failures,
    })
}
