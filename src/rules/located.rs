//! A rule with the file:line it was read from (its own module: the checks' tables and the rule
//! set both hold rules so, and the set holds the checks' tables).

/// A rule and the file:line it was read from.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub file: String,
    pub line: usize,
    pub rule: T,
}
