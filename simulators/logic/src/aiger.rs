//! AIGER reading and writing, ASCII (`aag`) and binary (`aig`), combinational circuits only.

use std::path::Path;

use crate::aig::{Aig, Lit};
use crate::error::{LogicError, read_file};

/// Reads an AIGER file (either format, chosen by its header).
pub fn read_aiger_file(path: &Path) -> Result<Aig, LogicError> {
    let bytes = read_file(path)?;
    parse_aiger(&bytes, &path.display().to_string())
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    line: usize,
    file: &'a str,
}

impl<'a> Reader<'a> {
    fn err(&self, msg: impl Into<String>) -> LogicError {
        LogicError::parse(self.file, self.line, msg)
    }
    fn next_line(&mut self) -> Option<&'a str> {
        if self.pos >= self.data.len() {
            return None;
        }
        let start = self.pos;
        let end = self.data[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.data.len(), |p| start + p);
        self.pos = end + 1;
        self.line += 1;
        Some(
            std::str::from_utf8(&self.data[start..end])
                .unwrap_or("\u{fffd}")
                .trim_end_matches('\r'),
        )
    }
    fn numbers(&mut self, count: usize, what: &str) -> Result<Vec<u64>, LogicError> {
        let line = self
            .next_line()
            .ok_or_else(|| self.err(format!("unexpected end of file, expected {what}")))?;
        let nums: Result<Vec<u64>, _> = line.split_whitespace().map(str::parse::<u64>).collect();
        let nums = nums.map_err(|_| {
            self.err(format!(
                "expected {count} unsigned integers for {what}, got `{line}`"
            ))
        })?;
        if nums.len() != count {
            return Err(self.err(format!(
                "expected {count} numbers for {what}, got {}",
                nums.len()
            )));
        }
        Ok(nums)
    }
    fn varint(&mut self) -> Result<u64, LogicError> {
        let mut x = 0u64;
        let mut shift = 0;
        loop {
            let Some(&b) = self.data.get(self.pos) else {
                return Err(self.err("unexpected end of file inside binary AND section"));
            };
            self.pos += 1;
            if shift > 56 {
                return Err(self.err("binary delta too large"));
            }
            x |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(x);
            }
            shift += 7;
        }
    }
}

pub fn parse_aiger(data: &[u8], file: &str) -> Result<Aig, LogicError> {
    let mut r = Reader {
        data,
        pos: 0,
        line: 0,
        file,
    };
    let header = r.next_line().ok_or_else(|| r.err("empty file"))?;
    let mut it = header.split_whitespace();
    let magic = it.next().unwrap_or("");
    let binary = match magic {
        "aag" => false,
        "aig" => true,
        _ => {
            return Err(r.err(format!(
                "expected header `aag M I L O A` or `aig M I L O A`, got `{header}`"
            )));
        }
    };
    let nums: Result<Vec<u64>, _> = it.map(str::parse::<u64>).collect();
    let nums = nums.map_err(|_| r.err("header counts must be unsigned integers"))?;
    if nums.len() < 5 {
        return Err(r.err("header needs M I L O A"));
    }
    let (m, ni, nl, no, na) = (nums[0], nums[1], nums[2], nums[3], nums[4]);
    if nums.len() > 5 && nums[5..].iter().any(|&x| x > 0) {
        return Err(r.err("bad-state, constraint, justice and fairness sections are not supported"));
    }
    if nl > 0 {
        return Err(r.err("latches are not supported (combinational circuits only)"));
    }
    if m > (1 << 28) || ni + nl + na > m {
        return Err(r.err(format!(
            "inconsistent header: M = {m} but I + L + A = {}",
            ni + nl + na
        )));
    }
    let m = m as usize;
    let mut aig = Aig::new();
    // Literal of each AIGER variable once defined.
    let mut map: Vec<Option<Lit>> = vec![None; m + 1];
    map[0] = Some(Lit::FALSE);
    for i in 0..ni as usize {
        let lit = aig.add_input();
        let var = if binary {
            i + 1
        } else {
            let v = r.numbers(1, "an input literal")?[0];
            if v & 1 == 1 || v < 2 || (v / 2) as usize > m {
                return Err(r.err(format!("invalid input literal {v}")));
            }
            (v / 2) as usize
        };
        if map[var].is_some() {
            return Err(r.err(format!("variable {var} defined twice")));
        }
        map[var] = Some(lit);
    }
    let mut outputs = Vec::with_capacity(no as usize);
    for _ in 0..no {
        let line = r.line + 1;
        let v = r.numbers(1, "an output literal")?[0];
        if (v / 2) as usize > m {
            return Err(r.err(format!("output literal {v} exceeds 2*M+1")));
        }
        outputs.push((v, line));
    }
    let mut ands: Vec<(usize, u64, u64, usize)> = Vec::with_capacity(na as usize);
    for i in 0..na as usize {
        if binary {
            let lhs = 2 * (ni + nl + i as u64 + 1);
            let d0 = r.varint()?;
            let d1 = r.varint()?;
            if d0 > lhs || d1 > lhs - d0 {
                return Err(r.err(format!("invalid deltas for AND gate {lhs}")));
            }
            let rhs0 = lhs - d0;
            ands.push(((lhs / 2) as usize, rhs0, rhs0 - d1, r.line + 1));
        } else {
            let line = r.line + 1;
            let v = r.numbers(3, "an AND gate `lhs rhs0 rhs1`")?;
            if v[0] & 1 == 1
                || v[0] < 2
                || (v[0] / 2) as usize > m
                || (v[1] / 2) as usize > m
                || (v[2] / 2) as usize > m
            {
                return Err(r.err(format!(
                    "invalid AND gate literals {} {} {}",
                    v[0], v[1], v[2]
                )));
            }
            ands.push(((v[0] / 2) as usize, v[1], v[2], line));
        }
    }
    // Resolve ANDs in dependency order (ASCII files may list them in any order).
    let mut def: Vec<Option<usize>> = vec![None; m + 1];
    for (k, &(lhs, _, _, line)) in ands.iter().enumerate() {
        if map[lhs].is_some() || def[lhs].is_some() {
            return Err(LogicError::parse(
                file,
                line,
                format!("variable {lhs} defined twice"),
            ));
        }
        def[lhs] = Some(k);
    }
    let mut state = vec![0u8; ands.len()]; // 0 new, 1 on stack, 2 done
    for start in 0..ands.len() {
        let mut stack = vec![start];
        while let Some(&k) = stack.last() {
            if state[k] == 2 {
                stack.pop();
                continue;
            }
            let (lhs, a, b, line) = ands[k];
            state[k] = 1;
            let mut pending = false;
            for x in [a, b] {
                let var = (x / 2) as usize;
                if map[var].is_none() {
                    let Some(d) = def[var] else {
                        return Err(LogicError::parse(
                            file,
                            line,
                            format!("literal {x} is never defined"),
                        ));
                    };
                    if state[d] == 1 {
                        return Err(LogicError::parse(
                            file,
                            line,
                            format!("combinational cycle through variable {var}"),
                        ));
                    }
                    stack.push(d);
                    pending = true;
                }
            }
            if pending {
                continue;
            }
            let la = map[(a / 2) as usize].unwrap().not_if(a & 1 == 1);
            let lb = map[(b / 2) as usize].unwrap().not_if(b & 1 == 1);
            map[lhs] = Some(aig.and(la, lb));
            state[k] = 2;
            stack.pop();
        }
    }
    for (v, line) in outputs {
        let Some(l) = map[(v / 2) as usize] else {
            return Err(LogicError::parse(
                file,
                line,
                format!("output literal {v} is never defined"),
            ));
        };
        aig.add_output(l.not_if(v & 1 == 1));
    }
    // Optional symbol table.
    aig.input_names = (0..aig.num_inputs()).map(|i| format!("i{i}")).collect();
    aig.output_names = (0..aig.num_outputs()).map(|i| format!("o{i}")).collect();
    while let Some(line) = r.next_line() {
        if line.starts_with('c') {
            break;
        }
        let mut chars = line.chars();
        let kind = chars.next().map(String::from).unwrap_or_default();
        let mut parts = chars.as_str().splitn(2, ' ');
        let idx = parts.next().and_then(|s| s.parse::<usize>().ok());
        let name = parts.next().unwrap_or("").to_string();
        match (kind.as_str(), idx) {
            ("i", Some(i)) if i < aig.input_names.len() => aig.input_names[i] = name,
            ("o", Some(i)) if i < aig.output_names.len() => aig.output_names[i] = name,
            ("", _) => {}
            _ => return Err(r.err(format!("invalid symbol table entry `{line}`"))),
        }
    }
    Ok(aig)
}

/// Serialises the reachable part of `aig`, numbered topologically.
pub fn write_aiger(aig: &Aig, binary: bool) -> Vec<u8> {
    let order = aig.topo_order();
    let ni = aig.num_inputs();
    let mut var = vec![0u64; aig.num_slots()];
    for (k, &i) in aig.inputs().iter().enumerate() {
        var[i as usize] = k as u64 + 1;
    }
    for (k, &n) in order.iter().enumerate() {
        var[n as usize] = (ni + k + 1) as u64;
    }
    let lit = |l: Lit| 2 * var[l.node() as usize] + l.is_compl() as u64;
    let m = ni + order.len();
    let mut out = Vec::new();
    let magic = if binary { "aig" } else { "aag" };
    out.extend_from_slice(
        format!("{magic} {m} {ni} 0 {} {}\n", aig.num_outputs(), order.len()).as_bytes(),
    );
    if !binary {
        for k in 0..ni {
            out.extend_from_slice(format!("{}\n", 2 * (k + 1)).as_bytes());
        }
    }
    for &o in aig.outputs() {
        out.extend_from_slice(format!("{}\n", lit(o)).as_bytes());
    }
    for &n in &order {
        let lhs = 2 * var[n as usize];
        let (mut a, mut b) = (lit(aig.fanin0(n)), lit(aig.fanin1(n)));
        if a < b {
            std::mem::swap(&mut a, &mut b);
        }
        if binary {
            push_varint(&mut out, lhs - a);
            push_varint(&mut out, a - b);
        } else {
            out.extend_from_slice(format!("{lhs} {a} {b}\n").as_bytes());
        }
    }
    for (k, name) in aig.input_names.iter().enumerate() {
        out.extend_from_slice(format!("i{k} {name}\n").as_bytes());
    }
    for (k, name) in aig.output_names.iter().enumerate() {
        out.extend_from_slice(format!("o{k} {name}\n").as_bytes());
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut x: u64) {
    while x >= 0x80 {
        out.push((x as u8 & 0x7f) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

pub fn write_aiger_file(aig: &Aig, path: &Path) -> Result<(), LogicError> {
    let binary = path.extension().is_none_or(|e| e != "aag");
    std::fs::write(path, write_aiger(aig, binary)).map_err(|source| LogicError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_roundtrip_and_errors() {
        let text = b"aag 3 2 0 1 1\n2\n4\n7\n6 2 5\ni0 a\no0 y\n";
        let aig = parse_aiger(text, "t.aag").unwrap();
        assert_eq!(aig.stats().and, 1);
        for binary in [false, true] {
            let bytes = write_aiger(&aig, binary);
            let back = parse_aiger(&bytes, "rt").unwrap();
            assert_eq!(back.stats(), aig.stats());
            assert_eq!(back.input_names[0], "a");
        }
        let err = parse_aiger(b"aag 3 2 0 1 1\n2\n4\n7\n6 2 9\n", "bad.aag")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.aag:5:"), "{err}");
        let err = parse_aiger(b"aag 1 1 0 1 0\n2\nx\n", "bad2.aag")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad2.aag:3:"), "{err}");
    }
}
