//! The real ABC as a backend: runs `berkeley-abc` (or `abc`) on a recipe and parses `print_stats`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use crate::error::LogicError;
use crate::recipe::{Command, recipe_text};

/// Binary names tried in order (Debian ships `berkeley-abc`; upstream builds are called `abc`).
pub const ABC_BINARIES: [&str; 2] = ["berkeley-abc", "abc"];

/// Finds ABC: `$HWGYM_ABC` if set, else the first of [`ABC_BINARIES`] on `PATH`.
pub fn find_abc() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HWGYM_ABC") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    for name in ABC_BINARIES {
        for dir in std::env::split_paths(&path) {
            let cand = dir.join(name);
            if cand.is_file() {
                return Some(cand);
            }
        }
    }
    None
}

#[derive(Clone, Debug)]
pub struct AbcParams {
    pub binary: PathBuf,
    pub timeout: Duration,
}

/// What ABC printed: AIG statistics after the recipe and, when a library was given, after `map; topo`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct AbcReport {
    pub and: usize,
    pub lev: u32,
    pub gates: Option<usize>,
    pub area: Option<f64>,
    pub delay: Option<f64>,
    pub seconds: f64,
}

/// Runs `read_genlib; read; strash; <recipe>; print_stats; [write_aiger]; map; topo; print_stats`.
pub fn run(
    params: &AbcParams,
    circuit: &Path,
    genlib: Option<&Path>,
    recipe: &[Command],
    write: Option<&Path>,
) -> Result<AbcReport, LogicError> {
    let mut script = String::new();
    if let Some(g) = genlib {
        script += &format!("read_genlib {}; ", quote(g)?);
    }
    script += &format!("read {}; strash; ", quote(circuit)?);
    if !recipe.is_empty() {
        script += &recipe_text(recipe);
        script += "; ";
    }
    script += "print_stats";
    if let Some(w) = write {
        script += &format!("; write_aiger {}", quote(w)?);
    }
    if genlib.is_some() {
        script += "; map; topo; print_stats";
    }
    let start = Instant::now();
    let mut child = Process::new(&params.binary)
        .arg("-c")
        .arg(&script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| LogicError::Abc(format!("cannot start {}: {e}", params.binary.display())))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {
                if start.elapsed() > params.timeout {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(LogicError::AbcTimeout {
                        seconds: params.timeout.as_secs_f64(),
                    });
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(LogicError::Abc(format!("waiting for ABC: {e}"))),
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let out = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    if !status.success() {
        return Err(LogicError::Abc(format!(
            "ABC exited with {status}: {}",
            tail(&err, &out)
        )));
    }
    parse_output(&out, genlib.is_some(), seconds)
        .map_err(|m| LogicError::Abc(format!("{m}: {}", tail(&err, &out))))
}

fn quote(p: &Path) -> Result<String, LogicError> {
    let s = p.display().to_string();
    if s.contains(['"', ';', '\n']) {
        return Err(LogicError::Abc(format!(
            "path `{s}` contains characters ABC scripts cannot quote"
        )));
    }
    Ok(format!("\"{s}\""))
}

fn tail(err: &str, out: &str) -> String {
    let text = if err.trim().is_empty() { out } else { err };
    let lines: Vec<&str> = text.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// The number after `key\s*=\s*` where `key` starts a word.
pub fn field(line: &str, key: &str) -> Option<f64> {
    let mut from = 0;
    while let Some(p) = line[from..].find(key) {
        let at = from + p;
        from = at + key.len();
        if at > 0
            && line[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric())
        {
            continue;
        }
        let rest = line[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e')))
            .unwrap_or(rest.len());
        if let Ok(v) = rest[..end].parse() {
            return Some(v);
        }
    }
    None
}

pub fn parse_output(out: &str, mapped: bool, seconds: f64) -> Result<AbcReport, String> {
    let clean = strip_ansi(out);
    let mut aig_line = None;
    let mut map_line = None;
    for line in clean.lines() {
        if field(line, "area").is_some() && field(line, "delay").is_some() {
            map_line = Some(line.to_string());
        } else if field(line, "and").is_some() && aig_line.is_none() {
            aig_line = Some(line.to_string());
        }
    }
    let aig_line = aig_line.ok_or("no `and =` statistics in ABC's output")?;
    let and = field(&aig_line, "and").ok_or("no and count")? as usize;
    let lev = field(&aig_line, "lev").ok_or("no level count")? as u32;
    let (mut gates, mut area, mut delay) = (None, None, None);
    if mapped {
        let m = map_line.ok_or("no mapped statistics (`area =`, `delay =`) in ABC's output")?;
        gates = Some(field(&m, "nd").ok_or("no gate count (`nd =`)")? as usize);
        area = field(&m, "area");
        delay = field(&m, "delay");
    }
    Ok(AbcReport {
        and,
        lev,
        gates,
        area,
        delay,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_coloured_stats() {
        let out = "\u{1b}[1;37msin:\u{1b}[0m i/o =   24/   25  lat =    0  and =   5250  lev =184\n\
                   \u{1b}[1;37msin:\u{1b}[0m i/o =   24/   25  lat =    0  nd =  3790  edge =  10847  area =412.13  delay =1829.84  lev = 81\n";
        let r = parse_output(out, true, 0.0).unwrap();
        assert_eq!((r.and, r.lev, r.gates), (5250, 184, Some(3790)));
        assert_eq!((r.area, r.delay), (Some(412.13), Some(1829.84)));
        assert!(parse_output("garbage", false, 0.0).is_err());
    }
}
