//! Per-layer simulation time of a network (a profiling aid):
//! `cargo run -p accel --release --example layer_times -- resnet50 ws calc`
use std::time::Instant;

use accel::{ArrayConfig, Bandwidth, Dataflow, simulate_layer, workloads};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let layers = workloads::network(&a[0]).expect("network");
    let cfg = ArrayConfig {
        rows: 32,
        cols: 32,
        ifmap_kb: 64,
        filter_kb: 64,
        ofmap_kb: 64,
        dataflow: Dataflow::parse(&a[1]).expect("os|ws|is"),
        bandwidth: if a[2] == "calc" {
            Bandwidth::Calc
        } else {
            Bandwidth::User(a[2].parse().expect("words"))
        },
    };
    for l in &layers {
        let start = Instant::now();
        let r = simulate_layer(l, &cfg);
        let us = start.elapsed().as_secs_f64() * 1e6;
        if us > 100.0 {
            println!(
                "{:>10.0} us  {:?} {}x{} {}x{} c{} f{} s{}  dram_ifmap {}",
                us,
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
        }
    }
}
