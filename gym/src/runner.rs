//! The [`Runner`]: ask → evaluate the batch in parallel → tell → record, until a budget runs out or the
//! target is met. Results do not depend on the number of threads: batches are evaluated by a pure
//! simulator and handed back in the order the agent asked for them.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::agent::{Agent, Evaluation};
use crate::objective::{Objective, dominates, hypervolume};
use crate::sim::{Metrics, SimError, Simulator};
use crate::space::Design;

/// When a run stops. At least one of `evaluations` and `wall_seconds` must be set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Designs the agent may have evaluated (repeats served from the cache count too: they are samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluations: Option<usize>,
    /// Wall-clock limit, checked between batches. Runs stopped by it are not reproducible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// Stop as soon as a design meets the objective's target.
    #[serde(default)]
    pub stop_at_target: bool,
}

impl Budget {
    pub fn evaluations(n: usize) -> Self {
        Budget {
            evaluations: Some(n),
            ..Default::default()
        }
    }

    /// Checks that the budget bounds the run.
    pub fn validate(&self) -> Result<(), String> {
        match (self.evaluations, self.wall_seconds) {
            (None, None) => Err("budget: set `evaluations` and/or `wall_seconds`".into()),
            (Some(0), _) => Err("budget: `evaluations` must be at least 1".into()),
            (_, Some(s)) if !(s.is_finite() && s > 0.0) => Err(format!(
                "budget: `wall_seconds` must be a positive number, got {s}"
            )),
            _ => Ok(()),
        }
    }
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Evaluations,
    WallClock,
    TargetMet,
    /// The agent proposed no more designs.
    AgentDone,
}

/// One evaluation as the runner logs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// 0-based index of the evaluation in the run.
    pub step: usize,
    /// 0-based index of the batch it was asked in.
    pub batch: usize,
    pub design: Design,
    pub metrics: Option<Metrics>,
    pub reward: f64,
    /// Best reward of the run so far, this evaluation included (−∞ until one succeeds).
    pub best_reward: f64,
    pub costs: Vec<f64>,
    pub feasible: bool,
    pub error: Option<String>,
    pub target_met: bool,
    /// Time the simulator spent on this design (0 for cache hits).
    pub sim_seconds: f64,
    /// Time since the run started, when the record was made.
    pub wall_seconds: f64,
    pub cache_hit: bool,
}

/// The best design a run found.
#[derive(Clone, Debug, PartialEq)]
pub struct Best {
    pub step: usize,
    pub design: Design,
    pub metrics: Metrics,
    pub reward: f64,
}

/// What a run found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub best: Option<Best>,
    /// Evaluations used when the target was first met (1-based), for samples-to-target figures.
    pub evaluations_to_target: Option<usize>,
    /// Non-dominated (design, costs) pairs, for Pareto objectives.
    pub pareto_front: Vec<(Design, Vec<f64>)>,
    /// Hypervolume of the front, when the objective gives a reference point.
    pub hypervolume: Option<f64>,
}

/// Counts and times of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunStats {
    pub evaluations: usize,
    pub batches: usize,
    /// Distinct designs actually simulated.
    pub simulator_calls: usize,
    pub cache_hits: usize,
    pub infeasible: usize,
    pub failed: usize,
    pub simulator_seconds: f64,
    pub wall_seconds: f64,
    /// The agent's own statistics at the end of the run.
    pub agent: BTreeMap<String, f64>,
}

/// Runs agents against one simulator and objective under a budget.
pub struct Runner<'a> {
    sim: &'a dyn Simulator,
    objective: &'a Objective,
    budget: Budget,
    batch_size: Option<usize>,
}

struct Simulated {
    result: Result<Metrics, SimError>,
    seconds: f64,
}

impl<'a> Runner<'a> {
    pub fn new(sim: &'a dyn Simulator, objective: &'a Objective, budget: Budget) -> Self {
        Runner {
            sim,
            objective,
            budget,
            batch_size: None,
        }
    }

    /// Overrides the agent's preferred batch size.
    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n.max(1));
        self
    }

    /// Runs `agent` until the budget is used, the target is met (if asked) or the agent is done, calling
    /// `on_record` for every evaluation in order.
    pub fn run(
        &self,
        agent: &mut dyn Agent,
        mut on_record: impl FnMut(&Record),
    ) -> (Outcome, StopReason, RunStats) {
        let start = Instant::now();
        let mut cache: HashMap<Design, Simulated> = HashMap::new();
        let mut outcome = Outcome::default();
        let mut stats = RunStats::default();
        let mut best_reward = f64::NEG_INFINITY;
        let batch_size = self.batch_size.unwrap_or_else(|| agent.batch_size()).max(1);
        let stop = loop {
            let remaining = self
                .budget
                .evaluations
                .map_or(usize::MAX, |b| b - stats.evaluations);
            if remaining == 0 {
                break StopReason::Evaluations;
            }
            if self
                .budget
                .wall_seconds
                .is_some_and(|w| start.elapsed().as_secs_f64() >= w)
            {
                break StopReason::WallClock;
            }
            let mut designs = agent.ask(batch_size.min(remaining));
            designs.truncate(remaining);
            if designs.is_empty() {
                break StopReason::AgentDone;
            }

            // Simulate each design not seen before once, in parallel, keeping first-occurrence order.
            let mut fresh: Vec<&Design> = Vec::new();
            for d in &designs {
                if !cache.contains_key(d) && !fresh.contains(&d) {
                    fresh.push(d);
                }
            }
            let results: Vec<Simulated> = fresh
                .par_iter()
                .map(|d| {
                    let t = Instant::now();
                    let result = self.sim.evaluate_checked(d);
                    Simulated {
                        result,
                        seconds: t.elapsed().as_secs_f64(),
                    }
                })
                .collect();
            stats.simulator_calls += results.len();
            let fresh: Vec<Design> = fresh.into_iter().cloned().collect();
            let mut first_use: Vec<Design> = fresh.clone();
            for (d, r) in fresh.into_iter().zip(results) {
                stats.simulator_seconds += r.seconds;
                cache.insert(d, r);
            }

            let mut evaluations = Vec::with_capacity(designs.len());
            let mut target_hit = false;
            for design in designs {
                let sim = &cache[&design];
                let cache_hit = match first_use.iter().position(|d| *d == design) {
                    Some(i) => {
                        first_use.swap_remove(i);
                        false
                    }
                    None => true,
                };
                let (eval, target_met) = self.score(&design, &sim.result);
                if eval.is_ok() && eval.reward > best_reward {
                    best_reward = eval.reward;
                    outcome.best = Some(Best {
                        step: stats.evaluations,
                        design: design.clone(),
                        metrics: eval.metrics.clone().expect("ok evaluations have metrics"),
                        reward: eval.reward,
                    });
                }
                if !eval.feasible {
                    stats.infeasible += 1;
                } else if eval.error.is_some() {
                    stats.failed += 1;
                }
                if cache_hit {
                    stats.cache_hits += 1;
                }
                if target_met && outcome.evaluations_to_target.is_none() {
                    outcome.evaluations_to_target = Some(stats.evaluations + 1);
                }
                target_hit |= target_met;
                if self.objective.is_pareto() && eval.is_ok() {
                    update_front(&mut outcome.pareto_front, &eval.design, &eval.costs);
                }
                on_record(&Record {
                    step: stats.evaluations,
                    batch: stats.batches,
                    design: design.clone(),
                    metrics: eval.metrics.clone(),
                    reward: eval.reward,
                    best_reward,
                    costs: eval.costs.clone(),
                    feasible: eval.feasible,
                    error: eval.error.clone(),
                    target_met,
                    sim_seconds: if cache_hit { 0.0 } else { sim.seconds },
                    wall_seconds: start.elapsed().as_secs_f64(),
                    cache_hit,
                });
                stats.evaluations += 1;
                evaluations.push(eval);
            }
            stats.batches += 1;
            agent.tell(&evaluations);
            if self.budget.stop_at_target && target_hit {
                break StopReason::TargetMet;
            }
        };
        if let Objective::Pareto {
            reference: Some(r), ..
        } = self.objective
        {
            let costs: Vec<Vec<f64>> = outcome
                .pareto_front
                .iter()
                .map(|(_, c)| c.clone())
                .collect();
            outcome.hypervolume = Some(hypervolume(&costs, r));
        }
        stats.wall_seconds = start.elapsed().as_secs_f64();
        stats.agent = agent.stats();
        (outcome, stop, stats)
    }

    /// Turns a simulation result into what the agent is told, and whether the target is met.
    fn score(&self, design: &Design, result: &Result<Metrics, SimError>) -> (Evaluation, bool) {
        let failed = |feasible: bool, error: String| Evaluation {
            design: design.clone(),
            metrics: None,
            reward: f64::NEG_INFINITY,
            costs: Vec::new(),
            feasible,
            error: Some(error),
        };
        match result {
            Err(e) => (failed(!e.is_infeasible(), e.to_string()), false),
            Ok(m) => {
                let s = self.objective.score(m);
                if s.reward.is_nan() || s.costs.iter().any(|c| c.is_nan()) {
                    let missing: Vec<&str> = self
                        .objective
                        .metric_names()
                        .into_iter()
                        .filter(|k| m.get(k).is_none_or(f64::is_nan))
                        .collect();
                    let mut e = failed(
                        true,
                        format!(
                            "objective is undefined: metric(s) {} missing or NaN",
                            missing.join(", ")
                        ),
                    );
                    e.metrics = Some(m.clone());
                    return (e, false);
                }
                let eval = Evaluation {
                    design: design.clone(),
                    metrics: Some(m.clone()),
                    reward: s.reward,
                    costs: s.costs,
                    feasible: true,
                    error: None,
                };
                (eval, s.target_met)
            }
        }
    }
}

/// Adds `(design, costs)` to a non-dominated set, dropping the points it dominates.
fn update_front(front: &mut Vec<(Design, Vec<f64>)>, design: &Design, costs: &[f64]) {
    if front
        .iter()
        .any(|(_, c)| dominates(c, costs) || c.as_slice() == costs)
    {
        return;
    }
    front.retain(|(_, c)| !dominates(costs, c));
    front.push((design.clone(), costs.to_vec()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::ObjectiveSpec;
    use crate::rng::{Rng, seeded};
    use crate::space::ParamSpace;
    use crate::testing::{MixedQuadratic, TwoObjective};

    /// Samples uniformly; enough to exercise the runner without depending on the agents crate.
    struct Sampler {
        space: ParamSpace,
        rng: Rng,
        batch: usize,
        told: usize,
    }
    impl Agent for Sampler {
        fn ask(&mut self, n: usize) -> Vec<Design> {
            (0..n).map(|_| self.space.sample(&mut self.rng)).collect()
        }
        fn tell(&mut self, e: &[Evaluation]) {
            self.told += e.len();
        }
        fn batch_size(&self) -> usize {
            self.batch
        }
    }

    fn records(threads: usize, batch: usize) -> Vec<Record> {
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            minimize: Some("loss".into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut agent = Sampler {
            space: sim.space().clone(),
            rng: seeded(5),
            batch,
            told: 0,
        };
        let mut out = Vec::new();
        pool.install(|| {
            Runner::new(&sim, &obj, Budget::evaluations(50))
                .run(&mut agent, |r| out.push(r.clone()));
        });
        assert_eq!(agent.told, 50);
        out
    }

    fn strip_timing(mut r: Vec<Record>) -> Vec<Record> {
        for x in &mut r {
            x.sim_seconds = 0.0;
            x.wall_seconds = 0.0;
        }
        r
    }

    #[test]
    fn same_results_for_any_thread_count() {
        let a = strip_timing(records(1, 8));
        let b = strip_timing(records(3, 8));
        assert_eq!(a.len(), 50);
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[1].best_reward >= w[0].best_reward));
        assert_eq!(a.last().unwrap().batch, 6);
    }

    #[test]
    fn repeated_designs_are_cached() {
        struct Repeat(Design);
        impl Agent for Repeat {
            fn ask(&mut self, n: usize) -> Vec<Design> {
                vec![self.0.clone(); n]
            }
            fn tell(&mut self, _: &[Evaluation]) {}
            fn batch_size(&self) -> usize {
                4
            }
        }
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            minimize: Some("loss".into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let mut hits = Vec::new();
        let (_, stop, stats) = Runner::new(&sim, &obj, Budget::evaluations(10))
            .run(&mut Repeat(sim.optimum()), |r| hits.push(r.cache_hit));
        assert_eq!(stop, StopReason::Evaluations);
        assert_eq!(
            (stats.evaluations, stats.simulator_calls, stats.cache_hits),
            (10, 1, 9)
        );
        assert_eq!(
            hits,
            [false, true, true, true, true, true, true, true, true, true]
        );
    }

    #[test]
    fn stops_at_target_and_counts_samples() {
        struct Scripted(Vec<Design>);
        impl Agent for Scripted {
            fn ask(&mut self, _: usize) -> Vec<Design> {
                if self.0.is_empty() {
                    vec![]
                } else {
                    vec![self.0.remove(0)]
                }
            }
            fn tell(&mut self, _: &[Evaluation]) {}
        }
        let sim = MixedQuadratic::new();
        let obj = ObjectiveSpec {
            target: Some([("loss".to_string(), 1.0)].into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        let worst = sim.space().default_design();
        let plan = vec![worst.clone(), worst.clone(), sim.optimum(), worst];
        let budget = Budget {
            evaluations: Some(100),
            stop_at_target: true,
            ..Default::default()
        };
        let (out, stop, stats) =
            Runner::new(&sim, &obj, budget).run(&mut Scripted(plan.clone()), |_| {});
        assert_eq!(stop, StopReason::TargetMet);
        assert_eq!(out.evaluations_to_target, Some(3));
        assert_eq!(stats.evaluations, 3);
        let (_, stop, _) =
            Runner::new(&sim, &obj, Budget::evaluations(100)).run(&mut Scripted(plan), |_| {});
        assert_eq!(stop, StopReason::AgentDone);
    }

    #[test]
    fn infeasible_designs_are_recorded_not_simulated() {
        let sim = MixedQuadratic::constrained();
        let obj = ObjectiveSpec {
            minimize: Some("loss".into()),
            ..Default::default()
        }
        .build(sim.metrics())
        .unwrap();
        struct Bad(Design);
        impl Agent for Bad {
            fn ask(&mut self, _: usize) -> Vec<Design> {
                vec![self.0.clone()]
            }
            fn tell(&mut self, e: &[Evaluation]) {
                assert!(!e[0].feasible && e[0].reward == f64::NEG_INFINITY);
            }
        }
        let bad = sim.infeasible_example();
        let mut recs = Vec::new();
        let (out, _, stats) = Runner::new(&sim, &obj, Budget::evaluations(2))
            .run(&mut Bad(bad), |r| recs.push(r.clone()));
        assert_eq!(stats.infeasible, 2);
        assert!(out.best.is_none());
        assert!(
            recs[0].error.as_deref().unwrap().contains("constraint"),
            "{:?}",
            recs[0].error
        );
    }

    #[test]
    fn pareto_runs_report_front_and_hypervolume() {
        let sim = TwoObjective::new();
        let spec = ObjectiveSpec {
            pareto: Some(vec!["f1".into(), "f2".into()]),
            reference: Some([("f1".to_string(), 2.0), ("f2".to_string(), 12.0)].into()),
            ..Default::default()
        };
        let obj = spec.build(sim.metrics()).unwrap();
        let mut agent = Sampler {
            space: sim.space().clone(),
            rng: seeded(1),
            batch: 16,
            told: 0,
        };
        let (out, _, _) = Runner::new(&sim, &obj, Budget::evaluations(200)).run(&mut agent, |_| {});
        assert!(out.pareto_front.len() >= 2);
        let hv = out.hypervolume.unwrap();
        assert!(hv > 0.0 && hv <= 24.0, "{hv}");
        for (i, (_, a)) in out.pareto_front.iter().enumerate() {
            for (j, (_, b)) in out.pareto_front.iter().enumerate() {
                assert!(i == j || !dominates(a, b));
            }
        }
    }

    #[test]
    fn budget_validation() {
        assert!(Budget::default().validate().is_err());
        assert!(Budget::evaluations(0).validate().is_err());
        assert!(
            Budget {
                wall_seconds: Some(-1.0),
                ..Default::default()
            }
            .validate()
            .is_err()
        );
        assert!(Budget::evaluations(3).validate().is_ok());
    }
}
