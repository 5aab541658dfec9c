//! Which sending services a domain's DNS shows (the include/redirect targets of its SPF tree
//! and its MX hosts), so DKIM discovery can ask those services' selectors first.
//!
//! The questions are the ones the SPF and MX checks ask too; the run's cache answers the
//! second asker, so in a full check this costs no extra DNS traffic.

use crate::checks::spf::parse::{self, Mechanism};
use crate::checks::types::DkimService;
use crate::dns::{Dns, RType, Rdata};
use crate::rules::selectors::SelectorCatalogue;
use futures::future::join_all;
use std::collections::HashSet;

/// SPF records read at most: the root, and RFC 7208's ten DNS-querying terms plus a redirect.
const MAX_SPF_NAMES: usize = 12;
/// Include levels followed at most (include trees are rarely deeper than four).
const MAX_DEPTH: usize = 5;

/// A service the DNS shows, by its index in the catalogue.
#[derive(Debug, Clone)]
pub struct Seen {
    pub entry: usize,
    pub service: DkimService,
}

/// Every catalogue service that `domain`'s SPF tree or MX hosts show, once each, first
/// sighting kept.
pub async fn gather(dns: &Dns, domain: &str, catalogue: &SelectorCatalogue) -> Vec<Seen> {
    let (targets, hosts) = futures::join!(spf_targets(dns, domain), mx_hosts(dns, domain));
    let mut out: Vec<Seen> = Vec::new();
    let mut add = |entry: usize, seen: String| {
        if out.iter().all(|s| s.entry != entry) {
            let e = &catalogue.entries[entry];
            out.push(Seen {
                entry,
                service: DkimService {
                    rule: e.id.clone(),
                    name: e.name.clone(),
                    seen,
                },
            });
        }
    };
    for (i, e) in catalogue.entries.iter().enumerate() {
        if let Some((term, target)) = targets.iter().find(|(_, t)| e.shown_by_spf(t)) {
            add(i, format!("SPF {term}{target}"));
        } else if let Some(host) = hosts.iter().find(|h| e.shown_by_mx(h)) {
            add(i, format!("MX {host}"));
        }
    }
    out
}

/// (term, target) of every include: and redirect= in the SPF tree, level by level.
async fn spf_targets(dns: &Dns, domain: &str) -> Vec<(&'static str, String)> {
    let mut asked: HashSet<String> = HashSet::from([domain.to_string()]);
    let mut level = vec![domain.to_string()];
    let mut out = Vec::new();
    for _ in 0..MAX_DEPTH {
        if level.is_empty() {
            break;
        }
        let answers = join_all(level.iter().map(|n| dns.query(n, RType::TXT))).await;
        let mut next = Vec::new();
        for a in answers {
            for txt in a.txt_strings().iter().filter(|t| parse::is_spf(t)) {
                for (term, target) in targets(txt) {
                    if asked.len() < MAX_SPF_NAMES && asked.insert(target.clone()) {
                        next.push(target.clone());
                    }
                    out.push((term, target));
                }
            }
        }
        level = next;
    }
    out
}

async fn mx_hosts(dns: &Dns, domain: &str) -> Vec<String> {
    dns.query(domain, RType::MX)
        .await
        .records
        .iter()
        .filter_map(|r| match r {
            Rdata::MX { exchange, .. } if !exchange.is_empty() => Some(exchange.clone()),
            _ => None,
        })
        .collect()
}

/// The include:/redirect= targets of one record, read by the SPF check's own parser; targets
/// with macros depend on the message and are skipped.
fn targets(record: &str) -> Vec<(&'static str, String)> {
    let parsed = parse::parse(record);
    let includes = parsed.directives.iter().filter_map(|d| match &d.mechanism {
        Mechanism::Include(t) => Some(("include:", t)),
        _ => None,
    });
    includes
        .chain(parsed.redirect.iter().map(|t| ("redirect=", t)))
        .filter_map(|(kind, target)| {
            let target = target.trim_end_matches('.').to_ascii_lowercase();
            (!target.is_empty() && !target.contains('%')).then_some((kind, target))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_of_a_record() {
        let t = targets(
            "v=spf1 ip4:192.0.2.0/24 include:_spf.Google.com ~include:x.%{d}.example -INCLUDE:mcsv.net. redirect=_spf.example.org -all",
        );
        assert_eq!(
            t,
            vec![
                ("include:", "_spf.google.com".to_string()),
                ("include:", "mcsv.net".to_string()),
                ("redirect=", "_spf.example.org".to_string()),
            ]
        );
    }
}
