//! A reply's words with what only passes through them set apart: the addresses it quotes (a
//! recipient at gmail.com is not Gmail speaking) and the links it gives (a link names who
//! documents the reply, not what went wrong).

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant regex")
}

/// An email address, as replies quote them (bare, in `<>`, after `mailto:`).
static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+'=&/!#$*^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"));

/// A link with a scheme, a `www.` host, or a bare host followed by a path
/// (`support.google.com/mail/?p=...`). Group 1: the host; group 2: the path.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\b(?:https?|ftp)://|(?:^|[\s(<\["'=])(?:www\.)?)((?:[a-z0-9-]+\.)+[a-z]{2,})(?::[0-9]+)?(/[^\s<>"'\])]*)?"#,
    )
});

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
    for c in LINK.captures_iter(text) {
        let (Some(all), Some(host)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let whole = all.as_str();
        let schemed = whole.contains("://");
        let www = whole
            .trim_start_matches(|ch: char| !ch.is_ascii_alphanumeric())
            .to_ascii_lowercase()
            .starts_with("www.");
        let path = c.get(2).map_or("", |m| trim_link_end(m.as_str()));
        if !schemed && !www && path.is_empty() {
            continue;
        }
        if text[..host.start()].ends_with('@') {
            continue;
        }
        // A bare link's match opens with the character before it (space, bracket, quote).
        let start = match whole.chars().next() {
            Some(ch) if !schemed && !ch.is_ascii_alphanumeric() => all.start() + ch.len_utf8(),
            _ => all.start(),
        };
        let end = c
            .get(2)
            .map_or(host.end(), |m| m.start() + path.len())
            .max(host.end());
        out.push((
            start,
            end,
            Link {
                host: host.as_str().to_ascii_lowercase(),
                path: path.to_ascii_lowercase(),
            },
        ));
    }
    out
}

/// The links of a reply's text.
pub(crate) fn links(text: &str) -> Vec<Link> {
    link_spans(text).into_iter().map(|(_, _, l)| l).collect()
}

/// The text with every address replaced by `[address]`, so that no fingerprint fires on a
/// quoted recipient or sender.
pub(crate) fn without_addresses(text: &str) -> Cow<'_, str> {
    if !text.contains('@') {
        return Cow::Borrowed(text);
    }
    ADDRESS.replace_all(text, "[address]")
}

/// The text with addresses and links replaced (`[address]`, `[link]`): what its own words say.
/// A `#spf` anchor or a `dmarc@` mailbox is no mention of SPF or DMARC.
pub(crate) fn own_words(text: &str) -> Cow<'_, str> {
    let text = without_addresses(text);
    let spans = link_spans(&text);
    if spans.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, _) in spans {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str("[link]");
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(text: &str) -> Vec<String> {
        links(text).into_iter().map(|l| l.host).collect()
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
        assert!(matches!(without_addresses("no at sign"), Cow::Borrowed(_)));
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
}
