//! The gym integration: [`AccelSimulator`], its environment options and named objectives.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use gym::objective::ObjectiveSpec;

use gym::{Design, EnvOption, MetricSpec, Metrics, Param, ParamSpace, SimError, Simulator};

use crate::config::{ArrayConfig, Bandwidth, Dataflow};
use crate::energy::{EnergyBreakdown, EnergyTable};
use crate::error::AccelError;
use crate::layer::Layer;
use crate::report::{LayerReport, simulate_layer};
use crate::topology::parse_workload;

/// `--env` options of the accel simulator.
pub const ENV_OPTIONS: &[EnvOption] = &[
    EnvOption {
        name: "workload",
        default: "resnet18",
        help: "network (resnet18, resnet50, alexnet, vgg16, mobilenet_v2, bert_base, gpt2_small), a SCALE-Sim topology .csv, conv:H,W,FH,FW,C,F,S or gemm:M,N,K",
    },
    EnvOption {
        name: "word_bytes",
        default: "1",
        help: "word width in bytes for energy and area (SCALE-Sim counts words)",
    },
    EnvOption {
        name: "energy_table",
        default: "",
        help: "JSON energy/area table replacing the built-in one",
    },
    EnvOption {
        name: "area_budget_mm2",
        default: "",
        help: "designs above this area are infeasible (constraint)",
    },
];

/// Bandwidth labels: `calc` (SCALE-Sim CALC mode: the interface never stalls) or words per cycle.
pub const BANDWIDTH_LABELS: &[&str] = &["calc", "1", "2", "4", "8", "10", "16", "32", "64", "128"];

/// Whole-network result: sums over layers plus per-layer detail.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NetworkReport {
    pub layers: Vec<LayerReport>,
    pub total_cycles: f64,
    pub compute_cycles: f64,
    pub stall_cycles: f64,
    pub macs: f64,
    pub dram_words: f64,
    pub energy: EnergyBreakdown,
    pub area_mm2: f64,
}

/// Simulates every layer of a workload on `cfg` and sums the results. Layers of the same shape
/// (ResNet blocks, transformer encoder layers) are simulated once: SCALE-Sim starts every layer
/// with empty buffers, so their reports are identical but for the name.
pub fn simulate_network(
    layers: &[Layer],
    cfg: &ArrayConfig,
    table: &EnergyTable,
    word_bytes: u32,
) -> Result<NetworkReport, AccelError> {
    cfg.validate()?;
    let mut out = NetworkReport {
        layers: Vec::with_capacity(layers.len()),
        total_cycles: 0.0,
        compute_cycles: 0.0,
        stall_cycles: 0.0,
        macs: 0.0,
        dram_words: 0.0,
        energy: EnergyBreakdown::default(),
        area_mm2: table.area_mm2(cfg, word_bytes),
    };
    // Distinct shapes in order of first appearance, simulated in parallel (each on its own, so
    // the result does not depend on the thread count); every layer then takes its shape's report.
    let mut shape_of: HashMap<[u64; 7], usize> = HashMap::new();
    let mut firsts: Vec<&Layer> = Vec::new();
    let shape_index: Vec<usize> = layers
        .iter()
        .map(|layer| {
            *shape_of.entry(layer.shape()).or_insert_with(|| {
                firsts.push(layer);
                firsts.len() - 1
            })
        })
        .collect();
    // One task per shape, spawned in network order: the spawning thread works from the last
    // shape back while idle threads take the earliest first, so the first layers (large images,
    // often the slowest) start at once and the two ends meet in the middle.
    let mut simulated: Vec<Option<(LayerReport, EnergyBreakdown)>> = vec![None; firsts.len()];
    rayon::scope(|scope| {
        for (layer, slot) in firsts.iter().zip(simulated.iter_mut()) {
            scope.spawn(move |_| {
                let report = simulate_layer(layer, cfg);
                let energy = table.layer_energy(&report, cfg, word_bytes);
                *slot = Some((report, energy));
            });
        }
    });
    let simulated: Vec<(LayerReport, EnergyBreakdown)> = simulated
        .into_iter()
        .map(|r| r.expect("every shape task ran"))
        .collect();
    for (layer, &shape) in layers.iter().zip(&shape_index) {
        let (first, energy) = &simulated[shape];
        let r = LayerReport {
            layer: layer.name.clone(),
            ..first.clone()
        };
        out.total_cycles += r.total_cycles;
        out.compute_cycles += r.compute_cycles as f64;
        out.stall_cycles += r.stall_cycles;
        out.macs += r.macs as f64;
        out.dram_words += r.dram_words();
        out.energy.add(energy);
        out.layers.push(r);
    }
    Ok(out)
}

/// The accelerator design environment's simulator.
pub struct AccelSimulator {
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
    layers: Vec<Layer>,
    table: EnergyTable,
    word_bytes: u32,
    area_budget_mm2: Option<f64>,
}

fn option_err(name: &str, reason: impl Into<String>) -> AccelError {
    AccelError::Option {
        name: name.into(),
        reason: reason.into(),
    }
}

/// Builds the simulator from `--env` options (see [`ENV_OPTIONS`]).
pub fn from_options(options: &BTreeMap<String, String>) -> Result<AccelSimulator, AccelError> {
    gym::sim::check_option_keys(options.keys(), ENV_OPTIONS).map_err(|e| option_err("env", e))?;
    let get = |name: &str| {
        options
            .get(name)
            .map(String::as_str)
            .or_else(|| {
                ENV_OPTIONS
                    .iter()
                    .find(|o| o.name == name)
                    .map(|o| o.default)
            })
            .unwrap_or("")
    };
    let layers = parse_workload(get("workload"))?;
    let word_bytes: u32 = get("word_bytes")
        .parse()
        .ok()
        .filter(|w| [1, 2, 4].contains(w))
        .ok_or_else(|| {
            option_err(
                "word_bytes",
                format!("`{}`: must be 1, 2 or 4", get("word_bytes")),
            )
        })?;
    let table = match get("energy_table") {
        "" => EnergyTable::default_table(),
        path => EnergyTable::read(Path::new(path))?,
    };
    let area_budget_mm2 = match get("area_budget_mm2") {
        "" => None,
        text => Some(
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| {
                    option_err(
                        "area_budget_mm2",
                        format!("`{text}`: must be a positive number"),
                    )
                })?,
        ),
    };
    Ok(AccelSimulator::new(
        layers,
        table,
        word_bytes,
        area_budget_mm2,
    ))
}

impl AccelSimulator {
    pub fn new(
        layers: Vec<Layer>,
        table: EnergyTable,
        word_bytes: u32,
        area_budget_mm2: Option<f64>,
    ) -> Self {
        let mut space = ParamSpace::new(vec![
            Param::pow2("rows", 4, 512).with_default("32"),
            Param::pow2("cols", 4, 512).with_default("32"),
            Param::pow2("ifmap_kb", 1, 4096).with_default("64"),
            Param::pow2("filter_kb", 1, 4096).with_default("64"),
            Param::pow2("ofmap_kb", 1, 4096).with_default("64"),
            Param::categorical("dataflow", &Dataflow::LABELS).with_default("ws"),
            Param::categorical("bandwidth", BANDWIDTH_LABELS).with_default("calc"),
        ])
        .expect("accel space is well formed");
        if let Some(budget) = area_budget_mm2 {
            let t = table.clone();
            space = space.with_constraint(format!("area_mm2 <= {budget}"), move |s, d| {
                config_of(s, d).is_ok_and(|cfg| t.area_mm2(&cfg, word_bytes) <= budget)
            });
        }
        let metrics = vec![
            MetricSpec::minimize(
                "total_cycles",
                "cycles",
                "cycles including stalls, summed over layers",
            ),
            MetricSpec::minimize(
                "compute_cycles",
                "cycles",
                "stall-free cycles, summed over layers",
            ),
            MetricSpec::minimize(
                "stall_cycles",
                "cycles",
                "DRAM stall cycles, summed over layers",
            ),
            MetricSpec::maximize("utilization", "%", "MACs / (PEs × total cycles)"),
            MetricSpec::minimize("energy_pj", "pJ", "MAC + SRAM + DRAM + leakage energy"),
            MetricSpec::minimize("area_mm2", "mm²", "PE array + SRAM area"),
            MetricSpec::minimize("edp", "pJ·cycles", "energy × total cycles"),
            MetricSpec::minimize("dram_words", "words", "DRAM reads + writes"),
        ];
        AccelSimulator {
            space,
            metrics,
            layers,
            table,
            word_bytes,
            area_budget_mm2,
        }
    }

    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }
    pub fn area_budget_mm2(&self) -> Option<f64> {
        self.area_budget_mm2
    }

    /// The typed configuration of a design.
    pub fn config(&self, d: &Design) -> Result<ArrayConfig, AccelError> {
        config_of(&self.space, d)
    }

    /// Full per-layer results of a design.
    pub fn run(&self, d: &Design) -> Result<NetworkReport, AccelError> {
        simulate_network(&self.layers, &self.config(d)?, &self.table, self.word_bytes)
    }

    /// ArchGym-style target spec on energy, area and cycles (product form).
    pub fn target_objective(energy_pj: f64, area_mm2: f64, total_cycles: f64) -> ObjectiveSpec {
        ObjectiveSpec {
            target: Some(BTreeMap::from([
                ("energy_pj".to_string(), energy_pj),
                ("area_mm2".to_string(), area_mm2),
                ("total_cycles".to_string(), total_cycles),
            ])),
            ..ObjectiveSpec::default()
        }
    }
    /// Target on cycles alone.
    pub fn cycles_target(total_cycles: f64) -> ObjectiveSpec {
        ObjectiveSpec {
            target: Some(BTreeMap::from([("total_cycles".to_string(), total_cycles)])),
            ..Default::default()
        }
    }
    /// Target on energy alone.
    pub fn energy_target(energy_pj: f64) -> ObjectiveSpec {
        ObjectiveSpec {
            target: Some(BTreeMap::from([("energy_pj".to_string(), energy_pj)])),
            ..Default::default()
        }
    }
    /// Target on area alone.
    pub fn area_target(area_mm2: f64) -> ObjectiveSpec {
        ObjectiveSpec {
            target: Some(BTreeMap::from([("area_mm2".to_string(), area_mm2)])),
            ..Default::default()
        }
    }
    /// Minimise the energy-delay product.
    pub fn min_edp() -> ObjectiveSpec {
        ObjectiveSpec {
            minimize: Some("edp".into()),
            ..Default::default()
        }
    }
}

fn config_of(space: &ParamSpace, d: &Design) -> Result<ArrayConfig, AccelError> {
    let knob = |name: &str| space.int(d, name) as u64;
    let df_label = space.label(d, "dataflow");
    let dataflow = Dataflow::parse(df_label).ok_or_else(|| AccelError::Knob {
        knob: "dataflow".into(),
        value: df_label.into(),
        reason: "must be os, ws or is".into(),
    })?;
    let bw_label = space.label(d, "bandwidth");
    let bandwidth = Bandwidth::parse(bw_label).ok_or_else(|| AccelError::Knob {
        knob: "bandwidth".into(),
        value: bw_label.into(),
        reason: "must be `calc` or words per cycle".into(),
    })?;
    let cfg = ArrayConfig {
        rows: knob("rows"),
        cols: knob("cols"),
        ifmap_kb: knob("ifmap_kb"),
        filter_kb: knob("filter_kb"),
        ofmap_kb: knob("ofmap_kb"),
        dataflow,
        bandwidth,
    };
    cfg.validate()?;
    Ok(cfg)
}

impl Simulator for AccelSimulator {
    fn space(&self) -> &ParamSpace {
        &self.space
    }
    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }
    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
        let cfg = self
            .config(design)
            .map_err(|e| SimError::Infeasible(e.to_string()))?;
        let net = simulate_network(&self.layers, &cfg, &self.table, self.word_bytes)
            .map_err(|e| SimError::Infeasible(e.to_string()))?;
        if let Some(budget) = self.area_budget_mm2
            && net.area_mm2 > budget
        {
            return Err(SimError::Infeasible(format!(
                "area {:.3} mm² exceeds the budget {budget} mm²",
                net.area_mm2
            )));
        }
        let energy = net.energy.total();
        let pes = (cfg.rows * cfg.cols) as f64;
        let mut m = Metrics::new();
        m.insert("total_cycles", net.total_cycles);
        m.insert("compute_cycles", net.compute_cycles);
        m.insert("stall_cycles", net.stall_cycles);
        m.insert(
            "utilization",
            100.0 * net.macs / (pes * net.total_cycles.max(1.0)),
        );
        m.insert("energy_pj", energy);
        m.insert("area_mm2", net.area_mm2);
        m.insert("edp", energy * net.total_cycles);
        m.insert("dram_words", net.dram_words);
        m.insert("energy_mac_pj", net.energy.mac_pj);
        m.insert("energy_sram_pj", net.energy.sram_pj);
        m.insert("energy_dram_pj", net.energy.dram_pj);
        m.insert("energy_leakage_pj", net.energy.leakage_pj);
        if let [only] = net.layers.as_slice() {
            for (key, value) in only.fields() {
                m.insert(key, value);
            }
        }
        Ok(m)
    }
}
