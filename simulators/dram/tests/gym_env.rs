//! The `dram` simulator in the gym: options, knob space, objectives and environment conformance.

use std::collections::BTreeMap;

use dram::sim::Workload;
use dram::workload::builtin;
use gym::{DesignEnv, DesignParallelEnv, Simulator, check_env, check_parallel_env};

fn small_sim() -> dram::DramSimulator {
    let mut sim = dram::from_options(&BTreeMap::new()).unwrap();
    let mut w = builtin("cloud-1").unwrap();
    w.requests = 300;
    sim.workload = Workload::Synthetic(w);
    sim
}

#[test]
fn options_are_checked() {
    let mut o = BTreeMap::new();
    o.insert("colour".to_string(), "blue".to_string());
    let e = dram::from_options(&o).err().unwrap().to_string();
    assert!(e.contains("colour") && e.contains("memspec"), "{e}");
    let mut o = BTreeMap::new();
    o.insert("memspec".to_string(), "NO_SUCH_DRAM".to_string());
    let e = dram::from_options(&o).err().unwrap().to_string();
    assert!(
        e.contains("NO_SUCH_DRAM") && e.contains("MICRON_4Gb_DDR4-2400_8bit_A"),
        "{e}"
    );
    for name in [
        "MICRON_1Gb_DDR3-1600_8bit_G",
        "MICRON_4Gb_DDR4-2400_8bit_A",
        "JEDEC_4Gb_DDR4-1866_8bit_A",
    ] {
        let mut o = BTreeMap::new();
        o.insert("memspec".to_string(), name.to_string());
        o.insert("trace".to_string(), "random".to_string());
        assert!(dram::from_options(&o).is_ok(), "{name}");
    }
}

#[test]
fn default_design_is_dramsys_policy_and_evaluates() {
    let sim = small_sim();
    let d = sim.space().default_design();
    for (i, knob) in dram::KNOBS.iter().enumerate() {
        assert_eq!(
            sim.space().format(&d, i),
            knob.default,
            "default of {}",
            knob.name
        );
    }
    let m = sim.evaluate_checked(&d).unwrap();
    for spec in sim.metrics() {
        assert!(
            m.get(&spec.name).is_some_and(f64::is_finite),
            "metric {} missing",
            spec.name
        );
    }
    assert_eq!(m.get("n_rd").unwrap() + m.get("n_wr").unwrap(), 300.0);
    // pure: same design, same metrics
    assert_eq!(sim.evaluate(&d).unwrap(), m);
}

#[test]
fn objectives_build_against_the_metrics() {
    let sim = small_sim();
    for o in [
        dram::objectives::low_power(),
        dram::objectives::low_latency(),
        dram::objectives::low_power_and_latency(),
    ] {
        o.build(sim.metrics()).unwrap();
    }
}

#[test]
fn design_env_conforms() {
    let sim = small_sim();
    let objective = dram::objectives::low_power_and_latency()
        .build(sim.metrics())
        .unwrap();
    let mut env = DesignEnv::new(sim, objective);
    check_env(&mut env, 7, 6).unwrap();
}

#[test]
fn parallel_env_conforms() {
    let sim = small_sim();
    let objective = dram::objectives::low_latency()
        .build(sim.metrics())
        .unwrap();
    let mut env = DesignParallelEnv::new(sim, objective);
    check_parallel_env(&mut env, 7, 4).unwrap();
}
