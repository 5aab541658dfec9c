//! Each provider's fingerprints compiled (`[[provider]]` hosts, tokens, wording, markers and
//! links), and all of them in a few automata, built once on the first decode.

use super::lazy_regex::LazyRegex;
use super::types::SignalKind;
use regex::RegexSet;

/// One provider's fingerprints, compiled (aligned with `RuleSet::providers`).
#[derive(Debug, Default)]
pub(crate) struct Patterns {
    pub hosts: Vec<LazyRegex>,
    /// Token, wording and marker patterns, each with its kind.
    pub text: Vec<(SignalKind, LazyRegex)>,
    /// `(domain, path prefix)`, lowercase.
    pub links: Vec<(String, String)>,
}

impl Patterns {
    pub(crate) fn regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        self.hosts.iter().chain(self.text.iter().map(|(_, re)| re))
    }
}

/// Every fingerprint pattern of every provider in three automata: text patterns matched
/// against the text with addresses masked, the few that name an address (matched against the
/// text as is), and host patterns.
#[derive(Debug, Default)]
pub(crate) struct TextSet {
    pub(super) masked: Option<RegexSet>,
    pub(super) masked_owners: Vec<(usize, usize)>,
    pub(super) raw: Option<RegexSet>,
    pub(super) raw_owners: Vec<(usize, usize)>,
    /// Every text pattern, for a text that quotes no address.
    pub(super) all: Option<RegexSet>,
    pub(super) all_owners: Vec<(usize, usize)>,
    /// Every host pattern, and the provider each belongs to.
    pub(super) hosts: Option<RegexSet>,
    pub(super) host_owners: Vec<usize>,
}
