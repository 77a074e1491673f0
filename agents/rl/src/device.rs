//! The one place that picks the burn backend. Every network and tensor of this crate is created on
//! [`device`]; enabling the `wgpu` feature moves them all to a GPU without touching the learners.

use burn::prelude::Device;

/// The autodiff device the learners train on: burn's pure-Rust `flex` CPU backend, or `wgpu` when
/// that feature is enabled.
pub fn device() -> Device {
    #[cfg(feature = "wgpu")]
    {
        Device::wgpu(Default::default()).autodiff()
    }
    #[cfg(not(feature = "wgpu"))]
    {
        Device::flex().autodiff()
    }
}
