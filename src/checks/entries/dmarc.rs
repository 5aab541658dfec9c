//! DMARC in the registry: the checked domain's policy, and the From domain's (with alignment)
//! when it is another domain.

use crate::checks::dmarc;
use crate::checks::registry::{DnsCheck, Input, Ran, sub, trouble, ttl};
use crate::checks::types::{CheckParams, DmarcFacts, DomainReport};
use crate::dns::{Dns, LogEntry, RType};
use crate::domain_name::{domain_of, normalise};
use crate::finding::Check;
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Dmarc;

impl DnsCheck for Dmarc {
    fn check(&self) -> Check {
        Check::Dmarc
    }

    fn label(&self) -> &'static str {
        "DMARC"
    }

    fn needs(&self) -> &'static [Input] {
        &[Input::MailFrom, Input::From, Input::DkimDomain]
    }

    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran> {
        async move {
            let domain = normalise(&params.domain);
            let from_domain = params
                .from
                .as_deref()
                .map(domain_of)
                .filter(|d| !d.is_empty() && *d != domain);
            let own = dmarc::check(dns, params, &domain, from_domain.is_none());
            let from = async {
                match &from_domain {
                    Some(d) => Some(dmarc::check(dns, params, d, true).await),
                    None => None,
                }
            };
            let ((own, mut findings), from) = futures::join!(own, from);
            let from = from.map(|(facts, mut f)| {
                findings.append(&mut f);
                facts
            });
            Ran::new(findings, move |r| {
                r.dmarc = Some(own);
                r.dmarc_from = from;
            })
        }
        .boxed()
    }

    fn ran(&self, report: &DomainReport) -> bool {
        report.dmarc.is_some()
    }

    fn verified(&self, report: &DomainReport) -> bool {
        report.dmarc_from.is_some() || report.dmarc.is_some()
    }

    fn found_something(&self, report: &DomainReport) -> bool {
        report.dmarc.as_ref().is_some_and(|d| d.record.is_some())
    }

    fn lines(&self, r: &DomainReport, queries: &[LogEntry]) -> Option<Vec<String>> {
        let m = r.dmarc.as_ref()?;
        let mut out = dmarc_lines(r, queries, m);
        if let Some(from) = &r.dmarc_from {
            let heading = format!("From domain {}:", from.domain);
            out.extend(sub(heading, dmarc_lines(r, queries, from)));
        }
        Some(out)
    }

    fn record_type(&self) -> RType {
        RType::TXT
    }

    fn fix_step(&self) -> &'static str {
        "dmarc-fix"
    }

    fn absent(&self) -> &'static [&'static str] {
        &["dmarc-missing"]
    }
}

fn dmarc_lines(r: &DomainReport, queries: &[LogEntry], m: &DmarcFacts) -> Vec<String> {
    let mut out = Vec::new();
    match &m.record {
        Some(rec) => {
            let at = m.record_domain.clone().unwrap_or_else(|| m.domain.clone());
            let inh = if m.inherited {
                " (inherited from the organizational domain)"
            } else {
                ""
            };
            out.push(format!("{rec}  [at {at}{inh}]"));
            out.push(format!(
                "policy for {}: {}, pct: {}, rua: {}{}",
                m.domain,
                m.policy
                    .as_deref()
                    .unwrap_or("none applied (several records or an invalid p=/sp=)"),
                m.pct.unwrap_or(100),
                if m.rua.is_empty() {
                    "none".into()
                } else {
                    m.rua.join(", ")
                },
                ttl(m.ttl)
            ));
        }
        None if m.status.is_inconclusive() => out.push(format!(
            "DMARC record of {} could not be looked up ({})",
            m.domain,
            trouble(r, queries, Check::Dmarc)
        )),
        // Records receivers cannot use are not "no record": say what they are.
        None if !m.invalid_records.is_empty() => out.push(format!(
            "invalid DMARC record for {} (not starting with exactly v=DMARC1): receivers ignore it",
            m.domain
        )),
        None if m.tree_walk.first().is_some_and(|s| s.records > 1) => out.push(format!(
            "{} DMARC records for {}: receivers discard them all",
            m.tree_walk.first().map_or(0, |s| s.records),
            m.domain
        )),
        None => out.push(format!("no DMARC record for {}", m.domain)),
    }
    if let Some(a) = &m.alignment {
        let word = |v: Option<bool>| match v {
            Some(true) => "aligned",
            Some(false) => "not aligned",
            None => "not evaluated",
        };
        out.push(format!(
            "alignment with From {}: SPF {} ({}), DKIM {} ({})",
            a.from_domain,
            a.spf_domain.as_deref().unwrap_or("-"),
            word(a.spf_aligned),
            a.dkim_domain.as_deref().unwrap_or("-"),
            word(a.dkim_aligned)
        ));
    }
    out
}
