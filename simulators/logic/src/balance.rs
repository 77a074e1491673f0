//! AIG balancing (ABC's `balance`): every maximal multi-input AND (a supergate: AND nodes reached
//! through uncomplemented, single-fanout edges) is rebuilt as a tree that pairs its two shallowest
//! operands first, preferring pairs whose AND already exists.

use crate::aig::{Aig, Lit};

#[derive(Clone, Debug, Default)]
pub struct Params {}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub ands_before: usize,
    pub ands_after: usize,
    pub supergates: usize,
}

pub fn run(aig: &Aig, _params: &Params) -> (Aig, Stats) {
    let order = aig.topo_order();
    let slots = aig.num_slots();
    // A node is absorbed into its fanout's supergate when its only reference is an uncomplemented AND edge.
    let mut plain_refs = vec![0u32; slots];
    for &n in &order {
        for f in [aig.fanin0(n), aig.fanin1(n)] {
            if !f.is_compl() {
                plain_refs[f.node() as usize] += 1;
            }
        }
    }
    let absorbed = |n: u32| aig.is_and(n) && aig.refs(n) == 1 && plain_refs[n as usize] == 1;
    let mut out = Aig::new();
    let mut map = vec![Lit::FALSE; slots];
    for &i in aig.inputs() {
        map[i as usize] = out.add_input();
    }
    let mut stats = Stats {
        ands_before: order.len(),
        ..Default::default()
    };
    let mut leaves: Vec<Lit> = Vec::new();
    let mut stack: Vec<Lit> = Vec::new();
    for &n in &order {
        if absorbed(n) {
            continue;
        }
        stats.supergates += 1;
        leaves.clear();
        stack.clear();
        stack.push(aig.fanin0(n));
        stack.push(aig.fanin1(n));
        while let Some(l) = stack.pop() {
            if !l.is_compl() && absorbed(l.node()) {
                stack.push(aig.fanin0(l.node()));
                stack.push(aig.fanin1(l.node()));
            } else {
                leaves.push(map[l.node() as usize].not_if(l.is_compl()));
            }
        }
        map[n as usize] = build_supergate(&mut out, &mut leaves);
    }
    for &o in aig.outputs() {
        out.add_output(map[o.node() as usize].not_if(o.is_compl()));
    }
    out.input_names = aig.input_names.clone();
    out.output_names = aig.output_names.clone();
    let out = out.compact();
    stats.ands_after = out.num_ands();
    (out, stats)
}

/// Balanced AND of `leaves` (duplicates removed, complementary pair gives constant 0).
fn build_supergate(g: &mut Aig, leaves: &mut Vec<Lit>) -> Lit {
    leaves.sort();
    leaves.dedup();
    if leaves.windows(2).any(|w| w[0] == !w[1]) || leaves.contains(&Lit::FALSE) {
        return Lit::FALSE;
    }
    leaves.retain(|&l| l != Lit::TRUE);
    if leaves.is_empty() {
        return Lit::TRUE;
    }
    // Deepest first; the two shallowest sit at the end.
    leaves.sort_by_key(|&l| std::cmp::Reverse(g.level(l.node())));
    while leaves.len() > 1 {
        let n = leaves.len();
        let low = g.level(leaves[n - 2].node());
        // Among operands as shallow as the second-shallowest, prefer a partner whose AND exists.
        let last = leaves[n - 1];
        let mut k = n - 2;
        while k > 0 && g.level(leaves[k - 1].node()) == low {
            k -= 1;
        }
        if let Some(j) = (k..n - 1).find(|&j| g.lookup_and(last, leaves[j]).is_some()) {
            leaves.swap(j, n - 2);
        }
        let a = leaves.pop().unwrap();
        let b = leaves.pop().unwrap();
        let c = g.and(a, b);
        let lc = g.level(c.node());
        let pos = leaves
            .iter()
            .position(|&l| g.level(l.node()) <= lc)
            .unwrap_or(leaves.len());
        leaves.insert(pos, c);
    }
    leaves[0]
}
