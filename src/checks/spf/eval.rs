//! check_host() for a sending IP via mail-auth, plus a best-effort account of which term matched.

use super::identity::{HOST_DOMAIN, Identity};
use super::prefill;
use super::replay::{Match, matched_term, replay_result};
use super::tree::Walk;
use crate::dns::Dns;
use mail_auth::SpfResult;
use mail_auth::spf::verify::SpfParameters;
use std::net::IpAddr;

/// The RFC 7208 result name of a mail-auth result.
pub fn result_name(r: SpfResult) -> &'static str {
    match r {
        SpfResult::Pass => "pass",
        SpfResult::Fail => "fail",
        SpfResult::SoftFail => "softfail",
        SpfResult::Neutral => "neutral",
        SpfResult::TempError => "temperror",
        SpfResult::PermError => "permerror",
        SpfResult::None => "none",
    }
}

/// Runs check_host() for the walk's identity (the MAIL FROM domain, else the HELO name), through
/// mail-auth, and combines its answer with the replay of the walk (see [`combine`]).
///
/// The walk (made with the identity, so macros are expanded and `exists`/`ptr` resolved) has
/// already asked, through our `Dns`, every question check_host() can ask; mail-auth is handed
/// those answers and asks the DNS nothing itself, so every query is in the log and the run's
/// deadline holds. mail-auth is not asked at all when the answer is known without it: a
/// malformed domain (`none`), a broken record (`permerror`), or an evaluation that reaches a
/// failed lookup (`temperror`: mail-auth's address caches cannot hold a failure, so it would
/// ask the DNS again itself).
pub async fn check_host(dns: &Dns, walk: &Walk) -> &'static str {
    let Some(id) = walk.identity.as_ref() else {
        return "none";
    };
    if walk.nodes.first().is_none_or(|n| n.malformed) {
        return "none";
    }
    if root_broken(walk) {
        return "permerror";
    }
    match matched_term(walk, id.ip) {
        Match::TempError(_) => return "temperror",
        Match::PermError(_) => return "permerror",
        _ => {}
    }
    let caches = prefill::Caches::default();
    caches.fill(dns, walk);
    let params = SpfParameters::verify_mail_from(id.ip, &id.helo, HOST_DOMAIN, &id.sender);
    let out = dns
        .authenticator()
        .verify_spf(caches.parameters(params))
        .await;
    combine(result_name(out.result()), walk)
}

/// RFC 7208 section 4.6: a record with a syntax error, or two records, is a permerror before any
/// term is evaluated; mail-auth skips unknown terms and takes the first record, so the walk decides.
fn root_broken(walk: &Walk) -> bool {
    walk.nodes.first().is_some_and(|n| {
        n.parsed.as_ref().is_some_and(|r| !r.errors.is_empty())
            || n.error
                .as_deref()
                .is_some_and(|e| e.contains("SPF records"))
    })
}

/// The result to report: the walk's replay when it arrives at one, else mail-auth's.
///
/// The replay evaluates the walked tree term by term as RFC 7208 describes, with every answer
/// the evaluation needs. mail-auth departs from the RFC in places the suite shows: it has no
/// void-lookup limit, takes the first of two records, refuses modifier names with `.`, `-`,
/// `_`, matches `ip6` terms against IPv4 clients, falls back to AAAA for `exists`, and misses a
/// `ptr` name equal to the target. It answers when the replay cannot tell (a capped walk).
pub fn combine(mail_auth: &'static str, walk: &Walk) -> &'static str {
    if walk.nodes.first().is_some_and(|n| n.malformed) {
        return "none";
    }
    if root_broken(walk) && mail_auth != "none" {
        return "permerror";
    }
    replay_result(walk).unwrap_or(mail_auth)
}

/// check_host() for one identity, with the walk of its tree: the path the RFC 7208 suite runs.
pub async fn evaluate(dns: &Dns, ip: IpAddr, helo: &str, sender: &str) -> (&'static str, Walk) {
    let id = Identity::new(ip, helo, sender);
    let walk = super::tree::walk(dns, &id.domain(), Some(&id)).await;
    let res = check_host(dns, &walk).await;
    (res, walk)
}
