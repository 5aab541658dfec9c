//! The critical-path bound of one diagnosis: the longest chain of lookups that depend on each
//! other, computed from the served zones (not from what mailtriage happens to ask).

use mailtriage::dns::{Zone, ZoneData};
use std::collections::{HashMap, HashSet};

/// (owner name, TXT strings) and MX presence, indexed from the generated zones.
pub struct Index {
    txt: HashMap<String, Vec<String>>,
    names: HashSet<String>,
}

impl Index {
    pub fn new<'a>(zones: impl IntoIterator<Item = &'a Zone>) -> Index {
        let mut txt: HashMap<String, Vec<String>> = HashMap::new();
        let mut names = HashSet::new();
        for zone in zones {
            for rec in &zone.records {
                names.insert(rec.name.clone());
                if let ZoneData::TXT(parts) = &rec.data {
                    let joined: Vec<u8> = parts.concat();
                    txt.entry(rec.name.clone())
                        .or_default()
                        .push(String::from_utf8_lossy(&joined).into_owned());
                }
            }
        }
        Index { txt, names }
    }

    fn spf(&self, name: &str) -> Option<&str> {
        self.txt
            .get(name)?
            .iter()
            .find(|t| t.to_ascii_lowercase().starts_with("v=spf1"))
            .map(String::as_str)
    }

    /// Round trips needed to evaluate the SPF tree at `name`: its TXT, then the deepest term.
    /// `include`/`redirect` recurse; `mx` is MX then A; `a`/`exists` one more; `ptr` PTR then A.
    pub fn spf_depth(&self, name: &str, seen: &mut Vec<String>) -> u32 {
        if seen.iter().any(|s| s == name) || seen.len() > 20 {
            return 1;
        }
        let Some(rec) = self.spf(name) else { return 1 };
        seen.push(name.to_string());
        let mut deepest = 0;
        for term in rec.split_whitespace().skip(1) {
            let t = term
                .trim_start_matches(['+', '-', '~', '?'])
                .to_ascii_lowercase();
            let d = if let Some(target) = t
                .strip_prefix("include:")
                .or_else(|| t.strip_prefix("redirect="))
            {
                self.spf_depth(target, seen)
            } else if t == "mx" || t.starts_with("mx:") || t.starts_with("mx/") {
                2
            } else if t == "a"
                || t.starts_with("a:")
                || t.starts_with("a/")
                || t.starts_with("exists:")
            {
                1
            } else if t == "ptr" || t.starts_with("ptr:") {
                2
            } else {
                0
            };
            deepest = deepest.max(d);
        }
        seen.pop();
        1 + deepest
    }

    /// The diagnosis's critical path in round trips, with the name of the check that sets it.
    /// PTR -> A is 2, MX -> A is 2, DKIM discovery is 2 (`_domainkey`, then the selectors; the
    /// selectors a service in the SPF tree suggests wait for that walk, one after the SPF
    /// chain, but no synthetic domain includes a service of rules/selectors.toml), DMARC is 1
    /// (2 when the organizational domain must be asked because the domain has no record).
    pub fn diagnosis_depth(&self, domain: &str, with_ip: bool) -> (u32, String) {
        let mut best = (
            self.spf_depth(domain, &mut Vec::new()),
            "SPF include chain".to_string(),
        );
        let dmarc = if self.names.contains(&format!("_dmarc.{domain}")) {
            1
        } else {
            2
        };
        for (d, what) in [
            (2, "MX -> A"),
            (if with_ip { 2 } else { 0 }, "PTR -> A"),
            (dmarc, "DMARC"),
            (2, "DKIM `_domainkey` -> selectors"),
        ] {
            if d > best.0 {
                best = (d, what.to_string());
            }
        }
        best
    }
}
