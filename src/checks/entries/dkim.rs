//! DKIM in the registry: the checked domain's keys, and the signing domain's (d=) when it is
//! another domain.

use crate::checks::dkim;
use crate::checks::registry::{DnsCheck, Input, Ran, sub, trouble, ttl};
use crate::checks::types::{CheckParams, DkimFacts, DomainReport};
use crate::dns::{Dns, LogEntry, RType};
use crate::domain_name::normalise;
use crate::finding::Check;
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Dkim;

impl DnsCheck for Dkim {
    fn check(&self) -> Check {
        Check::Dkim
    }

    fn label(&self) -> &'static str {
        "DKIM"
    }

    fn needs(&self) -> &'static [Input] {
        &[Input::DkimSelector]
    }

    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran> {
        async move {
            let domain = normalise(&params.domain);
            let signing_domain = params
                .dkim_domain
                .as_deref()
                .map(normalise)
                .filter(|d| !d.is_empty() && *d != domain);
            let own = dkim::check(dns, params, &domain, signing_domain.is_none());
            let signing = async {
                match &signing_domain {
                    Some(d) => Some(dkim::check(dns, params, d, true).await),
                    None => None,
                }
            };
            let ((own, mut findings), signing) = futures::join!(own, signing);
            let signing = signing.map(|(facts, mut f)| {
                findings.append(&mut f);
                facts
            });
            Ran::new(findings, move |r| {
                r.dkim = Some(own);
                r.dkim_signing = signing;
            })
        }
        .boxed()
    }

    fn ran(&self, report: &DomainReport) -> bool {
        report.dkim.is_some()
    }

    fn verified(&self, report: &DomainReport) -> bool {
        report
            .dkim_signing
            .as_ref()
            .or(report.dkim.as_ref())
            .is_some_and(DkimFacts::looked)
    }

    fn found_something(&self, report: &DomainReport) -> bool {
        report
            .dkim
            .as_ref()
            .is_some_and(|d| !d.selectors.is_empty())
    }

    fn lines(&self, r: &DomainReport, queries: &[LogEntry]) -> Option<Vec<String>> {
        let k = r.dkim.as_ref()?;
        let mut out = dkim_lines(r, queries, k);
        if let Some(sig) = &r.dkim_signing {
            let heading = format!("signing domain (d=) {}:", sig.domain);
            out.extend(sub(heading, dkim_lines(r, queries, sig)));
        }
        Some(out)
    }

    fn record_type(&self) -> RType {
        RType::TXT
    }

    fn fix_step(&self) -> &'static str {
        "dkim-fix"
    }

    fn absent(&self) -> &'static [&'static str] {
        &["dkim-no-key-found", "dkim-selector-missing"]
    }
}

fn dkim_lines(r: &DomainReport, queries: &[LogEntry], k: &DkimFacts) -> Vec<String> {
    let mut out = Vec::new();
    if k.selectors.is_empty() {
        if k.status.is_inconclusive() {
            out.push(format!(
                "DKIM keys of {} could not be looked up ({})",
                k.domain,
                trouble(r, queries, Check::Dkim)
            ));
        } else if k.probed.is_empty() {
            out.push(format!(
                "no key found for {}: _domainkey.{} does not exist (NXDOMAIN)",
                k.domain, k.domain
            ));
        } else {
            out.push(format!(
                "no key found for {} (probed: {})",
                k.domain,
                k.probed.join(", ")
            ));
        }
    }
    for s in &k.selectors {
        let bits = s.bits.map(|b| format!(" {b}-bit")).unwrap_or_default();
        let kt = s.key_type.clone().unwrap_or_else(|| "rsa".into());
        let cname = s
            .cname
            .as_ref()
            .map(|c| format!(" via CNAME {c}"))
            .unwrap_or_default();
        out.push(format!(
            "{}._domainkey.{}: {}{bits} {kt}{cname}{}",
            s.selector,
            k.domain,
            s.status,
            ttl(s.ttl)
        ));
    }
    out
}
