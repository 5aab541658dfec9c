//! Likely causes: the findings the primary reply points at, or a plain "DNS does not explain it".

use super::knowledge::{Knowledge, fill};
use super::path;
use super::{
    DiagnoseInput, LikelyCause, NoCause, NotChecked, implicated_checks, not_looked_up, verified,
};
use crate::finding::{Check, Finding, Severity};
use crate::reply::Reply;
use crate::rules::Decoded;

/// "550 5.7.26" (or whichever parts the reply carried).
pub(crate) fn reply_code(reply: &Reply) -> String {
    let parts: Vec<String> = reply
        .basic
        .map(|b| b.to_string())
        .into_iter()
        .chain(reply.enhanced.clone())
        .collect();
    if parts.is_empty() {
        "The reply".to_string()
    } else {
        parts.join(" ")
    }
}

/// What the reply means, most specific first.
pub(crate) fn reply_meaning(decoded: &Decoded) -> String {
    let meaning = decoded
        .provider_meaning
        .clone()
        .or_else(|| decoded.text_meaning.clone())
        .or_else(|| decoded.enhanced.as_ref().and_then(|e| e.detail.clone()))
        .or_else(|| decoded.basic.as_ref().and_then(|b| b.meaning.clone()))
        .unwrap_or_else(|| decoded.category.clone());
    let meaning = meaning.trim_end_matches('.').to_string();
    // The plan acts on this reply with a step of its own kind (a TLS refusal): the handling
    // note of the generic action ("the mailbox is full") would contradict that step.
    let own_step = super::scope::reply_action_step(decoded)
        != crate::rules::knowledge::action_step(decoded.action);
    if decoded.action_note.is_empty() || own_step {
        format!("{meaning}.")
    } else {
        format!("{meaning}. {}", decoded.action_note)
    }
}

/// What `--offline` left unchecked, one entry per finding, in finding order.
pub(super) fn not_checked(input: &DiagnoseInput<'_>, k: &Knowledge) -> Vec<NotChecked> {
    input
        .report
        .findings
        .iter()
        .filter(|f| not_looked_up(f, input.queries))
        .map(|f| NotChecked {
            finding_id: f.id.clone(),
            check: f.check.as_str().to_string(),
            subject: f.subject.clone(),
            reason: fill(
                &k.message("not-looked-up"),
                &[("subject", &f.subject), ("check", &label(f.check.as_str()))],
            ),
        })
        .collect()
}

/// The recipients the replies of `rule` name, for prose ("another recipient" when none is named).
fn whom(input: &DiagnoseInput<'_>, rule: &str) -> String {
    let recipients = super::recipients_of(input.replies, rule);
    if recipients.is_empty() {
        "another recipient".to_string()
    } else {
        human_list(&recipients)
    }
}

fn human_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The likely causes, or why none was found: the primary reply's, then those of each other
/// kind of failure the input names (a bounce for two recipients, one unknown, one refused for
/// DMARC, has both causes), each cause once.
pub(super) fn likely_causes(
    input: &DiagnoseInput<'_>,
    k: &Knowledge,
) -> (Vec<LikelyCause>, Option<NoCause>) {
    let Some(primary) = super::primary(input.replies) else {
        return (Vec::new(), None);
    };
    let (mut causes, no_cause) = likely_causes_for(input, k, primary, false);
    for other in super::other_replies(input.replies) {
        let (more, _) = likely_causes_for(input, k, other, true);
        for c in more {
            match causes
                .iter_mut()
                .find(|x| x.finding_id == c.finding_id && x.reply_rule == c.reply_rule)
            {
                // The same finding explains this reply too (Gmail's 5.7.26 and Outlook's
                // 5.7.515 for one SPF gap): said once, naming both.
                Some(same) => {
                    same.reason.push(' ');
                    same.reason.push_str(&fill(
                        &k.message("cause-also-explains"),
                        &[
                            ("code", &reply_code(&other.0)),
                            ("subject", &whom(input, &other.1.rule.id)),
                        ],
                    ));
                }
                None => causes.push(c),
            }
        }
    }
    (causes, no_cause)
}

/// The likely causes of one reply. `beside`: the reply is not the primary one, so a reply
/// that is its own cause names its recipients and does not claim the first step.
fn likely_causes_for(
    input: &DiagnoseInput<'_>,
    k: &Knowledge,
    (reply, decoded): &(Reply, Decoded),
    beside: bool,
) -> (Vec<LikelyCause>, Option<NoCause>) {
    let implicated = implicated_checks(Some(decoded), input.report);
    if implicated.is_empty() {
        return reply_is_cause(input, k, (reply, decoded), beside);
    }
    let (causes, no_cause) = findings_as_causes(input, k, (reply, decoded), &implicated);
    // A listing of a link in the message, while the sender's own names are on no list: the
    // reply names the cause, which no DNS of the sender's shows.
    if causes.is_empty()
        && super::links::listed_link(k, decoded, &reply.text, &input.report.domain).is_some()
    {
        return reply_is_cause(input, k, (reply, decoded), beside);
    }
    (causes, no_cause)
}

/// The reply is its own cause (it is about no DNS record of the sender's).
fn reply_is_cause(
    input: &DiagnoseInput<'_>,
    k: &Knowledge,
    (reply, decoded): (&Reply, &Decoded),
    beside: bool,
) -> (Vec<LikelyCause>, Option<NoCause>) {
    let code = reply_code(reply);
    let reason = if beside {
        fill(
            &k.message("reply-is-cause-beside"),
            &[
                ("code", &code),
                ("meaning", &reply_meaning(decoded)),
                ("subject", &whom(input, &decoded.rule.id)),
            ],
        )
    } else {
        fill(
            &k.message("reply-is-cause"),
            &[("code", &code), ("meaning", &reply_meaning(decoded))],
        )
    };
    (
        vec![LikelyCause {
            finding_id: None,
            reply_rule: Some(decoded.rule.id.clone()),
            reason,
            subject: None,
        }],
        None,
    )
}

/// The findings of the implicated checks that explain the reply, or why none does.
fn findings_as_causes(
    input: &DiagnoseInput<'_>,
    k: &Knowledge,
    (reply, decoded): (&Reply, &Decoded),
    implicated: &[String],
) -> (Vec<LikelyCause>, Option<NoCause>) {
    let code = reply_code(reply);
    // A cause must be able to produce the rejection: an error, or a lookup that really failed
    // (a receiver meeting the same timeout fails too). A warning such as a 1024-bit key still
    // verifies, and a name --offline skipped says nothing about the sender's DNS.
    let mut relevant: Vec<&Finding> = input
        .report
        .findings
        .iter()
        .filter(|f| {
            if f.inconclusive {
                !not_looked_up(f, input.queries)
                    && !super::scope::verdict_free(f)
                    && !consequence_of_trouble(f, &input.report.findings)
            } else {
                // The signing selector's key problems fail this message's DKIM, whatever
                // severity they carry as facts about the domain.
                (f.severity == Severity::Error
                    && !path::off_path(f, input)
                    && !path::spf_off_path(f, input))
                    || path::fails_on_path(f, input)
                    || path::spf_did_not_pass(f)
                    || named_by_reply(f, decoded)
                    || generic_ptr_refused(f, decoded, input, k)
                    || psd_splits_alignment(f, input)
                    || super::transit::unsigned_when_forwarded(f, input)
            }
        })
        .filter(|f| f.check == Check::Dns || implicated.iter().any(|c| c == f.check.as_str()))
        .filter(|f| crate::checks::entry(f.check).is_none_or(|e| e.blames(input.report, f)))
        .collect();
    // Nothing else the reply points at is wrong, and the domain publishes no DKIM key at all:
    // its mail goes out unsigned, which is what a receiver requiring DKIM (Microsoft's
    // 5.7.515, Gmail's bulk-sender rules) refuses. That warning is then the cause.
    // Not when the message was signed by another domain (a parent's d= that aligns): the
    // From domain's own lack of keys says nothing about that signature.
    let signed_elsewhere = input.report.dkim_signing.is_some()
        || input
            .params
            .dkim_domain
            .as_deref()
            .is_some_and(|d| !d.eq_ignore_ascii_case(&input.report.domain));
    if relevant.is_empty() && !signed_elsewhere && implicated.iter().any(|c| c == "dkim") {
        relevant.extend(input.report.findings.iter().filter(|f| {
            !f.inconclusive
                && f.check == Check::Dkim
                && matches!(
                    f.id.as_str(),
                    "dkim-no-key-found" | "dkim-domainkey-nxdomain"
                )
        }));
    }
    relevant.sort_by_key(|f| f.inconclusive);
    if !relevant.is_empty() {
        let causes = relevant
            .into_iter()
            .map(|f| LikelyCause {
                finding_id: Some(f.id.clone()),
                reply_rule: None,
                subject: Some(f.subject.clone()),
                reason: match super::transit::forwarded(input)
                    .filter(|_| super::transit::unsigned_when_forwarded(f, input))
                {
                    // Forwarded: say who forwarded, why SPF cannot pass there, and that the
                    // forwarder's address is not the sender's to authorise.
                    Some(fw) => fill(
                        &k.message("finding-cause-forwarded-unsigned"),
                        &[
                            ("code", &code),
                            ("host", &fw.forwarder),
                            ("subject", &fw.recipient),
                            ("target", &fw.onward),
                            ("domain", &input.report.domain),
                            ("message", &f.message),
                        ],
                    ),
                    None => fill(
                        &k.message(if path::fails_on_path(f, input) {
                            "finding-cause-signing-key"
                        } else {
                            "finding-cause"
                        }),
                        &[
                            ("code", &code),
                            ("check", &label(f.check.as_str())),
                            ("message", &f.message),
                        ],
                    ),
                },
            })
            .collect();
        return (causes, None);
    }
    let labels: Vec<String> = implicated.iter().map(|c| label(c)).collect();
    let mut warnings: Vec<String> = input
        .report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning && !f.inconclusive)
        .filter(|f| implicated.iter().any(|c| c == f.check.as_str()))
        .map(|f| f.id.clone())
        .collect();
    warnings.dedup();
    // Errors of the implicated checks that are not this rejection's cause (a listing on
    // another list than the one the reply cites): "those checks pass" would be untrue.
    let mut unblamed: Vec<String> = input
        .report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !f.inconclusive)
        .filter(|f| implicated.iter().any(|c| c == f.check.as_str()))
        .map(|f| f.id.clone())
        .collect();
    unblamed.dedup();
    let message = fill(
        &k.message(if !unblamed.is_empty() {
            unblamed.append(&mut warnings);
            warnings = unblamed;
            "no-cause-found-unblamed"
        } else if warnings.is_empty() {
            "no-cause-found"
        } else {
            "no-cause-found-warnings"
        }),
        &[
            ("checks", &human_list(&labels)),
            ("domain", &input.report.domain),
            ("warnings", &warnings.join(", ")),
        ],
    );
    let offline: Vec<&Finding> = input
        .report
        .findings
        .iter()
        .filter(|f| not_looked_up(f, input.queries))
        .collect();
    let mut possible_reasons: Vec<String> = implicated
        .iter()
        .filter(|c| !verified(input.report, c) || offline.iter().any(|f| f.check.as_str() == *c))
        .map(|c| {
            let id = if verified(input.report, c) {
                "check-not-concluded-offline"
            } else {
                "check-not-run"
            };
            fill(&k.message(id), &[("check", &label(c))])
        })
        .collect();
    // The receiver named the address it saw, and --ip named another: the likeliest reason of
    // all, said first with the run that checks the right address.
    let provenance = |field: &str| input.provenance.iter().find(|p| p.field == field);
    if let (Some(seen), Some(given)) = (provenance("reply_ip"), provenance("ip")) {
        possible_reasons.insert(
            0,
            fill(
                &k.message("no-cause-reply-names-other-ip"),
                &[("ip", &seen.value), ("subject", &given.value)],
            ),
        );
    }
    // The receiver named another organization's domain as the sender than the one checked:
    // the refused message carried another From than the user thinks (or the reply is another
    // sender's), so nothing in this domain's DNS can explain it.
    if let (Some(named), Some(given)) = (provenance("reply_domain"), provenance("domain")) {
        possible_reasons.insert(
            0,
            fill(
                &k.message("no-cause-reply-names-other-domain"),
                &[("domain", &named.value), ("subject", &given.value)],
            ),
        );
    }
    // The receiver's own Authentication-Results show a list or forwarder changed the body:
    // the likeliest reason of all, and one no DNS change fixes.
    if let Some(t) = super::transit::body_changed(input) {
        possible_reasons.insert(
            0,
            fill(
                &k.message("no-cause-body-changed-in-transit"),
                &[
                    ("domain", &input.report.domain),
                    ("subject", &t.dkim_domain),
                    ("host", &t.forwarder),
                    ("ip", t.ip.as_deref().unwrap_or("its server")),
                    ("state", t.how),
                ],
            ),
        );
    }
    // A deferral is what a receiver answers when its own lookups failed for a moment: DNS that
    // answers now cannot show that, and it is the likeliest reason for a temporary refusal.
    if reply.finality.is_some_and(|f| !f.permanent) {
        possible_reasons.push(fill(
            &k.message("no-cause-temporary-dns"),
            &[("domain", &input.report.domain)],
        ));
    }
    possible_reasons.extend(
        k.no_cause_reasons
            .iter()
            .filter(|r| r.checks.is_empty() || r.checks.iter().any(|c| implicated.contains(c)))
            .map(|r| r.text.clone()),
    );
    (
        Vec::new(),
        Some(NoCause {
            message,
            possible_reasons,
        }),
    )
}

/// A warning that is the very fact the reply complains about: "Sender address rejected:
/// Domain not found" (X.1.8, a sender-address refusal) is what a receiver answers when the
/// sender's domain has neither MX nor address (RFC 5321 section 5.1), which `mx-missing` says;
/// sender verification failing on an MX that names a CNAME, `mx-target-cname`. Likewise a reverse-DNS refusal when some PTR name of the IP does not lead back: a warning
/// while another name confirms, but a receiver that reads the stale name refuses for it.
fn named_by_reply(f: &Finding, decoded: &Decoded) -> bool {
    let ptr = decoded.checks.iter().any(|c| c == "ptr");
    // An MX naming an alias (RFC 2181 section 10.3) is what a verifying receiver that will
    // not follow it meets when it routes back to the sender ("Sender verify failed").
    (matches!(f.id.as_str(), "mx-missing" | "mx-target-cname") && decoded.category == "sender-address")
        || (f.id == "ptr-not-confirmed" && ptr)
        // A refusal of the HELO name (sender configuration that implicates reverse DNS) is
        // explained by the HELO findings, warnings though they are as facts about the domain.
        || (matches!(f.id.as_str(), "ptr-helo-mismatch" | "ptr-helo-address-literal")
            && ptr
            && decoded.category == "sender-configuration")
}

/// A reverse-DNS refusal (GMX's and IONOS's "Bad DNS PTR resource record") of an IP whose
/// PTR resolves back but is an access provider's per-address name (`host-192-0-2-1.isp.example`):
/// with no reverse-DNS error, the generic name is the one reverse-DNS fact that explains it
/// (receivers that refuse on reverse DNS take such names for dynamic or residential lines),
/// and the PTR step that names the sender's own host is its fix, not hardening. A provider
/// whose rules say its refusals accept such a name (`generic_ptr_accepted`: Gmail's 5.7.25
/// and 4.7.23 ask for a PTR that exists and resolves back) is left out, so there the report
/// keeps "no cause found" and its reasons (a PTR fixed since, another IP).
fn generic_ptr_refused(
    f: &Finding,
    decoded: &Decoded,
    input: &DiagnoseInput<'_>,
    k: &Knowledge,
) -> bool {
    f.id == "ptr-generic-name"
        && decoded.category == "reverse-dns"
        && decoded.checks.iter().any(|c| c == "ptr")
        && decoded
            .provider
            .as_ref()
            .is_none_or(|p| !k.generic_ptr_accepted.contains(&p.id))
        && !input
            .report
            .findings
            .iter()
            .any(|g| g.check == Check::Ptr && g.severity == Severity::Error)
}

/// `psd=y` on the From's registrable domain (or `psd=n` below it) when alignment fails by the
/// tree walk and holds by the Public Suffix List: receivers that walk the tree failed DMARC
/// because of it.
fn psd_splits_alignment(f: &Finding, input: &DiagnoseInput<'_>) -> bool {
    matches!(
        f.id.as_str(),
        "dmarc-psd-on-registrable-domain" | "dmarc-psd-n-below-registrable"
    ) && input
        .report
        .findings
        .iter()
        .any(|g| g.id == "dmarc-psl-disagreement")
}

/// How prose names a check: its registry label, or the upper-cased word for a name that is
/// no registered check (`dns`).
fn label(name: &str) -> String {
    Check::parse(name)
        .and_then(crate::checks::entry)
        .map_or_else(|| name.to_ascii_uppercase(), |e| e.label().to_string())
}

/// True for an inconclusive note (info) that only follows from another finding of its check
/// that failed (the inherited policy that would apply if the unreadable `_dmarc` name held
/// nothing): that failed lookup is the cause, the note is not a second one.
fn consequence_of_trouble(f: &Finding, all: &[Finding]) -> bool {
    f.severity == Severity::Info
        && all
            .iter()
            .any(|o| o.inconclusive && o.check == f.check && o.severity != Severity::Info)
}
