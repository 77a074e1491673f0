//! The one place where seeds become random-number generators. Every random choice in hwgym flows from an
//! explicit `u64` seed through [`seeded`]; crates pass `u64` seeds across their boundaries, never RNGs.

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng as Rng;

/// A deterministic, platform-independent generator for `seed`.
pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Derives an independent seed for a named sub-stream (e.g. one per agent or per run), so that adding a
/// consumer of randomness does not shift the numbers another consumer sees.
pub fn derive(seed: u64, stream: &str) -> u64 {
    // FNV-1a over the stream name, mixed with the seed by SplitMix64's finaliser.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in stream.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = seed ^ h;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
