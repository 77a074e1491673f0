//! One DNN layer as SCALE-Sim sees it: a convolution (no padding) or a GEMM, which SCALE-Sim maps onto
//! a convolution (`ifmap M×K`, filter `1×K`, one channel, `N` filters, stride 1).

use serde::{Deserialize, Serialize};

use crate::error::AccelError;

/// A convolution layer in SCALE-Sim's topology terms (no padding; square stride).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    pub name: String,
    pub ifmap_h: u64,
    pub ifmap_w: u64,
    pub filter_h: u64,
    pub filter_w: u64,
    pub channels: u64,
    pub filters: u64,
    pub stride: u64,
}

impl Layer {
    pub fn conv(
        name: &str,
        [
            ifmap_h,
            ifmap_w,
            filter_h,
            filter_w,
            channels,
            filters,
            stride,
        ]: [u64; 7],
    ) -> Result<Layer, AccelError> {
        let layer = Layer {
            name: name.into(),
            ifmap_h,
            ifmap_w,
            filter_h,
            filter_w,
            channels,
            filters,
            stride,
        };
        layer.validate()?;
        Ok(layer)
    }

    /// `[ifmap_h, ifmap_w, filter_h, filter_w, channels, filters, stride]`: everything a layer's
    /// simulation depends on (its name aside).
    pub fn shape(&self) -> [u64; 7] {
        [
            self.ifmap_h,
            self.ifmap_w,
            self.filter_h,
            self.filter_w,
            self.channels,
            self.filters,
            self.stride,
        ]
    }

    /// GEMM `(M×K)·(K×N)` the way SCALE-Sim's `-i gemm` loads it.
    pub fn gemm(name: &str, m: u64, n: u64, k: u64) -> Result<Layer, AccelError> {
        Layer::conv(name, [m, k, 1, k, 1, n, 1])
    }

    fn validate(&self) -> Result<(), AccelError> {
        let bad = |reason: &str| {
            Err(AccelError::Layer {
                layer: self.name.clone(),
                reason: reason.into(),
            })
        };
        if self.shape().contains(&0) {
            return bad("every dimension must be at least 1");
        }
        if self.filter_h > self.ifmap_h || self.filter_w > self.ifmap_w {
            return bad("the filter is larger than the ifmap (SCALE-Sim does no padding)");
        }
        Ok(())
    }

    pub fn ofmap_h(&self) -> u64 {
        (self.ifmap_h - self.filter_h).div_ceil(self.stride) + 1
    }
    pub fn ofmap_w(&self) -> u64 {
        (self.ifmap_w - self.filter_w).div_ceil(self.stride) + 1
    }
    /// Output pixels per filter (GEMM: M).
    pub fn ofmap_px(&self) -> u64 {
        self.ofmap_h() * self.ofmap_w()
    }
    /// Filter window × channels (GEMM: K).
    pub fn window(&self) -> u64 {
        self.filter_h * self.filter_w * self.channels
    }
    pub fn macs(&self) -> u64 {
        self.ofmap_px() * self.window() * self.filters
    }
    pub fn ifmap_words(&self) -> u64 {
        self.ifmap_h * self.ifmap_w * self.channels
    }
    pub fn filter_words(&self) -> u64 {
        self.window() * self.filters
    }
    pub fn ofmap_words(&self) -> u64 {
        self.ofmap_px() * self.filters
    }
}
