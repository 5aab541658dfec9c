//! Cheap literal tests that spare a line or a text a regex run it cannot match: extraction
//! tries a dozen patterns on every line of every bounce, and most lines hold none of the
//! words those patterns require.

/// Whether `text` may hold `needle` (ASCII) in any case, as a `(?i)` pattern would match it.
/// Exact on ASCII text. Unicode case folding also matches KELVIN SIGN to `k` and LONG S to
/// `s`, so in text with other characters a needle holding either letter counts as present.
/// A false answer means no case of the needle is in the text.
pub(super) fn may_hold(text: &str, needle: &str) -> bool {
    if !text.is_ascii() && needle.bytes().any(|b| matches!(b | 0x20, b'k' | b's')) {
        return true;
    }
    let (hay, want) = (text.as_bytes(), needle.as_bytes());
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

/// Whether `text` may hold any of `needles` (see [`may_hold`]).
pub(super) fn may_hold_any(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| may_hold(text, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_needle_is_found_in_any_case_and_only_where_it_is() {
        assert!(may_hold("Remote host SAID: 550", "said:"));
        assert!(may_hold("said:", "said:"));
        assert!(!may_hold("sai d: 550", "said:"));
        assert!(!may_hold("sa", "said:"));
        assert!(may_hold("x", ""));
        assert!(may_hold_any("after RCPT TO", &["in reply to", "after"]));
        assert!(!may_hold_any("before RCPT TO", &["in reply to", "after"]));
    }

    #[test]
    fn non_ascii_text_keeps_needles_that_unicode_folding_could_match() {
        // LONG S folds to `s` under `(?i)`: the regex would match, so the filter must not say no.
        let text = "Remote hoſt said: 550";
        assert!(regex::Regex::new(r"(?i)host").unwrap().is_match(text));
        assert!(may_hold(text, "host"));
        // A needle without `k` or `s` is still tested exactly.
        assert!(!may_hold("Fehler: 550 Empfänger", "after"));
        assert!(may_hold("AFTER: Empfänger", "after"));
    }
}
