//! The automata for ASCII texts that build.rs determinized for the built-in patterns
//! (`ascii_dfa`), and the ASCII stand-ins it chose for them (`ascii_standin`), looked up by
//! pattern for `match_only`.

use crate::ascii_standin::StandIns;

/// Written by build.rs: the patterns that have an automaton, with their [`digest`] and its
/// place in [`DFAS`] (offset, length), sorted by digest then pattern.
static INDEX: &[(u64, &str, u32, u32)] = include!(concat!(env!("OUT_DIR"), "/builtin-dfas.rs"));

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

/// Written by build.rs: the constant extraction patterns that have a reverse automaton, as
/// [`INDEX`] holds the forward ones.
static REV_INDEX: &[(u64, &str, u32, u32)] =
    include!(concat!(env!("OUT_DIR"), "/builtin-rev-dfas.rs"));

/// Written by build.rs: `ascii_dfa::reverse_bytes` of those patterns, each at a multiple of four.
static REV_DFAS: &Aligned<[u8]> = &Aligned {
    _align: [],
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/builtin-rev-dfas.bin")),
};

/// FNV-1a of a pattern, as `rules::builtin_literals` digests it: the index is searched by it.
fn digest(pattern: &str) -> u64 {
    pattern.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Written by build.rs: the patterns (built-in, and the variants of them with ASCII word
/// boundaries that `match_only` is asked for) that have stand-ins, with their [`digest`], their
/// stand-ins by category and the place of their special characters in [`SPECIALS`], sorted by
/// digest then pattern.
static STAND_INS: &[(u64, &str, [u8; 4], u32, u32)] =
    include!(concat!(env!("OUT_DIR"), "/builtin-standins.rs"));

/// Written by build.rs: the special characters of every pattern, as ranges of code points.
static SPECIALS: &[(u32, u32)] = include!(concat!(env!("OUT_DIR"), "/builtin-specials.rs"));

/// Written by build.rs: `ascii_standin::category_ranges`.
static CATEGORIES: &[(u32, u32, u8)] = include!(concat!(env!("OUT_DIR"), "/builtin-categories.rs"));

/// The stand-ins the build chose for `pattern`, if it has any.
pub(crate) fn stand_ins(pattern: &str) -> Option<StandIns> {
    let h = digest(pattern);
    let from = STAND_INS.partition_point(|(d, ..)| *d < h);
    let &(_, _, reps, at, len) = STAND_INS[from..]
        .iter()
        .take_while(|(d, ..)| *d == h)
        .find(|(_, p, ..)| *p == pattern)?;
    Some(StandIns {
        reps,
        specials: SPECIALS.get(at as usize..at as usize + len as usize)?,
    })
}

/// The category of a character that is not ASCII, as `regex`'s Unicode tables read it.
pub(crate) fn category(c: char) -> u8 {
    let c = u32::from(c);
    let i = CATEGORIES.partition_point(|&(_, hi, _)| hi < c);
    match CATEGORIES.get(i) {
        Some(&(lo, _, k)) if lo <= c => k,
        _ => crate::ascii_standin::OTHER,
    }
}

/// The build's automaton of a built-in pattern for ASCII texts, if it wrote one.
pub(crate) fn get(pattern: &str) -> Option<&'static [u8]> {
    look_up(INDEX, &DFAS.bytes, pattern)
}

/// The build's reverse automaton of a constant extraction pattern for ASCII texts, if it wrote
/// one.
pub(crate) fn get_reverse(pattern: &str) -> Option<&'static [u8]> {
    look_up(REV_INDEX, &REV_DFAS.bytes, pattern)
}

fn look_up(
    index: &[(u64, &str, u32, u32)],
    dfas: &'static [u8],
    pattern: &str,
) -> Option<&'static [u8]> {
    let h = digest(pattern);
    let from = index.partition_point(|(d, ..)| *d < h);
    let &(_, _, at, len) = index[from..]
        .iter()
        .take_while(|(d, ..)| *d == h)
        .find(|(_, p, ..)| *p == pattern)?;
    dfas.get(at as usize..at as usize + len as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index is sorted and holds each pattern once; a pattern not built in has nothing.
    #[test]
    fn the_index_is_sorted_and_finds_what_it_holds() {
        assert!(INDEX.len() > 500, "{}", INDEX.len());
        assert!(
            INDEX
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        for (_, p, _, len) in INDEX {
            assert_eq!(get(p).map(<[u8]>::len), Some(*len as usize), "{p}");
        }
        assert!(get("(?i)not a built-in pattern").is_none());
        assert!(REV_INDEX.len() > 50, "{}", REV_INDEX.len());
        assert!(
            REV_INDEX
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
        );
        for (_, p, _, len) in REV_INDEX {
            assert_eq!(get_reverse(p).map(<[u8]>::len), Some(*len as usize), "{p}");
        }
    }
}
