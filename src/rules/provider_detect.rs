//! Which provider sent a reply, from every signal it carries, and which signal said so.
//!
//! Precedence when signals name different providers (strongest first; within one rank the
//! provider listed first in the rules files wins):
//! 1. the host that answered (Remote-MTA, `host X said`, Exim `H=`, `relay=`): the one that
//!    refused the mail, whatever its words quote;
//! 2. the name the server gives itself in its words (`[...prod.outlook.com]`): who wrote them;
//! 3. a token only that provider writes (`[TSS04]`, `(S3150)`, `gsmtp`);
//! 4. wording only that provider uses;
//! 5. a legacy `markers` pattern (a text fingerprint of no declared kind);
//! 6. a gateway's answering host: a gateway passes other providers' replies on, so their
//!    server name, token or wording (ranks 2-5) wins over it, and it wins over what follows;
//! 7. a link in the words: anyone may point at a provider's help pages;
//! 8. the Reporting-MTA, when no host that answered is known, and only for a recipient at
//!    that provider's own domains: it wrote the bounce, and is often the sender's own outbound
//!    service reporting someone else's refusal.
//!
//! Text fingerprints never see the addresses a reply quotes (a recipient at gmail.com is not
//! Gmail speaking), except a pattern that itself names an address (contains `@`), nor the
//! client a receiver's own log line names (`RCPT from X[ip]`, `helo=<X>`, `client=X[ip]`):
//! that is who sent to it, not who refused.
//!
//! Server software (Exchange Server, `software = true`) is no provider: its own tokens and
//! wording (`RESOLVER.ADR.*`, `STOREDRV`) are written by every company's Exchange, so they never
//! name Microsoft. They are matched apart and only say which software's rules may read the
//! reply ([`Detected::software`]); a provider that runs the software (`runs`) brings them too.
//!
//! Last of all, and only when nothing above names anyone, [`RuleSet::mailbox_provider`] offers
//! the provider whose own domain the recipient's address is at (`<ann@icloud.com>: user is
//! overquota`); the decoder keeps it only for a reply about that mailbox (unknown, disabled,
//! full), which only the server holding the mailbox can give.

use super::fingerprints::TextSet;
use super::lazy_regex::LazyRegex;
use super::types::{ProviderSignal, SignalKind, SignalPlace};
use super::{Provider, RuleSet, words};
use crate::reply::Reply;
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// The client a receiving server's own log line names: Postfix's `RCPT from X[ip]:` and
/// `connect from X[ip]`, `client=X[ip]`, and the `helo=<X>` it greeted with, Exim's `H=X [ip]
/// ... rejected RCPT` (the client's fields up to the verb, before any `: `); and the server a
/// sender's log says it could not reach (`connect to X[ip]:25: Connection timed out`), which
/// said nothing: a provider's MX named there is the sender's network failing, not the
/// provider's words.
static CLIENT_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bH=[^\s\[(]+(?:\s+\([^()\s]*\))?\s+\[[^\]\s]*\](?:[^:\n]|:[^ \n])*?\b(?:temporarily )?rejected (?:RCPT|MAIL|after|EHLO|HELO|connection|VRFY|EXPN|ETRN|DATA)\b|\b(?:helo|ehlo)=<[^>\s]*>|\bclient=[^\s\[,;]+\[[^\]\s]*\]|\b(?:RCPT|MAIL|DATA|END-OF-MESSAGE|BDAT|connect|disconnect|lost connection after \S+) from [^\s\[]+\[[^\]\s]*\]|\bconnect to [^\s\[]+\[[^\]\s]*\](?::[0-9]+)?",
    )
    .expect("a valid pattern")
});

/// The words with the client names of a receiver's log line, and the servers a sender could not
/// connect to, blanked out.
fn without_client_names(text: &str) -> Cow<'_, str> {
    if !text.contains('=') && !text.contains(" from ") && !text.contains("onnect to ") {
        return Cow::Borrowed(text);
    }
    CLIENT_NAMES.replace_all(text, " ")
}

/// The host name a Remote-MTA or Reporting-MTA field gives, lower-cased, without the address
/// many MTAs write after it (`Remote-MTA: dns; mx-ha02.web.de [212.227.17.8]`, `mx.example.org
/// (192.0.2.9)`): the host patterns are anchored at the name's end.
fn host_of(field: &str) -> String {
    field
        .trim()
        .split(|c: char| c.is_whitespace() || c == '[' || c == '(')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Postfix's `host X[ip] said:` quoted inside the words of another server's refusal (a front
/// server passing on its back end's answer: `577 5.1.1 <a@b>: Recipient address rejected:
/// undeliverable address: host barracuda-2.mail.b.example[10.0.0.5] said: 550 No such user`).
static NESTED_SAID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bhost\s+([a-z0-9][a-z0-9.-]*\.[a-z]{2,})\.?\[[^\]\s]*\](?::[0-9]+)?\s+said:")
        .expect("a valid pattern")
});

/// The host a reply's own words say answered, when no field named one: the last `host X[ip]
/// said:` its text quotes, which refused the mail whatever the outer server added.
fn nested_answering_host(text: &str) -> Option<String> {
    if !text.contains(" said:") {
        return None;
    }
    NESTED_SAID
        .captures_iter(text)
        .last()
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_ascii_lowercase())
}

/// A provider recognised, with the signal that recognised it.
pub struct ProviderMatch<'a> {
    pub provider: &'a Provider,
    pub signal: ProviderSignal,
}

/// What a reply's signals say: the provider that sent it, and the server software whose own
/// tokens or wording it carries (which names no provider).
pub(crate) struct Detected<'a> {
    pub provider: Option<ProviderMatch<'a>>,
    pub software: Option<&'a Provider>,
}

fn rank(kind: SignalKind, place: SignalPlace, gateway: bool) -> u8 {
    match (kind, place) {
        (SignalKind::Host, SignalPlace::RemoteMta) if gateway => 6,
        (SignalKind::Host, SignalPlace::RemoteMta) => 1,
        (SignalKind::Host, SignalPlace::ServerName) => 2,
        (SignalKind::Token, _) => 3,
        (SignalKind::Wording, _) => 4,
        (SignalKind::Marker, _) => 5,
        (SignalKind::Link, _) => 7,
        (SignalKind::Host, SignalPlace::Recipient) => 9,
        (SignalKind::Host, _) => 8,
    }
}

/// Whether a link (host, path) is one of a provider's: the same domain or a subdomain of it,
/// and the path starting with the given prefix.
fn link_matches(host: &str, path: &str, (domain, prefix): &(String, String)) -> bool {
    let same = host == domain
        || host
            .strip_suffix(domain.as_str())
            .is_some_and(|h| h.ends_with('.'));
    same && path.starts_with(prefix.as_str())
}

/// What a text pattern matched, shortened for output.
fn matched_text(re: &LazyRegex, text: &str) -> String {
    let find = |re: &LazyRegex| re.regex().and_then(|r| r.find(text));
    // A code found in a lower-cased paste by its folded reading only.
    let m = find(re)
        .or_else(|| re.folded().and_then(find))
        .map_or("", |m| &text[m.range()]);
    let m = m.trim();
    match m.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &m[..i]),
        None => m.to_string(),
    }
}

impl RuleSet {
    pub(super) fn text_set(&self) -> &TextSet {
        self.text_set
            .get_or_init(|| TextSet::new(&self.provider_patterns))
    }

    /// The (provider, pattern) pairs whose text fingerprint matches, in provider order.
    fn text_hits(&self, text: &str, masked_text: &str) -> Vec<(usize, usize)> {
        self.text_set()
            .text_hits(&self.provider_patterns, text, masked_text)
    }

    /// The provider that sent this reply and the signal that says so (see the module's
    /// precedence), or `None` when nothing in the reply identifies one.
    pub fn detect_provider(&self, reply: &Reply) -> Option<ProviderMatch<'_>> {
        self.detect_in(reply, &words::View::new(&reply.text))
            .provider
    }

    /// As [`RuleSet::detect_provider`], with the reply's text already read.
    pub(crate) fn detect_in(&self, reply: &Reply, view: &words::View<'_>) -> Detected<'_> {
        /// What matched, resolved to text only for the winner.
        #[derive(Clone, Copy)]
        enum Hit<'h> {
            Host(&'h str),
            Text(usize),
            Link(&'h str),
        }
        type Best<'h> = Option<(u8, usize, SignalKind, SignalPlace, Hit<'h>)>;
        // The lowest (rank, provider index) wins.
        fn offer<'h>(
            best: &mut Best<'h>,
            r: u8,
            p: usize,
            kind: SignalKind,
            place: SignalPlace,
            hit: Hit<'h>,
        ) {
            if best.is_none_or(|(br, bp, ..)| (r, p) < (br, bp)) {
                *best = Some((r, p, kind, place, hit));
            }
        }
        let rank_of = |p: usize, kind, place| rank(kind, place, self.providers[p].rule.gateway);
        let mut best: Best<'_> = None;
        // Software's own signals are kept apart: they never name a provider.
        let mut software: Option<(u8, usize)> = None;
        let is_software = |p: usize| self.providers[p].rule.software;
        let clean = |h: &str| h.trim().trim_end_matches('.').to_ascii_lowercase();
        let mut hosts = Vec::new();
        if let Some(h) = reply.remote_mta.as_deref() {
            hosts.push((host_of(h), SignalPlace::RemoteMta));
        } else if let Some(h) = nested_answering_host(&reply.text) {
            hosts.push((h, SignalPlace::RemoteMta));
        } else if let Some(h) = reply.reporting_mta.as_deref() {
            hosts.push((host_of(h), SignalPlace::ReportingMta));
        }
        if let Some(h) = reply.server_name.as_deref() {
            hosts.push((host_of(h), SignalPlace::ServerName));
        }
        let set = self.text_set();
        // The Reporting-MTA wrote the bounce: often the sender's own outbound service (Zoho,
        // Yandex, GMX relaying a customer's mail) reporting another server's refusal. It speaks
        // for the reply only about its own mailboxes: the recipient's domain is that provider's.
        let recipient_domain = reply
            .recipient
            .as_deref()
            .and_then(|r| r.rsplit_once('@'))
            .map(|(_, d)| clean(d.trim_end_matches('>')));
        let owns_recipient = |p: usize| {
            recipient_domain.as_deref().is_some_and(|d| {
                self.provider_patterns[p]
                    .hosts
                    .iter()
                    .any(|re| re.is_match(d))
            })
        };
        let counts =
            |p: usize, place: SignalPlace| place != SignalPlace::ReportingMta || owns_recipient(p);
        for (host, place) in &hosts {
            for p in set.host_hits(&self.provider_patterns, host) {
                if counts(p, *place) {
                    let r = rank_of(p, SignalKind::Host, *place);
                    offer(&mut best, r, p, SignalKind::Host, *place, Hit::Host(host));
                }
            }
        }
        let masked = view.masked.as_ref();
        // An answering host or a server name of a provider that is no gateway outranks every
        // text signal: the words need not be searched.
        let settled =
            best.is_some_and(|(r, ..)| r <= rank(SignalKind::Host, SignalPlace::ServerName, false));
        let unmasked = without_client_names(&reply.text);
        let masked = without_client_names(masked);
        let masked = masked.as_ref();
        let hits = if settled {
            Vec::new()
        } else {
            self.text_hits(&unmasked, masked)
        };
        for (p, k) in hits {
            let kind = self.provider_patterns[p].text[k].0;
            let r = rank_of(p, kind, SignalPlace::Text);
            if is_software(p) {
                if software.is_none_or(|b| (r, p) < b) {
                    software = Some((r, p));
                }
                continue;
            }
            offer(&mut best, r, p, kind, SignalPlace::Text, Hit::Text(k));
        }
        // Software's own tokens (Exchange's `RESOLVER.ADR.*`) were written by the server that
        // reported the failure: where that server is a provider's that runs the software
        // (Exchange Online's `Generating server: X.prod.outlook.com`), that provider refused.
        // So does a mailbox at such a provider's own domain that the reply is about: only it
        // runs Exchange for outlook.com and hotmail.com.
        let mut mailbox = None;
        if let Some((_, s)) = software.filter(|_| best.is_none()) {
            let id = &self.providers[s].rule.id;
            let runs = |p: usize| self.providers[p].rule.runs.contains(id);
            for (host, place) in hosts
                .iter()
                .filter(|(_, pl)| *pl == SignalPlace::ReportingMta)
            {
                for p in set.host_hits(&self.provider_patterns, host) {
                    if runs(p) {
                        let r = rank_of(p, SignalKind::Host, *place);
                        offer(&mut best, r, p, SignalKind::Host, *place, Hit::Host(host));
                    }
                }
            }
            if best.is_none()
                && let Some(m) = self.mailbox_provider_by(reply, runs)
            {
                mailbox = Some(m);
            }
        }
        for l in view.links().filter(|_| !settled) {
            for (p, pats) in self.provider_patterns.iter().enumerate() {
                if pats
                    .links
                    .iter()
                    .any(|pl| link_matches(&l.host, &l.path, pl))
                {
                    let r = rank_of(p, SignalKind::Link, SignalPlace::Text);
                    offer(
                        &mut best,
                        r,
                        p,
                        SignalKind::Link,
                        SignalPlace::Text,
                        Hit::Link(&l.host),
                    );
                }
            }
        }
        let best = best.map(|(_, p, kind, place, hit)| {
            let matched = match hit {
                Hit::Host(h) | Hit::Link(h) => h.to_string(),
                Hit::Text(k) => {
                    let re = &self.provider_patterns[p].text[k].1;
                    let haystack = if re.pattern().contains('@') {
                        reply.text.as_str()
                    } else {
                        masked
                    };
                    matched_text(re, haystack)
                }
            };
            (
                p,
                ProviderSignal {
                    kind,
                    matched,
                    place,
                },
            )
        });
        Detected {
            provider: best
                .map(|(p, signal)| ProviderMatch {
                    provider: &self.providers[p].rule,
                    signal,
                })
                .or(mailbox),
            software: software.map(|(_, p)| &self.providers[p].rule),
        }
    }
}

/// The address a reply is about: its recipient field, else the first address its words quote.
fn recipient_address(reply: &Reply) -> Option<String> {
    if let Some(r) = reply.recipient.as_deref() {
        return Some(r.to_string());
    }
    reply
        .text
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>' | '(' | ')' | '[' | ']' | '"' | '\'' | ',' | ';'
                )
        })
        .map(|t| t.trim_end_matches(['.', ':']))
        .find(|t| {
            t.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
        })
        .map(str::to_string)
}

impl RuleSet {
    /// The provider (not a gateway) whose own mail domain the reply's recipient is at, as a
    /// last-resort signal: see the module documentation for when the decoder keeps it.
    pub(crate) fn mailbox_provider(&self, reply: &Reply) -> Option<ProviderMatch<'_>> {
        self.mailbox_provider_by(reply, |p| {
            let rule = &self.providers[p].rule;
            !rule.gateway && !rule.marks_every_reply && !rule.software
        })
    }

    /// The first provider `eligible` accepts whose own mail domain the reply's recipient is at.
    fn mailbox_provider_by(
        &self,
        reply: &Reply,
        eligible: impl Fn(usize) -> bool,
    ) -> Option<ProviderMatch<'_>> {
        let address = recipient_address(reply)?;
        let domain = address
            .rsplit_once('@')?
            .1
            .trim()
            .trim_end_matches(['.', '>'])
            .to_ascii_lowercase();
        if domain.is_empty() {
            return None;
        }
        self.provider_patterns
            .iter()
            .enumerate()
            .filter(|(p, _)| eligible(*p))
            .find(|(_, pats)| pats.hosts.iter().any(|re| re.is_match(&domain)))
            .map(|(p, _)| ProviderMatch {
                provider: &self.providers[p].rule,
                signal: ProviderSignal {
                    kind: SignalKind::Host,
                    matched: domain.clone(),
                    place: SignalPlace::Recipient,
                },
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_matches_its_domain_and_subdomains_under_its_path() {
        let gmail = ("support.google.com".to_string(), String::new());
        assert!(link_matches("support.google.com", "/mail/", &gmail));
        assert!(!link_matches("google.com", "/", &gmail));
        assert!(!link_matches("evilsupport.google.com.example", "/", &gmail));
        let ms = ("aka.ms".to_string(), "/exosmtperrors".to_string());
        assert!(link_matches("aka.ms", "/exosmtperrors", &ms));
        assert!(!link_matches("aka.ms", "/other", &ms));
        assert!(link_matches(
            "x.sendersupport.olc.protection.outlook.com",
            "",
            &("protection.outlook.com".to_string(), String::new())
        ));
    }

    #[test]
    fn an_mta_field_names_its_host_without_the_address_after_it() {
        assert_eq!(host_of("mx-ha02.web.de [212.227.17.8]"), "mx-ha02.web.de");
        assert_eq!(host_of(" MX.Example.org. (192.0.2.9)"), "mx.example.org");
        assert_eq!(host_of("mx.example.org[192.0.2.9]"), "mx.example.org");
        assert_eq!(host_of("mx.example.org"), "mx.example.org");
    }

    #[test]
    fn a_host_quoted_as_saying_the_reply_is_the_one_that_answered() {
        assert_eq!(
            nested_answering_host("577 5.1.1 <a@b.example>: Recipient address rejected: undeliverable address: host Barracuda-2.mail.b.example[10.0.0.5] said: 550 No such user").as_deref(),
            Some("barracuda-2.mail.b.example")
        );
        // A host named in a sentence, or without its address, answered nothing.
        assert_eq!(
            nested_answering_host("the host mx.b.example said: no"),
            None
        );
        assert_eq!(
            nested_answering_host("550 Recipient address rejected"),
            None
        );
    }

    #[test]
    fn ranks_follow_the_documented_precedence() {
        use SignalKind::*;
        use SignalPlace::*;
        let order = [
            rank(Host, RemoteMta, false),
            rank(Host, ServerName, false),
            rank(Token, Text, false),
            rank(Wording, Text, false),
            rank(Marker, Text, false),
            rank(Host, RemoteMta, true),
            rank(Link, Text, false),
            rank(Host, ReportingMta, false),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    }
}
