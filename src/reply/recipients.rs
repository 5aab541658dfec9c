//! Which addresses a bounce's prose names as its failed recipients, and which it names for
//! other reasons: help lines, the sender or the list, quoted header fields, examples.
//!
//! An address counts as *named as a recipient* when it stands on its own line (a bullet, a
//! bracket, a colon, "on <date>" or a short reason after it) or follows words that introduce a
//! recipient ("to", "for", "recipient", "addressed", "Undeliverable Address:"). Other addresses
//! in sentences are kept only when no address is named that way. Addresses after help wording
//! ("please contact", "System Contact:", "e.g.", "try emailing"), after sender wording ("mail
//! from", "sent by"), in quoted header fields ("To:", "Subject:") and the bounce's own, the
//! sender's and the list's addresses are never recipients.

use super::address;
use super::code::Regex;
use super::code::re;
use std::sync::LazyLock;

/// An address on a line, bracketed or bare; internationalised ones (RFC 6531: letters of any
/// script, and symbols, in the local part; RFC 5890 labels in the domain) too.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"<?([\p{L}\p{N}\p{M}\p{So}._%+=/!#$&'*?^`{|}~-]+@[\p{L}\p{N}\p{M}-]+(?:\.[\p{L}\p{N}\p{M}-]+)*\.\p{L}{2,})>?"#,
    )
});
/// Header-like lines of a quoted summary ("To: ...", "Subject: ..."): they name the message,
/// not the failed recipient; a message identifier (`References: <E1abc-0001@mx...>`) looks
/// like an address and is none.
pub static SUMMARY_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^[\s>]*(?:to|cc|bcc|from|sender|subject|sent|date|reply-to|return-path|message-id|references|in-reply-to)\s*:",
    )
});
/// A help line's address ("For further assistance, please contact <postmaster@...>", "System
/// Contact: postmaster@..."): the bounce's operator, not a failed recipient. The help wording is
/// required because "could not contact <kim@...>" names the recipient.
static CONTACT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\b(?:please|assistance|help|questions?|information|inquiries|problems?)\b[^@]*\b(?:contact|write to|send (?:a )?(?:message|mail|e-?mail) to|reach(?: us)? at|e-?mail)|\bcontact\s*:|\b(?:postmaster|administrator|admin|support|abuse|helpdesk)\s*:)\s*:?\s*[<"(]?$"#,
    )
});
/// Help text that gives an address as an example or an alternative ("e.g., if ann@... fails,
/// try ann.kim@...", "finger NAME@directory...", "try emailing to NAME@cs...").
static EXAMPLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\be\.g\.|\bfor example\b|\bsuch as\b|\binstead of\b|\bform of\b|\bfinger\b|\btry (?:sending|emailing|writing|mailing|addressing|contacting)\b|\btry\s*$|\bemailing\s*$|\bif\s*$|\blocator\b)",
    )
});
/// Words that point the sender elsewhere: a moved recipient's new address, where the mail was
/// forwarded or redirected, where to reply or write instead. "to" and "address" there are not
/// the failed recipient's words, and the address after them failed nothing.
static ELSEWHERE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\bnew (?:e-?mail |mail )?address(?:es)?(?: is| are)?|\b(?:forward(?:ed|ing)?|redirect(?:ed|ing)?|reply|replies|resend(?: it)?|re-?send(?: it)?)\s+(?:it\s+|them\s+)?to|\breply-to|\bplease use|\buse (?:the|this|my|our) (?:new |other )?(?:e-?mail )?address|\bnow (?:at|is))\s*[:,]?\s*[<"'(\[]?$"#,
    )
});
/// Words that introduce the sender or the message rather than a recipient.
static SENDER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\b(?:mail|message|messages|e-?mail|notes?|letter)\s+from|\bsent by|\bsender(?:'s)?(?: address)?(?: is| was)?|\breturn-path|\bfrom)\s*:?\s*[<"'(\[]?$"#,
    )
});
/// Words that introduce a recipient just before the address.
static RECIPIENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:\bto|\bfor|\brecipients?|\baddress(?:ee)?|\baddressed\b[^.]{0,20}|\bmailbox|\buser|\baccount|\brcpt|\b(?:expanded|generated) from)\s*[:,]?\s*[<"'(\[]?$"#,
    )
});
/// A heading over a list of recipients given as bare user names (AOL's screen names, a
/// university directory's aliases): the names are local parts at the reporting system's domain.
static LOCAL_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:to the following(?: recipients?| addresses| address\(es\)| users?)?|following (?:recipients?|addresses|users?) (?:could not|were not|was not|failed))\b|\bnot delivered to the following\b",
    )
});
static LOCAL_PART: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*[*-]?\s*([A-Za-z0-9][A-Za-z0-9._+-]{0,63})(?:\s{2,}\S.*|\s*)$"));

/// A bounce's prose names at most this many recipients (more are quotes or lists, and each
/// becomes a reply).
const MAX_NAMED: usize = 500;

/// One address the prose names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The line it is first named on.
    pub line: usize,
    pub address: String,
}

/// The addresses the prose names as failed recipients, in order of first mention; `domain` is
/// the reporting system's mail domain, for recipients named by user name only.
pub fn named(lines: &[&str], own: &[String], domain: Option<&str>) -> Vec<Named> {
    let mut strong: Vec<Named> = Vec::new();
    let mut weak: Vec<Named> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if SUMMARY_FIELD.is_match(line) {
            continue;
        }
        // Where the last address taken as a recipient on this line ended.
        let mut listed_to: Option<usize> = None;
        // The words that introduce an address are just before it: a window of them keeps a
        // line of thousands of addresses linear.
        for c in ADDRESS.captures_iter(line).take(100) {
            let (Some(whole), Some(m)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let Some(addr) = address::clean(m.as_str()) else {
                continue;
            };
            // `ann@example.net, bob@example.net and kim@example.net`: an address listed right
            // after a recipient, with nothing but separators or a conjunction between, is one
            // too.
            let in_list =
                listed_to.is_some_and(|end| line.get(end..whole.start()).is_some_and(list_gap));
            let mut from = whole.start().saturating_sub(300);
            while !line.is_char_boundary(from) {
                from -= 1;
            }
            let own_before = &line[from..whole.start()];
            let after = &line[whole.end()..];
            // A sentence wrapped just before the address goes on from the line above.
            let wrapped = i
                .checked_sub(1)
                .map(|p| lines[p].trim_end())
                .filter(|prev| {
                    own_before.trim().is_empty()
                        && !starts_with_address(prev)
                        && prev.ends_with(|c: char| c.is_alphanumeric() || c == ',')
                });
            let joined = wrapped.map(|prev| format!("{prev} "));
            let before = joined.as_deref().unwrap_or(own_before);
            // Exim's "(generated from ann@...)", Sendmail's "(expanded from: ...)": the
            // address the sender used, behind an alias or an undisclosed one.
            let lower = before.to_ascii_lowercase();
            let lower = lower.trim_end().trim_end_matches([':', '<', '(', ' ']);
            let alias = lower.ends_with("expanded from") || lower.ends_with("generated from");
            if !alias
                && (CONTACT.is_match(before)
                    || EXAMPLE.is_match(before)
                    || ELSEWHERE.is_match(before)
                    || SENDER.is_match(before)
                    || in_url(before))
            {
                continue;
            }
            if own.iter().any(|o| o.eq_ignore_ascii_case(&addr)) {
                continue;
            }
            // `a@example.org <b@example.net>`: the first is only the display name of the
            // address in angle brackets (Exim's "malformed address" notice quotes such a To).
            if display_name_of_next(after) {
                continue;
            }
            let on_its_own = standalone(own_before, after, wrapped.is_some());
            let is_strong = on_its_own || in_list || RECIPIENT.is_match(before) || alias;
            listed_to = is_strong.then_some(whole.end());
            let list = if is_strong { &mut strong } else { &mut weak };
            if list.len() < MAX_NAMED && !list.iter().any(|n| n.address.eq_ignore_ascii_case(&addr))
            {
                list.push(Named {
                    line: i,
                    address: addr,
                });
            }
        }
    }
    if !strong.is_empty() {
        return strong;
    }
    let users = local_parts(lines, domain, own);
    if !users.is_empty() {
        return users;
    }
    weak
}

/// Whether the text between two addresses only separates items of one list: separators, and
/// at most a conjunction ("ann@..., bob@... and kim@...").
fn list_gap(gap: &str) -> bool {
    let word = gap.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>'));
    word.is_empty()
        || ["and", "or", "&", "und", "oder", "et", "ou", "y", "o"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
}

/// The one address of the quoted summary's `To:` field ("To: ann@example.org" under "I wasn't
/// able to deliver the following message"), for a bounce whose prose names no recipient.
pub fn summary_to(lines: &[&str], own: &[String]) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for line in lines {
        let t = line.trim_start_matches([' ', '\t', '>']);
        let Some(v) = t
            .get(..3)
            .filter(|p| p.eq_ignore_ascii_case("to:"))
            .map(|_| &t[3..])
        else {
            continue;
        };
        for c in ADDRESS.captures_iter(v) {
            if let Some(a) = c.get(1).and_then(|m| address::clean(m.as_str()))
                && !own.iter().any(|o| o.eq_ignore_ascii_case(&a))
                && !found.contains(&a)
            {
                found.push(a);
            }
        }
    }
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// Whether the address stands on its own line: nothing but bullets and brackets before it,
/// and after it nothing, a colon or parenthesis, "on <date>", or (unless the line continues a
/// sentence from the line above) a short reason.
fn standalone(before: &str, after: &str, wrapped: bool) -> bool {
    let b = before.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '*' | '-' | '>' | '"' | '\'' | '<' | '(' | '[')
    });
    if !b.is_empty() {
        return false;
    }
    let a = after
        .trim_start_matches(['>', '"', '\'', ')', ']'])
        .trim_start();
    a.is_empty()
        || a.starts_with([':', '(', ',', ';'])
        || a.strip_prefix('.').is_some_and(|r| r.trim().is_empty())
        || a.to_ascii_lowercase().starts_with("on ")
        || !wrapped && a.split_whitespace().count() <= 8
}

/// Whether the text after an address opens with an address in angle brackets: the address
/// before it is that address's display name.
fn display_name_of_next(after: &str) -> bool {
    let a = after.trim_start_matches(['"', '\'']).trim_start();
    a.strip_prefix('<')
        .and_then(|r| r.split_once('>'))
        .is_some_and(|(inner, _)| address::clean(inner).is_some())
}

/// Whether a line opens with an address (a line of a recipient list).
fn starts_with_address(line: &str) -> bool {
    ADDRESS.find(line).is_some_and(|m| {
        line[..m.start()]
            .trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '-' | '<' | '"'))
            .is_empty()
    })
}

/// Whether the address is part of a link (`http://host/?ip=...&a=b@c.example`).
fn in_url(before: &str) -> bool {
    before
        .split_whitespace()
        .next_back()
        .is_some_and(|w| w.contains("://") || w.contains('?'))
        && !before.ends_with(char::is_whitespace)
}

/// Recipients given as bare user names on the lines below a recipients heading, each at
/// `domain`: AOL names screen names, directory gateways name aliases.
fn local_parts(lines: &[&str], domain: Option<&str>, own: &[String]) -> Vec<Named> {
    let Some(domain) = domain.filter(|d| d.contains('.')) else {
        return Vec::new();
    };
    let mut out: Vec<Named> = Vec::new();
    let Some(head) = lines.iter().position(|l| LOCAL_HEADING.is_match(l)) else {
        return out;
    };
    for (i, line) in lines.iter().enumerate().skip(head + 1).take(20) {
        if line.trim().is_empty() {
            if out.is_empty() {
                continue;
            }
            break;
        }
        let Some(user) = LOCAL_PART.captures(line).and_then(|c| c.get(1)) else {
            if out.is_empty() && line.trim_start().starts_with("--") {
                continue;
            }
            break;
        };
        let addr = format!("{}@{domain}", user.as_str());
        if !own.iter().any(|o| o.eq_ignore_ascii_case(&addr))
            && !out.iter().any(|n| n.address == addr)
        {
            out.push(Named {
                line: i,
                address: addr,
            });
        }
    }
    out
}

/// The bounce's own addresses and what they stand for: the list behind a list's bounce
/// address (`python-list-admin@`, `news-bounces+ann=example.org@` are `python-list@` and
/// `news@`), which a notice quotes as the sender, never as a recipient.
pub fn own_variants(addrs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in addrs {
        let Some((local, domain)) = a.rsplit_once('@') else {
            continue;
        };
        out.push(a.clone());
        let bare = local.split('+').next().unwrap_or(local);
        out.push(format!("{bare}@{domain}"));
        let lower = bare.to_ascii_lowercase();
        for suffix in [
            "-bounces", "-bounce", "-admin", "-owner", "-request", "-errors",
        ] {
            if let Some(list) = lower.strip_suffix(suffix)
                && !list.is_empty()
            {
                out.push(format!("{list}@{domain}"));
            }
        }
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, own: &[&str], domain: Option<&str>) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        let own: Vec<String> = own.iter().map(|s| s.to_string()).collect();
        named(&lines, &own, domain)
            .into_iter()
            .map(|n| n.address)
            .collect()
    }

    #[test]
    fn an_address_written_as_the_display_name_of_another_is_not_a_recipient() {
        let text = "A message that you sent contained one or more recipient addresses that were\n\
                    incorrectly constructed:\n\n\
                    \x20 ann@example.com <bob@example.net>: malformed address: <bob@example.net> \
                    may not follow ann@example.com\n";
        assert_eq!(names(text, &[], None), ["bob@example.net"]);
        let quoted = "Delivery to the following recipient failed:\n\n\
                      \x20 \"ann@example.com\" <bob@example.net>\n";
        assert_eq!(names(quoted, &[], None), ["bob@example.net"]);
    }

    #[test]
    fn help_text_examples_and_contacts_are_not_recipients() {
        let text = "The standard form of email address at Example is lastname@corp.example\n\
                    although individuals may choose another. The address to\n\
                    which your message was addressed, ann@example.gov, did not match.\n\
                    The following locator information may help:\n\
                    \x20 Judy User   +1 925 555 0100    judy@example.gov\n\n\
                    System Contact: postmaster@relay.example\n";
        assert_eq!(names(text, &[], None), ["ann@example.gov"]);
    }

    #[test]
    fn user_names_under_a_heading_take_the_reporting_domain() {
        let text = "Your mail to the following recipients could not be delivered because they \
                    are not accepting mail from news@lists.example.org:\n\tscreenname\n";
        assert_eq!(
            names(text, &["news-bounces@lists.example.org"], Some("aol.com")),
            ["screenname@aol.com"]
        );
        let text = " --------Message not delivered to the following:\n\n \
                    kim    No matches to nameserver query\n\n \
                    --------Error Detail:\n e.g., if kim.lee@example.edu fails, try\n \
                    kim.j.lee@example.edu. Or try emailing to NAME@cs.example.edu instead.\n";
        assert_eq!(names(text, &[], Some("example.edu")), ["kim@example.edu"]);
    }

    #[test]
    fn several_recipients_named_in_prose_are_all_kept() {
        let text = "Sorry, unable to deliver your message to bob@example.com for\n\
                    the following reason:\n\n 552 Quota violation for ann@example.com\n";
        assert_eq!(
            names(text, &[], None),
            ["bob@example.com", "ann@example.com"]
        );
        let text = "zzz@shaft.example.nl\n    (expanded from: zzz@example.nl)\n";
        assert_eq!(
            names(text, &[], None),
            ["zzz@shaft.example.nl", "zzz@example.nl"]
        );
    }

    #[test]
    fn list_addresses_stand_for_the_list() {
        let own = own_variants(&[
            "python-list-admin@python.org".into(),
            "news-bounces+ann=example.org@lists.example".into(),
        ]);
        assert!(
            own.contains(&"python-list@python.org".to_string()),
            "{own:?}"
        );
        assert!(own.contains(&"news@lists.example".to_string()), "{own:?}");
        let lines = [
            "Your message",
            "  To: python-list@python.org",
            "did not reach",
        ];
        assert_eq!(summary_to(&lines, &own), None);
        let lines = [
            "I wasn't able to deliver the following message.",
            "To: ann@example.com",
        ];
        assert_eq!(summary_to(&lines, &own).as_deref(), Some("ann@example.com"));
    }

    #[test]
    fn addresses_listed_after_a_recipient_on_its_line_are_recipients_too() {
        let text = "Your message to the following recipients could not be delivered:\n\n\
                    ann@example.net, bob@example.net; <cy@example.net>\n\n\
                    The recipients do not exist.";
        assert_eq!(
            names(text, &[], None),
            ["ann@example.net", "bob@example.net", "cy@example.net"]
        );
        // An address after words is not part of the list.
        let text = "Delivery failed for:\n\nann@example.net, please write to help@example.org";
        assert_eq!(names(text, &[], None), ["ann@example.net"]);
        // A list in a sentence, closed by a conjunction.
        let text = "Your message to ann@example.net, bob@example.net and cy@example.net could \
                    not be delivered: the mailboxes do not exist.";
        assert_eq!(
            names(text, &[], None),
            ["ann@example.net", "bob@example.net", "cy@example.net"]
        );
    }

    #[test]
    fn an_address_the_sender_is_pointed_to_instead_is_not_a_recipient() {
        for text in [
            "Your message to kim@example.org could not be delivered. The address has moved; \
             please use the new address: lee@example.net",
            "Your message could not be delivered to kim@example.org. Forwarded to \
             lee@example.net by the alias",
            "The message you sent to kim@example.org was rejected. Reply to: lee@example.net",
            "Mail to kim@example.org failed: the user's new address is lee@example.net",
        ] {
            assert_eq!(names(text, &[], None), ["kim@example.org"], "{text}");
        }
        // Words that name the recipient still do, after such a sentence too.
        let text = "Forwarding stopped. Your message to kim@example.org was not delivered.";
        assert_eq!(names(text, &[], None), ["kim@example.org"]);
    }
}
