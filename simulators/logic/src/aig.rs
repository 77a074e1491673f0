//! And-inverter graph with structural hashing, complemented edges, reference counts, fanout lists and
//! levels, editable in place (as ABC's `Abc_AigReplace`) so that rewriting passes can replace a node by
//! a new structure and have the freed cone deleted.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast non-cryptographic hasher (Fx-style multiply-rotate) for integer keys; inputs are node
/// numbers, not attacker-controlled, so SipHash's DoS resistance is not needed.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64);
    }
    fn write_u16(&mut self, i: u16) {
        self.write_u64(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A literal: node index times two, plus one when complemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Lit(pub u32);

impl Lit {
    pub const FALSE: Lit = Lit(0);
    pub const TRUE: Lit = Lit(1);
    pub fn new(node: u32, complement: bool) -> Lit {
        Lit(node << 1 | complement as u32)
    }
    pub fn node(self) -> u32 {
        self.0 >> 1
    }
    pub fn is_compl(self) -> bool {
        self.0 & 1 == 1
    }
    pub fn not_if(self, c: bool) -> Lit {
        Lit(self.0 ^ c as u32)
    }
    pub fn regular(self) -> Lit {
        Lit(self.0 & !1)
    }
}

impl std::ops::Not for Lit {
    type Output = Lit;
    fn not(self) -> Lit {
        Lit(self.0 ^ 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Const,
    Input,
    And,
    Dead,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    f0: Lit,
    f1: Lit,
    kind: Kind,
    level: u32,
    refs: u32,
}

/// Structural statistics as ABC's `print_stats` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AigStats {
    pub inputs: usize,
    pub outputs: usize,
    pub and: usize,
    pub lev: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Aig {
    nodes: Vec<Node>,
    inputs: Vec<u32>,
    outputs: Vec<Lit>,
    fanouts: Vec<Vec<u32>>,
    strash: FastMap<(Lit, Lit), u32>,
    live_ands: usize,
    /// Nodes whose fanins were rewired by [`Aig::replace`] since the last [`Aig::take_touched`].
    touched: Vec<u32>,
    pub input_names: Vec<String>,
    pub output_names: Vec<String>,
}

impl Aig {
    pub fn new() -> Aig {
        let mut aig = Aig::default();
        aig.nodes.push(Node {
            f0: Lit(0),
            f1: Lit(0),
            kind: Kind::Const,
            level: 0,
            refs: 0,
        });
        aig.fanouts.push(Vec::new());
        aig
    }

    pub fn add_input(&mut self) -> Lit {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            f0: Lit(0),
            f1: Lit(0),
            kind: Kind::Input,
            level: 0,
            refs: 0,
        });
        self.fanouts.push(Vec::new());
        self.inputs.push(id);
        Lit::new(id, false)
    }

    pub fn add_output(&mut self, lit: Lit) {
        self.nodes[lit.node() as usize].refs += 1;
        self.outputs.push(lit);
    }

    pub fn set_output(&mut self, index: usize, lit: Lit) {
        let old = self.outputs[index];
        self.nodes[lit.node() as usize].refs += 1;
        self.outputs[index] = lit;
        self.deref_node(old.node());
    }

    pub fn inputs(&self) -> &[u32] {
        &self.inputs
    }
    pub fn outputs(&self) -> &[Lit] {
        &self.outputs
    }
    pub fn num_inputs(&self) -> usize {
        self.inputs.len()
    }
    pub fn num_outputs(&self) -> usize {
        self.outputs.len()
    }
    /// Number of node slots (live or dead), for sizing per-node arrays.
    pub fn num_slots(&self) -> usize {
        self.nodes.len()
    }
    /// Number of live AND nodes (dangling ones included until [`Aig::compact`]).
    pub fn num_ands(&self) -> usize {
        self.live_ands
    }
    pub fn kind(&self, n: u32) -> Kind {
        self.nodes[n as usize].kind
    }
    pub fn is_and(&self, n: u32) -> bool {
        self.nodes[n as usize].kind == Kind::And
    }
    pub fn is_input(&self, n: u32) -> bool {
        self.nodes[n as usize].kind == Kind::Input
    }
    pub fn fanin0(&self, n: u32) -> Lit {
        self.nodes[n as usize].f0
    }
    pub fn fanin1(&self, n: u32) -> Lit {
        self.nodes[n as usize].f1
    }
    pub fn level(&self, n: u32) -> u32 {
        self.nodes[n as usize].level
    }
    pub fn refs(&self, n: u32) -> u32 {
        self.nodes[n as usize].refs
    }
    pub fn fanouts(&self, n: u32) -> &[u32] {
        &self.fanouts[n as usize]
    }
    /// Drains the list of nodes rewired in place (so callers can invalidate per-node caches).
    pub fn take_touched(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.touched)
    }

    /// The AND of two literals without creating anything: trivial cases and existing nodes.
    pub fn lookup_and(&self, a: Lit, b: Lit) -> Option<Lit> {
        if let Some(l) = trivial_and(a, b) {
            return Some(l);
        }
        let key = if a < b { (a, b) } else { (b, a) };
        self.strash.get(&key).map(|&n| Lit::new(n, false))
    }

    pub fn and(&mut self, a: Lit, b: Lit) -> Lit {
        if let Some(l) = self.lookup_and(a, b) {
            return l;
        }
        let (f0, f1) = if a < b { (a, b) } else { (b, a) };
        let id = self.nodes.len() as u32;
        let level = 1 + self.level(f0.node()).max(self.level(f1.node()));
        self.nodes.push(Node {
            f0,
            f1,
            kind: Kind::And,
            level,
            refs: 0,
        });
        self.fanouts.push(Vec::new());
        self.nodes[f0.node() as usize].refs += 1;
        self.nodes[f1.node() as usize].refs += 1;
        self.fanouts[f0.node() as usize].push(id);
        self.fanouts[f1.node() as usize].push(id);
        self.strash.insert((f0, f1), id);
        self.live_ands += 1;
        Lit::new(id, false)
    }

    pub fn or(&mut self, a: Lit, b: Lit) -> Lit {
        !self.and(!a, !b)
    }
    pub fn xor(&mut self, a: Lit, b: Lit) -> Lit {
        let x = self.and(a, !b);
        let y = self.and(!a, b);
        self.or(x, y)
    }
    pub fn mux(&mut self, s: Lit, t: Lit, e: Lit) -> Lit {
        let x = self.and(s, t);
        let y = self.and(!s, e);
        self.or(x, y)
    }
    pub fn and_many(&mut self, lits: &[Lit]) -> Lit {
        lits.iter().fold(Lit::TRUE, |acc, &l| self.and(acc, l))
    }
    pub fn or_many(&mut self, lits: &[Lit]) -> Lit {
        lits.iter().fold(Lit::FALSE, |acc, &l| self.or(acc, l))
    }

    /// Deletes `n` if nothing references it (e.g. a candidate structure that was not used).
    pub fn delete_if_dangling(&mut self, n: u32) {
        if self.is_and(n) && self.refs(n) == 0 {
            self.delete_node(n);
        }
    }

    fn deref_node(&mut self, n: u32) {
        let node = &mut self.nodes[n as usize];
        node.refs -= 1;
        if node.refs == 0 && node.kind == Kind::And {
            self.delete_node(n);
        }
    }

    fn delete_node(&mut self, n: u32) {
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            let Node { f0, f1, .. } = self.nodes[n as usize];
            self.strash.remove(&(f0, f1));
            self.nodes[n as usize].kind = Kind::Dead;
            self.live_ands -= 1;
            self.fanouts[n as usize] = Vec::new();
            for f in [f0.node(), f1.node()] {
                remove_one(&mut self.fanouts[f as usize], n);
                let node = &mut self.nodes[f as usize];
                node.refs -= 1;
                if node.refs == 0 && node.kind == Kind::And {
                    stack.push(f);
                }
            }
        }
    }

    /// Replaces every use of node `old` by `new` and deletes the cone that becomes unreferenced.
    /// Fanouts that become structurally equal to existing nodes are merged recursively.
    /// The caller guarantees `new` is not in the transitive fanout of `old`.
    pub fn replace(&mut self, old: u32, new: Lit) {
        if new.node() == old || self.kind(old) != Kind::And {
            return;
        }
        let pin = new.node();
        self.nodes[pin as usize].refs += 1;
        let fanouts = self.fanouts[old as usize].clone();
        for fo in fanouts {
            if self.kind(fo) != Kind::And {
                continue;
            }
            let Node { f0, f1, .. } = self.nodes[fo as usize];
            let sub = |l: Lit| {
                if l.node() == old {
                    new.not_if(l.is_compl())
                } else {
                    l
                }
            };
            let (n0, n1) = (sub(f0), sub(f1));
            if n0 == f0 && n1 == f1 {
                continue;
            }
            if let Some(existing) = self.lookup_and(n0, n1)
                && existing.node() != fo
            {
                self.replace(fo, existing);
                continue;
            }
            // Rewire `fo` onto the new fanins in place.
            self.strash.remove(&(f0, f1));
            let (a, b) = if n0 < n1 { (n0, n1) } else { (n1, n0) };
            for (o, n) in [(f0, n0), (f1, n1)] {
                if o != n {
                    self.nodes[n.node() as usize].refs += 1;
                    self.fanouts[n.node() as usize].push(fo);
                }
            }
            self.nodes[fo as usize].f0 = a;
            self.nodes[fo as usize].f1 = b;
            self.strash.insert((a, b), fo);
            self.touched.push(fo);
            for (o, n) in [(f0, n0), (f1, n1)] {
                if o != n {
                    remove_one(&mut self.fanouts[o.node() as usize], fo);
                    self.deref_node(o.node());
                }
            }
            self.update_level(fo);
        }
        for i in 0..self.outputs.len() {
            let o = self.outputs[i];
            if o.node() == old && self.kind(old) == Kind::And {
                self.outputs[i] = new.not_if(o.is_compl());
                self.nodes[pin as usize].refs += 1;
                self.deref_node(old);
            }
        }
        self.deref_node(pin);
    }

    fn update_level(&mut self, n: u32) {
        let mut stack = vec![n];
        while let Some(n) = stack.pop() {
            if self.kind(n) != Kind::And {
                continue;
            }
            let Node { f0, f1, level, .. } = self.nodes[n as usize];
            let l = 1 + self.level(f0.node()).max(self.level(f1.node()));
            if l != level {
                self.nodes[n as usize].level = l;
                stack.extend_from_slice(&self.fanouts[n as usize]);
            }
        }
    }

    /// Live AND nodes reachable from the outputs, fanins before fanouts.
    pub fn topo_order(&self) -> Vec<u32> {
        let mut order = Vec::with_capacity(self.live_ands);
        let mut seen = vec![false; self.nodes.len()];
        let mut stack: Vec<(u32, bool)> = Vec::new();
        for o in &self.outputs {
            stack.push((o.node(), false));
            while let Some((n, expanded)) = stack.pop() {
                if expanded {
                    order.push(n);
                    continue;
                }
                if seen[n as usize] || !self.is_and(n) {
                    continue;
                }
                seen[n as usize] = true;
                stack.push((n, true));
                stack.push((self.fanin1(n).node(), false));
                stack.push((self.fanin0(n).node(), false));
            }
        }
        order
    }

    /// A fresh copy holding only nodes reachable from outputs, numbered topologically.
    pub fn compact(&self) -> Aig {
        let mut out = Aig::new();
        let mut map = vec![Lit::FALSE; self.nodes.len()];
        for &i in &self.inputs {
            map[i as usize] = out.add_input();
        }
        for n in self.topo_order() {
            let m = |l: Lit| map[l.node() as usize].not_if(l.is_compl());
            map[n as usize] = out.and(m(self.fanin0(n)), m(self.fanin1(n)));
        }
        for &o in &self.outputs {
            out.add_output(map[o.node() as usize].not_if(o.is_compl()));
        }
        out.input_names = self.input_names.clone();
        out.output_names = self.output_names.clone();
        out
    }

    /// Levels computed from scratch for all slots (inputs 0).
    pub fn compute_levels(&self) -> Vec<u32> {
        let mut lev = vec![0u32; self.nodes.len()];
        for n in self.topo_order() {
            lev[n as usize] =
                1 + lev[self.fanin0(n).node() as usize].max(lev[self.fanin1(n).node() as usize]);
        }
        lev
    }

    pub fn stats(&self) -> AigStats {
        let order = self.topo_order();
        let lev = self.compute_levels();
        AigStats {
            inputs: self.inputs.len(),
            outputs: self.outputs.len(),
            and: order.len(),
            lev: self
                .outputs
                .iter()
                .map(|o| lev[o.node() as usize])
                .max()
                .unwrap_or(0),
        }
    }

    /// Bit-parallel simulation: `patterns[i]` holds words for input `i`; returns one word vector per slot.
    pub fn simulate(&self, patterns: &[Vec<u64>]) -> Vec<Vec<u64>> {
        let words = patterns.first().map_or(1, |p| p.len());
        let mut val = vec![Vec::new(); self.nodes.len()];
        val[0] = vec![0u64; words];
        for (k, &i) in self.inputs.iter().enumerate() {
            val[i as usize] = patterns[k].clone();
        }
        for n in self.topo_order() {
            let (a, b) = (self.fanin0(n), self.fanin1(n));
            let (ca, cb) = (mask(a), mask(b));
            let v: Vec<u64> = val[a.node() as usize]
                .iter()
                .zip(&val[b.node() as usize])
                .map(|(x, y)| (x ^ ca) & (y ^ cb))
                .collect();
            val[n as usize] = v;
        }
        val
    }

    /// Simulated output words.
    pub fn simulate_outputs(&self, patterns: &[Vec<u64>]) -> Vec<Vec<u64>> {
        let val = self.simulate(patterns);
        self.outputs
            .iter()
            .map(|&o| val[o.node() as usize].iter().map(|w| w ^ mask(o)).collect())
            .collect()
    }

    /// Size of the maximum fanout-free cone of `n` (AND nodes only), leaving reference counts intact.
    pub fn mffc_size(&mut self, n: u32) -> usize {
        let mut cone = Vec::new();
        self.mffc_collect(n, &[], &mut cone);
        cone.len()
    }

    /// Collects the MFFC of `root` bounded by `leaves` (whose nodes are never included).
    pub fn mffc_collect(&mut self, root: u32, leaves: &[u32], cone: &mut Vec<u32>) {
        for &l in leaves {
            self.nodes[l as usize].refs += 1;
        }
        cone.clear();
        self.deref_rec(root, cone);
        for &n in cone.iter() {
            let (a, b) = (self.fanin0(n).node(), self.fanin1(n).node());
            self.nodes[a as usize].refs += 1;
            self.nodes[b as usize].refs += 1;
        }
        for &l in leaves {
            self.nodes[l as usize].refs -= 1;
        }
    }

    /// Dereferences the cone of `root` breadth-first, using `cone` itself as the work list.
    fn deref_rec(&mut self, root: u32, cone: &mut Vec<u32>) {
        cone.push(root);
        let mut i = 0;
        while i < cone.len() {
            let n = cone[i];
            i += 1;
            for f in [self.fanin0(n).node(), self.fanin1(n).node()] {
                let node = &mut self.nodes[f as usize];
                node.refs -= 1;
                if node.refs == 0 && node.kind == Kind::And {
                    cone.push(f);
                }
            }
        }
    }
}

pub(crate) fn mask(l: Lit) -> u64 {
    if l.is_compl() { !0 } else { 0 }
}

fn trivial_and(a: Lit, b: Lit) -> Option<Lit> {
    if a == Lit::FALSE || b == Lit::FALSE || a == !b {
        Some(Lit::FALSE)
    } else if a == Lit::TRUE || a == b {
        Some(b)
    } else if b == Lit::TRUE {
        Some(a)
    } else {
        None
    }
}

fn remove_one(v: &mut Vec<u32>, x: u32) {
    if let Some(p) = v.iter().position(|&y| y == x) {
        v.swap_remove(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strash_and_replace() {
        let mut g = Aig::new();
        let a = g.add_input();
        let b = g.add_input();
        let c = g.add_input();
        let ab = g.and(a, b);
        assert_eq!(g.and(b, a), ab);
        let abc = g.and(ab, c);
        let bc = g.and(b, c);
        let abc2 = g.and(a, bc);
        g.add_output(abc);
        g.add_output(abc2);
        assert_eq!(g.num_ands(), 4);
        g.replace(abc2.node(), abc);
        assert_eq!(g.num_ands(), 2);
        assert_eq!(g.outputs()[1], abc);
        assert_eq!(
            g.stats(),
            AigStats {
                inputs: 3,
                outputs: 2,
                and: 2,
                lev: 2
            }
        );
    }
}
