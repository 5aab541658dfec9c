//! The typed shape of the decoding tables of rules/*.toml (codes, handling, providers, phrases),
//! as stage one of loading reads them: an unknown field or word is refused at its line.

use super::types::{Action, BounceType};
use serde::{Deserialize, Serialize};

/// First digit of a basic reply code (RFC 5321 section 4.2.1).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    pub id: String,
    pub digit: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// Second digit of a basic reply code.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectDigitRule {
    pub id: String,
    pub digit: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// One basic reply code, e.g. 550.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicRule {
    pub id: String,
    pub code: u16,
    pub title: String,
    pub meaning: String,
    #[serde(deserialize_with = "super::vocab::category")]
    pub category: String,
    #[serde(default, deserialize_with = "super::vocab::implicated")]
    pub checks: Vec<String>,
    #[serde(default)]
    pub why: Option<String>,
    /// RFC 5321 gives this code for many unrelated reasons, so the reply text (phrase rules)
    /// decides what it means when no specific enhanced code does.
    #[serde(default)]
    pub text_decides: bool,
    #[serde(default)]
    pub examples: Vec<String>,
    pub source: String,
}

/// Class of an enhanced status code (2, 4, 5).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancedClassRule {
    pub id: String,
    pub class: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// Subject of an enhanced status code (0..7).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancedSubjectRule {
    pub id: String,
    pub subject: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// One registered enhanced status code, written with `X` for the class: "X.7.26".
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancedRule {
    pub id: String,
    pub code: String,
    pub title: String,
    pub meaning: String,
    #[serde(deserialize_with = "super::vocab::category")]
    pub category: String,
    #[serde(default, deserialize_with = "super::vocab::implicated")]
    pub checks: Vec<String>,
    #[serde(default)]
    pub why: Option<String>,
    /// Servers give this code for many unrelated reasons (or routinely for another meaning),
    /// so the reply text (phrase rules) decides what it means when a phrase matches.
    #[serde(default)]
    pub text_decides: bool,
    #[serde(default)]
    pub examples: Vec<String>,
    pub source: String,
}

/// One row of the ordered handling decision table; every given condition must hold.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HandlingRule {
    pub id: String,
    #[serde(default)]
    pub class: Option<u8>,
    #[serde(default)]
    pub basic: Vec<u16>,
    #[serde(default)]
    pub enhanced: Vec<String>,
    #[serde(default, deserialize_with = "super::vocab::categories")]
    pub category: Vec<String>,
    pub action: Action,
    pub bounce_type: BounceType,
    pub note: String,
    pub source: String,
}

/// A mailbox provider or gateway and the fingerprints that recognise its replies, by kind.
/// Which kind wins when fingerprints of several providers match one reply is decided in
/// `rules/provider_detect.rs` (and documented at the top of rules/providers.toml).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Regexes on a host name: the host that answered (Remote-MTA, Postfix's `host X[ip]
    /// said:`, Exim's `H=`, `relay=`), the name the server gives itself in its reply, or, for
    /// a bounce that names no answering host, its Reporting-MTA.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Domains of links in the reply text, optionally with a path prefix: `support.google.com`,
    /// `aka.ms/exosmtperrors`. A subdomain of a listed domain matches; an address does not.
    #[serde(default)]
    pub links: Vec<String>,
    /// Regexes for tokens only this provider writes: `\[TSS04\]`, `\bgsmtp\b`, `(S3150)`.
    #[serde(default)]
    pub tokens: Vec<String>,
    /// Regexes for wording only this provider uses.
    #[serde(default)]
    pub wording: Vec<String>,
    /// Regexes on the reply text of no declared kind (the schema before kinds); they rank
    /// below tokens and wording. Prefer one of the kinds above.
    #[serde(default)]
    pub markers: Vec<String>,
    /// A gateway (Proofpoint, Mimecast ...) filters mail for other providers' customers and
    /// passes their replies on: when it answered but the words carry another provider's token,
    /// wording or server name, the words' provider wins.
    #[serde(default)]
    pub gateway: bool,
    /// Every reply this provider gives carries one of its fingerprints (Gmail's `gsmtp`,
    /// Microsoft's server name in brackets): an unmarked reply about a mailbox at its domain
    /// came from another server (often the sender's own, misconfigured), so the recipient's
    /// domain alone never names it.
    #[serde(default)]
    pub marks_every_reply: bool,
    /// Server software (Exchange Server), not a provider: its tokens and wording show who made
    /// the server, not who runs it (a company's own Exchange writes `RESOLVER.ADR.*` as
    /// Exchange Online does). Its rules read a reply that carries them, but output names no
    /// provider for it, and any provider's signal outranks all of its own.
    #[serde(default)]
    pub software: bool,
    /// Software this provider runs (Microsoft runs Exchange): the software's rules apply to
    /// its replies too, as its own do.
    #[serde(default)]
    pub runs: Vec<String>,
    /// Its reverse-DNS refusals ask only for a PTR that exists and resolves back to the IP (as
    /// its documentation says): an access provider's per-address name that does is no cause of
    /// them, where receivers that refuse on reverse DNS in general take it for a dynamic line.
    #[serde(default)]
    pub generic_ptr_accepted: bool,
    pub source: String,
}

/// A mechanism a receiver checks (SPF, DKIM, reverse DNS, a blocklist ...) and the words that
/// name it: a reply that blames it implicates its checks, and a registry meaning about another
/// mechanism does not apply to it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mechanism {
    pub id: String,
    /// How output names it: "SPF", "reverse DNS (PTR)".
    pub name: String,
    /// Regexes (case-insensitive by `(?i)`) that name the mechanism.
    pub words: Vec<String>,
    /// The category of a reply that blames it, when it decides; none for a mechanism whose
    /// mention implicates a check but does not say whose problem it is (MX).
    #[serde(default, deserialize_with = "super::vocab::optional_category")]
    pub category: Option<String>,
    /// Checks a reply that blames it implicates.
    #[serde(default, deserialize_with = "super::vocab::implicated")]
    pub checks: Vec<String>,
    /// `consequence`: what the receiver did (rate limiting) rather than why; words that also
    /// blame a cause ("rate limited because SPF does not pass") blame the cause.
    #[serde(default)]
    pub role: MechanismRole,
    /// Categories of registry readings that never explain words blaming this mechanism, even
    /// when it is a consequence: a code read as a bad connection (X.4.2) or a bad mailbox
    /// (X.1.1) in a reply whose words say "rate limit exceeded" was reused for the limit.
    #[serde(default, deserialize_with = "super::vocab::categories")]
    pub overrides: Vec<String>,
    /// What a reply that blames it means, shown where the mechanism decides.
    pub meaning: String,
    /// Replies that blame it.
    pub examples: Vec<String>,
    /// Replies that name it without blaming it.
    #[serde(default)]
    pub not_examples: Vec<String>,
    pub source: String,
}

/// Whether naming a mechanism says why mail was refused or what the receiver did about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MechanismRole {
    #[default]
    Cause,
    Consequence,
}

/// Words around a mechanism's name that decide whether the reply blames it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MechanismCue {
    pub id: String,
    pub kind: CueKind,
    /// Regexes.
    pub words: Vec<String>,
    pub source: String,
}

/// `fail`: the mechanism failed (beats the others: "did not pass" holds "pass"); `pass`: it
/// passed or is not at fault; `reference`: the words only point at documentation about it;
/// `identifier`: the name identifies something ("your DKIM domain example.com"); `boundary`:
/// ends a clause, so cues do not reach across it ("SPF passed but DKIM failed").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CueKind {
    Fail,
    Pass,
    Reference,
    Identifier,
    Boundary,
}

/// What a provider means by a reply, where it differs from (or refines) the registry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderRule {
    pub id: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub enhanced: Vec<String>,
    #[serde(default)]
    pub basic: Vec<u16>,
    #[serde(default)]
    pub pattern: Option<String>,
    /// Reply classes (2, 4, 5) the rule applies to: from the codes, else the DSN Action.
    #[serde(default)]
    pub class: Vec<u8>,
    /// RFC 3464 Action values (failed, delayed ...) the reply's DSN block must carry.
    #[serde(default)]
    pub dsn_action: Vec<String>,
    /// SMTP commands the reply answered (`RCPT TO`, `DATA` also matches `end of DATA`).
    #[serde(default)]
    pub command: Vec<String>,
    pub meaning: String,
    #[serde(deserialize_with = "super::vocab::category")]
    pub category: String,
    #[serde(default, deserialize_with = "super::vocab::implicated")]
    pub checks: Vec<String>,
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default)]
    pub bounce_type: Option<BounceType>,
    /// Whose escalation path applies to the replies this rule decodes (a `[[provider]]` id or
    /// the `provider` of an `[[escalation]]`), when it is not the provider that sent them.
    #[serde(default)]
    pub escalation: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub source: String,
    #[serde(default)]
    pub examples: Vec<String>,
}
