//! FR-FCFS scheduler (DRAMSys `SchedulerFrFcfs.cpp`): the oldest hit to the open row, else the head.

use std::collections::VecDeque;

use crate::controller::Request;

pub fn next_request(buf: &VecDeque<u32>, open_row: Option<u32>, reqs: &[Request]) -> Option<u32> {
    let head = *buf.front()?;
    let Some(row) = open_row else {
        return Some(head);
    };
    Some(
        buf.iter()
            .copied()
            .find(|&s| reqs[s as usize].row == row)
            .unwrap_or(head),
    )
}

/// At least two queued requests hit `row`.
pub fn has_further_row_hit(buf: &VecDeque<u32>, row: u32, reqs: &[Request]) -> bool {
    buf.iter()
        .filter(|&&s| reqs[s as usize].row == row)
        .take(2)
        .count()
        == 2
}
