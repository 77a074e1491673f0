//! ArchGym's DRAM objectives (low power, low latency, both) as target specs.
//!
//! Targets: 1,000 mW and 52,000 ns, the values of the project's `dram-latency-lottery` recipe. On
//! DDR3-1600 with ArchGym's 10,000-request traces, DRAMSys reports 500–2,800 mW and, for `stream`,
//! total times from ~50,000 ns (well-tuned open-page configurations) to ~470,000 ns: both targets
//! are reachable but only by a minority of designs, which is what makes them a search problem.

use std::collections::BTreeMap;

use gym::objective::ObjectiveSpec;

pub const TARGET_POWER_MW: f64 = 1000.0;
pub const TARGET_TOTAL_TIME_NS: f64 = 52_000.0;

fn target(pairs: &[(&str, f64)]) -> ObjectiveSpec {
    ObjectiveSpec {
        target: Some(
            pairs
                .iter()
                .map(|&(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        ),
        ..Default::default()
    }
}

/// ArchGym `reward_formulation = power`.
pub fn low_power() -> ObjectiveSpec {
    target(&[("power_mw", TARGET_POWER_MW)])
}

/// ArchGym `reward_formulation = latency` (ArchGym's latency is DRAMSys's total time).
pub fn low_latency() -> ObjectiveSpec {
    target(&[("total_time_ns", TARGET_TOTAL_TIME_NS)])
}

/// ArchGym `reward_formulation = both`.
pub fn low_power_and_latency() -> ObjectiveSpec {
    target(&[
        ("power_mw", TARGET_POWER_MW),
        ("total_time_ns", TARGET_TOTAL_TIME_NS),
    ])
}
