//! The ifmap operand as SCALE-Sim builds it (`scalesim/compute/operand_matrix.py`): an im2col matrix
//! whose entry `(output pixel p, window element w)` is an ifmap address. Convolution windows overlap,
//! so addresses repeat; this module gives the addresses in SCALE-Sim's prefetch order and in each
//! fold's demand order (`systolic_compute_{os,ws,is}.py`), for the address-level buffer walks.

use std::cell::Cell;

use crate::compute::Mapping;
use crate::config::Dataflow;
use crate::layer::Layer;

/// Geometry of a layer's im2col ifmap matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Im2col {
    pub(crate) ifmap_h: u64,
    pub(crate) ifmap_w: u64,
    pub(crate) filter_h: u64,
    pub(crate) filter_w: u64,
    pub(crate) ofmap_h: u64,
    pub(crate) channels: u64,
    pub(crate) stride: u64,
    pub(crate) ofmap_w: u64,
    /// Whether some ifmap address appears in more than one window.
    repeats: bool,
    /// Whether every window lies inside the ifmap (no −1 entries).
    fits: bool,
    /// Largest change of output-pixel index between two windows holding the same address.
    pixel_shift: u64,
}

impl Im2col {
    pub fn new(layer: &Layer) -> Im2col {
        let overlap = |filter: u64, out: u64| filter > layer.stride && out > 1;
        Im2col {
            ifmap_h: layer.ifmap_h,
            ifmap_w: layer.ifmap_w,
            filter_h: layer.filter_h,
            filter_w: layer.filter_w,
            ofmap_h: layer.ofmap_h(),
            channels: layer.channels,
            stride: layer.stride,
            ofmap_w: layer.ofmap_w(),
            repeats: overlap(layer.filter_h, layer.ofmap_h())
                || overlap(layer.filter_w, layer.ofmap_w()),
            fits: (layer.ofmap_h() - 1) * layer.stride + layer.filter_h <= layer.ifmap_h
                && (layer.ofmap_w() - 1) * layer.stride + layer.filter_w <= layer.ifmap_w,
            pixel_shift: (layer.filter_h - 1).div_ceil(layer.stride) * layer.ofmap_w()
                + (layer.filter_w - 1).div_ceil(layer.stride),
        }
    }

    /// Whether the matrix holds an address more than once (position-based models then over-count).
    pub fn repeats(&self) -> bool {
        self.repeats
    }

    /// Whether every window lies inside the ifmap (no −1 entries, so prefetch positions follow the
    /// matrix shape).
    pub fn fits(&self) -> bool {
        self.fits
    }

    /// WS only: a lower bound on how many demands separate two entries holding the same address,
    /// or `None` when they may be close: a fold spans `R` window elements, so with `R ≤ C` its
    /// entries are distinct and a repeat lies at least `⌊C/R⌋` folds on (a column-fold pass later
    /// at the least), at most `pixel_shift` output pixels earlier or later. (CALC mode: repeats at least an epoch apart are always fetched again.)
    pub fn ws_repeat_distance(&self, m: &Mapping) -> Option<u64> {
        if m.dataflow != Dataflow::Ws || !self.fits || m.rows > self.channels {
            return None;
        }
        let (t, r) = (m.t as i64, m.rows as i64);
        let (narrow, shift) = (m.last_rows_used() as i64, self.pixel_shift as i64);
        // The rest of one fold plus the head of a later one, each at least `narrow` wide, plus the
        // folds between: a fold holding the same channel at another tap is `C/R` folds on.
        let between = (self.channels / m.rows) as i64 - 1;
        let d = (narrow * (t - 2 * r - shift)).max(0) + between * narrow * t;
        (d > 0).then_some(d as u64)
    }

    /// The most windows (im2col rows) one ifmap address can lie in: `⌈FH/S⌉·⌈FW/S⌉`.
    pub fn max_windows_per_address(&self) -> u64 {
        self.filter_h.div_ceil(self.stride) * self.filter_w.div_ceil(self.stride)
    }

    /// Size of the ifmap address space (addresses are `0..address_space()`).
    pub fn address_space(&self) -> usize {
        (self.ifmap_h * self.ifmap_w * self.channels) as usize
    }

    /// Address of entry `(p, w)`, `None` where SCALE-Sim's `ceil` output size runs the window past
    /// the ifmap edge (SCALE-Sim writes −1 there).
    pub fn addr(&self, p: u64, w: u64) -> Option<u32> {
        self.coordinates(p, w).map(|a| self.address(a) as u32)
    }

    /// The address of ifmap `(row, column, channel)`.
    pub(crate) fn address(&self, (y, x, ch): (u64, u64, u64)) -> u64 {
        (y * self.ifmap_w + x) * self.channels + ch
    }

    /// Ifmap `(row, column, channel)` of entry `(p, w)`, `None` past the ifmap edge.
    pub(crate) fn coordinates(&self, p: u64, w: u64) -> Option<(u64, u64, u64)> {
        let (oy, ox) = (p / self.ofmap_w, p % self.ofmap_w);
        let row_len = self.filter_w * self.channels;
        let (cr, k) = (w / row_len, w % row_len);
        let (cc, ch) = (k / self.channels, k % self.channels);
        let (y, x) = (oy * self.stride + cr, ox * self.stride + cc);
        (y < self.ifmap_h && x < self.ifmap_w).then_some((y, x, ch))
    }

    /// Per-pixel and per-window-element address parts, so the walks add instead of dividing.
    pub fn lookup(&self, px: u64, window: u64) -> Lookup {
        let (w_len, c) = (self.ifmap_w, self.channels);
        let row_len = self.filter_w * c;
        let mut pixel = Vec::with_capacity(px as usize);
        let mut pixel_yx = Vec::with_capacity(px as usize);
        for p in 0..px {
            let (iy, ix) = (
                (p / self.ofmap_w) * self.stride,
                (p % self.ofmap_w) * self.stride,
            );
            pixel.push(((iy * w_len + ix) * c) as u32);
            pixel_yx.push((iy as u32, ix as u32));
        }
        let mut elem = Vec::with_capacity(window as usize);
        let mut elem_yx = Vec::with_capacity(window as usize);
        for w in 0..window {
            let (cr, k) = (w / row_len, w % row_len);
            let (cc, ch) = (k / c, k % c);
            elem.push(((cr * w_len + cc) * c + ch) as u32);
            elem_yx.push((cr as u32, cc as u32));
        }
        Lookup {
            pixel,
            pixel_yx,
            elem,
            elem_yx,
            h: self.ifmap_h as u32,
            w: self.ifmap_w as u32,
            fits: self.fits,
        }
    }

    /// Calls `f(address)` for every valid entry of the ifmap prefetch matrix, in the order SCALE-Sim's
    /// read buffer cuts it into sets: stacked fold blocks flattened by anti-diagonals (OS, WS; rows
    /// descending within a diagonal) or row-major (IS).
    pub fn for_each_prefetch(&self, m: &Mapping, t: &Lookup, mut f: impl FnMut(u32)) {
        match m.dataflow {
            Dataflow::Os | Dataflow::Ws => {
                // Block b: `height` rows × R columns.
                let height = m.t;
                let rows = height * m.row_folds;
                let width = m.rows;
                for d in 0..rows + width - 1 {
                    let top = d.min(rows - 1);
                    let bottom = d.saturating_sub(width - 1);
                    for g in (bottom..=top).rev() {
                        let (b, r, j) = (g / height, g % height, d - g);
                        if let Some(a) = t.entry(m, b * m.rows + j, r) {
                            f(a);
                        }
                    }
                }
            }
            Dataflow::Is => {
                for fc in 0..m.col_folds {
                    for w in 0..m.window {
                        for j in 0..m.cols {
                            let p = fc * m.cols + j;
                            if p < m.px
                                && let Some(a) = t.addr(p, w)
                            {
                                f(a);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `f(address, line within the fold)` for the ifmap demands of fold `(fc, fr)`, in
    /// SCALE-Sim's demand order (line by line, array rows ascending within a line).
    pub fn for_each_demand(
        &self,
        m: &Mapping,
        t: &Lookup,
        fc: u64,
        fr: u64,
        mut f: impl FnMut(u32, u64),
    ) {
        match m.dataflow {
            Dataflow::Os | Dataflow::Ws => {
                // Skewed block: line `prefix + k` asks array row j for temporal index k − j.
                let prefix = if m.dataflow == Dataflow::Ws {
                    m.rows
                } else {
                    0
                };
                let used = m.rows.min(m.sr - fr * m.rows);
                for k in 0..m.t + used - 1 {
                    let lo = k.saturating_sub(m.t - 1);
                    for j in lo..=k.min(used - 1) {
                        if let Some(a) = t.entry(m, fr * m.rows + j, k - j) {
                            f(a, prefix + k);
                        }
                    }
                }
            }
            Dataflow::Is => {
                // Stationary: line i loads window element fr·R + R − 1 − i across the used columns.
                let used = m.rows.min(m.sr - fr * m.rows);
                let cols = m.cols.min(m.px - fc * m.cols);
                for i in m.rows - used..m.rows {
                    let w = fr * m.rows + m.rows - 1 - i;
                    for j in 0..cols {
                        if let Some(a) = t.addr(fc * m.cols + j, w) {
                            f(a, i);
                        }
                    }
                }
            }
        }
    }
}

impl Im2col {
    /// Calls `f(q)` with the prefetch-order position of every entry holding address `a`, for a
    /// matrix without −1 entries: the windows covering the address are enumerated from its
    /// coordinates (at most `FH·FW` of them), so no table of the whole operand is built.
    pub fn for_each_position(&self, m: &Mapping, a: u32, mut f: impl FnMut(u64)) {
        debug_assert!(self.fits);
        let a = a as u64;
        let (ch, yx) = (a % self.channels, a / self.channels);
        let (y, x) = (yx / self.ifmap_w, yx % self.ifmap_w);
        let s = self.stride;
        for cr in 0..self.filter_h.min(y + 1) {
            if (y - cr) % s != 0 || (y - cr) / s >= self.ofmap_h {
                continue;
            }
            let oy = (y - cr) / s;
            for cc in 0..self.filter_w.min(x + 1) {
                if (x - cc) % s != 0 || (x - cc) / s >= self.ofmap_w {
                    continue;
                }
                let p = oy * self.ofmap_w + (x - cc) / s;
                let w = (cr * self.filter_w + cc) * self.channels + ch;
                f(position(m, p, w));
            }
        }
    }

    /// The valid entries of the ifmap prefetch matrix in prefetch order (as
    /// [`Im2col::for_each_prefetch`]), read as contiguous table slices when there are no −1 entries.
    pub fn prefetch_addresses(&self, m: &Mapping, t: &Lookup) -> Vec<u32> {
        let mut out = Vec::with_capacity((m.px * m.window) as usize);
        if !self.fits || m.dataflow == Dataflow::Is {
            self.for_each_prefetch(m, t, |a| out.push(a));
            return out;
        }
        let (tt, r) = (m.t as usize, m.rows as usize);
        let rows = tt * m.row_folds as usize;
        let sr = m.sr as usize;
        for d in 0..rows + r - 1 {
            let (top, bottom) = (d.min(rows - 1), d.saturating_sub(r - 1));
            // Rows descend through blocks top/tt down to bottom/tt; within a block the temporal index
            // descends while the column j = d − g ascends.
            let mut g_hi = top;
            loop {
                let b = g_hi / tt;
                let g_lo = bottom.max(b * tt);
                let r_hi = g_hi - b * tt;
                let (j_lo, j_hi) = (d - g_hi, (d - g_lo).min(sr.saturating_sub(b * r + 1)));
                if j_lo <= j_hi && b * r + j_lo < sr {
                    let n = j_hi - j_lo + 1;
                    let spatial = b * r + j_lo..b * r + j_lo + n;
                    let temporal = r_hi + 1 - n..=r_hi;
                    if m.dataflow == Dataflow::Ws {
                        let (pixels, elems) = (&t.pixel[temporal], &t.elem[spatial]);
                        out.extend(pixels.iter().rev().zip(elems).map(|(p, e)| p + e));
                    } else {
                        let (pixels, elems) = (&t.pixel[spatial], &t.elem[temporal]);
                        out.extend(pixels.iter().zip(elems.iter().rev()).map(|(p, e)| p + e));
                    }
                }
                if g_lo == bottom {
                    break;
                }
                g_hi = g_lo - 1;
            }
        }
        out
    }
}

/// Prefetch-order position of entry `(p, w)` of a matrix without −1 entries.
fn position(m: &Mapping, p: u64, w: u64) -> u64 {
    match m.dataflow {
        Dataflow::Ws => diagonal_position(m, w, p),
        Dataflow::Os => diagonal_position(m, p, w),
        Dataflow::Is => {
            let (fc, j) = (p / m.cols, p % m.cols);
            let wb = m.cols.min(m.px - fc * m.cols);
            fc * m.window * m.cols + w * wb + j
        }
    }
}

/// OS/WS, no −1 entries: prefetch-order position of the entry at spatial index `sp` (array row of
/// its fold) and temporal index `tp`, in the stacked blocks flattened by anti-diagonals.
pub(crate) fn diagonal_position(m: &Mapping, sp: u64, tp: u64) -> u64 {
    let (b, j) = (sp / m.rows, sp % m.rows);
    let (tt, blocks, lr) = (m.t, m.row_folds, m.last_rows_used());
    let g = b * tt + tp;
    let d = g + j;
    let top = d.min(tt * blocks - 1);
    // Valid cells of diagonal d above row g: only the last block pads (columns ≥ lr).
    let pad_lo = (g + 1).max((blocks - 1) * tt);
    let pad_hi = top.min(d.saturating_sub(lr));
    let pad = if d >= lr && pad_hi >= pad_lo {
        pad_hi - pad_lo + 1
    } else {
        0
    };
    crate::memory::diagonal_valid_before(d as i64, tt, m.rows, lr, blocks) as u64 + (top - g) - pad
}

/// Address tables of one layer's im2col matrix (see [`Im2col::lookup`]).
pub struct Lookup {
    pixel: Vec<u32>,
    pixel_yx: Vec<(u32, u32)>,
    elem: Vec<u32>,
    elem_yx: Vec<(u32, u32)>,
    h: u32,
    w: u32,
    fits: bool,
}

impl Lookup {
    /// Same as [`Im2col::addr`].
    #[inline]
    pub fn addr(&self, p: u64, w: u64) -> Option<u32> {
        let (p, w) = (p as usize, w as usize);
        if !self.fits {
            let ((y, x), (cr, cc)) = (self.pixel_yx[p], self.elem_yx[w]);
            if y + cr >= self.h || x + cc >= self.w {
                return None;
            }
        }
        Some(self.pixel[p] + self.elem[w])
    }

    /// Entry of the OS/WS ifmap operand at spatial index `s` (array row) and temporal index `t`.
    #[inline]
    pub(crate) fn entry(&self, m: &Mapping, s: u64, t: u64) -> Option<u32> {
        if s >= m.sr {
            return None;
        }
        match m.dataflow {
            Dataflow::Os => self.addr(s, t),
            _ => self.addr(t, s),
        }
    }
}

/// `n / d` by one widening multiplication for `n, d < 2^32` (Lemire, Kaser & Kurz 2019,
/// "Faster remainder by direct computation"): the address walks divide by the same few layer
/// constants millions of times. Larger operands fall back to the division instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Divisor {
    d: u64,
    /// `⌈2^64 / d⌉`, or 0 when `d = 1` or `d ≥ 2^32` (plain division then).
    m: u64,
}

impl Divisor {
    pub(crate) fn new(d: u64) -> Self {
        debug_assert!(d > 0);
        let m = if d > 1 && d >> 32 == 0 {
            u64::MAX / d + 1
        } else {
            0
        };
        Divisor { d, m }
    }

    #[inline]
    pub(crate) fn div(self, n: u64) -> u64 {
        if self.m != 0 && n >> 32 == 0 {
            ((self.m as u128 * n as u128) >> 64) as u64
        } else {
            n / self.d
        }
    }
}

/// [`Im2col::for_each_position`] with its divisions tabulated or strength-reduced, for the USER
/// walk's per-address lookups (a matrix without −1 entries).
pub(crate) struct PositionIndex {
    channels: Divisor,
    ifmap_w: Divisor,
    stride: Divisor,
    c: u64,
    w: u64,
    s: u64,
    filter_h: u64,
    filter_w: u64,
    ofmap_h: u64,
    ofmap_w: u64,
    order: Order,
}

/// How an entry's prefetch-order position follows from its pixel and window element.
enum Order {
    /// OS/WS: valid entries before each anti-diagonal, and per spatial index (array row of its
    /// fold) the first row `b·T` of its block and its column `j`.
    Diagonal {
        ws: bool,
        before: Vec<u64>,
        spatial: Vec<(u64, u64)>,
        height: u64,
        last_block_top: u64,
        last_width: u64,
    },
    /// IS: per pixel, the position of its window element 0 and its column block's width.
    Rows { pixel: Vec<(u64, u64)> },
}

impl PositionIndex {
    pub(crate) fn new(m: &Mapping, g: &Im2col) -> Self {
        debug_assert!(g.fits);
        let order = match m.dataflow {
            Dataflow::Os | Dataflow::Ws => {
                let (tt, blocks, lr) = (m.t, m.row_folds, m.last_rows_used());
                let height = tt * blocks;
                let before = (0..height + m.rows)
                    .map(|d| {
                        crate::memory::diagonal_valid_before(d as i64, tt, m.rows, lr, blocks)
                            as u64
                    })
                    .collect();
                let spatial = (0..m.sr)
                    .map(|sp| ((sp / m.rows) * tt, sp % m.rows))
                    .collect();
                Order::Diagonal {
                    ws: m.dataflow == Dataflow::Ws,
                    before,
                    spatial,
                    height,
                    last_block_top: (blocks - 1) * tt,
                    last_width: lr,
                }
            }
            Dataflow::Is => Order::Rows {
                pixel: (0..m.px)
                    .map(|p| {
                        let (fc, j) = (p / m.cols, p % m.cols);
                        (fc * m.window * m.cols + j, m.cols.min(m.px - fc * m.cols))
                    })
                    .collect(),
            },
        };
        PositionIndex {
            channels: Divisor::new(g.channels),
            ifmap_w: Divisor::new(g.ifmap_w),
            stride: Divisor::new(g.stride),
            c: g.channels,
            w: g.ifmap_w,
            s: g.stride,
            filter_h: g.filter_h,
            filter_w: g.filter_w,
            ofmap_h: g.ofmap_h,
            ofmap_w: g.ofmap_w,
            order,
        }
    }

    /// Prefetch-order position of entry `(p, w)` (as `position`).
    #[inline]
    fn position(&self, p: u64, w: u64) -> u64 {
        match &self.order {
            Order::Diagonal {
                ws,
                before,
                spatial,
                height,
                last_block_top,
                last_width,
            } => {
                let (sp, tp) = if *ws { (w, p) } else { (p, w) };
                let (block_top, j) = spatial[sp as usize];
                let g = block_top + tp;
                let d = g + j;
                let top = d.min(height - 1);
                let pad_lo = (g + 1).max(*last_block_top);
                let pad_hi = top.min(d.saturating_sub(*last_width));
                let pad = if d >= *last_width && pad_hi >= pad_lo {
                    pad_hi - pad_lo + 1
                } else {
                    0
                };
                before[d as usize] + (top - g) - pad
            }
            Order::Rows { pixel } => {
                let (first, width) = pixel[p as usize];
                first + w * width
            }
        }
    }

    /// Calls `f(q)` with the position of every entry holding address `a` (window rows and
    /// columns ascending, as [`Im2col::for_each_position`]) until `f` returns true.
    ///
    /// `hint` is the filter tap `(cr, cc)` that held the last address found: neighbouring demands
    /// tend to be found through the same tap, so it is tried first (the answer does not depend on
    /// the order), and updated.
    #[inline]
    pub(crate) fn any(
        &self,
        a: u32,
        hint: &Cell<(u64, u64)>,
        mut f: impl FnMut(u64) -> bool,
    ) -> bool {
        let a = a as u64;
        let yx = self.channels.div(a);
        let ch = a - yx * self.c;
        let y = self.ifmap_w.div(yx);
        let x = yx - y * self.w;
        let entry = |cr: u64, cc: u64, oy: u64, ox: u64| {
            (
                oy * self.ofmap_w + ox,
                (cr * self.filter_w + cc) * self.c + ch,
            )
        };
        let (hr, hc) = hint.get();
        if hr <= y && hc <= x && (y - hr).is_multiple_of(self.s) && (x - hc).is_multiple_of(self.s)
        {
            let (oy, ox) = ((y - hr) / self.s, (x - hc) / self.s);
            if oy < self.ofmap_h && ox < self.ofmap_w {
                let (p, w) = entry(hr, hc, oy, ox);
                if f(self.position(p, w)) {
                    return true;
                }
            }
        }
        // Window row cr covers ifmap row y from output row (y − cr)/s when s divides y − cr.
        let (oy0, ox0) = (self.stride.div(y), self.stride.div(x));
        let (cr0, cc0) = (y - oy0 * self.s, x - ox0 * self.s);
        let (mut cr, mut oy) = (cr0, oy0);
        while cr < self.filter_h && cr <= y {
            if oy < self.ofmap_h {
                let (mut cc, mut ox) = (cc0, ox0);
                while cc < self.filter_w && cc <= x {
                    if ox < self.ofmap_w {
                        let (p, w) = entry(cr, cc, oy, ox);
                        if f(self.position(p, w)) {
                            hint.set((cr, cc));
                            return true;
                        }
                    }
                    cc += self.s;
                    ox = ox.wrapping_sub(1);
                }
            }
            cr += self.s;
            oy = oy.wrapping_sub(1);
        }
        false
    }
}

/// `layer` on a `rows × cols` array (the ifmap geometry is all the address tests need).
#[cfg(test)]
pub(crate) fn test_mapping(layer: &Layer, dataflow: Dataflow, rows: u64, cols: u64) -> Mapping {
    use crate::config::{ArrayConfig, Bandwidth};
    let cfg = ArrayConfig {
        cols,
        ..ArrayConfig::square(rows, 1, dataflow, Bandwidth::User(8))
    };
    Mapping::new(layer, &cfg)
}

/// Small convolutions (`[H, W, FH, FW, C, F, S]`) for tests: overlapping and non-overlapping
/// windows, uneven strides, and `ceil` output sizes that run windows past the ifmap edge.
#[cfg(test)]
pub(crate) const TEST_CONVS: [[u64; 7]; 8] = [
    [10, 10, 3, 3, 4, 6, 1],
    [12, 11, 3, 2, 3, 5, 2],
    [9, 9, 3, 3, 16, 12, 1],
    [14, 14, 5, 5, 2, 4, 3],
    [11, 11, 2, 2, 8, 20, 1],
    [13, 9, 4, 3, 5, 7, 2],
    [8, 8, 1, 1, 6, 3, 1],
    [17, 17, 7, 7, 3, 4, 2],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisor_matches_division() {
        let ds = [
            1u64,
            2,
            3,
            5,
            7,
            10,
            64,
            100,
            641,
            4096,
            6553,
            65537,
            (1 << 31) + 11,
            u32::MAX as u64,
            1 << 32,
            (1 << 33) + 3,
        ];
        let ns = [
            0u64,
            1,
            2,
            9,
            99,
            100,
            101,
            12345,
            1 << 20,
            (1 << 32) - 2,
            (1 << 32) - 1,
            1 << 32,
            (1 << 40) + 17,
            u64::MAX,
        ];
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for &d in &ds {
            let div = Divisor::new(d);
            for &n in &ns {
                assert_eq!(div.div(n), n / d, "{n} / {d}");
            }
            for _ in 0..2000 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let n = rng >> (rng % 40);
                assert_eq!(div.div(n), n / d, "{n} / {d}");
            }
        }
        for d in 1..3000u64 {
            let div = Divisor::new(d);
            for n in (0..(1u64 << 32))
                .step_by(7_654_321)
                .chain([(1 << 32) - 1, d * 3 - 1, d * 3])
            {
                assert_eq!(div.div(n), n / d, "{n} / {d}");
            }
        }
    }

    #[test]
    fn position_index_matches_window_enumeration() {
        let mut checked = 0;
        for dims in TEST_CONVS {
            let layer = Layer::conv("c", dims).unwrap();
            for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
                for (rows, cols) in [(4, 4), (8, 4), (3, 5), (16, 16), (5, 7)] {
                    let m = test_mapping(&layer, dataflow, rows, cols);
                    let g = &m.im2col;
                    if !g.fits() {
                        continue;
                    }
                    let index = PositionIndex::new(&m, g);
                    for a in 0..g.address_space() as u32 {
                        let (mut slow, mut fast) = (Vec::new(), Vec::new());
                        g.for_each_position(&m, a, |q| slow.push(q));
                        let hint = Cell::new((0, 0));
                        assert!(!index.any(a, &hint, |q| {
                            fast.push(q);
                            false
                        }));
                        // The hinted tap may be tried twice.
                        fast.sort_unstable();
                        fast.dedup();
                        let mut sorted = slow.clone();
                        sorted.sort_unstable();
                        assert_eq!(
                            fast, sorted,
                            "{dims:?} {dataflow:?} {rows}x{cols} address {a}"
                        );
                        // Stopping early stops at the position accepted, whose tap is tried first
                        // next time.
                        if let Some(&last) = slow.last() {
                            assert!(index.any(a, &hint, |q| q == last));
                            let mut seen = Vec::new();
                            assert!(index.any(a, &hint, |q| {
                                seen.push(q);
                                q == last
                            }));
                            assert_eq!(seen, [last]);
                        }
                        checked += slow.len();
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
