//! Agreement with DRAMSys 4.0 + DRAMPower: runs every row of the reference CSVs on the reference's
//! own trace files and compares energy, power, total time and bandwidth.
//!
//! Tolerance: a row fails when energy, power or total time differs by more than 0.1 % (the issue's
//! bound is 1 %; every row meets 0.1 %); the single-request micro-traces (`t_*`) must match exactly
//! (to DRAMSys's printed precision). What remains: 52 of 1,860 rows — all with `AllBank` refresh on
//! busy traces — are not exact (worst: energy 0.077 %, total time 0.086 %); a forced refresh there
//! precharges a bank one activation earlier or later than DRAMSys. `avg_bw_gbps` is reported, not
//! checked: DRAMSys prints 0.0 for the `Simple` arbiter on the micro-traces.

use std::path::{Path, PathBuf};

use dram::controller::{self, Params};
use dram::{AddressMapping, ControllerConfig, MemSpec};
use rayon::prelude::*;

fn shared() -> PathBuf {
    let dir = std::env::var("HWGYM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    assert!(
        dir.join("reference/dram").is_dir(),
        "shared reference data not found at {} (set HWGYM_SHARED)",
        dir.display()
    );
    dir
}

struct Row {
    memspec: String,
    trace: String,
    knobs: Vec<(String, String)>,
    energy: f64,
    power: f64,
    time: f64,
    bw: f64,
}

fn read_csv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").trim().split(',').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.trim().split(',').collect();
            let col = |name: &str| f[header.iter().position(|h| *h == name).expect(name)];
            Row {
                memspec: col("memspec").into(),
                trace: col("trace").into(),
                knobs: dram::KNOBS
                    .iter()
                    .map(|k| (k.name.to_string(), col(k.name).to_string()))
                    .collect(),
                energy: col("energy_pj").parse().unwrap(),
                power: col("power_mw").parse().unwrap(),
                time: col("total_time_ns").parse().unwrap(),
                bw: col("avg_bw_gbps").parse().unwrap(),
            }
        })
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        if a == 0.0 { 0.0 } else { 1.0 }
    } else {
        (a - b).abs() / b.abs()
    }
}

#[test]
fn agrees_with_dramsys() {
    let shared = shared();
    let refdir = shared.join("reference/dram");
    let mut rows = read_csv(&refdir.join("dramsys_ddr3.csv"));
    rows.extend(read_csv(&refdir.join("dramsys_ddr4.csv")));
    let specs = |m: &str| -> (MemSpec, AddressMapping) {
        let (spec, map) = match m {
            "ddr3" => (
                "MICRON_1Gb_DDR3-1600_8bit_G.json",
                "am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json",
            ),
            "ddr4" => (
                "MICRON_4Gb_DDR4-2400_8bit_A.json",
                "am_ddr4_8x4Gbx8_dimm_p1KB_brc.json",
            ),
            other => panic!("unknown memspec column {other}"),
        };
        let d = refdir.join("memspecs");
        (
            MemSpec::from_file(&d.join(spec)).unwrap(),
            AddressMapping::from_file(&d.join(map)).unwrap(),
        )
    };
    let ddr3 = specs("ddr3");
    let ddr4 = specs("ddr4");
    let traces = shared.join("dram/traces");
    let results: Vec<(usize, [f64; 4])> = rows
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let (spec, mapping) = if r.memspec == "ddr3" { &ddr3 } else { &ddr4 };
            let pairs: Vec<(&str, &str)> = r
                .knobs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let config = ControllerConfig::from_pairs(&pairs).unwrap();
            let params = Params {
                spec,
                mapping,
                config: &config,
                player_clock_ps: 1250,
            };
            let reader = dram::trace::TraceReader::open(&traces.join(&r.trace), 1250, 64).unwrap();
            let s = controller::run(&params, reader).unwrap();
            (
                i,
                [
                    s.energy.energy_pj,
                    s.energy.power_mw,
                    s.total_time_ps as f64 / 1000.0,
                    s.avg_bw_gbps,
                ],
            )
        })
        .collect();
    let names = ["energy_pj", "power_mw", "total_time_ns", "avg_bw_gbps"];
    let mut worst = [(0.0f64, 0usize); 4];
    let mut exact_rows = 0usize;
    let mut within01 = [0usize; 4];
    let mut within1 = [0usize; 4];
    let mut failures = Vec::new();
    for &(i, got) in &results {
        let r = &rows[i];
        let want = [r.energy, r.power, r.time, r.bw];
        for m in 0..4 {
            let e = rel(got[m], want[m]);
            if e > worst[m].0 {
                worst[m] = (e, i);
            }
            within01[m] += (e <= 0.001) as usize;
            within1[m] += (e <= 0.01) as usize;
        }
        // DRAMSys prints energy and power with two decimals, times to the ps
        exact_rows += ((got[0] - want[0]).abs() < 0.006
            && (got[1] - want[1]).abs() < 0.006
            && (got[2] - want[2]).abs() < 0.0006) as usize;
        let exact = r.trace.starts_with("t_");
        let bad = (0..3).any(|m| rel(got[m], want[m]) > if exact { 1e-5 } else { 1e-3 });
        if bad {
            failures.push(format!(
                "{} {} {:?}: got E={:.1} P={:.2} T={:.3}, want E={} P={} T={}",
                r.memspec,
                r.trace,
                r.knobs.iter().map(|k| k.1.as_str()).collect::<Vec<_>>(),
                got[0],
                got[1],
                got[2],
                r.energy,
                r.power,
                r.time
            ));
        }
    }
    println!(
        "{:<14} {:>10} {:>10} {:>12}  worst row",
        "metric", "≤0.1 %", "≤1 %", "worst"
    );
    for m in 0..4 {
        let (e, i) = worst[m];
        println!(
            "{:<14} {:>6}/{:<4} {:>5}/{:<4} {:>11.4}%  {} {}",
            names[m],
            within01[m],
            rows.len(),
            within1[m],
            rows.len(),
            e * 100.0,
            rows[i].memspec,
            rows[i].trace
        );
    }
    println!(
        "rows exact in energy, power and total time: {exact_rows}/{}",
        rows.len()
    );
    for f in failures.iter().take(20) {
        println!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows disagree with DRAMSys beyond tolerance",
        failures.len(),
        rows.len()
    );
}
