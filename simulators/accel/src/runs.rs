//! CALC mode counted from previous occurrences: a demanded word is inserted into the estimate
//! buffer's epoch exactly when the previous demand of its address came before the epoch started.
//! The demand is cut into *runs*, words at consecutive lines whose previous occurrences are the
//! same run shape at a fixed distance, so an epoch is counted per run instead of per address:
//! - OS with `C ≥ R` channels: one array row reading the `C` channels of one filter tap (one ifmap
//!   pixel) at consecutive lines; the previous run on that pixel read the same channels in order.
//! - WS with `C` a multiple of `R`: the `R` rows of a fold (one tap, a block of `R` channels)
//!   reading one output pixel along the systolic diagonal; the previous run reading that ifmap
//!   pixel's block did the same.
//!
//! Each run finds its predecessor through the last run seen on its resource (ifmap pixel, or pixel
//! and channel block) while one column-fold pass is laid out; passes repeat the same demand, so
//! a pass's first run on a resource follows that resource's last run one pass earlier.
//! WS folds that mix taps are counted by `terms.rs`, other shapes (and layers where laying out
//! runs costs more than it saves, see [`Runs::of`]) by folds in `dedup.rs`.

use crate::compute::Mapping;
use crate::config::Dataflow;
use crate::im2col::Im2col;

/// A demand position `(line, array row)`; words are demanded in this order.
pub(crate) type Position = (i64, i64);

/// A unit of a pass (a block of runs, a fold), stepped through the passes in demand order.
#[derive(Clone, Copy)]
pub(crate) struct Cursor {
    pub(crate) pass: u64,
    pub(crate) unit: usize,
}

impl Cursor {
    pub(crate) const START: Cursor = Cursor { pass: 0, unit: 0 };

    /// Steps to the next unit, `units` a pass; whether that starts a pass.
    pub(crate) fn step(&mut self, units: usize) -> bool {
        self.unit += 1;
        let wraps = self.unit == units;
        if wraps {
            (self.pass, self.unit) = (self.pass + 1, 0);
        }
        wraps
    }
}

/// The next line to try when searching `lo..hi` for the first line through which `epoch` words
/// are counted, with `below` counted before `lo` and `above` through `hi`: by interpolation (the
/// count grows nearly linearly), alternating with bisection so that the range keeps halving.
pub(crate) fn probe(
    (lo, hi): (i64, i64),
    (below, above): (i64, i64),
    epoch: i64,
    interpolate: &mut bool,
) -> i64 {
    let mid = if *interpolate {
        let ahead = (hi - lo) as i128 * (epoch - below) as i128;
        lo + (ahead / (above - below).max(1) as i128) as i64
    } else {
        lo + (hi - lo) / 2
    };
    *interpolate = !*interpolate;
    mid.clamp(lo, hi - 1)
}

/// Guesses for the line that closes an epoch, ahead of [`probe`]: consecutive epochs of a layer
/// span about as many lines, so first where the last one's length ends, then one step from there
/// at its rate.
#[derive(Default)]
pub(crate) struct LineGuess {
    /// Lines the last epoch spanned; the epoch's first line; the next guess.
    last: Option<i64>,
    start: i64,
    next: Option<i64>,
    tried: u32,
}

impl LineGuess {
    /// Starts the search for an epoch that starts on `line`.
    pub(crate) fn start(&mut self, line: i64) {
        self.start = line;
        self.next = self.last.map(|lines| line + lines);
        self.tried = 0;
    }
    /// The next guess inside `lo..hi`, if one is left.
    pub(crate) fn next(&mut self, (lo, hi): (i64, i64)) -> Option<i64> {
        self.next.take().map(|line| line.clamp(lo, hi - 1))
    }
    /// Notes that `counted` words were counted through line `line` (`epoch` fill it).
    pub(crate) fn counted(&mut self, line: i64, counted: i64, epoch: i64) {
        self.tried += 1;
        if self.tried == 1
            && let Some(lines) = self.last
        {
            let step = (epoch - counted) as i128 * lines as i128 / epoch as i128;
            self.next = Some(line + step as i64 + i64::from(counted < epoch));
        }
    }
    /// Notes that the epoch closed on line `line`.
    pub(crate) fn closed(&mut self, line: i64) {
        self.last = Some(line - self.start);
    }
}

/// The epochs at the starts of column-fold passes, which repeat the same demand. A pass's inserts
/// depend only on the epoch it starts in, which holds a suffix of the periodic demand and so is
/// told apart by its size: once a size recurs at a pass start, the passes since then repeat.
pub(crate) struct PassStarts {
    passes: u64,
    /// Per pass start reached: the epoch's words before it, and inserts before it.
    starts: Vec<(i64, u64)>,
}

impl PassStarts {
    pub(crate) fn new(passes: u64) -> Self {
        PassStarts {
            passes,
            starts: vec![(0, 0)],
        }
    }

    /// Notes that the epoch under way (`counted` words so far, `total` inserts before it) reached
    /// the start of pass `pass` unfilled; returns the layer's inserts once passes repeat.
    pub(crate) fn reached(&mut self, pass: u64, counted: i64, total: u64) -> Option<u64> {
        if self.starts.len() as u64 != pass {
            return None;
        }
        let recurs = self.starts.iter().position(|&(size, _)| size == counted);
        self.starts.push((counted, total + counted as u64));
        let first = recurs?;
        let at = |q: usize| self.starts[q].1;
        let (pass, cycle) = (pass as usize, pass as usize - first);
        let left = (self.passes as usize) - pass;
        let per_cycle = at(pass) - at(first);
        let tail = at(first + left % cycle) - at(first);
        Some(at(pass) + (left / cycle) as u64 * per_cycle + tail)
    }
}

/// Words `x` in `0..len` at line `line + x`, row `row + step·x` (`len` and `step` are the same for
/// all runs of a layer); the previous demand of word `x`'s address is word `x` of the same shape
/// starting at `prev`. Positions are keys `line << ROW_BITS | row`.
#[derive(Clone, Copy)]
struct Run {
    start: i64,
    /// Within the pass, or for the first run on its resource in a pass, the resource's last run
    /// one pass earlier.
    prev: i64,
}

/// Array rows are below `2^ROW_BITS`.
pub(crate) const ROW_BITS: u32 = 16;

#[inline]
fn key((line, row): Position) -> i64 {
    line << ROW_BITS | row
}

#[inline]
fn position(key: i64) -> Position {
    (key >> ROW_BITS, key & ((1 << ROW_BITS) - 1))
}

/// At most this many runs per pass (16 bytes each) and resources (8 bytes) are laid out; larger
/// layers count by folds.
const MAX_RUNS: u64 = 1 << 22;

/// Above this many runs per (estimated) epoch, counting by folds is faster (see [`Runs::of`]).
const RUNS_PER_EPOCH: u64 = 1000;

/// Runs are summarised in blocks of this many, so that an epoch passes over a block whose words
/// are all new to it, or all repeats within it, from the span of its runs' predecessors.
const BLOCK: usize = 32;

pub(crate) struct Runs {
    /// One pass, ordered by first word.
    runs: Vec<Run>,
    /// Per block of runs, the first lines of its runs' predecessors: the earliest and latest.
    prevs: Vec<(i64, i64)>,
    len: i64,
    /// Row step along a run: 0 (one row, consecutive channels) or 1 (the systolic diagonal).
    step: i64,
    pass_lines: i64,
    passes: u64,
}

/// One pass's runs in order, each given as `(resource, start)`.
trait PassRuns {
    fn for_each(&self, f: impl FnMut(usize, i64));
}

/// OS: output pixels' ifmap corners, per fold of `rows`; taps' offsets from the corner.
struct OsRuns {
    corners: Vec<usize>,
    shifts: Vec<usize>,
    rows: usize,
    spacing: i64,
    channels: i64,
}

impl PassRuns for OsRuns {
    fn for_each(&self, mut f: impl FnMut(usize, i64)) {
        for (fold, pixels) in self.corners.chunks(self.rows).enumerate() {
            let base = fold as i64 * self.spacing;
            for (tap, &shift) in self.shifts.iter().enumerate() {
                let line = base + tap as i64 * self.channels;
                for (j, &corner) in pixels.iter().enumerate() {
                    let j = j as i64;
                    f(corner + shift, key((line + j, j)));
                }
            }
        }
    }
}

/// WS: per fold, the resource of its channel block at output pixel 0 and per pixel the
/// resource step to it.
struct WsRuns {
    folds: Vec<usize>,
    pixels: Vec<usize>,
    spacing: i64,
}

impl PassRuns for WsRuns {
    fn for_each(&self, mut f: impl FnMut(usize, i64)) {
        for (fold, &first) in self.folds.iter().enumerate() {
            let base = fold as i64 * self.spacing;
            for (p, &offset) in self.pixels.iter().enumerate() {
                f(first + offset, key((base + p as i64, 0)));
            }
        }
    }
}

/// Lays out one pass, linking each run to the previous run on its resource. The pass is
/// enumerated twice: first for each resource's last run, which precedes its first run of the
/// next pass.
fn lay_out(
    resources: usize,
    pass_lines: u64,
    len: u64,
    step: i64,
    passes: u64,
    pass: impl PassRuns,
) -> Runs {
    let pass_lines = pass_lines as i64;
    let (mut last, mut count) = (vec![0i64; resources], 0);
    pass.for_each(|resource, start| {
        last[resource] = start;
        count += 1;
    });
    // For the first pass these lie before line 0, so before every epoch start, as if there were
    // no previous demand.
    for start in &mut last {
        *start -= key((pass_lines, 0));
    }
    let mut runs = Vec::with_capacity(count);
    pass.for_each(|resource, start| {
        let prev = std::mem::replace(&mut last[resource], start);
        runs.push(Run { start, prev });
    });
    let prevs: Vec<(i64, i64)> = runs
        .chunks(BLOCK)
        .map(|block| {
            let lines = block.iter().map(|r| position(r.prev).0);
            (lines.clone().min().unwrap_or(0), lines.max().unwrap_or(0))
        })
        .collect();
    Runs {
        runs,
        prevs,
        len: len as i64,
        step,
        pass_lines,
        passes,
    }
}

impl Runs {
    /// The runs of `m`'s ifmap demand for epochs of `epoch` addresses, where its shape allows
    /// them and they pay off: laying out a pass costs some 60 instructions a run before any
    /// counting, which folds do not pay, so with few epochs per run (a large layer over few
    /// passes) folds count faster. Measured on ResNet-50's 58×58 3×3 64-channel layer (OS,
    /// 28,224 runs for an estimated 14 epochs): ~290 µs by folds, ~320 µs by runs; at 500 runs an
    /// epoch (its 30×30 128-channel layer) runs are 2× faster.
    pub(crate) fn of(m: &Mapping, g: &Im2col, epoch: u64) -> Option<Runs> {
        // Every pass inserts at least the distinct addresses.
        let epochs = (m.col_folds * m.distinct_ifmap).div_ceil(epoch);
        let runs = Self::per_pass(m, g)?;
        // Each ifmap pixel (and block of `R` channels) keeps its last run while a pass is laid out.
        let resources = g.ifmap_h * g.ifmap_w * g.channels.div_ceil(m.rows);
        if runs > RUNS_PER_EPOCH * epochs || runs.max(resources) > MAX_RUNS {
            return None;
        }
        Some(Self::lay_out_shape(m, g))
    }

    /// Runs per pass, where the shape allows them.
    fn per_pass(m: &Mapping, g: &Im2col) -> Option<u64> {
        if !g.fits() || m.rows >= 1 << ROW_BITS {
            return None;
        }
        match m.dataflow {
            Dataflow::Os if m.rows <= g.channels => Some(m.px * g.filter_h * g.filter_w),
            Dataflow::Ws if g.channels.is_multiple_of(m.rows) => Some(m.row_folds * m.px),
            _ => None,
        }
    }

    /// The runs of `m`'s ifmap demand, where the shape allows them (whether or not they pay off).
    #[cfg(test)]
    fn layout(m: &Mapping, g: &Im2col) -> Option<Runs> {
        Self::per_pass(m, g)?;
        Some(Self::lay_out_shape(m, g))
    }

    /// The runs of a shape [`Runs::per_pass`] allows.
    fn lay_out_shape(m: &Mapping, g: &Im2col) -> Runs {
        match m.dataflow {
            Dataflow::Os => Self::output_stationary(m, g),
            _ => Self::weight_stationary(m, g),
        }
    }

    /// Ifmap pixel of output pixel `p` at filter tap `tap`.
    fn pixel(g: &Im2col, p: u64, tap: u64) -> usize {
        let (oy, ox) = (p / g.ofmap_w, p % g.ofmap_w);
        let (cr, cc) = (tap / g.filter_w, tap % g.filter_w);
        ((oy * g.stride + cr) * g.ifmap_w + ox * g.stride + cc) as usize
    }

    /// OS fold `fr`: row `j` reads window element `k − j` of output pixel `fr·R + j` at line `k`,
    /// so tap `τ` (elements `τ·C ..`) is a run of `C` lines from `τ·C + j`. With `C ≥ R` the runs
    /// of a fold are in order tap by tap.
    fn output_stationary(m: &Mapping, g: &Im2col) -> Runs {
        let (c, taps) = (g.channels, g.filter_h * g.filter_w);
        // Lines between fold starts: only the order matters, so any spacing past a fold's end.
        let spacing = m.t + m.rows;
        let pass = OsRuns {
            corners: (0..m.px).map(|p| Self::pixel(g, p, 0)).collect(),
            shifts: (0..taps).map(|tap| Self::pixel(g, 0, tap)).collect(),
            rows: m.rows as usize,
            spacing: spacing as i64,
            channels: c as i64,
        };
        let resources = (g.ifmap_h * g.ifmap_w) as usize;
        lay_out(resources, m.row_folds * spacing, c, 0, m.col_folds, pass)
    }

    /// WS fold `fr` holds window elements `fr·R ..`: one tap, channels `b·R ..` for block `b`.
    /// Row `j` reads output pixel `k − j` at line `k`, so pixel `p` is a run of `R` lines from `p`.
    fn weight_stationary(m: &Mapping, g: &Im2col) -> Runs {
        let blocks = (g.channels / m.rows) as usize;
        let spacing = m.t + m.rows;
        let pass = WsRuns {
            folds: (0..m.row_folds)
                .map(|fr| {
                    let first = fr * m.rows;
                    let (tap, block) = (first / g.channels, first % g.channels / m.rows);
                    Self::pixel(g, 0, tap) * blocks + block as usize
                })
                .collect(),
            pixels: (0..m.px).map(|p| Self::pixel(g, p, 0) * blocks).collect(),
            spacing: spacing as i64,
        };
        let resources = (g.ifmap_h * g.ifmap_w) as usize * blocks;
        lay_out(
            resources,
            m.row_folds * spacing,
            m.rows,
            1,
            m.col_folds,
            pass,
        )
    }

    /// Lines `[from, to)` of run `i` of pass `pass` whose words are counted in an epoch started
    /// at `s0`: at or after `s0`, with the previous demand before it. Returns the run's first
    /// line and row too.
    #[inline]
    fn counted(&self, pass: u64, i: usize, s0: Position) -> Span {
        let r = self.runs[i];
        let offset = pass as i64 * self.pass_lines;
        let ((line, row), prev) = (position(r.start), position(r.prev));
        let line = offset + line;
        let from = self.before((line, row), s0);
        let to = self.before((offset + prev.0, prev.1), s0);
        Span {
            line,
            row,
            from: line + from,
            to: line + to.max(from),
        }
    }

    /// How many of the words of a run starting at `start` lie before `s0`.
    #[inline]
    fn before(&self, (line, row): Position, s0: Position) -> i64 {
        let m = s0.0 - line;
        if m < 0 {
            0
        } else {
            (m + (row + self.step * m < s0.1) as i64).min(self.len)
        }
    }

    /// Words of block `b` of pass `pass` counted in an epoch started at `s0`. When they all follow
    /// `s0`, a run counts the words whose predecessors precede it: all of them for predecessors a
    /// run's length or more before `s0`'s line, none for those after it.
    fn block_count(&self, pass: u64, b: usize, s0: Position) -> i64 {
        let runs = self.block_runs(b);
        let offset = pass as i64 * self.pass_lines;
        if offset + position(self.runs[runs.start].start).0 > s0.0 {
            // Every word after `s0`: a block whose predecessors all end before its line counts
            // whole, one whose predecessors all start after it counts nothing.
            let (earliest, latest) = self.prevs[b];
            let local = s0.0 - offset;
            if latest + self.len <= local {
                return runs.len() as i64 * self.len;
            }
            if earliest > local {
                return 0;
            }
            let local = (local, s0.1);
            return self.runs[runs]
                .iter()
                .map(|r| self.before(position(r.prev), local))
                .sum();
        }
        runs.map(|i| {
            let span = self.counted(pass, i, s0);
            span.to - span.from
        })
        .sum()
    }

    fn block_runs(&self, b: usize) -> std::ops::Range<usize> {
        b * BLOCK..(b * BLOCK + BLOCK).min(self.runs.len())
    }

    /// Words inserted into epochs of `epoch` addresses.
    pub(crate) fn insertions(&self, epoch: u64) -> u64 {
        let (blocks, epoch) = (self.runs.len().div_ceil(BLOCK), epoch as i64);
        let line_of = |pass: u64, b: usize| {
            pass as i64 * self.pass_lines + position(self.runs[b * BLOCK].start).0
        };
        let end_of = |pass: u64, b: usize| {
            let last = self.block_runs(b).end - 1;
            pass as i64 * self.pass_lines + position(self.runs[last].start).0 + self.len
        };
        // Blocks scanned in the epoch: pass, block, words counted before it.
        let mut scanned: Vec<(u64, usize, i64)> = Vec::new();
        let mut spans: Vec<(Span, i64)> = Vec::new();
        let mut rows: Vec<i64> = Vec::new();
        // The epoch starts at `s0`; blocks before `first` end before its line.
        let (mut s0, mut first): (Position, _) = ((0, 0), Cursor::START);
        let mut total = 0u64;
        let mut pass_starts = PassStarts::new(self.passes);
        let mut guess = LineGuess::default();
        loop {
            while first.pass < self.passes && end_of(first.pass, first.unit) <= s0.0 {
                first.step(blocks);
            }
            // Scan blocks until the epoch's words are reached, then on through every block that
            // can still put a word on a line up to the closing one.
            scanned.clear();
            let (mut counted, mut last_end, mut bound) = (0i64, i64::MIN, None);
            let mut full_at = 0;
            let mut at = first;
            while at.pass < self.passes {
                let (p, b) = (at.pass, at.unit);
                if bound.is_some_and(|bound| line_of(p, b) >= bound) {
                    break;
                }
                scanned.push((p, b, counted));
                counted += self.block_count(p, b, s0);
                last_end = last_end.max(end_of(p, b));
                if bound.is_none() && counted >= epoch {
                    (bound, full_at) = (Some(last_end), scanned.len() - 1);
                }
                if at.step(blocks)
                    && bound.is_none()
                    && let Some(total) = pass_starts.reached(at.pass, counted, total)
                {
                    return total;
                }
            }
            let Some(bound) = bound else {
                return total + counted as u64;
            };
            // The closing line lies at or after the block that filled the epoch starts; blocks
            // ending before that are whole, the others are counted run by run.
            let lo = line_of(scanned[full_at].0, scanned[full_at].1).max(s0.0);
            let open = scanned
                .iter()
                .position(|&(p, b, _)| end_of(p, b) > lo)
                .expect("the filling block ends after it starts");
            spans.clear();
            let mut before = scanned[open].2;
            for &(p, b, _) in &scanned[open..] {
                for i in self.block_runs(b) {
                    let span = self.counted(p, i, s0);
                    if span.to > span.from {
                        spans.push((span, before));
                        before += span.to - span.from;
                    }
                }
            }
            let base = scanned[open].2;
            // Words counted on lines up to `z`: spans starting a run's length before it are whole.
            let window = |z: i64| {
                let whole = spans.partition_point(|(s, _)| s.line + self.len <= z);
                let done = spans.get(whole).map_or(before, |&(_, n)| n);
                let open = spans[whole..].iter().take_while(move |(s, _)| s.line <= z);
                (done, open.map(|(s, _)| s))
            };
            let through = |z: i64| -> i64 {
                let (done, open) = window(z);
                done + open
                    .map(|s| (z + 1 - s.from).clamp(0, s.to - s.from))
                    .sum::<i64>()
            };
            // The first line through which the epoch is full.
            let (mut lo, mut hi) = (lo, bound - 1);
            let (mut below, mut at_hi) = (through(lo - 1), through(hi));
            debug_assert!(base <= below && at_hi >= epoch);
            let mut interpolate = true;
            guess.start(s0.0);
            while lo < hi {
                let mid = guess
                    .next((lo, hi))
                    .unwrap_or_else(|| probe((lo, hi), (below, at_hi), epoch, &mut interpolate));
                let at_mid = through(mid);
                guess.counted(mid, at_mid, epoch);
                if at_mid >= epoch {
                    (hi, at_hi) = (mid, at_mid);
                } else {
                    (lo, below) = (mid + 1, at_mid);
                }
            }
            let z = lo;
            let need = epoch - through(z - 1);
            rows.clear();
            rows.extend(
                window(z)
                    .1
                    .filter(|s| s.from <= z && z < s.to)
                    .map(|s| s.row + self.step * (z - s.line)),
            );
            let (_, &mut closing, _) = rows.select_nth_unstable((need - 1) as usize);
            total += epoch as u64;
            guess.closed(z);
            s0 = (z, closing + 1);
        }
    }
}

/// Lines `[from, to)` of a run counted in an epoch, with the run's first line and row.
#[derive(Clone, Copy)]
struct Span {
    line: i64,
    row: i64,
    from: i64,
    to: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::tests::{check_random_epoch, small_conv, xorshift};
    use crate::im2col::test_mapping;
    use crate::layer::Layer;

    /// Random layers whose channels suit runs (a multiple of the rows for WS, at least the rows
    /// for OS), with epochs from shorter than a run's fold to several passes: the count by runs
    /// equals the address-by-address walk.
    #[test]
    fn insertions_match_the_address_walk_on_random_layers() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut os, mut ws, mut nontrivial) = (0, 0, 0);
        while os + ws < 400 {
            let rows = 1 + next(12);
            let (fh, fw, stride) = (1 + next(5), 1 + next(5), 1 + next(3));
            let channels = rows * (1 + next(4)) + if next(2) == 0 { next(rows) } else { 0 };
            let (h, w) = (fh + next(14), fw + next(14));
            let dims = [h, w, fh, fw, channels, 1 + next(3 * rows), stride];
            let Some(layer) = small_conv(dims, 200_000) else {
                continue;
            };
            for dataflow in [Dataflow::Os, Dataflow::Ws] {
                let m = test_mapping(&layer, dataflow, rows, 1 + next(2 * rows));
                let Some(runs) = Runs::layout(&m, &m.im2col) else {
                    continue;
                };
                let what = format!("{dims:?} {dataflow:?}");
                let count = |epoch| runs.insertions(epoch);
                nontrivial += check_random_epoch(&m, &mut next, count, &what) as u32;
                *if dataflow == Dataflow::Os {
                    &mut os
                } else {
                    &mut ws
                } += 1;
            }
        }
        assert!(os >= 100 && ws >= 100, "OS {os}, WS {ws} cases");
        // Most cases fetch some addresses in several epochs and some only once per epoch.
        assert!(nontrivial >= 200, "{nontrivial} cases between the extremes");
    }

    #[test]
    fn runs_cover_deep_os_and_aligned_ws_only() {
        let deep = Layer::conv("d", [9, 9, 3, 3, 16, 8, 1]).unwrap();
        let shallow = Layer::conv("s", [9, 9, 3, 3, 3, 8, 1]).unwrap();
        let has_runs = |layer: &Layer, dataflow, rows| {
            let m = test_mapping(layer, dataflow, rows, 4);
            Runs::layout(&m, &m.im2col).is_some()
        };
        assert!(has_runs(&deep, Dataflow::Os, 16));
        assert!(has_runs(&deep, Dataflow::Ws, 8));
        assert!(!has_runs(&deep, Dataflow::Ws, 12));
        assert!(!has_runs(&shallow, Dataflow::Os, 4));
        assert!(!has_runs(&deep, Dataflow::Is, 8));
    }
}
