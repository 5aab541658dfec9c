//! Whether text given as a zone file is one at all: prose or a list handed to `--zone` is
//! named as "not a zone file" instead of by the token the scanner stumbled on ("missing origin").

use domain::base::iana::{Class, Rtype};

/// True when some line of `text` reads as a record (RFC 1035 section 5.1: an owner unless the
/// line is indented, then TTLs and classes, then a type) or as a `$` directive. Only asked
/// once the scanner has failed, so a zone file is never refused by it.
pub(super) fn reads_as_zone(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.split(';').next().unwrap_or("");
        if line.starts_with('$') {
            return true;
        }
        let mut words = line.split_whitespace();
        if !line.starts_with([' ', '\t']) && !words.next().is_some_and(is_owner) {
            return false;
        }
        words
            .find(|w| !is_ttl(w) && w.parse::<Class>().is_err())
            .is_some_and(|w| w.parse::<Rtype>().is_ok())
    })
}

/// The first line that holds anything but blanks and comments (1-based), if any.
pub(super) fn first_content_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| !l.split(';').next().unwrap_or("").trim().is_empty())
        .map(|i| i + 1)
}

/// An owner as zone files write it: `@`, or a name's characters (escapes and `*` included).
fn is_owner(w: &str) -> bool {
    w.chars()
        .all(|c| c.is_ascii_alphanumeric() || "@.-_*\\/".contains(c))
}

/// A TTL as zone files write it: seconds, or BIND's units (`1h30m`).
fn is_ttl(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || "smhdwSMHDW".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_directives_read_as_a_zone_and_prose_does_not() {
        assert!(reads_as_zone("$ORIGIN example.com.\n"));
        assert!(reads_as_zone("@ 300 IN TXT \"v=spf1 -all\"\n"));
        assert!(reads_as_zone("; c\n  IN MX 10 mx\n"));
        assert!(reads_as_zone("www 1h IN A 192.0.2.1\n"));
        assert!(!reads_as_zone("Hello there,\nthis is a shopping list.\n"));
        assert!(!reads_as_zone("hello world foo bar baz\n"));
        assert!(!reads_as_zone("# a heading\nsome text\n"));
        assert_eq!(first_content_line("\n; c\n text\n"), Some(3));
        assert_eq!(first_content_line("; only\n"), None);
    }
}
