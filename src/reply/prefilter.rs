//! Cheap literal tests that spare a line or a text a regex run it cannot match: extraction
//! tries a dozen patterns on every line of every bounce, and most lines hold none of the
//! words those patterns require.

use crate::match_only::MatchOnly;
#[cfg(test)]
use regex::Regex;

/// Whether `text` may hold `needle` (ASCII) in any case, as a `(?i)` pattern would match it.
/// Exact on ASCII text. Unicode case folding also matches KELVIN SIGN to `k` and LONG S to
/// `s`, so in text with other characters a needle holding either letter counts as present.
/// A false answer means no case of the needle is in the text.
pub(super) fn may_hold(text: &str, needle: &str) -> bool {
    if !text.is_ascii() && needle.bytes().any(|b| matches!(b | 0x20, b'k' | b's')) {
        return true;
    }
    crate::ascii_fold::contains_ascii_folded(text, needle)
}

/// A `(?i)` word pattern compiled twice: as written, and with ASCII word boundaries, which
/// the lazy DFA runs on any text (with Unicode ones it gives up at the first non-ASCII byte and
/// the slow PikeVM reads the whole text: Japanese bounces). Exact only for a pattern whose
/// every `\b` sits beside a letter of its own (each caller's test checks its pattern): then the
/// two agree on ASCII text, and on other text every match as written is one with ASCII
/// boundaries, so that one answering no settles it. LONG S and KELVIN SIGN, which `(?i)` lets
/// stand for `s` and `k` though they are no ASCII word characters, send a text to the pattern
/// as written.
///
/// Both are compiled for `is_match` alone (`rules::match_only`): the forward engines `regex`
/// runs for it, without its literal prefilter, full DFA and reverse automata. Extracting the
/// literals of a long `(?i)` alternation and determinizing it cost more than the searches they
/// speed up (half of these patterns' compilation, callgrind), and the reverse automata only
/// locate matches. Matching is the same engines' and exact.
pub(super) struct Words {
    unicode: MatchOnly,
    ascii: MatchOnly,
    /// The build's ASCII stand-ins for the pattern as written: with them `ascii`'s automaton
    /// (that of the pattern as written) answers for most other texts as the pattern would.
    stand_ins: Option<crate::standin_text::StandIns>,
    /// The pattern as `regex` compiles it, which tests hold both to.
    #[cfg(test)]
    written: Regex,
}

impl Words {
    pub(super) fn new(pattern: &str) -> Words {
        Words {
            // Only texts that are not ASCII reach it: compiled for the first one.
            unicode: MatchOnly::known_as_written(pattern),
            // On ASCII texts it matches what the pattern as written matches: the build's
            // automaton of that serves it (`word_patterns`).
            ascii: MatchOnly::known_as(&pattern.replace(r"\b", r"(?-u:\b)"), pattern)
                .expect("constant regex"),
            stand_ins: crate::builtin_dfas::stand_ins(pattern),
            #[cfg(test)]
            written: Regex::new(pattern).expect("constant regex"),
        }
    }

    pub(super) fn is_match(&self, text: &str) -> bool {
        if text.is_ascii() {
            return self.ascii.is_match(text);
        }
        if let Some(found) = self
            .stand_ins
            .as_ref()
            .and_then(|s| self.ascii.stood_in_match(text, s))
        {
            return found;
        }
        if text.contains(['\u{17F}', '\u{212A}']) {
            return self.unicode.is_match(text);
        }
        self.ascii.is_match(text) && self.unicode.is_match(text)
    }

    /// The pattern as written, compiled once: for tests holding [`Words::is_match`] to it.
    #[cfg(test)]
    pub(super) fn as_written(&self) -> &Regex {
        &self.written
    }
}

/// Texts on which a [`Words`] pattern and its pattern as written are compared by tests: its
/// words beside non-ASCII letters, digits and marks, in either case, with LONG S and KELVIN SIGN.
#[cfg(test)]
pub(super) fn word_edge_texts(phrases: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for p in phrases {
        for (before, after) in [
            ("", ""),
            (" ", "."),
            ("é", ""),
            ("", "é"),
            ("日本", "です"),
            ("x", ""),
            ("", "_"),
            ("\u{0301}", "\u{0663}"),
        ] {
            out.push(format!("{before}{p}{after}"));
            out.push(format!("{before}{}{after}", p.to_uppercase()));
            out.push(format!("ü {before}{p}{after} ü"));
        }
        out.push(p.replace('s', "\u{17F}").replace('k', "\u{212A}"));
        out.push(format!("é{}", p.replace('s', "\u{17F}")));
    }
    out
}

/// Whether every `\b` of `pattern` sits beside an ASCII letter of the pattern (looking past
/// group openings after it and group ends or `?` before it): what [`Words`] needs to be exact.
#[cfg(test)]
pub(super) fn boundaries_beside_letters(pattern: &str) -> bool {
    let p = pattern.as_bytes();
    let mut i = 0;
    while let Some(at) = pattern[i..].find(r"\b").map(|a| a + i) {
        let mut after = at + 2;
        while pattern[after..].starts_with("(?:") || pattern[after..].starts_with('(') {
            after += if pattern[after..].starts_with("(?:") {
                3
            } else {
                1
            };
        }
        let mut before = at;
        while before > 0 && matches!(p[before - 1], b')' | b'?') {
            before -= 1;
        }
        let letter_after = p.get(after).is_some_and(u8::is_ascii_alphabetic);
        let letter_before = before > 0
            && p[before - 1].is_ascii_alphabetic()
            && !(before >= 2 && p[before - 2] == b'\\');
        if !letter_after && !letter_before {
            return false;
        }
        i = at + 2;
    }
    true
}

/// Whether `text` may hold any of `needles` (see [`may_hold`]).
pub(super) fn may_hold_any(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| may_hold(text, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_needle_is_found_in_any_case_and_only_where_it_is() {
        assert!(may_hold("Remote host SAID: 550", "said:"));
        assert!(may_hold("said:", "said:"));
        assert!(!may_hold("sai d: 550", "said:"));
        assert!(!may_hold("sa", "said:"));
        assert!(may_hold("x", ""));
        assert!(may_hold_any("after RCPT TO", &["in reply to", "after"]));
        assert!(!may_hold_any("before RCPT TO", &["in reply to", "after"]));
    }

    #[test]
    fn a_boundary_beside_a_non_letter_is_caught() {
        assert!(boundaries_beside_letters(
            r"(?i)\bgiving up\b|\b(?:have|has) given\b"
        ));
        assert!(!boundaries_beside_letters(
            r"(?i)\bnotification \(failure\)\b"
        ));
        assert!(!boundaries_beside_letters(r"\b[0-9]+\b"));
    }

    #[test]
    fn non_ascii_text_keeps_needles_that_unicode_folding_could_match() {
        // LONG S folds to `s` under `(?i)`: the regex would match, so the filter must not say no.
        let text = "Remote hoſt said: 550";
        assert!(regex::Regex::new(r"(?i)host").unwrap().is_match(text));
        assert!(may_hold(text, "host"));
        // A needle without `k` or `s` is still tested exactly.
        assert!(!may_hold("Fehler: 550 Empfänger", "after"));
        assert!(may_hold("AFTER: Empfänger", "after"));
    }
}
