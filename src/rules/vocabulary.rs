//! The mechanism vocabulary of rules/mechanisms.toml compiled: where a text names which
//! mechanism, and what the words around a mention say about it (see `mechanism.rs` for what
//! the decoder makes of them).
//!
//! A mention blames its mechanism unless the words around it say it passed or only point at
//! documentation: the cue in the stretch after the name (up to the next name) decides, else a
//! cue anywhere in its clause, else the mention blames. A `fail` cue outweighs the others
//! ("did not pass" holds "pass"), and clauses end at `boundary` cues ("SPF passed but DKIM
//! failed"). Links and addresses are not the reply's own words and are left out first.
//! Sets of mechanisms are bit masks (bit i: the i-th `[[mechanism]]`; the first 64 count).

use super::builtin_literals::required_literals;
use super::lazy_regex::{LazyRegex, ascii_boundary_test};
use super::marker_filter::Literals;
use super::schema::CueKind;
use crate::match_only::MatchOnly;
use crate::shared_search::SharedSearch;
use regex_automata::meta::Regex as MultiRegex;
use std::sync::OnceLock;

/// A set of mechanisms: bit i is the i-th `[[mechanism]]`.
pub(crate) type Mechanisms = u64;

pub(super) fn bit(m: usize) -> Mechanisms {
    if m < 64 { 1 << m } else { 0 }
}

/// The vocabulary compiled: one pattern per mechanism and per cue kind.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// Each mechanism's words as one pattern, aligned with `RuleSet::mechanisms`.
    names: Vec<Option<LazyRegex>>,
    /// Every mechanism's words, for [`Vocabulary::name_literals`].
    words: Vec<String>,
    /// Literals one of which every mention holds (None when a word has none): an ASCII text
    /// without any names no mechanism, and the automaton below is not built for it.
    name_literals: OnceLock<Option<Literals>>,
    /// Texts looked at with `name_literals` (past 16, the automaton answers: `scan`).
    name_tries: std::sync::atomic::AtomicU32,
    /// Every mechanism's words in one automaton, one pattern per mechanism (with its index):
    /// most replies name none, and one pass says so; where they do, its matches are the
    /// mentions, each saying whose words it is. Built on first use.
    all_names: OnceLock<Option<(SharedSearch, Vec<usize>)>>,
    /// Every mechanism's words with ASCII word boundaries, when that reading is exact as a
    /// test that only says no (`lazy_regex::ascii_boundary_test`): on non-ASCII text the
    /// automaton above leaves its fast engine for the PikeVM, this one does not.
    ascii_names: OnceLock<Option<MatchOnly>>,
    /// Each cue entry's words as one pattern, aligned with `RuleSet::mechanism_cues`.
    cues: Vec<(CueKind, Option<LazyRegex>)>,
    /// Every cue of a kind as one pattern: fail, pass, reference, identifier, boundary.
    by_kind: [Option<LazyRegex>; 5],
    /// The mechanisms each category and each check stands for (what a reading is about).
    pub(super) by_category: Vec<(String, Mechanisms)>,
    pub(super) by_check: Vec<(String, Mechanisms)>,
    /// See [`Vocabulary::judging`]; built on first use.
    judging: OnceLock<Option<(SharedSearch, Vec<CueKind>)>>,
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
/// Each part parses (`validate` checked it, or the build did), so their alternation does too:
/// it is not parsed again at load.
pub(crate) fn alternation(patterns: &[&str]) -> Option<LazyRegex> {
    if patterns.is_empty() {
        return None;
    }
    let joined: Vec<String> = patterns.iter().map(|p| format!("(?:{p})")).collect();
    Some(LazyRegex::joined(&joined.join("|")))
}

impl Vocabulary {
    /// Builds it from patterns already checked one by one (the ones that failed are left out)
    /// and each mechanism's (category, checks).
    pub(crate) fn new(
        names: Vec<Vec<&str>>,
        cues: Vec<(CueKind, Vec<&str>)>,
        readings: &[(Option<&str>, &[String])],
    ) -> Vocabulary {
        let mut by_category: Vec<(String, Mechanisms)> = Vec::new();
        let mut by_check: Vec<(String, Mechanisms)> = Vec::new();
        let add = |list: &mut Vec<(String, Mechanisms)>, key: &str, m: usize| match list
            .iter_mut()
            .find(|(k, _)| k == key)
        {
            Some((_, mask)) => *mask |= bit(m),
            None => list.push((key.to_string(), bit(m))),
        };
        for (m, (category, checks)) in readings.iter().enumerate() {
            if let Some(c) = category {
                add(&mut by_category, c, m);
            }
            for c in checks.iter() {
                add(&mut by_check, c, m);
            }
        }
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
            words: names.iter().flatten().map(|w| w.to_string()).collect(),
            name_literals: OnceLock::new(),
            name_tries: Default::default(),
            names: names.iter().map(|w| alternation(w)).collect(),
            all_names: OnceLock::new(),
            ascii_names: OnceLock::new(),
            cues: cues.iter().map(|(k, w)| (*k, alternation(w))).collect(),
            by_kind,
            by_category,
            by_check,
            judging: OnceLock::new(),
        }
    }

    pub(crate) fn mechanism_regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        self.names.iter().flatten()
    }

    pub(crate) fn cue_regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        self.cues.iter().filter_map(|(_, re)| re.as_ref())
    }

    /// The fail, pass and reference cues in one automaton, one pattern per kind in that order,
    /// so that where a fail and a pass cue start together ("not pass") the fail cue is found.
    fn judging(&self) -> Option<&(SharedSearch, Vec<CueKind>)> {
        self.judging
            .get_or_init(|| {
                let (patterns, kinds): (Vec<&str>, Vec<CueKind>) =
                    [CueKind::Fail, CueKind::Pass, CueKind::Reference]
                        .into_iter()
                        .filter_map(|k| {
                            self.by_kind[kind_index(k)]
                                .as_ref()
                                .map(|re| (re.pattern(), k))
                        })
                        .unzip();
                new_many(&patterns).map(|re| (SharedSearch::new(re), kinds))
            })
            .as_ref()
    }

    /// Every fail, pass and reference cue in `text`: (start, end, kind), in order.
    pub(super) fn cues_in(&self, text: &str) -> Vec<(usize, usize, CueKind)> {
        match self.judging() {
            Some((re, kinds)) => re
                .find_all(text)
                .into_iter()
                .map(|x| (x.start(), x.end(), kinds[x.pattern().as_usize()]))
                .collect(),
            None => {
                let mut out = Vec::new();
                for k in [CueKind::Fail, CueKind::Pass, CueKind::Reference] {
                    if let Some(re) = self.by_kind[kind_index(k)]
                        .as_ref()
                        .and_then(LazyRegex::regex)
                    {
                        out.extend(
                            re.find_all(text)
                                .into_iter()
                                .map(|x| (x.start(), x.end(), k)),
                        );
                    }
                }
                out.sort_unstable_by_key(|&(s, e, _)| (s, e));
                out
            }
        }
    }

    /// What the words from `from` to `to` of `text` say about a mention, given the cues of the
    /// text: a fail cue wins, then a pass cue, then a reference or an identifier.
    pub(super) fn verdict(
        &self,
        text: &str,
        cues: &[(usize, usize, CueKind)],
        from: usize,
        to: usize,
    ) -> Option<Verdict> {
        let mut kinds = cues
            .iter()
            .filter(|&&(s, e, _)| s >= from && e <= to)
            .map(|&(_, _, k)| k);
        let (mut pass, mut reference) = (false, false);
        for k in kinds.by_ref() {
            match k {
                CueKind::Fail => return Some(Verdict::Failed),
                CueKind::Pass => pass = true,
                _ => reference = true,
            }
        }
        if pass {
            Some(Verdict::Passed)
        } else if reference || self.cue(CueKind::Identifier, &text[from..to]) {
            Some(Verdict::Mentioned)
        } else {
            None
        }
    }

    fn cue(&self, k: CueKind, s: &str) -> bool {
        self.by_kind[kind_index(k)]
            .as_ref()
            .is_some_and(|re| re.is_match(s))
    }

    fn all_names(&self) -> Option<&(SharedSearch, Vec<usize>)> {
        self.all_names
            .get_or_init(|| {
                let (patterns, owners): (Vec<&str>, Vec<usize>) = self
                    .names
                    .iter()
                    .enumerate()
                    .filter_map(|(m, re)| re.as_ref().map(|re| (re.pattern(), m)))
                    .unzip();
                new_many(&patterns).map(|re| (SharedSearch::new(re), owners))
            })
            .as_ref()
    }

    /// Whether `text` names any mechanism.
    pub(super) fn names_any(&self, text: &str) -> bool {
        let literals = || {
            self.name_literals.get_or_init(|| {
                let sets: Option<Vec<Literals>> =
                    self.words.iter().map(|w| required_literals(w)).collect();
                sets.map(Literals::union)
            })
        };
        if self.all_names.get().is_none()
            && text.is_ascii()
            && self
                .name_tries
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                < 16
            && literals().as_ref().is_some_and(|l| !l.any_in(text))
        {
            return false;
        }
        if !text.is_ascii()
            && !text.contains(['\u{17F}', '\u{212A}'])
            && self.ascii_names().is_some_and(|re| !re.is_match(text))
        {
            return false;
        }
        match self.all_names() {
            Some((re, _)) => re.is_match(text),
            None => self.names.iter().flatten().any(|re| re.is_match(text)),
        }
    }

    /// See `ascii_names`: `None` when a mechanism's words do not allow it.
    fn ascii_names(&self) -> Option<&MatchOnly> {
        self.ascii_names
            .get_or_init(|| {
                let patterns: Option<Vec<String>> = self
                    .names
                    .iter()
                    .flatten()
                    .map(|re| ascii_boundary_test(re.pattern()))
                    .collect();
                MatchOnly::new_many(&patterns?)
            })
            .as_ref()
    }

    /// Every mention in `text`: (start, end, mechanism), in order; where two mechanisms' words
    /// start at one place, the first mechanism's.
    pub(super) fn mentions(&self, text: &str) -> Vec<(usize, usize, usize)> {
        match self.all_names() {
            Some((re, owners)) => re
                .find_all(text)
                .into_iter()
                .map(|x| (x.start(), x.end(), owners[x.pattern().as_usize()]))
                .collect(),
            // Too large for one automaton: each mechanism's words on their own.
            None => {
                let mut out: Vec<(usize, usize, usize)> = Vec::new();
                for (m, re) in self.names.iter().enumerate() {
                    if let Some(re) = re.as_ref().and_then(LazyRegex::regex) {
                        out.extend(
                            re.find_all(text)
                                .into_iter()
                                .map(|x| (x.start(), x.end(), m)),
                        );
                    }
                }
                out.sort_unstable();
                out
            }
        }
    }

    /// The clauses of `text` as byte ranges: the stretches between boundary cues.
    pub(super) fn clauses(&self, text: &str) -> Vec<(usize, usize)> {
        let Some(re) = self.by_kind[kind_index(CueKind::Boundary)]
            .as_ref()
            .and_then(LazyRegex::regex)
        else {
            return vec![(0, text.len())];
        };
        let mut out = Vec::new();
        let mut at = 0;
        for m in re.find_all(text) {
            out.push((at, m.start()));
            at = m.end();
        }
        out.push((at, text.len()));
        out
    }
}

/// What the words around one mention say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It failed: the reply blames it.
    Failed,
    /// It passed, or is said not to be at fault ("not listed").
    Passed,
    /// Only referred to (documentation) or used to name something ("your DKIM domain").
    Mentioned,
}

/// Compiles as `meta::Regex::new_many` does, without the literal prefilter, full DFA and
/// one-pass DFA: extracting the prefixes and suffixes of every mechanism word and cue (long
/// `(?i)` alternations) cost more than the few hundred short texts searched with them (a
/// third of these automata's compilation, callgrind). The same engines, so the same answers.
fn new_many<P: AsRef<str>>(patterns: &[P]) -> Option<MultiRegex> {
    let config = regex_automata::meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .auto_prefilter(false)
        .dfa(false)
        .onepass(false);
    regex_automata::meta::Builder::new()
        .configure(config)
        .syntax(regex_automata::util::syntax::Config::new().utf8(true))
        .build_many(patterns)
        .ok()
}

#[cfg(test)]
mod tests {
    /// The built-in words allow the ASCII-boundary test, and with it `names_any` answers as the
    /// automaton as written on each word beside non-ASCII letters, digits and marks.
    #[test]
    fn names_any_answers_as_the_words_as_written() {
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let v = &rules.vocabulary;
        assert!(
            v.ascii_names().is_some(),
            "a mechanism word puts a \\b beside no ASCII letter: names_any falls back to the PikeVM"
        );
        let samples = [
            "spf",
            "SPF",
            "dkim",
            "DMARC",
            "misaligned",
            "starttls",
            "reverse dns",
            "ptr",
            "domain",
            "ssl",
            "sender policy framework",
            "encryption",
            "dnsbl",
            "rdns",
        ];
        let mut texts = Vec::new();
        for w in samples {
            for (before, after) in [
                ("", ""),
                ("é", ""),
                ("", "é"),
                ("日本", "です"),
                ("日本 ", " です"),
                ("\u{0301}", "\u{0663}"),
                ("x", "ü"),
                ("ü ", "_"),
            ] {
                texts.push(format!("{before}{w}{after}"));
                texts.push(format!("送信 {before}{}{after} 失敗", w.to_uppercase()));
            }
            texts.push(format!(
                "é {}",
                w.replace('s', "\u{17F}").replace('k', "\u{212A}")
            ));
        }
        let (all, _) = v.all_names().unwrap();
        for t in &texts {
            assert_eq!(v.names_any(t), all.is_match(t), "{t}");
        }
        assert!(texts.iter().any(|t| !t.is_ascii() && v.names_any(t)));
        assert!(texts.iter().any(|t| !t.is_ascii() && !v.names_any(t)));
    }
}
