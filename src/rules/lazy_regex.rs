//! Rule patterns compiled on first use: a run decodes a few replies but loads about 500 patterns.
//! Until a pattern is compiled, its required literals (read from its text, one per top-level
//! alternative) are looked for first, so an ASCII reply that holds none of them never compiles
//! it; once compiled, the automaton answers alone.
//!
//! The automaton is the one `regex::Regex::new` builds (the same syntax, match semantics and
//! size limits) without its literal prefilter: a rule pattern runs on few and short texts
//! (each distinct reply once), and extracting a `(?i)` alternation's literals to build that
//! prefilter cost more than all its searches (a third of a Maildir scan's CPU, callgrind).

use super::builtin_literals::required_literals;
use super::marker_filter::Literals;
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Texts a pattern's literals are looked for in before it is compiled anyway: a run that
/// decodes many replies (`scan`) is better served by the automaton, which has its own
/// prefilter, than by looking for a long alternation's literals in every reply.
const LITERAL_TRIES: u32 = 16;

/// A pattern whose syntax was checked at load time and which is compiled when first matched.
#[derive(Debug)]
pub(crate) struct LazyRegex {
    pattern: String,
    /// Read from the pattern on the first match that needs them, not at load.
    literals: OnceLock<Option<Literals>>,
    /// Texts its literals were looked for in (see [`LITERAL_TRIES`]).
    tries: AtomicU32,
    compiled: OnceLock<Option<Regex>>,
}

impl Clone for LazyRegex {
    fn clone(&self) -> LazyRegex {
        LazyRegex {
            pattern: self.pattern.clone(),
            literals: self.literals.clone(),
            tries: AtomicU32::new(self.tries.load(Ordering::Relaxed)),
            compiled: self.compiled.clone(),
        }
    }
}

impl LazyRegex {
    /// Checks the syntax only (cheap); the automaton is built by the first `is_match`.
    pub(crate) fn parse(pattern: &str) -> Result<LazyRegex, String> {
        regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        Ok(LazyRegex::unchecked(pattern))
    }

    /// A pattern whose syntax is known good (the built-in rules, which `rules lint` compiles):
    /// nothing is parsed until the first `is_match`.
    pub(crate) fn unchecked(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            literals: OnceLock::new(),
            tries: AtomicU32::new(0),
            compiled: OnceLock::new(),
        }
    }

    /// A pattern that parses but exceeds the compiled size limit matches nothing rather than
    /// failing a decode; `rules lint` reports it (see `compile_error`).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if let Some(compiled) = self.compiled.get() {
            return compiled.as_ref().is_some_and(|re| re.is_match(text));
        }
        if text.is_ascii()
            && self.tries.fetch_add(1, Ordering::Relaxed) < LITERAL_TRIES
            && let Some(l) = self
                .literals
                .get_or_init(|| required_literals(&self.pattern))
            && !l.any_in(text)
        {
            return false;
        }
        self.regex().is_some_and(|re| re.is_match(text))
    }

    /// The compiled automaton, or `None` for a pattern over the size limit.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| build(&self.pattern)).as_ref()
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
                    .find_iter(t)
                    .map(|m| m.range())
                    .collect();
                let want: Vec<_> = theirs.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(spans, want, "{p} on {t}");
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
