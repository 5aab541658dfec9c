//! Shared helpers for the rules tests: a stand-in reply parser and temporary rules directories.
#![allow(clippy::unwrap_used)]

use mailtriage::reply::Reply;
use std::path::PathBuf;

/// Builds a `Reply` from reply lines. A stand-in until `reply::extract` lands on this branch:
/// basic = the first 3 digits, enhanced = the `X.Y.Z` right after it, text = every line with
/// its `NNN-`/`NNN ` prefix and enhanced code removed, joined by one space.
pub fn reply(input: &str) -> Reply {
    let mut basic = None;
    let mut enhanced = None;
    let mut text = Vec::new();
    for line in input.lines() {
        let line = line.trim();
        let mut rest = line;
        if line.len() >= 3 && line.as_bytes()[..3].iter().all(u8::is_ascii_digit) {
            basic.get_or_insert(line[..3].parse::<u16>().unwrap());
            rest = line[3..].trim_start_matches(['-', ' ']);
            let first = rest.split_whitespace().next().unwrap_or("");
            let parts: Vec<&str> = first.split('.').collect();
            if parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                enhanced.get_or_insert(first.to_string());
                rest = rest[first.len()..].trim_start();
            }
        }
        if !rest.is_empty() {
            text.push(rest.to_string());
        }
    }
    Reply {
        basic,
        enhanced,
        text: text.join(" "),
        ..Reply::default()
    }
}

/// A temporary `--rules DIR` holding the given files.
pub struct RulesDir {
    pub dir: tempfile::TempDir,
}

impl RulesDir {
    pub fn new(files: &[(&str, &str)]) -> RulesDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        RulesDir { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}
