//! DKIM check: finds the domain's keys (named selectors, then discovery) and judges each one.

mod discovery;
mod evidence;
mod misplaced;

pub use super::dkim_key::looks_like_key;
pub use discovery::WILDCARD_PROBE;

use crate::checks::dkim_key::{self, KeyRecord};
use crate::checks::normalise;
use crate::checks::types::{
    CheckParams, DkimDiscovery, DkimFacts, DkimProbe, DkimSelector, Status,
};
use crate::dns::{Answer, Dns};
use crate::finding::{Check, Finding, Severity, finding};
use crate::rules::selectors::{SelectorCatalogue, Tier};
use discovery::{Discovery, Gate};
use std::sync::Arc;

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Dkim, sev, subject, msg)
}

/// Probes the keys of `domain`. The `--dkim-selector` selectors are the signature's (`s=` with
/// `d=`): a missing one is an error only where `signing` says they belong, elsewhere a probe.
/// The others come from DKIM discovery (rules/selectors.toml, see `discovery`).
pub async fn check(
    dns: &Dns,
    params: &CheckParams,
    domain: &str,
    signing: bool,
) -> (DkimFacts, Vec<Finding>) {
    let domain = normalise(domain);
    let mut named: Vec<String> = Vec::new();
    for s in &params.dkim_selectors {
        let s = normalise(s);
        if !s.is_empty() && !named.contains(&s) {
            named.push(s);
        }
    }
    let catalogue = params
        .dkim_catalogue
        .clone()
        .unwrap_or_else(SelectorCatalogue::builtin);
    let found = discovery::discover(dns, &domain, &named, &catalogue).await;
    let asked = |p: &discovery::Probe| p.named && signing;

    let mut facts = DkimFacts {
        domain: domain.clone(),
        status: Status::Complete,
        selectors: Vec::new(),
        probed: found.probes.iter().map(|p| p.selector.clone()).collect(),
        discovery: discovery_facts(&found, &catalogue),
    };
    let mut out = Vec::new();
    let mut failed_discovery: Vec<Arc<Answer>> = Vec::new();
    for p in &found.probes {
        let (sel, a) = (&p.selector, &p.answer);
        let name = a.name.clone();
        if a.outcome.is_trouble() {
            facts.status = Status::Inconclusive;
            if asked(p) {
                out.push(lookup_failed(&name, std::slice::from_ref(a)));
            } else {
                failed_discovery.push(a.clone());
            }
            continue;
        }
        let txt = a.txt_strings();
        let key = txt
            .iter()
            .find(|t| dkim_key::looks_like_key(t))
            .or(if asked(p) { txt.first() } else { None });
        let Some(key) = key else {
            if a.outcome.is_absent()
                && let Some(target) = a.cname_chain.last()
            {
                // A delegation the provider no longer serves: worth saying even for a probe.
                out.push(f("dkim-cname-dangling", Severity::Warning, &name, format!("{name} is a CNAME to {target}, which has no key ({}): the DKIM key was delegated to a signing service that does not publish it (any more); signatures with selector `{sel}` fail. Point the CNAME at the target your provider gives now, or remove it if the service is no longer used.", a.outcome.label())).with_queries([a.id]));
            }
            if asked(p) {
                let why = if a.outcome.is_absent() {
                    a.outcome.label()
                } else {
                    "no key record"
                };
                // The key may sit where a verifier never looks (a relay's subdomain, a name
                // that lost its trailing dot): then it is that key to publish, not a new one.
                let elsewhere = if a.outcome.is_absent() && a.cname_chain.is_empty() {
                    misplaced::find(dns, params, &domain, sel).await
                } else {
                    None
                };
                let fd = match &elsewhere {
                    Some(m) => f("dkim-selector-missing", Severity::Error, &name, format!("The DKIM selector `{sel}` has no key at {name} ({why}): signatures made with it fail verification. A key for `{sel}` is published at {} instead, where no verifier looks for d={domain}: publish that key at {name}.", m.name)).with_queries([a.id, m.query]),
                    None => f("dkim-selector-missing", Severity::Error, &name, format!("The DKIM selector `{sel}` has no key at {name} ({why}): signatures made with it fail verification. Publish the key your signing service gives you there.")).with_queries([a.id]),
                };
                out.push(fd);
            }
            continue;
        };
        if found.by_wildcard(p) {
            continue;
        }
        // Several key records at one selector (an old key left beside the new one): a verifier
        // picks one of them (RFC 6376 section 3.6.2.2), so signatures fail wherever it picks
        // the key that does not match the signer's.
        let keys = txt.iter().filter(|t| dkim_key::looks_like_key(t)).count();
        if keys > 1 {
            let sev = if asked(p) {
                Severity::Error
            } else {
                Severity::Warning
            };
            out.push(f("dkim-multiple-keys", sev, &name, format!("{name} holds {keys} DKIM key records: a verifier uses one of them (RFC 6376 section 3.6.2.2), so signatures with selector `{sel}` fail wherever it picks a key that does not match the signer's. Keep only the record whose key matches the private key the signer uses; publish a new key under a new selector, never beside the old one.")).with_queries([a.id]));
        }
        let rec = dkim_key::parse(key);
        facts.selectors.push(selector_facts(sel, a, key, &rec));
        out.extend(key_findings(sel, asked(p), a, &rec));
    }
    if signing && let Some(ed) = ed25519_only(&named, &facts.selectors) {
        let name = format!("{}._domainkey.{domain}", ed.selector);
        out.push(f("dkim-ed25519-only", Severity::Warning, &name, format!("The message is signed with selector `{}`, whose key at {name} is Ed25519 (RFC 8463), and with no RSA key: receivers that do not verify Ed25519 signatures (in 2026 Microsoft 365 and Yahoo among them) see no signature they can check, so DKIM does not pass there. Sign with a 2048-bit RSA key as well, keeping the Ed25519 one.", ed.selector)));
    }
    if found.contradicted {
        let gate = &found.gate.name;
        out.push(f("dkim-domainkey-nxdomain", Severity::Warning, gate, format!("{gate} answers NXDOMAIN, yet names exist below it ({}): the server mishandles empty non-terminals (RFC 8020 section 2 says nothing exists below an NXDOMAIN). Resolvers that trust that rule cache the NXDOMAIN and then fail to find this domain's DKIM keys. Have the DNS provider fix it, or publish a record at {gate} (for example a TXT) so the name exists.", found.probes.iter().filter(|p| p.named && (!p.answer.outcome.is_absent() || !p.answer.cname_chain.is_empty())).map(|p| p.answer.name.as_str()).collect::<Vec<_>>().join(", "))).with_queries([found.gate.id]));
    }
    if let Some(w) = &found.wildcard {
        let guessed: Vec<&str> = found
            .probes
            .iter()
            .filter(|p| found.by_wildcard(p))
            .map(|p| p.selector.as_str())
            .collect();
        out.push(f("dkim-wildcard-key", Severity::Warning, &format!("_domainkey.{domain}"), format!("{} holds a DKIM key, and so does every selector discovery guessed with the same key ({}): a wildcard under _domainkey.{domain} (or a server that answers any name) gives a key to any selector, so none of these is reported as found. Give the real selector (the `s=` tag of a DKIM-Signature header) with --dkim-selector to check its key.", w.name, guessed.join(", "))).with_queries(std::iter::once(w.id).chain(found.probes.iter().filter(|p| found.by_wildcard(p)).map(|p| p.answer.id))));
    }
    if facts.selectors.is_empty() {
        if found.wildcard.is_some() {
            // Said by dkim-wildcard-key: "no key found" would contradict what the DNS shows.
        } else if !failed_discovery.is_empty() {
            out.push(lookup_failed(
                &format!("_domainkey.{domain}"),
                &failed_discovery,
            ));
        } else if !found.probes.iter().any(asked) {
            out.push(no_key_found(&domain, &found));
        }
    }
    (facts, out)
}

/// The first signing selector's key when every signing selector with a key holds a usable
/// Ed25519 one: no signature of the message is one an RSA-only verifier can check.
fn ed25519_only<'a>(named: &[String], keys: &'a [DkimSelector]) -> Option<&'a DkimSelector> {
    let signing: Vec<&DkimSelector> = keys
        .iter()
        .filter(|k| named.iter().any(|n| n.eq_ignore_ascii_case(&k.selector)))
        .collect();
    let ed = |k: &&DkimSelector| {
        k.key_type.as_deref() == Some("ed25519") && (k.status == "valid" || k.status == "testing")
    };
    (!signing.is_empty() && signing.iter().all(ed)).then(|| signing[0])
}

/// No key at any probe (and none was asked for by name).
fn no_key_found(domain: &str, found: &Discovery) -> Finding {
    let mut queries = vec![found.gate.id];
    queries.extend(found.probes.iter().map(|p| p.answer.id));
    let message = if found.gate_state == Gate::NxDomain && !found.contradicted {
        format!(
            "No DKIM key exists for {domain}: _domainkey.{domain} does not exist (NXDOMAIN), so no name exists below it for any selector (RFC 8020 section 2). If this domain's mail is DKIM-signed, the key was never published; give the selector from the `s=` tag of a DKIM-Signature header with --dkim-selector to check it directly."
        )
    } else {
        format!(
            "No DKIM key was found at any of the {} selectors probed for {domain} ({}). DKIM keys live at <selector>._domainkey.{domain}; give the selector from the `s=` tag of a DKIM-Signature header with --dkim-selector.",
            found.probes.len(),
            probe_summary(found)
        )
    };
    f("dkim-no-key-found", Severity::Warning, domain, message).with_queries(queries)
}

/// "common list, suggested by SPF include:sendgrid.net (SendGrid), fallback list".
fn probe_summary(found: &Discovery) -> String {
    let mut parts = vec!["the common list".to_string()];
    for s in &found.seen {
        parts.push(format!(
            "those suggested by {} ({})",
            s.service.seen, s.service.name
        ));
    }
    if found.fallback {
        parts.push("the fallback list".into());
    }
    parts.join(", ")
}

/// Each probe with its reason: named, then evidence (the most specific), common, fallback.
fn discovery_facts(found: &Discovery, catalogue: &SelectorCatalogue) -> DkimDiscovery {
    let probes = found
        .probes
        .iter()
        .map(|p| {
            let result = if p.answer.outcome.is_trouble() {
                "trouble"
            } else if discovery::has_key(&p.answer) {
                "key"
            } else {
                "absent"
            };
            let mut probe = DkimProbe {
                selector: p.selector.clone(),
                reason: "named".into(),
                rule: None,
                service: None,
                seen: None,
                result: result.into(),
            };
            if p.named {
                return probe;
            }
            let has =
                |e: &&crate::rules::selectors::SelectorEntry| e.selectors.contains(&p.selector);
            if let Some(s) = found
                .seen
                .iter()
                .find(|s| has(&&catalogue.entries[s.entry]))
            {
                probe.reason = "evidence".into();
                probe.rule = Some(s.service.rule.clone());
                probe.service = Some(s.service.name.clone());
                probe.seen = Some(s.service.seen.clone());
            } else if let Some(e) = catalogue
                .entries
                .iter()
                .filter(|e| e.tier == Tier::Common)
                .find(has)
            {
                probe.reason = "common".into();
                probe.rule = Some(e.id.clone());
            } else {
                probe.reason = "fallback".into();
                probe.rule = catalogue.entries.iter().find(has).map(|e| e.id.clone());
            }
            probe
        })
        .collect();
    DkimDiscovery {
        domainkey: found.gate_state.as_str().into(),
        nxdomain_contradicted: found.contradicted,
        services: found.seen.iter().map(|s| s.service.clone()).collect(),
        fallback: found.fallback,
        probes,
    }
}

fn lookup_failed(subject: &str, answers: &[Arc<Answer>]) -> Finding {
    let outcome = answers
        .first()
        .map(|a| crate::checks::spf::tree::outcome_text(&a.outcome))
        .unwrap_or_default();
    f("dkim-lookup-failed", Severity::Warning, subject, format!("DKIM key lookups for {subject} failed ({outcome}, {} queries); DKIM could not be checked.", answers.len()))
        .with_queries(answers.iter().map(|a| a.id))
        .inconclusive()
}

fn selector_facts(sel: &str, a: &Answer, key: &str, rec: &KeyRecord) -> DkimSelector {
    let status = if !rec.errors.is_empty() {
        "invalid"
    } else if rec.revoked {
        "revoked"
    } else if rec.testing {
        "testing"
    } else {
        "valid"
    };
    DkimSelector {
        selector: sel.to_string(),
        status: status.to_string(),
        key_type: rec.key_type.clone(),
        bits: rec.bits,
        cname: a.cname_chain.last().cloned(),
        record: Some(key.to_string()),
        tags: rec.tags.clone(),
        ttl: a.ttl,
    }
}

fn key_findings(sel: &str, asked: bool, a: &Answer, rec: &KeyRecord) -> Vec<Finding> {
    let name = a.name.as_str();
    let mut out = Vec::new();
    let mut push = |id: &str, sev, msg: String| {
        let mut fd = f(id, sev, name, msg).with_queries([a.id]);
        fd.location = a.location.clone();
        out.push(fd);
    };
    if !rec.errors.is_empty() {
        push(
            "dkim-syntax-error",
            Severity::Error,
            format!(
                "The DKIM key record at {name} is invalid: {}; signatures with selector `{sel}` cannot be verified.",
                rec.errors.join("; ")
            ),
        );
        return out;
    }
    if rec.revoked {
        let sev = if asked {
            Severity::Warning
        } else {
            Severity::Info
        };
        push(
            "dkim-key-revoked",
            sev,
            format!(
                "The DKIM key at {name} is revoked (empty `p=`): signatures with selector `{sel}` fail."
            ),
        );
        return out;
    }
    match rec.bits {
        Some(b) if rec.key_type.as_deref() == Some("rsa") && b < 1024 => push(
            "dkim-key-too-short",
            Severity::Error,
            format!(
                "The DKIM key at {name} is RSA {b} bits; receivers ignore RSA keys under 1024 bits (RFC 8301), so these signatures count as absent."
            ),
        ),
        Some(b) if rec.key_type.as_deref() == Some("rsa") && b > 4096 => push(
            "dkim-key-too-long",
            Severity::Warning,
            format!(
                "The DKIM key at {name} is RSA {b} bits; verifiers must handle 1024 to 4096 bits and may refuse larger keys (RFC 8301 section 3.2), so some receivers treat these signatures as failing. A 2048-bit key is verified everywhere."
            ),
        ),
        Some(b) if rec.key_type.as_deref() == Some("rsa") && b < 2048 => push(
            "dkim-key-weak",
            Severity::Warning,
            format!("The DKIM key at {name} is RSA {b} bits; 2048 bits is the recommended size."),
        ),
        _ => {}
    }
    if rec.testing {
        push(
            "dkim-testing",
            Severity::Warning,
            format!(
                "The DKIM key at {name} has `t=y` (testing): receivers may treat its signatures as unsigned mail."
            ),
        );
    }
    if rec.sha1_only {
        push(
            "dkim-sha1-only",
            Severity::Warning,
            format!(
                "The DKIM key at {name} allows only SHA-1 (`h=sha1`); RFC 8301 makes SHA-1 signatures fail verification."
            ),
        );
    }
    let via = a
        .cname_chain
        .last()
        .map(|c| format!(", delegated by CNAME to {c}"))
        .unwrap_or_default();
    let bits = rec.bits.map(|b| format!(" {b}-bit")).unwrap_or_default();
    push(
        "dkim-key-found",
        Severity::Info,
        format!(
            "DKIM selector `{sel}` has a{bits} {} key at {name}{via}.",
            rec.key_type.as_deref().unwrap_or("rsa")
        ),
    );
    out
}
