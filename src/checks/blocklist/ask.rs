//! One question to one list and what its answer means: listed (with the codes' meanings and
//! the list's TXT reason), not listed, or could not check (refused, outside 127.0.0.0/8,
//! DNS trouble). Only a 127.0.0.0/8 answer that is not a refusal code is a listing.

use super::facts::{Ask, ListResult, State, result};
use super::knowledge::{BlocklistRule, ListKind};
use super::names;
use crate::dns::{Answer, Dns, Outcome, RType};
use crate::finding::{Check, Finding, Severity, finding};
use std::net::{IpAddr, Ipv4Addr};

/// Longest TXT reason kept from a list (some answer with kilobytes of garbage).
const MAX_REASON: usize = 300;

/// The reason of a list `--offline` did not ask.
pub(super) const OFFLINE: &str = "not looked up: outside the --zone files, --offline";

/// Asks one list about one item and reads the answer.
pub(super) async fn ask(dns: &Dns, a: &Ask<'_>) -> (ListResult, Option<Finding>) {
    let l = a.list;
    let zone = match names::zone(l) {
        Ok(z) => z,
        Err(why) => {
            let r = result(l, &a.item, "", State::CouldNotCheck, a.named).with_reason(why.clone());
            let f = finding(
                "blocklist-not-checked",
                Check::Blocklist,
                Severity::Warning,
                format!("{}.{}", a.labels, l.zone),
                format!("{} could not be checked for {}: {why}.", l.name, a.item),
            )
            .inconclusive();
            return (r, Some(f));
        }
    };
    let query = format!("{}.{zone}", a.labels);
    let answer = dns.query(&query, RType::A).await;
    let mut r = result(l, &a.item, &answer.name, State::NotListed, a.named);
    let subject = answer.name.clone();
    match &answer.outcome {
        Outcome::NxDomain | Outcome::NoData => return (r, None),
        Outcome::Answer => {}
        other => {
            let why = trouble(other);
            r.state = State::CouldNotCheck;
            r.reason = Some(why.clone());
            let f = finding(
                "blocklist-not-checked",
                Check::Blocklist,
                Severity::Warning,
                subject,
                format!(
                    "{} could not be checked for {} ({why}): neither listed nor clean.",
                    l.name, a.item
                ),
            )
            .with_queries([answer.id])
            .inconclusive();
            return (r, Some(f));
        }
    }
    let v4 = ipv4_of(&answer);
    r.answers = v4.iter().map(|a| a.to_string()).collect();
    let outside: Vec<&Ipv4Addr> = v4.iter().filter(|a| a.octets()[0] != 127).collect();
    if v4.is_empty() || !outside.is_empty() {
        let shown: Vec<String> = outside.iter().map(|a| a.to_string()).collect();
        let why = format!(
            "it answered {}, outside 127.0.0.0/8: an error of the list (a wildcard or an expired zone), not a listing",
            if shown.is_empty() {
                "no IPv4 address".to_string()
            } else {
                shown.join(", ")
            }
        );
        r.state = State::CouldNotCheck;
        r.reason = Some(why.clone());
        let f = finding(
            "blocklist-bad-answer",
            Check::Blocklist,
            Severity::Warning,
            subject,
            format!("{} could not be checked for {}: {why}.", l.name, a.item),
        )
        .with_queries([answer.id])
        .inconclusive();
        return (r, Some(f));
    }
    if let Some((code, why)) = v4.iter().find_map(|c| l.refused(*c).map(|m| (c, m))) {
        r.state = State::CouldNotCheck;
        r.meanings = vec![why.clone()];
        let hint = match &l.key_env {
            Some(var) => format!("; ask through your own resolver, or set ${var} to an access key"),
            None => "; ask through your own resolver".to_string(),
        };
        r.reason = Some(format!("refused: {code} means {why}"));
        let f = finding(
            "blocklist-query-refused",
            Check::Blocklist,
            Severity::Warning,
            subject,
            format!(
                "{} refused the question about {} ({code}: {why}); this is neither a listing nor a clean result{hint}.",
                l.name, a.item
            ),
        )
        .with_queries([answer.id])
        .inconclusive();
        return (r, Some(f));
    }
    if let Some((point, probe)) = lists_test_point(dns, l, &a.labels, &zone).await {
        let why = format!(
            "it also lists {point}, which no list may list (RFC 5782 section 5): it answers for every {}, so the answer is an error of the list (a wildcard, an expired zone) or of the resolver, not a listing",
            if l.kind == ListKind::Domain {
                "name"
            } else {
                "address"
            }
        );
        r.state = State::CouldNotCheck;
        r.reason = Some(why.clone());
        let f = finding(
            "blocklist-bad-answer",
            Check::Blocklist,
            Severity::Warning,
            subject,
            format!("{} could not be checked for {}: {why}.", l.name, a.item),
        )
        .with_queries([answer.id, probe])
        .inconclusive();
        return (r, Some(f));
    }
    r.state = State::Listed;
    let mut meanings: Vec<String> = Vec::new();
    for c in &v4 {
        let m = l.meanings(*c);
        if m.is_empty() {
            meanings.push(format!(
                "{c}: a code rules/blocklists.toml does not document"
            ));
        }
        for m in m {
            if !meanings.contains(&m) {
                meanings.push(m);
            }
        }
    }
    r.meanings = meanings;
    let txt = dns.query(&query, RType::TXT).await;
    r.txt = reason_text(&txt);
    let said = r
        .txt
        .as_deref()
        .map(|t| format!(" The list says: \"{t}\"."))
        .unwrap_or_default();
    let f = if l.kind == ListKind::Allow {
        finding(
            "blocklist-allowlisted",
            Check::Blocklist,
            Severity::Info,
            subject,
            format!(
                "{} is on the allow list {} ({}: {}).",
                a.item,
                l.name,
                r.answers.join(", "),
                r.meanings.join("; ")
            ),
        )
    } else {
        finding(
            "blocklist-listed",
            Check::Blocklist,
            Severity::Error,
            subject,
            format!(
                "{} is listed on {} ({}): {}.{said} Removal: {}",
                a.item,
                l.name,
                r.answers.join(", "),
                r.meanings.join("; "),
                l.removal
            ),
        )
    };
    (r, Some(f.with_queries([answer.id, txt.id])))
}

/// The entry RFC 5782 section 5 forbids a list to hold, for an item asked as `labels`:
/// 127.0.0.1 (`::1` for a question in nibble form) for an address list, the name `invalid`
/// for a domain list. Asked only once an item seems listed, so a clean result costs nothing.
/// `Some((entry, query id))` when the list answers for it with an address in 127.0.0.0/8: a
/// list that lists everything. A failed or negative test question leaves the listing alone,
/// and so does one the list refused (its refused code: a quota reached between the two
/// questions) or answered outside 127.0.0.0/8 (a resolver's wildcard): neither says what the
/// list holds.
async fn lists_test_point(
    dns: &Dns,
    l: &BlocklistRule,
    labels: &str,
    zone: &str,
) -> Option<(String, usize)> {
    let (point, labels) = match l.kind {
        ListKind::Domain => ("the name `invalid`".to_string(), "invalid".to_string()),
        ListKind::Ip | ListKind::Allow if labels.split('.').count() > 4 => (
            "its test entry ::1".to_string(),
            names::ip_labels(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)),
        ),
        ListKind::Ip | ListKind::Allow => (
            "its test entry 127.0.0.1".to_string(),
            names::ip_labels(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        ),
    };
    let probe = dns.query(&format!("{labels}.{zone}"), RType::A).await;
    if probe.outcome != Outcome::Answer {
        return None;
    }
    let v4 = ipv4_of(&probe);
    let listed = !v4.is_empty()
        && v4
            .iter()
            .all(|v| v.octets()[0] == 127 && l.refused(*v).is_none());
    listed.then(|| (format!("{point} ({})", probe.name), probe.id))
}

/// Why a question got no usable answer, in words.
/// The IPv4 addresses of an A answer (a list's return codes; RFC 5782 uses A records only).
fn ipv4_of(answer: &Answer) -> Vec<Ipv4Addr> {
    answer
        .ips()
        .into_iter()
        .filter_map(|i| match i {
            IpAddr::V4(v) => Some(v),
            IpAddr::V6(_) => None,
        })
        .collect()
}

fn trouble(o: &Outcome) -> String {
    match o {
        Outcome::Offline => OFFLINE.into(),
        other => match other.detail() {
            Some(d) => format!("{}: {d}", other.label()),
            None => other.label().to_string(),
        },
    }
}

/// The TXT a list publishes beside a listing, made safe to show: printable characters only,
/// cut at [`MAX_REASON`]. A failed or oversized TXT leaves no reason, not a failed check.
fn reason_text(txt: &Answer) -> Option<String> {
    let joined = txt.txt_strings().join(" ");
    let clean: String = joined
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    if clean.is_empty() {
        return None;
    }
    if clean.chars().count() > MAX_REASON {
        let cut: String = clean.chars().take(MAX_REASON).collect();
        return Some(format!("{cut}..."));
    }
    Some(clean)
}
