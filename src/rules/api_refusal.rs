//! Short inputs without any SMTP code that still refuse: a sending service's API refusal
//! (`{"ErrorCode": 406, ...}`, `Error: Forbidden at .../@sendgrid/client/...`), read when the
//! service's own signals name it and one of its rules reads the words; and a mail system's
//! verdict on one mailbox quoted without its code (Lotus Notes' `not listed in public Name &
//! Address Book`, a full mailbox's `ErrMsg=Mailbox space not enough`), read when a phrase
//! about that mailbox reads the words.

use super::RuleSet;
use crate::reply::{self, Extracted, InputError, InputForm};

/// The categories whose phrases state a failure by themselves: only a server that holds the
/// mailbox says it is unknown or full, and only a system that looked the recipient's domain up
/// for delivery says it has no mail server (`No mx record found for domain=example.com`; see
/// [`names_a_mail_lookup`]), so such words are a refusal, not a mention. Not `mailbox` (disabled, suspended): "Your account
/// has been suspended" is as often a sending service speaking of the sender's own account, and
/// suppressing the recipient would be wrong.
const MAILBOX_VERDICTS: &[&str] = &["recipient-address", "mailbox-full", "recipient-domain"];

/// A mailbox verdict quoted without its code is a line or three, as a refusal pasted without a
/// code is (`prose::refusal`); longer text is prose that may only talk about full mailboxes.
const VERDICT_LINES: usize = 3;
const VERDICT_BYTES: usize = 600;

impl RuleSet {
    /// What `explain` and `diagnose` read from an input: the replies [`reply::extract`] finds,
    /// else [`RuleSet::api_refusal`]; its error otherwise.
    pub fn extract(&self, input: &[u8]) -> Result<Extracted, InputError> {
        match reply::extract(input) {
            Err(InputError::NoReply) => self.api_refusal(input).ok_or(InputError::NoReply),
            other => other,
        }
    }

    /// A short input with no reply code, as one reply without a code, when its own signals
    /// (the service's host, links, error-code names, field names: its `[[provider]]`
    /// fingerprints) name a provider and a rule of that provider reads its words, or when it
    /// is a verdict on the mailbox or its domain (see [`MAILBOX_VERDICTS`]) of a few lines that a
    /// phrase reads. The HTTP status or the API's own error number is never read as an SMTP
    /// code; a text only a broader phrase reads (policy, spam, a list), a question, or one that
    /// names no one stays refused (exit 2), as before.
    pub fn api_refusal(&self, input: &[u8]) -> Option<Extracted> {
        let r = reply::codeless(input)?;
        let d = self.decode(&r);
        let own_rule = d.provider.as_ref().is_some_and(|p| {
            !p.id.is_empty() && self.provider_rules.iter().any(|p| p.rule.id == d.rule.id)
        });
        let verdict = MAILBOX_VERDICTS.contains(&d.category.as_str())
            && (d.category != "recipient-domain" || names_a_mail_lookup(&r.text))
            && self.phrases.iter().any(|p| p.rule.id == d.rule.id)
            && short_statement(input);
        if own_rule || verdict {
            return Some(Extracted {
                form: InputForm::Reply,
                kind: None,
                replies: vec![r],
                original: None,
            });
        }
        self.codeless_notice(input)
    }

    /// A failure or delay notice's text that quotes no code and names no readable recipient,
    /// as one reply, when its words say why delivery failed as a phrase reads them ("User
    /// unknown", a delay warning): the notice's own statement. Words no phrase reads (the
    /// notice's boilerplate alone) stay refused, as before.
    fn codeless_notice(&self, input: &[u8]) -> Option<Extracted> {
        let notice = reply::codeless_notice(input)?;
        let d = self.decode(notice.replies.first()?);
        let phrase = self.phrases.iter().any(|p| p.rule.id == d.rule.id);
        (phrase && !NO_VERDICT.contains(&d.category.as_str())).then_some(notice)
    }
}

/// A domain verdict is the delivering system's only when it names the lookup for mail (the MX
/// record, a mail exchanger, NXDOMAIN): "Unknown host" or "Invalid domain" alone is as often a
/// client that could not find its own submission server, or a form checking an address.
fn names_a_mail_lookup(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["mx", "mail exchanger", "nxdomain"].iter().any(|w| {
        t.match_indices(w).any(|(i, _)| {
            let before = t[..i].chars().next_back();
            let after = t[i + w.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

/// Categories that say nothing about why delivery failed.
const NO_VERDICT: &[&str] = &["unknown", "unspecified"];

/// A few lines that state something (a question asks whether a mailbox is full; it says
/// nothing failed).
fn short_statement(input: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(input) else {
        return false;
    };
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    (1..=VERDICT_LINES).contains(&lines)
        && text.len() <= VERDICT_BYTES
        && !text.trim_end().ends_with('?')
}
