//! Rule patterns compiled on first use: a run decodes a few replies but loads about 500 patterns.
//! Until a pattern is compiled, its required literals (read from its text, one per top-level
//! alternative) are looked for first, so an ASCII reply that holds none of them never compiles
//! it; once compiled, the automaton (which has its own prefilter) answers alone.

use super::builtin_literals::required_literals;
use super::marker_filter::Literals;
use regex::Regex;
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
        self.compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
    }

    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Compiles now and says why it fails, for linting.
    pub(crate) fn compile_error(&self) -> Option<String> {
        Regex::new(&self.pattern).err().map(|e| e.to_string())
    }
}
