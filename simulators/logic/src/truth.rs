//! Truth tables of any number of variables as `u64` words (variable `i < 6` inside a word, higher
//! variables across words), irredundant sums of products (Minato–Morreale ISOP) and algebraic factoring.

/// Masks of the six in-word variables.
pub const VAR_MASKS: [u64; 6] = [
    0xAAAA_AAAA_AAAA_AAAA,
    0xCCCC_CCCC_CCCC_CCCC,
    0xF0F0_F0F0_F0F0_F0F0,
    0xFF00_FF00_FF00_FF00,
    0xFFFF_0000_FFFF_0000,
    0xFFFF_FFFF_0000_0000,
];

pub fn words(nvars: usize) -> usize {
    if nvars <= 6 { 1 } else { 1 << (nvars - 6) }
}

/// The truth table of variable `v` over `nvars` variables.
pub fn var(v: usize, nvars: usize) -> Vec<u64> {
    let w = words(nvars);
    (0..w)
        .map(|i| {
            if v < 6 {
                VAR_MASKS[v]
            } else if (i >> (v - 6)) & 1 == 1 {
                !0
            } else {
                0
            }
        })
        .collect()
}

/// Keeps only the 2^nvars meaningful bits of a one-word table, replicated (so comparisons work).
pub fn normalize1(t: u64, nvars: usize) -> u64 {
    if nvars >= 6 {
        return t;
    }
    let bits = 1u32 << nvars;
    let mut t = t & ((1u64 << bits) - 1);
    let mut b = bits;
    while b < 64 {
        t |= t << b;
        b *= 2;
    }
    t
}

pub fn cofactor(t: &[u64], v: usize, value: bool) -> Vec<u64> {
    let mut r = t.to_vec();
    if v < 6 {
        let m = VAR_MASKS[v];
        let s = 1u32 << v;
        for w in r.iter_mut() {
            *w = if value {
                (*w & m) | ((*w & m) >> s)
            } else {
                (*w & !m) | ((*w & !m) << s)
            };
        }
    } else {
        let step = 1usize << (v - 6);
        let mut i = 0;
        while i < r.len() {
            for j in 0..step {
                let src = if value { r[i + step + j] } else { r[i + j] };
                r[i + j] = src;
                r[i + step + j] = src;
            }
            i += 2 * step;
        }
    }
    r
}

pub fn depends_on(t: &[u64], v: usize) -> bool {
    if v < 6 {
        let m = VAR_MASKS[v];
        let s = 1u32 << v;
        t.iter().any(|&w| ((w & m) >> s) != (w & !m))
    } else {
        let step = 1usize << (v - 6);
        t.chunks(2 * step).any(|c| c[..step] != c[step..])
    }
}

pub fn is_zero(t: &[u64]) -> bool {
    t.iter().all(|&w| w == 0)
}
pub fn is_ones(t: &[u64]) -> bool {
    t.iter().all(|&w| w == !0)
}

/// A product term: bit `i` of `pos` means variable `i`, bit `i` of `neg` means its complement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cube {
    pub pos: u32,
    pub neg: u32,
}

impl Cube {
    pub fn literals(&self) -> u32 {
        self.pos.count_ones() + self.neg.count_ones()
    }
}

/// An irredundant sum of products covering `on` (completely specified) over `nvars` variables.
pub fn isop(on: &[u64], nvars: usize) -> Vec<Cube> {
    let mut cubes = Vec::new();
    if on.len() == 1 {
        isop1(on[0], on[0], nvars.min(6), &mut cubes);
    } else {
        let mut out = vec![0u64; on.len()];
        isop_words(on, on, &mut out, &mut cubes);
    }
    cubes
}

/// Minato–Morreale ISOP of an incompletely specified function given by `lower ⊆ upper` on tables of
/// `lower.len()` words (a power of two), splitting on the highest variable either bound depends
/// on. Variables of six and above select words, so their cofactors are the two halves of the
/// table: the recursion halves the tables instead of copying them, and below six variables it
/// runs on single words ([`isop1`]) without allocating. Returns the cover's function in `out`.
fn isop_words(lower: &[u64], upper: &[u64], out: &mut [u64], cubes: &mut Vec<Cube>) {
    let nw = lower.len();
    if lower.iter().all(|&w| w == 0) {
        out.fill(0);
        return;
    }
    if upper.iter().all(|&w| w == !0) {
        cubes.push(Cube { pos: 0, neg: 0 });
        out.fill(!0);
        return;
    }
    if nw == 1 {
        out[0] = isop1(lower[0], upper[0], 6, cubes);
        return;
    }
    let half = nw / 2;
    let (l0, l1) = lower.split_at(half);
    let (u0, u1) = upper.split_at(half);
    if l0 == l1 && u0 == u1 {
        // Independent of the highest variable: solve one half, replicate.
        let (o0, o1) = out.split_at_mut(half);
        isop_words(l0, u0, o0, cubes);
        o1.copy_from_slice(o0);
        return;
    }
    let v = 5 + nw.trailing_zeros();
    // Scratch for the sub-problems: bounds and results of the three recursive calls.
    let mut small = [0u64; 40];
    let mut large = Vec::new();
    let buf: &mut [u64] = if 5 * half <= small.len() {
        &mut small[..5 * half]
    } else {
        large.resize(5 * half, 0);
        &mut large
    };
    let (lb, rest) = buf.split_at_mut(half);
    let (ub, rest) = rest.split_at_mut(half);
    let (r0, rest) = rest.split_at_mut(half);
    let (r1, rs) = rest.split_at_mut(half);
    for i in 0..half {
        lb[i] = l0[i] & !u1[i];
    }
    let start0 = cubes.len();
    isop_words(lb, u0, r0, cubes);
    for c in &mut cubes[start0..] {
        c.neg |= 1 << v;
    }
    for i in 0..half {
        lb[i] = l1[i] & !u0[i];
    }
    let start1 = cubes.len();
    isop_words(lb, u1, r1, cubes);
    for c in &mut cubes[start1..] {
        c.pos |= 1 << v;
    }
    for i in 0..half {
        lb[i] = (l0[i] & !r0[i]) | (l1[i] & !r1[i]);
        ub[i] = u0[i] & u1[i];
    }
    isop_words(lb, ub, rs, cubes);
    let (o0, o1) = out.split_at_mut(half);
    for i in 0..half {
        o0[i] = r0[i] | rs[i];
        o1[i] = r1[i] | rs[i];
    }
}

/// [`isop_words`] on one word, splitting on the highest variable below `top` the bounds depend on.
fn isop1(lower: u64, upper: u64, top: usize, cubes: &mut Vec<Cube>) -> u64 {
    if lower == 0 {
        return 0;
    }
    if upper == !0 {
        cubes.push(Cube { pos: 0, neg: 0 });
        return !0;
    }
    let dep = |t: u64, v: usize| {
        let (m, s) = (VAR_MASKS[v], 1u32 << v);
        ((t & m) >> s) != (t & !m)
    };
    let v = (0..top)
        .rev()
        .find(|&v| dep(lower, v) || dep(upper, v))
        .expect("non-constant");
    let (m, s) = (VAR_MASKS[v], 1u32 << v);
    let cof0 = |t: u64| (t & !m) | ((t & !m) << s);
    let cof1 = |t: u64| (t & m) | ((t & m) >> s);
    let (l0, l1, u0, u1) = (cof0(lower), cof1(lower), cof0(upper), cof1(upper));
    let start0 = cubes.len();
    let r0 = isop1(l0 & !u1, u0, v, cubes);
    for c in &mut cubes[start0..] {
        c.neg |= 1 << v;
    }
    let start1 = cubes.len();
    let r1 = isop1(l1 & !u0, u1, v, cubes);
    for c in &mut cubes[start1..] {
        c.pos |= 1 << v;
    }
    let rs = isop1((l0 & !r0) | (l1 & !r1), u0 & u1, v, cubes);
    (r0 & !m) | (r1 & m) | rs
}

/// A factored form over numbered variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Const(bool),
    Var(u32, bool),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Expr {
    /// Number of two-input ANDs in a tree implementation.
    pub fn and_count(&self) -> usize {
        match self {
            Expr::Const(_) | Expr::Var(..) => 0,
            Expr::And(v) | Expr::Or(v) => {
                v.len() - 1 + v.iter().map(Expr::and_count).sum::<usize>()
            }
        }
    }
}

/// Algebraic factoring of a cover by repeated division with the most frequent literal.
pub fn factor(cubes: &[Cube]) -> Expr {
    if cubes.is_empty() {
        return Expr::Const(false);
    }
    if cubes.iter().any(|c| c.pos == 0 && c.neg == 0) {
        return Expr::Const(true);
    }
    if cubes.len() == 1 {
        return cube_expr(cubes[0]);
    }
    // Common cube of all cubes first.
    let common_pos = cubes.iter().fold(!0u32, |a, c| a & c.pos);
    let common_neg = cubes.iter().fold(!0u32, |a, c| a & c.neg);
    if common_pos | common_neg != 0 {
        let rest: Vec<Cube> = cubes
            .iter()
            .map(|c| Cube {
                pos: c.pos & !common_pos,
                neg: c.neg & !common_neg,
            })
            .collect();
        let mut parts = lits_of(Cube {
            pos: common_pos,
            neg: common_neg,
        });
        parts.push(factor(&rest));
        return flatten_and(parts);
    }
    // The most frequent literal (lowest variable, positive first, on ties).
    let mut count = [[0usize; 2]; 32];
    for c in cubes {
        for (k, mut bits) in [c.pos, c.neg].into_iter().enumerate() {
            while bits != 0 {
                count[bits.trailing_zeros() as usize][k] += 1;
                bits &= bits - 1;
            }
        }
    }
    let mut best: Option<(usize, u32, bool)> = None;
    for (v, cv) in count.iter().enumerate() {
        for (k, &n) in cv.iter().enumerate() {
            if n >= 2 && best.is_none_or(|(b, _, _)| n > b) {
                best = Some((n, v as u32, k == 1));
            }
        }
    }
    let Some((_, v, compl)) = best else {
        return Expr::Or(cubes.iter().map(|&c| cube_expr(c)).collect());
    };
    let bit = 1u32 << v;
    let has = |c: &Cube| {
        if compl {
            c.neg & bit != 0
        } else {
            c.pos & bit != 0
        }
    };
    let quotient: Vec<Cube> = cubes
        .iter()
        .filter(|c| has(c))
        .map(|c| {
            if compl {
                Cube {
                    pos: c.pos,
                    neg: c.neg & !bit,
                }
            } else {
                Cube {
                    pos: c.pos & !bit,
                    neg: c.neg,
                }
            }
        })
        .collect();
    let remainder: Vec<Cube> = cubes.iter().filter(|c| !has(c)).copied().collect();
    let divided = flatten_and(vec![Expr::Var(v, compl), factor(&quotient)]);
    if remainder.is_empty() {
        divided
    } else {
        flatten_or(vec![divided, factor(&remainder)])
    }
}

fn lits_of(c: Cube) -> Vec<Expr> {
    let mut v = Vec::with_capacity(c.literals() as usize + 1);
    let mut bits = c.pos | c.neg;
    while bits != 0 {
        let i = bits.trailing_zeros();
        bits &= bits - 1;
        if c.pos >> i & 1 == 1 {
            v.push(Expr::Var(i, false));
        }
        if c.neg >> i & 1 == 1 {
            v.push(Expr::Var(i, true));
        }
    }
    v
}

fn cube_expr(c: Cube) -> Expr {
    let v = lits_of(c);
    if v.is_empty() {
        Expr::Const(true)
    } else {
        flatten_and(v)
    }
}

fn flatten_and(parts: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Expr::And(v) => out.extend(v),
            Expr::Const(true) => {}
            other => out.push(other),
        }
    }
    if out.len() == 1 {
        out.pop().unwrap()
    } else {
        Expr::And(out)
    }
}

fn flatten_or(parts: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Expr::Or(v) => out.extend(v),
            Expr::Const(false) => {}
            other => out.push(other),
        }
    }
    if out.len() == 1 {
        out.pop().unwrap()
    } else {
        Expr::Or(out)
    }
}

/// Factored form of `t` choosing the cheaper of the on-set and off-set covers; the flag says the
/// expression computes the complement.
pub fn factor_best(t: &[u64], nvars: usize) -> (Expr, bool) {
    let pos = factor(&isop(t, nvars));
    let inv: Vec<u64> = t.iter().map(|w| !w).collect();
    let neg = factor(&isop(&inv, nvars));
    if neg.and_count() < pos.and_count() {
        (neg, true)
    } else {
        (pos, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(e: &Expr, m: u32) -> bool {
        match e {
            Expr::Const(b) => *b,
            Expr::Var(v, c) => (m >> v & 1 == 1) ^ c,
            Expr::And(v) => v.iter().all(|x| eval(x, m)),
            Expr::Or(v) => v.iter().any(|x| eval(x, m)),
        }
    }

    #[test]
    fn isop_factor_roundtrip() {
        let mut seed = 12345u64;
        for nvars in [3usize, 5, 7, 8] {
            for _ in 0..20 {
                let t: Vec<u64> = (0..words(nvars))
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        seed ^ (seed >> 29)
                    })
                    .collect();
                let t = if nvars < 6 {
                    vec![normalize1(t[0], nvars)]
                } else {
                    t
                };
                let (e, inv) = factor_best(&t, nvars);
                for m in 0..(1u32 << nvars) {
                    let bit = t[(m >> 6) as usize] >> (m & 63) & 1 == 1;
                    assert_eq!(eval(&e, m) ^ inv, bit);
                }
            }
        }
    }
}
