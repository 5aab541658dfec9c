//! `check` for people: one section per check, facts first, then each finding with its id.

use super::CheckDomain;
use super::text::{plural, severity_label, spf_tree_lines};
use crate::checks::{DkimFacts, DmarcFacts, MxFacts, PtrFacts, SpfFacts};
use crate::dns::Outcome;
use crate::finding::{Check, Finding, Severity};
use colored::Colorize;
use std::io::{self, Write};

/// Renders every domain; color follows `colored::control` (the caller decides).
pub fn render(w: &mut dyn Write, domains: &[CheckDomain<'_>]) -> io::Result<()> {
    for (i, d) in domains.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        render_domain(w, d)?;
    }
    Ok(())
}

fn ttl(t: Option<u32>) -> String {
    t.map(|t| format!(", TTL {t}s")).unwrap_or_default()
}

/// Why a check is inconclusive, in words: the outcome of the first failed query behind its
/// first inconclusive finding ("timeout", "SERVFAIL", "not looked up: --offline" ...).
fn trouble(d: &CheckDomain<'_>, check: Check) -> String {
    let outcome = d
        .report
        .findings
        .iter()
        .filter(|f| f.check == check && f.inconclusive)
        .flat_map(|f| f.queries.iter())
        .filter_map(|id| d.queries.iter().find(|q| q.id == *id))
        .map(|q| &q.outcome)
        .find(|o| o.is_trouble());
    match outcome {
        Some(Outcome::Offline) => "not looked up: outside the --zone files, --offline".into(),
        Some(Outcome::Error(e)) => format!("error: {e}"),
        Some(o) => o.label().to_string(),
        None => "timeout, SERVFAIL or not looked up".into(),
    }
}

fn spf_lines(d: &CheckDomain<'_>, s: &SpfFacts, show_result: bool) -> Vec<String> {
    let mut out = Vec::new();
    let inconclusive = s.status.is_inconclusive();
    out.push(match &s.record {
        Some(rec) => rec.clone(),
        None if inconclusive => format!(
            "SPF record of {} could not be looked up ({})",
            s.domain,
            trouble(d, Check::Spf)
        ),
        None => "no SPF record".into(),
    });
    if s.record.is_some() || !inconclusive {
        out.push(format!(
            "{} record{}, {}/10 lookups, {}/2 void lookups, all: {}{}{}",
            s.records_count,
            if s.records_count == 1 { "" } else { "s" },
            s.lookups,
            s.void_lookups,
            s.all.as_deref().unwrap_or("none"),
            ttl(s.ttl),
            if inconclusive {
                " (incomplete: some lookups failed)"
            } else {
                ""
            }
        ));
    }
    if let Some(e) = s.result.as_ref().filter(|_| show_result) {
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
    out
}

fn dmarc_lines(d: &CheckDomain<'_>, m: &DmarcFacts) -> Vec<String> {
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
            trouble(d, Check::Dmarc)
        )),
        // Records receivers cannot use are not "no record": say what they are.
        None if !m.invalid_records.is_empty() => out.push(format!(
            "invalid DMARC record for {} (v=DMARC1 is not first): receivers ignore it",
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

fn dkim_lines(d: &CheckDomain<'_>, k: &DkimFacts) -> Vec<String> {
    let mut out = Vec::new();
    if k.selectors.is_empty() {
        if k.status.is_inconclusive() {
            out.push(format!(
                "DKIM keys of {} could not be looked up ({})",
                k.domain,
                trouble(d, Check::Dkim)
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

fn ptr_lines(d: &CheckDomain<'_>, p: &PtrFacts) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(ip) = p.ip {
        if p.names.is_empty() {
            out.push(if p.status.is_inconclusive() {
                format!(
                    "{ip}: PTR could not be looked up ({})",
                    trouble(d, Check::Ptr)
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
            trouble(d, Check::Ptr)
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
    out
}

fn mx_lines(d: &CheckDomain<'_>, m: &MxFacts) -> Vec<String> {
    let mut out = Vec::new();
    if m.null_mx {
        out.push("null MX: the domain accepts no mail".into());
    } else if m.implicit {
        out.push("no MX; the domain's A/AAAA record acts as an implicit MX".into());
    } else if m.hosts.is_empty() && m.status.is_inconclusive() {
        out.push(format!(
            "MX could not be looked up ({})",
            trouble(d, Check::Mx)
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
    out
}

/// Lines of another identity's facts: a heading, then its own lines indented.
fn sub(heading: String, lines: Vec<String>) -> Vec<String> {
    std::iter::once(heading)
        .chain(lines.into_iter().map(|l| format!("  {l}")))
        .collect()
}

fn section_lines(d: &CheckDomain<'_>, check: Check) -> Option<Vec<String>> {
    let r = d.report;
    let mut out = Vec::new();
    match check {
        Check::Spf => {
            let s = r.spf.as_ref()?;
            // The evaluation is shown under the identity it was made for.
            let own_result = s.result.as_ref().is_some_and(|e| e.domain == s.domain);
            out.extend(spf_lines(d, s, own_result));
            for id in &r.spf_identities {
                let role = if id.role == "helo" {
                    "HELO"
                } else {
                    "MAIL FROM"
                };
                let heading = if id.identity == id.facts.domain {
                    format!("{role} {}:", id.identity)
                } else {
                    format!("{role} {} (domain {}):", id.identity, id.facts.domain)
                };
                out.extend(sub(heading, spf_lines(d, &id.facts, true)));
            }
        }
        Check::Dkim => {
            let k = r.dkim.as_ref()?;
            out.extend(dkim_lines(d, k));
            if let Some(sig) = &r.dkim_signing {
                let heading = format!("signing domain (d=) {}:", sig.domain);
                out.extend(sub(heading, dkim_lines(d, sig)));
            }
        }
        Check::Dmarc => {
            let m = r.dmarc.as_ref()?;
            out.extend(dmarc_lines(d, m));
            if let Some(from) = &r.dmarc_from {
                let heading = format!("From domain {}:", from.domain);
                out.extend(sub(heading, dmarc_lines(d, from)));
            }
        }
        Check::Ptr => out.extend(ptr_lines(d, r.ptr.as_ref()?)),
        Check::Mx => out.extend(mx_lines(d, r.mx.as_ref()?)),
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

fn render_domain(w: &mut dyn Write, d: &CheckDomain<'_>) -> io::Result<()> {
    let r = d.report;
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
        let lines = section_lines(d, check);
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
