//! The word at which an OS fold fills the CALC epoch, found from each ifmap pixel's first reader
//! instead of by trial insertions of line stretches.
//!
//! In an OS fold, array row `j` (output pixel `first + j`) reads window element `k − j` at line
//! `k`; elements run over taps, each tap over its `C` channels at consecutive lines. So row `j`
//! reads all channels of the ifmap pixel under tap `τ` starting at line `j + τ·C`, and channel `ch`
//! of that pixel first at `(min over its readers of (j + τ·C, j)) + (ch, 0)` in (line, row) order.
//! The epoch's new words are the channels the set lacks at their first demand; counting them per
//! line (a difference array over the pixels' channel runs) finds the line that fills the epoch,
//! and a pass over that line's rows the word.

use crate::footprint::AddressSet;
use crate::im2col::Im2col;
use crate::runs::ROW_BITS;
const UNREAD: u64 = u64::MAX;

/// The epoch's addresses, as the search asks about them.
pub(crate) trait Held {
    /// Calls `f(i, c0, c1)` for runs of channels `c0..c1` missing at ifmap pixel `(y, x)`, for
    /// each `(i, y, x)` of `pixels`; the runs of a pixel make up all it lacks.
    fn missing_channels(&self, pixels: &[(usize, u64, u64)], f: impl FnMut(usize, u64, u64));
    /// Whether ifmap address `(row, column, channel)` is held.
    fn holds(&self, address: (u64, u64, u64)) -> bool;
}

impl Held for AddressSet {
    fn missing_channels(&self, pixels: &[(usize, u64, u64)], f: impl FnMut(usize, u64, u64)) {
        AddressSet::missing_channels(self, pixels, f)
    }
    fn holds(&self, address: (u64, u64, u64)) -> bool {
        self.contains(address)
    }
}

/// Scratch reused from fold to fold.
#[derive(Default)]
pub(crate) struct FirstReaders {
    /// Per ifmap pixel of the fold's band of ifmap rows (row-major from the band's first row):
    /// `(line << ROW_BITS) | row` of its first reader (`UNREAD` if none) and of its last reader.
    /// Only the entries of `read` are set.
    readers: Vec<(u64, u64)>,
    /// Band pixels read by the last fold searched: (index in the band, ifmap row, ifmap column).
    read: Vec<(usize, u64, u64)>,
    /// New words per line, as differences and then as counts.
    per_line: Vec<i64>,
}

/// An OS fold: array row `j` is output pixel `first + j`, for `used` rows over `t` elements.
#[derive(Clone, Copy)]
pub(crate) struct OsFold {
    pub(crate) first: u64,
    pub(crate) used: u64,
    pub(crate) t: u64,
}

impl FirstReaders {
    /// The position `(line, word of the line)` of the fold's word that makes `room` words new to
    /// `set`, or, if the fold has fewer new words, how many it has.
    pub(crate) fn closing(
        &mut self,
        g: &Im2col,
        set: &impl Held,
        fold: OsFold,
        room: u64,
    ) -> Result<(u64, u64), u64> {
        let (s, w, c) = (g.stride, g.ifmap_w, g.channels);
        for &(i, _, _) in &self.read {
            self.readers[i] = (UNREAD, 0);
        }
        self.read.clear();
        let first_row = fold.first / g.ofmap_w * s;
        let band_rows = (fold.first + fold.used - 1) / g.ofmap_w * s + g.filter_h - first_row;
        let band = (band_rows * w) as usize;
        if self.readers.len() < band {
            self.readers.resize(band, (UNREAD, 0));
        }
        // Each row's reader of each ifmap pixel under its window (taps in element order, `C`
        // lines apart).
        let (fw, fh) = (g.filter_w, g.filter_h);
        let (mut oy, mut ox) = (fold.first / g.ofmap_w, fold.first % g.ofmap_w);
        for j in 0..fold.used {
            let (y0, x0) = (oy * s, ox * s);
            let mut key = j << ROW_BITS | j;
            for y in y0..(y0 + fh).min(g.ifmap_h) {
                let row = (y - first_row) * w;
                for x in x0..x0 + fw {
                    if x < w {
                        let i = (row + x) as usize;
                        let (first, last) = &mut self.readers[i];
                        if *first == UNREAD {
                            self.read.push((i, y, x));
                        }
                        (*first, *last) = ((*first).min(key), (*last).max(key));
                    }
                    key += c << ROW_BITS;
                }
            }
            ox += 1;
            if ox == g.ofmap_w {
                (oy, ox) = (oy + 1, 0);
            }
        }
        let lines = (fold.t + fold.used - 1) as usize;
        self.per_line.clear();
        self.per_line.resize(lines + 1, 0);
        let (readers, per_line) = (&self.readers, &mut self.per_line);
        set.missing_channels(&self.read, |i, c0, c1| {
            let start = (readers[i].0 >> ROW_BITS) as usize;
            per_line[start + c0 as usize] += 1;
            per_line[start + c1 as usize] -= 1;
        });
        // Counts per line, up to the line that fills the room.
        let (mut rate, mut counted) = (0, 0u64);
        let mut filling = None;
        for (line, d) in self.per_line[..lines].iter().enumerate() {
            rate += d;
            if counted + rate as u64 >= room {
                filling = Some((line as u64, room - counted));
                break;
            }
            counted += rate as u64;
        }
        let pixel = |j: u64, tap: u64| {
            let p = fold.first + j;
            let y = p / g.ofmap_w * s + tap / fw;
            let x = p % g.ofmap_w * s + tap % fw;
            (y < g.ifmap_h && x < w).then(|| ((y - first_row) * w + x) as usize)
        };
        let found = filling.map(|(line, mut needed)| {
            // The line's rows in order; a word is new where its pixel's first reader is this row
            // at this line and the set lacks the channel.
            let lo = line.saturating_sub(fold.t - 1);
            let j = (lo..=line.min(fold.used - 1)).find(|&j| {
                let element = line - j;
                let (tap, ch) = (element / c, element % c);
                let new = pixel(j, tap).is_some_and(|i| {
                    self.readers[i].0 == (line - ch) << ROW_BITS | j
                        && !set.holds((first_row + i as u64 / w, i as u64 % w, ch))
                });
                needed -= u64::from(new);
                needed == 0
            });
            (
                line,
                j.expect("the line holds the words counted for it") - lo,
            )
        });
        found.ok_or(counted)
    }

    /// The ifmap pixels the last fold searched read, `(y, x)`, each with its last reader: the
    /// line it reads the pixel's first channel on, and its row.
    pub(crate) fn last_readers(&self) -> impl Iterator<Item = ((u64, u64), (u64, u64))> + '_ {
        self.read.iter().map(|&(i, y, x)| {
            let key = self.readers[i].1;
            ((y, x), (key >> ROW_BITS, key & ((1 << ROW_BITS) - 1)))
        })
    }
}
