//! CALC mode for WS folds that mix filter taps (channels not a multiple of the rows, e.g. an RGB
//! first layer), counted like `runs.rs` from previous occurrences: a word is inserted into an
//! epoch exactly when the previous demand of its address came before the epoch started.
//!
//! In a WS fold, array row `j` holds one window element (tap `(cr, cc)`, channel `ch`) and reads
//! output pixel `p` at line `base + j + p`. The same address is read by the other taps of the same
//! stride residue at shifted pixels, each at a line distance that depends on the two rows only,
//! not on `p`; which of them came last before the word depends only on which shifted pixels exist,
//! so the output pixels of a row fall into a few rectangles (edge rows and columns, and the rest)
//! with one predecessor distance each: *terms*. An epoch counts a term's words whose line and
//! whose predecessor's line bracket its start, arithmetically over the rectangle.

use std::ops::Range;

use crate::compute::Mapping;
use crate::config::Dataflow;
use crate::im2col::{Divisor, Im2col};
use crate::runs::{Cursor, LineGuess, PassStarts, Position, probe};

/// Output pixels `oy ∈ ys, ox ∈ xs`.
#[derive(Clone, Copy)]
struct Rect {
    ys: (i64, i64),
    xs: (i64, i64),
}

impl Rect {
    /// Pixels with raster index below `y·W + x` (`0 ≤ x < W`).
    #[inline(always)]
    fn below(&self, (y, x): (i64, i64)) -> i64 {
        let whole = (y.clamp(self.ys.0, self.ys.1) - self.ys.0) * (self.xs.1 - self.xs.0);
        let part = if self.ys.0 <= y && y < self.ys.1 {
            x.clamp(self.xs.0, self.xs.1) - self.xs.0
        } else {
            0
        };
        whole + part
    }
}

/// Output pixels `p` of `rect`, read by array row `row` at line `fold start + row + p`; the
/// previous demand of each one's address was `distance` lines earlier, by row `prev_row`.
#[derive(Clone, Copy)]
struct Term {
    row: i64,
    rect: Rect,
    distance: i64,
    prev_row: i64,
}

/// A term of the fold that fills an epoch, with its counted pixels `[from, to)` and the words
/// among them.
struct Open {
    row: i64,
    rect: Rect,
    from: i64,
    to: i64,
    below_from: i64,
    words: i64,
}

impl Open {
    /// Counted words below pixel `y·W + x − row` (`(y, x)` the fold's pixel for row 0).
    #[inline(always)]
    fn through(&self, (mut y, mut x): (i64, i64), ofmap_w: i64) -> i64 {
        x -= self.row;
        while x < 0 {
            (x, y) = (x + ofmap_w, y - 1);
        }
        let p = y * ofmap_w + x;
        if p <= self.from {
            0
        } else if p >= self.to {
            self.words
        } else {
            self.rect.below((y, x)) - self.below_from
        }
    }
}

/// Per array row of a fold: the readers of its words' addresses, latest first; the output
/// columns where the set of existing readers changes; and per (band, column interval) the index
/// of the latest reader and of the latest earlier one (`usize::MAX`: none).
type RowReaders = (Vec<Reader>, Vec<i64>, Vec<(usize, usize)>);

pub(crate) struct Terms {
    terms: Vec<Term>,
    /// Per band of output rows of a fold: its terms and one past the last line they lie on.
    bands: Vec<(Range<usize>, i64)>,
    /// Per fold of a pass: its bands and its lines `[first, end)`.
    folds: Vec<(Range<usize>, (i64, i64))>,
    ofmap_w: i64,
    /// Division by `ofmap_w`.
    rows_of: Divisor,
    pass_lines: i64,
    passes: u64,
}

/// Another tap of the same stride residue reading a word's address: its line distance back (may
/// be negative: later) and array row; it exists where `oy − dy` and `ox − dx` are output pixels.
#[derive(Clone, Copy)]
struct Reader {
    distance: i64,
    row: i64,
    dy: i64,
    dx: i64,
}

impl Terms {
    /// The terms of `m`'s ifmap demand: WS, every window inside the ifmap.
    pub(crate) fn of(m: &Mapping, g: &Im2col) -> Option<Terms> {
        if m.dataflow != Dataflow::Ws || !g.fits() {
            return None;
        }
        let (oh, ow) = (g.ofmap_h as i64, g.ofmap_w as i64);
        let (fh, fw, c, s) = (g.filter_h, g.filter_w, g.channels, g.stride);
        // Lines between fold starts: only the order matters, so any spacing past a fold's end.
        let spacing = (m.t + m.rows) as i64;
        let pass_lines = m.row_folds as i64 * spacing;
        let mut terms = Vec::new();
        let mut bands: Vec<(Range<usize>, i64)> = Vec::new();
        let mut folds = Vec::with_capacity(m.row_folds as usize);
        let mut rows: Vec<RowReaders> = vec![Default::default(); m.rows as usize];
        let mut ys = Vec::new();
        let mut row_terms: Vec<Term> = Vec::new();
        // Per array row, its terms in the last band that has any of its own, and that band.
        let mut last_of_row: Vec<(Range<usize>, usize)> = Vec::new();
        let breaks = |shift: i64, size: i64| [shift.clamp(0, size), (size + shift).clamp(0, size)];
        for fr in 0..m.row_folds {
            let base = fr as i64 * spacing;
            let used = m.rows.min(m.sr - fr * m.rows);
            ys.clear();
            ys.extend([0, oh]);
            for (j, (readers, xs, _)) in rows.iter_mut().enumerate().take(used as usize) {
                let w = fr * m.rows + j as u64;
                let (cr, cc, ch) = (w / (fw * c), w / c % fw, w % c);
                readers.clear();
                for cr2 in (cr % s..fh).step_by(s as usize) {
                    for cc2 in (cc % s..fw).step_by(s as usize) {
                        let w2 = (cr2 * fw + cc2) * c + ch;
                        let (dy, dx) = (
                            (cr2 as i64 - cr as i64) / s as i64,
                            (cc2 as i64 - cc as i64) / s as i64,
                        );
                        let line2 = (w2 / m.rows) as i64 * spacing + (w2 % m.rows) as i64;
                        readers.push(Reader {
                            distance: base + j as i64 - line2 + dy * ow + dx,
                            row: (w2 % m.rows) as i64,
                            dy,
                            dx,
                        });
                    }
                }
                // Latest first: nearest distance, then the later row within a line (rows are
                // below the array's size, so one key orders both).
                readers.sort_unstable_by_key(|r| r.distance * spacing - r.row);
                xs.clear();
                xs.extend([0, ow]);
                // Few distinct bounds among many readers: keep each once as it comes.
                let keep = |v: &mut Vec<i64>, bounds: [i64; 2]| {
                    for b in bounds {
                        if !v.contains(&b) {
                            v.push(b);
                        }
                    }
                };
                for r in readers.iter() {
                    keep(&mut ys, breaks(r.dy, oh));
                    keep(xs, breaks(r.dx, ow));
                }
                xs.sort_unstable();
            }
            ys.sort_unstable();
            // Per row and (band, column interval): its latest reader, and its latest earlier
            // reader. Readers are painted from the least recent, so the latest is left.
            let bands_here = ys.len() - 1;
            for (j, (readers, xs, cells)) in rows.iter_mut().enumerate().take(used as usize) {
                let columns = xs.len() - 1;
                cells.clear();
                cells.resize(bands_here * columns, (usize::MAX, usize::MAX));
                let within = |v: &[i64], (lo, hi): (i64, i64)| {
                    v.partition_point(|&e| e < lo)..v.partition_point(|&e| e < hi)
                };
                for (i, r) in readers.iter().enumerate().rev() {
                    let earlier = r.distance > 0 || (r.distance == 0 && r.row < j as i64);
                    let band_range = within(&ys[..bands_here], breaks(r.dy, oh).into());
                    let column_range = within(&xs[..columns], breaks(r.dx, ow).into());
                    for b in band_range {
                        for cell in &mut cells[b * columns..][column_range.clone()] {
                            cell.0 = i;
                            if earlier {
                                cell.1 = i;
                            }
                        }
                    }
                }
            }
            // Bands of output rows on which every array row's existing readers stay the same. A
            // row whose terms in a band repeat those of the band above extends them instead.
            let first_band = bands.len();
            last_of_row.clear();
            last_of_row.resize(used as usize, (0..0, usize::MAX));
            for y in ys.windows(2) {
                let (first_term, band) = (terms.len(), bands.len());
                for (j, (readers, xs, cells)) in rows.iter().enumerate().take(used as usize) {
                    let j = j as i64;
                    let columns = xs.len() - 1;
                    let band_cells = &cells[(band - first_band) * columns..][..columns];
                    row_terms.clear();
                    for (x, &(latest, earlier)) in xs.windows(2).zip(band_cells) {
                        // The latest earlier reader, else the last one in the pass, one pass back
                        // (the word itself is one of them, so one exists).
                        let (distance, prev_row) = match readers.get(earlier) {
                            Some(r) => (r.distance, r.row),
                            None => (readers[latest].distance + pass_lines, readers[latest].row),
                        };
                        match row_terms.last_mut() {
                            Some(t) if (t.distance, t.prev_row) == (distance, prev_row) => {
                                t.rect.xs.1 = x[1];
                            }
                            _ => row_terms.push(Term {
                                row: j,
                                rect: Rect {
                                    ys: (y[0], y[1]),
                                    xs: (x[0], x[1]),
                                },
                                distance,
                                prev_row,
                            }),
                        }
                    }
                    let (above, above_band) = last_of_row[j as usize].clone();
                    let alike = |(a, b): (&Term, &Term)| {
                        (a.rect.xs, a.distance, a.prev_row) == (b.rect.xs, b.distance, b.prev_row)
                    };
                    if above_band != usize::MAX
                        && above.len() == row_terms.len()
                        && terms[above.clone()].iter().zip(&row_terms).all(alike)
                    {
                        for t in &mut terms[above] {
                            t.rect.ys.1 = y[1];
                        }
                        let end = &mut bands[above_band].1;
                        *end = (*end).max(base + y[1] * ow + used as i64 - 1);
                    } else {
                        let start = terms.len();
                        terms.append(&mut row_terms);
                        last_of_row[j as usize] = (start..terms.len(), band);
                    }
                }
                bands.push((first_term..terms.len(), base + y[1] * ow + used as i64 - 1));
            }
            folds.push((
                first_band..bands.len(),
                (base, base + (m.t + used) as i64 - 1),
            ));
        }
        Some(Terms {
            terms,
            bands,
            folds,
            ofmap_w: ow,
            rows_of: Divisor::new(ow as u64),
            pass_lines,
            passes: m.col_folds,
        })
    }

    /// Pixels of `rect` with raster index below `p`.
    #[inline]
    fn pixels_below(&self, rect: &Rect, p: i64) -> i64 {
        let Rect { ys, xs } = *rect;
        // Before its first pixel or past its last, a rectangle needs no division.
        if p <= ys.0 * self.ofmap_w + xs.0 {
            return 0;
        }
        if p >= (ys.1 - 1) * self.ofmap_w + xs.1 {
            return (ys.1 - ys.0) * (xs.1 - xs.0);
        }
        let y = self.rows_of.div(p as u64) as i64;
        rect.below((y, p - y * self.ofmap_w))
    }

    /// The pixels of `t`, in the fold starting at line `fold_first`, counted in an epoch started
    /// at `s0`: `[from, to)` in raster order, at or after `s0` with the predecessor before it.
    #[inline]
    fn counted(t: &Term, fold_first: i64, s0: Position) -> (i64, i64) {
        let line0 = fold_first + t.row;
        let from = s0.0 + (t.row < s0.1) as i64 - line0;
        let to = s0.0 + t.distance + (t.prev_row < s0.1) as i64 - line0;
        (from, to.max(from))
    }

    /// Words inserted into epochs of `epoch` addresses.
    pub(crate) fn insertions(&self, epoch: u64) -> u64 {
        let (folds, epoch) = (self.folds.len(), epoch as i64);
        let lines_of = |pass: u64, u: usize| {
            let offset = pass as i64 * self.pass_lines;
            let (first, end) = self.folds[u].1;
            (offset + first, offset + end)
        };
        let mut open: Vec<Open> = Vec::new();
        let mut rows: Vec<i64> = Vec::new();
        // The epoch starts at `s0`; folds before `first` end before its line.
        let (mut s0, mut first): (Position, _) = ((0, 0), Cursor::START);
        let mut total = 0u64;
        let mut pass_starts = PassStarts::new(self.passes);
        let mut guess = LineGuess::default();
        loop {
            while first.pass < self.passes && lines_of(first.pass, first.unit).1 <= s0.0 {
                first.step(folds);
            }
            // Whole folds while they leave the epoch short of full; the fold that fills it keeps
            // its terms with their counted pixels.
            let (mut counted, mut filling) = (0i64, None);
            let mut at = first;
            while at.pass < self.passes {
                let (p, u) = (at.pass, at.unit);
                self.open_terms(p, u, s0, &mut open);
                let words: i64 = open.iter().map(|o| o.words).sum();
                if counted + words >= epoch {
                    filling = Some((p, u, words));
                    break;
                }
                counted += words;
                if at.step(folds)
                    && let Some(total) = pass_starts.reached(at.pass, counted, total)
                {
                    return total;
                }
            }
            let Some((p, u, words)) = filling else {
                return total + counted as u64;
            };
            // The first line through which the epoch is full, searched by interpolation (the
            // count grows nearly linearly) alternating with bisection. Terms whose counted words
            // all lie before the candidate range are set aside as whole, those after it dropped.
            let (fold_first, fold_end) = lines_of(p, u);
            // Counted words on lines up to `line`: pixels below `line + 1 − base` for each term.
            let split = |line: i64| {
                let p = line + 1 - fold_first;
                (p.div_euclid(self.ofmap_w), p.rem_euclid(self.ofmap_w))
            };
            let through = |open: &[Open], at| -> i64 {
                open.iter().map(|o| o.through(at, self.ofmap_w)).sum()
            };
            let (mut lo, mut hi) = (s0.0.max(fold_first), fold_end - 1);
            // Words of whole terms, through `lo − 1`, and through `hi`.
            let (mut whole, mut below, mut through_hi) = (counted, counted, counted + words);
            let mut interpolate = true;
            guess.start(s0.0);
            while lo < hi {
                let mid = guess.next((lo, hi)).unwrap_or_else(|| {
                    probe((lo, hi), (below, through_hi), epoch, &mut interpolate)
                });
                let at_mid = whole + through(&open, split(mid));
                guess.counted(mid, at_mid, epoch);
                if at_mid >= epoch {
                    (hi, through_hi) = (mid, at_mid);
                    let first_pixel = mid - fold_first;
                    open.retain(|o| o.from <= first_pixel - o.row);
                } else {
                    (lo, below) = (mid + 1, at_mid);
                    let last_pixel = lo - fold_first;
                    open.retain(|o| {
                        let done = o.to <= last_pixel - o.row;
                        if done {
                            whole += o.words;
                        }
                        !done
                    });
                }
            }
            let z = lo;
            let (before, at) = (split(z - 1), split(z));
            let mut need = epoch - whole;
            rows.clear();
            for o in &open {
                let below = o.through(before, self.ofmap_w);
                need -= below;
                if o.through(at, self.ofmap_w) > below {
                    rows.push(o.row);
                }
            }
            let (_, &mut closing, _) = rows.select_nth_unstable((need - 1) as usize);
            total += epoch as u64;
            guess.closed(z);
            s0 = (z, closing + 1);
        }
    }

    /// The terms of fold `u` of pass `pass` with words counted in an epoch started at `s0`.
    fn open_terms(&self, pass: u64, u: usize, s0: Position, open: &mut Vec<Open>) {
        let (bands, (fold_first, _)) = self.folds[u].clone();
        let offset = pass as i64 * self.pass_lines;
        open.clear();
        for (terms, end) in &self.bands[bands] {
            if offset + end <= s0.0 {
                continue;
            }
            for t in &self.terms[terms.clone()] {
                let (from, to) = Self::counted(t, offset + fold_first, s0);
                let below_from = self.pixels_below(&t.rect, from);
                let words = self.pixels_below(&t.rect, to) - below_from;
                if words > 0 {
                    open.push(Open {
                        row: t.row,
                        rect: t.rect,
                        from,
                        to,
                        below_from,
                        words,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::tests::{check_random_epoch, small_conv, xorshift};
    use crate::im2col::test_mapping;

    /// Random WS layers (few or many channels, any rows), epochs from a few words to the whole
    /// ifmap: the count by terms equals the address-by-address walk.
    #[test]
    fn insertions_match_the_address_walk_on_random_layers() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let (mut cases, mut nontrivial) = (0, 0);
        while cases < 300 {
            let rows = 1 + next(40);
            let (fh, fw, stride) = (1 + next(7), 1 + next(7), 1 + next(3));
            let few = next(2) == 0;
            let channels = 1 + next(if few { 5 } else { 70 });
            let (h, w) = (fh + next(30), fw + next(30));
            let dims = [h, w, fh, fw, channels, 1 + next(3 * rows), stride];
            let Some(layer) = small_conv(dims, 200_000) else {
                continue;
            };
            let m = test_mapping(&layer, Dataflow::Ws, rows, 1 + next(2 * rows));
            let Some(terms) = Terms::of(&m, &m.im2col) else {
                continue;
            };
            let count = |epoch| terms.insertions(epoch);
            nontrivial += check_random_epoch(&m, &mut next, count, &format!("{dims:?}")) as u32;
            cases += 1;
        }
        // Most cases fetch some addresses in several epochs and some only once per epoch.
        assert!(nontrivial >= 150, "{nontrivial} cases between the extremes");
    }
}
