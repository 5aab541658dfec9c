//! PTR in the registry: forward-confirmed reverse DNS of the sending IP, or of the MX hosts
//! without one.

use crate::checks::ptr;
use crate::checks::registry::{DnsCheck, Input, Ran, trouble};
use crate::checks::types::{CheckParams, DomainReport};
use crate::dns::{Dns, LogEntry, RType};
use crate::domain_name::reverse_name;
use crate::finding::Check;
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Ptr;

impl DnsCheck for Ptr {
    fn check(&self) -> Check {
        Check::Ptr
    }

    fn label(&self) -> &'static str {
        "PTR"
    }

    fn needs(&self) -> &'static [Input] {
        &[Input::Ip, Input::Helo]
    }

    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran> {
        async move {
            let (facts, findings) = ptr::check(dns, params).await;
            Ran::new(findings, move |r| r.ptr = Some(facts))
        }
        .boxed()
    }

    fn ran(&self, report: &DomainReport) -> bool {
        report.ptr.is_some()
    }

    fn verified(&self, report: &DomainReport) -> bool {
        report.ptr.as_ref().is_some_and(|p| p.ip.is_some())
    }

    fn found_something(&self, report: &DomainReport) -> bool {
        report
            .ptr
            .as_ref()
            .is_some_and(|p| !p.names.is_empty() || !p.mx_hosts.is_empty())
    }

    fn lines(&self, r: &DomainReport, queries: &[LogEntry]) -> Option<Vec<String>> {
        let p = r.ptr.as_ref()?;
        let mut out = Vec::new();
        if let Some(ip) = p.ip {
            if p.names.is_empty() {
                out.push(if p.status.is_inconclusive() {
                    format!(
                        "{ip}: PTR could not be looked up ({})",
                        trouble(r, queries, Check::Ptr)
                    )
                } else {
                    format!("{ip}: no PTR")
                });
            }
            for n in &p.names {
                let addrs: Vec<String> = n.addresses.iter().map(|a| a.to_string()).collect();
                out.push(format!(
                    "{ip} -> {} -> {} ({})",
                    n.name,
                    if addrs.is_empty() {
                        "nothing".into()
                    } else {
                        addrs.join(", ")
                    },
                    if n.confirms {
                        "confirmed"
                    } else {
                        "not confirmed"
                    }
                ));
            }
        } else if p.status.is_inconclusive() && p.mx_hosts.is_empty() {
            out.push(format!(
                "MX hosts' reverse DNS could not be looked up ({})",
                trouble(r, queries, Check::Ptr)
            ));
        }
        for (host, ip, ok) in &p.mx_hosts {
            let state = match (*ok, p.status.is_inconclusive()) {
                (true, _) => "confirmed",
                (false, false) => "not confirmed",
                (false, true) => "not confirmed, or unknown: see the failed lookups",
            };
            out.push(format!("MX {host} {ip}: {state}"));
        }
        Some(out)
    }

    fn record_type(&self) -> RType {
        RType::PTR
    }

    fn fix_step(&self) -> &'static str {
        "ptr-fcrdns"
    }

    fn absent(&self) -> &'static [&'static str] {
        &["ptr-missing"]
    }

    fn anchor(&self, report: &DomainReport) -> Option<String> {
        report.ptr.as_ref().and_then(|p| p.ip).map(reverse_name)
    }
}
