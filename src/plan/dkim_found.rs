//! DKIM keys that are right but published wrong, republished as they are: a key found at a
//! name no verifier asks (a relay's subdomain, a name that lost its trailing dot), and a key
//! whose tags keep mail verifiers from it (`s=` for another service, an Ed25519 key without
//! `k=ed25519`). The key pair is fine; no new one is needed.

use super::RecordToPublish;
use super::dmarc_records::join;
use super::draft::{Ctx, Draft};
use super::records;
use crate::dns::RType;
use crate::domain_name::within;

/// A usable key for `selector` that the run found under another name below `domain` than
/// `<selector>._domainkey.<domain>`: (the name it sits at, the record).
pub(super) fn misplaced_key(
    ctx: &Ctx<'_>,
    selector: &str,
    domain: &str,
) -> Option<(String, String)> {
    let prefix = format!("{}._domainkey.", selector.to_ascii_lowercase());
    ctx.input
        .queries
        .iter()
        .filter(|q| q.rtype == RType::TXT && q.outcome == crate::dns::Outcome::Answer)
        .find_map(|q| {
            let name = q.name.trim_end_matches('.').to_ascii_lowercase();
            let under = name.strip_prefix(&prefix)?;
            if under == domain || !within(under, domain) {
                return None;
            }
            let record = q
                .answers
                .iter()
                .map(|a| records::unquote_txt(a))
                .find(|t| crate::checks::dkim_key_usable(t))?;
            Some((name, record))
        })
}

/// The step for a signing selector with nothing at its name while its key sits under
/// another name of the domain: that key, published where verifiers ask.
pub(super) fn moved_key(
    ctx: &Ctx<'_>,
    selector: &str,
    domain: &str,
    d: &mut Draft,
) -> Option<RecordToPublish> {
    let (found, record) = misplaced_key(ctx, selector, domain)?;
    let doubled = found.ends_with(&format!(".{domain}.{domain}"));
    let vars = [("host", found.as_str()), ("domain", domain)];
    d.id = "dkim-move-key";
    d.details.push(if doubled {
        ctx.k.message_with("dkim-misplaced-doubled", &vars)
    } else {
        ctx.k.message_with("dkim-misplaced-subdomain", &vars)
    });
    Some(RecordToPublish::txt(
        format!("{selector}._domainkey.{domain}"),
        record,
        ctx.k.message_with(
            "note-dkim-misplaced",
            &[("host", found.as_str()), ("domain", domain)],
        ),
    ))
}

/// The record with its tags as written, each `tag=value` trimmed.
fn tags(record: &str) -> Vec<(String, String)> {
    record
        .split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (t.to_string(), String::new()),
        })
        .collect()
}

/// The same key made usable for mail by its tags alone: a `v=` written after other tags moved
/// first (RFC 6376 section 3.6.1 discards the key otherwise), an `s=` that lists neither `email`
/// nor `*` dropped (RFC 6376 section 3.6.1: absent means every service), or `k=ed25519` given
/// to a key of 32 octets that was published without it (or as `k=rsa`; RFC 8463 defines `k=ed25519`).
/// `None` when no such change makes the record usable.
pub(super) fn relabelled(record: &str) -> Option<String> {
    let mut t = tags(record);
    let before = t.clone();
    // RFC 6376 section 3.6.1: a key for mail has no s=, or one that lists `email` or `*`.
    let for_mail = |v: &str| {
        v.split(':')
            .any(|s| matches!(s.trim().to_ascii_lowercase().as_str(), "email" | "*"))
    };
    t.retain(|(k, v)| !k.eq_ignore_ascii_case("s") || for_mail(v));
    if let Some(at) = t
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case("v"))
        .filter(|&i| i > 0)
    {
        let v = t.remove(at);
        t.insert(0, v);
    }
    let p = t
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("p"))
        .map(|(_, v)| v.split_whitespace().collect::<String>())?;
    let ed25519 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(p.as_bytes())
            .is_ok_and(|raw| raw.len() == 32)
    };
    if ed25519 {
        match t.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("k")) {
            Some((_, v)) => *v = "ed25519".into(),
            None => {
                let at = usize::from(t.first().is_some_and(|(k, _)| k.eq_ignore_ascii_case("v")));
                t.insert(at, ("k".into(), "ed25519".into()));
            }
        }
    }
    let fixed = join(&t);
    (t != before && crate::checks::dkim_key_usable(&fixed)).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::relabelled;

    const ED: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    #[test]
    fn an_ed25519_key_without_its_type_gets_k_ed25519_after_v() {
        assert_eq!(
            relabelled(&format!("v=DKIM1; p={ED}")).as_deref(),
            Some(format!("v=DKIM1; k=ed25519; p={ED}").as_str())
        );
        assert_eq!(
            relabelled(&format!("v=DKIM1; k=rsa; p={ED}")).as_deref(),
            Some(format!("v=DKIM1; k=ed25519; p={ED}").as_str())
        );
    }

    #[test]
    fn a_v_tag_written_after_others_is_moved_first() {
        assert_eq!(
            relabelled(&format!("k=ed25519; v=DKIM1; p={ED}")).as_deref(),
            Some(format!("v=DKIM1; k=ed25519; p={ED}").as_str())
        );
    }

    #[test]
    fn a_key_for_another_service_loses_its_s_tag_and_one_for_mail_is_left_alone() {
        assert_eq!(
            relabelled(&format!("v=DKIM1; k=ed25519; s=tlsrpt; p={ED}")).as_deref(),
            Some(format!("v=DKIM1; k=ed25519; p={ED}").as_str())
        );
        assert_eq!(
            relabelled(&format!("v=DKIM1; k=ed25519; s=email; p={ED}")),
            None
        );
        // Not a key of 32 octets, and no tag to change: nothing to relabel.
        assert_eq!(relabelled("v=DKIM1; p=AAAA"), None);
    }
}
