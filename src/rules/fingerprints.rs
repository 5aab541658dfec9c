//! Each provider's fingerprints compiled (`[[provider]]` hosts, tokens, wording, markers and
//! links), and all of them in a few automata, built once they pay for themselves.
//!
//! The first few ASCII replies are matched pattern by pattern: a pattern whose required
//! literal is not in the text is never compiled, so one reply compiles a handful of the ~150
//! text patterns instead of one automaton of all of them (most of one `explain`'s CPU). Past
//! [`EAGER_AFTER`] replies (`scan`, a mailbox) the one-pass automata are built and used.

use super::lazy_regex::LazyRegex;
use super::types::SignalKind;
use regex::RegexSet;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Replies matched pattern by pattern before the automata are built: one automaton pass per
/// reply beats ~150 literal look-ups once its build cost is spread over a few replies.
const EAGER_AFTER: usize = 16;

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

    /// The automaton when `build` (built now if need be), else nothing.
    fn get_if(&self, build: bool) -> Option<&RegexSet> {
        if build { self.get() } else { None }
    }

    /// Whether the automaton has been built (or found too large).
    fn built(&self) -> bool {
        self.set.get().is_some()
    }

    /// The automaton, or `None` when the patterns are too large for one (each is then tried
    /// on its own).
    pub(super) fn get(&self) -> Option<&RegexSet> {
        self.set
            .get_or_init(|| RegexSet::new(self.patterns.iter().map(|p| ascii_boundaries(p))).ok())
            .as_ref()
    }
}

/// The pattern with its word boundaries (`\b`) read in ASCII. The automata meet non-ASCII text
/// (ASCII text is matched pattern by pattern first), and a Unicode word boundary there makes the
/// set give up its fast engine for its slowest (a tenth of a Maildir scan's CPU). For ASCII
/// text both readings agree; next to CJK text, which has no spaces, the ASCII reading is the
/// one that finds a token (`...送信できませんでした gsmtp` and `...でしたgsmtp` alike).
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
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
    /// Texts matched so far (see [`EAGER_AFTER`]).
    texts: AtomicUsize,
    /// Host names matched so far.
    host_names: AtomicUsize,
}

impl TextSet {
    /// The automata's patterns, from every provider's compiled fingerprints (nothing is
    /// compiled here).
    pub(super) fn new(providers: &[Patterns]) -> TextSet {
        let mut masked = (Vec::new(), Vec::new());
        let mut raw = (Vec::new(), Vec::new());
        let mut all = (Vec::new(), Vec::new());
        let mut hosts = (Vec::new(), Vec::new());
        for (p, pats) in providers.iter().enumerate() {
            for (k, (_, re)) in pats.text.iter().enumerate() {
                let pattern = re.pattern().to_string();
                let target = if pattern.contains('@') {
                    &mut raw
                } else {
                    &mut masked
                };
                target.0.push(pattern.clone());
                target.1.push((p, k));
                all.0.push(pattern);
                all.1.push((p, k));
            }
            for re in &pats.hosts {
                hosts.0.push(re.pattern().to_string());
                hosts.1.push(p);
            }
        }
        TextSet {
            masked: LazySet::new(masked.0, masked.1),
            raw: LazySet::new(raw.0, raw.1),
            all: LazySet::new(all.0, all.1),
            hosts: LazySet::new(hosts.0, hosts.1),
            texts: AtomicUsize::new(0),
            host_names: AtomicUsize::new(0),
        }
    }

    /// The providers one of whose host patterns matches `host`, in provider order (a provider
    /// may come more than once).
    pub(super) fn host_hits(&self, providers: &[Patterns], host: &str) -> Vec<usize> {
        let one_by_one = host.is_ascii()
            && !self.hosts.built()
            && self.host_names.fetch_add(1, Ordering::Relaxed) < EAGER_AFTER;
        match (one_by_one, self.hosts.get_if(!one_by_one)) {
            (false, Some(rs)) => rs
                .matches(host)
                .iter()
                .map(|i| self.hosts.owners[i])
                .collect(),
            // Pattern by pattern, or too large for one automaton.
            _ => (0..providers.len())
                .filter(|&p| providers[p].hosts.iter().any(|re| re.is_match(host)))
                .collect(),
        }
    }

    /// The (provider, pattern) pairs whose text fingerprint matches, in provider order. Text
    /// patterns never see addresses (`masked_text`) unless they name one themselves.
    pub(super) fn text_hits(
        &self,
        providers: &[Patterns],
        text: &str,
        masked_text: &str,
    ) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        // Without an address the two views are one text: one pass with every pattern.
        let passes = if text.contains('@') {
            vec![(&self.masked, masked_text), (&self.raw, text)]
        } else {
            vec![(&self.all, text)]
        };
        // Literals are only looked for in ASCII text (`LazyRegex::is_match`); other text goes
        // to the automaton at once rather than compile every pattern on its own.
        let one_by_one = text.is_ascii()
            && !passes.iter().any(|(set, _)| set.built())
            && self.texts.fetch_add(1, Ordering::Relaxed) < EAGER_AFTER;
        for (set, haystack) in passes {
            let matches = |&(p, k): &(usize, usize)| providers[p].text[k].1.is_match(haystack);
            match (one_by_one, set.get_if(!one_by_one)) {
                (false, Some(rs)) => {
                    hits.extend(rs.matches(haystack).iter().map(|i| set.owners[i]))
                }
                // Pattern by pattern, or too large for one automaton.
                _ => hits.extend(set.owners.iter().copied().filter(matches)),
            }
        }
        hits.sort_unstable();
        hits
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn word_boundaries_are_read_in_ascii_and_escapes_are_kept() {
        assert_eq!(
            super::ascii_boundaries(r"\bgsmtp\b|a\\b\.c\B"),
            r"(?-u:\b)gsmtp(?-u:\b)|a\\b\.c\B"
        );
        let set = regex::RegexSet::new([super::ascii_boundaries(r"\bgsmtp\b")]).unwrap();
        assert!(set.is_match("送信できませんでしたgsmtp"));
        assert!(!set.is_match("xgsmtp"));
    }
}
