//! SCALE-Sim's read-buffer hit test on *addresses* for operands that repeat addresses (convolution
//! ifmaps, whose im2col windows overlap). `read_buffer.py` (USER bandwidth) serves a demanded word
//! from any set of its window that holds the address, and `read_buffer_estimate_bw.py` (CALC) only
//! inserts addresses not already inserted in the current epoch; both therefore fetch far less than
//! the prefetch-order positions the per-fold model in `memory.rs` walks. Here the demand is walked
//! address by address within each fold (never per cycle), against:
//! - USER: the sets holding each address (built once from the prefetch order); a miss advances the
//!   circular window by `P` sets until one of them is inside. Column-fold passes that leave the
//!   window where they found it repeat and are filled in without walking.
//! - CALC: an epoch stamp per address; an epoch ends after `50·⌊words/100⌋` insertions.

use crate::compute::Mapping;
use crate::config::Dataflow;
use crate::im2col::{Divisor, Im2col, Lookup, PositionIndex, diagonal_position};
use crate::memory::{ReadBuffer, Window, fold_index};

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
    Windows(PositionIndex, Divisor),
}

impl SetsOf {
    /// Calls `f(set)` for the sets holding `addr` until `f` returns true; whether it did.
    #[inline]
    fn any(&self, addr: u32, mut f: impl FnMut(u64) -> bool) -> bool {
        match self {
            SetsOf::Table(occ) => occ.of(addr).iter().any(|&s| f(s as u64)),
            SetsOf::Windows(index, e) => index.any(addr, |q| f(e.div(q))),
        }
    }
}

/// USER mode: the ifmap window's prefetches, with SCALE-Sim's address hit test.
pub(crate) fn user_window(m: &Mapping, g: &Im2col, buf: &ReadBuffer) -> Window {
    let e = buf.total.div_ceil(100);
    let t = g.lookup(m.px, m.window);
    // OS folds repeat addresses within themselves, so lookups are frequent there: tabulate.
    let (occ, valid) = if g.fits() && m.dataflow != Dataflow::Os {
        (
            SetsOf::Windows(PositionIndex::new(m, g), Divisor::new(e)),
            m.px * m.window,
        )
    } else {
        let table = occurrences(m, g, &t, e);
        let valid = table.valid;
        (SetsOf::Table(table), valid)
    };
    let n = valid / e + 1;
    let a = buf.active.div_ceil(e).min(n);
    let p = buf.prefetch.div_ceil(e).min(n - a);
    let mut w = Window {
        n,
        a,
        p,
        start: 0,
        prefetches: 0,
        events: Vec::new(),
        repeated: 0,
    };
    if a >= n {
        return w;
    }
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
                walk_fold_by_lines(m, &t, &occ, &mut w, e, fc, fr, base);
            } else {
                g.for_each_demand(m, &t, fc, fr, |addr, line| {
                    demand(&occ, &mut w, addr, base + line)
                });
            }
        }
    }
    w
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

/// Fold `(fc, fr)` of an operand without −1 entries: each demand line reads a run of consecutive
/// prefetch positions. A line whose run lies in the window hits as a whole (OS/WS runs ascend, so
/// the hitting lines after it are skipped by bisection); otherwise each word whose own set is
/// outside the window is looked up by address.
#[allow(clippy::too_many_arguments)]
fn walk_fold_by_lines(
    m: &Mapping,
    t: &Lookup,
    occ: &SetsOf,
    w: &mut Window,
    e: u64,
    fc: u64,
    fr: u64,
    base: u64,
) {
    let used = m.rows.min(m.sr - fr * m.rows);
    let covered = |w: &Window, (q0, len): (u64, u64)| w.covers(q0 / e, (q0 + len - 1) / e);
    match m.dataflow {
        Dataflow::Os | Dataflow::Ws => {
            let prefix = if m.dataflow == Dataflow::Ws {
                m.rows
            } else {
                0
            };
            let tt = m.t;
            let lines = tt + used - 1;
            let bounds = |k: u64| (k.saturating_sub(tt - 1), k.min(used - 1));
            // Line k asks array rows j_lo..=j_hi, whose entries are consecutive positions.
            let run = |k: u64| {
                let (j_lo, j_hi) = bounds(k);
                (
                    diagonal_position(m, fr * m.rows + j_lo, k - j_lo),
                    j_hi - j_lo + 1,
                )
            };
            let mut k = 0;
            while k < lines {
                if covered(w, run(k)) {
                    let (mut lo, mut hi) = (k, lines - 1);
                    while lo < hi {
                        let mid = (lo + hi).div_ceil(2);
                        if covered(w, run(mid)) {
                            lo = mid
                        } else {
                            hi = mid - 1
                        }
                    }
                    k = lo + 1;
                    continue;
                }
                let j_lo = bounds(k).0;
                words(occ, w, e, base + prefix + k, run(k), |i| {
                    let j = j_lo + i;
                    t.entry(m, fr * m.rows + j, k - j).expect("fits")
                });
                k += 1;
            }
        }
        Dataflow::Is => {
            let wb = m.cols.min(m.px - fc * m.cols);
            let block = fc * m.window * m.cols;
            for i in m.rows - used..m.rows {
                let we = fr * m.rows + m.rows - 1 - i;
                let run = (block + we * wb, wb);
                if !covered(w, run) {
                    words(occ, w, e, base + i, run, |j| {
                        t.addr(fc * m.cols + j, we).expect("fits")
                    });
                }
            }
        }
    }
}

/// The words of one demand line, a run of `len` consecutive prefetch positions from `q0`: each
/// word whose own set is outside the window is looked up by address.
#[inline]
fn words(
    occ: &SetsOf,
    w: &mut Window,
    e: u64,
    line: u64,
    (q0, len): (u64, u64),
    addr_of: impl Fn(u64) -> u32,
) {
    if w.a >= w.n {
        return;
    }
    // The set of position q0 + i, advanced instead of divided.
    let (mut set, mut r) = (q0 / e, q0 % e);
    for i in 0..len {
        let dx = if set >= w.start {
            set - w.start
        } else {
            set + w.n - w.start
        };
        if dx >= w.a {
            demand(occ, w, addr_of(i), line);
        }
        r += 1;
        if r == e {
            (set, r) = (set + 1, 0);
        }
    }
}

/// CALC mode: ifmap words inserted into the estimate buffer's epochs of `50·items` addresses.
pub(crate) fn calc_insertions(m: &Mapping, g: &Im2col, items: u64) -> u64 {
    let epoch = 50 * items;
    let t = g.lookup(m.px, m.window);
    let mut stamp = vec![0u32; g.address_space()];
    let (mut id, mut in_epoch, mut total) = (1u32, 0u64, 0u64);
    for fc in 0..m.col_folds {
        for fr in 0..m.row_folds {
            let mut insert = |addr: u32| {
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
            };
            if g.fits() {
                g.for_each_fitting_demand(m, &t, fc, fr, insert);
            } else {
                g.for_each_demand(m, &t, fc, fr, |addr, _| insert(addr));
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::config::{ArrayConfig, Bandwidth};
    use crate::layer::Layer;

    fn mapping(layer: &Layer, dataflow: Dataflow, rows: u64, cols: u64) -> Mapping {
        let cfg = ArrayConfig {
            rows,
            cols,
            ifmap_kb: 1,
            filter_kb: 1,
            ofmap_kb: 1,
            dataflow,
            bandwidth: Bandwidth::User(8),
        };
        Mapping::new(layer, &cfg)
    }

    /// `read_buffer.py` as written: hashed sets of addresses, a circular window of sets, and a
    /// `while not hit: new_prefetch()` loop per demanded address. Returns (prefetches, events).
    fn scalesim_read_buffer(m: &Mapping, buf: &ReadBuffer) -> (u64, Vec<(u64, u64)>) {
        let g = &m.im2col;
        let t = g.lookup(m.px, m.window);
        let e = buf.total.div_ceil(100);
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

    fn conv_layers() -> Vec<Layer> {
        [
            [10, 10, 3, 3, 4, 6, 1],
            [12, 11, 3, 2, 3, 5, 2],
            [9, 9, 3, 3, 16, 12, 1],
            [14, 14, 5, 5, 2, 4, 3],
            [11, 11, 2, 2, 8, 20, 1],
        ]
        .iter()
        .map(|d| Layer::conv("c", *d).unwrap())
        .collect()
    }

    #[test]
    fn address_walk_matches_scalesim_read_buffer() {
        let mut walked = 0;
        for layer in conv_layers() {
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols) in [(4, 4), (8, 4), (4, 8)] {
                    let m = mapping(&layer, dataflow, rows, cols);
                    // Buffers of a few hundred words so the operands overflow them.
                    for words in [200, 512, 1024] {
                        let buf = ReadBuffer {
                            total: words,
                            active: words.div_ceil(2),
                            prefetch: words - words.div_ceil(2),
                        };
                        let w = user_window(&m, &m.im2col, &buf);
                        let (prefetches, events) = scalesim_read_buffer(&m, &buf);
                        assert_eq!(
                            (w.prefetches, &w.events),
                            (prefetches, &events),
                            "{layer:?} {dataflow:?} {rows}x{cols} {words}"
                        );
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
                    let m = mapping(&layer, dataflow, rows, cols);
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
                let m = mapping(&layer, dataflow, 4, 8);
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
                        calc_insertions(&m, &m.im2col, items),
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
                let m = mapping(&layer, Dataflow::Ws, rows, 4);
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
}
