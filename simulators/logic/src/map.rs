//! Cut-based standard-cell technology mapping (in the spirit of ABC's `map`): every AIG node is
//! implemented in both polarities by matching the truth tables of its 5-feasible cuts against the
//! library's gates (all pin permutations and input phases), inverters bridge the polarities. A
//! delay-optimal pass sets the delay target; area-flow and exact-area passes then recover area
//! without exceeding it.

use std::collections::HashMap;

use crate::aig::{Aig, Lit};
use crate::cuts::{self, Cut};
use crate::error::LogicError;
use crate::genlib::Library;

#[derive(Clone, Debug)]
pub struct MapParams {
    /// Cut size (ABC's `map` matches 5-input supergates).
    pub cut_size: usize,
    /// Cuts kept per node.
    pub cut_limit: usize,
    pub area_flow_passes: usize,
    pub exact_area_passes: usize,
}

impl Default for MapParams {
    fn default() -> Self {
        MapParams {
            cut_size: 5,
            cut_limit: 16,
            area_flow_passes: 1,
            exact_area_passes: 2,
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapReport {
    pub gates: usize,
    pub area: f64,
    pub delay: f64,
    /// Instances per gate name.
    pub histogram: Vec<(String, usize)>,
}

impl MapReport {
    pub fn adp(&self) -> f64 {
        self.area * self.delay
    }
}

/// Pin assignments kept per gate and function.
const MAX_PIN_ORDERS: usize = 3;

#[derive(Clone, Copy, Debug)]
struct LibMatch {
    gate: u16,
    /// Leaf position j drives gate pin `pins[j]`.
    pins: [u8; cuts::MAX_LEAVES],
    /// Bit j: leaf j is used complemented.
    neg: u8,
}

/// Gate matches indexed by (number of leaves, function over leaves).
pub struct MatchTable {
    map: crate::aig::FastMap<(u8, u64), Vec<LibMatch>>,
    inverter: usize,
}

impl MatchTable {
    pub fn new(lib: &Library, max_inputs: usize) -> Result<MatchTable, LogicError> {
        let inverter = lib
            .inverter()
            .ok_or_else(|| LogicError::Mapping("library has no inverter".into()))?;
        let mut map: crate::aig::FastMap<(u8, u64), Vec<LibMatch>> = Default::default();
        for (gi, g) in lib.gates.iter().enumerate() {
            let k = g.pins.len();
            let Some(truth) = g.truth else { continue };
            if k == 0 || k > max_inputs {
                continue;
            }
            if (0..k).any(|v| !crate::truth::depends_on(&[truth], v)) {
                continue;
            }
            for perm in permutations(k) {
                for neg in 0..(1u32 << k) {
                    let mut f = 0u64;
                    for x in 0..(1usize << k) {
                        let mut y = 0usize;
                        for (j, &p) in perm.iter().enumerate() {
                            y |= (((x >> j) & 1) ^ ((neg as usize >> j) & 1)) << p;
                        }
                        f |= ((truth >> y) & 1) << x;
                    }
                    let f = crate::truth::normalize1(f, k);
                    let mut pins = [0u8; cuts::MAX_LEAVES];
                    for (j, &p) in perm.iter().enumerate() {
                        pins[j] = p as u8;
                    }
                    let entry = map.entry((k as u8, f)).or_default();
                    let cand = LibMatch {
                        gate: gi as u16,
                        pins,
                        neg: neg as u8,
                    };
                    // A few pin assignments per gate and function (distinct pin-delay orders) keep
                    // matching fast; symmetric gates would otherwise contribute every permutation.
                    let delays = |m: &LibMatch| -> Vec<u64> {
                        (0..k)
                            .map(|j| {
                                lib.gates[m.gate as usize].pins[m.pins[j] as usize]
                                    .delay
                                    .to_bits()
                            })
                            .collect()
                    };
                    let same_gate = entry.iter().filter(|m| m.gate == cand.gate).count();
                    let d = delays(&cand);
                    if same_gate < MAX_PIN_ORDERS
                        && !entry.iter().any(|m| m.gate == cand.gate && delays(m) == d)
                    {
                        entry.push(cand);
                    }
                }
            }
        }
        Ok(MatchTable { map, inverter })
    }
}

fn permutations(k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(k - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, k - 1);
            out.push(q);
        }
    }
    out
}

#[derive(Clone, Copy, Debug)]
struct Cand {
    gate: u16,
    size: u8,
    leaves: [u32; cuts::MAX_LEAVES],
    /// Bit j: leaf j needed in negative polarity.
    neg: u8,
    pins: [u8; cuts::MAX_LEAVES],
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Choice {
    None,
    /// A primary input in positive polarity or the constant: no gate.
    Free,
    Inv,
    Gate(u32),
}

struct Mapper<'a> {
    aig: &'a Aig,
    lib: &'a Library,
    inv: usize,
    order: Vec<u32>,
    /// Candidates per (node, phase) slot = 2 * node + phase.
    cands: Vec<Vec<Cand>>,
    choice: Vec<Choice>,
    arrival: Vec<f64>,
    required: Vec<f64>,
    flow: Vec<f64>,
    refs: Vec<u32>,
    est_refs: Vec<f64>,
}

const EPS: f64 = 1e-6;

/// Maps `aig` onto `lib`.
pub fn map(
    aig: &Aig,
    lib: &Library,
    table: &MatchTable,
    params: &MapParams,
) -> Result<MapReport, LogicError> {
    let aig = &aig.compact();
    let levels = aig.compute_levels();
    let key = |c: &Cut| -> u64 {
        let lev = c
            .leaves()
            .iter()
            .map(|&l| levels[l as usize])
            .max()
            .unwrap_or(0) as u64;
        lev << 8 | c.size as u64
    };
    let all_cuts = cuts::enumerate(aig, params.cut_size, params.cut_limit, &key);
    let slots = 2 * aig.num_slots();
    let mut m = Mapper {
        aig,
        lib,
        inv: table.inverter,
        order: aig.topo_order(),
        cands: vec![Vec::new(); slots],
        choice: vec![Choice::None; slots],
        arrival: vec![f64::INFINITY; slots],
        required: vec![f64::INFINITY; slots],
        flow: vec![0.0; slots],
        refs: vec![0; slots],
        est_refs: vec![1.0; slots],
    };
    for &n in &m.order {
        for cut in &all_cuts[n as usize] {
            if cut.size == 1 && cut.leaves[0] == n {
                continue;
            }
            let c = cuts::minimize_support(cut);
            if c.size == 0 {
                continue;
            }
            for phase in 0..2usize {
                let f = c.truth ^ if phase == 1 { !0 } else { 0 };
                if let Some(ms) = table.map.get(&(c.size, f)) {
                    for lm in ms {
                        m.cands[2 * n as usize + phase].push(Cand {
                            gate: lm.gate,
                            size: c.size,
                            leaves: c.leaves,
                            neg: lm.neg,
                            pins: lm.pins,
                        });
                    }
                }
            }
        }
        for phase in 0..2 {
            if m.cands[2 * n as usize + phase].is_empty()
                && m.cands[2 * n as usize + 1 - phase].is_empty()
            {
                return Err(LogicError::Mapping(format!(
                    "no library gate matches node {n}"
                )));
            }
        }
    }
    for k in 0..aig.num_slots() {
        let r = aig.refs(k as u32).max(1) as f64;
        m.est_refs[2 * k] = r;
        m.est_refs[2 * k + 1] = r;
    }
    m.init_sources();
    m.delay_pass();
    m.set_required();
    for _ in 0..params.area_flow_passes {
        m.area_flow_pass();
        m.set_required();
    }
    for _ in 0..params.exact_area_passes {
        m.exact_area_pass();
        m.set_required();
    }
    Ok(m.report())
}

impl Mapper<'_> {
    fn inv_delay(&self) -> f64 {
        self.lib.gates[self.inv].pins[0].delay
    }
    fn inv_area(&self) -> f64 {
        self.lib.gates[self.inv].area
    }
    fn init_sources(&mut self) {
        let mut sources = vec![0u32];
        sources.extend_from_slice(self.aig.inputs());
        for n in sources {
            let s = 2 * n as usize;
            self.choice[s] = Choice::Free;
            self.arrival[s] = 0.0;
            self.choice[s + 1] = if n == 0 { Choice::Free } else { Choice::Inv };
            self.arrival[s + 1] = if n == 0 { 0.0 } else { self.inv_delay() };
            self.flow[s + 1] = if n == 0 { 0.0 } else { self.inv_area() };
        }
    }

    fn cand_arrival(&self, c: &Cand) -> f64 {
        let g = &self.lib.gates[c.gate as usize];
        (0..c.size as usize)
            .map(|j| {
                self.arrival[2 * c.leaves[j] as usize + ((c.neg >> j) & 1) as usize]
                    + g.pins[c.pins[j] as usize].delay
            })
            .fold(0.0, f64::max)
    }
    fn cand_flow(&self, c: &Cand) -> f64 {
        let g = &self.lib.gates[c.gate as usize];
        g.area
            + (0..c.size as usize)
                .map(|j| {
                    let s = 2 * c.leaves[j] as usize + ((c.neg >> j) & 1) as usize;
                    self.flow[s] / self.est_refs[s]
                })
                .sum::<f64>()
    }

    /// Picks per phase the best gate candidate (by `better`) and decides where an inverter is better.
    fn choose(&mut self, n: u32, mode: Mode) {
        let base = 2 * n as usize;
        let mut best: [Option<(u32, f64, f64)>; 2] = [None, None];
        for (p, slot) in best.iter_mut().enumerate() {
            for (i, c) in self.cands[base + p].iter().enumerate() {
                let a = self.cand_arrival(c);
                let cost = match mode {
                    Mode::Delay => 0.0,
                    Mode::Flow => self.cand_flow(c),
                };
                let better = match (*slot, mode) {
                    (None, _) => true,
                    (Some((_, ba, bc)), Mode::Delay) => {
                        a < ba - EPS || (a < ba + EPS && self.cand_flow(c) < bc)
                    }
                    (Some((_, ba, bc)), _) => {
                        let ok = a <= self.required[base + p] + EPS;
                        let bok = ba <= self.required[base + p] + EPS;
                        (ok && !bok)
                            || (ok == bok && (cost < bc - EPS || (cost < bc + EPS && a < ba)))
                            || (!ok && !bok && a < ba)
                    }
                };
                if better {
                    let c2 = if mode == Mode::Delay {
                        self.cand_flow(c)
                    } else {
                        cost
                    };
                    *slot = Some((i as u32, a, c2));
                }
            }
        }
        let (inv_d, inv_a) = (self.inv_delay(), self.inv_area());
        let mut choice = [Choice::None; 2];
        let mut arr = [f64::INFINITY; 2];
        let mut flow = [f64::INFINITY; 2];
        for p in 0..2 {
            if let Some((i, a, f)) = best[p] {
                choice[p] = Choice::Gate(i);
                arr[p] = a;
                flow[p] = f;
            }
        }
        // An inverter may serve one polarity from the other.
        let inv_better = |p: usize| -> bool {
            let q = 1 - p;
            if best[q].is_none() {
                return false;
            }
            if best[p].is_none() {
                return true;
            }
            let (ia, ifl) = (arr[q] + inv_d, flow[q] + inv_a);
            match mode {
                Mode::Delay => ia < arr[p] - EPS,
                _ => {
                    let req = self.required[base + p];
                    let ok = ia <= req + EPS;
                    let gok = arr[p] <= req + EPS;
                    ok && (!gok || ifl < flow[p] - EPS)
                }
            }
        };
        let (i0, i1) = (inv_better(0), inv_better(1));
        let p_inv = match (i0, i1) {
            (true, false) => Some(0),
            (false, true) => Some(1),
            (true, true) => Some(if arr[0] > arr[1] { 0 } else { 1 }),
            _ => None,
        };
        if let Some(p) = p_inv {
            let q = 1 - p;
            choice[p] = Choice::Inv;
            arr[p] = arr[q] + inv_d;
            flow[p] = flow[q] + inv_a;
        }
        self.choice[base..base + 2].copy_from_slice(&choice);
        self.arrival[base..base + 2].copy_from_slice(&arr);
        self.flow[base..base + 2].copy_from_slice(&flow);
    }

    fn delay_pass(&mut self) {
        for k in 0..self.order.len() {
            self.choose(self.order[k], Mode::Delay);
        }
    }

    fn area_flow_pass(&mut self) {
        for k in 0..self.order.len() {
            self.choose(self.order[k], Mode::Flow);
        }
    }

    /// The (slot) fanins of a chosen implementation.
    fn fanins(&self, s: usize) -> Vec<usize> {
        match self.choice[s] {
            Choice::Inv => vec![s ^ 1],
            Choice::Gate(i) => {
                let c = &self.cands[s][i as usize];
                (0..c.size as usize)
                    .map(|j| 2 * c.leaves[j] as usize + ((c.neg >> j) & 1) as usize)
                    .collect()
            }
            _ => Vec::new(),
        }
    }
    fn gate_area(&self, s: usize) -> f64 {
        match self.choice[s] {
            Choice::Inv => self.inv_area(),
            Choice::Gate(i) => self.lib.gates[self.cands[s][i as usize].gate as usize].area,
            _ => 0.0,
        }
    }
    fn pin_delay(&self, s: usize, j: usize) -> f64 {
        match self.choice[s] {
            Choice::Inv => self.inv_delay(),
            Choice::Gate(i) => {
                let c = &self.cands[s][i as usize];
                self.lib.gates[c.gate as usize].pins[c.pins[j] as usize].delay
            }
            _ => 0.0,
        }
    }

    /// Slots in the cover, users before their fanins (reverse topological, inverter phases first).
    fn reverse_slots(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(2 * self.order.len());
        for &n in self.order.iter().rev() {
            let b = 2 * n as usize;
            if self.choice[b] == Choice::Inv {
                v.extend([b, b + 1]);
            } else {
                v.extend([b + 1, b]);
            }
        }
        let mut sources = vec![0u32];
        sources.extend_from_slice(self.aig.inputs());
        for n in sources {
            v.extend([2 * n as usize + 1, 2 * n as usize]);
        }
        v
    }

    fn output_slots(&self) -> Vec<usize> {
        self.aig
            .outputs()
            .iter()
            .map(|o: &Lit| 2 * o.node() as usize + o.is_compl() as usize)
            .collect()
    }

    /// Recomputes the cover's reference counts, arrivals and required times for the best delay.
    fn set_required(&mut self) {
        // Arrivals of the current choices (choices may have changed after their fanins' arrival).
        for k in 0..self.order.len() {
            let b = 2 * self.order[k] as usize;
            let phases = if self.choice[b] == Choice::Inv {
                [b + 1, b]
            } else {
                [b, b + 1]
            };
            for s in phases {
                self.arrival[s] = match self.choice[s] {
                    Choice::Inv => self.arrival[s ^ 1] + self.inv_delay(),
                    Choice::Gate(i) => self.cand_arrival(&self.cands[s][i as usize]),
                    _ => self.arrival[s],
                };
            }
        }
        let outs = self.output_slots();
        let target = outs.iter().map(|&s| self.arrival[s]).fold(0.0, f64::max);
        self.refs.iter_mut().for_each(|r| *r = 0);
        self.required.iter_mut().for_each(|r| *r = f64::INFINITY);
        for &s in &outs {
            self.refs[s] += 1;
            self.required[s] = target;
        }
        for s in self.reverse_slots() {
            if self.refs[s] == 0 {
                continue;
            }
            let req = self.required[s];
            for (j, f) in self.fanins(s).into_iter().enumerate() {
                self.refs[f] += 1;
                let r = req - self.pin_delay(s, j);
                if r < self.required[f] {
                    self.required[f] = r;
                }
            }
        }
        for s in 0..self.refs.len() {
            self.est_refs[s] = ((2.0 * self.est_refs[s] + self.refs[s] as f64) / 3.0).max(1.0);
        }
    }

    /// Adds (sign +1) or removes (-1) the cover rooted at slot `s`; returns the area of gates whose
    /// reference count crossed zero.
    fn ref_cover(&mut self, s: usize, fanins: &[usize], gate_area: f64, add: bool) -> f64 {
        let mut area = gate_area;
        let mut stack: Vec<usize> = fanins.to_vec();
        while let Some(f) = stack.pop() {
            let crossed = if add {
                self.refs[f] += 1;
                self.refs[f] == 1
            } else {
                self.refs[f] -= 1;
                self.refs[f] == 0
            };
            if crossed {
                area += self.gate_area(f);
                stack.extend(self.fanins(f));
            }
        }
        let _ = s;
        area
    }

    fn exact_area_pass(&mut self) {
        for k in 0..self.order.len() {
            let n = self.order[k];
            let b = 2 * n as usize;
            for s in [b, b + 1] {
                if self.refs[s] == 0 || self.choice[s] == Choice::Inv {
                    continue;
                }
                let cur_fanins = self.fanins(s);
                let cur_area = self.gate_area(s);
                self.ref_cover(s, &cur_fanins, cur_area, false);
                let mut best: Option<(u32, f64, f64)> = None;
                for i in 0..self.cands[s].len() {
                    let c = self.cands[s][i];
                    let a = self.cand_arrival(&c);
                    if a > self.required[s] + EPS {
                        continue;
                    }
                    let fan: Vec<usize> = (0..c.size as usize)
                        .map(|j| 2 * c.leaves[j] as usize + ((c.neg >> j) & 1) as usize)
                        .collect();
                    let g_area = self.lib.gates[c.gate as usize].area;
                    // Avoid using the other polarity if it is an inverter of this one (a cycle).
                    if fan.contains(&(s ^ 1)) && self.choice[s ^ 1] == Choice::Inv {
                        continue;
                    }
                    let area = self.ref_cover(s, &fan, g_area, true);
                    self.ref_cover(s, &fan, g_area, false);
                    if best
                        .is_none_or(|(_, ba, bar)| area < ba - EPS || (area < ba + EPS && a < bar))
                    {
                        best = Some((i as u32, area, a));
                    }
                }
                if let Some((i, _, a)) = best {
                    self.choice[s] = Choice::Gate(i);
                    self.arrival[s] = a;
                }
                let fan = self.fanins(s);
                let area = self.gate_area(s);
                self.ref_cover(s, &fan, area, true);
                // Keep an inverter on the other polarity consistent with the new arrival.
                if self.choice[s ^ 1] == Choice::Inv {
                    self.arrival[s ^ 1] = self.arrival[s] + self.inv_delay();
                }
            }
        }
    }

    fn report(&self) -> MapReport {
        let outs = self.output_slots();
        let mut used = vec![false; self.refs.len()];
        let mut stack = outs.clone();
        let mut hist: HashMap<usize, usize> = HashMap::new();
        let (mut gates, mut area) = (0usize, 0.0f64);
        while let Some(s) = stack.pop() {
            if used[s] {
                continue;
            }
            used[s] = true;
            let gi = match self.choice[s] {
                Choice::Inv => Some(self.inv),
                Choice::Gate(i) => Some(self.cands[s][i as usize].gate as usize),
                _ => None,
            };
            if let Some(g) = gi {
                gates += 1;
                area += self.lib.gates[g].area;
                *hist.entry(g).or_default() += 1;
            }
            stack.extend(self.fanins(s));
        }
        let delay = outs.iter().map(|&s| self.arrival[s]).fold(0.0, f64::max);
        let mut histogram: Vec<(String, usize)> = hist
            .into_iter()
            .map(|(g, c)| (self.lib.gates[g].name.clone(), c))
            .collect();
        histogram.sort();
        MapReport {
            gates,
            area,
            delay,
            histogram,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Delay,
    Flow,
}
