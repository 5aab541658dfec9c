//! SPF check: record selection, tree walk, findings, and evaluation for a sending IP.

pub mod eval;
mod findings;
pub mod identity;
mod location;
mod near_miss;
pub mod parse;
mod prefill;
mod problem;
mod replay;
pub mod reply_domain;
mod role;
pub mod targets;
mod traps;
pub mod tree;
mod type99;
pub mod wide;

use crate::checks::types::{CheckParams, SpfEval, SpfFacts, SpfIdentity, Status};
use crate::checks::{domain_of, normalise};
use crate::dns::Dns;
use crate::finding::Finding;
use futures::future::join_all;
use identity::Identity;
pub use role::Role;
use tree::{Problem, Walk};

/// What the SPF check found: the checked domain's own facts, and those of the MAIL FROM and
/// HELO identities when they are other domains.
pub struct SpfOutcome {
    pub facts: SpfFacts,
    pub identities: Vec<SpfIdentity>,
    pub findings: Vec<Finding>,
}

/// Checks SPF of the domain, and of the MAIL FROM and HELO domains when given and different.
/// With `--ip`, check_host() runs for the MAIL FROM identity (default postmaster@<domain>) and
/// its result belongs to that identity's facts.
pub async fn check(dns: &Dns, params: &CheckParams) -> SpfOutcome {
    let domain = normalise(&params.domain);
    let mail_from = params
        .mail_from
        .as_deref()
        .filter(|s| !domain_of(s).is_empty())
        .map(|s| {
            if s.contains('@') {
                s.trim().to_string()
            } else {
                format!("postmaster@{}", domain_of(s))
            }
        });
    let helo_name = params.helo.as_deref().map(normalise);
    let mut targets = vec![Target {
        domain: domain.clone(),
        role: Role::Domain,
        identity_text: domain.clone(),
    }];
    if let Some(mf) = &mail_from
        && domain_of(mf) != domain
    {
        targets.push(Target {
            domain: domain_of(mf),
            role: Role::MailFrom,
            identity_text: mf.clone(),
        });
    }
    if let Some(h) = helo_name.clone()
        && h.contains('.')
        && !targets.iter().any(|t| t.domain == h)
    {
        targets.push(Target {
            domain: h.clone(),
            role: Role::Helo,
            identity_text: h,
        });
    }
    // A null reverse-path (`MAIL FROM:<>`, a bounce): the MAIL FROM identity is then
    // postmaster@<HELO>, and that is the SPF result DMARC uses (RFC 7208 section 2.4, RFC 9989
    // section 4.4.2).
    let null_path = params
        .mail_from
        .as_deref()
        .is_some_and(|s| domain_of(s).is_empty());
    let helo_target = helo_name.as_deref().and_then(|h| {
        targets
            .iter()
            .position(|t| t.domain == h)
            .filter(|_| h.contains('.'))
    });
    let helo = helo_name.clone().unwrap_or_else(|| domain.clone());
    let identities: Vec<Option<Identity>> = targets
        .iter()
        .enumerate()
        .map(|(n, t)| {
            let ip = params.ip?;
            let sender = match (t.role, &mail_from) {
                (Role::Helo, _) => String::new(),
                _ if null_path && helo_target == Some(n) => String::new(),
                (_, Some(mf)) if domain_of(mf) == t.domain => mf.clone(),
                _ => format!("postmaster@{}", t.domain),
            };
            let helo = if t.role == Role::Helo {
                t.domain.as_str()
            } else {
                helo.as_str()
            };
            Some(Identity::new(ip, helo, &sender))
        })
        .collect();
    let walks: Vec<Walk> = join_all(
        targets
            .iter()
            .zip(&identities)
            .map(|(t, id)| tree::walk(dns, &t.domain, id.as_ref())),
    )
    .await;
    // The identity receivers evaluate: MAIL FROM, else the checked domain; for a null
    // reverse-path the HELO name (none when no usable HELO name was given).
    let evaluated = if null_path {
        helo_target.unwrap_or(usize::MAX)
    } else {
        targets
            .iter()
            .position(|t| t.role == Role::MailFrom)
            .unwrap_or(0)
    };

    let mut findings = Vec::new();
    let mut facts_out = Vec::new();
    for (n, (t, w)) in targets.iter().zip(&walks).enumerate() {
        // Under a null reverse-path the HELO name is the identity SPF and DMARC evaluate: no
        // record there is this message's SPF `none`, as a missing MAIL FROM record would be.
        let role = match t.role {
            Role::Helo if null_path && n == evaluated => Role::MailFrom,
            r => r,
        };
        findings.extend(findings::for_walk(&t.domain, role, w));
        if n == 0 {
            findings.extend(type99::hint(dns, &t.domain, w).await);
            findings.extend(near_miss::hint(&t.domain, w));
        }
        let mut result = None;
        if n == evaluated
            && let Some(ip) = params.ip
        {
            let e = evaluate(dns, w, ip).await;
            findings.extend(findings::for_eval(&e, w));
            result = Some(e);
        }
        facts_out.push(facts(&t.domain, w, result));
    }
    // The `spf` object keeps the evaluation even when it was for another MAIL FROM domain
    // (its `domain` says which): scripts and the plan read it there.
    let evaluation = facts_out.get(evaluated).and_then(|f| f.result.clone());
    let mut facts_iter = facts_out.into_iter();
    let mut own = facts_iter
        .next()
        .unwrap_or_else(|| facts(&domain, &tree_empty(), None));
    if own.result.is_none() {
        own.result = evaluation;
    }
    let identities = targets
        .iter()
        .skip(1)
        .zip(facts_iter)
        .map(|(t, facts)| SpfIdentity {
            role: t.role.as_str().to_string(),
            identity: t.identity_text.clone(),
            facts,
        })
        .collect();
    SpfOutcome {
        facts: own,
        identities,
        findings,
    }
}

struct Target {
    domain: String,
    role: Role,
    /// What the user gave: the MAIL FROM address, the HELO name, the domain.
    identity_text: String,
}

async fn evaluate(dns: &Dns, w: &Walk, ip: std::net::IpAddr) -> SpfEval {
    let res = eval::check_host(dns, w).await;
    let m = replay::matched_term(w, ip);
    let mechanism = match &m {
        replay::Match::Matched { qualifier, term } if qualifier.result() == res => {
            Some(term.clone())
        }
        replay::Match::NoTerm if res == "neutral" => Some("(no term matched)".to_string()),
        replay::Match::PermError(why) if res == "permerror" => Some(why.clone()),
        replay::Match::TempError(why) if res == "temperror" => Some(why.clone()),
        _ => None,
    };
    SpfEval {
        ip,
        result: res.to_string(),
        mechanism,
        domain: w
            .nodes
            .first()
            .map(|n| n.domain.clone())
            .unwrap_or_default(),
    }
}

fn tree_empty() -> Walk {
    Walk {
        nodes: Vec::new(),
        problems: Vec::new(),
        truncated: false,
        caps: Vec::new(),
        ip: None,
        identity: None,
        ptr: None,
    }
}

/// True when DNS trouble kept part of the tree (or the evaluation) from being looked up.
fn inconclusive(w: &Walk, result: Option<&SpfEval>) -> bool {
    w.problems.iter().any(|p| {
        matches!(
            p.problem,
            Problem::LookupFailed(_) | Problem::TargetLookupFailed { .. }
        )
    }) || result.is_some_and(|e| e.result == "temperror")
}

fn facts(domain: &str, w: &Walk, result: Option<SpfEval>) -> SpfFacts {
    let root = w.root_answer();
    let records: Vec<String> = root
        .map(|a| {
            a.txt_strings()
                .into_iter()
                .filter(|t| parse::is_spf(t))
                .collect()
        })
        .unwrap_or_default();
    // A record with a syntax error is a permerror as a whole (RFC 7208 section 4.6): its `all`
    // decides nothing, and reporting one would let a hostile record that hides `+all` behind a
    // terminal erase sequence read as `-all`.
    let all = w
        .nodes
        .first()
        .and_then(|n| n.parsed.as_ref())
        .filter(|r| r.errors.is_empty())
        .and_then(|r| r.all())
        .map(|d| format!("{}all", d.qualifier.as_char()));
    let status = if inconclusive(w, result.as_ref()) {
        Status::Inconclusive
    } else {
        Status::Complete
    };
    SpfFacts {
        domain: domain.to_string(),
        status,
        record: records.first().cloned(),
        records_count: records.len(),
        lookups: w.lookups(),
        void_lookups: w.void_lookups(),
        all,
        tree: w.to_spf_node(),
        result,
        ttl: root.and_then(|a| a.ttl),
    }
}
