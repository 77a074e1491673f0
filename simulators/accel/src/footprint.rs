//! Sets of ifmap addresses built from im2col *pieces* instead of single addresses, so counting a
//! demand stretch against a set (CALC epochs, the USER window) costs per fold and ofmap row rather
//! than per demanded word.
//!
//! A piece is one filter tap `(cr, cc)` over a channel range and a few runs of output pixels of one
//! ofmap row each: its addresses are `((oy·S + cr)·W + ox·S + cc)·C + ch`. Taps of one filter row
//! over every channel merge into one piece per stride residue over widened runs. A *cell* is one
//! output pixel over a run of window elements (the skewed ends of a systolic stretch). Two layouts:
//! - [`ChannelBits`] (deep layers): a bit per channel at each ifmap pixel, so a piece costs a mask
//!   per pixel, plus bit rows of pixels holding every channel, which whole-channel pieces set 64
//!   pixels at a time;
//! - [`ColumnBits`] (few channels, e.g. a first layer, and IS): for a fixed ifmap row and stride
//!   residue `x mod S` a piece's addresses are a contiguous range of `x div S`, stored as bit rows,
//!   one per (channel class, ifmap row, residue). Channels of one class have identical membership;
//!   classes are split where a piece's channel range begins or ends.

use crate::dedup::Pieces;
use crate::im2col::Im2col;

/// A filter tap over channels `c0..c1` and the output-pixel runs `(oy, ox0..ox1)` at
/// `spans.0..spans.1` of the span list passed with it (runs widened by `k` stand for the taps
/// `cc, cc + S, …, cc + k·S` of the same filter row; `ox1` may then pass the ofmap edge).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Piece {
    pub(crate) cr: u64,
    pub(crate) cc: u64,
    pub(crate) c0: u64,
    pub(crate) c1: u64,
    pub(crate) spans: (usize, usize),
}

/// A set of ifmap addresses in the layout that suits the layer (see the module comment).
pub(crate) enum AddressSet {
    Channels(Box<ChannelBits>),
    Columns(Box<ColumnBits>),
}

/// Channels from which a bit per channel and pixel costs less than bit rows per channel class.
const CHANNEL_BITS_FROM: u64 = 32;

impl AddressSet {
    /// `stationary`: the demand comes in IS folds, each line one window element across output
    /// pixels, whose pieces split channels rarely, so bit rows suit them at any depth.
    pub(crate) fn new(g: &Im2col, stationary: bool) -> Self {
        if g.channels >= CHANNEL_BITS_FROM && !stationary {
            AddressSet::Channels(Box::new(ChannelBits::new(g)))
        } else {
            AddressSet::Columns(Box::new(ColumnBits::new(g)))
        }
    }
    /// Whether pieces over many channels and few pixels are the cheap ones (else the reverse).
    pub(crate) fn per_pixel(&self) -> bool {
        matches!(self, AddressSet::Channels(_))
    }
    /// Whether the set holds ifmap address `(row, column, channel)`.
    pub(crate) fn contains(&self, (y, x, ch): (u64, u64, u64)) -> bool {
        match self {
            AddressSet::Channels(s) => s.contains(y, x, ch),
            AddressSet::Columns(s) => s.contains(y, x, ch),
        }
    }
    /// Calls `f(i, c0, c1)` for runs of channels `c0..c1` that the set lacks at ifmap pixel
    /// `(y, x)`, for each `(i, y, x)` of `pixels`; the runs of a pixel make up all it lacks.
    pub(crate) fn missing_channels(
        &self,
        pixels: &[(usize, u64, u64)],
        f: impl FnMut(usize, u64, u64),
    ) {
        match self {
            AddressSet::Channels(s) => s.missing_channels(pixels, f),
            AddressSet::Columns(s) => s.missing_channels(pixels, f),
        }
    }
    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        match self {
            AddressSet::Channels(s) => s.clear(),
            AddressSet::Columns(s) => s.clear(),
        }
    }
    /// Adds `demand`; returns how many of its addresses were new.
    pub(crate) fn insert(&mut self, demand: &Pieces) -> u64 {
        match self {
            AddressSet::Channels(s) => {
                s.insert(&demand.pieces, &demand.spans) + s.insert_cells(&demand.cells)
            }
            AddressSet::Columns(s) => {
                debug_assert!(demand.cells.is_empty(), "cells are listed for channel bits");
                s.insert(&demand.pieces, &demand.spans)
            }
        }
    }
    /// Adds `demand` if fewer than `limit` of its addresses are new; otherwise leaves the set as it
    /// was. Either way returns how many are new.
    pub(crate) fn insert_below(&mut self, demand: &Pieces, limit: u64) -> Result<u64, u64> {
        match self {
            AddressSet::Channels(s) => s.begin_trial(),
            AddressSet::Columns(s) => s.begin_trial(&demand.pieces),
        }
        let new = self.insert(demand);
        let kept = new < limit;
        match self {
            AddressSet::Channels(s) => s.end_trial(kept),
            AddressSet::Columns(s) => s.end_trial(kept),
        }
        if kept { Ok(new) } else { Err(new) }
    }
}

/// A bit per channel at each ifmap pixel, plus bit rows marking pixels that hold *every* channel:
/// pieces over all channels (whole filter taps, most of a fold's demand) set a bit per 64 pixels
/// there instead of a channel mask per pixel. The rows are per (ifmap row, stride residue) over
/// `x div S`, as in [`ColumnBits`]. `clear` is O(1): ifmap rows carry the generation they were last
/// written in, and older rows read as empty.
pub(crate) struct ChannelBits {
    height: u64,
    width: u64,
    stride: u64,
    channels: u64,
    ofmap_w: u64,
    filter_w: u64,
    /// Channel words per pixel.
    words: usize,
    bits: Vec<u64>,
    /// Words per (ifmap row, residue) bit row, and the rows: pixels holding every channel, and
    /// pixels whose channel bits may be non-zero.
    lane_words: usize,
    full: Vec<u64>,
    touched: Vec<u64>,
    stamps: Vec<u32>,
    generation: u32,
    /// Whether an insertion is being tried, and what to restore if it is undone.
    trying: bool,
    /// (word index, old value) of `bits`, `full` and `touched`.
    restore_bits: Vec<(usize, u64)>,
    restore_full: Vec<(usize, u64)>,
    restore_touched: Vec<(usize, u64)>,
    /// (row, old stamp).
    restore_stamps: Vec<(usize, u32)>,
}

/// Mask of bits `lo..hi` (`lo < hi ≤ 64`).
fn bit_range(lo: u64, hi: u64) -> u64 {
    (u64::MAX >> (64 - (hi - lo))) << lo
}

impl ChannelBits {
    fn new(g: &Im2col) -> Self {
        let words = g.channels.div_ceil(64) as usize;
        let lane_words = g.ifmap_w.div_ceil(g.stride).div_ceil(64) as usize;
        let lanes = (g.ifmap_h * g.stride) as usize;
        ChannelBits {
            height: g.ifmap_h,
            width: g.ifmap_w,
            stride: g.stride,
            channels: g.channels,
            ofmap_w: g.ofmap_w,
            filter_w: g.filter_w,
            words,
            bits: vec![0; (g.ifmap_h * g.ifmap_w) as usize * words],
            lane_words,
            full: vec![0; lanes * lane_words],
            touched: vec![0; lanes * lane_words],
            stamps: vec![0; g.ifmap_h as usize],
            generation: 1,
            trying: false,
            restore_bits: Vec::new(),
            restore_full: Vec::new(),
            restore_touched: Vec::new(),
            restore_stamps: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.generation += 1;
    }

    fn contains(&self, y: u64, x: u64, ch: u64) -> bool {
        if self.stamps[y as usize] != self.generation {
            return false;
        }
        let u = x / self.stride;
        let lane = ((y * self.stride + x % self.stride) as usize) * self.lane_words;
        let at = ((y * self.width + x) as usize) * self.words + (ch / 64) as usize;
        (self.full[lane + (u / 64) as usize] >> (u % 64)) & 1 == 1
            || (self.bits[at] >> (ch % 64)) & 1 == 1
    }

    fn missing_channels(&self, pixels: &[(usize, u64, u64)], mut f: impl FnMut(usize, u64, u64)) {
        for &(i, y, x) in pixels {
            if self.stamps[y as usize] != self.generation {
                f(i, 0, self.channels);
                continue;
            }
            let u = x / self.stride;
            let lane = ((y * self.stride + x % self.stride) as usize) * self.lane_words;
            if (self.full[lane + (u / 64) as usize] >> (u % 64)) & 1 == 1 {
                continue;
            }
            let at = ((y * self.width + x) as usize) * self.words;
            for (word, &held) in self.bits[at..at + self.words].iter().enumerate() {
                let base = word as u64 * 64;
                let mut missing = !held & bit_range(0, (self.channels - base).min(64));
                while missing != 0 {
                    let lo = missing.trailing_zeros() as u64;
                    let run = (!(missing >> lo)).trailing_zeros() as u64;
                    f(i, base + lo, base + lo + run);
                    missing &= !bit_range(lo, lo + run);
                }
            }
        }
    }

    /// Empties ifmap row `y` if it was written in an earlier generation.
    fn fresh_row(&mut self, y: u64) {
        let row = y as usize;
        if self.stamps[row] == self.generation {
            return;
        }
        if self.trying {
            self.restore_stamps.push((row, self.stamps[row]));
        }
        self.stamps[row] = self.generation;
        let row_words = self.width as usize * self.words;
        self.bits[row * row_words..(row + 1) * row_words].fill(0);
        let lanes = self.stride as usize * self.lane_words;
        self.full[row * lanes..(row + 1) * lanes].fill(0);
        self.touched[row * lanes..(row + 1) * lanes].fill(0);
    }

    fn insert(&mut self, pieces: &[Piece], spans: &[(u64, u64, u64)]) -> u64 {
        let s = self.stride;
        let mut new = 0;
        for p in pieces {
            let (q, r) = (p.cc / s, p.cc % s);
            // Columns x = u·S + r inside the ifmap: u < ⌈(W − r)/S⌉.
            let u_limit = (self.width - r).div_ceil(s);
            let every_channel = p.c0 == 0 && p.c1 == self.channels;
            for &(oy, ox0, ox1) in &spans[p.spans.0..p.spans.1] {
                let y = oy * s + p.cr;
                let (u0, u1) = (ox0 + q, (ox1 + q).min(u_limit));
                if y >= self.height || u0 >= u1 {
                    continue;
                }
                self.fresh_row(y);
                let lane = (y * s + r) as usize * self.lane_words;
                let first_pixel = (y * self.width + r) as usize;
                new += if every_channel {
                    self.insert_full(lane, first_pixel, u0, u1)
                } else {
                    self.insert_channels(p, lane, first_pixel, u0, u1)
                };
            }
        }
        new
    }

    /// Every channel of pixels `u0..u1` of a lane (pixel `first_pixel + u·S`); returns how many
    /// addresses were new.
    fn insert_full(&mut self, lane: usize, first_pixel: usize, u0: u64, u1: u64) -> u64 {
        let mut new = 0;
        for w in u0 / 64..=(u1 - 1) / 64 {
            let lo = u0.max(w * 64) - w * 64;
            let hi = u1.min(w * 64 + 64) - w * 64;
            let idx = lane + w as usize;
            let fresh = bit_range(lo, hi) & !self.full[idx];
            if fresh == 0 {
                continue;
            }
            new += self.channels * fresh.count_ones() as u64;
            // Pixels that held some channels already.
            let mut partial = fresh & self.touched[idx];
            while partial != 0 {
                let u = w * 64 + partial.trailing_zeros() as u64;
                partial &= partial - 1;
                let at = (first_pixel + (u * self.stride) as usize) * self.words;
                let held: u32 = self.bits[at..at + self.words]
                    .iter()
                    .map(|b| b.count_ones())
                    .sum();
                new -= held as u64;
            }
            if self.trying {
                self.restore_full.push((idx, self.full[idx]));
            }
            self.full[idx] |= fresh;
        }
        new
    }

    /// Channels `p.c0..p.c1` of pixels `u0..u1` of a lane; returns how many addresses were new.
    fn insert_channels(
        &mut self,
        p: &Piece,
        lane: usize,
        first_pixel: usize,
        u0: u64,
        u1: u64,
    ) -> u64 {
        (u0..u1)
            .map(|u| {
                let pixel = first_pixel + (u * self.stride) as usize;
                self.add_channels(lane + (u / 64) as usize, 1 << (u % 64), pixel, (p.c0, p.c1))
            })
            .sum()
    }

    /// Output pixels over runs of window elements, `(pixel, w0, w1)`; returns how many addresses
    /// were new.
    fn insert_cells(&mut self, cells: &[(u64, u64, u64)]) -> u64 {
        let (s, c) = (self.stride, self.channels);
        let mut new = 0;
        for &(p, w0, w1) in cells {
            let (oy, ox) = (p / self.ofmap_w, p % self.ofmap_w);
            for tap in w0 / c..=(w1 - 1) / c {
                let (cr, cc) = (tap / self.filter_w, tap % self.filter_w);
                let (y, x) = (oy * s + cr, ox * s + cc);
                if y >= self.height || x >= self.width {
                    continue;
                }
                self.fresh_row(y);
                let u = x / s;
                let lane = (y * s + x % s) as usize * self.lane_words + (u / 64) as usize;
                let channels = (w0.max(tap * c) - tap * c, w1.min(tap * c + c) - tap * c);
                new +=
                    self.add_channels(lane, 1 << (u % 64), (y * self.width + x) as usize, channels);
            }
        }
        new
    }

    /// Channels `c0..c1` of `pixel` (its bit `bit` of lane word `lane`), in a row already fresh;
    /// returns how many were new.
    #[inline]
    fn add_channels(&mut self, lane: usize, bit: u64, pixel: usize, (c0, c1): (u64, u64)) -> u64 {
        if self.full[lane] & bit != 0 {
            return 0;
        }
        let at = pixel * self.words;
        let mut added = 0;
        for word in (c0 / 64) as usize..=((c1 - 1) / 64) as usize {
            let base = word as u64 * 64;
            let mask = bit_range(c0.max(base) - base, c1.min(base + 64) - base);
            let old = self.bits[at + word];
            let fresh = mask & !old;
            if fresh != 0 {
                if self.trying {
                    self.restore_bits.push((at + word, old));
                }
                self.bits[at + word] = old | fresh;
                added += fresh.count_ones() as u64;
            }
        }
        if added > 0 && self.touched[lane] & bit == 0 {
            if self.trying {
                self.restore_touched.push((lane, self.touched[lane]));
            }
            self.touched[lane] |= bit;
        }
        added
    }

    /// Starts logging what insertions change.
    fn begin_trial(&mut self) {
        self.trying = true;
    }

    /// Stops logging, undoing the logged changes unless `keep`.
    fn end_trial(&mut self, keep: bool) {
        self.trying = false;
        if !keep {
            for (log, words) in [
                (&self.restore_bits, &mut self.bits),
                (&self.restore_full, &mut self.full),
                (&self.restore_touched, &mut self.touched),
            ] {
                for &(idx, old) in log.iter().rev() {
                    words[idx] = old;
                }
            }
            for &(row, old) in self.restore_stamps.iter().rev() {
                self.stamps[row] = old;
            }
        }
        self.restore_bits.clear();
        self.restore_full.clear();
        self.restore_touched.clear();
        self.restore_stamps.clear();
    }
}

/// How many output-pixel runs `pieces` cover in all.
fn runs(pieces: &[Piece]) -> usize {
    pieces.iter().map(|p| p.spans.1 - p.spans.0).sum()
}

/// Bit rows per (channel class, ifmap row, stride residue). `clear` is O(1): rows carry the
/// generation they were last written in, and older rows read as empty.
pub(crate) struct ColumnBits {
    height: u64,
    width: u64,
    stride: u64,
    channels: u64,
    /// Bit rows per class: `height · stride` rows of `words` words.
    words: usize,
    rows: usize,
    /// First channel of each class, ascending from 0, and the storage slot holding its rows.
    class_start: Vec<u64>,
    class_slot: Vec<usize>,
    /// Slot `k` holds words `k·rows·words ..` and stamps `k·rows ..` (one flat buffer each, so
    /// the inner loop indexes once).
    bits: Vec<u64>,
    stamps: Vec<u32>,
    slots: usize,
    free_slots: Vec<usize>,
    /// Class count at which neighbouring classes are next merged.
    merge_at: usize,
    generation: u32,
    /// While counting without inserting: what to restore afterwards.
    undo: Option<Undo>,
    /// The last trial's (emptied) undo log, kept for its allocations.
    spare: Undo,
}

/// Changes made by a trial insertion: (flat word index, old value), (flat stamp index, old stamp).
#[derive(Default)]
struct Undo {
    words: Vec<(usize, u64)>,
    stamps: Vec<(usize, u32)>,
    classes: (Vec<u64>, Vec<usize>),
    new_slots: Vec<usize>,
}

impl ColumnBits {
    fn new(g: &Im2col) -> Self {
        let (height, width, stride, channels) = (g.ifmap_h, g.ifmap_w, g.stride, g.channels);
        let words = width.div_ceil(stride).div_ceil(64) as usize;
        let rows = (height * stride) as usize;
        ColumnBits {
            height,
            width,
            stride,
            channels,
            words,
            rows,
            class_start: vec![0],
            class_slot: vec![0],
            bits: vec![0; rows * words],
            stamps: vec![0; rows],
            slots: 1,
            free_slots: Vec::new(),
            merge_at: 16,
            generation: 1,
            undo: None,
            spare: Undo::default(),
        }
    }

    /// Empties the set (one class again).
    fn clear(&mut self) {
        debug_assert!(self.undo.is_none());
        self.generation += 1;
        self.class_start.truncate(1);
        let kept = self.class_slot[0];
        self.class_slot.truncate(1);
        self.free_slots = (0..self.slots).filter(|&s| s != kept).collect();
    }

    /// Splits the class containing channel `c` so that a class starts at `c`.
    fn split_at(&mut self, c: u64) {
        if c == 0 || c >= self.channels {
            return;
        }
        let i = self.class_start.partition_point(|&s| s <= c) - 1;
        if self.class_start[i] == c {
            return;
        }
        let slot = self.free_slots.pop().unwrap_or_else(|| {
            self.bits
                .resize(self.bits.len() + self.rows * self.words, 0);
            self.stamps.resize(self.stamps.len() + self.rows, 0);
            self.slots += 1;
            self.slots - 1
        });
        let from = self.class_slot[i];
        let slot_words = self.rows * self.words;
        self.bits.copy_within(
            from * slot_words..(from + 1) * slot_words,
            slot * slot_words,
        );
        self.stamps
            .copy_within(from * self.rows..(from + 1) * self.rows, slot * self.rows);
        self.class_start.insert(i + 1, c);
        self.class_slot.insert(i + 1, slot);
        if let Some(undo) = &mut self.undo {
            undo.new_slots.push(slot);
        }
    }

    /// Merges neighbouring classes whose rows became identical (each stretch of a skewed demand
    /// splits channels, and the following stretches even them out again), once their number has
    /// doubled since the last merge, or before an insertion of `runs` piece runs that would cost
    /// more per extra class than comparing the classes' rows.
    fn merge_classes(&mut self, runs: usize) {
        let classes = self.class_start.len();
        if classes < self.merge_at && (classes == 1 || runs * (classes - 1) < self.rows) {
            return;
        }
        let mut i = 1;
        while i < self.class_start.len() {
            if self.same_rows(self.class_slot[i - 1], self.class_slot[i]) {
                self.free_slots.push(self.class_slot[i]);
                self.class_start.remove(i);
                self.class_slot.remove(i);
            } else {
                i += 1;
            }
        }
        self.merge_at = 2 * self.class_start.len() + 16;
    }

    fn contains(&self, y: u64, x: u64, ch: u64) -> bool {
        let class = self.class_start.partition_point(|&c| c <= ch) - 1;
        let (u, row) = (
            x / self.stride,
            (y * self.stride + x % self.stride) as usize,
        );
        self.row_words(self.class_slot[class], row)
            .is_some_and(|words| (words[(u / 64) as usize] >> (u % 64)) & 1 == 1)
    }

    fn missing_channels(&self, pixels: &[(usize, u64, u64)], mut f: impl FnMut(usize, u64, u64)) {
        let s = self.stride;
        let (rows, words) = (self.rows, self.words);
        for &(i, y, x) in pixels {
            let (u, row) = (x / s, (y * s + x % s) as usize);
            let (word, bit) = ((u / 64) as usize, u % 64);
            let mut start = 0;
            for (class, &slot) in self.class_slot.iter().enumerate() {
                let end = self
                    .class_start
                    .get(class + 1)
                    .copied()
                    .unwrap_or(self.channels);
                let stamp = slot * rows + row;
                let held = self.stamps[stamp] == self.generation
                    && (self.bits[stamp * words + word] >> bit) & 1 == 1;
                if !held {
                    f(i, start, end);
                }
                start = end;
            }
        }
    }

    /// The words of row `row` of `slot`, empty if not written in this generation.
    fn row_words(&self, slot: usize, row: usize) -> Option<&[u64]> {
        let at = (slot * self.rows + row) * self.words;
        (self.stamps[slot * self.rows + row] == self.generation)
            .then(|| &self.bits[at..at + self.words])
    }

    fn same_rows(&self, a: usize, b: usize) -> bool {
        (0..self.rows).all(
            |row| match (self.row_words(a, row), self.row_words(b, row)) {
                (Some(x), Some(y)) => x == y,
                (Some(x), None) | (None, Some(x)) => x.iter().all(|&w| w == 0),
                (None, None) => true,
            },
        )
    }

    /// Adds `pieces` (over `spans`) to the set; returns how many addresses were new.
    fn insert(&mut self, pieces: &[Piece], spans: &[(u64, u64, u64)]) -> u64 {
        if self.undo.is_none() {
            self.merge_classes(runs(pieces));
        }
        for p in pieces {
            self.split_at(p.c0);
            self.split_at(p.c1);
        }
        let s = self.stride;
        let mut new = 0;
        for p in pieces {
            let (q, r) = if s == 1 {
                (p.cc, 0)
            } else {
                (p.cc / s, p.cc % s)
            };
            // Columns x = u·S + r inside the ifmap: u < ⌈(W − r)/S⌉.
            let u_limit = if s == 1 {
                self.width
            } else {
                (self.width - r).div_ceil(s)
            };
            let first = self.class_start.partition_point(|&c| c <= p.c0) - 1;
            let mut last = first;
            while last + 1 < self.class_start.len() && self.class_start[last + 1] < p.c1 {
                last += 1;
            }
            for &(oy, ox0, ox1) in &spans[p.spans.0..p.spans.1] {
                let y = oy * s + p.cr;
                let (u0, u1) = (ox0 + q, (ox1 + q).min(u_limit));
                if y >= self.height || u0 >= u1 {
                    continue;
                }
                let row = (y * s + r) as usize;
                for class in first..=last {
                    let start = self.class_start[class];
                    let end = self
                        .class_start
                        .get(class + 1)
                        .copied()
                        .unwrap_or(self.channels);
                    new += (end - start) * self.set_bits(self.class_slot[class], row, u0, u1);
                }
            }
        }
        new
    }

    /// Sets bits `u0..u1` of row `row` of `slot`; returns how many were clear.
    #[inline]
    fn set_bits(&mut self, slot: usize, row: usize, u0: u64, u1: u64) -> u64 {
        let stamp = slot * self.rows + row;
        let base = stamp * self.words;
        if self.stamps[stamp] != self.generation {
            // Written in an earlier generation: empty.
            if let Some(undo) = &mut self.undo {
                undo.stamps.push((stamp, self.stamps[stamp]));
            }
            self.stamps[stamp] = self.generation;
            self.bits[base..base + self.words].fill(0);
        }
        let (w0, w1) = ((u0 / 64) as usize, ((u1 - 1) / 64) as usize);
        let words = &mut self.bits[base + w0..=base + w1];
        let head = u64::MAX << (u0 % 64);
        let tail = u64::MAX >> (63 - (u1 - 1) % 64);
        let last = words.len() - 1;
        let mut added = 0;
        for (i, word) in words.iter_mut().enumerate() {
            let mut mask = u64::MAX;
            if i == 0 {
                mask &= head;
            }
            if i == last {
                mask &= tail;
            }
            let fresh = mask & !*word;
            if fresh != 0 {
                if let Some(undo) = &mut self.undo {
                    undo.words.push((base + w0 + i, *word));
                }
                *word |= fresh;
                added += fresh.count_ones() as u64;
            }
        }
        added
    }

    /// Starts logging what insertions change (classes included), before inserting `pieces`.
    fn begin_trial(&mut self, pieces: &[Piece]) {
        self.merge_classes(runs(pieces));
        let mut undo = std::mem::take(&mut self.spare);
        undo.classes.0.clone_from(&self.class_start);
        undo.classes.1.clone_from(&self.class_slot);
        self.undo = Some(undo);
    }

    /// Stops logging, undoing the logged changes unless `keep`.
    fn end_trial(&mut self, keep: bool) {
        let mut undo = self.undo.take().expect("a trial was begun");
        if !keep {
            for &(idx, old) in undo.words.iter().rev() {
                self.bits[idx] = old;
            }
            for &(idx, old) in undo.stamps.iter().rev() {
                self.stamps[idx] = old;
            }
            std::mem::swap(&mut self.class_start, &mut undo.classes.0);
            std::mem::swap(&mut self.class_slot, &mut undo.classes.1);
            self.free_slots.append(&mut undo.new_slots);
        }
        undo.words.clear();
        undo.stamps.clear();
        undo.new_slots.clear();
        self.spare = undo;
    }
}
