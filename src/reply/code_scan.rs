//! Byte scanners for the reply-code grammar (a 3-digit code, a dotted enhanced code and what
//! may stand around them), used by `code.rs` instead of regular expressions: compiling those
//! cost a third of a one-reply run's instructions. Each function says the pattern it stands
//! for; the tests hold each to that pattern's answers on generated text.

/// Number of ASCII digits from `i`.
fn digits(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// `[0-9]{1,a}\.[0-9]{1,b}\.[0-9]{1,c}` at `i` (or `[245]\.` for the first part when
/// `class` is set): the end of the third number. Each run must be whole (a longer run cannot
/// be followed by the dot or terminator the patterns require), so the runs are read maximal.
fn dotted(b: &[u8], i: usize, class: bool, limits: [usize; 3]) -> Option<usize> {
    let mut at = i;
    for (n, max) in limits.into_iter().enumerate() {
        let run = digits(b, at);
        if run == 0 || run > max {
            return None;
        }
        if n == 0 && class && !(run == 1 && matches!(b[at], b'2' | b'4' | b'5')) {
            return None;
        }
        at += run;
        if n < 2 {
            if b.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    Some(at)
}

/// The character at byte `i` of `s`, if any.
fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

/// `(?:[^0-9.]|\.(?:[^0-9]|$)|$)` at `i`: where it ends, if it matches.
fn code_end(s: &str, i: usize) -> Option<usize> {
    let Some(c) = char_at(s, i) else {
        return Some(i);
    };
    if c.is_ascii_digit() {
        return None;
    }
    if c != '.' {
        return Some(i + c.len_utf8());
    }
    match char_at(s, i + 1) {
        None => Some(i + 1),
        Some(d) if d.is_ascii_digit() => None,
        Some(d) => Some(i + 1 + d.len_utf8()),
    }
}

/// `\b` after a digit: the end of the text or a character that is no (Unicode) word character.
fn word_end(s: &str, i: usize) -> bool {
    char_at(s, i).is_none_or(|c| !regex_syntax::is_word_character(c))
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// `#?` at `i`.
fn skip_hash(b: &[u8], i: usize) -> usize {
    i + usize::from(b.get(i) == Some(&b'#'))
}

/// A reply at the start of `s`, as
/// `^([0-9]{3})(?:[ \t-]+|$)(?:#?([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,4})(?:[^0-9.]|\.(?:[^0-9]|$)|$))?`:
/// the basic code and, when it follows, the enhanced one.
pub(super) fn reply_start(s: &str) -> Option<(&str, Option<&str>)> {
    let b = s.as_bytes();
    if digits(b, 0) < 3 {
        return None;
    }
    let mut at = 3;
    while matches!(b.get(at), Some(b' ' | b'\t' | b'-')) {
        at += 1;
    }
    if at == 3 && at != b.len() {
        return None;
    }
    let start = skip_hash(b, at);
    let enhanced = dotted(b, start, false, [3, 3, 4])
        .filter(|&end| code_end(s, end).is_some())
        .map(|end| &s[start..end]);
    Some((&s[..3], enhanced))
}

/// An enhanced code opening `s`, as `^#?([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,4})(?:\s+|$)`: the
/// code and where the match (with its whitespace) ends.
pub(super) fn enhanced_start(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let start = skip_hash(b, 0);
    let end = dotted(b, start, false, [3, 3, 4])?;
    let rest = &s[end..];
    let trimmed = rest.trim_start_matches(char::is_whitespace);
    if trimmed.len() == rest.len() && !rest.is_empty() {
        return None;
    }
    Some((&s[start..end], s.len() - trimmed.len()))
}

/// The first `[(\[ ]#([245]\.[0-9]{1,3}\.[0-9]{1,3})\b` in `s`: `(#5.1.1)`, `[#4.1.9]`.
pub(super) fn hash_enhanced(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(1))
        .filter(|&i| matches!(b[i], b'(' | b'[' | b' ') && b[i + 1] == b'#')
        .find_map(|i| {
            dotted(b, i + 2, true, [1, 3, 3])
                .filter(|&end| word_end(s, end))
                .map(|end| &s[i + 2..end])
        })
}

/// Where a reply code is glued to an enhanced code of its class by a dot, as
/// `(?:^|[^0-9.])([245])[0-9]{2}(\.)\1\.[0-9]{1,3}\.[0-9]{1,3}\b` (`550.5.7.1`): the byte
/// offsets of those dots.
pub(super) fn glued_codes(s: &str) -> Vec<usize> {
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .filter(|&(at, &c)| c == b'.' && at >= 3 && glued_dot(s, at))
        .map(|(at, _)| at)
        .collect()
}

/// True when `s` opens with a reply code glued to its enhanced code by a dot (`550.5.7.1 ...`).
pub(super) fn glued_at_start(s: &str) -> bool {
    s.as_bytes().get(3) == Some(&b'.') && glued_dot(s, 3)
}

/// The dot at `at` (at least 3) glues a reply code to an enhanced code of its class.
fn glued_dot(s: &str, at: usize) -> bool {
    let b = s.as_bytes();
    let code = at - 3;
    matches!(b[code], b'2' | b'4' | b'5')
        && digits(b, code) == 3
        && (code == 0 || !(b[code - 1].is_ascii_digit() || b[code - 1] == b'.'))
        && b.get(at + 1) == Some(&b[code])
        && dotted(b, at + 1, true, [1, 3, 3]).is_some_and(|end| word_end(s, end))
}

/// One match of [`reply_anywhere`]: where its basic code starts, whether an enhanced code
/// follows it, and where the match ends (the next one starts there or later).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Anywhere {
    pub code: usize,
    pub enhanced: bool,
    pub end: usize,
}

/// The matches of
/// `(?:^|[\s"'(\[:;=<>#])([2-5][0-9][0-9])(?:[ \t]*-[ \t]*|:?[ \t]+|$)(?:#?([245]\.[0-9]{1,3}\.[0-9]{1,3})\b)?`
/// in `s`, leftmost first and not overlapping, as `Regex::captures_iter` gives them.
pub(super) fn reply_anywhere(s: &str) -> impl Iterator<Item = Anywhere> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let m = next_reply(s, from)?;
        from = m.end;
        Some(m)
    })
}

fn next_reply(s: &str, from: usize) -> Option<Anywhere> {
    let opens = |c: char| c.is_whitespace() || "\"'([:;=<>#".contains(c);
    s.get(from..)?.char_indices().find_map(|(i, c)| {
        let i = from + i;
        (i == 0)
            .then(|| reply_at(s, 0))
            .flatten()
            .or_else(|| opens(c).then(|| reply_at(s, i + c.len_utf8())).flatten())
    })
}

/// The rest of [`reply_anywhere`]'s pattern from its code at `at`.
fn reply_at(s: &str, at: usize) -> Option<Anywhere> {
    let b = s.as_bytes();
    let code = b.get(at..at + 3)?;
    if !(matches!(code[0], b'2'..=b'5') && code[1..].iter().all(u8::is_ascii_digit)) {
        return None;
    }
    let after = at + 3;
    let dash = skip_blanks(b, after);
    let sep_end = if b.get(dash) == Some(&b'-') {
        skip_blanks(b, dash + 1)
    } else {
        let colon = after + usize::from(b.get(after) == Some(&b':'));
        let blanks = skip_blanks(b, colon);
        if blanks > colon {
            blanks
        } else if after == b.len() {
            after
        } else {
            return None;
        }
    };
    let start = skip_hash(b, sep_end);
    let enhanced = dotted(b, start, true, [1, 3, 3]).filter(|&end| word_end(s, end));
    Some(Anywhere {
        code: at,
        enhanced: enhanced.is_some(),
        end: enhanced.unwrap_or(sep_end),
    })
}

/// The codes of
/// `(?:^|[^0-9.A-Za-z_])#?([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)` in `s`,
/// leftmost first and not overlapping: an enhanced code not glued to a word or a longer
/// dotted number.
pub(super) fn enhanced_anywhere(s: &str) -> impl Iterator<Item = &str> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let (code, end) = next_enhanced(s, from)?;
        from = end;
        Some(&s[code.0..code.1])
    })
}

type Span = (usize, usize);

fn next_enhanced(s: &str, from: usize) -> Option<(Span, usize)> {
    let opens = |c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_');
    s.get(from..)?.char_indices().find_map(|(i, c)| {
        let i = from + i;
        (i == 0)
            .then(|| enhanced_at(s, 0))
            .flatten()
            .or_else(|| opens(c).then(|| enhanced_at(s, i + c.len_utf8())).flatten())
    })
}

fn enhanced_at(s: &str, at: usize) -> Option<(Span, usize)> {
    let start = skip_hash(s.as_bytes(), at);
    let end = dotted(s.as_bytes(), start, true, [1, 3, 3])?;
    Some(((start, end), code_end(s, end)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    // The patterns these scanners replaced, as code.rs had them.
    const REPLY_START: &str = r"^([0-9]{3})(?:[ \t-]+|$)(?:#?([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,4})(?:[^0-9.]|\.(?:[^0-9]|$)|$))?";
    const ENHANCED_START: &str = r"^#?([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,4})(?:\s+|$)";
    const HASH_ENHANCED: &str = r"[(\[ ]#([245]\.[0-9]{1,3}\.[0-9]{1,3})\b";
    const REPLY_ANYWHERE: &str = r#"(?:^|[\s"'(\[:;=<>#])([2-5][0-9][0-9])(?:[ \t]*-[ \t]*|:?[ \t]+|$)(?:#?([245]\.[0-9]{1,3}\.[0-9]{1,3})\b)?"#;
    const ENHANCED_ANYWHERE: &str =
        r"(?:^|[^0-9.A-Za-z_])#?([245]\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.(?:[^0-9]|$)|$)";

    /// Texts made of the characters these patterns turn on (digits, dots, separators,
    /// brackets, letters, `_`, non-ASCII letters and spaces), from a fixed seed, with the
    /// replies people paste among them.
    fn texts() -> Vec<String> {
        const ALPHABET: &[&str] = &[
            "5", "5", "4", "2", "0", "1", "1", "9", "3", ".", ".", ".", " ", " ", "\t", "-", "#",
            "(", "[", ":", ";", "\"", "'", "<", "=", "a", "Z", "_", "é", "\u{3000}", "\u{a0}",
            "\n", "\\", "550", "5.1.1", "4.7.28", "1234", "ü", "(#", "[#", " #",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut out: Vec<String> = [
            "550 5.1.1 <a@x>: nope",
            "550-5.7.26 unauthenticated 550 5.7.26 gsmtp",
            "550 no mailbox here (#5.1.1)",
            "5.1.1 user unknown",
            "#5.1.1",
            "said: 550 5.1.1 x",
            "550",
            "550 ",
            "550 5.1.1",
            "550 5.1.1.",
            "550 5.1.1.2",
            "550 11.22.33.44 blacklisted",
            "Mailman V5.2.1 released",
            "blocked 10.5.1.2 today",
            "550: <ann@example.org>: User unknown",
            "message of 550 bytes",
            "550 5.1.1é",
            "550 5.1.1\u{3000}x",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        for _ in 0..60_000 {
            let len = (next() % 14) as usize;
            // One in eight opens with a code, as most inputs do.
            let opening = if next() % 8 == 0 { "550" } else { "" };
            let text: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            out.push(format!("{opening}{text}"));
        }
        out
    }

    #[test]
    fn the_scanners_answer_as_the_patterns_they_replace() {
        let reply_start_re = Regex::new(REPLY_START).unwrap();
        let enhanced_start_re = Regex::new(ENHANCED_START).unwrap();
        let hash_re = Regex::new(HASH_ENHANCED).unwrap();
        let anywhere_re = Regex::new(REPLY_ANYWHERE).unwrap();
        let enhanced_anywhere_re = Regex::new(ENHANCED_ANYWHERE).unwrap();
        let mut matched = [0usize; 5];
        for t in texts() {
            let expected = reply_start_re
                .captures(&t)
                .map(|c| (c.get(1).unwrap().as_str(), c.get(2).map(|m| m.as_str())));
            assert_eq!(reply_start(&t), expected, "reply start of {t:?}");
            let expected = enhanced_start_re
                .captures(&t)
                .map(|c| (c.get(1).unwrap().as_str(), c.get(0).unwrap().end()));
            assert_eq!(enhanced_start(&t), expected, "enhanced start of {t:?}");
            let expected = hash_re.captures(&t).map(|c| c.get(1).unwrap().as_str());
            assert_eq!(hash_enhanced(&t), expected, "hash code of {t:?}");
            let expected: Vec<Anywhere> = anywhere_re
                .captures_iter(&t)
                .map(|c| Anywhere {
                    code: c.get(1).unwrap().start(),
                    enhanced: c.get(2).is_some(),
                    end: c.get(0).unwrap().end(),
                })
                .collect();
            assert_eq!(
                reply_anywhere(&t).collect::<Vec<_>>(),
                expected,
                "replies in {t:?}"
            );
            let expected: Vec<&str> = enhanced_anywhere_re
                .captures_iter(&t)
                .map(|c| c.get(1).unwrap().as_str())
                .collect();
            assert_eq!(
                enhanced_anywhere(&t).collect::<Vec<_>>(),
                expected,
                "enhanced codes in {t:?}"
            );
            for (n, hit) in [
                reply_start(&t).is_some(),
                enhanced_start(&t).is_some(),
                hash_enhanced(&t).is_some(),
                reply_anywhere(&t).next().is_some(),
                enhanced_anywhere(&t).next().is_some(),
            ]
            .into_iter()
            .enumerate()
            {
                matched[n] += usize::from(hit);
            }
        }
        // The generated texts reach every pattern's matches, not only its misses.
        assert!(matched.iter().all(|&n| n > 500), "{matched:?}");
    }
}
