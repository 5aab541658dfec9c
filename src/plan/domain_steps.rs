//! The step for a sending domain that does not exist: create it (or fix the address), and no
//! record under it (the SPF, DKIM, DMARC and MX steps stand aside, see `dmarc_steps`).

use super::draft::{Ctx, Draft};
use super::{RecordToPublish, records};

pub(super) fn nonexistent(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    let report = ctx.input.report;
    let Some(f) = report
        .findings
        .iter()
        .find(|f| f.id == "domain-nonexistent" && f.subject.eq_ignore_ascii_case(&report.domain))
    else {
        return;
    };
    let mut d = Draft::new("domain-create", "dns");
    d.findings.push(f.id.clone());
    // A name below an organisation that publishes DMARC is the organisation's to create in its
    // own zone: an SPF record for the sending IP makes the name exist (RFC 9989's np= no
    // longer applies, sp= does) and passes SPF, aligned, for this sender.
    let org = report
        .dmarc_from
        .as_ref()
        .or(report.dmarc.as_ref())
        .filter(|m| m.record.is_some())
        .map(|m| (m.organizational_domain.clone(), m.np.clone()));
    if let (Some((org, np)), Some(ip)) = (org, ctx.input.params.ip)
        && !org.eq_ignore_ascii_case(&report.domain)
    {
        if let Some(np) = np {
            d.details.push(ctx.k.message_with(
                "domain-create-np",
                &[("subject", org.as_str()), ("state", np.as_str())],
            ));
        }
        d.records.push(RecordToPublish::txt(
            report.domain.to_ascii_lowercase(),
            records::spf_starter(Some(ip)),
            ctx.k.message_with(
                "domain-create-spf-note",
                &[("subject", org.as_str()), ("ip", &ip.to_string())],
            ),
        ));
        d.wait = ctx.negative_ttl(&report.domain.to_ascii_lowercase(), crate::dns::RType::TXT);
    }
    out.push(d);
}
