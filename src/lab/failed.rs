//! Failed runs: a run that errors is recorded as `<run_id>.failed.json` (its spec and the error) so that
//! `hwgym status` can show it; the file is removed when the run later succeeds.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::recipe::RunSpec;

const SUFFIX: &str = ".failed.json";

/// What `<run_id>.failed.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedRun {
    pub run_id: String,
    pub error: String,
    pub spec: RunSpec,
}

pub fn failed_path(dir: &Path, run_id: &str) -> PathBuf {
    dir.join(format!("{run_id}{SUFFIX}"))
}

/// Writes a unique temporary file next to `path` and renames it over `path` (safe when several
/// processes write the same file, as shards do).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
}

/// Records that `spec` failed with `error`.
pub fn write_failed(dir: &Path, spec: &RunSpec, error: &str) -> Result<FailedRun> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let failed = FailedRun {
        run_id: spec.run_id.clone(),
        error: error.to_string(),
        spec: spec.clone(),
    };
    write_atomically(
        &failed_path(dir, &spec.run_id),
        serde_json::to_string_pretty(&failed)?.as_bytes(),
    )?;
    Ok(failed)
}

/// Forgets an earlier failure of `run_id` (it has now succeeded).
pub fn clear_failed(dir: &Path, run_id: &str) {
    let _ = fs::remove_file(failed_path(dir, run_id));
}

/// Every recorded failure in `dir`, by run id.
pub fn failed_runs(dir: &Path) -> Result<BTreeMap<String, FailedRun>> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for e in entries.filter_map(|e| e.ok()) {
        let path = e.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(SUFFIX) && !n.starts_with('.'))
        {
            let text = fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let failed: FailedRun = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a failed-run record", path.display()))?;
            out.insert(failed.run_id.clone(), failed);
        }
    }
    Ok(out)
}

/// The message of a caught panic.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("panicked: {text}")
}
