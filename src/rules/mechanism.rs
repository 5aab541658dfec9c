//! Which mechanisms (SPF, DKIM, reverse DNS, a blocklist ...) a reply's own words blame, read
//! with the vocabulary of rules/mechanisms.toml (`vocabulary.rs`), and whether a rule's
//! reading contradicts them.

use super::schema::MechanismRole;
use super::vocabulary::{Mechanisms, Verdict, bit};
use super::{RuleSet, words};

/// What a reply's words blame.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blame {
    /// Blamed mechanisms (indices into `RuleSet::mechanisms`) in vocabulary order. A
    /// consequence is dropped when a cause is blamed too.
    pub blamed: Vec<usize>,
    mask: Mechanisms,
    /// Whether a blamed mechanism says why mail was refused (a cause with a category): only
    /// such words can contradict a reading. "Rate limited" says what the receiver did, and a
    /// mention of MX does not say whose domain is at fault.
    names_a_cause: bool,
    /// Mechanisms the words say passed (and blame nowhere): "SPF passed", "not listed".
    passed: Mechanisms,
    /// Blamed mechanisms whose failure the words state ("spf check failed"), not only name in
    /// a clause without any cue ("set up SPF records for your domain").
    stated: Mechanisms,
}

impl Blame {
    /// Whether the words name no mechanism at all (then they contradict nothing).
    pub fn is_empty(&self) -> bool {
        self.mask == 0 && self.passed == 0
    }

    /// Whether a reading about `about` contradicts these words: it is about some mechanism and
    /// about none that the words blame, while the words blame a cause or say that everything
    /// it is about passed ("your IP is not listed on any blocklist").
    pub fn contradicts(&self, about: Mechanisms) -> bool {
        about != 0 && about & self.mask == 0 && (self.names_a_cause || about & !self.passed == 0)
    }

    /// Whether the words state the failure of a blamed mechanism (a fail cue), as opposed to
    /// naming it in a clause that says nothing about it.
    pub fn states_a_failure(&self) -> bool {
        self.stated & self.mask != 0
    }

    /// Whether a reading about `about` agrees with the words: it is about a blamed mechanism.
    pub fn agrees(&self, about: Mechanisms) -> bool {
        about & self.mask != 0
    }
}

impl RuleSet {
    /// The mechanisms the words of a reply's text blame.
    pub(crate) fn blame(&self, view: &words::View<'_>) -> Blame {
        let v = &self.vocabulary;
        if !v.names_any(&view.masked) {
            return Blame::default();
        }
        let own = view.own_words();
        let mentions = v.mentions(&own);
        let cues = v.cues_in(&own);
        let mut failed: Mechanisms = 0;
        let mut passed: Mechanisms = 0;
        let mut stated: Mechanisms = 0;
        let mut from = 0;
        for (cs, ce) in v.clauses(&own) {
            // Mentions are in order: this clause's are the next ones that end inside it.
            let first = from;
            while from < mentions.len() && mentions[from].1 <= ce {
                from += 1;
            }
            let mut here = mentions[first..from]
                .iter()
                .filter(|&&(s, _, _)| s >= cs)
                .peekable();
            let mut in_clause: Option<Option<Verdict>> = None;
            while let Some(&(_, end, m)) = here.next() {
                let next = here.peek().map_or(ce, |&&(s, _, _)| s.max(end));
                let cued = match v.verdict(&own, &cues, end, next) {
                    Some(b) => Some(b),
                    None => *in_clause.get_or_insert_with(|| v.verdict(&own, &cues, cs, ce)),
                };
                if cued == Some(Verdict::Failed) {
                    stated |= bit(m);
                }
                match cued.unwrap_or(Verdict::Failed) {
                    Verdict::Failed => failed |= bit(m),
                    Verdict::Passed => passed |= bit(m),
                    Verdict::Mentioned => {}
                }
            }
        }
        let is_cause = |m: usize| self.mechanisms[m].rule.role == MechanismRole::Cause;
        let blamed_all: Vec<usize> = (0..self.mechanisms.len().min(64))
            .filter(|&m| failed & bit(m) != 0)
            .collect();
        let blamed: Vec<usize> = if blamed_all.iter().any(|&m| is_cause(m)) {
            blamed_all.into_iter().filter(|&m| is_cause(m)).collect()
        } else {
            blamed_all
        };
        let mask = blamed.iter().fold(0, |acc, &m| acc | bit(m));
        let names_a_cause = blamed
            .iter()
            .any(|&m| is_cause(m) && self.mechanisms[m].rule.category.is_some());
        Blame {
            blamed,
            mask,
            names_a_cause,
            passed: passed & !mask,
            stated,
        }
    }

    /// The ids of the mechanisms the words of `text` blame, in vocabulary order (what
    /// rules/mechanisms.toml's examples are tested against).
    pub fn blamed_mechanisms(&self, text: &str) -> Vec<&str> {
        self.blame(&words::View::new(text))
            .blamed
            .iter()
            .map(|&m| self.mechanisms[m].rule.id.as_str())
            .collect()
    }

    /// The mechanisms a reading (a rule's category and checks) is about: those of its category
    /// and those sharing one of its checks.
    pub(crate) fn about(&self, category: &str, checks: &[String]) -> Mechanisms {
        let v = &self.vocabulary;
        let mask = |list: &[(String, Mechanisms)], key: &str| {
            list.iter().find(|(k, _)| k == key).map_or(0, |(_, m)| *m)
        };
        checks
            .iter()
            .fold(mask(&v.by_category, category), |acc, c| {
                acc | mask(&v.by_check, c)
            })
    }

    /// Whether the words blame a mechanism that sets a reading of `category` aside (its
    /// `overrides`).
    pub(crate) fn overrides(&self, blame: &Blame, category: &str) -> bool {
        blame.blamed.iter().any(|&m| {
            self.mechanisms[m]
                .rule
                .overrides
                .iter()
                .any(|c| c == category)
        })
    }

    /// The blamed mechanism that decides a reply's category: the first in vocabulary order
    /// that has one.
    pub(crate) fn primary(&self, blame: &Blame) -> Option<usize> {
        blame
            .blamed
            .iter()
            .copied()
            .find(|&m| self.mechanisms[m].rule.category.is_some())
    }
}
