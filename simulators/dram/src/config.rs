//! The ten controller knobs ArchGym exposes, as one table ([`KNOBS`]) and a typed [`ControllerConfig`].

use crate::error::DramError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PagePolicy {
    Open,
    OpenAdaptive,
    Closed,
    ClosedAdaptive,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerKind {
    Fifo,
    FrFcfs,
    FrFcfsGrp,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufferKind {
    Bankwise,
    ReadWrite,
    Shared,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RespQueueKind {
    Fifo,
    Reorder,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshPolicy {
    NoRefresh,
    AllBank,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArbiterKind {
    Simple,
    Fifo,
    Reorder,
}

/// One knob: name, its values (categorical) or integer range, and the DRAMSys `policy.json` default.
pub struct Knob {
    pub name: &'static str,
    pub labels: &'static [&'static str],
    pub range: (i64, i64),
    pub default: &'static str,
}

/// ArchGym's DRAMSys knobs with ArchGym's ranges and DRAMSys's default policy.
pub const KNOBS: &[Knob] = &[
    Knob {
        name: "PagePolicy",
        labels: &["Open", "OpenAdaptive", "Closed", "ClosedAdaptive"],
        range: (0, 0),
        default: "Open",
    },
    Knob {
        name: "Scheduler",
        labels: &["Fifo", "FrFcfs", "FrFcfsGrp"],
        range: (0, 0),
        default: "Fifo",
    },
    Knob {
        name: "SchedulerBuffer",
        labels: &["Bankwise", "ReadWrite", "Shared"],
        range: (0, 0),
        default: "Bankwise",
    },
    Knob {
        name: "RequestBufferSize",
        labels: &[],
        range: (1, 8),
        default: "1",
    },
    Knob {
        name: "RespQueue",
        labels: &["Fifo", "Reorder"],
        range: (0, 0),
        default: "Fifo",
    },
    Knob {
        name: "RefreshPolicy",
        labels: &["NoRefresh", "AllBank"],
        range: (0, 0),
        default: "NoRefresh",
    },
    Knob {
        name: "RefreshMaxPostponed",
        labels: &[],
        range: (1, 8),
        default: "1",
    },
    Knob {
        name: "RefreshMaxPulledin",
        labels: &[],
        range: (1, 8),
        default: "1",
    },
    Knob {
        name: "Arbiter",
        labels: &["Simple", "Fifo", "Reorder"],
        range: (0, 0),
        default: "Simple",
    },
    Knob {
        name: "MaxActiveTransactions",
        labels: &[],
        range: (1, 128),
        default: "1",
    },
];

/// A complete controller configuration (CmdMux `Oldest`, no power-down).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerConfig {
    pub page_policy: PagePolicy,
    pub scheduler: SchedulerKind,
    pub buffer: BufferKind,
    pub request_buffer_size: u32,
    pub resp_queue: RespQueueKind,
    pub refresh: RefreshPolicy,
    pub refresh_max_postponed: u32,
    pub refresh_max_pulledin: u32,
    pub arbiter: ArbiterKind,
    pub max_active_transactions: u32,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        let pairs: Vec<(&str, &str)> = KNOBS.iter().map(|k| (k.name, k.default)).collect();
        Self::from_pairs(&pairs).expect("knob defaults are valid")
    }
}

impl ControllerConfig {
    /// Builds a configuration from knob name/value text pairs (every knob must be given).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, DramError> {
        let get = |name: &str| -> Result<&str, DramError> {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| DramError::Config(format!("knob `{name}` is missing")))
        };
        let cat = |name: &str| -> Result<usize, DramError> {
            let knob = KNOBS.iter().find(|k| k.name == name).expect("known knob");
            let v = get(name)?;
            knob.labels.iter().position(|l| *l == v).ok_or_else(|| {
                DramError::Config(format!(
                    "knob `{name}`: `{v}` is not one of {}",
                    knob.labels.join(", ")
                ))
            })
        };
        let int = |name: &str| -> Result<u32, DramError> {
            let knob = KNOBS.iter().find(|k| k.name == name).expect("known knob");
            let v = get(name)?;
            let x: i64 = v.parse().map_err(|_| {
                DramError::Config(format!("knob `{name}`: `{v}` is not an integer"))
            })?;
            if x < knob.range.0 || x > knob.range.1 {
                return Err(DramError::Config(format!(
                    "knob `{name}`: {x} is outside {}..={}",
                    knob.range.0, knob.range.1
                )));
            }
            Ok(x as u32)
        };
        Ok(ControllerConfig {
            page_policy: [
                PagePolicy::Open,
                PagePolicy::OpenAdaptive,
                PagePolicy::Closed,
                PagePolicy::ClosedAdaptive,
            ][cat("PagePolicy")?],
            scheduler: [
                SchedulerKind::Fifo,
                SchedulerKind::FrFcfs,
                SchedulerKind::FrFcfsGrp,
            ][cat("Scheduler")?],
            buffer: [
                BufferKind::Bankwise,
                BufferKind::ReadWrite,
                BufferKind::Shared,
            ][cat("SchedulerBuffer")?],
            request_buffer_size: int("RequestBufferSize")?,
            resp_queue: [RespQueueKind::Fifo, RespQueueKind::Reorder][cat("RespQueue")?],
            refresh: [RefreshPolicy::NoRefresh, RefreshPolicy::AllBank][cat("RefreshPolicy")?],
            refresh_max_postponed: int("RefreshMaxPostponed")?,
            refresh_max_pulledin: int("RefreshMaxPulledin")?,
            arbiter: [ArbiterKind::Simple, ArbiterKind::Fifo, ArbiterKind::Reorder]
                [cat("Arbiter")?],
            max_active_transactions: int("MaxActiveTransactions")?,
        })
    }
}
