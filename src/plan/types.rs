//! The values a diagnosis is made of: its input, likely causes, plan steps and the whole result.

use super::escalation::Escalation;
use crate::checks::{CheckParams, DomainReport};
use crate::dns::LogEntry;
use crate::reply::Reply;
use crate::rules::Decoded;
use serde::Serialize;

/// Where one input value (domain, IP, HELO, selector ...) came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// "domain", "ip", "helo", "from", "mail_from", "dkim_selector", ...
    pub field: String,
    pub value: String,
    /// "flag", "bounce: Return-Path header", "bounce: Received header", ...
    pub source: String,
}

/// Everything `diagnose` looks at. Borrowed: the glue code owns the values.
#[derive(Debug, Clone, Copy)]
pub struct DiagnoseInput<'a> {
    /// Replies found in the input, each with its decoding; the first is the primary one.
    pub replies: &'a [(Reply, Decoded)],
    pub report: &'a DomainReport,
    pub params: &'a CheckParams,
    pub provenance: &'a [Provenance],
    pub queries: &'a [LogEntry],
    /// Names the input showed that may identify the sending service (Received hosts, d=,
    /// Return-Path); the plan adds the PTR names of the IP and the HELO name itself.
    pub clues: &'a [Clue],
}

/// Why the rejection probably happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LikelyCause {
    /// The finding that explains the reply; None when the reply itself is the cause
    /// (an unknown user, a protocol error, a blocklist listing), not something in DNS.
    pub finding_id: Option<String>,
    /// The rule that decoded the reply, when the reply itself is the cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_rule: Option<String>,
    pub reason: String,
    /// What the blamed finding is about (a selector's key name ...): with several findings of
    /// one id (two dangling DKIM CNAMEs), only the step about this one fixes the cause.
    #[serde(skip)]
    pub subject: Option<String>,
}

/// Said plainly when the reply implicates DNS checks that all pass now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoCause {
    pub message: String,
    pub possible_reasons: Vec<String>,
}

/// A record to publish (or to ask someone to publish), exactly as it should read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordToPublish {
    pub name: String,
    pub rtype: String,
    pub value: String,
    pub note: String,
}

impl RecordToPublish {
    /// A TXT record (SPF, DKIM, DMARC, a report authorisation) with the note shown under it.
    pub fn txt(name: impl Into<String>, value: impl Into<String>, note: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            rtype: "TXT".into(),
            value: value.into(),
            note: note.into(),
        }
    }
}

/// One numbered step of the remediation plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    /// 1-based position in the plan.
    pub order: u32,
    /// The `[[plan_step]]` id the texts came from.
    pub id: String,
    /// True when the step fixes a likely cause (such steps open the plan; hardening follows).
    pub fixes_likely_cause: bool,
    pub title: String,
    pub checks: Vec<String>,
    pub finding_ids: Vec<String>,
    pub records: Vec<RecordToPublish>,
    /// Facts behind the step (e.g. the lookups each include costs), one line each.
    pub details: Vec<String>,
    pub why: String,
    /// The mailtriage command that shows whether the step worked.
    pub verify: String,
    /// TTL of the record being replaced: how long caches may keep serving the old answer.
    pub wait_seconds: Option<u32>,
}

/// A finding this run could not conclude because `--offline` left a name unresolved: a gap
/// in what was checked, not a DNS problem of the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotChecked {
    pub finding_id: String,
    pub check: String,
    pub subject: String,
    pub reason: String,
}

/// The whole diagnosis.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub likely_causes: Vec<LikelyCause>,
    pub no_cause_found: Option<NoCause>,
    /// What `--offline` kept this run from checking.
    pub not_checked: Vec<NotChecked>,
    pub plan: Vec<PlanStep>,
    pub escalation: Escalation,
    /// The escalation paths of the other providers whose refusals the input holds (Gmail's
    /// and Outlook's in one bounce): one per entry, in input order, never the primary's.
    pub also_escalate: Vec<Escalation>,
}

/// What kind of name a clue is, which decides the service field it is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClueKind {
    /// A host name: the sending IP's PTR name, the HELO name, a Received from/by host.
    Host,
    /// A DKIM-Signature d= domain.
    DkimDomain,
    /// The Return-Path (MAIL FROM) domain.
    ReturnPath,
}

/// One name the input shows, and where it was seen (for the plan's "why").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clue {
    pub kind: ClueKind,
    pub value: String,
    pub seen: String,
}
