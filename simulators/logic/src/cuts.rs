//! K-feasible cut enumeration with truth tables (up to 6 leaves, one `u64` word per function).

use crate::aig::{Aig, Lit};
use crate::truth::{VAR_MASKS, normalize1};

pub const MAX_LEAVES: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    pub leaves: [u32; MAX_LEAVES],
    pub size: u8,
    /// Function of the cut root over the leaves (leaf `i` is variable `i`), replicated to 64 bits.
    pub truth: u64,
}

impl Cut {
    pub fn trivial(n: u32) -> Cut {
        let mut leaves = [0; MAX_LEAVES];
        leaves[0] = n;
        Cut {
            leaves,
            size: 1,
            truth: VAR_MASKS[0],
        }
    }
    pub fn leaves(&self) -> &[u32] {
        &self.leaves[..self.size as usize]
    }
    fn dominates(&self, other: &Cut) -> bool {
        self.size <= other.size && self.leaves().iter().all(|l| other.leaves().contains(l))
    }
}

/// Re-expresses `t` (over `from`) over the superset `to` (both sorted).
pub fn expand(t: u64, from: &[u32], to: &[u32]) -> u64 {
    if from == to {
        return t;
    }
    let pos: Vec<usize> = from
        .iter()
        .map(|l| to.iter().position(|x| x == l).expect("subset"))
        .collect();
    let mut r = 0u64;
    for m in 0..(1usize << to.len()) {
        let mut idx = 0;
        for (i, &p) in pos.iter().enumerate() {
            idx |= ((m >> p) & 1) << i;
        }
        r |= ((t >> idx) & 1) << m;
    }
    normalize1(r, to.len())
}

fn merge_leaves(a: &Cut, b: &Cut, k: usize) -> Option<([u32; MAX_LEAVES], u8)> {
    let (x, y) = (a.leaves(), b.leaves());
    let mut out = [0u32; MAX_LEAVES];
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() || j < y.len() {
        let v = if j >= y.len() || (i < x.len() && x[i] < y[j]) {
            i += 1;
            x[i - 1]
        } else if i >= x.len() || y[j] < x[i] {
            j += 1;
            y[j - 1]
        } else {
            i += 1;
            j += 1;
            x[i - 1]
        };
        if n == k {
            return None;
        }
        out[n] = v;
        n += 1;
    }
    Some((out, n as u8))
}

/// Cuts of an AND node from its fanins' cut sets: pairwise merges, dominance-filtered, the best
/// `limit` by `key` (smaller first), plus the trivial cut.
pub fn merge_cut_sets(
    node: u32,
    f0: Lit,
    cuts0: &[Cut],
    f1: Lit,
    cuts1: &[Cut],
    k: usize,
    limit: usize,
    key: &dyn Fn(&Cut) -> u64,
) -> Vec<Cut> {
    // Leaves first (truth tables only for the cuts that survive filtering and truncation).
    let sig = |c: &Cut| c.leaves().iter().fold(0u64, |s, &l| s | 1u64 << (l % 64));
    let mut cands: Vec<(Cut, u64, usize, usize)> = Vec::new();
    for (ia, a) in cuts0.iter().enumerate() {
        for (ib, b) in cuts1.iter().enumerate() {
            let Some((leaves, size)) = merge_leaves(a, b, k) else {
                continue;
            };
            let cut = Cut {
                leaves,
                size,
                truth: 0,
            };
            let s = sig(&cut);
            if cands
                .iter()
                .any(|(c, cs, _, _)| cs & !s == 0 && c.dominates(&cut))
            {
                continue;
            }
            cands.retain(|(c, cs, _, _)| !(s & !cs == 0 && cut.dominates(c)));
            cands.push((cut, s, ia, ib));
        }
    }
    let mut out: Vec<(Cut, usize, usize)> = cands
        .into_iter()
        .map(|(c, _, ia, ib)| (c, ia, ib))
        .collect();
    out.sort_by_key(|(c, _, _)| key(c));
    // The cut made of the two fanins always stays: it guarantees a match for every node.
    let (a, b) = (f0.node().min(f1.node()), f0.node().max(f1.node()));
    let pair = out
        .iter()
        .position(|(c, _, _)| c.size == 2 && c.leaves[0] == a && c.leaves[1] == b);
    if let Some(p) = pair.filter(|&p| p >= limit) {
        out.swap(p, limit - 1);
    }
    out.truncate(limit);
    let mut out: Vec<Cut> = out
        .into_iter()
        .map(|(mut cut, ia, ib)| {
            let (a, b) = (&cuts0[ia], &cuts1[ib]);
            let to = &cut.leaves[..cut.size as usize];
            let ta = expand(a.truth, a.leaves(), to) ^ if f0.is_compl() { !0 } else { 0 };
            let tb = expand(b.truth, b.leaves(), to) ^ if f1.is_compl() { !0 } else { 0 };
            cut.truth = normalize1(ta & tb, cut.size as usize);
            cut
        })
        .collect();
    out.push(Cut::trivial(node));
    out
}

/// Cut sets of every live node of a (compact) AIG, indexed by node slot.
pub fn enumerate(aig: &Aig, k: usize, limit: usize, key: &dyn Fn(&Cut) -> u64) -> Vec<Vec<Cut>> {
    let mut cuts: Vec<Vec<Cut>> = vec![Vec::new(); aig.num_slots()];
    cuts[0] = vec![Cut {
        leaves: [0; MAX_LEAVES],
        size: 0,
        truth: 0,
    }];
    for &i in aig.inputs() {
        cuts[i as usize] = vec![Cut::trivial(i)];
    }
    for n in aig.topo_order() {
        let (f0, f1) = (aig.fanin0(n), aig.fanin1(n));
        let c = merge_cut_sets(
            n,
            f0,
            &cuts[f0.node() as usize],
            f1,
            &cuts[f1.node() as usize],
            k,
            limit,
            key,
        );
        cuts[n as usize] = c;
    }
    cuts
}

/// Removes leaves the function does not depend on.
pub fn minimize_support(cut: &Cut) -> Cut {
    let mut c = *cut;
    let mut i = 0;
    while i < c.size as usize {
        let n = c.size as usize;
        let m = VAR_MASKS[i];
        let s = 1u32 << i;
        let t = c.truth;
        let depends = ((t & m) >> s) != (t & !m);
        if depends {
            i += 1;
            continue;
        }
        // Drop variable i: shift higher variables down.
        let mut r = 0u64;
        for mm in 0..(1usize << (n - 1)) {
            let low = mm & ((1 << i) - 1);
            let high = (mm >> i) << (i + 1);
            r |= ((t >> (low | high)) & 1) << mm;
        }
        for j in i..n - 1 {
            c.leaves[j] = c.leaves[j + 1];
        }
        c.size -= 1;
        c.truth = normalize1(r, c.size as usize);
    }
    c
}
