//! Recipes: YAML files that declare a sweep (simulator + options, objective, agents with parameter
//! grids, seeds, budget). Parsing rejects unknown keys; every error is one line naming `file:line` and
//! the field. A recipe expands into a deterministic list of [`RunSpec`]s with stable run ids.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use gym::{Budget, ObjectiveSpec};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::registry;

/// A recipe error: where it is and what is wrong, on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for RecipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for RecipeError {}

/// Seeds: a list, or a count `n` meaning `1..=n`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Seeds {
    Count(u64),
    List(Vec<u64>),
}

impl Seeds {
    pub fn list(&self) -> Vec<u64> {
        match self {
            Seeds::Count(n) => (1..=*n).collect(),
            Seeds::List(l) => l.clone(),
        }
    }
}

fn one_seed() -> Seeds {
    Seeds::Count(1)
}

/// Seeded random sampling of a grid: `n` distinct points drawn with the seed `seed` (all points when the
/// grid has no more than `n`). The drawn points keep their grid order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub n: usize,
    #[serde(default)]
    pub seed: u64,
}

impl Sample {
    /// The indices (ascending) of the points of a grid of `len` points this sample keeps.
    pub fn indices(&self, len: usize) -> Vec<usize> {
        if self.n >= len {
            return (0..len).collect();
        }
        let mut rng = gym::rng::seeded(self.seed);
        let mut picked = rand::seq::index::sample(&mut rng, len, self.n).into_vec();
        picked.sort_unstable();
        picked
    }
}

/// One agent entry: a kind, fixed params, and a grid of params to sweep (cartesian product).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    pub kind: Spanned<String>,
    /// A label to tell apart several entries of the same kind (default: the kind).
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub params: Option<Spanned<serde_json::Map<String, serde_json::Value>>>,
    #[serde(default)]
    pub grid: Option<Spanned<BTreeMap<String, Vec<serde_json::Value>>>>,
    /// Run only `n` points of `grid`, drawn with a seed (grids too large to run whole).
    #[serde(default)]
    pub sample: Option<Spanned<Sample>>,
}

/// A recipe as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub simulator: Spanned<String>,
    #[serde(default)]
    pub options: BTreeMap<String, Spanned<serde_json::Value>>,
    /// Simulator options to sweep (cartesian product, merged into `options`): every run is repeated
    /// for each point, e.g. `options_grid: { trace: [stream, random] }`.
    #[serde(default)]
    pub options_grid: Option<Spanned<BTreeMap<String, Vec<serde_json::Value>>>>,
    /// Run only `n` points of `options_grid`, drawn with a seed.
    #[serde(default)]
    pub options_sample: Option<Spanned<Sample>>,
    pub objective: Spanned<ObjectiveSpec>,
    pub agents: Spanned<Vec<AgentEntry>>,
    #[serde(default = "one_seed")]
    pub seeds: Seeds,
    pub budget: Spanned<Budget>,
    /// Designs per batch, overriding each agent's preference.
    #[serde(default)]
    pub batch_size: Option<usize>,
}

/// A validated recipe.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recipe {
    pub name: String,
    pub file: PathBuf,
    pub simulator: String,
    pub options: BTreeMap<String, String>,
    pub objective: ObjectiveSpec,
    pub seeds: Vec<u64>,
    pub budget: Budget,
    pub batch_size: Option<usize>,
    pub runs: Vec<RunSpec>,
}

/// One run: an agent with fully resolved params and a seed, on the recipe's simulator and objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    pub run_id: String,
    pub sweep: String,
    pub simulator: String,
    pub options: BTreeMap<String, String>,
    pub objective: ObjectiveSpec,
    pub agent: String,
    pub label: String,
    pub params: serde_json::Value,
    pub seed: u64,
    pub budget: Budget,
    pub batch_size: Option<usize>,
}

impl RunSpec {
    /// A short description of the workload (the option that names it, or all options).
    pub fn workload(&self) -> String {
        for key in ["trace", "workload", "circuit", "function"] {
            if let Some(v) = self.options.get(key) {
                return v.clone();
            }
        }
        self.options
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Option values are scalars in YAML; simulators take them as strings.
fn scalar_to_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// FNV-1a, stable across platforms and releases (run ids must never change).
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Cartesian product of a grid, in sorted key order, last key varying fastest.
fn grid_points(
    grid: &BTreeMap<String, Vec<serde_json::Value>>,
) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let mut points = vec![serde_json::Map::new()];
    for (k, values) in grid {
        let mut next = Vec::with_capacity(points.len() * values.len());
        for p in &points {
            for v in values {
                let mut q = p.clone();
                q.insert(k.clone(), v.clone());
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// Reads, parses and validates a recipe file.
pub fn load(path: &Path) -> Result<Recipe, RecipeError> {
    let text = std::fs::read_to_string(path).map_err(|e| RecipeError {
        file: path.to_path_buf(),
        line: None,
        field: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    parse(path, &text)
}

/// Parses and validates recipe text (`path` is used in error messages and recorded in the recipe).
pub fn parse(path: &Path, text: &str) -> Result<Recipe, RecipeError> {
    let err = |line: Option<u64>, field: &str, message: String| RecipeError {
        file: path.to_path_buf(),
        line,
        field: field.to_string(),
        message,
    };
    let raw: RecipeFile = serde_saphyr::from_str(text).map_err(|e| {
        let message = e.without_snippet().to_string();
        // Keep one line: the message without any location prefix the library adds.
        let mut message = message.lines().next().unwrap_or("").trim().to_string();
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        err(e.location().map(|l| l.line()), "", message)
    })?;
    let at = |s: &serde_saphyr::Location| Some(s.line());

    let name = raw.name.value.trim().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(err(
            at(&raw.name.referenced),
            "name",
            format!("`{name}` must be non-empty and use only letters, digits, `-`, `_`, `.`"),
        ));
    }

    let sim_info = registry::find_simulator(&raw.simulator.value)
        .map_err(|m| err(at(&raw.simulator.referenced), "simulator", m))?;

    let mut options = BTreeMap::new();
    for (k, v) in &raw.options {
        let s = scalar_to_string(&v.value).ok_or_else(|| {
            err(
                at(&v.referenced),
                &format!("options.{k}"),
                "must be a string or a number".into(),
            )
        })?;
        options.insert(k.clone(), s);
    }
    // The option sets: the fixed options, times the points of `options_grid` (maybe sampled).
    let option_grid = raw
        .options_grid
        .as_ref()
        .map(|g| g.value.clone())
        .unwrap_or_default();
    let grid_line = raw.options_grid.as_ref().map(|g| g.referenced.line());
    for (k, values) in &option_grid {
        if values.is_empty() {
            return Err(err(
                grid_line,
                &format!("options_grid.{k}"),
                "has no values".into(),
            ));
        }
        if options.contains_key(k) {
            return Err(err(
                grid_line,
                &format!("options_grid.{k}"),
                "is also fixed in options".into(),
            ));
        }
        if values.iter().any(|v| scalar_to_string(v).is_none()) {
            return Err(err(
                grid_line,
                &format!("options_grid.{k}"),
                "values must be strings or numbers".into(),
            ));
        }
    }
    let mut option_sets: Vec<BTreeMap<String, String>> = grid_points(&option_grid)
        .into_iter()
        .map(|point| {
            let mut set = options.clone();
            set.extend(
                point
                    .iter()
                    .map(|(k, v)| (k.clone(), scalar_to_string(v).expect("checked above"))),
            );
            set
        })
        .collect();
    if let Some(sample) = &raw.options_sample {
        if option_grid.is_empty() {
            return Err(err(
                at(&sample.referenced),
                "options_sample",
                "needs an `options_grid` to sample".into(),
            ));
        }
        let keep = sample.value.indices(option_sets.len());
        option_sets = keep.into_iter().map(|i| option_sets[i].clone()).collect();
    }
    if option_sets.is_empty() {
        return Err(err(
            at(&raw
                .options_sample
                .as_ref()
                .expect("only sampling empties")
                .referenced),
            "options_sample",
            "`n` must be at least 1".into(),
        ));
    }
    let mut sims = Vec::with_capacity(option_sets.len());
    for set in &option_sets {
        let sim = (sim_info.build)(set).map_err(|e| {
            let message = e.to_string();
            // Point at the option the simulator complains about, when it names one.
            let names =
                |k: &str| message.contains(&format!("`{k}`")) || message.contains(&format!("{k}="));
            let line = raw
                .options
                .iter()
                .find(|(k, _)| names(k))
                .map(|(_, v)| v.referenced.line())
                .or(grid_line.filter(|_| option_grid.keys().any(|k| names(k))))
                .or(Some(raw.simulator.referenced.line()));
            err(line, "options", message)
        })?;
        raw.objective.value.build(sim.metrics()).map_err(|e| {
            err(
                at(&raw.objective.referenced),
                "objective",
                e.to_string().trim_start_matches("objective: ").to_string(),
            )
        })?;
        sims.push(sim);
    }

    raw.budget.value.validate().map_err(|m| {
        err(
            at(&raw.budget.referenced),
            "budget",
            m.trim_start_matches("budget: ").to_string(),
        )
    })?;
    if raw.batch_size == Some(0) {
        return Err(err(None, "batch_size", "must be at least 1".into()));
    }

    let seeds = raw.seeds.list();
    if seeds.is_empty() {
        return Err(err(None, "seeds", "no seeds".into()));
    }
    let mut unique = seeds.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != seeds.len() {
        return Err(err(None, "seeds", "a seed appears twice".into()));
    }
    if raw.agents.value.is_empty() {
        return Err(err(
            at(&raw.agents.referenced),
            "agents",
            "no agents".into(),
        ));
    }

    // Each agent entry's (kind, label, param points), validated against every option set's space.
    let mut settings: Vec<(&str, String, Vec<serde_json::Value>)> = Vec::new();
    for (i, entry) in raw.agents.value.iter().enumerate() {
        let kind = entry.kind.value.as_str();
        let field = format!("agents[{i}]");
        let info = registry::find_agent(kind)
            .map_err(|m| err(at(&entry.kind.referenced), &format!("{field}.kind"), m))?;
        let base = entry
            .params
            .as_ref()
            .map(|p| p.value.clone())
            .unwrap_or_default();
        let grid = entry
            .grid
            .as_ref()
            .map(|g| g.value.clone())
            .unwrap_or_default();
        for (k, values) in &grid {
            if values.is_empty() {
                let line = entry.grid.as_ref().map(|g| g.referenced.line());
                return Err(err(
                    line,
                    &format!("{field}.grid.{k}"),
                    "has no values".into(),
                ));
            }
            if base.contains_key(k) {
                let line = entry.grid.as_ref().map(|g| g.referenced.line());
                return Err(err(
                    line,
                    &format!("{field}.grid.{k}"),
                    "is also fixed in params".into(),
                ));
            }
        }
        let mut points = grid_points(&grid);
        if let Some(sample) = &entry.sample {
            if grid.is_empty() {
                return Err(err(
                    at(&sample.referenced),
                    &format!("{field}.sample"),
                    "needs a `grid` to sample".into(),
                ));
            }
            if sample.value.n == 0 {
                return Err(err(
                    at(&sample.referenced),
                    &format!("{field}.sample"),
                    "`n` must be at least 1".into(),
                ));
            }
            let keep = sample.value.indices(points.len());
            points = keep.into_iter().map(|i| points[i].clone()).collect();
        }
        let label = entry.label.clone().unwrap_or_else(|| kind.to_string());
        let mut all_params = Vec::with_capacity(points.len());
        for point in points {
            let mut params = base.clone();
            params.extend(point);
            let params = serde_json::Value::Object(params);
            // Validate by building the agent once per space, so bad params fail at load, not mid-sweep.
            for sim in &sims {
                (info.build)(sim.space(), &params, 0).map_err(|e| {
                    let line = entry
                        .grid
                        .as_ref()
                        .filter(|g| g.value.keys().any(|k| e.to_string().contains(k.as_str())))
                        .map(|g| g.referenced.line())
                        .or(entry.params.as_ref().map(|p| p.referenced.line()))
                        .or(Some(entry.kind.referenced.line()));
                    err(line, &format!("{field}.params"), e.to_string())
                })?;
            }
            all_params.push(params);
        }
        settings.push((kind, label, all_params));
    }

    let mut runs = Vec::new();
    for set in &option_sets {
        for (kind, label, all_params) in &settings {
            for params in all_params {
                for &seed in &seeds {
                    let mut run = RunSpec {
                        run_id: String::new(),
                        sweep: name.clone(),
                        simulator: raw.simulator.value.clone(),
                        options: set.clone(),
                        objective: raw.objective.value.clone(),
                        agent: kind.to_string(),
                        label: label.clone(),
                        params: params.clone(),
                        seed,
                        budget: raw.budget.value.clone(),
                        batch_size: raw.batch_size,
                    };
                    let content = serde_json::to_string(&run).expect("run specs serialise");
                    run.run_id = format!("{label}-{:08x}-s{seed}", stable_hash(&content) as u32);
                    runs.push(run);
                }
            }
        }
    }
    let mut ids: Vec<&str> = runs.iter().map(|r| r.run_id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(err(
            None,
            "agents",
            format!(
                "two entries produce the same run `{}` (give them different labels or params)",
                w[0]
            ),
        ));
    }
    Ok(Recipe {
        name,
        file: path.to_path_buf(),
        simulator: raw.simulator.value,
        options,
        objective: raw.objective.value,
        seeds,
        budget: raw.budget.value,
        batch_size: raw.batch_size,
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
name: demo
simulator: synthetic
options: { function: mixed }
objective: { minimize: loss }
agents:
  - { kind: random_walk, grid: { restart_probability: [0.0, 0.1] } }
  - { kind: random_search }
seeds: 3
budget: { evaluations: 20 }
";

    fn parse_err(text: &str) -> String {
        parse(Path::new("r.yaml"), text).unwrap_err().to_string()
    }

    #[test]
    fn expands_grids_and_seeds_with_stable_ids() {
        let r = parse(Path::new("r.yaml"), GOOD).unwrap();
        assert_eq!(r.runs.len(), (2 + 1) * 3);
        let again = parse(Path::new("other.yaml"), GOOD).unwrap();
        let ids: Vec<_> = r.runs.iter().map(|x| &x.run_id).collect();
        assert_eq!(
            ids,
            again.runs.iter().map(|x| &x.run_id).collect::<Vec<_>>()
        );
        assert!(r.runs[0].run_id.starts_with("random_walk-") && r.runs[0].run_id.ends_with("-s1"));
        assert_eq!(
            r.runs[0].params,
            serde_json::json!({"restart_probability": 0.0})
        );
        // Changing the budget changes every id (finished runs of another budget are not reused).
        let other = parse(
            Path::new("r.yaml"),
            &GOOD.replace("evaluations: 20", "evaluations: 21"),
        )
        .unwrap();
        assert!(
            r.runs
                .iter()
                .zip(&other.runs)
                .all(|(a, b)| a.run_id != b.run_id)
        );
    }

    #[test]
    fn bad_yaml_names_file_and_line() {
        let e = parse_err("name: demo\nsimulator: [unclosed\n");
        assert!(e.starts_with("r.yaml:"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let e = parse_err(&GOOD.replace("seeds: 3", "seeds: 3\nbudgett: 1"));
        assert!(e.starts_with("r.yaml:9:") && e.contains("budgett"), "{e}");
        assert!(!e.contains("at line"), "location given twice: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }

    #[test]
    fn unknown_agent_names_line_and_field() {
        let e = parse_err(&GOOD.replace("kind: random_search", "kind: annealing"));
        assert!(
            e.starts_with("r.yaml:7: agents[1].kind: unknown agent `annealing`"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_param_names_line_agent_and_field() {
        let e = parse_err(&GOOD.replace("[0.0, 0.1]", "[0.0, 1.5]"));
        assert!(
            e.starts_with("r.yaml:6: agents[0].params: agent `random_walk`"),
            "{e}"
        );
        assert!(
            e.contains("restart_probability: must be in [0, 1], got 1.5"),
            "{e}"
        );
    }

    #[test]
    fn unknown_simulator_metric_and_option() {
        let e = parse_err(&GOOD.replace("simulator: synthetic", "simulator: dramsys"));
        assert!(
            e.starts_with("r.yaml:2: simulator: unknown simulator `dramsys`"),
            "{e}"
        );
        let e = parse_err(&GOOD.replace("minimize: loss", "minimize: latency"));
        assert!(
            e.starts_with("r.yaml:4: objective: unknown metric `latency`"),
            "{e}"
        );
        let e = parse_err(&GOOD.replace("function: mixed", "function: mixed, colour: red"));
        assert!(
            e.starts_with("r.yaml:3: options: ") && e.contains("`colour`"),
            "{e}"
        );
        let e = parse_err(&GOOD.replace("function: mixed", "function: cubic"));
        assert!(
            e.starts_with("r.yaml:3: options: ") && e.contains("cubic"),
            "{e}"
        );
    }

    #[test]
    fn bad_budget_and_seeds() {
        let e = parse_err(&GOOD.replace("evaluations: 20", "evaluations: 0"));
        assert!(e.starts_with("r.yaml:9: budget:"), "{e}");
        let e = parse_err(&GOOD.replace("seeds: 3", "seeds: [1, 1]"));
        assert!(e.contains("seeds: a seed appears twice"), "{e}");
        let e = parse_err(&GOOD.replace("evaluations: 20", "evaluations: -3"));
        assert!(e.starts_with("r.yaml:9:"), "{e}");
    }
}
