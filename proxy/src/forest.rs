//! Random forest regression (Breiman): bagged CART trees, each grown on a bootstrap sample with a
//! random subset of features per split; the prediction is the mean of the trees.
//!
//! Trees are grown in parallel, each from its own seed derived from the forest's seed and the tree's
//! index, and collected in index order, so a forest does not depend on the number of threads.

use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::tree::{self, Binned, Tree, TreeParams};

/// Forest hyperparameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForestParams {
    /// Number of trees (default 100).
    pub trees: usize,
    /// Depth limit (default none).
    pub max_depth: Option<usize>,
    /// Fewest rows per leaf (default 1).
    pub min_samples_leaf: usize,
    /// Fraction of the features tried at each split (default 1.0: plain bagging, scikit-learn's
    /// regression default; design spaces have few, strongly interacting features).
    pub max_features: f64,
    /// Grow each tree on a bootstrap sample (default true); otherwise on all rows.
    pub bootstrap: bool,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            trees: 100,
            max_depth: None,
            min_samples_leaf: 1,
            max_features: 1.0,
            bootstrap: true,
        }
    }
}

impl ForestParams {
    pub fn validate(&self) -> Result<(), String> {
        if self.trees == 0 {
            return Err("forest.trees must be at least 1".into());
        }
        if self.min_samples_leaf == 0 {
            return Err("forest.min_samples_leaf must be at least 1".into());
        }
        if !(self.max_features > 0.0 && self.max_features <= 1.0) {
            return Err(format!(
                "forest.max_features must be in (0, 1], got {}",
                self.max_features
            ));
        }
        Ok(())
    }
}

/// A fitted forest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub trees: Vec<Tree>,
}

/// What fitting a forest did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ForestStats {
    pub trees: usize,
    pub nodes: usize,
}

impl Forest {
    /// Fits a forest to targets `y` on rows `train` of `data`.
    pub fn fit(
        data: &Binned,
        y: &[f64],
        train: &[u32],
        params: &ForestParams,
        seed: u64,
    ) -> (Self, ForestStats) {
        let width = data.width();
        let tp = TreeParams {
            max_depth: params.max_depth.unwrap_or(usize::MAX),
            min_samples_leaf: params.min_samples_leaf,
            max_features: ((params.max_features * width as f64).ceil() as usize).max(1),
        };
        let trees: Vec<Tree> = (0..params.trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = gym::rng::seeded(gym::rng::derive(seed, &format!("tree{t}")));
                let mut rows: Vec<u32> = if params.bootstrap {
                    (0..train.len())
                        .map(|_| train[rng.random_range(0..train.len())])
                        .collect()
                } else {
                    train.to_vec()
                };
                tree::fit(data, y, &mut rows, &tp, &mut rng)
            })
            .collect();
        let stats = ForestStats {
            trees: trees.len(),
            nodes: trees.iter().map(Tree::nodes).sum(),
        };
        (Forest { trees }, stats)
    }

    pub fn predict(&self, x: &[f64]) -> f64 {
        self.trees.iter().map(|t| t.predict(x)).sum::<f64>() / self.trees.len() as f64
    }

    pub fn validate(&self, width: usize) -> Result<(), String> {
        if self.trees.is_empty() {
            return Err("forest has no trees".into());
        }
        for (i, t) in self.trees.iter().enumerate() {
            t.validate(width).map_err(|e| format!("tree {i}: {e}"))?;
        }
        Ok(())
    }
}
