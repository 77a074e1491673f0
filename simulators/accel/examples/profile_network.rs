//! Simulates a network repeatedly (a profiling aid):
//! `cargo run -p accel --release --example profile_network -- resnet50 ws 64 200`
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
    let reps: usize = a[3].parse().expect("repetitions");
    let mut sink = 0.0;
    for _ in 0..reps {
        for l in &layers {
            sink += simulate_layer(l, &cfg).total_cycles;
        }
    }
    println!("{sink:e}");
}
