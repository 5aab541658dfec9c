//! The built-in patterns' required literals as build.rs read them (`marker_filter`), looked
//! up by pattern: reading them from each pattern was a sixth of a one-reply run.

use super::marker_filter::{self, Literals, StaticLiterals};

/// Written by build.rs: every built-in pattern compiled on first use and every mechanism word,
/// with its [`digest`] and required literals, sorted by digest then pattern.
static LITERALS: &[(u64, &str, Option<StaticLiterals>)] =
    include!(concat!(env!("OUT_DIR"), "/builtin-literals.rs"));

/// FNV-1a of a pattern: the table is searched by it, since comparing patterns, which share
/// long prefixes (`(?i)\b`), was most of the lookup's cost.
pub(crate) fn digest(pattern: &str) -> u64 {
    pattern.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The build's entry for a built-in pattern.
fn entry(pattern: &str) -> Option<&'static (u64, &'static str, Option<StaticLiterals>)> {
    let h = digest(pattern);
    let from = LITERALS.partition_point(|(d, ..)| *d < h);
    LITERALS[from..]
        .iter()
        .take_while(|(d, ..)| *d == h)
        .find(|(_, p, _)| *p == pattern)
}

/// A pattern's required literals: the build's for a built-in pattern, else read from it now
/// (a pattern of `--rules DIR`).
pub(crate) fn required_literals(pattern: &str) -> Option<Literals> {
    match entry(pattern) {
        Some((.., literals)) => literals.map(Literals::from_static),
        None => marker_filter::required_literals(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literals the build wrote are those each built-in pattern and mechanism word
    /// requires, and they cover every one of them.
    #[test]
    fn precompiled_literals_are_the_patterns_literals() {
        let (set, errors) = super::super::RuleSet::assemble(super::super::precompiled::sources(
            super::super::tables::Tables::All,
        ));
        assert!(errors.is_empty(), "{errors:?}");
        let mut patterns: Vec<(String, &str)> = set
            .lazy_patterns()
            .map(|(file, line, id, re)| (format!("{file}:{line}: {id}"), re.pattern()))
            .collect();
        for l in &set.mechanisms {
            let at = format!("{}:{}: {}", l.file, l.line, l.rule.id);
            patterns.extend(l.rule.words.iter().map(|w| (at.clone(), w.as_str())));
        }
        assert!(patterns.len() > 500, "{}", patterns.len());
        for (at, pattern) in patterns {
            let Some((.., literals)) = entry(pattern) else {
                panic!("{at}: {pattern} has no precompiled literals");
            };
            assert_eq!(
                literals.map(Literals::from_static),
                marker_filter::required_literals(pattern),
                "{at}"
            );
        }
        assert!(
            LITERALS
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)),
            "sorted, once each"
        );
        assert!(entry("(?i)not a built-in pattern").is_none());
    }

    /// Every built-in pattern and word pattern has the automaton for ASCII texts that
    /// `ascii_dfa::bytes` builds now (`builtin_dfas`), or none where it builds none; the build
    /// reads the constant word patterns too (`reply::word_patterns`).
    #[test]
    fn every_pattern_has_its_automaton_for_ascii_texts() {
        let mut written = 0;
        for (_, pattern, _) in LITERALS {
            let want = crate::ascii_dfa::bytes(pattern, cfg!(target_endian = "big"));
            let got = crate::builtin_dfas::get(pattern);
            assert_eq!(got.map(<[u8]>::to_vec), want, "{pattern}");
            written += usize::from(got.is_some());
        }
        assert!(written > 500, "{written} of {}", LITERALS.len());
        for p in crate::reply::word_patterns::ALL {
            assert!(entry(p).is_some(), "{p}");
        }
    }
}
