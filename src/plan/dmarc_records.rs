//! Exact DMARC records for the plan: a monitoring record, the RFC 9989 stages (`t=y`, `np`), and
//! one record made of several (merged) or of a misordered one (`v=DMARC1` put first).

use crate::checks::dmarc_record::{policy_ok, strength};

/// The mailbox that receives aggregate reports.
pub fn rua_for(domain: &str) -> String {
    format!("mailto:dmarc-reports@{domain}")
}

/// Tags in written order, names lower-case, `v` wherever it was.
fn tags(record: &str) -> Vec<(String, String)> {
    // Tags written with only spaces between them are read as the owner wrote them.
    let separated = crate::checks::dmarc_record::separated(record);
    separated
        .as_deref()
        .unwrap_or(record)
        .split(';')
        .filter_map(|t| {
            let (k, v) = t.split_once('=')?;
            let k = k.trim().to_ascii_lowercase();
            (!k.is_empty()).then(|| (k, v.trim().to_string()))
        })
        .collect()
}

/// A tag list written back as records carry it (`k=v; k=v`): DMARC's and DKIM's alike.
pub(super) fn join(tags: &[(String, String)]) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn get<'a>(tags: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn set_tag(tags: &mut Vec<(String, String)>, key: &str, value: &str, after: &str) {
    if let Some(t) = tags.iter_mut().find(|(k, _)| k == key) {
        t.1 = value.to_string();
        return;
    }
    let pos = tags
        .iter()
        .position(|(k, _)| k == after)
        .map(|p| p + 1)
        .unwrap_or(tags.len());
    tags.insert(pos, (key.to_string(), value.to_string()));
}

/// Whether the plan may carry a published tag into a record it proposes: a tag receivers know
/// with a valid value, and of a report-URI list only the URIs receivers would use. Unknown tags
/// and invalid values are dropped, not copied: what a zone holds is written by anyone, and a
/// proposed record is something the user pastes into their zone.
fn vouched(key: &str, value: &str) -> Option<String> {
    if key == "rua" || key == "ruf" {
        // A bare address (`rua=dmarc@example.com`) is no URI, so receivers send nothing to it;
        // the owner meant its `mailto:` URI, which is what the plan carries.
        let uris: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter_map(|u| {
                if crate::checks::dmarc_record::uri_ok(u) {
                    Some(u.to_string())
                } else {
                    schemeless_address(u)
                }
            })
            .collect();
        return (!uris.is_empty()).then(|| uris.join(","));
    }
    let probe = if key == "p" {
        format!("v=DMARC1; p={value}")
    } else {
        format!("v=DMARC1; p=none; {key}={value}")
    };
    let r = crate::checks::dmarc_record::parse(&probe);
    (r.errors.is_empty() && r.unknown.is_empty()).then(|| value.to_string())
}

/// The `mailto:` URI of a report address written without its scheme, when that is what it is.
fn schemeless_address(u: &str) -> Option<String> {
    let uri = format!("mailto:{u}");
    (!u.contains(':') && u.contains('@') && crate::checks::dmarc_record::uri_ok(&uri))
        .then_some(uri)
}

/// The report addresses of `record` written without `mailto:` (`rua=dmarc@example.com`).
pub(super) fn schemeless_report_addresses(record: &str) -> Vec<String> {
    tags(record)
        .into_iter()
        .filter(|(k, _)| k == "rua" || k == "ruf")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(str::trim)
                .filter(|u| schemeless_address(u).is_some())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `v=DMARC1` first (RFC 9989 section 4.7: else the record is ignored), a `p` present, each tag
/// once (the first occurrence wins, as receivers read it), only tags the plan can vouch for.
fn base_tags(existing: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![("v".into(), "DMARC1".into())];
    for (k, v) in existing.map(tags).unwrap_or_default() {
        if k != "v"
            && !out.iter().any(|(x, _)| *x == k)
            && let Some(v) = vouched(&k, &v)
        {
            out.push((k, v));
        }
    }
    if get(&out, "p").is_none() {
        set_tag(&mut out, "p", "none", "v");
    }
    // `pct` is gone in RFC 9989 (receivers ignore it as unknown); where it changes nothing at
    // the receivers still on RFC 7489 either (100 %, or under `p=none`), the record drops it.
    // A lower percentage of a stronger policy is theirs to keep until a stage replaces it.
    let no_op = get(&out, "pct").is_some_and(|v| v.trim() == "100")
        || get(&out, "p").is_some_and(|p| p.eq_ignore_ascii_case("none"));
    if no_op {
        out.retain(|(k, _)| k != "pct");
    }
    out
}

/// The record as receivers would accept it: `v=DMARC1` first, a valid `p` (none when it had
/// none, as receivers read a record with `rua` and no `p`, RFC 9989 section 4.10.1), each tag
/// once, and no tag whose value is invalid (an invalid `adkim=q` makes receivers distrust the
/// record).
pub fn dmarc_repair(existing: &str) -> String {
    join(&base_tags(Some(existing)))
}

/// [`dmarc_repair`] without `tag`: `psd=y` written on a domain that is no public suffix.
pub fn dmarc_without(existing: &str, tag: &str) -> String {
    let mut t = base_tags(Some(existing));
    t.retain(|(k, _)| k != tag);
    join(&t)
}

/// `v=DMARC1; p=none; rua=...` for a new record, or the existing record with rua= added.
pub fn dmarc_monitor(domain: &str, existing: Option<&str>) -> String {
    let mut t = base_tags(existing);
    if get(&t, "rua").is_none_or(str::is_empty) {
        set_tag(&mut t, "rua", &rua_for(domain), "p");
    }
    join(&t)
}

/// One step of the policy: `p=<policy>`, with `t=y` while testing (receivers then apply one level
/// less, RFC 9989 section 4.7) and `np=<np>` when given and stronger than what is published.
/// `pct` goes: RFC 9989 removed it, and `t=y` stages instead. A policy already stronger than
/// `policy` is kept: a stage never lowers what the domain publishes.
pub fn dmarc_stage(
    domain: &str,
    existing: Option<&str>,
    policy: &str,
    testing: bool,
    np: Option<&str>,
) -> String {
    let mut t = tags(&dmarc_monitor(domain, existing));
    let current = get(&t, "p").unwrap_or("none").to_ascii_lowercase();
    if strength(policy) > strength(&current) {
        set_tag(&mut t, "p", policy, "v");
    }
    t.retain(|(k, _)| k != "pct" && k != "t");
    if testing {
        set_tag(&mut t, "t", "y", "p");
    }
    if let Some(np) = np {
        let now = get(&t, "np").map(str::to_ascii_lowercase);
        if now.as_deref().is_none_or(|n| strength(np) > strength(n)) {
            let after = if get(&t, "sp").is_some() { "sp" } else { "p" };
            set_tag(&mut t, "np", np, after);
        }
    }
    join(&t)
}

/// One step of a subdomain policy (`sp=<policy>`) on the organizational domain's record, for a
/// From domain that inherits `sp`. Without `t=y`: it would make receivers apply one level less
/// to the record's `p` as well, lowering a `p` already stronger (RFC 9989 section 4.7). A
/// stronger `sp` is kept.
pub fn dmarc_stage_sp(domain: &str, existing: Option<&str>, policy: &str) -> String {
    let mut t = tags(&dmarc_monitor(domain, existing));
    let current = get(&t, "sp")
        .or_else(|| get(&t, "p"))
        .unwrap_or("none")
        .to_ascii_lowercase();
    if strength(policy) > strength(&current) {
        set_tag(&mut t, "sp", policy, "p");
    }
    t.retain(|(k, _)| k != "pct");
    join(&t)
}

/// One record from several published at the same name (misordered ones included): `v=DMARC1`
/// first, the strongest valid `p`, `sp` and `np` among them (a merge never lowers a policy), the
/// report addresses of all of them, every other tag as the first record that has it but `pct`.
pub fn dmarc_merge(records: &[String]) -> String {
    let all: Vec<Vec<(String, String)>> = records.iter().map(|r| tags(r)).collect();
    let mut out = base_tags(records.first().map(String::as_str));
    for rec in &all[1.min(all.len())..] {
        for (k, v) in rec {
            if k != "v"
                && get(&out, k).is_none()
                && let Some(v) = vouched(k, v)
            {
                out.push((k.clone(), v));
            }
        }
    }
    for key in ["p", "sp", "np"] {
        let best = all
            .iter()
            .filter_map(|t| get(t, key))
            .map(str::to_ascii_lowercase)
            .filter(|v| policy_ok(v))
            .max_by_key(|v| strength(v));
        if let Some(b) = best {
            set_tag(&mut out, key, &b, "p");
        }
    }
    // pct is gone in RFC 9989; kept beside the strongest p taken from another record, it would
    // apply that policy to only part of the mail at receivers still on RFC 7489: a lowering.
    out.retain(|(k, _)| k != "pct");
    for key in ["rua", "ruf"] {
        let mut uris: Vec<String> = Vec::new();
        for t in &all {
            for u in get(t, key).unwrap_or_default().split(',') {
                let u = u.trim();
                if crate::checks::dmarc_record::uri_ok(u)
                    && !uris.iter().any(|x| x.eq_ignore_ascii_case(u))
                {
                    uris.push(u.to_string());
                }
            }
        }
        if !uris.is_empty() {
            set_tag(&mut out, key, &uris.join(","), "p");
        }
    }
    join(&out)
}

/// Policy tags whose value is no policy but one or two typing slips from one (`p=rejet`):
/// (tag, value as written, the policy it reads like).
pub(super) fn misspelt_policies(record: &str) -> Vec<(String, String, &'static str)> {
    const POLICIES: [&str; 3] = ["none", "quarantine", "reject"];
    record
        .split(';')
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        .filter(|(k, _)| matches!(k.as_str(), "p" | "sp" | "np"))
        .filter(|(_, v)| !v.is_empty() && !POLICIES.contains(&v.as_str()))
        .filter_map(|(k, v)| {
            let meant = POLICIES
                .into_iter()
                .find(|p| strsim::levenshtein(p, &v) <= 2)?;
            Some((k, v, meant))
        })
        .collect()
}

/// Tags written more than once with different values (`p=none; p=reject`): (tag, the value
/// kept, every value written). The repaired record keeps the first, as [`dmarc_repair`] does.
pub(super) fn repeated_tags(record: &str) -> Vec<(String, String, Vec<String>)> {
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in record
        .split(';')
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
    {
        match seen.iter_mut().find(|(t, _)| *t == k) {
            Some((_, vs)) => vs.push(v),
            None => seen.push((k, vec![v])),
        }
    }
    seen.into_iter()
        .filter(|(_, vs)| vs.iter().any(|v| !v.eq_ignore_ascii_case(&vs[0])))
        .map(|(k, vs)| (k, vs[0].clone(), vs))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_one_or_two_slips_from_a_word_is_named_and_others_are_not() {
        assert_eq!(
            misspelt_policies("v=DMARC1; p=rejet; sp=quarantaine; rua=mailto:d@example.com"),
            [
                ("p".to_string(), "rejet".to_string(), "reject"),
                ("sp".to_string(), "quarantaine".to_string(), "quarantine"),
            ]
        );
        assert!(misspelt_policies("v=DMARC1; p=reject; np=block").is_empty());
    }

    #[test]
    fn a_subdomain_stage_raises_sp_and_never_adds_t_y_under_a_stronger_p() {
        let rec = "v=DMARC1; p=reject; sp=none; rua=mailto:d@example.org";
        assert_eq!(
            dmarc_stage_sp("example.org", Some(rec), "quarantine"),
            "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.org"
        );
    }

    #[test]
    fn a_merge_keeps_the_strongest_policy_and_drops_pct() {
        let merged = dmarc_merge(&[
            "v=DMARC1; p=reject".to_string(),
            "v=DMARC1; p=quarantine; rua=mailto:x@two.example; pct=50".to_string(),
        ]);
        assert_eq!(merged, "v=DMARC1; p=reject; rua=mailto:x@two.example");
    }

    #[test]
    fn a_repair_drops_invalid_tags_and_adds_the_missing_policy() {
        assert_eq!(
            dmarc_repair("v=DMARC1; rua=mailto:x@two.example; adkim=q; aspf=s"),
            "v=DMARC1; p=none; rua=mailto:x@two.example; aspf=s"
        );
        assert_eq!(
            dmarc_repair("v=DMARC1; p=reject; rua=mailto:x@two.example"),
            "v=DMARC1; p=reject; rua=mailto:x@two.example"
        );
    }

    #[test]
    fn a_proposed_record_carries_no_unknown_tag_nor_unusable_report_uri() {
        let published = "v=DMARC1; p=none; rua=mailto:d@ok.example,mailto:[x](http://evil)@ok.example; \
                         ruf=mailto:a b@ok.example; x=<script>; fo=1";
        let staged = dmarc_stage("ok.example", Some(published), "quarantine", true, None);
        assert_eq!(
            staged,
            "v=DMARC1; p=quarantine; t=y; rua=mailto:d@ok.example; fo=1"
        );
        assert_eq!(
            dmarc_repair(published),
            "v=DMARC1; p=none; rua=mailto:d@ok.example; fo=1"
        );
        assert_eq!(
            dmarc_merge(&[published.to_string(), "v=DMARC1; p=reject; y=1".to_string()]),
            "v=DMARC1; p=reject; rua=mailto:d@ok.example; fo=1"
        );
    }

    #[test]
    fn a_report_address_without_its_scheme_is_carried_as_a_mailto_uri() {
        assert_eq!(
            dmarc_repair("v=DMARC1; rua=dmarc@example.com"),
            "v=DMARC1; p=none; rua=mailto:dmarc@example.com"
        );
        assert_eq!(
            super::schemeless_report_addresses("v=DMARC1; rua=mailto:a@example.com,b@example.com"),
            ["b@example.com"]
        );
        // Not an address: still dropped.
        assert_eq!(
            dmarc_repair("v=DMARC1; p=none; rua=dmarc"),
            "v=DMARC1; p=none"
        );
    }

    #[test]
    fn monitor_keeps_policy_and_adds_rua() {
        assert_eq!(
            dmarc_monitor("example.com", None),
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
        );
        assert_eq!(
            dmarc_monitor("example.com", Some("v=DMARC1; p=quarantine; adkim=s")),
            "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com; adkim=s"
        );
    }

    #[test]
    fn a_pct_that_changes_nothing_is_dropped_and_a_lower_one_kept() {
        assert_eq!(
            dmarc_monitor("example.com", Some("v=DMARC1; pct=100")),
            "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
        );
        assert_eq!(
            dmarc_repair("v=DMARC1; p=none; pct=20; rua=mailto:x@example.com"),
            "v=DMARC1; p=none; rua=mailto:x@example.com"
        );
        assert_eq!(
            dmarc_repair("v=DMARC1; p=reject; pct=20; rua=mailto:x@example.com"),
            "v=DMARC1; p=reject; pct=20; rua=mailto:x@example.com"
        );
    }

    #[test]
    fn stages_use_t_and_np_and_never_lower() {
        let now = Some("v=DMARC1; p=none; pct=25; rua=mailto:x@example.com");
        assert_eq!(
            dmarc_stage("example.com", now, "quarantine", true, Some("reject")),
            "v=DMARC1; p=quarantine; np=reject; t=y; rua=mailto:x@example.com"
        );
        assert_eq!(
            dmarc_stage("example.com", now, "reject", false, None),
            "v=DMARC1; p=reject; rua=mailto:x@example.com"
        );
        // Already reject: a quarantine stage keeps reject; np=reject already there stays once.
        assert_eq!(
            dmarc_stage(
                "example.com",
                Some("v=DMARC1; p=reject; np=reject; rua=mailto:x@example.com"),
                "quarantine",
                false,
                Some("quarantine")
            ),
            "v=DMARC1; p=reject; np=reject; rua=mailto:x@example.com"
        );
    }

    #[test]
    fn merging_and_reordering() {
        let merged = dmarc_merge(&[
            "v=DMARC1; p=none; rua=mailto:a@example.com".into(),
            "v=DMARC1; p=reject; rua=mailto:b@example.com; adkim=s".into(),
        ]);
        assert_eq!(
            merged,
            "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@example.com; adkim=s"
        );
        assert_eq!(
            dmarc_merge(&["p=quarantine; v=DMARC1; rua=mailto:d@example.com".into()]),
            "v=DMARC1; p=quarantine; rua=mailto:d@example.com"
        );
    }
}
