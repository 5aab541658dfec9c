//! The RFC 9989 DNS tree walk (section 4.10): which `_dmarc` names are asked for a domain, what
//! each answered, and the organizational domain chosen from the answers (section 4.10.2).

use crate::checks::dmarc_record::{self, DmarcRecord};
use crate::dns::{Answer, Dns, RType};
use futures::future::join_all;
use std::sync::Arc;

/// RFC 9989 section 4.10: at most 8 queries; a name of 8 or more labels jumps to its 7
/// right-most labels after the first query.
pub const MAX_QUERIES: usize = 8;
const JUMP_TO: usize = 7;

/// One name of the walk and what it answered.
#[derive(Debug, Clone)]
pub struct Level {
    /// The domain (without `_dmarc.`).
    pub domain: String,
    /// None when no query can be composed for `_dmarc.<domain>` (longer than 253 characters):
    /// no receiver can ask it either, so it holds no record.
    pub answer: Option<Arc<Answer>>,
    /// TXT records that are DMARC records (`v=DMARC1` first).
    pub records: Vec<String>,
    /// TXT records with a `v=DMARC1` tag that is not first: invalid, ignored by receivers.
    pub misordered: Vec<String>,
}

impl Level {
    /// The one valid record the walk uses at this name: several are all discarded.
    pub fn record(&self) -> Option<DmarcRecord> {
        match self.records.as_slice() {
            [one] => Some(dmarc_record::parse(one)),
            _ => None,
        }
    }
    pub fn trouble(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.outcome.is_trouble())
    }
    /// `--offline` did not ask it (outside every `--zone`).
    pub fn offline(&self) -> bool {
        self.answer
            .as_ref()
            .is_some_and(|a| a.outcome == crate::dns::Outcome::Offline)
    }
    pub fn name(&self) -> String {
        format!("_dmarc.{}", self.domain)
    }
}

/// The walk from one starting domain, every level asked (concurrently: the names are known
/// before any answer), in walk order.
#[derive(Debug, Clone)]
pub struct TreeWalk {
    pub start: String,
    pub levels: Vec<Level>,
}

/// The domains a walk from `start` asks, in order (RFC 9989 section 4.10 steps 3-7).
pub fn names(start: &str) -> Vec<String> {
    let labels: Vec<&str> = start.split('.').filter(|l| !l.is_empty()).collect();
    let mut out = vec![labels.join(".")];
    let mut count = labels.len();
    while count > 1 && out.len() < MAX_QUERIES {
        count = if count >= MAX_QUERIES {
            JUMP_TO
        } else {
            count - 1
        };
        out.push(labels[labels.len() - count..].join("."));
    }
    out
}

pub async fn walk(dns: &Dns, start: &str) -> TreeWalk {
    let start = crate::checks::normalise(start);
    let levels = join_all(names(&start).into_iter().map(|domain| async move {
        let name = format!("_dmarc.{domain}");
        let answer = if crate::checks::spf::identity::queryable(&name) {
            Some(dns.query(&name, RType::TXT).await)
        } else {
            None
        };
        let txt = answer.as_ref().map(|a| a.txt_strings()).unwrap_or_default();
        Level {
            records: txt
                .iter()
                .filter(|t| dmarc_record::is_dmarc(t))
                .cloned()
                .collect(),
            misordered: txt
                .iter()
                .filter(|t| dmarc_record::is_misordered(t))
                .cloned()
                .collect(),
            domain,
            answer,
        }
    }))
    .await;
    TreeWalk { start, levels }
}

/// The organizational domain a walk arrives at, and how sure it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDomain {
    pub domain: String,
    /// Index of the level whose record decided it (None: no record, the start is its own).
    pub decided_by: Option<usize>,
    /// A level that could decide it could not be asked (timeout, SERVFAIL): the answer is a guess.
    pub inconclusive: bool,
}

impl TreeWalk {
    /// Index of the level where the walk stops: the first single record with `psd=y` or `psd=n`
    /// (RFC 9989 section 4.10 steps 2 and 6).
    pub fn stop(&self) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.record().is_some_and(|r| r.psd().is_some()))
    }

    /// The levels up to the stop (all of them when none stops the walk).
    pub fn used(&self) -> &[Level] {
        let end = self.stop().map_or(self.levels.len(), |s| s + 1);
        &self.levels[..end]
    }

    /// True when a level the walk uses could not be asked. An ancestor `--offline` left
    /// unasked (a name above the `--zone` files, typically a top-level domain) is taken to hold
    /// no record, and said so: [`TreeWalk::unasked`].
    pub fn inconclusive(&self) -> bool {
        self.troubled().next().is_some()
    }

    /// The levels the walk uses that DNS trouble kept from being read.
    pub fn troubled(&self) -> impl Iterator<Item = &Level> {
        self.used()
            .iter()
            .enumerate()
            .filter(|(i, l)| l.trouble() && (*i == 0 || !l.offline()))
            .map(|(_, l)| l)
    }

    /// Ancestors `--offline` did not ask, taken to hold no record.
    pub fn unasked(&self) -> Vec<String> {
        self.used()
            .iter()
            .skip(1)
            .filter(|l| l.offline())
            .map(Level::name)
            .collect()
    }

    /// RFC 9989 section 4.10.2: from longest to shortest name, a record with `psd=n` is the
    /// organizational domain; one with `psd=y` (not at the start) makes the name one label below
    /// it the organizational domain; otherwise the record with the fewest labels; with no record
    /// the start is its own organizational domain.
    pub fn org_domain(&self) -> OrgDomain {
        let inconclusive = self.inconclusive();
        let mut fewest: Option<usize> = None;
        for (i, l) in self.used().iter().enumerate() {
            let Some(rec) = l.record() else { continue };
            match rec.psd() {
                Some(false) => return self.org(l.domain.clone(), Some(i), inconclusive),
                Some(true) if i > 0 => {
                    return self.org(self.one_below(&l.domain), Some(i), inconclusive);
                }
                _ => fewest = Some(i),
            }
        }
        match fewest {
            Some(i) => self.org(self.levels[i].domain.clone(), Some(i), inconclusive),
            None => self.org(self.start.clone(), None, inconclusive),
        }
    }

    fn org(&self, domain: String, decided_by: Option<usize>, inconclusive: bool) -> OrgDomain {
        OrgDomain {
            domain,
            decided_by,
            inconclusive,
        }
    }

    /// The name one label below `psd` on the way to the start (`bank.example` under
    /// `a.giant.bank.example` -> `giant.bank.example`).
    fn one_below(&self, psd: &str) -> String {
        let want = psd.split('.').count() + 1;
        let labels: Vec<&str> = self.start.split('.').collect();
        labels[labels.len().saturating_sub(want)..].join(".")
    }

    pub fn level_of(&self, domain: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.domain == domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rfc_9989_section_4_10() {
        // The section's own illustration: 13 labels, eight queries, the jump after the first.
        assert_eq!(
            names("a.b.c.d.e.f.g.h.i.j.mail.example.com"),
            vec![
                "a.b.c.d.e.f.g.h.i.j.mail.example.com",
                "g.h.i.j.mail.example.com",
                "h.i.j.mail.example.com",
                "i.j.mail.example.com",
                "j.mail.example.com",
                "mail.example.com",
                "example.com",
                "com",
            ]
        );
        assert_eq!(
            names("a.mail.example.com"),
            vec![
                "a.mail.example.com",
                "mail.example.com",
                "example.com",
                "com"
            ]
        );
        // Exactly eight labels: the first query, then the jump to seven, eight in all.
        let eight = names("h.g.f.e.d.c.example.com");
        assert_eq!(eight.len(), 8);
        assert_eq!(eight[1], "g.f.e.d.c.example.com");
        // 127 labels: still eight queries.
        let long = format!("{}example", "x.".repeat(126));
        assert_eq!(names(&long).len(), MAX_QUERIES);
    }
}
