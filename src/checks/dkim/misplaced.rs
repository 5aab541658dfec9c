//! Where a signing selector's missing key was published instead: under the name a zone file
//! makes of `<s>._domainkey.<domain>` written without its trailing dot, or under a subdomain
//! the run names (the HELO, the MAIL FROM domain, the sending IP's PTR names), as happens when
//! a relay's own name was typed in the DNS form.

use crate::checks::dkim_key;
use crate::checks::types::CheckParams;
use crate::dns::{Dns, RType, Rdata};
use crate::domain_name::{domain_of, normalise, within};

/// A usable key for the selector found at another name than the one verifiers ask.
#[derive(Debug, Clone)]
pub struct Misplaced {
    /// The name the key sits at.
    pub name: String,
    /// The query that found it.
    pub query: usize,
}

/// The names under `domain` the run knows of, other than `domain` itself: each with the names
/// between it and `domain` (`a.b.example.com` gives `a.b.example.com` and `b.example.com`).
async fn subdomains(dns: &Dns, params: &CheckParams, domain: &str) -> Vec<String> {
    let mut seeds: Vec<String> = Vec::new();
    seeds.extend(params.helo.iter().map(|h| normalise(h)));
    seeds.extend(params.mail_from.iter().map(|m| domain_of(m)));
    if let Some(ip) = params.ip {
        let rev = dns.reverse(ip).await;
        seeds.extend(rev.records.iter().filter_map(|r| match r {
            Rdata::PTR(n) => Some(normalise(n)),
            _ => None,
        }));
    }
    let mut out: Vec<String> = Vec::new();
    for seed in seeds {
        let mut name = seed.as_str();
        while name != domain && within(name, domain) {
            if !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
            name = name.split_once('.').map_or("", |(_, rest)| rest);
        }
    }
    out
}

/// The first usable key for `selector` at a name a verifier never asks for `domain`.
pub async fn find(
    dns: &Dns,
    params: &CheckParams,
    domain: &str,
    selector: &str,
) -> Option<Misplaced> {
    let mut names = vec![format!("{selector}._domainkey.{domain}.{domain}")];
    names.extend(
        subdomains(dns, params, domain)
            .await
            .into_iter()
            .map(|s| format!("{selector}._domainkey.{s}")),
    );
    for name in names {
        let a = dns.query(&name, RType::TXT).await;
        let usable = a.txt_strings().into_iter().any(|t| {
            dkim_key::looks_like_key(&t) && {
                let k = dkim_key::parse(&t);
                k.errors.is_empty() && !k.revoked
            }
        });
        if usable {
            return Some(Misplaced {
                name: a.name.clone(),
                query: a.id,
            });
        }
    }
    None
}
