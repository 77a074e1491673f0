//! Windowed resubstitution (ABC's `resub -K 8 -N 1`): for every node, a reconvergence-driven window
//! of up to 8 leaves is simulated exhaustively; the node is re-expressed as an existing divisor
//! (0-resub) or as the AND/OR of two divisors (1-resub) when that frees more nodes than it adds.

use crate::aig::{Aig, Lit};
use crate::window::{Required, commit, cone_nodes, cone_truths, reconv_cut};

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
    let mut visited = Vec::new();
    let mut mffc = Vec::new();
    for n in aig.topo_order() {
        if !aig.is_and(n) {
            continue;
        }
        let leaves = reconv_cut(aig, n, params.max_leaves, &mut visited);
        aig.mffc_collect(n, &leaves, &mut mffc);
        let cone = cone_nodes(aig, n, &leaves);
        let mut tts = cone_truths(aig, &leaves, &cone);
        stats.nodes_tried += 1;
        // Divisors: window nodes outside the MFFC, then side nodes fed only by divisors.
        let mut divs: Vec<u32> = leaves.iter().copied().filter(|&l| l != 0).collect();
        divs.extend(cone.iter().copied().filter(|x| !mffc.contains(x)));
        let req = required.get(n);
        let mut k = 0;
        while k < divs.len() && divs.len() < params.max_divisors {
            let d = divs[k];
            k += 1;
            for &fo in aig.fanouts(d) {
                if divs.len() >= params.max_divisors {
                    break;
                }
                if fo == n || !aig.is_and(fo) || tts.contains_key(&fo) || aig.level(fo) > req {
                    continue;
                }
                let (a, b) = (aig.fanin0(fo), aig.fanin1(fo));
                let (Some(ta), Some(tb)) = (tts.get(&a.node()), tts.get(&b.node())) else {
                    continue;
                };
                if !divs.contains(&a.node()) && a.node() != 0
                    || !divs.contains(&b.node()) && b.node() != 0
                {
                    continue;
                }
                let (ma, mb) = (crate::aig::mask(a), crate::aig::mask(b));
                let v: Vec<u64> = ta
                    .iter()
                    .zip(tb)
                    .map(|(x, y)| (x ^ ma) & (y ^ mb))
                    .collect();
                tts.insert(fo, v);
                divs.push(fo);
            }
        }
        let target = tts[&n].clone();
        let ntarget: Vec<u64> = target.iter().map(|w| !w).collect();
        let usable = |d: u32| aig.level(d) <= req;
        // Constant or 0-resub.
        let mut found: Option<Lit> = None;
        if crate::truth::is_zero(&target) {
            found = Some(Lit::FALSE);
        } else if crate::truth::is_ones(&target) {
            found = Some(Lit::TRUE);
        }
        if found.is_none() {
            for &d in &divs {
                if !usable(d) {
                    continue;
                }
                if tts[&d] == target {
                    found = Some(Lit::new(d, false));
                    break;
                }
                if tts[&d] == ntarget {
                    found = Some(Lit::new(d, true));
                    break;
                }
            }
        }
        if let Some(l) = found {
            if (!mffc.is_empty() || params.zero_gain) && commit(aig, n, &mut required, |_| l) {
                stats.resub0 += 1;
                stats.gain += mffc.len();
            }
            continue;
        }
        if params.max_new_nodes == 0 || mffc.is_empty() || (mffc.len() == 1 && !params.zero_gain) {
            continue;
        }
        // 1-resub: target = a & b (or !target = a & b) where both literals contain the on-set.
        let mut pick: Option<(Lit, Lit, bool)> = None;
        'outer: for (goal, out_compl) in [(&target, false), (&ntarget, true)] {
            let mut cands: Vec<(Lit, &Vec<u64>)> = Vec::new();
            for &d in &divs {
                if aig.level(d) + 1 > req {
                    continue;
                }
                let t = &tts[&d];
                if goal.iter().zip(t).all(|(g, x)| g & !x == 0) {
                    cands.push((Lit::new(d, false), t));
                }
                if goal.iter().zip(t).all(|(g, x)| g & x == 0) {
                    cands.push((Lit::new(d, true), t));
                }
            }
            for i in 0..cands.len() {
                for j in i + 1..cands.len() {
                    let (la, ta) = cands[i];
                    let (lb, tb) = cands[j];
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
            stats.gain += mffc.len() - 1;
        }
    }
    stats
}
