//! Errors of the logic crate: every parse error names the file and line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LogicError {
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: usize,
        message: String,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "unknown synthesis command `{0}` (known: balance, rewrite, rewrite -z, refactor, refactor -z, resub, resub -z, resyn2)"
    )]
    UnknownCommand(String),
    #[error("invalid circuit generator spec `{spec}`: {message}")]
    Generator { spec: String, message: String },
    #[error("invalid option `{name}`: {message}")]
    Option { name: String, message: String },
    #[error("ABC evaluation failed: {0}")]
    Abc(String),
    #[error("ABC timed out after {seconds} s")]
    AbcTimeout { seconds: f64 },
    #[error("technology mapping failed: {0}")]
    Mapping(String),
    #[error("circuits are not comparable: {0}")]
    Mismatch(String),
}

impl LogicError {
    pub(crate) fn parse(file: &str, line: usize, message: impl Into<String>) -> Self {
        LogicError::Parse {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// Reads a whole file, wrapping the IO error with the path.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>, LogicError> {
    std::fs::read(path).map_err(|source| LogicError::Io {
        path: path.to_path_buf(),
        source,
    })
}
