//! Ordering the plan: DNS trouble, PTR, SPF, DKIM, DMARC, alignment, policy stages, then the reply's action.

use super::causes::reply_code;
use super::dns_steps;
use super::knowledge::{Knowledge, fill};
use super::{DiagnoseInput, PlanStep, RecordToPublish, implicated_checks};
use crate::finding::{Check, Finding, Severity};
use crate::rules::Action;

/// What every step's templates may refer to.
pub(super) struct Ctx<'a> {
    pub input: &'a DiagnoseInput<'a>,
    pub k: &'a Knowledge,
    pub domain: String,
    pub ip: String,
    pub helo: String,
    pub code: String,
    pub provider: String,
}

/// A step before numbering; `order` is filled in at the end.
pub(super) struct Draft {
    pub id: &'static str,
    pub checks: Vec<String>,
    pub findings: Vec<String>,
    pub records: Vec<RecordToPublish>,
    pub details: Vec<String>,
    pub wait: Option<u32>,
    pub selector: Option<String>,
}

impl Draft {
    pub fn new(id: &'static str, check: &str) -> Draft {
        Draft {
            id,
            checks: vec![check.to_string()],
            findings: Vec::new(),
            records: Vec::new(),
            details: Vec::new(),
            wait: None,
            selector: None,
        }
    }
}

impl Ctx<'_> {
    /// Findings a user must act on for one check (inconclusive ones go to the DNS step).
    pub fn actionable(&self, check: Check) -> Vec<&Finding> {
        self.input
            .report
            .findings
            .iter()
            .filter(|f| f.check == check && !f.inconclusive && f.severity >= Severity::Warning)
            .collect()
    }

    pub fn inconclusive(&self, check: Check) -> bool {
        self.input
            .report
            .findings
            .iter()
            .any(|f| f.check == check && f.inconclusive)
    }

    fn finish(&self, d: Draft, order: u32) -> PlanStep {
        let text = self.k.step(d.id);
        let selector = d
            .selector
            .clone()
            .or_else(|| self.input.params.dkim_selectors.first().cloned())
            .unwrap_or_else(|| "<selector>".into());
        let vars = [
            ("domain", self.domain.as_str()),
            ("ip", self.ip.as_str()),
            ("helo", self.helo.as_str()),
            ("selector", selector.as_str()),
            ("provider", self.provider.as_str()),
            ("code", self.code.as_str()),
        ];
        PlanStep {
            order,
            id: d.id.to_string(),
            title: fill(&text.title, &vars),
            checks: d.checks,
            finding_ids: d.findings,
            records: d.records,
            details: d.details,
            why: fill(&text.why, &vars),
            verify: fill(&text.verify, &vars),
            wait_seconds: d.wait,
        }
    }
}

/// Moves into `draft` the findings whose id contains one of `keywords`.
pub(super) fn claim(pool: &mut Vec<&Finding>, draft: &mut Draft, keywords: &[&str]) {
    pool.retain(|f| {
        let hit = keywords.iter().any(|k| f.id.contains(k));
        if hit && !draft.findings.contains(&f.id) {
            draft.findings.push(f.id.clone());
        }
        !hit
    });
}

fn action_step(action: Action) -> Option<(&'static str, &'static str)> {
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

/// The ordered plan. Same input, same plan: every collection walked here is ordered.
pub(super) fn build_plan(input: &DiagnoseInput<'_>, k: &Knowledge) -> Vec<PlanStep> {
    let primary = input.replies.first();
    let ctx = Ctx {
        input,
        k,
        domain: input.report.domain.clone(),
        ip: input
            .params
            .ip
            .map(|i| i.to_string())
            .unwrap_or_else(|| "<ip>".into()),
        helo: input.params.helo.clone().unwrap_or_default(),
        code: primary
            .map(|(r, _)| reply_code(r))
            .unwrap_or_else(|| "The reply".into()),
        provider: primary
            .and_then(|(_, d)| d.provider.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| "the receiving provider".into()),
    };
    let mut dns: Vec<Draft> = Vec::new();
    dns_steps::inconclusive(&ctx, &mut dns);
    dns_steps::ptr(&ctx, &mut dns);
    dns_steps::spf(&ctx, &mut dns);
    dns_steps::dkim(&ctx, &mut dns);
    dns_steps::dmarc(&ctx, &mut dns);
    dns_steps::mx(&ctx, &mut dns);

    let action = primary.and_then(|(_, d)| {
        action_step(d.action).map(|(id, check)| {
            let mut draft = Draft::new(id, check);
            draft.checks = d
                .checks
                .iter()
                .filter(|c| !super::DNS_CHECKS.contains(&c.as_str()))
                .cloned()
                .collect();
            if draft.checks.is_empty() {
                draft.checks.push(check.to_string());
            }
            draft
        })
    });
    let reply_first = primary.is_some() && implicated_checks(primary.map(|(_, d)| d)).is_empty();
    let mut drafts = Vec::with_capacity(dns.len() + 1);
    match action {
        Some(a) if reply_first => {
            drafts.push(a);
            drafts.extend(dns);
        }
        Some(a) => {
            drafts.extend(dns);
            drafts.push(a);
        }
        None => drafts.extend(dns),
    }
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| ctx.finish(d, i as u32 + 1))
        .collect()
}
