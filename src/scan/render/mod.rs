//! What `scan`'s renderers share (counts, pattern lines); text written
//! by others is escaped by `report::escape` where it is rendered.

use super::patterns::{self, Pattern};
use super::time;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_240), "1,240");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
