//! External report destinations (RFC 9990 section 3, RFC 9989 section 11.6): a `rua`/`ruf`
//! address outside the policy's organizational domain must be authorised by a
//! `<policy domain>._report._dmarc.<destination>` TXT record starting with `v=DMARC1`.

use crate::checks::dmarc_record::{DmarcRecord, is_dmarc, mailto_domain, uri_ok};
use crate::checks::org_domain as psl_org;
use crate::dns::{Answer, Dns, RType};
use crate::finding::{Check, Finding, Severity, finding};
use futures::future::join_all;

/// Report destinations whose authorisation is checked; a hostile record may list many.
const MAX_DESTINATIONS: usize = 20;

/// True when `dest` needs no authorisation: it is the organizational domain (tree walk) or under
/// it, or it shares the Public Suffix List's organizational domain with the policy domain (what
/// receivers still on RFC 7489 accept).
fn internal(dest: &str, policy_domain: &str, org: &str) -> bool {
    let under = |p: &str| dest == p || dest.strip_suffix(p).is_some_and(|head| head.ends_with('.'));
    under(org) || under(policy_domain) || psl_org(dest) == psl_org(policy_domain)
}

pub async fn check(
    dns: &Dns,
    policy_domain: &str,
    org: &str,
    rec: &DmarcRecord,
    answer: Option<&Answer>,
) -> Vec<Finding> {
    let mut dests: Vec<(String, &str)> = Vec::new();
    for (kind, uris) in [("rua", &rec.rua), ("ruf", &rec.ruf)] {
        for u in uris {
            // A URI that is not one goes nowhere: its syntax finding says so, and its
            // "domain" (`mailto:a@@x`) is asked nothing.
            if uri_ok(u)
                && let Some(d) = mailto_domain(u)
                && !internal(&d, policy_domain, org)
                && !dests.iter().any(|(x, k)| *x == d && *k == kind)
            {
                dests.push((d, kind));
            }
        }
    }
    dests.truncate(MAX_DESTINATIONS);
    let answers = join_all(dests.iter().map(|(d, _)| {
        let name = format!("{policy_domain}._report._dmarc.{d}");
        async move { dns.query(&name, RType::TXT).await }
    }))
    .await;
    let mut out = Vec::new();
    for ((d, kind), a) in dests.iter().zip(answers) {
        let q = answer.map(|x| x.id).into_iter().chain([a.id]);
        if a.outcome.is_trouble() {
            out.push(
                finding(
                    "dmarc-lookup-failed",
                    Check::Dmarc,
                    Severity::Warning,
                    &a.name,
                    format!(
                        "The report authorisation lookup {} failed ({}); whether {d} accepts reports for {policy_domain} is unknown.",
                        a.name,
                        crate::checks::spf::tree::outcome_text(&a.outcome)
                    ),
                )
                .with_queries(q)
                .inconclusive(),
            );
        } else if !a.txt_strings().iter().any(|t| is_dmarc(t)) {
            let sev = if *kind == "rua" {
                Severity::Warning
            } else {
                Severity::Info
            };
            out.push(finding("dmarc-report-destination-unauthorised", Check::Dmarc, sev, &a.name, format!("The {kind} destination {d} is outside the organizational domain {org} and does not publish `{}` TXT \"v=DMARC1\": receivers drop those reports (RFC 9990 section 3).", a.name)).with_queries(q));
        }
    }
    out
}
