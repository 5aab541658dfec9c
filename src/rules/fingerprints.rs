//! Each provider's fingerprints compiled (`[[provider]]` hosts, tokens, wording, markers and
//! links), and all of them in a few automata, built once they pay for themselves.
//!
//! The first few ASCII replies are matched pattern by pattern: a pattern whose required
//! literal is not in the text is never compiled, so one reply compiles a handful of the ~150
//! text patterns instead of one automaton of all of them (most of one `explain`'s CPU). Past
//! [`EAGER_AFTER`] replies (`scan`, a mailbox) one pass of one automaton over every text
//! pattern's required literals ([`LiteralIndex`]) says which few patterns may match, and only
//! those run (each compiled the first time it is needed); host names go to one automaton.

use super::builtin_literals::required_literals;
use super::lazy_regex::LazyRegex;
use super::marker_filter::Literals;
use super::types::SignalKind;
use crate::match_only::MatchOnly;
use crate::shared_search::SharedSearch;
use aho_corasick::AhoCorasick;
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Replies matched pattern by pattern before the automata are built: one automaton pass per
/// reply beats ~150 literal look-ups once its build cost is spread over a few replies.
const EAGER_AFTER: usize = 16;

/// Rule look-ups (a decode makes two to eight) before the rule patterns' literal indexes are
/// built: about [`EAGER_AFTER`] replies.
const RULE_INDEX_AFTER: usize = 4 * EAGER_AFTER;

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
    set: OnceLock<Option<SharedSearch>>,
}

impl<O> LazySet<O> {
    pub(super) fn new(patterns: Vec<String>, owners: Vec<O>) -> LazySet<O> {
        LazySet {
            patterns,
            owners,
            set: OnceLock::new(),
        }
    }

    /// Whether the automaton has been built (or found too large).
    fn built(&self) -> bool {
        self.set.get().is_some()
    }

    /// The numbers of the patterns that match `text`, as `regex::RegexSet::matches` gives
    /// them; `None` when the patterns are too large for one automaton (each is then tried on
    /// its own).
    fn matches(&self, text: &str) -> Option<Vec<usize>> {
        let set = self
            .set
            .get_or_init(|| set_of(&self.patterns).map(SharedSearch::new))
            .as_ref()?;
        Some(set.which_match(text).iter().map(|p| p.as_usize()).collect())
    }
}

/// The automaton `regex::RegexSet::new` builds (every pattern's matches, the same syntax and
/// limits), without the literal prefilter: extracting the literals of ~100 host patterns cost
/// as much as building the rest of it (callgrind), to speed up searches of short host names.
fn set_of(patterns: &[String]) -> Option<Regex> {
    let patterns: Vec<String> = patterns.iter().map(|p| ascii_boundaries(p)).collect();
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::All)
        .utf8_empty(true)
        .auto_prefilter(false)
        .dfa(false)
        .onepass(false)
        .which_captures(WhichCaptures::None);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().utf8(true))
        .build_many(&patterns)
        .ok()
}

/// The pattern with its word boundaries (`\b`) read in ASCII. The automata meet non-ASCII text
/// (ASCII text is matched pattern by pattern first), and a Unicode word boundary there makes the
/// set give up its fast engine for its slowest (a tenth of a Maildir scan's CPU). For ASCII
/// text both readings agree; next to CJK text, which has no spaces, the ASCII reading is the
/// one that finds a token (`...送信できませんでした gsmtp` and `...でしたgsmtp` alike).
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
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

/// Which of many patterns may match a text, from one pass of one automaton over their
/// required literals (`marker_filter::Literals`: a pattern none of whose alternatives has all
/// its parts in the text cannot match it).
///
/// The automaton folds ASCII case only (lower-case needles, the text's ASCII letters lowered).
/// That is exact for a `(?i)` pattern's ASCII literals except in a text holding KELVIN SIGN or
/// LONG S (which fold to `k` and `s`): for such a text every pattern may match. A `(?i)` literal of other letters is assumed present in any
/// non-ASCII text (no ASCII text holds it).
#[derive(Debug)]
pub(crate) struct LiteralIndex {
    ac: Option<AhoCorasick>,
    /// For each needle of the automaton, the literals it finds: (literal, its exact text when
    /// the pattern is case-sensitive).
    needles: Vec<Vec<(usize, Option<String>)>>,
    /// Literals assumed present in non-ASCII text (see above).
    unsure: Vec<usize>,
    literals: usize,
    /// Per pattern, its alternatives' parts as literal numbers; `None` when its literals are
    /// not known (it may match anything).
    patterns: Vec<Option<Alternatives>>,
}

/// A pattern's alternatives, each the parts it requires, each the literals one of which it
/// holds (by number).
type Alternatives = Vec<Vec<Vec<usize>>>;

/// Which of an index's literals a text holds; `None` when the index cannot tell.
pub(crate) struct Present(Option<Vec<bool>>);

impl LiteralIndex {
    /// The index of `patterns`' literals (by pattern: `None` when it has none to require).
    pub(crate) fn new(patterns: impl IntoIterator<Item = Option<Literals>>) -> LiteralIndex {
        let mut ids: HashMap<(String, bool), usize> = HashMap::new();
        let mut needle_of: HashMap<String, usize> = HashMap::new();
        let mut needles: Vec<String> = Vec::new();
        let mut found: Vec<Vec<(usize, Option<String>)>> = Vec::new();
        let mut unsure = Vec::new();
        let mut out = Vec::new();
        for literals in patterns {
            let Some(literals) = literals else {
                out.push(None);
                continue;
            };
            let mut conjunctions = Vec::new();
            for parts in literals.conjunctions() {
                let mut ps = Vec::new();
                for part in parts {
                    let mut choices = Vec::new();
                    for l in part {
                        let key = (l.text().to_string(), l.folded());
                        let next = ids.len();
                        let id = *ids.entry(key).or_insert(next);
                        choices.push(id);
                        if id != next {
                            continue;
                        }
                        if l.folded() && !l.text().is_ascii() {
                            unsure.push(id);
                            continue;
                        }
                        let lower = l.text().to_ascii_lowercase();
                        let n = *needle_of.entry(lower.clone()).or_insert_with(|| {
                            needles.push(lower);
                            found.push(Vec::new());
                            needles.len() - 1
                        });
                        let exact = (!l.folded()).then(|| l.text().to_string());
                        found[n].push((id, exact));
                    }
                    ps.push(choices);
                }
                conjunctions.push(ps);
            }
            out.push(Some(conjunctions));
        }
        // The needles are lower case and `present` lowers the text's ASCII letters: the same
        // matches as `ascii_case_insensitive`, from an automaton of half the transitions, whose
        // failure links were most of building it (callgrind, a Maildir scan).
        let ac = AhoCorasick::builder().build(&needles).ok();
        LiteralIndex {
            // Without its automaton the index cannot rule anything out.
            patterns: if ac.is_some() { out } else { Vec::new() },
            ac,
            needles: found,
            unsure,
            literals: ids.len(),
        }
    }

    /// The literals `text` holds.
    pub(crate) fn present(&self, text: &str) -> Present {
        let Some(ac) = &self.ac else {
            return Present(None);
        };
        let ascii = text.is_ascii();
        if !ascii && text.contains(['\u{212a}', '\u{17f}']) {
            return Present(None);
        }
        let mut seen = vec![false; self.literals];
        if !ascii {
            for &i in &self.unsure {
                seen[i] = true;
            }
        }
        let bytes = text.as_bytes();
        let lowered = bytes.to_ascii_lowercase();
        for m in ac.find_overlapping_iter(&lowered) {
            let hay = &bytes[m.start()..m.end()];
            for (id, exact) in &self.needles[m.pattern().as_usize()] {
                if exact.as_ref().is_none_or(|e| e.as_bytes() == hay) {
                    seen[*id] = true;
                }
            }
        }
        Present(Some(seen))
    }

    /// Whether pattern `i` may match the text `present` was read from.
    pub(crate) fn may_match(&self, i: usize, present: &Present) -> bool {
        let (Some(seen), Some(Some(alternatives))) = (&present.0, self.patterns.get(i)) else {
            return true;
        };
        alternatives
            .iter()
            .any(|parts| parts.iter().all(|part| part.iter().any(|&l| seen[l])))
    }
}

/// Every text pattern of every provider behind one [`LiteralIndex`], each compiled with
/// ASCII word boundaries (as the automata of [`ascii_boundaries`]) when a text first needs it.
#[derive(Debug)]
struct TextIndex {
    index: LiteralIndex,
    /// Where each provider's patterns start in `compiled`.
    offsets: Vec<usize>,
    /// Compiled for `is_match` only, as `LazyRegex` does (each runs on few texts).
    compiled: Vec<OnceLock<Option<MatchOnly>>>,
}

impl TextIndex {
    fn new(providers: &[Patterns]) -> TextIndex {
        let mut offsets = Vec::with_capacity(providers.len());
        let mut literals = Vec::new();
        for pats in providers {
            offsets.push(literals.len());
            literals.extend(
                pats.text
                    .iter()
                    .map(|(_, re)| required_literals(re.pattern())),
            );
        }
        TextIndex {
            compiled: (0..literals.len()).map(|_| OnceLock::new()).collect(),
            index: LiteralIndex::new(literals),
            offsets,
        }
    }

    /// The owners of `owners` whose pattern matches `haystack`.
    fn hits(
        &self,
        providers: &[Patterns],
        owners: &[(usize, usize)],
        haystack: &str,
        out: &mut Vec<(usize, usize)>,
    ) {
        let present = self.index.present(haystack);
        for &(p, k) in owners {
            let i = self.offsets[p] + k;
            if !self.index.may_match(i, &present) {
                continue;
            }
            let lazy = &providers[p].text[k].1;
            let compiled = self.compiled[i].get_or_init(|| {
                let p = ascii_boundaries(lazy.pattern());
                if lazy.known() {
                    MatchOnly::known_as(&p, lazy.pattern())
                } else {
                    MatchOnly::new(&p)
                }
            });
            // A pattern too large to compile on its own matches as the lazy one does.
            let hit = match compiled {
                Some(re) => re.is_match(haystack),
                None => lazy.is_match(haystack),
            };
            if hit {
                out.push((p, k));
            }
        }
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
    /// Texts matched so far (see [`EAGER_AFTER`]).
    texts: AtomicUsize,
    /// Host names matched so far.
    host_names: AtomicUsize,
    /// The text patterns' literal index, built after [`EAGER_AFTER`] texts.
    index: OnceLock<TextIndex>,
    /// The provider rules' and the phrase rules' patterns' literal indexes (`rule_match`),
    /// built after [`RULE_INDEX_AFTER`] rule look-ups.
    rules: [OnceLock<LiteralIndex>; 2],
    /// Rule look-ups so far.
    lookups: AtomicUsize,
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
            index: OnceLock::new(),
            rules: [OnceLock::new(), OnceLock::new()],
            lookups: AtomicUsize::new(0),
        }
    }

    /// The providers one of whose host patterns matches `host`, in provider order (a provider
    /// may come more than once).
    pub(super) fn host_hits(&self, providers: &[Patterns], host: &str) -> Vec<usize> {
        let one_by_one = host.is_ascii()
            && !self.hosts.built()
            && self.host_names.fetch_add(1, Ordering::Relaxed) < EAGER_AFTER;
        match (!one_by_one).then(|| self.hosts.matches(host)).flatten() {
            Some(hits) => hits.into_iter().map(|i| self.hosts.owners[i]).collect(),
            // Pattern by pattern, or too large for one automaton.
            None => (0..providers.len())
                .filter(|&p| providers[p].hosts.iter().any(|re| re.is_match(host)))
                .collect(),
        }
    }

    /// The literal index of rule patterns `regexes` (`which`: 0 provider rules, 1 phrases),
    /// after [`RULE_INDEX_AFTER`] look-ups; before that each `LazyRegex` looks for its own
    /// literals (one reply needs no index).
    pub(super) fn rule_index(
        &self,
        which: usize,
        regexes: &[Option<LazyRegex>],
    ) -> Option<&LiteralIndex> {
        let slot = &self.rules[which];
        if slot.get().is_none() && self.lookups.fetch_add(1, Ordering::Relaxed) < RULE_INDEX_AFTER {
            return None;
        }
        Some(slot.get_or_init(|| {
            LiteralIndex::new(
                regexes
                    .iter()
                    .map(|re| re.as_ref().and_then(|re| required_literals(re.pattern()))),
            )
        }))
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
        // A text pasted in lower case is matched pattern by pattern, each code also by its
        // folded reading (`recase`): the index's case-sensitive literals would rule codes out.
        let lowered = super::recase::lowered(text);
        // `LazyRegex::is_match` looks for literals in ASCII text only; other text goes to the
        // index at once.
        let one_by_one = lowered
            || text.is_ascii()
                && self.index.get().is_none()
                && self.texts.fetch_add(1, Ordering::Relaxed) < EAGER_AFTER;
        if one_by_one {
            for (set, haystack) in passes {
                let matches = |&(p, k): &(usize, usize)| {
                    providers[p].text[k].1.is_match_as_pasted(haystack, lowered)
                };
                hits.extend(set.owners.iter().copied().filter(matches));
            }
        } else {
            let index = self.index.get_or_init(|| TextIndex::new(providers));
            for (set, haystack) in passes {
                index.hits(providers, &set.owners, haystack, &mut hits);
            }
        }
        hits.sort_unstable();
        hits
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::marker_filter::required_literals as read_literals;
    use regex_automata::{Input, PatternSet};

    fn index(patterns: &[&str]) -> LiteralIndex {
        LiteralIndex::new(patterns.iter().map(|p| read_literals(p)))
    }

    #[test]
    fn the_index_rules_out_patterns_whose_literals_are_missing() {
        let ix = index(&[
            r"(?i)\bmailbox (?:is )?full\b",
            r"\bgsmtp\b",
            r"(?i)quota|over limit",
            r"(?i)ユーザ不明",
            r"^\d+$",
        ]);
        let may = |text: &str| {
            let present = ix.present(text);
            (0..5)
                .filter(|&i| ix.may_match(i, &present))
                .collect::<Vec<_>>()
        };
        assert_eq!(may("552 MAILBOX FULL"), [0, 4]);
        assert_eq!(may("421 try later 12 - gsmtp"), [1, 4]);
        // Case-sensitive literals are exact; folded ones are not.
        assert_eq!(may("421 try later GSMTP, Over LIMIT"), [2, 4]);
        // A `(?i)` literal of non-ASCII letters may be in any non-ASCII text.
        assert_eq!(may("宛先不明 gsmtp"), [1, 3, 4]);
        assert_eq!(may("user unknown"), [4]);
        // KELVIN SIGN folds to k: the automaton cannot tell, so everything may match.
        assert_eq!(may("MAILBOX FULL \u{212a}"), [0, 1, 2, 3, 4]);
    }

    /// Soundness on real texts: no built-in pattern (fingerprints, rules, phrases, mechanism
    /// words) that the index rules out for a text matches it, with Unicode or ASCII word
    /// boundaries, over every rule example (as written, upper-cased, and after Japanese text)
    /// and the sisimai corpus's messages.
    /// The host automaton (built without `regex`'s prefilter) finds the patterns
    /// `regex::RegexSet` finds, on host names taken from every rule example and beside
    /// non-ASCII text.
    #[test]
    fn the_host_set_matches_as_regex_set_does() {
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let patterns: Vec<String> = rules
            .provider_patterns
            .iter()
            .flat_map(|p| p.hosts.iter().map(|re| re.pattern().to_string()))
            .collect();
        assert!(patterns.len() > 30, "{}", patterns.len());
        let ours = set_of(&patterns).unwrap();
        let theirs = regex::RegexSet::new(patterns.iter().map(|p| ascii_boundaries(p))).unwrap();
        let mut hosts: Vec<String> = Vec::new();
        for (_, text) in crate::rules::embedded::BUILTIN {
            for word in text.split(|c: char| c.is_whitespace() || "<>()[]\"',;=".contains(c)) {
                let word = word.trim_matches('.');
                if word.contains('.') && !word.contains('@') && word.len() > 3 {
                    hosts.push(word.to_ascii_lowercase());
                    hosts.push(format!("送信{word}"));
                }
            }
        }
        assert!(hosts.len() > 500, "{}", hosts.len());
        let mut hits = 0;
        for h in &hosts {
            let mut set = PatternSet::new(ours.pattern_len());
            ours.which_overlapping_matches(&Input::new(h), &mut set);
            let got: Vec<usize> = set.iter().map(|p| p.as_usize()).collect();
            let want: Vec<usize> = theirs.matches(h).into_iter().collect();
            assert_eq!(got, want, "{h}");
            hits += want.len();
        }
        assert!(hits > 100, "{hits}");
    }

    #[test]
    fn no_pattern_the_index_rules_out_matches() {
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let patterns: Vec<String> = rules
            .lazy_patterns()
            .map(|(_, _, _, re)| re.pattern().to_string())
            .collect();
        let ix = LiteralIndex::new(patterns.iter().map(|p| required_literals(p)));
        let compiled: Vec<[regex::Regex; 2]> = patterns
            .iter()
            .map(|p| {
                [
                    regex::Regex::new(p).unwrap(),
                    regex::Regex::new(&ascii_boundaries(p)).unwrap(),
                ]
            })
            .collect();
        let mut texts: Vec<String> = Vec::new();
        for (_, text) in crate::rules::embedded::BUILTIN {
            let t: toml::Table = toml::from_str(text).unwrap();
            for list in t.values().filter_map(|v| v.as_array()) {
                for rule in list.iter().filter_map(|v| v.as_table()) {
                    for ex in rule
                        .get("examples")
                        .and_then(|e| e.as_array())
                        .into_iter()
                        .flatten()
                    {
                        let ex = ex.as_str().unwrap_or_default();
                        texts.push(ex.to_string());
                        texts.push(ex.to_uppercase());
                        texts.push(format!("送信できませんでした{ex}"));
                    }
                }
            }
        }
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sisimai/maildir"
        );
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            texts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        assert!(texts.len() > 1500, "{}", texts.len());
        let (mut ruled_out, mut matched) = (0, 0);
        for text in &texts {
            let present = ix.present(text);
            for (i, [unicode, ascii]) in compiled.iter().enumerate() {
                if ix.may_match(i, &present) {
                    continue;
                }
                ruled_out += 1;
                assert!(
                    !unicode.is_match(text) && !ascii.is_match(text),
                    "ruled out but matches: {}\n{text}",
                    patterns[i]
                );
            }
            matched += compiled.iter().filter(|[u, _]| u.is_match(text)).count();
        }
        assert!(matched > 1000, "{matched}");
        assert!(ruled_out > texts.len() * patterns.len() / 2, "{ruled_out}");
    }

    /// A pattern with its word boundaries read in ASCII, matched on ASCII text by the build's
    /// automaton of the pattern as written (`MatchOnly::known_as`: without Unicode the two read
    /// the same), answers as `regex` compiles it, on every rule example as written, upper-cased
    /// and after Japanese text, and with other characters in it (their stand-ins).
    #[test]
    fn ascii_boundary_readings_answer_as_regex() {
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let mut texts = crate::rules::embedded::example_variants();
        texts.extend(crate::standin_text::other_character_variants(&texts));
        let (mut prebuilt, mut matched) = (0, 0);
        for (.., lazy) in rules.lazy_patterns() {
            let p = ascii_boundaries(lazy.pattern());
            prebuilt += usize::from(
                crate::builtin_dfas::get(lazy.pattern()).is_some()
                    && crate::match_only::ascii_reading_is_exact(&p),
            );
            let ours = MatchOnly::known_as(&p, lazy.pattern()).unwrap();
            let theirs = regex::Regex::new(&p).unwrap();
            for t in &texts {
                let want = theirs.is_match(t);
                assert_eq!(ours.is_match(t), want, "{p} on {t}");
                matched += usize::from(want);
            }
        }
        assert!(prebuilt > 500 && matched > 3_000, "{prebuilt} {matched}");
    }

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
