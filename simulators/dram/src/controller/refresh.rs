//! All-bank refresh manager with postponing and pulling in (DRAMSys `RefreshManagerAllBank.cpp`).

use super::NEVER;
use super::bank::BankMachine;
use crate::timing::{Checker, Cmd, Target};

pub struct RefreshManager {
    enabled: bool,
    refi: i64,
    pulled_in: bool,
    next_trigger: i64,
    /// > 0: refreshes postponed; < 0: refreshes pulled in.
    flexibility: i64,
    max_postponed: i64,
    max_pulledin: i64,
    activated_banks: u32,
    pub next: Option<Cmd>,
    pub time: i64,
}

const RANK0: Target = Target {
    rank: 0,
    bank_group: 0,
    bank: 0,
};

impl RefreshManager {
    pub fn new(enabled: bool, refi: i64, max_postponed: u32, max_pulledin: u32) -> Self {
        RefreshManager {
            enabled,
            refi,
            pulled_in: false,
            // one rank: the first refresh is due after one interval
            next_trigger: if enabled { refi } else { NEVER },
            flexibility: 0,
            max_postponed: max_postponed as i64,
            max_pulledin: -(max_pulledin as i64),
            activated_banks: 0,
            next: None,
            time: NEVER,
        }
    }

    pub fn target(&self) -> Target {
        RANK0
    }

    /// DRAMSys `RefreshManagerAllBank::start`: may postpone, force (blocking the banks) or pull in.
    pub fn start(&mut self, now: i64, banks: &mut [BankMachine], checker: &Checker) -> i64 {
        self.time = NEVER;
        self.next = None;
        if !self.enabled || now < self.next_trigger {
            return self.next_trigger;
        }
        if now >= self.next_trigger + self.refi {
            self.next_trigger += self.refi;
            self.pulled_in = false;
        }
        let busy = banks.iter().any(|b| !b.is_idle());
        if !self.pulled_in {
            if self.flexibility == self.max_postponed {
                banks.iter_mut().for_each(BankMachine::block);
            } else if busy {
                self.flexibility += 1;
                self.next_trigger += self.refi;
                return self.next_trigger;
            }
            let cmd = if self.activated_banks > 0 {
                Cmd::PreAll
            } else {
                Cmd::RefAll
            };
            self.next = Some(cmd);
            self.time = checker.earliest(cmd, RANK0, now);
            self.time
        } else if busy {
            self.pulled_in = false;
            self.next_trigger += self.refi;
            self.next_trigger
        } else {
            self.next = Some(Cmd::RefAll);
            self.time = checker.earliest(Cmd::RefAll, RANK0, now);
            self.time
        }
    }

    pub fn update(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Act => self.activated_banks += 1,
            Cmd::Pre | Cmd::Rda | Cmd::Wra => self.activated_banks -= 1,
            Cmd::PreAll => self.activated_banks = 0,
            Cmd::RefAll => {
                if self.pulled_in {
                    self.flexibility -= 1;
                } else {
                    self.pulled_in = true;
                }
                if self.flexibility == self.max_pulledin {
                    self.pulled_in = false;
                    self.next_trigger += self.refi;
                }
            }
            Cmd::Rd | Cmd::Wr => {}
        }
    }
}
