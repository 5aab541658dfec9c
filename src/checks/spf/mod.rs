//! SPF check: record selection, tree walk, findings, and evaluation for a sending IP.

pub mod eval;
mod findings;
pub mod parse;
mod replay;
pub mod tree;

use crate::checks::types::{CheckParams, SpfEval, SpfFacts};
use crate::checks::{domain_of, normalise};
use crate::dns::Dns;
use crate::finding::Finding;
use futures::future::join_all;

/// Checks SPF of the domain, and of the MAIL FROM and HELO domains when given and different.
/// Facts describe the checked domain (or the MAIL FROM domain, which the IP is evaluated for).
pub async fn check(dns: &Dns, params: &CheckParams) -> (SpfFacts, Vec<Finding>) {
    let domain = normalise(&params.domain);
    let mut targets = vec![(domain.clone(), Role::Domain)];
    if let Some(mf) = params.mail_from.as_deref().map(domain_of)
        && !mf.is_empty()
        && !targets.iter().any(|(d, _)| *d == mf)
    {
        targets.push((mf, Role::MailFrom));
    }
    if let Some(h) = params.helo.as_deref().map(normalise)
        && h.contains('.')
        && !targets.iter().any(|(d, _)| *d == h)
    {
        targets.push((h, Role::Helo));
    }
    let family = params.ip;
    let walks = join_all(targets.iter().map(|(d, _)| tree::walk(dns, d, family)));
    let evaluation = async {
        match params.ip {
            Some(ip) => Some(evaluate(dns, params, ip).await),
            None => None,
        }
    };
    let (walks, evaluation) = futures::join!(walks, evaluation);

    let mut out = Vec::new();
    for ((d, role), w) in targets.iter().zip(&walks) {
        out.extend(findings::for_walk(d, *role, w));
    }
    let eval_domain = params
        .mail_from
        .as_deref()
        .map(domain_of)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| domain.clone());
    let main = targets
        .iter()
        .position(|(d, _)| *d == eval_domain)
        .unwrap_or(0);
    let mut result = None;
    if let (Some((ip, res)), Some(w)) = (evaluation, walks.get(main)) {
        let res = eval::combine(res, w);
        let m = replay::matched_term(w, ip);
        let mechanism = match &m {
            replay::Match::Matched { qualifier, term } if qualifier.result() == res => {
                Some(term.clone())
            }
            replay::Match::NoTerm if res == "neutral" => Some("(no term matched)".to_string()),
            replay::Match::PermError(why) if res == "permerror" => Some(why.clone()),
            _ => None,
        };
        let e = SpfEval {
            ip,
            result: res.to_string(),
            mechanism,
            domain: eval_domain.clone(),
        };
        out.extend(findings::for_eval(&e, w));
        result = Some(e);
    }
    let facts = match walks.get(main) {
        Some(w) => facts(&targets[main].0, w, result),
        None => facts(&domain, &tree_empty(), result),
    };
    (facts, out)
}

async fn evaluate(
    dns: &Dns,
    params: &CheckParams,
    ip: std::net::IpAddr,
) -> (std::net::IpAddr, &'static str) {
    let domain = normalise(&params.domain);
    let helo = params.helo.clone().unwrap_or_else(|| domain.clone());
    let sender = params
        .mail_from
        .clone()
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.contains('@') {
                s
            } else {
                format!("postmaster@{s}")
            }
        })
        .unwrap_or_else(|| format!("postmaster@{domain}"));
    (ip, eval::check_host(dns, ip, &helo, &sender).await)
}

fn tree_empty() -> tree::Walk {
    tree::Walk {
        nodes: Vec::new(),
        problems: Vec::new(),
        truncated: false,
        ip: None,
    }
}

fn facts(domain: &str, w: &tree::Walk, result: Option<SpfEval>) -> SpfFacts {
    let root = w.root_answer();
    let records: Vec<String> = root
        .map(|a| {
            a.txt_strings()
                .into_iter()
                .filter(|t| parse::is_spf(t))
                .collect()
        })
        .unwrap_or_default();
    let all = w
        .nodes
        .first()
        .and_then(|n| n.parsed.as_ref())
        .and_then(|r| r.all())
        .map(|d| format!("{}all", d.qualifier.as_char()));
    SpfFacts {
        domain: domain.to_string(),
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

/// Why a domain's SPF is checked: it decides how bad a missing record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Domain,
    MailFrom,
    Helo,
}
