//! Helpers of the scan tests: generated logs in a temporary directory, the binary run on them.
#![allow(dead_code, clippy::unwrap_used)]

use crate::cli_support::run;
use crate::scan_gen::{self, Config, Expected};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The date the generated logs end on or before (they start 2026-03-01 and span 20 days).
pub const LOG_END: &str = "2026-03-25";

/// Writes a generated log to `dir/name`; returns its path and what scan must find.
pub fn generated(dir: &Path, name: &str, cfg: &Config) -> (PathBuf, Expected) {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let exp = scan_gen::write(cfg, file).unwrap();
    (path, exp)
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `mailtriage scan ARGS` with the generated logs' year.
pub fn scan(args: &[&str]) -> Output {
    let mut all = vec!["scan", "--log-end", LOG_END];
    all.extend_from_slice(args);
    run(&all, None)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON summary of `args`, checked to exit 0 with nothing on stderr.
pub fn scan_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let o = scan(&all);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Every address's verdict in a JSON summary (addresses with failures only).
pub fn verdicts(doc: &Value) -> std::collections::BTreeMap<String, String> {
    doc["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["address"].as_str().unwrap().to_string(),
                a["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn schema() -> jsonschema::Validator {
    let path = format!("{}/schemas/scan-v1.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&v).unwrap()
}

pub fn assert_valid(doc: &Value) {
    let v = schema();
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(20)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
