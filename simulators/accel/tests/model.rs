//! Energy/area scaling laws, cited constants, input errors and gym conformance.

use std::collections::BTreeMap;
use std::path::Path;

use accel::{
    AccelError, ArrayConfig, Bandwidth, Dataflow, EnergyTable, parse_topology, parse_workload,
    simulate_layer, simulate_network, workloads,
};
use gym::Simulator;

fn cfg(rows: u64, cols: u64, kb: u64) -> ArrayConfig {
    ArrayConfig {
        rows,
        cols,
        ifmap_kb: kb,
        filter_kb: kb,
        ofmap_kb: kb,
        dataflow: Dataflow::Ws,
        bandwidth: Bandwidth::Calc,
    }
}

#[test]
fn doubling_sram_scales_access_energy_by_the_table_exponent() {
    let t = EnergyTable::default_table();
    let k = t.sram_capacity_exponent.value;
    for kb in [8, 32, 256] {
        let ratio = t.sram_read_pj(2 * kb, 1) / t.sram_read_pj(kb, 1);
        assert!((ratio - 2f64.powf(k)).abs() < 1e-12, "ratio {ratio}");
    }
    // Horowitz's anchor: 64-bit read of an 8 KB SRAM = table value.
    assert!((t.sram_read_pj(8, 8) - t.sram_pj_per_64b_at_8kb.value).abs() < 1e-12);
    // Wider words cost proportionally more.
    assert!((t.sram_read_pj(64, 2) / t.sram_read_pj(64, 1) - 2.0).abs() < 1e-12);
}

#[test]
fn area_grows_linearly_in_pes() {
    let t = EnergyTable::default_table();
    let sram_only = t.area_mm2(&cfg(1, 1, 64), 1) - t.pe_area_mm2(1);
    for (r, c) in [(8, 8), (16, 16), (32, 64)] {
        let a = t.area_mm2(&cfg(r, c, 64), 1);
        let expected = sram_only + (r * c) as f64 * t.pe_area_mm2(1);
        assert!((a - expected).abs() < 1e-9, "{r}x{c}: {a} vs {expected}");
    }
    let a1 = t.area_mm2(&cfg(16, 16, 64), 1) - sram_only;
    let a2 = t.area_mm2(&cfg(32, 16, 64), 1) - sram_only;
    assert!((a2 / a1 - 2.0).abs() < 1e-12);
}

#[test]
fn every_constant_cites_a_source() {
    let t = EnergyTable::default_table();
    for (name, src) in t.sources() {
        assert!(src.len() > 20, "{name} has no real source: `{src}`");
        assert!(
            ["Horowitz", "Intel", "assumption", "CACTI", "Eyeriss"]
                .iter()
                .any(|k| src.contains(k)),
            "{name}: source does not name a publication or say it is an assumption: {src}"
        );
    }
    assert!(t.constants().len() >= 9);
}

#[test]
fn energy_table_from_json_is_validated() {
    let t = EnergyTable::default_table();
    let mut json = serde_json::to_value(&t).unwrap();
    json["dram_pj_per_64b"]["source"] = serde_json::Value::String(" ".into());
    let e = EnergyTable::from_json(&json.to_string(), Path::new("mine.json")).unwrap_err();
    assert!(
        e.to_string().contains("mine.json") && e.to_string().contains("no source"),
        "{e}"
    );
    let e = EnergyTable::from_json("{", Path::new("bad.json")).unwrap_err();
    assert!(e.to_string().contains("bad.json"), "{e}");
}

#[test]
fn malformed_topology_names_file_line_and_field() {
    let path = Path::new("net.csv");
    let text = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\
                conv1, 56, 56, 3, 3, 64, 64, 1,\nconv2, 56, x, 3, 3, 64, 64, 1,\n";
    let e = parse_topology(text, path).unwrap_err();
    match &e {
        AccelError::Topology {
            file, line, field, ..
        } => {
            assert_eq!(file, path);
            assert_eq!(*line, 3);
            assert_eq!(field, "IFMAP Width");
        }
        other => panic!("{other}"),
    }
    assert!(
        e.to_string().starts_with("net.csv:3: field `IFMAP Width`"),
        "{e}"
    );
    let short = "Layer, M, N, K,\ng1, 4, 4,\n";
    assert!(matches!(
        parse_topology(short, path),
        Err(AccelError::Topology { line: 2, .. })
    ));
    let zero = "Layer, M, N, K,\ng1, 4, 0, 4,\n";
    let e = parse_topology(zero, path).unwrap_err();
    assert!(e.to_string().contains("field `N`"), "{e}");
    let big_filter = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc, 2, 2, 3, 3, 1, 1, 1,\n";
    assert!(matches!(
        parse_topology(big_filter, path),
        Err(AccelError::Topology { line: 2, .. })
    ));
}

#[test]
fn network_reports_equal_layer_by_layer_simulation() {
    // Same-shape layers are simulated once per network; the detail must not show it.
    let mut layers = parse_workload("conv:12,10,3,3,4,8,1").unwrap();
    layers.extend(parse_workload("gemm:16,8,24").unwrap());
    let mut twin = layers[0].clone();
    twin.name = "twin".into();
    layers.push(twin);
    let table = EnergyTable::default_table();
    for bandwidth in [Bandwidth::Calc, Bandwidth::User(4)] {
        let cfg = ArrayConfig {
            bandwidth,
            ..cfg(4, 4, 1)
        };
        let net = simulate_network(&layers, &cfg, &table, 2).unwrap();
        assert_eq!(net.layers.len(), 3);
        for (l, r) in layers.iter().zip(&net.layers) {
            assert_eq!(*r, simulate_layer(l, &cfg));
        }
        let sum: f64 = net.layers.iter().map(|r| r.total_cycles).sum();
        assert_eq!(net.total_cycles, sum);
    }
}

#[test]
fn network_report_does_not_depend_on_the_thread_count() {
    // Distinct shapes are simulated in parallel; sums must come out bit for bit the same.
    let layers = workloads::network("mobilenet_v2").unwrap();
    let table = EnergyTable::default_table();
    let cfg = ArrayConfig {
        bandwidth: Bandwidth::User(8),
        ..cfg(8, 8, 4)
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| simulate_network(&layers, &cfg, &table, 2).unwrap())
    };
    let one = on(1);
    assert_eq!(one, on(4));
    assert_eq!(one.energy.total().to_bits(), on(3).energy.total().to_bits());
}

#[test]
fn workloads_parse() {
    for name in workloads::NETWORK_NAMES {
        let layers = workloads::network(name).unwrap();
        assert!(!layers.is_empty(), "{name}");
    }
    // Real output sizes under SCALE-Sim's ceil rule.
    let r50 = workloads::network("resnet50").unwrap();
    assert_eq!(r50.len(), 54);
    assert_eq!(r50[0].ofmap_h(), 112);
    assert!(
        r50.iter()
            .filter(|l| l.name.starts_with("layer4"))
            .all(|l| l.ofmap_h() == 7 || l.name.contains("layer4.0.conv1"))
    );
    let mb = workloads::network("mobilenet_v2").unwrap();
    assert!(
        mb.iter()
            .any(|l| l.name.contains("DPChannel_") && l.channels == 1)
    );
    assert_eq!(parse_workload("gemm:64,32,16").unwrap()[0].window(), 16);
    assert!(parse_workload("conv:1,2,3").is_err());
    assert!(
        parse_workload("nosuchnet")
            .unwrap_err()
            .to_string()
            .contains("resnet50")
    );
}

#[test]
fn out_of_range_knobs_and_options_are_clear_errors() {
    let mut c = cfg(32, 32, 64);
    c.rows = 0;
    assert!(c.validate().unwrap_err().to_string().contains("`rows`"));
    let opts = |kv: &[(&str, &str)]| {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
    };
    let e = accel::from_options(&opts(&[("workload", "resnet18"), ("bogus", "1")]))
        .err()
        .unwrap();
    assert!(
        e.to_string().contains("bogus") && e.to_string().contains("workload"),
        "{e}"
    );
    let e = accel::from_options(&opts(&[("word_bytes", "3")]))
        .err()
        .unwrap();
    assert!(e.to_string().contains("word_bytes"), "{e}");
    let e = accel::from_options(&opts(&[("area_budget_mm2", "-1")]))
        .err()
        .unwrap();
    assert!(e.to_string().contains("area_budget_mm2"), "{e}");
    let sim = accel::from_options(&opts(&[("workload", "gemm:64,64,64")])).unwrap();
    let bad = sim.space().parse_assignments([("rows", "3")]);
    assert!(bad.is_err());
}

#[test]
fn single_layer_metrics_carry_report_fields() {
    let opts: BTreeMap<String, String> =
        [("workload".to_string(), "conv:18,18,3,3,32,64,1".to_string())].into();
    let sim = accel::from_options(&opts).unwrap();
    let m = sim.evaluate(&sim.space().default_design()).unwrap();
    for key in [
        "total_cycles_incl_prefetch",
        "stall_cycles",
        "overall_util",
        "avg_ifmap_dram_bw",
        "sram_filter_reads",
        "dram_ofmap_start_cycle",
        "edp",
        "energy_pj",
        "area_mm2",
        "dram_words",
    ] {
        assert!(m.get(key).is_some(), "missing {key}");
    }
    assert_eq!(
        accel::metric_key("Total Cycles (incl. prefetch)"),
        "total_cycles_incl_prefetch"
    );
}

#[test]
fn area_budget_makes_large_designs_infeasible() {
    let opts: BTreeMap<String, String> = [
        ("workload".to_string(), "gemm:64,64,64".to_string()),
        ("area_budget_mm2".to_string(), "0.5".to_string()),
    ]
    .into();
    let sim = accel::from_options(&opts).unwrap();
    let big = sim
        .space()
        .parse_assignments([("rows", "512"), ("cols", "512")])
        .unwrap();
    assert!(!sim.space().contains(&big));
}

#[test]
fn check_env_passes() {
    let opts: BTreeMap<String, String> = [("workload".to_string(), "alexnet".to_string())].into();
    let sim = accel::from_options(&opts).unwrap();
    let objective = accel::AccelSimulator::target_objective(1e10, 2.0, 1e6)
        .build(sim.metrics())
        .unwrap();
    let mut env = gym::DesignEnv::new(sim, objective);
    gym::check_env(&mut env, 7, 20).unwrap();
}

#[test]
fn small_and_odd_shapes_simulate_consistently() {
    let layers = [
        accel::Layer::gemm("g", 1, 1, 1).unwrap(),
        accel::Layer::gemm("g", 7, 3, 5).unwrap(),
        accel::Layer::gemm("g", 33, 17, 65).unwrap(),
        accel::Layer::conv("c", [5, 5, 5, 5, 1, 1, 1]).unwrap(),
        accel::Layer::conv("c", [9, 7, 3, 2, 3, 5, 2]).unwrap(),
        accel::Layer::conv("c", [12, 12, 3, 3, 8, 9, 4]).unwrap(),
    ];
    for layer in &layers {
        for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
            for (rows, cols) in [(1, 1), (3, 5), (8, 2), (16, 16)] {
                for kb in [1, 2] {
                    for bandwidth in [Bandwidth::Calc, Bandwidth::User(1), Bandwidth::User(8)] {
                        let cfg = ArrayConfig {
                            rows,
                            cols,
                            ifmap_kb: kb,
                            filter_kb: kb,
                            ofmap_kb: kb,
                            dataflow,
                            bandwidth,
                        };
                        let r = accel::simulate_layer(layer, &cfg);
                        let ctx = format!("{layer:?} {cfg:?}");
                        assert_eq!(
                            r.total_cycles,
                            r.compute_cycles as f64 + r.stall_cycles,
                            "{ctx}"
                        );
                        assert!(r.stall_cycles >= 0.0, "{ctx}");
                        if bandwidth == Bandwidth::Calc {
                            assert_eq!(r.stall_cycles, 0.0, "{ctx}");
                        }
                        assert!(
                            r.dram_ifmap_reads > 0.0 && r.dram_filter_reads > 0.0,
                            "{ctx}"
                        );
                        assert!(r.dram_ofmap_writes >= layer.ofmap_words() as f64, "{ctx}");
                        // SCALE-Sim counts one cycle less than the demand lines, so a tiny layer on a
                        // tiny array can exceed 100%.
                        assert!(r.overall_util > 0.0 && r.overall_util.is_finite(), "{ctx}");
                        assert!(
                            r.mapping_efficiency > 0.0 && r.mapping_efficiency <= 100.0,
                            "{ctx}"
                        );
                    }
                }
            }
        }
    }
}
