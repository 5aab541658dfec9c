//! DKIM discovery: which selectors to ask, in what order, and why (rules/selectors.toml).
//!
//! 1. At once: the named selectors, `_domainkey.<domain>`, and the evidence (SPF tree, MX).
//! 2. `_domainkey.<domain>` NXDOMAIN: no name exists below it (RFC 8020 section 2), so no key;
//!    nothing more is asked. Some servers answer NXDOMAIN for an empty non-terminal (a name
//!    that only has names below it), against RFC 8020: when a named selector below it does
//!    exist, the NXDOMAIN is not trusted and discovery goes on. Without a named selector such
//!    a server cannot be told apart from a domain with no keys; `--dkim-selector` asks anyway.
//! 3. Otherwise (NOERROR, or trouble that leaves it unknown) the common tier, as soon as the
//!    gate allows, and the selectors of the services the evidence shows, once it is in.
//! 4. When none of those holds a key and none of them failed to answer: every other selector
//!    of the catalogue (services not seen, fallback tier).
//! 5. When a guessed selector holds a key: a selector no one uses (`WILDCARD_PROBE`). A key
//!    there means a wildcard (`*._domainkey`, RFC 4592) or a server that answers any name, so
//!    a guessed selector holding that same key proves nothing.

use super::evidence::{self, Seen};
use crate::checks::dkim_key;
use crate::dns::{Answer, Dns, Outcome, RType};
use crate::rules::selectors::{SelectorCatalogue, Tier};
use futures::future::join_all;
use std::sync::Arc;

/// A selector no signing service uses: a key here comes from a wildcard. Fixed, not random,
/// so runs and their evidence compare.
pub const WILDCARD_PROBE: &str = "mailtriage-wildcard-probe";

/// What `_domainkey.<domain>` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Exists,
    NxDomain,
    Trouble,
}

impl Gate {
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Exists => "exists",
            Gate::NxDomain => "nxdomain",
            Gate::Trouble => "trouble",
        }
    }
}

/// One selector asked.
pub struct Probe {
    pub selector: String,
    pub named: bool,
    pub answer: Arc<Answer>,
}

/// Everything discovery asked and saw.
pub struct Discovery {
    /// In the order asked: named, common, evidence, fallback.
    pub probes: Vec<Probe>,
    pub gate: Arc<Answer>,
    pub gate_state: Gate,
    /// `_domainkey` was NXDOMAIN but a named selector below it exists.
    pub contradicted: bool,
    pub seen: Vec<Seen>,
    pub fallback: bool,
    /// The answer at `WILDCARD_PROBE` when it holds a key (asked only once a guessed selector
    /// held one).
    pub wildcard: Option<Arc<Answer>>,
}

impl Discovery {
    /// True when `p` is a guessed selector whose key is the wildcard's.
    pub fn by_wildcard(&self, p: &Probe) -> bool {
        let Some(w) = &self.wildcard else {
            return false;
        };
        let keys = w.txt_strings();
        !p.named && p.answer.txt_strings().iter().any(|t| keys.contains(t))
    }
}

/// True when the answer holds a DKIM key record.
pub fn has_key(a: &Answer) -> bool {
    a.txt_strings().iter().any(|t| dkim_key::looks_like_key(t))
}

pub async fn discover(
    dns: &Dns,
    domain: &str,
    named: &[String],
    catalogue: &SelectorCatalogue,
) -> Discovery {
    let ask = |sel: String, named: bool| async move {
        let answer = dns
            .query(&format!("{sel}._domainkey.{domain}"), RType::TXT)
            .await;
        Probe {
            selector: sel,
            named,
            answer,
        }
    };
    let common: Vec<String> = tier_selectors(catalogue, Tier::Common)
        .filter(|s| !named.contains(s))
        .collect();
    let named_probes = join_all(named.iter().map(|s| ask(s.clone(), true)));
    let wildcard_name = format!("{WILDCARD_PROBE}._domainkey.{domain}");
    let gated_common = async {
        let gate = dns.query(&format!("_domainkey.{domain}"), RType::TXT).await;
        let state = gate_state(&gate);
        let probes = if state == Gate::NxDomain {
            Vec::new()
        } else {
            join_all(common.iter().map(|s| ask(s.clone(), false))).await
        };
        // A common selector's key calls for the wildcard probe: asked now, while the SPF
        // tree is still being read for evidence, it adds no round trip to the run.
        let wildcard = if probes.iter().any(|p| has_key(&p.answer)) {
            Some(dns.query(&wildcard_name, RType::TXT).await)
        } else {
            None
        };
        (gate, state, probes, wildcard)
    };
    let (mut probes, (gate, gate_state, common_probes, mut wildcard), seen) = futures::join!(
        named_probes,
        gated_common,
        evidence::gather(dns, domain, catalogue)
    );
    // RFC 8020: below an NXDOMAIN nothing exists, so any other answer there disproves it.
    // A named selector that is a CNAME exists too, whatever its target (RFC 6604 section 2.1).
    let contradicted = gate_state == Gate::NxDomain
        && probes.iter().any(|p| {
            matches!(p.answer.outcome, Outcome::Answer | Outcome::NoData)
                || (p.answer.outcome == Outcome::NxDomain && !p.answer.cname_chain.is_empty())
        });
    let mut out = Discovery {
        probes: Vec::new(),
        gate,
        gate_state,
        contradicted,
        seen,
        fallback: false,
        wildcard: None,
    };
    if gate_state == Gate::NxDomain && !contradicted {
        out.probes = probes;
        return out;
    }
    if common_probes.is_empty() {
        probes.extend(join_all(common.iter().map(|s| ask(s.clone(), false))).await);
    } else {
        probes.extend(common_probes);
    }
    let suggested = fresh(
        out.seen
            .iter()
            .flat_map(|s| catalogue.entries[s.entry].selectors.iter().cloned()),
        &probes,
    );
    probes.extend(join_all(suggested.into_iter().map(|s| ask(s, false))).await);
    let found = probes.iter().any(|p| has_key(&p.answer));
    let troubled = probes.iter().any(|p| p.answer.outcome.is_trouble());
    if !found && !troubled {
        let rest = fresh(
            catalogue
                .entries
                .iter()
                .filter(|e| e.tier != Tier::Common)
                .flat_map(|e| e.selectors.iter().cloned()),
            &probes,
        );
        out.fallback = !rest.is_empty();
        probes.extend(join_all(rest.into_iter().map(|s| ask(s, false))).await);
    }
    // A named selector answered with text that is no key at all (`v=spf1 -all`): asked of a
    // name nothing is published at, the same answer shows a wildcard (`*.<domain>`, RFC 4592)
    // answering it, which the plan then names instead of "a key to repair".
    let named_not_a_key = probes
        .iter()
        .any(|p| p.named && p.answer.outcome == Outcome::Answer && !has_key(&p.answer));
    if wildcard.is_none()
        && (named_not_a_key || probes.iter().any(|p| !p.named && has_key(&p.answer)))
    {
        wildcard = Some(dns.query(&wildcard_name, RType::TXT).await);
    }
    out.wildcard = wildcard.filter(|w| has_key(w));
    out.probes = probes;
    out
}

fn gate_state(a: &Answer) -> Gate {
    match a.outcome {
        // After a CNAME the NXDOMAIN is the chain's last name's (RFC 6604 section 2.1): the
        // gate itself exists, it owns the CNAME, and RFC 8020 says nothing of its children.
        Outcome::NxDomain if !a.cname_chain.is_empty() => Gate::Exists,
        Outcome::NxDomain => Gate::NxDomain,
        Outcome::Answer | Outcome::NoData => Gate::Exists,
        _ => Gate::Trouble,
    }
}

fn tier_selectors(catalogue: &SelectorCatalogue, tier: Tier) -> impl Iterator<Item = String> {
    let mut seen = Vec::new();
    catalogue
        .entries
        .iter()
        .filter(move |e| e.tier == tier)
        .flat_map(|e| e.selectors.iter().cloned())
        .filter(move |s| {
            let new = !seen.contains(s);
            if new {
                seen.push(s.clone());
            }
            new
        })
}

/// The selectors of `candidates` not asked yet, each once, in order.
fn fresh(candidates: impl Iterator<Item = String>, asked: &[Probe]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in candidates {
        if !asked.iter().any(|p| p.selector == s) && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}
