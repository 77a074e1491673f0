//! Sequential synthesis environment: the state is the AIG after k commands, an action applies the
//! next command (native engine), the episode ends after `recipe_length` commands with ABC-RL's
//! reward (relative to resyn2's mapped ADP). `fork()` copies the state for tree search.

use std::sync::Arc;

use gym::env::{BoxSpace, Discrete, Env, Info, Space, Step};
use gym::sequential::SequentialEnv;

use crate::aig::Aig;
use crate::recipe::{Command, RESYN2};
use crate::sim::abcrl_reward;
use crate::synth::{Engine, Evaluator};

/// Number of features in an observation (see [`SynthEnv::features`]).
pub const OBS_FEATURES: usize = 7 + Command::ALL.len();

/// The AIG as a graph for graph neural networks: node kinds and fanin edges.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AigGraph {
    /// 0 constant, 1 primary input, 2 AND, 3 primary output (one node per output).
    pub kinds: Vec<u8>,
    /// (from, to, complemented).
    pub edges: Vec<(u32, u32, bool)>,
}

#[derive(Clone)]
pub struct SynthEnv {
    evaluator: Arc<Evaluator>,
    baseline_adp: f64,
    horizon: usize,
    initial: (usize, u32),
    state: Aig,
    history: Vec<Command>,
    obs_space: BoxSpace,
    actions: Discrete,
}

impl SynthEnv {
    /// An environment over `evaluator`'s circuit and library; the resyn2 baseline is computed natively.
    pub fn new(evaluator: Arc<Evaluator>, horizon: usize) -> Result<SynthEnv, crate::LogicError> {
        if evaluator.engine != Engine::Native {
            return Err(crate::LogicError::Option {
                name: "engine".into(),
                message: "the sequential environment keeps the AIG in process: use engine=native"
                    .into(),
            });
        }
        let (base, _) = evaluator.evaluate(&RESYN2, None)?;
        let st = evaluator.circuit.stats();
        let mut low = vec![0.0; OBS_FEATURES];
        low[1] = 0.0;
        Ok(SynthEnv {
            baseline_adp: base.adp(),
            horizon: horizon.max(1),
            initial: (st.and.max(1), st.lev.max(1)),
            state: evaluator.circuit.clone(),
            history: Vec::new(),
            evaluator,
            obs_space: BoxSpace {
                low,
                high: vec![f64::INFINITY; OBS_FEATURES],
            },
            actions: Discrete(Command::ALL.len()),
        })
    }

    pub fn from_options(
        options: &std::collections::BTreeMap<String, String>,
    ) -> Result<SynthEnv, crate::LogicError> {
        let sim = crate::sim::from_options(options)?;
        SynthEnv::new(sim.evaluator.clone(), sim.config.recipe_length)
    }

    pub fn state(&self) -> &Aig {
        &self.state
    }
    pub fn history(&self) -> &[Command] {
        &self.history
    }

    /// Graph statistics: AND count and level relative to the start, progress, log2 input/output
    /// counts, mean fanout, share of complemented edges, one-hot of the last command.
    pub fn features(&self) -> Vec<f64> {
        let st = self.state.stats();
        let order = self.state.topo_order();
        let compl = order
            .iter()
            .map(|&n| {
                self.state.fanin0(n).is_compl() as usize + self.state.fanin1(n).is_compl() as usize
            })
            .sum::<usize>();
        let edges = 2 * order.len() + st.outputs;
        let mut f = vec![
            st.and as f64 / self.initial.0 as f64,
            st.lev as f64 / self.initial.1 as f64,
            self.history.len() as f64 / self.horizon as f64,
            (1.0 + st.inputs as f64).log2(),
            (1.0 + st.outputs as f64).log2(),
            edges as f64 / (order.len() + st.inputs).max(1) as f64,
            compl as f64 / (2 * order.len()).max(1) as f64,
        ];
        let mut onehot = vec![0.0; Command::ALL.len()];
        if let Some(last) = self.history.last() {
            onehot[Command::ALL.iter().position(|c| c == last).unwrap()] = 1.0;
        }
        f.extend(onehot);
        f
    }

    /// The current AIG as a graph.
    pub fn graph(&self) -> AigGraph {
        let g = self.state.compact();
        let mut kinds = vec![0u8; g.num_slots()];
        for &i in g.inputs() {
            kinds[i as usize] = 1;
        }
        let mut edges = Vec::new();
        for n in g.topo_order() {
            kinds[n as usize] = 2;
            for f in [g.fanin0(n), g.fanin1(n)] {
                edges.push((f.node(), n, f.is_compl()));
            }
        }
        for &o in g.outputs() {
            let id = kinds.len() as u32;
            kinds.push(3);
            edges.push((o.node(), id, o.is_compl()));
        }
        AigGraph { kinds, edges }
    }
}

impl Env for SynthEnv {
    type Obs = Vec<f64>;
    type Action = usize;

    fn observation_space(&self) -> &dyn Space<Vec<f64>> {
        &self.obs_space
    }
    fn action_space(&self) -> &dyn Space<usize> {
        &self.actions
    }
    fn reset(&mut self, _seed: Option<u64>) -> (Vec<f64>, Info) {
        self.state = self.evaluator.circuit.clone();
        self.history.clear();
        (self.features(), Info::new())
    }
    fn step(&mut self, action: &usize) -> Step<Vec<f64>> {
        let mut info = Info::new();
        let Some(&cmd) = Command::ALL.get(*action) else {
            info.insert(
                "error".into(),
                serde_json::json!(format!("action {action} is not in 0..7")),
            );
            return Step {
                obs: self.features(),
                reward: -1.0,
                terminated: false,
                truncated: false,
                info,
            };
        };
        cmd.apply(&mut self.state);
        self.state = self.state.compact();
        self.history.push(cmd);
        let st = self.state.stats();
        info.insert("and".into(), serde_json::json!(st.and));
        info.insert("lev".into(), serde_json::json!(st.lev));
        info.insert("command".into(), serde_json::json!(cmd.abc_text()));
        let done = self.history.len() >= self.horizon;
        let mut reward = 0.0;
        if done {
            match self.evaluator.map_aig(&self.state) {
                Ok(m) => {
                    reward = abcrl_reward(m.adp(), self.baseline_adp);
                    info.insert("gates".into(), serde_json::json!(m.gates));
                    info.insert("area".into(), serde_json::json!(m.area));
                    info.insert("delay".into(), serde_json::json!(m.delay));
                    info.insert("adp".into(), serde_json::json!(m.adp()));
                    info.insert("abcrl_reward".into(), serde_json::json!(reward));
                }
                Err(e) => {
                    reward = -1.0;
                    info.insert("error".into(), serde_json::json!(e.to_string()));
                }
            }
        }
        Step {
            obs: self.features(),
            reward,
            terminated: done,
            truncated: false,
            info,
        }
    }
}

impl SequentialEnv for SynthEnv {
    fn fork(&self) -> Self {
        self.clone()
    }
    fn legal_actions(&self) -> Vec<usize> {
        if self.history.len() >= self.horizon {
            Vec::new()
        } else {
            (0..Command::ALL.len()).collect()
        }
    }
}
