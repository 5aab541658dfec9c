//! The built-in patterns' required literals as build.rs read them (`marker_filter`), looked
//! up by pattern: reading them from each pattern was a sixth of a one-reply run.

use super::marker_filter::{self, Literals, StaticLiterals};

/// Written by build.rs: every built-in pattern compiled on first use and its required
/// literals, sorted by pattern.
static LITERALS: &[(&str, Option<StaticLiterals>)] =
    include!(concat!(env!("OUT_DIR"), "/builtin-literals.rs"));

/// A pattern's required literals: the build's for a built-in pattern, else read from it now
/// (a pattern of `--rules DIR`).
pub(crate) fn required_literals(pattern: &str) -> Option<Literals> {
    match LITERALS.binary_search_by(|(p, _)| (*p).cmp(pattern)) {
        Ok(i) => LITERALS[i].1.map(Literals::from_static),
        Err(_) => marker_filter::required_literals(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literals the build wrote are those each built-in pattern requires, and they cover
    /// every pattern of the built-in set.
    #[test]
    fn precompiled_literals_are_the_patterns_literals() {
        let (set, errors) = super::super::RuleSet::assemble(super::super::precompiled::sources());
        assert!(errors.is_empty(), "{errors:?}");
        let mut patterns = 0;
        for (file, line, id, re) in set.lazy_patterns() {
            let at = LITERALS.binary_search_by(|(p, _)| (*p).cmp(re.pattern()));
            let Ok(at) = at else {
                panic!("{file}:{line}: `{id}`'s pattern has no precompiled literals");
            };
            assert_eq!(
                LITERALS[at].1.map(Literals::from_static),
                marker_filter::required_literals(re.pattern()),
                "{file}:{line}: {id}"
            );
            patterns += 1;
        }
        assert!(patterns > 500, "{patterns}");
        assert!(
            LITERALS.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, once each"
        );
    }
}
