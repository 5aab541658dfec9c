//! MX in the registry: the domain's mail exchangers, null MX, or the implicit MX.

use crate::checks::mx;
use crate::checks::registry::{DnsCheck, Input, Ran, trouble};
use crate::checks::types::{CheckParams, DomainReport};
use crate::dns::{Dns, LogEntry, RType};
use crate::finding::Check;
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Mx;

impl DnsCheck for Mx {
    fn check(&self) -> Check {
        Check::Mx
    }

    fn label(&self) -> &'static str {
        "MX"
    }

    fn needs(&self) -> &'static [Input] {
        &[]
    }

    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran> {
        async move {
            let (facts, findings) = mx::check(dns, params).await;
            Ran::new(findings, move |r| r.mx = Some(facts))
        }
        .boxed()
    }

    fn ran(&self, report: &DomainReport) -> bool {
        report.mx.is_some()
    }

    fn found_something(&self, report: &DomainReport) -> bool {
        report
            .mx
            .as_ref()
            .is_some_and(|m| !m.hosts.is_empty() || m.implicit || m.null_mx)
    }

    fn lines(&self, r: &DomainReport, queries: &[LogEntry]) -> Option<Vec<String>> {
        let m = r.mx.as_ref()?;
        let mut out = Vec::new();
        if m.null_mx {
            out.push("null MX: the domain accepts no mail".into());
        } else if m.implicit {
            out.push("no MX; the domain's A/AAAA record acts as an implicit MX".into());
        } else if m.hosts.is_empty() && m.status.is_inconclusive() {
            out.push(format!(
                "MX could not be looked up ({})",
                trouble(r, queries, Check::Mx)
            ));
        }
        for h in &m.hosts {
            let addrs: Vec<String> = h.addresses.iter().map(|a| a.to_string()).collect();
            let prob = h
                .problem
                .as_ref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            out.push(format!(
                "{} {} {}{prob}",
                h.preference,
                h.host,
                addrs.join(", ")
            ));
        }
        Some(out)
    }

    fn record_type(&self) -> RType {
        RType::MX
    }

    fn fix_step(&self) -> &'static str {
        "mx-fix"
    }

    fn absent(&self) -> &'static [&'static str] {
        &["mx-missing"]
    }
}
