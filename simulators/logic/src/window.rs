//! Shared machinery of the in-place optimisation passes: required levels (level preservation),
//! committing a replacement safely, reconvergence-driven cuts and cone truth tables.

use crate::aig::{Aig, Lit};
use crate::build::AndBuilder;

/// Required level of every node such that the graph's depth does not grow.
pub struct Required {
    req: Vec<u32>,
}

impl Required {
    pub fn new(aig: &Aig, preserve_levels: bool) -> Required {
        if !preserve_levels {
            return Required { req: Vec::new() };
        }
        let order = aig.topo_order();
        let mut rev = vec![0u32; aig.num_slots()];
        for &n in order.iter().rev() {
            let r = rev[n as usize] + 1;
            for f in [aig.fanin0(n).node(), aig.fanin1(n).node()] {
                rev[f as usize] = rev[f as usize].max(r);
            }
        }
        let max = aig
            .outputs()
            .iter()
            .map(|o| aig.level(o.node()))
            .max()
            .unwrap_or(0);
        let req = rev.iter().map(|&r| max.saturating_sub(r)).collect();
        Required { req }
    }
    pub fn get(&self, n: u32) -> u32 {
        if self.req.is_empty() {
            u32::MAX
        } else {
            self.req.get(n as usize).copied().unwrap_or(u32::MAX)
        }
    }
    fn set_min(&mut self, n: u32, r: u32) {
        if self.req.is_empty() {
            return;
        }
        if self.req.len() <= n as usize {
            self.req.resize(n as usize + 1, u32::MAX);
        }
        let e = &mut self.req[n as usize];
        *e = (*e).min(r);
    }
}

/// Records the literals an actual build returns (to detect reuse of the replaced node).
pub struct Recorder<'a> {
    pub aig: &'a mut Aig,
    pub lits: Vec<Lit>,
}

impl AndBuilder for Recorder<'_> {
    fn and(&mut self, a: Lit, b: Lit) -> Lit {
        let l = self.aig.and(a, b);
        self.lits.push(l);
        l
    }
    fn level(&self, l: Lit) -> u32 {
        self.aig.level(l.node())
    }
}

/// Builds a replacement for `old` and substitutes it. Returns false (and removes what was built) if
/// the structure is `old` itself or would reuse `old` internally (a cycle).
pub fn commit(
    aig: &mut Aig,
    old: u32,
    required: &mut Required,
    build: impl FnOnce(&mut Recorder) -> Lit,
) -> bool {
    let mut rec = Recorder {
        aig,
        lits: Vec::new(),
    };
    let root = build(&mut rec);
    let lits = rec.lits;
    if root.node() == old || lits.iter().any(|l| l.node() == old) {
        for l in lits.iter().rev() {
            aig.delete_if_dangling(l.node());
        }
        return false;
    }
    let r = required.get(old);
    aig.replace(old, root);
    // Tighten required levels top-down through the new structure.
    required.set_min(root.node(), r);
    for l in lits.iter().rev() {
        let n = l.node();
        if !aig.is_and(n) {
            continue;
        }
        let rn = required.get(n);
        if rn == u32::MAX {
            continue;
        }
        required.set_min(aig.fanin0(n).node(), rn.saturating_sub(1));
        required.set_min(aig.fanin1(n).node(), rn.saturating_sub(1));
    }
    true
}

/// A reconvergence-driven window around one node (reused from node to node, so a pass allocates
/// its buffers once): the leaves, the AND nodes between them and the root (fanins first), the
/// root's MFFC bounded by the leaves, and truth tables over the leaves (leaf `i` is variable `i`)
/// of the nodes simulated so far. Membership tests use per-slot epoch stamps instead of searches.
#[derive(Default)]
pub struct Window {
    /// Sorted leaves.
    pub leaves: Vec<u32>,
    /// AND nodes strictly above the leaves up to and including the root, fanins first.
    pub cone: Vec<u32>,
    /// The root's MFFC bounded by the leaves (AND nodes freed if the root is replaced).
    pub mffc: Vec<u32>,
    words: usize,
    epoch: u32,
    /// Per slot: the epoch in which the node was visited (cut growth, then cone collection).
    seen: Vec<u32>,
    /// Per slot: the epoch in which the node was marked as part of the MFFC.
    in_mffc: Vec<u32>,
    /// Per slot: the epoch in which the node got a truth table, and its index.
    tt_stamp: Vec<u32>,
    tt_index: Vec<u32>,
    /// Truth tables, `words` per entry.
    truths: Vec<u64>,
    stack: Vec<(u32, bool)>,
}

impl Window {
    fn next_epoch(&mut self) -> u32 {
        if self.epoch == u32::MAX {
            self.epoch = 0;
            for v in [&mut self.seen, &mut self.in_mffc, &mut self.tt_stamp] {
                v.iter_mut().for_each(|x| *x = 0);
            }
        }
        self.epoch += 1;
        self.epoch
    }

    /// Collects the leaves (at most `max_leaves`), the cone and the MFFC of `root`. The cut grows
    /// from the fanins by expanding the leaf that adds the fewest new leaves, deepest first on ties
    /// (ABC's `Abc_NodeFindCut`).
    pub fn build(&mut self, aig: &mut Aig, root: u32, max_leaves: usize) {
        let slots = aig.num_slots();
        if self.seen.len() < slots {
            self.seen.resize(slots, 0);
            self.in_mffc.resize(slots, 0);
            self.tt_stamp.resize(slots, 0);
            self.tt_index.resize(slots, 0);
        }
        let e = self.next_epoch();
        self.seen[root as usize] = e;
        self.leaves.clear();
        for f in [aig.fanin0(root).node(), aig.fanin1(root).node()] {
            if self.seen[f as usize] != e {
                self.seen[f as usize] = e;
                self.leaves.push(f);
            }
        }
        loop {
            let mut best: Option<(usize, i32, u32)> = None;
            for (i, &l) in self.leaves.iter().enumerate() {
                if !aig.is_and(l) {
                    continue;
                }
                let fs = [aig.fanin0(l).node(), aig.fanin1(l).node()];
                let cost = fs.iter().filter(|&&f| self.seen[f as usize] != e).count() as i32 - 1;
                if best.is_none_or(|(_, c, lev)| cost < c || (cost == c && aig.level(l) > lev)) {
                    best = Some((i, cost, aig.level(l)));
                }
            }
            let Some((i, cost, _)) = best else { break };
            if self.leaves.len() as i32 + cost > max_leaves as i32 {
                break;
            }
            let l = self.leaves.swap_remove(i);
            for f in [aig.fanin0(l).node(), aig.fanin1(l).node()] {
                if self.seen[f as usize] != e {
                    self.seen[f as usize] = e;
                    self.leaves.push(f);
                }
            }
        }
        self.leaves.sort_unstable();

        aig.mffc_collect(root, &self.leaves, &mut self.mffc);
        let e = self.next_epoch();
        for &m in &self.mffc {
            self.in_mffc[m as usize] = e;
        }

        // Cone: depth-first from the root, stopping at the leaves.
        for &l in &self.leaves {
            self.seen[l as usize] = e;
        }
        self.cone.clear();
        self.stack.clear();
        self.stack.push((root, false));
        while let Some((n, done)) = self.stack.pop() {
            if done {
                self.cone.push(n);
                continue;
            }
            if self.seen[n as usize] == e {
                continue;
            }
            self.seen[n as usize] = e;
            self.stack.push((n, true));
            self.stack.push((aig.fanin1(n).node(), false));
            self.stack.push((aig.fanin0(n).node(), false));
        }
        self.words = crate::truth::words(self.leaves.len());
        self.truths.clear();
    }

    pub fn in_mffc(&self, n: u32) -> bool {
        self.in_mffc.get(n as usize) == Some(&self.epoch)
    }

    /// Simulates the leaves, the constant and the cone over the leaves.
    pub fn simulate(&mut self, aig: &Aig) {
        let nv = self.leaves.len();
        for i in 0..nv {
            let l = self.leaves[i];
            self.start_truth(l);
            let w = self.words;
            for k in 0..w {
                let word = if i < 6 {
                    crate::truth::VAR_MASKS[i]
                } else if (k >> (i - 6)) & 1 == 1 {
                    !0
                } else {
                    0
                };
                self.truths.push(word);
            }
        }
        if self.truth(0).is_none() {
            self.start_truth(0);
            self.truths.extend(std::iter::repeat_n(0, self.words));
        }
        for k in 0..self.cone.len() {
            let n = self.cone[k];
            self.add_and(n, aig.fanin0(n), aig.fanin1(n));
        }
    }

    fn start_truth(&mut self, n: u32) {
        self.tt_stamp[n as usize] = self.epoch;
        self.tt_index[n as usize] = (self.truths.len() / self.words.max(1)) as u32;
    }

    /// Simulates node `n = a & b` whose fanins already have truth tables.
    pub fn add_and(&mut self, n: u32, a: Lit, b: Lit) {
        let w = self.words;
        let ia = self.tt_index[a.node() as usize] as usize * w;
        let ib = self.tt_index[b.node() as usize] as usize * w;
        let (ma, mb) = (crate::aig::mask(a), crate::aig::mask(b));
        self.start_truth(n);
        for k in 0..w {
            let x = (self.truths[ia + k] ^ ma) & (self.truths[ib + k] ^ mb);
            self.truths.push(x);
        }
    }

    /// The truth table of `n` over the leaves, if it was simulated.
    pub fn truth(&self, n: u32) -> Option<&[u64]> {
        if self.tt_stamp.get(n as usize) != Some(&self.epoch) {
            return None;
        }
        let i = self.tt_index[n as usize] as usize * self.words;
        Some(&self.truths[i..i + self.words])
    }
}
