//! DRAMPower 4.1's command analysis and energy model as DRAMSys 4.0 drives it (no power-down, no IO
//! termination, whole run as one window). Commands stream in issue order; auto-precharges are queued
//! and merged in time order, PRE before other commands of the same cycle (DRAMPower's sort).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::memspec::{MemSpec, Standard};
use crate::timing::Cmd;

/// The command kinds DRAMPower distinguishes (auto-precharge split into CAS + PRE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PowerCmd {
    Act,
    Rd,
    Wr,
    Pre,
    PreAll,
    Ref,
}

/// Counters of one run (per device).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PowerCounters {
    pub acts: u64,
    pub pres: u64,
    pub reads: u64,
    pub writes: u64,
    pub refs: u64,
    pub act_cycles: i64,
    pub pre_cycles: i64,
}

/// Energy and power of the DIMM.
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyReport {
    pub counters: PowerCounters,
    /// Total energy of all devices, pJ.
    pub energy_pj: f64,
    /// Average power of all devices over DRAMPower's window, mW.
    pub power_mw: f64,
    /// DRAMPower's window, cycles.
    pub window_cycles: i64,
}

pub struct PowerModel {
    standard: Standard,
    ras: i64,
    rp: i64,
    rfc: i64,
    rtp: i64,
    wl: i64,
    wr: i64,
    rl: i64,
    rcd: i64,
    dqsck: i64,
    burst: i64,
    banks: usize,
    bank_active: Vec<bool>,
    activation: Vec<i64>,
    active_count: usize,
    first_act: i64,
    last_pre: i64,
    c: PowerCounters,
    /// Pending auto-precharges: (cycle, bank).
    auto_pre: BinaryHeap<Reverse<(i64, usize)>>,
    /// Last command in DRAMPower's sorted order: (cycle, kind).
    last: Option<(i64, PowerCmd)>,
}

impl PowerModel {
    pub fn new(spec: &MemSpec) -> Self {
        let t = &spec.timing;
        let banks = spec.arch.banks_per_channel();
        PowerModel {
            standard: spec.standard,
            ras: t.ras,
            rp: t.rp,
            rfc: t.rfc,
            rtp: t.rtp,
            wl: t.wl,
            wr: t.wr,
            rl: t.rl,
            rcd: t.rcd,
            dqsck: t.dqsck,
            burst: t.burst(),
            banks,
            bank_active: vec![false; banks],
            activation: vec![0; banks],
            active_count: 0,
            first_act: 0,
            last_pre: 0,
            c: PowerCounters::default(),
            auto_pre: BinaryHeap::new(),
            last: None,
        }
    }

    /// DRAMPower's auto-precharge offset after RDA/WRA.
    fn precharge_offset(&self, write: bool) -> i64 {
        if write {
            self.burst + self.wl + self.wr
        } else {
            match self.standard {
                Standard::Ddr3 => self.rtp.max(4),
                Standard::Ddr4 => self.rtp,
            }
        }
    }

    /// Records a command issued at `cycle` to `bank`.
    pub fn command(&mut self, cmd: Cmd, bank: usize, cycle: i64) {
        self.flush_before(cycle, true);
        match cmd {
            Cmd::Act => {
                self.activation[bank] = cycle;
                self.apply(PowerCmd::Act, bank, cycle)
            }
            Cmd::Pre => self.apply(PowerCmd::Pre, bank, cycle),
            Cmd::PreAll => self.apply(PowerCmd::PreAll, 0, cycle),
            Cmd::RefAll => self.apply(PowerCmd::Ref, 0, cycle),
            Cmd::Rd | Cmd::Wr => self.apply(
                if cmd == Cmd::Rd {
                    PowerCmd::Rd
                } else {
                    PowerCmd::Wr
                },
                bank,
                cycle,
            ),
            Cmd::Rda | Cmd::Wra => {
                let write = cmd == Cmd::Wra;
                let pre =
                    (cycle + self.precharge_offset(write)).max(self.activation[bank] + self.ras);
                self.auto_pre.push(Reverse((pre, bank)));
                self.apply(if write { PowerCmd::Wr } else { PowerCmd::Rd }, bank, cycle);
            }
        }
    }

    /// Applies queued auto-precharges before `cycle` (and at `cycle` when `inclusive`).
    fn flush_before(&mut self, cycle: i64, inclusive: bool) {
        while let Some(&Reverse((t, bank))) = self.auto_pre.peek() {
            if t < cycle || (inclusive && t == cycle) {
                self.auto_pre.pop();
                self.apply(PowerCmd::Pre, bank, t);
            } else {
                break;
            }
        }
    }

    fn apply(&mut self, cmd: PowerCmd, bank: usize, ts: i64) {
        self.last = Some((ts, cmd));
        let c = &mut self.c;
        match cmd {
            PowerCmd::Act => {
                if !self.bank_active[bank] {
                    c.acts += 1;
                    if self.active_count == 0 {
                        self.first_act = ts;
                        c.pre_cycles += (ts - self.last_pre).max(0);
                    }
                    self.bank_active[bank] = true;
                    self.active_count += 1;
                }
            }
            PowerCmd::Rd => c.reads += 1,
            PowerCmd::Wr => c.writes += 1,
            PowerCmd::Pre => {
                if self.bank_active[bank] {
                    c.pres += 1;
                    if self.active_count == 1 {
                        c.act_cycles += (ts - self.first_act).max(0);
                        self.last_pre = ts;
                    }
                    self.bank_active[bank] = false;
                    self.active_count -= 1;
                }
            }
            PowerCmd::PreAll => {
                if self.active_count > 0 {
                    c.act_cycles += (ts - self.first_act).max(0);
                    self.last_pre = ts;
                    c.pres += self.active_count as u64;
                    self.bank_active.iter_mut().for_each(|b| *b = false);
                    self.active_count = 0;
                }
            }
            PowerCmd::Ref => {
                c.refs += 1;
                self.first_act = ts;
                c.pre_cycles += (ts - self.last_pre).max(0);
                self.last_pre = ts + self.rfc - self.rp;
                c.act_cycles += self.rfc - self.rp;
                self.bank_active.iter_mut().for_each(|b| *b = false);
                self.active_count = 0;
            }
        }
    }

    fn time_to_completion(&self, cmd: PowerCmd) -> i64 {
        match cmd {
            PowerCmd::Rd => self.rl + self.dqsck + 1 + self.burst,
            PowerCmd::Wr => self.wl + self.burst + self.wr,
            PowerCmd::Act => self.rcd,
            PowerCmd::Pre | PowerCmd::PreAll => self.rp,
            PowerCmd::Ref => 0,
        }
    }

    /// Closes the window (DRAMPower `calcEnergy`) and computes the DIMM's energy and power.
    pub fn finish(mut self, spec: &MemSpec) -> EnergyReport {
        self.flush_before(i64::MAX, true);
        if let Some((ts, cmd)) = self.last {
            let end = ts + self.time_to_completion(cmd) - 1;
            // DRAMPower's end-of-window NOP
            if self.active_count > 0 {
                self.c.act_cycles += (end - self.first_act).max(0);
            } else {
                self.c.pre_cycles += (end - self.last_pre).max(0);
            }
        }
        let _ = self.banks;
        let c = self.c;
        let t = &spec.timing;
        let p = &spec.power;
        let tck = t.tck_ns();
        let e = |cycles: f64, current: f64, volt: f64| cycles * tck * current * volt;
        let (acts, pres, rds, wrs, refs) = (
            c.acts as f64,
            c.pres as f64,
            c.reads as f64,
            c.writes as f64,
            c.refs as f64,
        );
        let burst = t.burst() as f64;
        let mut energy = e(acts * t.ras as f64, p.idd0 - p.idd3n, p.vdd)
            + e(pres * (t.rc - t.ras) as f64, p.idd0 - p.idd2n, p.vdd)
            + e(rds * burst, p.idd4r - p.idd3n, p.vdd)
            + e(wrs * burst, p.idd4w - p.idd3n, p.vdd)
            + e(refs * t.rfc as f64, p.idd5 - p.idd3n, p.vdd)
            + e(c.act_cycles as f64, p.idd3n, p.vdd)
            + e(c.pre_cycles as f64, p.idd2n, p.vdd);
        if spec.standard == Standard::Ddr4 {
            energy += e(acts * t.ras as f64, p.idd02, p.vdd2)
                + e(pres * (t.rc - t.ras) as f64, p.idd02, p.vdd2);
        }
        let window = c.act_cycles + c.pre_cycles;
        let devices = spec.arch.devices as f64;
        let power = if window > 0 {
            energy / (window as f64 * tck)
        } else {
            0.0
        };
        EnergyReport {
            counters: c,
            energy_pj: energy * devices,
            power_mw: power * devices,
            window_cycles: window,
        }
    }
}
