//! Per-layer simulation time of a network on a 32×32 array with 64 kB SRAMs (a profiling aid):
//! `cargo run -p accel --release --example layer_times -- resnet50 ws calc [repetitions]`
//! prints each layer's mean time over the repetitions (default 1), slowest first, and the total.
use std::time::Instant;

use accel::{ArrayConfig, Bandwidth, Dataflow, parse_workload, simulate_layer};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: layer_times <network|workload> os|ws|is calc|<words> [repetitions]";
    if a.len() < 3 {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let layers = parse_workload(&a[0]).expect("a network or workload");
    let dataflow = Dataflow::parse(&a[1]).expect(usage);
    let bandwidth = Bandwidth::parse(&a[2]).expect(usage);
    let reps: u32 = a.get(3).map_or(1, |r| r.parse().expect(usage));
    let cfg = ArrayConfig::square(32, 64, dataflow, bandwidth);
    let mut times: Vec<(f64, String)> = layers
        .iter()
        .map(|l| {
            let start = Instant::now();
            let mut r = simulate_layer(l, &cfg);
            for _ in 1..reps {
                r = simulate_layer(l, &cfg);
            }
            let us = start.elapsed().as_secs_f64() * 1e6 / reps as f64;
            let shape = format!(
                "{} {}x{} {}x{} c{} f{} s{}  dram_ifmap {}",
                l.name,
                l.ifmap_h,
                l.ifmap_w,
                l.filter_h,
                l.filter_w,
                l.channels,
                l.filters,
                l.stride,
                r.dram_ifmap_reads
            );
            (us, shape)
        })
        .collect();
    let total: f64 = times.iter().map(|t| t.0).sum();
    times.sort_by(|x, y| y.0.total_cmp(&x.0));
    for (us, shape) in &times {
        println!("{us:>12.1} us  {shape}");
    }
    println!(
        "{total:>12.1} us  total over {} layers ({:.0} layers/s)",
        layers.len(),
        layers.len() as f64 / total * 1e6
    );
}
