//! Simulated requests per second and wall time per 10,000-request trace (DDR3-1600, built-in
//! `stream` and `random`), against DRAMSys 4.0's ~75 ms per such run.
//! Run: `cargo bench -p dram --bench throughput`.

use std::collections::BTreeMap;
use std::time::Instant;

use dram::ControllerConfig;

const DRAMSYS_MS: f64 = 75.0;

/// CPU time this process has run, s (Linux `/proc/self/schedstat`; 0 elsewhere). On a shared,
/// loaded machine wall time overstates the cost; CPU time shows what an idle core would take.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|x| x.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() {
    let configs = [
        ("Open/Fifo", [("PagePolicy", "Open"), ("Scheduler", "Fifo")]),
        (
            "Closed/FrFcfs",
            [("PagePolicy", "Closed"), ("Scheduler", "FrFcfs")],
        ),
    ];
    println!(
        "{:<8} {:<14} {:>10} {:>14} {:>12} {:>12} {:>16}",
        "trace", "config", "ms/run", "requests/s", "vs DRAMSys", "cpu ms/run", "cpu requests/s"
    );
    for trace in ["stream", "random"] {
        let mut options = BTreeMap::new();
        options.insert("trace".to_string(), trace.to_string());
        let sim = dram::from_options(&options).expect("built-in workload");
        for (name, knobs) in &configs {
            let mut pairs: Vec<(&str, &str)> =
                dram::KNOBS.iter().map(|k| (k.name, k.default)).collect();
            for (k, v) in knobs {
                pairs.iter_mut().find(|p| p.0 == *k).unwrap().1 = v;
            }
            let config = ControllerConfig::from_pairs(&pairs).unwrap();
            let requests = sim.run(&config).unwrap().requests; // warm-up
            let mut times = Vec::new();
            let mut cpu = Vec::new();
            for _ in 0..15 {
                let (t, c) = (Instant::now(), cpu_seconds());
                std::hint::black_box(sim.run(&config).unwrap());
                times.push(t.elapsed().as_secs_f64());
                cpu.push(cpu_seconds() - c);
            }
            // scheduler ticks make single readings coarse: average over the runs
            let cpu_median = cpu.iter().sum::<f64>() / cpu.len() as f64;
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            println!(
                "{:<8} {:<14} {:>10.3} {:>14.0} {:>11.1}x {:>12.3} {:>16.0}",
                trace,
                name,
                median * 1e3,
                requests as f64 / median,
                DRAMSYS_MS / (median * 1e3),
                cpu_median * 1e3,
                if cpu_median > 0.0 {
                    requests as f64 / cpu_median
                } else {
                    0.0
                }
            );
        }
    }
}
