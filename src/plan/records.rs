//! Exact records for the plan: merged SPF, PTR requests, DKIM rotation, SPF hints (DMARC records
//! are `dmarc_records`', re-exported here).

use super::RecordToPublish;
use super::knowledge::Knowledge;
use crate::checks::SpfNode;
use std::net::IpAddr;

/// SPF `all` qualifiers from strictest to loosest.
const ALL_STRICTNESS: [&str; 4] = ["-all", "~all", "?all", "+all"];

/// A merged SPF record and what the merge had to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedSpf {
    pub record: String,
    pub notes: Vec<String>,
}

/// An SPF term without its qualifier (`+`, `-`, `~`, `?`; RFC 7208 section 4.6.2).
pub fn unqualified(term: &str) -> &str {
    term.trim_start_matches(['+', '-', '~', '?'])
}

fn normalise_all(term: &str) -> Option<&'static str> {
    match term.to_ascii_lowercase().as_str() {
        "all" | "+all" => Some("+all"),
        "-all" => Some("-all"),
        "~all" => Some("~all"),
        "?all" => Some("?all"),
        _ => None,
    }
}

/// The note beside an SPF record the plan publishes: it asks to tighten the record's `all` to
/// `-all` only when the record does not end there already (a repaired `-all` record told to
/// "tighten ~all" reads as if the plan had loosened it).
pub fn spf_publish_note(k: &Knowledge, record: &str) -> String {
    let all = record
        .split_whitespace()
        .filter_map(normalise_all)
        .next_back();
    match all {
        Some(q) if q != "-all" => k.message_with("spf-publish-note", &[("all", q)]),
        _ => k.message("spf-publish-note-strict"),
    }
}

/// Merges several `v=spf1` records into one: the union of their mechanisms in first-seen
/// order, one `all` (the strictest present), one `exp=`; `redirect=` is dropped when an
/// `all` is present because RFC 7208 section 6.1 ignores it then. None when no record is SPF.
pub fn merge_spf(records: &[String]) -> Option<MergedSpf> {
    let mut mechanisms: Vec<String> = Vec::new();
    let mut alls: Vec<&'static str> = Vec::new();
    let mut redirects: Vec<String> = Vec::new();
    let mut exp: Option<String> = None;
    let mut seen_spf = false;
    for rec in records {
        let mut terms = rec.split_whitespace();
        match terms.next() {
            Some(v) if v.eq_ignore_ascii_case("v=spf1") => seen_spf = true,
            _ => continue,
        }
        for term in terms {
            let lower = term.to_ascii_lowercase();
            if let Some(a) = normalise_all(term) {
                alls.push(a);
            } else if lower.starts_with("redirect=") {
                if !redirects.iter().any(|r| r.eq_ignore_ascii_case(term)) {
                    redirects.push(term.to_string());
                }
            } else if lower.starts_with("exp=") {
                exp.get_or_insert_with(|| term.to_string());
            } else if !mechanisms.iter().any(|m| m.eq_ignore_ascii_case(term)) {
                mechanisms.push(term.to_string());
            }
        }
    }
    if !seen_spf {
        return None;
    }
    let mut notes = Vec::new();
    let all = ALL_STRICTNESS.iter().find(|a| alls.contains(a)).copied();
    let mut out = vec!["v=spf1".to_string()];
    out.extend(mechanisms);
    if let Some(e) = exp {
        out.push(e);
    }
    match all {
        Some(a) => {
            if !redirects.is_empty() {
                notes.push(format!(
                    "dropped {} because an 'all' term makes redirect= ignored",
                    redirects.join(" ")
                ));
            }
            let distinct: std::collections::BTreeSet<_> = alls.iter().collect();
            if distinct.len() > 1 {
                notes.push(format!("kept {a}, the strictest 'all' of the records"));
            }
            out.push(a.to_string());
        }
        None => {
            if let Some(r) = redirects.first() {
                out.push(r.clone());
            }
            if redirects.len() > 1 {
                notes.push(format!(
                    "the records redirect to different domains; kept {} only: check that it covers every sender",
                    redirects[0]
                ));
            }
        }
    }
    let record = out.join(" ");
    if record.len() > 255 {
        notes.push(
            "longer than 255 characters: publish it as several quoted strings in one TXT record; receivers join them"
                .to_string(),
        );
    }
    Some(MergedSpf { record, notes })
}

/// The SPF term that authorises one address: `ip4:192.0.2.1` or `ip6:2001:db8::1`.
pub fn ip_term(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => format!("ip4:{a}"),
        IpAddr::V6(a) => format!("ip6:{a}"),
    }
}

/// The record as receivers read it: evaluation stops at `all` (RFC 7208 section 4.6.2), so the
/// mechanisms written after it are moved before it, where they were meant to count; and a
/// `redirect=` beside an `all` is ignored (section 6.1), so it is left out. Returns the record,
/// the moved terms, and the dropped redirect; a record without `all` comes back unchanged.
pub fn spf_as_read(record: &str) -> (String, Vec<String>, Option<String>) {
    let terms: Vec<&str> = record.split_whitespace().collect();
    let Some(at) = terms.iter().position(|t| normalise_all(t).is_some()) else {
        return (terms.join(" "), Vec::new(), None);
    };
    let is_modifier = |t: &str| {
        t.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty()
                && !name.contains(':')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
    };
    let is_redirect = |t: &str| {
        t.get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("redirect="))
    };
    let mut out: Vec<&str> = Vec::new();
    let mut moved = Vec::new();
    let mut modifiers = Vec::new();
    let mut redirect = None;
    for (i, t) in terms.iter().enumerate() {
        if i == at {
            continue;
        }
        if is_redirect(t) {
            redirect.get_or_insert_with(|| t[9..].to_string());
        } else if i > at && is_modifier(t) {
            modifiers.push(*t);
        } else {
            if i > at {
                moved.push(t.to_string());
            }
            out.push(t);
        }
    }
    out.push(terms[at]);
    out.extend(modifiers);
    (out.join(" "), moved, redirect)
}

/// The SPF record with the sending IP added before its `all`/`redirect=` term.
pub fn spf_with_ip(record: &str, ip: IpAddr) -> String {
    let mech = ip_term(ip);
    if record
        .split_whitespace()
        .any(|t| t.eq_ignore_ascii_case(&mech))
    {
        return record.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    insert_before_all(record, &mech)
}

/// The record with `term` added before its `all`/`redirect=` term (after `v=spf1`), where a
/// receiver still reaches it.
fn insert_before_all(record: &str, term: &str) -> String {
    let mut terms: Vec<&str> = record.split_whitespace().collect();
    let pos = terms
        .iter()
        .position(|t| normalise_all(t).is_some() || t.to_ascii_lowercase().starts_with("redirect="))
        .unwrap_or(terms.len());
    terms.insert(pos.max(1).min(terms.len()), term);
    terms.join(" ")
}

/// The record with `term` (a pass term for the sender) put where check_host reaches it first:
/// in place of `matched`, the term of the record that matched the sender with another
/// qualifier, when that term names exactly what `term` does (`~ip4:192.0.2.1`), else just
/// before it (a range, an include, an `a` that fails others too stays for them). Evaluation
/// stops at the first match (RFC 7208 section 4.6.2), so a term added before `all` is never
/// reached. None when `matched` is not a term of the record other than `all` and `redirect=`.
pub fn spf_before_term(record: &str, term: &str, matched: &str) -> Option<String> {
    let bare = |t: &str| unqualified(t).to_ascii_lowercase();
    let matched = matched.split(" > ").next().unwrap_or(matched);
    let mut terms: Vec<&str> = record.split_whitespace().collect();
    let at = terms
        .iter()
        .position(|t| t.eq_ignore_ascii_case(matched))
        .filter(|&i| i > 0)?;
    let m = bare(terms[at]);
    if normalise_all(terms[at]).is_some() || m.starts_with("redirect=") || m.contains('=') {
        return None;
    }
    let same =
        m == bare(term) || m == format!("{}/32", bare(term)) || m == format!("{}/128", bare(term));
    if same {
        terms[at] = term;
    } else {
        terms.insert(at, term);
    }
    // The same pass term written again later changes nothing: kept once, where it counts.
    let mut seen = false;
    terms.retain(|t| {
        let dup = t.eq_ignore_ascii_case(term);
        let drop = dup && seen;
        seen |= dup;
        !drop
    });
    Some(terms.join(" "))
}

/// True when the record already has `include:<name>` (any qualifier, any case).
pub fn has_include(record: &str, name: &str) -> bool {
    record.split_whitespace().any(|t| {
        unqualified(t).split_once(':').is_some_and(|(m, d)| {
            m.eq_ignore_ascii_case("include") && d.trim_end_matches('.').eq_ignore_ascii_case(name)
        })
    })
}

/// The SPF record with `include:<name>` added before its `all`/`redirect=` term.
pub fn spf_with_include(record: &str, name: &str) -> String {
    if has_include(record, name) {
        return record.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    insert_before_all(record, &format!("include:{name}"))
}

/// The record without the `include:` terms whose target `drop` says to remove, and those targets.
pub fn drop_includes(record: &str, drop: impl Fn(&str) -> bool) -> (String, Vec<String>) {
    let mut dropped = Vec::new();
    let kept: Vec<&str> = record
        .split_whitespace()
        .filter(|t| {
            let target = unqualified(t)
                .split_once(':')
                .filter(|(m, _)| m.eq_ignore_ascii_case("include"))
                .map(|(_, d)| d);
            match target {
                Some(d) if drop(d) => {
                    dropped.push(d.to_string());
                    false
                }
                _ => true,
            }
        })
        .collect();
    (kept.join(" "), dropped)
}

/// The record without a `redirect=` whose target `drop` says is dead, and that target. With
/// no `all` left, the terms `authorise` gives (the sending IP or service) and `~all` take its
/// place, so the record still authorises this sender and ends in a policy (RFC 7208 6.1).
pub fn replace_redirect(
    record: &str,
    drop: impl Fn(&str) -> bool,
    authorise: &[String],
) -> Option<(String, String)> {
    let mut terms: Vec<String> = record.split_whitespace().map(str::to_string).collect();
    let at = terms.iter().position(|t| {
        t.get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("redirect="))
            && drop(&t[9..])
    })?;
    let target = terms.remove(at)[9..].to_string();
    if !terms.iter().any(|t| normalise_all(t).is_some()) {
        for a in authorise {
            if !terms.iter().any(|t| t.eq_ignore_ascii_case(a)) {
                terms.push(a.clone());
            }
        }
        terms.push("~all".into());
    }
    Some((terms.join(" "), target))
}

/// A starting SPF record: only the IP the user gave us, never addresses we would have to guess.
pub fn spf_starter(ip: Option<IpAddr>) -> String {
    match ip {
        Some(ip) => spf_with_ip("v=spf1 ~all", ip),
        None => "v=spf1 mx ~all".to_string(),
    }
}

pub use super::dmarc_records::{
    dmarc_merge, dmarc_monitor, dmarc_repair, dmarc_stage, dmarc_stage_sp, dmarc_without, rua_for,
};

pub use crate::domain_name::reverse_name;

/// The host name the PTR should point at: the HELO name when it is a name, else mail.<domain>.
pub fn ptr_target(domain: &str, helo: Option<&str>) -> String {
    match helo.map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase()) {
        Some(h) if h.contains('.') && h.parse::<IpAddr>().is_err() && !h.starts_with('[') => h,
        _ => format!("mail.{domain}"),
    }
}

/// The PTR to ask the IP's owner for, and the forward record that must match it.
pub fn ptr_records(
    k: &Knowledge,
    ip: IpAddr,
    domain: &str,
    helo: Option<&str>,
) -> Vec<RecordToPublish> {
    let host = ptr_target(domain, helo);
    let fwd = if ip.is_ipv4() { "A" } else { "AAAA" };
    vec![
        RecordToPublish {
            name: reverse_name(ip),
            rtype: "PTR".into(),
            value: host.clone(),
            note: k.message("note-ptr-ask-owner"),
        },
        RecordToPublish {
            name: host.clone(),
            rtype: fwd.into(),
            value: ip.to_string(),
            note: k.message_with(
                "note-ptr-forward",
                &[("host", &host), ("ip", &ip.to_string())],
            ),
        },
    ]
}

/// The forward record that makes the name a PTR already gives lead back to the IP.
/// The A/AAAA that makes `host` lead to `ip`; `note` says whose name it is (the PTR's,
/// `note-ptr-forward-existing`, or the HELO's, `note-ptr-forward-helo`).
pub fn ptr_forward_record(k: &Knowledge, ip: IpAddr, host: &str, note: &str) -> RecordToPublish {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    RecordToPublish {
        rtype: if ip.is_ipv4() { "A" } else { "AAAA" }.into(),
        value: ip.to_string(),
        note: k.message_with(note, &[("host", &host), ("ip", &ip.to_string())]),
        name: host,
    }
}

/// The key record with its public key's PEM armour (`-----BEGIN PUBLIC KEY-----` ...
/// `-----END PUBLIC KEY-----`) taken out of `p=`, when the base64 left is a key the check
/// accepts: a DKIM record holds only the base64 (RFC 6376 section 3.6.1). None when `p=` has
/// no armour or what is left is still no usable key.
pub fn dkim_unarmoured(record: &str) -> Option<String> {
    let mut found = false;
    let tags: Vec<String> = record
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("p") && v.contains("-----BEGIN") => {
                found = true;
                let mut key = String::new();
                let mut rest = v;
                while let Some(i) = rest.find("-----") {
                    key.push_str(&rest[..i]);
                    let label = &rest[i + 5..];
                    rest = label.find("-----").map_or("", |j| &label[j + 5..]);
                }
                key.push_str(rest);
                let key: String = key
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                format!("p={key}")
            }
            _ => t.to_string(),
        })
        .collect();
    let fixed = tags.join("; ");
    (found && crate::checks::dkim_key_usable(&fixed)).then_some(fixed)
}

/// The selector a rotation publishes the new key under: `<old>-2048`, unless that is the old one.
pub fn rotated_selector(selector: &str) -> String {
    if selector.ends_with("-2048") {
        format!("{selector}-new")
    } else {
        format!("{selector}-2048")
    }
}

/// The rotation records for a short DKIM key: new selector first, old one revoked last.
pub fn dkim_rotation(
    k: &Knowledge,
    domain: &str,
    selector: &str,
    bits: Option<usize>,
) -> Vec<RecordToPublish> {
    let new_sel = rotated_selector(selector);
    let size = bits
        .map(|b| format!("{b}-bit"))
        .unwrap_or_else(|| "short".into());
    vec![
        RecordToPublish::txt(
            format!("{new_sel}._domainkey.{domain}"),
            "v=DKIM1; k=rsa; p=<base64 public key of a new 2048-bit RSA key pair>",
            k.message_with("note-dkim-rotation-new", &[("new_selector", &new_sel)]),
        ),
        RecordToPublish::txt(
            format!("{selector}._domainkey.{domain}"),
            "v=DKIM1; p=",
            k.message_with(
                "note-dkim-rotation-revoke",
                &[("selector", selector), ("size", &size)],
            ),
        ),
    ]
}

/// The same DKIM key record without the `t=y` testing flag (other `t=` flags such as `s` kept).
pub fn dkim_without_testing(record: &str) -> String {
    let mut tags: Vec<String> = Vec::new();
    for raw in record.split(';') {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        match t.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("t") => {
                let flags: Vec<&str> = v
                    .split(':')
                    .map(str::trim)
                    .filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case("y"))
                    .collect();
                if !flags.is_empty() {
                    tags.push(format!("t={}", flags.join(":")));
                }
            }
            Some((k, v)) => tags.push(format!("{}={}", k.trim(), v.trim())),
            None => tags.push(t.to_string()),
        }
    }
    tags.join("; ")
}

/// A DKIM key record without its `h=` restriction: a key limited to `h=sha1` cannot verify
/// rsa-sha256 signatures, and verifiers reject rsa-sha1 ones (RFC 8301 section 3.1), so the
/// same key with every hash allowed (or `h=sha256`) is what to publish.
pub fn dkim_without_sha1_only(record: &str) -> String {
    record
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .filter(|t| {
            !t.split_once('=')
                .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("h"))
        })
        .map(|t| match t.split_once('=') {
            Some((k, v)) => format!("{}={}", k.trim(), v.trim()),
            None => t.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The records that make an ESP's sending path align with the From domain: a return-path
/// (MAIL FROM) host under the domain delegated to the ESP, and a DKIM key under the domain.
pub fn alignment_records(
    k: &Knowledge,
    domain: &str,
    spf_domain: Option<&str>,
    dkim_domain: Option<&str>,
    selector: Option<&str>,
) -> Vec<RecordToPublish> {
    let mut out = Vec::new();
    if let Some(esp) = spf_domain.filter(|d| !d.is_empty()) {
        out.push(RecordToPublish {
            name: format!("bounces.{domain}"),
            rtype: "CNAME".into(),
            value: esp.trim_end_matches('.').to_string(),
            note: k.message_with("note-alignment-return-path", &[("domain", domain)]),
        });
    }
    if let Some(esp) = dkim_domain.filter(|d| !d.is_empty()) {
        let sel = selector.filter(|s| !s.is_empty()).unwrap_or("<selector>");
        out.push(RecordToPublish {
            name: format!("{sel}._domainkey.{domain}"),
            rtype: "CNAME".into(),
            value: format!("{sel}._domainkey.{}", esp.trim_end_matches('.')),
            note: k.message_with("note-alignment-dkim", &[("domain", domain)]),
        });
    }
    out
}

/// One line per include/redirect with what it costs, costliest first.
///
/// Per the `SpfNode` contract a child's `total_lookups` counts its own record and below; the
/// include/redirect term that reaches it is counted in the parent, so its cost is 1 + total.
pub fn spf_lookup_breakdown(tree: &SpfNode) -> Vec<String> {
    let mut out = Vec::new();
    let mut children: Vec<&SpfNode> = tree.children.iter().collect();
    children.sort_by(|a, b| {
        b.total_lookups
            .cmp(&a.total_lookups)
            .then_with(|| a.domain.cmp(&b.domain))
    });
    for c in children {
        let what = match c.error.as_deref() {
            Some(e) => format!(" ({e})"),
            None => String::new(),
        };
        let cost = c.total_lookups.saturating_add(1);
        out.push(format!(
            "{}:{} costs {} lookup{} (1 for the {} itself + {} inside){}",
            c.via,
            c.domain,
            cost,
            if cost == 1 { "" } else { "s" },
            c.via,
            c.total_lookups,
            what
        ));
    }
    let own_direct = tree.own_lookups.saturating_sub(tree.children.len() as u32);
    if own_direct > 0 {
        out.push(format!(
            "{own_direct} lookup{} from a/mx/ptr/exists terms of {} itself: replace them with ip4:/ip6: ranges you control",
            if own_direct == 1 { "" } else { "s" },
            tree.domain
        ));
    }
    out
}

/// Strips the presentation quoting a TXT answer may carry ("a" "b" -> ab).
pub(super) fn unquote_txt(s: &str) -> String {
    txt_strings(s).concat()
}

/// The character-strings of a TXT answer in presentation form (`"a" "b"`), unescaped; an
/// unquoted answer is one string.
pub(super) fn txt_strings(s: &str) -> Vec<String> {
    let t = s.trim();
    if !t.starts_with('"') {
        return vec![t.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inside = false;
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                if inside {
                    out.push(std::mem::take(&mut cur));
                }
                inside = !inside;
            }
            '\\' if inside => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if inside => cur.push(c),
            _ => {}
        }
    }
    if inside {
        out.push(cur);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_publish_note_asks_to_tighten_only_a_record_not_ending_in_minus_all() {
        let k = Knowledge::builtin().unwrap();
        let strict = spf_publish_note(&k, "v=spf1 ip4:192.0.2.0/24 -all");
        assert!(!strict.contains("tighten"), "{strict}");
        assert!(strict.contains("include:"), "{strict}");
        let soft = spf_publish_note(&k, "v=spf1 include:_spf.google.com ~all");
        assert!(soft.contains("tighten ~all to -all"), "{soft}");
        let neutral = spf_publish_note(&k, "v=spf1 mx ?all");
        assert!(neutral.contains("tighten ?all to -all"), "{neutral}");
        // A redirect takes its `all` from the target: nothing to tighten here.
        let redirect = spf_publish_note(&k, "v=spf1 redirect=_spf.example.com");
        assert!(!redirect.contains("tighten"), "{redirect}");
    }

    #[test]
    fn merging_keeps_every_mechanism_and_the_strictest_all() {
        let m = merge_spf(&[
            "v=spf1 include:_spf.google.com ~all".into(),
            "v=spf1 ip4:192.0.2.1 include:_spf.google.com -all".into(),
        ])
        .unwrap();
        assert_eq!(
            m.record,
            "v=spf1 include:_spf.google.com ip4:192.0.2.1 -all"
        );
    }

    #[test]
    fn a_dead_redirect_is_replaced_by_the_senders_terms_and_a_policy() {
        let auth = ["ip4:192.0.2.31".to_string()];
        let (rec, target) = replace_redirect(
            "v=spf1 redirect=_spf.gone.example",
            |t| t == "_spf.gone.example",
            &auth,
        )
        .unwrap();
        assert_eq!(
            (rec.as_str(), target.as_str()),
            ("v=spf1 ip4:192.0.2.31 ~all", "_spf.gone.example")
        );
        // A live redirect stays.
        assert!(replace_redirect("v=spf1 redirect=_spf.ok.example", |_| false, &auth).is_none());
    }

    #[test]
    fn merging_drops_redirect_when_an_all_is_present() {
        let m = merge_spf(&[
            "v=spf1 redirect=_spf.example.net".into(),
            "v=spf1 mx ?all".into(),
        ])
        .unwrap();
        assert_eq!(m.record, "v=spf1 mx ?all");
        assert!(m.notes[0].contains("redirect=_spf.example.net"));
        assert!(merge_spf(&["hello".into()]).is_none());
    }

    #[test]
    fn includes_are_added_before_all_once_and_dropped_by_target() {
        assert_eq!(
            spf_with_include("v=spf1 mx -all", "_spf.google.com"),
            "v=spf1 mx include:_spf.google.com -all"
        );
        assert_eq!(
            spf_with_include("v=spf1 include:_SPF.google.com -all", "_spf.google.com"),
            "v=spf1 include:_SPF.google.com -all"
        );
        let (r, d) = drop_includes("v=spf1 include:a.example ~include:b.example -all", |n| {
            n == "b.example"
        });
        assert_eq!(r, "v=spf1 include:a.example -all");
        assert_eq!(d, ["b.example"]);
    }

    #[test]
    fn ip_goes_before_all() {
        assert_eq!(
            spf_with_ip("v=spf1 mx -all", "192.0.2.7".parse().unwrap()),
            "v=spf1 mx ip4:192.0.2.7 -all"
        );
        assert_eq!(
            spf_with_ip("v=spf1", "2001:db8::1".parse().unwrap()),
            "v=spf1 ip6:2001:db8::1"
        );
    }

    #[test]
    fn testing_flag_is_removed_and_other_flags_kept() {
        assert_eq!(
            dkim_without_testing("v=DKIM1; k=rsa; t=y; p=ABC"),
            "v=DKIM1; k=rsa; p=ABC"
        );
        assert_eq!(
            dkim_without_testing("v=DKIM1; t=y:s; p=ABC;"),
            "v=DKIM1; t=s; p=ABC"
        );
        assert_eq!(rotated_selector("s1"), "s1-2048");
        assert_eq!(rotated_selector("k-2048"), "k-2048-new");
    }

    #[test]
    fn reverse_names_for_v4_and_v6() {
        assert_eq!(
            reverse_name("192.0.2.7".parse().unwrap()),
            "7.2.0.192.in-addr.arpa"
        );
        let v6 = reverse_name("2001:db8::1".parse().unwrap());
        assert!(
            v6.starts_with("1.0.0.0.") && v6.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"),
            "{v6}"
        );
    }

    #[test]
    fn ptr_target_prefers_a_helo_name_over_an_ip_literal() {
        assert_eq!(
            ptr_target("example.com", Some("smtp.example.com.")),
            "smtp.example.com"
        );
        assert_eq!(
            ptr_target("example.com", Some("[192.0.2.1]")),
            "mail.example.com"
        );
        assert_eq!(
            ptr_target("example.com", Some("localhost")),
            "mail.example.com"
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod as_read_tests {
    use super::spf_as_read;

    #[test]
    fn terms_after_all_move_before_it_and_a_redirect_beside_all_goes() {
        let (r, moved, redirect) =
            spf_as_read("v=spf1 ip4:192.0.2.1 -all ip4:192.0.2.2 exp=x.example");
        assert_eq!(r, "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all exp=x.example");
        assert_eq!(moved, ["ip4:192.0.2.2"]);
        assert_eq!(redirect, None);
        let (r, moved, redirect) = spf_as_read("v=spf1 mx redirect=_spf.example.com ~all");
        assert_eq!(r, "v=spf1 mx ~all");
        assert!(moved.is_empty());
        assert_eq!(redirect.as_deref(), Some("_spf.example.com"));
        // Without `all` the redirect applies: nothing changes.
        let (r, _, redirect) = spf_as_read("v=spf1 ip4:192.0.2.1 redirect=_spf.example.com");
        assert_eq!(r, "v=spf1 ip4:192.0.2.1 redirect=_spf.example.com");
        assert_eq!(redirect, None);
    }
}
