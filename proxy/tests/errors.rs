//! Clear failures: empty or incomplete data, too few designs, mismatched spaces and corrupt model
//! directories.

mod common;

use gym::testing::MixedQuadratic;
use gym::{Design, MetricSpec, Metrics, Param, ParamSpace, Simulator, Value};
use proxy::{ModelKind, Provenance, ProxyError, ProxyModel, ProxySimulator, Split, train};

fn params() -> Vec<Param> {
    MixedQuadratic::new().space().params().to_vec()
}

#[test]
fn training_on_nothing_fails() {
    let e = train(
        &params(),
        &[],
        &common::spec(ModelKind::Forest, &["loss"]),
        Provenance::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ProxyError::NoSamples), "{e}");
    assert!(e.to_string().contains("no samples"));
}

#[test]
fn a_missing_or_non_finite_metric_names_metric_and_row() {
    let mut samples = common::samples(50, 1);
    let e = train(
        &params(),
        &samples,
        &common::spec(ModelKind::Forest, &["loss", "power"]),
        Provenance::default(),
    )
    .unwrap_err();
    match &e {
        ProxyError::MissingMetric {
            metric,
            row,
            available,
        } => {
            assert_eq!(metric, "power");
            assert_eq!(*row, 0);
            assert!(available.contains("loss"));
        }
        other => panic!("unexpected {other}"),
    }
    assert!(e.to_string().contains("`power`"), "{e}");
    samples[17].1.insert("loss", f64::NAN);
    let e = train(
        &params(),
        &samples,
        &common::spec(ModelKind::Boosting, &["loss"]),
        Provenance::default(),
    )
    .unwrap_err();
    assert!(
        matches!(e, ProxyError::NonFiniteMetric { row: 17, .. }),
        "{e}"
    );
}

#[test]
fn bad_specs_and_too_few_designs_fail() {
    let samples = common::samples(3, 2);
    let mut spec = common::spec(ModelKind::Forest, &["loss"]);
    spec.split = Split::Folds(5);
    let e = train(&params(), &samples, &spec, Provenance::default()).unwrap_err();
    assert!(
        matches!(e, ProxyError::TooFewDesigns { distinct: 3, .. }),
        "{e}"
    );
    spec.split = Split::Holdout(1.5);
    let e = train(&params(), &samples, &spec, Provenance::default()).unwrap_err();
    assert!(matches!(e, ProxyError::InvalidSpec(_)), "{e}");
    // The same design three times is one design.
    let same = vec![samples[0].clone(); 3];
    spec.split = Split::Holdout(0.2);
    let e = train(&params(), &same, &spec, Provenance::default()).unwrap_err();
    assert!(
        matches!(e, ProxyError::TooFewDesigns { distinct: 1, .. }),
        "{e}"
    );
    spec.metrics.clear();
    let e = train(&params(), &samples, &spec, Provenance::default()).unwrap_err();
    assert!(matches!(e, ProxyError::NoMetrics), "{e}");
    assert!(matches!(
        "tree".parse::<ModelKind>(),
        Err(ProxyError::UnknownModelKind(_))
    ));
}

#[test]
fn designs_outside_the_space_are_rejected() {
    let mut samples = common::samples(20, 3);
    samples[4].0 = Design(vec![Value::Int(1)]);
    let e = train(
        &params(),
        &samples,
        &common::spec(ModelKind::Forest, &["loss"]),
        Provenance::default(),
    )
    .unwrap_err();
    assert!(
        matches!(e, ProxyError::DesignOutsideSpace { row: 4, .. }),
        "{e}"
    );
}

fn small_model() -> ProxyModel {
    train(
        &params(),
        &common::samples(100, 4),
        &common::spec(ModelKind::Forest, &["loss"]),
        Provenance::default(),
    )
    .unwrap()
    .0
}

#[test]
fn proxy_simulator_checks_space_and_metrics() {
    let sim = MixedQuadratic::new();
    let model = small_model();
    // Matching: only the model's metrics are kept.
    let proxy =
        ProxySimulator::new(model.clone(), sim.space().clone(), sim.metrics().to_vec()).unwrap();
    assert_eq!(proxy.metrics().len(), 1);
    assert_eq!(proxy.metrics()[0].name, "loss");
    let d = sim.optimum();
    assert_eq!(proxy.evaluate_checked(&d).unwrap(), model.predict(&d));

    // A renamed parameter.
    let mut renamed = params();
    renamed[1].name = "m".into();
    let e = ProxySimulator::new(
        model.clone(),
        ParamSpace::new(renamed).unwrap(),
        sim.metrics().to_vec(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, ProxyError::SpaceMismatch(_)), "{e}");
    assert!(e.to_string().contains("`m`"), "{e}");
    // A different domain.
    let mut widened = params();
    widened[1] = Param::int("n", 0, 40);
    let e = ProxySimulator::new(
        model.clone(),
        ParamSpace::new(widened).unwrap(),
        sim.metrics().to_vec(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, ProxyError::SpaceMismatch(_)), "{e}");
    // Fewer parameters.
    let e = ProxySimulator::new(
        model.clone(),
        ParamSpace::new(params()[..3].to_vec()).unwrap(),
        sim.metrics().to_vec(),
    )
    .err()
    .unwrap();
    assert!(matches!(e, ProxyError::SpaceMismatch(_)), "{e}");
    // A simulator without the model's metric.
    let e = ProxySimulator::new(
        model,
        sim.space().clone(),
        vec![MetricSpec::minimize("size", "", "")],
    )
    .err()
    .unwrap();
    assert!(matches!(e, ProxyError::UnknownMetric { .. }), "{e}");
}

#[test]
fn corrupt_model_directories_name_the_file() {
    let model = small_model();
    let dir = tempfile::tempdir().unwrap();
    model.save(dir.path()).unwrap();

    std::fs::write(
        dir.path().join("model-0.json"),
        "{\"forest\": {\"trees\": []}}",
    )
    .unwrap();
    let e = ProxyModel::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("model-0.json"), "{e}");

    model.save(dir.path()).unwrap();
    std::fs::write(dir.path().join("encoding.json"), "not json").unwrap();
    let e = ProxyModel::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("encoding.json"), "{e}");

    model.save(dir.path()).unwrap();
    std::fs::remove_file(dir.path().join("params.json")).unwrap();
    let e = ProxyModel::load(dir.path()).unwrap_err();
    assert!(e.to_string().contains("params.json"), "{e}");

    let empty = tempfile::tempdir().unwrap();
    let e = ProxyModel::load(empty.path()).unwrap_err();
    assert!(e.to_string().contains("proxy.json"), "{e}");
    let _ = Metrics::new();
}
