//! DRAM commands and the timing rules between them, as one declarative table per standard
//! (DRAMSys 4.0 `checker/CheckerDDR3.cpp`, `CheckerDDR4.cpp`), plus the [`Checker`] that applies them.
//!
//! Times are controller clock cycles (tCK); every DRAMSys constraint is a whole number of cycles.

use crate::memspec::{MemSpec, Standard, Timing};

/// The commands the controller issues (no power-down: DRAMSys runs with `NoPowerDown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cmd {
    Act,
    Pre,
    PreAll,
    Rd,
    Rda,
    Wr,
    Wra,
    RefAll,
}

impl Cmd {
    pub const COUNT: usize = 8;
    pub const ALL: [Cmd; Cmd::COUNT] = [
        Cmd::Act,
        Cmd::Pre,
        Cmd::PreAll,
        Cmd::Rd,
        Cmd::Rda,
        Cmd::Wr,
        Cmd::Wra,
        Cmd::RefAll,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn is_cas(self) -> bool {
        matches!(self, Cmd::Rd | Cmd::Rda | Cmd::Wr | Cmd::Wra)
    }
    pub fn is_rank_command(self) -> bool {
        matches!(self, Cmd::PreAll | Cmd::RefAll)
    }
}

/// Which earlier command a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The last such command to the same bank.
    Bank,
    /// The last such command to the same bank group.
    BankGroup,
    /// The last such command to the same rank.
    Rank,
    /// The last such command to any rank, when it was on another rank than this one.
    OtherRank,
    /// The last such command anywhere on the channel.
    Channel,
}

/// `next` may start `delay(t)` cycles after the last `prev` within `scope`.
#[derive(Clone, Copy)]
pub struct Rule {
    pub next: &'static [Cmd],
    pub prev: Cmd,
    pub scope: Scope,
    pub delay: fn(&Timing) -> i64,
}

const RD_ANY: &[Cmd] = &[Cmd::Rd, Cmd::Rda];
const WR_ANY: &[Cmd] = &[Cmd::Wr, Cmd::Wra];
const RDA: &[Cmd] = &[Cmd::Rda];
const ACT: &[Cmd] = &[Cmd::Act];
const PRE: &[Cmd] = &[Cmd::Pre];
const PREA: &[Cmd] = &[Cmd::PreAll];
const REFA: &[Cmd] = &[Cmd::RefAll];

fn wr_to_pre(t: &Timing) -> i64 {
    t.wl + t.burst() + t.wr
}

/// DDR3 (JEDEC JESD79-3 as DRAMSys 4.0 checks it). CCD, RRD and WTR have no bank-group split.
pub const DDR3_RULES: &[Rule] = &[
    // RD / RDA
    Rule {
        next: RD_ANY,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.rcd - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rd,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rd,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rda,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    Rule {
        next: RDA,
        prev: Cmd::Wr,
        scope: Scope::Bank,
        delay: |t| wr_to_pre(t) - t.rtp - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wr,
        scope: Scope::Rank,
        delay: |t| t.wl + t.burst() + t.wtr_s - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wr,
        scope: Scope::Channel,
        delay: |t| t.wl + t.burst() + t.rtrs - t.rl,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: |t| t.wl + t.burst() + t.wtr_s - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wra,
        scope: Scope::Channel,
        delay: |t| t.wl + t.burst() + t.rtrs - t.rl,
    },
    // WR / WRA
    Rule {
        next: WR_ANY,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.rcd - t.al,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rd,
        scope: Scope::Rank,
        delay: |t| t.rl + t.burst() + 2 - t.wl,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rd,
        scope: Scope::OtherRank,
        delay: |t| t.rl + t.burst() + t.rtrs - t.wl,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.rl + t.burst() + 2 - t.wl,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rda,
        scope: Scope::OtherRank,
        delay: |t| t.rl + t.burst() + t.rtrs - t.wl,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wr,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wr,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wra,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    // ACT
    Rule {
        next: ACT,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.rc,
    },
    Rule {
        next: ACT,
        prev: Cmd::Act,
        scope: Scope::Rank,
        delay: |t| t.rrd_s,
    },
    Rule {
        next: ACT,
        prev: Cmd::Rda,
        scope: Scope::Bank,
        delay: |t| t.al + t.rtp + t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::Wra,
        scope: Scope::Bank,
        delay: |t| wr_to_pre(t) + t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::Pre,
        scope: Scope::Bank,
        delay: |t| t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::PreAll,
        scope: Scope::Rank,
        delay: |t| t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::RefAll,
        scope: Scope::Rank,
        delay: |t| t.rfc,
    },
    // PRE (one bank)
    Rule {
        next: PRE,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.ras,
    },
    Rule {
        next: PRE,
        prev: Cmd::Rd,
        scope: Scope::Bank,
        delay: |t| t.al + t.rtp,
    },
    Rule {
        next: PRE,
        prev: Cmd::Wr,
        scope: Scope::Bank,
        delay: wr_to_pre,
    },
    // PREA
    Rule {
        next: PREA,
        prev: Cmd::Act,
        scope: Scope::Rank,
        delay: |t| t.ras,
    },
    Rule {
        next: PREA,
        prev: Cmd::Rd,
        scope: Scope::Rank,
        delay: |t| t.al + t.rtp,
    },
    Rule {
        next: PREA,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.al + t.rtp,
    },
    Rule {
        next: PREA,
        prev: Cmd::Wr,
        scope: Scope::Rank,
        delay: wr_to_pre,
    },
    Rule {
        next: PREA,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: wr_to_pre,
    },
    // REFA
    Rule {
        next: REFA,
        prev: Cmd::Act,
        scope: Scope::Rank,
        delay: |t| t.rc,
    },
    Rule {
        next: REFA,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.al + t.rtp + t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: |t| wr_to_pre(t) + t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::Pre,
        scope: Scope::Rank,
        delay: |t| t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::PreAll,
        scope: Scope::Rank,
        delay: |t| t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::RefAll,
        scope: Scope::Rank,
        delay: |t| t.rfc,
    },
];

/// DDR4 (JESD79-4 as DRAMSys 4.0 checks it): bank groups split CCD, RRD and WTR into _S and _L.
pub const DDR4_RULES: &[Rule] = &[
    // RD / RDA
    Rule {
        next: RD_ANY,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.rcd - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rd,
        scope: Scope::BankGroup,
        delay: |t| t.ccd_l,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rd,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rd,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rda,
        scope: Scope::BankGroup,
        delay: |t| t.ccd_l,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Rda,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    Rule {
        next: RDA,
        prev: Cmd::Wr,
        scope: Scope::Bank,
        delay: |t| wr_to_pre(t) - t.rtp - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wr,
        scope: Scope::BankGroup,
        delay: |t| t.wl + t.burst() + t.wtr_l - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wr,
        scope: Scope::Rank,
        delay: |t| t.wl + t.burst() + t.wtr_s - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wr,
        scope: Scope::Channel,
        delay: |t| t.wl + t.burst() + t.rtrs - t.rl + t.rpre,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wra,
        scope: Scope::BankGroup,
        delay: |t| t.wl + t.burst() + t.wtr_l - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: |t| t.wl + t.burst() + t.wtr_s - t.al,
    },
    Rule {
        next: RD_ANY,
        prev: Cmd::Wra,
        scope: Scope::Channel,
        delay: |t| t.wl + t.burst() + t.rtrs - t.rl + t.rpre,
    },
    // WR / WRA
    Rule {
        next: WR_ANY,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.rcd - t.al,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rd,
        scope: Scope::Rank,
        delay: |t| t.rl + t.burst() + 1 - t.wl + t.wpre,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rd,
        scope: Scope::OtherRank,
        delay: |t| t.rl + t.burst() + t.rtrs - t.wl + t.wpre,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.rl + t.burst() + 1 - t.wl + t.wpre,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Rda,
        scope: Scope::OtherRank,
        delay: |t| t.rl + t.burst() + t.rtrs - t.wl + t.wpre,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wr,
        scope: Scope::BankGroup,
        delay: |t| t.ccd_l,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wr,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wr,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wra,
        scope: Scope::BankGroup,
        delay: |t| t.ccd_l,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: |t| t.ccd_s,
    },
    Rule {
        next: WR_ANY,
        prev: Cmd::Wra,
        scope: Scope::OtherRank,
        delay: |t| t.burst() + t.rtrs,
    },
    // ACT
    Rule {
        next: ACT,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.rc,
    },
    Rule {
        next: ACT,
        prev: Cmd::Act,
        scope: Scope::BankGroup,
        delay: |t| t.rrd_l,
    },
    Rule {
        next: ACT,
        prev: Cmd::Act,
        scope: Scope::Rank,
        delay: |t| t.rrd_s,
    },
    Rule {
        next: ACT,
        prev: Cmd::Rda,
        scope: Scope::Bank,
        delay: |t| t.al + t.rtp + t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::Wra,
        scope: Scope::Bank,
        delay: |t| wr_to_pre(t) + t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::Pre,
        scope: Scope::Bank,
        delay: |t| t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::PreAll,
        scope: Scope::Rank,
        delay: |t| t.rp,
    },
    Rule {
        next: ACT,
        prev: Cmd::RefAll,
        scope: Scope::Rank,
        delay: |t| t.rfc,
    },
    // PRE (one bank)
    Rule {
        next: PRE,
        prev: Cmd::Act,
        scope: Scope::Bank,
        delay: |t| t.ras,
    },
    Rule {
        next: PRE,
        prev: Cmd::Rd,
        scope: Scope::Bank,
        delay: |t| t.al + t.rtp,
    },
    Rule {
        next: PRE,
        prev: Cmd::Wr,
        scope: Scope::Bank,
        delay: wr_to_pre,
    },
    // PREA
    Rule {
        next: PREA,
        prev: Cmd::Act,
        scope: Scope::Rank,
        delay: |t| t.ras,
    },
    Rule {
        next: PREA,
        prev: Cmd::Rd,
        scope: Scope::Rank,
        delay: |t| t.al + t.rtp,
    },
    Rule {
        next: PREA,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.al + t.rtp,
    },
    Rule {
        next: PREA,
        prev: Cmd::Wr,
        scope: Scope::Rank,
        delay: wr_to_pre,
    },
    Rule {
        next: PREA,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: wr_to_pre,
    },
    // REFA
    Rule {
        next: REFA,
        prev: Cmd::Act,
        scope: Scope::Rank,
        delay: |t| t.rc,
    },
    Rule {
        next: REFA,
        prev: Cmd::Rda,
        scope: Scope::Rank,
        delay: |t| t.al + t.rtp + t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::Wra,
        scope: Scope::Rank,
        delay: |t| wr_to_pre(t) + t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::Pre,
        scope: Scope::Rank,
        delay: |t| t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::PreAll,
        scope: Scope::Rank,
        delay: |t| t.rp,
    },
    Rule {
        next: REFA,
        prev: Cmd::RefAll,
        scope: Scope::Rank,
        delay: |t| t.rfc,
    },
];

/// The rule table of a standard.
pub fn rules(standard: Standard) -> &'static [Rule] {
    match standard {
        Standard::Ddr3 => DDR3_RULES,
        Standard::Ddr4 => DDR4_RULES,
    }
}

/// "Never issued" marker for last-command times.
const NEVER: i64 = i64::MIN / 4;

/// Where a command goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub rank: u16,
    pub bank_group: u16,
    pub bank: u16,
}

/// Earliest legal issue times from the history of issued commands (DRAMSys's `Checker*`).
///
/// Each issued command raises, per scope, the earliest time of every command a rule constrains
/// (commands are issued in time order, so the latest bound is the binding one).
#[derive(Clone, Debug)]
pub struct Checker {
    /// Per issued command: (constrained command, scope, delay in cycles).
    by_prev: Vec<Vec<(usize, Scope, i64)>>,
    faw: i64,
    bank: Vec<[i64; Cmd::COUNT]>,
    group: Vec<[i64; Cmd::COUNT]>,
    rank: Vec<[i64; Cmd::COUNT]>,
    channel: [i64; Cmd::COUNT],
    last_on_bus: i64,
    /// Last four ACT times per rank (oldest first).
    last_acts: Vec<[i64; 4]>,
    acts_seen: Vec<usize>,
}

impl Checker {
    pub fn new(spec: &MemSpec) -> Self {
        let t = &spec.timing;
        let mut by_prev = vec![Vec::new(); Cmd::COUNT];
        for rule in rules(spec.standard) {
            for &next in rule.next {
                by_prev[rule.prev.index()].push((next.index(), rule.scope, (rule.delay)(t)));
            }
        }
        let arch = &spec.arch;
        Checker {
            by_prev,
            faw: t.faw,
            bank: vec![[NEVER; Cmd::COUNT]; arch.banks_per_channel()],
            group: vec![[NEVER; Cmd::COUNT]; arch.groups_per_channel()],
            rank: vec![[NEVER; Cmd::COUNT]; arch.ranks as usize],
            channel: [NEVER; Cmd::COUNT],
            last_on_bus: NEVER,
            last_acts: vec![[NEVER; 4]; arch.ranks as usize],
            acts_seen: vec![0; arch.ranks as usize],
        }
    }

    /// Earliest cycle ≥ `now` at which `cmd` to `to` satisfies every rule.
    pub fn earliest(&self, cmd: Cmd, to: Target, now: i64) -> i64 {
        let c = cmd.index();
        let mut t = now
            .max(self.bank[to.bank as usize][c])
            .max(self.group[to.bank_group as usize][c])
            .max(self.rank[to.rank as usize][c])
            .max(self.channel[c])
            .max(self.last_on_bus.saturating_add(1));
        if cmd == Cmd::Act && self.acts_seen[to.rank as usize] >= 4 {
            t = t.max(self.last_acts[to.rank as usize][0] + self.faw);
        }
        t
    }

    /// Records `cmd` issued at `now`.
    pub fn insert(&mut self, cmd: Cmd, to: Target, now: i64) {
        for &(next, scope, delay) in &self.by_prev[cmd.index()] {
            let bound = now + delay;
            match scope {
                Scope::Bank => {
                    self.bank[to.bank as usize][next] = self.bank[to.bank as usize][next].max(bound)
                }
                Scope::BankGroup => {
                    let g = &mut self.group[to.bank_group as usize][next];
                    *g = (*g).max(bound)
                }
                Scope::Rank => {
                    self.rank[to.rank as usize][next] = self.rank[to.rank as usize][next].max(bound)
                }
                Scope::OtherRank => {
                    for (r, row) in self.rank.iter_mut().enumerate() {
                        if r != to.rank as usize {
                            row[next] = row[next].max(bound);
                        }
                    }
                }
                Scope::Channel => self.channel[next] = self.channel[next].max(bound),
            }
        }
        self.last_on_bus = now;
        if cmd == Cmd::Act {
            let r = to.rank as usize;
            let q = &mut self.last_acts[r];
            q.rotate_left(1);
            q[3] = now;
            self.acts_seen[r] += 1;
        }
    }
}
