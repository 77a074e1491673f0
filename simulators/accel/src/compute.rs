//! Fold geometry of SCALE-Sim's three systolic dataflows (`scalesim/compute/systolic_compute_*.py`):
//! how the operand matrices are tiled onto the array, how many demand lines (cycles) each fold takes,
//! and the closed-form SRAM access counts, mapping efficiency and compute utilisation.

use crate::config::{ArrayConfig, Dataflow};
use crate::im2col::Im2col;
use crate::layer::Layer;

/// Spatio-temporal mapping of one layer on one array, in SCALE-Sim's own terms:
/// `sr` rows and `sc` columns are mapped spatially, `t` is streamed in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub dataflow: Dataflow,
    pub rows: u64,
    pub cols: u64,
    /// Output pixels per filter.
    pub px: u64,
    /// Filter window × channels.
    pub window: u64,
    pub filters: u64,
    pub sr: u64,
    pub sc: u64,
    pub t: u64,
    pub row_folds: u64,
    pub col_folds: u64,
    /// Demand lines per fold.
    pub fold_lines: u64,
    /// Distinct ifmap addresses the layer touches (im2col repeats addresses).
    pub distinct_ifmap: u64,
    /// The ifmap operand's addresses.
    pub im2col: Im2col,
}

/// Closed-form compute-side results of one layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComputeStats {
    pub compute_cycles: u64,
    pub ifmap_sram_reads: u64,
    pub filter_sram_reads: u64,
    pub ofmap_sram_writes: u64,
    pub mapping_efficiency: f64,
    pub compute_utilization: f64,
    pub macs: u64,
}

impl Mapping {
    pub fn new(layer: &Layer, cfg: &ArrayConfig) -> Mapping {
        let (px, window, filters) = (layer.ofmap_px(), layer.window(), layer.filters);
        let (r, c) = (cfg.rows, cfg.cols);
        let (sr, sc, t) = match cfg.dataflow {
            Dataflow::Os => (px, filters, window),
            Dataflow::Ws => (window, filters, px),
            Dataflow::Is => (window, px, filters),
        };
        let fold_lines = match cfg.dataflow {
            Dataflow::Os => t + r + c - 2,
            Dataflow::Ws | Dataflow::Is => t + 2 * r + c - 2,
        };
        Mapping {
            dataflow: cfg.dataflow,
            rows: r,
            cols: c,
            px,
            window,
            filters,
            sr,
            sc,
            t,
            row_folds: sr.div_ceil(r),
            col_folds: sc.div_ceil(c),
            fold_lines,
            distinct_ifmap: distinct_ifmap(layer),
            im2col: Im2col::new(layer),
        }
    }

    pub fn folds(&self) -> u64 {
        self.row_folds * self.col_folds
    }

    /// Demand lines of the whole layer; the last one is cycle `lines − 1` when nothing stalls.
    pub fn lines(&self) -> u64 {
        self.folds() * self.fold_lines
    }

    /// Rows of the array used by the last row fold.
    pub fn last_rows_used(&self) -> u64 {
        self.sr - (self.row_folds - 1) * self.rows
    }
    /// Columns of the array used by the last column fold.
    pub fn last_cols_used(&self) -> u64 {
        self.sc - (self.col_folds - 1) * self.cols
    }

    pub fn stats(&self) -> ComputeStats {
        let (r, c, t) = (self.rows, self.cols, self.t);
        let folds = self.folds();
        let (ifmap, filter, ofmap) = match self.dataflow {
            Dataflow::Os => (
                self.col_folds * t * self.px,
                self.row_folds * t * self.filters,
                // SCALE-Sim's OS counter also adds the padded fold's height + width per fold.
                self.px * self.filters + folds * (r + c),
            ),
            Dataflow::Ws => (
                self.col_folds * self.px * self.window,
                self.window * self.filters,
                self.row_folds * self.px * self.filters,
            ),
            Dataflow::Is => (
                self.window * self.px,
                self.col_folds * self.filters * self.window,
                self.row_folds * self.filters * self.px,
            ),
        };
        // Cycles SCALE-Sim counts per fold for compute utilisation (its demand matrix height + width − 1).
        let util_cycles = match self.dataflow {
            Dataflow::Os => t + r + c - 2,
            Dataflow::Ws | Dataflow::Is => t + 2 * r + 2 * c - 3,
        };
        let used = (self.sr * self.sc) as f64;
        let pes = (r * c) as f64;
        ComputeStats {
            compute_cycles: self.lines() - 1,
            ifmap_sram_reads: ifmap,
            filter_sram_reads: filter,
            ofmap_sram_writes: ofmap,
            mapping_efficiency: used / (folds as f64 * pes),
            compute_utilization: used * t as f64 / (pes * util_cycles as f64 * folds as f64),
            macs: self.px * self.window * self.filters,
        }
    }
}

/// Input words covered by the union of all windows (SCALE-Sim's `ceil` output size may run windows
/// past the ifmap edge; those addresses are dropped).
fn distinct_ifmap(layer: &Layer) -> u64 {
    let covered = |input: u64, filter: u64, out: u64| {
        (filter + (out - 1) * layer.stride.min(filter)).min(input)
    };
    covered(layer.ifmap_h, layer.filter_h, layer.ofmap_h())
        * covered(layer.ifmap_w, layer.filter_w, layer.ofmap_w())
        * layer.channels
}
