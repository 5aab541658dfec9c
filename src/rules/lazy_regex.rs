//! Rule patterns compiled on first use: a run decodes a few replies but loads about 200 patterns.

use regex::Regex;
use std::sync::OnceLock;

/// A pattern whose syntax was checked at load time and which is compiled when first matched.
#[derive(Debug, Clone)]
pub(crate) struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// Checks the syntax only (cheap); the automaton is built by the first `is_match`.
    pub(crate) fn parse(pattern: &str) -> Result<LazyRegex, String> {
        regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        })
    }

    /// A pattern that parses but exceeds the compiled size limit matches nothing rather than
    /// failing a decode; `rules lint` reports it (see `compile_error`).
    /// A pattern whose syntax is known good (the built-in rules, which `rules lint` compiles):
    /// nothing is parsed until the first `is_match`.
    pub(crate) fn unchecked(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        }
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    }

    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Compiles now and says why it fails, for linting.
    pub(crate) fn compile_error(&self) -> Option<String> {
        Regex::new(&self.pattern).err().map(|e| e.to_string())
    }
}
