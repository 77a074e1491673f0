//! Refactoring (ABC's `refactor`): for every node, a reconvergence-driven cut of up to 10 leaves is
//! collapsed into its truth table, re-expressed as a factored irredundant SOP (of the function or its
//! complement) and substituted when it needs fewer nodes than the freed MFFC.

use crate::aig::Aig;
use crate::build::{AndBuilder, DryRun, build_expr};
use crate::window::{Required, commit, cone_nodes, cone_truths, reconv_cut};

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
    let mut visited = Vec::new();
    let mut mffc = Vec::new();
    for n in aig.topo_order() {
        if !aig.is_and(n) {
            continue;
        }
        let leaves = reconv_cut(aig, n, params.max_leaves, &mut visited);
        if leaves.len() < 2 {
            continue;
        }
        aig.mffc_collect(n, &leaves, &mut mffc);
        // A one-node cone can only be rebuilt as itself (a 10-input function of one AND of two
        // leaves), so it is skipped even with `-z`.
        if mffc.len() < 2 {
            continue;
        }
        let cone = cone_nodes(aig, n, &leaves);
        if cone.len() > params.max_cone {
            continue;
        }
        stats.nodes_tried += 1;
        let tts = cone_truths(aig, &leaves, &cone);
        let (expr, inv) = crate::truth::factor_best(&tts[&n], leaves.len());
        let leaf_lits: Vec<crate::aig::Lit> = leaves
            .iter()
            .map(|&l| crate::aig::Lit::new(l, false))
            .collect();
        let mut dry = DryRun::new(aig, &mffc, Some(n));
        let root = build_expr(&mut dry, &expr, &leaf_lits);
        let level = dry.level(root);
        let gain = mffc.len() as i64 - dry.added as i64;
        if level > required.get(n) || gain < 0 || (gain == 0 && !params.zero_gain) {
            continue;
        }
        if commit(aig, n, &mut required, |rec| {
            build_expr(rec, &expr, &leaf_lits).not_if(inv)
        }) {
            stats.replacements += 1;
            stats.gain += gain as usize;
        }
    }
    stats
}
