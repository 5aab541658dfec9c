//! Authorising the sender in SPF: the sending IP or its service's include, in the record of the
//! domain SPF was evaluated for (the From domain, or another MAIL FROM domain, which gets a
//! record of its own when it has none).

use super::draft::{Ctx, Draft, claim};
use super::senders::Recognised;
use super::{RecordToPublish, records};
use crate::checks::SpfFacts;
use crate::dns::RType;

pub(super) fn recognised_line(ctx: &Ctx<'_>, r: &Recognised<'_>) -> String {
    let mut line = ctx.k.message_with(
        "spf-service-recognised",
        &[
            ("service", r.service.name.as_str()),
            ("include", r.service.spf_include.as_str()),
            ("clue", r.clue.value.as_str()),
            ("seen", r.clue.seen.as_str()),
            ("source", r.service.source.as_str()),
        ],
    );
    if let Some(n) = &r.service.note {
        line.push(' ');
        line.push_str(n);
    }
    line
}

/// "Authorise the sending IP": by the recognised service's include, else by the address.
/// `spf-publish` at the MAIL FROM domain: its service's include when one is recognised, else
/// the sending address, with the wait of that name's negative answer.
fn publish_at_return_path(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    service: Option<&Recognised<'_>>,
    pool: &mut Vec<&crate::finding::Finding>,
    out: &mut Vec<Draft>,
) {
    let name = facts.domain.to_ascii_lowercase();
    let mut d = Draft::new("spf-publish", "spf");
    let mine: Vec<String> = pool
        .iter()
        .filter(|f| f.id == "spf-missing" && f.subject.eq_ignore_ascii_case(&name))
        .map(|f| f.id.clone())
        .collect();
    pool.retain(|f| !(f.id == "spf-missing" && f.subject.eq_ignore_ascii_case(&name)));
    d.findings = mine;
    claim(pool, &mut d, &["not-authori"]);
    d.vars.push(("domain", name.clone()));
    d.details.push(ctx.k.message_with(
        "spf-return-path-without-record",
        &[("subject", &name), ("domain", &ctx.domain)],
    ));
    let rec = match service {
        Some(r) => {
            d.details.push(recognised_line(ctx, r));
            format!("v=spf1 include:{} ~all", r.service.spf_include)
        }
        None => records::spf_starter(ctx.input.params.ip),
    };
    let note = records::spf_publish_note(ctx.k, &rec);
    d.records
        .push(RecordToPublish::txt(name.clone(), rec, note));
    d.wait = ctx.negative_ttl(&name, RType::TXT);
    cname_in_place(ctx, &mut d, &name);
    out.push(d);
}

/// The name SPF is to be published at is a CNAME: its chain ends in no SPF record (a return
/// path delegated to a service account that is gone), or in another party's record (a shop
/// platform's host name). A TXT beside the CNAME would not load (RFC 1034 section 3.6.2). The
/// step says what the CNAME points at, what to ask of its owner first, and the record it
/// proposes carries "only after deleting the CNAME".
pub(super) fn cname_in_place(ctx: &Ctx<'_>, d: &mut Draft, name: &str) {
    let Some(q) = ctx.input.queries.iter().find(|q| {
        q.rtype == RType::TXT
            && q.name.trim_end_matches('.').eq_ignore_ascii_case(name)
            && !q.cname_chain.is_empty()
    }) else {
        return;
    };
    let chain = q.cname_chain.join(" -> ");
    let first = q.cname_chain[0].trim_end_matches('.');
    // The CNAME's target answers with a record of its own (a shop or hosting platform's): the
    // record that applies is the target's, kept by whoever runs that zone.
    let message = if q.outcome == crate::dns::Outcome::Answer {
        "spf-name-is-cname"
    } else {
        "spf-return-path-cname"
    };
    d.details.push(ctx.k.message_with(
        message,
        &[
            ("subject", name),
            ("host", chain.as_str()),
            ("state", q.outcome.label()),
        ],
    ));
    for r in d
        .records
        .iter_mut()
        .filter(|r| r.name.eq_ignore_ascii_case(name))
    {
        r.note = ctx
            .k
            .message_with("note-cname-replace", &[("subject", name), ("host", first)]);
    }
    d.wait = q.ttl.or(d.wait);
}

pub(super) fn authorise(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    current: Option<&str>,
    service: Option<&Recognised<'_>>,
    pool: &mut Vec<&crate::finding::Finding>,
    out: &mut Vec<Draft>,
) {
    let Some(eval) = facts.result.as_ref() else {
        return;
    };
    // check_host ran for the MAIL FROM domain; when that is another domain, its own record is
    // the one to change, not the checked domain's.
    let (facts, current) = if eval.domain.eq_ignore_ascii_case(&facts.domain) {
        (facts, current)
    } else {
        match ctx
            .input
            .report
            .spf_identities
            .iter()
            .find(|i| i.facts.domain.eq_ignore_ascii_case(&eval.domain))
        {
            Some(i) => (&i.facts, i.facts.record.as_deref()),
            None => return,
        }
    };
    let failing = matches!(
        eval.result.as_str(),
        "fail" | "softfail" | "neutral" | "none"
    );
    // The MAIL FROM (return-path) domain is another name than the checked domain and has no
    // SPF record at all (a custom MAIL FROM set up for an ESP, its TXT never published): the
    // record goes there, not into the checked domain's.
    if failing && facts.record.is_none() && !facts.domain.eq_ignore_ascii_case(&ctx.domain) {
        publish_at_return_path(ctx, facts, service, pool, out);
        return;
    }
    if !failing || facts.record.is_none() {
        return;
    }
    // An include the record already has did not cover this IP: adding it again changes nothing.
    let service = service
        .filter(|r| !current.is_some_and(|rec| records::has_include(rec, &r.service.spf_include)));
    let mut d = Draft::new(
        if service.is_some() {
            "spf-authorise-service"
        } else {
            "spf-authorise-ip"
        },
        "spf",
    );
    claim(pool, &mut d, &["not-authori", "fail", "ip"]);
    d.details.push(format!(
        "SPF for {} from {}: {}{}",
        eval.domain,
        eval.ip,
        eval.result,
        eval.mechanism
            .as_ref()
            .map(|m| format!(" (matched {m})"))
            .unwrap_or_default()
    ));
    if let Some(r) = service {
        d.vars.push(("service", r.service.name.clone()));
        d.details.push(recognised_line(ctx, r));
    } else {
        d.details.push(ctx.k.message("spf-no-service-recognised"));
    }
    // An `a`/`mx` term with an IPv4 prefix only, for an IPv6 client: it compares the AAAA
    // addresses whole (RFC 7208 section 5.6), which is why "the host's network" is not covered.
    if eval.ip.is_ipv6() {
        for term in ipv4_prefix_only(current) {
            d.details.push(ctx.k.message_with(
                "spf-a-term-ipv4-prefix-only",
                &[
                    ("subject", term.as_str()),
                    ("ip", &eval.ip.to_string()),
                    ("host", &format!("{term}//64")),
                ],
            ));
        }
    }
    // An `a:` term naming a host that now resolves elsewhere: why a record that "has the
    // server in it" no longer covers it.
    for (term, addrs) in a_terms_elsewhere(ctx, &facts.domain, current, eval.ip) {
        d.details.push(ctx.k.message_with(
            "spf-a-term-elsewhere",
            &[
                ("subject", &term),
                ("host", &addrs.join(", ")),
                ("ip", &eval.ip.to_string()),
            ],
        ));
    }
    if let Some(rec) = current {
        // Terms receivers never read (after `all`, a redirect beside `all`): the record is
        // changed as receivers read it, and the step says what that moved or left out.
        let (read, moved, ignored) = records::spf_as_read(rec);
        let all = read
            .split_whitespace()
            .rev()
            .find(|t| records::unqualified(t).eq_ignore_ascii_case("all"))
            .unwrap_or("all")
            .to_string();
        for term in &moved {
            d.details.push(ctx.k.message_with(
                "spf-term-after-all",
                &[("subject", term.as_str()), ("clue", all.as_str())],
            ));
        }
        if let Some(target) = &ignored {
            d.details.push(ctx.k.message_with(
                "spf-redirect-beside-all",
                &[("target", target.as_str()), ("clue", all.as_str())],
            ));
        }
        let rec = read.as_str();
        // A term of the record matched the sender with a qualifier other than pass before
        // anything that would pass it: the new term goes in its place or before it.
        let new_term = match service {
            Some(r) => format!("include:{}", r.service.spf_include),
            None => records::ip_term(eval.ip),
        };
        let first = eval
            .mechanism
            .as_deref()
            .and_then(|m| records::spf_before_term(rec, &new_term, m).map(|v| (m, v)));
        if let Some((m, _)) = &first {
            d.details.push(ctx.k.message_with(
                "spf-term-matched-first",
                &[
                    ("subject", m.split(" > ").next().unwrap_or(m)),
                    ("ip", &eval.ip.to_string()),
                    ("state", eval.result.as_str()),
                ],
            ));
        }
        // The note follows what the record adds (the service's include or the address),
        // wherever the new term goes.
        let note = match service {
            Some(r) => ctx.k.message_with(
                "spf-authorise-service-note",
                &[
                    ("service", r.service.name.as_str()),
                    ("ip", &eval.ip.to_string()),
                ],
            ),
            None => ctx.k.message("spf-authorise-ip-note"),
        };
        let value = match (first, service) {
            (Some((_, v)), _) => v,
            (None, Some(r)) => records::spf_with_include(rec, &r.service.spf_include),
            (None, None) => records::spf_with_ip(rec, eval.ip),
        };
        // An include that can never pass (a closed vendor's `v=spf1 -all`) costs a lookup
        // and authorises nobody: the record that adds this sender leaves it out.
        let dead = includes_that_never_pass(facts);
        let (value, dropped) = records::drop_includes(&value, |inc| {
            dead.iter().any(|d| d.eq_ignore_ascii_case(inc))
        });
        for inc in &dropped {
            d.details.push(
                ctx.k
                    .message_with("spf-dropped-include-never-passes", &[("include", inc)]),
            );
        }
        d.records
            .push(RecordToPublish::txt(eval.domain.clone(), value, note));
    }
    d.wait = facts.ttl;
    cname_in_place(ctx, &mut d, &eval.domain.to_ascii_lowercase());
    out.push(d);
}

/// The record's `a` and `mx` terms whose hosts resolved (in this run) to addresses of the
/// sending IP's family that do not cover it, or to none: (term, what they resolved to).
fn a_terms_elsewhere(
    ctx: &Ctx<'_>,
    domain: &str,
    record: Option<&str>,
    ip: std::net::IpAddr,
) -> Vec<(String, Vec<String>)> {
    let rtype = if ip.is_ipv4() { RType::A } else { RType::AAAA };
    let Some(record) = record else {
        return Vec::new();
    };
    record
        .split_whitespace()
        .filter_map(|t| {
            let bare = records::unqualified(t);
            let (mech, rest) = bare.split_once(':').unwrap_or((bare, ""));
            let is_a = mech.eq_ignore_ascii_case("a");
            if !(is_a || mech.eq_ignore_ascii_case("mx")) || rest.contains(['%', '/']) {
                return None;
            }
            let name = if rest.is_empty() { domain } else { rest };
            let asked = |n: &str, rt: RType| {
                ctx.input
                    .queries
                    .iter()
                    .find(|q| q.rtype == rt && q.name.trim_end_matches('.').eq_ignore_ascii_case(n))
            };
            // `mx`: the addresses of every host the MX answer named, as this run saw them.
            let hosts: Vec<String> = if is_a {
                vec![name.to_string()]
            } else {
                asked(name, RType::MX)?
                    .answers
                    .iter()
                    .filter_map(|a| a.split_whitespace().nth(1))
                    .map(|h| h.trim_end_matches('.').to_string())
                    .collect()
            };
            let mut addrs = Vec::new();
            for h in &hosts {
                addrs.extend(asked(h, rtype)?.answers.iter().cloned());
            }
            let covers = addrs
                .iter()
                .any(|a| a.parse::<std::net::IpAddr>() == Ok(ip));
            if hosts.is_empty() || covers {
                return None;
            }
            if addrs.is_empty() {
                addrs.push(format!("no {} address", rtype.as_str()));
            }
            Some((t.to_string(), addrs))
        })
        .collect()
}

/// The domain's direct includes whose record has no term that can pass (no `+` directive, no
/// redirect): `include` matches only on pass (RFC 7208 section 5.2), so they never match.
fn includes_that_never_pass(facts: &SpfFacts) -> Vec<String> {
    use crate::checks::spf::parse::{Qualifier, parse};
    let Some(root) = facts.tree.as_ref() else {
        return Vec::new();
    };
    root.children
        .iter()
        .filter(|c| c.via == "include" && c.error.is_none())
        .filter(|c| {
            c.record.as_deref().is_some_and(|r| {
                let p = parse(r);
                p.errors.is_empty()
                    && p.redirect.is_none()
                    && !p.directives.iter().any(|d| d.qualifier == Qualifier::Pass)
            })
        })
        .map(|c| c.domain.clone())
        .collect()
}

/// The record's `a` and `mx` terms written with an IPv4 prefix and no IPv6 one (`a/24`,
/// `mx:mail.example/28`).
fn ipv4_prefix_only(record: Option<&str>) -> Vec<String> {
    record
        .into_iter()
        .flat_map(str::split_whitespace)
        .filter(|t| {
            let bare = records::unqualified(t).to_ascii_lowercase();
            let mech = bare.split([':', '/']).next().unwrap_or("");
            (mech == "a" || mech == "mx") && bare.contains('/') && !bare.contains("//")
        })
        .map(str::to_string)
        .collect()
}
