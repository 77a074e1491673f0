//! Multi-layer perceptron regression on burn: standardised inputs and target, SiLU hidden layers,
//! Adam on shuffled minibatches of squared error, the learning rate halved when the validation error
//! stalls and training stopped (keeping the best weights) when it stalls for `patience` epochs.
//!
//! burn only trains: the fitted weights are copied into plain vectors ([`MlpNet`]), which serialise
//! with serde and predict without burn (fast, thread-safe, identical after save → load). Weights are
//! drawn from the seeded generator, minibatches are shuffled by it, and the flex backend's matrix
//! products at these sizes run on one thread, so training is deterministic given the seed.

use burn::module::Param;
use burn::nn::Linear;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::silu;
use rand::Rng as _;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// The one place that picks the burn backend: the pure-Rust `flex` CPU backend with autodiff.
fn device() -> Device {
    Device::flex().autodiff()
}

/// MLP hyperparameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpParams {
    /// Hidden layer widths (default [128, 128]).
    pub hidden: Vec<usize>,
    /// Initial Adam step size (default 3e-3).
    pub learning_rate: f64,
    /// Minibatch size (default 128).
    pub batch_size: usize,
    /// Most passes over the training rows (default 300).
    pub max_epochs: usize,
    /// Stop after this many epochs without a better validation error (default 30); the learning rate
    /// halves after half as many.
    pub patience: usize,
    /// Fraction of the training rows held out for early stopping (default 0.1).
    pub validation_fraction: f64,
}

impl Default for MlpParams {
    fn default() -> Self {
        MlpParams {
            hidden: vec![128, 128],
            learning_rate: 3e-3,
            batch_size: 128,
            max_epochs: 300,
            patience: 30,
            validation_fraction: 0.1,
        }
    }
}

impl MlpParams {
    pub fn validate(&self) -> Result<(), String> {
        if self.hidden.is_empty() || self.hidden.len() > 8 {
            return Err(format!(
                "mlp.hidden must list 1 to 8 layer widths, got {}",
                self.hidden.len()
            ));
        }
        if let Some(w) = self.hidden.iter().find(|&&w| w == 0 || w > 4096) {
            return Err(format!("mlp.hidden widths must be in 1..=4096, got {w}"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate < 1.0) {
            return Err(format!(
                "mlp.learning_rate must be in (0, 1), got {}",
                self.learning_rate
            ));
        }
        if self.batch_size == 0 || self.max_epochs == 0 || self.patience == 0 {
            return Err("mlp.batch_size, max_epochs and patience must be at least 1".into());
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 0.5) {
            return Err(format!(
                "mlp.validation_fraction must be in (0, 0.5), got {}",
                self.validation_fraction
            ));
        }
        Ok(())
    }
}

/// One dense layer: `out = in · weight + bias`, `weight` row-major `inputs × outputs`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// A fitted network with its input and target standardisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpNet {
    pub x_mean: Vec<f64>,
    pub x_scale: Vec<f64>,
    pub y_mean: f64,
    pub y_scale: f64,
    pub layers: Vec<Dense>,
}

/// What training did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MlpStats {
    pub epochs: usize,
    /// Epoch (1-based) whose weights were kept.
    pub best_epoch: usize,
    /// Best validation MSE, in standardised target units.
    pub validation_mse: f64,
    pub validation_rows: usize,
}

fn silu_f64(x: f64) -> f64 {
    x / (1.0 + (-x).exp())
}

impl MlpNet {
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut h: Vec<f64> = x
            .iter()
            .zip(&self.x_mean)
            .zip(&self.x_scale)
            .map(|((v, m), s)| (v - m) / s)
            .collect();
        self.forward_standardised(&mut h);
        h[0] * self.y_scale + self.y_mean
    }

    /// Runs the layers on standardised inputs, leaving the standardised output in `h[0]`.
    fn forward_standardised(&self, h: &mut Vec<f64>) {
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            let mut out: Vec<f64> = l.bias.iter().map(|&b| b as f64).collect();
            for (j, &v) in h.iter().enumerate() {
                let row = &l.weight[j * l.outputs..(j + 1) * l.outputs];
                for (o, &w) in out.iter_mut().zip(row) {
                    *o += v * w as f64;
                }
            }
            if i < last {
                out.iter_mut().for_each(|o| *o = silu_f64(*o));
            }
            *h = out;
        }
    }

    pub fn validate(&self, width: usize) -> Result<(), String> {
        if self.x_mean.len() != width || self.x_scale.len() != width {
            return Err(format!(
                "standardisation has {} / {} entries but the encoding has {width} features",
                self.x_mean.len(),
                self.x_scale.len()
            ));
        }
        let mut inputs = width;
        for (i, l) in self.layers.iter().enumerate() {
            if l.inputs != inputs
                || l.weight.len() != l.inputs * l.outputs
                || l.bias.len() != l.outputs
            {
                return Err(format!(
                    "layer {i}: shapes do not chain (expected {inputs} inputs)"
                ));
            }
            inputs = l.outputs;
        }
        if self.layers.is_empty() || inputs != 1 {
            return Err("the network must end in one output".into());
        }
        Ok(())
    }

    /// Fits targets `y` on rows `train` of row-major features `x` (`width` columns).
    pub fn fit(
        x: &[f64],
        width: usize,
        y: &[f64],
        train: &[u32],
        params: &MlpParams,
        seed: u64,
    ) -> Result<(Self, MlpStats), String> {
        let mut rng = gym::rng::seeded(gym::rng::derive(seed, "mlp"));
        let mut rows = train.to_vec();
        rows.shuffle(&mut rng);
        let n_val = ((params.validation_fraction * rows.len() as f64).round() as usize).max(1);
        if rows.len() < n_val + 2 {
            return Err(format!(
                "{} training rows are too few for a validation slice",
                rows.len()
            ));
        }
        let (val, fit_rows) = rows.split_at(n_val);

        // Standardisation from the fitting rows; constant features get scale 1.
        let n = fit_rows.len() as f64;
        let mut x_mean = vec![0.0; width];
        let mut x_scale = vec![0.0; width];
        for &r in fit_rows {
            for f in 0..width {
                x_mean[f] += x[r as usize * width + f] / n;
            }
        }
        for &r in fit_rows {
            for f in 0..width {
                x_scale[f] += (x[r as usize * width + f] - x_mean[f]).powi(2) / n;
            }
        }
        x_scale
            .iter_mut()
            .for_each(|s| *s = if *s > 0.0 { s.sqrt() } else { 1.0 });
        let y_mean = fit_rows.iter().map(|&r| y[r as usize]).sum::<f64>() / n;
        let y_var = fit_rows
            .iter()
            .map(|&r| (y[r as usize] - y_mean).powi(2))
            .sum::<f64>()
            / n;
        let y_scale = if y_var > 0.0 { y_var.sqrt() } else { 1.0 };
        let (xm, xsc) = (&x_mean, &x_scale);
        let xs =
            |r: u32| (0..width).map(move |f| ((x[r as usize * width + f] - xm[f]) / xsc[f]) as f32);
        let ys = |r: u32| ((y[r as usize] - y_mean) / y_scale) as f32;

        let dev = device();
        let mut sizes = vec![width];
        sizes.extend_from_slice(&params.hidden);
        sizes.push(1);
        let mut net = Net {
            layers: sizes
                .windows(2)
                .map(|w| linear(w[0], w[1], &mut rng, &dev))
                .collect(),
        };
        let mut optim = AdamConfig::new().init();
        let mut lr = params.learning_rate;
        let mut plain = MlpNet {
            x_mean: x_mean.clone(),
            x_scale: x_scale.clone(),
            y_mean,
            y_scale,
            layers: Vec::new(),
        };
        let mut best: Option<(f64, usize, Vec<Dense>)> = None;
        let mut since_best = 0;
        let mut epochs = 0;
        let mut order = fit_rows.to_vec();
        let val_x: Vec<Vec<f64>> = val
            .iter()
            .map(|&r| xs(r).map(f64::from).collect())
            .collect();
        for epoch in 1..=params.max_epochs {
            epochs = epoch;
            order.shuffle(&mut rng);
            for batch in order.chunks(params.batch_size) {
                let b = batch.len();
                let xb: Vec<f32> = batch.iter().flat_map(|&r| xs(r)).collect();
                let yb: Vec<f32> = batch.iter().map(|&r| ys(r)).collect();
                let xt = Tensor::<2>::from_data(TensorData::new(xb, [b, width]), &dev);
                let yt = Tensor::<2>::from_data(TensorData::new(yb, [b, 1]), &dev);
                let d = net.forward(xt) - yt;
                let loss = (d.clone() * d).mean();
                let grads = GradientsParams::from_grads(loss.backward(), &net);
                net = optim.step(lr, net, grads);
            }
            plain.layers = net.dense();
            let mse = val
                .iter()
                .zip(&val_x)
                .map(|(&r, xv)| {
                    let mut h = xv.clone();
                    plain.forward_standardised(&mut h);
                    (h[0] - ys(r) as f64).powi(2)
                })
                .sum::<f64>()
                / n_val as f64;
            if !mse.is_finite() {
                return Err(format!(
                    "validation error became {mse} at epoch {epoch} (try a smaller learning_rate)"
                ));
            }
            if best.as_ref().is_none_or(|b| mse < b.0) {
                best = Some((mse, epoch, plain.layers.clone()));
                since_best = 0;
            } else {
                since_best += 1;
                if since_best >= params.patience {
                    break;
                }
                // Halve the step when the validation error stalls, to settle into the minimum.
                if since_best % (params.patience / 2).max(1) == 0 {
                    lr *= 0.5;
                }
            }
        }
        let (mse, best_epoch, layers) = best.expect("at least one epoch");
        plain.layers = layers;
        Ok((
            plain,
            MlpStats {
                epochs,
                best_epoch,
                validation_mse: mse,
                validation_rows: n_val,
            },
        ))
    }
}

/// The network burn trains.
#[derive(Module, Debug)]
struct Net {
    layers: Vec<Linear>,
}

impl Net {
    fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            x = l.forward(x);
            if i < last {
                x = silu(x);
            }
        }
        x
    }

    /// The weights as plain vectors.
    fn dense(&self) -> Vec<Dense> {
        self.layers
            .iter()
            .map(|l| {
                let [inputs, outputs] = l.weight.val().dims();
                Dense {
                    inputs,
                    outputs,
                    weight: to_vec(l.weight.val()),
                    bias: l
                        .bias
                        .as_ref()
                        .map_or(vec![0.0; outputs], |b| to_vec(b.val())),
                }
            })
            .collect()
    }
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("float tensor")
}

/// A dense layer with Glorot-uniform weights from the seeded generator (not burn's global RNG) and a
/// zero bias.
fn linear(inputs: usize, outputs: usize, rng: &mut gym::rng::Rng, device: &Device) -> Linear {
    let k = (6.0 / (inputs + outputs) as f32).sqrt();
    let w: Vec<f32> = (0..inputs * outputs)
        .map(|_| rng.random_range(-k..=k))
        .collect();
    Linear {
        weight: Param::from_data(TensorData::new(w, [inputs, outputs]), device),
        bias: Some(Param::from_data(
            TensorData::new(vec![0.0f32; outputs], [outputs]),
            device,
        )),
    }
}
