//! What `diagnose` checks: the flags first, then what the bounce says, each value with its source.

use super::super::{common, validate};
use super::client_ip::client_ip_in_replies;
use crate::checks::CheckParams;
use crate::cli::DiagnoseArgs;
use crate::domain_name::{normalise, org_domain};
use crate::error::{Error, Result};
use crate::plan::{Clue, ClueKind, Provenance};
use crate::reply::{Extracted, OriginalHeaders};

/// The parameters of the main check, the DKIM signatures of other d= domains (each looked up
/// under its own d=), the provenance of every value and the clues to the sending service.
pub struct Target {
    pub params: CheckParams,
    pub other_dkim: Vec<(String, Vec<String>)>,
    pub provenance: Vec<Provenance>,
    pub clues: Vec<Clue>,
}

/// The DKIM signatures grouped by d= (lower-case), in the order the headers list them.
fn signatures_by_domain(sigs: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (d, s) in sigs {
        let d = normalise(d);
        if d.is_empty() {
            continue;
        }
        let slot = match out.iter().position(|(x, _)| *x == d) {
            Some(i) => &mut out[i].1,
            None => {
                out.push((d, Vec::new()));
                let last = out.len() - 1;
                &mut out[last].1
            }
        };
        if !s.is_empty() && !slot.contains(s) {
            slot.push(s.clone());
        }
    }
    out
}

/// `raw` is the input as given: a Postfix log's other lines (qmgr's `from=<...>`) say what
/// the refused line does not.
pub fn target(args: &DiagnoseArgs, extracted: &Extracted, raw: &[u8]) -> Result<Target> {
    let empty = OriginalHeaders::default();
    let bounce = extracted.original.is_some();
    let orig = extracted.original.as_ref().unwrap_or(&empty);
    let mut prov = Vec::new();
    let mut note = |field: &str, value: &str, source: &str| {
        prov.push(Provenance {
            field: field.into(),
            value: value.into(),
            source: source.into(),
        })
    };
    let mut t = args.target.clone();
    let from_hdr = orig.from.as_deref().and_then(address_in);
    let rp_hdr = orig.return_path.as_deref().and_then(address_in);
    let logged = (!bounce)
        .then(|| super::log_sender::logged_sender(raw))
        .flatten();
    let domain = match &args.domain {
        Some(d) => flag_or_named_domain(d, t.from.as_deref(), extracted, &mut note),
        None => {
            // The user's own statement first, then the bounce's headers, then the domain the
            // receiver names as the sender: Gmail's 5.7.26 and Microsoft's 5.7.515 name it.
            let flagged = |flag: &Option<String>, source: &'static str| {
                flag.as_deref()
                    .map(|a| (validate::domain_of(a).to_string(), source))
            };
            let header = |addr: &Option<String>, source: &'static str| {
                addr.as_deref()
                    .map(|a| (validate::domain_of(a).to_string(), source))
            };
            // The domain the receiver names as the sender is the From it judged (Gmail's
            // "email from", Microsoft's "sending domain ... 5322.From"): it comes before the
            // envelope's, which an ESP's return path makes another organisation's.
            let found = flagged(&t.from, "flag --from: its domain")
                .or_else(|| header(&from_hdr, "bounce: From header of the original message"))
                .or_else(|| {
                    sender_domain_in_replies(extracted)
                        .map(|d| (d, "reply text: the domain the receiver names as the sender"))
                })
                .or_else(|| flagged(&t.mail_from, "flag --mail-from: its domain"))
                .or_else(|| header(&rp_hdr, "bounce: Return-Path of the original message"))
                .or_else(|| {
                    logged
                        .as_ref()
                        .filter(|(f, _)| f.contains('@'))
                        .map(|(f, _)| {
                            (
                                validate::domain_of(f).to_string(),
                                "log: the sender the MTA recorded for the refused message",
                            )
                        })
                });
            let Some((d, source)) = found else {
                return Err(Error::Input(
                    "which domain sent the message? pass --domain (the input names no sending domain: no From or Return-Path, no --from or --mail-from)".into(),
                ));
            };
            note("domain", &d, source);
            d
        }
    };
    fill(
        &mut t.from,
        from_hdr.clone(),
        "from",
        "bounce: From header",
        |a| validate::address(a, "From address"),
        &mut note,
    );
    fill(
        &mut t.mail_from,
        rp_hdr.clone(),
        "mail_from",
        "bounce: Return-Path header",
        |a| validate::address(a, "Return-Path address"),
        &mut note,
    );
    if let (None, Some((from, id))) = (&t.mail_from, &logged) {
        logged_mail_from(&mut t.mail_from, from, id, &mut note);
    }
    // Gmail names the domain its SPF check was for (`SPF [bounce.example.com] with ip: ...`):
    // the MAIL FROM domain (RFC 7208 section 2.4), unless it is the HELO name of a null
    // reverse-path. Another name than the checked domain is then checked as the MAIL FROM.
    if t.mail_from.is_none()
        && let Some(spf) = spf_domain_in_replies(extracted)
        && !spf.eq_ignore_ascii_case(&domain)
        && !t
            .helo
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&spf))
        && validate::domain(&spf, "SPF domain").is_ok()
    {
        let addr = format!("postmaster@{spf}");
        note(
            "mail_from",
            &addr,
            "reply text: the domain the receiver's SPF result names (the reply gives no local part; postmaster stands in, which only an SPF %{l} macro would read)",
        );
        t.mail_from = Some(addr);
    }
    // A receiver that quotes the HELO in its refusal of it says what the server announced;
    // the bounce's headers come next (the top-most Received host is only a guess).
    let quoted = helo_in_replies(extracted);
    let found = match (&quoted, &orig.helo) {
        (Some(h), _) => Some((h, "reply: the name quoted before \"Helo command rejected\"")),
        (None, Some(h)) => Some((h, orig.helo_source.as_deref().unwrap_or("bounce"))),
        (None, None) => None,
    };
    match (&t.helo, found) {
        (Some(h), _) => note("helo", h, "flag --helo"),
        // The bounce was written by the recipient's domain after it received the message and
        // forwarded it on: its Received header is the forwarder's, and so is the name guessed
        // from it. The sender's own outbound name is not in the bounce.
        (None, Some((h, source))) if quoted.is_none() && forwarder_wrote(extracted, h, &domain) => {
            note(
                "helo",
                h,
                &format!(
                    "{source}; skipped: the forwarder that wrote this bounce for the recipient's domain, not your outbound MTA; pass --helo"
                ),
            );
        }
        (None, Some((h, source))) => {
            // A name from a bounce is a guess, not a request: one the checks cannot use is
            // skipped (and said so), never a reason to stop the run.
            match validate::domain(h, "HELO name") {
                // An address literal is what the server announced: kept, and reported by the
                // PTR check.
                _ if matches!(validate::helo_literal(h, "HELO"), Some(Ok(_))) => {
                    note("helo", h, source);
                    t.helo = Some(h.clone());
                }
                Ok(_) if h.parse::<std::net::IpAddr>().is_err() => {
                    note("helo", h, source);
                    t.helo = Some(h.clone());
                }
                Ok(_) => note(
                    "helo",
                    h,
                    &format!("{source}; skipped: an address, not a host name; pass --helo"),
                ),
                Err(e) => note(
                    "helo",
                    h,
                    &format!("{source}; skipped: {e}; pass --helo if you know it"),
                ),
            }
        }
        (None, None) => {}
    }
    let named = client_ip_in_replies(extracted);
    // Checked in the IPv4 form of an IPv4-mapped address (see `common::params`).
    let mapped = |ip: std::net::IpAddr, source: &str| match ip.to_canonical() {
        c if c == ip => source.to_string(),
        _ => format!("{source}, given as {ip}: its IPv4-mapped form"),
    };
    match (t.ip, orig.sending_ip) {
        (Some(given), _) => {
            let ip = given.to_canonical();
            note("ip", &ip.to_string(), &mapped(given, "flag --ip"));
            // The flag wins, but a receiver naming another address saw the message leave
            // through another machine: said beside it, and the plan's reasons name it.
            if let Some((other, at)) = named.filter(|(n, _)| n.to_canonical() != ip) {
                note(
                    "reply_ip",
                    &other.to_string(),
                    &format!("reply text: {at}; not checked: --ip {ip} was given"),
                );
            }
        }
        (None, Some(ip)) => {
            note(
                "ip",
                &ip.to_canonical().to_string(),
                &mapped(ip, orig.sending_ip_source.as_deref().unwrap_or("bounce")),
            );
            t.ip = Some(ip);
        }
        (None, None) if let Some((ip, at)) = named => {
            note(
                "ip",
                &ip.to_canonical().to_string(),
                &mapped(ip, &format!("reply text: {at}")),
            );
            t.ip = Some(ip);
        }
        (None, None) if bounce => note(
            "ip",
            "unknown",
            "not in the bounce: the receiver refused the message during SMTP and wrote no header naming the client; pass --ip with the address your outbound MTA sends from to check SPF for it and its reverse DNS",
        ),
        (None, None) => {}
    }
    let groups = signatures_by_domain(&orig.dkim);
    let from_domain = t
        .from
        .as_deref()
        .map(|a| validate::domain_of(a).to_ascii_lowercase())
        .unwrap_or_else(|| domain.to_ascii_lowercase());
    // The signature DMARC can use is the one aligned with the From domain; check that one
    // as the domain's DKIM, and every other d= under its own name.
    let main = groups
        .iter()
        .position(|(d, _)| org_domain(d) == org_domain(&from_domain))
        .or((!groups.is_empty()).then_some(0));
    match (&t.dkim_domain, main) {
        (Some(d), _) => note("dkim_domain", d, "flag --dkim-domain"),
        (None, Some(i)) => match validate::domain(&groups[i].0, "DKIM d=") {
            Ok(_) => {
                note("dkim_domain", &groups[i].0, "bounce: DKIM-Signature d=");
                t.dkim_domain = Some(groups[i].0.clone());
            }
            Err(e) => note(
                "dkim_domain",
                &groups[i].0,
                &format!(
                    "bounce: DKIM-Signature d=; skipped: {e}; pass --dkim-domain if you know it"
                ),
            ),
        },
        (None, None) => {}
    }
    let main_d = t.dkim_domain.clone().map(|d| d.to_ascii_lowercase());
    let mut other_dkim = Vec::new();
    if t.dkim_selector.is_empty() {
        for (d, sels) in &groups {
            if Some(d) == main_d.as_ref() {
                for s in sels {
                    match validate::selector(s) {
                        Ok(_) => {
                            note("dkim_selector", s, "bounce: DKIM-Signature s=");
                            t.dkim_selector.push(s.clone());
                        }
                        Err(e) => note(
                            "dkim_selector",
                            s,
                            &format!(
                                "bounce: DKIM-Signature s=; skipped: {e}; pass --dkim-selector if you know it"
                            ),
                        ),
                    }
                }
            } else if !sels.is_empty() {
                let usable_d = validate::domain(d, "DKIM d=");
                let mut usable = Vec::new();
                for s in sels {
                    let why = match (&usable_d, validate::selector(s)) {
                        (Err(e), _) => Some(e.to_string()),
                        (_, Err(e)) => Some(e.to_string()),
                        _ => None,
                    };
                    let source = format!("bounce: DKIM-Signature s= of d={d}");
                    match why {
                        None => {
                            note(
                                "dkim_selector",
                                s,
                                &format!("{source} (looked up under {d})"),
                            );
                            usable.push(s.clone());
                        }
                        Some(e) => note("dkim_selector", s, &format!("{source}; skipped: {e}")),
                    }
                }
                if let (Ok(d), false) = (usable_d, usable.is_empty()) {
                    other_dkim.push((d, usable));
                }
            }
        }
    } else {
        for s in &t.dkim_selector {
            note("dkim_selector", s, "flag --dkim-selector");
        }
    }
    for ar in &orig.authentication_results {
        note(
            "authentication_results",
            ar,
            "bounce: Authentication-Results header of the original message",
        );
    }
    let mut clues: Vec<Clue> = orig
        .received_hosts
        .iter()
        .map(|(h, seen)| Clue {
            kind: ClueKind::Host,
            value: h.clone(),
            seen: format!("the bounce's {seen}"),
        })
        .collect();
    if let Some(rp) = &rp_hdr {
        clues.push(Clue {
            kind: ClueKind::ReturnPath,
            value: validate::domain_of(rp).to_string(),
            seen: "the bounce's Return-Path".into(),
        });
    }
    clues.extend(groups.iter().map(|(d, _)| Clue {
        kind: ClueKind::DkimDomain,
        value: d.clone(),
        seen: "the bounce's DKIM-Signature d=".into(),
    }));
    let only = common::only(&args.only);
    let params = common::params(&domain, &t, only)?;
    Ok(Target {
        params,
        other_dkim,
        provenance: prov,
        clues,
    })
}

/// The domain `--domain` names, unless the reply names another sending domain of the same
/// organization (the user gave `example.com`, the receiver judged `news.example.com`: SPF and
/// DMARC were evaluated for the name it names, whose records are its own), and `--from`, when
/// given, agrees with the reply. A domain of another organization is not checked in the
/// flag's place (its zone is not the user's to change) but noted beside it, so the reasons can
/// say the receiver judged other mail than the user thinks.
fn flag_or_named_domain(
    flag: &str,
    from: Option<&str>,
    extracted: &Extracted,
    note: &mut impl FnMut(&str, &str, &str),
) -> String {
    let source = "reply text: the domain the receiver names as the sender";
    let named = sender_domain_in_replies(extracted)
        .filter(|n| !n.eq_ignore_ascii_case(flag.trim_end_matches('.')));
    let Some(named) = named else {
        note("domain", flag, "flag --domain");
        return flag.to_string();
    };
    let from_agrees = from.is_none_or(|a| validate::domain_of(a).eq_ignore_ascii_case(&named));
    if org_domain(&named) == org_domain(flag) && from_agrees {
        note(
            "domain",
            &named,
            &format!(
                "{source}; --domain {flag} was given, and the receiver judged this name of the same organization"
            ),
        );
        return named;
    }
    note("domain", flag, "flag --domain");
    note(
        "reply_domain",
        &named,
        &format!("{source}; not checked: --domain {flag} was given"),
    );
    flag.to_string()
}

/// The MAIL FROM a mail log recorded for the refused queue id (Postfix, Sendmail, Exim): `<>` for a
/// bounce or an auto-reply, whose SPF identity is the HELO name (RFC 7208 section 2.4), as
/// DMARC's is then (RFC 9989); an address the checks cannot use is skipped and said so.
fn logged_mail_from(
    slot: &mut Option<String>,
    from: &str,
    id: &str,
    note: &mut impl FnMut(&str, &str, &str),
) {
    let source = format!("log: the sender <{from}> the MTA recorded for queue id {id}");
    if from.is_empty() {
        note(
            "mail_from",
            "<>",
            &format!(
                "{source} (a null reverse-path, as a bounce or an auto-reply has: SPF is checked for the HELO name; pass --helo)"
            ),
        );
        *slot = Some("<>".into());
        return;
    }
    match validate::address(from, "logged sender") {
        Ok(a) => {
            note("mail_from", &a, &source);
            *slot = Some(a);
        }
        Err(e) => note("mail_from", from, &format!("{source}; skipped: {e}")),
    }
}

/// Keeps the flag's value when given (and says so), else takes the bounce's. A bounce's value
/// is a guess written by someone else, not a request: one the checks cannot use is skipped and
/// said so, never a reason to stop the run (a flag's bad value still is).
fn fill(
    slot: &mut Option<String>,
    found: Option<String>,
    field: &str,
    source: &str,
    usable: impl Fn(&str) -> Result<String>,
    note: &mut impl FnMut(&str, &str, &str),
) {
    let flag = format!("--{}", field.replace('_', "-"));
    match (slot.as_deref(), found) {
        (Some(v), _) => note(field, v, &format!("flag {flag}")),
        (None, Some(v)) => match usable(&v) {
            Ok(_) => {
                note(field, &v, source);
                *slot = Some(v);
            }
            Err(e) => note(
                field,
                &v,
                &format!("{source}; skipped: {e}; pass {flag} if you know it"),
            ),
        },
        (None, None) => {}
    }
}

/// The address inside a header value such as `News <news@example.com>`.
fn address_in(value: &str) -> Option<String> {
    let v = value.trim();
    let inner = match (v.rfind('<'), v.rfind('>')) {
        (Some(a), Some(b)) if b > a => &v[a + 1..b],
        _ => v,
    };
    let inner = inner.trim();
    (inner.contains('@') && !inner.contains(char::is_whitespace)).then(|| inner.to_string())
}

/// The domain a receiver names as the sender of the refused message, in the words
/// "email from DOMAIN" or "sending/sender domain DOMAIN"; only a bare, valid domain name
/// counts (an address, an IP or a placeholder word does not).
fn sender_domain_in_replies(extracted: &Extracted) -> Option<String> {
    extracted
        .replies
        .iter()
        .find_map(|r| sender_domain_in(&r.text))
}

fn sender_domain_in(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(3).find_map(|w| {
        let lead = (w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase());
        let names_sender = matches!(
            (lead.0.as_str(), lead.1.as_str()),
            ("email", "from") | ("sending", "domain") | ("sender", "domain")
        );
        let candidate = w[2]
            .trim_matches(['\'', '"', '<', '>', '[', ']', '(', ')'])
            .trim_end_matches(['.', ',', ';', ':']);
        (names_sender
            && candidate.contains('.')
            && !candidate.contains('@')
            && candidate.parse::<std::net::IpAddr>().is_err()
            && validate::domain(candidate, "sending domain").is_ok())
        .then(|| candidate.to_ascii_lowercase())
    })
}

/// The domain a receiver's SPF result names, read with the SPF check's patterns
/// (rules/spf-reply-domains.toml): Gmail writes `SPF [example.com] with ip: [192.0.2.1] = did
/// not pass`, others RFC 7208's "domain of X does not designate 192.0.2.1".
fn spf_domain_in_replies(extracted: &Extracted) -> Option<String> {
    extracted
        .replies
        .iter()
        .find_map(|r| crate::checks::spf::reply_domain::named_in(&r.text))
}

/// The HELO name a receiver quotes in its refusal of it: Postfix writes `<name>: Helo command
/// rejected: ...` (`504 5.5.2 <[192.0.2.1]>: Helo command rejected: need fully-qualified
/// hostname`, `450 4.7.1 <mta1.example>: Helo command rejected: Host not found`).
/// True when `host` wrote a bounce for the original recipient's own domain about delivery to
/// another organization's host (the recipient's address forwards), and is not the sender's.
fn forwarder_wrote(extracted: &Extracted, host: &str, sender: &str) -> bool {
    use crate::domain_name::org_domain;
    let org = org_domain(host);
    extracted.replies.iter().any(|r| {
        let rcpt_org = r
            .recipient
            .as_deref()
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| org_domain(d.trim_end_matches('>')));
        r.reporting_mta
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(host))
            && rcpt_org.as_deref() == Some(org.as_str())
            && r.remote_mta
                .as_deref()
                .is_some_and(|m| org_domain(m) != org)
            && org_domain(sender) != org
    })
}

fn helo_in_replies(extracted: &Extracted) -> Option<String> {
    extracted.replies.iter().find_map(|r| helo_in(&r.text))
}

fn helo_in(text: &str) -> Option<String> {
    // ASCII lower-casing keeps every byte offset, so `at` indexes `text` too.
    let at = text.to_ascii_lowercase().find(">: helo command rejected")?;
    let start = text[..at].rfind('<')? + 1;
    let name = &text[start..at];
    (!name.is_empty() && !name.contains(char::is_whitespace)).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_group_by_their_own_domain() {
        let g = signatures_by_domain(&[
            ("Example.com".into(), "s1".into()),
            ("esp.example".into(), "esp1".into()),
            ("example.com".into(), "s2".into()),
        ]);
        assert_eq!(
            g,
            vec![
                (
                    "example.com".to_string(),
                    vec!["s1".to_string(), "s2".to_string()]
                ),
                ("esp.example".to_string(), vec!["esp1".to_string()]),
            ]
        );
    }
}

#[cfg(test)]
mod helo_tests {
    use super::helo_in;

    #[test]
    fn the_helo_a_refusal_quotes_and_nothing_else() {
        let h = |t: &str| helo_in(t);
        assert_eq!(
            h("504 5.5.2 <[192.0.2.1]>: Helo command rejected: need fully-qualified hostname")
                .as_deref(),
            Some("[192.0.2.1]")
        );
        assert_eq!(
            h("450 4.7.1 <Mta1.Example.COM>: HELO command rejected: Host not found").as_deref(),
            Some("Mta1.Example.COM")
        );
        // The recipient Postfix quotes for other refusals is not a HELO.
        assert_eq!(
            h("450 4.1.8 <a@b.example>: Sender address rejected: Domain not found"),
            None
        );
        assert_eq!(
            h("Helo command rejected: need fully-qualified hostname"),
            None
        );
        assert_eq!(h("<>: Helo command rejected"), None);
    }
}

#[cfg(test)]
mod sender_domain_tests {
    use super::sender_domain_in;

    #[test]
    fn the_domain_a_reply_names_as_the_sender_and_nothing_else() {
        assert_eq!(
            sender_domain_in("5.7.26 Unauthenticated email from Example.COM is not accepted due to domain's DMARC policy").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            sender_domain_in("550 5.7.515 Access denied, sending domain [news.example.org] doesn't meet the required authentication level.").as_deref(),
            Some("news.example.org")
        );
        // An address, an IP, a word without a dot, a recipient's domain: none.
        assert_eq!(
            sender_domain_in("email from user@example.com rejected"),
            None
        );
        assert_eq!(
            sender_domain_in("email from 192.0.2.1 is not accepted"),
            None
        );
        assert_eq!(
            sender_domain_in("email from your domain is not accepted"),
            None
        );
        assert_eq!(
            sender_domain_in(
                "550 5.1.1 The email account that you tried to reach does not exist. domain example.org"
            ),
            None
        );
    }
}
