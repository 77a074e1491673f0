//! The lab subcommands of the `hwgym` binary: call the library, print its tables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hwgym::lab::plan::{self, SweepPlan};
use hwgym::lab::plot::{Formats, PlotKind};
use hwgym::lab::shard::Shard;
use hwgym::lab::status::RunState;
use hwgym::lab::{
    bench, dataset, merge as lab_merge, report as lab_report, results, slurm as lab_slurm,
    status as lab_status,
};
use hwgym::sweep::BuiltSim;
use hwgym::{recipe, registry};

/// The shard to run: `--shard I/N`, else the Slurm array task's, else the whole sweep.
pub fn shard(arg: Option<&str>) -> Result<Shard> {
    Ok(match arg {
        Some(s) => Shard::parse(s)?,
        None => Shard::from_env()?.unwrap_or(Shard::WHOLE),
    })
}

fn evals(e: Option<u64>) -> String {
    e.map_or("unbounded (wall-clock budget)".into(), |e| e.to_string())
}

pub fn plan(path: &Path, shard_arg: Option<&str>, brief: bool) -> Result<()> {
    let recipe = recipe::load(path)?;
    let shard = match shard_arg {
        Some(s) => Shard::parse(s)?,
        None => Shard::WHOLE,
    };
    let p = plan::summarize(&recipe, shard);
    if !brief {
        println!(
            "{:<34} {:<16} {:>5} {:>8}  {:<28} params",
            "run_id", "agent", "seed", "evals", "options"
        );
        for r in &p.runs {
            let options = r
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            let e = r.budget.evaluations.map_or("-".into(), |e| e.to_string());
            println!(
                "{:<34} {:<16} {:>5} {:>8}  {:<28} {}",
                r.run_id, r.label, r.seed, e, options, r.params
            );
        }
        println!();
    }
    let share = if shard == Shard::WHOLE {
        String::new()
    } else {
        format!(" (shard {shard})")
    };
    println!(
        "sweep {}{share}: {} runs, {} evaluations",
        p.sweep,
        p.runs.len(),
        evals(p.evaluations)
    );
    println!(
        "  {} option set(s) × agent settings × {} seed(s) {:?}",
        p.option_sets.len(),
        p.seeds.len(),
        p.seeds
    );
    for set in &p.option_sets {
        let text = set
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "  options: {}",
            if text.is_empty() {
                "(defaults)".into()
            } else {
                text
            }
        );
    }
    println!(
        "  {:<18} {:<14} {:>9} {:>6} {:>12}",
        "agent", "kind", "settings", "runs", "evaluations"
    );
    for a in &p.agents {
        println!(
            "  {:<18} {:<14} {:>9} {:>6} {:>12}",
            a.label,
            a.kind,
            a.settings,
            a.runs,
            evals(a.evaluations)
        );
    }
    Ok(())
}

pub fn status(dir: &Path, recipe_path: Option<&Path>, all: bool) -> Result<()> {
    let plan = match recipe_path {
        Some(p) => SweepPlan::of(&recipe::load(p)?),
        None => plan::read_plan(dir)?,
    };
    let s = lab_status::status(dir, &plan)?;
    for r in &s.runs {
        let state = match &r.state {
            RunState::Done if !all => continue,
            RunState::Done => "done".to_string(),
            RunState::Missing => "missing".to_string(),
            RunState::Failed(e) => format!("FAILED: {e}"),
        };
        println!(
            "{:<34} {:<16} {:<12} s{:<4} {}",
            r.run_id, r.label, r.workload, r.seed, state
        );
    }
    for id in &s.unplanned {
        println!("{id:<34} (finished, not in the plan)");
    }
    println!(
        "{}: {} runs: {} done, {} failed, {} missing{}",
        s.sweep,
        s.runs.len(),
        s.done,
        s.failed,
        s.missing,
        if s.unplanned.is_empty() {
            String::new()
        } else {
            format!(", {} not in the plan", s.unplanned.len())
        }
    );
    Ok(())
}

pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>) -> Result<()> {
    let out = out.unwrap_or_else(|| lab_merge::default_output(&dirs[0]));
    let stats = lab_merge::merge(dirs, &out)?;
    println!(
        "{}: {} runs, {} rows{}",
        out.display(),
        stats.runs,
        stats.rows,
        if stats.duplicates > 0 {
            format!(" ({} duplicate runs skipped)", stats.duplicates)
        } else {
            String::new()
        }
    );
    Ok(())
}

pub fn report(dir: &Path) -> Result<()> {
    let res = results::load(dir)?;
    let report = lab_report::build(&res)?;
    let text = lab_report::markdown(&report);
    let path = dir.join("report.md");
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    print!("{text}");
    eprintln!("wrote {}", path.display());
    Ok(())
}

pub fn plot(dir: &Path, kind: &str, out: Option<PathBuf>) -> Result<()> {
    let kinds: Vec<PlotKind> = if kind == "all" {
        PlotKind::ALL.to_vec()
    } else {
        vec![kind.parse().map_err(anyhow::Error::msg)?]
    };
    let res = results::load(dir)?;
    let out = out.unwrap_or_else(|| dir.join("plots"));
    for k in kinds {
        match hwgym::lab::plot::plot(&res, k, &out, Formats::default()) {
            Ok(files) => files.iter().for_each(|f| println!("{}", f.display())),
            Err(e) if kind == "all" => eprintln!("skipped: {e}"),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn slurm(
    recipe_path: &Path,
    tasks: usize,
    partition: Option<String>,
    time: Option<String>,
    memory: Option<String>,
    cpus_per_task: usize,
    out: Option<PathBuf>,
    script: Option<PathBuf>,
    submit: bool,
) -> Result<()> {
    let recipe = recipe::load(recipe_path)?;
    let absolute = |p: &Path| {
        std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()))
    };
    let out = absolute(&out.unwrap_or_else(|| PathBuf::from("results").join(&recipe.name)))?;
    std::fs::create_dir_all(out.join("slurm"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let n = lab_slurm::tasks_for(tasks, recipe.runs.len());
    if n != tasks {
        eprintln!(
            "note: {} runs, so {n} array tasks instead of {tasks}",
            recipe.runs.len()
        );
    }
    let params = lab_slurm::SlurmParams {
        sweep: recipe.name.clone(),
        binary: std::env::current_exe().context("cannot find the hwgym binary")?,
        recipe: absolute(recipe_path)?,
        out: out.clone(),
        workdir: std::env::current_dir()?,
        tasks: n,
        cpus_per_task,
        partition,
        time,
        memory,
    };
    let path = script.unwrap_or_else(|| out.join(format!("{}.sbatch", recipe.name)));
    std::fs::write(&path, lab_slurm::script(&params))
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "{}: {} runs in {n} array tasks (about {} runs each)",
        path.display(),
        recipe.runs.len(),
        recipe.runs.len().div_ceil(n)
    );
    if submit {
        let status = std::process::Command::new("sbatch")
            .arg(&path)
            .status()
            .context("cannot run sbatch")?;
        if !status.success() {
            bail!("sbatch failed ({status})");
        }
    } else {
        println!("submit with: sbatch {}", path.display());
    }
    Ok(())
}

pub fn bench_throughput(
    threads: &[usize],
    evaluations: usize,
    seeds: usize,
    rounds: usize,
    cost_us: u64,
    synthetic: bool,
) -> Result<()> {
    // The DRAM simulator when it is registered (a real per-evaluation cost), else the synthetic
    // function made to cost `cost_us` of CPU per evaluation.
    let dram = registry::find_simulator("dram").ok().filter(|_| !synthetic);
    let (text, cost) = match dram {
        Some(_) => (
            bench::recipe_text(
                "dram",
                "",
                "{ minimize: avg_latency_ns }",
                seeds,
                evaluations,
            ),
            None,
        ),
        None => (
            bench::recipe_text(
                "synthetic",
                "function: mixed",
                "{ minimize: loss }",
                seeds,
                evaluations,
            ),
            Some(Duration::from_micros(cost_us)),
        ),
    };
    let recipe = recipe::parse(Path::new("throughput.yaml"), &text)?;
    let info = registry::find_simulator(&recipe.simulator).map_err(anyhow::Error::msg)?;
    let build = |options: &std::collections::BTreeMap<String, String>| -> Result<BuiltSim> {
        let BuiltSim { sim, verifier } = BuiltSim::from_registry(info, options)?;
        let sim: Box<dyn gym::Simulator> = match cost {
            Some(cost) => Box::new(bench::Costly { inner: sim, cost }),
            None => sim,
        };
        Ok(BuiltSim { sim, verifier })
    };
    let scratch = std::env::temp_dir().join(format!("hwgym-bench-{}", std::process::id()));
    let rows = bench::throughput(&recipe, threads, rounds.max(1), &build, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let rows = rows?;
    match cost {
        Some(c) => println!(
            "simulator: synthetic (function=mixed) + {} µs of CPU per evaluation; {} runs × {evaluations} evaluations",
            c.as_micros(),
            recipe.runs.len()
        ),
        None => println!(
            "simulator: dram (default options); {} runs × {evaluations} evaluations",
            recipe.runs.len()
        ),
    }
    println!(
        "{:>6} {:>8} {:>12} {:>10} {:>14} {:>9}",
        "round", "threads", "evaluations", "seconds", "evals/second", "speed-up"
    );
    for r in &rows {
        println!(
            "{:>6} {:>8} {:>12} {:>10.3} {:>14.1} {:>8.2}×",
            r.round, r.threads, r.evaluations, r.seconds, r.per_second, r.speed_up
        );
    }
    println!("median over {} rounds:", rounds.max(1));
    for (t, rate, ratio) in bench::summarise(&rows, threads) {
        println!("{t:>6} threads: {rate:>10.1} evals/second, speed-up {ratio:.2}×");
    }
    Ok(())
}

/// `hwgym proxy train` settings besides the data.
pub struct TrainArgs {
    pub model: String,
    pub holdout: Option<f64>,
    pub folds: Option<usize>,
    pub log: String,
    pub seed: u64,
}

pub fn proxy_train(
    dirs: &[PathBuf],
    selection: &dataset::Selection,
    args: &TrainArgs,
    out: &Path,
    json: bool,
) -> Result<()> {
    let kind: proxy::ModelKind = args.model.parse().map_err(anyhow::Error::msg)?;
    let log_targets = match args.log.as_str() {
        "auto" => proxy::LogTargets::Auto,
        "always" => proxy::LogTargets::Always,
        "never" => proxy::LogTargets::Never,
        other => bail!("--log: `{other}` is not one of auto, always, never"),
    };
    let split = match (args.holdout, args.folds) {
        (_, Some(k)) => proxy::Split::Folds(k),
        (h, None) => proxy::Split::Holdout(h.unwrap_or(0.2)),
    };
    let data = dataset::collect(dirs, selection)?;
    let spec = proxy::TrainSpec {
        split,
        seed: args.seed,
        log_targets,
        ..proxy::TrainSpec::new(data.metrics.clone(), kind)
    };
    let provenance = proxy::Provenance {
        simulator: data.simulator.clone(),
        options: data.options.clone(),
        results_dirs: data.results_dirs.clone(),
        run_ids: data.run_ids.clone(),
        rows: data.rows,
    };
    let (model, _stats) = proxy::train(&data.params, &data.samples, &spec, provenance)?;
    model.save(out)?;
    if json {
        println!("{}", serde_json::to_string_pretty(model.report())?);
    } else {
        println!(
            "{} {}: {} distinct designs from {} rows of {} runs; model {kind}",
            data.simulator,
            dataset::show_options(&data.options),
            data.samples.len(),
            data.rows,
            data.run_ids.len()
        );
        print_proxy_report(model.report());
        println!("wrote {}", out.display());
    }
    Ok(())
}

pub fn proxy_eval(
    model_dir: &Path,
    dirs: &[PathBuf],
    options: std::collections::BTreeMap<String, String>,
    json: bool,
) -> Result<()> {
    let model = proxy::ProxyModel::load(model_dir)?;
    let selection = dataset::Selection {
        simulator: Some(model.provenance().simulator.clone()),
        options,
        metrics: model.metrics().iter().map(|m| m.to_string()).collect(),
        any_options: true,
    };
    let data = dataset::collect(dirs, &selection)?;
    let report = model.evaluate(&data.samples)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "model {} ({}, trained on {} {}) on {} distinct designs from {} runs",
            model_dir.display(),
            model.kind(),
            model.provenance().simulator,
            dataset::show_options(&model.provenance().options),
            data.samples.len(),
            data.run_ids.len()
        );
        print_proxy_report(&report);
    }
    Ok(())
}

pub fn proxy_dataset(dirs: &[PathBuf], selection: &dataset::Selection, out: &Path) -> Result<()> {
    let data = dataset::collect(dirs, selection)?;
    let encoding = proxy::FeatureEncoding::from_params(&data.params);
    let mut frame = dataset::frame(&data, &encoding)?;
    hwgym::store::write_parquet(out, &mut frame)?;
    println!(
        "wrote {} ({} distinct designs of {} rows, {} features, metrics {})",
        out.display(),
        data.samples.len(),
        data.rows,
        encoding.names().len(),
        data.metrics.join(", ")
    );
    Ok(())
}

fn print_proxy_report(report: &proxy::Report) {
    println!(
        "{:<24} {:>8} {:>8} {:>14} {:>12} {:>11} {:>9} {:>8}",
        "metric", "n_train", "n_test", "rmse", "nrmse_range", "nrmse_mean", "mape", "r2"
    );
    for (metric, r) in report {
        println!(
            "{:<24} {:>8} {:>8} {:>14.6} {:>11.3}% {:>10.3}% {:>8.3}% {:>8.5}",
            metric,
            r.n_train,
            r.n_test,
            r.rmse,
            100.0 * r.nrmse_range,
            100.0 * r.nrmse_mean,
            100.0 * r.mape,
            r.r2
        );
    }
}
