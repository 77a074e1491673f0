//! Combinational equivalence checking: both circuits are strashed into one graph over shared inputs,
//! random simulation looks for a distinguishing pattern, then a SAT solver (batsat) proves each
//! remaining output pair equal on the miter `a XOR b`.

use batsat::{SolverInterface, lbool};
use rand::Rng;

use crate::aig::{Aig, Lit};
use crate::error::LogicError;

#[derive(Clone, Debug)]
pub struct Params {
    pub seed: u64,
    /// 64-bit words of random patterns simulated before SAT.
    pub sim_words: usize,
    /// Conflicts allowed per SAT query that would merge two internal nodes; a query that runs
    /// out leaves the pair unmerged (sound: only proven pairs merge). Output queries are
    /// unlimited.
    pub merge_conflicts: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            seed: 1,
            sim_words: 128,
            merge_conflicts: 2000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Equivalent,
    /// Output `output` differs under the input assignment `counterexample`.
    Different {
        output: usize,
        counterexample: Vec<bool>,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub structurally_equal: usize,
    pub sat_calls: usize,
    pub counterexamples: usize,
    /// Internal pairs whose merge query ran out of conflicts.
    pub undecided: usize,
}

/// Copies `src` into `dst` over the given input literals; returns the output literals.
fn copy_into(dst: &mut Aig, src: &Aig, inputs: &[Lit]) -> Vec<Lit> {
    let mut map = vec![Lit::FALSE; src.num_slots()];
    for (k, &i) in src.inputs().iter().enumerate() {
        map[i as usize] = inputs[k];
    }
    for n in src.topo_order() {
        let m = |l: Lit| map[l.node() as usize].not_if(l.is_compl());
        map[n as usize] = dst.and(m(src.fanin0(n)), m(src.fanin1(n)));
    }
    src.outputs()
        .iter()
        .map(|o| map[o.node() as usize].not_if(o.is_compl()))
        .collect()
}

pub fn check(a: &Aig, b: &Aig, params: &Params) -> Result<(Verdict, Stats), LogicError> {
    if a.num_inputs() != b.num_inputs() || a.num_outputs() != b.num_outputs() {
        return Err(LogicError::Mismatch(format!(
            "{} inputs / {} outputs vs {} inputs / {} outputs",
            a.num_inputs(),
            a.num_outputs(),
            b.num_inputs(),
            b.num_outputs()
        )));
    }
    let mut m = Aig::new();
    let inputs: Vec<Lit> = (0..a.num_inputs()).map(|_| m.add_input()).collect();
    let oa = copy_into(&mut m, a, &inputs);
    let ob = copy_into(&mut m, b, &inputs);
    let mut stats = Stats::default();
    let mut pending = Vec::new();
    for (i, (&x, &y)) in oa.iter().zip(&ob).enumerate() {
        if x == y {
            stats.structurally_equal += 1;
        } else {
            pending.push(i);
        }
        m.add_output(x);
        m.add_output(y);
    }
    if pending.is_empty() {
        return Ok((Verdict::Equivalent, stats));
    }
    // Random simulation.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(params.seed);
    let pats: Vec<Vec<u64>> = (0..m.num_inputs())
        .map(|_| (0..params.sim_words).map(|_| rng.random::<u64>()).collect())
        .collect();
    let vals = m.simulate(&pats);
    let value = |l: Lit, w: usize| vals[l.node() as usize][w] ^ crate::aig::mask(l);
    for &i in &pending {
        for w in 0..params.sim_words {
            let diff = value(oa[i], w) ^ value(ob[i], w);
            if diff != 0 {
                let bit = diff.trailing_zeros();
                let cex = pats.iter().map(|p| (p[w] >> bit) & 1 == 1).collect();
                return Ok((
                    Verdict::Different {
                        output: i,
                        counterexample: cex,
                    },
                    stats,
                ));
            }
        }
    }
    // SAT sweeping into a reduced graph `f`: nodes whose simulation signatures match an earlier node
    // are proven equal (then merged) with a small SAT query whose cut points are the nodes both cones
    // share; a satisfiable local query is re-checked on the full cones before it counts.
    let mut sigs = Signatures::new(&vals);
    drop(vals);
    let mut f = Aig::new();
    let mut map = vec![Lit::FALSE; m.num_slots()];
    // Representative node (and its polarity) per signature class.
    let mut reps: crate::aig::FastMap<u64, (u32, bool)> = Default::default();
    for &i in m.inputs() {
        map[i as usize] = f.add_input();
        let (k, fl) = sigs.key(i);
        reps.entry(k).or_insert((i, fl));
    }
    let (k0, f0) = sigs.key(0);
    reps.insert(k0, (0, f0));
    let mut marks = Marks::default();
    for n in m.topo_order() {
        let ml = |l: Lit| map[l.node() as usize].not_if(l.is_compl());
        let fl = f.and(ml(m.fanin0(n)), ml(m.fanin1(n)));
        map[n as usize] = fl;
        let (k, flip) = sigs.key(n);
        let Some(&(r, rflip)) = reps.get(&k) else {
            reps.insert(k, (n, flip));
            continue;
        };
        let target = map[r as usize].not_if(flip != rflip);
        if target == fl {
            continue;
        }
        stats.sat_calls += 1;
        match prove_equal(&f, fl, target, &mut marks, params.merge_conflicts) {
            Answer::Equal => map[n as usize] = target,
            Answer::Unknown => stats.undecided += 1,
            Answer::Differ(cex) => {
                stats.counterexamples += 1;
                sigs.refine(&m, &cex);
                // Representatives in node order, so the earliest node of a class stays its
                // representative whatever the map's iteration order.
                let mut done: Vec<u32> = reps.values().map(|&(r, _)| r).collect();
                done.sort_unstable();
                reps.clear();
                for r in done {
                    let (k, fl) = sigs.key(r);
                    reps.entry(k).or_insert((r, fl));
                }
                let (k, fl) = sigs.key(n);
                reps.entry(k).or_insert((n, fl));
            }
        }
    }
    for &i in &pending {
        let (x, y) = (
            map[oa[i].node() as usize].not_if(oa[i].is_compl()),
            map[ob[i].node() as usize].not_if(ob[i].is_compl()),
        );
        if x == y {
            continue;
        }
        stats.sat_calls += 1;
        if let Answer::Differ(cex) = miter_sat(&f, x, y, &|_| false, None) {
            return Ok((
                Verdict::Different {
                    output: i,
                    counterexample: cex,
                },
                stats,
            ));
        }
    }
    Ok((Verdict::Equivalent, stats))
}

#[derive(Default)]
struct Marks {
    a: Vec<u32>,
    b: Vec<u32>,
    epoch: u32,
}

fn mark_tfi(g: &Aig, root: u32, marks: &mut [u32], epoch: u32) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if marks[n as usize] == epoch {
            continue;
        }
        marks[n as usize] = epoch;
        if g.is_and(n) {
            stack.push(g.fanin0(n).node());
            stack.push(g.fanin1(n).node());
        }
    }
}

/// Outcome of a miter query.
enum Answer {
    /// The two literals are equal.
    Equal,
    /// An input pattern distinguishing them.
    Differ(Vec<bool>),
    /// The conflict budget ran out.
    Unknown,
}

/// Proves `x == y` with local queries (cut points at shared nodes, deepened while the local
/// model is spurious), then on the full cones; each query gets `budget` conflicts.
fn prove_equal(g: &Aig, x: Lit, y: Lit, marks: &mut Marks, budget: u64) -> Answer {
    marks.a.resize(g.num_slots(), 0);
    marks.b.resize(g.num_slots(), 0);
    marks.epoch += 1;
    let e = marks.epoch;
    mark_tfi(g, x.node(), &mut marks.a, e);
    mark_tfi(g, y.node(), &mut marks.b, e);
    let (ma, mb) = (&marks.a, &marks.b);
    let shared = |n: u32| ma[n as usize] == e && mb[n as usize] == e;
    // Cut points: shared nodes at least `depth` levels below the miter; deepen while the local
    // model is spurious.
    let top = g.level(x.node()).min(g.level(y.node()));
    for depth in [0u32, 2, 4, 8, 16, 32] {
        if depth > top {
            break;
        }
        let cut = |n| n != x.node() && n != y.node() && shared(n) && g.level(n) + depth <= top;
        let local = match miter_sat(g, x, y, &cut, Some(budget)) {
            Answer::Differ(m) => m,
            other => return other,
        };
        // The local model may be a real counterexample already: check it by simulation
        // (`g` only grows by `and`, so slot order is topological).
        let mut v = vec![false; g.num_slots()];
        for (k, &i) in g.inputs().iter().enumerate() {
            v[i as usize] = local[k];
        }
        for n in 0..g.num_slots() as u32 {
            if g.is_and(n) {
                let (a, b) = (g.fanin0(n), g.fanin1(n));
                v[n as usize] =
                    (v[a.node() as usize] ^ a.is_compl()) && (v[b.node() as usize] ^ b.is_compl());
            }
        }
        let val = |l: Lit| v[l.node() as usize] ^ l.is_compl();
        if val(x) != val(y) {
            return Answer::Differ(local);
        }
    }
    miter_sat(g, x, y, &|_| false, Some(budget))
}

/// Counts learnt clauses (one per conflict) and stops the solver past a budget.
struct Budget {
    conflicts: u64,
    limit: u64,
}

impl batsat::Callbacks for Budget {
    fn on_new_clause(&mut self, _c: &[batsat::Lit], kind: batsat::ClauseKind) {
        if kind == batsat::ClauseKind::Learnt {
            self.conflicts += 1;
        }
    }
    fn stop(&self) -> bool {
        self.conflicts >= self.limit
    }
}

/// Solves `x != y` with nodes for which `cut(n)` holds treated as free variables, within
/// `budget` conflicts if given.
fn miter_sat(g: &Aig, x: Lit, y: Lit, cut: &dyn Fn(u32) -> bool, budget: Option<u64>) -> Answer {
    let cb = Budget {
        conflicts: 0,
        limit: budget.unwrap_or(u64::MAX),
    };
    let mut solver = batsat::Solver::new(batsat::SolverOpts::default(), cb);
    let mut var: crate::aig::FastMap<u32, batsat::Var> = Default::default();
    let mut stack = vec![x.node(), y.node()];
    while let Some(&n) = stack.last() {
        if var.contains_key(&n) {
            stack.pop();
            continue;
        }
        if !g.is_and(n) || cut(n) {
            let v = solver.new_var_default();
            if n == 0 {
                solver.add_clause_reuse(&mut vec![batsat::Lit::new(v, false)]);
            }
            var.insert(n, v);
            stack.pop();
            continue;
        }
        let (f0, f1) = (g.fanin0(n), g.fanin1(n));
        let mut missing = false;
        for c in [f0.node(), f1.node()] {
            if !var.contains_key(&c) {
                stack.push(c);
                missing = true;
            }
        }
        if missing {
            continue;
        }
        let v = solver.new_var_default();
        let lit = |l: Lit| batsat::Lit::new(var[&l.node()], !l.is_compl());
        let (o, a, b) = (batsat::Lit::new(v, true), lit(f0), lit(f1));
        solver.add_clause_reuse(&mut vec![!o, a]);
        solver.add_clause_reuse(&mut vec![!o, b]);
        solver.add_clause_reuse(&mut vec![o, !a, !b]);
        var.insert(n, v);
        stack.pop();
    }
    let lit = |l: Lit| batsat::Lit::new(var[&l.node()], !l.is_compl());
    let (a, b) = (lit(x), lit(y));
    solver.add_clause_reuse(&mut vec![a, b]);
    solver.add_clause_reuse(&mut vec![!a, !b]);
    let r = solver.solve_limited(&[]);
    if r == lbool::FALSE {
        return Answer::Equal;
    }
    if r != lbool::TRUE {
        return Answer::Unknown;
    }
    Answer::Differ(
        g.inputs()
            .iter()
            .map(|i| {
                var.get(i)
                    .is_some_and(|&v| solver.value_var(v) == lbool::TRUE)
            })
            .collect(),
    )
}

/// Simulation signatures of every node, kept as a running hash of their words (a node's words
/// are never needed again once hashed; a collision only costs a SAT query that tells the nodes
/// apart). Polarity is normalised so that a node and its complement share a key.
struct Signatures {
    hashes: Vec<u64>,
    /// Whether the node's first simulated bit is 1 (its words are complemented before hashing).
    flips: Vec<bool>,
}

impl Signatures {
    fn new(vals: &[Vec<u64>]) -> Self {
        let flips: Vec<bool> = vals
            .iter()
            .map(|v| v.first().is_some_and(|w| w & 1 == 1))
            .collect();
        let mut sigs = Signatures {
            hashes: vec![0; vals.len()],
            flips,
        };
        sigs.extend(vals);
        sigs
    }
    /// Class key and polarity of node `n`.
    fn key(&self, n: u32) -> (u64, bool) {
        (self.hashes[n as usize], self.flips[n as usize])
    }
    /// Hashes more simulated words into every node's signature (an empty row, the constant node,
    /// is words of 0).
    fn extend(&mut self, vals: &[Vec<u64>]) {
        let words = vals.iter().map(Vec::len).max().unwrap_or(0);
        for ((h, &flip), v) in self.hashes.iter_mut().zip(&self.flips).zip(vals) {
            let invert = if flip { u64::MAX } else { 0 };
            for k in 0..words {
                *h = mix(*h ^ v.get(k).copied().unwrap_or(0) ^ invert);
            }
        }
    }
    /// Adds the simulation of the counterexample and all its distance-1 neighbours (rarely
    /// active signals such as comparator chains need the neighbours).
    fn refine(&mut self, m: &Aig, cex: &[bool]) {
        let ni = cex.len();
        let nw = (ni + 1).div_ceil(64);
        let pats: Vec<Vec<u64>> = (0..ni)
            .map(|i| {
                (0..nw)
                    .map(|w| {
                        let mut word = 0u64;
                        for b in 0..64 {
                            let p = w * 64 + b;
                            if p > ni {
                                break;
                            }
                            let flip = p >= 1 && p - 1 == i;
                            word |= ((cex[i] ^ flip) as u64) << b;
                        }
                        word
                    })
                    .collect()
            })
            .collect();
        self.extend(&m.simulate(&pats));
    }
}

/// One step of a 64-bit hash (SplitMix64's finaliser).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_equal_and_different() {
        let mut a = Aig::new();
        let (x, y, z) = (a.add_input(), a.add_input(), a.add_input());
        let t = a.and(x, y);
        let o = a.and(t, z);
        a.add_output(o);
        let mut b = Aig::new();
        let (x, y, z) = (b.add_input(), b.add_input(), b.add_input());
        let t = b.and(y, z);
        let o = b.and(x, t);
        b.add_output(o);
        assert_eq!(
            check(&a, &b, &Params::default()).unwrap().0,
            Verdict::Equivalent
        );
        let mut c = Aig::new();
        let (x, y, z) = (c.add_input(), c.add_input(), c.add_input());
        let t = c.and(y, z);
        let o = c.or(x, t);
        c.add_output(o);
        assert!(matches!(
            check(&a, &c, &Params::default()).unwrap().0,
            Verdict::Different { output: 0, .. }
        ));
    }
}
