//! The constant extraction patterns of decoding (`code::re`): `regex::Regex`'s answers, with the
//! build's automata for ASCII texts (`builtin_dfas`, read from the source by `pattern_source`)
//! answering first: the forward one whether and where a match ends, the reverse one where it
//! starts, and the pattern's ASCII reading its groups (`span_search`). Only a text the automata
//! cannot read goes to the pattern as written: compiled for `is_match` as `match_only` compiles
//! it (forward engines), for matches and groups as `regex::Regex`. Texts that are not ASCII go
//! to the automata too, with the build's ASCII stand-ins for their other characters
//! (`standin_text`), one byte per character, so that a span of the stood-in text is a span of
//! characters.

pub(crate) use super::found::{Captures, Match};
use super::span_search::{Groups, SpanSearch, Want};
use crate::match_only::MatchOnly;
use crate::standin_text::{self, StandIns};
use regex_automata::Input;
use regex_automata::dfa::{Automaton, dense};
use std::sync::OnceLock;

/// A constant pattern, compiled as `regex::Regex` when a text first needs it.
#[derive(Debug)]
pub(crate) struct Regex {
    pattern: Box<str>,
    /// The build's automaton of the pattern for ASCII texts, if it wrote one: on an ASCII text it
    /// matches exactly where the pattern matches (`ascii_dfa`).
    ascii: Option<dense::DFA<&'static [u32]>>,
    /// The build's ASCII stand-ins for the pattern: with them the automaton rules out most
    /// other texts too (`standin_text`).
    stand_ins: Option<StandIns>,
    /// Where matches start and their groups, beside `ascii`.
    spans: SpanSearch,
    /// Whether a text the automaton cannot read matches: the forward engines alone
    /// (`match_only`), which cost a fraction of `compiled` to build.
    matcher: OnceLock<Option<MatchOnly>>,
    compiled: OnceLock<regex::Regex>,
}

impl Regex {
    /// A pattern that compiles (the unit tests exercise every one).
    pub(crate) fn new(pattern: &str) -> Regex {
        let ascii = crate::builtin_dfas::get(pattern)
            .and_then(|bytes| dense::DFA::from_bytes(bytes).ok())
            .map(|(dfa, _)| dfa);
        Regex {
            pattern: pattern.into(),
            stand_ins: ascii
                .as_ref()
                .and_then(|_| crate::builtin_dfas::stand_ins(pattern)),
            ascii,
            spans: SpanSearch::default(),
            matcher: OnceLock::new(),
            compiled: OnceLock::new(),
        }
    }

    /// `search` run on `text` as the automata read it: its bytes when it is ASCII, else with its
    /// other characters stood in for. `None` when the automata have no say.
    fn on_ascii<R>(&self, text: &str, search: impl FnOnce(&[u8]) -> Option<R>) -> Option<R> {
        if text.is_ascii() {
            search(text.as_bytes())
        } else {
            standin_text::with_stand_ins(text, self.stand_ins.as_ref()?, search)
        }
    }

    /// What the automaton says of `text`: `None` when it has no say.
    fn ascii_match(&self, text: &str) -> Option<bool> {
        let dfa = self.ascii.as_ref()?;
        // A dense DFA fails a search only at a quit byte, of which these have none.
        self.on_ascii(text, |t| {
            dfa.try_search_fwd(&Input::new(t).earliest(true))
                .ok()
                .map(|found| found.is_some())
        })
    }

    /// The matches the automata find in `text` (with their groups when `groups`), as spans of
    /// `text`; `None` when they cannot say.
    fn spans(&self, text: &str, want: Want, groups: bool) -> Option<Vec<Groups>> {
        let dfa = self.ascii.as_ref()?;
        let found = self.on_ascii(text, |t| {
            self.spans.search(&self.pattern, dfa, t, want, groups)
        })?;
        if text.is_ascii() || found.is_empty() {
            return Some(found);
        }
        // A stood-in byte is one character of the text: its offsets are the characters'.
        let at: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        Some(
            found
                .into_iter()
                .map(|g| {
                    g.into_iter()
                        .map(|s| s.map(|(a, b)| (at[a], at[b])))
                        .collect()
                })
                .collect(),
        )
    }

    /// The pattern as `regex` compiles it, for what the automata cannot say.
    fn compiled(&self) -> &regex::Regex {
        self.compiled
            .get_or_init(|| regex::Regex::new(&self.pattern).expect("constant regex"))
    }

    /// As `regex::Regex::is_match`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if let Some(found) = self.ascii_match(text) {
            return found;
        }
        match self.matcher.get_or_init(|| MatchOnly::known(&self.pattern)) {
            Some(m) => m.is_match(text),
            None => self.compiled().is_match(text),
        }
    }

    /// As `regex::Regex::find`.
    pub(crate) fn find<'t>(&self, text: &'t str) -> Option<Match<'t>> {
        match self.spans(text, Want::First, false) {
            Some(found) => found.first().and_then(|g| group(text, g, 0)),
            None => self
                .compiled()
                .find(text)
                .map(|m| Match::new(text, m.start(), m.end())),
        }
    }

    /// As `regex::Regex::captures`.
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        match self.spans(text, Want::First, true) {
            Some(found) => found.into_iter().next().map(|g| Captures::new(text, g)),
            None => self
                .compiled()
                .captures(text)
                .map(|c| Captures::from_regex(text, &c)),
        }
    }

    /// As `regex::Regex::replace_all`.
    pub(crate) fn replace_all<'t, R: regex::Replacer>(
        &self,
        text: &'t str,
        rep: R,
    ) -> std::borrow::Cow<'t, str> {
        if self.ascii_match(text) == Some(false) {
            return std::borrow::Cow::Borrowed(text);
        }
        self.compiled().replace_all(text, rep)
    }

    /// As `regex::Regex::find_iter`.
    pub(crate) fn find_iter<'t>(&self, text: &'t str) -> std::vec::IntoIter<Match<'t>> {
        let found: Vec<Match<'t>> = match self.spans(text, Want::All, false) {
            Some(found) => found.iter().filter_map(|g| group(text, g, 0)).collect(),
            None => self
                .compiled()
                .find_iter(text)
                .map(|m| Match::new(text, m.start(), m.end()))
                .collect(),
        };
        found.into_iter()
    }

    /// As `regex::Regex::captures_iter`.
    pub(crate) fn captures_iter<'t>(&self, text: &'t str) -> std::vec::IntoIter<Captures<'t>> {
        let found: Vec<Captures<'t>> = match self.spans(text, Want::All, true) {
            Some(found) => found.into_iter().map(|g| Captures::new(text, g)).collect(),
            None => self
                .compiled()
                .captures_iter(text)
                .map(|c| Captures::from_regex(text, &c))
                .collect(),
        };
        found.into_iter()
    }
}

/// Group `i` of a match's spans.
fn group<'t>(text: &'t str, groups: &Groups, i: usize) -> Option<Match<'t>> {
    let (start, end) = (*groups.get(i)?)?;
    Some(Match::new(text, start, end))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every line of the sisimai messages that is not ASCII, every tenth ASCII line (and other
    /// characters put in some of those, `standin_text::other_character_variants`), and each
    /// message's first 4 KiB whole.
    fn texts() -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sisimai/maildir");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let text = crate::utf8::lossy(&std::fs::read(f).unwrap()).into_owned();
            for (i, line) in text.lines().enumerate() {
                if !line.is_ascii() || i % 10 == 0 {
                    out.push(line.to_string());
                }
            }
            let mut end = text.len().min(4096);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            out.push(text[..end].to_string());
        }
        let mut sample: Vec<String> = out.iter().filter(|t| t.len() < 300).cloned().collect();
        sample.dedup();
        out.extend(crate::standin_text::other_character_variants(&sample));
        out.extend(
            [
                "from mx.example.org ([192.0.2.1]) by mx2.example.com; Tue",
                "<ann@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 unknown",
                "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'",
                "héllo ſmtp KELVIN \u{212A} from x by y",
            ]
            .map(String::from),
        );
        out
    }

    /// A pattern the build never saw (no automata: compiled as written for every text) finds
    /// the matches and groups `regex` finds, in ASCII text and other text.
    #[test]
    fn a_pattern_without_automata_answers_as_regex() {
        let p = r"(?i)(\w+)@([a-z0-9.-]+)|(é+)";
        let ours = Regex::new(p);
        assert!(ours.ascii.is_none());
        let theirs = regex::Regex::new(p).unwrap();
        for t in [
            "to ann@example.org, bob@x.y",
            "für jörg@beispiel.de éé",
            "none",
            "",
        ] {
            assert_eq!(ours.is_match(t), theirs.is_match(t), "{t}");
            let ours_all: Vec<_> = ours
                .captures_iter(t)
                .map(|c| c.iter().map(|m| m.map(|m| m.as_str())).collect::<Vec<_>>())
                .collect();
            let theirs_all: Vec<_> = theirs
                .captures_iter(t)
                .map(|c| c.iter().map(|m| m.map(|m| m.as_str())).collect::<Vec<_>>())
                .collect();
            assert_eq!(ours_all, theirs_all, "{t}");
        }
    }

    /// Every pattern the source hands to `re(...)` answers as `regex::Regex` does, for
    /// `is_match`, `find`, `captures` (every group) and both iterators, on ASCII texts and
    /// others; and most have the build's automaton.
    #[test]
    fn every_constant_pattern_answers_as_regex() {
        let patterns = super::super::pattern_source::read(Path::new(env!("CARGO_MANIFEST_DIR")));
        let texts = texts();
        let mut with_automaton = 0;
        let mut stood_in = 0;
        for p in &patterns {
            let theirs = regex::Regex::new(p).unwrap();
            let ours = Regex::new(p);
            with_automaton += usize::from(ours.ascii.is_some());
            stood_in += usize::from(ours.stand_ins.is_some());
            for t in &texts {
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p} on {t}");
                assert_eq!(
                    ours.find(t).map(|m| (m.range(), m.as_str())),
                    theirs.find(t).map(|m| (m.range(), m.as_str())),
                    "{p} on {t}"
                );
                let ours_spans =
                    |c: Captures<'_>| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>();
                let spans = |c: regex::Captures<'_>| {
                    c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>()
                };
                assert_eq!(
                    ours.captures(t).map(ours_spans),
                    theirs.captures(t).map(spans),
                    "{p} on {t}"
                );
                assert!(
                    ours.find_iter(t)
                        .map(|m| m.range())
                        .eq(theirs.find_iter(t).map(|m| m.range())),
                    "{p} on {t}"
                );
                assert_eq!(
                    ours.captures_iter(t).map(ours_spans).collect::<Vec<_>>(),
                    theirs.captures_iter(t).map(spans).collect::<Vec<_>>(),
                    "{p} on {t}"
                );
            }
        }
        // Each has the reverse automaton `ascii_dfa::reverse_bytes` builds now, all but those
        // whose automata are too large.
        let mut reversed = 0;
        for p in &patterns {
            let want = crate::ascii_dfa::reverse_bytes(p, cfg!(target_endian = "big"));
            let got = crate::builtin_dfas::get_reverse(p);
            assert_eq!(got.map(<[u8]>::to_vec), want, "{p}");
            reversed += usize::from(got.is_some());
        }
        assert!(
            reversed + 3 > patterns.len(),
            "{reversed} of {}",
            patterns.len()
        );
        assert!(
            with_automaton > 50 && stood_in > 40,
            "{with_automaton} and {stood_in} of {}",
            patterns.len()
        );
    }
}
