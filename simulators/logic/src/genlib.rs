//! genlib cell libraries (SIS / ABC format): `GATE name area out=expr; PIN ...` records.

use std::path::Path;

use crate::error::{LogicError, read_file};

#[derive(Clone, Debug, PartialEq)]
pub struct Pin {
    pub name: String,
    /// Load-independent delay from this pin to the output: the larger of rise and fall block delays.
    pub delay: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    pub name: String,
    pub area: f64,
    pub output: String,
    /// Input pins in expression order of first appearance (PIN records give their delays).
    pub pins: Vec<Pin>,
    /// Truth table over `pins` (pin `i` is variable `i`) for gates with at most 6 inputs.
    pub truth: Option<u64>,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Library {
    pub name: String,
    pub gates: Vec<Gate>,
}

impl Library {
    pub fn inverter(&self) -> Option<usize> {
        self.best_for(1, 0x5555_5555_5555_5555)
    }
    pub fn buffer(&self) -> Option<usize> {
        self.best_for(1, 0xAAAA_AAAA_AAAA_AAAA)
    }
    /// The smallest-area gate with `k` inputs implementing `truth` with pins in order.
    fn best_for(&self, k: usize, truth: u64) -> Option<usize> {
        self.gates
            .iter()
            .enumerate()
            .filter(|(_, g)| g.pins.len() == k && g.truth == Some(truth))
            .min_by(|a, b| a.1.area.total_cmp(&b.1.area))
            .map(|(i, _)| i)
    }
}

pub fn read_genlib_file(path: &Path) -> Result<Library, LogicError> {
    let bytes = read_file(path)?;
    let name = path
        .file_name()
        .map_or_else(|| "genlib".into(), |n| n.to_string_lossy().into_owned());
    parse_genlib(
        &String::from_utf8_lossy(&bytes),
        &path.display().to_string(),
        &name,
    )
}

/// Tokens with their line numbers; `#` starts a comment.
fn tokenize(text: &str) -> Vec<(usize, String)> {
    let mut toks = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        let mut cur = String::new();
        for ch in line.chars() {
            if ch.is_whitespace() {
                if !cur.is_empty() {
                    toks.push((i + 1, std::mem::take(&mut cur)));
                }
            } else if ch == ';' || ch == '=' {
                if !cur.is_empty() {
                    toks.push((i + 1, std::mem::take(&mut cur)));
                }
                toks.push((i + 1, ch.to_string()));
            } else {
                cur.push(ch);
            }
        }
        if !cur.is_empty() {
            toks.push((i + 1, cur));
        }
    }
    toks
}

pub fn parse_genlib(text: &str, file: &str, name: &str) -> Result<Library, LogicError> {
    let toks = tokenize(text);
    let mut gates: Vec<Gate> = Vec::new();
    let mut i = 0;
    let err = |line: usize, m: String| LogicError::parse(file, line, m);
    let last_line = toks.last().map_or(1, |t| t.0);
    let tok = |i: usize| -> Result<&(usize, String), LogicError> {
        toks.get(i)
            .ok_or_else(|| err(last_line, "unexpected end of file".into()))
    };
    while i < toks.len() {
        let (line, kw) = &toks[i];
        match kw.as_str() {
            "GATE" => {
                let gname = tok(i + 1)?.1.clone();
                let (aline, area_s) = tok(i + 2)?;
                let area: f64 = area_s.parse().map_err(|_| {
                    err(
                        *aline,
                        format!("gate `{gname}`: area `{area_s}` is not a number"),
                    )
                })?;
                let (oline, out) = tok(i + 3)?;
                if tok(i + 4)?.1 != "=" {
                    return Err(err(
                        *oline,
                        format!("gate `{gname}`: expected `output=expression;`"),
                    ));
                }
                let mut j = i + 5;
                let mut expr = String::new();
                loop {
                    let (_, t) = tok(j)?;
                    j += 1;
                    if t == ";" {
                        break;
                    }
                    expr.push_str(t);
                    expr.push(' ');
                }
                let (vars, ast) =
                    parse_expr(&expr).map_err(|m| err(*line, format!("gate `{gname}`: {m}")))?;
                let pins = vars
                    .iter()
                    .map(|v| Pin {
                        name: v.clone(),
                        delay: f64::NAN,
                    })
                    .collect();
                let truth = (vars.len() <= 6).then(|| eval_truth(&ast));
                gates.push(Gate {
                    name: gname,
                    area,
                    output: out.clone(),
                    pins,
                    truth,
                    line: *line,
                });
                i = j;
            }
            "PIN" => {
                let Some(gate) = gates.last_mut() else {
                    return Err(err(*line, "PIN before any GATE".into()));
                };
                let mut vals = Vec::new();
                for k in 0..8 {
                    vals.push(tok(i + 1 + k)?.clone());
                }
                let pin_name = vals[0].1.clone();
                let num = |k: usize| -> Result<f64, LogicError> {
                    vals[k].1.parse::<f64>().map_err(|_| {
                        err(
                            vals[k].0,
                            format!("PIN {pin_name}: `{}` is not a number", vals[k].1),
                        )
                    })
                };
                let (rise, fall) = (num(4)?, num(6)?);
                let _ = (num(2)?, num(3)?, num(5)?, num(7)?);
                let delay = rise.max(fall);
                if pin_name == "*" {
                    for p in &mut gate.pins {
                        p.delay = delay;
                    }
                } else if let Some(p) = gate.pins.iter_mut().find(|p| p.name == pin_name) {
                    p.delay = delay;
                } else {
                    return Err(err(
                        *line,
                        format!("gate `{}` has no input `{pin_name}`", gate.name),
                    ));
                }
                i += 9;
            }
            other => return Err(err(*line, format!("expected GATE or PIN, found `{other}`"))),
        }
    }
    for g in &gates {
        if let Some(p) = g.pins.iter().find(|p| p.delay.is_nan()) {
            return Err(err(
                g.line,
                format!("gate `{}`: input `{}` has no PIN record", g.name, p.name),
            ));
        }
    }
    if gates.is_empty() {
        return Err(err(1, "library has no gates".into()));
    }
    let lib = Library {
        name: name.to_string(),
        gates,
    };
    if lib.inverter().is_none() {
        return Err(err(
            1,
            "library has no inverter (a one-input gate computing !A)".into(),
        ));
    }
    Ok(lib)
}

#[derive(Debug)]
enum Ast {
    Const(bool),
    Var(usize),
    Not(Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Or(Box<Ast>, Box<Ast>),
}

/// Parses `!`, `*`, `+`, parentheses, postfix `'`, `CONST0`/`CONST1`; variables numbered by first use.
fn parse_expr(s: &str) -> Result<(Vec<String>, Ast), String> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut p = ExprParser {
        c: &chars,
        i: 0,
        vars: Vec::new(),
        depth: 0,
    };
    let ast = p.or()?;
    if p.i != chars.len() {
        return Err(format!("unexpected `{}` in expression", chars[p.i]));
    }
    Ok((p.vars, ast))
}

struct ExprParser<'a> {
    c: &'a [char],
    i: usize,
    vars: Vec<String>,
    depth: usize,
}

impl ExprParser<'_> {
    fn or(&mut self) -> Result<Ast, String> {
        let mut a = self.and()?;
        while self.c.get(self.i) == Some(&'+') {
            self.i += 1;
            a = Ast::Or(Box::new(a), Box::new(self.and()?));
        }
        Ok(a)
    }
    fn and(&mut self) -> Result<Ast, String> {
        let mut a = self.unary()?;
        while self.c.get(self.i) == Some(&'*') || self.c.get(self.i) == Some(&'&') {
            self.i += 1;
            a = Ast::And(Box::new(a), Box::new(self.unary()?));
        }
        Ok(a)
    }
    fn unary(&mut self) -> Result<Ast, String> {
        self.depth += 1;
        if self.depth > 200 {
            return Err("expression nested too deeply".into());
        }
        let r = self.unary_inner();
        self.depth -= 1;
        let mut a = r?;
        while self.c.get(self.i) == Some(&'\'') {
            self.i += 1;
            a = Ast::Not(Box::new(a));
        }
        Ok(a)
    }
    fn unary_inner(&mut self) -> Result<Ast, String> {
        match self.c.get(self.i) {
            Some('!') => {
                self.i += 1;
                Ok(Ast::Not(Box::new(self.unary()?)))
            }
            Some('(') => {
                self.i += 1;
                let a = self.or()?;
                if self.c.get(self.i) != Some(&')') {
                    return Err("missing `)`".into());
                }
                self.i += 1;
                Ok(a)
            }
            Some(c) if c.is_alphanumeric() || *c == '_' || *c == '[' || *c == ']' || *c == '.' => {
                let start = self.i;
                while self
                    .c
                    .get(self.i)
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '[' | ']' | '.'))
                {
                    self.i += 1;
                }
                let name: String = self.c[start..self.i].iter().collect();
                match name.as_str() {
                    "CONST0" => Ok(Ast::Const(false)),
                    "CONST1" => Ok(Ast::Const(true)),
                    _ => {
                        let idx = self
                            .vars
                            .iter()
                            .position(|v| *v == name)
                            .unwrap_or_else(|| {
                                self.vars.push(name);
                                self.vars.len() - 1
                            });
                        Ok(Ast::Var(idx))
                    }
                }
            }
            Some(c) => Err(format!("unexpected `{c}` in expression")),
            None => Err("expression ends early".into()),
        }
    }
}

fn eval_truth(a: &Ast) -> u64 {
    match a {
        Ast::Const(b) => {
            if *b {
                !0
            } else {
                0
            }
        }
        Ast::Var(v) => crate::truth::VAR_MASKS[*v],
        Ast::Not(x) => !eval_truth(x),
        Ast::And(x, y) => eval_truth(x) & eval_truth(y),
        Ast::Or(x, y) => eval_truth(x) | eval_truth(y),
    }
}

/// A small generic library written for this project (not derived from any vendor library): unit-ish
/// areas and delays, so the environment works without external files.
pub const DEFAULT_GENLIB: &str = "\
GATE ZERO 0 Y=CONST0;
GATE ONE 0 Y=CONST1;
GATE BUF 1.0 Y=A;  PIN A UNKNOWN 1 999 1.0 0 1.0 0
GATE INV 1.0 Y=!A; PIN A UNKNOWN 1 999 0.9 0 0.9 0
GATE NAND2 2.0 Y=!(A*B); PIN * UNKNOWN 1 999 1.0 0 1.0 0
GATE NOR2 2.0 Y=!(A+B); PIN * UNKNOWN 1 999 1.4 0 1.4 0
GATE AND2 3.0 Y=A*B; PIN * UNKNOWN 1 999 1.9 0 1.9 0
GATE OR2 3.0 Y=A+B; PIN * UNKNOWN 1 999 2.3 0 2.3 0
GATE NAND3 3.0 Y=!(A*B*C); PIN * UNKNOWN 1 999 1.3 0 1.3 0
GATE NOR3 3.0 Y=!(A+B+C); PIN * UNKNOWN 1 999 2.0 0 2.0 0
GATE NAND4 4.0 Y=!(A*B*C*D); PIN * UNKNOWN 1 999 1.6 0 1.6 0
GATE AOI21 3.0 Y=!(A*B+C); PIN * UNKNOWN 1 999 1.6 0 1.6 0
GATE OAI21 3.0 Y=!((A+B)*C); PIN * UNKNOWN 1 999 1.6 0 1.6 0
GATE AOI22 4.0 Y=!(A*B+C*D); PIN * UNKNOWN 1 999 2.0 0 2.0 0
GATE OAI22 4.0 Y=!((A+B)*(C+D)); PIN * UNKNOWN 1 999 2.0 0 2.0 0
GATE XOR2 5.0 Y=A*!B+!A*B; PIN * UNKNOWN 1 999 2.1 0 2.1 0
GATE XNOR2 5.0 Y=A*B+!A*!B; PIN * UNKNOWN 1 999 2.1 0 2.1 0
GATE MUX2 5.0 Y=S*B+!S*A; PIN * UNKNOWN 1 999 2.2 0 2.2 0
";

pub fn default_library() -> Library {
    parse_genlib(DEFAULT_GENLIB, "<builtin hwgym.genlib>", "hwgym.genlib")
        .expect("built-in genlib parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_builtin_and_reports_errors() {
        let lib = default_library();
        assert!(lib.inverter().is_some());
        let aoi = lib.gates.iter().find(|g| g.name == "AOI21").unwrap();
        let (a, b, c) = (0xAAu64, 0xCCu64, 0xF0u64);
        assert_eq!(aoi.truth.unwrap() & 0xFF, !((a & b) | c) & 0xFF);
        let e = parse_genlib(
            "GATE INV 1 Y=!A;\nPIN A UNKNOWN 1 999 x 0 1 0\n",
            "bad.genlib",
            "b",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("bad.genlib:2:"), "{e}");
        let e = parse_genlib("GATE INV 1 Y=!(A;\n", "bad.genlib", "b").unwrap_err();
        assert!(e.to_string().starts_with("bad.genlib:1:"), "{e}");
    }
}
