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

/// Masks for swapping adjacent variables `j` and `j + 1` of a one-word table: bits that stay,
/// bits that move up, bits that move down (by `1 << j`).
const SWAP_MASKS: [[u64; 3]; 5] = [
    [
        0x9999_9999_9999_9999,
        0x2222_2222_2222_2222,
        0x4444_4444_4444_4444,
    ],
    [
        0xC3C3_C3C3_C3C3_C3C3,
        0x0C0C_0C0C_0C0C_0C0C,
        0x3030_3030_3030_3030,
    ],
    [
        0xF00F_F00F_F00F_F00F,
        0x00F0_00F0_00F0_00F0,
        0x0F00_0F00_0F00_0F00,
    ],
    [
        0xFF00_00FF_FF00_00FF,
        0x0000_FF00_0000_FF00,
        0x00FF_0000_00FF_0000,
    ],
    [
        0xFFFF_0000_0000_FFFF,
        0x0000_0000_FFFF_0000,
        0x0000_FFFF_0000_0000,
    ],
];

fn swap_adjacent(t: u64, j: usize) -> u64 {
    let [keep, up, down] = SWAP_MASKS[j];
    let s = 1u32 << j;
    (t & keep) | ((t & up) << s) | ((t & down) >> s)
}

/// Re-expresses `t` (over `from`, replicated to 64 bits) over the superset `to` (both sorted):
/// each variable moves up to its new position by adjacent swaps, highest first, through
/// positions the function does not depend on.
pub fn expand(t: u64, from: &[u32], to: &[u32]) -> u64 {
    if from == to {
        return t;
    }
    let mut t = t;
    let mut p = to.len();
    for i in (0..from.len()).rev() {
        p -= 1;
        while to[p] != from[i] {
            p -= 1;
        }
        for j in i..p {
            t = swap_adjacent(t, j);
        }
    }
    t
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

/// Reusable buffers for [`CutMerger::merge`].
#[derive(Default)]
pub struct CutMerger {
    /// Candidate cuts with their leaf signature, sort key and the fanin cuts they merge.
    cands: Vec<(Cut, u64, u64, usize, usize)>,
}

impl CutMerger {
    /// Cuts of an AND node from its fanins' cut sets: pairwise merges, dominance-filtered, the
    /// best `limit` by `key` (smaller first, stable), plus the trivial cut; appended to `out`.
    #[allow(clippy::too_many_arguments)]
    pub fn merge(
        &mut self,
        node: u32,
        f0: Lit,
        cuts0: &[Cut],
        f1: Lit,
        cuts1: &[Cut],
        k: usize,
        limit: usize,
        key: &dyn Fn(&Cut) -> u64,
        out: &mut Vec<Cut>,
    ) {
        // Leaves first (truth tables only for the cuts that survive filtering and truncation).
        let sig = |c: &Cut| c.leaves().iter().fold(0u64, |s, &l| s | 1u64 << (l % 64));
        let cands = &mut self.cands;
        cands.clear();
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
                    .any(|(c, cs, ..)| cs & !s == 0 && c.dominates(&cut))
                {
                    continue;
                }
                cands.retain(|(c, cs, ..)| !(s & !cs == 0 && cut.dominates(c)));
                cands.push((cut, s, 0, ia, ib));
            }
        }
        for c in cands.iter_mut() {
            c.2 = key(&c.0);
        }
        cands.sort_by_key(|c| c.2);
        // The cut made of the two fanins always stays: it guarantees a match for every node.
        let (a, b) = (f0.node().min(f1.node()), f0.node().max(f1.node()));
        let pair = cands
            .iter()
            .position(|(c, ..)| c.size == 2 && c.leaves[0] == a && c.leaves[1] == b);
        if let Some(p) = pair.filter(|&p| p >= limit) {
            cands.swap(p, limit - 1);
        }
        cands.truncate(limit);
        let (m0, m1) = (crate::aig::mask(f0), crate::aig::mask(f1));
        out.extend(cands.iter().map(|&(mut cut, _, _, ia, ib)| {
            let (a, b) = (&cuts0[ia], &cuts1[ib]);
            let to = &cut.leaves[..cut.size as usize];
            let ta = expand(a.truth, a.leaves(), to) ^ m0;
            let tb = expand(b.truth, b.leaves(), to) ^ m1;
            cut.truth = normalize1(ta & tb, cut.size as usize);
            cut
        }));
        out.push(Cut::trivial(node));
    }
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
    let mut merger = CutMerger::default();
    for n in aig.topo_order() {
        let (f0, f1) = (aig.fanin0(n), aig.fanin1(n));
        let mut c = Vec::with_capacity(limit + 1);
        merger.merge(
            n,
            f0,
            &cuts[f0.node() as usize],
            f1,
            &cuts[f1.node() as usize],
            k,
            limit,
            key,
            &mut c,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-by-bit definition of [`expand`].
    fn expand_slow(t: u64, from: &[u32], to: &[u32]) -> u64 {
        let pos: Vec<usize> = from
            .iter()
            .map(|l| to.iter().position(|x| x == l).unwrap())
            .collect();
        let mut r = 0u64;
        for m in 0..(1usize << to.len()) {
            let idx = pos
                .iter()
                .enumerate()
                .fold(0, |acc, (i, &p)| acc | ((m >> p) & 1) << i);
            r |= ((t >> idx) & 1) << m;
        }
        normalize1(r, to.len())
    }

    #[test]
    fn expand_matches_definition() {
        let mut seed = 7u64;
        for _ in 0..2000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let to_len = 1 + (seed >> 60) as usize % 6;
            let to: Vec<u32> = (0..to_len as u32).map(|x| 3 * x + 1).collect();
            let from: Vec<u32> = to
                .iter()
                .enumerate()
                .filter(|(i, _)| (seed >> (10 + i)) & 1 == 1)
                .map(|(_, &l)| l)
                .collect();
            let t = normalize1(seed ^ (seed >> 17), from.len());
            assert_eq!(expand(t, &from, &to), expand_slow(t, &from, &to));
        }
    }
}
