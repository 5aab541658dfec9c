//! The contract of a DNS check: what it needs, how it runs, where its facts go, when it is
//! inconclusive, and how its facts read. `checks::REGISTRY` lists every check once; `--only`,
//! the rules' check vocabulary, the plan's DNS checks, SARIF's places for absent records and
//! "which checks ran" are all derived from it.

use super::types::{CheckParams, DomainReport};
use crate::dns::{Dns, LogEntry, Outcome, RType};
use crate::finding::{Check, Finding};
use futures::future::BoxFuture;

/// An input a check reads beyond the domain: a `mailtriage check` command that reproduces the
/// check must pass it (the plan's verify commands are built from this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `--ip`: the sending address.
    Ip,
    /// `--helo`: the name the sending server announces.
    Helo,
    /// `--mail-from`: the envelope sender.
    MailFrom,
    /// `--from`: the From header's domain.
    From,
    /// `--dkim-domain`: the signature's d=.
    DkimDomain,
    /// `--dkim-selector`: the signature's s= (and the selectors to probe).
    DkimSelector,
}

/// What one check produced: its findings, and its facts waiting to be put into the report.
pub struct Ran {
    findings: Vec<Finding>,
    facts: Box<dyn FnOnce(&mut DomainReport) + Send>,
}

impl Ran {
    /// `facts` puts the check's facts into the report (its own fields only).
    pub fn new(
        findings: Vec<Finding>,
        facts: impl FnOnce(&mut DomainReport) + Send + 'static,
    ) -> Ran {
        Ran {
            findings,
            facts: Box::new(facts),
        }
    }

    /// Puts the facts into `report` and appends the findings, in the order the check gave them.
    pub fn apply(self, report: &mut DomainReport) {
        (self.facts)(report);
        report.findings.extend(self.findings);
    }
}

/// One DNS check. Implementations are unit structs listed once in `checks::REGISTRY`.
pub trait DnsCheck: Sync {
    /// The check's name: `--only`, a finding's `check`, a rule's `checks`.
    fn check(&self) -> Check;

    /// How prose names it (`SPF`, `DNSBL`): "{label} could not be checked".
    fn label(&self) -> &'static str;

    /// The inputs beyond the domain it reads.
    fn needs(&self) -> &'static [Input];

    /// True when it runs without being named in `--only`: a check that needs an input to say
    /// anything useful (a sending IP, or a reply that implicates it) runs only then.
    fn applies(&self, _params: &CheckParams) -> bool {
        true
    }

    /// Looks the domain up. Never fails: DNS trouble becomes inconclusive findings.
    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran>;

    /// True when the report holds the check's facts (it was selected and ran).
    fn ran(&self, report: &DomainReport) -> bool;

    /// True when it ran on what a rejection is about, so "it passes" is a verified statement
    /// (PTR without `--ip` looks at the MX hosts, which says nothing about the sending IP).
    fn verified(&self, report: &DomainReport) -> bool {
        self.ran(report)
    }

    /// True when it found any record at all; a check that found nothing while its lookups
    /// failed is inconclusive, not clean.
    fn found_something(&self, report: &DomainReport) -> bool;

    /// Its facts as lines of text for `check`'s human output (None when it did not run).
    fn lines(&self, report: &DomainReport, queries: &[LogEntry]) -> Option<Vec<String>>;

    /// The record type its findings are about (SARIF places them at such a record).
    fn record_type(&self) -> RType;

    /// Ids of its findings about a record that does not exist (SARIF shows them at the SOA of
    /// the zone that would hold it).
    fn absent(&self) -> &'static [&'static str];

    /// The `[[plan_step]]` its findings are filed under when the plan has no step builder of
    /// its own for them (the five built-in checks have one).
    fn fix_step(&self) -> &'static str;

    /// True when its result in `report` can stand for a rejection that implicates it, so a
    /// clean result means "DNS does not explain it". A check that can only see part of what the
    /// receiver looked at (public lists, not a provider's own) says no when it found
    /// nothing the reply points at: the reply itself then stays the cause.
    fn answers_for_reply(&self, _report: &DomainReport) -> bool {
        true
    }

    /// True when `finding` (an error or failed lookup of this check, about a rejection that
    /// implicates it) may be its likely cause; a check whose facts say which of its findings
    /// the reply points at (the list the reply names) narrows the causes to those.
    fn blames(&self, _report: &DomainReport, _finding: &Finding) -> bool {
        true
    }

    /// True when its DNS trouble must be cleared before the rest of the plan holds (the records
    /// to publish depend on its answers). A check no record depends on (a third party's list
    /// that refuses public resolvers) says false: its trouble is a plan step only when the
    /// reply implicates it, and stays a finding otherwise.
    fn trouble_holds_up_plan(&self) -> bool {
        true
    }

    /// What an escalation to the provider should carry from its facts (a listing: the list,
    /// the item, the answer and the list's reason), one line each; nothing by default.
    fn evidence(&self, _report: &DomainReport) -> Vec<String> {
        Vec::new()
    }

    /// Paths of its lookup pages that a reply quotes with a listed domain after it
    /// (`/query/domain/`), from the loaded rules: such a reply names the domain it refused,
    /// which may be a link in the message rather than the sender. Nothing by default.
    fn quoted_lookup_paths(&self, _rules: &crate::rules::RuleSet) -> Vec<String> {
        Vec::new()
    }

    /// A name whose record stands for its findings when their subject has none in the zone
    /// files (PTR: the sending IP's reverse name).
    fn anchor(&self, _report: &DomainReport) -> Option<String> {
        None
    }

    /// True when its facts show the sending IP itself named as a problem by a third party (a
    /// list that lists the address): the plan then says whose address it is when its PTR
    /// names a sending service, which alone can act on it.
    fn names_sending_ip(&self, _report: &DomainReport) -> bool {
        false
    }

    /// How long resolvers keep serving what its fix step changes (a listing's answer), for a
    /// step that publishes no record of its own to take a TTL from; None when unknown.
    fn fix_wait(&self, _report: &DomainReport, _queries: &[LogEntry]) -> Option<u32> {
        None
    }

    /// True when a finding about another name was reached from the checked domain's own record
    /// (an SPF include), so SARIF may show it there.
    fn reached_from_domain(&self) -> bool {
        false
    }
}

/// Whether every selected check was stopped by DNS trouble before it found anything: the DNS
/// could not be consulted at all (exit code 3).
pub fn all_inconclusive(registry: &[&dyn DnsCheck], report: &DomainReport) -> bool {
    let stuck = |c: Check| {
        report
            .findings
            .iter()
            .any(|f| f.check == c && f.inconclusive)
    };
    let ran: Vec<&&dyn DnsCheck> = registry.iter().filter(|e| e.ran(report)).collect();
    !ran.is_empty()
        && ran
            .iter()
            .all(|e| stuck(e.check()) && !e.found_something(report))
}

/// Why a check is inconclusive, in words: the outcome of the first failed query behind its
/// first inconclusive finding ("timeout", "SERVFAIL", "not looked up: --offline" ...).
pub fn trouble(report: &DomainReport, queries: &[LogEntry], check: Check) -> String {
    let outcome = report
        .findings
        .iter()
        .filter(|f| f.check == check && f.inconclusive)
        .flat_map(|f| f.queries.iter())
        .filter_map(|id| queries.iter().find(|q| q.id == *id))
        .map(|q| &q.outcome)
        .find(|o| o.is_trouble());
    match outcome {
        Some(Outcome::Offline) => "not looked up: outside the --zone files, --offline".into(),
        Some(o) => match o.detail() {
            Some(d) => format!("{}: {d}", o.label()),
            None => o.label().to_string(),
        },
        None => "timeout, SERVFAIL or not looked up".into(),
    }
}

/// ", TTL 300s", or nothing when the TTL is unknown.
pub fn ttl(t: Option<u32>) -> String {
    t.map(|t| format!(", TTL {t}s")).unwrap_or_default()
}

/// Lines of another identity's facts: a heading, then its own lines indented.
pub fn sub(heading: String, lines: Vec<String>) -> Vec<String> {
    std::iter::once(heading)
        .chain(lines.into_iter().map(|l| format!("  {l}")))
        .collect()
}
