//! The typed schema of the knowledge the checks and the plan read: finding texts, plan steps,
//! messages, no-cause reasons, escalation paths, sending services, DKIM selectors and the
//! suppression policy of `scan`.

use super::types::Action;
use super::vocab::{Category, Tier};
use crate::finding::{Check, Severity};
use serde::{Deserialize, Serialize};

/// `[[finding]]`: the documentation of one finding id a check emits.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FindingRule {
    pub id: String,
    /// The registered check that emits it (`dns` for trouble of no check).
    #[serde(deserialize_with = "check", serialize_with = "check_name")]
    pub check: Check,
    /// The usual severity (a check may emit it weaker in some contexts, as the summary says).
    #[serde(deserialize_with = "severity", serialize_with = "severity_name")]
    pub severity: Severity,
    pub title: String,
    pub summary: String,
    pub why: String,
    pub fix: String,
    pub source: String,
}

/// `[[plan_step]]`: the texts of one kind of plan step. Templates may use the
/// [`PLACEHOLDERS`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStepText {
    pub id: String,
    pub source: String,
    pub title: String,
    /// The title to use when the step's IP is unknown, so no placeholder is ever shown.
    #[serde(default)]
    pub title_without_ip: Option<String>,
    /// The title when the step lists several recipients (a bounce naming more than one), so a
    /// step about three addresses does not speak of "the address".
    #[serde(default)]
    pub title_several: Option<String>,
    pub why: String,
    /// The explanation when the step lists several recipients.
    #[serde(default)]
    pub why_several: Option<String>,
    /// The command that shows whether the step worked.
    pub verify: String,
}

/// `[[message]]`: a fixed sentence the plan uses (templates as for plan steps).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub id: String,
    pub source: String,
    pub text: String,
}

/// `[[no_cause_reason]]`: a reason a reply can blame DNS that checks clean now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoCauseReason {
    pub id: String,
    pub source: String,
    pub text: String,
    /// The implicated checks this reason fits; empty means any.
    #[serde(default, deserialize_with = "super::vocab::implicated")]
    pub checks: Vec<String>,
}

/// A place to go when escalating.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// An escalation condition that applies to one kind of reply: `if` is `temporary` (a 4xx
/// reply), `permanent` (a 5xx reply), `check:<name>` (the reply implicates that DNS check) or
/// `category:<name>` (the reply's category).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyCondition {
    #[serde(rename = "if")]
    pub if_: String,
    pub text: String,
}

impl ReplyCondition {
    /// Whether `if` is a condition the escalation can judge: `temporary`, `permanent`, a
    /// known check word after `check:`, or a category after `category:`.
    pub fn is_known(&self) -> bool {
        match self.if_.split_once(':') {
            None => matches!(self.if_.as_str(), "temporary" | "permanent"),
            Some(("check", name)) => super::vocab::known_checks().contains(&name),
            Some(("category", name)) => super::vocab::Category::parse(name).is_some(),
            _ => false,
        }
    }
}

/// `[[escalation]]`: when and where to escalate to one provider, and what to bring.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationRule {
    pub id: String,
    /// A `[[provider]]` id, a blocklist operator named by a rule's `escalation`, or "generic".
    pub provider: String,
    /// Whom the entry is for, as the escalation heading shows it ("Spamhaus", "Gmail (Google)").
    /// Required (the lint refuses an entry without one); defaulted here so the lint can say so
    /// at the entry's line instead of a deserialisation error.
    #[serde(default)]
    pub name: String,
    pub source: String,
    /// When the destinations and conditions were last checked (YYYY-MM-DD).
    pub checked: String,
    pub when: Vec<String>,
    /// Conditions that hold only for some replies, each shown where the reply is of its kind
    /// (a generic condition about 4xx deferrals says nothing to a 5xx refusal). The generic
    /// entry's are added to every entry's, each where it applies.
    #[serde(default)]
    pub when_reply: Vec<ReplyCondition>,
    #[serde(rename = "where")]
    pub where_: Vec<Link>,
    pub gather: Vec<String>,
    /// Enhanced codes (exact, a prefix ending in '*', or a range like "5.7.606-649") that
    /// select this entry over the provider's general one.
    #[serde(default)]
    pub enhanced: Vec<String>,
    /// Case-insensitive substrings of the reply text that select this entry (e.g. "S3150").
    #[serde(default)]
    pub markers: Vec<String>,
    /// Decoded categories that select this entry (e.g. "blocklist").
    #[serde(default)]
    pub categories: Vec<Category>,
    /// `[[sender]]` ids whose sending IPs (recognised by their PTR names) make a reply about
    /// the IP's standing (a listing of the address) this provider's to handle: a sending
    /// service's shared address is delisted through the service, not by its customer.
    #[serde(default)]
    pub sending_services: Vec<String>,
}

/// `[[sender]]`: a sending service, the SPF include it documents and how to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SendingService {
    pub id: String,
    pub name: String,
    pub source: String,
    /// The name after `include:` in the customer's SPF record.
    pub spf_include: String,
    /// Host-name suffixes: PTR name of the sending IP, HELO name, Received hosts.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// DKIM-Signature d= suffixes the service signs with by default.
    #[serde(default)]
    pub dkim_domains: Vec<String>,
    /// Return-Path domain suffixes of the service's bounce handling.
    #[serde(default)]
    pub return_path_domains: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[dkim_selectors]]`: selectors DKIM discovery probes, and when (rules/selectors.toml).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DkimSelectorRule {
    pub id: String,
    /// Who publishes these selectors.
    pub name: String,
    pub tier: Tier,
    /// Selector names, lower case.
    pub selectors: Vec<String>,
    /// (service only) include/redirect targets that show the service.
    #[serde(default)]
    pub spf_includes: Vec<String>,
    /// (service only) MX host suffixes that show the service.
    #[serde(default)]
    pub mx_hosts: Vec<String>,
    pub source: String,
}

/// The verdict a `[[suppression]]` table gives (rules/suppression.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionVerdict {
    Suppress,
    SuppressDomain,
    SuppressSoft,
    DoNotSuppress,
}

impl SuppressionVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionVerdict::Suppress => "suppress",
            SuppressionVerdict::SuppressDomain => "suppress-domain",
            SuppressionVerdict::SuppressSoft => "suppress-soft",
            SuppressionVerdict::DoNotSuppress => "do-not-suppress",
        }
    }
}

/// `[[suppression]]`: which decoded failures give which per-address verdict in `scan`, and
/// for `suppress-soft` the threshold of separate sends and days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionRule {
    pub id: String,
    pub source: String,
    pub title: String,
    pub verdict: SuppressionVerdict,
    /// Decoded actions (`explain`'s `action`) this verdict applies to.
    pub actions: Vec<Action>,
    /// Decoded categories this verdict takes whatever their action.
    #[serde(default)]
    pub categories: Vec<Category>,
    /// (suppress-soft) separate sends that failed.
    #[serde(default)]
    pub failures: Option<u32>,
    /// (suppress-soft) days from the first to the last counted failure.
    #[serde(default)]
    pub days: Option<u32>,
    /// (suppress-soft) soft failures about the sender, which never count.
    #[serde(default)]
    pub sender_side_categories: Vec<Category>,
    pub summary: String,
    pub why: String,
    pub fix: String,
}

impl SuppressionRule {
    /// Problems its types do not catch (empty when it is well formed); `rules lint` and
    /// `scan`'s policy both use it.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.actions.is_empty() {
            problems.push("`actions` must name at least one action".into());
        }
        for (key, n) in [("failures", self.failures), ("days", self.days)] {
            if n.is_some_and(|n| !(1..=10_000).contains(&n)) {
                problems.push(format!("`{key}` must be a whole number from 1 to 10000"));
            }
        }
        if self.verdict == SuppressionVerdict::SuppressSoft
            && (self.failures.is_none() || self.days.is_none())
        {
            problems.push("a suppress-soft rule needs `failures` and `days`".into());
        }
        problems
    }
}

/// Every `{name}` the plan fills in a step's or message's text; any other is a typo that
/// would be printed as written.
pub const PLACEHOLDERS: &[&str] = &[
    "all",
    "domain",
    "ip",
    "helo",
    "selector",
    "new_selector",
    "provider",
    "code",
    "recipient_domain",
    "checks",
    "check",
    "clue",
    "count",
    "host",
    "include",
    "lookups",
    "meaning",
    "message",
    "pct",
    "problem",
    "record",
    "seen",
    "service",
    "size",
    "source",
    "state",
    "subject",
    "target",
    "warnings",
];

/// The plan step that acts on a reply's handling action, and the check it is filed under;
/// None when the DNS steps are the action (authentication) or there is nothing to do.
pub fn action_step(action: Action) -> Option<(&'static str, &'static str)> {
    Some(match action {
        Action::SlowDown => ("action-slow-down", "rate"),
        Action::Retry => ("action-retry", "rate"),
        Action::SuppressAddress => ("action-suppress-address", "list"),
        Action::SuppressDomain => ("action-suppress-domain", "list"),
        Action::RetryThenSuppress => ("action-retry-then-suppress", "list"),
        Action::FixSenderConfig => ("action-fix-sender-config", "sender-configuration"),
        Action::RequestDelisting => ("action-request-delisting", "blocklist"),
        Action::FixInfrastructure => ("action-fix-infrastructure", "reputation"),
        Action::FixAuthentication | Action::None => return None,
    })
}

/// The `{name}`s of a template.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find(['}', '{']) {
            Some(close) if after.as_bytes()[close] == b'}' => {
                let name = &after[..close];
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
                {
                    out.push(name);
                }
                rest = &after[close + 1..];
            }
            Some(close) => rest = &after[close..],
            None => break,
        }
    }
    out
}

// The precompiled built-in rules store these as the words the files use, so one reader
// serves both the TOML and the binary form.
fn check_name<S: serde::Serializer>(c: &Check, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}

fn severity_name<S: serde::Serializer>(v: &Severity, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}

fn check<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Check, D::Error> {
    use serde::de::Error;
    let s = String::deserialize(d)?;
    Check::parse(&s).filter(|c| c.as_str() == s).ok_or_else(|| {
        D::Error::custom(format!(
            "unknown check `{s}` (known: dns, {})",
            Check::names()
        ))
    })
}

fn severity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
    use serde::de::Error;
    let s = String::deserialize(d)?;
    match s.as_str() {
        "info" => Ok(Severity::Info),
        "warning" => Ok(Severity::Warning),
        "error" => Ok(Severity::Error),
        _ => Err(D::Error::custom(format!(
            "severity `{s}` is not info, warning or error"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_the_braced_names() {
        assert_eq!(
            placeholders("Publish {domain} at {selector}._domainkey.{domain}"),
            vec!["domain", "selector", "domain"]
        );
        assert_eq!(placeholders("JSON {\"a\": 1} and {x{y}"), vec!["y"]);
        assert!(placeholders("no braces").is_empty());
    }
}
