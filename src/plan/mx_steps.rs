//! The MX steps of the plan: the exact MX records to publish (and to remove) for the From
//! domain, and the mail exchangers a return-path domain with a null MX needs.

use super::RecordToPublish;
use super::draft::{Ctx, Draft};
use super::records;
use crate::checks::MxHost;
use crate::dns::RType;
use crate::finding::{Check, Finding};
use std::net::IpAddr;

pub(super) fn mx(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    if ctx.inconclusive(Check::Mx) || super::dmarc_steps::nothing_to_publish(ctx) {
        return;
    }
    let (return_path, pool): (Vec<&Finding>, Vec<&Finding>) =
        ctx.actionable(Check::Mx).into_iter().partition(|f| {
            (f.id == "mx-null" || f.id == "mx-missing")
                && !f.subject.eq_ignore_ascii_case(&ctx.domain)
        });
    if !pool.is_empty() {
        out.push(own_mx(ctx, &pool));
    }
    for f in return_path {
        out.push(return_path_mx(ctx, f));
    }
}

/// "example.com. IN MX 10 mx.example.com." as a zone file writes it, for removal lines.
fn mx_line(domain: &str, pref: u16, host: &str) -> String {
    let host = crate::dns::zone_text(host.trim_end_matches('.'));
    let host = if host.is_empty() {
        ".".to_string()
    } else {
        host
    };
    let dot = if host == "." { "" } else { "." };
    format!("{domain}. IN MX {pref} {host}{dot}")
}

fn mx_record(ctx: &Ctx<'_>, domain: &str, pref: u16, host: &str, note: &str) -> RecordToPublish {
    RecordToPublish {
        name: domain.to_string(),
        rtype: "MX".into(),
        value: format!("{pref} {}", host.trim_end_matches('.')),
        note: ctx
            .k
            .message_with(note, &[("domain", domain), ("host", host)]),
    }
}

/// The From domain's own MX findings in one step, with the records each one calls for: a
/// null MX or no MX at all gets a receiving host (the HELO name, else mail.<domain>: the name
/// the PTR step proposes too); an alias, an address literal or a dead host is replaced or
/// removed. Removals are detail lines (`remove: ...`), never records to publish.
fn own_mx(ctx: &Ctx<'_>, pool: &[&Finding]) -> Draft {
    let domain = ctx.domain.trim_end_matches('.').to_ascii_lowercase();
    let mut d = Draft::new("mx-fix", "mx");
    d.findings = pool.iter().map(|f| f.id.clone()).collect();
    d.details = pool.iter().map(|f| f.message.clone()).collect();
    let facts = ctx.input.report.mx.as_ref();
    let hosts: &[MxHost] = facts.map_or(&[], |m| m.hosts.as_slice());
    let has = |id: &str| pool.iter().any(|f| f.id == id);
    let remove = |d: &mut Draft, line: String| {
        d.details
            .push(ctx.k.message_with("mx-remove", &[("record", &line)]));
    };
    let real: Vec<&MxHost> = hosts
        .iter()
        .filter(|h| !h.host.trim_end_matches('.').is_empty())
        .collect();
    if has("mx-null") || has("mx-null-with-other-records") {
        let pref = hosts
            .iter()
            .find(|h| h.host.trim_end_matches('.').is_empty())
            .map_or(0, |h| h.preference);
        remove(&mut d, mx_line(&domain, pref, "."));
    }
    // No real exchanger left: the host to publish is the one the PTR step names.
    if (has("mx-null") && real.is_empty()) || has("mx-missing") {
        // Without a HELO name, the name the sending IP's PTR confirms under the domain is a
        // host that exists; `mail.<domain>` would be an MX naming nothing until it is added.
        let helo = ctx
            .input
            .params
            .helo
            .clone()
            .or_else(|| confirmed_ptr_name(ctx, &domain));
        let host = records::ptr_target(&domain, helo.as_deref());
        d.records
            .push(mx_record(ctx, &domain, 10, &host, "note-mx-receiving-host"));
    }
    for f in pool.iter().filter(|f| f.id.starts_with("mx-target-")) {
        let Some(h) = hosts.iter().find(|h| {
            h.host
                .trim_end_matches('.')
                .eq_ignore_ascii_case(&f.subject)
        }) else {
            continue;
        };
        match f.id.as_str() {
            "mx-target-cname" => {
                if let Some(target) = canonical(ctx, &h.host) {
                    remove(&mut d, mx_line(&domain, h.preference, &h.host));
                    d.records.push(mx_record(
                        ctx,
                        &domain,
                        h.preference,
                        &target,
                        "note-mx-canonical",
                    ));
                }
            }
            "mx-target-ip-literal" => {
                let literal = h
                    .host
                    .trim_matches(['[', ']'])
                    .trim_start_matches("IPv6:")
                    .trim_start_matches("ipv6:");
                if let Ok(ip) = literal.parse::<IpAddr>() {
                    let name = if real.iter().any(|o| o.host.starts_with("mx.")) {
                        format!("mx{}.{domain}", h.preference)
                    } else {
                        format!("mx.{domain}")
                    };
                    remove(&mut d, mx_line(&domain, h.preference, &h.host));
                    d.records.push(RecordToPublish {
                        name: name.clone(),
                        rtype: if ip.is_ipv4() { "A" } else { "AAAA" }.into(),
                        value: ip.to_string(),
                        note: ctx.k.message_with(
                            "note-mx-literal-host",
                            &[("host", &name), ("ip", &ip.to_string())],
                        ),
                    });
                    d.records.push(mx_record(
                        ctx,
                        &domain,
                        h.preference,
                        &name,
                        "note-mx-canonical",
                    ));
                }
            }
            // `@ IN MX 10 mx.example.com` in a zone file: without its trailing dot the name
            // gains the zone's origin. The MX to publish is the name that was meant.
            "mx-target-unresolvable" if without_origin(&h.host, &domain).is_some() => {
                let meant = without_origin(&h.host, &domain).unwrap_or_default();
                d.details.push(ctx.k.message_with(
                    "mx-missing-trailing-dot",
                    &[("subject", h.host.trim_end_matches('.')), ("host", &meant)],
                ));
                remove(&mut d, mx_line(&domain, h.preference, &h.host));
                d.records.push(mx_record(
                    ctx,
                    &domain,
                    h.preference,
                    &meant,
                    "note-mx-trailing-dot",
                ));
            }
            // A host without an address: removed when others receive the mail; otherwise
            // its address is what is missing, and only its owner knows it.
            "mx-target-unresolvable" if real.iter().any(|o| o.problem.is_none()) => {
                remove(&mut d, mx_line(&domain, h.preference, &h.host));
            }
            _ => {}
        }
    }
    d.wait = ctx
        .negative_ttl(&domain, RType::MX)
        .or_else(|| facts.and_then(|m| m.ttl));
    d
}

/// The host an MX target that does not resolve was meant to be, when it reads as a zone-file
/// name written without its trailing dot (RFC 1035 section 5.1: a relative name takes the
/// zone's origin): `mx.example.com.example.com` (the domain twice) was `mx.example.com`, and
/// `aspmx.l.google.com.example.com` (a name under a known public suffix, then the origin) was
/// `aspmx.l.google.com`. The origin is the domain or one of its parents (not a bare TLD).
fn without_origin(host: &str, domain: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let mut origin = domain;
    while origin.contains('.') {
        if let Some(head) = host.strip_suffix(origin).and_then(|h| h.strip_suffix('.')) {
            let repeated = crate::domain_name::within(head, origin);
            let public = head.contains('.')
                && psl::suffix(head.as_bytes()).is_some_and(|s| s.is_known())
                && psl::domain(head.as_bytes()).is_some();
            if repeated || public {
                return Some(head.to_string());
            }
        }
        origin = origin.split_once('.').map_or("", |(_, rest)| rest);
    }
    None
}

/// The name a CNAME'd MX host leads to, from the address lookups of this run.
fn canonical(ctx: &Ctx<'_>, host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    ctx.input
        .queries
        .iter()
        .filter(|q| matches!(q.rtype, RType::A | RType::AAAA))
        .filter(|q| q.name.trim_end_matches('.').eq_ignore_ascii_case(host))
        .find_map(|q| q.cname_chain.last())
        .map(|t| t.trim_end_matches('.').to_ascii_lowercase())
}

/// A MAIL FROM domain with a null MX, or with no MX and no address: it must receive bounces, so it gets the From domain's
/// mail exchangers (a custom return-path set up by a sending service names its own instead).
fn return_path_mx(ctx: &Ctx<'_>, f: &Finding) -> Draft {
    let rp = f.subject.trim_end_matches('.').to_ascii_lowercase();
    let mut d = Draft::new("mx-fix", "mx");
    d.findings.push(f.id.clone());
    d.details.push(f.message.clone());
    let hosts = ctx.input.report.mx.as_ref().map(|m| &m.hosts);
    d.records = hosts
        .into_iter()
        .flatten()
        .filter(|h| h.problem.is_none())
        .map(|h| RecordToPublish {
            name: rp.clone(),
            rtype: "MX".into(),
            value: format!("{} {}", h.preference, h.host.trim_end_matches('.')),
            note: ctx
                .k
                .message_with("note-mx-return-path", &[("domain", &rp)]),
        })
        .collect();
    d.wait = ctx.cache_ttl(&rp, RType::MX);
    d.vars.push(("domain", rp));
    d
}

/// The PTR name of the sending IP that leads back to it and lies under `domain`.
fn confirmed_ptr_name(ctx: &Ctx<'_>, domain: &str) -> Option<String> {
    let suffix = format!(".{}", domain.trim_end_matches('.').to_ascii_lowercase());
    ctx.input.report.ptr.as_ref()?.names.iter().find_map(|n| {
        let name = n.name.trim_end_matches('.').to_ascii_lowercase();
        (n.confirms && name.ends_with(&suffix)).then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::without_origin;

    #[test]
    fn an_mx_written_without_its_trailing_dot_is_read_as_meant() {
        let meant = |h: &str, d: &str| without_origin(h, d);
        assert_eq!(
            meant("mx.example.com.example.com", "example.com").as_deref(),
            Some("mx.example.com")
        );
        // The origin of a parent's zone holding the subdomain's MX.
        assert_eq!(
            meant("mail.news.example.com.example.com", "news.example.com").as_deref(),
            Some("mail.news.example.com")
        );
        assert_eq!(
            meant("aspmx.l.google.com.example.org.", "example.org").as_deref(),
            Some("aspmx.l.google.com")
        );
        // A host of the domain that simply does not resolve, and a bare TLD as origin.
        assert_eq!(meant("mx1.example.com", "example.com"), None);
        assert_eq!(meant("mx.old-host.example.com", "example.com"), None);
        assert_eq!(meant("mx.example.com.com", "example.com"), None);
    }
}
