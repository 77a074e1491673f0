//! Response queues (DRAMSys `respqueue/`): in data-end order (Fifo) or in request order (Reorder).

use std::collections::{BTreeMap, VecDeque};

use crate::config::RespQueueKind;

pub enum RespQueue {
    Fifo(VecDeque<(u32, i64)>),
    /// By channel payload id; only the next id in sequence may leave.
    Reorder {
        pending: BTreeMap<u64, (u32, i64)>,
        next_id: u64,
    },
}

impl RespQueue {
    pub fn new(kind: RespQueueKind) -> Self {
        match kind {
            RespQueueKind::Fifo => RespQueue::Fifo(VecDeque::new()),
            RespQueueKind::Reorder => RespQueue::Reorder {
                pending: BTreeMap::new(),
                next_id: 1,
            },
        }
    }

    /// Queues request `slot` (channel id `id`) whose data ends at `ready`.
    pub fn insert(&mut self, slot: u32, id: u64, ready: i64) {
        match self {
            RespQueue::Fifo(q) => q.push_back((slot, ready)),
            RespQueue::Reorder { pending, .. } => {
                pending.insert(id, (slot, ready));
            }
        }
    }

    /// The response that may leave at `now`.
    pub fn next(&mut self, now: i64) -> Option<u32> {
        match self {
            RespQueue::Fifo(q) => match q.front() {
                Some(&(slot, ready)) if ready <= now => {
                    q.pop_front();
                    Some(slot)
                }
                _ => None,
            },
            RespQueue::Reorder { pending, next_id } => match pending.first_key_value() {
                Some((&id, &(slot, ready))) if id == *next_id && ready <= now => {
                    pending.pop_first();
                    *next_id += 1;
                    Some(slot)
                }
                _ => None,
            },
        }
    }

    /// When the head response becomes ready, if later than `now`.
    pub fn trigger_time(&self, now: i64) -> Option<i64> {
        let head = match self {
            RespQueue::Fifo(q) => q.front().map(|&(_, r)| r),
            RespQueue::Reorder { pending, next_id } => pending
                .first_key_value()
                .filter(|(id, _)| **id == *next_id)
                .map(|(_, &(_, r))| r),
        };
        head.filter(|&r| r > now)
    }
}
