use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmds = logic::recipe::parse_recipe(&args[0]).unwrap();
    let lib = logic::genlib::read_genlib_file(std::path::Path::new(
        "/work/shared/reference/logic/asap7.genlib",
    ))
    .unwrap();
    let table = logic::map::MatchTable::new(&lib, 5).unwrap();
    for p in &args[1..] {
        let g = logic::aiger::read_aiger_file(std::path::Path::new(p)).unwrap();
        let mut cur = g.compact();
        let mut times = Vec::new();
        for c in &cmds {
            let t = Instant::now();
            cur = logic::recipe::run_native(&cur, &[*c]);
            times.push(format!("{c}:{:.0}ms", t.elapsed().as_secs_f64() * 1e3));
        }
        let t = Instant::now();
        let m = logic::map::map(&cur, &lib, &table, &Default::default()).unwrap();
        println!(
            "{p} {:?} map {:.0}ms {:?} | {}",
            cur.stats().and,
            t.elapsed().as_secs_f64() * 1e3,
            (m.gates, m.area, m.delay),
            times.join(" ")
        );
    }
}
