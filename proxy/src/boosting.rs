//! Gradient-boosted regression trees with squared loss (Friedman's least-squares boosting): each tree
//! fits the residuals of the ensemble so far on a random subsample of the rows, and is added scaled
//! by the learning rate (shrinkage). Early stopping keeps the number of trees that minimised the
//! squared error on a validation slice held out of the training rows.

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::tree::{self, Binned, Tree, TreeParams};

/// Boosting hyperparameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BoostingParams {
    /// Most trees (default 2000).
    pub max_trees: usize,
    /// Shrinkage applied to each tree (default 0.1).
    pub learning_rate: f64,
    /// Depth limit of each tree (default 8).
    pub max_depth: usize,
    /// Fewest rows per leaf (default 3).
    pub min_samples_leaf: usize,
    /// Fraction of the fitting rows each tree sees (default 0.8, drawn without replacement).
    pub subsample: f64,
    /// Fraction of the training rows held out for early stopping (default 0.1; 0 disables it).
    pub validation_fraction: f64,
    /// Stop after this many trees without a better validation error (default 50).
    pub patience: usize,
}

impl Default for BoostingParams {
    fn default() -> Self {
        BoostingParams {
            max_trees: 2000,
            learning_rate: 0.1,
            max_depth: 8,
            min_samples_leaf: 3,
            subsample: 0.8,
            validation_fraction: 0.1,
            patience: 50,
        }
    }
}

impl BoostingParams {
    pub fn validate(&self) -> Result<(), String> {
        if self.max_trees == 0 {
            return Err("boosting.max_trees must be at least 1".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(format!(
                "boosting.learning_rate must be in (0, 1], got {}",
                self.learning_rate
            ));
        }
        if self.min_samples_leaf == 0 {
            return Err("boosting.min_samples_leaf must be at least 1".into());
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return Err(format!(
                "boosting.subsample must be in (0, 1], got {}",
                self.subsample
            ));
        }
        if !(0.0..0.5).contains(&self.validation_fraction) {
            return Err(format!(
                "boosting.validation_fraction must be in [0, 0.5), got {}",
                self.validation_fraction
            ));
        }
        if self.patience == 0 {
            return Err("boosting.patience must be at least 1".into());
        }
        Ok(())
    }
}

/// A fitted ensemble: `base + learning_rate × Σ trees`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Boosting {
    pub base: f64,
    pub learning_rate: f64,
    pub trees: Vec<Tree>,
}

/// What fitting did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BoostingStats {
    /// Trees kept.
    pub trees: usize,
    /// Trees grown before stopping.
    pub trees_grown: usize,
    pub nodes: usize,
    /// Rows held out for early stopping (0: early stopping was off, or too few rows for a slice).
    pub validation_rows: usize,
    /// Best validation MSE (in the transformed target's unit), when early stopping was on.
    pub validation_mse: Option<f64>,
}

impl Boosting {
    /// Fits targets `y` on rows `train` of `data` (`x`: the same rows' raw features, row-major).
    pub fn fit(
        data: &Binned,
        x: &[f64],
        y: &[f64],
        train: &[u32],
        params: &BoostingParams,
        seed: u64,
    ) -> (Self, BoostingStats) {
        let width = data.width();
        let mut rng = gym::rng::seeded(gym::rng::derive(seed, "boosting"));
        let mut rows = train.to_vec();
        rows.shuffle(&mut rng);
        // A validation slice only when both sides keep enough rows to mean something.
        let n_val = (params.validation_fraction * rows.len() as f64).round() as usize;
        let n_val = if n_val >= 5 && rows.len() - n_val >= 10 {
            n_val
        } else {
            0
        };
        let (val, fit_rows) = rows.split_at(n_val);
        let base = fit_rows.iter().map(|&r| y[r as usize]).sum::<f64>() / fit_rows.len() as f64;
        let mut pred = vec![base; y.len()];
        let mut resid = vec![0.0; y.len()];
        let tp = TreeParams {
            max_depth: params.max_depth,
            min_samples_leaf: params.min_samples_leaf,
            max_features: width,
        };
        let n_sub =
            ((params.subsample * fit_rows.len() as f64).round() as usize).clamp(1, fit_rows.len());
        let lr = params.learning_rate;
        let mut trees = Vec::new();
        let mut best = (f64::INFINITY, 0usize);
        let mut sample = fit_rows.to_vec();
        for t in 0..params.max_trees {
            for &r in fit_rows {
                resid[r as usize] = y[r as usize] - pred[r as usize];
            }
            sample.shuffle(&mut rng);
            let mut sub = sample[..n_sub].to_vec();
            let tree = tree::fit(data, &resid, &mut sub, &tp, &mut rng);
            for &r in fit_rows.iter().chain(val) {
                let r = r as usize;
                pred[r] += lr * tree.predict(&x[r * width..(r + 1) * width]);
            }
            trees.push(tree);
            if n_val > 0 {
                let mse = val
                    .iter()
                    .map(|&r| (y[r as usize] - pred[r as usize]).powi(2))
                    .sum::<f64>()
                    / n_val as f64;
                if mse < best.0 {
                    best = (mse, t + 1);
                } else if t + 1 - best.1 >= params.patience {
                    break;
                }
            }
        }
        let trees_grown = trees.len();
        if n_val > 0 {
            trees.truncate(best.1);
        }
        let stats = BoostingStats {
            trees: trees.len(),
            trees_grown,
            nodes: trees.iter().map(Tree::nodes).sum(),
            validation_rows: n_val,
            validation_mse: (n_val > 0).then_some(best.0),
        };
        (
            Boosting {
                base,
                learning_rate: lr,
                trees,
            },
            stats,
        )
    }

    pub fn predict(&self, x: &[f64]) -> f64 {
        self.base + self.learning_rate * self.trees.iter().map(|t| t.predict(x)).sum::<f64>()
    }

    pub fn validate(&self, width: usize) -> Result<(), String> {
        for (i, t) in self.trees.iter().enumerate() {
            t.validate(width).map_err(|e| format!("tree {i}: {e}"))?;
        }
        Ok(())
    }
}
