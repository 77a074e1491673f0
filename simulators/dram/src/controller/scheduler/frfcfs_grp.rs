//! FR-FCFS with read/write grouping (DRAMSys `SchedulerFrFcfsGrp.cpp`): among hits to the open row,
//! the oldest in the direction of the last served request, unless an older hit goes to the same address.

use std::collections::VecDeque;

use crate::controller::Request;

pub fn next_request(
    buf: &VecDeque<u32>,
    open_row: Option<u32>,
    last_was_write: bool,
    reqs: &[Request],
) -> Option<u32> {
    let head = *buf.front()?;
    let Some(row) = open_row else {
        return Some(head);
    };
    let hits: Vec<u32> = buf
        .iter()
        .copied()
        .filter(|&s| reqs[s as usize].row == row)
        .collect();
    let Some(&first_hit) = hits.first() else {
        return Some(head);
    };
    for (i, &h) in hits.iter().enumerate() {
        let r = &reqs[h as usize];
        if r.is_write == last_was_write
            && !hits[..i]
                .iter()
                .any(|&e| reqs[e as usize].address == r.address)
        {
            return Some(h);
        }
    }
    Some(first_hit)
}

pub use super::frfcfs::has_further_row_hit;
