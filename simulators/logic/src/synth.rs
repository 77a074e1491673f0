//! One synthesis evaluation (recipe, then technology mapping) with either engine, and the request /
//! report pair behind `hwgym synth`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::abc::{AbcParams, find_abc};
use crate::aig::Aig;
use crate::error::LogicError;
use crate::genlib::{DEFAULT_GENLIB, Library, default_library, read_genlib_file};
use crate::map::{MapParams, MatchTable, map};
use crate::recipe::{Command, parse_recipe, run_native};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Native,
    Abc,
}

impl std::str::FromStr for Engine {
    type Err = LogicError;
    fn from_str(s: &str) -> Result<Engine, LogicError> {
        match s {
            "native" => Ok(Engine::Native),
            "abc" => Ok(Engine::Abc),
            _ => Err(LogicError::Option {
                name: "engine".into(),
                message: format!("`{s}` is not one of native, abc"),
            }),
        }
    }
}

/// Reads a circuit: a generator spec (`adder:ripple:32`), an AIGER file (`.aig`, `.aag`) or BLIF.
pub fn load_circuit(circuit: &str) -> Result<Aig, LogicError> {
    if crate::generators::is_spec(circuit) {
        return crate::generators::generate(circuit);
    }
    let path = Path::new(circuit);
    match path.extension().and_then(|e| e.to_str()) {
        Some("blif") => crate::blif::read_blif_file(path),
        _ => crate::aiger::read_aiger_file(path),
    }
}

/// The genlib library at `path`, or the project's built-in one.
pub fn load_library(path: Option<&Path>) -> Result<Library, LogicError> {
    match path {
        Some(p) => read_genlib_file(p),
        None => Ok(default_library()),
    }
}

/// What one evaluation reports.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub and: usize,
    pub lev: u32,
    pub gates: usize,
    pub area: f64,
    pub delay: f64,
    pub seconds: f64,
}

impl Evaluation {
    pub fn adp(&self) -> f64 {
        self.area * self.delay
    }
}

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temp_path(ext: &str) -> PathBuf {
    let k = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("hwgym-logic-{}-{k}.{ext}", std::process::id()))
}

/// A circuit and a library, ready to evaluate recipes with one engine.
pub struct Evaluator {
    pub circuit: Aig,
    pub library: Library,
    table: MatchTable,
    pub engine: Engine,
    abc: Option<AbcParams>,
    circuit_file: Option<PathBuf>,
    genlib_file: Option<PathBuf>,
    temp_files: Vec<PathBuf>,
}

impl Evaluator {
    pub fn new(
        circuit: &str,
        genlib: Option<&Path>,
        engine: Engine,
        abc_timeout: Duration,
    ) -> Result<Evaluator, LogicError> {
        let aig = load_circuit(circuit)?.compact();
        let library = load_library(genlib)?;
        let table = MatchTable::new(&library, 5)?;
        let mut ev = Evaluator {
            circuit: aig,
            library,
            table,
            engine,
            abc: None,
            circuit_file: None,
            genlib_file: genlib.map(Path::to_path_buf),
            temp_files: Vec::new(),
        };
        if engine == Engine::Abc {
            let binary = find_abc().ok_or_else(|| {
                LogicError::Abc("ABC not found: install Debian's `berkeley-abc` (or put `abc` on PATH, or set HWGYM_ABC)".into())
            })?;
            ev.abc = Some(AbcParams {
                binary,
                timeout: abc_timeout,
            });
            let is_file = !crate::generators::is_spec(circuit)
                && Path::new(circuit)
                    .extension()
                    .is_some_and(|e| e == "aig" || e == "aag");
            ev.circuit_file = if is_file {
                Some(PathBuf::from(circuit))
            } else {
                let p = temp_path("aig");
                crate::aiger::write_aiger_file(&ev.circuit, &p)?;
                ev.temp_files.push(p.clone());
                Some(p)
            };
            if ev.genlib_file.is_none() {
                let p = temp_path("genlib");
                std::fs::write(&p, DEFAULT_GENLIB).map_err(|source| LogicError::Io {
                    path: p.clone(),
                    source,
                })?;
                ev.temp_files.push(p.clone());
                ev.genlib_file = Some(p);
            }
        }
        Ok(ev)
    }

    /// Maps an AIG with this evaluator's library (native mapper).
    pub fn map_aig(&self, aig: &Aig) -> Result<crate::map::MapReport, LogicError> {
        map(aig, &self.library, &self.table, &MapParams::default())
    }

    /// Runs `recipe` then maps; `write` receives the optimised AIG.
    pub fn evaluate(
        &self,
        recipe: &[Command],
        write: Option<&Path>,
    ) -> Result<(Evaluation, Option<Aig>), LogicError> {
        let start = Instant::now();
        match self.engine {
            Engine::Native => {
                let out = run_native(&self.circuit, recipe);
                let st = out.stats();
                let m = self.map_aig(&out)?;
                if let Some(w) = write {
                    crate::aiger::write_aiger_file(&out, w)?;
                }
                let ev = Evaluation {
                    and: st.and,
                    lev: st.lev,
                    gates: m.gates,
                    area: m.area,
                    delay: m.delay,
                    seconds: start.elapsed().as_secs_f64(),
                };
                Ok((ev, Some(out)))
            }
            Engine::Abc => {
                let abc = self.abc.as_ref().expect("ABC configured");
                let r = crate::abc::run(
                    abc,
                    self.circuit_file.as_deref().expect("circuit file"),
                    self.genlib_file.as_deref(),
                    recipe,
                    write,
                )?;
                let ev = Evaluation {
                    and: r.and,
                    lev: r.lev,
                    gates: r.gates.unwrap_or(0),
                    area: r.area.unwrap_or(0.0),
                    delay: r.delay.unwrap_or(0.0),
                    seconds: start.elapsed().as_secs_f64(),
                };
                let aig = match write {
                    Some(w) => Some(crate::aiger::read_aiger_file(w)?),
                    None => None,
                };
                Ok((ev, aig))
            }
        }
    }
}

impl Drop for Evaluator {
    fn drop(&mut self) {
        for p in &self.temp_files {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `hwgym synth CIRCUIT --recipe "..." [--genlib FILE] [--engine native|abc] [--write OUT.aig] [--verify]`.
#[derive(Clone, Debug)]
pub struct SynthRequest {
    /// AIGER/BLIF path or generator spec.
    pub circuit: String,
    /// Commands separated by `;` (aliases: `resyn2`).
    pub recipe: String,
    pub genlib: Option<PathBuf>,
    pub engine: Engine,
    pub write: Option<PathBuf>,
    /// Check the optimised AIG against the input (SAT-based equivalence).
    pub verify: bool,
    pub abc_timeout: Duration,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SynthReport {
    pub engine: Engine,
    pub recipe: String,
    pub and: usize,
    pub lev: u32,
    pub gates: usize,
    pub area: f64,
    pub delay: f64,
    pub adp: f64,
    pub seconds: f64,
    /// `Some(true)` when verified equivalent; `None` when not asked.
    pub equivalent: Option<bool>,
}

pub fn run(req: &SynthRequest) -> Result<SynthReport, LogicError> {
    let recipe = parse_recipe(&req.recipe)?;
    let ev = Evaluator::new(
        &req.circuit,
        req.genlib.as_deref(),
        req.engine,
        req.abc_timeout,
    )?;
    let temp =
        (req.verify && req.write.is_none() && req.engine == Engine::Abc).then(|| temp_path("aig"));
    let write = req.write.as_deref().or(temp.as_deref());
    let result = ev.evaluate(&recipe, write);
    if let Some(t) = &temp {
        let _ = std::fs::remove_file(t);
    }
    let (e, out) = result?;
    let equivalent = if req.verify {
        let out = out.ok_or_else(|| LogicError::Abc("no optimised AIG to verify".into()))?;
        let (verdict, _) = crate::equiv::check(&ev.circuit, &out, &Default::default())?;
        Some(verdict == crate::equiv::Verdict::Equivalent)
    } else {
        None
    };
    Ok(SynthReport {
        engine: req.engine,
        recipe: crate::recipe::recipe_text(&recipe),
        and: e.and,
        lev: e.lev,
        gates: e.gates,
        area: e.area,
        delay: e.delay,
        adp: e.adp(),
        seconds: e.seconds,
        equivalent,
    })
}
