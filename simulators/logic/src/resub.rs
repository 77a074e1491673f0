//! Windowed resubstitution (ABC's `resub -K 8 -N 1`): for every node, a reconvergence-driven window
//! of up to 8 leaves is simulated exhaustively; the node is re-expressed as an existing divisor
//! (0-resub) or as the AND/OR of two divisors (1-resub) when that frees more nodes than it adds.

use crate::aig::{Aig, Lit};
use crate::window::{Required, Window, commit};

#[derive(Clone, Debug)]
pub struct Params {
    pub zero_gain: bool,
    pub preserve_levels: bool,
    /// Window leaves (ABC's `-K`, default 8).
    pub max_leaves: usize,
    /// New nodes allowed per substitution (ABC's `-N`, default 1; 0 and 1 are implemented).
    pub max_new_nodes: usize,
    /// Divisor limit per window (ABC uses 150).
    pub max_divisors: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            zero_gain: false,
            preserve_levels: true,
            max_leaves: 8,
            max_new_nodes: 1,
            max_divisors: 150,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_tried: usize,
    pub resub0: usize,
    pub resub1: usize,
    pub gain: usize,
}

pub fn run(aig: &mut Aig, params: &Params) -> Stats {
    let mut required = Required::new(aig, params.preserve_levels);
    let mut stats = Stats::default();
    let mut win = Window::default();
    let mut divs: Vec<u32> = Vec::new();
    // Per slot: the window (epoch) in which the node became a divisor.
    let mut div_mark: Vec<u32> = Vec::new();
    let mut epoch = 0u32;
    let mut target: Vec<u64> = Vec::new();
    let mut ntarget: Vec<u64> = Vec::new();
    let mut cands: Vec<(Lit, u32)> = Vec::new();
    for n in aig.topo_order() {
        if !aig.is_and(n) {
            continue;
        }
        win.build(aig, n, params.max_leaves);
        win.simulate(aig);
        stats.nodes_tried += 1;
        if div_mark.len() < aig.num_slots() {
            div_mark.resize(aig.num_slots(), 0);
        }
        epoch += 1;
        // Divisors: window nodes outside the MFFC, then side nodes fed only by divisors.
        divs.clear();
        divs.extend(win.leaves.iter().copied().filter(|&l| l != 0));
        divs.extend(win.cone.iter().copied().filter(|&x| !win.in_mffc(x)));
        for &d in &divs {
            div_mark[d as usize] = epoch;
        }
        let is_div = |div_mark: &[u32], x: u32| x == 0 || div_mark[x as usize] == epoch;
        let req = required.get(n);
        let mut k = 0;
        while k < divs.len() && divs.len() < params.max_divisors {
            let d = divs[k];
            k += 1;
            for &fo in aig.fanouts(d) {
                if divs.len() >= params.max_divisors {
                    break;
                }
                if fo == n || !aig.is_and(fo) || win.truth(fo).is_some() || aig.level(fo) > req {
                    continue;
                }
                let (a, b) = (aig.fanin0(fo), aig.fanin1(fo));
                if win.truth(a.node()).is_none() || win.truth(b.node()).is_none() {
                    continue;
                }
                if !is_div(&div_mark, a.node()) || !is_div(&div_mark, b.node()) {
                    continue;
                }
                win.add_and(fo, a, b);
                divs.push(fo);
                div_mark[fo as usize] = epoch;
            }
        }
        target.clear();
        target.extend_from_slice(win.truth(n).expect("simulated"));
        ntarget.clear();
        ntarget.extend(target.iter().map(|w| !w));
        let tt = |d: u32| win.truth(d).expect("divisor simulated");
        // Constant or 0-resub.
        let mut found: Option<Lit> = None;
        if crate::truth::is_zero(&target) {
            found = Some(Lit::FALSE);
        } else if crate::truth::is_ones(&target) {
            found = Some(Lit::TRUE);
        }
        if found.is_none() {
            for &d in &divs {
                if aig.level(d) > req {
                    continue;
                }
                if tt(d) == target {
                    found = Some(Lit::new(d, false));
                    break;
                }
                if tt(d) == ntarget {
                    found = Some(Lit::new(d, true));
                    break;
                }
            }
        }
        let mffc_len = win.mffc.len();
        if let Some(l) = found {
            if (mffc_len > 0 || params.zero_gain) && commit(aig, n, &mut required, |_| l) {
                stats.resub0 += 1;
                stats.gain += mffc_len;
            }
            continue;
        }
        if params.max_new_nodes == 0 || mffc_len == 0 || (mffc_len == 1 && !params.zero_gain) {
            continue;
        }
        // 1-resub: target = a & b (or !target = a & b) where both literals contain the on-set.
        let mut pick: Option<(Lit, Lit, bool)> = None;
        'outer: for (goal, out_compl) in [(&target, false), (&ntarget, true)] {
            cands.clear();
            for &d in &divs {
                if aig.level(d) + 1 > req {
                    continue;
                }
                let t = tt(d);
                if goal.iter().zip(t).all(|(g, x)| g & !x == 0) {
                    cands.push((Lit::new(d, false), d));
                }
                if goal.iter().zip(t).all(|(g, x)| g & x == 0) {
                    cands.push((Lit::new(d, true), d));
                }
            }
            for i in 0..cands.len() {
                for j in i + 1..cands.len() {
                    let ((la, da), (lb, db)) = (cands[i], cands[j]);
                    let (ta, tb) = (tt(da), tt(db));
                    let (ma, mb) = (crate::aig::mask(la), crate::aig::mask(lb));
                    if goal
                        .iter()
                        .zip(ta.iter().zip(tb))
                        .all(|(g, (x, y))| *g == (x ^ ma) & (y ^ mb))
                    {
                        pick = Some((la, lb, out_compl));
                        break 'outer;
                    }
                }
            }
        }
        if let Some((a, b, c)) = pick
            && commit(aig, n, &mut required, |rec| {
                crate::build::AndBuilder::and(rec, a, b).not_if(c)
            })
        {
            stats.resub1 += 1;
            stats.gain += mffc_len - 1;
        }
    }
    stats
}
