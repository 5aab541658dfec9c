//! `check` for people: one section per check, facts first, then each finding with its id.

use super::CheckDomain;
use super::text::{plural, severity_label, spf_tree_lines};
use crate::checks::DomainReport;
use crate::finding::{Check, Finding, Severity};
use colored::Colorize;
use std::io::{self, Write};

/// Renders every domain; color follows `colored::control` (the caller decides).
pub fn render(w: &mut dyn Write, domains: &[CheckDomain<'_>]) -> io::Result<()> {
    for (i, d) in domains.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        render_domain(w, d.report)?;
    }
    Ok(())
}

fn ttl(t: Option<u32>) -> String {
    t.map(|t| format!(", TTL {t}s")).unwrap_or_default()
}

fn section_lines(r: &DomainReport, check: Check) -> Option<Vec<String>> {
    let mut out = Vec::new();
    match check {
        Check::Spf => {
            let s = r.spf.as_ref()?;
            out.push(match &s.record {
                Some(rec) => rec.clone(),
                None => "no SPF record".into(),
            });
            out.push(format!(
                "{} record{}, {}/10 lookups, {}/2 void lookups, all: {}{}",
                s.records_count,
                if s.records_count == 1 { "" } else { "s" },
                s.lookups,
                s.void_lookups,
                s.all.as_deref().unwrap_or("none"),
                ttl(s.ttl)
            ));
            if let Some(e) = &s.result {
                let mech = e
                    .mechanism
                    .as_ref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                out.push(format!("{} for {}: {}{mech}", e.ip, e.domain, e.result));
            }
            if let Some(tree) = s.tree.as_ref().filter(|t| !t.children.is_empty()) {
                out.extend(spf_tree_lines(tree));
            }
        }
        Check::Dkim => {
            let d = r.dkim.as_ref()?;
            if d.selectors.is_empty() {
                out.push(format!("no key found (probed: {})", d.probed.join(", ")));
            }
            for s in &d.selectors {
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
                    d.domain,
                    s.status,
                    ttl(s.ttl)
                ));
            }
        }
        Check::Dmarc => {
            let d = r.dmarc.as_ref()?;
            match &d.record {
                Some(rec) => {
                    let at = d.record_domain.clone().unwrap_or_else(|| d.domain.clone());
                    let inh = if d.inherited {
                        " (inherited from the organizational domain)"
                    } else {
                        ""
                    };
                    out.push(format!("{rec}  [at {at}{inh}]"));
                }
                None => out.push("no DMARC record".into()),
            }
            out.push(format!(
                "policy: {}, pct: {}, rua: {}{}",
                d.policy.as_deref().unwrap_or("none"),
                d.pct.unwrap_or(100),
                if d.rua.is_empty() {
                    "none".into()
                } else {
                    d.rua.join(", ")
                },
                ttl(d.ttl)
            ));
            if let Some(a) = &d.alignment {
                let word = |v: Option<bool>| match v {
                    Some(true) => "aligned",
                    Some(false) => "not aligned",
                    None => "not evaluated",
                };
                out.push(format!(
                    "alignment: SPF {} ({}), DKIM {} ({})",
                    a.spf_domain.as_deref().unwrap_or("-"),
                    word(a.spf_aligned),
                    a.dkim_domain.as_deref().unwrap_or("-"),
                    word(a.dkim_aligned)
                ));
            }
        }
        Check::Ptr => {
            let p = r.ptr.as_ref()?;
            if let Some(ip) = p.ip {
                if p.names.is_empty() {
                    out.push(format!("{ip}: no PTR"));
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
            }
            for (host, ip, ok) in &p.mx_hosts {
                out.push(format!(
                    "MX {host} {ip}: {}",
                    if *ok { "confirmed" } else { "not confirmed" }
                ));
            }
        }
        Check::Mx => {
            let m = r.mx.as_ref()?;
            if m.null_mx {
                out.push("null MX: the domain accepts no mail".into());
            } else if m.implicit {
                out.push("no MX; the domain's A/AAAA record acts as an implicit MX".into());
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
        }
        Check::Dns => return None,
    }
    Some(out)
}

fn write_finding(w: &mut dyn Write, f: &Finding) -> io::Result<()> {
    writeln!(
        w,
        "    {} [{}] {}",
        severity_label(f),
        f.id.bold(),
        f.message
    )?;
    if let Some(loc) = &f.location {
        writeln!(w, "      at {}:{}:{}", loc.file, loc.line, loc.column)?;
    }
    Ok(())
}

fn render_domain(w: &mut dyn Write, r: &DomainReport) -> io::Result<()> {
    writeln!(w, "{}", r.domain.bold().underline())?;
    let order = [
        Check::Dns,
        Check::Spf,
        Check::Dkim,
        Check::Dmarc,
        Check::Ptr,
        Check::Mx,
    ];
    for check in order {
        let findings: Vec<&Finding> = r.findings.iter().filter(|f| f.check == check).collect();
        let lines = section_lines(r, check);
        if lines.is_none() && findings.is_empty() {
            continue;
        }
        let status = if findings.iter().any(|f| f.inconclusive) {
            "inconclusive".magenta().bold()
        } else if findings.iter().any(|f| f.severity == Severity::Error) {
            "fail".red().bold()
        } else if findings.iter().any(|f| f.severity == Severity::Warning) {
            "warn".yellow().bold()
        } else {
            "ok".green().bold()
        };
        writeln!(
            w,
            "  {} {status}",
            check.as_str().to_ascii_uppercase().bold()
        )?;
        for l in lines.unwrap_or_default() {
            writeln!(w, "    {l}")?;
        }
        for f in findings {
            write_finding(w, f)?;
        }
    }
    let count = |s: Severity| {
        r.findings
            .iter()
            .filter(|f| !f.inconclusive && f.severity == s)
            .count() as u32
    };
    let inc = r.findings.iter().filter(|f| f.inconclusive).count() as u32;
    writeln!(
        w,
        "  {}, {}, {} inconclusive",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        inc
    )
}
