//! Admission counters of the request buffer (DRAMSys `scheduler/BufferCounter*.cpp`).

use super::Request;
use crate::config::BufferKind;

pub enum BufferCounter {
    /// Per-bank counts; admission tests the bank of the last *stored* request (DRAMSys's quirk).
    Bankwise {
        capacity: u32,
        per_bank: Vec<u32>,
        last_bank: usize,
    },
    /// Reads and writes counted separately; both must have room.
    ReadWrite {
        capacity: u32,
        reads: u32,
        writes: u32,
    },
    /// One count for all requests.
    Shared { capacity: u32, count: u32 },
}

impl BufferCounter {
    pub fn new(kind: BufferKind, capacity: u32, banks: usize) -> Self {
        match kind {
            BufferKind::Bankwise => BufferCounter::Bankwise {
                capacity,
                per_bank: vec![0; banks],
                last_bank: 0,
            },
            BufferKind::ReadWrite => BufferCounter::ReadWrite {
                capacity,
                reads: 0,
                writes: 0,
            },
            BufferKind::Shared => BufferCounter::Shared { capacity, count: 0 },
        }
    }

    pub fn has_space(&self) -> bool {
        match self {
            BufferCounter::Bankwise {
                capacity,
                per_bank,
                last_bank,
            } => per_bank[*last_bank] < *capacity,
            BufferCounter::ReadWrite {
                capacity,
                reads,
                writes,
            } => reads < capacity && writes < capacity,
            BufferCounter::Shared { capacity, count } => count < capacity,
        }
    }

    pub fn store(&mut self, req: &Request) {
        match self {
            BufferCounter::Bankwise {
                per_bank,
                last_bank,
                ..
            } => {
                *last_bank = req.bank as usize;
                per_bank[*last_bank] += 1;
            }
            BufferCounter::ReadWrite { reads, writes, .. } => {
                *(if req.is_write { writes } else { reads }) += 1
            }
            BufferCounter::Shared { count, .. } => *count += 1,
        }
    }

    pub fn remove(&mut self, req: &Request) {
        match self {
            BufferCounter::Bankwise { per_bank, .. } => per_bank[req.bank as usize] -= 1,
            BufferCounter::ReadWrite { reads, writes, .. } => {
                *(if req.is_write { writes } else { reads }) -= 1
            }
            BufferCounter::Shared { count, .. } => *count -= 1,
        }
    }
}
