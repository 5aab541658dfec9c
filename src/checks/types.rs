//! What each check found (facts), beside its findings; serialised as the `check/v1` JSON.

use crate::finding::Finding;
use serde::Serialize;
use std::net::IpAddr;

/// What `check` and `diagnose` were asked to look at.
#[derive(Debug, Clone, Default)]
pub struct CheckParams {
    pub domain: String,
    pub ip: Option<IpAddr>,
    pub helo: Option<String>,
    /// The HELO/EHLO argument when it is an address literal (`[192.0.2.1]`, RFC 5321 section
    /// 4.1.3) rather than a name: it names no host whose DNS could be checked, so `helo` stays
    /// empty and the PTR check reports the literal itself.
    pub helo_literal: Option<IpAddr>,
    /// RFC5322.From address (or bare domain).
    pub from: Option<String>,
    /// RFC5321.MailFrom address (or bare domain).
    pub mail_from: Option<String>,
    pub dkim_selectors: Vec<String>,
    /// The d= of the DKIM signature, for alignment.
    pub dkim_domain: Option<String>,
    /// Checks to run; empty means all.
    pub only: Vec<crate::finding::Check>,
    /// DKIM selectors to probe (rules/selectors.toml with `--rules DIR` applied); `None`: the
    /// built-in ones.
    pub dkim_catalogue: Option<std::sync::Arc<crate::rules::selectors::SelectorCatalogue>>,
    /// The rules with `--rules DIR` applied, for checks that read a table of their own;
    /// `None`: the built-in ones.
    pub rules: Option<std::sync::Arc<crate::rules::RuleSet>>,
    /// The checks the decoded reply implicates (diagnose), so a check that runs only on
    /// request (`DnsCheck::applies`) runs when a rejection points at it.
    pub reply_checks: Vec<String>,
    /// The id of the rule that decoded the reply (diagnose), e.g. to know which list it names.
    pub reply_rule: Option<String>,
}

impl CheckParams {
    /// The HELO/EHLO argument as the server announces it: the name, or the address literal.
    pub fn helo_announced(&self) -> Option<String> {
        self.helo
            .clone()
            .or_else(|| self.helo_literal.map(address_literal))
    }
}

/// An address as an SMTP address literal (RFC 5321 section 4.1.3): `[192.0.2.1]`,
/// `[IPv6:2001:db8::1]`.
pub fn address_literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
    }
}

/// Whether a check's facts are complete, or DNS trouble (timeout, SERVFAIL, REFUSED, not looked
/// up offline) kept some of them from being looked up: then an empty or null fact is unknown,
/// not absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Complete,
    Inconclusive,
}

impl Status {
    pub fn is_inconclusive(self) -> bool {
        self == Status::Inconclusive
    }
}

/// One node of the SPF include/redirect tree.
#[derive(Debug, Clone, Serialize)]
pub struct SpfNode {
    /// The domain whose record this is.
    pub domain: String,
    /// How this node was reached: "root", "include", "redirect".
    pub via: String,
    /// The record text, when one was found.
    pub record: Option<String>,
    /// DNS-mechanism lookups this record itself causes (RFC 7208 section 4.6.4).
    pub own_lookups: u32,
    /// Lookups of this node plus all its descendants.
    pub total_lookups: u32,
    pub void_lookups: u32,
    /// Problem with this node, if any ("no SPF record", "loop back to x", "timeout", ...).
    pub error: Option<String>,
    pub children: Vec<SpfNode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpfEval {
    pub ip: IpAddr,
    /// pass, fail, softfail, neutral, none, temperror, permerror.
    pub result: String,
    /// The mechanism that matched, when known.
    pub mechanism: Option<String>,
    /// The domain evaluated (MAIL FROM domain, else the checked domain).
    pub domain: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpfFacts {
    pub domain: String,
    pub status: Status,
    pub record: Option<String>,
    pub records_count: usize,
    pub lookups: u32,
    pub void_lookups: u32,
    /// The `all` qualifier of the top record: "-all", "~all", "?all", "+all", or None.
    pub all: Option<String>,
    pub tree: Option<SpfNode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<SpfEval>,
    pub ttl: Option<u32>,
}

/// SPF of another identity than the checked domain: the MAIL FROM domain or the HELO name.
#[derive(Debug, Clone, Serialize)]
pub struct SpfIdentity {
    /// "mail_from" or "helo".
    pub role: String,
    /// The MAIL FROM address or HELO name as given.
    pub identity: String,
    #[serde(flatten)]
    pub facts: SpfFacts,
}

#[derive(Debug, Clone, Serialize)]
pub struct DkimSelector {
    pub selector: String,
    /// valid, revoked, invalid, testing.
    pub status: String,
    pub key_type: Option<String>,
    pub bits: Option<usize>,
    /// CNAME target, when the selector is delegated.
    pub cname: Option<String>,
    pub record: Option<String>,
    pub tags: std::collections::BTreeMap<String, String>,
    pub ttl: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DkimFacts {
    pub domain: String,
    pub status: Status,
    pub selectors: Vec<DkimSelector>,
    /// Every selector name probed.
    pub probed: Vec<String>,
    /// How the selectors were chosen: what `_domainkey.<domain>` answered, the services the
    /// domain's DNS shows, and each probe with its reason.
    pub discovery: DkimDiscovery,
}

impl DkimFacts {
    /// True when the check asked the DNS anything (a selector, or `_domainkey.<domain>`, whose
    /// NXDOMAIN alone proves there is no key).
    pub fn looked(&self) -> bool {
        !self.probed.is_empty() || self.discovery.domainkey != "not-asked"
    }
}

/// DKIM discovery (rules/selectors.toml): selectors cannot be listed, so they are guessed.
#[derive(Debug, Clone, Serialize)]
pub struct DkimDiscovery {
    /// What `_domainkey.<domain>` answered: "exists" (NOERROR: names may exist below it),
    /// "nxdomain" (no name below it, so no key: RFC 8020), "trouble" (could not tell; probed
    /// anyway) or "not-asked".
    pub domainkey: String,
    /// The server answered NXDOMAIN at `_domainkey.<domain>` although a selector below it
    /// exists (it mishandles empty non-terminals): the NXDOMAIN was not trusted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nxdomain_contradicted: bool,
    /// Services whose selectors the domain's DNS suggested, and what showed each.
    pub services: Vec<DkimService>,
    /// True when the fallback tier ran (nothing probed before it held a key).
    pub fallback: bool,
    /// Each selector asked, in order, with why.
    pub probes: Vec<DkimProbe>,
}

impl Default for DkimDiscovery {
    fn default() -> Self {
        DkimDiscovery {
            domainkey: "not-asked".into(),
            nxdomain_contradicted: false,
            services: Vec::new(),
            fallback: false,
            probes: Vec::new(),
        }
    }
}

/// A sending service recognised in the domain's DNS.
#[derive(Debug, Clone, Serialize)]
pub struct DkimService {
    /// The rules/selectors.toml entry.
    pub rule: String,
    pub name: String,
    /// What showed it, e.g. "SPF include:_spf.google.com" or "MX aspmx.l.google.com".
    pub seen: String,
}

/// One selector asked.
#[derive(Debug, Clone, Serialize)]
pub struct DkimProbe {
    pub selector: String,
    /// "named" (--dkim-selector), "evidence" (a service the DNS shows), "common" or "fallback".
    pub reason: String,
    /// The rules/selectors.toml entry it came from (none for a named selector).
    pub rule: Option<String>,
    /// For "evidence": the service and what showed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
    /// "key" (a key record), "absent" (no key record there) or "trouble" (lookup failed).
    pub result: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alignment {
    pub from_domain: String,
    pub spf_domain: Option<String>,
    pub spf_aligned: Option<bool>,
    pub dkim_domain: Option<String>,
    pub dkim_aligned: Option<bool>,
    /// "relaxed" or "strict", as published.
    pub aspf: String,
    pub adkim: String,
    /// The identity DMARC takes SPF's result from (RFC 9989 section 4.4.2): "mail_from", or
    /// "helo" for a null reverse-path (the MAIL FROM identity is then postmaster@<HELO>).
    pub spf_identity: String,
    /// Organizational domains by the RFC 9989 tree walk: the From domain's, and those of the SPF
    /// and DKIM domains when relaxed alignment needed a walk for them (None: not walked).
    pub from_organizational_domain: String,
    pub spf_organizational_domain: Option<String>,
    pub dkim_organizational_domain: Option<String>,
    /// The same verdicts by the Public Suffix List, as receivers still on RFC 7489 reach them.
    pub rfc7489: LegacyAlignment,
}

/// Alignment by RFC 7489 (organizational domains from the Public Suffix List).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LegacyAlignment {
    pub from_organizational_domain: String,
    pub spf_aligned: Option<bool>,
    pub dkim_aligned: Option<bool>,
}

/// One `_dmarc` name asked by the RFC 9989 tree walk, in walk order.
#[derive(Debug, Clone, Serialize)]
pub struct TreeWalkStep {
    /// `_dmarc.<name>`.
    pub name: String,
    /// answer, NXDOMAIN, NODATA, SERVFAIL, timeout ...; "not asked" when no query can carry the
    /// name (over 253 characters).
    pub outcome: String,
    /// DMARC records (`v=DMARC1` first) at the name; more than one and the walk ignores them all.
    pub records: usize,
    /// The `psd` tag of the single record, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psd: Option<String>,
    /// Past the record that stopped the walk (`psd=y`/`psd=n`): asked, but not used.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_stop: bool,
}

/// What a receiver still on RFC 7489 (Public Suffix List, no tree walk) arrives at.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LegacyDmarc {
    pub organizational_domain: String,
    pub record_domain: Option<String>,
    pub inherited: bool,
    pub policy: Option<String>,
}

/// DMARC facts. Every verdict here follows `standard` (RFC 9989); `rfc7489` holds what receivers
/// still on RFC 7489 arrive at, where the two can differ.
#[derive(Debug, Clone, Serialize)]
pub struct DmarcFacts {
    /// The domain whose policy this is: the checked domain, or (in `dmarc_from`) the From domain.
    pub domain: String,
    pub status: Status,
    /// The standard the verdicts follow: "RFC 9989".
    pub standard: String,
    pub record: Option<String>,
    /// Where the record was found (`_dmarc.<domain>` or an ancestor's, by the tree walk).
    pub record_domain: Option<String>,
    /// By the RFC 9989 tree walk (section 4.10.2).
    pub organizational_domain: String,
    pub inherited: bool,
    /// The policy for mail failing DMARC (RFC 9989 section 4.10.1): the own record's `p`, an
    /// inherited record's `sp` (or `np` when the domain does not exist), `none` for a record
    /// without a valid `p` but with a valid `rua`; null when DMARC does not apply.
    pub policy: Option<String>,
    /// Which tag `policy` comes from: "p", "sp", "np" or "none (rua fallback)".
    pub policy_source: Option<String>,
    /// The policy receivers apply once `t=y` is honoured (one level less than `policy`).
    pub policy_applied: Option<String>,
    /// `t=y`: the domain owner is testing its policy.
    pub testing: bool,
    /// `psd` tag of the record: "y", "n" or "u".
    pub psd: Option<String>,
    /// Whether the domain exists (RFC 8020); asked only when `np` makes a difference.
    pub domain_exists: Option<bool>,
    pub sp: Option<String>,
    pub np: Option<String>,
    /// Obsolete since RFC 9989 (receivers on RFC 7489 still apply it).
    pub pct: Option<u8>,
    pub adkim: Option<String>,
    pub aspf: Option<String>,
    pub rua: Vec<String>,
    pub ruf: Vec<String>,
    pub alignment: Option<Alignment>,
    pub ttl: Option<u32>,
    /// Every `_dmarc` name the tree walk asked, in order.
    pub tree_walk: Vec<TreeWalkStep>,
    /// Records at `_dmarc.<domain>` that are not DMARC records because they do not start with exactly `v=DMARC1`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_records: Vec<String>,
    pub rfc7489: LegacyDmarc,
}

#[derive(Debug, Clone, Serialize)]
pub struct PtrName {
    pub name: String,
    /// Addresses the name resolves to.
    pub addresses: Vec<IpAddr>,
    pub confirms: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PtrFacts {
    pub status: Status,
    pub ip: Option<IpAddr>,
    pub names: Vec<PtrName>,
    /// True when every PTR name checked resolves back to the IP.
    pub fcrdns: Option<bool>,
    pub helo: Option<String>,
    pub helo_matches: Option<bool>,
    pub ttl: Option<u32>,
    /// Without --ip: FCrDNS of the domain's MX hosts (host, ip, confirmed).
    pub mx_hosts: Vec<(String, IpAddr, bool)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MxHost {
    pub preference: u16,
    pub host: String,
    pub addresses: Vec<IpAddr>,
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MxFacts {
    pub status: Status,
    pub hosts: Vec<MxHost>,
    pub null_mx: bool,
    /// No MX, but an A/AAAA record makes the domain an implicit MX (RFC 5321 section 5.1).
    pub implicit: bool,
    pub ttl: Option<u32>,
}

/// Everything checked for one domain.
#[derive(Debug, Clone, Serialize)]
pub struct DomainReport {
    pub domain: String,
    pub findings: Vec<Finding>,
    /// The checked domain's own SPF.
    pub spf: Option<SpfFacts>,
    /// SPF of the `--mail-from` and `--helo` domains when they are other domains.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spf_identities: Vec<SpfIdentity>,
    /// The checked domain's own DKIM keys.
    pub dkim: Option<DkimFacts>,
    /// The `--dkim-domain` (signing domain) keys, when it is another domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dkim_signing: Option<DkimFacts>,
    /// The checked domain's own DMARC policy.
    pub dmarc: Option<DmarcFacts>,
    /// The `--from` domain's DMARC policy (with alignment), when it is another domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dmarc_from: Option<DmarcFacts>,
    pub ptr: Option<PtrFacts>,
    pub mx: Option<MxFacts>,
    /// Facts of checks registered after v1 of the JSON, each under its check's name (the
    /// five above keep their own fields).
    #[serde(flatten)]
    pub more: std::collections::BTreeMap<crate::finding::Check, serde_json::Value>,
}

impl DomainReport {
    /// A report for `domain` with no facts and no findings yet.
    pub fn empty(domain: String) -> DomainReport {
        DomainReport {
            domain,
            findings: Vec::new(),
            spf: None,
            spf_identities: Vec::new(),
            dkim: None,
            dkim_signing: None,
            dmarc: None,
            dmarc_from: None,
            ptr: None,
            mx: None,
            more: std::collections::BTreeMap::new(),
        }
    }
}
