//! Ordering the plan: DNS trouble, PTR, SPF, DKIM, DMARC, alignment, policy stages, then the reply's action.

use super::causes::reply_code;
use super::draft::{Ctx, Draft};
use super::knowledge::Knowledge;
use super::{
    DiagnoseInput, LikelyCause, PlanStep, dkim_steps, dmarc_steps, dns_steps, implicated_checks,
    mx_steps, spf_steps,
};
use crate::rules::knowledge::action_step;

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
    let primary = input.replies.first();
    let ctx = Ctx {
        input,
        k,
        domain: input.report.domain.clone(),
        ip: input.params.ip.map(|i| i.to_string()).unwrap_or_default(),
        helo: input.params.helo.clone().unwrap_or_default(),
        code: primary
            .map(|(r, _)| reply_code(r))
            .unwrap_or_else(|| "The reply".into()),
        provider: primary
            .and_then(|(_, d)| d.provider.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| "the receiving provider".into()),
        recipient_domain: primary
            .and_then(|(r, _)| r.recipient.as_deref())
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase())
            .filter(|d| {
                d.contains('.')
                    && d.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            })
            .unwrap_or_default(),
    };
    let mut dns: Vec<Draft> = Vec::new();
    dns_steps::inconclusive(&ctx, &mut dns);
    super::domain_steps::nonexistent(&ctx, &mut dns);
    dns_steps::ptr(&ctx, &mut dns);
    spf_steps::spf(&ctx, &mut dns);
    dkim_steps::dkim(&ctx, &mut dns);
    dmarc_steps::dmarc(&ctx, &mut dns);
    mx_steps::mx(&ctx, &mut dns);
    dns_steps::other_checks(&ctx, &mut dns);

    let action = primary.and_then(|(r, d)| {
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
        let moot =
            (no_cause || delisted_by_dns) && d.action == crate::rules::Action::RequestDelisting;
        action_step(d.action).filter(|_| !moot).map(|(id, check)| {
            let mut draft = Draft::new(id, check);
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
            draft
        })
    });
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
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| ctx.finish(d, i as u32 + 1))
        .collect()
}

/// Marks the steps that fix a likely cause and moves them to the front, keeping the builders'
/// order within each group (a merge before the lookups it settles, DMARC's record before its
/// stages); hardening follows. A reply that is itself the cause is fixed by its action step.
pub(super) fn lead_with_causes(plan: &mut [PlanStep], causes: &[LikelyCause]) {
    let finding_ids: Vec<&str> = causes
        .iter()
        .filter_map(|c| c.finding_id.as_deref())
        .collect();
    let reply_is_cause = causes.iter().any(|c| c.reply_rule.is_some());
    for s in plan.iter_mut() {
        s.fixes_likely_cause = s
            .finding_ids
            .iter()
            .any(|f| finding_ids.contains(&f.as_str()))
            || (reply_is_cause && s.id.starts_with("action-"));
    }
    // A stable sort: `false < true`, so the marked steps come first in their own order.
    plan.sort_by_key(|s| !s.fixes_likely_cause);
    for (i, s) in plan.iter_mut().enumerate() {
        s.order = i as u32 + 1;
    }
}
