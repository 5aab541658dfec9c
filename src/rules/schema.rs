//! The typed shape of the decoding tables of rules/*.toml (codes, handling, providers, phrases),
//! as stage one of loading reads them: an unknown field or word is refused at its line.

use super::types::{Action, BounceType};
use serde::Deserialize;

/// First digit of a basic reply code (RFC 5321 section 4.2.1).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    pub id: String,
    pub digit: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// Second digit of a basic reply code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectDigitRule {
    pub id: String,
    pub digit: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// One basic reply code, e.g. 550.
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancedClassRule {
    pub id: String,
    pub class: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// Subject of an enhanced status code (0..7).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnhancedSubjectRule {
    pub id: String,
    pub subject: u8,
    pub name: String,
    pub meaning: String,
    pub source: String,
}

/// One registered enhanced status code, written with `X` for the class: "X.7.26".
#[derive(Debug, Clone, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
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

/// A mailbox provider and how to recognise its replies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub markers: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub source: String,
}

/// What a provider means by a reply, where it differs from (or refines) the registry.
#[derive(Debug, Clone, Deserialize)]
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
