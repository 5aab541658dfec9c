//! One JSON object per line for every address with a failure: its verdict and its history.

use crate::report::ScanReport;
use crate::scan::outcome::Outcome;
use crate::scan::time::{UNKNOWN, rfc3339};
use serde_json::{Value, json};
use std::io::{self, Write};

fn t(ts: i64) -> Value {
    if ts == UNKNOWN {
        Value::Null
    } else {
        Value::String(rfc3339(ts))
    }
}

pub fn render(out: &mut dyn Write, r: &ScanReport<'_>) -> io::Result<()> {
    let (sum, outcomes) = (r.summary, &r.scanned.outcomes);
    for d in &sum.decisions {
        let o = d.deciding.map(|o| &outcomes[o as usize]);
        let scope = match d.verdict {
            v if !v.suppresses() => Value::Null,
            crate::scan::decide::Verdict::SuppressDomain => "domain".into(),
            _ => "address".into(),
        };
        let line = json!({
            "schema": "mailtriage.scan-address/v1",
            "address": d.address,
            "verdict": d.verdict,
            "scope": scope,
            "reason": d.reason,
            "code": o.map(Outcome::code),
            "provider": o.and_then(|o| o.provider.clone()),
            "meaning": o.map(|o| o.meaning.clone()),
            "first_seen": t(d.first_seen),
            "last_seen": t(d.last_seen),
            "failures": d.failures,
            "delivered": d.delivered,
            "last_delivered": t(d.last_delivered),
            "history": d.history.iter().map(|e| {
                let o = &outcomes[e.outcome as usize];
                json!({
                    "time": t(e.ts),
                    "status": e.status.as_str(),
                    "code": o.code(),
                    "provider": o.provider,
                    "category": o.category,
                    "action": o.action,
                })
            }).collect::<Vec<_>>(),
        });
        crate::safe_json::json_compact(&mut *out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}
