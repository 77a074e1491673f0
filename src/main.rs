//! `hwgym`: search hardware design spaces with pluggable agents and simulators.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use gym::Domain;
use hwgym::{lab, recipe, registry, sweep};

#[derive(Parser)]
#[command(
    name = "hwgym",
    version,
    about = "Search hardware design spaces with pluggable agents and simulators"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which logged evaluations to use.
#[derive(clap::Args)]
struct DataArgs {
    /// Results directories (every finished run in them).
    #[arg(required = true)]
    results: Vec<PathBuf>,
    /// Only runs of this simulator (needed when the directories hold several).
    #[arg(long)]
    simulator: Option<String>,
    /// Only runs with this simulator option, KEY=VALUE (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Metrics, comma-separated (default: every metric the simulator declares).
    #[arg(long, value_delimiter = ',')]
    metrics: Vec<String>,
}

#[derive(Subcommand)]
enum ProxyCommand {
    /// Train a proxy model on the distinct designs of results directories; prints its held-out report.
    Train {
        #[command(flatten)]
        data: DataArgs,
        /// forest | boosting | mlp
        #[arg(long, default_value = "forest")]
        model: String,
        /// Fraction of the designs held out for the report (default 0.2).
        #[arg(long, conflicts_with = "folds")]
        holdout: Option<f64>,
        /// K-fold cross-validation for the report instead of a held-out split.
        #[arg(long)]
        folds: Option<usize>,
        /// Log-transform the targets: auto | always | never.
        #[arg(long, default_value = "auto")]
        log: String,
        /// Seed of the split and of the model.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Model directory to write.
        #[arg(long)]
        out: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score a trained model on (other) results: the same report as training's.
    Eval {
        /// Model directory.
        model: PathBuf,
        /// Results directories.
        #[arg(required = true)]
        results: Vec<PathBuf>,
        /// Only runs with this simulator option, KEY=VALUE (repeatable); default: every option set
        /// of the model's simulator (e.g. other workloads).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the distinct designs (knobs, model features, metrics) as one parquet file.
    Dataset {
        #[command(flatten)]
        data: DataArgs,
        /// Output parquet file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Sweep evaluations per second with 1 and 2 threads (and more with --threads).
    Throughput {
        #[arg(long, value_delimiter = ',', default_value = "1,2")]
        threads: Vec<usize>,
        /// Evaluations per run.
        #[arg(long, default_value_t = 400)]
        evaluations: usize,
        /// Seeds per agent (the sweep has 2 agents × seeds runs; more runs than threads keep the
        /// cores busy until the end).
        #[arg(long, default_value_t = 8)]
        seeds: usize,
        /// Rounds; each runs every thread count once, and the speed-up is the median over rounds.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Artificial CPU time per evaluation of the synthetic simulator, in microseconds.
        #[arg(long, default_value_t = 200)]
        cost_us: u64,
        /// Benchmark the synthetic simulator even when a real one is registered.
        #[arg(long)]
        synthetic: bool,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Run every run of a recipe (finished runs are skipped: re-running resumes a killed sweep).
    Run {
        recipe: PathBuf,
        /// Worker threads (default: all cores).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Results directory (default: results/<recipe name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only shard I of N (0-based), a deterministic share of the runs (default: from
        /// SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT, else the whole sweep).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// Print the runs a recipe expands to (count, estimated evaluations).
    Plan {
        recipe: PathBuf,
        /// Show only shard I of N.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Only the summary, not every run.
        #[arg(long)]
        brief: bool,
    },
    /// Show which runs of a sweep are done, failed or missing.
    Status {
        results: PathBuf,
        /// The recipe to compare with (default: the plan.json the sweep wrote).
        #[arg(long)]
        recipe: Option<PathBuf>,
        /// List every run, not only the failed and missing ones.
        #[arg(long)]
        all: bool,
    },
    /// Combine the runs of one or more results directories into one parquet file.
    Merge {
        #[arg(required = true)]
        results: Vec<PathBuf>,
        /// Output file (default: <first dir>/merged/all.parquet).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Per-agent tables (best reward, samples-to-target, lottery, Pareto); also writes report.md.
    Report { results: PathBuf },
    /// Draw figures as PNG and SVG into RESULTS/plots/.
    Plot {
        results: PathBuf,
        /// convergence | lottery | pareto | sensitivity | all
        #[arg(long, default_value = "convergence")]
        kind: String,
        /// Output directory (default: RESULTS/plots).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write an sbatch job-array script that runs a recipe as N shards.
    Slurm {
        recipe: PathBuf,
        /// Array tasks (each runs many runs).
        #[arg(long)]
        tasks: usize,
        #[arg(long)]
        partition: Option<String>,
        /// Time limit per task, e.g. 02:00:00.
        #[arg(long)]
        time: Option<String>,
        #[arg(long)]
        mem: Option<String>,
        #[arg(long, default_value_t = 2)]
        cpus_per_task: usize,
        /// Results directory (default: results/<recipe name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Script path (default: <results>/<name>.sbatch).
        #[arg(long)]
        script: Option<PathBuf>,
        /// Submit it with sbatch.
        #[arg(long)]
        submit: bool,
    },
    /// Proxy (surrogate) models: train from results, score on other results, export datasets.
    Proxy {
        #[command(subcommand)]
        which: ProxyCommand,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
    /// List simulators (options, knobs, metrics) and agents (params with defaults).
    List,
    /// Optimise and map one circuit with a synthesis recipe (native engine or the real ABC).
    Synth {
        /// AIGER/BLIF file or a generator spec (e.g. `adder:kogge-stone:16`).
        circuit: String,
        /// Commands separated by `;` (`balance`, `rewrite [-z]`, `refactor [-z]`, `resub [-z]`, `resyn2`).
        #[arg(long, default_value = "")]
        recipe: String,
        /// Cell library (default: the project's built-in genlib).
        #[arg(long)]
        genlib: Option<PathBuf>,
        /// native | abc
        #[arg(long, default_value = "native")]
        engine: String,
        /// Write the optimised AIG (AIGER).
        #[arg(long)]
        write: Option<PathBuf>,
        /// Prove the result equivalent to the input (SAT on a miter).
        #[arg(long)]
        verify: bool,
        /// Seconds before an ABC run is killed.
        #[arg(long, default_value_t = 120.0)]
        abc_timeout: f64,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate one design and print its metrics.
    Eval {
        simulator: String,
        /// Simulator option, KEY=VALUE (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Knob value, KNOB=VALUE (repeatable); unset knobs take their defaults.
        #[arg(long = "set", value_name = "KNOB=VALUE")]
        set: Vec<String>,
        /// Print the metrics as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn split_pairs(pairs: &[String], what: &str) -> Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => bail!("{what} `{p}`: expected KEY=VALUE"),
        })
        .collect()
}

fn selection(data: &DataArgs) -> Result<lab::dataset::Selection> {
    Ok(lab::dataset::Selection {
        simulator: data.simulator.clone(),
        options: split_pairs(&data.env, "--env")?.into_iter().collect(),
        metrics: data.metrics.clone(),
        any_options: false,
    })
}

fn git_rev() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn cmd_run(path: PathBuf, jobs: usize, out: Option<PathBuf>, shard: Option<String>) -> Result<()> {
    let recipe = recipe::load(&path)?;
    let out = out.unwrap_or_else(|| PathBuf::from("results").join(&recipe.name));
    let opts = sweep::SweepOptions {
        out: out.clone(),
        jobs,
        progress: std::io::stderr().is_terminal(),
        git_rev: git_rev(),
    };
    let shard = lab_cli::shard(shard.as_deref())?;
    let mine = shard.select(&recipe.runs);
    let done = hwgym::store::finished_runs(&out);
    let pending = mine.iter().filter(|r| !done.contains(&r.run_id)).count();
    let share = if shard == lab::shard::Shard::WHOLE {
        String::new()
    } else {
        format!(" shard {shard}:")
    };
    eprintln!(
        "{}:{share} {} runs ({} to do, {} already finished) → {}",
        recipe.name,
        mine.len(),
        pending,
        mine.len() - pending,
        out.display()
    );
    let report = sweep::run_shard(&recipe, shard, &opts)?;
    for f in &report.failed {
        eprintln!("failed: {}: {}", f.run_id, f.error);
    }

    // Closing summary, one line per agent label.
    let mut by_label: BTreeMap<&str, Vec<&hwgym::store::RunSummary>> = BTreeMap::new();
    for s in &report.summaries {
        by_label.entry(s.spec.label.as_str()).or_default().push(s);
    }
    println!(
        "{:<18} {:>5} {:>14} {:>14} {:>8} {:>10} {:>9}  best design",
        "agent", "runs", "median best", "best reward", "evals", "to target", "time (s)"
    );
    for (label, runs) in &by_label {
        let bests: Vec<f64> = runs.iter().filter_map(|r| r.best_reward).collect();
        let best = runs
            .iter()
            .filter(|r| r.best_reward.is_some())
            .max_by(|a, b| a.best_reward.unwrap().total_cmp(&b.best_reward.unwrap()));
        let evals: usize = runs.iter().map(|r| r.evaluations).sum();
        let hits: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.evaluations_to_target.map(|x| x as f64))
            .collect();
        let to_target = if hits.is_empty() {
            "-".to_string()
        } else {
            format!(
                "{:.0} ({}/{})",
                median(hits.clone()),
                hits.len(),
                runs.len()
            )
        };
        let time: f64 = runs.iter().map(|r| r.wall_seconds).sum();
        let design = best
            .and_then(|b| b.best_design.as_ref())
            .map(|d| {
                d.iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            v.as_str()
                                .map(String::from)
                                .unwrap_or_else(|| v.to_string())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<18} {:>5} {:>14.6} {:>14.6} {:>8} {:>10} {:>9.2}  {}",
            label,
            runs.len(),
            median(bests.clone()),
            best.and_then(|b| b.best_reward).unwrap_or(f64::NAN),
            evals,
            to_target,
            time,
            design
        );
    }
    if !report.failed.is_empty() {
        bail!(
            "{} of {} runs failed (recorded as <run_id>.failed.json; `hwgym status {}` lists them)",
            report.failed.len(),
            mine.len(),
            out.display()
        );
    }
    Ok(())
}

fn describe_domain(d: &Domain) -> String {
    match d {
        Domain::Categorical(l) => l.join("|"),
        Domain::Int { lo, hi } => format!("int {lo}..={hi}"),
        Domain::Pow2 { lo, hi } => format!("pow2 {lo}..={hi}"),
        Domain::Float { lo, hi, log } => {
            format!("float [{lo}, {hi}]{}", if *log { " log" } else { "" })
        }
    }
}

fn cmd_list() -> Result<()> {
    println!("SIMULATORS");
    for s in registry::SIMULATORS {
        println!("\n{} — {}", s.name, s.description);
        println!("  options:");
        for o in s.options {
            let default = if o.default.is_empty() {
                String::new()
            } else {
                format!(" (default {})", o.default)
            };
            println!("    {:<18} {}{}", o.name, o.help, default);
        }
        match (s.build)(&BTreeMap::new()) {
            Ok(sim) => {
                println!("  knobs:");
                for p in sim.space().params() {
                    let default = p
                        .default
                        .map(|v| format!(" (default {})", p.domain.format(&v)))
                        .unwrap_or_default();
                    println!(
                        "    {:<22} {}{}",
                        p.name,
                        describe_domain(&p.domain),
                        default
                    );
                }
                println!("  metrics:");
                for m in sim.metrics() {
                    println!(
                        "    {:<22} {:<8} {:?}  {}",
                        m.name, m.unit, m.direction, m.description
                    );
                }
            }
            Err(e) => println!("  (needs options to list knobs: {e})"),
        }
    }
    println!("\nAGENTS");
    for a in registry::agents() {
        println!("  {:<14} {}", a.kind, a.description);
        println!("  {:<14} params: {}", "", (a.defaults)());
    }
    Ok(())
}

fn cmd_eval(simulator: &str, env: &[String], set: &[String], json: bool) -> Result<()> {
    let info = registry::find_simulator(simulator).map_err(anyhow::Error::msg)?;
    let options: BTreeMap<String, String> = split_pairs(env, "--env")?.into_iter().collect();
    let sim = (info.build)(&options).with_context(|| format!("simulator `{simulator}`"))?;
    let knobs = split_pairs(set, "--set")?;
    let design = sim
        .space()
        .parse_assignments(knobs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    let start = std::time::Instant::now();
    let metrics = sim.evaluate_checked(&design)?;
    let seconds = start.elapsed().as_secs_f64();
    if json {
        let obj: serde_json::Map<String, serde_json::Value> = metrics
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect();
        println!("{}", serde_json::Value::Object(obj));
    } else {
        println!("design: {}", sim.space().describe(&design));
        for (k, v) in metrics.iter() {
            let unit = sim.metric(k).map(|m| m.unit.as_str()).unwrap_or("");
            println!("  {k:<28} {v:>18.6} {unit}");
        }
        println!("  ({seconds:.6} s)");
    }
    Ok(())
}

/// The lab subcommands' printing layer (src/lab/cli.rs: binary-only, it prints the lab's tables).
#[path = "lab/cli.rs"]
mod lab_cli;

#[allow(clippy::too_many_arguments)]
fn cmd_synth(
    circuit: String,
    recipe: String,
    genlib: Option<PathBuf>,
    engine: &str,
    write: Option<PathBuf>,
    verify: bool,
    abc_timeout: f64,
    json: bool,
) -> Result<()> {
    let request = logic::synth::SynthRequest {
        circuit,
        recipe,
        genlib,
        engine: engine.parse()?,
        write,
        verify,
        abc_timeout: std::time::Duration::from_secs_f64(abc_timeout),
    };
    let report = logic::synth::run(&request)?;
    if verify && report.equivalent != Some(true) {
        bail!("the optimised circuit is NOT equivalent to its input");
    }
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "and {}  lev {}  gates {}  area {:.2}  delay {:.2}  adp {:.2}  ({:.3} s{})",
            report.and,
            report.lev,
            report.gates,
            report.area,
            report.delay,
            report.adp,
            report.seconds,
            if verify { ", verified equivalent" } else { "" }
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            recipe,
            jobs,
            out,
            shard,
        } => cmd_run(recipe, jobs, out, shard),
        Command::Plan {
            recipe,
            shard,
            brief,
        } => lab_cli::plan(&recipe, shard.as_deref(), brief),
        Command::Status {
            results,
            recipe,
            all,
        } => lab_cli::status(&results, recipe.as_deref(), all),
        Command::Merge { results, out } => lab_cli::merge(&results, out),
        Command::Report { results } => lab_cli::report(&results),
        Command::Plot { results, kind, out } => lab_cli::plot(&results, &kind, out),
        Command::Slurm {
            recipe,
            tasks,
            partition,
            time,
            mem,
            cpus_per_task,
            out,
            script,
            submit,
        } => lab_cli::slurm(
            &recipe,
            tasks,
            partition,
            time,
            mem,
            cpus_per_task,
            out,
            script,
            submit,
        ),
        Command::Proxy { which } => match which {
            ProxyCommand::Train {
                data,
                model,
                holdout,
                folds,
                log,
                seed,
                out,
                json,
            } => selection(&data).and_then(|sel| {
                lab_cli::proxy_train(
                    &data.results,
                    &sel,
                    &lab_cli::TrainArgs {
                        model,
                        holdout,
                        folds,
                        log,
                        seed,
                    },
                    &out,
                    json,
                )
            }),
            ProxyCommand::Eval {
                model,
                results,
                env,
                json,
            } => split_pairs(&env, "--env").and_then(|env| {
                lab_cli::proxy_eval(&model, &results, env.into_iter().collect(), json)
            }),
            ProxyCommand::Dataset { data, out } => {
                selection(&data).and_then(|sel| lab_cli::proxy_dataset(&data.results, &sel, &out))
            }
        },
        Command::Bench {
            which:
                BenchCommand::Throughput {
                    threads,
                    evaluations,
                    seeds,
                    rounds,
                    cost_us,
                    synthetic,
                },
        } => lab_cli::bench_throughput(&threads, evaluations, seeds, rounds, cost_us, synthetic),
        Command::List => cmd_list(),
        Command::Synth {
            circuit,
            recipe,
            genlib,
            engine,
            write,
            verify,
            abc_timeout,
            json,
        } => cmd_synth(
            circuit,
            recipe,
            genlib,
            &engine,
            write,
            verify,
            abc_timeout,
            json,
        ),
        Command::Eval {
            simulator,
            env,
            set,
            json,
        } => cmd_eval(&simulator, &env, &set, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the error and its causes.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::FAILURE
        }
    }
}
