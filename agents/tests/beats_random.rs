//! Every search agent must beat random search at a fixed budget on the synthetic functions of
//! `gym::testing` (median best reward over seeds), and NSGA-II must reach a larger hypervolume than
//! random search on a two-objective function. Run with `--nocapture` for the comparison table.

use gym::testing::{MixedQuadratic, Separable, TwoObjective};
use gym::{Budget, Design, Objective, ObjectiveSpec, Runner, Simulator};

const SEEDS: u64 = 7;
const BUDGET: usize = 100;
/// Agents compared with random search on scalar objectives (NSGA-II included: it searches scalar
/// objectives as one-cost vectors).
const AGENTS: &[&str] = &["ga", "aco", "sa", "bo", "tpe", "nsga2"];

struct Case {
    name: &'static str,
    sim: Box<dyn Simulator>,
    objective: Objective,
}

fn cases() -> Vec<Case> {
    let minimize_loss = ObjectiveSpec {
        minimize: Some("loss".into()),
        ..Default::default()
    };
    let mixed = MixedQuadratic::new();
    let constrained = MixedQuadratic::constrained();
    let separable = Separable::new(8, 5);
    let maximize_score = ObjectiveSpec {
        maximize: Some("score".into()),
        ..Default::default()
    };
    vec![
        Case {
            name: "MixedQuadratic",
            objective: minimize_loss.build(mixed.metrics()).unwrap(),
            sim: Box::new(mixed),
        },
        Case {
            name: "MixedQuadratic::constrained",
            objective: minimize_loss.build(constrained.metrics()).unwrap(),
            sim: Box::new(constrained),
        },
        Case {
            name: "Separable(8, 5)",
            objective: maximize_score.build(separable.metrics()).unwrap(),
            sim: Box::new(separable),
        },
    ]
}

/// (best reward, hypervolume, designs) of one run.
fn run(
    kind: &str,
    sim: &dyn Simulator,
    objective: &Objective,
    budget: usize,
    seed: u64,
) -> (f64, Option<f64>, Vec<Design>) {
    let mut agent = agents::build(kind, sim.space(), &serde_json::Value::Null, seed).unwrap();
    let mut designs = Vec::new();
    let (outcome, _, _) = Runner::new(sim, objective, Budget::evaluations(budget))
        .run(agent.as_mut(), |r| designs.push(r.design.clone()));
    (
        outcome.best.map_or(f64::NEG_INFINITY, |b| b.reward),
        outcome.hypervolume,
        designs,
    )
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[test]
fn every_agent_beats_random_search() {
    let mut failures = Vec::new();
    for case in cases() {
        let baseline = median(
            (0..SEEDS)
                .map(|s| {
                    run(
                        "random_search",
                        case.sim.as_ref(),
                        &case.objective,
                        BUDGET,
                        s,
                    )
                    .0
                })
                .collect(),
        );
        println!(
            "{:28} {:14} median best reward {baseline:>10.4}",
            case.name, "random_search"
        );
        for kind in AGENTS {
            let start = std::time::Instant::now();
            let runs: Vec<(f64, Option<f64>, Vec<Design>)> = (0..SEEDS)
                .map(|s| run(kind, case.sim.as_ref(), &case.objective, BUDGET, s))
                .collect();
            // Determinism over the whole budget: the same seed replays the same designs.
            assert_eq!(
                runs[0].2,
                run(kind, case.sim.as_ref(), &case.objective, BUDGET, 0).2,
                "{kind} is not deterministic"
            );
            let m = median(runs.iter().map(|r| r.0).collect());
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{:28} {kind:14} median best reward {m:>10.4}   ({secs:.2} s for {} runs)",
                case.name,
                SEEDS + 1
            );
            if m <= baseline {
                failures.push(format!(
                    "{kind} on {}: median {m} <= random search {baseline}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn nsga2_front_beats_random_search_hypervolume() {
    let sim = TwoObjective::new();
    let spec = ObjectiveSpec {
        pareto: Some(vec!["f1".into(), "f2".into()]),
        reference: Some([("f1".to_string(), 1.1), ("f2".to_string(), 1.1)].into()),
        ..Default::default()
    };
    let objective = spec.build(sim.metrics()).unwrap();
    let hv = |kind: &str| {
        median(
            (0..SEEDS)
                .map(|s| run(kind, &sim, &objective, 200, s).1.unwrap())
                .collect(),
        )
    };
    let (random, nsga2) = (hv("random_search"), hv("nsga2"));
    println!(
        "TwoObjective hypervolume (reference 1.1, 1.1; ideal front 0.877): random_search {random:.4}, nsga2 {nsga2:.4}"
    );
    assert!(nsga2 > random, "nsga2 {nsga2} <= random search {random}");
}
