//! Sweep plans: option grids, seeded sampling of grids, stable run ids and counts, and shards that
//! partition the runs.

use std::collections::BTreeSet;
use std::path::Path;

use hwgym::lab::plan;
use hwgym::lab::shard::Shard;
use hwgym::recipe;

const PLAN: &str = "\
name: plan-test
simulator: synthetic
options_grid: { function: [mixed, constrained] }
objective: { minimize: loss }
agents:
  - { kind: random_walk, grid: { restart_probability: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5] }, sample: { n: 3, seed: 7 } }
  - { kind: random_search, grid: { batch: [1, 4] } }
seeds: [1, 2]
budget: { evaluations: 25 }
";

fn parse(text: &str) -> recipe::Recipe {
    recipe::parse(Path::new("plan.yaml"), text).unwrap()
}

#[test]
fn option_grid_and_sampled_agent_grid_expand_to_the_expected_runs() {
    let r = parse(PLAN);
    // 2 option sets × (3 sampled + 2) settings × 2 seeds.
    assert_eq!(r.runs.len(), 2 * (3 + 2) * 2);
    let ids: BTreeSet<&str> = r.runs.iter().map(|x| x.run_id.as_str()).collect();
    assert_eq!(ids.len(), r.runs.len(), "run ids are unique");
    let functions: BTreeSet<&str> = r
        .runs
        .iter()
        .map(|x| x.options["function"].as_str())
        .collect();
    assert_eq!(functions, BTreeSet::from(["mixed", "constrained"]));
    // The sample is the same on every option set and keeps grid order.
    let sampled: Vec<f64> = r
        .runs
        .iter()
        .filter(|x| x.label == "random_walk" && x.seed == 1 && x.options["function"] == "mixed")
        .map(|x| x.params["restart_probability"].as_f64().unwrap())
        .collect();
    assert_eq!(sampled.len(), 3);
    assert!(sampled.windows(2).all(|w| w[0] < w[1]), "{sampled:?}");

    let p = plan::summarize(&r, Shard::WHOLE);
    assert_eq!(p.runs.len(), 20);
    assert_eq!(p.evaluations, Some(20 * 25));
    assert_eq!(p.option_sets.len(), 2);
    let rw = p.agents.iter().find(|a| a.label == "random_walk").unwrap();
    assert_eq!(
        (rw.settings, rw.runs, rw.evaluations),
        (3, 12, Some(12 * 25))
    );
}

#[test]
fn run_ids_are_stable_and_sampling_is_seeded() {
    let a = parse(PLAN);
    let b = parse(PLAN);
    assert_eq!(a.runs, b.runs, "same recipe, same runs");
    let other_seed = parse(&PLAN.replace("seed: 7", "seed: 8"));
    let picks = |r: &recipe::Recipe| -> BTreeSet<String> {
        r.runs
            .iter()
            .filter(|x| x.label == "random_walk")
            .map(|x| x.params.to_string())
            .collect()
    };
    assert_eq!(picks(&a).len(), 3);
    assert_ne!(
        picks(&a),
        picks(&other_seed),
        "a different sampling seed draws different points"
    );
    // Sampling more points than the grid has keeps the whole grid.
    let all = parse(&PLAN.replace("n: 3", "n: 50"));
    assert_eq!(picks(&all).len(), 6);
    // A run without options_grid keeps the id scheme (label-hash-seed).
    assert!(a.runs[0].run_id.starts_with("random_walk-") && a.runs[0].run_id.ends_with("-s1"));
}

#[test]
fn options_sample_draws_option_sets() {
    let text = PLAN.replace("options_grid: { function: [mixed, constrained] }", "options_grid: { function: [mixed, constrained, separable] }\noptions_sample: { n: 2, seed: 3 }").replace("minimize: loss", "maximize: score");
    // `separable` has no `loss`/`score` in common with the others: the objective is checked per set.
    let e = recipe::parse(Path::new("plan.yaml"), &text)
        .unwrap_err()
        .to_string();
    assert!(e.contains("objective"), "{e}");
    let text = PLAN.replace(
        "options_grid: { function: [mixed, constrained] }",
        "options_grid: { function: [mixed, constrained] }\noptions_sample: { n: 1, seed: 3 }",
    );
    let r = parse(&text);
    let functions: BTreeSet<&str> = r
        .runs
        .iter()
        .map(|x| x.options["function"].as_str())
        .collect();
    assert_eq!(functions.len(), 1);
    assert_eq!(r.runs.len(), (3 + 2) * 2);
}

#[test]
fn bad_plan_keys_name_line_and_field() {
    let e = recipe::parse(
        Path::new("plan.yaml"),
        &PLAN.replace(
            "options_grid: { function: [mixed, constrained] }",
            "options: { function: mixed }\noptions_grid: { function: [mixed] }",
        ),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("plan.yaml:4: options_grid.function: is also fixed in options"),
        "{e}"
    );
    let e = recipe::parse(
        Path::new("plan.yaml"),
        &PLAN.replace("grid: { batch: [1, 4] }", "sample: { n: 1 }"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("agents[1].sample: needs a `grid`"), "{e}");
    let e = recipe::parse(
        Path::new("plan.yaml"),
        &PLAN.replace("[mixed, constrained]", "[mixed, cubic]"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("plan.yaml:3: options:") && e.contains("cubic"),
        "{e}"
    );
    let e = recipe::parse(
        Path::new("plan.yaml"),
        &PLAN.replace("n: 3, seed: 7", "n: 3, seed: 7, size: 2"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("size"), "{e}");
}

#[test]
fn shards_partition_the_runs() {
    let r = parse(PLAN);
    let all: Vec<&str> = r.runs.iter().map(|x| x.run_id.as_str()).collect();
    for n in 1..=7 {
        let shards: Vec<Vec<&str>> = (0..n)
            .map(|i| {
                Shard::new(i, n)
                    .unwrap()
                    .select(&r.runs)
                    .iter()
                    .map(|x| x.run_id.as_str())
                    .collect()
            })
            .collect();
        let mut union: Vec<&str> = shards.iter().flatten().copied().collect();
        assert_eq!(
            union.len(),
            all.len(),
            "shards of {n} are disjoint and cover every run"
        );
        union.sort_unstable();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(union, sorted);
        let sizes: Vec<usize> = shards.iter().map(Vec::len).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "balanced: {sizes:?}"
        );
        // Deterministic: the same shard again gives the same runs.
        assert_eq!(
            shards[0],
            Shard::new(0, n)
                .unwrap()
                .select(&r.runs)
                .iter()
                .map(|x| x.run_id.as_str())
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn slurm_script_runs_one_shard_per_array_task() {
    use hwgym::lab::slurm::{SlurmParams, script, tasks_for};
    let p = SlurmParams {
        sweep: "plan-test".into(),
        binary: "/opt/hwgym/bin/hwgym".into(),
        recipe: "/home/me/plan.yaml".into(),
        out: "/scratch/results/plan-test".into(),
        workdir: "/home/me".into(),
        tasks: tasks_for(8, parse(PLAN).runs.len()),
        cpus_per_task: 4,
        partition: Some("short".into()),
        time: Some("01:00:00".into()),
        memory: None,
    };
    let s = script(&p);
    assert!(s.starts_with("#!/bin/bash\n"));
    for line in [
        "#SBATCH --array=0-7",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --partition=short",
        "#SBATCH --time=01:00:00",
        "#SBATCH --output=/scratch/results/plan-test/slurm/%A_%a.out",
        "exec '/opt/hwgym/bin/hwgym' run '/home/me/plan.yaml' --out '/scratch/results/plan-test' --jobs \"${SLURM_CPUS_PER_TASK:-4}\" --shard \"$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))/${SLURM_ARRAY_TASK_COUNT}\"",
    ] {
        assert!(s.lines().any(|l| l == line), "missing `{line}` in:\n{s}");
    }
    assert!(!s.contains("--mem"));
    // Never more tasks than runs.
    assert_eq!(tasks_for(100, 20), 20);
    assert_eq!(tasks_for(0, 20), 1);
}
