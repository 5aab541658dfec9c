//! Each provider's fingerprints compiled (`[[provider]]` hosts, tokens, wording, markers and
//! links), and all of them in a few automata, built once on the first decode.

use super::lazy_regex::LazyRegex;
use super::types::SignalKind;
use regex::RegexSet;
use std::sync::OnceLock;

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

/// Patterns compiled into one automaton on first use, and the owner of each: a reply needs
/// one or two of `TextSet`'s automata, and building all of them was most of one run's start-up.
#[derive(Debug, Default)]
pub(crate) struct LazySet<O> {
    patterns: Vec<String>,
    pub(super) owners: Vec<O>,
    set: OnceLock<Option<RegexSet>>,
}

impl<O> LazySet<O> {
    pub(super) fn new(patterns: Vec<String>, owners: Vec<O>) -> LazySet<O> {
        LazySet {
            patterns,
            owners,
            set: OnceLock::new(),
        }
    }

    /// The automaton, or `None` when the patterns are too large for one (each is then tried
    /// on its own).
    pub(super) fn get(&self) -> Option<&RegexSet> {
        self.set
            .get_or_init(|| RegexSet::new(&self.patterns).ok())
            .as_ref()
    }
}

/// Every fingerprint pattern of every provider in a few automata: text patterns matched
/// against the text with addresses masked, the few that name an address (matched against the
/// text as is), all text patterns for a text without an address, and host patterns.
#[derive(Debug, Default)]
pub(crate) struct TextSet {
    pub(super) masked: LazySet<(usize, usize)>,
    pub(super) raw: LazySet<(usize, usize)>,
    /// Every text pattern, for a text that quotes no address.
    pub(super) all: LazySet<(usize, usize)>,
    /// Every host pattern, and the provider each belongs to.
    pub(super) hosts: LazySet<usize>,
}
