//! The frozen `v1` JSON shapes, built from the report values: internal types may change, these
//! may not (schemas/*-v1.schema.json describe them; tests validate every document against them).
//! A decoded reply has one shape everywhere: explain's.

use crate::checks::DomainReport;
use crate::dns::LogEntry;
use crate::finding::Finding;
use crate::plan::{Escalation, LikelyCause, NoCause, NotChecked, PlanStep, Provenance};
use crate::reply::Reply as RawReply;
use crate::report::ToolInfo;
use crate::report::text::bounce_str;
use crate::rules::{Decoded, ProviderSignal, SetAside};
use serde::Serialize;
use serde_json::Value;
use std::net::IpAddr;

/// A shape as a `Value`: documents go through one, so every one lists its keys in the same
/// (sorted) order.
pub fn value<T: Serialize>(doc: &T) -> Value {
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

pub const EXPLAIN: &str = "mailtriage.explain/v1";
pub const CHECK: &str = "mailtriage.check/v1";
pub const DIAGNOSE: &str = "mailtriage.diagnose/v1";

/// One reply and what the rules made of it.
#[derive(Debug, Serialize)]
pub struct Reply<'a> {
    pub basic: Option<u16>,
    pub enhanced: Option<&'a str>,
    pub text: &'a str,
    pub recipient: Option<&'a str>,
    pub remote_mta: Option<&'a str>,
    /// Whether the failure is final for the sender's list; `None` when it reports no failure.
    pub permanent: Option<bool>,
    /// What `permanent` was read from: `delivery-status`, `bounce-words` or `reply-class`.
    pub permanent_basis: Option<&'static str>,
    pub provider: Option<Provider<'a>>,
    pub provider_meaning: Option<&'a str>,
    pub text_meaning: Option<&'a str>,
    pub meaning: Meaning<'a>,
    pub category: &'a str,
    pub bounce_type: &'static str,
    pub action: &'static str,
    pub action_note: &'a str,
    pub checks: &'a [String],
    pub rule: RuleRef<'a>,
    pub recognised: bool,
}

#[derive(Debug, Serialize)]
pub struct Provider<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// Which signal of the reply recognised the provider.
    pub signal: &'a ProviderSignal,
}

#[derive(Debug, Serialize)]
pub struct Meaning<'a> {
    pub basic: Option<BasicMeaning<'a>>,
    pub enhanced: Option<EnhancedMeaning<'a>>,
}

#[derive(Debug, Serialize)]
pub struct BasicMeaning<'a> {
    pub code: u16,
    pub class: &'a str,
    pub category: &'a str,
    pub meaning: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct EnhancedMeaning<'a> {
    pub code: &'a str,
    pub class: &'a str,
    pub subject: &'a str,
    pub detail: Option<&'a str>,
    pub rule: Option<&'a str>,
    /// A registry meaning that does not apply to this reply; present only then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<&'a SetAside>,
}

#[derive(Debug, Serialize)]
pub struct RuleRef<'a> {
    pub id: &'a str,
    pub source: &'a str,
}

impl<'a> Reply<'a> {
    pub fn new(reply: &'a RawReply, d: &'a Decoded) -> Reply<'a> {
        Reply {
            basic: reply.basic,
            enhanced: reply.enhanced.as_deref(),
            text: &reply.text,
            recipient: reply.recipient.as_deref(),
            remote_mta: reply.remote_mta.as_deref(),
            permanent: reply.finality.map(|f| f.permanent),
            permanent_basis: reply.finality.map(|f| f.basis.as_str()),
            provider: d.provider.as_ref().map(|p| Provider {
                id: &p.id,
                name: &p.name,
                signal: &p.signal,
            }),
            provider_meaning: d.provider_meaning.as_deref(),
            text_meaning: d.text_meaning.as_deref(),
            meaning: Meaning {
                basic: d.basic.as_ref().map(|b| BasicMeaning {
                    code: b.code,
                    class: &b.class,
                    category: &b.category,
                    meaning: b.meaning.as_deref(),
                }),
                enhanced: d.enhanced.as_ref().map(|e| EnhancedMeaning {
                    code: &e.code,
                    class: &e.class,
                    subject: &e.subject,
                    detail: e.detail.as_deref(),
                    rule: e.rule.as_deref(),
                    set_aside: e.set_aside.as_ref(),
                }),
            },
            category: &d.category,
            bounce_type: bounce_str(d.bounce_type),
            action: d.action.as_str(),
            action_note: &d.action_note,
            checks: &d.checks,
            rule: RuleRef {
                id: &d.rule.id,
                source: &d.rule.source,
            },
            recognised: d.recognised,
        }
    }
}

/// `mailtriage explain --format json`.
#[derive(Debug, Serialize)]
pub struct ExplainDoc<'a> {
    pub schema: &'static str,
    pub form: String,
    /// What a whole message is (`bounce`, `delay-warning`, `auto-reply` ...); null otherwise.
    pub kind: Option<&'static str>,
    /// With several inputs only (a field a consumer may ignore).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<ExplainInputEntry<'a>>,
    pub replies: Vec<Reply<'a>>,
}

/// One input of several: its name, form and how many of `replies` came from it.
#[derive(Debug, Serialize)]
pub struct ExplainInputEntry<'a> {
    pub name: &'a str,
    pub form: String,
    pub kind: Option<&'static str>,
    pub replies: usize,
}

/// One checked domain: its report (the facts' shape is the fixed contract of
/// checks/types.rs) and the queries that answered it.
#[derive(Debug, Serialize)]
pub struct Domain<'a> {
    #[serde(flatten)]
    pub report: &'a DomainReport,
    pub queries: &'a [LogEntry],
}

/// `mailtriage check --format json`.
#[derive(Debug, Serialize)]
pub struct CheckDoc<'a> {
    pub schema: &'static str,
    pub tool: &'a ToolInfo,
    pub domains: Vec<Domain<'a>>,
}

/// One line of `mailtriage check --format jsonl`: a domain with the schema id.
#[derive(Debug, Serialize)]
pub struct CheckLine<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub domain: Domain<'a>,
}

/// What `diagnose` was asked and where each value came from.
#[derive(Debug, Serialize)]
pub struct Input<'a> {
    pub form: String,
    pub provenance: &'a [Provenance],
    pub params: Params<'a>,
}

/// The parameters of the check `diagnose` ran.
#[derive(Debug, Serialize)]
pub struct Params<'a> {
    pub domain: &'a str,
    pub ip: Option<IpAddr>,
    pub helo: Option<&'a str>,
    pub from: Option<&'a str>,
    pub mail_from: Option<&'a str>,
    pub dkim_selectors: &'a [String],
    pub dkim_domain: Option<&'a str>,
    pub only: &'a [crate::finding::Check],
}

/// `mailtriage diagnose --format json`.
#[derive(Debug, Serialize)]
pub struct DiagnoseDoc<'a> {
    pub schema: &'static str,
    pub tool: &'a ToolInfo,
    pub input: Input<'a>,
    /// The primary reply (the first of `replies`), or null.
    pub reply: Option<Reply<'a>>,
    pub replies: Vec<Reply<'a>>,
    pub findings: &'a [Finding],
    pub likely_causes: &'a [LikelyCause],
    pub no_cause_found: Option<&'a NoCause>,
    pub not_checked: &'a [NotChecked],
    pub plan: &'a [PlanStep],
    pub escalation: &'a Escalation,
    pub also_escalate: &'a [Escalation],
    pub domain: &'a DomainReport,
    pub queries: &'a [LogEntry],
}
