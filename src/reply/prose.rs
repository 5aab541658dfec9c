//! Bounces that carry no reply code at all: the recipients and the explanation, in words.
//!
//! Lotus Notes, Exchange 2003, carriers' gateways and delay warnings often say only "User
//! unknown" or "has been delayed". Such a bounce still names its recipients and says why; the
//! `Reply` built here has no code, the explanation as its text, and the class the prose states
//! (a delay warning or a permanent failure) as its DSN action, for the phrase rules to read.

use super::recipients::{self, Named};
use super::types::Reply;
use crate::match_only::MatchOnly;
use std::sync::LazyLock;

/// Words that say a message was not (or not yet) delivered.
static FAILURE: LazyLock<MatchOnly> =
    LazyLock::new(|| MatchOnly::known(super::word_patterns::FAILURE).expect("constant regex"));

/// Failure words of notices written in other languages (localised Exchange, Domino, Postfix and
/// provider templates): undeliverable, could not be delivered, delivery failed. Stems without
/// word boundaries, each specific enough not to stand inside another word; read only in a
/// message that is a notice (see `bounce.rs`), since a parcel service says the same of parcels.
static LOCAL_FAILURE: LazyLock<MatchOnly> = LazyLock::new(|| {
    MatchOnly::known(super::word_patterns::LOCAL_FAILURE).expect("constant regex")
});

/// Words of a mail system's notice that a message was delivered or handed on: Exchange's
/// "Delivered:" and "Relayed:" receipts and Postfix's, Courier's and Sendmail's success notices
/// written out in prose. Read only where no failure words stand beside them.
static SUCCESS: LazyLock<MatchOnly> =
    LazyLock::new(|| MatchOnly::known(super::word_patterns::SUCCESS).expect("constant regex"));

/// Most prose worth reading fits in this many bytes (a paragraph in a non-Latin script takes
/// two to three bytes a character); the rest is quoting and boilerplate.
const MAX_TEXT: usize = 1500;

/// One reply per failed recipient of a bounce whose prose holds no reply code. `failed` are the
/// addresses the bounce's headers name (X-Failed-Recipients); otherwise the addresses the prose
/// names as recipients (see [`recipients::named`]; `domain` is the reporting system's mail
/// domain, for recipients named by user name only). Empty when no recipient can be told apart.
pub fn codeless(
    human: &str,
    failed: &[String],
    own: &[String],
    domain: Option<&str>,
) -> Vec<Reply> {
    let lines: Vec<&str> = human.lines().take(400).collect();
    let heads = recipients::named(&lines, own, domain);
    let recipients: Vec<(Option<usize>, String)> = if failed.is_empty() {
        heads
            .iter()
            .map(|n| (Some(n.line), n.address.clone()))
            .collect()
    } else {
        failed
            .iter()
            .map(|f| {
                let at = heads
                    .iter()
                    .find(|n| n.address.eq_ignore_ascii_case(f))
                    .map(|n| n.line);
                (at, f.clone())
            })
            .collect()
    };
    let recipients = if recipients.is_empty() {
        // Named nowhere else, the recipient may be the quoted summary's one `To:` address.
        match recipients::summary_to(&lines, own) {
            Some(a) => vec![(None, a)],
            None => return Vec::new(),
        }
    } else {
        recipients
    };
    let whole = collapse(&lines, 0, lines.len());
    let action = if super::finality::reads_as_delay("", &whole) {
        "delayed"
    } else if reads_as_success(&whole) {
        // A receipt names the recipients it delivered to: they are no failures.
        "delivered"
    } else {
        "failed"
    };
    let starts: Vec<usize> = recipients.iter().filter_map(|(i, _)| *i).collect();
    recipients
        .iter()
        .map(|(at, addr)| {
            // The recipient's own block says why when it says anything beyond the address;
            // otherwise the bounce's explanation covers every recipient.
            let own_text = at.map(|i| {
                let next = starts
                    .iter()
                    .copied()
                    .filter(|&s| s > i)
                    .min()
                    .unwrap_or(lines.len());
                // Six lines of words: blank lines and rules of `=====` between a heading and
                // its "Technical details:" do not use up the block.
                let end = (i..next)
                    .filter(|&k| has_words(lines[k]))
                    .nth(6)
                    .unwrap_or(next);
                // The heading line's own words after the address are often only a date
                // ("ann@example.jp on Thu, 29 Apr 2010 ..."): the reason follows below it.
                let head = lines[i].replace(addr.as_str(), " ");
                let dated = head.trim().to_ascii_lowercase().starts_with("on ");
                let from = if dated { i + 1 } else { i };
                collapse(&lines, from, end.max(from)).replace(addr.as_str(), " ")
            });
            let text = match own_text {
                Some(t) if words(&t) >= 2 && !only_heading(&t) => squeeze(&t),
                _ => whole.clone(),
            };
            Reply {
                text,
                recipient: Some(addr.clone()),
                dsn_action: Some(action.to_string()),
                ..Reply::default()
            }
        })
        .collect()
}

/// The one reply of a failure notice that names no recipient and gives no code (a gateway's
/// "message could not be delivered" with the addresses left out, or given in a form no mail
/// system uses): the failure is real, so it is reported, with the notice's words and no
/// recipient, rather than refused. `subject` counts only when the mail system wrote the notice
/// (`from_system`: MAILER-DAEMON, postmaster, the null reverse-path); then a few lines that
/// refuse something ("That's not a valid user here") count as failure words too, and a notice
/// whose body was lost ("No Message Collected") speaks by its subject. `None` when neither its
/// words nor its subject say a delivery failed, or it has no words.
pub fn unnamed(human: &str, subject: &str, from_system: bool) -> Option<Reply> {
    let subject = if from_system { subject } else { "" };
    let refused = from_system && refusal(human).is_some();
    let failed = |t: &str| reads_as_failure_in_any_language(t);
    if !failed(human) && !failed(subject) && !refused {
        return None;
    }
    let mut text = squeeze(&explanation(human));
    if words(&text) < 2 && failed(subject) {
        text = squeeze(subject);
    }
    if words(&text) < 2 {
        return None;
    }
    let action = if super::finality::reads_as_delay(subject, human) {
        "delayed"
    } else {
        "failed"
    };
    Some(Reply {
        text,
        dsn_action: Some(action.to_string()),
        ..Reply::default()
    })
}

/// Words that refuse a message, an address or a connection, or say it could not arrive: in
/// English, and the same few ideas (refused, unknown, does not exist, full, blocked) in the
/// languages providers answer in. Chinese and Japanese words have no word boundaries.
static REFUSAL: LazyLock<MatchOnly> =
    LazyLock::new(|| MatchOnly::known(super::word_patterns::REFUSAL).expect("constant regex"));

/// A refusal pasted without any reply code: a few lines whose words refuse something. Longer
/// prose without a code is not a reply (it is refused, or read as a bounce's text).
pub fn refusal(text: &str) -> Option<Reply> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() || lines.len() > 3 || text.len() > 600 {
        return None;
    }
    let flat = lines.join(" ");
    if !REFUSAL.is_match(&flat) {
        return None;
    }
    // A delay warning pasted alone (Exim's `Warning: message X delayed 24 hours`) says the
    // sending server is still trying: reported as the notice's Action would report it.
    let delayed = super::finality::reads_as_delay("", &flat);
    Some(Reply {
        text: flat,
        dsn_action: delayed.then(|| "delayed".to_string()),
        ..Reply::default()
    })
}

/// The whole explanation of a bounce's text, its lines joined (cut at [`MAX_TEXT`] bytes).
pub fn explanation(human: &str) -> String {
    let lines: Vec<&str> = human.lines().take(400).collect();
    collapse(&lines, 0, lines.len())
}

/// Whether the prose says the message was not delivered, or not yet.
pub fn reads_as_failure(human: &str) -> bool {
    // Postfix wraps its notice ("your message could not\nbe delivered"): read the words
    // across line ends.
    let head = &human[..human.floor_char_boundary(human.len().min(64 * 1024))];
    let flat = head.split_whitespace().collect::<Vec<_>>().join(" ");
    FAILURE.is_match(&flat) || super::finality::delay_words(human)
}

/// [`reads_as_failure`], or failure words in another language: for a whole message, whose
/// headers already say it may be a notice. (A pasted text is read as a bounce's on English
/// words only: a log line in Chinese that says "mail delivery failed" before the reply it
/// quotes is a log line.)
pub fn reads_as_failure_in_any_language(human: &str) -> bool {
    if reads_as_failure(human) {
        return true;
    }
    let head = &human[..human.floor_char_boundary(human.len().min(64 * 1024))];
    let flat = head.split_whitespace().collect::<Vec<_>>().join(" ");
    LOCAL_FAILURE.is_match(&flat)
}

/// Whether the prose reports a delivery (or a hand-on to the next server) and no failure or
/// delay.
pub fn reads_as_success(human: &str) -> bool {
    let head = &human[..human.floor_char_boundary(human.len().min(64 * 1024))];
    let flat = head.split_whitespace().collect::<Vec<_>>().join(" ");
    SUCCESS.is_match(&flat) && !reads_as_failure_in_any_language(human)
}

/// The recipients a bounce with one reply and no recipient heading names: the failed-recipients
/// header's addresses, else the addresses its text names as recipients ("unable to deliver
/// your message to bob@... : 552 Quota violation for ann@..." names two), else the one address
/// of its quoted `To:` field.
pub fn recipients_of(
    human: &str,
    failed: &[String],
    own: &[String],
    domain: Option<&str>,
) -> Vec<String> {
    if !failed.is_empty() {
        return failed.to_vec();
    }
    let lines: Vec<&str> = human.lines().take(400).collect();
    let named: Vec<String> = recipients::named(&lines, own, domain)
        .into_iter()
        .map(|n: Named| n.address)
        .collect();
    if !named.is_empty() {
        return named;
    }
    recipients::summary_to(&lines, own).into_iter().collect()
}

/// Lines `from..to` joined by single spaces, cut at [`MAX_TEXT`] bytes on a char boundary.
fn collapse(lines: &[&str], from: usize, to: usize) -> String {
    let mut out = String::new();
    for line in lines.get(from..to).unwrap_or(&[]) {
        if !has_words(line) {
            continue;
        }
        for w in line.split_whitespace() {
            if out.len() + w.len() + 1 > MAX_TEXT {
                return out;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// A line with a letter or digit in it (not blank, not a rule of `-----` or `=====`).
fn has_words(line: &str) -> bool {
    line.chars().any(char::is_alphanumeric)
}

fn squeeze(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches([' ', ':', '<', '>', ',', '*'])
        .to_string()
}

fn words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// A block that only introduces the address ("Recipient:", "To:", "target mail address:", "on
/// Thu, 29 Apr 2010 ..."). A short label ends in a word for an address; "User unknown:" gives
/// a reason.
fn only_heading(s: &str) -> bool {
    let t = squeeze(s).to_ascii_lowercase();
    // `squeeze` drops the colon: read the label from the block as written.
    let label = s
        .to_ascii_lowercase()
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
        .strip_suffix(':')
        .filter(|l| words(l) <= 4)
        .and_then(|l| l.split_whitespace().last())
        .is_some_and(|w| {
            matches!(
                w,
                "address"
                    | "addresses"
                    | "recipient"
                    | "recipients"
                    | "rcpt"
                    | "to"
                    | "mailbox"
                    | "e-mail"
                    | "email"
                    | "account"
            )
        });
    t.is_empty()
        || label
        || t.starts_with("on ") && words(&t) <= 8
        || matches!(
            t.as_str(),
            "recipient" | "recipient address" | "address" | "to"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codeless_refusals_that_name_a_block_list_a_deferral_or_a_retired_address() {
        for t in [
            "messages from [192.0.2.9] were not sent: your network is on our block list",
            "Mail from 192.0.2.9 deferred by the receiver's reputation service",
            "The inbox ann@example.org is no longer in use.",
        ] {
            assert!(refusal(t).is_some(), "{t}");
        }
        assert!(refusal("Thanks, the list is fine now.").is_none());
    }

    #[test]
    fn delay_warning_without_codes() {
        let text = "Delivery to the following recipient has been delayed:\n\n     \
                    kijitora@example.com\n\nMessage will be retried for 2 more day(s)\n";
        let r = codeless(text, &[], &[], None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].recipient.as_deref(), Some("kijitora@example.com"));
        assert_eq!(r[0].dsn_action.as_deref(), Some("delayed"));
        assert_eq!(r[0].text, "Message will be retried for 2 more day(s)");
    }

    #[test]
    fn summary_fields_are_not_recipients_and_each_block_speaks_for_itself() {
        let text = "Your message\n  To:      boss@example.com\n  Subject: Hello\n\
                    did not reach the following recipient(s):\n\
                    ann@example.jp on Thu, 29 Apr 2010 00:00:00 -0000\n    \
                    The recipient name is not recognized\n\
                    bob@example.jp on Thu, 29 Apr 2010 00:00:00 -0000\n    \
                    The mailbox is full\n";
        let r = codeless(text, &[], &[], None);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].recipient.as_deref(), Some("ann@example.jp"));
        assert!(r[0].text.contains("not recognized"), "{}", r[0].text);
        assert!(r[1].text.contains("mailbox is full"), "{}", r[1].text);
        assert_eq!(r[1].dsn_action.as_deref(), Some("failed"));
    }

    #[test]
    fn failed_recipients_header_decides_and_the_whole_text_explains() {
        let text = "This message was created automatically by mail delivery software.\n\n\
                    A message that you sent could not be delivered to one or more of its\n\
                    recipients. The following address(es) failed:\n\n  cat@example.com\n\n";
        let r = codeless(text, &["cat@example.com".into()], &[], None);
        assert_eq!(r.len(), 1);
        assert!(
            r[0].text.starts_with("This message was created"),
            "{}",
            r[0].text
        );
        assert!(codeless("no address here at all", &[], &[], None).is_empty());
    }

    #[test]
    fn rules_and_blank_lines_do_not_use_up_a_recipients_block() {
        let text = "=======================================\n\
                    Delivery to the following recipients was aborted after 5.0 hour(s):\n\n\
                    \x20 * kim@example.co.jp\n\n\n\
                    =======================================\n\
                    \x20                   Technical details:\n\n\
                    Routing: Could not find a gateway for kim@example.co.jp\n\n\n\
                    =======================================\n";
        let r = codeless(text, &[], &[], None);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(
            r[0].text,
            "Technical details: Routing: Could not find a gateway for"
        );
    }

    #[test]
    fn the_address_a_help_line_names_is_not_a_recipient() {
        let text = "I'm sorry to have to inform you that the message returned\n\
                    below could not be delivered to one or more destinations.\n\n\
                    For further assistance, please contact <postmaster@relay.example>\n\n\
                    <kim@example.com>: Name service error for domain example.com: Host not\n    \
                    found, try again\n";
        let r = codeless(text, &[], &[], None);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].recipient.as_deref(), Some("kim@example.com"));
        assert!(r[0].text.starts_with("Name service error"), "{}", r[0].text);
    }

    #[test]
    fn a_line_that_could_not_contact_an_address_names_the_recipient() {
        let text = "Your message could not be delivered.\n\n\
                    Could not contact <kim@example.com>: mailbox unavailable\n";
        let r = codeless(text, &[], &[], None);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].recipient.as_deref(), Some("kim@example.com"));
    }
}
