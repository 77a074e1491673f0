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

/// Reconvergence-driven cut of `root` with at most `max_leaves` leaves (ABC's `Abc_NodeFindCut`):
/// grows from the fanins by expanding the leaf that adds the fewest new leaves.
pub fn reconv_cut(aig: &Aig, root: u32, max_leaves: usize, visited: &mut Vec<u32>) -> Vec<u32> {
    visited.clear();
    visited.push(root);
    let mut leaves: Vec<u32> = Vec::new();
    for f in [aig.fanin0(root).node(), aig.fanin1(root).node()] {
        if !leaves.contains(&f) {
            leaves.push(f);
            visited.push(f);
        }
    }
    loop {
        let mut best: Option<(usize, i32, u32)> = None;
        for (i, &l) in leaves.iter().enumerate() {
            if !aig.is_and(l) {
                continue;
            }
            let fs = [aig.fanin0(l).node(), aig.fanin1(l).node()];
            let cost = fs.iter().filter(|f| !visited.contains(f)).count() as i32 - 1;
            if best.is_none_or(|(_, c, lev)| cost < c || (cost == c && aig.level(l) > lev)) {
                best = Some((i, cost, aig.level(l)));
            }
        }
        let Some((i, cost, _)) = best else { break };
        if leaves.len() as i32 + cost > max_leaves as i32 {
            break;
        }
        let l = leaves.swap_remove(i);
        for f in [aig.fanin0(l).node(), aig.fanin1(l).node()] {
            if !visited.contains(&f) {
                visited.push(f);
                leaves.push(f);
            }
        }
    }
    leaves.sort_unstable();
    leaves
}

/// AND nodes strictly inside the cut (between `leaves` and `root`), fanins first.
pub fn cone_nodes(aig: &Aig, root: u32, leaves: &[u32]) -> Vec<u32> {
    let mut order = Vec::new();
    let mut seen: Vec<u32> = leaves.to_vec();
    let mut stack = vec![(root, false)];
    while let Some((n, done)) = stack.pop() {
        if done {
            order.push(n);
            continue;
        }
        if seen.contains(&n) {
            continue;
        }
        seen.push(n);
        stack.push((n, true));
        stack.push((aig.fanin1(n).node(), false));
        stack.push((aig.fanin0(n).node(), false));
    }
    order
}

/// Truth tables over the leaves (leaf `i` is variable `i`) for the leaves and every cone node.
pub fn cone_truths(aig: &Aig, leaves: &[u32], cone: &[u32]) -> crate::aig::FastMap<u32, Vec<u64>> {
    let nv = leaves.len();
    let mut tt = crate::aig::FastMap::default();
    tt.reserve(leaves.len() + cone.len());
    for (i, &l) in leaves.iter().enumerate() {
        tt.insert(l, crate::truth::var(i, nv));
    }
    let w = crate::truth::words(nv);
    tt.entry(0).or_insert_with(|| vec![0u64; w]);
    for &n in cone {
        let (a, b) = (aig.fanin0(n), aig.fanin1(n));
        let (ma, mb) = (crate::aig::mask(a), crate::aig::mask(b));
        let v: Vec<u64> = tt[&a.node()]
            .iter()
            .zip(&tt[&b.node()])
            .map(|(x, y)| (x ^ ma) & (y ^ mb))
            .collect();
        tt.insert(n, v);
    }
    tt
}
