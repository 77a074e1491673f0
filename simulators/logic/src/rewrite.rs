//! DAG-aware AIG rewriting (Mishchenko, Chatterjee, Brayton, DAC 2006; ABC's `rewrite`): for every
//! node, every 4-input cut is matched by NPN class against the pre-computed library; the structure
//! that saves the most nodes (counting the freed MFFC against the nodes it really adds, reusing
//! existing logic) replaces the cut, without increasing the node's required level.

use crate::aig::{Aig, Lit};
use crate::build::DryRun;
use crate::cuts::{Cut, CutMerger};
use crate::npn::{library, npn_table};
use crate::window::{Required, commit};

#[derive(Clone, Debug)]
pub struct Params {
    /// Accept replacements that save nothing (`-z`).
    pub zero_gain: bool,
    /// Keep every node within its required level (ABC's default `-l`).
    pub preserve_levels: bool,
    /// Cuts kept per node.
    pub cut_limit: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            zero_gain: false,
            preserve_levels: true,
            cut_limit: 12,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_tried: usize,
    pub replacements: usize,
    pub gain: usize,
}

struct CutCache {
    memo: Vec<Option<Vec<Cut>>>,
    limit: usize,
    merger: CutMerger,
}

impl CutCache {
    fn get(&mut self, aig: &Aig, root: u32) -> Vec<Cut> {
        if self.memo.len() < aig.num_slots() {
            self.memo.resize(aig.num_slots(), None);
        }
        let mut stack = vec![root];
        while let Some(&n) = stack.last() {
            if self.memo[n as usize].is_some() {
                stack.pop();
                continue;
            }
            if !aig.is_and(n) {
                self.memo[n as usize] = Some(vec![if n == 0 {
                    Cut {
                        leaves: [0; crate::cuts::MAX_LEAVES],
                        size: 0,
                        truth: 0,
                    }
                } else {
                    Cut::trivial(n)
                }]);
                stack.pop();
                continue;
            }
            let (f0, f1) = (aig.fanin0(n), aig.fanin1(n));
            let mut pending = false;
            for f in [f0.node(), f1.node()] {
                if self.memo[f as usize].is_none() {
                    stack.push(f);
                    pending = true;
                }
            }
            if pending {
                continue;
            }
            let key = |c: &Cut| (crate::cuts::MAX_LEAVES - c.size as usize) as u64;
            let c0 = self.memo[f0.node() as usize].as_ref().unwrap();
            let c1 = self.memo[f1.node() as usize].as_ref().unwrap();
            let mut cuts = Vec::with_capacity(self.limit + 1);
            self.merger
                .merge(n, f0, c0, f1, c1, 4, self.limit, &key, &mut cuts);
            self.memo[n as usize] = Some(cuts);
            stack.pop();
        }
        self.memo[root as usize].clone().unwrap()
    }

    /// Forgets the cuts of `n` and of every cached node above it.
    fn invalidate(&mut self, aig: &Aig, n: u32) {
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            if (x as usize) < self.memo.len() && self.memo[x as usize].take().is_some() {
                stack.extend_from_slice(aig.fanouts(x));
            }
        }
    }
}

/// Rewrites `aig` in place.
pub fn run(aig: &mut Aig, params: &Params) -> Stats {
    let npn = npn_table();
    let lib = library();
    let mut required = Required::new(aig, params.preserve_levels);
    let mut cache = CutCache {
        memo: Vec::new(),
        limit: params.cut_limit,
        merger: CutMerger::default(),
    };
    let mut stats = Stats::default();
    let mut cone = Vec::new();
    let mut scratch = Vec::new();
    let mut fake = Vec::new();
    let _ = aig.take_touched();
    for n in aig.topo_order() {
        if !aig.is_and(n) {
            continue;
        }
        stats.nodes_tried += 1;
        let cuts = cache.get(aig, n);
        let req = required.get(n);
        // (gain, level, cut index, structure index)
        let mut best: Option<(i64, u32, usize, usize)> = None;
        for (ci, cut) in cuts.iter().enumerate() {
            if cut.size < 2 || (cut.size == 1 && cut.leaves[0] == n) {
                continue;
            }
            aig.mffc_collect(n, cut.leaves(), &mut cone);
            let f = (cut.truth & 0xFFFF) as u16;
            let class = npn.canon[f as usize];
            let t = npn.transform[f as usize];
            let Some(structs) = lib.structures.get(&class) else {
                continue;
            };
            let inputs = transform_inputs(cut, t);
            for (si, s) in structs.iter().enumerate() {
                let mut dry = DryRun::new(aig, &cone, Some(n), &mut fake);
                let root = s.build(&mut dry, &inputs, &mut scratch);
                let level = crate::build::AndBuilder::level(&dry, root);
                if level > req {
                    continue;
                }
                let gain = cone.len() as i64 - dry.added as i64;
                if best.is_none_or(|(bg, bl, _, _)| gain > bg || (gain == bg && level < bl)) {
                    best = Some((gain, level, ci, si));
                }
            }
        }
        let Some((gain, _, ci, si)) = best else {
            continue;
        };
        if gain < 0 || (gain == 0 && !params.zero_gain) {
            continue;
        }
        let cut = cuts[ci];
        let f = (cut.truth & 0xFFFF) as u16;
        let t = npn.transform[f as usize];
        let s = &lib.structures[&npn.canon[f as usize]][si];
        let inputs = transform_inputs(&cut, t);
        let done = commit(aig, n, &mut required, |rec| {
            s.build(rec, &inputs, &mut Vec::new()).not_if(t.out)
        });
        if done {
            stats.replacements += 1;
            stats.gain += gain as usize;
            for x in aig.take_touched() {
                cache.invalidate(aig, x);
            }
        }
    }
    stats
}

/// Leaf literals feeding the class structure's inputs (see [`crate::npn::Transform`]); the output
/// complement is applied by the caller.
fn transform_inputs(cut: &Cut, t: crate::npn::Transform) -> [Lit; 4] {
    let mut inputs = [Lit::FALSE; 4];
    for (j, input) in inputs.iter_mut().enumerate() {
        let p = t.perm[j] as usize;
        let leaf = if p < cut.size as usize {
            Lit::new(cut.leaves[p], false)
        } else {
            Lit::FALSE
        };
        *input = leaf.not_if((t.neg >> j) & 1 == 1);
    }
    inputs
}
