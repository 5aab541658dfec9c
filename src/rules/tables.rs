//! Which of the rules' tables a run loads: all of them, or only what decoding a reply reads.
//! `explain` of one reply spent most of its start-up decoding tables it never reads
//! (findings, the plan, escalation, senders, selectors, suppression, the checks' own tables)
//! and the rules' examples, which only `rules lint`, `rules show` and the tests read.

use super::load::RawFile;

/// The tables a command reads; the precompiled built-ins hold both forms (build.rs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tables {
    /// Every table, examples included.
    #[default]
    All,
    /// What decoding a reply reads: the registry (classes, subjects, basic and enhanced
    /// codes), handling, providers with their fingerprints and rules, phrases and the
    /// mechanism vocabulary; without their examples. Every other table is empty.
    Reply,
}

/// A table's rows as they are, or with the examples left out.
#[allow(dead_code)] // only build.rs splits the files
fn rows<T: Clone>(rows: &[(usize, T)], strip: fn(&mut T)) -> Vec<(usize, T)> {
    rows.iter()
        .map(|(line, rule)| {
            let mut rule = rule.clone();
            strip(&mut rule);
            (*line, rule)
        })
        .collect()
}

#[allow(dead_code)]
fn keep<T>(_: &mut T) {}

impl RawFile {
    /// The part of this file that decoding a reply reads (`Tables::Reply`).
    #[allow(dead_code)] // only build.rs splits the files
    pub(crate) fn reply_part(&self) -> RawFile {
        RawFile {
            class: rows(&self.class, keep),
            subject_digit: rows(&self.subject_digit, keep),
            basic: rows(&self.basic, |r| r.examples = Vec::new()),
            enhanced_class: rows(&self.enhanced_class, keep),
            enhanced_subject: rows(&self.enhanced_subject, keep),
            enhanced: rows(&self.enhanced, |r| r.examples = Vec::new()),
            handling: rows(&self.handling, keep),
            provider: rows(&self.provider, keep),
            provider_rule: rows(&self.provider_rule, |r| r.examples = Vec::new()),
            phrase: rows(&self.phrase, |r| r.examples = Vec::new()),
            mechanism: rows(&self.mechanism, |r| {
                r.examples = Vec::new();
                r.not_examples = Vec::new();
            }),
            mechanism_cue: rows(&self.mechanism_cue, keep),
            ..RawFile::default()
        }
    }
}
