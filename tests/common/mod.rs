//! Running the `hwgym` binary from integration tests.
// Each test crate uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn hwgym(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hwgym"))
        .args(args)
        .output()
        .expect("hwgym runs")
}

/// Stdout of a run that must succeed.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Stderr of a run that must fail.
pub fn err(out: Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8(out.stderr).unwrap()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
