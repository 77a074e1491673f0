//! CART regression trees (squared error), shared by the random forest and gradient boosting.
//!
//! Features are pre-binned once per dataset ([`Binned`]): each feature's sorted distinct values (or, past
//! [`MAX_BINS`], quantile cut points) give the candidate thresholds, so a node's best split is one
//! histogram pass over its rows. Design-space features are low-cardinality (one-hot bits, knob
//! levels), so the search is exact for them. Trees split on `x[feature] <= threshold` with thresholds
//! midway between neighbouring values, so they predict from raw encoded features.

use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use gym::rng::Rng;

/// Most bins a feature gets; features with more distinct values are cut at quantiles.
pub const MAX_BINS: usize = 256;

/// Nodes at least this large search their features in parallel (smaller ones are not worth a task).
const PARALLEL_ROWS: usize = 4096;

/// Features as bin codes, column-major, with the thresholds between bins.
pub struct Binned {
    rows: usize,
    codes: Vec<Vec<u16>>,
    cuts: Vec<Vec<f64>>,
}

impl Binned {
    /// Bins row-major features `x` (`rows × width`).
    pub fn new(x: &[f64], width: usize) -> Self {
        let rows = x.len().checked_div(width).unwrap_or(0);
        let (codes, cuts) = (0..width)
            .into_par_iter()
            .map(|f| {
                let column: Vec<f64> = (0..rows).map(|r| x[r * width + f]).collect();
                let cuts = cut_points(&column);
                let codes = column
                    .iter()
                    .map(|&v| cuts.partition_point(|&c| c < v) as u16)
                    .collect();
                (codes, cuts)
            })
            .unzip();
        Binned { rows, codes, cuts }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn width(&self) -> usize {
        self.codes.len()
    }
}

/// Thresholds between a column's distinct values (midpoints), thinned to quantiles past [`MAX_BINS`].
fn cut_points(column: &[f64]) -> Vec<f64> {
    let mut sorted = column.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    if distinct.len() <= MAX_BINS {
        return distinct.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
    }
    // Quantile cuts over the rows, then midpoints between the value below and above each cut.
    let mut cuts = Vec::with_capacity(MAX_BINS - 1);
    for q in 1..MAX_BINS {
        let v = sorted[q * sorted.len() / MAX_BINS];
        let i = distinct.partition_point(|&d| d < v);
        if i > 0 {
            let c = 0.5 * (distinct[i - 1] + distinct[i]);
            if cuts.last() != Some(&c) {
                cuts.push(c);
            }
        }
    }
    cuts
}

/// Growth limits of one tree.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeParams {
    /// Deepest level a split may happen at (the root is depth 0).
    pub max_depth: usize,
    /// Fewest rows a leaf may hold.
    pub min_samples_leaf: usize,
    /// Features tried at each split (drawn afresh per node; all features when ≥ the width).
    pub max_features: usize,
}

/// A fitted tree, as parallel arrays in pre-order. Node `i` is a leaf when `left[i] == 0` (the root
/// is never a child) with value `value[i]`; otherwise rows with `x[feature[i]] <= value[i]` go to
/// `left[i]` and the others to `left[i] + 1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    feature: Vec<u32>,
    value: Vec<f64>,
    left: Vec<u32>,
}

impl Tree {
    /// The tree's prediction for features `x`.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            let l = self.left[i] as usize;
            if l == 0 {
                return self.value[i];
            }
            i = if x[self.feature[i] as usize] <= self.value[i] {
                l
            } else {
                l + 1
            };
        }
    }

    pub fn nodes(&self) -> usize {
        self.left.len()
    }

    /// Checks a deserialised tree: consistent arrays, children after their parent and in range,
    /// features below `width`, so that [`Tree::predict`] cannot loop or index out of bounds.
    pub fn validate(&self, width: usize) -> Result<(), String> {
        let n = self.left.len();
        if n == 0 || self.feature.len() != n || self.value.len() != n {
            return Err(format!(
                "tree arrays are empty or of different lengths ({}, {}, {})",
                self.feature.len(),
                self.value.len(),
                n
            ));
        }
        for i in 0..n {
            let l = self.left[i] as usize;
            if l != 0 && (l <= i || l + 1 >= n) {
                return Err(format!(
                    "node {i}: children {l}, {} out of order or range",
                    l + 1
                ));
            }
            if l != 0 && self.feature[i] as usize >= width {
                return Err(format!(
                    "node {i}: feature {} but the encoding has {width}",
                    self.feature[i]
                ));
            }
        }
        Ok(())
    }
}

/// Fits a tree to targets `y` (indexed by row) on the rows listed in `rows` (repeats allowed: a
/// bootstrap sample). `rows` is reordered.
pub fn fit(data: &Binned, y: &[f64], rows: &mut [u32], params: &TreeParams, rng: &mut Rng) -> Tree {
    let width = data.width();
    let mut tree = Tree {
        feature: vec![0],
        value: vec![0.0],
        left: vec![0],
    };
    let min_leaf = params.min_samples_leaf.max(1);
    let mut features: Vec<usize> = (0..width).collect();
    // (node, start, end, depth): a stack, so nodes come out in pre-order of their splits.
    let mut work = vec![(0usize, 0usize, rows.len(), 0usize)];
    while let Some((node, start, end, depth)) = work.pop() {
        let part = &mut rows[start..end];
        let n = part.len();
        let (sum, lo, hi) = part.iter().fold(
            (0.0, f64::INFINITY, f64::NEG_INFINITY),
            |(s, lo, hi), &r| {
                let v = y[r as usize];
                (s + v, lo.min(v), hi.max(v))
            },
        );
        tree.value[node] = sum / n as f64;
        if depth >= params.max_depth || n < 2 * min_leaf || lo == hi || width == 0 {
            continue;
        }
        // A random subset of features (partial Fisher–Yates), tried in index order so ties go to
        // the lowest feature whatever the draw order.
        let k = params.max_features.clamp(1, width);
        let candidates: Vec<usize> = if k < width {
            for i in 0..k {
                let j = rng.random_range(i..width);
                features.swap(i, j);
            }
            let mut c = features[..k].to_vec();
            c.sort_unstable();
            c
        } else {
            (0..width).collect()
        };
        let search = |&f: &usize| best_split(data, y, part, f, sum, min_leaf);
        let found: Vec<Option<(f64, u16)>> = if n >= PARALLEL_ROWS {
            candidates.par_iter().map(search).collect()
        } else {
            candidates.iter().map(search).collect()
        };
        let mut best: Option<(usize, f64, u16)> = None;
        for (&f, s) in candidates.iter().zip(found) {
            if let Some((gain, bin)) = s
                && best.is_none_or(|b| gain > b.1)
            {
                best = Some((f, gain, bin));
            }
        }
        // Splits that do not reduce the squared error (beyond rounding) are not worth a node.
        let sse_scale = (hi - lo) * (hi - lo) * n as f64;
        let Some((f, gain, bin)) = best else { continue };
        if gain <= 1e-12 * sse_scale {
            continue;
        }
        let codes = &data.codes[f];
        let mut i = 0;
        let mut j = n;
        while i < j {
            if codes[part[i] as usize] <= bin {
                i += 1;
            } else {
                j -= 1;
                part.swap(i, j);
            }
        }
        let l = tree.left.len();
        tree.feature[node] = f as u32;
        tree.value[node] = data.cuts[f][bin as usize];
        tree.left[node] = l as u32;
        tree.feature.extend([0, 0]);
        tree.value.extend([0.0, 0.0]);
        tree.left.extend([0, 0]);
        work.push((l + 1, start + i, end, depth + 1));
        work.push((l, start, start + i, depth + 1));
    }
    tree
}

/// The best threshold bin of feature `f` for the rows `part` (sum of targets `sum`): the gain in
/// `Σ sum²/count` over the parent, and the last bin going left.
fn best_split(
    data: &Binned,
    y: &[f64],
    part: &[u32],
    f: usize,
    sum: f64,
    min_leaf: usize,
) -> Option<(f64, u16)> {
    let bins = data.cuts[f].len() + 1;
    if bins < 2 {
        return None;
    }
    let codes = &data.codes[f];
    let mut count = vec![0usize; bins];
    let mut total = vec![0.0f64; bins];
    for &r in part {
        let b = codes[r as usize] as usize;
        count[b] += 1;
        total[b] += y[r as usize];
    }
    let n = part.len();
    let parent = sum * sum / n as f64;
    let mut best: Option<(f64, u16)> = None;
    let (mut nl, mut sl) = (0usize, 0.0f64);
    for b in 0..bins - 1 {
        nl += count[b];
        sl += total[b];
        if count[b] == 0 {
            continue;
        }
        let nr = n - nl;
        if nl < min_leaf {
            continue;
        }
        if nr < min_leaf {
            break;
        }
        let sr = sum - sl;
        let gain = sl * sl / nl as f64 + sr * sr / nr as f64 - parent;
        if best.is_none_or(|(g, _)| gain > g) {
            best = Some((gain, b as u16));
        }
    }
    best
}
