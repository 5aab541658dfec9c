//! A plan step while it is built: its draft, the context its templates are filled from, and the
//! helpers every step builder shares (claiming findings, the generic leftover step).

use super::knowledge::{Knowledge, fill};
use super::{DiagnoseInput, PlanStep, RecordToPublish};
use crate::checks::Input;
use crate::dns::RType;
use crate::finding::{Check, Finding, Severity};

/// The longest a resolver keeps an answer, whatever TTL the record carries: RFC 8767 section 4
/// recommends capping TTLs at 604,800 seconds (7 days), and resolvers do (BIND's max-cache-ttl,
/// Unbound's cache-max-ttl are at most that by default). A record published with a TTL of years
/// must not tell the user to wait years.
pub const MAX_CACHE_SECONDS: u32 = 604_800;

/// The longest a resolver keeps an absence (NXDOMAIN or NODATA), whatever the SOA asks: RFC
/// 2308 section 5 finds one to three hours sensible and more than a day problematic, and
/// resolvers cap it there (BIND's max-ncache-ttl is 3 hours, Unbound's
/// cache-max-negative-ttl 1 hour). A record published where there was none is seen by then.
pub const MAX_NEGATIVE_CACHE_SECONDS: u32 = 10_800;

/// What every step's templates may refer to.
pub(super) struct Ctx<'a> {
    pub input: &'a DiagnoseInput<'a>,
    pub k: &'a Knowledge,
    pub domain: String,
    pub ip: String,
    pub helo: String,
    pub code: String,
    pub provider: String,
    /// Domain of the rejected recipient, when the reply names one ("" otherwise).
    pub recipient_domain: String,
}

/// A step before numbering; `order` is filled in at the end.
pub(super) struct Draft {
    pub id: &'static str,
    /// The plan step rule whose texts the step takes, when not `id`'s own: a wording for one
    /// situation of the same step (its id, which scripts and tests key on, stays).
    pub text: Option<&'static str>,
    pub checks: Vec<String>,
    pub findings: Vec<String>,
    pub records: Vec<RecordToPublish>,
    pub details: Vec<String>,
    pub wait: Option<u32>,
    pub selector: Option<String>,
    /// The selector a rotation moves to, for `{new_selector}`.
    pub new_selector: Option<String>,
    /// Template values of this step only; they win over the run's (e.g. the IP a reply names).
    pub vars: Vec<(&'static str, String)>,
    /// The step lists more than one recipient: it takes its plural wording where it has one.
    pub several: bool,
}

impl Draft {
    pub fn new(id: &'static str, check: &str) -> Draft {
        Draft {
            id,
            text: None,
            checks: vec![check.to_string()],
            findings: Vec::new(),
            records: Vec::new(),
            details: Vec::new(),
            wait: None,
            selector: None,
            new_selector: None,
            vars: Vec::new(),
            several: false,
        }
    }
}

impl Ctx<'_> {
    /// Findings a user must act on for one check (inconclusive ones go to the DNS step).
    pub fn actionable(&self, check: Check) -> Vec<&Finding> {
        self.input
            .report
            .findings
            .iter()
            .filter(|f| f.check == check && !f.inconclusive && f.severity >= Severity::Warning)
            .collect()
    }

    /// True when DNS trouble (not --offline) kept `check` from concluding.
    pub fn inconclusive(&self, check: Check) -> bool {
        self.input.report.findings.iter().any(|f| {
            f.check == check
                && f.inconclusive
                && !super::not_looked_up(f, self.input.queries)
                && !super::scope::verdict_free(f)
        })
    }

    /// TTL of a negative answer (NXDOMAIN/NODATA) for `name`, from the query log: the SOA
    /// minimum the server sent (RFC 2308 section 5), i.e. how long resolvers cache the absence,
    /// at most [`MAX_NEGATIVE_CACHE_SECONDS`].
    pub fn negative_ttl(&self, name: &str, rtype: RType) -> Option<u32> {
        self.input
            .queries
            .iter()
            .filter(|q| q.rtype == rtype && q.name.eq_ignore_ascii_case(name.trim_end_matches('.')))
            .find(|q| q.outcome.is_absent())
            .and_then(|q| q.ttl)
            .map(|t| t.min(MAX_NEGATIVE_CACHE_SECONDS))
    }

    /// How long caches may keep the answer the run got for (`name`, `rtype`): its TTL, or for
    /// an absence the negative TTL capped as [`Ctx::negative_ttl`] does.
    pub fn cache_ttl(&self, name: &str, rtype: RType) -> Option<u32> {
        let q = self.input.queries.iter().find(|q| {
            q.rtype == rtype && q.name.eq_ignore_ascii_case(name.trim_end_matches('.'))
        })?;
        if q.outcome.is_absent() {
            q.ttl.map(|t| t.min(MAX_NEGATIVE_CACHE_SECONDS))
        } else {
            q.ttl
        }
    }

    pub fn finish(&self, d: Draft, order: u32) -> PlanStep {
        let text = self.k.step(d.text.unwrap_or(d.id));
        let selector = d
            .selector
            .clone()
            .or_else(|| self.input.params.dkim_selectors.first().cloned());
        let new_selector = d.new_selector.clone().unwrap_or_default();
        let sel_text = selector.clone().unwrap_or_else(|| "<selector>".into());
        let mut vars: Vec<(&str, &str)> = d.vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        vars.extend([
            ("domain", self.domain.as_str()),
            ("ip", self.ip.as_str()),
            ("helo", self.helo.as_str()),
            ("selector", sel_text.as_str()),
            ("new_selector", new_selector.as_str()),
            ("provider", self.provider.as_str()),
            ("code", self.code.as_str()),
            ("recipient_domain", self.recipient_domain.as_str()),
        ]);
        let ip_known = vars
            .iter()
            .find(|(k, _)| *k == "ip")
            .is_some_and(|(_, v)| !v.is_empty());
        let mut template = text.verify.clone();
        // A verify command must run as printed: drop flags whose value is unknown.
        if selector.is_none() {
            template = template.replace(" --dkim-selector {selector}", "");
        }
        if new_selector.is_empty() {
            template = template.replace(" --dkim-selector {new_selector}", "");
        }
        let verify = if self.recipient_domain.is_empty() && template.contains("{recipient_domain}")
        {
            format!(
                "mailtriage diagnose - --domain {}",
                shell_word(&self.domain)
            )
        } else {
            fill(&template, &vars)
        };
        let verify = self.with_context(verify, &d.checks, selector.as_deref());
        PlanStep {
            order,
            id: d.id.to_string(),
            // Set once the likely causes are known (`order::lead_with_causes`).
            fixes_likely_cause: false,
            // A title never shows a placeholder: without an IP it uses its IP-less wording.
            title: match (&text.title_without_ip, &text.title_several, ip_known) {
                (Some(t), _, false) => fill(t, &vars),
                (_, Some(t), _) if d.several => fill(t, &vars),
                _ => fill(&text.title, &vars),
            },
            checks: d.checks,
            finding_ids: d.findings,
            records: d.records,
            details: d.details,
            why: match &text.why_several {
                Some(t) if d.several => fill(t, &vars),
                _ => fill(&text.why, &vars),
            },
            verify,
            wait_seconds: d.wait.map(|t| t.min(MAX_CACHE_SECONDS)),
        }
    }

    /// Adds to a `mailtriage check` command the inputs this run used that the step's checks
    /// depend on, so the command reproduces the same question (the glue adds --zone/--offline).
    fn with_context(&self, cmd: String, checks: &[String], selector: Option<&str>) -> String {
        if !cmd.starts_with("mailtriage check ") {
            return cmd;
        }
        let p = self.input.params;
        // What the step's checks read (the registry says), e.g. DMARC's own verdict needs only
        // the identities; the IP and selectors matter to the alignment step, which lists spf
        // and dkim among its checks.
        let needs = |input: Input| {
            checks.iter().any(|c| {
                Check::parse(c)
                    .and_then(crate::checks::entry)
                    .is_some_and(|e| e.needs().contains(&input))
            })
        };
        let mut extra: Vec<String> = Vec::new();
        let mut add = |flag: &str, value: &str| {
            let present = cmd.split_whitespace().any(|w| w == flag);
            if !present && !value.is_empty() {
                extra.push(format!("{flag} {}", shell_word(value)));
            }
        };
        if needs(Input::Ip)
            && let Some(ip) = p.ip
        {
            add("--ip", &ip.to_string());
        }
        if needs(Input::Helo) {
            add("--helo", p.helo.as_deref().unwrap_or_default());
        }
        if needs(Input::MailFrom) {
            add("--mail-from", p.mail_from.as_deref().unwrap_or_default());
        }
        if needs(Input::From) {
            add("--from", p.from.as_deref().unwrap_or_default());
        }
        if needs(Input::DkimDomain) {
            add(
                "--dkim-domain",
                p.dkim_domain.as_deref().unwrap_or_default(),
            );
        }
        if needs(Input::DkimSelector) && !cmd.contains("--dkim-selector") {
            let mut sels: Vec<&str> = p.dkim_selectors.iter().map(String::as_str).collect();
            if let Some(s) = selector.filter(|s| !sels.contains(s)) {
                sels.insert(0, s);
            }
            for s in sels {
                extra.push(format!("--dkim-selector {}", shell_word(s)));
            }
        }
        if extra.is_empty() {
            return cmd;
        }
        // Context goes before `--only` so the command reads: what, with which inputs, which checks.
        let extra = extra.join(" ");
        match cmd.find(" --only ") {
            Some(i) => format!("{} {extra}{}", &cmd[..i], &cmd[i..]),
            None => format!("{cmd} {extra}"),
        }
    }
}

/// A command-line word, single-quoted when the shell would otherwise split or expand it.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Moves into `draft` the findings whose id contains one of `keywords`.
pub(super) fn claim(pool: &mut Vec<&Finding>, draft: &mut Draft, keywords: &[&str]) {
    pool.retain(|f| {
        let hit = keywords.iter().any(|k| f.id.contains(k));
        if hit && !draft.findings.contains(&f.id) {
            draft.findings.push(f.id.clone());
        }
        !hit
    });
}

/// Findings no specific step claimed get the check's generic step (or join the last one).
pub(super) fn leftover(
    out: &mut Vec<Draft>,
    pool: Vec<&Finding>,
    id: &'static str,
    check: &str,
    wait: Option<u32>,
) {
    if pool.is_empty() {
        return;
    }
    let errors = pool.iter().any(|f| f.severity == Severity::Error);
    let last_same = out
        .last_mut()
        .filter(|d| d.checks.iter().any(|c| c == check) && !errors);
    if let Some(d) = last_same {
        d.findings.extend(pool.iter().map(|f| f.id.clone()));
        return;
    }
    let mut d = Draft::new(id, check);
    d.findings = pool.iter().map(|f| f.id.clone()).collect();
    d.details = pool.iter().map(|f| f.message.clone()).collect();
    d.wait = wait;
    out.push(d);
}
