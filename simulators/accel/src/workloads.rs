//! Built-in layer tables of public networks. The tables are SCALE-Sim topology files in `data/`
//! (written from the published architectures; no padding in SCALE-Sim, so each conv row carries the
//! padded input size that gives the network's real output size):
//! - ResNet-18/50: He et al., CVPR 2016 (ResNet-50 as torchvision v1.5: stride on the 3×3 conv).
//! - AlexNet: Krizhevsky et al., NeurIPS 2012 (227×227 input, dense convs, no groups).
//! - VGG-16: Simonyan & Zisserman, ICLR 2015.
//! - MobileNetV2: Sandler et al., CVPR 2018 (depthwise rows named `DP`, run per channel as SCALE-Sim does).
//! - BERT-base: Devlin et al., NAACL 2019, 12 layers, d=768, 12 heads, FFN 3072, sequence 128; GEMMs
//!   `M=seq, N=out, K=in`, attention per head.
//! - GPT-2 small: Radford et al. 2019, 12 layers, d=768, 12 heads, FFN 3072, context 1024, plus the
//!   50257-word LM head.

use std::path::Path;

use crate::layer::Layer;
use crate::topology::parse_topology;

/// Names accepted by [`network`], with their topology text.
const NETWORKS: &[(&str, &str)] = &[
    ("resnet18", include_str!("../data/resnet18.csv")),
    ("resnet50", include_str!("../data/resnet50.csv")),
    ("alexnet", include_str!("../data/alexnet.csv")),
    ("vgg16", include_str!("../data/vgg16.csv")),
    ("mobilenet_v2", include_str!("../data/mobilenet_v2.csv")),
    ("bert_base", include_str!("../data/bert_base.csv")),
    ("gpt2_small", include_str!("../data/gpt2_small.csv")),
];

pub const NETWORK_NAMES: &[&str] = &[
    "resnet18",
    "resnet50",
    "alexnet",
    "vgg16",
    "mobilenet_v2",
    "bert_base",
    "gpt2_small",
];

/// The layers of a built-in network, or `None` for an unknown name.
pub fn network(name: &str) -> Option<Vec<Layer>> {
    let (_, text) = NETWORKS.iter().find(|(n, _)| *n == name)?;
    let path = Path::new("data").join(format!("{name}.csv"));
    Some(parse_topology(text, &path).expect("built-in tables are valid (checked by tests)"))
}
