//! The CI examples run as written: the GitHub Actions step's script and the pre-commit hook,
//! with the built binary on PATH, over a copy of the example zones.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_mailtriage"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with_bin() -> String {
    format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A directory with `zones/` holding the example zone files.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let zones = dir.path().join("zones");
    std::fs::create_dir(&zones).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/zones");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, zones.join(p.file_name().unwrap())).unwrap();
    }
    dir
}

/// The `run: |` block of the workflow step named `name`, dedented.
fn step_script(workflow: &str, name: &str) -> String {
    let lines: Vec<&str> = workflow.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == format!("- name: {name}"))
        .unwrap();
    let run = (start..lines.len())
        .find(|&i| lines[i].trim() == "run: |")
        .unwrap();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let body_indent = indent(lines[run + 1]);
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) >= body_indent)
        .map(|l| l.get(body_indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_workflow_writes_one_sarif_run_for_the_forward_zones_and_records_the_status() {
    let workflow = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/github-actions-dns-check.yml"),
    )
    .unwrap();
    let script = step_script(&workflow, "check zone files");
    assert_eq!(
        script.matches("mailtriage check").count(),
        1,
        "one call: {script}"
    );
    let ws = workspace();
    let output = ws.path().join("github-output");
    let o = Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(ws.path())
        .env("PATH", path_with_bin())
        .env("GITHUB_OUTPUT", &output)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // broken-sender has errors: the job fails in its last step, after the upload.
    assert_eq!(std::fs::read_to_string(&output).unwrap().trim(), "status=1");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("mailtriage.sarif")).unwrap())
            .unwrap();
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "upload-sarif takes one run per tool");
    let results = runs[0]["results"].as_array().unwrap();
    let mut domains: Vec<&str> = results
        .iter()
        .map(|r| r["properties"]["domain"].as_str().unwrap())
        .collect();
    domains.sort();
    domains.dedup();
    assert_eq!(
        domains,
        [
            "broken-sender.example",
            "esp-mailer.example",
            "fixed-sender.example",
            "isp.example"
        ]
    );
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no location: {r:#}"));
        assert!(uri.starts_with("zones/"), "{uri}");
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn hook(dir: &Path) -> std::process::Output {
    let hook = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/pre-commit-hook.sh");
    Command::new("sh")
        .arg(hook)
        .current_dir(dir)
        .env("PATH", path_with_bin())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_hook_refuses_broken_zones_and_passes_fixed_ones() {
    let ws = workspace();
    let dir = ws.path();
    git(dir, &["init", "-q"]);
    git(
        dir,
        &[
            "add",
            "zones/fixed-sender.example.zone",
            "zones/2.0.192.in-addr.arpa.zone",
        ],
    );
    let o = hook(dir);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // The reverse zone is served, not checked as a sending domain.
    assert!(!String::from_utf8_lossy(&o.stdout).contains("2.0.192.in-addr.arpa:"));
    git(dir, &["add", "zones/broken-sender.example.zone"]);
    let o = hook(dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("pre-commit: the staged zone files have"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
