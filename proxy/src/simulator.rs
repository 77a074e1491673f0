//! A proxy model as a [`gym::Simulator`]: the real simulator's knobs and metric specs, the model's
//! predictions as metrics. Pure and thread-safe, so the runner may cache and parallelise it.

use gym::{Design, MetricSpec, Metrics, ParamSpace, SimError, Simulator};

use crate::error::ProxyError;
use crate::model::ProxyModel;

/// A simulator that answers with a proxy model's predictions.
pub struct ProxySimulator {
    model: ProxyModel,
    space: ParamSpace,
    metrics: Vec<MetricSpec>,
}

impl ProxySimulator {
    /// Wraps `model` for the real simulator's `space` (its constraints included) and `metric_specs`.
    /// The space's parameters must equal the model's (names, order and domains); the specs must
    /// cover every metric the model predicts and are kept only for those.
    pub fn new(
        model: ProxyModel,
        space: ParamSpace,
        metric_specs: Vec<MetricSpec>,
    ) -> Result<Self, ProxyError> {
        let ours = model.params();
        let theirs = space.params();
        if ours.len() != theirs.len() {
            return Err(ProxyError::SpaceMismatch(format!(
                "the model has {} parameters ({}), the simulator {} ({})",
                ours.len(),
                names(ours),
                theirs.len(),
                names(theirs)
            )));
        }
        for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
            if a.name != b.name {
                return Err(ProxyError::SpaceMismatch(format!(
                    "parameter {i} is `{}` in the model but `{}` in the simulator",
                    a.name, b.name
                )));
            }
            if a.domain != b.domain {
                return Err(ProxyError::SpaceMismatch(format!(
                    "parameter `{}`: the model was trained on {} but the simulator takes {}",
                    a.name,
                    a.domain.expected(),
                    b.domain.expected()
                )));
            }
        }
        let wanted = model.metrics();
        for m in &wanted {
            if !metric_specs.iter().any(|s| s.name == *m) {
                return Err(ProxyError::UnknownMetric {
                    metric: m.to_string(),
                    known: metric_specs
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        let metrics = metric_specs
            .into_iter()
            .filter(|s| wanted.contains(&s.name.as_str()))
            .collect();
        Ok(ProxySimulator {
            model,
            space,
            metrics,
        })
    }

    pub fn model(&self) -> &ProxyModel {
        &self.model
    }
}

fn names(params: &[gym::Param]) -> String {
    params
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Simulator for ProxySimulator {
    fn space(&self) -> &ParamSpace {
        &self.space
    }

    fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }

    fn evaluate(&self, design: &Design) -> Result<Metrics, SimError> {
        Ok(self.model.predict(design))
    }
}
