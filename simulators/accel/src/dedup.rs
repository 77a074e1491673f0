//! SCALE-Sim's read-buffer hit test on *addresses* for operands that repeat addresses (convolution
//! ifmaps, whose im2col windows overlap). `read_buffer.py` (USER bandwidth) serves a demanded word
//! from any set of its window that holds the address, and `read_buffer_estimate_bw.py` (CALC) only
//! inserts addresses not already inserted in the current epoch; both therefore fetch far less than
//! the prefetch-order positions the per-fold model in `memory.rs` walks.
//! - USER: each fold's demand is walked line by line (never per cycle): lines whose words lie in
//!   the window's own sets hit as a whole; other words are looked up by the sets holding their
//!   address, and a miss advances the circular window by `P` sets until one of them is inside.
//!   After a run of lookups that all hit through other copies, the next miss is searched for
//!   instead, by bisection on counts of demand stretches against the window's address set
//!   (`footprint.rs`, rebuilt per window position from the prefetch order's pieces). Column-fold
//!   passes that leave the window where they found it repeat and are filled in without walking.
//! - CALC: an epoch ends after `50·⌊words/100⌋` insertions. OS/WS shapes go to `runs.rs` or
//!   `terms.rs`, which count from the distance to each word's previous demand; the rest (and the
//!   layers where laying out runs costs more) are counted here by folds. Groups of whole folds are
//!   added to the epoch's address set at once while they cannot fill it (order then irrelevant);
//!   the fold that fills it is counted in stretches of whole lines, the stretch that fills it
//!   found by interpolation and its last few lines walked word by word. The count is exact (the
//!   address-by-address walk is kept as the test oracle).

use std::cell::Cell;

use crate::compute::Mapping;
use crate::config::Dataflow;
use crate::coverage::Coverage;
use crate::first_readers::{FirstReaders, OsFold};
use crate::footprint::{AddressSet, Piece};
use crate::im2col::{Divisor, Im2col, Lookup, PositionIndex, diagonal_position};
use crate::memory::{ReadBuffer, Window, fold_index};
use crate::runs::{PassStarts, Runs};
use crate::terms::Terms;

/// Sets (of `e` valid prefetch-order words) holding each address: address `a` owns the slots
/// `a·k ..` (`k` bounds the windows covering one address), of which `counts[a]` are filled, in
/// ascending set order.
struct Occurrences {
    counts: Vec<u32>,
    sets: Vec<u32>,
    k: usize,
    valid: u64,
}

impl Occurrences {
    #[inline]
    fn of(&self, a: u32) -> &[u32] {
        let a = a as usize;
        &self.sets[a * self.k..a * self.k + self.counts[a] as usize]
    }
}

fn occurrences(m: &Mapping, g: &Im2col, t: &Lookup, e: u64) -> Occurrences {
    let order = g.prefetch_addresses(m, t);
    let space = g.address_space();
    // An entry is one window's copy of its address, so an address has at most k entries.
    let k = g.max_windows_per_address() as usize;
    let mut counts = vec![0u32; space];
    let mut sets = vec![0u32; space * k];
    for (chunk, set) in order.chunks(e as usize).zip(0u32..) {
        for &a in chunk {
            let (a, n) = (a as usize, counts[a as usize] as usize);
            // Sets are visited in ascending order: a repeat within this set is the last slot.
            if n == 0 || sets[a * k + n - 1] != set {
                sets[a * k + n] = set;
                counts[a] += 1;
            }
        }
    }
    Occurrences {
        counts,
        sets,
        k,
        valid: order.len() as u64,
    }
}

/// Where the sets holding an address come from: a table of the whole operand, or (no −1 entries)
/// the windows covering the address, enumerated on demand.
enum SetsOf {
    Table(Occurrences),
    /// The index, sets of `e` words, and the filter tap of the last hit (tried first).
    Windows(PositionIndex, Divisor, Cell<(u64, u64)>),
}

impl SetsOf {
    /// Calls `f(set)` for the sets holding `addr` until `f` returns true; whether it did.
    #[inline]
    fn any(&self, addr: u32, mut f: impl FnMut(u64) -> bool) -> bool {
        match self {
            SetsOf::Table(occ) => occ.of(addr).iter().any(|&s| f(s as u64)),
            SetsOf::Windows(index, e, hint) => index.any(addr, hint, |q| f(e.div(q))),
        }
    }
}

/// USER mode: the ifmap window's prefetches, with SCALE-Sim's address hit test.
pub(crate) fn user_window(m: &Mapping, g: &Im2col, buf: &ReadBuffer) -> Window {
    user_window_with(m, g, buf, LOOKUPS_BEFORE_SEARCH)
}

/// [`user_window`], switching to the window-set search after `lookups_before_search` lookups.
fn user_window_with(
    m: &Mapping,
    g: &Im2col,
    buf: &ReadBuffer,
    lookups_before_search: u64,
) -> Window {
    let e = buf.set_words();
    let t = g.lookup(m.px, m.window);
    // Without −1 entries the sets holding an address follow from its coordinates; otherwise
    // prefetch positions skip the −1 entries, so the operand is tabulated.
    let (occ, valid) = if g.fits() {
        (
            SetsOf::Windows(PositionIndex::new(m, g), Divisor::new(e), Cell::new((0, 0))),
            m.px * m.window,
        )
    } else {
        let table = occurrences(m, g, &t, e);
        let valid = table.valid;
        (SetsOf::Table(table), valid)
    };
    let mut w = Window::new(valid, buf);
    if w.a >= w.n {
        return w;
    }
    let mut window_set = WindowSet::new(m, g, lookups_before_search);
    // OS and WS stream the same ifmap blocks in every column fold; IS loads new columns each time.
    let passes_repeat = m.dataflow != Dataflow::Is;
    let pass_lines = m.row_folds * m.fold_lines;
    let mut marks: Vec<(u64, usize, u64)> = Vec::new();
    for fc in 0..m.col_folds {
        if passes_repeat {
            if let Some(j) = marks.iter().position(|&(start, _, _)| start == w.start) {
                marks.push((w.start, w.events.len(), w.prefetches));
                w.repeat_cycle(&marks[j..], pass_lines, m.col_folds - fc);
                break;
            }
            marks.push((w.start, w.events.len(), w.prefetches));
        }
        for fr in 0..m.row_folds {
            let base = fold_index(m, fc, fr) * m.fold_lines;
            if g.fits() {
                window_set.walk(m, g, &t, &occ, &mut w, e, fc, fr, base);
            } else {
                g.for_each_demand(m, &t, fc, fr, |addr, line| {
                    demand(&occ, &mut w, addr, base + line)
                });
            }
        }
    }
    w
}

/// The addresses held by the USER window's sets, as an [`AddressSet`] rebuilt whenever the window
/// moves (operands without −1 entries, whose prefetch order is the folds' demand order). A fold is
/// walked by searching, on counts of stretches of its demand against the set, for the first word
/// the window does not hold; only that word is looked up by the sets holding it, to move the
/// window. The cost is per prefetch rather than per demanded word.
struct WindowSet {
    set: AddressSet,
    pieces: Pieces,
    /// The window start the set was built for.
    built_for: Option<u64>,
    lookups_before_search: u64,
}

impl WindowSet {
    fn new(m: &Mapping, g: &Im2col, lookups_before_search: u64) -> Self {
        WindowSet {
            set: AddressSet::new(g, m.dataflow == Dataflow::Is),
            pieces: Pieces::default(),
            built_for: None,
            lookups_before_search,
        }
    }

    /// Rebuilds the set for the window's current sets (of `e` prefetch positions).
    fn build(&mut self, m: &Mapping, g: &Im2col, w: &Window, e: u64) {
        if self.built_for == Some(w.start) {
            return;
        }
        self.built_for = Some(w.start);
        let valid = m.px * m.window;
        let end = w.start + w.a;
        let mut ranges = vec![(w.start * e, (end.min(w.n) * e).min(valid))];
        if end > w.n {
            ranges.push((0, ((end - w.n) * e).min(valid)));
        }
        self.pieces.clear();
        self.pieces.pixel_cells = self.set.per_pixel();
        for (q0, q1) in ranges {
            if q0 < q1 {
                prefetch_range(m, g, (q0, q1), &mut self.pieces);
            }
        }
        self.set.clear();
        self.set.insert(&self.pieces);
    }

    /// Walks fold `(fc, fr)` (demand lines from `base`), prefetching where a word misses. Each
    /// demand line reads a run of consecutive prefetch positions: lines whose run lies in the
    /// window's own sets hit as a whole (OS/WS runs ascend, so the hitting lines after one are
    /// skipped by bisection); in other lines each word outside its own set is looked up by address.
    /// After `lookups_before_search` lookups without a miss, the first miss is searched for on the
    /// window's address set instead.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &mut self,
        m: &Mapping,
        g: &Im2col,
        t: &Lookup,
        occ: &SetsOf,
        w: &mut Window,
        e: u64,
        fc: u64,
        fr: u64,
        base: u64,
    ) {
        let fold = Fold::of(m, fc, fr);
        // The layer line of the fold's line 0: WS streams the ifmap after the R lines that load the
        // filters; an IS fold of fewer than R window elements starts that many lines late.
        let first_line = base
            + match m.dataflow {
                Dataflow::Os => 0,
                Dataflow::Ws => m.rows,
                Dataflow::Is => m.rows - fold.lines(),
            };
        // Line k: its first prefetch position, and the address of its word i.
        let start = |k: u64| match fold {
            Fold::Diagonal { first, .. } => {
                let j = fold.line(k).0;
                diagonal_position(m, first + j, k - j)
            }
            Fold::Stationary { pixels, top, .. } => {
                fc * m.window * m.cols + (top - 1 - k) * (pixels.1 - pixels.0)
            }
        };
        let addr = |k: u64, i: u64| {
            match fold {
                Fold::Diagonal { first, .. } => {
                    let j = fold.line(k).0 + i;
                    t.entry(m, first + j, k - j)
                }
                Fold::Stationary { pixels, top, .. } => t.addr(pixels.0 + i, top - 1 - k),
            }
            .expect("operand without −1 entries")
        };
        let covered = |w: &Window, k: u64| {
            let q0 = start(k);
            w.covers(q0 / e, (q0 + fold.line(k).1 - 1) / e)
        };
        let end = (fold.lines(), 0);
        let mut at = (0, 0);
        let mut lookups = 0;
        while at != end {
            let k = at.0;
            if at.1 == 0 && covered(w, k) {
                if !matches!(fold, Fold::Diagonal { .. }) {
                    at = (k + 1, 0);
                    continue;
                }
                // Lines up to the end of the window's stretch holding line k's run hit. A window
                // that wraps past the last set holds two stretches, and ascending runs can leave
                // the low one and enter the high one after uncovered lines.
                let first_set = start(k) / e;
                let last_set = if w.a >= w.n {
                    u64::MAX
                } else if first_set >= w.start {
                    (w.start + w.a).min(w.n) - 1
                } else {
                    w.start + w.a - w.n - 1
                };
                let inside = |k: u64| (start(k) + fold.line(k).1 - 1) / e <= last_set;
                let (mut lo, mut hi) = (k, end.0 - 1);
                while lo < hi {
                    let mid = (lo + hi).div_ceil(2);
                    if inside(mid) { lo = mid } else { hi = mid - 1 }
                }
                at = (lo + 1, 0);
                continue;
            }
            if lookups < self.lookups_before_search {
                // Word by word: the set of position q0 + i, advanced instead of divided.
                let (q0, words) = (start(k), fold.line(k).1);
                let q = q0 + at.1;
                let (mut set, mut r) = (q / e, q % e);
                for i in at.1..words {
                    let dx = if set >= w.start {
                        set - w.start
                    } else {
                        set + w.n - w.start
                    };
                    if dx >= w.a {
                        lookups += 1;
                        let before = w.prefetches;
                        demand(occ, w, addr(k, i), first_line + k);
                        if w.prefetches != before {
                            lookups = 0;
                        }
                    }
                    r += 1;
                    if r == e {
                        (set, r) = (set + 1, 0);
                    }
                }
                at = (k + 1, 0);
                continue;
            }
            // A long run of hits through other copies: search for the next miss instead.
            self.build(m, g, w, e);
            let per_pixel = self.set.per_pixel();
            // Whether the window holds every address demanded from `at` up to `to`.
            let holds = |ws: &mut WindowSet, at: (u64, u64), to: (u64, u64)| {
                fold.between(g, at, to, per_pixel, &mut ws.pieces);
                ws.set.insert_below(&ws.pieces, 1).is_ok()
            };
            if holds(self, at, end) {
                return;
            }
            // The first missing word is on lines at.0..=hi; halve them, moving past the half
            // that hits.
            let mut hi = end.0 - 1;
            while at.0 < hi {
                let mid = (at.0 + hi) / 2;
                if holds(self, at, (mid + 1, 0)) {
                    at = (mid + 1, 0)
                } else {
                    hi = mid
                }
            }
            // Its first missing word.
            let lo = at.0;
            let words = fold.line(lo).1;
            let mut word = at.1;
            loop {
                let (p, wi) = fold.entry(lo, word);
                let a = g.coordinates(p, wi).expect("operand without −1 entries");
                if !self.set.contains(a) {
                    break;
                }
                word += 1;
                debug_assert!(word < words, "line {lo} was found to miss");
            }
            let before = w.prefetches;
            demand(occ, w, addr(lo, word), first_line + lo);
            debug_assert!(
                w.prefetches > before,
                "the window was found not to hold the word"
            );
            lookups = 0;
            at = if word + 1 == words {
                (lo + 1, 0)
            } else {
                (lo, word + 1)
            };
        }
    }
}

/// Lookups without a miss after which a fold's walk searches for the next miss on the window's
/// address set (a search rebuilds the set and bisects the fold: on ResNet-50, 32 beat 8 to 1,024).
const LOOKUPS_BEFORE_SEARCH: u64 = 32;

/// Appends the demand of prefetch positions `q0..q1` of the ifmap operand (no −1 entries): OS/WS
/// stack the folds' blocks and order positions by anti-diagonals of the stack, so diagonal `d` is
/// line `d − b·T` of each fold `b` it crosses (later folds first); IS orders each column fold's
/// window elements row by row over its output pixels.
fn prefetch_range(m: &Mapping, g: &Im2col, (q0, q1): (u64, u64), out: &mut Pieces) {
    match m.dataflow {
        Dataflow::Os | Dataflow::Ws => {
            let (t, width, blocks, lr) = (m.t, m.rows, m.row_folds, m.last_rows_used());
            let before = |d: u64| {
                crate::memory::diagonal_valid_before(d as i64, t, width, lr, blocks) as u64
            };
            let diagonals = t * blocks + width - 1;
            // Diagonal holding position q and q's offset in it.
            let locate = |q: u64| {
                let (mut lo, mut hi) = (0, diagonals - 1);
                while lo < hi {
                    let mid = (lo + hi).div_ceil(2);
                    if before(mid) <= q {
                        lo = mid
                    } else {
                        hi = mid - 1
                    }
                }
                (lo, q - before(lo))
            };
            let ws = m.dataflow == Dataflow::Ws;
            let fold = |b: u64| Fold::Diagonal {
                ws,
                first: b * width,
                used: if b + 1 == blocks { lr } else { width },
                t,
            };
            // Offsets o0..o1 of diagonal d: each fold's line in turn, later folds first.
            let partial = |d: u64, (o0, o1): (u64, u64), out: &mut Pieces| {
                let mut seen = 0;
                let top = d.min(t * blocks - 1) / t;
                for b in (d.saturating_sub(width - 1) / t..=top).rev() {
                    let f = fold(b);
                    let Some(k) = d.checked_sub(b * t).filter(|&k| k < f.lines()) else {
                        continue;
                    };
                    let count = f.line(k).1;
                    let (s0, s1) = (
                        o0.max(seen) - seen,
                        o1.min(seen + count).saturating_sub(seen),
                    );
                    if s0 < s1.min(count) {
                        f.part(g, k, (s0, s1.min(count)), out);
                    }
                    seen += count;
                }
            };
            let ((d0, o0), (d1, o1)) = (locate(q0), locate(q1 - 1));
            let o1 = o1 + 1;
            if d0 == d1 {
                partial(d0, (o0, o1), out);
                return;
            }
            partial(d0, (o0, u64::MAX), out);
            // Whole diagonals d0 + 1 .. d1: lines of each fold they cross.
            let (da, db) = (d0 + 1, d1);
            if da < db {
                for b in da.saturating_sub(t + width) / t..=((db - 1) / t).min(blocks - 1) {
                    let f = fold(b);
                    let (k0, k1) = (
                        da.saturating_sub(b * t).min(f.lines()),
                        db.saturating_sub(b * t).min(f.lines()),
                    );
                    if k0 < k1 {
                        f.whole(g, k0, k1, out);
                    }
                }
            }
            partial(d1, (0, o1), out);
        }
        Dataflow::Is => {
            let block = m.window * m.cols;
            let mut q = q0;
            while q < q1 {
                let fc = q / block;
                let cols = m.cols.min(m.px - fc * m.cols);
                let block_end = (fc * block + m.window * cols).min(q1);
                let p0 = fc * m.cols;
                let (w0, j0) = ((q - fc * block) / cols, (q - fc * block) % cols);
                let (w1, j1) = (
                    (block_end - fc * block) / cols,
                    (block_end - fc * block) % cols,
                );
                let rows = |pixels: (u64, u64), elements: (u64, u64), out: &mut Pieces| {
                    if pixels.0 < pixels.1 && elements.0 < elements.1 {
                        let spans = out.spans(g, pixels);
                        out.elements(g, elements, spans);
                    }
                };
                if w0 == w1 {
                    rows((p0 + j0, p0 + j1), (w0, w0 + 1), out);
                } else {
                    rows((p0 + j0, p0 + cols), (w0, w0 + 1), out);
                    rows((p0, p0 + cols), (w0 + 1, w1), out);
                    rows((p0, p0 + j1), (w1, w1 + 1), out);
                }
                q = block_end;
            }
        }
    }
}

/// One demanded address: prefetches until a set holding it is in the window.
#[inline]
fn demand(occ: &SetsOf, w: &mut Window, addr: u32, line: u64) {
    let (n, a, start) = (w.n, w.a, w.start);
    let mut steps = u64::MAX;
    // Any set in the window is a hit (no prefetch); otherwise the nearest one decides.
    let hit = occ.any(addr, |set| {
        let dx = if set >= start {
            set - start
        } else {
            set + n - start
        };
        if dx < a {
            return true;
        }
        steps = steps.min((dx - a + 1).div_ceil(w.p));
        false
    });
    if hit {
        return;
    }
    if steps > 0 {
        w.start = (w.start + steps * w.p) % n;
        w.record(line, steps);
    }
}

/// CALC mode: ifmap words inserted into the estimate buffer's epochs of `50·items` addresses.
///
/// Each fold's demand is counted against the epoch's address set in one go (a set union does not
/// depend on order); a fold that overflows the epoch is cut, by bisection over its demand lines and
/// then over the words of one line, at the word where the epoch fills. A stretch of lines is the
/// same set of pieces for all array rows (the pixels or window elements every row reads in it) plus
/// a fringe per row for the skew of the systolic diagonal, so the count is exact.
pub(crate) fn calc_insertions(m: &Mapping, g: &Im2col, items: u64) -> u64 {
    if let Some(runs) = Runs::of(m, g, 50 * items) {
        return runs.insertions(50 * items);
    }
    if let Some(mut coverage) = Coverage::of(m, g, 50 * items) {
        return coverage.insertions(50 * items);
    }
    match Terms::of(m, g) {
        Some(terms) => terms.insertions(50 * items),
        None => calc_insertions_by_folds(m, g, items),
    }
}

/// [`calc_insertions`] for any shape, by folds against the epoch's address set.
fn calc_insertions_by_folds(m: &Mapping, g: &Im2col, items: u64) -> u64 {
    let mut epochs = Epochs {
        set: AddressSet::new(g, m.dataflow == Dataflow::Is),
        pieces: Pieces::default(),
        fresh: SparseBits::new(g.address_space()),
        readers: FirstReaders::default(),
        line_rate: None,
        epoch: 50 * items,
        in_epoch: 0,
        total: 0,
    };
    // OS and WS demand the same ifmap in every column fold (pass), so passes repeat once the epoch
    // at a pass start recurs.
    let passes_repeat = m.dataflow != Dataflow::Is;
    let mut pass_starts = PassStarts::new(m.col_folds);
    // Folds in demand order, `u = fc·row_folds + fr`. A group of consecutive folds demands, per
    // column fold it touches, every pair of its spatial indices (OS: output pixels, WS/IS: window
    // elements) and temporal ones (IS: the column fold's output pixels). When those addresses cannot
    // fill the epoch their order does not matter, so a group is added at once. Groups are sized to
    // fill the room to 15/16 at the rate of new addresses per fold of the last group that would
    // have filled it; a single fold (or none) is fed line by line. OS/WS groups stay within a pass.
    let (folds, rf) = (m.col_folds * m.row_folds, m.row_folds);
    let mut fold_rate: Option<(u64, u64)> = None;
    let mut group = if passes_repeat { rf } else { folds };
    let mut u = 0;
    while u < folds {
        let fc = u / rf;
        if passes_repeat
            && let in_epoch = epochs.in_epoch
            && let Some(total) = pass_starts.reached(fc, in_epoch as i64, epochs.total - in_epoch)
        {
            return total;
        }
        let limit = if passes_repeat { (fc + 1) * rf } else { folds };
        group = group.min(limit - u);
        if group > 0 {
            // Per column fold its row folds; runs of whole column folds make one rectangle.
            let end = u + group;
            let mut runs: Vec<((u64, u64), (u64, u64))> = Vec::with_capacity(3);
            let mut c = fc;
            while c * rf < end {
                let row_folds = (u.max(c * rf) - c * rf, end.min(c * rf + rf) - c * rf);
                let mut c1 = c + 1;
                if row_folds == (0, rf) {
                    while (c1 + 1) * rf <= end {
                        c1 += 1;
                    }
                }
                runs.push(((c, c1), row_folds));
                c = c1;
            }
            let rectangles = runs.into_iter().map(|((c0, c1), (f0, f1))| {
                let spatial = (f0 * m.rows, (f1 * m.rows).min(m.sr));
                match m.dataflow {
                    Dataflow::Os => (spatial, (0, m.t)),
                    Dataflow::Ws => ((0, m.t), spatial),
                    Dataflow::Is => ((c0 * m.cols, (c1 * m.cols).min(m.px)), spatial),
                }
            });
            match epochs.add_rectangles(g, rectangles) {
                Ok(new) => {
                    u += group;
                    // Every group added refines the rate the next one is sized at.
                    if new > 0 {
                        fold_rate = Some(match fold_rate {
                            Some((n, f)) => (n + new, f + group),
                            None => (new, group),
                        });
                    }
                    group = fold_rate.map_or(folds, |r| epochs.folds_short_of_full(r));
                    continue;
                }
                Err(new) => {
                    fold_rate = Some((new, group));
                    if group > 1 {
                        group = epochs.folds_short_of_full((new, group)).min(group - 1);
                        if group > 0 {
                            continue;
                        }
                    }
                }
            }
        }
        epochs.feed(g, Fold::of(m, fc, u % rf));
        u += 1;
        group = fold_rate.map_or(folds, |r| epochs.folds_short_of_full(r));
    }
    epochs.total
}

/// Stretches of at most this many words are walked word by word rather than bisected.
const WALK_WORDS: u64 = 256;

/// A set of addresses that is emptied in time proportional to the words it touched.
struct SparseBits {
    bits: Vec<u64>,
    touched: Vec<usize>,
}

impl SparseBits {
    fn new(addresses: usize) -> Self {
        SparseBits {
            bits: vec![0; addresses.div_ceil(64)],
            touched: Vec::new(),
        }
    }
    /// Adds `a`; whether it was new.
    fn insert(&mut self, a: u64) -> bool {
        let (i, bit) = ((a / 64) as usize, 1u64 << (a % 64));
        let word = &mut self.bits[i];
        if *word & bit != 0 {
            return false;
        }
        if *word == 0 {
            self.touched.push(i);
        }
        *word |= bit;
        true
    }
    fn clear(&mut self) {
        for &i in &self.touched {
            self.bits[i] = 0;
        }
        self.touched.clear();
    }
}

/// One fold's ifmap demand as lines of single-word reads.
#[derive(Clone, Copy)]
enum Fold {
    /// OS/WS: line `k` has array row `j` (spatial index `first + j`, an output pixel for OS and a
    /// window element for WS) read temporal index `k − j` (the other of the two).
    Diagonal {
        ws: bool,
        first: u64,
        used: u64,
        t: u64,
    },
    /// IS: line `i` loads window element `top − 1 − i` across output pixels `pixels`.
    Stationary {
        pixels: (u64, u64),
        top: u64,
        elements: u64,
    },
}

impl Fold {
    /// Fold `(fc, fr)`'s ifmap demand.
    fn of(m: &Mapping, fc: u64, fr: u64) -> Fold {
        let used = m.rows.min(m.sr - fr * m.rows);
        match m.dataflow {
            Dataflow::Os | Dataflow::Ws => Fold::Diagonal {
                ws: m.dataflow == Dataflow::Ws,
                first: fr * m.rows,
                used,
                t: m.t,
            },
            Dataflow::Is => Fold::Stationary {
                pixels: (fc * m.cols, (fc * m.cols + m.cols).min(m.px)),
                top: fr * m.rows + used,
                elements: used,
            },
        }
    }
    fn lines(&self) -> u64 {
        match *self {
            Fold::Diagonal { used, t, .. } => t + used - 1,
            Fold::Stationary { elements, .. } => elements,
        }
    }
    /// The most words a line reads.
    fn max_line_words(&self) -> u64 {
        match *self {
            Fold::Diagonal { used, .. } => used,
            Fold::Stationary { pixels, .. } => pixels.1 - pixels.0,
        }
    }
    /// First array row and number of words of line `k`.
    fn line(&self, k: u64) -> (u64, u64) {
        match *self {
            Fold::Diagonal { used, t, .. } => {
                let lo = k.saturating_sub(t - 1);
                (lo, k.min(used - 1) + 1 - lo)
            }
            Fold::Stationary { pixels, .. } => (0, pixels.1 - pixels.0),
        }
    }
    /// The (output pixel, window element) of word `i` of line `k`.
    fn entry(&self, k: u64, i: u64) -> (u64, u64) {
        match *self {
            Fold::Diagonal { ws, first, .. } => {
                let j = self.line(k).0 + i;
                if ws {
                    (k - j, first + j)
                } else {
                    (first + j, k - j)
                }
            }
            Fold::Stationary { pixels, top, .. } => (pixels.0 + i, top - 1 - k),
        }
    }
    /// Array rows `r0..r1` reading temporal indices `t0..t1` (OS/WS).
    fn cells(&self, g: &Im2col, (r0, r1): (u64, u64), (t0, t1): (u64, u64), out: &mut Pieces) {
        let Fold::Diagonal { ws, first, .. } = *self else {
            unreachable!("stationary folds have no skew")
        };
        if r0 >= r1 || t0 >= t1 {
            return;
        }
        let (spatial, temporal) = ((first + r0, first + r1), (t0, t1));
        if out.pixel_cells {
            // One output pixel over a run of window elements.
            if ws && t1 == t0 + 1 {
                out.cells.push((t0, spatial.0, spatial.1));
                return;
            }
            if !ws && r1 == r0 + 1 {
                out.cells.push((spatial.0, t0, t1));
                return;
            }
        }
        if ws {
            let spans = out.spans(g, temporal);
            out.elements(g, spatial, spans);
        } else {
            let spans = out.spans(g, spatial);
            out.elements(g, temporal, spans);
        }
    }
    /// Lines `a..b` whole. The skewed ends are listed per output pixel when `out.pixel_cells` (cheap
    /// for [`AddressSet`]'s channel bits), else per window element.
    fn whole(&self, g: &Im2col, a: u64, b: u64, out: &mut Pieces) {
        match *self {
            Fold::Diagonal { ws, used, t, .. } => {
                // Row j reads temporal indices a − j .. b − j; all rows read core_lo..core_hi.
                let clamp = |x: i64| x.clamp(0, t as i64) as u64;
                let (a, b, used_i) = (a as i64, b as i64, used as i64);
                let (core_lo, core_hi) = (clamp(a), clamp(b - used_i + 1).max(clamp(a)));
                self.cells(g, (0, used), (core_lo, core_hi), out);
                if out.pixel_cells == ws {
                    // Per temporal index τ outside the core: rows a − τ .. b − τ.
                    let rows = |tau: u64| {
                        let tau = tau as i64;
                        (
                            (a - tau).clamp(0, used_i) as u64,
                            (b - tau).clamp(0, used_i) as u64,
                        )
                    };
                    for tau in (clamp(a - used_i + 1)..core_lo).chain(core_hi..clamp(b)) {
                        self.cells(g, rows(tau), (tau, tau + 1), out);
                    }
                } else {
                    // Per row j: temporal indices a − j .. b − j outside the core.
                    for j in 0..used_i {
                        let (lo, hi) = (clamp(a - j), clamp(b - j));
                        let row = (j as u64, j as u64 + 1);
                        self.cells(g, row, (lo, hi.min(core_lo)), out);
                        self.cells(g, row, (lo.max(core_hi), hi), out);
                    }
                }
            }
            Fold::Stationary { pixels, top, .. } => {
                let spans = out.spans(g, pixels);
                out.elements(g, (top - b, top - a), spans);
            }
        }
    }
    /// Words `s0..s1` of line `k`.
    fn part(&self, g: &Im2col, k: u64, (s0, s1): (u64, u64), out: &mut Pieces) {
        match *self {
            Fold::Diagonal { .. } => {
                let j0 = self.line(k).0;
                for j in j0 + s0..j0 + s1 {
                    self.cells(g, (j, j + 1), (k - j, k - j + 1), out);
                }
            }
            Fold::Stationary { pixels, top, .. } => {
                let spans = out.spans(g, (pixels.0 + s0, pixels.0 + s1));
                out.elements(g, (top - 1 - k, top - k), spans);
            }
        }
    }
    /// The demand from position `(line, word)` `from` up to `to`.
    fn between(
        &self,
        g: &Im2col,
        from: (u64, u64),
        to: (u64, u64),
        per_pixel: bool,
        out: &mut Pieces,
    ) {
        out.clear();
        out.pixel_cells = per_pixel;
        let (mut a, s) = from;
        let (b, t) = to;
        if a == b {
            self.part(g, a, (s, t), out);
            return;
        }
        if s > 0 {
            self.part(g, a, (s, self.line(a).1), out);
            a += 1;
        }
        self.whole(g, a, b, out);
        if t > 0 {
            self.part(g, b, (0, t), out);
        }
    }
}

/// Pieces and the pixel runs they refer to, and single output pixels over runs of window elements
/// (`(pixel, w0, w1)`, listed as such when `pixel_cells`, for [`AddressSet`]'s channel bits).
#[derive(Default)]
pub(crate) struct Pieces {
    pub(crate) pieces: Vec<Piece>,
    pub(crate) spans: Vec<(u64, u64, u64)>,
    pub(crate) cells: Vec<(u64, u64, u64)>,
    pub(crate) pixel_cells: bool,
}

impl Pieces {
    fn clear(&mut self) {
        self.pieces.clear();
        self.spans.clear();
        self.cells.clear();
        self.pixel_cells = false;
    }
    /// Adds output pixels `p0..p1` (raster order) as runs of one ofmap row each; returns their range.
    fn spans(&mut self, g: &Im2col, (p0, p1): (u64, u64)) -> (usize, usize) {
        let first = self.spans.len();
        let mut p = p0;
        while p < p1 {
            let (oy, ox) = (p / g.ofmap_w, p % g.ofmap_w);
            let end = (ox + p1 - p).min(g.ofmap_w);
            self.spans.push((oy, ox, end));
            p += end - ox;
        }
        (first, self.spans.len())
    }
    /// Channels `c0..c1` of filter tap `tap` over the runs `spans`.
    fn tap(&mut self, g: &Im2col, tap: u64, (c0, c1): (u64, u64), spans: (usize, usize)) {
        if c0 < c1 {
            self.pieces.push(Piece {
                cr: tap / g.filter_w,
                cc: tap % g.filter_w,
                c0,
                c1,
                spans,
            });
        }
    }
    /// Whole filter rows `cr0..cr1` (every tap and channel) over the runs `spans`, if merging them
    /// makes fewer runs: the runs of consecutive ofmap rows alike in columns cover a band of
    /// ifmap rows, which is `S` pieces (ifmap rows of one residue mod `S`) of one run per ifmap row.
    /// Returns whether it did.
    fn rows_merged(&mut self, g: &Im2col, (cr0, cr1): (u64, u64), spans: (usize, usize)) -> bool {
        let (s, fw) = (g.stride, g.filter_w);
        let offsets = s.min(cr1 - cr0);
        // Blocks of runs alike in columns at consecutive ofmap rows: (first row, last row, ox0, ox1).
        let mut blocks: Vec<(u64, u64, u64, u64)> = Vec::with_capacity(3);
        for &(oy, ox0, ox1) in &self.spans[spans.0..spans.1] {
            match blocks.last_mut() {
                Some(b) if b.1 + 1 == oy && (b.2, b.3) == (ox0, ox1) => b.1 = oy,
                _ => blocks.push((oy, oy, ox0, ox1)),
            }
        }
        let merged: u64 = (cr0..cr0 + offsets)
            .map(|cr| {
                blocks
                    .iter()
                    .map(|b| b.1 - b.0 + 1 + (cr1 - 1 - cr) / s)
                    .sum::<u64>()
            })
            .sum();
        if merged >= (cr1 - cr0) * (spans.1 - spans.0) as u64 {
            return false;
        }
        for cr in cr0..cr0 + offsets {
            // Ifmap rows `oy·S + cr`, from the block's first ofmap row down to the last filter row.
            let below = (cr1 - 1 - cr) / s;
            for residue in 0..s.min(fw) {
                let widen = (fw - 1 - residue) / s;
                let from = self.spans.len();
                for &(oy0, oy1, ox0, ox1) in &blocks {
                    for oy in oy0..=oy1 + below {
                        self.spans.push((oy, ox0, ox1 + widen));
                    }
                }
                self.pieces.push(Piece {
                    cr,
                    cc: residue,
                    c0: 0,
                    c1: g.channels,
                    spans: (from, self.spans.len()),
                });
            }
        }
        true
    }
    /// Window elements `w0..w1` (taps over channel ranges) over the runs `spans`. Whole taps of one
    /// filter row are merged: with every channel, taps `cc` of one stride residue cover consecutive
    /// columns `x div S`, so they make one piece over runs widened by the number of taps − 1.
    fn elements(&mut self, g: &Im2col, (w0, w1): (u64, u64), spans: (usize, usize)) {
        if w0 >= w1 {
            return;
        }
        let c = g.channels;
        let (full0, full1) = (w0.div_ceil(c), w1 / c);
        if full0 >= full1 {
            for tap in w0 / c..=(w1 - 1) / c {
                let channels = (w0.max(tap * c) - tap * c, w1.min(tap * c + c) - tap * c);
                self.tap(g, tap, channels, spans);
            }
            return;
        }
        if w0 < full0 * c {
            self.tap(g, full0 - 1, (w0 - (full0 - 1) * c, c), spans);
        }
        let (fw, s) = (g.filter_w, g.stride);
        let mut tap = full0;
        while tap < full1 {
            let (cr, first) = (tap / fw, tap % fw);
            let whole_rows = if first == 0 { (full1 - tap) / fw } else { 0 };
            if whole_rows > 1 && self.rows_merged(g, (cr, cr + whole_rows), spans) {
                tap += whole_rows * fw;
                continue;
            }
            let last = (full1 - cr * fw).min(fw) - 1;
            for residue in 0..s.min(last - first + 1) {
                // Taps first..=last whose column is ≡ first + residue (mod S).
                let cc = first + residue;
                let widen = (last - cc) / s;
                let runs = if widen == 0 {
                    spans
                } else {
                    let from = self.spans.len();
                    for i in spans.0..spans.1 {
                        let (oy, ox0, ox1) = self.spans[i];
                        self.spans.push((oy, ox0, ox1 + widen));
                    }
                    (from, self.spans.len())
                };
                self.pieces.push(Piece {
                    cr,
                    cc,
                    c0: 0,
                    c1: c,
                    spans: runs,
                });
            }
            tap = (cr + 1) * fw;
        }
        if w1 > full1 * c {
            self.tap(g, full1, (0, w1 - full1 * c), spans);
        }
    }
}

/// The estimate buffer's epochs over the folds' demand (see [`calc_insertions`]).
struct Epochs {
    set: AddressSet,
    pieces: Pieces,
    /// Addresses new to the epoch in the stretch being walked.
    fresh: SparseBits,
    /// Finds where an OS fold fills the epoch.
    readers: FirstReaders,
    /// New addresses per line of the last stretch that would have filled an epoch: the first
    /// stretch of an epoch aims just short of its end at that rate.
    line_rate: Option<(u64, u64)>,
    epoch: u64,
    in_epoch: u64,
    total: u64,
}

impl Epochs {
    /// How many folds, at `rate` = (new addresses, folds), fill the epoch's room to 15/16.
    fn folds_short_of_full(&self, (new, folds): (u64, u64)) -> u64 {
        let room = self.epoch - self.in_epoch;
        (room as u128 * folds as u128 * 15 / 16 / new.max(1) as u128) as u64
    }

    /// Adds every window element of `elements` at every output pixel of `pixels`, for each
    /// `(pixels, elements)` rectangle, if that leaves the epoch short of full. Either way returns
    /// how many addresses are new.
    fn add_rectangles(
        &mut self,
        g: &Im2col,
        rectangles: impl Iterator<Item = ((u64, u64), (u64, u64))>,
    ) -> Result<u64, u64> {
        let room = self.epoch - self.in_epoch;
        self.pieces.clear();
        let mut words = 0;
        for (pixels, elements) in rectangles {
            let spans = self.pieces.spans(g, pixels);
            self.pieces.elements(g, elements, spans);
            words += (pixels.1 - pixels.0) * (elements.1 - elements.0);
        }
        let added = if words < room {
            Ok(self.set.insert(&self.pieces))
        } else {
            self.set.insert_below(&self.pieces, room)
        };
        if let Ok(new) = added {
            self.in_epoch += new;
            self.total += new;
        }
        added
    }

    /// Feeds one fold's demand: stretches of lines are added while they cannot fill the epoch
    /// (at most one address per word) or a trial shows they do not. Once a stretch would fill it,
    /// the line that closes the epoch is searched inside that stretch, by interpolating on its
    /// count of new addresses (kept trials shrink it from the front, failed ones from the back),
    /// until it is short enough to walk word by word.
    fn feed(&mut self, g: &Im2col, fold: Fold) {
        let end = (fold.lines(), 0);
        let line_words = fold.max_line_words();
        // WS folds stream every output pixel in the same order, so their rate of new addresses
        // per line carries over from fold to fold; OS and IS folds differ.
        if !matches!(fold, Fold::Diagonal { ws: true, .. }) {
            self.line_rate = None;
        }
        let mut at = (0, 0);
        if let Fold::Diagonal {
            ws: false,
            first,
            used,
            t,
        } = fold
        {
            // OS: the word that fills the epoch, from the first readers of its ifmap pixels (if
            // the fold cannot fill it, the stretches below add it whole).
            let room = self.epoch - self.in_epoch;
            let fold_demand = OsFold { first, used, t };
            if let Ok((line, word)) = self.readers.closing(g, &self.set, fold_demand, room) {
                self.total += room;
                self.set.clear();
                self.in_epoch = 0;
                at = if word + 1 < fold.line(line).1 {
                    (line, word + 1)
                } else if line + 1 < end.0 {
                    (line + 1, 0)
                } else {
                    end
                };
            }
        }
        // Lines from `at` and their new addresses, of a stretch known to fill the epoch.
        let mut overflow: Option<(u64, u64)> = None;
        // Whether the last trial was kept.
        let mut last_kept = false;
        while at != end {
            let room = self.epoch - self.in_epoch;
            let n = match overflow {
                // Short of the end first (a kept trial is not wasted), then past it.
                None => self.line_rate.map_or(end.0 - at.0, |(new, lines)| {
                    let (num, den) = if last_kept { (2, 1) } else { (15, 16) };
                    let aim = room as u128 * lines as u128 * num / den / new.max(1) as u128;
                    (aim as u64).clamp(1, end.0 - at.0)
                }),
                Some((lines, _)) if lines == 1 || lines * line_words <= WALK_WORDS => 0,
                // Just short of where the stretch's rate would fill the room, and at least an
                // eighth of it (kept trials shrink the stretch from the front).
                Some((lines, new)) => {
                    let guess = (room - 1) as u128 * lines as u128 * 7 / 8 / new as u128;
                    (guess as u64).clamp((lines / 8).max(1), lines - 1)
                }
            };
            if n > 0 {
                let to = if at.0 + n == end.0 {
                    end
                } else {
                    (at.0 + n, 0)
                };
                fold.between(g, at, to, self.set.per_pixel(), &mut self.pieces);
                let added = if n * line_words < room {
                    Ok(self.set.insert(&self.pieces))
                } else {
                    self.set.insert_below(&self.pieces, room)
                };
                last_kept = added.is_ok();
                match added {
                    Ok(new) => {
                        self.in_epoch += new;
                        self.total += new;
                        at = to;
                        overflow = overflow.map(|(lines, over)| (lines - n, over - new));
                    }
                    Err(new) => {
                        overflow = Some((n, new));
                        self.line_rate = Some((new, n));
                    }
                }
                continue;
            }
            // The stretch is short: walk its words in order (a word adds at most one address, and
            // may repeat one) up to the one that fills the epoch.
            let (mut line, mut word) = at;
            let mut found = 0;
            self.fresh.clear();
            loop {
                let (p, w) = fold.entry(line, word);
                if let Some(a) = g.coordinates(p, w)
                    && !self.set.contains(a)
                    && self.fresh.insert(g.address(a))
                {
                    found += 1;
                }
                word += 1;
                if word == fold.line(line).1 {
                    (line, word) = (line + 1, 0);
                }
                if found == room {
                    break;
                }
            }
            self.total += room;
            self.set.clear();
            self.in_epoch = 0;
            at = if line == end.0 { end } else { (line, word) };
            overflow = None;
            last_kept = false;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::im2col::{TEST_CONVS, test_mapping};
    use crate::layer::Layer;

    /// `read_buffer.py` as written: hashed sets of addresses, a circular window of sets, and a
    /// `while not hit: new_prefetch()` loop per demanded address. Returns (prefetches, events).
    fn scalesim_read_buffer(m: &Mapping, buf: &ReadBuffer) -> (u64, Vec<(u64, u64)>) {
        let g = &m.im2col;
        let t = g.lookup(m.px, m.window);
        let e = buf.set_words();
        let mut sets: Vec<HashSet<u32>> = vec![HashSet::new()];
        let mut in_set = 0;
        g.for_each_prefetch(m, &t, |a| {
            sets.last_mut().unwrap().insert(a);
            in_set += 1;
            if in_set == e {
                sets.push(HashSet::new());
                in_set = 0;
            }
        });
        let n = sets.len() as u64;
        let a = buf.active.div_ceil(e).min(n);
        let p = buf.prefetch.div_ceil(e).min(n - a);
        let (mut start, mut prefetches, mut events) = (0u64, 0u64, Vec::<(u64, u64)>::new());
        for fc in 0..m.col_folds {
            for fr in 0..m.row_folds {
                let base = fold_index(m, fc, fr) * m.fold_lines;
                g.for_each_demand(m, &t, fc, fr, |addr, line| {
                    let hit = |start: u64| {
                        (0..a).any(|i| sets[((start + i) % n) as usize].contains(&addr))
                    };
                    while !hit(start) {
                        start = (start + p) % n;
                        prefetches += 1;
                        match events.last_mut() {
                            Some((l, c)) if *l == base + line => *c += 1,
                            _ => events.push((base + line, 1)),
                        }
                    }
                });
            }
        }
        (prefetches, events)
    }

    /// CALC mode walked address by address: the oracle for [`calc_insertions`].
    pub(crate) fn calc_insertions_walk(m: &Mapping, g: &Im2col, items: u64) -> u64 {
        let epoch = 50 * items;
        let t = g.lookup(m.px, m.window);
        let mut stamp = vec![0u32; g.address_space()];
        let (mut id, mut in_epoch, mut total) = (1u32, 0u64, 0u64);
        for fc in 0..m.col_folds {
            for fr in 0..m.row_folds {
                g.for_each_demand(m, &t, fc, fr, |addr, _| {
                    let s = &mut stamp[addr as usize];
                    if *s != id {
                        *s = id;
                        total += 1;
                        in_epoch += 1;
                        if in_epoch == epoch {
                            id += 1;
                            in_epoch = 0;
                        }
                    }
                });
            }
        }
        total
    }

    /// The first five of [`TEST_CONVS`]: the slower oracles above walk every address.
    fn conv_layers() -> Vec<Layer> {
        TEST_CONVS[..5]
            .iter()
            .map(|d| Layer::conv("c", *d).unwrap())
            .collect()
    }

    /// Runs the USER window over `m` with a buffer of `words` words and checks its prefetches and
    /// events against the literal `read_buffer.py`; returns the window.
    /// Also with lookups only and with the window-set search only.
    fn assert_window_matches_read_buffer(m: &Mapping, words: u64, what: &str) -> Window {
        let buf = ReadBuffer::of_words(words);
        let (prefetches, events) = scalesim_read_buffer(m, &buf);
        let [_, walk, _] = [0, LOOKUPS_BEFORE_SEARCH, u64::MAX].map(|lookups| {
            let w = user_window_with(m, &m.im2col, &buf, lookups);
            assert_eq!(
                (w.prefetches, &w.events),
                (prefetches, &events),
                "{what} {:?} {}x{} {words} words, search after {lookups} lookups",
                m.dataflow,
                m.rows,
                m.cols
            );
            w
        });
        walk
    }

    #[test]
    fn address_walk_matches_scalesim_read_buffer() {
        let mut walked = 0;
        for layer in conv_layers() {
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols) in [(4, 4), (8, 4), (4, 8)] {
                    let m = test_mapping(&layer, dataflow, rows, cols);
                    // Buffers of a few hundred words so the operands overflow them.
                    for words in [200, 512, 1024] {
                        let w = assert_window_matches_read_buffer(&m, words, &format!("{layer:?}"));
                        walked += (w.a < w.n) as u32;
                    }
                }
            }
        }
        assert!(walked > 50, "too few cases overflowed the buffer: {walked}");
    }

    #[test]
    fn sliced_prefetch_order_matches_entry_by_entry() {
        for layer in conv_layers() {
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols) in [(4, 4), (8, 4), (3, 5), (16, 16)] {
                    let m = test_mapping(&layer, dataflow, rows, cols);
                    let t = m.im2col.lookup(m.px, m.window);
                    let mut each = Vec::new();
                    m.im2col.for_each_prefetch(&m, &t, |a| each.push(a));
                    assert_eq!(
                        m.im2col.prefetch_addresses(&m, &t),
                        each,
                        "{layer:?} {dataflow:?} {rows}x{cols}"
                    );
                }
            }
        }
    }

    #[test]
    fn epoch_walk_matches_estimate_buffer() {
        // `read_buffer_estimate_bw.py`: a demanded address is inserted unless an earlier insertion
        // of the current epoch holds it; an epoch closes after 50 sets of `items` insertions.
        for layer in conv_layers() {
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                let m = test_mapping(&layer, dataflow, 4, 8);
                let t = m.im2col.lookup(m.px, m.window);
                for items in [1, 2, 5] {
                    let (mut sets, mut current, mut inserted): (
                        Vec<HashSet<u32>>,
                        HashSet<u32>,
                        u64,
                    ) = (Vec::new(), HashSet::new(), 0);
                    for fc in 0..m.col_folds {
                        for fr in 0..m.row_folds {
                            m.im2col.for_each_demand(&m, &t, fc, fr, |a, _| {
                                if sets.iter().any(|s| s.contains(&a)) || !current.insert(a) {
                                    return;
                                }
                                inserted += 1;
                                if current.len() as u64 == items {
                                    sets.push(std::mem::take(&mut current));
                                    if sets.len() == 50 {
                                        sets.clear();
                                    }
                                }
                            });
                        }
                    }
                    assert_eq!(
                        calc_insertions_walk(&m, &m.im2col, items),
                        inserted,
                        "{layer:?} {dataflow:?} {items}"
                    );
                }
            }
        }
    }

    #[test]
    fn distant_repeats_are_all_inserted() {
        // WS layers whose repeats lie more than an epoch apart in demand order: `memory.rs` counts
        // every demand as a DRAM read without walking; the walk must agree.
        let mut checked = 0;
        for dims in [
            [30, 30, 3, 3, 16, 8, 1],
            [40, 36, 3, 3, 8, 4, 1],
            [33, 33, 5, 5, 8, 6, 2],
            [9, 9, 3, 3, 32, 8, 1],
            [12, 12, 3, 3, 16, 6, 1],
            [10, 10, 3, 3, 24, 5, 1],
        ] {
            let layer = Layer::conv("c", dims).unwrap();
            for rows in [4, 8] {
                let m = test_mapping(&layer, Dataflow::Ws, rows, 4);
                let Some(d) = m.im2col.ws_repeat_distance(&m) else {
                    continue;
                };
                for items in [1, 2, 3, 5, 10, 20] {
                    if d >= 50 * items {
                        assert_eq!(
                            calc_insertions(&m, &m.im2col, items),
                            m.col_folds * m.px * m.window,
                            "{dims:?} {rows} {items}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(
            checked >= 6,
            "only {checked} cases in the distant-repeat regime"
        );
    }

    #[test]
    fn calc_insertions_match_the_address_walk() {
        // Beyond the small layers: deep channels (WS/IS folds within one tap), few channels (folds
        // spanning taps), stride 2, and buffers from 1 kB (epochs of 500 words, shorter than one
        // fold's skew) to 64 kB.
        let larger = [
            [18, 18, 3, 3, 32, 64, 1],
            [30, 30, 3, 3, 16, 8, 1],
            [15, 15, 3, 3, 64, 16, 2],
            [9, 9, 3, 3, 96, 16, 1],
            [31, 31, 5, 5, 24, 16, 1],
            [40, 40, 7, 7, 3, 8, 2],
            [7, 7, 3, 3, 128, 8, 1],
        ];
        let mut cases = 0;
        for dims in TEST_CONVS.into_iter().chain(larger) {
            let layer = Layer::conv("c", dims).unwrap();
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols) in [(4, 8), (8, 8), (32, 16), (16, 32), (48, 8)] {
                    let m = test_mapping(&layer, dataflow, rows, cols);
                    for items in [10, 20, 40, 81, 163, 327, 655] {
                        let walk = calc_insertions_walk(&m, &m.im2col, items);
                        let what = format!("{dims:?} {dataflow:?} {rows}x{cols} items {items}");
                        assert_eq!(calc_insertions(&m, &m.im2col, items), walk, "{what}");
                        assert_eq!(
                            calc_insertions_by_folds(&m, &m.im2col, items),
                            walk,
                            "{what}"
                        );
                        cases += 1;
                    }
                }
            }
        }
        assert_eq!(cases, 15 * 3 * 5 * 7);
    }

    /// A xorshift64 stream from `seed`: each call draws from `0..n`.
    pub(crate) fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        }
    }

    /// The convolution `dims` (`[H, W, FH, FW, C, F, S]`), if valid and its im2col matrix holds
    /// at most `max_entries` entries (the address walks are the slow oracles).
    pub(crate) fn small_conv(dims: [u64; 7], max_entries: u64) -> Option<Layer> {
        let layer = Layer::conv("r", dims).ok()?;
        (layer.ofmap_px() * layer.window() <= max_entries).then_some(layer)
    }

    /// Checks `count` (inserts for epochs of the given words) against the address walk for a
    /// random epoch from a few words to the whole ifmap; returns whether the case lies between
    /// the extremes (some address fetched in several epochs, some demand not fetched).
    pub(crate) fn check_random_epoch(
        m: &Mapping,
        next: &mut impl FnMut(u64) -> u64,
        count: impl Fn(u64) -> u64,
        what: &str,
    ) -> bool {
        let items = 1 + next(m.distinct_ifmap / 50 + 2);
        let walk = calc_insertions_walk(m, &m.im2col, items);
        assert_eq!(
            count(50 * items),
            walk,
            "{what} {}x{} items {items}",
            m.rows,
            m.cols
        );
        walk > m.distinct_ifmap && walk < m.col_folds * m.px * m.window
    }

    /// Random convolution shapes (windows past the edge included), arrays and buffer sizes.
    fn random_cases(seed: u64, max_entries: u64, mut check: impl FnMut([u64; 7], Mapping, u64)) {
        let mut next = xorshift(seed);
        let mut cases = 0;
        while cases < 150 {
            let (fh, fw, stride) = (1 + next(6), 1 + next(6), 1 + next(3));
            let (h, w) = (fh + next(40), fw + next(40));
            let deep = next(2) == 0;
            let channels = 1 + next(if deep { 120 } else { 6 });
            let dims = [h, w, fh, fw, channels, 1 + next(30), stride];
            let Some(layer) = small_conv(dims, max_entries) else {
                continue;
            };
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                let m = test_mapping(&layer, dataflow, 1 + next(48), 1 + next(48));
                check(dims, m, 100 + next(4000));
                cases += 1;
            }
        }
    }

    #[test]
    fn calc_insertions_match_the_walk_on_random_layers() {
        random_cases(12345, 300_000, |dims, m, words| {
            let items = (words / 100).max(1);
            let walk = calc_insertions_walk(&m, &m.im2col, items);
            let what = format!(
                "{dims:?} {:?} {}x{} items {items}",
                m.dataflow, m.rows, m.cols
            );
            assert_eq!(calc_insertions(&m, &m.im2col, items), walk, "{what}");
            assert_eq!(
                calc_insertions_by_folds(&m, &m.im2col, items),
                walk,
                "{what}"
            );
        });
    }

    #[test]
    fn user_window_matches_scalesim_read_buffer_on_random_layers() {
        random_cases(987654, 30_000, |dims, m, words| {
            assert_window_matches_read_buffer(&m, words, &format!("{dims:?}"));
        });
    }
}
