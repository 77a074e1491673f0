//! Request schedulers (DRAMSys `scheduler/Scheduler*.cpp`): per-bank request buffers, admission
//! through the buffer counter, and the choice of the next request a bank machine serves (one module
//! per policy).

pub mod fifo;
pub mod frfcfs;
pub mod frfcfs_grp;

use std::collections::VecDeque;

use super::Request;
use super::buffer::BufferCounter;
use crate::config::{BufferKind, SchedulerKind};

/// Per-bank request buffers plus the admission counter.
pub struct Scheduler {
    kind: SchedulerKind,
    buffers: Vec<VecDeque<u32>>,
    counter: BufferCounter,
    /// FrFcfsGrp: direction of the last removed request (DRAMSys starts with read).
    last_was_write: bool,
}

impl Scheduler {
    pub fn new(kind: SchedulerKind, buffer: BufferKind, capacity: u32, banks: usize) -> Self {
        Scheduler {
            kind,
            buffers: vec![VecDeque::new(); banks],
            counter: BufferCounter::new(buffer, capacity, banks),
            last_was_write: false,
        }
    }

    pub fn has_buffer_space(&self) -> bool {
        self.counter.has_space()
    }

    pub fn store(&mut self, slot: u32, req: &Request) {
        self.buffers[req.bank as usize].push_back(slot);
        self.counter.store(req);
    }

    pub fn remove(&mut self, slot: u32, req: &Request) {
        self.counter.remove(req);
        let buf = &mut self.buffers[req.bank as usize];
        match self.kind {
            // DRAMSys's FIFO scheduler pops the head (it only ever serves the head).
            SchedulerKind::Fifo => {
                buf.pop_front();
            }
            SchedulerKind::FrFcfs | SchedulerKind::FrFcfsGrp => {
                if self.kind == SchedulerKind::FrFcfsGrp {
                    self.last_was_write = req.is_write;
                }
                if let Some(pos) = buf.iter().position(|&s| s == slot) {
                    buf.remove(pos);
                }
            }
        }
    }

    pub fn is_empty(&self, bank: usize) -> bool {
        self.buffers[bank].is_empty()
    }

    /// The request bank `bank` should serve next; `open_row` is the open row of an activated bank.
    pub fn next_request(
        &self,
        bank: usize,
        open_row: Option<u32>,
        reqs: &[Request],
    ) -> Option<u32> {
        let buf = &self.buffers[bank];
        match self.kind {
            SchedulerKind::Fifo => fifo::next_request(buf),
            SchedulerKind::FrFcfs => frfcfs::next_request(buf, open_row, reqs),
            SchedulerKind::FrFcfsGrp => {
                frfcfs_grp::next_request(buf, open_row, self.last_was_write, reqs)
            }
        }
    }

    /// Whether another request than the one being served would hit `row` (adaptive page policies).
    pub fn has_further_row_hit(&self, bank: usize, row: u32, reqs: &[Request]) -> bool {
        let buf = &self.buffers[bank];
        match self.kind {
            SchedulerKind::Fifo => fifo::has_further_row_hit(buf, row, reqs),
            SchedulerKind::FrFcfs => frfcfs::has_further_row_hit(buf, row, reqs),
            SchedulerKind::FrFcfsGrp => frfcfs_grp::has_further_row_hit(buf, row, reqs),
        }
    }

    pub fn has_further_request(&self, bank: usize) -> bool {
        self.buffers[bank].len() >= 2
    }
}
