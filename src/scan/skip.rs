//! Why lines or messages were skipped, counted per input with where the first one was.

use serde::{Deserialize, Serialize};

/// A reason to skip a line or a message (stable kebab-case ids: they appear in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    LineTooLong,
    BinaryData,
    NotUtf8,
    NoTime,
    CutOff,
    NotAMessage,
    NoReply,
    MessageTooLarge,
    NestedTooDeep,
    BadRow,
    NoAddress,
}

impl Reason {
    pub fn id(self) -> &'static str {
        match self {
            Reason::LineTooLong => "line-too-long",
            Reason::BinaryData => "binary-data",
            Reason::NotUtf8 => "not-utf8",
            Reason::NoTime => "no-time",
            Reason::CutOff => "cut-off",
            Reason::NotAMessage => "not-a-message",
            Reason::NoReply => "no-reply",
            Reason::MessageTooLarge => "message-too-large",
            Reason::NestedTooDeep => "nested-too-deep",
            Reason::BadRow => "bad-row",
            Reason::NoAddress => "no-address",
        }
    }

    /// What was skipped and why, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::LineTooLong => "lines longer than 65,536 bytes",
            Reason::BinaryData => "lines of binary data (NUL or control bytes)",
            Reason::NotUtf8 => "delivery lines that are not valid UTF-8",
            Reason::NoTime => "delivery lines whose time could not be read",
            Reason::CutOff => "a last line cut off where the input ended early",
            Reason::NotAMessage => "files that are not mail messages",
            Reason::NoReply => "messages with no SMTP reply, bounce or complaint in them",
            Reason::MessageTooLarge => "messages larger than 10 MiB",
            Reason::NestedTooDeep => "messages nesting more than 32 messages inside each other",
            Reason::BadRow => "export rows that could not be read",
            Reason::NoAddress => "results without a usable recipient address",
        }
    }
}

/// One reason's count and the position (1-based line, row or message number) of its first case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub reason: Reason,
    pub count: u64,
    pub first: u64,
}

/// Skips of one input, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkipCounts(pub Vec<Count>);

impl SkipCounts {
    pub fn add(&mut self, reason: Reason, position: u64) {
        self.add_n(reason, 1, position);
    }

    pub fn add_n(&mut self, reason: Reason, n: u64, first: u64) {
        if n == 0 {
            return;
        }
        match self.0.iter_mut().find(|c| c.reason == reason) {
            Some(c) => {
                c.count += n;
                c.first = c.first.min(first);
            }
            None => self.0.push(Count {
                reason,
                count: n,
                first,
            }),
        }
    }

    pub fn total(&self) -> u64 {
        self.0.iter().map(|c| c.count).sum()
    }

    /// One stderr line per reason: `mail.log: skipped 3 (lines of binary data ...), first at
    /// line 1042`; `unit` is what positions count in this input (line, row or message).
    pub fn lines(&self, input: &str, unit: &str) -> Vec<String> {
        self.0
            .iter()
            .map(|c| {
                format!(
                    "{input}: skipped {} ({}), first at {unit} {}",
                    c.count,
                    c.reason.describe(),
                    c.first
                )
            })
            .collect()
    }
}
