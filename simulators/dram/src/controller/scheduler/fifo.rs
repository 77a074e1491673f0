//! FIFO scheduler (DRAMSys `SchedulerFifo.cpp`): a bank serves the head of its queue.

use std::collections::VecDeque;

use crate::controller::Request;

pub fn next_request(buf: &VecDeque<u32>) -> Option<u32> {
    buf.front().copied()
}

/// Only the request right behind the head counts.
pub fn has_further_row_hit(buf: &VecDeque<u32>, row: u32, reqs: &[Request]) -> bool {
    buf.get(1).is_some_and(|&s| reqs[s as usize].row == row)
}
