use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmds: Vec<logic::recipe::Command> = logic::recipe::parse_recipe(&args[0]).unwrap();
    for p in &args[1..] {
        let g = logic::aiger::read_aiger_file(std::path::Path::new(p)).unwrap();
        for c in &cmds {
            let t = Instant::now();
            let out = logic::recipe::run_native(&g, &[*c]);
            let dt = t.elapsed();
            println!("{p} {c}: {:?} {:?}", out.stats(), dt);
            let eq = logic::equiv::check(&g, &out, &Default::default())
                .unwrap()
                .0;
            println!(
                "{p} {c}: {:?} -> {:?} {:?} eq={:?}",
                g.stats().and,
                out.stats(),
                dt,
                eq == logic::equiv::Verdict::Equivalent
            );
        }
    }
}
