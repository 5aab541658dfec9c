//! DNS checks of a sending domain: SPF, DKIM, DMARC, PTR, MX.

pub mod dkim;
mod dkim_key;
pub mod dmarc;
pub(crate) mod dmarc_record;
pub mod mx;
pub(crate) mod profile;
pub mod ptr;
pub mod spf;
pub mod types;
pub use types::*;

use crate::dns::Dns;
use crate::finding::{Check, Finding};

/// Runs every selected check concurrently; DNS trouble becomes inconclusive findings, never absence.
///
/// Each fact object is about the checked domain itself; the identities given with `--mail-from`,
/// `--helo`, `--from` and `--dkim-domain`, when they are other domains, get their own objects
/// (`spf_identities`, `dmarc_from`, `dkim_signing`), so several domains checked with the same
/// flags each keep their own facts.
pub async fn check_domain(dns: &Dns, params: &CheckParams) -> DomainReport {
    let want = |c: Check| params.only.is_empty() || params.only.contains(&c);
    let domain = normalise(&params.domain);
    let from_domain = params
        .from
        .as_deref()
        .map(domain_of)
        .filter(|d| !d.is_empty() && *d != domain);
    let signing_domain = params
        .dkim_domain
        .as_deref()
        .map(normalise)
        .filter(|d| !d.is_empty() && *d != domain);
    let spf = async {
        if want(Check::Spf) {
            Some(spf::check(dns, params).await)
        } else {
            None
        }
    };
    let dkim = async {
        if !want(Check::Dkim) {
            return (None, None);
        }
        let own = dkim::check(dns, params, &domain, signing_domain.is_none());
        let signing = async {
            match &signing_domain {
                Some(d) => Some(dkim::check(dns, params, d, true).await),
                None => None,
            }
        };
        let (own, signing) = futures::join!(own, signing);
        (Some(own), signing)
    };
    let dmarc = async {
        if !want(Check::Dmarc) {
            return (None, None);
        }
        let own = dmarc::check(dns, params, &domain, from_domain.is_none());
        let from = async {
            match &from_domain {
                Some(d) => Some(dmarc::check(dns, params, d, true).await),
                None => None,
            }
        };
        let (own, from) = futures::join!(own, from);
        (Some(own), from)
    };
    let ptr = async {
        if want(Check::Ptr) {
            Some(ptr::check(dns, params).await)
        } else {
            None
        }
    };
    let mx = async {
        if want(Check::Mx) {
            Some(mx::check(dns, params).await)
        } else {
            None
        }
    };
    let (spf, (dkim, dkim_signing), (dmarc, dmarc_from), ptr, mx) =
        futures::join!(spf, dkim, dmarc, ptr, mx);

    let mut findings: Vec<Finding> = Vec::new();
    let (spf, spf_identities) = match spf {
        Some(mut o) => {
            findings.append(&mut o.findings);
            (Some(o.facts), o.identities)
        }
        None => (None, Vec::new()),
    };
    let dkim = take(&mut findings, dkim);
    let dkim_signing = take(&mut findings, dkim_signing);
    let dmarc = take(&mut findings, dmarc);
    let dmarc_from = take(&mut findings, dmarc_from);
    let ptr = take(&mut findings, ptr);
    let mx = take(&mut findings, mx);
    let mut report = DomainReport {
        domain,
        findings,
        spf,
        spf_identities,
        dkim,
        dkim_signing,
        dmarc,
        dmarc_from,
        ptr,
        mx,
    };
    profile::apply(dns, params, &mut report).await;
    report
}

/// The facts of a check, its findings moved to `findings`.
fn take<T>(findings: &mut Vec<Finding>, pair: Option<(T, Vec<Finding>)>) -> Option<T> {
    pair.map(|(facts, mut f)| {
        findings.append(&mut f);
        facts
    })
}

/// True when every check that ran was stopped by DNS trouble before it found anything:
/// the DNS could not be consulted at all (exit code 3).
pub fn all_inconclusive(report: &DomainReport) -> bool {
    let stuck = |c: Check| {
        report
            .findings
            .iter()
            .any(|f| f.check == c && f.inconclusive)
    };
    let mut ran = 0;
    let mut blocked = 0;
    let mut tally = |ran_it: bool, blocked_it: bool| {
        if ran_it {
            ran += 1;
            blocked += usize::from(blocked_it);
        }
    };
    if let Some(s) = &report.spf {
        tally(true, stuck(Check::Spf) && s.record.is_none());
    }
    if let Some(d) = &report.dkim {
        tally(true, stuck(Check::Dkim) && d.selectors.is_empty());
    }
    if let Some(d) = &report.dmarc {
        tally(true, stuck(Check::Dmarc) && d.record.is_none());
    }
    if let Some(p) = &report.ptr {
        let found = !p.names.is_empty() || !p.mx_hosts.is_empty();
        tally(true, stuck(Check::Ptr) && !found);
    }
    if let Some(m) = &report.mx {
        let found = !m.hosts.is_empty() || m.implicit || m.null_mx;
        tally(true, stuck(Check::Mx) && !found);
    }
    ran > 0 && ran == blocked
}

impl DomainReport {
    /// See [`all_inconclusive`].
    pub fn all_inconclusive(&self) -> bool {
        all_inconclusive(self)
    }
}

/// Lower-case, no trailing dot, no surrounding space.
pub fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The domain of an address (`user@d` -> `d`); a bare domain is returned as is.
pub fn domain_of(addr: &str) -> String {
    let a = addr.trim().trim_start_matches('<').trim_end_matches('>');
    normalise(a.rsplit_once('@').map_or(a, |(_, d)| d))
}

/// The organizational domain (RFC 7489 section 3.2) from the Public Suffix List.
pub fn org_domain(domain: &str) -> String {
    let d = normalise(domain);
    psl::domain_str(&d).map_or(d.clone(), str::to_string)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn domains_of_addresses_and_organizational_domains() {
        assert_eq!(domain_of("Bob@Mail.Example.COM."), "mail.example.com");
        assert_eq!(domain_of("<a@b.example>"), "b.example");
        assert_eq!(domain_of("example.org"), "example.org");
        assert_eq!(org_domain("mail.example.co.uk"), "example.co.uk");
        assert_eq!(org_domain("a.b.example.com"), "example.com");
    }

    /// Every finding id a check can emit has a complete entry in rules/findings.toml.
    #[test]
    fn every_emitted_id_is_documented() {
        let sources = [
            include_str!("spf/findings.rs"),
            include_str!("spf/traps.rs"),
            include_str!("dkim.rs"),
            include_str!("dmarc.rs"),
            include_str!("dmarc/align.rs"),
            include_str!("dmarc/record_findings.rs"),
            include_str!("dmarc/report_auth.rs"),
            include_str!("profile.rs"),
            include_str!("ptr.rs"),
            include_str!("mx.rs"),
        ];
        let rules: toml::Table = toml::from_str(include_str!("../../rules/findings.toml")).unwrap();
        let entries = rules["finding"].as_array().unwrap();
        let mut documented = std::collections::HashSet::new();
        for e in entries {
            for field in [
                "id", "check", "severity", "title", "summary", "why", "fix", "source",
            ] {
                let v = e.get(field).and_then(|v| v.as_str()).unwrap_or_default();
                assert!(!v.is_empty(), "{e:?} lacks {field}");
            }
            let id = e["id"].as_str().unwrap();
            assert!(crate::finding::is_kebab_case(id));
            assert!(documented.insert(id.to_string()), "{id} twice");
        }
        let re = regex::Regex::new(r#""((?:spf|dkim|dmarc|ptr|mx)-[a-z0-9-]+)""#).unwrap();
        let mut emitted = 0;
        for src in sources {
            for c in re.captures_iter(src) {
                emitted += 1;
                assert!(
                    documented.contains(&c[1]),
                    "{} has no entry in rules/findings.toml",
                    &c[1]
                );
            }
        }
        assert!(emitted > 60);
    }
}
