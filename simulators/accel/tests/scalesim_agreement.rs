//! Agreement with SCALE-Sim 3.0.0 on every row of `shared/reference/accel/scalesim.csv`.
//! Run with `--nocapture` to see the per-field agreement table.

use std::collections::HashMap;
use std::path::PathBuf;

use accel::{ArrayConfig, Bandwidth, Dataflow, Layer, REPORT_FIELDS, simulate_layer};

fn shared_dir() -> PathBuf {
    std::env::var_os("HWGYM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

struct Row {
    fields: HashMap<String, String>,
}

impl Row {
    fn num(&self, key: &str) -> f64 {
        self.fields[key]
            .parse()
            .unwrap_or_else(|_| panic!("column {key}: `{}`", self.fields[key]))
    }
    fn int(&self, key: &str) -> u64 {
        self.num(key) as u64
    }
}

fn read_rows() -> Vec<Row> {
    let path = shared_dir().join("reference/accel/scalesim.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reference file {} is missing ({e}); set HWGYM_SHARED",
            path.display()
        )
    });
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| Row {
            fields: header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(String::from))
                .collect(),
        })
        .collect()
}

fn setup(row: &Row) -> (Layer, ArrayConfig) {
    let layer = if row.fields["kind"] == "gemm" {
        Layer::gemm(
            &row.fields["layer"],
            row.int("M"),
            row.int("N"),
            row.int("K"),
        )
        .unwrap()
    } else {
        let d = [
            "ifmap_h",
            "ifmap_w",
            "filter_h",
            "filter_w",
            "channels",
            "num_filters",
            "stride",
        ]
        .map(|k| row.int(k));
        Layer::conv(&row.fields["layer"], d).unwrap()
    };
    let cfg = ArrayConfig {
        rows: row.int("rows"),
        cols: row.int("cols"),
        ifmap_kb: row.int("ifmap_kb"),
        filter_kb: row.int("filter_kb"),
        ofmap_kb: row.int("ofmap_kb"),
        dataflow: Dataflow::parse(&row.fields["dataflow"]).unwrap(),
        bandwidth: if row.fields["bw_mode"] == "CALC" {
            Bandwidth::Calc
        } else {
            Bandwidth::User(row.int("bandwidth"))
        },
    };
    (layer, cfg)
}

fn reference_column(field: &str) -> String {
    let section = if field.starts_with("Avg") {
        "bandwidth"
    } else if field.starts_with("SRAM") || field.starts_with("DRAM") {
        "access"
    } else {
        "compute"
    };
    format!("{section}.{field}")
}

/// Fields checked against the 1% bound on every row (compute cycles: exactly, separately).
/// Start/stop cycles and average bandwidths follow from these; they are printed, not bounded.
const CHECKED: &[&str] = &[
    "Total Cycles (incl. prefetch)",
    "Total Cycles",
    "Stall Cycles",
    "SRAM IFMAP Reads",
    "SRAM Filter Reads",
    "SRAM OFMAP Writes",
    "DRAM IFMAP Reads",
    "DRAM Filter Reads",
    "DRAM OFMAP Writes",
];

fn rel_err(model: f64, reference: f64) -> f64 {
    if model == reference {
        0.0
    } else {
        (model - reference).abs() / reference.abs().max(1.0)
    }
}

#[test]
fn agrees_with_scalesim() {
    let rows = read_rows();
    assert_eq!(rows.len(), 86, "expected the 86 reference rows");
    let mut within = vec![0usize; REPORT_FIELDS.len()];
    let mut worst = vec![(0.0f64, String::new()); REPORT_FIELDS.len()];
    let mut compute_mismatch = Vec::new();
    let mut failures = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let (layer, cfg) = setup(row);
        let r = simulate_layer(&layer, &cfg);
        // Compute cycles = total cycles − stall cycles in SCALE-Sim's report.
        let ref_compute = row.num("compute.Total Cycles") - row.num("compute.Stall Cycles");
        if r.compute_cycles as f64 != ref_compute {
            compute_mismatch.push(format!(
                "row {i} {}: model {} reference {ref_compute}",
                layer.name, r.compute_cycles
            ));
        }
        for (f, (field, value)) in REPORT_FIELDS.iter().zip(r.values()).enumerate() {
            let reference = row.num(&reference_column(field));
            let e = rel_err(value, reference);
            if e <= 0.01 {
                within[f] += 1;
            }
            if e > worst[f].0 {
                worst[f] = (
                    e,
                    format!(
                        "row {i} {} {:?} {:?}: model {value} ref {reference}",
                        layer.name, cfg.dataflow, cfg.bandwidth
                    ),
                );
            }
            if CHECKED.contains(field) && e > 0.01 {
                failures.push(format!(
                    "row {i:>2} {} {:?} {:?} {field}: model {value} reference {reference} ({:+.2}%)",
                    layer.name,
                    cfg.dataflow,
                    cfg.bandwidth,
                    100.0 * (value - reference) / reference.abs().max(1.0)
                ));
            }
        }
    }
    println!(
        "{:<32} {:>9} {:>10}  worst case",
        "field", "within 1%", "worst err"
    );
    for (f, field) in REPORT_FIELDS.iter().enumerate() {
        println!(
            "{:<32} {:>5}/{:<3} {:>9.2}%  {}",
            field,
            within[f],
            rows.len(),
            100.0 * worst[f].0,
            worst[f].1
        );
    }
    assert!(
        compute_mismatch.is_empty(),
        "compute cycles differ:\n{}",
        compute_mismatch.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} field values outside 1%:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
