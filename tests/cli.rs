//! The binary's contract: `eval --json` prints one JSON object; errors are one line, non-zero exit.

mod common;

use common::{err, hwgym, ok};

#[test]
fn eval_prints_metrics_as_one_json_object() {
    let out = hwgym(&[
        "eval",
        "synthetic",
        "--env",
        "function=mixed",
        "--set",
        "shape=triangle",
        "--set",
        "n=13",
        "--set",
        "width=32",
        "--set",
        "x=1.5",
        "--set",
        "lr=0.01",
        "--json",
    ]);
    let text = ok(out);
    assert_eq!(text.trim().lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["loss"], serde_json::json!(0.0));
    assert_eq!(v["size"], serde_json::json!(416.0));
}

#[test]
fn eval_rejects_bad_knob_values_by_name() {
    let err = err(hwgym(&["eval", "synthetic", "--set", "width=48", "--json"]));
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("`width`") && err.contains("48") && err.contains("power of two"),
        "{err}"
    );
}

#[test]
fn run_reports_recipe_errors_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "name: bad\nsimulator: synthetic\nobjective: { minimize: loss }\nagents: [ { kind: ga2 } ]\nbudget: { evaluations: 5 }\n").unwrap();
    let err = err(hwgym(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]));
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.yaml:4: agents[0].kind: unknown agent `ga2`"),
        "{err}"
    );
}

#[test]
fn run_writes_results_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.yaml");
    std::fs::write(&path, "name: tiny\nsimulator: synthetic\nobjective: { minimize: loss }\nagents: [ { kind: random_search } ]\nseeds: 2\nbudget: { evaluations: 16 }\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = hwgym(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    let table = ok(out);
    assert!(
        table.contains("random_search") && table.contains("median best"),
        "{table}"
    );
    assert_eq!(hwgym::store::finished_runs(&out_dir).len(), 2);
}

#[test]
fn recipes_can_name_the_rl_learners_and_their_training_stats_are_logged() {
    let listed = ok(hwgym(&["list"]));
    for kind in ["ppo", "sac", "marl"] {
        assert!(
            listed.contains(kind),
            "`hwgym list` lacks {kind}:\n{listed}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rl.yaml");
    std::fs::write(
        &path,
        "name: rl\nsimulator: synthetic\noptions: { function: separable }\nobjective: { maximize: score }\n\
         agents:\n  - { kind: ppo, params: { steps_per_update: 16, batch: 8 } }\n  - { kind: sac, params: { batch: 8, min_replay_size: 16, batch_size: 16, steps_per_update: 8 } }\n  \
         - { kind: marl, params: { ppo: { steps_per_update: 16, batch: 8 } } }\nbudget: { evaluations: 48 }\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    ok(hwgym(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]));
    let ids = hwgym::store::finished_runs(&out_dir);
    assert_eq!(ids.len(), 3);
    let mut learners = Vec::new();
    for id in &ids {
        let summary = hwgym::store::read_summary(&out_dir, id).unwrap();
        assert_eq!(summary.evaluations, 48, "{id}");
        assert!(
            summary.agent_stats.keys().any(|k| k.contains("loss")),
            "{}: no training losses among {:?}",
            summary.spec.agent,
            summary.agent_stats.keys()
        );
        learners.push(summary.spec.agent);
    }
    learners.sort();
    assert_eq!(learners, ["marl", "ppo", "sac"]);
}
