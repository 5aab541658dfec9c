//! The DKIM steps of the plan: one step per broken selector (missing, revoked or malformed key,
//! dangling CNAME), testing mode, rotation of short keys, each with the record to publish.

use super::RecordToPublish;
use super::draft::{Ctx, Draft, claim, leftover};
use super::records;
use crate::checks::{DkimFacts, DkimSelector};
use crate::dns::RType;
use crate::finding::{Check, Finding};

/// The selector of a key name `<s>._domainkey.<d>`.
fn selector_of(name: &str) -> Option<&str> {
    name.split_once("._domainkey.").map(|(s, _)| s)
}

/// True when `f` is about the key of `selector` at `domain`.
fn about(f: &Finding, selector: &str, domain: &str) -> bool {
    f.subject
        .trim_end_matches('.')
        .eq_ignore_ascii_case(&format!("{selector}._domainkey.{domain}"))
}

/// Moves the findings about one selector's key into `d`.
fn claim_selector(pool: &mut Vec<&Finding>, d: &mut Draft, selector: &str, domain: &str) {
    pool.retain(|f| {
        let hit = about(f, selector, domain);
        if hit && !d.findings.contains(&f.id) {
            d.findings.push(f.id.clone());
        }
        !hit
    });
}

/// The template of a key to publish at `<selector>._domainkey.<domain>`.
/// A new key's record: the public key is made where mail is signed, so it is the one part
/// the plan cannot know (the record is otherwise exact; tests substitute a key and parse it).
pub const DKIM_TEMPLATE: &str = "v=DKIM1; k=rsa; p=<base64 public key from your signing service>";

fn new_key(ctx: &Ctx<'_>, selector: &str, domain: &str) -> RecordToPublish {
    RecordToPublish::txt(
        format!("{selector}._domainkey.{domain}"),
        DKIM_TEMPLATE,
        ctx.k.message("note-dkim-publish"),
    )
}

pub(super) fn dkim(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    // The keys that matter for this mail are the signing domain's; the checked domain's own
    // missing key is an alignment matter when another domain signs.
    let report = ctx.input.report;
    let Some(facts) = report.dkim_signing.as_ref().or(report.dkim.as_ref()) else {
        return;
    };
    if ctx.inconclusive(Check::Dkim) || super::dmarc_steps::sends_no_mail(ctx) {
        return;
    }
    let mut pool = ctx.actionable(Check::Dkim);
    if report.dkim_signing.is_some()
        && let Some(own) = report.dkim.as_ref()
    {
        let own_ids = super::dmarc_steps::own_dkim_findings(ctx, &own.domain);
        pool.retain(|f| !own_ids.contains(&f.id));
    }
    let domain = facts.domain.as_str();
    // A key in testing mode is still a key: it needs t=y removed, not a first publication.
    let usable: Vec<&DkimSelector> = facts
        .selectors
        .iter()
        .filter(|s| s.status == "valid" || s.status == "testing")
        .collect();
    let troubled: Vec<&DkimSelector> = facts
        .selectors
        .iter()
        .filter(|s| s.status != "valid" && s.status != "testing")
        .collect();
    let missing: Vec<String> = ctx
        .input
        .params
        .dkim_selectors
        .iter()
        .filter(|s| !facts.selectors.iter().any(|f| &f.selector == *s))
        .cloned()
        .collect();
    // Each selector the message names and DNS has no key for: its own publication.
    for sel in &missing {
        let mut d = Draft::new("dkim-publish", "dkim");
        claim_selector(&mut pool, &mut d, sel, domain);
        if d.findings.is_empty() {
            continue;
        }
        if d.findings.iter().any(|f| f == "dkim-cname-dangling") {
            // Delegated to a service that dropped the key: the CNAME is what to repair.
            d.id = "dkim-fix-cname";
            cname_details(ctx, &mut d, sel, domain);
            d.selector = Some(sel.clone());
            out.push(d);
            continue;
        }
        d.selector = Some(sel.clone());
        if signed_with(ctx, sel) {
            // The bounce shows the signature: signing is on, only the public key is missing.
            d.text = Some("dkim-publish-signed");
        }
        if usable.is_empty() && !facts.probed.is_empty() {
            d.details
                .push(format!("selectors probed: {}", facts.probed.join(", ")));
        }
        let rec = sibling_cname(ctx, facts, sel, domain, &mut d)
            .or_else(|| super::dkim_found::moved_key(ctx, sel, domain, &mut d))
            .unwrap_or_else(|| {
                service_signs(ctx, &mut d);
                new_key(ctx, sel, domain)
            });
        d.wait = ctx.negative_ttl(&rec.name, RType::TXT);
        d.records.push(rec);
        out.push(d);
    }
    // A named selector already has its own step (a publication or a dangling CNAME's repair):
    // a generic "publish a key at <selector>" beside it would repeat it with a placeholder.
    let covered = out
        .iter()
        .any(|d| d.id == "dkim-publish" || d.id == "dkim-fix-cname")
        || troubled
            .iter()
            .any(|s| ctx.input.params.dkim_selectors.contains(&s.selector));
    if usable.is_empty() && !covered {
        let mut d = Draft::new("dkim-publish", "dkim");
        claim(
            &mut pool,
            &mut d,
            &["no-key", "selector-missing", "not-found"],
        );
        // Selectors are the signer's choice: one that holds nothing yet makes the record
        // publishable as printed (a name in angle brackets is no owner name).
        let sel = ["dkim1", "dkim2", "dkim3"]
            .into_iter()
            .find(|c| !facts.selectors.iter().any(|s| s.selector == *c))
            .unwrap_or("dkim4");
        let mut rec = new_key(ctx, sel, domain);
        rec.note = ctx
            .k
            .message_with("note-dkim-publish-chosen", &[("selector", sel)]);
        // The new selector's name was never asked, but the probes of its siblings were: their
        // negative answers carry the zone's negative TTL, which the new name's absence shares.
        d.wait = probe_negative_ttl(ctx, domain);
        d.records.push(rec);
        if !facts.probed.is_empty() {
            d.details
                .push(format!("selectors probed: {}", facts.probed.join(", ")));
        }
        service_signs(ctx, &mut d);
        out.push(d);
    }
    // Each revoked or malformed key: its own repair, with the key to publish in its place.
    for s in &troubled {
        let mut d = Draft::new("dkim-fix-selector", "dkim");
        claim_selector(&mut pool, &mut d, &s.selector, domain);
        // A revoked key nobody signs with is a retired selector, not something to repair.
        if d.findings.is_empty() {
            continue;
        }
        d.selector = Some(s.selector.clone());
        // What is wrong with this selector's key, in the finding's own words (revoked, an
        // unknown k=, a key that is not one): the step says it, not a list of possibilities.
        let key_name = format!("{}._domainkey.{domain}", s.selector);
        let problem = ctx
            .input
            .report
            .findings
            .iter()
            .filter(|f| d.findings.contains(&f.id) && f.subject.eq_ignore_ascii_case(&key_name))
            .map(|f| f.message.clone())
            .next()
            .unwrap_or_else(|| format!("The key at {key_name} is {}.", s.status));
        d.vars.push(("problem", problem));
        // No key of its own: a wildcard holding another record (`*.<domain> TXT "v=spf1
        // -all"`, against spoofed subdomains) answers the selector's name.
        let wildcard_text = not_a_key_from_wildcard(ctx, &key_name, domain);
        d.vars.push((
            "state",
            if s.status == "revoked" {
                "revoked (empty p=)".to_string()
            } else if wildcard_text.is_some() {
                "answered by a wildcard that holds no key".to_string()
            } else {
                "unreadable".to_string()
            },
        ));
        if let Some(text) = &wildcard_text {
            d.details.push(ctx.k.message_with(
                "dkim-selector-answered-by-wildcard",
                &[("subject", key_name.as_str()), ("record", text.as_str())],
            ));
        }
        d.details
            .push(format!("selector {}: {}", s.selector, s.status));
        // The answer came from a wildcard (a parked domain's revoked `*._domainkey`): a record
        // of the selector's own outranks it for that name, and the wildcard stays for the rest.
        if from_wildcard(ctx, &key_name, domain) {
            d.details.push(ctx.k.message_with(
                "dkim-key-from-wildcard",
                &[("subject", key_name.as_str()), ("domain", domain)],
            ));
        }
        if let Some(rec) = s.record.as_deref() {
            d.details
                .push(format!("published now: {}", abbreviate_key(rec)));
        }
        // A key pasted with its PEM armour is the right key in the wrong form: the same key
        // without the armour, not a new key pair.
        // A key right in itself whose tags keep mail verifiers from it (another service's
        // s=, an Ed25519 key read as RSA): the same key with its tags corrected.
        let relabelled = s
            .record
            .as_deref()
            .filter(|_| s.cname.is_none())
            .and_then(super::dkim_found::relabelled);
        match s.record.as_deref().and_then(records::dkim_unarmoured) {
            None if relabelled.is_some() => {
                d.id = "dkim-relabel-key";
                d.records.push(RecordToPublish::txt(
                    key_name.clone(),
                    relabelled.unwrap_or_default(),
                    ctx.k.message("note-dkim-relabelled"),
                ));
            }
            Some(fixed) => {
                d.id = "dkim-unarmour-key";
                d.details.push(ctx.k.message_with(
                    "dkim-key-armoured",
                    &[("subject", &format!("{}._domainkey.{domain}", s.selector))],
                ));
                d.records.push(RecordToPublish::txt(
                    format!("{}._domainkey.{domain}", s.selector),
                    fixed,
                    ctx.k.message("note-dkim-unarmoured"),
                ));
            }
            None => match s.cname.as_deref().map(|c| c.trim_end_matches('.')) {
                // The key is served through a CNAME into another party's zone: the service
                // the selector is delegated to revoked or broke it, and restoring it is theirs.
                Some(target) if !within_domain(target, domain) => {
                    d.details.push(ctx.k.message_with(
                        "dkim-key-behind-cname",
                        &[
                            ("subject", key_name.as_str()),
                            ("host", target),
                            ("state", &s.status),
                        ],
                    ));
                    let mut rec = new_key(ctx, &s.selector, domain);
                    rec.note = ctx.k.message_with(
                        "note-cname-replace",
                        &[("subject", key_name.as_str()), ("host", target)],
                    );
                    d.records.push(rec);
                }
                Some(target) => d.records.push(cname_repair(ctx, &key_name, target, domain)),
                None => d.records.push(new_key(ctx, &s.selector, domain)),
            },
        }
        d.wait = s.ttl;
        out.push(d);
    }
    // Each CNAME to nothing: its own repair, never folded into another selector's step.
    let dangling: Vec<String> = pool
        .iter()
        .filter(|f| f.id == "dkim-cname-dangling")
        .filter_map(|f| selector_of(&f.subject).map(str::to_string))
        .collect();
    for sel in dangling {
        let mut d = Draft::new("dkim-fix-cname", "dkim");
        claim_selector(&mut pool, &mut d, &sel, domain);
        cname_details(ctx, &mut d, &sel, domain);
        d.selector = Some(sel);
        out.push(d);
    }
    // A key the message was signed with that only allows SHA-1: the same key without `h=`.
    for s in &usable {
        let sha1_only = |f: &&Finding| f.id == "dkim-sha1-only" && about(f, &s.selector, domain);
        if !pool.iter().any(sha1_only) || !ctx.input.params.dkim_selectors.contains(&s.selector) {
            continue;
        }
        let Some(rec) = s.record.as_deref() else {
            continue;
        };
        let mut d = Draft::new("dkim-allow-sha256", "dkim");
        pool.retain(|f| {
            let hit = sha1_only(f);
            if hit {
                d.findings.push(f.id.clone());
            }
            !hit
        });
        d.selector = Some(s.selector.clone());
        republish(
            ctx,
            &mut d,
            &s.selector,
            domain,
            rec,
            records::dkim_without_sha1_only(rec),
            "note-dkim-without-sha1-only",
        );
        d.wait = s.ttl;
        out.push(d);
    }
    // Signed with Ed25519 keys only: an RSA key beside them, for receivers that verify RSA only.
    if let Some(s) = usable.iter().find(|s| {
        pool.iter()
            .any(|f| f.id == "dkim-ed25519-only" && about(f, &s.selector, domain))
    }) {
        let mut d = Draft::new("dkim-add-rsa-key", "dkim");
        claim(&mut pool, &mut d, &["ed25519-only"]);
        let new_sel = records::rotated_selector(&s.selector);
        let mut rec = new_key(ctx, &new_sel, domain);
        rec.note = ctx
            .k
            .message_with("note-dkim-add-rsa", &[("selector", new_sel.as_str())]);
        d.wait = probe_negative_ttl(ctx, domain);
        d.records.push(rec);
        d.selector = Some(s.selector.clone());
        d.new_selector = Some(new_sel);
        out.push(d);
    }
    for s in usable.iter().filter(|s| s.status == "testing") {
        let mut d = Draft::new("dkim-remove-testing", "dkim");
        let (mut mine, rest): (Vec<&Finding>, Vec<&Finding>) = pool
            .into_iter()
            .partition(|f| about(f, &s.selector, domain));
        pool = rest;
        claim(&mut mine, &mut d, &["testing"]);
        pool.extend(mine);
        d.selector = Some(s.selector.clone());
        if let Some(rec) = s.record.as_deref() {
            republish(
                ctx,
                &mut d,
                &s.selector,
                domain,
                rec,
                records::dkim_without_testing(rec),
                "note-dkim-without-testing",
            );
        }
        d.wait = s.ttl;
        out.push(d);
    }
    // Several keys at one selector: one record goes, nothing is published.
    let multi: Vec<String> = pool
        .iter()
        .filter(|f| f.id == "dkim-multiple-keys")
        .map(|f| f.subject.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    for name in multi {
        let mut d = Draft::new("dkim-one-key", "dkim");
        let Some(sel) = selector_of(&name).map(str::to_string) else {
            continue;
        };
        claim_selector(&mut pool, &mut d, &sel, domain);
        if let Some(q) = ctx
            .input
            .queries
            .iter()
            .find(|q| q.rtype == RType::TXT && q.name.eq_ignore_ascii_case(&name))
        {
            for a in &q.answers {
                let txt = records::unquote_txt(a);
                // Keys of one size share their first characters: the end tells them apart.
                let tail: String = txt
                    .trim_end_matches([' ', ';'])
                    .chars()
                    .rev()
                    .take(16)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                // Shown in zone syntax, so a name or text from DNS cannot break the line
                // out of its quotes.
                let shown = abbreviate_key(&txt)
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"");
                d.details.push(format!(
                    "published now: {} IN TXT \"{shown}\" (key ending ...{tail})",
                    crate::dns::zone_text(&name)
                ));
            }
            d.wait = q.ttl;
        }
        d.details.push(
            ctx.k
                .message_with("dkim-one-key-which", &[("selector", sel.as_str())]),
        );
        d.selector = Some(sel);
        out.push(d);
    }
    rotate_weak(ctx, facts, &usable, &mut pool, out);
    leftover(out, pool, "dkim-fix", "dkim", None);
}

/// The negative TTL of the selectors probed under `_domainkey.<domain>`: a new selector's
/// name was never asked, but its absence shares the zone's negative TTL with theirs.
fn probe_negative_ttl(ctx: &Ctx<'_>, domain: &str) -> Option<u32> {
    let suffix = format!("._domainkey.{domain}");
    ctx.input
        .queries
        .iter()
        .filter(|q| q.rtype == RType::TXT && q.outcome.is_absent())
        .filter(|q| {
            let n = q.name.trim_end_matches('.').to_ascii_lowercase();
            n.ends_with(&suffix) || n == suffix[1..]
        })
        .find_map(|q| q.ttl)
}

/// The CNAME chain of a dangling selector as the run saw it, and its TTL.
fn cname_details(ctx: &Ctx<'_>, d: &mut Draft, selector: &str, domain: &str) {
    let name = format!("{selector}._domainkey.{domain}");
    if let Some(q) = ctx.input.queries.iter().find(|q| {
        q.rtype == RType::TXT && q.name.eq_ignore_ascii_case(&name) && !q.cname_chain.is_empty()
    }) {
        d.details.push(format!(
            "now: {name} CNAME {} ({})",
            q.cname_chain.join(" -> "),
            q.outcome.label()
        ));
        d.wait = q.ttl;
        if let Some(target) = q.cname_chain.last() {
            d.records.push(cname_repair(ctx, &name, target, domain));
        }
    }
}

/// A selector the message was signed with is missing while a sibling selector is delegated
/// to the signing service by CNAME, its target named after it (`s1._domainkey` ->
/// `s1.domainkey.u8001.wl.sendgrid.net`, `selector1-<domain>._domainkey.<tenant>...`): the
/// service signs with keys it publishes, so the missing one is the same delegation under the
/// missing selector's name, not a TXT key the sender does not hold (a service that rotated to
/// `s2`, a delegation published half-way).
fn sibling_cname(
    ctx: &Ctx<'_>,
    facts: &DkimFacts,
    sel: &str,
    domain: &str,
    d: &mut Draft,
) -> Option<RecordToPublish> {
    let (sibling, target) = facts.selectors.iter().find_map(|s| {
        let target = s.cname.as_deref()?.trim_end_matches('.');
        let (first, _) = target.split_once('.')?;
        let usable = s.status == "valid" || s.status == "testing";
        // Named after the selector: `s1.domainkey...` (SendGrid), `selector1-example-com._domainkey...`
        // (Microsoft 365, which rotates between selector1 and selector2).
        let sel_len = s.selector.len();
        let named = first.len() >= sel_len
            && first.is_char_boundary(sel_len)
            && first[..sel_len].eq_ignore_ascii_case(&s.selector)
            && (first.len() == sel_len || first[sel_len..].starts_with('-'));
        (usable && named && !within_domain(target, domain)).then_some((s, target))
    })?;
    let new_target = format!("{sel}{}", &target[sibling.selector.len()..]);
    let service = ctx
        .k
        .senders
        .iter()
        .find(|s| {
            s.hosts
                .iter()
                .chain(&s.dkim_domains)
                .chain(&s.return_path_domains)
                .any(|h| within_domain(target, h))
        })
        .map_or("the signing service", |s| s.name.as_str());
    let name = format!("{sel}._domainkey.{domain}");
    d.id = "dkim-delegate-selector";
    d.vars.push(("subject", sibling.selector.clone()));
    d.details.push(format!(
        "now: {}._domainkey.{domain} CNAME {target} ({} key)",
        sibling.selector, sibling.status
    ));
    Some(RecordToPublish {
        name,
        rtype: "CNAME".into(),
        value: new_target,
        note: ctx.k.message_with(
            "note-dkim-sibling-cname",
            &[
                ("service", service),
                ("subject", &sibling.selector),
                ("target", target),
            ],
        ),
    })
}

/// True when the run found a wildcard under `_domainkey.<domain>` and `key_name` answered
/// exactly what the wildcard probe did.
fn from_wildcard(ctx: &Ctx<'_>, key_name: &str, domain: &str) -> bool {
    let wildcard = format!("_domainkey.{domain}");
    let found = ctx
        .input
        .report
        .findings
        .iter()
        .any(|f| f.id == "dkim-wildcard-key" && f.subject.eq_ignore_ascii_case(&wildcard));
    let answers = |prefix: &str| {
        ctx.input
            .queries
            .iter()
            .find(|q| {
                q.rtype == RType::TXT && q.name.trim_end_matches('.').eq_ignore_ascii_case(prefix)
            })
            .map(|q| q.answers.clone())
    };
    found
        && answers(key_name).is_some_and(|a| {
            !a.is_empty()
                && Some(&a)
                    == answers(&format!(
                        "{}.{wildcard}",
                        crate::checks::dkim::WILDCARD_PROBE
                    ))
                    .as_ref()
        })
}

/// The record answering `key_name` when it is no DKIM key at all and the name nothing is
/// published at (the wildcard probe) got the same answer: a wildcard answers the selector.
fn not_a_key_from_wildcard(ctx: &Ctx<'_>, key_name: &str, domain: &str) -> Option<String> {
    let answers = |name: &str| {
        ctx.input
            .queries
            .iter()
            .find(|q| {
                q.rtype == RType::TXT
                    && q.outcome == crate::dns::Outcome::Answer
                    && q.name.trim_end_matches('.').eq_ignore_ascii_case(name)
            })
            .map(|q| q.answers.clone())
    };
    let probe = format!(
        "{}._domainkey.{domain}",
        crate::checks::dkim::WILDCARD_PROBE
    );
    let own = answers(key_name)?;
    (!own.is_empty()
        && Some(&own) == answers(&probe).as_ref()
        && !own
            .iter()
            .any(|t| crate::checks::dkim::looks_like_key(t.trim_matches('"'))))
    .then(|| own.join(" "))
}

/// True when the message itself carried a DKIM-Signature with this selector for the checked
/// domain (the bounce's `s=`), not a selector the user named or one probed.
fn signed_with(ctx: &Ctx<'_>, selector: &str) -> bool {
    ctx.input.provenance.iter().any(|p| {
        p.field == "dkim_selector"
            && p.value.eq_ignore_ascii_case(selector)
            && p.source == "bounce: DKIM-Signature s="
    })
}

/// Mail leaves through a recognised sending service (Microsoft 365, SendGrid ...): the
/// service generates and publishes the keys it signs with, so DKIM is turned on in its
/// settings and the records it lists (usually CNAMEs) are published, rather than a key pair
/// made by hand.
fn service_signs(ctx: &Ctx<'_>, d: &mut Draft) {
    if let Some(r) = super::senders::recognise(ctx.k, &super::senders::clues(ctx.input)) {
        d.details.push(ctx.k.message_with(
            "dkim-service-recognised",
            &[
                ("service", r.service.name.as_str()),
                ("clue", r.clue.value.trim_end_matches('.')),
                ("seen", r.clue.seen.as_str()),
                ("domain", ctx.domain.as_str()),
            ],
        ));
    }
}

/// True when `name` is `domain` or a name under it (whole labels).
fn within_domain(name: &str, domain: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    name == domain || name.ends_with(&format!(".{domain}"))
}

/// The key record that ends a dangling CNAME: at its target when that name is the domain's
/// own (the CNAME is right, the key is missing), else at the selector in the CNAME's place
/// (a name that holds a CNAME can hold nothing else, RFC 1034 section 3.6.2).
fn cname_repair(ctx: &Ctx<'_>, name: &str, target: &str, domain: &str) -> RecordToPublish {
    let target = target.trim_end_matches('.').to_ascii_lowercase();
    let own = target == domain || target.ends_with(&format!(".{domain}"));
    let (owner, note) = if own {
        (
            target.clone(),
            ctx.k
                .message_with("note-dkim-cname-own-target", &[("host", &target)]),
        )
    } else {
        (
            name.to_string(),
            ctx.k.message_with(
                "note-dkim-cname-replace",
                &[("host", &target), ("subject", name)],
            ),
        )
    };
    RecordToPublish::txt(owner, DKIM_TEMPLATE, note)
}

/// One rotation for the RSA keys under 2048 bits: they still verify, so this is hardening.
fn rotate_weak(
    ctx: &Ctx<'_>,
    facts: &DkimFacts,
    usable: &[&DkimSelector],
    pool: &mut Vec<&Finding>,
    out: &mut Vec<Draft>,
) {
    let weak: Vec<_> = usable
        .iter()
        .filter(|s| {
            s.key_type
                .as_deref()
                .unwrap_or("rsa")
                .eq_ignore_ascii_case("rsa")
                && s.bits.is_some_and(|b| b < 2048)
        })
        .collect();
    let Some(first) = weak.first() else { return };
    let mut d = Draft::new("dkim-rotate-key", "dkim");
    claim(
        pool,
        &mut d,
        &["key-weak", "too-short", "1024", "short", "bits", "key-size"],
    );
    d.selector = Some(first.selector.clone());
    d.new_selector = Some(records::rotated_selector(&first.selector));
    for s in &weak {
        d.records.extend(records::dkim_rotation(
            ctx.k,
            &facts.domain,
            &s.selector,
            s.bits,
        ));
        d.details.push(format!(
            "selector {} has a {}-bit RSA key",
            s.selector,
            s.bits.unwrap_or_default()
        ));
    }
    d.details.push(format!(
        "order: 1. publish {new} with a 2048-bit key; 2. switch signing to {new}; 3. wait a few days; 4. revoke {old}",
        new = records::rotated_selector(&first.selector),
        old = first.selector
    ));
    d.wait = first.ttl;
    out.push(d);
}

/// A DKIM record with its long `p=` cut, for a detail line.
fn abbreviate_key(record: &str) -> String {
    record
        .split(';')
        .map(|t| {
            let t = t.trim();
            match t.split_once('=') {
                Some((k, v)) if k.trim() == "p" && v.len() > 24 => {
                    format!(
                        "p={}...",
                        &v[..v.char_indices().nth(20).map_or(v.len(), |(i, _)| i)]
                    )
                }
                _ => t.to_string(),
            }
        })
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A step that republishes the key of `selector` as `value` (the same key, one tag changed),
/// showing the record published now.
fn republish(
    ctx: &Ctx<'_>,
    d: &mut Draft,
    selector: &str,
    domain: &str,
    now: &str,
    value: String,
    note: &str,
) {
    d.details
        .push(format!("published now: {}", abbreviate_key(now)));
    d.records.push(RecordToPublish::txt(
        format!("{selector}._domainkey.{domain}"),
        value,
        ctx.k.message(note),
    ));
}
