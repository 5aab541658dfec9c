//! Rule patterns compiled on first use: a run decodes a few replies but loads about 500 patterns.
//! Until a pattern is compiled, its required literals (read from its text, one per top-level
//! alternative) are looked for first, so an ASCII reply that holds none of them never compiles
//! it, however many replies a run decodes; once compiled, the automaton answers alone.
//!
//! The automaton is the one `regex::Regex::new` builds (the same syntax, match semantics and
//! size limits) without its literal prefilter: a rule pattern runs on few and short texts
//! (each distinct reply once), and extracting a `(?i)` alternation's literals to build that
//! prefilter cost more than all its searches (a third of a Maildir scan's CPU, callgrind).

use super::builtin_literals::required_literals;
use super::marker_filter::Literals;
use crate::match_only::MatchOnly;
use crate::shared_search::SharedSearch;
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use std::sync::OnceLock;

/// A pattern whose syntax was checked at load time and which is compiled when first matched.
#[derive(Debug)]
pub(crate) struct LazyRegex {
    pattern: String,
    /// Read from the pattern on the first match that needs them, not at load.
    literals: OnceLock<Option<Literals>>,
    compiled: OnceLock<Option<SharedSearch>>,
    /// The forward engines alone, for `is_match` (see `match_only`).
    matcher: OnceLock<Option<MatchOnly>>,
    /// Known to compile (a built-in pattern, which the build and `rules lint` compile): then
    /// ASCII texts may be matched by its ASCII reading (`MatchOnly::known`).
    known: bool,
    /// Its reading for a text pasted in lower case (`recase`), decided on the first such text.
    folded: OnceLock<Option<Box<LazyRegex>>>,
}

impl Clone for LazyRegex {
    fn clone(&self) -> LazyRegex {
        LazyRegex {
            pattern: self.pattern.clone(),
            literals: self.literals.clone(),
            compiled: self.compiled.clone(),
            matcher: OnceLock::new(),
            known: self.known,
            folded: OnceLock::new(),
        }
    }
}

impl LazyRegex {
    /// Checks the syntax only (cheap); the automaton is built by the first `is_match`.
    pub(crate) fn parse(pattern: &str) -> Result<LazyRegex, String> {
        regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        Ok(LazyRegex {
            known: false,
            ..LazyRegex::unchecked(pattern)
        })
    }

    /// A pattern that parses (its parts were checked one by one) but that nothing compiled as a
    /// whole: an alternation of rule patterns.
    pub(crate) fn joined(pattern: &str) -> LazyRegex {
        LazyRegex {
            known: false,
            ..LazyRegex::unchecked(pattern)
        }
    }

    /// A pattern known to compile (the built-in rules, which the build and `rules lint`
    /// compile): nothing is parsed until the first `is_match`.
    pub(crate) fn unchecked(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            literals: OnceLock::new(),
            compiled: OnceLock::new(),
            matcher: OnceLock::new(),
            known: true,
            folded: OnceLock::new(),
        }
    }

    /// Whether the pattern is known to compile (see [`LazyRegex::unchecked`]).
    pub(crate) fn known(&self) -> bool {
        self.known
    }

    /// A pattern that parses but exceeds the compiled size limit matches nothing rather than
    /// failing a decode; `rules lint` reports it (see `compile_error`).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if let Some(m) = self.matcher.get() {
            return m.as_ref().is_some_and(|m| m.is_match(text));
        }
        if let Some(compiled) = self.compiled.get() {
            return compiled.as_ref().is_some_and(|re| re.is_match(text));
        }
        // Compiled for the first text that may hold a match: a Maildir scan (586 messages)
        // used to compile every pattern asked about more than 16 times, many of them for
        // nothing (their literals in no reply), at about half a million instructions each.
        if text.is_ascii()
            && let Some(l) = self
                .literals
                .get_or_init(|| required_literals(&self.pattern))
            && !l.any_in(text)
        {
            return false;
        }
        self.matcher
            .get_or_init(|| {
                if self.known {
                    MatchOnly::known(&self.pattern)
                } else {
                    MatchOnly::new(&self.pattern)
                }
            })
            .as_ref()
            .is_some_and(|m| m.is_match(text))
    }

    /// As [`LazyRegex::is_match`], and for a text pasted in lower case (`lowered`, see
    /// `recase`), by the pattern's folded reading too when it has one.
    pub(crate) fn is_match_as_pasted(&self, text: &str, lowered: bool) -> bool {
        self.is_match(text) || lowered && self.folded().is_some_and(|f| f.is_match(text))
    }

    /// The pattern read without case, when `recase` says its literals are codes that a
    /// lower-cased paste keeps unambiguous; built on first use (only lower-cased texts ask).
    pub(crate) fn folded(&self) -> Option<&LazyRegex> {
        self.folded
            .get_or_init(|| {
                super::recase::folded_reading(&self.pattern).map(|p| {
                    // Nothing compiled the folded reading: it is compiled as written.
                    Box::new(LazyRegex {
                        known: false,
                        ..LazyRegex::unchecked(&p)
                    })
                })
            })
            .as_deref()
    }

    /// The compiled automaton, or `None` for a pattern over the size limit: for `find` and
    /// `find_iter` (`is_match` compiles only the forward engines, see `match_only`).
    pub(crate) fn regex(&self) -> Option<&SharedSearch> {
        self.compiled
            .get_or_init(|| build(&self.pattern).map(SharedSearch::new))
            .as_ref()
    }

    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Compiles now and says why it fails, for linting.
    pub(crate) fn compile_error(&self) -> Option<String> {
        regex::Regex::new(&self.pattern)
            .err()
            .map(|e| e.to_string())
    }
}

/// Compiles as `regex::Regex::new` does (leftmost-first, UTF-8 text, its default syntax, size
/// limits and groups, so that it fails where `compile_error` says it does), without the
/// literal prefilter and without the full DFA and one-pass DFA: `regex` determinizes a small
/// pattern completely up front (forwards and in reverse), which cost more than the few short
/// texts a rule pattern reads (a sixth of the compilation, callgrind), and the one-pass DFA
/// serves anchored capture searches, which rule patterns do not run. The lazy DFA, the
/// backtracker and the PikeVM remain, each exact.
pub(crate) fn build(pattern: &str) -> Option<Regex> {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .auto_prefilter(false)
        .dfa(false)
        .onepass(false);
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().utf8(true))
        .build(pattern)
        .ok()
}

/// The pattern with its Unicode word boundaries (`\b`) read in ASCII, when that is exact as a
/// test that may only say no: every `\b` has, on one side, a character every match puts there
/// that is an ASCII word character. A Unicode boundary beside such a character is then one in
/// ASCII too, so a text the ASCII reading does not match, the pattern does not match either.
/// The lazy DFA gives up at the first non-ASCII byte on Unicode boundaries and leaves the text to
/// the PikeVM (Japanese bounces); on ASCII ones it reads any text. `(?i)` lets KELVIN SIGN and
/// LONG S stand for `k` and `s`, which are no ASCII word characters: a caller sends a text that
/// holds either to the pattern as written. `None` for a pattern without that shape.
pub(crate) fn ascii_boundary_test(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{HirKind, Look};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    if !boundaries_beside_words(&hir) || pattern.contains(r"\b{") {
        return None;
    }
    // What is rewritten below is exactly the `\b` tokens the parser read as `Look::WordUnicode`
    // (the check above refused every other Unicode word assertion).
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\\' {
            match chars.next() {
                Some('b') => {
                    out.pop();
                    out.push_str(r"(?-u:\b)");
                }
                Some(n) => out.push(n),
                None => {}
            }
        }
    }
    // Both readings must hold the same number of boundaries (a `\b` inside a class or under
    // `(?-u)` would differ): otherwise the rewrite is not the one checked.
    let count = |h: &regex_syntax::hir::Hir| {
        fn walk(h: &regex_syntax::hir::Hir, n: &mut [usize; 2]) {
            match h.kind() {
                HirKind::Look(Look::WordUnicode) => n[0] += 1,
                HirKind::Look(Look::WordAscii) => n[1] += 1,
                HirKind::Capture(c) => walk(&c.sub, n),
                HirKind::Repetition(r) => walk(&r.sub, n),
                HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().for_each(|h| walk(h, n)),
                _ => {}
            }
        }
        let mut n = [0, 0];
        walk(h, &mut n);
        n
    };
    let rewritten = regex_syntax::Parser::new().parse(&out).ok()?;
    let (before, after) = (count(&hir), count(&rewritten));
    (after == [0, before[0] + before[1]]).then_some(out)
}

/// Whether every Unicode word boundary of `h` sits beside an ASCII word character of every
/// match (see [`ascii_boundary_test`]); other Unicode word assertions are refused.
fn boundaries_beside_words(h: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{HirKind, Look};
    match h.kind() {
        HirKind::Concat(parts) => parts.iter().enumerate().all(|(i, p)| match p.kind() {
            HirKind::Look(Look::WordUnicode) => {
                edge_is_word(&parts[i + 1..], true) || edge_is_word(&parts[..i], false)
            }
            _ => boundaries_beside_words(p),
        }),
        HirKind::Look(l) => !matches!(
            l,
            Look::WordUnicode
                | Look::WordUnicodeNegate
                | Look::WordStartUnicode
                | Look::WordEndUnicode
                | Look::WordStartHalfUnicode
                | Look::WordEndHalfUnicode
        ),
        HirKind::Capture(c) => boundaries_beside_words(&c.sub),
        HirKind::Repetition(r) => boundaries_beside_words(&r.sub),
        HirKind::Alternation(alts) => alts.iter().all(boundaries_beside_words),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => true,
    }
}

/// Whether every match of the sequence `parts` begins (`first`) or ends with an ASCII word
/// character, KELVIN SIGN or LONG S.
fn edge_is_word(parts: &[regex_syntax::hir::Hir], first: bool) -> bool {
    use regex_syntax::hir::HirKind;
    let at = |i: usize| {
        if first {
            &parts[i]
        } else {
            &parts[parts.len() - 1 - i]
        }
    };
    for i in 0..parts.len() {
        let p = at(i);
        match p.kind() {
            // Assertions take no character: the edge is the next part's.
            HirKind::Look(_) => {}
            // A part that may be absent must qualify when present, and leaves the edge to the
            // parts after it when absent.
            HirKind::Repetition(r) if r.min == 0 => {
                if !one_is_word(&r.sub, first) {
                    return false;
                }
            }
            _ => return one_is_word(p, first),
        }
    }
    false
}

/// Whether every match of `h` begins (`first`) or ends with an ASCII word character, KELVIN
/// SIGN or LONG S (an empty match does not).
fn one_is_word(h: &regex_syntax::hir::Hir, first: bool) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '\u{17F}' || c == '\u{212A}';
    match h.kind() {
        HirKind::Literal(l) => {
            let b = if first { l.0.first() } else { l.0.last() };
            b.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        }
        HirKind::Class(Class::Unicode(c)) => {
            !c.ranges().is_empty()
                && c.ranges().iter().all(|r| {
                    (r.start() == r.end() && word(r.start()))
                        || (r.end().is_ascii() && (r.start()..=r.end()).all(word))
                })
        }
        HirKind::Class(Class::Bytes(c)) => {
            !c.ranges().is_empty()
                && c.ranges()
                    .iter()
                    .all(|r| (r.start()..=r.end()).all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        }
        HirKind::Capture(c) => one_is_word(&c.sub, first),
        HirKind::Alternation(alts) => alts.iter().all(|a| one_is_word(a, first)),
        HirKind::Concat(parts) => edge_is_word(parts, first),
        HirKind::Repetition(r) => r.min >= 1 && one_is_word(&r.sub, first),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without its prefilter the automaton answers as `regex::Regex` does: whether, and where.
    #[test]
    fn the_automaton_matches_where_regex_does() {
        let patterns = [
            r"(?i)\buser (?:unknown|not found)\b",
            r"(?i)mailbox (?:is )?full|over ?quota",
            r"(?i)\bspamhaus\b|\bsbl\b",
            r"宛先|ユーザ(?:ー)?が(?:存在しません|見つかりません)",
            r"(?i)k\w+n sign",
            r"^5\.7\.\d+$",
            r"",
        ];
        let texts = [
            "550 5.1.1 User Unknown in virtual table",
            "user not founder",
            "552 Mailbox is FULL; over quota",
            "554 listed at SBL, see spamhaus.org",
            "宛先のユーザーが存在しません",
            "\u{212A}elvin sign, ſpamhaus",
            "5.7.26",
            "",
            "naïve user unknown",
        ];
        for p in patterns {
            let (ours, theirs) = (LazyRegex::unchecked(p), regex::Regex::new(p).unwrap());
            for t in texts {
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p} on {t}");
                let spans: Vec<_> = ours
                    .regex()
                    .unwrap()
                    .find_all(t)
                    .into_iter()
                    .map(|m| m.range())
                    .collect();
                let want: Vec<_> = theirs.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(spans, want, "{p} on {t}");
            }
        }
    }

    /// The ASCII-boundary reading is offered only where a boundary sits beside an ASCII word
    /// character of every match, and then never says no where the pattern says yes.
    #[test]
    fn ascii_boundaries_are_offered_only_where_they_cannot_miss() {
        let offered = [
            r"(?i)\b(un|mis)?align(ed|ment)\b",
            r"(?i)\bdkim\b|\bdomainkeys\b",
            r"(?i)^\s*(signing )?(domain|selector)\b",
            r"(?i)\b(start)?tls\b",
            r"\bx_1\b",
            r"a\\b",
        ];
        for p in offered {
            assert!(ascii_boundary_test(p).is_some(), "{p}");
        }
        assert_eq!(
            ascii_boundary_test(r"(?i)\bspf\b").unwrap(),
            r"(?i)(?-u:\b)spf(?-u:\b)"
        );
        assert_eq!(ascii_boundary_test(r"a\\b").unwrap(), r"a\\b");
        let refused = [
            r"\b(?:spf|é)",
            r"é\b",
            r"\b\w+",
            r"\b(?:x)?",
            r"(?:\s|x)\b",
            r"\bx\B",
            r"\b{start}x",
            r"(?:\b)x?",
            r"\b",
        ];
        for p in refused {
            assert!(ascii_boundary_test(p).is_none(), "{p}");
        }
        let texts = [
            "spf fail",
            "éspf",
            "spfé",
            "日本spfです",
            "SPF",
            "x_1",
            "éx_1é",
            "misaligned",
            "unalignment 日本",
            "ſpf",
            "dkım",
            "\u{212A}im",
            "tlsé",
            "starttls",
            " domain",
            "signing selectoré",
        ];
        for p in offered {
            let (written, ascii) = (
                regex::Regex::new(p).unwrap(),
                regex::Regex::new(&ascii_boundary_test(p).unwrap()).unwrap(),
            );
            for t in texts {
                if written.is_match(t) && !t.contains(['\u{17F}', '\u{212A}']) {
                    assert!(ascii.is_match(t), "{p} on {t}");
                }
            }
        }
    }

    /// A pattern over the size limit fails to compile here exactly when `regex` says so.
    #[test]
    fn a_pattern_over_the_size_limit_matches_nothing_and_lint_says_why() {
        let huge = r"(?i)\w{1000}\s{1000}\w{1000}";
        let lazy = LazyRegex::unchecked(huge);
        assert!(regex::Regex::new(huge).is_err());
        assert!(lazy.compile_error().is_some());
        assert!(lazy.regex().is_none());
        assert!(!lazy.is_match("anything"));
    }
}
