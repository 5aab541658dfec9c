//! Which mechanisms (SPF, DKIM, reverse DNS, a blocklist ...) a reply's own words blame, read
//! with the vocabulary of rules/mechanisms.toml, and whether a rule's reading contradicts them.
//!
//! A mention blames its mechanism unless the words around it say it passed or only point at
//! documentation: the cue in the stretch after the name (up to the next name) decides, else a
//! cue anywhere in its clause, else the mention blames. A `fail` cue outweighs the others
//! ("did not pass" holds "pass"), and clauses end at `boundary` cues ("SPF passed but DKIM
//! failed"). Links and addresses are not the reply's own words and are left out first.

use super::lazy_regex::LazyRegex;
use super::schema::{CueKind, MechanismRole};
use super::{RuleSet, words};
use regex::RegexSet;
use std::sync::OnceLock;

/// The vocabulary compiled: one pattern per mechanism and per cue kind.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// Each mechanism's words as one pattern, aligned with `RuleSet::mechanisms`.
    names: Vec<Option<LazyRegex>>,
    /// Each cue entry's words as one pattern, aligned with `RuleSet::mechanism_cues`.
    cues: Vec<(CueKind, Option<LazyRegex>)>,
    /// Every cue of a kind as one pattern: fail, pass, reference, identifier, boundary.
    by_kind: [Option<LazyRegex>; 5],
    /// All mechanism words in one automaton: most replies name none, and this says so in one pass.
    any: OnceLock<Option<RegexSet>>,
}

fn kind_index(k: CueKind) -> usize {
    match k {
        CueKind::Fail => 0,
        CueKind::Pass => 1,
        CueKind::Reference => 2,
        CueKind::Identifier => 3,
        CueKind::Boundary => 4,
    }
}

/// Several checked patterns as one alternation (each keeps its own flags inside its group).
pub(crate) fn alternation(patterns: &[&str]) -> Option<LazyRegex> {
    if patterns.is_empty() {
        return None;
    }
    let joined: Vec<String> = patterns.iter().map(|p| format!("(?:{p})")).collect();
    LazyRegex::parse(&joined.join("|")).ok()
}

impl Vocabulary {
    /// Builds it from patterns already checked one by one (the ones that failed are left out).
    pub(crate) fn new(names: Vec<Vec<&str>>, cues: Vec<(CueKind, Vec<&str>)>) -> Vocabulary {
        let by_kind = [
            CueKind::Fail,
            CueKind::Pass,
            CueKind::Reference,
            CueKind::Identifier,
            CueKind::Boundary,
        ]
        .map(|k| {
            let all: Vec<&str> = cues
                .iter()
                .filter(|(kind, _)| *kind == k)
                .flat_map(|(_, w)| w.iter().copied())
                .collect();
            alternation(&all)
        });
        Vocabulary {
            names: names.iter().map(|w| alternation(w)).collect(),
            cues: cues.iter().map(|(k, w)| (*k, alternation(w))).collect(),
            by_kind,
            any: OnceLock::new(),
        }
    }

    pub(crate) fn mechanism_regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        self.names.iter().flatten()
    }

    pub(crate) fn cue_regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        self.cues.iter().filter_map(|(_, re)| re.as_ref())
    }

    fn cue(&self, k: CueKind, s: &str) -> bool {
        self.by_kind[kind_index(k)]
            .as_ref()
            .is_some_and(|re| re.is_match(s))
    }

    /// What the words around a mention say about it, if anything.
    fn verdict(&self, s: &str) -> Option<Verdict> {
        if self.cue(CueKind::Fail, s) {
            Some(Verdict::Failed)
        } else if self.cue(CueKind::Pass, s) {
            Some(Verdict::Passed)
        } else if self.cue(CueKind::Reference, s) || self.cue(CueKind::Identifier, s) {
            Some(Verdict::Mentioned)
        } else {
            None
        }
    }

    fn names_any(&self, text: &str) -> bool {
        let set = self.any.get_or_init(|| {
            RegexSet::new(self.names.iter().flatten().map(LazyRegex::pattern)).ok()
        });
        match set {
            Some(set) => set.is_match(text),
            None => self.names.iter().flatten().any(|re| re.is_match(text)),
        }
    }

    /// The clauses of `text`: the stretches between boundary cues.
    fn clauses<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let Some(re) = self.by_kind[kind_index(CueKind::Boundary)]
            .as_ref()
            .and_then(LazyRegex::regex)
        else {
            return vec![text];
        };
        let mut out = Vec::new();
        let mut at = 0;
        for m in re.find_iter(text) {
            out.push(&text[at..m.start()]);
            at = m.end();
        }
        out.push(&text[at..]);
        out
    }
}

/// What the words around one mention say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// It failed: the reply blames it.
    Failed,
    /// It passed, or is said not to be at fault ("not listed").
    Passed,
    /// Only referred to (documentation) or used to name something ("your DKIM domain").
    Mentioned,
}

/// What a reply's words blame.
#[derive(Debug, Clone, Default)]
pub(crate) struct Blame {
    /// Blamed mechanisms (indices into `RuleSet::mechanisms`) in vocabulary order, each with
    /// the words that named it. A consequence is dropped when a cause is blamed too.
    pub blamed: Vec<(usize, String)>,
    /// Whether a blamed mechanism says why mail was refused (a cause with a category): only
    /// such words can contradict a reading. "Rate limited" says what the receiver did, and a
    /// mention of MX does not say whose domain is at fault.
    pub names_a_cause: bool,
    /// Mechanisms the words say passed (and blame nowhere): "SPF passed", "not listed".
    pub passed: Vec<usize>,
}

impl Blame {
    pub fn blames(&self, m: usize) -> bool {
        self.blamed.iter().any(|(i, _)| *i == m)
    }

    /// Whether a reading about `about` (mechanism indices) contradicts these words: it is
    /// about some mechanism and about none that the words blame, while the words blame a cause
    /// or say that everything it is about passed ("your IP is not listed on any blocklist").
    pub fn contradicts(&self, about: &[usize]) -> bool {
        !about.is_empty()
            && !about.iter().any(|&m| self.blames(m))
            && (self.names_a_cause || about.iter().all(|m| self.passed.contains(m)))
    }

    /// Whether a reading about `about` agrees with the words: it is about a blamed mechanism.
    pub fn agrees(&self, about: &[usize]) -> bool {
        about.iter().any(|&m| self.blames(m))
    }
}

impl RuleSet {
    /// The mechanisms the words of `text` blame.
    pub(crate) fn blame(&self, text: &str) -> Blame {
        let v = &self.vocabulary;
        if !v.names_any(text) {
            return Blame::default();
        }
        let own = words::own_words(text);
        let mut found: Vec<(usize, String)> = Vec::new();
        let mut passed: Vec<usize> = Vec::new();
        for clause in v.clauses(&own) {
            let mut mentions: Vec<(usize, usize, usize)> = Vec::new();
            for (m, re) in v.names.iter().enumerate() {
                let Some(re) = re.as_ref().and_then(LazyRegex::regex) else {
                    continue;
                };
                mentions.extend(re.find_iter(clause).map(|x| (x.start(), x.end(), m)));
            }
            if mentions.is_empty() {
                continue;
            }
            mentions.sort_unstable();
            let mut in_clause: Option<Option<Verdict>> = None;
            for (k, &(start, end, m)) in mentions.iter().enumerate() {
                let next = mentions
                    .iter()
                    .skip(k + 1)
                    .map(|&(s, _, _)| s)
                    .find(|&s| s >= end)
                    .unwrap_or(clause.len());
                let after = clause.get(end..next).unwrap_or("");
                let verdict = match v.verdict(after) {
                    Some(b) => b,
                    None => in_clause
                        .get_or_insert_with(|| v.verdict(clause))
                        .unwrap_or(Verdict::Failed),
                };
                match verdict {
                    Verdict::Failed if !found.iter().any(|(i, _)| *i == m) => {
                        found.push((m, clause[start..end].to_string()));
                    }
                    Verdict::Passed if !passed.contains(&m) => passed.push(m),
                    _ => {}
                }
            }
        }
        let role = |m: usize| self.mechanisms[m].rule.role;
        if found.iter().any(|&(m, _)| role(m) == MechanismRole::Cause) {
            found.retain(|&(m, _)| role(m) == MechanismRole::Cause);
        }
        found.sort_by_key(|&(m, _)| m);
        passed.retain(|m| !found.iter().any(|(i, _)| i == m));
        let names_a_cause = found.iter().any(|&(m, _)| {
            role(m) == MechanismRole::Cause && self.mechanisms[m].rule.category.is_some()
        });
        Blame {
            blamed: found,
            names_a_cause,
            passed,
        }
    }

    /// The ids of the mechanisms the words of `text` blame, in vocabulary order (what
    /// rules/mechanisms.toml's examples are tested against).
    pub fn blamed_mechanisms(&self, text: &str) -> Vec<&str> {
        self.blame(text)
            .blamed
            .iter()
            .map(|(m, _)| self.mechanisms[*m].rule.id.as_str())
            .collect()
    }

    /// The mechanisms a reading (a rule's category and checks) is about.
    pub(crate) fn about(&self, category: &str, checks: &[String]) -> Vec<usize> {
        self.mechanisms
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.rule.category.as_deref() == Some(category)
                    || l.rule.checks.iter().any(|c| checks.contains(c))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The blamed mechanism that decides a reply's category: the first in vocabulary order
    /// that has one.
    pub(crate) fn primary(&self, blame: &Blame) -> Option<usize> {
        blame
            .blamed
            .iter()
            .map(|&(m, _)| m)
            .find(|&m| self.mechanisms[m].rule.category.is_some())
    }
}
