//! Built-in memspecs and address mappings (the project's own tables; values as published by DRAMSys).

use std::collections::BTreeMap;

use crate::addressmap::AddressMapping;
use crate::error::DramError;
use crate::memspec::{MemSpec, Section, Standard};

/// One built-in memory: name (the DRAMSys file stem), standard, sections as key/value tables, mapping.
pub struct Preset {
    pub name: &'static str,
    pub standard: Standard,
    pub arch: &'static [(&'static str, f64)],
    pub timing: &'static [(&'static str, f64)],
    pub power: &'static [(&'static str, f64)],
    /// Default address mapping (`CONGEN` bit lists).
    pub mapping: &'static MappingTable,
}

/// Address bits of each field, least significant first.
pub struct MappingTable {
    pub name: &'static str,
    pub byte: &'static [u32],
    pub column: &'static [u32],
    pub row: &'static [u32],
    pub bank: &'static [u32],
    pub bank_group: &'static [u32],
}

/// DDR3 8×1Gb×8 DIMM, 1 KB page: row | bank | column | byte.
pub const MAP_DDR3_RBC: MappingTable = MappingTable {
    name: "am_ddr3_8x1Gbx8_dimm_p1KB_rbc",
    byte: &[0, 1, 2],
    column: &[3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    bank: &[13, 14, 15],
    bank_group: &[],
    row: &[16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],
};

/// DDR4 8×4Gb×8 DIMM, 1 KB page: bank | bank group | row | column | byte.
pub const MAP_DDR4_BRC: MappingTable = MappingTable {
    name: "am_ddr4_8x4Gbx8_dimm_p1KB_brc",
    byte: &[0, 1, 2],
    column: &[3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    row: &[13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27],
    bank_group: &[28, 29],
    bank: &[30, 31],
};

const ARCH_DDR3_1GB_X8: &[(&str, f64)] = &[
    ("burstLength", 8.0),
    ("dataRate", 2.0),
    ("nbrOfBanks", 8.0),
    ("nbrOfColumns", 1024.0),
    ("nbrOfRanks", 1.0),
    ("nbrOfRows", 16384.0),
    ("width", 8.0),
    ("nbrOfDevicesOnDIMM", 8.0),
    ("nbrOfChannels", 1.0),
];

const ARCH_DDR4_4GB_X8: &[(&str, f64)] = &[
    ("burstLength", 8.0),
    ("dataRate", 2.0),
    ("nbrOfBankGroups", 4.0),
    ("nbrOfBanks", 16.0),
    ("nbrOfColumns", 1024.0),
    ("nbrOfRanks", 1.0),
    ("nbrOfRows", 32768.0),
    ("width", 8.0),
    ("nbrOfDevicesOnDIMM", 8.0),
    ("nbrOfChannels", 1.0),
];

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "MICRON_1Gb_DDR3-1600_8bit_G",
        standard: Standard::Ddr3,
        arch: ARCH_DDR3_1GB_X8,
        timing: &[
            ("AL", 0.0),
            ("CCD", 4.0),
            ("CKE", 3.0),
            ("CKESR", 4.0),
            ("CL", 10.0),
            ("DQSCK", 0.0),
            ("FAW", 24.0),
            ("RAS", 28.0),
            ("RC", 38.0),
            ("RCD", 10.0),
            ("REFI", 6240.0),
            ("RFC", 88.0),
            ("RL", 10.0),
            ("RP", 10.0),
            ("RRD", 5.0),
            ("RTP", 6.0),
            ("WL", 8.0),
            ("WR", 12.0),
            ("WTR", 6.0),
            ("XP", 6.0),
            ("XPDLL", 20.0),
            ("XS", 96.0),
            ("XSDLL", 512.0),
            ("ACTPDEN", 1.0),
            ("PRPDEN", 1.0),
            ("REFPDEN", 1.0),
            ("RTRS", 1.0),
            ("clkMhz", 800.0),
        ],
        power: &[
            ("idd0", 70.0),
            ("idd2n", 45.0),
            ("idd2p0", 12.0),
            ("idd2p1", 30.0),
            ("idd3n", 45.0),
            ("idd3p0", 35.0),
            ("idd3p1", 35.0),
            ("idd4r", 140.0),
            ("idd4w", 145.0),
            ("idd5", 170.0),
            ("idd6", 8.0),
            ("vdd", 1.5),
        ],
        mapping: &MAP_DDR3_RBC,
    },
    Preset {
        name: "MICRON_4Gb_DDR4-2400_8bit_A",
        standard: Standard::Ddr4,
        arch: ARCH_DDR4_4GB_X8,
        timing: &[
            ("AL", 0.0),
            ("CCD_L", 6.0),
            ("CCD_S", 4.0),
            ("CKE", 6.0),
            ("CKESR", 7.0),
            ("CL", 16.0),
            ("DQSCK", 2.0),
            ("FAW", 26.0),
            ("RAS", 39.0),
            ("RC", 55.0),
            ("RCD", 16.0),
            ("REFM", 1.0),
            ("REFI", 4680.0),
            ("RFC", 313.0),
            ("RL", 16.0),
            ("RPRE", 1.0),
            ("RP", 16.0),
            ("RRD_L", 6.0),
            ("RRD_S", 4.0),
            ("RTP", 12.0),
            ("WL", 16.0),
            ("WPRE", 1.0),
            ("WR", 18.0),
            ("WTR_L", 9.0),
            ("WTR_S", 3.0),
            ("XP", 8.0),
            ("XPDLL", 325.0),
            ("XS", 324.0),
            ("XSDLL", 512.0),
            ("ACTPDEN", 2.0),
            ("PRPDEN", 2.0),
            ("REFPDEN", 2.0),
            ("RTRS", 1.0),
            ("clkMhz", 1200.0),
        ],
        power: &[
            ("idd0", 60.75),
            ("idd02", 4.05),
            ("idd2n", 38.25),
            ("idd2p0", 17.0),
            ("idd2p1", 17.0),
            ("idd3n", 44.0),
            ("idd3p0", 22.5),
            ("idd3p1", 22.5),
            ("idd4r", 184.5),
            ("idd4w", 168.75),
            ("idd5", 118.0),
            ("idd6", 20.25),
            ("idd62", 2.6),
            ("vdd", 1.2),
            ("vdd2", 2.5),
        ],
        mapping: &MAP_DDR4_BRC,
    },
    Preset {
        name: "JEDEC_4Gb_DDR4-1866_8bit_A",
        standard: Standard::Ddr4,
        arch: ARCH_DDR4_4GB_X8,
        timing: &[
            ("AL", 0.0),
            ("CCD_L", 5.0),
            ("CCD_S", 4.0),
            ("CKE", 6.0),
            ("CKESR", 7.0),
            ("CL", 13.0),
            ("DQSCK", 2.0),
            ("FAW", 22.0),
            ("RAS", 32.0),
            ("RC", 45.0),
            ("RCD", 13.0),
            ("REFM", 1.0),
            ("REFI", 7280.0),
            ("RFC", 243.0),
            ("RFC2", 150.0),
            ("RFC4", 103.0),
            ("RL", 13.0),
            ("RPRE", 1.0),
            ("RP", 13.0),
            ("RRD_L", 5.0),
            ("RRD_S", 4.0),
            ("RTP", 8.0),
            ("WL", 12.0),
            ("WPRE", 1.0),
            ("WR", 14.0),
            ("WTR_L", 7.0),
            ("WTR_S", 3.0),
            ("XP", 8.0),
            ("XPDLL", 255.0),
            ("XS", 252.0),
            ("XSDLL", 512.0),
            ("ACTPDEN", 1.0),
            ("PRPDEN", 1.0),
            ("REFPDEN", 1.0),
            ("RTRS", 1.0),
            ("clkMhz", 933.0),
        ],
        power: &[
            ("idd0", 56.25),
            ("idd02", 4.05),
            ("idd2n", 33.75),
            ("idd2p0", 17.0),
            ("idd2p1", 17.0),
            ("idd3n", 39.5),
            ("idd3p0", 22.5),
            ("idd3p1", 22.5),
            ("idd4r", 157.5),
            ("idd4w", 135.0),
            ("idd5", 118.0),
            ("idd6", 20.25),
            ("idd62", 2.6),
            ("vdd", 1.2),
            ("vdd2", 2.5),
        ],
        mapping: &MAP_DDR4_BRC,
    },
];

/// Names of the built-in memspecs.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The built-in preset called `name`.
pub fn preset(name: &str) -> Result<&'static Preset, DramError> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| DramError::UnknownPreset {
            name: name.into(),
            known: preset_names().join(", "),
        })
}

impl Preset {
    /// The preset as a validated memspec.
    pub fn memspec(&self) -> MemSpec {
        let file = format!("<preset {}>", self.name);
        let section = |name, table: &[(&str, f64)]| Section {
            file: "",
            text: "",
            name,
            values: table
                .iter()
                .map(|&(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        };
        let (a, t, p) = (
            section("memarchitecturespec", self.arch),
            section("memtimingspec", self.timing),
            section("mempowerspec", self.power),
        );
        MemSpec::from_sections(self.name.into(), self.standard, &a, &t, &p)
            .unwrap_or_else(|e| panic!("built-in preset {file} is invalid: {e}"))
    }

    pub fn address_mapping(&self) -> AddressMapping {
        AddressMapping::from_table(self.mapping)
    }

    /// The preset's raw key/value tables (for comparing with DRAMSys files).
    pub fn tables(&self) -> [(&'static str, &'static [(&'static str, f64)]); 3] {
        [
            ("memarchitecturespec", self.arch),
            ("memtimingspec", self.timing),
            ("mempowerspec", self.power),
        ]
    }
}
