//! The built-in patterns' required literals as build.rs read them (`marker_filter`), and the
//! automata of their ASCII readings as it determinized them (`match_only`), looked up by
//! pattern: reading literals from each pattern was a sixth of a one-reply run, and compiling
//! the patterns and building their lazy DFA's states a third of a Maildir scan.

use super::marker_filter::{self, Literals, StaticLiterals};

/// Written by build.rs: every built-in pattern compiled on first use and every mechanism word,
/// with its [`digest`], required literals and where in [`DFAS`] its ASCII reading's automaton
/// is (offset, length), sorted by digest then pattern.
type Row = (
    u64,
    &'static str,
    Option<StaticLiterals>,
    Option<(u32, u32)>,
);
static LITERALS: &[Row] = include!(concat!(env!("OUT_DIR"), "/builtin-literals.rs"));

/// Bytes at a four-byte boundary, as `dense::DFA::from_bytes` reads them (`u32` transitions).
#[repr(C)]
struct Aligned<B: ?Sized> {
    _align: [u32; 0],
    bytes: B,
}

/// Written by build.rs: `ascii_dfa::bytes` of the patterns, each at a multiple of four.
static DFAS: &Aligned<[u8]> = &Aligned {
    _align: [],
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/builtin-dfas.bin")),
};

/// FNV-1a of a pattern: the table is searched by it, since comparing patterns, which share
/// long prefixes (`(?i)\b`), was most of the lookup's cost.
pub(crate) fn digest(pattern: &str) -> u64 {
    pattern.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The build's entry for a built-in pattern.
fn entry(pattern: &str) -> Option<&'static Row> {
    let h = digest(pattern);
    let from = LITERALS.partition_point(|(d, ..)| *d < h);
    LITERALS[from..]
        .iter()
        .take_while(|(d, ..)| *d == h)
        .find(|(_, p, ..)| *p == pattern)
}

/// A pattern's required literals: the build's for a built-in pattern, else read from it now
/// (a pattern of `--rules DIR`).
pub(crate) fn required_literals(pattern: &str) -> Option<Literals> {
    match entry(pattern) {
        Some((_, _, literals, _)) => literals.map(Literals::from_static),
        None => marker_filter::required_literals(pattern),
    }
}

/// The build's automaton of a built-in pattern's ASCII reading (see `match_only`), if it wrote one.
pub(crate) fn ascii_dfa(pattern: &str) -> Option<&'static [u8]> {
    let (at, len) = entry(pattern)?.3?;
    DFAS.bytes.get(at as usize..at as usize + len as usize)
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
            let Some((_, _, literals, _)) = entry(pattern) else {
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

    /// The automata the build wrote are what `ascii_dfa::bytes` determinizes from
    /// each pattern for this target, and most built-in patterns have one.
    #[test]
    fn precompiled_automata_are_the_patterns_ascii_readings() {
        let mut written = 0;
        for (_, pattern, _, at) in LITERALS {
            let want = crate::ascii_dfa::bytes(pattern, cfg!(target_endian = "big"));
            assert_eq!(ascii_dfa(pattern).map(<[u8]>::to_vec), want, "{pattern}");
            written += usize::from(at.is_some());
        }
        assert!(written > 500, "{written} of {}", LITERALS.len());
        // The build reads the constant word patterns too (`reply::word_patterns`).
        for p in crate::reply::word_patterns::ALL {
            assert!(entry(p).is_some(), "{p}");
        }
        assert!(ascii_dfa("(?i)not a built-in pattern").is_none());
    }
}
