//! The accelerator configuration (SCALE-Sim's `architecture_presets` + `run_presets`), validated once.

use serde::{Deserialize, Serialize};

use crate::error::AccelError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    Os,
    Ws,
    Is,
}

impl Dataflow {
    pub const LABELS: [&'static str; 3] = ["os", "ws", "is"];
    pub fn parse(s: &str) -> Option<Dataflow> {
        match s.to_ascii_lowercase().as_str() {
            "os" => Some(Dataflow::Os),
            "ws" => Some(Dataflow::Ws),
            "is" => Some(Dataflow::Is),
            _ => None,
        }
    }
}

/// SCALE-Sim's `InterfaceBandwidth`: `CALC` sizes the DRAM interface so nothing stalls; `USER` gives
/// the ofmap write interface `words` per cycle (SCALE-Sim 3.0.0 reads ifmap/filter at the layout's
/// bank bandwidth, [`READ_BANK_BANDWIDTH`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bandwidth {
    Calc,
    User(u64),
}

impl Bandwidth {
    /// `calc` or words per cycle.
    pub fn parse(s: &str) -> Option<Bandwidth> {
        match s {
            "calc" => Some(Bandwidth::Calc),
            w => w.parse().ok().map(Bandwidth::User),
        }
    }
}

/// SCALE-Sim 3.0.0's ifmap/filter DRAM read bandwidth (words/cycle): `IfmapSRAMBankBandwidth` /
/// `FilterSRAMBankBandwidth` of its default layout section, also its CALC-mode estimate start value.
pub const READ_BANK_BANDWIDTH: u64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArrayConfig {
    pub rows: u64,
    pub cols: u64,
    pub ifmap_kb: u64,
    pub filter_kb: u64,
    pub ofmap_kb: u64,
    pub dataflow: Dataflow,
    pub bandwidth: Bandwidth,
}

/// Accepted knob ranges (inclusive).
pub const ARRAY_DIM_RANGE: (u64, u64) = (1, 1024);
pub const SRAM_KB_RANGE: (u64, u64) = (1, 1 << 16);
pub const BANDWIDTH_RANGE: (u64, u64) = (1, 1 << 16);

impl ArrayConfig {
    /// A `size × size` array with three SRAMs of `kb` kB each.
    pub fn square(size: u64, kb: u64, dataflow: Dataflow, bandwidth: Bandwidth) -> ArrayConfig {
        ArrayConfig {
            rows: size,
            cols: size,
            ifmap_kb: kb,
            filter_kb: kb,
            ofmap_kb: kb,
            dataflow,
            bandwidth,
        }
    }

    pub fn validate(&self) -> Result<(), AccelError> {
        let check = |knob: &str, v: u64, (lo, hi): (u64, u64)| {
            if v < lo || v > hi {
                Err(AccelError::Knob {
                    knob: knob.into(),
                    value: v.to_string(),
                    reason: format!("must be in {lo}..={hi}"),
                })
            } else {
                Ok(())
            }
        };
        check("rows", self.rows, ARRAY_DIM_RANGE)?;
        check("cols", self.cols, ARRAY_DIM_RANGE)?;
        check("ifmap_kb", self.ifmap_kb, SRAM_KB_RANGE)?;
        check("filter_kb", self.filter_kb, SRAM_KB_RANGE)?;
        check("ofmap_kb", self.ofmap_kb, SRAM_KB_RANGE)?;
        if let Bandwidth::User(w) = self.bandwidth {
            check("bandwidth", w, BANDWIDTH_RANGE)?;
        }
        Ok(())
    }
}
