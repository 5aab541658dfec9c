//! Substring search with ASCII letters compared in either case: the literal prefilters of rule
//! patterns and of extraction's line patterns (and the build script, which reads rule literals).

/// Whether `hay` holds `needle` with ASCII letters compared in either case. Candidates are
/// where the needle's first byte is, in either case (memchr's vector search): comparing at
/// every offset was most of a one-reply run's fingerprint matching.
pub(crate) fn contains_ascii_folded(hay: &str, needle: &str) -> bool {
    let (hay, want) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = want.split_first() else {
        return true;
    };
    let Some(last) = hay.len().checked_sub(want.len()) else {
        return false;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, &hay[..=last])
        .any(|i| hay[i + 1..i + want.len()].eq_ignore_ascii_case(rest))
}
