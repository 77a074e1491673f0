//! Refactoring (ABC's `refactor`): for every node, a reconvergence-driven cut of up to 10 leaves is
//! collapsed into its truth table, re-expressed as a factored irredundant SOP (of the function or its
//! complement) and substituted when it needs fewer nodes than the freed MFFC.

use std::rc::Rc;

use crate::aig::{Aig, FastMap, Lit};
use crate::build::{AndBuilder, DryRun, build_expr};
use crate::truth::Expr;
use crate::window::{Required, Window, commit};

#[derive(Clone, Debug)]
pub struct Params {
    pub zero_gain: bool,
    pub preserve_levels: bool,
    /// Maximum cut size (ABC's `-N`, default 10).
    pub max_leaves: usize,
    /// Largest cone collapsed (ABC's `-C`, default 16 levels of growth is approximated by node count).
    pub max_cone: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            zero_gain: false,
            preserve_levels: true,
            max_leaves: 10,
            max_cone: 200,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_tried: usize,
    pub replacements: usize,
    pub gain: usize,
}

pub fn run(aig: &mut Aig, params: &Params) -> Stats {
    let mut required = Required::new(aig, params.preserve_levels);
    let mut stats = Stats::default();
    let mut win = Window::default();
    let mut scratch = Vec::new();
    let mut leaf_lits: Vec<Lit> = Vec::new();
    // Factored forms per cone function: regular circuits (adders, voters, decoders) repeat the
    // same window functions many times, and factoring dominates the pass.
    let mut forms: FastMap<Vec<u64>, Rc<(Expr, bool)>> = FastMap::default();
    let mut key: Vec<u64> = Vec::new();
    for n in aig.topo_order() {
        if !aig.is_and(n) {
            continue;
        }
        win.build(aig, n, params.max_leaves);
        // A one-node cone can only be rebuilt as itself (a 10-input function of one AND of two
        // leaves), so it is skipped even with `-z`.
        if win.leaves.len() < 2 || win.mffc.len() < 2 || win.cone.len() > params.max_cone {
            continue;
        }
        stats.nodes_tried += 1;
        win.simulate(aig);
        let nvars = win.leaves.len();
        key.clear();
        key.extend_from_slice(win.truth(n).expect("simulated"));
        key.push(nvars as u64);
        let form = match forms.get(&key) {
            Some(f) => f.clone(),
            None => {
                let f = Rc::new(crate::truth::factor_best(&key[..key.len() - 1], nvars));
                forms.insert(key.clone(), f.clone());
                f
            }
        };
        let (expr, inv) = (&form.0, form.1);
        leaf_lits.clear();
        leaf_lits.extend(win.leaves.iter().map(|&l| Lit::new(l, false)));
        let mut dry = DryRun::new(aig, &win.mffc, Some(n), &mut scratch);
        let root = build_expr(&mut dry, expr, &leaf_lits);
        let level = dry.level(root);
        let gain = win.mffc.len() as i64 - dry.added as i64;
        if level > required.get(n) || gain < 0 || (gain == 0 && !params.zero_gain) {
            continue;
        }
        if commit(aig, n, &mut required, |rec| {
            build_expr(rec, expr, &leaf_lits).not_if(inv)
        }) {
            stats.replacements += 1;
            stats.gain += gain as usize;
        }
    }
    stats
}
