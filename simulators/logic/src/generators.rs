//! Parametric, deterministic circuit generators, addressed by spec strings such as `adder:ripple:32`,
//! `adder:cla:16`, `adder:ks:16`, `mult:array:8`, `mult:wallace:8`, `mult:dadda:8`, `cmp:16`,
//! `mux:8`, `dec:4`, `popcount:16`, `voter:15`, `shifter:16`, `alu:8`.

use crate::aig::{Aig, Lit};
use crate::error::LogicError;

/// Every generator family with its spec form, for help texts.
pub const GENERATORS: &[(&str, &str)] = &[
    ("adder:ripple:N", "N-bit ripple-carry adder (N+1 outputs)"),
    (
        "adder:cla:N",
        "N-bit carry-lookahead adder (4-bit lookahead blocks)",
    ),
    ("adder:ks:N", "N-bit Kogge-Stone parallel-prefix adder"),
    ("mult:array:N", "N x N array multiplier"),
    ("mult:wallace:N", "N x N Wallace-tree multiplier"),
    ("mult:dadda:N", "N x N Dadda-tree multiplier"),
    ("cmp:N", "N-bit unsigned comparator (lt, eq, gt)"),
    ("mux:N", "N-to-1 multiplexer (N a power of two)"),
    ("dec:K", "K-to-2^K decoder"),
    ("popcount:N", "population count of N bits"),
    ("voter:N", "majority of N bits (N odd)"),
    (
        "shifter:N",
        "N-bit logarithmic barrel shifter (left, N a power of two)",
    ),
    (
        "alu:N",
        "N-bit ALU: add, sub, and, or, xor, not, shl1, pass-b",
    ),
];

/// Builds the circuit a spec names.
pub fn generate(spec: &str) -> Result<Aig, LogicError> {
    let err = |m: &str| LogicError::Generator {
        spec: spec.to_string(),
        message: m.to_string(),
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let num = |s: &str| -> Result<usize, LogicError> {
        s.parse::<usize>()
            .ok()
            .filter(|&n| (1..=1024).contains(&n))
            .ok_or_else(|| err("size must be an integer in 1..=1024"))
    };
    let mut g = Aig::new();
    match parts.as_slice() {
        ["adder", kind, n] => {
            let n = num(n)?;
            let a = inputs(&mut g, n);
            let b = inputs(&mut g, n);
            let s = match *kind {
                "ripple" => ripple_add(&mut g, &a, &b, Lit::FALSE),
                "cla" => cla_add(&mut g, &a, &b),
                "ks" | "kogge-stone" => ks_add(&mut g, &a, &b),
                _ => return Err(err("adder kinds: ripple, cla, ks")),
            };
            outputs(&mut g, &s);
        }
        ["mult", kind, n] => {
            let n = num(n)?;
            if n > 64 {
                return Err(err("multiplier size at most 64"));
            }
            let a = inputs(&mut g, n);
            let b = inputs(&mut g, n);
            let p = match *kind {
                "array" => array_mult(&mut g, &a, &b),
                "wallace" => tree_mult(&mut g, &a, &b, false),
                "dadda" => tree_mult(&mut g, &a, &b, true),
                _ => return Err(err("multiplier kinds: array, wallace, dadda")),
            };
            outputs(&mut g, &p);
        }
        ["cmp", n] => {
            let n = num(n)?;
            let a = inputs(&mut g, n);
            let b = inputs(&mut g, n);
            let (lt, eq) = compare(&mut g, &a, &b);
            let gt = g.and(!lt, !eq);
            outputs(&mut g, &[lt, eq, gt]);
        }
        ["mux", n] => {
            let n = num(n)?;
            if !n.is_power_of_two() || n < 2 {
                return Err(err("mux size must be a power of two >= 2"));
            }
            let k = n.trailing_zeros() as usize;
            let d = inputs(&mut g, n);
            let s = inputs(&mut g, k);
            let y = mux_tree(&mut g, &d, &s);
            outputs(&mut g, &[y]);
        }
        ["dec", k] => {
            let k = num(k)?;
            if k > 12 {
                return Err(err("decoder width at most 12"));
            }
            let s = inputs(&mut g, k);
            let outs: Vec<Lit> = (0..1usize << k)
                .map(|v| {
                    let lits: Vec<Lit> = (0..k).map(|i| s[i].not_if((v >> i) & 1 == 0)).collect();
                    g.and_many(&lits)
                })
                .collect();
            outputs(&mut g, &outs);
        }
        ["popcount", n] => {
            let n = num(n)?;
            let x = inputs(&mut g, n);
            let c = popcount(&mut g, &x);
            outputs(&mut g, &c);
        }
        ["voter", n] => {
            let n = num(n)?;
            if n % 2 == 0 {
                return Err(err("voter size must be odd"));
            }
            let x = inputs(&mut g, n);
            let c = popcount(&mut g, &x);
            // count >= (n + 1) / 2  <=>  !(count < threshold)
            let t = n.div_ceil(2);
            let tl: Vec<Lit> = (0..c.len())
                .map(|i| Lit::FALSE.not_if((t >> i) & 1 == 1))
                .collect();
            let (lt, _) = compare(&mut g, &c, &tl);
            outputs(&mut g, &[!lt]);
        }
        ["shifter", n] => {
            let n = num(n)?;
            if !n.is_power_of_two() || n < 2 {
                return Err(err("shifter width must be a power of two >= 2"));
            }
            let d = inputs(&mut g, n);
            let s = inputs(&mut g, n.trailing_zeros() as usize);
            let mut cur = d;
            for (k, &sk) in s.iter().enumerate() {
                let sh = 1 << k;
                cur = (0..n)
                    .map(|i| {
                        let shifted = if i >= sh { cur[i - sh] } else { Lit::FALSE };
                        g.mux(sk, shifted, cur[i])
                    })
                    .collect();
            }
            outputs(&mut g, &cur);
        }
        ["alu", n] => {
            let n = num(n)?;
            let a = inputs(&mut g, n);
            let b = inputs(&mut g, n);
            let op = inputs(&mut g, 3);
            let sum = ripple_add(&mut g, &a, &b, Lit::FALSE);
            let nb: Vec<Lit> = b.iter().map(|&x| !x).collect();
            let diff = ripple_add(&mut g, &a, &nb, Lit::TRUE);
            let mut outs = Vec::new();
            for i in 0..=n {
                let bit = |v: &[Lit], i: usize| if i < v.len() { v[i] } else { Lit::FALSE };
                let (ai, bi) = (bit(&a, i), bit(&b, i));
                let cands = [
                    sum[i],
                    diff[i],
                    g.and(ai, bi),
                    g.or(ai, bi),
                    g.xor(ai, bi),
                    if i < n { !ai } else { Lit::FALSE },
                    if i >= 1 { bit(&a, i - 1) } else { Lit::FALSE },
                    bi,
                ];
                outs.push(mux_tree(&mut g, &cands, &op));
            }
            outputs(&mut g, &outs);
        }
        _ => {
            let forms: Vec<&str> = GENERATORS.iter().map(|(f, _)| *f).collect();
            return Err(err(&format!(
                "unknown generator (known: {})",
                forms.join(", ")
            )));
        }
    }
    g.input_names = (0..g.num_inputs()).map(|i| format!("i{i}")).collect();
    g.output_names = (0..g.num_outputs()).map(|i| format!("o{i}")).collect();
    Ok(g.compact())
}

/// Whether a `circuit` option value is a generator spec rather than a file path.
pub fn is_spec(s: &str) -> bool {
    let head = s.split(':').next().unwrap_or("");
    s.contains(':')
        && GENERATORS
            .iter()
            .any(|(f, _)| f.split(':').next() == Some(head))
}

fn inputs(g: &mut Aig, n: usize) -> Vec<Lit> {
    (0..n).map(|_| g.add_input()).collect()
}
fn outputs(g: &mut Aig, v: &[Lit]) {
    for &l in v {
        g.add_output(l);
    }
}

fn full_add(g: &mut Aig, a: Lit, b: Lit, c: Lit) -> (Lit, Lit) {
    let t = g.xor(a, b);
    let s = g.xor(t, c);
    let ab = g.and(a, b);
    let tc = g.and(t, c);
    (s, g.or(ab, tc))
}
fn half_add(g: &mut Aig, a: Lit, b: Lit) -> (Lit, Lit) {
    (g.xor(a, b), g.and(a, b))
}

fn ripple_add(g: &mut Aig, a: &[Lit], b: &[Lit], cin: Lit) -> Vec<Lit> {
    let mut c = cin;
    let mut s = Vec::with_capacity(a.len() + 1);
    for i in 0..a.len() {
        let (x, y) = full_add(g, a[i], b[i], c);
        s.push(x);
        c = y;
    }
    s.push(c);
    s
}

fn cla_add(g: &mut Aig, a: &[Lit], b: &[Lit]) -> Vec<Lit> {
    let n = a.len();
    let generate_bit: Vec<Lit> = (0..n).map(|i| g.and(a[i], b[i])).collect();
    let prop: Vec<Lit> = (0..n).map(|i| g.xor(a[i], b[i])).collect();
    let mut carry = vec![Lit::FALSE; n + 1];
    for block in (0..n).step_by(4) {
        let cin = carry[block];
        for i in block..(block + 4).min(n) {
            // c_{i+1} = g_i + p_i g_{i-1} + ... + p_i..p_block cin, expanded within the block.
            let mut terms = vec![generate_bit[i]];
            let mut pchain = prop[i];
            for j in (block..i).rev() {
                terms.push(g.and(pchain, generate_bit[j]));
                pchain = g.and(pchain, prop[j]);
            }
            terms.push(g.and(pchain, cin));
            carry[i + 1] = g.or_many(&terms);
        }
    }
    let mut s: Vec<Lit> = (0..n).map(|i| g.xor(prop[i], carry[i])).collect();
    s.push(carry[n]);
    s
}

fn ks_add(g: &mut Aig, a: &[Lit], b: &[Lit]) -> Vec<Lit> {
    let n = a.len();
    let prop: Vec<Lit> = (0..n).map(|i| g.xor(a[i], b[i])).collect();
    let mut gg: Vec<Lit> = (0..n).map(|i| g.and(a[i], b[i])).collect();
    let mut pp = prop.clone();
    let mut d = 1;
    while d < n {
        let (g0, p0) = (gg.clone(), pp.clone());
        for i in d..n {
            let t = g.and(p0[i], g0[i - d]);
            gg[i] = g.or(g0[i], t);
            pp[i] = g.and(p0[i], p0[i - d]);
        }
        d *= 2;
    }
    let mut s = vec![prop[0]];
    for i in 1..n {
        s.push(g.xor(prop[i], gg[i - 1]));
    }
    s.push(gg[n - 1]);
    s
}

fn array_mult(g: &mut Aig, a: &[Lit], b: &[Lit]) -> Vec<Lit> {
    let n = a.len();
    let mut acc: Vec<Lit> = (0..n).map(|j| g.and(a[j], b[0])).collect();
    let mut out = vec![acc[0]];
    for &bi in &b[1..n] {
        let row: Vec<Lit> = (0..n).map(|j| g.and(a[j], bi)).collect();
        let mut upper: Vec<Lit> = acc[1..].to_vec();
        upper.resize(n, Lit::FALSE);
        acc = ripple_add(g, &upper, &row, Lit::FALSE);
        acc.truncate(n + 1);
        out.push(acc[0]);
    }
    out.extend_from_slice(&acc[1..]);
    out.truncate(2 * n);
    out
}

/// Column compression with full/half adders: Wallace reduces greedily, Dadda only as far as the
/// next height in 2, 3, 4, 6, 9, …; a ripple adder finishes.
fn tree_mult(g: &mut Aig, a: &[Lit], b: &[Lit], dadda: bool) -> Vec<Lit> {
    let n = a.len();
    let mut cols: Vec<Vec<Lit>> = vec![Vec::new(); 2 * n];
    for i in 0..n {
        for j in 0..n {
            let p = g.and(a[j], b[i]);
            cols[i + j].push(p);
        }
    }
    compress(g, &mut cols, dadda);
    let x: Vec<Lit> = cols
        .iter()
        .map(|c| c.first().copied().unwrap_or(Lit::FALSE))
        .collect();
    let y: Vec<Lit> = cols
        .iter()
        .map(|c| c.get(1).copied().unwrap_or(Lit::FALSE))
        .collect();
    let mut s = ripple_add(g, &x, &y, Lit::FALSE);
    s.truncate(2 * n);
    s
}

fn compress(g: &mut Aig, cols: &mut Vec<Vec<Lit>>, dadda: bool) {
    let mut heights = vec![2usize];
    while *heights.last().unwrap() < cols.iter().map(Vec::len).max().unwrap_or(0) {
        let h = *heights.last().unwrap();
        heights.push(h * 3 / 2);
    }
    loop {
        let maxh = cols.iter().map(Vec::len).max().unwrap_or(0);
        if maxh <= 2 {
            break;
        }
        let target = if dadda {
            *heights.iter().rev().find(|&&h| h < maxh).unwrap_or(&2)
        } else {
            0
        };
        let mut next: Vec<Vec<Lit>> = vec![Vec::new(); cols.len() + 1];
        for c in 0..cols.len() {
            let mut col = std::mem::take(&mut cols[c]);
            if dadda {
                // Reduce just enough for this column (counting carries arriving from the right).
                let mut height = col.len() + next[c].len();
                while height > target && col.len() >= 2 {
                    if height - target >= 2 && col.len() >= 3 {
                        let (x, y, z) =
                            (col.pop().unwrap(), col.pop().unwrap(), col.pop().unwrap());
                        let (s, cy) = full_add(g, x, y, z);
                        next[c].push(s);
                        next[c + 1].push(cy);
                        height -= 2;
                    } else {
                        let (x, y) = (col.pop().unwrap(), col.pop().unwrap());
                        let (s, cy) = half_add(g, x, y);
                        next[c].push(s);
                        next[c + 1].push(cy);
                        height -= 1;
                    }
                }
            } else {
                while col.len() >= 3 {
                    let (x, y, z) = (col.pop().unwrap(), col.pop().unwrap(), col.pop().unwrap());
                    let (s, cy) = full_add(g, x, y, z);
                    next[c].push(s);
                    next[c + 1].push(cy);
                }
                if col.len() == 2 && next[c].len() + 2 > 2 {
                    let (x, y) = (col.pop().unwrap(), col.pop().unwrap());
                    let (s, cy) = half_add(g, x, y);
                    next[c].push(s);
                    next[c + 1].push(cy);
                }
            }
            next[c].extend(col);
        }
        let width = cols.len();
        next.truncate(width);
        *cols = next;
    }
}

/// Unsigned `a < b` and `a == b` (LSB first).
fn compare(g: &mut Aig, a: &[Lit], b: &[Lit]) -> (Lit, Lit) {
    let (mut lt, mut eq) = (Lit::FALSE, Lit::TRUE);
    for i in 0..a.len() {
        // From LSB up: lt = (!a_i & b_i) | (a_i == b_i) & lt
        let bit_lt = g.and(!a[i], b[i]);
        let bit_eq = !g.xor(a[i], b[i]);
        let keep = g.and(bit_eq, lt);
        lt = g.or(bit_lt, keep);
        eq = g.and(eq, bit_eq);
    }
    (lt, eq)
}

fn mux_tree(g: &mut Aig, d: &[Lit], s: &[Lit]) -> Lit {
    let mut level: Vec<Lit> = d.to_vec();
    for &sk in s {
        level = level
            .chunks(2)
            .map(|p| {
                if p.len() == 2 {
                    g.mux(sk, p[1], p[0])
                } else {
                    p[0]
                }
            })
            .collect();
    }
    level[0]
}

fn popcount(g: &mut Aig, x: &[Lit]) -> Vec<Lit> {
    let width = usize::BITS as usize - x.len().leading_zeros() as usize;
    let mut cols: Vec<Vec<Lit>> = vec![Vec::new(); width.max(1) + 1];
    cols[0] = x.to_vec();
    compress(g, &mut cols, false);
    let a: Vec<Lit> = cols
        .iter()
        .map(|c| c.first().copied().unwrap_or(Lit::FALSE))
        .collect();
    let b: Vec<Lit> = cols
        .iter()
        .map(|c| c.get(1).copied().unwrap_or(Lit::FALSE))
        .collect();
    let mut s = ripple_add(g, &a, &b, Lit::FALSE);
    s.truncate(width.max(1));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(g: &Aig, inputs: &[bool]) -> Vec<bool> {
        let pats: Vec<Vec<u64>> = inputs.iter().map(|&b| vec![b as u64]).collect();
        g.simulate_outputs(&pats)
            .iter()
            .map(|w| w[0] & 1 == 1)
            .collect()
    }
    fn bits(x: u64, n: usize) -> Vec<bool> {
        (0..n).map(|i| (x >> i) & 1 == 1).collect()
    }
    fn val(v: &[bool]) -> u64 {
        v.iter().enumerate().map(|(i, &b)| (b as u64) << i).sum()
    }

    #[test]
    fn arithmetic_generators_compute_correctly() {
        for spec in ["adder:ripple:6", "adder:cla:6", "adder:ks:6"] {
            let g = generate(spec).unwrap();
            for (a, b) in [(0u64, 0u64), (63, 1), (37, 29), (63, 63)] {
                let out = eval(&g, &[bits(a, 6), bits(b, 6)].concat());
                assert_eq!(val(&out), a + b, "{spec} {a}+{b}");
            }
        }
        for spec in ["mult:array:5", "mult:wallace:5", "mult:dadda:5"] {
            let g = generate(spec).unwrap();
            for (a, b) in [(0u64, 7u64), (31, 31), (13, 22), (1, 30)] {
                let out = eval(&g, &[bits(a, 5), bits(b, 5)].concat());
                assert_eq!(val(&out), a * b, "{spec} {a}*{b}");
            }
        }
        let g = generate("popcount:7").unwrap();
        assert_eq!(val(&eval(&g, &bits(0b1011011, 7))), 5);
        let g = generate("voter:5").unwrap();
        assert_eq!(eval(&g, &bits(0b10110, 5)), vec![true]);
        assert_eq!(eval(&g, &bits(0b10100, 5)), vec![false]);
        let g = generate("cmp:4").unwrap();
        assert_eq!(
            eval(&g, &[bits(3, 4), bits(9, 4)].concat()),
            vec![true, false, false]
        );
        let g = generate("shifter:8").unwrap();
        assert_eq!(
            val(&eval(&g, &[bits(0b1011, 8), bits(2, 3)].concat())),
            0b101100
        );
        let g = generate("alu:4").unwrap();
        assert_eq!(
            val(&eval(&g, &[bits(9, 4), bits(3, 4), bits(1, 3)].concat())) & 15,
            6
        );
        for spec in ["mux:8", "dec:3"] {
            generate(spec).unwrap();
        }
        assert!(generate("adder:foo:4").is_err());
        assert!(generate("mult:array:x").is_err());
    }
}
