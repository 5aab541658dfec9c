//! Which of the rules' tables a run loads: all of them, or only what decoding a reply reads.
//! `explain` of one reply spent most of its start-up decoding tables it never reads
//! (findings, the plan, escalation, senders, selectors, suppression, the checks' own tables)
//! and the rules' examples, which only `rules lint`, `rules show` and the tests read.

/// The tables a command reads; the precompiled built-ins hold both forms (build.rs writes
/// `load::RawFile::reply_part` beside each whole file).
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
