//! The result of decoding one reply against the rules: what it means and what to do.

use serde::Serialize;

/// What the sender should do about the recipient address (the handling decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// 2xx: delivered or accepted; nothing to do.
    None,
    /// 4xx: retry with backoff.
    Retry,
    /// 421 and rate codes: reduce the sending rate, then retry.
    SlowDown,
    /// 5xx about the address: stop sending to it.
    SuppressAddress,
    /// 556 / X.1.10: the domain accepts no mail; suppress every address there.
    SuppressDomain,
    /// 552: retry once, then suppress.
    RetryThenSuppress,
    /// 500-504, 555: our client sent something wrong; fix it, do not suppress.
    FixSenderConfig,
    /// 5.7.x authentication: fix SPF/DKIM/DMARC/PTR; suppressing does not help.
    FixAuthentication,
    /// Other 5.7.x policy/reputation: fix the infrastructure or content; do not suppress.
    FixInfrastructure,
    /// Blocklist codes: request delisting.
    RequestDelisting,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::Retry => "retry",
            Action::SlowDown => "slow-down",
            Action::SuppressAddress => "suppress-address",
            Action::SuppressDomain => "suppress-domain",
            Action::RetryThenSuppress => "retry-then-suppress",
            Action::FixSenderConfig => "fix-sender-config",
            Action::FixAuthentication => "fix-authentication",
            Action::FixInfrastructure => "fix-infrastructure",
            Action::RequestDelisting => "request-delisting",
        }
    }
}

/// hard / soft / technical / none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BounceType {
    Hard,
    Soft,
    Technical,
    None,
}

/// Meaning of the basic reply code.
#[derive(Debug, Clone, Serialize)]
pub struct BasicMeaning {
    pub code: u16,
    /// "positive completion", "positive intermediate", "transient negative", "permanent negative".
    pub class: String,
    /// Second digit: syntax, information, connections, unspecified, mail system.
    pub category: String,
    /// Meaning of this exact code (RFC 5321 section 4.2.3), when it is a standard one.
    pub meaning: Option<String>,
}

/// Meaning of the enhanced status code (RFC 3463 and the IANA registry).
#[derive(Debug, Clone, Serialize)]
pub struct EnhancedMeaning {
    pub code: String,
    pub class: String,
    pub subject: String,
    /// Meaning of subject.detail, when registered.
    pub detail: Option<String>,
    /// Registry rule id, when registered (and not set aside).
    pub rule: Option<String>,
    /// The registry's meaning of this code, set aside because this reply's words (or the
    /// provider's own reading of the code) are about another mechanism: `detail` and `rule`
    /// are then null, so no consumer shows it as what the code means here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<SetAside>,
}

/// A registry meaning that does not apply to this reply, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SetAside {
    pub rule: String,
    pub detail: String,
    /// What the reply is about instead: the mechanisms its words blame ("SPF"), or the
    /// provider's reading.
    pub because: String,
}

/// The provider that sent the reply.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderRef {
    pub id: String,
    pub name: String,
    /// Which signal of the reply recognised the provider.
    pub signal: ProviderSignal,
}

/// One signal that recognised a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderSignal {
    pub kind: SignalKind,
    /// The host, the link's host, or the words of the reply that matched.
    pub matched: String,
    /// Where in the reply it was found.
    #[serde(rename = "where")]
    pub place: SignalPlace,
}

/// The kinds of provider fingerprint (the `[[provider]]` fields of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    Host,
    Link,
    Token,
    Wording,
    /// A legacy `markers` pattern, of no declared kind.
    Marker,
}

/// Where a signal was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalPlace {
    /// The host that answered (Remote-MTA, `host X said`, Exim `H=`, `relay=`).
    RemoteMta,
    /// The name the server gives itself in its reply.
    ServerName,
    /// The host that wrote the bounce, when none that answered is known.
    ReportingMta,
    /// The reply's words.
    Text,
    /// The domain of the recipient's own address, for a reply about that mailbox: only the
    /// server holding a mailbox says it is unknown, disabled or full.
    Recipient,
}

impl ProviderSignal {
    /// A few words for human output: `host gmail-smtp-in.l.google.com`, `token "gsmtp"`.
    pub fn describe(&self) -> String {
        // The matched words are the reply's: no control character reaches a terminal.
        let m: String = self
            .matched
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        match (self.kind, self.place) {
            (SignalKind::Host, SignalPlace::RemoteMta) => format!("answering host {m}"),
            (SignalKind::Host, SignalPlace::ServerName) => format!("server name {m} in the reply"),
            (SignalKind::Host, SignalPlace::Recipient) => format!("recipient's mailbox domain {m}"),
            (SignalKind::Host, _) => format!("reporting host {m}"),
            (SignalKind::Link, _) => format!("link to {m}"),
            (SignalKind::Token, _) => format!("token \"{m}\""),
            (SignalKind::Wording, _) => format!("wording \"{m}\""),
            (SignalKind::Marker, _) => format!("marker \"{m}\""),
        }
    }
}

/// The rule that decided the result.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    pub id: String,
    pub source: String,
}

/// A reply decoded against the rules.
#[derive(Debug, Clone, Serialize)]
pub struct Decoded {
    pub basic: Option<BasicMeaning>,
    pub enhanced: Option<EnhancedMeaning>,
    pub provider: Option<ProviderRef>,
    /// What the provider means by this reply, where it differs from the registry.
    pub provider_meaning: Option<String>,
    /// What the reply's words mean (a phrase rule), where the codes say little.
    pub text_meaning: Option<String>,
    /// authentication-spf, authentication-dkim, authentication-dmarc, reverse-dns, blocklist,
    /// reputation, rate-limit, recipient-address, mailbox, content, tls, sender-configuration,
    /// routing, policy, system, network, unknown, ...
    pub category: String,
    pub bounce_type: BounceType,
    pub action: Action,
    /// One line explaining the action.
    pub action_note: String,
    /// Implicated checks: spf, dkim, dmarc, ptr, mx, tls, blocklist, ...
    pub checks: Vec<String>,
    /// The rule that decided (provider > specific registry code > phrase > mechanism named by
    /// the words > registry > basic code).
    pub rule: RuleRef,
    /// False when only the basic code's class could be decoded.
    pub recognised: bool,
}
