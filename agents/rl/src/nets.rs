//! Networks on burn: an MLP torso, a multi-discrete policy (a categorical head per discrete knob and
//! optional Gaussian heads for float knobs) and helpers to move data between Rust vectors and tensors.
//!
//! Weights are drawn from the agent's seeded generator (not burn's device RNG, which is global), so
//! runs are reproducible under a seed whatever else runs in the process.

use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, tanh};
use gym::rng::Rng;
use gym::{Design, Domain, ParamSpace};
use rand::Rng as _;

/// `ln(2π)/2`, in the Gaussian log-density.
const HALF_LN_2PI: f32 = 0.918_938_5;

/// A dense layer with weights uniform in `±scale/sqrt(fan_in)` and a zero bias.
pub(crate) fn linear(
    inputs: usize,
    outputs: usize,
    scale: f32,
    rng: &mut Rng,
    device: &Device,
) -> Linear {
    let k = scale / (inputs as f32).sqrt();
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

/// Dense layers with tanh between them (none after the last).
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
}

impl Mlp {
    /// `inputs → hidden… → outputs`; the last layer's weights are scaled by `out_scale` (small for
    /// policy heads, so that the first policy is close to uniform).
    pub fn new(
        inputs: usize,
        hidden: &[usize],
        outputs: usize,
        out_scale: f32,
        rng: &mut Rng,
        device: &Device,
    ) -> Self {
        let mut sizes = vec![inputs];
        sizes.extend_from_slice(hidden);
        sizes.push(outputs);
        let n = sizes.len() - 1;
        let layers = (0..n)
            .map(|i| {
                linear(
                    sizes[i],
                    sizes[i + 1],
                    if i + 1 == n { out_scale } else { 1.0 },
                    rng,
                    device,
                )
            })
            .collect();
        Mlp { layers }
    }

    pub fn forward(&self, mut x: Tensor<2>) -> Tensor<2> {
        let n = self.layers.len();
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i + 1 < n {
                x = tanh(x);
            }
        }
        x
    }
}

/// How one knob is chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum Head {
    /// One of `n` levels (the knob's index encoding).
    Categorical(usize),
    /// A float knob's unit-cube position, drawn from a Gaussian and clamped to `[0, 1]`.
    Gaussian,
}

/// The action layout of a (sub-)space: one head per knob, and how actions map to designs. An action
/// is a `Vec<f32>` with one entry per head: a level index for categorical heads, the raw Gaussian draw
/// for Gaussian heads.
#[derive(Clone, Debug)]
pub struct ActionLayout {
    pub heads: Vec<Head>,
    domains: Vec<Domain>,
}

impl ActionLayout {
    /// Categorical heads for discrete knobs; float knobs get a Gaussian head when `gaussian_floats`,
    /// else a categorical head over their index-encoding levels.
    pub fn new(space: &ParamSpace, gaussian_floats: bool) -> Self {
        let heads = space
            .params()
            .iter()
            .map(|p| match p.domain.cardinality() {
                None if gaussian_floats => Head::Gaussian,
                _ => Head::Categorical(p.domain.levels()),
            })
            .collect();
        ActionLayout {
            heads,
            domains: space.params().iter().map(|p| p.domain.clone()).collect(),
        }
    }

    /// The design values an action stands for.
    pub fn decode(&self, action: &[f32]) -> Design {
        Design(
            self.heads
                .iter()
                .zip(&self.domains)
                .zip(action)
                .map(|((h, d), &a)| match h {
                    Head::Categorical(_) => d.value_at(a as usize),
                    Head::Gaussian => d.from_unit(a as f64),
                })
                .collect(),
        )
    }

    /// The action that stands for `design` (for designs the agent did not sample itself).
    pub fn encode(&self, design: &Design) -> Vec<f32> {
        self.heads
            .iter()
            .zip(&self.domains)
            .zip(design.values())
            .map(|((h, d), v)| match h {
                Head::Categorical(_) => d.index_of(v) as f32,
                Head::Gaussian => d.to_unit(v) as f32,
            })
            .collect()
    }

    fn gaussian_count(&self) -> usize {
        self.heads.iter().filter(|h| **h == Head::Gaussian).count()
    }
}

/// A multi-discrete (plus optional Gaussian) policy: an MLP torso and one linear head per knob.
/// Categorical heads output logits, Gaussian heads a mean; Gaussian log standard deviations are
/// state-independent parameters.
#[derive(Module, Debug)]
pub struct PolicyNet {
    torso: Mlp,
    heads: Vec<Linear>,
    log_std: Param<Tensor<1>>,
}

/// A batch of per-head log-probabilities and entropies, summed over heads.
pub struct LogProbs {
    pub log_prob: Tensor<1>,
    pub entropy: Tensor<1>,
}

impl PolicyNet {
    pub fn new(
        obs: usize,
        hidden: &[usize],
        layout: &ActionLayout,
        rng: &mut Rng,
        device: &Device,
    ) -> Self {
        let (torso, width) = match hidden.split_last() {
            Some((&last, rest)) => (Mlp::new(obs, rest, last, 1.0, rng, device), last),
            None => (Mlp { layers: Vec::new() }, obs),
        };
        let heads = layout
            .heads
            .iter()
            .map(|h| match h {
                Head::Categorical(n) => linear(width, *n, 0.01, rng, device),
                Head::Gaussian => linear(width, 1, 0.01, rng, device),
            })
            .collect();
        let n_std = layout.gaussian_count().max(1);
        // Initial σ = 0.3 of the unit interval: broad enough to explore, narrow enough to resolve it.
        let log_std = Param::from_data(TensorData::new(vec![0.3f32.ln(); n_std], [n_std]), device);
        PolicyNet {
            torso,
            heads,
            log_std,
        }
    }

    /// Per-head outputs for a batch of observations: logits `[B, n]` or means `[B, 1]`.
    pub fn forward(&self, obs: Tensor<2>) -> Vec<Tensor<2>> {
        let h = if self.torso.layers.is_empty() {
            obs
        } else {
            tanh(self.torso.forward(obs))
        };
        self.heads
            .iter()
            .map(|head| head.forward(h.clone()))
            .collect()
    }

    /// Log-probabilities of `actions` (`[B][heads]`) and entropies, summed over heads. `obs` has a
    /// row per action, or one row shared by all (computed once, then broadcast).
    pub fn log_probs(
        &self,
        layout: &ActionLayout,
        obs: Tensor<2>,
        actions: &[Vec<f32>],
    ) -> LogProbs {
        let device = obs.device();
        let b = actions.len();
        let outs = self.forward(obs).into_iter().map(|o| {
            let [rows, n] = o.dims();
            if rows == 1 && b > 1 {
                o.expand([b, n])
            } else {
                o
            }
        });
        let mut log_prob: Option<Tensor<1>> = None;
        let mut entropy: Option<Tensor<1>> = None;
        let mut g = 0;
        for (i, (head, out)) in layout.heads.iter().zip(outs).enumerate() {
            let (lp, ent) = match head {
                Head::Categorical(_) => {
                    let logp = log_softmax(out, 1);
                    let idx: Vec<i64> = actions.iter().map(|a| a[i] as i64).collect();
                    let idx = Tensor::<2, Int>::from_data(TensorData::new(idx, [b, 1]), &device);
                    let lp = logp.clone().gather(1, idx).reshape([b]);
                    let ent = (logp.clone().exp() * logp).sum_dim(1).reshape([b]).neg();
                    (lp, ent)
                }
                Head::Gaussian => {
                    let mean = out.reshape([b]);
                    let log_std = self.log_std.val().slice(g..g + 1);
                    g += 1;
                    let x: Vec<f32> = actions.iter().map(|a| a[i]).collect();
                    let x = Tensor::<1>::from_data(TensorData::new(x, [b]), &device);
                    let z = (x - mean) * log_std.clone().neg().exp();
                    let lp =
                        (z.square().mul_scalar(-0.5) - log_std.clone()).sub_scalar(HALF_LN_2PI);
                    let ent = log_std.add_scalar(0.5 + HALF_LN_2PI).expand([b]);
                    (lp, ent)
                }
            };
            log_prob = Some(match log_prob {
                Some(t) => t + lp,
                None => lp,
            });
            entropy = Some(match entropy {
                Some(t) => t + ent,
                None => ent,
            });
        }
        let zeros = || Tensor::<1>::zeros([b], &device);
        LogProbs {
            log_prob: log_prob.unwrap_or_else(zeros),
            entropy: entropy.unwrap_or_else(zeros),
        }
    }

    /// The policy at one observation, as plain numbers (for sampling in Rust).
    pub fn distribution(&self, layout: &ActionLayout, obs: &[f32]) -> Distribution {
        let device = self.log_std.val().device();
        let x = Tensor::<2>::from_data(TensorData::new(obs.to_vec(), [1, obs.len()]), &device);
        let outs = self.forward(x);
        let log_std = to_vec(self.log_std.val());
        let mut g = 0;
        let heads = layout
            .heads
            .iter()
            .zip(outs)
            .map(|(h, out)| match h {
                Head::Categorical(n) => {
                    HeadDist::Categorical(to_vec(log_softmax(out, 1).reshape([*n])))
                }
                Head::Gaussian => {
                    g += 1;
                    HeadDist::Gaussian {
                        mean: to_vec(out.reshape([1]))[0],
                        log_std: log_std[g - 1],
                    }
                }
            })
            .collect();
        Distribution { heads }
    }
}

/// One head's distribution, in plain numbers.
#[derive(Clone, Debug)]
pub enum HeadDist {
    /// Log-probabilities of each level.
    Categorical(Vec<f32>),
    Gaussian {
        mean: f32,
        log_std: f32,
    },
}

/// A policy's joint distribution at one observation (heads are independent).
#[derive(Clone, Debug)]
pub struct Distribution {
    pub heads: Vec<HeadDist>,
}

impl Distribution {
    /// Draws an action and returns it with its log-probability.
    pub fn sample(&self, rng: &mut Rng) -> (Vec<f32>, f32) {
        let mut logp = 0.0;
        let action = self
            .heads
            .iter()
            .map(|h| match h {
                HeadDist::Categorical(lp) => {
                    let u: f32 = rng.random();
                    let mut acc = 0.0;
                    let mut pick = lp.len() - 1;
                    for (k, l) in lp.iter().enumerate() {
                        acc += l.exp();
                        if u < acc {
                            pick = k;
                            break;
                        }
                    }
                    logp += lp[pick];
                    pick as f32
                }
                HeadDist::Gaussian { mean, log_std } => {
                    let z = standard_normal(rng);
                    logp += -0.5 * z * z - log_std - HALF_LN_2PI;
                    mean + z * log_std.exp()
                }
            })
            .collect();
        (action, logp)
    }

    /// Log-probability of `action`.
    pub fn log_prob(&self, action: &[f32]) -> f32 {
        self.heads
            .iter()
            .zip(action)
            .map(|(h, &a)| match h {
                HeadDist::Categorical(lp) => lp[(a as usize).min(lp.len() - 1)],
                HeadDist::Gaussian { mean, log_std } => {
                    let z = (a - mean) / log_std.exp();
                    -0.5 * z * z - log_std - HALF_LN_2PI
                }
            })
            .sum()
    }

    /// Entropy, summed over heads.
    pub fn entropy(&self) -> f32 {
        self.heads
            .iter()
            .map(|h| match h {
                HeadDist::Categorical(lp) => -lp.iter().map(|l| l.exp() * l).sum::<f32>(),
                HeadDist::Gaussian { log_std, .. } => log_std + 0.5 + HALF_LN_2PI,
            })
            .sum()
    }

    /// The most likely action (modes of every head).
    pub fn mode(&self) -> Vec<f32> {
        self.heads
            .iter()
            .map(|h| match h {
                HeadDist::Categorical(lp) => lp
                    .iter()
                    .enumerate()
                    .fold(0, |b, (k, l)| if *l > lp[b] { k } else { b })
                    as f32,
                HeadDist::Gaussian { mean, .. } => *mean,
            })
            .collect()
    }
}

/// A standard normal draw (Box–Muller), from the agent's own generator.
fn standard_normal(rng: &mut Rng) -> f32 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}

/// A tensor's values as `f32`.
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("float tensor")
}

/// A `[rows, cols]` tensor from row-major values.
pub fn matrix(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// A vector tensor.
pub fn vector(values: Vec<f32>, device: &Device) -> Tensor<1> {
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n]), device)
}

/// Concatenated one-hot blocks of an index vector; knobs listed in `hidden` get an all-zero block.
pub fn index_onehot(levels: &[usize], idx: &[usize], hidden: &[usize]) -> Vec<f32> {
    let mut out = vec![0.0; levels.iter().sum()];
    let mut at = 0;
    for (k, (&n, &i)) in levels.iter().zip(idx).enumerate() {
        if !hidden.contains(&k) {
            out[at + i.min(n - 1)] = 1.0;
        }
        at += n;
    }
    out
}
