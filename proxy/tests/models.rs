//! Every model kind learns a smooth function of a mixed space, deterministically from its seed, and
//! survives save → load unchanged.

mod common;

use std::collections::BTreeSet;

use gym::testing::MixedQuadratic;
use gym::{Simulator, Value};
use proxy::{ModelKind, Provenance, ProxyModel, Split, train};

#[test]
fn every_kind_learns_a_smooth_mixed_function() {
    let samples = common::samples(2000, 1);
    let fresh = common::samples(400, 2);
    for kind in ModelKind::ALL {
        let (model, stats) = train(
            MixedQuadratic::new().space().params(),
            &samples,
            &common::spec(kind, &["loss", "size"]),
            Provenance::default(),
        )
        .unwrap();
        assert_eq!(stats.distinct_designs + stats.duplicates, samples.len());
        assert_eq!(stats.n_train + stats.n_test, stats.distinct_designs);
        for (metric, r) in model.report() {
            assert!(r.r2 > 0.9, "{kind} {metric}: held-out R² {}", r.r2);
            assert_eq!(r.n_test, stats.n_test);
        }
        // The same quality on data it has never seen, through `evaluate`.
        let report = model.evaluate(&fresh).unwrap();
        for (metric, r) in &report {
            assert!(r.r2 > 0.9, "{kind} {metric}: fresh R² {}", r.r2);
            assert_eq!(r.n_train, stats.n_train);
        }
    }
}

#[test]
fn auto_log_targets_follow_the_metric_range() {
    // `loss` spans far more than 10× and is positive → log; `size` can be 0 → not log.
    let samples = common::samples(300, 3);
    let (_, stats) = train(
        MixedQuadratic::new().space().params(),
        &samples,
        &common::spec(ModelKind::Forest, &["loss", "size"]),
        Provenance::default(),
    )
    .unwrap();
    for metric in ["loss", "size"] {
        let values: Vec<f64> = samples.iter().map(|s| s.1.get(metric).unwrap()).collect();
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let expected = lo > 0.0 && hi >= proxy::model::AUTO_LOG_RATIO * lo;
        assert_eq!(
            stats.log_targets[metric], expected,
            "{metric}: [{lo}, {hi}]"
        );
    }
}

#[test]
fn same_seed_same_predictions_whatever_the_thread_count() {
    let samples = common::samples(600, 4);
    let probe: Vec<_> = common::samples(50, 5).into_iter().map(|s| s.0).collect();
    let params = MixedQuadratic::new().space().params().to_vec();
    for kind in ModelKind::ALL {
        let spec = common::spec(kind, &["loss"]);
        let fit = || {
            train(&params, &samples, &spec, Provenance::default())
                .unwrap()
                .0
        };
        let a = fit();
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(fit);
        for d in &probe {
            let (pa, pb) = (a.predict(d), b.predict(d));
            assert_eq!(
                pa.get("loss").unwrap().to_bits(),
                pb.get("loss").unwrap().to_bits(),
                "{kind}"
            );
        }
        assert!(a == b, "{kind}: models differ");
        // A different seed gives a different model.
        let mut other = spec.clone();
        other.seed += 1;
        let c = train(&params, &samples, &other, Provenance::default())
            .unwrap()
            .0;
        assert!(a != c, "{kind}: the seed is ignored");
    }
}

#[test]
fn save_then_load_predicts_identically() {
    let samples = common::samples(500, 6);
    let probe: Vec<_> = common::samples(30, 7).into_iter().map(|s| s.0).collect();
    let params = MixedQuadratic::new().space().params().to_vec();
    let provenance = Provenance {
        simulator: "synthetic".into(),
        options: [("k".to_string(), "v".to_string())].into(),
        results_dirs: vec!["results/x".into()],
        run_ids: vec!["abc".into()],
        rows: samples.len(),
    };
    for kind in ModelKind::ALL {
        let (model, _) = train(
            &params,
            &samples,
            &common::spec(kind, &["loss", "size"]),
            provenance.clone(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        model.save(dir.path()).unwrap();
        for f in model.files(dir.path()) {
            assert!(f.exists(), "{} missing", f.display());
        }
        let loaded = ProxyModel::load(dir.path()).unwrap();
        assert!(loaded == model, "{kind}: the loaded model differs");
        assert_eq!(loaded.provenance(), &provenance);
        assert_eq!(loaded.kind(), kind);
        assert_eq!(loaded.predict_batch(&probe), model.predict_batch(&probe));
        for d in &probe {
            for (m, v) in model.predict(d).iter() {
                assert_eq!(loaded.predict(d).get(m).unwrap().to_bits(), v.to_bits());
            }
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
                .unwrap();
        let metrics: BTreeSet<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(metrics, BTreeSet::from(["loss", "size"]));
        for (_, r) in json.as_object().unwrap() {
            let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(
                keys,
                BTreeSet::from([
                    "rmse",
                    "nrmse_range",
                    "nrmse_mean",
                    "mape",
                    "r2",
                    "n_train",
                    "n_test"
                ])
            );
        }
    }
}

#[test]
fn cross_validation_reports_every_design_out_of_fold() {
    let mut samples = common::samples(300, 8);
    // Repeats are dropped, keeping the first.
    samples.extend_from_within(0..20);
    let mut spec = common::spec(ModelKind::Boosting, &["loss"]);
    spec.split = Split::Folds(4);
    let (model, stats) = train(
        MixedQuadratic::new().space().params(),
        &samples,
        &spec,
        Provenance::default(),
    )
    .unwrap();
    assert!(stats.duplicates >= 20);
    assert_eq!(stats.duplicates + stats.distinct_designs, 320);
    assert_eq!(stats.folds, Some(4));
    let r = &model.report()["loss"];
    assert_eq!(r.n_test, stats.distinct_designs);
    assert_eq!(r.n_train, stats.distinct_designs);
    assert!(r.r2 > 0.8, "cross-validated R² {}", r.r2);
}

#[test]
fn predictions_are_in_the_metric_unit() {
    // A log-modelled metric is predicted back in its own unit: close to the truth, not its log.
    let samples = common::samples(1500, 9);
    let mut spec = common::spec(ModelKind::Forest, &["loss"]);
    spec.log_targets = proxy::LogTargets::Always;
    let (model, _) = train(
        MixedQuadratic::new().space().params(),
        &samples,
        &spec,
        Provenance::default(),
    )
    .unwrap();
    let sim = MixedQuadratic::new();
    let d = sim.optimum();
    let mut far = d.clone();
    far.0[3] = Value::Float(-5.0);
    let (p_opt, p_far) = (
        model.predict(&d).get("loss").unwrap(),
        model.predict(&far).get("loss").unwrap(),
    );
    let t_far = sim.evaluate(&far).unwrap().get("loss").unwrap();
    assert!(p_opt < p_far, "optimum {p_opt} vs far {p_far}");
    assert!(
        (p_far - t_far).abs() < 0.5 * t_far,
        "far: predicted {p_far}, true {t_far}"
    );
}
