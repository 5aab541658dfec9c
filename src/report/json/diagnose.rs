//! `diagnose` as `mailtriage.diagnose/v1`. Its replies have explain's shape.

use super::v1::{DIAGNOSE, DiagnoseDoc, Input, Params, Reply};
use crate::report::DiagnoseReport;
use crate::report::text::form_str;
use serde_json::Value;

pub const SCHEMA: &str = DIAGNOSE;

pub fn to_value(r: &DiagnoseReport<'_>) -> Value {
    let input = r.input;
    let p = input.params;
    let replies: Vec<Reply<'_>> = input
        .replies
        .iter()
        .map(|(x, d)| Reply::new(x, d))
        .collect();
    let primary = input.replies.first().map(|(x, d)| Reply::new(x, d));
    // An address literal (`--helo [192.0.2.1]`) is shown as given, not as no HELO.
    let helo = p.helo_announced();
    super::v1::value(&DiagnoseDoc {
        schema: DIAGNOSE,
        tool: r.tool,
        input: Input {
            form: form_str(r.form),
            provenance: input.provenance,
            params: Params {
                domain: &p.domain,
                ip: p.ip,
                helo: helo.as_deref(),
                from: p.from.as_deref(),
                mail_from: p.mail_from.as_deref(),
                dkim_selectors: &p.dkim_selectors,
                dkim_domain: p.dkim_domain.as_deref(),
                only: &p.only,
            },
        },
        reply: primary,
        replies,
        findings: &input.report.findings,
        likely_causes: &r.diagnosis.likely_causes,
        no_cause_found: r.diagnosis.no_cause_found.as_ref(),
        not_checked: &r.diagnosis.not_checked,
        plan: &r.diagnosis.plan,
        escalation: &r.diagnosis.escalation,
        also_escalate: &r.diagnosis.also_escalate,
        domain: input.report,
        queries: input.queries,
    })
}
