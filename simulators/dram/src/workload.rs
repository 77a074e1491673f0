//! Seeded synthetic workloads and the built-in ones (`stream`, `random`, `cloud-1`, `cloud-2`),
//! with the statistics of ArchGym's traces: 10,000 requests, one per cycle of an 800 MHz clock.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::DramError;
use crate::trace::TraceRequest;

/// How the next address follows the previous one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    /// Consecutive bursts from address 0.
    Stream,
    /// Fixed stride in bytes.
    Strided { stride: u64 },
    /// Uniformly random bursts.
    Random,
    /// With probability `sequential` the next burst follows the previous one, else a random jump.
    Mixed { sequential: f64 },
}

/// A synthetic workload.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticParams {
    pub requests: u64,
    pub pattern: Pattern,
    /// Fraction of writes.
    pub write_ratio: f64,
    /// Requests per trace-clock cycle (≤ 1).
    pub rate: f64,
    /// Addresses fall in `[0, footprint)`, aligned to `burst_bytes`.
    pub footprint: u64,
    pub burst_bytes: u64,
    pub seed: u64,
}

/// Built-in workloads: name, pattern, seed. All reads, 10,000 requests, one per cycle, 1 GiB.
pub const BUILTINS: &[(&str, Pattern, u64)] = &[
    ("stream", Pattern::Stream, 1),
    ("random", Pattern::Random, 2),
    // ArchGym's cloud traces continue sequentially on 47.5 % and 49.9 % of requests
    ("cloud-1", Pattern::Mixed { sequential: 0.475 }, 3),
    ("cloud-2", Pattern::Mixed { sequential: 0.5 }, 4),
];

pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.0).collect()
}

/// The parameters of built-in workload `name`.
pub fn builtin(name: &str) -> Result<SyntheticParams, DramError> {
    let &(_, pattern, seed) =
        BUILTINS
            .iter()
            .find(|b| b.0 == name)
            .ok_or_else(|| DramError::UnknownWorkload {
                name: name.into(),
                known: builtin_names().join(", "),
            })?;
    Ok(SyntheticParams {
        requests: 10_000,
        pattern,
        write_ratio: 0.0,
        rate: 1.0,
        footprint: 1 << 30,
        burst_bytes: 64,
        seed,
    })
}

/// Iterator over the requests of a synthetic workload (times at `clock_ps` per trace cycle).
pub struct Synthetic {
    p: SyntheticParams,
    rng: ChaCha8Rng,
    clock_ps: u64,
    index: u64,
    cycle_acc: f64,
    last: u64,
}

impl Synthetic {
    pub fn new(p: SyntheticParams, clock_ps: u64) -> Result<Self, DramError> {
        if !(p.rate > 0.0 && p.rate <= 1.0) {
            return Err(DramError::Config(format!(
                "workload rate {} must be in (0, 1]",
                p.rate
            )));
        }
        if !(0.0..=1.0).contains(&p.write_ratio) {
            return Err(DramError::Config(format!(
                "write ratio {} must be in [0, 1]",
                p.write_ratio
            )));
        }
        if p.burst_bytes == 0 || p.footprint < p.burst_bytes {
            return Err(DramError::Config(
                "footprint must hold at least one burst".into(),
            ));
        }
        let rng = ChaCha8Rng::seed_from_u64(p.seed);
        Ok(Synthetic {
            p,
            rng,
            clock_ps,
            index: 0,
            cycle_acc: 0.0,
            last: 0,
        })
    }

    fn random_address(&mut self) -> u64 {
        self.rng
            .random_range(0..self.p.footprint / self.p.burst_bytes)
            * self.p.burst_bytes
    }
}

impl Iterator for Synthetic {
    type Item = Result<TraceRequest, DramError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.index >= self.p.requests {
            return None;
        }
        let b = self.p.burst_bytes;
        let address = if self.index == 0 {
            match self.p.pattern {
                Pattern::Random => self.random_address(),
                _ => 0,
            }
        } else {
            match self.p.pattern {
                Pattern::Stream => (self.last + b) % self.p.footprint,
                Pattern::Strided { stride } => {
                    (self.last + stride.max(b)) % self.p.footprint / b * b
                }
                Pattern::Random => self.random_address(),
                Pattern::Mixed { sequential } => {
                    if self.rng.random_bool(sequential) {
                        (self.last + b) % self.p.footprint
                    } else {
                        self.random_address()
                    }
                }
            }
        };
        self.last = address;
        let is_write = self.p.write_ratio > 0.0 && self.rng.random_bool(self.p.write_ratio);
        let cycle = self.cycle_acc.floor() as u64;
        self.cycle_acc += 1.0 / self.p.rate;
        self.index += 1;
        Some(Ok(TraceRequest {
            time_ps: cycle * self.clock_ps,
            is_write,
            address,
        }))
    }
}
