use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmds = logic::recipe::parse_recipe(&args[0]).unwrap();
    let g = logic::aiger::read_aiger_file(std::path::Path::new(&args[1])).unwrap();
    let out = logic::recipe::run_native(&g, &cmds);
    let t = Instant::now();
    let r = logic::equiv::check(&g, &out, &Default::default()).unwrap();
    println!("{:?} {:?}", r, t.elapsed());
}
