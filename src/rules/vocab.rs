//! The closed vocabularies of the rules files: reply categories, the checks a rule may
//! implicate and the tiers of DKIM selectors. Stage one of loading refuses any other word, at
//! the line that holds it.

use crate::finding::Check;
use serde::de::{Deserialize, Deserializer, Error};

macro_rules! categories {
    ($($variant:ident = $name:literal: $doc:literal,)*) => {
        /// What kind of reply it is: the `category` of a code, provider rule or phrase, and the
        /// conditions of the handling table and of escalation entries.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Category {
            $(#[doc = $doc] $variant,)*
        }

        impl Category {
            pub const ALL: &[Category] = &[$(Category::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Category::$variant => $name,)*
                }
            }

            /// One line on what the category means (for documentation).
            pub fn about(self) -> &'static str {
                match self {
                    $(Category::$variant => $doc,)*
                }
            }
        }
    };
}

categories! {
    Authentication = "authentication": "The message failed authentication (SPF, DKIM or DMARC together).",
    AuthenticationDkim = "authentication-dkim": "DKIM is missing, fails or is too weak.",
    AuthenticationDmarc = "authentication-dmarc": "DMARC failed or the From domain's policy rejected the message.",
    AuthenticationSpf = "authentication-spf": "SPF failed or the sending IP is not authorised.",
    AutoReply = "auto-reply": "An automatic reply (vacation, out of office), not a failure.",
    Blocklist = "blocklist": "The sending IP or domain is on a blocklist.",
    Complaint = "complaint": "A recipient reported the message (feedback loop).",
    Congestion = "congestion": "The receiver is congested; try later.",
    Connection = "connection": "Connection greeting or closing.",
    Content = "content": "The message's content, attachments or links were refused.",
    Delivered = "delivered": "The message was delivered or accepted.",
    DeliveryDelayed = "delivery-delayed": "Delivery is delayed and still being retried.",
    DeliveryExpired = "delivery-expired": "Delivery was retried until it expired.",
    Information = "information": "A help or status reply.",
    Mailbox = "mailbox": "The mailbox is unavailable, disabled or unknown.",
    MailboxFull = "mailbox-full": "The mailbox is over quota.",
    MessageSize = "message-size": "The message is too large.",
    Network = "network": "A network or routing failure between the servers.",
    Policy = "policy": "The receiver's local policy refused the message.",
    Priority = "priority": "Message priority or delivery-time requirements.",
    Protocol = "protocol": "An SMTP protocol step (354, 455 ...).",
    RateLimit = "rate-limit": "Too many messages or connections: slow down.",
    RecipientAddress = "recipient-address": "The recipient address does not exist or is invalid.",
    RecipientDomain = "recipient-domain": "The recipient domain accepts no mail or does not exist.",
    Reputation = "reputation": "The sender's IP or domain reputation is too low.",
    ReverseDns = "reverse-dns": "The sending IP has no (forward-confirmed) reverse DNS.",
    Routing = "routing": "The mail could not be routed (loops, bad MX).",
    Security = "security": "A security feature (encryption, signatures) failed.",
    SenderAddress = "sender-address": "The sender address is invalid or not allowed.",
    SenderConfiguration = "sender-configuration": "The sending client did something wrong (syntax, sequence).",
    SmtpAuth = "smtp-auth": "SMTP authentication (AUTH) of the client.",
    Storage = "storage": "The receiving system is out of storage.",
    System = "system": "The receiving system failed or is unavailable.",
    Tls = "tls": "TLS is required or failed.",
    Unknown = "unknown": "Nothing more specific could be decoded.",
    Unspecified = "unspecified": "The code says nothing specific.",
    Unverified = "unverified": "The address could not be verified (252).",
}

impl Category {
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Category, D::Error> {
        let s = String::deserialize(d)?;
        Category::parse(&s).ok_or_else(|| {
            let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
            D::Error::custom(format!(
                "unknown category `{s}` (known: {})",
                known.join(", ")
            ))
        })
    }
}

impl serde::Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// When DKIM discovery probes a `[[dkim_selectors]]` entry's selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Whenever `_domainkey.<domain>` may have names below it.
    Common,
    /// When the domain's SPF tree or MX hosts show the service; else as `Fallback`.
    Service,
    /// Only when nothing probed before holds a key.
    Fallback,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Common, Tier::Service, Tier::Fallback];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Common => "common",
            Tier::Service => "service",
            Tier::Fallback => "fallback",
        }
    }
}

impl<'de> Deserialize<'de> for Tier {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tier, D::Error> {
        let s = String::deserialize(d)?;
        Tier::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                D::Error::custom(format!(
                    "tier `{s}` is not one of common, service, fallback"
                ))
            })
    }
}

impl serde::Serialize for Tier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a reply can implicate whether or not a DNS check of that name is registered: the
/// decoder's own words. A registered check of the same name takes the word over (a reply that
/// implicates `blocklist` then runs the blocklist check), so adding a check leaves this list
/// alone.
pub const REPLY_ONLY_CHECKS: &[&str] = &["tls", "blocklist", "arc"];

/// Checks a rule may name: every registered DNS check (the `--only` values), then the
/// reply-only words no check has taken over.
pub fn known_checks() -> Vec<&'static str> {
    use clap::ValueEnum;
    let registered: Vec<&'static str> =
        Check::value_variants().iter().map(|c| c.as_str()).collect();
    let reply_only = REPLY_ONLY_CHECKS
        .iter()
        .copied()
        .filter(|w| !registered.contains(w));
    registered.iter().copied().chain(reply_only).collect()
}

/// A check a rule implicates, as a word of [`known_checks`] (kept as a string: the decoder
/// hands it on as such).
pub fn implicated<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use clap::ValueEnum;
    let words = Vec::<String>::deserialize(d)?;
    // Looked up in place: this runs for every rule of every load.
    let is_known = |w: &str| {
        Check::value_variants().iter().any(|c| c.as_str() == w) || REPLY_ONLY_CHECKS.contains(&w)
    };
    if let Some(w) = words.iter().find(|w| !is_known(w)) {
        return Err(D::Error::custom(format!(
            "unknown check `{w}` (known: {})",
            known_checks().join(", ")
        )));
    }
    Ok(words)
}

/// A category, kept as a string for the decoder.
pub fn category<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Category::deserialize(d).map(|c| c.as_str().to_string())
}

/// An optional category, kept as a string for the decoder.
pub fn optional_category<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    // Through `Option` so that the precompiled (non-self-describing) form reads what it wrote.
    Option::<Category>::deserialize(d).map(|c| c.map(|c| c.as_str().to_string()))
}

/// Categories, kept as strings for the decoder.
pub fn categories<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Vec::<Category>::deserialize(d).map(|v| v.iter().map(|c| c.as_str().to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A reply-only word that a registered check takes over is named once.
    #[test]
    fn registered_and_reply_only_checks_are_distinct() {
        let known = known_checks();
        let unique: HashSet<&str> = known.iter().copied().collect();
        assert_eq!(unique.len(), known.len(), "{known:?}");
        assert!(known.starts_with(&["spf", "dkim", "dmarc", "ptr", "mx"]));
    }

    #[test]
    fn categories_are_kebab_case_and_round_trip() {
        for c in Category::ALL {
            assert!(crate::finding::is_kebab_case(c.as_str()), "{c:?}");
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        assert_eq!(Category::parse("Blocklist"), None);
    }
}
