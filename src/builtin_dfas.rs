//! The automata for ASCII texts that build.rs determinized for the built-in patterns
//! (`ascii_dfa`), looked up by pattern for `match_only`.

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

/// FNV-1a of a pattern, as `rules::builtin_literals` digests it: the index is searched by it.
fn digest(pattern: &str) -> u64 {
    pattern.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The build's automaton of a built-in pattern for ASCII texts, if it wrote one.
pub(crate) fn get(pattern: &str) -> Option<&'static [u8]> {
    let h = digest(pattern);
    let from = INDEX.partition_point(|(d, ..)| *d < h);
    let &(_, _, at, len) = INDEX[from..]
        .iter()
        .take_while(|(d, ..)| *d == h)
        .find(|(_, p, ..)| *p == pattern)?;
    DFAS.bytes.get(at as usize..at as usize + len as usize)
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
    }
}
