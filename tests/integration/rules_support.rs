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

/// `input` as `mailtriage explain --format FORMAT` prints it: every reply extracted, decoded by
/// `set`, rendered with `form` as the input's form.
pub fn explain_output(
    set: &mailtriage::rules::RuleSet,
    input: &str,
    form: mailtriage::reply::InputForm,
    format: mailtriage::report::Format,
) -> String {
    use mailtriage::report::{ExplainReport, Report, render};
    let items: Vec<_> = mailtriage::reply::extract(input.as_bytes())
        .unwrap()
        .replies
        .into_iter()
        .map(|r| {
            let d = set.decode(&r);
            (r, d)
        })
        .collect();
    let view = Report::Explain(ExplainReport {
        form,
        kind: None,
        replies: &items,
    });
    let mut out = Vec::new();
    render(&mut out, format, &view).unwrap();
    String::from_utf8(out).unwrap()
}

/// `input` as `mailtriage explain --format json` prints it (see [`explain_output`]).
pub fn explain_json(
    set: &mailtriage::rules::RuleSet,
    input: &str,
    form: mailtriage::reply::InputForm,
) -> serde_json::Value {
    let out = explain_output(set, input, form, mailtriage::report::Format::Json);
    serde_json::from_str(&out).unwrap()
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
