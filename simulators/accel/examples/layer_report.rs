//! Prints one layer's SCALE-Sim-style report as JSON:
//! `cargo run -p accel --example layer_report -- gemm:16,128,64 rows cols ifmap_kb filter_kb ofmap_kb ws calc|<words>`
use accel::{ArrayConfig, Bandwidth, Dataflow, parse_workload, simulate_layer};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: layer_report <workload> rows cols ifmap_kb filter_kb ofmap_kb os|ws|is calc|<words>";
    if a.len() != 8 {
        eprintln!("{usage}");
        std::process::exit(2);
    }
    let n = |i: usize| a[i].parse::<u64>().unwrap_or_else(|_| panic!("{usage}"));
    let cfg = ArrayConfig {
        rows: n(1),
        cols: n(2),
        ifmap_kb: n(3),
        filter_kb: n(4),
        ofmap_kb: n(5),
        dataflow: Dataflow::parse(&a[6]).expect("dataflow"),
        bandwidth: Bandwidth::parse(&a[7]).unwrap_or_else(|| panic!("{usage}")),
    };
    for layer in parse_workload(&a[0]).expect("workload") {
        println!(
            "{}",
            serde_json::to_string(&simulate_layer(&layer, &cfg)).unwrap()
        );
    }
}
