//! Bank machines (DRAMSys `BankMachine.cpp`): per bank, the next command for the request it serves,
//! according to the page policy.

use super::scheduler::Scheduler;
use super::{NEVER, Request};
use crate::config::PagePolicy;
use crate::timing::{Checker, Cmd, Target};

pub struct BankMachine {
    pub target: Target,
    pub activated: bool,
    pub open_row: u32,
    /// The request being served (DRAMSys `currentPayload`); `None` = idle.
    pub current: Option<u32>,
    /// After ACT the bank sticks to its request unless another one hits the open row.
    keep: bool,
    pub blocked: bool,
    pub next: Option<Cmd>,
    /// Earliest issue cycle of `next` (NEVER when none).
    pub time: i64,
}

impl BankMachine {
    pub fn new(target: Target) -> Self {
        BankMachine {
            target,
            activated: false,
            open_row: 0,
            current: None,
            keep: false,
            blocked: false,
            next: None,
            time: NEVER,
        }
    }

    pub fn is_idle(&self) -> bool {
        self.current.is_none()
    }

    pub fn block(&mut self) {
        self.blocked = true;
        self.time = NEVER;
        self.next = None;
    }

    /// Chooses the next command and its earliest time (DRAMSys `BankMachine*::start`).
    pub fn start(
        &mut self,
        now: i64,
        policy: PagePolicy,
        sched: &Scheduler,
        checker: &Checker,
        reqs: &[Request],
    ) -> i64 {
        self.time = NEVER;
        self.next = None;
        if self.blocked {
            return NEVER;
        }
        let bank = self.target.bank as usize;
        let open = self.activated.then_some(self.open_row);
        let Some(new) = sched.next_request(bank, open, reqs) else {
            return NEVER;
        };
        if !self.keep || reqs[new as usize].row == self.open_row {
            self.current = Some(new);
        }
        let cur = self.current.expect("a request is being served");
        let req = &reqs[cur as usize];
        let cas = |auto: bool| match (req.is_write, auto) {
            (false, false) => Cmd::Rd,
            (false, true) => Cmd::Rda,
            (true, false) => Cmd::Wr,
            (true, true) => Cmd::Wra,
        };
        let cmd = if !self.activated {
            Cmd::Act
        } else {
            let hit = req.row == self.open_row;
            match policy {
                PagePolicy::Open => {
                    if hit {
                        cas(false)
                    } else {
                        Cmd::Pre
                    }
                }
                PagePolicy::Closed => cas(true),
                PagePolicy::OpenAdaptive => {
                    if !hit {
                        Cmd::Pre
                    } else {
                        let auto = sched.has_further_request(bank)
                            && !sched.has_further_row_hit(bank, self.open_row, reqs);
                        cas(auto)
                    }
                }
                PagePolicy::ClosedAdaptive => {
                    if !hit {
                        Cmd::Pre
                    } else {
                        cas(!sched.has_further_row_hit(bank, self.open_row, reqs))
                    }
                }
            }
        };
        self.next = Some(cmd);
        self.time = checker.earliest(cmd, self.target, now);
        self.time
    }

    /// State change after `cmd` was issued to this bank (or to its rank).
    pub fn update(&mut self, cmd: Cmd, reqs: &[Request]) {
        match cmd {
            Cmd::Act => {
                self.activated = true;
                self.open_row = reqs[self.current.expect("ACT serves a request") as usize].row;
                self.keep = true;
            }
            Cmd::Pre | Cmd::PreAll => {
                self.activated = false;
                self.keep = false;
            }
            Cmd::Rd | Cmd::Wr => {
                self.current = None;
                self.keep = false;
            }
            Cmd::Rda | Cmd::Wra => {
                self.activated = false;
                self.current = None;
                self.keep = false;
            }
            Cmd::RefAll => self.blocked = false,
        }
    }
}
