//! Diagnosis: from decoded replies and a domain report to likely causes, an ordered plan and escalation.

mod causes;
mod dmarc_records;
mod dmarc_steps;
mod dns_steps;
mod domain_steps;
pub mod escalation;
pub mod knowledge;
mod order;
pub mod records;
pub mod senders;
mod spf_steps;

use crate::checks::{CheckParams, DomainReport};
use crate::reply::Reply;
use crate::report::QueryRecord;
use crate::rules::Decoded;
use serde::Serialize;

pub use escalation::{Escalation, EscalationLink};
pub use knowledge::{Knowledge, KnowledgeError, SendingService};
pub use order::shell_word;
pub use senders::{Clue, ClueKind};

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
    pub queries: &'a [QueryRecord],
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

/// One numbered step of the remediation plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    /// 1-based position in the plan.
    pub order: u32,
    /// The `[[plan_step]]` id the texts came from.
    pub id: String,
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
}

/// Checks that DNS can answer for; anything else a reply implicates (tls, blocklist) is not ours.
pub(crate) const DNS_CHECKS: [&str; 6] = ["dns", "spf", "dkim", "dmarc", "ptr", "mx"];

/// The DNS checks the primary reply implicates, in a stable order.
pub(crate) fn implicated_checks(decoded: Option<&Decoded>) -> Vec<String> {
    let Some(d) = decoded else { return Vec::new() };
    let mut out: Vec<String> = DNS_CHECKS
        .iter()
        .filter(|c| d.checks.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .map(|c| c.to_string())
        .collect();
    out.dedup();
    out
}

/// True when a finding is inconclusive only because `--offline` did not look its names up:
/// every troubled query behind it is "offline", none timed out or failed.
pub(crate) fn not_looked_up(f: &crate::finding::Finding, queries: &[QueryRecord]) -> bool {
    if !f.inconclusive {
        return false;
    }
    let troubled: Vec<&QueryRecord> = queries
        .iter()
        .filter(|q| f.queries.contains(&q.id) && q.outcome.is_trouble())
        .collect();
    !troubled.is_empty()
        && troubled
            .iter()
            .all(|q| q.outcome == crate::dns::Outcome::Offline)
}

/// Decodes nothing new: combines what the checks found with what the reply says.
pub fn diagnose(input: &DiagnoseInput<'_>, knowledge: &Knowledge) -> Diagnosis {
    let primary = input.replies.first();
    let (likely_causes, no_cause_found) = causes::likely_causes(input, knowledge);
    let not_checked = causes::not_checked(input, knowledge);
    let plan = order::build_plan(input, knowledge);
    // "DNS verified" is a claim about every implicated check: one --offline left open breaks it.
    let implicated = implicated_checks(primary.map(|(_, d)| d));
    let verified =
        no_cause_found.is_some() && !not_checked.iter().any(|n| implicated.contains(&n.check));
    let escalation = escalation::select(primary, verified, knowledge);
    Diagnosis {
        likely_causes,
        no_cause_found,
        not_checked,
        plan,
        escalation,
    }
}
