//! The SPF steps of the plan: merge, publish, authorise the sender (by its service's include), lookups.

use super::draft::{Ctx, Draft, claim, leftover};
use super::senders;
use super::spf_authorise::{authorise, recognised_line};
use super::{RecordToPublish, records};
use crate::checks::{SpfFacts, SpfNode};
use crate::dns::{Outcome, RType};
use crate::finding::Check;

fn is_spf(txt: &str) -> bool {
    txt.split_whitespace()
        .next()
        .is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
}

/// Every v=spf1 record of `name`, from the query log (the facts keep only the first).
fn spf_records_of(ctx: &Ctx<'_>, name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for q in ctx.input.queries {
        if q.rtype != RType::TXT || !q.name.eq_ignore_ascii_case(name) {
            continue;
        }
        for txt in q.answers.iter().map(|a| records::unquote_txt(a)) {
            if is_spf(&txt) && !out.contains(&txt) {
                out.push(txt);
            }
        }
    }
    out
}

/// The repaired form of `name`'s TXT record whose `v=spf1` runs into the next term, when the
/// check reported one (`spf-version-not-terminated`) and the repair parses.
fn unterminated_record(
    ctx: &Ctx<'_>,
    name: &str,
    pool: &[&crate::finding::Finding],
) -> Option<String> {
    if !pool
        .iter()
        .any(|f| f.id == "spf-version-not-terminated" && f.subject.eq_ignore_ascii_case(name))
    {
        return None;
    }
    ctx.input
        .queries
        .iter()
        .filter(|q| q.rtype == RType::TXT && q.name.eq_ignore_ascii_case(name))
        .flat_map(|q| q.answers.iter())
        .find_map(|a| super::spf_split::unterminated(a))
}

/// True when the query log shows `name` was looked up and publishes no SPF record (a
/// name that DNS could not answer for, or that --offline skipped, is not known to lack one).
fn known_without_spf(ctx: &Ctx<'_>, name: &str) -> bool {
    let asked: Vec<_> = ctx
        .input
        .queries
        .iter()
        .filter(|q| q.rtype == RType::TXT && q.name.eq_ignore_ascii_case(name))
        .collect();
    !asked.is_empty()
        && asked.iter().all(|q| {
            matches!(
                q.outcome,
                Outcome::Answer | Outcome::NxDomain | Outcome::NoData
            )
        })
        && spf_records_of(ctx, name).is_empty()
}

fn find_node<'a>(node: &'a SpfNode, domain: &str) -> Option<&'a SpfNode> {
    if node.via != "root" && node.domain.eq_ignore_ascii_case(domain) {
        return Some(node);
    }
    node.children.iter().find_map(|c| find_node(c, domain))
}

/// The record without the terms it repeats (compared without case), and the repeats
/// removed; None when no term is written twice.
fn without_repeats(record: &str) -> Option<(String, Vec<String>)> {
    let mut seen: Vec<String> = Vec::new();
    let mut kept: Vec<&str> = Vec::new();
    let mut repeated: Vec<String> = Vec::new();
    for term in record.split_whitespace() {
        let key = term.to_ascii_lowercase();
        if seen.contains(&key) {
            repeated.push(term.to_string());
        } else {
            seen.push(key);
            kept.push(term);
        }
    }
    (!repeated.is_empty()).then(|| (kept.join(" "), repeated))
}

/// The lookups a record costs (RFC 7208 section 4.6.4) from the tree walked in this run:
/// (count, true) when every include's cost is known, (lower bound, false) otherwise.
fn lookups_of(record: &str, tree: Option<&SpfNode>) -> (u32, bool) {
    let mut total = 0u32;
    let mut complete = true;
    for term in record.split_whitespace().skip(1) {
        let t = records::unqualified(term).to_ascii_lowercase();
        let target = if let Some(d) = t.strip_prefix("include:") {
            Some(d.to_string())
        } else {
            t.strip_prefix("redirect=").map(str::to_string)
        };
        let dns_term = target.is_some()
            || t == "a"
            || t == "mx"
            || t == "ptr"
            || ["a:", "a/", "mx:", "mx/", "ptr:", "exists:"]
                .iter()
                .any(|p| t.starts_with(p));
        if dns_term {
            total = total.saturating_add(1);
        }
        if let Some(d) = target {
            match tree.and_then(|n| find_node(n, &d)) {
                Some(n) => total = total.saturating_add(n.total_lookups),
                None => complete = false,
            }
        }
    }
    (total, complete)
}

pub(super) fn spf(ctx: &Ctx<'_>, out: &mut Vec<Draft>) {
    let Some(facts) = ctx.input.report.spf.as_ref() else {
        return;
    };
    if ctx.inconclusive(Check::Spf) || super::dmarc_steps::nothing_to_publish(ctx) {
        return;
    }
    let mut pool = ctx.actionable(Check::Spf);
    let name = facts.domain.clone();
    let mut current = facts.record.clone();
    let clues = senders::clues(ctx.input);
    let service = senders::recognise(ctx.k, &clues);
    let mut merged_lookups: Option<(u32, bool)> = None;
    if facts.records_count > 1 {
        let mut d = Draft::new("spf-merge", "spf");
        claim(&mut pool, &mut d, &["multiple", "duplicate", "records"]);
        let recs = spf_records_of(ctx, &ctx.domain);
        d.details = recs.iter().map(|r| format!("published now: {r}")).collect();
        if let Some(m) = records::merge_spf(&recs).filter(|_| recs.len() > 1) {
            let (record, dropped) =
                records::drop_includes(&m.record, |inc| known_without_spf(ctx, inc));
            d.details.extend(m.notes);
            for inc in &dropped {
                d.details.push(
                    ctx.k
                        .message_with("spf-merge-dropped-include", &[("include", inc.as_str())]),
                );
                claim(&mut pool, &mut d, &["include-without-spf"]);
            }
            let lookups = lookups_of(&record, facts.tree.as_ref());
            d.details.push(lookups_line(ctx, lookups));
            merged_lookups = Some(lookups);
            d.records.push(RecordToPublish::txt(
                name.clone(),
                record.clone(),
                ctx.k.message_with(
                    "spf-merge-note",
                    &[("count", &facts.records_count.to_string())],
                ),
            ));
            current = Some(record);
        }
        d.wait = facts.ttl;
        out.push(d);
    } else if let Some(fixed) = unterminated_record(ctx, &name, &pool) {
        // A record receivers discard because `v=spf1` runs into the next term: the same record
        // with its spaces back replaces it (not a new record beside it).
        let mut d = Draft::new("spf-fix", "spf");
        claim(
            &mut pool,
            &mut d,
            &["missing", "no-record", "absent", "not-terminated"],
        );
        d.records.push(RecordToPublish::txt(
            name.clone(),
            fixed.clone(),
            ctx.k.message("spf-glued-strings-note"),
        ));
        current = Some(fixed);
        d.wait = facts.ttl.or_else(|| ctx.negative_ttl(&name, RType::TXT));
        out.push(d);
    } else if facts.record.is_none() {
        let mut d = Draft::new("spf-publish", "spf");
        claim(
            &mut pool,
            &mut d,
            &["missing", "no-record", "absent", "not-found"],
        );
        let legacy = type99_record(ctx, &name);
        let rec = match (&legacy, service.as_ref()) {
            // The domain wrote its record already, as type 99 only: the same text as TXT is
            // what receivers read (RFC 7208 section 14.1); the sender is authorised after.
            (Some(r), _) => r.clone(),
            (None, Some(r)) => {
                d.details.push(recognised_line(ctx, r));
                format!("v=spf1 include:{} ~all", r.service.spf_include)
            }
            (None, None) => records::spf_starter(ctx.input.params.ip),
        };
        if legacy.is_some() {
            claim(&mut pool, &mut d, &["type99"]);
        }
        let note = match legacy {
            Some(_) => ctx.k.message("spf-type99-note"),
            None => records::spf_publish_note(ctx.k, &rec),
        };
        d.records
            .push(RecordToPublish::txt(name.clone(), rec.clone(), note));
        current = Some(rec);
        // No record: the TTL that counts is the absence's (capped as resolvers cap it).
        d.wait = ctx.negative_ttl(&name, RType::TXT).or(facts.ttl);
        super::spf_authorise::cname_in_place(ctx, &mut d, &name);
        out.push(d);
    }
    if let Some(fixed) =
        super::spf_repair::repair_terms(ctx, facts, current.as_deref(), &mut pool, out)
    {
        current = Some(fixed);
    }
    super::spf_repair::vendor_terms(facts, &mut pool, out);
    // A misspelt redirect put right took the unlisted sender to the redirect's record.
    let left_to_redirect = out
        .last()
        .is_some_and(|d| d.findings.iter().any(|f| f == "spf-ip-not-authorised"));
    if !left_to_redirect {
        authorise(
            ctx,
            facts,
            current.as_deref(),
            service.as_ref(),
            &mut pool,
            out,
        );
    }
    if let Some(rec) = current.as_deref() {
        close_open_includes(ctx, facts, rec, &mut pool, out);
        super::spf_wide::drop_wide_ranges(ctx, facts, rec, &mut pool, out);
    }
    super::spf_loop::break_loops(ctx, facts, current.as_deref(), &mut pool, out);
    if let Some(d) = out.iter_mut().rev().find(|d| d.id == "spf-break-loop") {
        claim_explained_permerror(&mut pool, d);
    }
    let still_over = merged_lookups.is_some_and(|(n, _)| n > 10);
    // The merge step promises the next step when its record is still over the limit: that
    // step follows even where the published records counted fewer.
    if (facts.lookups > 10 || still_over || facts.void_lookups > 2)
        && (merged_lookups.is_none() || still_over)
    {
        // Only the void limit is exceeded: the terms that find nothing go, not lookups.
        let void_only = facts.lookups <= 10 && !still_over;
        let mut d = Draft::new(
            if void_only {
                "spf-void-lookups"
            } else {
                "spf-lookups"
            },
            "spf",
        );
        claim(&mut pool, &mut d, &["lookup"]);
        claim_explained_permerror(&mut pool, &mut d);
        d.details.push(format!(
            "{} DNS lookups (limit 10), {} void lookups (limit 2)",
            facts.lookups, facts.void_lookups
        ));
        if let Some(tree) = facts.tree.as_ref() {
            d.details.extend(records::spf_lookup_breakdown(tree));
            // An include of another organisation over the limit on its own: no record of
            // this domain that includes it can pass, so its publisher must make it smaller.
            let org = crate::domain_name::org_domain(&facts.domain);
            for c in tree.children.iter().filter(|c| {
                c.via == "include"
                    && c.total_lookups.saturating_add(1) > 10
                    && crate::domain_name::org_domain(&c.domain) != org
            }) {
                d.details.push(ctx.k.message_with(
                    "spf-include-over-limit-alone",
                    &[
                        ("include", c.domain.as_str()),
                        ("state", &c.total_lookups.saturating_add(1).to_string()),
                        ("domain", facts.domain.as_str()),
                    ],
                ));
            }
            let own_record = facts.record.as_deref() == tree.record.as_deref();
            if let Some((rec, dropped)) = facts
                .record
                .as_deref()
                .filter(|_| void_only && own_record)
                .and_then(|r| {
                    super::spf_void::without_void_terms(r, &facts.domain, ctx.input.queries)
                })
            {
                // An include of a name that does not exist is one of the void terms dropped.
                pool.retain(|f| {
                    let gone = f.id == "spf-include-without-spf"
                        && dropped.iter().any(|t| {
                            t.to_ascii_lowercase()
                                .ends_with(&format!("include:{}", f.subject.to_ascii_lowercase()))
                        });
                    if gone {
                        d.findings.push(f.id.clone());
                    }
                    !gone
                });
                claim_explained_permerror(&mut pool, &mut d);
                d.records.push(RecordToPublish::txt(
                    facts.domain.clone(),
                    rec,
                    ctx.k
                        .message_with("spf-void-note", &[("subject", &dropped.join(" "))]),
                ));
            }
            // A term written twice (an include two teams each added): the repeat is evaluated
            // again for nothing and can match nothing the first did not. Dropping it comes
            // before anything is flattened, and settles the step when that is enough.
            let mut deduped_enough = false;
            if let Some((rec, repeated)) = current
                .as_deref()
                .filter(|_| own_record && !void_only)
                .and_then(without_repeats)
            {
                let (left, complete) = lookups_of(&rec, Some(tree));
                deduped_enough = complete && left <= 10;
                d.records.push(RecordToPublish::txt(
                    facts.domain.clone(),
                    rec,
                    ctx.k.message_with(
                        "spf-duplicate-note",
                        &[
                            ("subject", &repeated.join(" ")),
                            (
                                "lookups",
                                &if complete {
                                    left.to_string()
                                } else {
                                    format!("at least {left}")
                                },
                            ),
                        ],
                    ),
                ));
            }
            if let Some((rec, replaced, saved)) =
                super::spf_flatten::flatten_own(&facts.domain, current.as_deref(), tree)
                    .filter(|_| own_record && facts.void_lookups <= 2 && !deduped_enough)
            {
                let left = facts.lookups.saturating_sub(saved);
                d.records.push(RecordToPublish::txt(
                    facts.domain.clone(),
                    rec,
                    ctx.k.message_with(
                        "spf-flatten-note",
                        &[
                            ("include", &replaced.join(", include:")),
                            ("lookups", &left.to_string()),
                        ],
                    ),
                ));
            }
        }
        // Evaluation stopped at the limit before the IP matched: a record that lists the IP
        // further on looks right and still fails (said after the breakdown).
        if let Some(r) = facts.result.as_ref().filter(|r| r.result == "permerror")
            && let Some(m) = r.mechanism.as_deref().filter(|m| m.contains("DNS lookup"))
        {
            d.details.push(ctx.k.message_with(
                "spf-ip-past-limit",
                &[("ip", &r.ip.to_string()), ("message", m)],
            ));
        }
        d.wait = facts.ttl;
        out.push(d);
    } else if merged_lookups.is_some() {
        // The merge step's record is under the limit: it settles the lookup findings, and the
        // permerror they and the duplicate records caused, too.
        if let Some(m) = out.iter_mut().find(|d| d.id == "spf-merge") {
            claim(&mut pool, m, &["lookup"]);
            claim_explained_permerror(&mut pool, m);
        }
    }
    drop_dead_includes(ctx, facts, current.as_deref(), &mut pool, out);
    replace_ptr(ctx, facts, current.as_deref(), &mut pool, out);
    super::spf_split::step(
        ctx,
        &facts.domain,
        current.as_deref(),
        facts.ttl,
        &mut pool,
        out,
    );
    leftover(out, pool, "spf-fix", "spf", facts.ttl);
}

/// The domain's own `ptr` terms (RFC 7208 section 5.5: do not use; some receivers skip them):
/// the record with them replaced by the address they let pass in this run, when one did.
fn replace_ptr(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    record: Option<&str>,
    pool: &mut Vec<&crate::finding::Finding>,
    out: &mut Vec<Draft>,
) {
    let own = |f: &&crate::finding::Finding| {
        f.id == "spf-ptr-mechanism" && f.subject.eq_ignore_ascii_case(&facts.domain)
    };
    let Some(record) = record.filter(|_| pool.iter().any(own)) else {
        return;
    };
    let is_ptr = |t: &str| {
        let t = records::unqualified(t).to_ascii_lowercase();
        t == "ptr" || t.starts_with("ptr:")
    };
    // Without the address ptr let pass, dropping it would only remove senders.
    let Some(passed) = facts
        .result
        .as_ref()
        .filter(|r| r.result == "pass" && r.mechanism.as_deref().is_some_and(is_ptr))
    else {
        return;
    };
    // Each ptr term gives way to the address it let pass, in its place, once.
    let term = records::ip_term(passed.ip);
    let mut terms: Vec<String> = Vec::new();
    for t in record.split_whitespace() {
        if !is_ptr(t) {
            terms.push(t.to_string());
        } else if !terms.iter().any(|x| x.eq_ignore_ascii_case(&term)) {
            terms.push(term.clone());
        }
    }
    let mut d = Draft::new("spf-fix", "spf");
    pool.retain(|f| {
        let hit = own(f);
        if hit {
            d.findings.push(f.id.clone());
            d.details.push(f.message.clone());
        }
        !hit
    });
    d.details.push(
        ctx.k
            .message_with("spf-ptr-replaced", &[("ip", &passed.ip.to_string())]),
    );
    let record = terms.join(" ");
    let note = records::spf_publish_note(ctx.k, &record);
    d.records
        .push(RecordToPublish::txt(facts.domain.clone(), record, note));
    d.wait = facts.ttl;
    out.push(d);
}

/// An include of a name that publishes no SPF record makes every evaluation that reaches it
/// permerror (RFC 7208 section 5.2): the one published record without it.
fn drop_dead_includes(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    record: Option<&str>,
    pool: &mut Vec<&crate::finding::Finding>,
    out: &mut Vec<Draft>,
) {
    if !pool.iter().any(|f| f.id == "spf-include-without-spf") || facts.records_count != 1 {
        return;
    }
    let Some(record) = record else { return };
    let (mut value, mut dropped) =
        records::drop_includes(record, |inc| known_without_spf(ctx, inc));
    // A redirect= to a name without SPF is the same permerror; the record cannot just lose it
    // (it would end without a policy), so the sender's own terms take its place.
    let authorise = authorising_terms(ctx, facts);
    let redirect = records::replace_redirect(&value, |t| known_without_spf(ctx, t), &authorise);
    if let Some((rec, target)) = &redirect {
        value = rec.clone();
        dropped.push(target.clone());
    }
    if dropped.is_empty() {
        return;
    }
    let mut d = Draft::new("spf-fix", "spf");
    pool.retain(|f| {
        let gone = f.id == "spf-include-without-spf"
            && dropped.iter().any(|i| i.eq_ignore_ascii_case(&f.subject));
        if gone {
            d.findings.push(f.id.clone());
            d.details.push(f.message.clone());
        }
        !gone
    });
    claim_explained_permerror(pool, &mut d);
    let redirect_target = redirect.as_ref().map(|(_, t)| t.as_str());
    for inc in dropped
        .iter()
        .filter(|i| Some(i.as_str()) != redirect_target)
    {
        d.details.push(
            ctx.k
                .message_with("spf-merge-dropped-include", &[("include", inc.as_str())]),
        );
    }
    if let Some(target) = redirect_target {
        // The other way to fix it, when the redirect was meant to stay: its target's record.
        let at_target = std::iter::once("v=spf1".to_string())
            .chain(authorise.iter().cloned())
            .chain(std::iter::once("~all".to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        // The message writes the target as a zone-file line: a name taken from DNS is
        // escaped for it, so an odd character cannot change what the line publishes.
        d.details.push(ctx.k.message_with(
            "spf-redirect-dead",
            &[
                ("target", &crate::dns::zone_text(target)),
                ("record", &at_target),
            ],
        ));
    }
    let note = records::spf_publish_note(ctx.k, &value);
    d.records
        .push(RecordToPublish::txt(facts.domain.clone(), value, note));
    d.wait = facts.ttl;
    out.push(d);
}

/// The terms that authorise this run's sender: the recognised service's include, else the
/// sending IP, else the domain's MX hosts (what `spf_starter` would publish).
fn authorising_terms(ctx: &Ctx<'_>, facts: &SpfFacts) -> Vec<String> {
    let clues = senders::clues(ctx.input);
    if let Some(r) = senders::recognise(ctx.k, &clues) {
        return vec![format!("include:{}", r.service.spf_include)];
    }
    let ip = facts.result.as_ref().map(|r| r.ip).or(ctx.input.params.ip);
    records::spf_starter(ip)
        .split_whitespace()
        .filter(|t| !t.eq_ignore_ascii_case("v=spf1") && !t.eq_ignore_ascii_case("~all"))
        .map(str::to_string)
        .collect()
}

/// `+all` that lets every IP pass, in the domain's own record or in an include it reaches: the
/// record without it (`~all` for its own `all`, the include that leads there dropped).
fn close_open_includes(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    record: &str,
    pool: &mut Vec<&crate::finding::Finding>,
    out: &mut Vec<Draft>,
) {
    let open: Vec<&crate::finding::Finding> = pool
        .iter()
        .copied()
        .filter(|f| f.id == "spf-plus-all" && f.severity == crate::finding::Severity::Error)
        .collect();
    if open.is_empty() {
        return;
    }
    let mut value = record.to_string();
    let mut dropped: Vec<String> = Vec::new();
    for f in &open {
        if f.subject.eq_ignore_ascii_case(&facts.domain) {
            value = value
                .split_whitespace()
                .map(|t| match t.to_ascii_lowercase().as_str() {
                    "all" | "+all" => "~all",
                    _ => t,
                })
                .collect::<Vec<_>>()
                .join(" ");
        } else if let Some(top) = facts
            .tree
            .as_ref()
            .and_then(|t| t.children.iter().find(|c| holds(c, &f.subject)))
            .filter(|c| c.via == "include")
        {
            let (kept, gone) = records::drop_includes(&value, |d| {
                d.trim_end_matches('.').eq_ignore_ascii_case(&top.domain)
            });
            value = kept;
            dropped.extend(gone);
        }
    }
    let mut d = Draft::new("spf-close-open-include", "spf");
    claim(pool, &mut d, &["plus-all"]);
    // The sending IP passed only through the open `all`: closing it without naming the IP
    // would turn this very sender's pass into a fail.
    if let Some(r) = facts.result.as_ref().filter(|r| {
        r.result == "pass"
            && r.mechanism
                .as_deref()
                .is_some_and(|m| m.trim_start_matches('+').eq_ignore_ascii_case("all"))
    }) && value != record
    {
        value = records::spf_with_ip(&value, r.ip);
        d.details.push(
            ctx.k
                .message_with("spf-open-all-kept-ip", &[("ip", &r.ip.to_string())]),
        );
    }
    for inc in &dropped {
        d.details.push(
            ctx.k
                .message_with("spf-open-include-dropped", &[("include", inc.as_str())]),
        );
    }
    if value != record {
        d.records.push(RecordToPublish::txt(
            facts.domain.clone(),
            value,
            ctx.k.message("spf-open-include-note"),
        ));
    }
    d.wait = facts.ttl;
    out.push(d);
}

/// True when `domain` is `node` or somewhere below it.
fn holds(node: &SpfNode, domain: &str) -> bool {
    node.domain.eq_ignore_ascii_case(domain) || node.children.iter().any(|c| holds(c, domain))
}

/// The permerror finding joins `d` when nothing else left in the pool could explain it (no
/// syntax error, loop ...): the steps so far are its cause and its fix.
fn claim_explained_permerror(pool: &mut Vec<&crate::finding::Finding>, d: &mut Draft) {
    let other_errors = pool
        .iter()
        .any(|f| f.severity == crate::finding::Severity::Error && f.id != "spf-permerror");
    if !other_errors {
        claim(pool, d, &["permerror"]);
    }
}

fn lookups_line(ctx: &Ctx<'_>, (n, complete): (u32, bool)) -> String {
    let id = match (n > 10, complete) {
        (true, true) => "spf-merged-over-limit",
        (true, false) => "spf-merged-over-limit-at-least",
        (false, true) => "spf-merged-under-limit",
        (false, false) => "spf-merged-lookups-unknown",
    };
    ctx.k.message_with(id, &[("lookups", &n.to_string())])
}

/// The SPF record `name` publishes as the obsolete type 99 only (what `spf-type99-only`
/// found), as the text to publish in TXT.
fn type99_record(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    ctx.input
        .queries
        .iter()
        .filter(|q| q.rtype == RType::SPF && q.name.eq_ignore_ascii_case(name))
        .flat_map(|q| q.answers.iter())
        .map(|a| records::unquote_txt(a))
        .find(|t| {
            t.get(..6).is_some_and(|v| v.eq_ignore_ascii_case("v=spf1"))
                && (t.len() == 6 || t.as_bytes()[6] == b' ')
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn node(domain: &str, via: &str, own: u32, children: Vec<SpfNode>) -> SpfNode {
        let total = children.iter().map(|c| c.total_lookups).sum::<u32>() + own;
        SpfNode {
            domain: domain.into(),
            via: via.into(),
            record: None,
            own_lookups: own,
            total_lookups: total,
            void_lookups: 0,
            error: None,
            children,
        }
    }

    #[test]
    fn lookups_of_a_record_count_its_terms_and_the_includes_trees() {
        let tree = node(
            "example.com",
            "root",
            3,
            vec![node("_spf.esp.example", "include", 8, vec![])],
        );
        assert_eq!(
            lookups_of(
                "v=spf1 a mx include:_spf.esp.example ip4:192.0.2.1 -all",
                Some(&tree)
            ),
            (11, true)
        );
        assert_eq!(
            lookups_of("v=spf1 include:other.example -all", Some(&tree)),
            (1, false)
        );
        assert_eq!(lookups_of("v=spf1 ip4:192.0.2.1 -all", None), (0, true));
    }
}
