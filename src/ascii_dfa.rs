//! Automata for ASCII texts, determinized by the build (build.rs) for the built-in patterns and
//! read by the binary (`match_only`): no parsing, compiling or lazy state building at run time.
//!
//! A pattern's automaton for ASCII texts is the pattern as `regex` parses it (Unicode, `(?i)`
//! folding and all) with every class cut to its ASCII members, every literal that holds another
//! character replaced by one that never matches, and every Unicode word assertion read in ASCII.
//! On an ASCII text a match of the pattern holds ASCII characters only and every word
//! assertion sits between ASCII characters (or at an end), where the Unicode and the ASCII
//! readings agree: the two match the same texts. So every built-in pattern has one, also those
//! that name letters of other scripts, whose alternatives in those scripts drop out.

use regex_automata::MatchKind;
use regex_automata::dfa::{StartKind, dense};
use regex_automata::nfa::thompson;
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Look, Repetition,
};

/// `regex`'s size limit for the compiled NFA.
const NFA_SIZE_LIMIT: usize = 10 * (1 << 20);

/// The largest automaton the build writes. Reading one checks every transition (the 111 a
/// Maildir scan of the sisimai messages reads cost 19 M instructions, callgrind); a pattern
/// whose automaton is larger is compiled at run time, where its lazy DFA builds only the states
/// its texts visit.
pub(crate) const LIMIT: usize = 1 << 20;

/// `pattern`'s automaton for ASCII texts, as `dense::DFA::to_bytes_*_endian` writes it for the
/// target. `None` for a pattern that does not parse or whose automaton exceeds [`LIMIT`].
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn bytes(pattern: &str, big_endian: bool) -> Option<Vec<u8>> {
    let dfa = build(pattern)?;
    let (bytes, pad) = if big_endian {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    let bytes = &bytes[pad..];
    (bytes.len() <= LIMIT).then(|| bytes.to_vec())
}

/// `pattern`'s reverse automaton for ASCII texts, written as [`bytes`] writes the forward one:
/// run backwards from where the forward automaton found a match's end, it finds where that
/// match starts (as `regex`'s own reverse lazy DFA does). `None` as for [`bytes`].
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn reverse_bytes(pattern: &str, big_endian: bool) -> Option<Vec<u8>> {
    let dfa = build_reverse(pattern)?;
    let (bytes, pad) = if big_endian {
        dfa.to_bytes_big_endian()
    } else {
        dfa.to_bytes_little_endian()
    };
    let bytes = &bytes[pad..];
    (bytes.len() <= LIMIT).then(|| bytes.to_vec())
}

/// `pattern`'s ASCII reading (see the module's comment), as an NFA with its groups: on an ASCII
/// text it matches where the pattern matches, with the same groups, so run anchored on a match
/// the automata found it gives the match's groups without compiling the pattern as written.
pub(crate) fn ascii_nfa(pattern: &str, reverse: bool) -> Option<thompson::NFA> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(true)
        .build()
        .parse(pattern)
        .ok()?;
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .reverse(reverse)
                .which_captures(if reverse {
                    thompson::WhichCaptures::None
                } else {
                    thompson::WhichCaptures::All
                })
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .shrink(false),
        )
        .build_from_hir(&ascii_only(&hir))
        .ok()
}

/// `pattern`'s reverse automaton for ASCII texts: anchored, every match (the longest is the
/// leftmost start), as `regex_automata::dfa::regex` builds its reverse DFA.
#[cfg_attr(not(test), allow(dead_code))]
fn build_reverse(pattern: &str) -> Option<dense::DFA<Vec<u32>>> {
    let nfa = ascii_nfa(pattern, true)?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .prefilter(None)
                .specialize_start_states(false)
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::All)
                .byte_classes(true)
                .determinize_size_limit(Some(32 << 20))
                .dfa_size_limit(Some(2 * LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()
}

/// `pattern`'s automaton for ASCII texts: unanchored, leftmost-first, for whether it matches.
#[cfg_attr(not(test), allow(dead_code))]
fn build(pattern: &str) -> Option<dense::DFA<Vec<u32>>> {
    let nfa = ascii_nfa(pattern, false)?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .start_kind(StartKind::Unanchored)
                .byte_classes(true)
                .determinize_size_limit(Some(32 << 20))
                .dfa_size_limit(Some(2 * LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()
}

/// `h` restricted to ASCII texts (see the module's comment).
fn ascii_only(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) if l.0.is_ascii() => Hir::literal(l.0.clone()),
        HirKind::Literal(_) => Hir::fail(),
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7F)]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Look(l) => Hir::look(ascii_look(*l)),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(ascii_only(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(ascii_only(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(ascii_only).collect()),
        HirKind::Alternation(alts) => Hir::alternation(alts.iter().map(ascii_only).collect()),
    }
}

/// A word assertion read in ASCII; the others as they are.
fn ascii_look(l: Look) -> Look {
    match l {
        Look::WordUnicode => Look::WordAscii,
        Look::WordUnicodeNegate => Look::WordAsciiNegate,
        Look::WordStartUnicode => Look::WordStartAscii,
        Look::WordEndUnicode => Look::WordEndAscii,
        Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
        Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use regex_automata::Input;
    use regex_automata::dfa::Automaton;

    /// On ASCII texts the automaton answers as `regex` does, for patterns that name other
    /// scripts, `(?i)` letters that fold to KELVIN SIGN and LONG S, Unicode classes, `\b`, `\B`
    /// and the word-start and word-end assertions, `.` and negated classes; a pattern that does
    /// not parse has none.
    #[test]
    fn the_automaton_answers_as_regex_on_ascii_texts() {
        let patterns = [
            r"(?i)\buser (?:unknown|not found)\b|宛先|ユーザ",
            r"(?i)\bstra(?:ß|ss)e\b|k\w+n sign|\x{17F}pf",
            r"(?i)nicht im b(?:ü|ue)ro|[ãa]o entregue",
            r"\pL+\s\p{N}{2}|\W+x\s\d",
            r"(?i)[^k]is|a.{0,3}b|(?s)a.b",
            r"\Bser\b|\b{start}mail\b{end}|\b{start-half}x\b{end-half}",
            r"(?m)^\s*said:\s*$",
            r"(?i)don\x27t|\u00e9t\u00e9",
            r"",
        ];
        let texts = [
            "550 5.1.1 User Unknown in virtual table",
            "Strasse STRASSE kelvin sign spf pf",
            "nicht im bueRo; nao entregue",
            "ab 12 @@ x 1",
            "kis Kis his a\nb axxb",
            "user ser mail x",
            "x\n  said:\n",
            "DON'T ete",
            "",
        ];
        for p in patterns {
            let theirs = regex::Regex::new(p).unwrap();
            let dfa = build(p).unwrap();
            for t in texts {
                let ours = dfa.try_search_fwd(&Input::new(t).earliest(true)).unwrap();
                assert_eq!(ours.is_some(), theirs.is_match(t), "{p} on {t}");
            }
        }
        assert!(build(r"(?i)\buser (").is_none() && bytes(r"(?i)\buser (", false).is_none());
    }
}
