//! Combinational BLIF reading (`.model/.inputs/.outputs/.names/.end`) into an AIG.

use std::collections::HashMap;
use std::path::Path;

use crate::aig::{Aig, Lit};
use crate::error::{LogicError, read_file};

pub fn read_blif_file(path: &Path) -> Result<Aig, LogicError> {
    let bytes = read_file(path)?;
    parse_blif(
        &String::from_utf8_lossy(&bytes),
        &path.display().to_string(),
    )
}

struct Names {
    inputs: Vec<String>,
    output: String,
    rows: Vec<(String, char, usize)>,
    line: usize,
}

pub fn parse_blif(text: &str, file: &str) -> Result<Aig, LogicError> {
    let err = |line: usize, msg: String| LogicError::parse(file, line, msg);
    // Join continuation lines, remember the first line number of each logical line.
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim_end();
        let (cont, body) = match content.strip_suffix('\\') {
            Some(b) => (true, b),
            None => (false, content),
        };
        let entry = pending.get_or_insert((no, String::new()));
        entry.1.push(' ');
        entry.1.push_str(body);
        if !cont {
            let (n, s) = pending.take().unwrap();
            if !s.trim().is_empty() {
                lines.push((n, s.trim().to_string()));
            }
        }
    }
    if let Some((n, s)) = pending
        && !s.trim().is_empty()
    {
        lines.push((n, s.trim().to_string()));
    }
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let mut names: Vec<Names> = Vec::new();
    let mut seen_model = false;
    for (no, line) in lines {
        let mut toks = line.split_whitespace();
        let first = toks.next().unwrap_or("");
        match first {
            ".model" => {
                if seen_model {
                    return Err(err(no, "only one .model per file is supported".into()));
                }
                seen_model = true;
            }
            ".inputs" => inputs.extend(toks.map(|t| (t.to_string(), no))),
            ".outputs" => outputs.extend(toks.map(|t| (t.to_string(), no))),
            ".names" => {
                let sigs: Vec<String> = toks.map(String::from).collect();
                let Some((output, ins)) = sigs.split_last() else {
                    return Err(err(no, ".names needs at least an output signal".into()));
                };
                names.push(Names {
                    inputs: ins.to_vec(),
                    output: output.clone(),
                    rows: Vec::new(),
                    line: no,
                });
            }
            ".end" => break,
            ".latch" | ".subckt" | ".gate" | ".mlatch" => {
                return Err(err(
                    no,
                    format!("`{first}` is not supported (combinational .names only)"),
                ));
            }
            d if d.starts_with('.') => {
                // Other dot-directives (.default_input_arrival etc.) carry no logic.
            }
            _ => {
                let Some(cur) = names.last_mut() else {
                    return Err(err(
                        no,
                        format!("cover row `{line}` outside a .names block"),
                    ));
                };
                let parts: Vec<&str> = line.split_whitespace().collect();
                let (cube, out) = match (cur.inputs.len(), parts.as_slice()) {
                    (0, [o]) => (String::new(), *o),
                    (n, [c, o]) if c.len() == n => (c.to_string(), *o),
                    _ => {
                        return Err(err(
                            no,
                            format!(
                                "cover row `{line}` does not match {} inputs",
                                cur.inputs.len()
                            ),
                        ));
                    }
                };
                if cube.chars().any(|c| !matches!(c, '0' | '1' | '-')) || !matches!(out, "0" | "1")
                {
                    return Err(err(no, format!("invalid cover row `{line}`")));
                }
                cur.rows.push((cube, out.chars().next().unwrap(), no));
            }
        }
    }
    let mut aig = Aig::new();
    let mut sig: HashMap<String, Lit> = HashMap::new();
    for (name, no) in &inputs {
        if sig.contains_key(name) {
            return Err(err(*no, format!("input `{name}` declared twice")));
        }
        let l = aig.add_input();
        sig.insert(name.clone(), l);
        aig.input_names.push(name.clone());
    }
    let mut def: HashMap<&str, usize> = HashMap::new();
    for (k, n) in names.iter().enumerate() {
        if sig.contains_key(&n.output) || def.insert(n.output.as_str(), k).is_some() {
            return Err(err(n.line, format!("signal `{}` defined twice", n.output)));
        }
    }
    let mut state = vec![0u8; names.len()];
    for start in 0..names.len() {
        let mut stack = vec![start];
        while let Some(&k) = stack.last() {
            if state[k] == 2 {
                stack.pop();
                continue;
            }
            state[k] = 1;
            let n = &names[k];
            let mut pending = false;
            for i in &n.inputs {
                if !sig.contains_key(i) {
                    let Some(&d) = def.get(i.as_str()) else {
                        return Err(err(n.line, format!("signal `{i}` is never defined")));
                    };
                    if state[d] == 1 {
                        return Err(err(n.line, format!("combinational cycle through `{i}`")));
                    }
                    stack.push(d);
                    pending = true;
                }
            }
            if pending {
                continue;
            }
            let ins: Vec<Lit> = n.inputs.iter().map(|i| sig[i]).collect();
            let phase = n.rows.first().map_or('1', |r| r.1);
            if let Some(r) = n.rows.iter().find(|r| r.1 != phase) {
                return Err(err(r.2, "cover mixes on-set and off-set rows".into()));
            }
            let mut terms = Vec::new();
            for (cube, _, _) in &n.rows {
                let lits: Vec<Lit> = cube
                    .chars()
                    .zip(&ins)
                    .filter(|(c, _)| *c != '-')
                    .map(|(c, &l)| l.not_if(c == '0'))
                    .collect();
                terms.push(aig.and_many(&lits));
            }
            let f = aig.or_many(&terms);
            sig.insert(n.output.clone(), f.not_if(phase == '0'));
            state[k] = 2;
            stack.pop();
        }
    }
    for (name, no) in &outputs {
        let Some(&l) = sig.get(name) else {
            return Err(err(*no, format!("output `{name}` is never defined")));
        };
        aig.add_output(l);
        aig.output_names.push(name.clone());
    }
    Ok(aig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_blif_and_reports_lines() {
        let text = ".model t\n.inputs a b c\n.outputs y z\n.names a b t\n11 1\n.names t c y\n1- 1\n-1 1\n.names z\n1\n.end\n";
        let aig = parse_blif(text, "t.blif").unwrap();
        assert_eq!(aig.stats().and, 2);
        assert_eq!(aig.outputs()[1], Lit::TRUE);
        let err = parse_blif(
            ".model t\n.inputs a\n.outputs y\n.names a y\n1x 1\n",
            "b.blif",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("b.blif:5:"), "{err}");
    }
}
