//! Ordering the plan: DNS trouble, PTR, SPF, DKIM, DMARC, alignment, policy stages, then the reply's action.

use super::causes::reply_code;
use super::draft::{Ctx, Draft};
use super::knowledge::Knowledge;
use super::{
    DiagnoseInput, LikelyCause, PlanStep, dkim_steps, dmarc_steps, dns_steps, implicated_checks,
    mx_steps, spf_steps,
};

/// The first IP address written in a reply ("... banned sending IP [192.0.2.5]").
fn ip_in_text(text: &str) -> Option<std::net::IpAddr> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == ':'))
        .filter(|w| w.contains('.') || w.matches(':').count() >= 2)
        .find_map(|w| w.trim_matches(['.', ':']).parse().ok())
}

/// The ordered plan. Same input, same plan: every collection walked here is ordered.
///
/// `no_cause`: the implicated checks answered and pass. A delisting request then has nothing
/// to ask for (the list the reply names does not list the sender now), so it is not proposed.
pub(super) fn build_plan(
    input: &DiagnoseInput<'_>,
    k: &Knowledge,
    no_cause: bool,
) -> Vec<PlanStep> {
    let primary = super::primary(input.replies);
    let ctx = ctx_for(input, k, primary);
    let mut dns: Vec<Draft> = Vec::new();
    dns_steps::inconclusive(&ctx, &mut dns);
    super::domain_steps::nonexistent(&ctx, &mut dns);
    dns_steps::ptr(&ctx, &mut dns);
    spf_steps::spf(&ctx, &mut dns);
    dkim_steps::dkim(&ctx, &mut dns);
    dmarc_steps::dmarc(&ctx, &mut dns);
    mx_steps::mx(&ctx, &mut dns);
    dns_steps::other_checks(&ctx, &mut dns);

    // Steps say whom they are about once the input names more than one recipient.
    let mut recipients: Vec<String> = input
        .replies
        .iter()
        .filter_map(|(r, _)| r.recipient.as_deref().map(str::to_ascii_lowercase))
        .collect();
    recipients.sort();
    recipients.dedup();
    let several = recipients.len() > 1;
    let action = primary.and_then(|reply| action_draft(&ctx, &dns, no_cause, reply, several));
    let reply_first =
        primary.is_some() && implicated_checks(primary.map(|(_, d)| d), input.report).is_empty();
    let mut drafts = Vec::with_capacity(dns.len() + 1);
    match action {
        Some(a) if reply_first => {
            drafts.push(a);
            drafts.extend(dns);
        }
        Some(a) => {
            drafts.extend(dns);
            drafts.push(a);
        }
        None => drafts.extend(dns),
    }
    let mut plan: Vec<PlanStep> = drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| ctx.finish(d, i as u32 + 1))
        .collect();
    // Each other kind of failure the input names (an unknown user beside a DMARC refusal):
    // its own action, filled from its own reply (its code, its recipients).
    for reply in super::other_replies(input.replies) {
        let other = ctx_for(input, k, Some(reply));
        if let Some(a) = action_draft(&other, &[], false, reply, several) {
            let n = plan.len() as u32 + 1;
            plan.push(other.finish(a, n));
        }
    }
    plan
}

/// The template values of the steps made for one reply.
fn ctx_for<'a>(
    input: &'a DiagnoseInput<'a>,
    k: &'a Knowledge,
    reply: Option<&(crate::reply::Reply, crate::rules::Decoded)>,
) -> Ctx<'a> {
    Ctx {
        input,
        k,
        domain: input.report.domain.clone(),
        ip: input.params.ip.map(|i| i.to_string()).unwrap_or_default(),
        helo: input.params.helo.clone().unwrap_or_default(),
        code: reply
            .map(|(r, _)| reply_code(r))
            .unwrap_or_else(|| "The reply".into()),
        provider: reply
            .and_then(|(_, d)| d.provider.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| "the receiving provider".into()),
        recipient_domain: reply
            .and_then(|(r, _)| r.recipient.as_deref())
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase())
            .filter(|d| {
                d.contains('.')
                    && d.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            })
            .unwrap_or_default(),
    }
}

/// The step acting on a reply's own handling action (suppress, slow down, delist ...), when it
/// has one. `name_recipients`: the input has several replies, so the step says whom it is about.
fn action_draft(
    ctx: &Ctx<'_>,
    dns: &[Draft],
    no_cause: bool,
    (r, d): &(crate::reply::Reply, crate::rules::Decoded),
    name_recipients: bool,
) -> Option<Draft> {
    let k = ctx.k;
    // The reply names a public list (its path goes to the list's operator, not to the
    // receiver) and the DNS found the listing: that step already names what is listed and
    // where removal is asked; a second "request delisting of <ip>" would name the wrong
    // thing when the list lists a domain.
    let list_named = k.rule_escalations.get(&d.rule.id).is_some_and(|t| {
        d.provider
            .as_ref()
            .is_none_or(|p| !p.id.eq_ignore_ascii_case(t))
    });
    let delisted_by_dns = list_named
        && dns.iter().any(|s| {
            s.checks.iter().any(|c| d.checks.contains(c))
                && s.findings.iter().any(|f| f.ends_with("-listed"))
        });
    let moot = (no_cause || delisted_by_dns) && d.action == crate::rules::Action::RequestDelisting;
    // A listed link in the message, the sender's own names on no list: the link goes, and
    // nothing of the sender's is to be delisted.
    if !delisted_by_dns && let Some(link) = super::links::listed_link(k, d, &r.text, &ctx.domain) {
        let mut draft = Draft::new("action-remove-listed-link", "content");
        draft
            .vars
            .push(("meaning", super::causes::reply_meaning(d)));
        if !link.is_empty() {
            draft
                .details
                .push(k.message_with("listed-link-named", &[("host", link.as_str())]));
        }
        return Some(draft);
    }
    super::scope::reply_action_step(d)
        .filter(|_| !moot)
        .map(|(id, check)| {
            let mut draft = Draft::new(id, check);
            // The step says what this reply refused (a command, a header, an unregistered
            // domain), not one generic reason for every reply that takes its action.
            draft
                .vars
                .push(("meaning", super::causes::reply_meaning(d)));
            // A reply that names the client address it refused (a listing) is about that one,
            // whatever --ip says.
            if let Some(ip) = ip_in_text(&r.text) {
                draft.vars.push(("ip", ip.to_string()));
            }
            draft.checks = d
                .checks
                .iter()
                .filter(|c| !super::is_dns_check(c))
                .cloned()
                .collect();
            if draft.checks.is_empty() {
                draft.checks.push(check.to_string());
            }
            if name_recipients {
                let recipients = super::recipients_of(ctx.input.replies, &d.rule.id);
                draft.several = recipients.len() > 1;
                for a in recipients {
                    draft.details.push(
                        k.message_with("reply-recipient", &[("subject", &a), ("code", &ctx.code)]),
                    );
                }
            }
            draft
        })
}

/// Marks the steps that fix a likely cause and moves them to the front, keeping the builders'
/// order within each group (a merge before the lookups it settles, DMARC's record before its
/// stages); hardening follows. A reply that is itself the cause is fixed by its action step
/// (`reply_steps`: the action steps of the replies that are causes).
pub(super) fn lead_with_causes(
    plan: &mut [PlanStep],
    causes: &[LikelyCause],
    reply_steps: &[&str],
    findings: &[crate::finding::Finding],
) {
    for s in plan.iter_mut() {
        s.fixes_likely_cause = s.finding_ids.iter().any(|f| fixes(s, f, causes, findings))
            || reply_steps.contains(&s.id.as_str());
    }
    // A stable sort: `false < true`, so the marked steps come first in their own order.
    plan.sort_by_key(|s| !s.fixes_likely_cause);
    for (i, s) in plan.iter_mut().enumerate() {
        s.order = i as u32 + 1;
    }
}

/// True when `step`, which claims finding `id`, fixes a likely cause. Several findings of one id
/// about different subjects (two selectors' dangling CNAMEs, only one of them the signing
/// selector): the step fixes the cause only when the subject it is about is the blamed one;
/// a step that names none of them keeps the id's verdict.
fn fixes(
    step: &PlanStep,
    id: &str,
    causes: &[LikelyCause],
    findings: &[crate::finding::Finding],
) -> bool {
    let blamed: Vec<&str> = causes
        .iter()
        .filter(|c| c.finding_id.as_deref() == Some(id))
        .filter_map(|c| c.subject.as_deref())
        .collect();
    if !causes.iter().any(|c| c.finding_id.as_deref() == Some(id)) {
        return false;
    }
    let mut subjects: Vec<&str> = findings
        .iter()
        .filter(|f| f.id == id)
        .map(|f| f.subject.as_str())
        .collect();
    subjects.sort_unstable();
    subjects.dedup();
    if subjects.len() <= 1 || blamed.is_empty() {
        return true;
    }
    let text = format!(
        "{} {} {}",
        step.title,
        step.details.join(" "),
        step.records
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    )
    .to_ascii_lowercase();
    let mentioned: Vec<&str> = subjects
        .into_iter()
        .filter(|s| names(&text, &s.to_ascii_lowercase()))
        .collect();
    mentioned.is_empty()
        || mentioned
            .iter()
            .any(|m| blamed.iter().any(|b| b.eq_ignore_ascii_case(m)))
}

/// True when `text` names `name` as a whole name (not as the tail of a longer one).
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
        before.is_none_or(|c| !(part(c) || c == '.')) && after.is_none_or(|c| !part(c))
    })
}
