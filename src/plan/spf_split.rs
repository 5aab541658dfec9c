//! An SPF record whose TXT strings were joined without a space: the glued term split again.
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
            let bare = tail.trim_start_matches(['+', '-', '~', '?']);
            let lower = bare.to_ascii_lowercase();
            TERM_STARTS.iter().any(|s| lower.starts_with(s)) && parses(head) && parses(tail)
        })
        .map(|(head, tail)| format!("{head} {tail}"))
}

/// The record with every broken term that is two glued terms split again; None when nothing
/// was glued or the repaired record still has errors.
pub(super) fn unglue(record: &str) -> Option<(String, Vec<String>)> {
    if parse::parse(record).errors.is_empty() || !parse::is_spf(record) {
        return None;
    }
    let mut glued = Vec::new();
    let terms: Vec<String> = record
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            if t.eq_ignore_ascii_case("v=spf1") || parses(t) {
                return t.to_string();
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
    (!glued.is_empty() && parse::parse(&fixed).errors.is_empty()).then_some((fixed, glued))
}

/// The `spf-fix` step that republishes a record whose strings were joined without a space.
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
    let Some((fixed, glued)) = record.and_then(unglue) else {
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
    d.records.push(RecordToPublish {
        name: domain.to_string(),
        rtype: "TXT".into(),
        value: fixed,
        note: ctx.k.message("spf-glued-strings-note"),
    });
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
    fn a_record_that_parses_or_cannot_be_split_is_left_alone() {
        assert_eq!(unglue("v=spf1 ip4:192.0.2.1 -all"), None);
        assert_eq!(unglue("v=spf1 ip4:999.0.2.1 -all"), None);
    }
}
