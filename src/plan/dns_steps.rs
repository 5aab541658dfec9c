//! The DNS steps of the plan for DNS trouble, PTR and checks without a builder of their own
//! (SPF, DKIM, DMARC and MX have modules of their own).

use super::draft::{Ctx, Draft, leftover};
use super::records;
use crate::dns::RType;
use crate::finding::Check;

/// Every inconclusive finding, whatever its check: nothing else can be decided until DNS answers.
pub(super) fn inconclusive(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    // Names --offline skipped are listed as not checked, not as trouble to fix first.
    let implicated = super::implicated_checks(
        super::primary(ctx.input.replies).map(|(_, d)| d),
        ctx.input.report,
    );
    let holds_up = |f: &crate::finding::Finding| {
        crate::checks::entry(f.check).is_none_or(|e| e.trouble_holds_up_plan())
            || implicated.iter().any(|c| c == f.check.as_str())
    };
    let ids: Vec<&crate::finding::Finding> = ctx
        .input
        .report
        .findings
        .iter()
        .filter(|f| f.inconclusive && !super::not_looked_up(f, ctx.input.queries))
        .filter(|f| holds_up(f))
        .collect();
    if ids.is_empty() {
        return;
    }
    let mut d = Draft::new("dns-inconclusive", "dns");
    for f in ids {
        let c = f.check.as_str().to_string();
        if !d.checks.contains(&c) {
            d.checks.push(c);
        }
        d.findings.push(f.id.clone());
        d.details.push(format!("{}: {}", f.subject, f.message));
    }
    out.push(d);
}

pub(super) fn ptr(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    let findings = ctx.actionable(Check::Ptr);
    let facts = ctx.input.report.ptr.as_ref();
    let broken = facts.is_some_and(|p| p.ip.is_some() && p.fcrdns == Some(false));
    if findings.is_empty() && !broken {
        return;
    }
    let mut d = Draft::new("ptr-fcrdns", "ptr");
    // Set when only the forward record of a host the PTR already names is published.
    let mut forward_only: Option<(String, RType)> = None;
    d.findings = findings.iter().map(|f| f.id.clone()).collect();
    let ip = facts.and_then(|p| p.ip).or(ctx.input.params.ip);
    let literal = ctx
        .input
        .params
        .helo_literal
        .map(crate::checks::types::address_literal);
    if let Some(ip) = ip {
        let helo = ctx
            .input
            .params
            .helo
            .as_deref()
            .or_else(|| facts.and_then(|p| p.helo.as_deref()));
        // A PTR naming a real host (one that has addresses, just not this one: renumbered, a
        // typo) only needs that host to lead back, one record in its zone; a name with no
        // address at all is a placeholder (a pool name), and a real PTR is asked for instead.
        let named = facts
            .filter(|p| helo.is_none() && p.fcrdns == Some(false))
            .and_then(|p| p.names.iter().find(|n| !n.addresses.is_empty()));
        // The PTR already confirms and only the HELO name differs: the HELO name is the
        // sender's own to fix (point it at the IP, or announce the PTR's name), with nothing
        // to ask of the IP's owner.
        let confirmed = facts
            .filter(|p| p.fcrdns == Some(true) && p.helo_matches == Some(false))
            .and_then(|p| p.names.iter().find(|n| n.confirms));
        let helo_only = findings
            .iter()
            .all(|f| f.id == "ptr-helo-mismatch" || f.id == "ptr-helo-address-literal");
        // The server announces `[192.0.2.1]`: with a PTR that already confirms, announcing
        // that name is the whole fix.
        let confirming = facts
            .filter(|p| p.fcrdns == Some(true))
            .and_then(|p| p.names.iter().find(|n| n.confirms));
        // Several PTRs, one of which confirms: the others are stale names (a former host),
        // and a receiver that reads one PTR name may read a stale one. They are removed by
        // the IP's owner; nothing is published (the confirming name already leads back).
        let keeper = facts
            .filter(|p| p.fcrdns == Some(false) && p.names.len() > 1)
            .and_then(|p| p.names.iter().find(|n| n.confirms));
        if let (Some(keep), Some(p)) = (keeper, facts) {
            d.id = "ptr-remove-stale";
            let owner = records::reverse_name(ip);
            for stale in p.names.iter().filter(|n| !n.confirms) {
                d.details.push(ctx.k.message_with(
                    "ptr-remove-stale-record",
                    &[
                        (
                            "record",
                            &format!(
                                "{owner}. IN PTR {}.",
                                crate::dns::zone_text(stale.name.trim_end_matches('.'))
                            ),
                        ),
                        ("host", keep.name.trim_end_matches('.')),
                    ],
                ));
            }
        } else if let (Some(n), Some(h), true) = (confirmed, helo, helo_only) {
            d.id = "ptr-helo-name";
            d.records = vec![records::ptr_forward_record(
                ctx.k,
                ip,
                h,
                "note-ptr-forward-helo",
            )];
            d.details.push(ctx.k.message_with(
                "ptr-helo-use-ptr-name",
                &[("helo", h), ("host", n.name.trim_end_matches('.'))],
            ));
        } else if let (Some(n), Some(lit), true) = (confirming, &literal, helo_only) {
            d.id = "ptr-helo-name";
            d.details.push(ctx.k.message_with(
                "ptr-helo-literal-use-ptr-name",
                &[("helo", lit), ("host", n.name.trim_end_matches('.'))],
            ));
        } else if let Some((written, meant)) =
            facts.filter(|p| p.fcrdns == Some(false)).and_then(|p| {
                p.names
                    .iter()
                    .find_map(|n| without_reverse_origin(&n.name).map(|m| (n.name.clone(), m)))
            })
        {
            // `201 IN PTR mx.example.com` in a reverse zone file: without its trailing dot the
            // name gains the zone's origin. The PTR to set is the name that was meant.
            d.details.push(ctx.k.message_with(
                "ptr-missing-trailing-dot",
                &[("subject", written.as_str()), ("host", meant.as_str())],
            ));
            let mut recs = records::ptr_records(ctx.k, ip, &ctx.domain, Some(&meant));
            if resolves_to(ctx, &meant, ip) {
                recs.retain(|r| r.rtype == "PTR");
            }
            d.records = recs;
        } else if let Some(n) = named {
            d.records = vec![records::ptr_forward_record(
                ctx.k,
                ip,
                &n.name,
                "note-ptr-forward-existing",
            )];
        } else if helo.is_some() || !super::dmarc_steps::nothing_to_publish(ctx) {
            // No host name is proposed under a domain that does not exist.
            d.records = records::ptr_records(ctx.k, ip, &ctx.domain, helo);
            // The host proposed already leads to the IP (a dual-stack relay whose AAAA is
            // published, only its IPv6 PTR missing): the PTR is all there is to ask for.
            if let Some(host) = d
                .records
                .iter()
                .find(|r| r.rtype == "PTR")
                .map(|r| r.value.clone())
                && resolves_to(ctx, &host, ip)
            {
                d.records.retain(|r| r.rtype == "PTR");
                d.details.push(ctx.k.message_with(
                    "ptr-forward-exists",
                    &[("host", host.as_str()), ("ip", &ip.to_string())],
                ));
            }
            // The PTR already names the host proposed (a dual-stack relay whose name has an A
            // but no AAAA): only its forward record is missing, in the sender's own zone, and
            // nothing is asked of the IP's owner again.
            let named_already = |name: &str| {
                facts.is_some_and(|p| {
                    p.names
                        .iter()
                        .any(|n| n.name.trim_end_matches('.').eq_ignore_ascii_case(name))
                })
            };
            if d.records
                .iter()
                .any(|r| r.rtype == "PTR" && named_already(&r.value))
            {
                d.records.retain(|r| r.rtype != "PTR");
                forward_only = d.records.first().map(|r| {
                    (
                        r.name.clone(),
                        if ip.is_ipv4() { RType::A } else { RType::AAAA },
                    )
                });
            }
            if let Some(lit) = &literal {
                let host = records::ptr_target(&ctx.domain, helo);
                d.details.push(ctx.k.message_with(
                    "ptr-helo-literal-then-announce",
                    &[("helo", lit), ("host", &host)],
                ));
            }
        }
    } else if let Some(lit) = &literal {
        d.details.push(
            ctx.k
                .message_with("ptr-helo-literal-no-ip", &[("helo", lit)]),
        );
    }
    if let Some(ip) = ip {
        behind_alias(ctx, ip, &mut d);
    }
    if let Some(p) = facts {
        for n in &p.names {
            let addrs: Vec<String> = n.addresses.iter().map(|a| a.to_string()).collect();
            d.details.push(format!(
                "PTR now: {} -> {} ({})",
                n.name,
                if addrs.is_empty() {
                    "no address".into()
                } else {
                    addrs.join(", ")
                },
                if n.confirms {
                    "confirms"
                } else {
                    "does not lead back to the IP"
                }
            ));
        }
        d.wait = p.ttl;
    }
    // Only a new forward record is published: its name's negative answer is what caches hold.
    if let Some((name, rtype)) = &forward_only {
        d.wait = ctx.negative_ttl(name, *rtype).or(d.wait);
    }
    if d.wait.is_none()
        && let Some(ip) = ip
    {
        d.wait = ctx.negative_ttl(&records::reverse_name(ip), RType::PTR);
    }
    out.push(d);
}

/// True when the run saw `host`'s A (IPv4) or AAAA (IPv6) answer include `ip`.
fn resolves_to(ctx: &Ctx<'_>, host: &str, ip: std::net::IpAddr) -> bool {
    let fwd = if ip.is_ipv4() { RType::A } else { RType::AAAA };
    let host = host.trim_end_matches('.');
    ctx.input.queries.iter().any(|q| {
        q.rtype == fwd
            && q.name.trim_end_matches('.').eq_ignore_ascii_case(host)
            && q.answers
                .iter()
                .any(|a| a.parse::<std::net::IpAddr>() == Ok(ip))
    })
}

/// A reverse name that is an alias (RFC 2317 classless delegation: `197.2.0.192.in-addr.arpa
/// CNAME 197.192-26.2.0.192.in-addr.arpa`): the PTR belongs at the alias's target, in the
/// delegated zone; a PTR beside the CNAME would not load.
fn behind_alias(ctx: &Ctx<'_>, ip: std::net::IpAddr, d: &mut Draft) {
    let rev = records::reverse_name(ip);
    let target = ctx
        .input
        .queries
        .iter()
        .find(|q| q.rtype == RType::PTR && q.name.eq_ignore_ascii_case(&rev))
        .and_then(|q| q.cname_chain.last())
        .map(|t| t.trim_end_matches('.').to_ascii_lowercase());
    if let Some(target) = target {
        let mut moved = false;
        for r in d
            .records
            .iter_mut()
            .filter(|r| r.rtype == "PTR" && r.name.eq_ignore_ascii_case(&rev))
        {
            r.name = target.clone();
            r.note = ctx
                .k
                .message_with("note-ptr-delegated", &[("host", target.as_str())]);
            moved = true;
        }
        if moved {
            let shown = crate::dns::zone_text(&target);
            d.details.push(ctx.k.message_with(
                "ptr-behind-alias",
                &[("subject", rev.as_str()), ("target", shown.as_str())],
            ));
        }
    }
}

/// The host name a PTR target inside the reverse tree was meant to be: `mx.example.com` for
/// `mx.example.com.2.0.192.in-addr.arpa` (a zone-file name written without its trailing dot
/// gains the zone's origin). None for a name outside the reverse tree or with nothing before it.
fn without_reverse_origin(name: &str) -> Option<String> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    let (head, v6) = if let Some(h) = lower.strip_suffix(".in-addr.arpa") {
        (h, false)
    } else {
        (lower.strip_suffix(".ip6.arpa")?, true)
    };
    let mut labels: Vec<&str> = head.split('.').collect();
    while labels.last().is_some_and(|l| {
        if v6 {
            l.len() == 1 && l.bytes().all(|b| b.is_ascii_hexdigit())
        } else {
            !l.is_empty() && l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit())
                || l.contains('-') && l.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        }
    }) {
        labels.pop();
    }
    // What is left must look like a host name (two labels at least, the last not numeric).
    let meant = labels.join(".");
    (labels.len() >= 2
        && labels
            .last()
            .is_some_and(|l| l.bytes().any(|b| b.is_ascii_alphabetic())))
    .then_some(meant)
}

/// Checks with no step builder of their own (any registered after the five above): their
/// actionable findings go to the step their registry entry names.
pub(super) fn other_checks(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    const BUILT: [Check; 5] = [Check::Spf, Check::Dkim, Check::Dmarc, Check::Ptr, Check::Mx];
    for entry in crate::checks::REGISTRY.iter() {
        let check = entry.check();
        // Their findings are independent answers (one list timing out does not make another's
        // listing doubtful): the conclusive ones are acted on whatever else failed.
        if BUILT.contains(&check) {
            continue;
        }
        let pool = ctx.actionable(check);
        let wait = entry.fix_wait(ctx.input.report, ctx.input.queries);
        leftover(out, pool, entry.fix_step(), check.as_str(), wait);
        if entry.names_sending_ip(ctx.input.report) {
            service_ip(ctx, out, entry.fix_step());
        }
    }
}

/// A sending IP a third party names (a list that lists it) whose PTR names a sending service
/// (SendGrid's `o1.ptr....sendgrid.net`) is that service's address, shared with its other
/// customers: acting on it is the service's, and the step says so instead of sending the user
/// to the third party.
fn service_ip(ctx: &Ctx<'_>, out: &mut [Draft], step: &str) {
    let Some(ip) = ctx.input.report.ptr.as_ref().and_then(|p| p.ip) else {
        return;
    };
    let Some(r) = super::senders::recognise(ctx.k, &super::senders::ptr_clues(ctx.input)) else {
        return;
    };
    let Some(d) = out.iter_mut().find(|d| d.id == step) else {
        return;
    };
    d.details.push(ctx.k.message_with(
        "listed-ip-of-sending-service",
        &[
            ("ip", ip.to_string().as_str()),
            ("service", r.service.name.as_str()),
            ("host", r.clue.value.trim_end_matches('.')),
        ],
    ));
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_ptr_name_that_gained_the_reverse_zone_is_read_as_meant() {
        use super::without_reverse_origin as w;
        assert_eq!(
            w("mx.example.com.2.0.192.in-addr.arpa").as_deref(),
            Some("mx.example.com")
        );
        assert_eq!(
            w("mail.example.net.192-26.2.0.192.in-addr.arpa").as_deref(),
            Some("mail.example.net")
        );
        assert_eq!(
            w("out.example.org.6.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa").as_deref(),
            Some("out.example.org")
        );
        assert_eq!(w("mx.example.com"), None);
        assert_eq!(w("201.2.0.192.in-addr.arpa"), None);
    }
}
