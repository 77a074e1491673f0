//! One layer's results, field by field as SCALE-Sim 3.0.0 reports them (COMPUTE_REPORT.csv,
//! BANDWIDTH_REPORT.csv, DETAILED_ACCESS_REPORT.csv).

use serde::Serialize;

use crate::compute::Mapping;
use crate::config::ArrayConfig;
use crate::layer::Layer;
use crate::memory;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerReport {
    pub layer: String,
    pub macs: u64,
    /// Cycles without stalls (the closed form of the reference README).
    pub compute_cycles: u64,
    pub total_cycles_incl_prefetch: f64,
    pub total_cycles: f64,
    pub stall_cycles: f64,
    pub overall_util: f64,
    pub mapping_efficiency: f64,
    pub compute_util: f64,
    pub avg_ifmap_sram_bw: f64,
    pub avg_filter_sram_bw: f64,
    pub avg_ofmap_sram_bw: f64,
    pub avg_ifmap_dram_bw: f64,
    pub avg_filter_dram_bw: f64,
    pub avg_ofmap_dram_bw: f64,
    pub sram_ifmap_start_cycle: f64,
    pub sram_ifmap_stop_cycle: f64,
    pub sram_ifmap_reads: f64,
    pub sram_filter_start_cycle: f64,
    pub sram_filter_stop_cycle: f64,
    pub sram_filter_reads: f64,
    pub sram_ofmap_start_cycle: f64,
    pub sram_ofmap_stop_cycle: f64,
    pub sram_ofmap_writes: f64,
    pub dram_ifmap_start_cycle: f64,
    pub dram_ifmap_stop_cycle: f64,
    pub dram_ifmap_reads: f64,
    pub dram_filter_start_cycle: f64,
    pub dram_filter_stop_cycle: f64,
    pub dram_filter_reads: f64,
    pub dram_ofmap_start_cycle: f64,
    pub dram_ofmap_stop_cycle: f64,
    pub dram_ofmap_writes: f64,
}

/// SCALE-Sim's report column names, in report order, with the metric key each becomes (lower case,
/// runs of other characters → `_`).
pub const REPORT_FIELDS: &[&str] = &[
    "Total Cycles (incl. prefetch)",
    "Total Cycles",
    "Stall Cycles",
    "Overall Util %",
    "Mapping Efficiency %",
    "Compute Util %",
    "Avg IFMAP SRAM BW",
    "Avg FILTER SRAM BW",
    "Avg OFMAP SRAM BW",
    "Avg IFMAP DRAM BW",
    "Avg FILTER DRAM BW",
    "Avg OFMAP DRAM BW",
    "SRAM IFMAP Start Cycle",
    "SRAM IFMAP Stop Cycle",
    "SRAM IFMAP Reads",
    "SRAM Filter Start Cycle",
    "SRAM Filter Stop Cycle",
    "SRAM Filter Reads",
    "SRAM OFMAP Start Cycle",
    "SRAM OFMAP Stop Cycle",
    "SRAM OFMAP Writes",
    "DRAM IFMAP Start Cycle",
    "DRAM IFMAP Stop Cycle",
    "DRAM IFMAP Reads",
    "DRAM Filter Start Cycle",
    "DRAM Filter Stop Cycle",
    "DRAM Filter Reads",
    "DRAM OFMAP Start Cycle",
    "DRAM OFMAP Stop Cycle",
    "DRAM OFMAP Writes",
];

/// A report column name as a metric key: lower case, each run of non-alphanumerics → `_`, trimmed.
pub fn metric_key(column: &str) -> String {
    let mut key = String::with_capacity(column.len());
    for ch in column.chars() {
        if ch.is_ascii_alphanumeric() {
            key.push(ch.to_ascii_lowercase());
        } else if !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_matches('_').to_string()
}

impl LayerReport {
    /// Values in [`REPORT_FIELDS`] order.
    pub fn values(&self) -> [f64; 30] {
        [
            self.total_cycles_incl_prefetch,
            self.total_cycles,
            self.stall_cycles,
            self.overall_util,
            self.mapping_efficiency,
            self.compute_util,
            self.avg_ifmap_sram_bw,
            self.avg_filter_sram_bw,
            self.avg_ofmap_sram_bw,
            self.avg_ifmap_dram_bw,
            self.avg_filter_dram_bw,
            self.avg_ofmap_dram_bw,
            self.sram_ifmap_start_cycle,
            self.sram_ifmap_stop_cycle,
            self.sram_ifmap_reads,
            self.sram_filter_start_cycle,
            self.sram_filter_stop_cycle,
            self.sram_filter_reads,
            self.sram_ofmap_start_cycle,
            self.sram_ofmap_stop_cycle,
            self.sram_ofmap_writes,
            self.dram_ifmap_start_cycle,
            self.dram_ifmap_stop_cycle,
            self.dram_ifmap_reads,
            self.dram_filter_start_cycle,
            self.dram_filter_stop_cycle,
            self.dram_filter_reads,
            self.dram_ofmap_start_cycle,
            self.dram_ofmap_stop_cycle,
            self.dram_ofmap_writes,
        ]
    }

    /// `(metric key, value)` for every report field.
    pub fn fields(&self) -> impl Iterator<Item = (String, f64)> + '_ {
        REPORT_FIELDS
            .iter()
            .zip(self.values())
            .map(|(c, v)| (metric_key(c), v))
    }

    pub fn dram_words(&self) -> f64 {
        self.dram_ifmap_reads + self.dram_filter_reads + self.dram_ofmap_writes
    }
}

/// Simulates one layer on one (validated) configuration.
pub fn simulate_layer(layer: &Layer, cfg: &ArrayConfig) -> LayerReport {
    let m = Mapping::new(layer, cfg);
    let c = m.stats();
    let mem = memory::simulate(&m, cfg);
    let stall = mem.stall_cycles as f64;
    let total = c.compute_cycles as f64 + stall;
    let pes = (cfg.rows * cfg.cols) as f64;
    // A one-fold layer on a 1×1 array takes zero cycles by SCALE-Sim's count (SCALE-Sim itself then
    // divides by zero); rates use at least one cycle.
    let per_cycle = total.max(1.0);
    let (first_if, first_f, first_of) = first_lines(&m);
    let (last_if, last_f, last_of) = last_demand_lines(&m);
    let dram_start = mem.ifmap.start_cycle.min(mem.filter.start_cycle);
    let bw = |words: u64, start: f64, stop: f64| words as f64 / (stop - start + 1.0);
    LayerReport {
        layer: layer.name.clone(),
        macs: c.macs,
        compute_cycles: c.compute_cycles,
        total_cycles_incl_prefetch: (mem.ofmap.stop_cycle - dram_start).floor(),
        total_cycles: total,
        stall_cycles: stall,
        overall_util: c.macs as f64 * 100.0 / (per_cycle * pes),
        mapping_efficiency: c.mapping_efficiency * 100.0,
        compute_util: c.compute_utilization * 100.0,
        avg_ifmap_sram_bw: c.ifmap_sram_reads as f64 / per_cycle,
        avg_filter_sram_bw: c.filter_sram_reads as f64 / per_cycle,
        avg_ofmap_sram_bw: c.ofmap_sram_writes as f64 / per_cycle,
        avg_ifmap_dram_bw: bw(mem.ifmap.words, mem.ifmap.start_cycle, mem.ifmap.stop_cycle),
        avg_filter_dram_bw: bw(
            mem.filter.words,
            mem.filter.start_cycle,
            mem.filter.stop_cycle,
        ),
        avg_ofmap_dram_bw: bw(mem.ofmap.words, mem.ofmap.start_cycle, mem.ofmap.stop_cycle),
        sram_ifmap_start_cycle: (first_if + 1) as f64,
        sram_ifmap_stop_cycle: (last_if + 1 + mem.stall_before_last_ifmap) as f64,
        sram_ifmap_reads: c.ifmap_sram_reads as f64,
        sram_filter_start_cycle: (first_f + 1) as f64,
        sram_filter_stop_cycle: (last_f + 1 + mem.stall_before_last_filter) as f64,
        sram_filter_reads: c.filter_sram_reads as f64,
        sram_ofmap_start_cycle: first_of as f64,
        sram_ofmap_stop_cycle: (last_of + mem.stall_before_last_ofmap) as f64,
        sram_ofmap_writes: c.ofmap_sram_writes as f64,
        dram_ifmap_start_cycle: mem.ifmap.start_cycle,
        dram_ifmap_stop_cycle: mem.ifmap.stop_cycle,
        dram_ifmap_reads: mem.ifmap.words as f64,
        dram_filter_start_cycle: mem.filter.start_cycle,
        dram_filter_stop_cycle: mem.filter.stop_cycle,
        dram_filter_reads: mem.filter.words as f64,
        dram_ofmap_start_cycle: mem.ofmap.start_cycle,
        dram_ofmap_stop_cycle: mem.ofmap.stop_cycle,
        dram_ofmap_writes: mem.ofmap.words as f64,
    }
}

/// First demand line carrying a valid ifmap, filter and ofmap word.
fn first_lines(m: &Mapping) -> (u64, u64, u64) {
    use crate::config::Dataflow::*;
    let r = m.rows;
    let ru = r.min(m.sr);
    match m.dataflow {
        Os => (0, 0, m.t - 1 + r - ru),
        Ws => (r, r - ru, 2 * r - 1),
        Is => (r - ru, r, 2 * r - 1),
    }
}

/// Last demand line carrying a valid ifmap, filter and ofmap word.
fn last_demand_lines(m: &Mapping) -> (u64, u64, u64) {
    use crate::config::Dataflow::*;
    let last = (m.folds() - 1) * m.fold_lines;
    let (r, lr, lc, t) = (m.rows, m.last_rows_used(), m.last_cols_used(), m.t);
    let (i, f, o) = match m.dataflow {
        Os => (t - 1 + lr - 1, t - 1 + lc - 1, t - 1 + r - 1 + lc - 1),
        Ws => (r + t - 1 + lr - 1, r - 1, 2 * r - 1 + t - 1 + lc - 1),
        Is => (r - 1, r + t - 1 + lr - 1, 2 * r - 1 + t - 1 + lc - 1),
    };
    (last + i, last + f, last + o)
}
