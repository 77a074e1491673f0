//! Energy and area model: per-access energies and areas from a documented data table
//! (`data/energy_table.json`, each constant with its published source), replaceable from a JSON file.
//!
//! energy = MACs·E_mac + Σ SRAM accesses·E_sram(capacity, width) + DRAM words·E_dram + leakage·cycles;
//! area = PEs·A_pe + SRAM bits·A_bitcell / efficiency.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::ArrayConfig;
use crate::error::AccelError;
use crate::report::LayerReport;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourced {
    pub value: f64,
    pub source: String,
}

/// A constant per word width in bytes (`"1"`, `"2"`, `"4"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerWidth {
    pub values: BTreeMap<String, f64>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyTable {
    pub technology: String,
    pub mac_pj: PerWidth,
    pub sram_pj_per_64b_at_8kb: Sourced,
    pub sram_capacity_exponent: Sourced,
    pub sram_write_factor: Sourced,
    pub dram_pj_per_64b: Sourced,
    pub pe_area_um2: PerWidth,
    pub sram_bitcell_um2: Sourced,
    pub sram_array_efficiency: Sourced,
    pub leakage_pj_per_cycle_per_kb: Sourced,
}

const DEFAULT_TABLE: &str = include_str!("../data/energy_table.json");

/// Energy of one evaluation, by component (pJ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct EnergyBreakdown {
    pub mac_pj: f64,
    pub sram_pj: f64,
    pub dram_pj: f64,
    pub leakage_pj: f64,
}

impl EnergyBreakdown {
    pub fn total(&self) -> f64 {
        self.mac_pj + self.sram_pj + self.dram_pj + self.leakage_pj
    }
    pub fn add(&mut self, other: &EnergyBreakdown) {
        self.mac_pj += other.mac_pj;
        self.sram_pj += other.sram_pj;
        self.dram_pj += other.dram_pj;
        self.leakage_pj += other.leakage_pj;
    }
}

impl EnergyTable {
    /// The built-in table.
    pub fn default_table() -> EnergyTable {
        serde_json::from_str(DEFAULT_TABLE)
            .expect("built-in energy table is valid (checked by tests)")
    }

    pub fn from_json(text: &str, path: &Path) -> Result<EnergyTable, AccelError> {
        let table: EnergyTable =
            serde_json::from_str(text).map_err(|e| AccelError::EnergyTable {
                file: path.into(),
                reason: e.to_string(),
            })?;
        table.validate(path)?;
        Ok(table)
    }

    pub fn read(path: &Path) -> Result<EnergyTable, AccelError> {
        let text = std::fs::read_to_string(path).map_err(|source| AccelError::Io {
            file: path.into(),
            source,
        })?;
        EnergyTable::from_json(&text, path)
    }

    fn validate(&self, path: &Path) -> Result<(), AccelError> {
        let bad = |reason: String| {
            Err(AccelError::EnergyTable {
                file: path.into(),
                reason,
            })
        };
        for (name, c) in self.constants() {
            if !(c.is_finite() && c >= 0.0) {
                return bad(format!(
                    "`{name}` must be a finite non-negative number, got {c}"
                ));
            }
        }
        for (name, src) in self.sources() {
            if src.trim().is_empty() {
                return bad(format!("`{name}` has no source"));
            }
        }
        for (name, pw) in [("mac_pj", &self.mac_pj), ("pe_area_um2", &self.pe_area_um2)] {
            for key in pw.values.keys() {
                if key.parse::<u32>().is_err() {
                    return bad(format!("`{name}`: width key `{key}` is not a byte count"));
                }
            }
        }
        Ok(())
    }

    /// Every numeric constant, by name.
    pub fn constants(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = vec![
            (
                "sram_pj_per_64b_at_8kb".into(),
                self.sram_pj_per_64b_at_8kb.value,
            ),
            (
                "sram_capacity_exponent".into(),
                self.sram_capacity_exponent.value,
            ),
            ("sram_write_factor".into(), self.sram_write_factor.value),
            ("dram_pj_per_64b".into(), self.dram_pj_per_64b.value),
            ("sram_bitcell_um2".into(), self.sram_bitcell_um2.value),
            (
                "sram_array_efficiency".into(),
                self.sram_array_efficiency.value,
            ),
            (
                "leakage_pj_per_cycle_per_kb".into(),
                self.leakage_pj_per_cycle_per_kb.value,
            ),
        ];
        for (name, pw) in [("mac_pj", &self.mac_pj), ("pe_area_um2", &self.pe_area_um2)] {
            out.extend(pw.values.iter().map(|(k, v)| (format!("{name}[{k}]"), *v)));
        }
        out
    }

    /// Every constant group's source text.
    pub fn sources(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("mac_pj", &self.mac_pj.source),
            (
                "sram_pj_per_64b_at_8kb",
                &self.sram_pj_per_64b_at_8kb.source,
            ),
            (
                "sram_capacity_exponent",
                &self.sram_capacity_exponent.source,
            ),
            ("sram_write_factor", &self.sram_write_factor.source),
            ("dram_pj_per_64b", &self.dram_pj_per_64b.source),
            ("pe_area_um2", &self.pe_area_um2.source),
            ("sram_bitcell_um2", &self.sram_bitcell_um2.source),
            ("sram_array_efficiency", &self.sram_array_efficiency.source),
            (
                "leakage_pj_per_cycle_per_kb",
                &self.leakage_pj_per_cycle_per_kb.source,
            ),
        ]
    }

    /// Value for `word_bytes`, interpolating linearly between tabulated widths (clamped at the ends).
    fn per_width(pw: &PerWidth, word_bytes: u32) -> f64 {
        let pts: Vec<(f64, f64)> = pw
            .values
            .iter()
            .filter_map(|(k, v)| k.parse::<f64>().ok().map(|w| (w, *v)))
            .collect::<Vec<_>>();
        let mut pts = pts;
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let w = word_bytes as f64;
        match pts.iter().position(|p| p.0 >= w) {
            None => pts.last().map_or(0.0, |p| p.1),
            Some(0) => pts[0].1,
            Some(i) => {
                let (a, b) = (pts[i - 1], pts[i]);
                a.1 + (b.1 - a.1) * (w - a.0) / (b.0 - a.0)
            }
        }
    }

    pub fn mac_pj(&self, word_bytes: u32) -> f64 {
        Self::per_width(&self.mac_pj, word_bytes)
    }

    /// Energy of one SRAM read of one word from an SRAM of `capacity_kb`.
    pub fn sram_read_pj(&self, capacity_kb: u64, word_bytes: u32) -> f64 {
        let width_scale = (word_bytes * 8) as f64 / 64.0;
        self.sram_pj_per_64b_at_8kb.value
            * width_scale
            * (capacity_kb as f64 / 8.0).powf(self.sram_capacity_exponent.value)
    }

    pub fn sram_write_pj(&self, capacity_kb: u64, word_bytes: u32) -> f64 {
        self.sram_read_pj(capacity_kb, word_bytes) * self.sram_write_factor.value
    }

    pub fn dram_pj_per_word(&self, word_bytes: u32) -> f64 {
        self.dram_pj_per_64b.value * (word_bytes * 8) as f64 / 64.0
    }

    pub fn pe_area_mm2(&self, word_bytes: u32) -> f64 {
        Self::per_width(&self.pe_area_um2, word_bytes) * 1e-6
    }

    pub fn sram_area_mm2_per_kb(&self) -> f64 {
        8192.0 * self.sram_bitcell_um2.value / self.sram_array_efficiency.value * 1e-6
    }

    /// Chip area: PEs plus the three SRAMs (capacities in kB of `word_bytes`-wide words as configured).
    pub fn area_mm2(&self, cfg: &ArrayConfig, word_bytes: u32) -> f64 {
        let pes = (cfg.rows * cfg.cols) as f64;
        let kb = (cfg.ifmap_kb + cfg.filter_kb + cfg.ofmap_kb) as f64;
        pes * self.pe_area_mm2(word_bytes) + kb * self.sram_area_mm2_per_kb()
    }

    /// Energy of one simulated layer. SCALE-Sim counts words; SRAM sizes are in kB as configured.
    pub fn layer_energy(
        &self,
        r: &LayerReport,
        cfg: &ArrayConfig,
        word_bytes: u32,
    ) -> EnergyBreakdown {
        let sram_reads = r.sram_ifmap_reads * self.sram_read_pj(cfg.ifmap_kb, word_bytes)
            + r.sram_filter_reads * self.sram_read_pj(cfg.filter_kb, word_bytes);
        // DRAM fills are SRAM writes; ofmap writes go into the ofmap SRAM and are read out to DRAM.
        let sram_fills = r.dram_ifmap_reads * self.sram_write_pj(cfg.ifmap_kb, word_bytes)
            + r.dram_filter_reads * self.sram_write_pj(cfg.filter_kb, word_bytes);
        let ofmap = r.sram_ofmap_writes * self.sram_write_pj(cfg.ofmap_kb, word_bytes)
            + r.dram_ofmap_writes * self.sram_read_pj(cfg.ofmap_kb, word_bytes);
        let kb = (cfg.ifmap_kb + cfg.filter_kb + cfg.ofmap_kb) as f64;
        EnergyBreakdown {
            mac_pj: r.macs as f64 * self.mac_pj(word_bytes),
            sram_pj: sram_reads + sram_fills + ofmap,
            dram_pj: r.dram_words() * self.dram_pj_per_word(word_bytes),
            leakage_pj: r.total_cycles * kb * self.leakage_pj_per_cycle_per_kb.value,
        }
    }
}
