//! Arbiters between the trace player and the controller (DRAMSys `simulation/Arbiter.cpp`), one
//! initiator and one channel. `Simple` passes requests and responses through; `Fifo` and `Reorder`
//! accept up to `MaxActiveTransactions` requests at once, queue them for the channel, and return
//! responses one per cycle (`Reorder`: in request order).

use std::collections::{BTreeMap, VecDeque};

use super::NEVER;
use crate::config::ArbiterKind;

pub struct Arbiter {
    pub kind: ArbiterKind,
    max_active: u32,
    active: u32,
    /// A request the player offered while `active` was at the limit (its END_REQ is withheld).
    pub outstanding: Option<u32>,
    /// Requests waiting for the channel.
    pub queue: VecDeque<u32>,
    pub channel_busy: bool,
    pub last_end_req: i64,
    /// Responses waiting for the initiator: by arbiter id (Reorder) or arrival order (Fifo).
    responses: BTreeMap<u64, u32>,
    arrival: u64,
    next_return: u64,
    thread_busy: bool,
    last_end_resp: i64,
}

impl Arbiter {
    pub fn new(kind: ArbiterKind, max_active: u32) -> Self {
        Arbiter {
            kind,
            max_active,
            active: 0,
            outstanding: None,
            queue: VecDeque::new(),
            channel_busy: false,
            last_end_req: NEVER,
            responses: BTreeMap::new(),
            arrival: 0,
            next_return: 1,
            thread_busy: false,
            last_end_resp: NEVER,
        }
    }

    /// BEGIN_REQ from the player (Fifo/Reorder): true if accepted now (END_REQ goes back at once).
    pub fn offer(&mut self, slot: u32) -> bool {
        if self.active < self.max_active {
            self.active += 1;
            self.queue.push_back(slot);
            true
        } else {
            self.outstanding = Some(slot);
            false
        }
    }

    /// If the channel is free, the request to forward and its arrival cycle at the controller.
    pub fn forward(&mut self, now: i64) -> Option<(u32, i64)> {
        if self.channel_busy {
            return None;
        }
        let slot = self.queue.pop_front()?;
        self.channel_busy = true;
        Some((
            slot,
            if self.last_end_req == now {
                now + 1
            } else {
                now
            },
        ))
    }

    /// END_REQ from the controller at `now`: the next queued request arrives one cycle later.
    pub fn end_req(&mut self, now: i64) -> Option<(u32, i64)> {
        self.last_end_req = now;
        match self.queue.pop_front() {
            Some(slot) => Some((slot, now + 1)),
            None => {
                self.channel_busy = false;
                None
            }
        }
    }

    /// BEGIN_RESP from the controller at `now` for request `slot` with arbiter id `arb_id`.
    /// Returns a delivery to the initiator (slot, cycle) if one starts now.
    pub fn response(&mut self, slot: u32, arb_id: u64, now: i64) -> Option<(u32, i64)> {
        let key = match self.kind {
            ArbiterKind::Reorder => arb_id,
            _ => {
                self.arrival += 1;
                self.arrival
            }
        };
        self.responses.insert(key, slot);
        if self.thread_busy {
            return None;
        }
        let delay = if self.last_end_resp == now { 1 } else { 0 };
        self.pop_deliverable().map(|s| {
            self.thread_busy = true;
            (s, now + delay)
        })
    }

    fn pop_deliverable(&mut self) -> Option<u32> {
        let (&key, _) = self.responses.first_key_value()?;
        if self.kind == ArbiterKind::Reorder && key != self.next_return {
            return None;
        }
        self.next_return += 1;
        self.responses.pop_first().map(|(_, s)| s)
    }

    /// END_RESP from the initiator at `now`. Returns (request released from `outstanding` —
    /// its END_REQ goes to the player now —, next delivery).
    pub fn end_resp(&mut self, now: i64) -> (Option<u32>, Option<(u32, i64)>) {
        self.last_end_resp = now;
        let released = self.outstanding.take();
        match released {
            Some(slot) => self.queue.push_back(slot),
            None => self.active -= 1,
        }
        let next = self.pop_deliverable().map(|s| (s, now + 1));
        if next.is_none() {
            self.thread_busy = false;
        }
        (released, next)
    }
}
