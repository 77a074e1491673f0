//! The memory-controller simulation: trace player → arbiter → controller (DRAMSys 4.0
//! `Controller::controllerMethod`) → DRAM, with DRAMPower energy. Event-driven: the controller runs
//! only at cycles where something happens (a request arrives, a command becomes ready, a response
//! moves), exactly the cycles at which DRAMSys's SystemC method is triggered.

pub mod arbiter;
pub mod bank;
pub mod buffer;
pub mod refresh;
pub mod respqueue;
pub mod scheduler;

use std::collections::BTreeMap;

use crate::addressmap::AddressMapping;
use crate::config::{ArbiterKind, ControllerConfig};
use crate::error::DramError;
use crate::memspec::MemSpec;
use crate::power::{EnergyReport, PowerModel};
use crate::timing::{Checker, Cmd, Target};
use crate::trace::TraceRequest;
use arbiter::Arbiter;
use bank::BankMachine;
use refresh::RefreshManager;
use respqueue::RespQueue;
use scheduler::Scheduler;

/// "No time": nothing scheduled.
pub const NEVER: i64 = i64::MAX;

/// A request in flight (DRAMSys payload).
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Channel payload id, assigned when the controller accepts the request (from 1).
    pub id: u64,
    /// Arbiter (thread) payload id: position in the trace, from 1.
    pub arb_id: u64,
    pub is_write: bool,
    pub address: u64,
    pub bank: u16,
    pub bank_group: u16,
    pub rank: u16,
    pub row: u32,
    /// Trace time, ps.
    pub issued_ps: u64,
}

/// Everything one run reports.
#[derive(Clone, Debug, PartialEq)]
pub struct RunStats {
    pub energy: EnergyReport,
    /// When the last response reached the initiator, ps.
    pub total_time_ps: u64,
    pub requests: u64,
    pub reads: u64,
    pub writes: u64,
    /// DRAMSys's `AVG BW`, Gb/s.
    pub avg_bw_gbps: f64,
    /// Mean of (response delivery − trace time), ns.
    pub avg_latency_ns: f64,
    pub p99_latency_ns: f64,
    /// Column accesses served without an activation of their own: 1 − ACT / (RD + WR).
    pub row_hit_rate: f64,
    /// Issued commands by kind.
    pub commands: BTreeMap<&'static str, u64>,
}

/// Command names used in [`RunStats::commands`].
pub fn command_name(c: Cmd) -> &'static str {
    match c {
        Cmd::Act => "ACT",
        Cmd::Pre => "PRE",
        Cmd::PreAll => "PREA",
        Cmd::Rd => "RD",
        Cmd::Rda => "RDA",
        Cmd::Wr => "WR",
        Cmd::Wra => "WRA",
        Cmd::RefAll => "REFA",
    }
}

/// Inputs of one run besides the workload.
pub struct Params<'a> {
    pub spec: &'a MemSpec,
    pub mapping: &'a AddressMapping,
    pub config: &'a ControllerConfig,
    /// Trace player clock period, ps.
    pub player_clock_ps: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Refresh,
    Bank(usize),
}

struct Engine<'a> {
    p: &'a Params<'a>,
    tck: u64,
    reqs: Vec<Request>,
    free: Vec<u32>,
    sched: Scheduler,
    banks: Vec<BankMachine>,
    refresh: RefreshManager,
    checker: Checker,
    respq: RespQueue,
    arb: Arbiter,
    power: PowerModel,
    /// Controller: request waiting for admission (slot, arrival cycle).
    acquire: Option<(u32, i64)>,
    /// `acquire` was set since the controller last ran.
    acquire_new: bool,
    /// Controller: response sent, END_RESP time once known.
    release: Option<(u32, Option<i64>)>,
    last_release: i64,
    next_channel_id: u64,
    next_trigger: i64,
    /// Response on its way to the arbiter (slot, cycle).
    to_arbiter: Option<(u32, i64)>,
    /// Response on its way to the player (slot, cycle).
    delivery: Option<(u32, i64)>,
    /// Player: request sent, reaching the arbiter at (slot, cycle).
    player_arrival: Option<(u32, i64)>,
    /// Player: END_REQ received for its last request and the next line not yet sent.
    player_ready_at: Option<i64>,
    next_arb_id: u64,
    // statistics
    delivered: u64,
    reads: u64,
    writes: u64,
    last_delivery: i64,
    latency_sum_ps: u128,
    /// Latency histogram in whole controller cycles (bounded by the longest latency).
    latency_hist: Vec<u64>,
    beats: u64,
    cmd_counts: [u64; Cmd::COUNT],
}

/// Simulates `workload` on the controller; errors come from the workload (malformed trace lines).
pub fn run<I>(p: &Params, workload: I) -> Result<RunStats, DramError>
where
    I: IntoIterator<Item = Result<TraceRequest, DramError>>,
{
    let spec = p.spec;
    let arch = &spec.arch;
    let cfg = p.config;
    let nbanks = arch.banks_per_channel();
    let banks = (0..nbanks)
        .map(|b| {
            let b = b as u32;
            let group = b / arch.banks_per_group();
            Target {
                rank: (b / arch.banks) as u16,
                bank_group: group as u16,
                bank: b as u16,
            }
        })
        .map(BankMachine::new)
        .collect();
    let mut e = Engine {
        p,
        tck: spec.timing.tck_ps(),
        reqs: Vec::new(),
        free: Vec::new(),
        sched: Scheduler::new(cfg.scheduler, cfg.buffer, cfg.request_buffer_size, nbanks),
        banks,
        refresh: RefreshManager::new(
            cfg.refresh == crate::config::RefreshPolicy::AllBank,
            spec.timing.refi,
            cfg.refresh_max_postponed,
            cfg.refresh_max_pulledin,
        ),
        checker: Checker::new(spec),
        respq: RespQueue::new(cfg.resp_queue),
        arb: Arbiter::new(cfg.arbiter, cfg.max_active_transactions),
        power: PowerModel::new(spec),
        acquire: None,
        acquire_new: false,
        release: None,
        last_release: NEVER,
        next_channel_id: 1,
        next_trigger: NEVER,
        to_arbiter: None,
        delivery: None,
        player_arrival: None,
        player_ready_at: None,
        next_arb_id: 1,
        delivered: 0,
        reads: 0,
        writes: 0,
        last_delivery: 0,
        latency_sum_ps: 0,
        latency_hist: Vec::new(),
        beats: 0,
        cmd_counts: [0; Cmd::COUNT],
    };
    let mut lines = workload.into_iter();
    // the player sends its first request at time 0 (or at the first trace time)
    e.player_ready_at = Some(-1);
    e.player_send(&mut lines)?;
    if e.player_arrival.is_none() {
        return Err(DramError::Config("the workload has no requests".into()));
    }
    let mut now = e.player_arrival.map_or(0, |(_, t)| t);
    loop {
        // repeat while events remain at this cycle (SystemC delta cycles)
        e.step(now, &mut lines)?;
        // (a controller trigger at the current cycle is a zero-delay notification: run again)
        let mut repeats = 0;
        while e.has_event_at(now) || (e.next_trigger == now && repeats < 4) {
            e.step(now, &mut lines)?;
            repeats += 1;
        }
        if e.player_arrival.is_none() && e.player_ready_at.is_some() && e.in_flight() == 0 {
            break;
        }
        let next = e.next_event(now);
        if next == NEVER {
            return Err(DramError::Config(
                "simulation deadlocked (no pending event)".into(),
            ));
        }
        now = next.max(now + 1);
    }

    Ok(e.finish())
}

impl Engine<'_> {
    fn in_flight(&self) -> usize {
        self.reqs.len() - self.free.len()
    }

    fn alloc(&mut self, r: Request) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.reqs[s as usize] = r;
                s
            }
            None => {
                self.reqs.push(r);
                (self.reqs.len() - 1) as u32
            }
        }
    }

    /// The player got END_REQ at `now`: it sends the next line one player clock later (or at the
    /// line's time), aligned by the arbiter to the controller clock.
    fn player_send<I>(&mut self, lines: &mut I) -> Result<(), DramError>
    where
        I: Iterator<Item = Result<TraceRequest, DramError>>,
    {
        let Some(end_req) = self.player_ready_at else {
            return Ok(());
        };
        let Some(line) = lines.next().transpose()? else {
            return Ok(());
        };
        self.player_ready_at = None;
        let pclk = self.p.player_clock_ps;
        let send_ps = if end_req < 0 {
            line.time_ps
        } else {
            let t = end_req as u64 * self.tck;
            (t + pclk - t % pclk).max(line.time_ps)
        };
        let arch = &self.p.spec.arch;
        let address = line.address & !(arch.bytes_per_burst() - 1);
        let d = self.p.mapping.decode(address, arch);
        let req = Request {
            id: 0,
            arb_id: self.next_arb_id,
            is_write: line.is_write,
            address,
            bank: d.bank,
            bank_group: d.bank_group,
            rank: d.rank,
            row: d.row,
            issued_ps: line.time_ps,
        };
        self.next_arb_id += 1;
        let slot = self.alloc(req);
        self.player_arrival = Some((slot, send_ps.div_ceil(self.tck) as i64));
        Ok(())
    }

    fn step<I>(&mut self, now: i64, lines: &mut I) -> Result<(), DramError>
    where
        I: Iterator<Item = Result<TraceRequest, DramError>>,
    {
        self.responses_at(now);
        self.player_send(lines)?;
        // c. the player's BEGIN_REQ reaches the arbiter
        if let Some((slot, at)) = self.player_arrival
            && at == now
        {
            self.player_arrival = None;
            if self.arb.kind == ArbiterKind::Simple {
                self.acquire = Some((slot, now));
                self.acquire_new = true;
            } else if self.arb.offer(slot) {
                self.player_ready_at = Some(now);
            }
        }
        // d. the arbiter forwards a queued request to the channel
        if self.arb.kind != ArbiterKind::Simple
            && let Some(fwd) = self.arb.forward(now)
        {
            self.acquire = Some(fwd);
            self.acquire_new = true;
        }
        // e. the controller
        self.controller_method(now);
        // A response sent without delay completes its handshake within this cycle; only the response
        // path needs to run again (the rest of the controller step would find nothing new).
        while self.to_arbiter.is_some_and(|(_, at)| at == now) {
            self.responses_at(now);
            self.manage_responses(now);
        }
        self.player_send(lines)?;
        Ok(())
    }

    /// Response handshakes at `now`: the controller's BEGIN_RESP reaches the arbiter (END_RESP
    /// returns at once), and the arbiter's BEGIN_RESP reaches the player.
    fn responses_at(&mut self, now: i64) {
        // a. the controller's BEGIN_RESP reaches the arbiter; END_RESP returns at once
        if let Some((slot, at)) = self.to_arbiter
            && at == now
        {
            self.to_arbiter = None;
            self.release = Some((slot, Some(now)));
            if self.arb.kind == ArbiterKind::Simple {
                self.deliver(slot, now);
            } else if let Some(d) = self
                .arb
                .response(slot, self.reqs[slot as usize].arb_id, now)
            {
                self.delivery = Some(d);
            }
        }
        // b. the arbiter's BEGIN_RESP reaches the player
        if let Some((slot, at)) = self.delivery
            && at == now
        {
            self.delivery = None;
            self.deliver(slot, now);
            let (released, next) = self.arb.end_resp(now);
            if released.is_some() {
                self.player_ready_at = Some(now);
            }
            self.delivery = next;
        }
    }

    fn deliver(&mut self, slot: u32, now: i64) {
        let r = &self.reqs[slot as usize];
        let t_ps = now as u64 * self.tck;
        let lat = t_ps.saturating_sub(r.issued_ps);
        self.latency_sum_ps += lat as u128;
        let bucket = (lat / self.tck) as usize;
        if bucket >= self.latency_hist.len() {
            self.latency_hist.resize(bucket + 1, 0);
        }
        self.latency_hist[bucket] += 1;
        if r.is_write {
            self.writes += 1;
        } else {
            self.reads += 1;
        }
        self.delivered += 1;
        self.last_delivery = self.last_delivery.max(now);
        self.free.push(slot);
    }

    fn has_event_at(&self, now: i64) -> bool {
        let at = |x: Option<(u32, i64)>| x.is_some_and(|(_, a)| a == now);
        at(self.to_arbiter)
            || at(self.delivery)
            || at(self.player_arrival)
            || (self.acquire_new && at(self.acquire))
            || (self.arb.kind != ArbiterKind::Simple
                && self.acquire.is_none()
                && !self.arb.channel_busy
                && !self.arb.queue.is_empty())
    }

    fn next_event(&self, now: i64) -> i64 {
        let mut t = self.next_trigger;
        let mut consider = |x: Option<i64>| {
            if let Some(x) = x
                && x > now
            {
                t = t.min(x);
            }
        };
        consider(self.to_arbiter.map(|(_, a)| a));
        consider(self.delivery.map(|(_, a)| a));
        consider(self.player_arrival.map(|(_, a)| a));
        consider(self.acquire.map(|(_, a)| a));
        if self.release.is_none() {
            consider(self.respq.trigger_time(now));
        }
        t
    }

    fn manage_responses(&mut self, now: i64) {
        if let Some((_, rel)) = self.release {
            if rel == Some(now) {
                self.release = None;
                self.last_release = now;
            } else {
                return;
            }
        }
        if let Some(slot) = self.respq.next(now) {
            let delay = if self.last_release == now { 1 } else { 0 };
            self.release = Some((slot, None));
            self.to_arbiter = Some((slot, now + delay));
            self.beats += self.p.spec.arch.burst_length as u64;
        }
    }

    fn manage_requests(&mut self, now: i64) {
        let Some((slot, at)) = self.acquire else {
            return;
        };
        if at > now || !self.sched.has_buffer_space() {
            return;
        }
        self.acquire = None;
        let s = slot as usize;
        self.reqs[s].id = self.next_channel_id;
        self.next_channel_id += 1;
        self.sched.store(slot, &self.reqs[s]);
        let bank = self.reqs[s].bank as usize;
        self.banks[bank].start(
            now,
            self.p.config.page_policy,
            &self.sched,
            &self.checker,
            &self.reqs,
        );
        // END_REQ
        if self.arb.kind == ArbiterKind::Simple {
            self.player_ready_at = Some(now);
        } else if let Some(next) = self.arb.end_req(now) {
            self.acquire = Some(next);
        }
    }

    fn controller_method(&mut self, now: i64) {
        self.acquire_new = false;
        self.manage_responses(now);
        self.manage_requests(now);
        // The refresh manager's command is the one it chose at the end of the previous run of this
        // method (like the bank machines'): a refresh becoming due at this cycle is decided after this
        // cycle's command. This reproduces DRAMSys 4.0's numbers (refresh rows agree within 0.1 %;
        // re-deciding here, as the source's step (3) reads, leaves 233 rows off by up to 0.24 %).
        // CmdMux Oldest: earliest ready time, then lowest payload id (refresh has id 0)
        let mut best: Option<(i64, u64, Source, Cmd)> = None;
        if let Some(cmd) = self.refresh.next {
            best = Some((self.refresh.time.max(now), 0, Source::Refresh, cmd));
        }
        for (i, b) in self.banks.iter().enumerate() {
            if let Some(cmd) = b.next {
                let time = b.time.max(now);
                let id =
                    self.reqs[b.current.expect("bank with a command serves a request") as usize].id;
                let better = match best {
                    None => true,
                    Some((bt, bid, _, _)) => time < bt || (time == bt && id < bid),
                };
                if better {
                    best = Some((time, id, Source::Bank(i), cmd));
                }
            }
        }
        let mut issued = false;
        if let Some((time, _, source, cmd)) = best
            && time == now
        {
            self.issue(now, source, cmd);
            issued = true;
        }
        let policy = self.p.config.page_policy;
        let mut next = NEVER;
        for b in &mut self.banks {
            // Without a new command the checker is unchanged, so only banks with fresh requests
            // (already restarted on admission) could differ: keep the others' results.
            let t = if issued
                || b.blocked
                || (b.next.is_none() && !self.sched.is_empty(b.target.bank as usize))
            {
                b.start(now, policy, &self.sched, &self.checker, &self.reqs)
            } else {
                b.time
            };
            next = next.min(t);
        }
        next = next.min(self.refresh.start(now, &mut self.banks, &self.checker));
        self.next_trigger = next;
    }

    fn issue(&mut self, now: i64, source: Source, cmd: Cmd) {
        self.cmd_counts[cmd.index()] += 1;
        let (target, slot) = match source {
            Source::Refresh => (self.refresh.target(), None),
            Source::Bank(i) => (self.banks[i].target, self.banks[i].current),
        };
        if cmd.is_rank_command() {
            for b in &mut self.banks {
                b.update(cmd, &self.reqs);
            }
        } else {
            self.banks[target.bank as usize].update(cmd, &self.reqs);
        }
        self.refresh.update(cmd);
        self.checker.insert(cmd, target, now);
        self.power.command(cmd, target.bank as usize, now);
        if cmd.is_cas() {
            let slot = slot.expect("CAS serves a request");
            let req = self.reqs[slot as usize].clone();
            self.sched.remove(slot, &req);
            self.manage_requests(now);
            let t = &self.p.spec.timing;
            let latency = if req.is_write { t.wl } else { t.rl };
            self.respq.insert(slot, req.id, now + latency + t.burst());
        }
    }

    fn finish(self) -> RunStats {
        let spec = self.p.spec;
        let energy = self.power.finish(spec);
        let total_time_ps = self.last_delivery as u64 * self.tck;
        let tck = self.tck as f64;
        let arch = &spec.arch;
        let active_ps = self.beats as f64 / arch.data_rate as f64 * tck;
        let max_bw = 1000.0 / tck * arch.data_rate as f64 * arch.width as f64 * arch.devices as f64;
        let avg_bw = if total_time_ps > 0 {
            active_ps / total_time_ps as f64 * max_bw
        } else {
            0.0
        };
        let n = self.delivered.max(1);
        let p99_rank = ((self.delivered as f64) * 0.99).ceil().max(1.0) as u64;
        let mut seen = 0;
        let mut p99 = 0;
        for (bucket, &count) in self.latency_hist.iter().enumerate() {
            let lat = bucket as u64 * self.tck;
            seen += count;
            if seen >= p99_rank {
                p99 = lat;
                break;
            }
        }
        let c = &self.cmd_counts;
        let cas =
            c[Cmd::Rd.index()] + c[Cmd::Rda.index()] + c[Cmd::Wr.index()] + c[Cmd::Wra.index()];
        let acts = c[Cmd::Act.index()];
        let row_hit_rate = if cas > 0 {
            (1.0 - acts as f64 / cas as f64).max(0.0)
        } else {
            0.0
        };
        RunStats {
            energy,
            total_time_ps,
            requests: self.delivered,
            reads: self.reads,
            writes: self.writes,
            avg_bw_gbps: avg_bw,
            avg_latency_ns: self.latency_sum_ps as f64 / n as f64 / 1000.0,
            p99_latency_ns: p99 as f64 / 1000.0,
            row_hit_rate,
            commands: Cmd::ALL
                .iter()
                .map(|&cmd| (command_name(cmd), c[cmd.index()]))
                .collect(),
        }
    }
}
