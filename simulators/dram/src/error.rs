//! Errors with the context a user needs: file, line and field.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DramError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: field `{field}`: {message}")]
    Field {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
    #[error("{file}:{line}: field `{field}`: {message}")]
    Trace {
        file: String,
        line: usize,
        field: String,
        message: String,
    },
    #[error("unknown option `{key}` (known: {known})")]
    UnknownOption { key: String, known: String },
    #[error("option `{key}`: {message}")]
    BadOption { key: String, message: String },
    #[error(
        "unknown memspec preset `{name}` (known: {known}; or give a path to a DRAMSys memspec JSON)"
    )]
    UnknownPreset { name: String, known: String },
    #[error(
        "unknown workload `{name}` (built-in: {known}; or give a path to a .stl or Ramulator trace)"
    )]
    UnknownWorkload { name: String, known: String },
    #[error("configuration: {0}")]
    Config(String),
}

/// 1-based line of the first occurrence of `needle` in `text` (1 when absent).
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    match text.find(needle) {
        Some(pos) => text[..pos].bytes().filter(|&b| b == b'\n').count() + 1,
        None => 1,
    }
}
