//! Plots from real (small) sweeps on the synthetic simulator: every kind produces a PNG of the
//! expected size and an SVG that names the agents and labels its axes.

use std::path::Path;

use hwgym::lab::plot::{Formats, PlotKind, plot};
use hwgym::lab::results;
use hwgym::{recipe, sweep};

const SCALAR: &str = "\
name: plot-test
simulator: synthetic
options: { function: constrained }
objective: { target: { loss: 0.5 }, form: product }
agents:
  - { kind: random_walk, label: walker, grid: { restart_probability: [0.0, 0.3] } }
  - { kind: random_search, label: searcher, grid: { batch: [2, 8] } }
seeds: [1, 2, 3]
budget: { evaluations: 60 }
";

const VECTOR: &str = "\
name: pareto-test
simulator: synthetic
options: { function: two_objective }
objective: { pareto: [f1, f2], reference: { f1: 1.0, f2: 10.0 } }
agents:
  - { kind: random_walk, label: walker }
  - { kind: random_search, label: searcher }
seeds: [1, 2]
budget: { evaluations: 60 }
";

fn sweep_into(dir: &Path, text: &str) {
    let r = recipe::parse(Path::new("plot.yaml"), text).unwrap();
    let opts = sweep::SweepOptions {
        out: dir.to_path_buf(),
        jobs: 2,
        progress: false,
        git_rev: None,
    };
    sweep::run(&r, &opts).unwrap();
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

fn svg(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..text.len().min(80)]);
    text
}

fn files(dir: &Path, kind: PlotKind) -> (std::path::PathBuf, std::path::PathBuf) {
    let res = results::load(dir).unwrap();
    let out = dir.join("plots");
    let made = plot(&res, kind, &out, Formats::default()).unwrap();
    let png = out.join(format!("{}.png", kind.name()));
    let svg = out.join(format!("{}.svg", kind.name()));
    assert_eq!(made, vec![png.clone(), svg.clone()]);
    (png, svg)
}

#[test]
fn scalar_sweep_plots() {
    let dir = tempfile::tempdir().unwrap();
    sweep_into(dir.path(), SCALAR);

    let (png, s) = files(dir.path(), PlotKind::Convergence);
    assert_eq!(png_size(&png), (1000, 640));
    // A white canvas compresses to a few kB; curves, bands and text make it larger.
    assert!(
        std::fs::metadata(&png).unwrap().len() > 20_000,
        "convergence PNG looks empty"
    );
    let text = svg(&s);
    for needle in [
        "walker",
        "searcher",
        "evaluations (designs sampled)",
        "best reward (product target form) so far",
        "Convergence: synthetic (function=constrained)",
    ] {
        assert!(text.contains(needle), "convergence SVG lacks `{needle}`");
    }

    let (png, s) = files(dir.path(), PlotKind::Lottery);
    assert_eq!(png_size(&png), (1000, 640));
    let text = svg(&s);
    for needle in [
        "walker (2 settings)",
        "searcher (2 settings)",
        "final reward (product target form) (best found)",
        "Hyperparameter lottery",
    ] {
        assert!(text.contains(needle), "lottery SVG lacks `{needle}`");
    }

    let (png, s) = files(dir.path(), PlotKind::Sensitivity);
    // Five knobs: three panels per row, two rows, plus the title band.
    assert_eq!(png_size(&png), (3 * 420, 2 * 340 + 50));
    let text = svg(&s);
    for needle in [
        "walker",
        "searcher",
        "shape",
        "width (log2 scale)",
        "lr (log10 scale)",
        "triangle",
    ] {
        assert!(text.contains(needle), "sensitivity SVG lacks `{needle}`");
    }

    // No vector objective here: a Pareto plot is refused with a reason.
    let res = results::load(dir.path()).unwrap();
    let e = plot(
        &res,
        PlotKind::Pareto,
        &dir.path().join("plots"),
        Formats::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("pareto"), "{e}");
}

#[test]
fn pareto_plot() {
    let dir = tempfile::tempdir().unwrap();
    sweep_into(dir.path(), VECTOR);
    let (png, s) = files(dir.path(), PlotKind::Pareto);
    assert_eq!(png_size(&png), (1000, 700));
    assert!(
        std::fs::metadata(&png).unwrap().len() > 20_000,
        "pareto PNG looks empty"
    );
    let text = svg(&s);
    // Axis labels are whole text elements (plotters writes `<text …>label\n</text>`).
    for needle in ["walker (front:", "searcher (front:", "Pareto fronts"] {
        assert!(text.contains(needle), "pareto SVG lacks `{needle}`");
    }
    // Metrics spanning decades get a log axis, which the label says.
    for axis in ["f1", "f2"] {
        assert!(
            text.contains(&format!("{axis}\n</text>"))
                || text.contains(&format!("{axis} (log scale)\n</text>")),
            "pareto SVG lacks the axis label `{axis}`"
        );
    }
}
