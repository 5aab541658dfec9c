//! Diagnosis: from decoded replies and a domain report to likely causes, an ordered plan and escalation.

mod causes;
mod dkim_found;
mod dkim_steps;
mod dmarc_records;
mod dmarc_steps;
mod dns_steps;
mod domain_steps;
mod draft;
pub mod escalation;
pub mod knowledge;
mod links;
mod mx_steps;
mod order;
mod path;
pub mod records;
mod scope;
pub mod senders;
mod spf_authorise;
mod spf_flatten;
mod spf_loop;
mod spf_repair;
mod spf_split;
mod spf_steps;
mod spf_void;
mod spf_wide;
mod transit;
mod types;

pub use draft::shell_word;
pub use escalation::{Escalation, EscalationLink};
pub use knowledge::{Knowledge, SendingService};
pub(crate) use scope::{
    implicated_checks, is_dns_check, not_looked_up, other_replies, primary, recipients_of, verified,
};
pub use types::{
    Clue, ClueKind, DiagnoseInput, Diagnosis, LikelyCause, NoCause, NotChecked, PlanStep,
    Provenance, RecordToPublish,
};

/// Decodes nothing new: combines what the checks found with what the reply says.
pub fn diagnose(input: &DiagnoseInput<'_>, knowledge: &Knowledge) -> Diagnosis {
    let primary = scope::primary(input.replies);
    let (likely_causes, no_cause_found) = causes::likely_causes(input, knowledge);
    let not_checked = causes::not_checked(input, knowledge);
    let mut plan = order::build_plan(input, knowledge, no_cause_found.is_some());
    // A reply that is itself a cause is fixed by its own action step (each reply's step).
    let reply_steps: Vec<&str> = likely_causes
        .iter()
        .filter_map(|c| c.reply_rule.as_deref())
        .filter_map(|rule| input.replies.iter().find(|(_, d)| d.rule.id == rule))
        .filter_map(|(r, d)| {
            // A listed link in the message has its own step in place of a delisting request.
            if links::listed_link(knowledge, d, &r.text, &input.report.domain).is_some() {
                return Some("action-remove-listed-link");
            }
            scope::reply_action_step(d).map(|(id, _)| id)
        })
        .collect();
    order::lead_with_causes(
        &mut plan,
        &likely_causes,
        &reply_steps,
        &input.report.findings,
    );
    // "DNS verified" is a claim about every implicated check: one --offline left open breaks it.
    // And a check that ran on something else than what the reply is about (PTR without the
    // sending IP looks at the MX hosts) verified nothing.
    // A list that changed the body is why the receiver refused, and the receiver was right:
    // there is nothing to escalate to it.
    // Each provider's path is judged on the checks its own reply implicates.
    // The sending service whose address sent the mail: a listing of its shared address is its
    // to handle.
    let service_id =
        senders::recognise(knowledge, &senders::ptr_clues(input)).map(|r| r.service.id.clone());
    let service = service_id.as_deref();
    let escalate_for = |reply: Option<&(crate::reply::Reply, crate::rules::Decoded)>| {
        let implicated = implicated_checks(reply.map(|(_, d)| d), input.report);
        let verified = no_cause_found.is_some()
            && transit::body_changed(input).is_none()
            && !not_checked.iter().any(|n| implicated.contains(&n.check))
            && implicated.iter().all(|c| scope::verified(input.report, c));
        let mut escalation = escalation::select(reply, verified, knowledge, service);
        // What the implicated checks found that the provider should see (a listing's evidence).
        for entry in crate::checks::REGISTRY.iter() {
            if implicated.iter().any(|c| c == entry.check().as_str()) {
                escalation.gather.extend(entry.evidence(input.report));
            }
        }
        escalation
    };
    let escalation = escalate_for(primary);
    let mut also_escalate: Vec<Escalation> = Vec::new();
    for reply in scope::escalating_replies(input.replies, primary) {
        let e = escalate_for(Some(reply));
        if e.provider != "generic"
            && e.id != escalation.id
            && !also_escalate.iter().any(|a| a.id == e.id)
        {
            also_escalate.push(e);
        }
    }
    Diagnosis {
        likely_causes,
        no_cause_found,
        not_checked,
        plan,
        escalation,
        also_escalate,
    }
}
