//! Plots of a results directory, as PNG and SVG (plotters, with the DejaVu fonts compiled in so that
//! headless machines render text):
//! - `convergence`: best reward so far against evaluations, median and IQR band over runs per agent;
//! - `lottery`: final reward per agent across hyperparameter settings (box of the per-setting medians,
//!   dots for every run);
//! - `pareto`: the first two metrics of a vector objective, every evaluation and each agent's front;
//! - `sensitivity`: reward against each design knob, one panel per knob.
//!
//! Rewards spanning more than three decades (ArchGym's product form) are drawn on a log10 axis.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Once;

use anyhow::{Result, anyhow, bail};
use gym::Domain;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::lab::report::{pareto_objective, run_costs};
use crate::lab::results::{Problem, Results, RunData, bool_column, f64_column, str_column};
use crate::lab::stats::Quartiles;

/// Which figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotKind {
    Convergence,
    Lottery,
    Pareto,
    Sensitivity,
}

impl PlotKind {
    pub const ALL: [PlotKind; 4] = [
        PlotKind::Convergence,
        PlotKind::Lottery,
        PlotKind::Pareto,
        PlotKind::Sensitivity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlotKind::Convergence => "convergence",
            PlotKind::Lottery => "lottery",
            PlotKind::Pareto => "pareto",
            PlotKind::Sensitivity => "sensitivity",
        }
    }
}

impl FromStr for PlotKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PlotKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown plot kind `{s}` (known: convergence, lottery, pareto, sensitivity)"
                )
            })
    }
}

const FONT: &str = "sans-serif";
const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

/// Registers the bundled DejaVu Sans as the `sans-serif` family (once per process).
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are valid TrueType files compiled into the binary; failure would be a build bug.
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .ok()
            .expect("DejaVu Sans parses");
        plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold())
            .ok()
            .expect("DejaVu Sans Bold parses");
    });
}

/// A value axis: linear, or log10 when positive values span more than three decades.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    pub log: bool,
    pub lo: f64,
    pub hi: f64,
}

impl Axis {
    /// An axis covering `values` (NaNs ignored) with a 5 % margin.
    pub fn fit(values: impl IntoIterator<Item = f64>) -> Axis {
        let xs: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if xs.is_empty() {
            return Axis {
                log: false,
                lo: 0.0,
                hi: 1.0,
            };
        }
        let log = lo > 0.0 && hi / lo > 1e3;
        let (lo, hi) = if log {
            (lo.log10(), hi.log10())
        } else {
            (lo, hi)
        };
        let pad = if hi > lo {
            0.05 * (hi - lo)
        } else {
            0.5 * lo.abs().max(1.0)
        };
        Axis {
            log,
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// Where `x` goes on the axis.
    pub fn map(&self, x: f64) -> f64 {
        if self.log { x.log10() } else { x }
    }

    pub fn label(&self, v: f64) -> String {
        let x = if self.log { 10f64.powf(v) } else { v };
        crate::lab::report::num(Some(x))
    }

    pub fn describe(&self, text: &str) -> String {
        if self.log {
            format!("{text} (log scale)")
        } else {
            text.to_string()
        }
    }
}

/// One agent's convergence: median and quartiles of best-so-far over its runs, per evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvergenceCurve {
    pub label: String,
    pub runs: usize,
    /// `(evaluation (1-based), q1, median, q3)`, where at least one run has a reward.
    pub points: Vec<(usize, f64, f64, f64)>,
}

/// Best-so-far curves per agent; runs that stopped early (target met) keep their final best.
pub fn convergence(results: &Results, problem: &Problem) -> Result<Vec<ConvergenceCurve>> {
    let mut out = Vec::new();
    for label in &problem.agents {
        let runs: Vec<&RunData> = results
            .problem_runs(problem)
            .filter(|r| r.label() == label)
            .collect();
        let curves = runs
            .iter()
            .map(|r| r.best_so_far())
            .collect::<Result<Vec<_>>>()?;
        let len = curves.iter().map(Vec::len).max().unwrap_or(0);
        let mut points = Vec::new();
        for i in 0..len {
            let at: Vec<f64> = curves
                .iter()
                .filter_map(|c| c.get(i).or(c.last()).copied())
                .collect();
            if let Some(q) = Quartiles::of(&at) {
                points.push((i + 1, q.q1, q.median, q.q3));
            }
        }
        out.push(ConvergenceCurve {
            label: label.clone(),
            runs: runs.len(),
            points,
        });
    }
    Ok(out)
}

/// One agent's lottery: per-setting median final rewards and every run's final reward.
#[derive(Clone, Debug, PartialEq)]
pub struct LotteryBox {
    pub label: String,
    pub setting_medians: Vec<f64>,
    pub runs: Vec<f64>,
}

pub fn lottery(results: &Results, problem: &Problem) -> Vec<LotteryBox> {
    problem
        .agents
        .iter()
        .map(|label| {
            let runs: Vec<&RunData> = results
                .problem_runs(problem)
                .filter(|r| r.label() == label)
                .collect();
            let mut settings: Vec<(String, Vec<f64>)> = Vec::new();
            for r in &runs {
                if let Some(x) = r.final_reward() {
                    match settings.iter_mut().find(|(s, _)| *s == r.setting()) {
                        Some((_, v)) => v.push(x),
                        None => settings.push((r.setting(), vec![x])),
                    }
                }
            }
            LotteryBox {
                label: label.clone(),
                setting_medians: settings
                    .iter()
                    .map(|(_, v)| crate::lab::stats::median(v))
                    .collect(),
                runs: runs.iter().filter_map(|r| r.final_reward()).collect(),
            }
        })
        .collect()
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw_convergence<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    curves: &[ConvergenceCurve],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let y = Axis::fit(
        curves
            .iter()
            .flat_map(|c| c.points.iter().flat_map(|p| [p.1, p.2, p.3])),
    );
    let x_max = curves
        .iter()
        .flat_map(|c| c.points.last().map(|p| p.0))
        .max()
        .unwrap_or(1)
        .max(2) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(1.0..x_max, y.lo..y.hi)?;
    let y_fmt = |v: &f64| y.label(*v);
    let x_fmt = |v: &f64| format!("{v:.0}");
    chart
        .configure_mesh()
        .x_label_formatter(&x_fmt)
        .x_desc("evaluations (designs sampled)")
        .y_desc(y.describe(&format!("best {y_desc} so far")))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .y_label_formatter(&y_fmt)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, c) in curves.iter().enumerate() {
        let col = color(i);
        let mut band: Vec<(f64, f64)> = c.points.iter().map(|p| (p.0 as f64, y.map(p.3))).collect();
        band.extend(c.points.iter().rev().map(|p| (p.0 as f64, y.map(p.1))));
        chart.draw_series(std::iter::once(Polygon::new(band, col.mix(0.18).filled())))?;
        chart
            .draw_series(LineSeries::new(
                c.points.iter().map(|p| (p.0 as f64, y.map(p.2))),
                col.stroke_width(2),
            ))?
            .label(format!("{} (median, IQR band; {} runs)", c.label, c.runs))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    root.present()
}

fn draw_lottery<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    boxes: &[LotteryBox],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let y = Axis::fit(
        boxes
            .iter()
            .flat_map(|b| b.runs.iter().chain(&b.setting_medians).copied()),
    );
    let n = boxes.len().max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..n - 0.5, y.lo..y.hi)?;
    let y_fmt = |v: &f64| y.label(*v);
    let no_label = |_: &f64| String::new();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(boxes.len().max(2))
        .x_label_formatter(&no_label)
        .x_desc("agent")
        .y_desc(y.describe(&format!("final {y_desc} (best found)")))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .y_label_formatter(&y_fmt)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, b) in boxes.iter().enumerate() {
        let col = color(i);
        let x = i as f64;
        if let Some(q) = Quartiles::of(&b.setting_medians) {
            let (q1, med, q3) = (y.map(q.q1), y.map(q.median), y.map(q.q3));
            chart.draw_series([
                PathElement::new(vec![(x, y.map(q.min)), (x, q1)], col.stroke_width(2)),
                PathElement::new(vec![(x, q3), (x, y.map(q.max))], col.stroke_width(2)),
                PathElement::new(
                    vec![(x - 0.12, y.map(q.min)), (x + 0.12, y.map(q.min))],
                    col.stroke_width(2),
                ),
                PathElement::new(
                    vec![(x - 0.12, y.map(q.max)), (x + 0.12, y.map(q.max))],
                    col.stroke_width(2),
                ),
            ])?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.25, q1), (x + 0.25, q3)],
                col.mix(0.25).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.25, q1), (x + 0.25, q3)],
                col.stroke_width(2),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x - 0.25, med), (x + 0.25, med)],
                BLACK.stroke_width(3),
            )))?;
        }
        // Every run, spread sideways deterministically so that equal rewards stay visible.
        let k = b.runs.len().max(1) as f64;
        chart.draw_series(b.runs.iter().enumerate().map(|(j, r)| {
            let dx = 0.32 + 0.08 * ((j as f64 + 0.5) / k - 0.5) * 2.0;
            Circle::new((x + dx, y.map(*r)), 3, col.mix(0.7).filled())
        }))?;
        let (px, py) = chart.backend_coord(&(x, y.lo));
        let text = format!("{} ({} settings)", b.label, b.setting_medians.len());
        root.draw(&Text::new(
            text,
            (px, py + 10),
            (FONT, 15)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    root.present()
}

/// Points of one agent for the Pareto plot, in metric values: every evaluation and the front.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoCloud {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub front: Vec<(f64, f64)>,
}

fn draw_pareto<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    axes: (&str, &str),
    clouds: &[ParetoCloud],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let x = Axis::fit(clouds.iter().flat_map(|c| c.points.iter().map(|p| p.0)));
    let y = Axis::fit(clouds.iter().flat_map(|c| c.points.iter().map(|p| p.1)));
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(x.lo..x.hi, y.lo..y.hi)?;
    let x_fmt = |v: &f64| x.label(*v);
    let y_fmt = |v: &f64| y.label(*v);
    chart
        .configure_mesh()
        .x_desc(x.describe(axes.0))
        .y_desc(y.describe(axes.1))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (i, c) in clouds.iter().enumerate() {
        let col = color(i);
        chart.draw_series(
            c.points
                .iter()
                .map(|p| Circle::new((x.map(p.0), y.map(p.1)), 2, col.mix(0.25).filled())),
        )?;
        chart.draw_series(LineSeries::new(
            c.front.iter().map(|p| (x.map(p.0), y.map(p.1))),
            col.stroke_width(2),
        ))?;
        chart
            .draw_series(
                c.front
                    .iter()
                    .map(|p| Circle::new((x.map(p.0), y.map(p.1)), 5, col.filled())),
            )?
            .label(format!("{} (front: {} points)", c.label, c.front.len()))
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, col.filled()));
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()
}

/// Reward against one knob: points `(x, reward)` per agent; categorical knobs give their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct KnobPanel {
    pub knob: String,
    /// Labels of a categorical knob (x is the label index), else empty.
    pub categories: Vec<String>,
    /// Whether x is log2 of a power-of-two knob or log10 of a log-scaled float knob.
    pub x_log: Option<f64>,
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

pub fn sensitivity(results: &Results, problem: &Problem) -> Result<Vec<KnobPanel>> {
    let Some(first) = results.problem_runs(problem).next() else {
        return Ok(Vec::new());
    };
    let mut panels = Vec::new();
    for param in &first.summary.space {
        let column = format!("p.{}", param.name);
        let (categories, x_log) = match &param.domain {
            Domain::Categorical(labels) => (labels.clone(), None),
            Domain::Pow2 { .. } => (Vec::new(), Some(2.0)),
            Domain::Float { log: true, .. } => (Vec::new(), Some(10.0)),
            _ => (Vec::new(), None),
        };
        let mut series: Vec<(String, Vec<(f64, f64)>)> = problem
            .agents
            .iter()
            .map(|l| (l.clone(), Vec::new()))
            .collect();
        for r in results.problem_runs(problem) {
            let rewards = f64_column(&r.rows, "reward")?;
            let feasible = bool_column(&r.rows, "feasible")?;
            let xs: Vec<Option<f64>> = if categories.is_empty() {
                f64_column(&r.rows, &column)?
            } else {
                str_column(&r.rows, &column)?
                    .into_iter()
                    .map(|s| {
                        s.and_then(|s| categories.iter().position(|c| *c == s))
                            .map(|i| i as f64)
                    })
                    .collect()
            };
            let slot = &mut series
                .iter_mut()
                .find(|(l, _)| l == r.label())
                .expect("agents listed")
                .1;
            for ((x, reward), ok) in xs.into_iter().zip(rewards).zip(feasible) {
                if let (Some(x), Some(reward), true) = (x, reward, ok) {
                    let x = match x_log {
                        Some(base) if x > 0.0 => x.log(base),
                        _ => x,
                    };
                    slot.push((x, reward));
                }
            }
        }
        panels.push(KnobPanel {
            knob: param.name.clone(),
            categories,
            x_log,
            series,
        });
    }
    Ok(panels)
}

fn draw_sensitivity<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    panels: &[KnobPanel],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let body = root.titled(title, (FONT, 22))?;
    let cols = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(cols).max(1);
    let areas = body.split_evenly((rows, cols));
    let y = Axis::fit(
        panels
            .iter()
            .flat_map(|p| p.series.iter().flat_map(|(_, s)| s.iter().map(|q| q.1))),
    );
    let y_fmt = |v: &f64| y.label(*v);
    for (k, (panel, area)) in panels.iter().zip(&areas).enumerate() {
        let xs: Vec<f64> = panel
            .series
            .iter()
            .flat_map(|(_, s)| s.iter().map(|q| q.0))
            .collect();
        let (x_lo, x_hi) = if panel.categories.is_empty() {
            let a = Axis::fit(xs.iter().copied());
            (a.lo, a.hi)
        } else {
            (-0.5, panel.categories.len() as f64 - 0.5)
        };
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(75)
            .build_cartesian_2d(x_lo..x_hi, y.lo..y.hi)?;
        let cats = panel.categories.clone();
        let base = panel.x_log;
        let x_fmt = move |v: &f64| {
            if !cats.is_empty() {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
                    cats[i as usize].clone()
                } else {
                    String::new()
                }
            } else if let Some(b) = base {
                crate::lab::report::num(Some(b.powf(*v)))
            } else {
                crate::lab::report::num(Some(*v))
            }
        };
        let x_desc = match panel.x_log {
            Some(b) => format!("{} (log{} scale)", panel.knob, b),
            None => panel.knob.clone(),
        };
        chart
            .configure_mesh()
            .x_labels(if panel.categories.is_empty() {
                6
            } else {
                panel.categories.len() + 1
            })
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(x_desc)
            .y_desc(y.describe(y_desc))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let n = panel.series.len().max(1) as f64;
        for (i, (label, points)) in panel.series.iter().enumerate() {
            let col = color(i);
            // Categorical knobs: agents side by side within each category.
            let dx = if panel.categories.is_empty() {
                0.0
            } else {
                0.5 * ((i as f64 + 0.5) / n - 0.5)
            };
            let drawn = chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p.0 + dx, y.map(p.1)), 2, col.mix(0.35).filled())),
            )?;
            if k == 0 {
                drawn
                    .label(label.clone())
                    .legend(move |(x, y)| Circle::new((x + 10, y), 5, col.filled()));
            }
        }
        if k == 0 {
            chart
                .configure_series_labels()
                .label_font((FONT, 13))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(SeriesLabelPosition::LowerRight)
                .draw()?;
        }
    }
    root.present()
}

/// Image formats to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    pub png: bool,
    pub svg: bool,
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            png: true,
            svg: true,
        }
    }
}

/// Draws with `$draw(&root, args…)` into `$stem.png` and/or `$stem.svg`, pushing the paths to `$out`.
macro_rules! render {
    ($out:expr, $formats:expr, $stem:expr, $size:expr, $draw:ident($($arg:expr),*)) => {{
        if $formats.png {
            let path = PathBuf::from(format!("{}.png", $stem.display()));
            let (w, h): (u32, u32) = $size;
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
                $draw(&root, $($arg),*).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            }
            crate::lab::png::write_rgb(&path, &rgb, w, h).map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
            $out.push(path);
        }
        if $formats.svg {
            let path = PathBuf::from(format!("{}.svg", $stem.display()));
            let root = SVGBackend::new(&path, $size).into_drawing_area();
            $draw(&root, $($arg),*).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            drop(root);
            $out.push(path);
        }
    }};
}

/// Draws one kind of figure for every problem in `results` into `out_dir` (`<kind>.png`/`.svg`, or
/// `<kind>-<problem>.png`/`.svg` when the directory holds several problems); returns the files.
pub fn plot(
    results: &Results,
    kind: PlotKind,
    out_dir: &Path,
    formats: Formats,
) -> Result<Vec<PathBuf>> {
    register_fonts();
    std::fs::create_dir_all(out_dir)
        .map_err(|e| anyhow!("cannot create {}: {e}", out_dir.display()))?;
    let mut files = Vec::new();
    let several = results.problems.len() > 1;
    for problem in &results.problems {
        let stem = if several {
            out_dir.join(format!("{}-{}", kind.name(), problem.slug()))
        } else {
            out_dir.join(kind.name())
        };
        let y_desc = problem.reward_label();
        match kind {
            PlotKind::Convergence => {
                let curves = convergence(results, problem)?;
                let title = format!("Convergence: {}", problem.title());
                render!(
                    files,
                    formats,
                    stem,
                    (1000, 640),
                    draw_convergence(&title, &y_desc, &curves)
                );
            }
            PlotKind::Lottery => {
                let boxes = lottery(results, problem);
                let title = format!("Hyperparameter lottery: {}", problem.title());
                render!(
                    files,
                    formats,
                    stem,
                    (1000, 640),
                    draw_lottery(&title, &y_desc, &boxes)
                );
            }
            PlotKind::Pareto => {
                let Some((metrics, _)) = pareto_objective(results, problem)? else {
                    continue;
                };
                let first = results
                    .problem_runs(problem)
                    .next()
                    .expect("problems have runs");
                let axis = |i: usize| {
                    let name = &metrics[i].0;
                    let unit = first
                        .summary
                        .metrics
                        .iter()
                        .find(|m| &m.name == name)
                        .map(|m| m.unit.clone())
                        .unwrap_or_default();
                    if unit.is_empty() {
                        name.clone()
                    } else {
                        format!("{name} ({unit})")
                    }
                };
                let two = &metrics[..2.min(metrics.len())];
                if two.len() < 2 {
                    continue;
                }
                let mut clouds = Vec::new();
                for label in &problem.agents {
                    let mut points = Vec::new();
                    for r in results.problem_runs(problem).filter(|r| r.label() == label) {
                        points.extend(run_costs(r, two)?);
                    }
                    let costs: Vec<Vec<f64>> = points.iter().map(|(c, _)| c.clone()).collect();
                    let mut front: Vec<(f64, f64)> = gym::pareto_front(&costs)
                        .into_iter()
                        .map(|i| (points[i].1[0], points[i].1[1]))
                        .collect();
                    front.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                    front.dedup();
                    clouds.push(ParetoCloud {
                        label: label.clone(),
                        points: points.iter().map(|(_, v)| (v[0], v[1])).collect(),
                        front,
                    });
                }
                let title = format!("Pareto fronts: {}", problem.title());
                let (ax, ay) = (axis(0), axis(1));
                render!(
                    files,
                    formats,
                    stem,
                    (1000, 700),
                    draw_pareto(&title, (&ax, &ay), &clouds)
                );
            }
            PlotKind::Sensitivity => {
                let panels = sensitivity(results, problem)?;
                let cols = panels.len().clamp(1, 3) as u32;
                let rows = panels.len().div_ceil(cols as usize).max(1) as u32;
                let title = format!("Sensitivity: reward vs knob, {}", problem.title());
                render!(
                    files,
                    formats,
                    stem,
                    (420 * cols, 340 * rows + 50),
                    draw_sensitivity(&title, &y_desc, &panels)
                );
            }
        }
    }
    if files.is_empty() {
        bail!(
            "no {} plot: {}",
            kind.name(),
            if kind == PlotKind::Pareto {
                "no run has a vector (pareto) objective"
            } else {
                "no runs"
            }
        );
    }
    Ok(files)
}
