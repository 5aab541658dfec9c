//! A text that is not ASCII with its other characters replaced by a pattern's ASCII stand-ins
//! (`ascii_standin`), for the pattern's automaton for ASCII texts: compiling a built-in pattern
//! as written for the first such text, and the PikeVM that reads a long one where the lazy DFA
//! gives up at a Unicode `\b`, were the largest costs of a Maildir scan left (callgrind).

pub(crate) use crate::ascii_standin::StandIns;
use std::cell::RefCell;

/// One text's characters by category, kept for the next pattern asked about the same text
/// (rule matching asks dozens).
#[derive(Default)]
struct Categorized {
    text: String,
    /// One byte per character: ASCII as it is, else `0x80 | category`.
    cats: Vec<u8>,
    /// The categories present, one bit each.
    present: u8,
    /// `cats` with the stand-ins of `reps`.
    stood_in: Vec<u8>,
    reps: [u8; 4],
}

thread_local! {
    static LAST: RefCell<Categorized> = RefCell::default();
}

fn special(specials: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    let i = specials.partition_point(|&(_, hi)| hi < c);
    specials.get(i).is_some_and(|&(lo, _)| lo <= c)
}

/// `search` run on `text` (not ASCII) with its other characters stood in for, one byte each:
/// `None` when a character of it is special or of a category without a stand-in (then the
/// pattern as written must answer).
pub(crate) fn with_stand_ins<R>(
    text: &str,
    s: &StandIns,
    search: impl FnOnce(&[u8]) -> Option<R>,
) -> Option<R> {
    if !s.specials.is_empty()
        && text
            .chars()
            .any(|c| !c.is_ascii() && special(s.specials, c))
    {
        return None;
    }
    LAST.with(|last| {
        let mut last = last.try_borrow_mut().ok()?;
        let last = &mut *last;
        if last.text != text {
            last.text.clear();
            last.text.push_str(text);
            last.cats.clear();
            last.present = 0;
            for c in text.chars() {
                if c.is_ascii() {
                    last.cats.push(c as u8);
                } else {
                    let k = crate::builtin_dfas::category(c);
                    last.present |= 1 << k;
                    last.cats.push(0x80 | k);
                }
            }
            last.reps = [0; 4];
            last.stood_in.clear();
        }
        if (0..4).any(|k| last.present & (1 << k) != 0 && s.reps[k] == 0) {
            return None;
        }
        if last.reps != s.reps || last.stood_in.len() != last.cats.len() {
            last.stood_in.clear();
            last.stood_in.extend(last.cats.iter().map(|&b| {
                if b < 0x80 {
                    b
                } else {
                    s.reps[usize::from(b & 3)]
                }
            }));
            last.reps = s.reps;
        }
        search(&last.stood_in)
    })
}

/// Texts that put other characters where stand-ins must answer for them: every other ASCII
/// text with its spaces as no-break spaces, with a letter beside every word, with its digits
/// full-width and its dashes and colons of other scripts, and among words of other scripts,
/// LONG S and KELVIN SIGN.
#[cfg(test)]
pub(crate) fn other_character_variants(texts: &[String]) -> Vec<String> {
    let full_width = |c: char| match c {
        '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap_or(c),
        '-' => '\u{2014}',
        ':' => '\u{FF1A}',
        other => other,
    };
    texts
        .iter()
        .filter(|t| t.is_ascii())
        .step_by(2)
        .flat_map(|t| {
            [
                t.replace(' ', "\u{a0}"),
                t.replace(' ', "\u{e9} \u{e9}"),
                t.chars().map(full_width).collect(),
                format!("日本語 \u{17F} {t} \u{212A} — ü"),
            ]
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ascii_standin::{DIGIT, OTHER, SPACE, WORD};

    /// The build's categories are `regex`'s `\d`, `\w` and `\s` for every character that is not
    /// ASCII (every 13th, and the ends of every range).
    #[test]
    fn categories_are_regex_classes() {
        let (d, w, s) = (
            regex::Regex::new(r"^\d$").unwrap(),
            regex::Regex::new(r"^\w$").unwrap(),
            regex::Regex::new(r"^\s$").unwrap(),
        );
        let mut chars: Vec<u32> = (0x80..0x11_0000).step_by(13).collect();
        for (lo, hi, _) in crate::ascii_standin::category_ranges() {
            chars.extend([lo - 1, lo, hi, hi + 1]);
        }
        for c in chars
            .into_iter()
            .filter_map(char::from_u32)
            .filter(|c| !c.is_ascii())
        {
            let t = c.to_string();
            let want = if d.is_match(&t) {
                DIGIT
            } else if w.is_match(&t) {
                WORD
            } else if s.is_match(&t) {
                SPACE
            } else {
                OTHER
            };
            assert_eq!(crate::builtin_dfas::category(c), want, "{:x}", c as u32);
        }
    }

    /// A text with a special character, or with one of a category without a stand-in, is left
    /// to the pattern as written; others are searched with their stand-ins in place.
    #[test]
    fn special_characters_and_missing_stand_ins_are_refused() {
        let s = StandIns {
            reps: [b'0', b'_', 0x0b, 0],
            specials: &[(0x17F, 0x17F), (0x212A, 0x212A)],
        };
        let seen = |t: &str| with_stand_ins(t, &s, |b| Some(b == b"x_\x0b9".as_slice()));
        assert_eq!(seen("xé\u{a0}9"), Some(true));
        assert_eq!(seen("xé\u{a0}8"), Some(false));
        assert_eq!(seen("x\u{17F}\u{a0}9"), None);
        assert_eq!(seen("xé\u{2014}9"), None);
        // The same text again, after another pattern's stand-ins.
        let t = StandIns {
            reps: [b'1', b'a', b' ', b'!'],
            specials: &[],
        };
        assert_eq!(
            with_stand_ins("é\u{2014}\u{663}", &t, |b| Some(b == b"a!1".as_slice())),
            Some(true)
        );
        assert_eq!(seen("xé\u{a0}9"), Some(true));
    }
}
