//! The typed shape of every rule table in rules/*.toml, as serde reads it (stage one of loading).

use super::types::{Action, BounceType};
use serde::Deserialize;
use toml::Spanned;

/// One rules file as parsed: every known array of tables, each element keeping its byte span.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub class: Vec<Spanned<ClassRule>>,
    #[serde(default)]
    pub subject_digit: Vec<Spanned<SubjectDigitRule>>,
    #[serde(default)]
    pub basic: Vec<Spanned<BasicRule>>,
    #[serde(default)]
    pub enhanced_class: Vec<Spanned<EnhancedClassRule>>,
    #[serde(default)]
    pub enhanced_subject: Vec<Spanned<EnhancedSubjectRule>>,
    #[serde(default)]
    pub enhanced: Vec<Spanned<EnhancedRule>>,
    #[serde(default)]
    pub handling: Vec<Spanned<HandlingRule>>,
    #[serde(default)]
    pub provider: Vec<Spanned<Provider>>,
    #[serde(default)]
    pub provider_rule: Vec<Spanned<ProviderRule>>,
    /// Provider-less rules that read the reply text (rules/phrases.toml); same fields, no `provider`.
    #[serde(default)]
    pub phrase: Vec<Spanned<ProviderRule>>,
    #[serde(default)]
    pub finding: Vec<Spanned<FindingRule>>,
    #[serde(default)]
    pub plan_step: Vec<Spanned<PlanStep>>,
    #[serde(default)]
    pub no_cause_reason: Vec<Spanned<PlanStep>>,
    #[serde(default)]
    pub message: Vec<Spanned<PlanStep>>,
    #[serde(default)]
    pub escalation: Vec<Spanned<Escalation>>,
    #[serde(default)]
    pub sender: Vec<Spanned<Sender>>,
    /// Per-address decisions of `mailtriage scan` (rules/suppression.toml).
    #[serde(default)]
    pub suppression: Vec<Spanned<PlanStep>>,
}

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
    pub category: String,
    #[serde(default)]
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
    pub category: String,
    #[serde(default)]
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
    #[serde(default)]
    pub category: Vec<String>,
    pub action: Action,
    pub bounce_type: BounceType,
    pub note: String,
    pub source: String,
}

/// A mailbox provider and how to recognise its replies.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub markers: Vec<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub source: String,
    /// Fields this version does not read (kept so other files can carry notes).
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// What a provider means by a reply, where it differs from (or refines) the registry.
#[derive(Debug, Clone, Deserialize)]
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
    pub category: String,
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default)]
    pub bounce_type: Option<BounceType>,
    #[serde(default)]
    pub escalation: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub source: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// The text of one DNS finding (owned by the checks; read here so ids stay unique).
#[derive(Debug, Clone, Deserialize)]
pub struct FindingRule {
    pub id: String,
    pub check: String,
    pub severity: String,
    pub title: String,
    pub summary: String,
    pub why: String,
    pub fix: String,
    pub source: String,
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// One remediation plan step text (content owned by the plan).
#[derive(Debug, Clone, Deserialize)]
pub struct PlanStep {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub source: String,
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// A sending service and how to recognise it (content owned by the plan).
#[derive(Debug, Clone, Deserialize)]
pub struct Sender {
    pub id: String,
    pub name: String,
    pub source: String,
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// A provider escalation checklist (content owned by the plan).
#[derive(Debug, Clone, Deserialize)]
pub struct Escalation {
    pub id: String,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub source: String,
    #[serde(flatten)]
    pub extra: toml::Table,
}
