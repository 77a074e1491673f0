//! SCALE-Sim 3.0.0's double-buffered scratchpads (`scalesim/memory/read_buffer.py`,
//! `read_buffer_estimate_bw.py`, `write_buffer.py`, `double_buffered_scratchpad_mem.py`), computed per
//! fold and per prefetch instead of per address and per cycle.
//!
//! What SCALE-Sim does, and what this module reproduces:
//! - A read buffer cuts its operand's prefetch order into `n` "sets" of `E = ⌈words/100⌉` words; the
//!   active half is a circular window of `A` sets that moves by `P` sets per DRAM prefetch of
//!   `⌈prefetch words/bw⌉` lines. A demanded word outside the window triggers prefetches until it is
//!   inside, so a demand that steps back behind the window makes it go all the way round.
//! - Prefetches are chained back to back: prefetch `k` completes at cycle `k·(L+1) − 1`; a demand line
//!   that triggers one waits for it, and SCALE-Sim adds that wait twice to the line's offset.
//! - In CALC mode nothing stalls and DRAM reads count words that miss the current epoch of 50 sets.
//! - Hits are tested on addresses: where the ifmap repeats addresses (overlapping convolution
//!   windows) and overflows its buffer, `dedup.rs` tests hits by address instead.
//!
//! Within a fold the demand walks the prefetch order monotonically (diagonal streams ascend; stationary
//! operands load rows in descending order), so each fold is a run of set ids.

use crate::compute::Mapping;
use crate::config::{ArrayConfig, Bandwidth, Dataflow, READ_BANK_BANDWIDTH};
use crate::dedup;

/// How an operand's prefetch order is laid out and how folds walk it.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// Stacked blocks of `t × width` (last block `last_width` valid columns) flattened by
    /// anti-diagonals; a fold streams one block in diagonal order, its element `(i, c)` on line
    /// `prefix + i + c`.
    Diagonal {
        t: u64,
        width: u64,
        last_width: u64,
        blocks: u64,
        prefix: u64,
    },
    /// Stacked row-major blocks of `rows × width`; fold `(b, fr)` loads rows `fr·R .. fr·R+R` of
    /// block `b`, row `fr·R + i` on line `R − 1 − i`.
    Stationary {
        rows: u64,
        width: u64,
        last_width: u64,
        blocks: u64,
    },
}

impl Layout {
    fn valid_words(&self) -> u64 {
        match *self {
            Layout::Diagonal {
                t,
                width,
                last_width,
                blocks,
                ..
            } => t * ((blocks - 1) * width + last_width),
            Layout::Stationary {
                rows,
                width,
                last_width,
                blocks,
            } => rows * ((blocks - 1) * width + last_width),
        }
    }
    fn padded_words(&self) -> u64 {
        match *self {
            Layout::Diagonal {
                t, width, blocks, ..
            } => t * width * blocks,
            Layout::Stationary {
                rows,
                width,
                blocks,
                ..
            } => rows * width * blocks,
        }
    }
}

/// Number of cells `(r, c)` with `r0 ≤ r < r1`, `c0 ≤ c < c1` and `r + c < d`.
fn cells_below_diagonal(d: i64, r0: i64, r1: i64, c0: i64, c1: i64) -> i64 {
    if r1 <= r0 || c1 <= c0 {
        return 0;
    }
    let (a, h) = (d - r0, r1 - r0);
    // For column c the count is clamp(a − c, 0, h).
    let full_end = c1.min(a - h + 1).max(c0);
    let mut total = (full_end - c0).max(0) * h;
    let lo = c0.max(a - h + 1);
    let hi = c1.min(a);
    if hi > lo {
        // Σ_{c=lo}^{hi−1} (a − c)
        let n = hi - lo;
        total += n * a - (lo + hi - 1) * n / 2;
    }
    total
}

/// Valid prefetch-order positions before anti-diagonal `d` of a diagonal layout.
pub(crate) fn diagonal_valid_before(
    d: i64,
    t: u64,
    width: u64,
    last_width: u64,
    blocks: u64,
) -> i64 {
    let rows = (t * blocks) as i64;
    let all = cells_below_diagonal(d, 0, rows, 0, width as i64);
    let pad = cells_below_diagonal(d, rows - t as i64, rows, last_width as i64, width as i64);
    all - pad
}

/// One operand's circular set window (USER mode) and the lines at which it prefetched.
pub(crate) struct Window {
    pub(crate) n: u64,
    pub(crate) a: u64,
    pub(crate) p: u64,
    pub(crate) start: u64,
    pub(crate) prefetches: u64,
    /// (demand line, prefetches triggered on that line), in line order.
    pub(crate) events: Vec<(u64, u64)>,
    /// Folds or passes filled in by repetition rather than walked.
    pub(crate) repeated: u64,
}

impl Window {
    /// The window of `buf` at the start of an operand of `valid` prefetch-order words.
    pub(crate) fn new(valid: u64, buf: &ReadBuffer) -> Window {
        let e = buf.set_words();
        let n = valid / e + 1;
        let a = buf.active.div_ceil(e).min(n);
        Window {
            n,
            a,
            p: buf.prefetch.div_ceil(e).min(n - a),
            start: 0,
            prefetches: 0,
            events: Vec::new(),
            repeated: 0,
        }
    }

    pub(crate) fn record(&mut self, line: u64, count: u64) {
        self.prefetches += count;
        match self.events.last_mut() {
            Some((l, c)) if *l == line => *c += count,
            _ => self.events.push((line, count)),
        }
    }
    /// Repeats the events recorded since `(events_from, prefetches_from)` `times` more times, each
    /// `shift` lines later than the one before (the window ends where it started).
    fn replicate(&mut self, events_from: usize, prefetches_from: u64, shift: u64, times: u64) {
        self.repeated += times;
        let template: Vec<(u64, u64)> = self.events[events_from..].to_vec();
        let per = self.prefetches - prefetches_from;
        for k in 1..=times {
            for &(line, count) in &template {
                self.events.push((line + k * shift, count));
            }
        }
        self.prefetches += per * times;
    }
    /// The passes between `marks[0]` and the last mark left the window where it was: they repeat.
    /// Appends the next `remaining` passes (cycling through that template), each `pass_lines` later.
    pub(crate) fn repeat_cycle(
        &mut self,
        marks: &[(u64, usize, u64)],
        pass_lines: u64,
        remaining: u64,
    ) {
        self.repeated += remaining;
        let cycle = marks.len() as u64 - 1;
        for p in 0..remaining {
            let src = (p % cycle) as usize;
            // Pass `cycle + p` after the template's first pass copies template pass `src`.
            let shift = (cycle + p - src as u64) * pass_lines;
            let (_, from, pf_from) = marks[src];
            let (_, to, pf_to) = marks[src + 1];
            for i in from..to {
                let (line, count) = self.events[i];
                self.events.push((line + shift, count));
            }
            self.prefetches += pf_to - pf_from;
        }
    }

    /// Whether every set of `lo..=hi` is in the window.
    pub(crate) fn covers(&self, lo: u64, hi: u64) -> bool {
        if self.a >= self.n {
            return true;
        }
        let d_lo = (lo + self.n - self.start) % self.n;
        let d_hi = (hi + self.n - self.start) % self.n;
        d_lo < self.a && d_hi < self.a && d_lo <= d_hi
    }
    /// Prefetches until set `x` is in the window.
    fn ensure(&mut self, x: u64, line: u64) {
        if self.a >= self.n {
            return;
        }
        let dx = (x + self.n - self.start) % self.n;
        if dx < self.a {
            return;
        }
        let k = (dx - self.a + 1).div_ceil(self.p);
        self.start = (self.start + k * self.p) % self.n;
        self.record(line, k);
    }
    /// An ascending run of sets `x0..=x1`; `line_of(set)` is the demand line first needing it.
    fn ascend(&mut self, x0: u64, x1: u64, line_of: impl Fn(u64) -> u64) {
        if self.a >= self.n {
            return;
        }
        self.ensure(x0, line_of(x0));
        let n = self.n as i64;
        let mut s = if self.start <= x0 {
            self.start as i64
        } else {
            self.start as i64 - n
        };
        while x1 as i64 >= s + self.a as i64 {
            let y = (s + self.a as i64) as u64;
            s += self.p as i64;
            self.record(line_of(y), 1);
        }
        self.start = s.rem_euclid(n) as u64;
    }
}

/// Per-operand DRAM traffic and timing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DramOperand {
    pub words: u64,
    pub start_cycle: f64,
    pub stop_cycle: f64,
}

/// Memory-side results of one layer.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MemoryStats {
    pub stall_cycles: u64,
    pub ifmap: DramOperand,
    pub filter: DramOperand,
    pub ofmap: DramOperand,
    /// Stall cycles accumulated before the first and up to the last demand line of each operand,
    /// used for SRAM start/stop cycles.
    pub stall_before_last_ifmap: u64,
    pub stall_before_last_filter: u64,
    pub stall_before_last_ofmap: u64,
}

/// The fold order SCALE-Sim uses for every dataflow: column folds outer, row folds inner.
pub(crate) fn fold_index(m: &Mapping, fc: u64, fr: u64) -> u64 {
    fc * m.row_folds + fr
}

fn layouts(m: &Mapping) -> (Layout, Layout) {
    let (r, c) = (m.rows, m.cols);
    let (lr, lc) = (m.last_rows_used(), m.last_cols_used());
    match m.dataflow {
        Dataflow::Os => (
            Layout::Diagonal {
                t: m.t,
                width: r,
                last_width: lr,
                blocks: m.row_folds,
                prefix: 0,
            },
            Layout::Diagonal {
                t: m.t,
                width: c,
                last_width: lc,
                blocks: m.col_folds,
                prefix: 0,
            },
        ),
        Dataflow::Ws => (
            Layout::Diagonal {
                t: m.t,
                width: r,
                last_width: lr,
                blocks: m.row_folds,
                prefix: r,
            },
            Layout::Stationary {
                rows: m.sr,
                width: c,
                last_width: lc,
                blocks: m.col_folds,
            },
        ),
        Dataflow::Is => (
            Layout::Stationary {
                rows: m.sr,
                width: c,
                last_width: lc,
                blocks: m.col_folds,
            },
            Layout::Diagonal {
                t: m.t,
                width: r,
                last_width: lr,
                blocks: m.row_folds,
                prefix: r,
            },
        ),
    }
}

/// Sizes of one read buffer in SCALE-Sim's terms.
pub(crate) struct ReadBuffer {
    pub(crate) total: u64,
    pub(crate) active: u64,
    pub(crate) prefetch: u64,
}

impl ReadBuffer {
    /// Words per set: SCALE-Sim cuts the prefetch order into sets of `⌈words/100⌉`.
    pub(crate) fn set_words(&self) -> u64 {
        self.total.div_ceil(100)
    }

    pub(crate) fn new(kb: u64) -> ReadBuffer {
        ReadBuffer::of_words(kb * 1024)
    }

    /// A buffer of `total` words, half of it (rounded up) active.
    pub(crate) fn of_words(total: u64) -> ReadBuffer {
        let active = total.div_ceil(2);
        ReadBuffer {
            total,
            active,
            prefetch: total - active,
        }
    }
}

/// Runs one read operand through the USER-mode window; returns the window (prefetch events).
fn user_read(m: &Mapping, layout: Layout, buf: &ReadBuffer, is_ifmap: bool) -> (Window, u64, u64) {
    user_read_with(m, layout, buf, is_ifmap, true)
}

/// [`user_read`], optionally without collapsing repeated passes (for tests).
fn user_read_with(
    m: &Mapping,
    layout: Layout,
    buf: &ReadBuffer,
    is_ifmap: bool,
    collapse: bool,
) -> (Window, u64, u64) {
    let bw = READ_BANK_BANDWIDTH;
    let e = buf.set_words();
    let mut w = Window::new(layout.valid_words(), buf);
    let (n, a) = (w.n, w.a);
    let fetch_lines = layout.padded_words().div_ceil(bw);
    let active_lines = buf.active.div_ceil(bw).min(fetch_lines);
    let chunk_lines = buf.prefetch.div_ceil(bw);
    if is_ifmap && m.im2col.repeats() && a < n {
        // Overlapping windows: hits on addresses, not positions.
        return (
            dedup::user_window(m, &m.im2col, buf),
            active_lines,
            chunk_lines,
        );
    }
    if a < n {
        match layout {
            Layout::Diagonal {
                t,
                width,
                last_width,
                blocks,
                prefix,
            } => {
                let before = |d: i64| diagonal_valid_before(d, t, width, last_width, blocks);
                // Per block: first and last diagonal, first and last valid position.
                let spans: Vec<(i64, i64, u64, u64)> = (0..blocks)
                    .map(|b| {
                        let wb = if b + 1 == blocks { last_width } else { width };
                        let bt = (b * t) as i64;
                        let p0 = before(bt) as u64;
                        let d_last = bt + t as i64 - 1 + wb as i64 - 1;
                        let p1 = (before(d_last + 1) - 1).max(p0 as i64) as u64;
                        (bt, d_last, p0, p1)
                    })
                    .collect();
                let stream_fold = |w: &mut Window, b: u64, base_line: u64| {
                    let (bt, d_last, p0, p1) = spans[b as usize];
                    let line_of = |y: u64| {
                        let q = (y * e).max(p0) as i64;
                        // Largest diagonal d with before(d) ≤ q. Away from the matrix edges
                        // before(d) = W·d − W(W−1)/2, so try that guess and its neighbours first.
                        let wi = width as i64;
                        let guess = ((q + wi * (wi - 1) / 2) / wi).clamp(bt, d_last);
                        if before(guess) <= q && (guess == d_last || before(guess + 1) > q) {
                            return base_line + prefix + (guess - bt) as u64;
                        }
                        let (mut lo, mut hi) = (bt, d_last);
                        while lo < hi {
                            let mid = (lo + hi + 1) / 2;
                            if before(mid) <= q {
                                lo = mid
                            } else {
                                hi = mid - 1
                            }
                        }
                        base_line + prefix + (lo - bt) as u64
                    };
                    w.ascend(p0 / e, p1 / e, line_of);
                };
                let block_is_col_fold = m.dataflow == Dataflow::Os && !is_ifmap;
                if block_is_col_fold {
                    // Block fc is streamed row_folds times in a row; once a repeat leaves the window
                    // where it found it, every further repeat does the same.
                    for fc in 0..m.col_folds {
                        let mut prev: Option<(u64, usize, u64)> = None;
                        for fr in 0..m.row_folds {
                            let base_line = fold_index(m, fc, fr) * m.fold_lines;
                            if let Some((start, ev, pf)) = prev
                                && collapse
                                && start == w.start
                            {
                                w.replicate(ev, pf, m.fold_lines, m.row_folds - fr);
                                break;
                            }
                            prev = Some((w.start, w.events.len(), w.prefetches));
                            stream_fold(&mut w, fc, base_line);
                        }
                    }
                } else {
                    // Every column fold streams blocks 0..row_folds: once a pass leaves the window
                    // where it found it, every further pass does the same.
                    let pass_lines = m.row_folds * m.fold_lines;
                    // (window start, events, prefetches) at the start of each pass.
                    let mut marks: Vec<(u64, usize, u64)> = Vec::new();
                    for fc in 0..m.col_folds {
                        if let Some(j) = marks
                            .iter()
                            .position(|&(start, _, _)| collapse && start == w.start)
                        {
                            marks.push((w.start, w.events.len(), w.prefetches));
                            w.repeat_cycle(&marks[j..], pass_lines, m.col_folds - fc);
                            break;
                        }
                        marks.push((w.start, w.events.len(), w.prefetches));
                        for fr in 0..m.row_folds {
                            stream_fold(&mut w, fr, fold_index(m, fc, fr) * m.fold_lines);
                        }
                    }
                }
            }
            Layout::Stationary {
                rows,
                width,
                last_width,
                blocks,
            } => {
                for fc in 0..m.col_folds {
                    let wb = if fc + 1 == blocks { last_width } else { width };
                    let base = fc * rows * width;
                    for fr in 0..m.row_folds {
                        let base_line = fold_index(m, fc, fr) * m.fold_lines;
                        let r0 = fr * m.rows;
                        let r1 = (r0 + m.rows).min(rows);
                        if w.covers((base + r0 * wb) / e, (base + r1 * wb - 1) / e) {
                            continue;
                        }
                        // Rows load top-down, one row per line, each row's words in ascending order.
                        // Rows lying inside one set already in the window change nothing, so the walk
                        // jumps over them.
                        let mut row = r1;
                        while row > r0 {
                            row -= 1;
                            let first = base + row * wb;
                            let line = base_line + m.rows - 1 - (row - r0);
                            let (xa, xb) = (first / e, (first + wb - 1) / e);
                            for x in xa..=xb {
                                w.ensure(x, line);
                            }
                            if xa == xb {
                                // Rows from `lowest` up to this one lie inside set xa as well.
                                row = (xa * e).saturating_sub(base).div_ceil(wb).max(r0);
                            }
                        }
                    }
                }
            }
        }
    }
    (w, active_lines, chunk_lines)
}

/// CALC mode (`read_buffer_estimate_bw.py`): the buffer never stalls; it counts words that miss the
/// current epoch of 50 sets of `⌊words/100⌋` distinct addresses. Returns (DRAM words, start, stop).
fn calc_reads(m: &Mapping, layout: Layout, kb: u64, is_ifmap: bool) -> (u64, f64, f64) {
    let items = (kb * 1024 / 100).max(1);
    let epoch = 50 * items;
    let bw = READ_BANK_BANDWIDTH;
    let distinct = if is_ifmap {
        m.distinct_ifmap
    } else {
        m.window * m.filters
    };
    let first_request = match layout {
        Layout::Diagonal { prefix, .. } => prefix,
        Layout::Stationary { rows, .. } => m.rows - rows.min(m.rows),
    };
    // Everything fits one epoch: each distinct address is fetched once.
    if distinct < epoch {
        let sets = distinct.div_ceil(items);
        return (distinct, -((sets * items).div_ceil(bw) as f64), -1.0);
    }
    let words = match layout {
        // Overlapping windows: an address is fetched once per epoch it is demanded in.
        _ if is_ifmap && m.im2col.repeats() => match m.im2col.ws_repeat_distance(m) {
            // Repeats lie more than an epoch apart: every demand is inserted.
            Some(d) if d >= epoch => m.col_folds * m.px * m.window,
            _ => dedup::calc_insertions(m, &m.im2col, items),
        },
        // Every fold loads its own rows once.
        Layout::Stationary { .. } => layout.valid_words(),
        Layout::Diagonal {
            t,
            width,
            last_width,
            blocks,
            ..
        } => {
            let block = |b: u64| t * if b + 1 == blocks { last_width } else { width };
            let repeats_consecutively = m.dataflow == Dataflow::Os && !is_ifmap;
            if repeats_consecutively {
                // Block fc is streamed row_folds times in a row: a repeat hits unless the previous
                // insertion crossed an epoch boundary.
                let mut inserted = 0u64;
                let mut words = 0u64;
                for b in 0..blocks {
                    let u = block(b);
                    if u >= epoch {
                        words += u * m.row_folds;
                        inserted += u * m.row_folds;
                        continue;
                    }
                    for rep in 0..m.row_folds {
                        let s = inserted;
                        if rep > 0 && (s - u) / epoch == s / epoch {
                            break;
                        }
                        inserted += u;
                        words += u;
                    }
                }
                words
            } else {
                // Blocks 0..n streamed once per outer fold: a pass larger than an epoch always misses.
                let pass = layout.valid_words();
                let outer = m.folds() / blocks;
                if pass < epoch { pass } else { pass * outer }
            }
        }
    };
    let last_line = m.lines() - 1;
    (
        words,
        first_request as f64 - epoch.div_ceil(bw) as f64,
        last_line as f64,
    )
}

/// Cumulative ofmap writes of the demand stream, in closed form per fold.
struct OfmapStream<'a> {
    m: &'a Mapping,
    /// Words per row fold and per column fold: fold `(fc, fr)` writes `a(fr)·b(fc)` words.
    a_full: u64,
    a_last: u64,
    b_full: u64,
    b_last: u64,
}

impl<'a> OfmapStream<'a> {
    fn new(m: &'a Mapping) -> Self {
        let (a_full, a_last) = match m.dataflow {
            Dataflow::Os => (m.rows.min(m.sr), m.last_rows_used()),
            Dataflow::Ws | Dataflow::Is => (m.t, m.t),
        };
        OfmapStream {
            m,
            a_full,
            a_last,
            b_full: m.cols.min(m.sc),
            b_last: m.last_cols_used(),
        }
    }
    fn a(&self, fr: u64) -> u64 {
        if fr + 1 == self.m.row_folds {
            self.a_last
        } else {
            self.a_full
        }
    }
    fn b(&self, fc: u64) -> u64 {
        if fc + 1 == self.m.col_folds {
            self.b_last
        } else {
            self.b_full
        }
    }
    /// Σ_{i<k} of a per-fold quantity that is `full` except `last` for index `count − 1`.
    fn prefix(k: u64, count: u64, full: u64, last: u64) -> u64 {
        if k < count {
            k * full
        } else {
            (count - 1) * full + last
        }
    }
    fn total(&self) -> u64 {
        Self::prefix(self.m.row_folds, self.m.row_folds, self.a_full, self.a_last)
            * Self::prefix(self.m.col_folds, self.m.col_folds, self.b_full, self.b_last)
    }
    /// Words written on lines `0..=line`.
    fn through(&self, line: u64) -> u64 {
        let m = self.m;
        let f = line / m.fold_lines;
        if f >= m.folds() {
            return self.total();
        }
        let (g, r) = (f / m.row_folds, f % m.row_folds);
        let a_all = Self::prefix(m.row_folds, m.row_folds, self.a_full, self.a_last);
        let before = a_all * Self::prefix(g, m.col_folds, self.b_full, self.b_last)
            + Self::prefix(r, m.row_folds, self.a_full, self.a_last) * self.b(g);
        let (h, w) = (self.a(r), self.b(g));
        let y0 = match m.dataflow {
            Dataflow::Os => m.t - 1 + m.rows - h,
            Dataflow::Ws | Dataflow::Is => 2 * m.rows - 1,
        };
        let x = (line % m.fold_lines) as i64 - y0 as i64;
        before + cells_below_diagonal(x + 1, 0, h as i64, 0, w as i64).max(0) as u64
    }
    /// First line `≥ from` by which more than `words` have been written (or `None`).
    fn line_exceeding(&self, words: u64, from: u64) -> Option<u64> {
        if self.total() <= words {
            return None;
        }
        if from > 0 && self.through(from - 1) > words {
            return Some(from);
        }
        Some(self.first_line_exceeding(words).max(from))
    }

    /// Smallest line by which more than `words` (< total) have been written, in closed form: find
    /// the fold, then invert the skewed-rectangle count inside it.
    fn first_line_exceeding(&self, words: u64) -> u64 {
        let m = self.m;
        let a_all = Self::prefix(m.row_folds, m.row_folds, self.a_full, self.a_last);
        // Column group g: the largest with a_all·B(g) ≤ words.
        let group_full = a_all * self.b_full;
        let mut g = words
            .checked_div(group_full)
            .unwrap_or(0)
            .min(m.col_folds - 1);
        while g > 0 && a_all * Self::prefix(g, m.col_folds, self.b_full, self.b_last) > words {
            g -= 1;
        }
        while g + 1 < m.col_folds
            && a_all * Self::prefix(g + 1, m.col_folds, self.b_full, self.b_last) <= words
        {
            g += 1;
        }
        let rest = words - a_all * Self::prefix(g, m.col_folds, self.b_full, self.b_last);
        let bg = self.b(g);
        let mut r = rest
            .checked_div(self.a_full * bg)
            .unwrap_or(0)
            .min(m.row_folds - 1);
        while r > 0 && Self::prefix(r, m.row_folds, self.a_full, self.a_last) * bg > rest {
            r -= 1;
        }
        while r + 1 < m.row_folds
            && Self::prefix(r + 1, m.row_folds, self.a_full, self.a_last) * bg <= rest
        {
            r += 1;
        }
        let need = rest - Self::prefix(r, m.row_folds, self.a_full, self.a_last) * bg + 1;
        let (h, w) = (self.a(r), bg);
        let y0 = match m.dataflow {
            Dataflow::Os => m.t - 1 + m.rows - h,
            Dataflow::Ws | Dataflow::Is => 2 * m.rows - 1,
        };
        let fold = g * m.row_folds + r;
        fold * m.fold_lines + y0 + skewed_rectangle_line(h, w, need)
    }
}

/// Smallest `x` with at least `need` cells `(i, j)`, `i < h`, `j < w`, `i + j ≤ x` (1 ≤ need ≤ h·w).
fn skewed_rectangle_line(h: u64, w: u64, need: u64) -> u64 {
    let (lo, hi) = (h.min(w), h.max(w));
    let ramp = lo * (lo + 1) / 2;
    if need <= ramp {
        // (x+1)(x+2)/2 ≥ need
        let mut x = (((8 * need) as f64).sqrt() as u64).saturating_sub(3) / 2;
        while (x + 1) * (x + 2) / 2 < need {
            x += 1;
        }
        while x > 0 && x * (x + 1) / 2 >= need {
            x -= 1;
        }
        return x;
    }
    let flat = ramp + (hi - lo) * lo;
    if need <= flat {
        return lo - 1 + (need - ramp).div_ceil(lo);
    }
    // h·w − (h+w−2−x)(h+w−1−x)/2 ≥ need: with u = h+w−2−x, u(u+1)/2 ≤ h·w − need.
    let spare = h * w - need;
    let mut u = (((8 * spare + 1) as f64).sqrt() as u64).saturating_sub(1) / 2 + 1;
    while u > 0 && u * (u + 1) / 2 > spare {
        u -= 1;
    }
    while (u + 1) * (u + 2) / 2 <= spare {
        u += 1;
    }
    h + w - 2 - u
}

/// SCALE-Sim's ofmap write buffer at drain granularity: words accumulate; once more than the drain
/// half is held (and no drain is running) `⌈drain/bw⌉` lines of `bw` words go to DRAM, taking that
/// many cycles; a full buffer stalls the array until the running drain ends.
struct WriteBuffer<'a> {
    stream: OfmapStream<'a>,
    total: u64,
    drain: u64,
    bw: u64,
    drain_lines: u64,
    /// Words held and not yet drained, counted through line `done`.
    held: u64,
    done: Option<u64>,
    drain_end: i64,
    first_drain_cycle: Option<i64>,
    /// Lines of `bw` words pushed to the drain queue (each drain also pushes the partial line) and
    /// lines drained so far.
    lines_pushed: u64,
    lines_drained: u64,
    pushed_through: Option<u64>,
    /// No drain or stall can happen on lines up to this one.
    quiet_until: u64,
}

impl<'a> WriteBuffer<'a> {
    fn new(m: &'a Mapping, kb: u64, bw: u64) -> Self {
        let total = kb * 1024;
        let drain = total - total.div_ceil(2);
        let stream = OfmapStream::new(m);
        let drain_lines = drain.div_ceil(bw).max(1);
        WriteBuffer {
            stream,
            total,
            drain,
            bw,
            drain_lines,
            held: 0,
            done: None,
            drain_end: i64::MIN / 4,
            first_drain_cycle: None,
            lines_pushed: 0,
            lines_drained: 0,
            pushed_through: None,
            quiet_until: 0,
        }
    }

    /// When no line writes more than `bw` words, a drain never waits for the previous one and the
    /// buffer never fills: drain `k` starts on the first line by which more than
    /// `drain + k·lines·bw` words have been written. Settles every drain that way and returns the
    /// lines of the first and last drain (their cycles need the read stalls, added by the caller).
    fn settle_without_stalls(&mut self) -> Option<(u64, u64)> {
        let per_drain = self.drain_lines * self.bw;
        let written = self.stream.total();
        let mut threshold = self.drain;
        let mut lines = None;
        let mut pushed_words = 0;
        while threshold < written {
            let line = self.stream.first_line_exceeding(threshold);
            let now = self.stream.through(line);
            self.lines_pushed += (now - pushed_words).div_ceil(self.bw);
            pushed_words = now;
            self.lines_drained += self.drain_lines;
            self.pushed_through = Some(line);
            lines = Some((lines.map_or(line, |(first, _)| first), line));
            threshold += per_drain;
        }
        self.quiet_until = u64::MAX;
        lines
    }

    fn written_through(&self, line: Option<u64>) -> u64 {
        line.map_or(0, |l| self.stream.through(l))
    }

    fn start_drain(&mut self, line: u64, cycle: i64) {
        let now = self.written_through(Some(line));
        self.held += now - self.written_through(self.done);
        self.done = Some(line);
        let new_words = now - self.written_through(self.pushed_through);
        self.lines_pushed += new_words.div_ceil(self.bw);
        self.pushed_through = Some(line);
        let lines = self.drain_lines.min(self.lines_pushed - self.lines_drained);
        self.lines_drained += lines;
        self.held -= (lines * self.bw).min(self.held);
        self.drain_end = cycle + self.drain_lines as i64 - 1;
        self.first_drain_cycle.get_or_insert(cycle);
    }

    /// Processes drains and stalls on lines before `limit`, given the stalls so far; returns the
    /// stall cycles added.
    fn advance(&mut self, limit: u64, stall: &mut i64) {
        // Nothing can happen before the buffer passes its drain threshold (held words only change
        // at events), so calls up to that line return at once.
        if limit <= self.quiet_until {
            return;
        }
        loop {
            let from = self.done.map_or(0, |d| d + 1);
            if from >= limit {
                return;
            }
            let base = self.written_through(self.done);
            self.quiet_until = match self.drain.checked_sub(self.held) {
                Some(room) => self
                    .stream
                    .line_exceeding(base + room, from)
                    .unwrap_or(u64::MAX),
                None => from,
            };
            // While a drain runs, a full buffer stalls.
            // First line on which the running drain is over.
            let start = (self.drain_end - *stall + 1).max(from as i64) as u64;
            if (from as i64) + *stall < self.drain_end {
                let full_line = self
                    .stream
                    .line_exceeding((base + self.total - 1).saturating_sub(self.held), from);
                if let Some(l) =
                    full_line.filter(|&l| (l as i64) + *stall < self.drain_end && l < limit)
                {
                    *stall += self.drain_end - (l as i64 + *stall);
                    // The word that fills the buffer waits for the drain; a later word of the same
                    // line then starts the next drain at once, else the next writing line does.
                    let before_l = self.written_through(l.checked_sub(1));
                    let before_line = self.held + before_l - base;
                    let line_words = self.written_through(Some(l)) - before_l;
                    if self.total - before_line < line_words {
                        let cycle = self.drain_end;
                        self.start_drain(l, cycle);
                    } else {
                        self.held = before_line + line_words;
                        self.done = Some(l);
                    }
                    continue;
                }
            }
            // Next drain: first line after the running drain where more than `drain` words are held.
            let Some(l) = self
                .stream
                .line_exceeding((base + self.drain).saturating_sub(self.held), from)
            else {
                return;
            };
            // A drain starts only when a word is stored: if the threshold was passed while the
            // previous drain ran, the next line that writes anything starts it.
            let l = l.max(start);
            let l = if l == 0 || self.stream.through(l) > self.stream.through(l - 1) {
                l
            } else {
                match self.stream.line_exceeding(self.stream.through(l - 1), l) {
                    Some(next) => next,
                    None => return,
                }
            };
            if l >= limit || l >= self.stream.m.lines() {
                return;
            }
            self.start_drain(l, l as i64 + *stall);
        }
    }
}

/// SCALE-Sim's read offset after `count` prefetches triggered on one line at `cycle`, the first
/// being prefetch number `done + 1` of a chain completing one every `period` cycles. Each wait
/// `ready − (cycle + offset)` is added to the offset, twice when positive. After at most three steps
/// the waits alternate with period two and add `2·period` per pair, which gives the closed form.
fn line_offset(cycle: i64, done: u64, count: u64, period: i64) -> i64 {
    let mut offset = 1i64;
    let step = |offset: &mut i64, k: u64| {
        let ready = (done + k) as i64 * period - 1;
        let wait = ready - (cycle + *offset);
        *offset += wait + wait.max(0);
    };
    let head = count.min(4);
    for k in 1..=head {
        step(&mut offset, k);
    }
    let rest = count - head;
    offset += (rest / 2) as i64 * 2 * period;
    if rest % 2 == 1 {
        step(&mut offset, count);
    }
    offset
}

/// Merges the prefetch events of the read operands and the ofmap write buffer into SCALE-Sim's stall
/// count (each line stalls by the largest of its operands' waits). Returns the total stalls and the
/// stalls accumulated before each `probe` line.
fn stalls(
    events: [(&[(u64, u64)], u64); 2],
    ofmap: &mut WriteBuffer,
    probes: &[u64],
) -> (u64, Vec<u64>) {
    let mut idx = [0usize; 2];
    let mut done = [0u64; 2];
    let mut total: i64 = 0;
    let mut probe_vals = vec![0u64; probes.len()];
    let mut probe_order: Vec<usize> = (0..probes.len()).collect();
    probe_order.sort_by_key(|&i| probes[i]);
    let mut pi = 0;
    let lines = ofmap.stream.m.lines();
    loop {
        let next = (0..2)
            .filter_map(|o| events[o].0.get(idx[o]).map(|e| e.0))
            .min();
        let line = next.unwrap_or(lines);
        while pi < probe_order.len() && probes[probe_order[pi]] < line {
            // Ofmap stalls before the probe count too.
            ofmap.advance(probes[probe_order[pi]], &mut total);
            probe_vals[probe_order[pi]] = total as u64;
            pi += 1;
        }
        ofmap.advance(line, &mut total);
        if next.is_none() {
            break;
        }
        let cycle = line as i64 + total;
        let mut line_stall = 0i64;
        for o in 0..2 {
            let Some(&(l, count)) = events[o].0.get(idx[o]) else {
                continue;
            };
            if l != line {
                continue;
            }
            let period = events[o].1 as i64 + 1;
            let offset = line_offset(cycle, done[o], count, period);
            done[o] += count;
            line_stall = line_stall.max(offset - 1);
            idx[o] += 1;
        }
        total += line_stall.max(0);
    }
    while pi < probe_order.len() {
        probe_vals[probe_order[pi]] = total as u64;
        pi += 1;
    }
    (total as u64, probe_vals)
}

/// Line (within the layer) of the last ifmap, filter and ofmap demand.
fn last_lines(m: &Mapping) -> (u64, u64, u64) {
    let last_fold = (m.folds() - 1) * m.fold_lines;
    let (r, lr, lc) = (m.rows, m.last_rows_used(), m.last_cols_used());
    let (ifmap, filter, ofmap) = match m.dataflow {
        Dataflow::Os => (m.t - 1 + lr - 1, m.t - 1 + lc - 1, m.t - 1 + r - 1 + lc - 1),
        Dataflow::Ws => (r + m.t - 1 + lr - 1, r - 1, 2 * r - 1 + m.t - 1 + lc - 1),
        Dataflow::Is => (r - 1, r + m.t - 1 + lr - 1, 2 * r - 1 + m.t - 1 + lc - 1),
    };
    (last_fold + ifmap, last_fold + filter, last_fold + ofmap)
}

/// Simulates the memory side of one layer.
pub fn simulate(m: &Mapping, cfg: &ArrayConfig) -> MemoryStats {
    simulate_with(m, cfg, true)
}

/// [`simulate`], optionally without the stall-free shortcut of the ofmap buffer (for tests).
fn simulate_with(m: &Mapping, cfg: &ArrayConfig, shortcut: bool) -> MemoryStats {
    let (ifmap_layout, filter_layout) = layouts(m);
    let (last_ifmap, last_filter, last_ofmap) = last_lines(m);
    let of_bw = match cfg.bandwidth {
        Bandwidth::Calc => m.cols,
        Bandwidth::User(w) => w,
    };
    let mut ofmap = WriteBuffer::new(m, cfg.ofmap_kb, of_bw);
    let mut out = MemoryStats::default();
    let max_line_words = match m.dataflow {
        Dataflow::Os => m.rows.min(m.sr).min(m.cols.min(m.sc)),
        Dataflow::Ws | Dataflow::Is => m.t.min(m.cols.min(m.sc)),
    };
    let settled = if shortcut && max_line_words <= of_bw {
        Some(ofmap.settle_without_stalls())
    } else {
        None
    };
    let (first_drain, last_drain) = settled.flatten().unwrap_or((0, 0));
    let probes = [last_ifmap, last_filter, last_ofmap, first_drain, last_drain];
    let (read_events, chunks) = match cfg.bandwidth {
        Bandwidth::User(_) => {
            let (wi, ia, ic) = user_read(m, ifmap_layout, &ReadBuffer::new(cfg.ifmap_kb), true);
            let (wf, fa, fcl) = user_read(m, filter_layout, &ReadBuffer::new(cfg.filter_kb), false);
            let bw = READ_BANK_BANDWIDTH;
            let read = |w: &Window, active: u64, chunk: u64| DramOperand {
                words: (active + w.prefetches * chunk) * bw,
                start_cycle: -(active as f64),
                stop_cycle: w.prefetches as f64 * (chunk + 1) as f64 - 1.0,
            };
            out.ifmap = read(&wi, ia, ic);
            out.filter = read(&wf, fa, fcl);
            ([wi.events, wf.events], [ic, fcl])
        }
        Bandwidth::Calc => {
            let (wi, si, ti) = calc_reads(m, ifmap_layout, cfg.ifmap_kb, true);
            let (wf, sf, tf) = calc_reads(m, filter_layout, cfg.filter_kb, false);
            out.ifmap = DramOperand {
                words: wi,
                start_cycle: si,
                stop_cycle: ti,
            };
            out.filter = DramOperand {
                words: wf,
                start_cycle: sf,
                stop_cycle: tf,
            };
            ([Vec::new(), Vec::new()], [1, 1])
        }
    };
    let (total, at) = stalls(
        [(&read_events[0], chunks[0]), (&read_events[1], chunks[1])],
        &mut ofmap,
        &probes,
    );
    out.stall_cycles = total;
    out.stall_before_last_ifmap = at[0];
    out.stall_before_last_filter = at[1];
    out.stall_before_last_ofmap = at[2];
    if let Some(Some((first, last))) = settled {
        ofmap.first_drain_cycle = Some((first + at[3]) as i64);
        ofmap.drain_end = (last + at[4] + ofmap.drain_lines - 1) as i64;
    }
    let total_cycles = (m.lines() - 1 + total) as i64;
    // At the end SCALE-Sim pushes what is left and drains it line after line from the last
    // ofmap cycle on, without waiting for a drain still running.
    let written = ofmap.stream.total();
    let new_words = written - ofmap.written_through(ofmap.pushed_through);
    let left_lines = ofmap.lines_pushed + new_words.div_ceil(of_bw) - ofmap.lines_drained;
    let final_stop = total_cycles + left_lines as i64 - 1;
    out.ofmap = DramOperand {
        words: written,
        start_cycle: ofmap.first_drain_cycle.unwrap_or(total_cycles) as f64,
        stop_cycle: final_stop.max(ofmap.drain_end) as f64,
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ArrayConfig, Bandwidth};
    use crate::layer::Layer;

    #[test]
    fn stall_free_ofmap_shortcut_matches_the_drain_machine() {
        let layers = [
            Layer::gemm("g", 70, 45, 33).unwrap(),
            Layer::gemm("g", 256, 128, 64).unwrap(),
            Layer::conv("c", [18, 18, 3, 3, 32, 64, 1]).unwrap(),
            Layer::conv("c", [30, 30, 3, 3, 16, 40, 2]).unwrap(),
        ];
        for layer in &layers {
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols, kb, bandwidth) in [
                    (8, 16, 1, Bandwidth::Calc),
                    (16, 8, 2, Bandwidth::User(16)),
                    (4, 4, 1, Bandwidth::User(8)),
                ] {
                    let cfg = ArrayConfig {
                        rows,
                        cols,
                        ifmap_kb: kb,
                        filter_kb: kb,
                        ofmap_kb: kb,
                        dataflow,
                        bandwidth,
                    };
                    let m = Mapping::new(layer, &cfg);
                    assert_eq!(
                        simulate_with(&m, &cfg, true),
                        simulate_with(&m, &cfg, false),
                        "{layer:?} {cfg:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn collapsing_repeated_passes_changes_nothing() {
        let layers = [
            Layer::gemm("g", 64, 100, 96).unwrap(),
            Layer::gemm("g", 200, 64, 72).unwrap(),
            Layer::gemm("g", 256, 64, 256).unwrap(),
            Layer::conv("c", [14, 14, 3, 3, 16, 40, 1]).unwrap(),
        ];
        let mut repeated = 0;
        for layer in &layers {
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols, kb) in [(8, 8, 1), (16, 4, 2), (4, 16, 1)] {
                    let cfg = ArrayConfig {
                        rows,
                        cols,
                        ifmap_kb: kb,
                        filter_kb: kb,
                        ofmap_kb: kb,
                        dataflow,
                        bandwidth: Bandwidth::User(8),
                    };
                    let m = Mapping::new(layer, &cfg);
                    let (ifmap, filter) = layouts(&m);
                    for (layout, is_ifmap) in [(ifmap, true), (filter, false)] {
                        let buf = ReadBuffer::new(kb);
                        let (a, _, _) = user_read_with(&m, layout, &buf, is_ifmap, true);
                        let (b, _, _) = user_read_with(&m, layout, &buf, is_ifmap, false);
                        assert_eq!(
                            (a.prefetches, &a.events),
                            (b.prefetches, &b.events),
                            "{layer:?} {cfg:?}"
                        );
                        repeated += a.repeated;
                    }
                }
            }
        }
        assert!(repeated > 0, "no case exercised the repetition");
    }

    #[test]
    fn closed_form_line_search_matches_bisection() {
        for (layer, df) in [
            (Layer::gemm("g", 70, 45, 33).unwrap(), Dataflow::Os),
            (Layer::gemm("g", 70, 45, 33).unwrap(), Dataflow::Ws),
            (
                Layer::conv("c", [9, 9, 3, 3, 5, 37, 1]).unwrap(),
                Dataflow::Is,
            ),
            (
                Layer::conv("c", [12, 10, 3, 2, 4, 19, 2]).unwrap(),
                Dataflow::Os,
            ),
        ] {
            let cfg = ArrayConfig {
                rows: 8,
                cols: 16,
                ifmap_kb: 1,
                filter_kb: 1,
                ofmap_kb: 1,
                dataflow: df,
                bandwidth: Bandwidth::Calc,
            };
            let m = Mapping::new(&layer, &cfg);
            let s = OfmapStream::new(&m);
            for words in 0..s.total() {
                let (mut lo, mut hi) = (0, m.lines() - 1);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if s.through(mid) > words {
                        hi = mid
                    } else {
                        lo = mid + 1
                    }
                }
                assert_eq!(s.first_line_exceeding(words), lo, "{df:?} words {words}");
            }
        }
    }
}
