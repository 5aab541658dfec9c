//! DNS checks of a sending domain, one module each, and the registry that lists them.

pub mod blocklist;
pub mod dkim;
mod dkim_key;
pub mod dmarc;
pub(crate) mod dmarc_record;
mod entries;
pub mod mx;
pub(crate) mod offline;
pub(crate) mod profile;
pub mod ptr;
pub mod registry;
pub mod spf;
pub mod types;
pub use types::*;

// The checks' modules (and other areas' code) name the domain helpers through `checks`.
pub use crate::domain_name::{domain_of, normalise, org_domain};

pub use entries::spf::tree_lines as spf_tree_lines;
pub use registry::{DnsCheck, Input};
/// Whether a DKIM key record is one a verifier can use (the plan checks the records it proposes).
pub fn dkim_key_usable(record: &str) -> bool {
    let k = dkim_key::parse(record);
    k.errors.is_empty() && !k.revoked
}

use crate::dns::Dns;
use crate::finding::Check;

/// Expands the list of `finding::registered_checks` into the entries, in its order.
macro_rules! entries_of {
    ($($variant:ident = $name:tt: $entry:path, $help:tt, $({ knowledge $m:ident: $file:literal },)?)*) => {
        &[$(&$entry,)*]
    };
}

/// Every DNS check, in the order they are run, reported and planned: the entries of the one
/// list in `finding::registered_checks` (docs/development.md).
pub static REGISTRY: &[&dyn DnsCheck] = crate::finding::registered_checks!(entries_of);

/// The registry entry of a check (None for `dns`, which is no check of its own).
pub fn entry(check: Check) -> Option<&'static dyn DnsCheck> {
    REGISTRY.iter().copied().find(|e| e.check() == check)
}

/// Runs every selected check concurrently; DNS trouble becomes inconclusive findings, never absence.
///
/// Each fact object is about the checked domain itself; the identities given with `--mail-from`,
/// `--helo`, `--from` and `--dkim-domain`, when they are other domains, get their own objects
/// (`spf_identities`, `dmarc_from`, `dkim_signing`), so several domains checked with the same
/// flags each keep their own facts.
pub async fn check_domain(dns: &Dns, params: &CheckParams) -> DomainReport {
    // A check named with --only always runs; the others run unless they apply only on request.
    let want = |e: &&&dyn DnsCheck| {
        let c = e.check();
        params.only.contains(&c) || (params.only.is_empty() && e.applies(params))
    };
    let runs = REGISTRY.iter().filter(want).map(|e| e.run(dns, params));
    let mut report = DomainReport::empty(normalise(&params.domain));
    // Findings keep the registry's order, whichever check answers first.
    for ran in futures::future::join_all(runs).await {
        ran.apply(&mut report);
    }
    // Findings that need several checks' facts (a nonexistent or parked domain, p=reject on
    // SPF alone) come after every check has answered.
    profile::apply(dns, params, &mut report).await;
    offline::mark_not_checked(dns, &mut report);
    report
}

impl DomainReport {
    /// True when every check that ran was stopped by DNS trouble before it found anything:
    /// the DNS could not be consulted at all (exit code 3).
    pub fn all_inconclusive(&self) -> bool {
        registry::all_inconclusive(REGISTRY, self)
    }

    /// True when DNS trouble (a timeout, SERVFAIL, REFUSED, not a name `--offline` skipped)
    /// kept any check from concluding: the run cannot pass (exit code 3).
    pub fn any_inconclusive(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.inconclusive && !f.not_checked)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Every `.rs` file under src/checks/, read from disk, so a new check's files are walked too.
    fn sources() -> Vec<(String, String)> {
        fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
            let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
            entries.sort_by_key(|e| e.path());
            for e in entries {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks"),
            &mut out,
        );
        out
    }

    /// Every variant of `Check` but `dns` has exactly one entry, and the entries are distinct.
    #[test]
    fn every_check_is_registered_once() {
        use clap::ValueEnum;
        let registered: Vec<Check> = REGISTRY.iter().map(|e| e.check()).collect();
        assert_eq!(registered, Check::value_variants().to_vec());
        assert!(entry(Check::Dns).is_none());
    }

    /// Every finding id a registered check's code names (`"<check>-..."` literals anywhere under
    /// src/checks/) has a complete entry in rules/findings.toml, under that check.
    #[test]
    fn every_emitted_id_is_documented() {
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let mut documented: BTreeMap<String, String> = BTreeMap::new();
        for l in &rules.findings {
            let f = &l.rule;
            for (field, text) in [
                ("title", &f.title),
                ("summary", &f.summary),
                ("why", &f.why),
                ("fix", &f.fix),
                ("source", &f.source),
            ] {
                assert!(!text.trim().is_empty(), "{} lacks {field}", f.id);
            }
            documented.insert(f.id.clone(), f.check.as_str().to_string());
        }
        let names: Vec<&str> = REGISTRY.iter().map(|e| e.check().as_str()).collect();
        let re = regex::Regex::new(&format!(r#""((?:{})-[a-z0-9-]+)""#, names.join("|"))).unwrap();
        let mut emitted = BTreeSet::new();
        // An entry names the plan step its findings fall to (`dkim-fix`): not a finding id.
        let steps: BTreeSet<&str> = rules
            .plan_steps
            .iter()
            .map(|l| l.rule.id.as_str())
            .collect();
        for (file, src) in sources() {
            for c in re.captures_iter(&src) {
                let id = &c[1];
                if steps.contains(id) {
                    continue;
                }
                let check = id.split('-').next().unwrap_or_default();
                assert_eq!(
                    documented.get(id).map(String::as_str),
                    Some(check),
                    "{id} (in {file}) has no entry in rules/findings.toml under check {check}"
                );
                emitted.insert(id.to_string());
            }
        }
        assert!(emitted.len() > 60, "{} ids found", emitted.len());
        for (id, check) in &documented {
            assert!(
                check == "dns" || names.contains(&check.as_str()),
                "{id}: check {check} is not registered"
            );
        }
    }

    /// The severity rules/findings.toml documents for an id is the highest its code emits:
    /// where the code writes a severity beside the id, none is higher and one equals it.
    #[test]
    fn documented_severities_are_the_highest_the_code_emits() {
        use crate::finding::Severity;
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let names: Vec<&str> = REGISTRY.iter().map(|e| e.check().as_str()).collect();
        let re = regex::Regex::new(&format!(
            r#""((?:{})-[a-z0-9-]+)",\s*(?:Check::[A-Za-z]+,\s*)?Severity::([A-Za-z]+)"#,
            names.join("|")
        ))
        .unwrap();
        let mut emitted: BTreeMap<String, BTreeSet<Severity>> = BTreeMap::new();
        for (_, src) in sources() {
            for c in re.captures_iter(&src) {
                let sev = match &c[2] {
                    "Info" => Severity::Info,
                    "Warning" => Severity::Warning,
                    _ => Severity::Error,
                };
                emitted.entry(c[1].to_string()).or_default().insert(sev);
            }
        }
        assert!(
            emitted.len() > 50,
            "{} ids with a written severity",
            emitted.len()
        );
        for (id, sevs) in &emitted {
            let documented = rules.finding(id).unwrap().severity;
            assert_eq!(sevs.iter().max(), Some(&documented), "{id}: code {sevs:?}");
        }
    }
}
