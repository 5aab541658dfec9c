//! A reply's words with what only passes through them set apart: the addresses it quotes (a
//! recipient at gmail.com is not Gmail speaking) and the links it gives (a link names who
//! documents the reply, not what went wrong).

use crate::reply::constant_regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// A constant pattern, compiled for the first text it matches (see `reply::constant_regex`).
fn re(pattern: &str) -> Regex {
    Regex::new(pattern)
}

/// A character of an address's local part as replies quote them (`ADDRESS_PATTERN`).
fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"._%+'=&/!#$*^`{|}~-".contains(&c)
}

fn label_len(b: &[u8], i: usize) -> usize {
    b.get(i..).map_or(0, |r| {
        r.iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count()
    })
}

/// The spans of the email addresses in `text` (bare, in `<>`, after `mailto:`), leftmost first
/// and not overlapping, as the regex `ADDRESS_PATTERN` (in the tests) finds them: read by hand
/// because compiling it was a fifteenth of a one-reply run.
fn address_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    let mut at = 0;
    while let Some(i) = b.get(at..).and_then(|r| r.iter().position(|&c| c == b'@')) {
        let a = at + i;
        at = a + 1;
        let mut start = a;
        while start > from && local_char(b[start - 1]) {
            start -= 1;
        }
        let mut end = a + 1 + label_len(b, a + 1);
        let mut labels = 0;
        while end > a + 1 && b.get(end) == Some(&b'.') && label_len(b, end + 1) > 0 {
            end += 1 + label_len(b, end + 1);
            labels += 1;
        }
        if start < a && labels > 0 {
            spans.push((start, end));
            from = end;
            at = end;
        }
    }
    spans
}

/// `text` with each address replaced by `[address]`.
fn mask_addresses(text: &str) -> Cow<'_, str> {
    let spans = address_spans(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in spans {
        out.push_str(&text[last..start]);
        out.push_str("[address]");
        last = end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// A link with a scheme, a `www.` host, or a bare host followed by a path
/// (`support.google.com/mail/?p=...`), with the character before a bare one.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\b(?:https?|ftp)://|(?:^|[\s(<\["'=])(?:www\.)?)(?:[a-z0-9-]+\.)+[a-z]{2,}(?::[0-9]+)?(?:/[^\s<>"'\])]*)?"#,
    )
});

/// An absolute path of two segments or more (`path=/api/reset-password/start` in an
/// application's log line): an identifier, not words, so `password` in it names no mechanism.
/// A span in angle brackets on one line, not nested (`<...>`).
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| re(r"<[^<>\n]{1,100}>"));

static PATH: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?:^|[\s=("'])(/[A-Za-z0-9._~%+-]+(?:/[A-Za-z0-9._~%+-]*)+)"#));

/// One link in a reply: its host and path, lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub host: String,
    pub path: String,
}

/// Trailing characters that end the sentence around a link rather than the link.
fn trim_link_end(s: &str) -> &str {
    s.trim_end_matches(['.', ',', ';', ':', '!', '?', '\''])
}

/// Each link of `text` with its byte span. A bare host counts only when a path follows it or
/// it starts with `www.` (else every domain the words mention would be a link); an address's
/// domain is never a link.
fn link_spans(text: &str) -> Vec<(usize, usize, Link)> {
    let mut out = Vec::new();
    // Every link has a scheme, a `www.` or a path: most replies have none of these.
    if !text.contains('/') && !text.contains("www.") && !text.contains("WWW.") {
        return out;
    }
    for m in LINK.find_iter(text) {
        let whole = m.as_str();
        // A bare link's match opens with the character before it (space, bracket, quote).
        let lead = whole
            .chars()
            .next()
            .filter(|c| !c.is_ascii_alphanumeric())
            .map_or(0, char::len_utf8);
        let start = m.start() + lead;
        if text[..start].ends_with('@') {
            continue;
        }
        let body = &text[start..m.end()];
        let (schemed, rest) = match body.find("://") {
            Some(i) => (true, &body[i + 3..]),
            None => (false, body),
        };
        let www = !schemed
            && rest
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("www."));
        let rest = if www { &rest[4..] } else { rest };
        let host_end = rest.find([':', '/']).unwrap_or(rest.len());
        let path = rest[host_end..]
            .find('/')
            .map_or("", |i| trim_link_end(&rest[host_end + i..]));
        if !schemed && !www && path.is_empty() {
            continue;
        }
        // `rest` ends where the match does: the host starts `rest.len()` before its end.
        let host_at = m.end() - rest.len();
        let end = match rest[host_end..].find('/') {
            Some(i) => host_at + host_end + i + path.len(),
            None => m.end(),
        };
        out.push((
            start,
            end,
            Link {
                host: rest[..host_end].to_ascii_lowercase(),
                path: path.to_ascii_lowercase(),
            },
        ));
    }
    out
}

/// A reply's text read once for what passes through it: addresses masked, links found.
pub(crate) struct View<'t> {
    /// The text with every address replaced by `[address]`, so that no fingerprint fires on a
    /// quoted recipient or sender.
    pub masked: Cow<'t, str>,
    /// The links of `masked`, with their spans in it.
    spans: Vec<(usize, usize, Link)>,
}

impl<'t> View<'t> {
    pub(crate) fn new(text: &'t str) -> View<'t> {
        let masked = if text.contains('@') {
            mask_addresses(text)
        } else {
            Cow::Borrowed(text)
        };
        let spans = link_spans(&masked);
        View { masked, spans }
    }

    pub(crate) fn links(&self) -> impl Iterator<Item = &Link> {
        self.spans.iter().map(|(_, _, l)| l)
    }

    /// The text with addresses and links replaced (`[address]`, `[link]`): what its own words
    /// say. A `#spf` anchor or a `dmarc@` mailbox is no mention of SPF or DMARC.
    /// Paths outside links are identifiers too: `[path]`.
    pub(crate) fn own_words(&self) -> Cow<'_, str> {
        let text = self.masked.as_ref();
        let mut cut: Vec<(usize, usize, &str)> = self
            .spans
            .iter()
            .map(|(s, e, _)| (*s, *e, "[link]"))
            .collect();
        // What stands in angle brackets is an address or a placeholder for one
        // (`<username without mail sufix>`, `<recipient's-address>`), never the server's
        // verdict: "username" there names no login.
        if text.contains('<') {
            cut.extend(
                BRACKETED
                    .find_iter(text)
                    .map(|m| (m.start(), m.end(), "[address]")),
            );
            cut.sort_unstable_by_key(|&(s, e, _)| (s, e));
        }
        if text.contains('/') {
            cut.extend(
                PATH.captures_iter(text)
                    .filter_map(|c| c.get(1))
                    .map(|m| (m.start(), m.end(), "[path]")),
            );
            cut.sort_unstable_by_key(|&(s, e, _)| (s, e));
        }
        if cut.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, with) in cut {
            if start < at {
                continue;
            }
            out.push_str(&text[at..start]);
            out.push_str(with);
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `address_spans` reads, as the regex it replaced.
    const ADDRESS_PATTERN: &str =
        r"[A-Za-z0-9._%+'=&/!#$*^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+";

    #[test]
    fn addresses_are_masked_as_the_pattern_finds_them() {
        let pattern = regex::Regex::new(ADDRESS_PATTERN).expect("constant regex");
        const PIECES: &[&str] = &[
            "a", "Z", "0", ".", ".", "@", "@", "-", "_", "+", " ", "<", ">", "é", "(", "..", "ann",
            "example", "org", "mailto:",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut masked = 0;
        for _ in 0..50_000 {
            // Most open with (the start of) an address, as replies often quote one.
            let opening = ["", "ann@example", "ann@example.org", "<a.b@c-d"][(next() % 4) as usize];
            let rest: String = (0..next() % 12)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let text = format!("{opening}{rest}");
            assert_eq!(
                mask_addresses(&text),
                pattern.replace_all(&text, "[address]"),
                "{text:?}"
            );
            masked += usize::from(matches!(mask_addresses(&text), Cow::Owned(_)));
        }
        assert!(masked > 1000, "{masked}");
    }

    fn links(text: &str) -> Vec<Link> {
        View::new(text).links().cloned().collect()
    }

    fn hosts(text: &str) -> Vec<String> {
        links(text).into_iter().map(|l| l.host).collect()
    }

    fn without_addresses(text: &str) -> String {
        View::new(text).masked.into_owned()
    }

    fn own_words(text: &str) -> String {
        View::new(text).own_words().into_owned()
    }

    #[test]
    fn links_with_scheme_www_or_path_are_found_but_not_addresses() {
        assert_eq!(
            hosts("go to https://support.google.com/mail/?p=NoSuchUser. Thanks"),
            ["support.google.com"]
        );
        assert_eq!(
            links("see aka.ms/EXOSmtpErrors")[0],
            Link {
                host: "aka.ms".into(),
                path: "/exosmtperrors".into()
            }
        );
        assert_eq!(hosts("visit www.spamhaus.org now"), ["spamhaus.org"]);
        assert!(hosts("550 5.1.1 <ann@gmail.com>: User unknown").is_empty());
        assert!(hosts("mailto:postmaster@yahoo.com/x").is_empty());
        assert!(
            hosts("blocked using zen.spamhaus.org").is_empty(),
            "a host without a path is a name, not a link"
        );
        assert!(hosts("4.16.55.1/x and 192.0.2.1/24").is_empty());
    }

    #[test]
    fn addresses_are_masked() {
        assert_eq!(
            without_addresses("550 5.1.1 <ann.lee@gmail.com>: no"),
            "550 5.1.1 <[address]>: no"
        );
        assert!(matches!(View::new("no at sign").masked, Cow::Borrowed(_)));
    }

    #[test]
    fn own_words_drop_links_and_addresses_but_keep_sentence_ends() {
        assert_eq!(
            own_words(
                "Blocked. See https://example.org/spf#dkim. Mail dmarc@example.org, or else."
            ),
            "Blocked. See [link]. Mail [address], or else."
        );
        assert_eq!(
            own_words("Visit www.example.org/help for SPF"),
            "Visit [link] for SPF"
        );
    }

    #[test]
    fn paths_are_identifiers_but_slashed_names_are_words() {
        assert_eq!(
            own_words("554 Transaction failed method=POST path=/api/reset-password/start"),
            "554 Transaction failed method=POST path=[path]"
        );
        assert_eq!(
            own_words("550 5.7.1 SPF/DKIM failed for /var/spool"),
            "550 5.7.1 SPF/DKIM failed for [path]"
        );
    }
}
