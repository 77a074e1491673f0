//! Building candidate structures either for real (into the [`Aig`]) or as a dry run that counts how
//! many new AND nodes a structure would add given the nodes that already exist (DAG-aware gain).

use crate::aig::{Aig, Lit};
use crate::truth::Expr;

pub trait AndBuilder {
    fn and(&mut self, a: Lit, b: Lit) -> Lit;
    fn level(&self, l: Lit) -> u32;
}

impl AndBuilder for Aig {
    fn and(&mut self, a: Lit, b: Lit) -> Lit {
        Aig::and(self, a, b)
    }
    fn level(&self, l: Lit) -> u32 {
        Aig::level(self, l.node())
    }
}

/// Counts new nodes without modifying the graph. Existing nodes inside `doomed` (the cone that the
/// replacement frees) count as new, since reusing them keeps them alive.
pub struct DryRun<'a> {
    aig: &'a Aig,
    doomed: &'a [u32],
    base: u32,
    /// The imagined nodes: sorted fanins and level (node `base + i` is entry `i`). Candidate
    /// structures are small, so a linear search beats hashing, and the buffer is the caller's to
    /// reuse.
    fake: &'a mut Vec<(Lit, Lit, u32)>,
    pub added: usize,
    /// Whether the structure reuses the node being replaced (it would create a cycle).
    pub touches: Option<u32>,
    pub uses_root: bool,
}

impl<'a> DryRun<'a> {
    pub fn new(
        aig: &'a Aig,
        doomed: &'a [u32],
        root: Option<u32>,
        scratch: &'a mut Vec<(Lit, Lit, u32)>,
    ) -> Self {
        scratch.clear();
        DryRun {
            aig,
            doomed,
            base: aig.num_slots() as u32,
            fake: scratch,
            added: 0,
            touches: root,
            uses_root: false,
        }
    }
    fn is_fake(&self, l: Lit) -> bool {
        l.node() >= self.base
    }
}

impl AndBuilder for DryRun<'_> {
    fn and(&mut self, a: Lit, b: Lit) -> Lit {
        if !self.is_fake(a)
            && !self.is_fake(b)
            && let Some(l) = self.aig.lookup_and(a, b)
        {
            if Some(l.node()) == self.touches {
                self.uses_root = true;
            }
            if !self.aig.is_and(l.node()) || !self.doomed.contains(&l.node()) {
                return l;
            }
        }
        let (x, y) = if a < b { (a, b) } else { (b, a) };
        if let Some(i) = self.fake.iter().position(|&(p, q, _)| p == x && q == y) {
            return Lit::new(self.base + i as u32, false);
        }
        let l = Lit::new(self.base + self.fake.len() as u32, false);
        let lev = 1 + self.level(a).max(self.level(b));
        self.fake.push((x, y, lev));
        self.added += 1;
        l
    }
    fn level(&self, l: Lit) -> u32 {
        if self.is_fake(l) {
            self.fake[(l.node() - self.base) as usize].2
        } else {
            self.aig.level(l.node())
        }
    }
}

/// Builds a factored form with `leaves[i]` for variable `i`; wide ANDs/ORs pair their two
/// shallowest operands first, which keeps the result balanced.
pub fn build_expr<B: AndBuilder>(b: &mut B, e: &Expr, leaves: &[Lit]) -> Lit {
    match e {
        Expr::Const(v) => Lit::FALSE.not_if(*v),
        Expr::Var(v, c) => leaves[*v as usize].not_if(*c),
        Expr::And(parts) => {
            let lits: Vec<Lit> = parts.iter().map(|p| build_expr(b, p, leaves)).collect();
            and_balanced(b, lits)
        }
        Expr::Or(parts) => {
            let lits: Vec<Lit> = parts.iter().map(|p| !build_expr(b, p, leaves)).collect();
            !and_balanced(b, lits)
        }
    }
}

/// AND of many literals combining the two lowest-level operands first.
pub fn and_balanced<B: AndBuilder>(b: &mut B, mut lits: Vec<Lit>) -> Lit {
    if lits.is_empty() {
        return Lit::TRUE;
    }
    while lits.len() > 1 {
        lits.sort_by_key(|&l| std::cmp::Reverse(b.level(l)));
        let x = lits.pop().unwrap();
        let y = lits.pop().unwrap();
        let z = b.and(x, y);
        lits.push(z);
    }
    lits[0]
}
