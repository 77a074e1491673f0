//! The `dram` gym simulator: the ten DRAMSys knobs as a parameter space, environment options for the
//! memspec, address mapping and workload, and the metrics of one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gym::{Design, MetricSpec, Metrics, Param, ParamSpace, SimError, Simulator};

use crate::addressmap::AddressMapping;
use crate::config::{ControllerConfig, KNOBS};
use crate::controller::{self, Params, RunStats};
use crate::error::DramError;
use crate::memspec::{MemSpec, Standard};
use crate::presets::{self, MAP_DDR3_RBC, MAP_DDR4_BRC};
use crate::trace::TraceReader;
use crate::workload::{self, Synthetic, SyntheticParams};

/// The environment options `from_options` accepts.
pub const ENV_OPTIONS: &[gym::EnvOption] = &[
    gym::EnvOption {
        name: "memspec",
        default: "MICRON_1Gb_DDR3-1600_8bit_G",
        help: "memspec preset (MICRON_1Gb_DDR3-1600_8bit_G, MICRON_4Gb_DDR4-2400_8bit_A, JEDEC_4Gb_DDR4-1866_8bit_A) or path to a DRAMSys memspec JSON",
    },
    gym::EnvOption {
        name: "trace",
        default: "stream",
        help: "built-in workload (stream, random, cloud-1, cloud-2) or path to a .stl or Ramulator (LD|ST 0x…) trace",
    },
    gym::EnvOption {
        name: "trace_clock_mhz",
        default: "800",
        help: "clock of the trace's time stamps, MHz",
    },
    gym::EnvOption {
        name: "addressmapping",
        default: "",
        help: "path to a DRAMSys address-mapping JSON (CONGEN); default: the preset's (DDR3 rbc, DDR4 brc)",
    },
];

/// Where requests come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Workload {
    Synthetic(SyntheticParams),
    File(PathBuf),
}

/// Memory, mapping and workload fixed for a run; designs choose the controller knobs.
pub struct DramSimulator {
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
    pub spec: MemSpec,
    pub mapping: AddressMapping,
    pub workload: Workload,
    pub player_clock_ps: u64,
}

/// The knob space (ArchGym's ranges, DRAMSys `policy.json` defaults).
pub fn knob_space() -> ParamSpace {
    let params = KNOBS
        .iter()
        .map(|k| {
            let p = if k.labels.is_empty() {
                Param::int(k.name, k.range.0, k.range.1)
            } else {
                Param::categorical(k.name, k.labels)
            };
            p.with_default(k.default)
        })
        .collect();
    ParamSpace::new(params).expect("knob table is a valid space")
}

/// The metrics every evaluation reports.
pub fn metric_specs() -> Vec<MetricSpec> {
    let mut m = vec![
        MetricSpec::minimize(
            "energy_pj",
            "pJ",
            "DRAM energy of the DIMM (DRAMPower, all devices)",
        ),
        MetricSpec::minimize(
            "power_mw",
            "mW",
            "average DRAM power over DRAMPower's window",
        ),
        MetricSpec::minimize(
            "total_time_ns",
            "ns",
            "when the last response reached the initiator",
        ),
        MetricSpec::maximize(
            "avg_bw_gbps",
            "Gb/s",
            "DRAMSys AVG BW: data-bus busy time / total time × peak",
        ),
        MetricSpec::minimize(
            "avg_latency_ns",
            "ns",
            "mean request latency (response − trace time)",
        ),
        MetricSpec::minimize("p99_latency_ns", "ns", "99th-percentile request latency"),
        MetricSpec::maximize("row_hit_rate", "", "1 − ACT / column accesses"),
    ];
    for (name, what) in [
        ("n_act", "ACT"),
        ("n_pre", "precharges incl. auto-precharge"),
        ("n_rd", "RD+RDA"),
        ("n_wr", "WR+WRA"),
        ("n_ref", "REFAB"),
    ] {
        m.push(MetricSpec::minimize(name, "commands", what));
    }
    m
}

/// Metrics of a run, by name.
pub fn metrics_of(s: &RunStats) -> Metrics {
    let c = |k: &str| s.commands.get(k).copied().unwrap_or(0) as f64;
    Metrics::from_iter([
        ("energy_pj", s.energy.energy_pj),
        ("power_mw", s.energy.power_mw),
        ("total_time_ns", s.total_time_ps as f64 / 1000.0),
        ("avg_bw_gbps", s.avg_bw_gbps),
        ("avg_latency_ns", s.avg_latency_ns),
        ("p99_latency_ns", s.p99_latency_ns),
        ("row_hit_rate", s.row_hit_rate),
        ("n_act", c("ACT")),
        ("n_pre", s.energy.counters.pres as f64),
        ("n_rd", c("RD") + c("RDA")),
        ("n_wr", c("WR") + c("WRA")),
        ("n_ref", c("REFA")),
    ])
}

/// The default mapping for a memspec: the preset's, or the DRAMSys DIMM mapping of its standard.
pub fn default_mapping(spec: &MemSpec) -> AddressMapping {
    if let Ok(p) = presets::preset(&spec.id) {
        return p.address_mapping();
    }
    match spec.standard {
        Standard::Ddr3 => AddressMapping::from_table(&MAP_DDR3_RBC),
        Standard::Ddr4 => AddressMapping::from_table(&MAP_DDR4_BRC),
    }
}

/// A preset name or a path to a memspec JSON.
pub fn load_memspec(name_or_path: &str) -> Result<MemSpec, DramError> {
    if let Ok(p) = presets::preset(name_or_path) {
        return Ok(p.memspec());
    }
    let path = Path::new(name_or_path);
    if path.exists() || name_or_path.ends_with(".json") {
        return MemSpec::from_file(path);
    }
    presets::preset(name_or_path).map(|p| p.memspec())
}

/// A built-in workload name or a trace path.
pub fn load_workload(name_or_path: &str) -> Result<Workload, DramError> {
    if let Ok(p) = workload::builtin(name_or_path) {
        return Ok(Workload::Synthetic(p));
    }
    let path = Path::new(name_or_path);
    if path.exists() {
        return Ok(Workload::File(path.into()));
    }
    workload::builtin(name_or_path).map(Workload::Synthetic)
}

/// Builds the simulator from `--env KEY=VALUE` options (see [`ENV_OPTIONS`]).
pub fn from_options(options: &BTreeMap<String, String>) -> Result<DramSimulator, DramError> {
    gym::sim::check_option_keys(options.keys(), ENV_OPTIONS).map_err(|_| {
        let key = options
            .keys()
            .find(|k| !ENV_OPTIONS.iter().any(|o| o.name == k.as_str()))
            .cloned()
            .unwrap_or_default();
        DramError::UnknownOption {
            key,
            known: ENV_OPTIONS
                .iter()
                .map(|o| o.name)
                .collect::<Vec<_>>()
                .join(", "),
        }
    })?;
    let get = |key: &str| -> String {
        options.get(key).cloned().unwrap_or_else(|| {
            ENV_OPTIONS
                .iter()
                .find(|o| o.name == key)
                .map(|o| o.default.to_string())
                .unwrap_or_default()
        })
    };
    let spec = load_memspec(&get("memspec"))?;
    let mapping_path = get("addressmapping");
    let mapping = if mapping_path.is_empty() {
        default_mapping(&spec)
    } else {
        AddressMapping::from_file(Path::new(&mapping_path))?
    };
    mapping.check_against(
        &spec.arch,
        if mapping_path.is_empty() {
            "<default mapping>"
        } else {
            &mapping_path
        },
    )?;
    let mhz_text = get("trace_clock_mhz");
    let mhz: f64 = mhz_text
        .parse()
        .ok()
        .filter(|m: &f64| m.is_finite() && *m > 0.0)
        .ok_or_else(|| DramError::BadOption {
            key: "trace_clock_mhz".into(),
            message: format!("`{mhz_text}` is not a positive number"),
        })?;
    let workload = load_workload(&get("trace"))?;
    DramSimulator::new(spec, mapping, workload, mhz)
}

impl DramSimulator {
    pub fn new(
        spec: MemSpec,
        mapping: AddressMapping,
        workload: Workload,
        trace_clock_mhz: f64,
    ) -> Result<Self, DramError> {
        Ok(DramSimulator {
            space: knob_space(),
            metrics: metric_specs(),
            spec,
            mapping,
            workload,
            // SystemC rounds the player clock to whole ps
            player_clock_ps: (1e6 / trace_clock_mhz).round() as u64,
        })
    }

    /// The controller configuration of a design.
    pub fn config_of(&self, design: &Design) -> Result<ControllerConfig, DramError> {
        let pairs: Vec<(String, String)> = (0..self.space.len())
            .map(|i| {
                (
                    self.space.params()[i].name.clone(),
                    self.space.format(design, i),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        ControllerConfig::from_pairs(&refs)
    }

    /// Runs the workload under `config`.
    pub fn run(&self, config: &ControllerConfig) -> Result<RunStats, DramError> {
        let params = Params {
            spec: &self.spec,
            mapping: &self.mapping,
            config,
            player_clock_ps: self.player_clock_ps,
        };
        match &self.workload {
            Workload::Synthetic(p) => {
                controller::run(&params, Synthetic::new(p.clone(), self.player_clock_ps)?)
            }
            Workload::File(path) => controller::run(
                &params,
                TraceReader::open(path, self.player_clock_ps, self.spec.arch.bytes_per_burst())?,
            ),
        }
    }
}

impl Simulator for DramSimulator {
    fn space(&self) -> &ParamSpace {
        &self.space
    }
    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }
    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
        let config = self
            .config_of(design)
            .map_err(|e| SimError::Failed(e.to_string()))?;
        let stats = self
            .run(&config)
            .map_err(|e| SimError::Failed(e.to_string()))?;
        Ok(metrics_of(&stats))
    }
}
