//! CALC epochs of OS layers counted from the ifmap area under the windows of runs of output pixels.
//!
//! An OS fold demands every element of its output pixels' windows, so an epoch holds
//! - `D`: what its first fold demanded after the epoch started: per ifmap pixel, the channels
//!   from a threshold on (those its last reader in the fold reads after the start), and
//! - `U`: every channel of the ifmap pixels under the windows of the output pixels of its later
//!   folds, a range of output pixels (cyclic over the column-fold passes, which repeat the demand).
//!
//! Its size is `|D| + C·|U| − |D ∩ U|`: `|U|` is counted per ifmap row, in bulk for the rows under
//! a whole ofmap row of the range, and `|D ∩ U|` from the first output pixel of the range covering
//! each pixel of `D`. The fold that fills the epoch is found by searching fold ends on that size,
//! and the word inside it from its pixels' first readers (`first_readers.rs`). Requires windows
//! inside the ifmap, filters at least as large as the stride, and epochs larger than a fold's
//! demand (so an epoch never fills in the fold it starts in).

use crate::compute::Mapping;
use crate::config::Dataflow;
use crate::first_readers::{FirstReaders, Held, OsFold};
use crate::im2col::Im2col;
use crate::runs::{PassStarts, ROW_BITS, probe};

pub(crate) struct Coverage<'a> {
    g: &'a Im2col,
    rows: u64,
    px: u64,
    row_folds: u64,
    passes: u64,
    t: u64,
    /// Scratch for [`Coverage::covered`]: ifmap rows counted one by one, and column ranges.
    rows_one_by_one: Vec<u64>,
    columns: Vec<(u64, u64)>,
}

/// An epoch's addresses, `D` and `U` above.
struct EpochSet<'a> {
    g: &'a Im2col,
    px: u64,
    /// The windows of output pixels `start..end` (global: pass · pixels + pixel) are held.
    start: u64,
    end: u64,
    /// `start` as (first pixel of its pass, ofmap row, ofmap column).
    start_at: (u64, u64, u64),
    /// Per ifmap row and per ifmap column: the ofmap rows, columns whose windows hold it.
    ofmap_rows: Vec<(u64, u64)>,
    ofmap_columns: Vec<(u64, u64)>,
    /// Per ifmap pixel (`y·W + x`): the first channel `D` holds there, `C` for none.
    threshold: Vec<u32>,
    /// `D` by ifmap pixel: (index, first output pixel from `start` on covering it, channels).
    held: Vec<(usize, u64, u64)>,
    size: u64,
}

impl<'a> EpochSet<'a> {
    fn new(g: &'a Im2col, px: u64) -> Self {
        let holding = |i: u64, filter: u64, out: u64| {
            let lo = (i + 1).saturating_sub(filter).div_ceil(g.stride);
            (lo, (i / g.stride).min(out - 1))
        };
        EpochSet {
            g,
            px,
            start: 0,
            end: 0,
            start_at: (0, 0, 0),
            ofmap_rows: (0..g.ifmap_h)
                .map(|y| holding(y, g.filter_h, g.ofmap_h))
                .collect(),
            ofmap_columns: (0..g.ifmap_w)
                .map(|x| holding(x, g.filter_w, g.ofmap_w))
                .collect(),
            threshold: vec![g.channels as u32; (g.ifmap_h * g.ifmap_w) as usize],
            held: Vec::new(),
            size: 0,
        }
    }

    /// The first output pixel from `start` on (global, so possibly in the next pass) whose
    /// window holds ifmap pixel `(y, x)`.
    fn first_cover(&self, (y, x): (u64, u64)) -> u64 {
        let ow = self.g.ofmap_w;
        let (oy_lo, oy_hi) = self.ofmap_rows[y as usize];
        let (ox_lo, ox_hi) = self.ofmap_columns[x as usize];
        let (base, oy, ox) = self.start_at;
        let in_pass = if oy_lo > oy {
            Some(oy_lo * ow + ox_lo)
        } else if oy > oy_hi {
            None
        } else if ox <= ox_hi {
            Some(oy * ow + ox.max(ox_lo))
        } else {
            (oy < oy_hi).then(|| (oy + 1) * ow + ox_lo)
        };
        base + in_pass.unwrap_or(self.px + oy_lo * ow + ox_lo)
    }

    /// Whether `U` holds every channel of ifmap pixel `(y, x)`.
    fn covers(&self, yx: (u64, u64)) -> bool {
        self.first_cover(yx) < self.end
    }

    /// Starts an epoch after position `closing` (line, row) of a fold whose pixels' last readers
    /// are `last_readers`; the fold ends at output pixel `start`.
    fn restart(
        &mut self,
        start: u64,
        last_readers: impl Iterator<Item = ((u64, u64), (u64, u64))>,
        (line, row): (u64, u64),
    ) {
        let c = self.g.channels;
        for &(i, _, _) in &self.held {
            self.threshold[i] = c as u32;
        }
        self.held.clear();
        (self.start, self.end, self.size) = (start, start, 0);
        let p = start % self.px;
        let ow = self.g.ofmap_w;
        self.start_at = (start - p, p / ow, p % ow);
        for ((y, x), (first_line, reader)) in last_readers {
            // Channel `ch` is read at `(first_line + ch, reader)`, after the closing position
            // from this channel on.
            let from = line as i64 - first_line as i64 + i64::from(reader <= row);
            let from = from.clamp(0, c as i64) as u64;
            if from < c {
                let i = (y * self.g.ifmap_w + x) as usize;
                self.threshold[i] = from as u32;
                self.held.push((i, self.first_cover((y, x)), c - from));
                self.size += c - from;
            }
        }
    }
}

impl Held for EpochSet<'_> {
    fn missing_channels(&self, pixels: &[(usize, u64, u64)], mut f: impl FnMut(usize, u64, u64)) {
        for &(i, y, x) in pixels {
            if !self.covers((y, x)) {
                let from = self.threshold[(y * self.g.ifmap_w + x) as usize];
                if from > 0 {
                    f(i, 0, u64::from(from));
                }
            }
        }
    }
    fn holds(&self, (y, x, ch): (u64, u64, u64)) -> bool {
        self.covers((y, x)) || ch >= u64::from(self.threshold[(y * self.g.ifmap_w + x) as usize])
    }
}

impl<'a> Coverage<'a> {
    /// The OS layers this counts (see the module comment), for epochs of `epoch` addresses.
    pub(crate) fn of(m: &Mapping, g: &'a Im2col, epoch: u64) -> Option<Coverage<'a>> {
        let fits = g.fits() && g.filter_h >= g.stride && g.filter_w >= g.stride;
        (m.dataflow == Dataflow::Os && fits && m.rows < 1 << ROW_BITS && epoch > m.rows * m.t)
            .then_some(Coverage {
                g,
                rows: m.rows,
                px: m.px,
                row_folds: m.row_folds,
                passes: m.col_folds,
                t: m.t,
                rows_one_by_one: Vec::new(),
                columns: Vec::new(),
            })
    }

    /// Ifmap pixels under the windows of output pixels in `ranges` (each within `0..px`).
    fn covered(&mut self, ranges: &[(u64, u64)]) -> u64 {
        let g = self.g;
        let (s, fh, ow) = (g.stride, g.filter_h, g.ofmap_w);
        // Ifmap rows under a whole ofmap row of a range hold its full width; the others are
        // counted one by one.
        // At most two ranges: per range, rows under its whole ofmap rows, and the rows above
        // and below those.
        let (mut whole, mut single) = ([(0, 0); 2], [(0, 0); 4]);
        for (k, &(a, b)) in ranges.iter().enumerate().filter(|(_, (a, b))| a < b) {
            let (first_whole, end_whole) = (a.div_ceil(ow), b / ow);
            let (top, bottom) = (a / ow * s, (b - 1) / ow * s + fh);
            if first_whole < end_whole {
                let rows = (first_whole * s, (end_whole - 1) * s + fh);
                whole[k] = rows;
                single[2 * k] = (top, rows.0);
                single[2 * k + 1] = (rows.1, bottom);
            } else {
                single[2 * k] = (top, bottom);
            }
        }
        whole.sort_unstable();
        let mut rows = 0;
        let mut reach = 0;
        for &(lo, hi) in &whole {
            rows += hi.saturating_sub(lo.max(reach));
            reach = reach.max(hi);
        }
        let in_whole = |y: u64| whole.iter().any(|&(lo, hi)| lo <= y && y < hi);
        let mut ys = std::mem::take(&mut self.rows_one_by_one);
        ys.clear();
        ys.extend(
            single
                .iter()
                .flat_map(|&(lo, hi)| lo..hi)
                .filter(|&y| !in_whole(y)),
        );
        ys.sort_unstable();
        ys.dedup();
        let width = (ow - 1) * s + g.filter_w;
        let mut columns = std::mem::take(&mut self.columns);
        let partial: u64 = ys
            .iter()
            .map(|&y| self.row_covered(y, ranges, &mut columns))
            .sum();
        (self.rows_one_by_one, self.columns) = (ys, columns);
        rows * width + partial
    }

    /// Ifmap pixels of row `y` under the windows of output pixels in `ranges`.
    fn row_covered(&self, y: u64, ranges: &[(u64, u64)], columns: &mut Vec<(u64, u64)>) -> u64 {
        let g = self.g;
        let (s, ow) = (g.stride, g.ofmap_w);
        let oy_lo = (y + 1).saturating_sub(g.filter_h).div_ceil(s);
        let oy_hi = (y / s).min(g.ofmap_h - 1);
        columns.clear();
        for oy in oy_lo..=oy_hi {
            for &(a, b) in ranges {
                let (lo, hi) = (a.max(oy * ow), b.min(oy * ow + ow));
                if lo < hi {
                    // Output columns lo..hi cover ifmap columns lo·S .. (hi − 1)·S + FW.
                    let (lo, hi) = (lo - oy * ow, hi - oy * ow);
                    columns.push((lo * s, (hi - 1) * s + g.filter_w));
                }
            }
        }
        columns.sort_unstable();
        let (mut count, mut reach) = (0, 0);
        for &(lo, hi) in columns.iter() {
            count += hi.saturating_sub(lo.max(reach));
            reach = reach.max(hi);
        }
        count
    }

    /// The epoch's size once the windows of output pixels up to `end` are held.
    fn size(&mut self, set: &EpochSet, end: u64) -> u64 {
        let span = end - set.start;
        let pixels = if span >= self.px {
            self.covered(&[(0, self.px)])
        } else {
            let a = set.start % self.px;
            if a + span <= self.px {
                self.covered(&[(a, a + span)])
            } else {
                self.covered(&[(a, self.px), (0, a + span - self.px)])
            }
        };
        let shared: u64 = set
            .held
            .iter()
            .filter(|&&(_, cover, _)| cover < end)
            .map(|&(_, _, channels)| channels)
            .sum();
        set.size + self.g.channels * pixels - shared
    }

    /// Words inserted into epochs of `epoch` addresses.
    pub(crate) fn insertions(&mut self, epoch: u64) -> u64 {
        let (rf, r, px) = (self.row_folds, self.rows, self.px);
        let folds = self.passes * rf;
        let fold_start = |u: u64| u / rf * px + u % rf * r;
        let fold_end = |u: u64| u / rf * px + ((u % rf + 1) * r).min(px);
        let g = self.g;
        let mut set = EpochSet::new(g, px);
        let mut readers = FirstReaders::default();
        let mut pass_starts = PassStarts::new(self.passes);
        let (mut total, mut u) = (0, 0);
        loop {
            // The fold that fills the epoch, searched pass by pass.
            let closing = loop {
                let pass = u / rf;
                if u % rf == 0 {
                    let counted = self.size(&set, fold_start(u)) as i64;
                    if let Some(total) = pass_starts.reached(pass, counted, total) {
                        return total;
                    }
                }
                let last = (pass + 1) * rf - 1;
                let at_last = self.size(&set, fold_end(last));
                if at_last < epoch {
                    if last + 1 == folds {
                        return total + at_last;
                    }
                    u = last + 1;
                    continue;
                }
                let (mut lo, mut hi) = (u as i64, last as i64);
                let (mut below, mut above) =
                    (self.size(&set, fold_start(u)) as i64, at_last as i64);
                let mut interpolate = true;
                while lo < hi {
                    let mid = probe((lo, hi), (below, above), epoch as i64, &mut interpolate);
                    let at = self.size(&set, fold_end(mid as u64)) as i64;
                    if at >= epoch as i64 {
                        (hi, above) = (mid, at);
                    } else {
                        (lo, below) = (mid + 1, at);
                    }
                }
                break lo as u64;
            };
            let before = self.size(&set, fold_start(closing));
            set.end = fold_start(closing);
            let first = closing % rf * r;
            let fold = OsFold {
                first,
                used: r.min(px - first),
                t: self.t,
            };
            let (line, word) = readers
                .closing(g, &set, fold, epoch - before)
                .expect("the fold fills the epoch");
            total += epoch;
            let row = line.saturating_sub(self.t - 1) + word;
            set.restart(fold_end(closing), readers.last_readers(), (line, row));
            u = closing + 1;
            if u == folds {
                return total + set.size;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::tests::{calc_insertions_walk, small_conv, xorshift};
    use crate::im2col::test_mapping;

    /// Random OS layers whose windows fit, with epochs from just above a fold's demand to several
    /// passes: the count from coverage equals the address-by-address walk.
    #[test]
    fn insertions_match_the_address_walk_on_random_layers() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let (mut cases, mut several_epochs) = (0, 0);
        while cases < 300 {
            let (fh, fw) = (1 + next(6), 1 + next(6));
            let stride = 1 + next(fh.min(fw));
            let (oh, ow) = (1 + next(12), 1 + next(12));
            let deep = next(2) == 0;
            let channels = 1 + next(if deep { 40 } else { 4 });
            let dims = [
                (oh - 1) * stride + fh,
                (ow - 1) * stride + fw,
                fh,
                fw,
                channels,
                1 + next(40),
                stride,
            ];
            let Some(layer) = small_conv(dims, 400_000) else {
                continue;
            };
            let m = test_mapping(&layer, Dataflow::Os, 1 + next(16), 1 + next(8));
            let g = m.im2col;
            // Epochs of 50 · items addresses, above a fold's demand.
            let least = (m.rows * m.t) / 50 + 1;
            let spread = if next(2) == 0 {
                least
            } else {
                m.distinct_ifmap / 50
            };
            let items = least + next(spread + 2);
            let mut coverage = Coverage::of(&m, &g, 50 * items).expect("an OS layer that fits");
            let walk = calc_insertions_walk(&m, &g, items);
            assert_eq!(
                coverage.insertions(50 * items),
                walk,
                "{dims:?} {}x{} items {items}",
                m.rows,
                m.cols
            );
            several_epochs += u32::from(walk >= 2 * 50 * items);
            cases += 1;
        }
        assert!(
            several_epochs >= 100,
            "{several_epochs} cases of several epochs"
        );
    }
}
