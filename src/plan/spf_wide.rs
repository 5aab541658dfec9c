//! An `ip4:`/`ip6:` range in the domain's own SPF record wider than any one sender holds
//! (`spf-range-too-wide`): the record without it, the sending IP kept when only the range
//! passed it.

use super::draft::{Ctx, Draft, claim};
use super::{RecordToPublish, records};
use crate::checks::SpfFacts;
use crate::checks::spf::wide;
use crate::finding::Finding;

pub(super) fn drop_wide_ranges(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    record: &str,
    pool: &mut Vec<&Finding>,
    out: &mut Vec<Draft>,
) {
    let ours = pool
        .iter()
        .any(|f| f.id == "spf-range-too-wide" && f.subject.eq_ignore_ascii_case(&facts.domain));
    let wide_terms = wide::in_record(record);
    if !ours || wide_terms.is_empty() {
        return;
    }
    let mut d = Draft::new("spf-drop-wide-range", "spf");
    claim(pool, &mut d, &["range-too-wide"]);
    let mut value = record
        .split_whitespace()
        .filter(|t| !wide::too_wide(t))
        .collect::<Vec<_>>()
        .join(" ");
    for t in &wide_terms {
        d.details.push(ctx.k.message_with(
            "spf-wide-range-dropped",
            &[("subject", t.as_str()), ("state", &wide::span(t))],
        ));
    }
    // The sending IP passed through the wide range alone: leaving it out without naming the
    // IP would turn this sender's pass into a fail.
    if let Some(r) = facts.result.as_ref().filter(|r| {
        r.result == "pass"
            && r.mechanism
                .as_deref()
                .is_some_and(|m| wide::too_wide(m.split(" > ").next().unwrap_or(m)))
    }) {
        value = records::spf_with_ip(&value, r.ip);
        d.details.push(
            ctx.k
                .message_with("spf-wide-range-kept-ip", &[("ip", &r.ip.to_string())]),
        );
    }
    d.records.push(RecordToPublish::txt(
        facts.domain.clone(),
        value,
        ctx.k.message("spf-wide-range-note"),
    ));
    d.wait = facts.ttl;
    out.push(d);
}
