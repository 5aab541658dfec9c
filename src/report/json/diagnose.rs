//! `diagnose` as versioned JSON (`mailtriage.diagnose/v1`).

use crate::reply::Reply;
use crate::report::DiagnoseReport;
use crate::rules::Decoded;
use serde_json::{Value, json};
use std::io::{self, Write};

pub const SCHEMA: &str = "mailtriage.diagnose/v1";

/// One reply with its decoding, flat: the reply's own fields, then what the rules made of it.
pub fn reply_value(reply: &Reply, d: &Decoded) -> Value {
    json!({
        "basic": reply.basic,
        "enhanced": reply.enhanced,
        "text": reply.text,
        "recipient": reply.recipient,
        "remote_mta": reply.remote_mta,
        "smtp_command": reply.smtp_command,
        "dsn_action": reply.dsn_action,
        "basic_meaning": d.basic,
        "enhanced_meaning": d.enhanced,
        "provider": d.provider,
        "provider_meaning": d.provider_meaning,
        "text_meaning": d.text_meaning,
        "category": d.category,
        "bounce_type": d.bounce_type,
        "action": d.action,
        "action_note": d.action_note,
        "checks": d.checks,
        "rule": d.rule,
        "recognised": d.recognised,
    })
}

fn ser<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn to_value(r: &DiagnoseReport<'_>) -> Value {
    let input = r.input;
    let p = input.params;
    let replies: Vec<Value> = input
        .replies
        .iter()
        .map(|(rep, d)| reply_value(rep, d))
        .collect();
    json!({
        "schema": SCHEMA,
        "tool": r.tool,
        "input": {
            "form": r.form,
            "provenance": input.provenance,
            "params": {
                "domain": p.domain,
                "ip": p.ip,
                "helo": p.helo,
                "from": p.from,
                "mail_from": p.mail_from,
                "dkim_selectors": p.dkim_selectors,
                "dkim_domain": p.dkim_domain,
                "only": p.only,
            },
        },
        "reply": replies.first().cloned().unwrap_or(Value::Null),
        "replies": replies,
        "findings": ser(&input.report.findings),
        "likely_causes": ser(&r.diagnosis.likely_causes),
        "no_cause_found": ser(&r.diagnosis.no_cause_found),
        "not_checked": ser(&r.diagnosis.not_checked),
        "plan": ser(&r.diagnosis.plan),
        "escalation": ser(&r.diagnosis.escalation),
        "domain": ser(input.report),
        "queries": ser(&input.queries),
    })
}

/// Pretty JSON followed by a newline.
pub fn render(w: &mut dyn Write, r: &DiagnoseReport<'_>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &to_value(r))?;
    writeln!(w)
}
