//! Report numbers on a small hand-made results set (every expected number is worked out by hand in
//! the comments).

use std::collections::BTreeMap;
use std::path::Path;

use gym::runner::Best;
use gym::testing::{MixedQuadratic, TwoObjective};
use gym::{
    Budget, Design, Metrics, ObjectiveSpec, Outcome, Record, RunStats, Simulator, StopReason,
};
use hwgym::lab::{report, results};
use hwgym::recipe::RunSpec;
use hwgym::store::{self, RunSummary};

fn spec(
    label: &str,
    params: serde_json::Value,
    seed: u64,
    function: &str,
    objective: &ObjectiveSpec,
) -> RunSpec {
    RunSpec {
        run_id: format!(
            "{label}-{function}-{:08x}-s{seed}",
            hwgym::recipe::stable_hash(&params.to_string()) as u32
        ),
        sweep: "hand".into(),
        simulator: "synthetic".into(),
        options: BTreeMap::from([("function".to_string(), function.to_string())]),
        objective: objective.clone(),
        agent: label.into(),
        label: label.into(),
        params,
        seed,
        budget: Budget::evaluations(3),
        batch_size: None,
    }
}

/// Writes a run whose evaluations have the given metrics; `best`/`to_target` go to its summary.
#[allow(clippy::too_many_arguments)] // a test fixture: one argument per summary field it sets
fn write(
    dir: &Path,
    sim: &dyn Simulator,
    spec: RunSpec,
    design: &Design,
    evaluations: &[Metrics],
    best: f64,
    to_target: Option<usize>,
    hypervolume: Option<f64>,
) {
    let mut running = f64::NEG_INFINITY;
    let records: Vec<Record> = evaluations
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let reward = if i + 1 == evaluations.len() {
                best
            } else {
                best - 1.0
            };
            running = running.max(reward);
            Record {
                step: i,
                batch: i,
                design: design.clone(),
                metrics: Some(m.clone()),
                reward,
                best_reward: running,
                costs: Vec::new(),
                feasible: true,
                error: None,
                target_met: to_target.is_some_and(|t| t <= i + 1),
                sim_seconds: 0.0,
                wall_seconds: 0.0,
                cache_hit: false,
            }
        })
        .collect();
    let outcome = Outcome {
        best: Some(Best {
            step: evaluations.len() - 1,
            design: design.clone(),
            metrics: evaluations.last().unwrap().clone(),
            reward: best,
        }),
        evaluations_to_target: to_target,
        pareto_front: Vec::new(),
        hypervolume,
    };
    let stats = RunStats {
        evaluations: evaluations.len(),
        ..Default::default()
    };
    let frame = store::records_frame(&spec, sim.space(), sim.metrics(), &records, None).unwrap();
    let summary = RunSummary::new(
        &spec,
        sim.space(),
        sim.metrics(),
        StopReason::Evaluations,
        &stats,
        &outcome,
        None,
    );
    store::write_run(dir, &summary, frame).unwrap();
}

fn m(pairs: &[(&str, f64)]) -> Metrics {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

#[test]
fn report_numbers_match_a_hand_checked_results_set() {
    let dir = tempfile::tempdir().unwrap();
    let sim = MixedQuadratic::new();
    let design = sim.optimum();
    let target: ObjectiveSpec = serde_json::from_str(r#"{"target": {"loss": 0.25}}"#).unwrap();
    let loss = [m(&[("loss", 1.0), ("size", 4.0)])];
    // Agent A: two settings × two seeds; agent B: one setting × three seeds.
    //   A p=0: final rewards 1, 3; samples-to-target 10, never
    //   A p=1: final rewards 5, 7; samples-to-target 4, 6
    //   B:     final rewards 2, 4, 7; samples-to-target never, 8, 12
    let a0 = serde_json::json!({"p": 0});
    let a1 = serde_json::json!({"p": 1});
    let b = serde_json::json!({});
    for (label, params, seed, best, to_target) in [
        ("A", &a0, 1, 1.0, Some(10)),
        ("A", &a0, 2, 3.0, None),
        ("A", &a1, 1, 5.0, Some(4)),
        ("A", &a1, 2, 7.0, Some(6)),
        ("B", &b, 1, 2.0, None),
        ("B", &b, 2, 4.0, Some(8)),
        ("B", &b, 3, 7.0, Some(12)),
    ] {
        write(
            dir.path(),
            &sim,
            spec(label, params.clone(), seed, "mixed", &target),
            &design,
            &loss,
            best,
            to_target,
            None,
        );
    }

    // A vector objective on another problem: agent A's points (0.2, 0.8), (0.5, 0.5), (0.6, 0.6);
    // B's (0.1, 0.95), (0.5, 0.4). Reference (1, 1).
    let two = TwoObjective::new();
    let xy = two.space().default_design();
    let pareto: ObjectiveSpec =
        serde_json::from_str(r#"{"pareto": ["f1", "f2"], "reference": {"f1": 1.0, "f2": 1.0}}"#)
            .unwrap();
    let pa = [
        m(&[("f1", 0.2), ("f2", 0.8)]),
        m(&[("f1", 0.5), ("f2", 0.5)]),
        m(&[("f1", 0.6), ("f2", 0.6)]),
    ];
    let pb = [
        m(&[("f1", 0.1), ("f2", 0.95)]),
        m(&[("f1", 0.5), ("f2", 0.4)]),
    ];
    write(
        dir.path(),
        &two,
        spec("A", a0.clone(), 1, "two_objective", &pareto),
        &xy,
        &pa,
        -1.0,
        None,
        Some(0.31),
    );
    write(
        dir.path(),
        &two,
        spec("B", b.clone(), 1, "two_objective", &pareto),
        &xy,
        &pb,
        -1.0,
        None,
        Some(0.32),
    );

    let res = results::load(dir.path()).unwrap();
    assert_eq!(res.problems.len(), 2);
    let rep = report::build(&res).unwrap();
    let md = report::markdown(&rep);
    println!("{md}");
    let target_problem = rep
        .problems
        .iter()
        .find(|p| p.title.contains("target"))
        .unwrap();

    let a = target_problem
        .agents
        .iter()
        .find(|r| r.label == "A")
        .unwrap();
    assert_eq!((a.runs, a.settings), (4, 2));
    assert_eq!(a.best_reward, Some(7.0));
    // median(1, 3, 5, 7) = 4
    assert_eq!(a.median_final_reward, Some(4.0));
    let t = a.target.as_ref().unwrap();
    assert_eq!((t.hits, t.runs, t.success_rate), (3, 4, 0.75));
    // samples 4, 6, 10: median 6; Q1 at position 0.5 → 5; Q3 at 1.5 → 8
    let q = t.samples.unwrap();
    assert_eq!((q.median, q.q1, q.q3), (6.0, 5.0, 8.0));

    let bb = target_problem
        .agents
        .iter()
        .find(|r| r.label == "B")
        .unwrap();
    assert_eq!(
        (bb.runs, bb.settings, bb.best_reward, bb.median_final_reward),
        (3, 1, Some(7.0), Some(4.0))
    );
    let t = bb.target.as_ref().unwrap();
    assert_eq!((t.hits, t.runs), (2, 3));
    // samples 8, 12: median 10, Q1 9, Q3 11
    let q = t.samples.unwrap();
    assert_eq!((q.median, q.q1, q.q3), (10.0, 9.0, 11.0));

    // Lottery: A's setting medians are 2 (p=0) and 6 (p=1); best seeds A: 3, 7; B: 7.
    let la = target_problem
        .lottery
        .iter()
        .find(|r| r.label == "A")
        .unwrap();
    let s = la.spread.unwrap();
    assert_eq!(
        (s.min, s.q1, s.median, s.q3, s.max),
        (2.0, 3.0, 4.0, 5.0, 6.0)
    );
    assert_eq!(la.best_setting.as_deref(), Some(r#"{"p":1}"#));
    assert_eq!(la.worst_setting.as_deref(), Some(r#"{"p":0}"#));
    // A vs B: (3 < 7) loses, (7 = 7) ties → (0 + ½) / 2
    assert_eq!(la.win_rate, Some(0.25));
    let lb = target_problem
        .lottery
        .iter()
        .find(|r| r.label == "B")
        .unwrap();
    assert_eq!(lb.win_rate, Some(0.75));
    assert_eq!(lb.spread.unwrap().median, 4.0);
    assert!(
        md.contains("| A | 4 | 2 | 4 | 7 | 4 | 6 [5, 8] | 75 % (3/4) |"),
        "{md}"
    );

    // Pareto: A's front (0.2, 0.8), (0.5, 0.5): HV 0.8·0.2 + 0.5·0.3 = 0.31.
    //         B's front (0.1, 0.95), (0.5, 0.4): HV 0.9·0.05 + 0.5·0.55 = 0.32.
    //         Global front: B (0.1, 0.95), A (0.2, 0.8), B (0.5, 0.4): HV 0.045 + 0.8·0.15 + 0.5·0.4 = 0.365.
    let pp = rep
        .problems
        .iter()
        .find(|p| p.title.contains("pareto"))
        .unwrap();
    assert!(pp.agents.iter().all(|a| a.target.is_none()));
    let table = pp.pareto.as_ref().unwrap();
    let pa = table.rows.iter().find(|r| r.label == "A").unwrap();
    let pb = table.rows.iter().find(|r| r.label == "B").unwrap();
    assert_eq!(
        (
            pa.front_size,
            pa.on_global_front,
            pb.front_size,
            pb.on_global_front
        ),
        (2, 1, 2, 2)
    );
    assert!(
        (pa.hypervolume.unwrap() - 0.31).abs() < 1e-12,
        "{:?}",
        pa.hypervolume
    );
    assert!(
        (pb.hypervolume.unwrap() - 0.32).abs() < 1e-12,
        "{:?}",
        pb.hypervolume
    );
    assert_eq!(pa.median_run_hypervolume, Some(0.31));
    assert!((table.global_hypervolume.unwrap() - 0.365).abs() < 1e-12);
    let labels: Vec<&str> = table
        .global_front
        .iter()
        .map(|f| f.label.as_str())
        .collect();
    assert_eq!(labels, ["B", "A", "B"]);
    assert_eq!(table.global_front[1].metrics, vec![0.2, 0.8]);
}
