//! `hwgym proxy`: train a surrogate from a results directory, search it as the `proxy` simulator with
//! `verify_top`, score it on other data, export the dataset; and the errors for unusable data.

mod common;

use std::path::Path;

use common::{err, hwgym, ok, s};
use polars::prelude::*;

/// Runs `recipe` (YAML text) into `dir/<name>`.
fn sweep(dir: &Path, name: &str, recipe: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, recipe).unwrap();
    let out = dir.join(name);
    ok(hwgym(&["run", s(&path), "--out", s(&out)]));
    out
}

const COLLECT: &str = "name: collect\nsimulator: synthetic\noptions: { function: mixed }\n\
    objective: { minimize: loss }\nagents: [ { kind: random_search, params: { batch: 16 } }, { kind: ga } ]\n\
    seeds: 2\nbudget: { evaluations: 300 }\n";

#[test]
fn a_proxy_search_with_verify_top_logs_proxy_and_simulator_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let data = sweep(dir.path(), "collect", COLLECT);
    let model = dir.path().join("model");
    let table = ok(hwgym(&[
        "proxy",
        "train",
        s(&data),
        "--metrics",
        "loss,size",
        "--model",
        "forest",
        "--out",
        s(&model),
    ]));
    assert!(
        table.contains("nrmse_range") && table.contains("loss"),
        "{table}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("report.json")).unwrap()).unwrap();
    for metric in ["loss", "size"] {
        for field in [
            "rmse",
            "nrmse_range",
            "nrmse_mean",
            "mape",
            "r2",
            "n_train",
            "n_test",
        ] {
            assert!(
                report[metric][field].is_number(),
                "report.json lacks {metric}.{field}: {report}"
            );
        }
    }
    // `size` = n · width is a product of two knobs: a forest on 1,000-odd designs gets it well.
    assert!(report["size"]["r2"].as_f64().unwrap() > 0.9, "{report}");

    let top = 4;
    let search = format!(
        "name: search\nsimulator: proxy\noptions: {{ model: {}, verify_top: {top} }}\n\
         objective: {{ minimize: loss }}\nagents: [ {{ kind: random_search }} ]\nbudget: {{ evaluations: 64 }}\n",
        s(&model)
    );
    let results = sweep(dir.path(), "search", &search);
    let ids = hwgym::store::finished_runs(&results);
    assert_eq!(ids.len(), 1);
    let id = ids.iter().next().unwrap();
    let rows = hwgym::store::read_run(&hwgym::store::parquet_path(&results, id)).unwrap();
    assert_eq!(
        rows.column("env").unwrap().str().unwrap().get(0),
        Some("proxy")
    );
    let verified = rows.column("verified").unwrap().bool().unwrap();
    assert_eq!(verified.sum(), Some(top as IdxSize as _));
    let proxy_loss = rows.column("m.loss").unwrap().f64().unwrap();
    let real_loss = rows.column("v.loss").unwrap().f64().unwrap();
    let build = hwgym::registry::find_simulator("synthetic").unwrap().build;
    let sim = build(&[("function".to_string(), "mixed".to_string())].into()).unwrap();
    let space = sim.space();
    let knobs: Vec<Vec<Option<String>>> = space
        .params()
        .iter()
        .map(|p| hwgym::lab::results::str_column(&rows, &format!("p.{}", p.name)).unwrap())
        .collect();
    for i in 0..rows.height() {
        assert_eq!(
            verified.get(i) == Some(true),
            real_loss.get(i).is_some(),
            "row {i}"
        );
        assert!(
            proxy_loss.get(i).is_some(),
            "row {i}: the proxy's metrics are logged"
        );
        if verified.get(i) == Some(true) {
            // The logged simulator metric is the simulator's own value for that design.
            let design = space
                .parse_assignments(
                    space
                        .params()
                        .iter()
                        .zip(&knobs)
                        .map(|(p, col)| (p.name.as_str(), col[i].as_deref().unwrap())),
                )
                .unwrap();
            let truth = sim.evaluate(&design).unwrap().get("loss").unwrap();
            let logged = real_loss.get(i).unwrap();
            assert!(
                (logged - truth).abs() <= 1e-9 * truth.abs().max(1.0),
                "{logged} vs {truth}"
            );
        }
    }
    let summary = hwgym::store::read_summary(&results, id).unwrap();
    let v = summary
        .verification
        .expect("the summary records the verification");
    assert_eq!((v.simulator.as_str(), v.designs), ("synthetic", top));
    assert!(v.best_verified_reward.is_some() && v.mean_relative_error.contains_key("loss"));

    // The same report on other data: a second collection with other seeds.
    let other = sweep(
        dir.path(),
        "other",
        &COLLECT
            .replace("seeds: 2", "seeds: [7]")
            .replace("name: collect", "name: other"),
    );
    let eval = ok(hwgym(&["proxy", "eval", s(&model), s(&other), "--json"]));
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    assert!(eval["size"]["n_test"].as_u64().unwrap() > 100, "{eval}");

    // Dataset export: one row per distinct design, knobs, features and metrics.
    let file = dir.path().join("data.parquet");
    ok(hwgym(&["proxy", "dataset", s(&data), "--out", s(&file)]));
    let frame = hwgym::store::read_run(&file).unwrap();
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    for col in ["run_id", "p.shape", "p.lr", "m.loss", "m.size"] {
        assert!(
            names.iter().any(|n| n == col),
            "{col} missing from {names:?}"
        );
    }
    assert!(names.iter().any(|n| n.starts_with("f.")), "{names:?}");
    let knob_columns: Vec<Vec<Option<String>>> = names
        .iter()
        .filter(|n| n.starts_with("p."))
        .map(|n| hwgym::lab::results::str_column(&frame, n).unwrap())
        .collect();
    let distinct: std::collections::HashSet<Vec<Option<String>>> = (0..frame.height())
        .map(|i| knob_columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    assert_eq!(
        distinct.len(),
        frame.height(),
        "one row per distinct design"
    );
}

#[test]
fn training_on_unusable_results_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let e = err(hwgym(&["proxy", "train", s(&empty), "--out", s(&model)]));
    assert!(e.contains("no finished runs"), "{e}");

    let data = sweep(
        dir.path(),
        "small",
        "name: small\nsimulator: synthetic\noptions: { function: mixed }\nobjective: { minimize: loss }\n\
         agents: [ { kind: random_search } ]\nbudget: { evaluations: 40 }\n",
    );
    let e = err(hwgym(&[
        "proxy",
        "train",
        s(&data),
        "--simulator",
        "dram",
        "--out",
        s(&model),
    ]));
    assert!(
        e.contains("no runs of simulator `dram`") && e.contains("synthetic"),
        "{e}"
    );
    let e = err(hwgym(&[
        "proxy",
        "train",
        s(&data),
        "--metrics",
        "power_mw",
        "--out",
        s(&model),
    ]));
    assert!(
        e.contains("no metric `power_mw`") && e.contains("loss"),
        "{e}"
    );
    let e = err(hwgym(&[
        "proxy",
        "train",
        s(&data),
        "--model",
        "svm",
        "--out",
        s(&model),
    ]));
    assert!(e.contains("svm"), "{e}");
    assert!(!model.exists(), "no model is written when training fails");

    let e = err(hwgym(&["run", s(&dir.path().join("missing.yaml"))]));
    assert!(!e.is_empty());
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "name: bad\nsimulator: proxy\noptions: { model: /nonexistent/model }\nobjective: { minimize: loss }\n\
         agents: [ { kind: random_search } ]\nbudget: { evaluations: 4 }\n",
    )
    .unwrap();
    let out = hwgym(&["run", s(&bad), "--out", s(&dir.path().join("bad"))]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("/nonexistent/model"), "{text}");
}
