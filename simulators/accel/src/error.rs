//! Errors with the context a user needs (file, line, field, knob).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AccelError {
    #[error("{file}:{line}: field `{field}`: {reason}")]
    Topology {
        file: PathBuf,
        line: usize,
        field: String,
        reason: String,
    },
    #[error("cannot read {file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("workload `{spec}`: {reason}")]
    Workload { spec: String, reason: String },
    #[error("knob `{knob}` = {value}: {reason}")]
    Knob {
        knob: String,
        value: String,
        reason: String,
    },
    #[error("layer `{layer}`: {reason}")]
    Layer { layer: String, reason: String },
    #[error("energy table {file}: {reason}")]
    EnergyTable { file: PathBuf, reason: String },
    #[error("option `{name}`: {reason}")]
    Option { name: String, reason: String },
}
