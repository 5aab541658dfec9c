//! An SPF record that one slip made a permerror: TXT strings joined without a space (the glued
//! term split again), or an address and a host name swapped between `ip4:`/`ip6:` and `a:`.
//!
//! RFC 7208 section 3.3 joins the strings of a TXT record with nothing between them, so a
//! record written as `"v=spf1 ... include:_spf.example.com" "~all"` reads
//! `include:_spf.example.com~all`: one broken term, a permerror for every message.

use super::draft::{Ctx, Draft};
use super::types::RecordToPublish;
use crate::checks::spf::parse;
use crate::finding::Finding;

/// Where a term that lost its space may have started.
const TERM_STARTS: [&str; 10] = [
    "all",
    "include:",
    "a",
    "mx",
    "ptr",
    "ip4:",
    "ip6:",
    "exists:",
    "redirect=",
    "exp=",
];

fn parses(terms: &str) -> bool {
    parse::parse(&format!("v=spf1 {terms}")).errors.is_empty()
}

/// The first split of `term` into two terms that each parse, where the second starts like a
/// term of its own (optionally with a qualifier).
fn split_term(term: &str) -> Option<String> {
    (1..term.len())
        .filter(|&i| term.is_char_boundary(i))
        .map(|i| (&term[..i], &term[i..]))
        .find(|(head, tail)| {
            let bare = super::records::unqualified(tail);
            let lower = bare.to_ascii_lowercase();
            TERM_STARTS.iter().any(|s| lower.starts_with(s)) && parses(head) && parses(tail)
        })
        .map(|(head, tail)| format!("{head} {tail}"))
}

/// A term whose mechanism takes the other kind of argument: `ip4:mail.example.com` (a host
/// name where an address belongs: the owner meant that host's address, `a:`), `a:192.0.2.1` (an
/// address where a domain belongs, RFC 7208 section 7.1: `ip4:`). The replacement keeps the
/// qualifier and any prefix length.
fn swapped_term(term: &str) -> Option<String> {
    let q = term.len() - super::records::unqualified(term).len();
    let (qual, bare) = term.split_at(q);
    let (mech, arg) = bare.split_once(':')?;
    let (host, cidr) = match arg.split_once('/') {
        Some((h, c)) => (h, format!("/{c}")),
        None => (arg, String::new()),
    };
    let mech = mech.to_ascii_lowercase();
    let fixed = match (mech.as_str(), host.parse::<std::net::IpAddr>()) {
        ("ip4" | "ip6", Err(_))
            if host.contains('.')
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
                && host.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            format!("{qual}a:{host}")
        }
        ("a" | "mx", Ok(std::net::IpAddr::V4(ip))) => format!("{qual}ip4:{ip}{cidr}"),
        ("a" | "mx", Ok(std::net::IpAddr::V6(ip))) => format!("{qual}ip6:{ip}{cidr}"),
        _ => return None,
    };
    parses(&fixed).then_some(fixed)
}

/// What `repair` changed: the glued terms split again, and the swapped terms with what
/// replaces them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Repaired {
    pub record: String,
    pub glued: Vec<String>,
    pub swapped: Vec<(String, String)>,
}

/// The record with every broken term that is two glued terms split again; None when nothing
/// was glued or the repaired record still has errors.
#[cfg(test)]
fn unglue(record: &str) -> Option<(String, Vec<String>)> {
    repair(record)
        .filter(|r| r.swapped.is_empty())
        .map(|r| (r.record, r.glued))
}

/// The record with every broken term repaired: two glued terms split again, an address and a
/// host name swapped between `ip4:`/`ip6:` and `a:`/`mx:` put right. None when nothing was
/// repaired or the repaired record still has errors.
pub(super) fn repair(record: &str) -> Option<Repaired> {
    if parse::parse(record).errors.is_empty() || !parse::is_spf(record) {
        return None;
    }
    let mut glued = Vec::new();
    let mut swapped = Vec::new();
    let terms: Vec<String> = record
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t.eq_ignore_ascii_case("v=spf1") || parses(t) {
                return t.to_string();
            }
            if let Some(s) = swapped_term(t) {
                swapped.push((t.to_string(), s.clone()));
                return s;
            }
            match split_term(t) {
                Some(s) => {
                    glued.push(t.to_string());
                    s
                }
                None => t.to_string(),
            }
        })
        .collect();
    let fixed = terms.join(" ");
    ((!glued.is_empty() || !swapped.is_empty()) && parse::parse(&fixed).errors.is_empty())
        .then_some(Repaired {
            record: fixed,
            glued,
            swapped,
        })
}

/// The record a TXT answer (presentation form, `"v=spf1" "ip4:192.0.2.1" "-all"`) meant when its
/// `v=spf1` runs into the next term (RFC 7208 section 4.5): the strings joined with a space and
/// every run of white space made one space (no SPF term holds white space), then any glued term
/// split again. None when the TXT is no such record or the repair still does not parse.
pub(super) fn unterminated(answer: &str) -> Option<String> {
    let parts = super::records::txt_strings(answer);
    let joined = parts.concat();
    let b = joined.as_bytes();
    if b.len() <= 6 || !b[..6].eq_ignore_ascii_case(b"v=spf1") || b[6] == b' ' {
        return None;
    }
    let spaced = parts.join(" ");
    let mut words = spaced.split_whitespace();
    let version = words.next()?;
    let rest: Vec<&str> = words.collect();
    // `v=spf1ip4:...`: the version is the first six characters of the first word. Strings
    // that cut the version itself (`"v=s" "pf1ip4:..."`) have no such word: no repair.
    let (Some(head), Some(tail)) = (version.get(..6), version.get(6..)) else {
        return None;
    };
    let fixed = std::iter::once(head)
        .chain((!tail.is_empty()).then_some(tail))
        .chain(rest)
        .collect::<Vec<_>>()
        .join(" ");
    if parse::parse(&fixed).errors.is_empty() {
        return Some(fixed);
    }
    repair(&fixed).map(|r| r.record)
}

/// The `spf-fix` step that republishes a record whose strings were joined without a space, or
/// whose `ip4:`/`a:` terms hold the other kind of argument.
pub(super) fn step(
    ctx: &Ctx<'_>,
    domain: &str,
    record: Option<&str>,
    ttl: Option<u32>,
    pool: &mut Vec<&Finding>,
    out: &mut Vec<Draft>,
) {
    let own = |f: &&Finding| f.id == "spf-syntax-error" && f.subject.eq_ignore_ascii_case(domain);
    if !pool.iter().any(own) {
        return;
    }
    let Some(Repaired {
        record: fixed,
        glued,
        swapped,
    }) = record.and_then(repair)
    else {
        return;
    };
    let mut d = Draft::new("spf-fix", "spf");
    // The syntax error, the permerror it causes, and a missing `all` that was only glued on.
    let settled = |f: &&Finding| {
        f.subject.eq_ignore_ascii_case(domain)
            && (f.id == "spf-syntax-error"
                || f.id == "spf-permerror"
                || (f.id == "spf-no-all" && parse::parse(&fixed).all().is_some()))
    };
    pool.retain(|f| {
        let hit = settled(f);
        if hit {
            d.findings.push(f.id.clone());
        }
        !hit
    });
    for term in &glued {
        d.details.push(
            ctx.k
                .message_with("spf-glued-strings", &[("subject", term.as_str())]),
        );
    }
    for (term, with) in &swapped {
        d.details.push(ctx.k.message_with(
            "spf-swapped-term",
            &[("subject", term.as_str()), ("record", with.as_str())],
        ));
    }
    d.records.push(RecordToPublish::txt(
        domain.to_string(),
        fixed,
        ctx.k.message(if glued.is_empty() {
            "spf-swapped-term-note"
        } else {
            "spf-glued-strings-note"
        }),
    ));
    d.wait = ttl;
    out.push(d);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::unglue;

    #[test]
    fn strings_joined_without_a_space_are_split_where_a_term_starts() {
        let (fixed, glued) = unglue("v=spf1 ip4:192.0.2.1 include:_spf.example.com~all").unwrap();
        assert_eq!(fixed, "v=spf1 ip4:192.0.2.1 include:_spf.example.com ~all");
        assert_eq!(glued, ["include:_spf.example.com~all"]);
        let (fixed, _) = unglue("v=spf1 ip4:192.0.2.1include:_spf.example.com -all").unwrap();
        assert_eq!(fixed, "v=spf1 ip4:192.0.2.1 include:_spf.example.com -all");
    }

    #[test]
    fn a_version_run_into_the_next_term_gets_its_spaces_back() {
        use super::unterminated;
        assert_eq!(
            unterminated(r#""v=spf1" "ip4:192.0.2.7" "-all""#).as_deref(),
            Some("v=spf1 ip4:192.0.2.7 -all")
        );
        assert_eq!(
            unterminated("\"v=spf1\tinclude:_spf.example.com ~all\"").as_deref(),
            Some("v=spf1 include:_spf.example.com ~all")
        );
        assert_eq!(
            unterminated(r#""v=spf1ip4:192.0.2.7 mx" "~all""#).as_deref(),
            Some("v=spf1 ip4:192.0.2.7 mx ~all")
        );
        assert_eq!(unterminated(r#""v=spf1 ip4:192.0.2.7 -all""#), None);
        assert_eq!(unterminated(r#""v=spf10 -all""#), None);
        assert_eq!(unterminated(r#""v=s" "pf1ip4:192.0.2.7 -all""#), None);
    }

    #[test]
    fn an_address_and_a_host_name_in_each_others_mechanism_are_put_right() {
        let r = super::repair("v=spf1 ip4:mail.example.com -all").unwrap();
        assert_eq!(r.record, "v=spf1 a:mail.example.com -all");
        assert_eq!(
            r.swapped,
            [(
                "ip4:mail.example.com".to_string(),
                "a:mail.example.com".to_string()
            )]
        );
        let r = super::repair("v=spf1 ~a:192.0.2.7/28 mx -all").unwrap();
        assert_eq!(r.record, "v=spf1 ~ip4:192.0.2.7/28 mx -all");
        let r = super::repair("v=spf1 a:2001:db8::25 -all").unwrap();
        assert_eq!(r.record, "v=spf1 ip6:2001:db8::25 -all");
        // Not one of these slips: left alone.
        assert_eq!(super::repair("v=spf1 ip4:192.0.2.300 -all"), None);
        assert_eq!(unglue("v=spf1 ip4:mail.example.com -all"), None);
    }

    #[test]
    fn a_record_that_parses_or_cannot_be_split_is_left_alone() {
        assert_eq!(unglue("v=spf1 ip4:192.0.2.1 -all"), None);
        assert_eq!(unglue("v=spf1 ip4:999.0.2.1 -all"), None);
    }
}
