//! Layers simulated per second on a whole ResNet-50, for each dataflow.
//! Run: `cargo bench -p accel`.

use std::time::Instant;

use accel::{ArrayConfig, Bandwidth, Dataflow, simulate_layer, workloads};

fn main() {
    // Wall-clock rates fall on a loaded machine: print the load they were measured under.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "load average {} on {cpus} CPUs",
        load.split_whitespace().next().unwrap_or("?")
    );
    let layers = workloads::network("resnet50").expect("built-in");
    for (bandwidth, label) in [
        (Bandwidth::Calc, "calc"),
        (Bandwidth::User(64), "user 64 w/cyc"),
        (Bandwidth::User(16), "user 16 w/cyc"),
    ] {
        for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
            let cfg = ArrayConfig::square(32, 64, dataflow, bandwidth);
            let mut reps = 0u64;
            let mut sink = 0.0;
            let start = Instant::now();
            while start.elapsed().as_secs_f64() < 1.0 {
                for l in &layers {
                    sink += simulate_layer(l, &cfg).total_cycles;
                }
                reps += 1;
            }
            let secs = start.elapsed().as_secs_f64();
            let n = reps * layers.len() as u64;
            println!(
                "resnet50 32x32 64/64/64 kB {label:>14} {:?}: {:>10.0} layers/s ({} layers in {:.2} s, checksum {:.3e})",
                dataflow,
                n as f64 / secs,
                n,
                secs,
                sink
            );
        }
    }
}
