//! Trace files, streamed line by line: DRAMSys `.stl` (`<cycle>: [(<len>)] read|write 0x<addr> [data]`,
//! absolute times in trace-clock cycles, `#` comments) and Ramulator (`LD|ST 0x<addr>` or
//! `0x<addr> R|W`, one request per trace cycle).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::DramError;

/// One memory request of a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceRequest {
    /// When the initiator issues it, ps.
    pub time_ps: u64,
    pub is_write: bool,
    pub address: u64,
}

/// Trace file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    Stl,
    Ramulator,
}

/// Streams the requests of a trace file; memory use does not grow with the file.
pub struct TraceReader {
    path: PathBuf,
    reader: BufReader<File>,
    format: TraceFormat,
    clock_ps: u64,
    /// Bytes of one burst: an STL length field may not exceed it.
    max_length: u64,
    line_no: usize,
    count: u64,
    buf: String,
    done: bool,
}

impl TraceReader {
    /// Opens `path`; the format comes from the extension (`.stl`) or the first request line.
    pub fn open(path: &Path, clock_ps: u64, max_length: u64) -> Result<Self, DramError> {
        let file = File::open(path).map_err(|source| DramError::Io {
            path: path.into(),
            source,
        })?;
        let format = Self::detect(path)?;
        Ok(TraceReader {
            path: path.into(),
            reader: BufReader::new(file),
            format,
            clock_ps,
            max_length,
            line_no: 0,
            count: 0,
            buf: String::new(),
            done: false,
        })
    }

    fn detect(path: &Path) -> Result<TraceFormat, DramError> {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("stl"))
        {
            return Ok(TraceFormat::Stl);
        }
        let file = File::open(path).map_err(|source| DramError::Io {
            path: path.into(),
            source,
        })?;
        for line in BufReader::new(file).lines().take(100) {
            let line = line.map_err(|source| DramError::Io {
                path: path.into(),
                source,
            })?;
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let first = t.split_whitespace().next().unwrap_or("");
            return Ok(if first.ends_with(':') {
                TraceFormat::Stl
            } else {
                TraceFormat::Ramulator
            });
        }
        Ok(TraceFormat::Stl)
    }

    pub fn format(&self) -> TraceFormat {
        self.format
    }

    fn err(&self, field: &str, message: String) -> DramError {
        DramError::Trace {
            file: self.path.display().to_string(),
            line: self.line_no,
            field: field.into(),
            message,
        }
    }

    fn parse_address(&self, text: &str) -> Result<u64, DramError> {
        let hex = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(text);
        u64::from_str_radix(hex, 16)
            .map_err(|_| self.err("address", format!("`{text}` is not a hexadecimal address")))
    }

    fn parse_stl(&self, line: &str) -> Result<TraceRequest, DramError> {
        let mut fields = line.split_whitespace();
        let time = fields
            .next()
            .ok_or_else(|| self.err("time", "missing".into()))?;
        let digits = time.strip_suffix(':').unwrap_or(time);
        let cycle: u64 = digits
            .parse()
            .map_err(|_| self.err("time", format!("`{time}` is not a cycle number")))?;
        let mut command = fields
            .next()
            .ok_or_else(|| self.err("command", "missing".into()))?;
        if let Some(len) = command.strip_prefix('(') {
            let len = len.strip_suffix(')').unwrap_or(len);
            let bytes: u64 = len
                .parse()
                .map_err(|_| self.err("length", format!("`{command}` is not a length")))?;
            if bytes == 0 || bytes > self.max_length {
                return Err(self.err(
                    "length",
                    format!("{bytes} bytes: must be 1..={} (one burst)", self.max_length),
                ));
            }
            command = fields
                .next()
                .ok_or_else(|| self.err("command", "missing".into()))?;
        }
        let is_write = match command {
            "read" => false,
            "write" => true,
            other => {
                return Err(self.err("command", format!("`{other}` is neither read nor write")));
            }
        };
        let addr = fields
            .next()
            .ok_or_else(|| self.err("address", "missing".into()))?;
        let address = self.parse_address(addr)?;
        let time_ps = cycle
            .checked_mul(self.clock_ps)
            .ok_or_else(|| self.err("time", format!("{cycle} overflows")))?;
        Ok(TraceRequest {
            time_ps,
            is_write,
            address,
        })
    }

    fn parse_ramulator(&self, line: &str) -> Result<TraceRequest, DramError> {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (op, addr) = match fields.as_slice() {
            [op @ ("LD" | "ST" | "R" | "W" | "READ" | "WRITE"), addr, ..] => (*op, *addr),
            [addr, op @ ("LD" | "ST" | "R" | "W" | "READ" | "WRITE"), ..] => (*op, *addr),
            [_, _, ..] | [_] => {
                return Err(self.err(
                    "command",
                    format!("expected `LD|ST 0x<addr>` or `0x<addr> R|W`, got `{line}`"),
                ));
            }
            [] => return Err(self.err("command", "missing".into())),
        };
        let is_write = matches!(op, "ST" | "W" | "WRITE");
        let address = self.parse_address(addr)?;
        Ok(TraceRequest {
            time_ps: self.count * self.clock_ps,
            is_write,
            address,
        })
    }
}

impl Iterator for TraceReader {
    type Item = Result<TraceRequest, DramError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line_no += 1;
                    let line = std::mem::take(&mut self.buf);
                    let t = line.trim();
                    let skip = t.is_empty() || t.starts_with('#') || t.starts_with("//");
                    if !skip {
                        let r = match self.format {
                            TraceFormat::Stl => self.parse_stl(t),
                            TraceFormat::Ramulator => self.parse_ramulator(t),
                        };
                        self.buf = line;
                        if r.is_err() {
                            self.done = true;
                        }
                        self.count += 1;
                        return Some(r);
                    }
                    self.buf = line;
                }
                Err(source) => {
                    self.done = true;
                    return Some(Err(DramError::Io {
                        path: self.path.clone(),
                        source,
                    }));
                }
            }
        }
        None
    }
}
