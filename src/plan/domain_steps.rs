//! The step for a sending domain that does not exist: create it (or fix the address), and no
//! record under it (the SPF, DKIM, DMARC and MX steps stand aside, see `dmarc_steps`).

use super::draft::{Ctx, Draft};

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
    out.push(d);
}
