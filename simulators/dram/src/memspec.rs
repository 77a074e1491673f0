//! DRAMSys memspec JSON (`memarchitecturespec`, `memtimingspec`, `mempowerspec`), validated once into a
//! typed [`MemSpec`] with timings in clock cycles.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{DramError, line_of};

/// The memory standards whose timing rules this crate knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standard {
    Ddr3,
    Ddr4,
}

/// Organisation of one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Arch {
    pub burst_length: u32,
    pub data_rate: u32,
    /// Banks per rank.
    pub banks: u32,
    /// Bank groups per rank (1 for DDR3).
    pub bank_groups: u32,
    pub columns: u32,
    pub rows: u32,
    pub ranks: u32,
    /// Device width in bits.
    pub width: u32,
    /// Devices on the DIMM (energy is per device, times this).
    pub devices: u32,
}

impl Arch {
    pub fn banks_per_channel(&self) -> usize {
        (self.banks * self.ranks) as usize
    }
    pub fn groups_per_channel(&self) -> usize {
        (self.bank_groups * self.ranks) as usize
    }
    pub fn banks_per_group(&self) -> u32 {
        self.banks / self.bank_groups
    }
    /// Bytes of one burst on the whole data bus.
    pub fn bytes_per_burst(&self) -> u64 {
        (self.burst_length * self.width * self.devices / 8) as u64
    }
}

/// Timing parameters in clock cycles (DDR3 has no _S/_L split: both hold the one value).
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    pub clk_mhz: f64,
    pub burst_cycles: i64,
    pub al: i64,
    pub ccd_s: i64,
    pub ccd_l: i64,
    pub cl: i64,
    pub dqsck: i64,
    pub faw: i64,
    pub ras: i64,
    pub rc: i64,
    pub rcd: i64,
    pub refi: i64,
    pub rfc: i64,
    pub rl: i64,
    pub rp: i64,
    pub rrd_s: i64,
    pub rrd_l: i64,
    pub rtp: i64,
    pub wl: i64,
    pub wr: i64,
    pub wtr_s: i64,
    pub wtr_l: i64,
    pub rtrs: i64,
    pub wpre: i64,
    pub rpre: i64,
}

impl Timing {
    /// Data-bus cycles of one burst (BL / data rate).
    pub fn burst(&self) -> i64 {
        self.burst_cycles
    }
    /// The controller clock period in ps as SystemC rounds it (`sc_time(1/f, SC_US)`).
    pub fn tck_ps(&self) -> u64 {
        (1e6 / self.clk_mhz).round() as u64
    }
    /// The clock period in ns as DRAMPower uses it (`1000 / clkMhz`).
    pub fn tck_ns(&self) -> f64 {
        1000.0 / self.clk_mhz
    }
}

/// Currents (mA) and voltages (V) of one device; `idd02`/`idd62`/`vdd2` are DDR4's second supply.
#[derive(Clone, Debug, PartialEq)]
pub struct Power {
    pub idd0: f64,
    pub idd02: f64,
    pub idd2n: f64,
    pub idd3n: f64,
    pub idd4r: f64,
    pub idd4w: f64,
    pub idd5: f64,
    pub idd6: f64,
    pub idd62: f64,
    pub vdd: f64,
    pub vdd2: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemSpec {
    pub id: String,
    pub standard: Standard,
    pub arch: Arch,
    pub timing: Timing,
    pub power: Power,
}

/// The JSON shape DRAMSys reads; values are kept as numbers per key and checked in [`MemSpec::from_sections`].
#[derive(Deserialize)]
struct RawFile {
    memspec: RawSpec,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct RawSpec {
    memarchitecturespec: BTreeMap<String, serde_json::Value>,
    memoryId: String,
    memoryType: String,
    mempowerspec: BTreeMap<String, serde_json::Value>,
    memtimingspec: BTreeMap<String, serde_json::Value>,
}

/// Key → number lookups of one memspec section, with errors that name file, line and field.
pub(crate) struct Section<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub name: &'a str,
    pub values: BTreeMap<String, f64>,
}

impl Section<'_> {
    fn err(&self, field: &str, message: String) -> DramError {
        let line = match self.text.find(&format!("\"{field}\"")) {
            Some(_) => line_of(self.text, &format!("\"{field}\"")),
            None => line_of(self.text, &format!("\"{}\"", self.name)),
        };
        DramError::Field {
            file: self.file.into(),
            line,
            field: format!("{}.{field}", self.name),
            message,
        }
    }
    fn opt(&self, key: &str) -> Option<f64> {
        self.values.get(key).copied()
    }
    fn num(&self, key: &str) -> Result<f64, DramError> {
        let v = self
            .opt(key)
            .ok_or_else(|| self.err(key, "missing".into()))?;
        if !v.is_finite() || v < 0.0 {
            return Err(self.err(key, format!("must be a non-negative number, got {v}")));
        }
        Ok(v)
    }
    fn int(&self, key: &str) -> Result<i64, DramError> {
        let v = self.num(key)?;
        if v.fract() != 0.0 {
            return Err(self.err(key, format!("must be a whole number of cycles, got {v}")));
        }
        Ok(v as i64)
    }
    fn positive(&self, key: &str) -> Result<u32, DramError> {
        let v = self.int(key)?;
        if v <= 0 || v > u32::MAX as i64 {
            return Err(self.err(key, format!("must be a positive integer, got {v}")));
        }
        Ok(v as u32)
    }
    /// First present key of `keys` (DRAMSys versions spell some keys differently).
    fn positive_any(&self, keys: &[&str]) -> Result<u32, DramError> {
        match keys.iter().find(|k| self.values.contains_key(**k)) {
            Some(k) => self.positive(k),
            None => Err(self.err(keys[0], "missing".into())),
        }
    }
}

fn numbers(
    file: &str,
    text: &str,
    section: &str,
    map: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, f64>, DramError> {
    let mut out = BTreeMap::new();
    for (k, v) in map {
        match v.as_f64() {
            Some(x) => {
                out.insert(k.clone(), x);
            }
            None if v.is_string() || v.is_boolean() || v.is_null() => {} // descriptive extras
            None => {
                return Err(DramError::Field {
                    file: file.into(),
                    line: line_of(text, &format!("\"{k}\"")),
                    field: format!("{section}.{k}"),
                    message: format!("expected a number, got {v}"),
                });
            }
        }
    }
    Ok(out)
}

impl MemSpec {
    /// Reads a DRAMSys memspec JSON file.
    pub fn from_file(path: &Path) -> Result<Self, DramError> {
        let text = std::fs::read_to_string(path).map_err(|source| DramError::Io {
            path: path.into(),
            source,
        })?;
        Self::from_json(&path.display().to_string(), &text)
    }

    /// Parses memspec JSON text; `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<Self, DramError> {
        let raw: RawFile = serde_json::from_str(text).map_err(|e| DramError::Json {
            file: file.into(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let r = raw.memspec;
        let arch = Section {
            file,
            text,
            name: "memarchitecturespec",
            values: numbers(file, text, "memarchitecturespec", &r.memarchitecturespec)?,
        };
        let timing = Section {
            file,
            text,
            name: "memtimingspec",
            values: numbers(file, text, "memtimingspec", &r.memtimingspec)?,
        };
        let power = Section {
            file,
            text,
            name: "mempowerspec",
            values: numbers(file, text, "mempowerspec", &r.mempowerspec)?,
        };
        let standard = match r.memoryType.as_str() {
            "DDR3" => Standard::Ddr3,
            "DDR4" => Standard::Ddr4,
            other => {
                return Err(DramError::Field {
                    file: file.into(),
                    line: line_of(text, "\"memoryType\""),
                    field: "memoryType".into(),
                    message: format!("unsupported memory type `{other}` (supported: DDR3, DDR4)"),
                });
            }
        };
        Self::from_sections(r.memoryId, standard, &arch, &timing, &power)
    }

    pub(crate) fn from_sections(
        id: String,
        standard: Standard,
        a: &Section,
        t: &Section,
        p: &Section,
    ) -> Result<Self, DramError> {
        let ddr4 = standard == Standard::Ddr4;
        let arch = Arch {
            burst_length: a.positive("burstLength")?,
            data_rate: a.positive("dataRate")?,
            banks: a.positive("nbrOfBanks")?,
            bank_groups: if ddr4 {
                a.positive("nbrOfBankGroups")?
            } else {
                1
            },
            columns: a.positive("nbrOfColumns")?,
            rows: a.positive("nbrOfRows")?,
            ranks: a.positive("nbrOfRanks")?,
            width: a.positive("width")?,
            devices: a.positive_any(&["nbrOfDevicesOnDIMM", "nbrOfDevices"])?,
        };
        if !arch.banks.is_multiple_of(arch.bank_groups) {
            return Err(a.err(
                "nbrOfBankGroups",
                format!("must divide nbrOfBanks ({})", arch.banks),
            ));
        }
        if !arch.burst_length.is_multiple_of(arch.data_rate) {
            return Err(a.err(
                "burstLength",
                format!("must be a multiple of dataRate ({})", arch.data_rate),
            ));
        }
        let clk_mhz = t.num("clkMhz")?;
        if clk_mhz <= 0.0 {
            return Err(t.err("clkMhz", "must be positive".into()));
        }
        let (ccd_s, ccd_l, rrd_s, rrd_l, wtr_s, wtr_l, wpre, rpre) = if ddr4 {
            (
                t.int("CCD_S")?,
                t.int("CCD_L")?,
                t.int("RRD_S")?,
                t.int("RRD_L")?,
                t.int("WTR_S")?,
                t.int("WTR_L")?,
                t.int("WPRE")?,
                t.int("RPRE")?,
            )
        } else {
            let (ccd, rrd, wtr) = (t.int("CCD")?, t.int("RRD")?, t.int("WTR")?);
            (ccd, ccd, rrd, rrd, wtr, wtr, 0, 0)
        };
        let timing = Timing {
            clk_mhz,
            burst_cycles: (arch.burst_length / arch.data_rate) as i64,
            al: t.int("AL")?,
            ccd_s,
            ccd_l,
            cl: t.int("CL")?,
            dqsck: t.int("DQSCK")?,
            faw: t.int("FAW")?,
            ras: t.int("RAS")?,
            rc: t.int("RC")?,
            rcd: t.int("RCD")?,
            refi: t.int("REFI")?,
            rfc: t.int("RFC")?,
            rl: t.int("RL")?,
            rp: t.int("RP")?,
            rrd_s,
            rrd_l,
            rtp: t.int("RTP")?,
            wl: t.int("WL")?,
            wr: t.int("WR")?,
            wtr_s,
            wtr_l,
            rtrs: t.int("RTRS")?,
            wpre,
            rpre,
        };
        for (key, v) in [
            ("REFI", timing.refi),
            ("RFC", timing.rfc),
            ("RC", timing.rc),
            ("RAS", timing.ras),
        ] {
            if v <= 0 {
                return Err(t.err(key, "must be positive".into()));
            }
        }
        if timing.rc < timing.ras {
            return Err(t.err("RC", format!("must be at least RAS ({})", timing.ras)));
        }
        let power = Power {
            idd0: p.num("idd0")?,
            idd02: if ddr4 { p.num("idd02")? } else { 0.0 },
            idd2n: p.num("idd2n")?,
            idd3n: p.num("idd3n")?,
            idd4r: p.num("idd4r")?,
            idd4w: p.num("idd4w")?,
            idd5: p.num("idd5")?,
            idd6: p.num("idd6")?,
            idd62: if ddr4 { p.num("idd62")? } else { 0.0 },
            vdd: p.num("vdd")?,
            vdd2: if ddr4 { p.num("vdd2")? } else { 0.0 },
        };
        Ok(MemSpec {
            id,
            standard,
            arch,
            timing,
            power,
        })
    }
}
