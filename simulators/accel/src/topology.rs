//! SCALE-Sim topology CSV files (conv and GEMM forms) and inline workload specs.
//!
//! Conv rows: `name, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter, Stride,`; GEMM rows:
//! `name, M, N, K,` (the form is told by the header). A trailing `N:M` sparsity field must be `1:1`.
//! As in SCALE-Sim, a conv layer whose name contains `DP` is depthwise: it runs as one single-channel
//! layer per channel.

use std::path::Path;

use crate::error::AccelError;
use crate::layer::Layer;
use crate::workloads;

/// Reads a SCALE-Sim topology file.
pub fn read_topology(path: &Path) -> Result<Vec<Layer>, AccelError> {
    let text = std::fs::read_to_string(path).map_err(|source| AccelError::Io {
        file: path.into(),
        source,
    })?;
    parse_topology(&text, path)
}

/// Parses topology text; `path` is used in error messages only.
pub fn parse_topology(text: &str, path: &Path) -> Result<Vec<Layer>, AccelError> {
    let err = |line: usize, field: &str, reason: String| AccelError::Topology {
        file: path.into(),
        line,
        field: field.into(),
        reason,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(err(1, "header", "the file is empty".into()));
    };
    let header_fields: Vec<String> = header
        .split(',')
        .map(|f| f.trim().to_ascii_lowercase())
        .filter(|f| !f.is_empty())
        .collect();
    let gemm = header_fields.len() >= 4 && header_fields[1..4] == ["m", "n", "k"];
    let names: &[&str] = if gemm {
        &["M", "N", "K"]
    } else {
        &[
            "IFMAP Height",
            "IFMAP Width",
            "Filter Height",
            "Filter Width",
            "Channels",
            "Num Filter",
            "Strides",
        ]
    };
    let mut layers = Vec::new();
    for (idx, row) in lines {
        let line = idx + 1;
        let mut fields: Vec<&str> = row.split(',').map(str::trim).collect();
        if fields.last() == Some(&"") {
            fields.pop();
        }
        let name = fields.first().copied().unwrap_or("");
        if name.is_empty() {
            return Err(err(line, "Layer name", "missing layer name".into()));
        }
        if fields.len() < names.len() + 1 {
            return Err(err(
                line,
                names[fields.len().saturating_sub(1).min(names.len() - 1)],
                format!(
                    "expected {} numeric fields after the name, found {}",
                    names.len(),
                    fields.len() - 1
                ),
            ));
        }
        let extra = &fields[names.len() + 1..];
        match extra {
            [] => {}
            [s] if s.replace(' ', "") == "1:1" => {}
            [s] => {
                return Err(err(
                    line,
                    "Sparsity",
                    format!("`{s}`: only dense layers (1:1) are modelled"),
                ));
            }
            _ => {
                return Err(err(
                    line,
                    "",
                    format!("{} fields after the last column", extra.len()),
                ));
            }
        }
        let mut values = Vec::with_capacity(names.len());
        for (field, text) in names.iter().zip(&fields[1..]) {
            let v: u64 = text
                .parse()
                .map_err(|_| err(line, field, format!("`{text}` is not a positive integer")))?;
            if v == 0 {
                return Err(err(line, field, "must be at least 1".into()));
            }
            values.push(v);
        }
        let to_topology_err = |e: AccelError| match e {
            AccelError::Layer { reason, .. } => err(line, "Filter Height", reason),
            other => other,
        };
        if gemm {
            layers
                .push(Layer::gemm(name, values[0], values[1], values[2]).map_err(to_topology_err)?);
        } else {
            let dims: [u64; 7] = values.try_into().expect("seven conv fields");
            layers.extend(expand_depthwise(
                Layer::conv(name, dims).map_err(to_topology_err)?,
            ));
        }
    }
    if layers.is_empty() {
        return Err(err(1, "header", "no layer rows".into()));
    }
    Ok(layers)
}

/// SCALE-Sim runs a depthwise layer (name containing `DP`) as one single-channel layer per channel.
pub fn expand_depthwise(layer: Layer) -> Vec<Layer> {
    if !layer.name.contains("DP") {
        return vec![layer];
    }
    (0..layer.channels)
        .map(|c| Layer {
            name: format!("{}Channel_{c}", layer.name),
            channels: 1,
            ..layer.clone()
        })
        .collect()
}

/// A workload: `conv:H,W,FH,FW,C,F,S`, `gemm:M,N,K`, a built-in network name, or a topology CSV path
/// (GEMM or conv form, told by its header).
pub fn parse_workload(spec: &str) -> Result<Vec<Layer>, AccelError> {
    let werr = |reason: String| AccelError::Workload {
        spec: spec.into(),
        reason,
    };
    let numbers = |body: &str, n: usize| -> Result<Vec<u64>, AccelError> {
        let v: Vec<u64> = body
            .split(',')
            .map(|t| {
                t.trim()
                    .parse::<u64>()
                    .map_err(|_| werr(format!("`{t}` is not a positive integer")))
            })
            .collect::<Result<_, _>>()?;
        if v.len() != n {
            return Err(werr(format!(
                "expected {n} comma-separated numbers, got {}",
                v.len()
            )));
        }
        Ok(v)
    };
    let as_workload = |e: AccelError| match e {
        AccelError::Layer { reason, .. } => werr(reason),
        other => other,
    };
    if let Some(body) = spec.strip_prefix("conv:") {
        let v = numbers(body, 7)?;
        let layer = Layer::conv("conv", v.try_into().expect("seven")).map_err(as_workload)?;
        return Ok(vec![layer]);
    }
    if let Some(body) = spec.strip_prefix("gemm:") {
        let v = numbers(body, 3)?;
        return Ok(vec![
            Layer::gemm("gemm", v[0], v[1], v[2]).map_err(as_workload)?,
        ]);
    }
    if let Some(layers) = workloads::network(spec) {
        return Ok(layers);
    }
    if spec.ends_with(".csv") {
        return read_topology(Path::new(spec));
    }
    Err(werr(format!(
        "not a network ({}), a topology .csv, `conv:H,W,FH,FW,C,F,S` or `gemm:M,N,K`",
        workloads::NETWORK_NAMES.join(", ")
    )))
}
