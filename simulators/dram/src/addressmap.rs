//! DRAMSys address mappings (`CONGEN` bit lists): which address bits form byte, column, row, bank,
//! bank group, rank and channel.

use std::path::Path;

use serde::Deserialize;

use crate::error::{DramError, line_of};
use crate::memspec::Arch;
use crate::presets::MappingTable;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AddressMapping {
    pub byte: Vec<u32>,
    pub column: Vec<u32>,
    pub row: Vec<u32>,
    pub bank: Vec<u32>,
    pub bank_group: Vec<u32>,
    pub rank: Vec<u32>,
    pub channel: Vec<u32>,
    /// (first, second): bit `first` becomes `first XOR second` before decoding.
    pub xor: Vec<(u32, u32)>,
}

/// A decoded address; `bank` and `bank_group` are channel-wide indices, as DRAMSys numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub rank: u16,
    pub bank_group: u16,
    pub bank: u16,
    pub row: u32,
    pub column: u32,
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(rename = "CONGEN")]
    congen: RawCongen,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCongen {
    #[serde(rename = "BYTE_BIT", default)]
    byte: Vec<u32>,
    #[serde(rename = "COLUMN_BIT")]
    column: Vec<u32>,
    #[serde(rename = "ROW_BIT")]
    row: Vec<u32>,
    #[serde(rename = "BANK_BIT")]
    bank: Vec<u32>,
    #[serde(rename = "BANKGROUP_BIT", default)]
    bank_group: Vec<u32>,
    #[serde(rename = "RANK_BIT", default)]
    rank: Vec<u32>,
    #[serde(rename = "CHANNEL_BIT", default)]
    channel: Vec<u32>,
    #[serde(rename = "XOR", default)]
    xor: Vec<RawXor>,
}

#[derive(Deserialize)]
struct RawXor {
    #[serde(rename = "FIRST")]
    first: u32,
    #[serde(rename = "SECOND")]
    second: u32,
}

fn extract(addr: u64, bits: &[u32]) -> u64 {
    bits.iter()
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | (((addr >> b) & 1) << i))
}

impl AddressMapping {
    pub fn from_table(t: &MappingTable) -> Self {
        AddressMapping {
            byte: t.byte.to_vec(),
            column: t.column.to_vec(),
            row: t.row.to_vec(),
            bank: t.bank.to_vec(),
            bank_group: t.bank_group.to_vec(),
            ..Default::default()
        }
    }

    pub fn from_file(path: &Path) -> Result<Self, DramError> {
        let text = std::fs::read_to_string(path).map_err(|source| DramError::Io {
            path: path.into(),
            source,
        })?;
        Self::from_json(&path.display().to_string(), &text)
    }

    pub fn from_json(file: &str, text: &str) -> Result<Self, DramError> {
        let raw: RawFile = serde_json::from_str(text).map_err(|e| DramError::Json {
            file: file.into(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let c = raw.congen;
        let m = AddressMapping {
            byte: c.byte,
            column: c.column,
            row: c.row,
            bank: c.bank,
            bank_group: c.bank_group,
            rank: c.rank,
            channel: c.channel,
            xor: c.xor.into_iter().map(|x| (x.first, x.second)).collect(),
        };
        let mut seen = std::collections::BTreeSet::new();
        let fields: [(&str, &Vec<u32>); 7] = [
            ("BYTE_BIT", &m.byte),
            ("COLUMN_BIT", &m.column),
            ("ROW_BIT", &m.row),
            ("BANK_BIT", &m.bank),
            ("BANKGROUP_BIT", &m.bank_group),
            ("RANK_BIT", &m.rank),
            ("CHANNEL_BIT", &m.channel),
        ];
        for (name, bits) in fields {
            for &b in bits {
                if b >= 64 || !seen.insert(b) {
                    return Err(DramError::Field {
                        file: file.into(),
                        line: line_of(text, &format!("\"{name}\"")),
                        field: format!("CONGEN.{name}"),
                        message: format!("bit {b} is out of range or used twice"),
                    });
                }
            }
        }
        Ok(m)
    }

    /// Checks the mapping addresses exactly the organisation of `arch` (one channel).
    pub fn check_against(&self, arch: &Arch, file: &str) -> Result<(), DramError> {
        let expect = [
            ("COLUMN_BIT", self.column.len(), arch.columns),
            ("ROW_BIT", self.row.len(), arch.rows),
            ("BANK_BIT", self.bank.len(), arch.banks / arch.bank_groups),
            ("BANKGROUP_BIT", self.bank_group.len(), arch.bank_groups),
            ("RANK_BIT", self.rank.len(), arch.ranks),
        ];
        for (name, bits, count) in expect {
            if count == 0 || (1u64 << bits) != count as u64 {
                return Err(DramError::Field {
                    file: file.into(),
                    line: 1,
                    field: format!("CONGEN.{name}"),
                    message: format!("{bits} bits do not address {count} (from the memspec)"),
                });
            }
        }
        if !self.channel.is_empty() {
            return Err(DramError::Field {
                file: file.into(),
                line: 1,
                field: "CONGEN.CHANNEL_BIT".into(),
                message: "only one channel is simulated".into(),
            });
        }
        Ok(())
    }

    pub fn decode(&self, addr: u64, arch: &Arch) -> Decoded {
        let mut a = addr;
        for &(first, second) in &self.xor {
            let bit = ((a >> first) ^ (a >> second)) & 1;
            a = (a & !(1 << first)) | (bit << first);
        }
        let rank = extract(a, &self.rank) as u32;
        let group = extract(a, &self.bank_group) as u32 + rank * arch.bank_groups;
        let bank = extract(a, &self.bank) as u32 + group * arch.banks_per_group();
        Decoded {
            rank: rank as u16,
            bank_group: group as u16,
            bank: bank as u16,
            row: extract(a, &self.row) as u32,
            column: extract(a, &self.column) as u32,
        }
    }
}
