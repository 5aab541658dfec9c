//! Shared helpers for the rules tests: rule examples read as replies, and temporary rules
//! directories.
#![allow(clippy::unwrap_used)]

use mailtriage::reply::{InputError, Reply};
use std::path::PathBuf;

/// An example as `mailtriage explain` reads it (its first reply); an example of words alone
/// (a phrase or provider rule that reads no code) is the text of a reply without a code.
pub fn reply(input: &str) -> Reply {
    match mailtriage::reply::extract(input.as_bytes()) {
        Ok(x) => x.replies.into_iter().next().unwrap(),
        Err(InputError::NoReply) => Reply {
            text: input.split_whitespace().collect::<Vec<_>>().join(" "),
            ..Reply::default()
        },
        Err(e) => panic!("{input:?}: {e}"),
    }
}

/// A reply whose code no rule knows (599). `explain` refuses it as out of range, so only a
/// library caller can hand one to the decoder and the renderers.
pub fn unknown_reply() -> Reply {
    Reply {
        basic: Some(599),
        text: "Odd".into(),
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
