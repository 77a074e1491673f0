//! Layers simulated per second on a whole ResNet-50, for each dataflow and bandwidth mode.
//! Run: `cargo bench -p accel`.
//!
//! Three rates per case, measured in the same process: the baseline simulates each of the 54 layers
//! one by one (`simulate_layer`) on one thread; the network rates go through `simulate_network`,
//! which simulates each distinct layer shape once (in parallel), on one thread and on all of them.
//! All count all 54 layers; each rate is the median of five windows.

use std::time::Instant;

use accel::{
    ArrayConfig, Bandwidth, Dataflow, EnergyTable, simulate_layer, simulate_network, workloads,
};

/// The aim, printed as a ratio.
const AIM_LAYERS_PER_SECOND: f64 = 100_000.0;

/// Windows a rate is measured over; the median is reported, so that a burst of load on a shared
/// machine moves it less than it moves the mean.
const WINDOWS: usize = 5;

/// Runs `pass` (one pass over the network) for about `secs` seconds, in [`WINDOWS`] windows;
/// returns the median window's passes per second and the pass's result (total cycles).
fn rate(secs: f64, mut pass: impl FnMut() -> f64) -> (f64, f64) {
    let mut result = 0.0;
    let mut rates: Vec<f64> = (0..WINDOWS)
        .map(|_| {
            let mut reps = 0u64;
            let start = Instant::now();
            while start.elapsed().as_secs_f64() < secs / WINDOWS as f64 {
                result = pass();
                reps += 1;
            }
            reps as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    (rates[WINDOWS / 2], result)
}

fn main() {
    // Wall-clock rates fall on a loaded machine: print the load they were measured under.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "load average {} on {cpus} CPUs",
        load.split_whitespace().next().unwrap_or("?")
    );
    let layers = workloads::network("resnet50").expect("built-in");
    let mut shapes: Vec<[u64; 7]> = layers.iter().map(|l| l.shape()).collect();
    shapes.sort_unstable();
    shapes.dedup();
    println!(
        "resnet50: {} layers, {} distinct shapes; 32x32 array, 64/64/64 kB",
        layers.len(),
        shapes.len()
    );
    let table = EnergyTable::default_table();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let n = layers.len() as f64;
    for (bandwidth, label) in [
        (Bandwidth::Calc, "calc"),
        (Bandwidth::User(64), "user 64 w/cyc"),
        (Bandwidth::User(16), "user 16 w/cyc"),
    ] {
        for dataflow in [Dataflow::Os, Dataflow::Ws, Dataflow::Is] {
            let cfg = ArrayConfig::square(32, 64, dataflow, bandwidth);
            let (base, base_cycles) = rate(1.0, || {
                layers
                    .iter()
                    .map(|l| simulate_layer(l, &cfg).total_cycles)
                    .sum()
            });
            let network = || {
                simulate_network(&layers, &cfg, &table, 2)
                    .expect("valid config")
                    .total_cycles
            };
            let (net1, net1_cycles) = one_thread.install(|| rate(1.0, network));
            let (net, net_cycles) = rate(1.0, network);
            assert_eq!(
                (base_cycles, net1_cycles),
                (net_cycles, net_cycles),
                "all paths simulate the same network"
            );
            println!(
                "{label:>14} {dataflow:?}: layer by layer {:>6.0} layers/s; network: 1 thread {:>6.0} ({:.2}x), \
                 {cpus} threads {:>6.0} ({:.2}x, {:.3}x the {AIM_LAYERS_PER_SECOND:.0} aim) [{:.4e} cycles]",
                base * n,
                net1 * n,
                net1 / base,
                net * n,
                net / base,
                net * n / AIM_LAYERS_PER_SECOND,
                net_cycles,
            );
        }
    }
}
