//! The renderers of `scan`, one module per format, and the escaping each format needs for text
//! that came from a log or a message (someone else wrote it).

pub mod csv;

use super::patterns::{self, Pattern};
use super::time;
use std::borrow::Cow;

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "Gmail 4.7.28 deferrals from 2026-03-04 10:14 UTC: 1,240 since", or "... until 12:02 UTC: 240".
pub fn pattern_line(p: &Pattern) -> String {
    let what = format!(
        "{} {} {}",
        p.provider_name,
        p.code,
        patterns::noun(p.status)
    );
    if p.ongoing {
        format!(
            "{what} from {} UTC: {} since",
            time::minute(p.start),
            thousands(p.count)
        )
    } else {
        format!(
            "{what} from {} to {} UTC: {}",
            time::minute(p.start),
            time::minute(p.last),
            thousands(p.count)
        )
    }
}

/// Characters that must not reach a terminal: C0 and C1 controls, DEL, and the bidirectional
/// overrides that can make text read differently than it is.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// Text for a terminal: every unsafe character shown as `\u{..}` instead of acting.
pub fn term(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if unsafe_char(c) {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Text for Markdown (also inside a table cell): markup characters escaped, controls shown.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in term(s).chars() {
        if "\\`*_{}[]<>()#+-.!|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escapes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_240), "1,240");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(term("ok \u{1b}[31mred"), "ok \\u{1b}[31mred");
        assert_eq!(term("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(md("*x* | [y](z)"), "\\*x\\* \\| \\[y\\]\\(z\\)");
    }
}
