//! The constant extraction patterns of decoding (`code::re`): `regex::Regex`'s answers, with the
//! build's automaton for ASCII texts (`builtin_dfas`, read from the source by
//! `pattern_source`) answering first, so that a pattern is compiled only for the first text it
//! matches, and a text it does not match costs no lazy DFA states (each thread of a scan built
//! its own for every such pattern). Texts that are not ASCII go to the automaton too, with the
//! build's ASCII stand-ins for their other characters (`standin_text`).

use crate::standin_text::{self, StandIns};
use regex_automata::Input;
use regex_automata::dfa::{Automaton, dense};
use std::sync::OnceLock;

/// A constant pattern, compiled as `regex::Regex` when a text first needs its matches.
#[derive(Debug)]
pub(crate) struct Regex {
    pattern: Box<str>,
    /// The build's automaton of the pattern for ASCII texts, if it wrote one: on an ASCII text it
    /// matches exactly where the pattern matches (`ascii_dfa`).
    ascii: Option<dense::DFA<&'static [u32]>>,
    /// The build's ASCII stand-ins for the pattern: with them the automaton rules out most
    /// other texts too (`standin_text`).
    stand_ins: Option<StandIns>,
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
            compiled: OnceLock::new(),
        }
    }

    /// What the automaton says of `text` (ASCII, or with its other characters stood in for):
    /// `None` when it has no say.
    fn ascii_match(&self, text: &str) -> Option<bool> {
        let dfa = self.ascii.as_ref()?;
        // A dense DFA fails a search only at a quit byte, of which these have none.
        let search = |t: &[u8]| {
            dfa.try_search_fwd(&Input::new(t).earliest(true))
                .ok()
                .map(|found| found.is_some())
        };
        if text.is_ascii() {
            search(text.as_bytes())
        } else {
            standin_text::with_stand_ins(text, self.stand_ins.as_ref()?, search)
        }
    }

    /// What finds the matches in `text`; `None` when the automaton says there are none.
    fn engine(&self, text: &str) -> Option<&regex::Regex> {
        if self.ascii_match(text) == Some(false) {
            return None;
        }
        // Compiling the pattern's ASCII reading instead (a few ASCII ranges for its Unicode
        // classes) was measured and cost as much: literal extraction and the two NFAs are most
        // of it, not Unicode.
        Some(
            self.compiled
                .get_or_init(|| regex::Regex::new(&self.pattern).expect("constant regex")),
        )
    }

    /// As `regex::Regex::is_match`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if let Some(found) = self.ascii_match(text) {
            return found;
        }
        self.engine(text).is_some_and(|re| re.is_match(text))
    }

    /// As `regex::Regex::find`.
    pub(crate) fn find<'t>(&self, text: &'t str) -> Option<regex::Match<'t>> {
        self.engine(text)?.find(text)
    }

    /// As `regex::Regex::captures`.
    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<regex::Captures<'t>> {
        self.engine(text)?.captures(text)
    }

    /// As `regex::Regex::replace_all`.
    pub(crate) fn replace_all<'t, R: regex::Replacer>(
        &self,
        text: &'t str,
        rep: R,
    ) -> std::borrow::Cow<'t, str> {
        match self.engine(text) {
            Some(re) => re.replace_all(text, rep),
            None => std::borrow::Cow::Borrowed(text),
        }
    }

    /// As `regex::Regex::find_iter`.
    pub(crate) fn find_iter<'r, 't>(
        &'r self,
        text: &'t str,
    ) -> std::iter::Flatten<std::option::IntoIter<regex::Matches<'r, 't>>> {
        self.engine(text)
            .map(|re| re.find_iter(text))
            .into_iter()
            .flatten()
    }

    /// As `regex::Regex::captures_iter`.
    pub(crate) fn captures_iter<'r, 't>(
        &'r self,
        text: &'t str,
    ) -> std::iter::Flatten<std::option::IntoIter<regex::CaptureMatches<'r, 't>>> {
        self.engine(text)
            .map(|re| re.captures_iter(text))
            .into_iter()
            .flatten()
    }
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
                assert_eq!(ours.find(t), theirs.find(t), "{p} on {t}");
                let spans = |c: regex::Captures<'_>| {
                    c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>()
                };
                assert_eq!(
                    ours.captures(t).map(spans),
                    theirs.captures(t).map(spans),
                    "{p} on {t}"
                );
                assert!(ours.find_iter(t).eq(theirs.find_iter(t)), "{p} on {t}");
                assert_eq!(
                    ours.captures_iter(t).map(spans).collect::<Vec<_>>(),
                    theirs.captures_iter(t).map(spans).collect::<Vec<_>>(),
                    "{p} on {t}"
                );
            }
        }
        assert!(
            with_automaton > 50 && stood_in > 40,
            "{with_automaton} and {stood_in} of {}",
            patterns.len()
        );
    }
}
