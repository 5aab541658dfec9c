//! Ordering the plan: DNS trouble, PTR, SPF, DKIM, DMARC, alignment, policy stages, then the reply's action.

use super::causes::reply_code;
use super::dns_steps;
use super::knowledge::{Knowledge, fill};
use super::{DiagnoseInput, PlanStep, RecordToPublish, implicated_checks};
use crate::dns::RType;
use crate::finding::{Check, Finding, Severity};
use crate::rules::Action;

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
}

impl Draft {
    pub fn new(id: &'static str, check: &str) -> Draft {
        Draft {
            id,
            checks: vec![check.to_string()],
            findings: Vec::new(),
            records: Vec::new(),
            details: Vec::new(),
            wait: None,
            selector: None,
            new_selector: None,
            vars: Vec::new(),
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
            f.check == check && f.inconclusive && !super::not_looked_up(f, self.input.queries)
        })
    }

    /// TTL of a negative answer (NXDOMAIN/NODATA) for `name`, from the query log: the SOA
    /// minimum the server sent (RFC 2308 section 5), i.e. how long resolvers cache the absence.
    pub fn negative_ttl(&self, name: &str, rtype: RType) -> Option<u32> {
        self.input
            .queries
            .iter()
            .filter(|q| q.rtype == rtype && q.name.eq_ignore_ascii_case(name.trim_end_matches('.')))
            .find(|q| q.outcome.is_absent())
            .and_then(|q| q.ttl)
    }

    fn finish(&self, d: Draft, order: u32) -> PlanStep {
        let text = self.k.step(d.id);
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
            // A title never shows a placeholder: without an IP it uses its IP-less wording.
            title: match (&text.title_without_ip, ip_known) {
                (Some(t), false) => fill(t, &vars),
                _ => fill(&text.title, &vars),
            },
            checks: d.checks,
            finding_ids: d.findings,
            records: d.records,
            details: d.details,
            why: fill(&text.why, &vars),
            verify,
            wait_seconds: d.wait,
        }
    }

    /// Adds to a `mailtriage check` command the inputs this run used that the step's checks
    /// depend on, so the command reproduces the same question (the glue adds --zone/--offline).
    fn with_context(&self, cmd: String, checks: &[String], selector: Option<&str>) -> String {
        if !cmd.starts_with("mailtriage check ") {
            return cmd;
        }
        let p = self.input.params;
        let has = |c: &str| checks.iter().any(|x| x == c);
        let mut extra: Vec<String> = Vec::new();
        let mut add = |flag: &str, value: &str| {
            let present = cmd.split_whitespace().any(|w| w == flag);
            if !present && !value.is_empty() {
                extra.push(format!("{flag} {}", shell_word(value)));
            }
        };
        // DMARC's own verdict needs only the identities; the IP and selectors matter to the
        // alignment step, which lists spf and dkim among its checks.
        if (has("ptr") || has("spf"))
            && let Some(ip) = p.ip
        {
            add("--ip", &ip.to_string());
        }
        if has("ptr") || has("spf") {
            add("--helo", p.helo.as_deref().unwrap_or_default());
        }
        if has("spf") || has("dmarc") {
            add("--mail-from", p.mail_from.as_deref().unwrap_or_default());
        }
        if has("dmarc") {
            add("--from", p.from.as_deref().unwrap_or_default());
            add(
                "--dkim-domain",
                p.dkim_domain.as_deref().unwrap_or_default(),
            );
        }
        if has("dkim") && !cmd.contains("--dkim-selector") {
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

fn action_step(action: Action) -> Option<(&'static str, &'static str)> {
    Some(match action {
        Action::SlowDown => ("action-slow-down", "rate"),
        Action::Retry => ("action-retry", "rate"),
        Action::SuppressAddress => ("action-suppress-address", "list"),
        Action::SuppressDomain => ("action-suppress-domain", "list"),
        Action::RetryThenSuppress => ("action-retry-then-suppress", "list"),
        Action::FixSenderConfig => ("action-fix-sender-config", "sender-configuration"),
        Action::RequestDelisting => ("action-request-delisting", "blocklist"),
        Action::FixInfrastructure => ("action-fix-infrastructure", "reputation"),
        Action::FixAuthentication | Action::None => return None,
    })
}

/// The first IP address written in a reply ("... banned sending IP [192.0.2.5]").
fn ip_in_text(text: &str) -> Option<std::net::IpAddr> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == ':'))
        .filter(|w| w.contains('.') || w.matches(':').count() >= 2)
        .find_map(|w| w.trim_matches(['.', ':']).parse().ok())
}

/// The ordered plan. Same input, same plan: every collection walked here is ordered.
pub(super) fn build_plan(input: &DiagnoseInput<'_>, k: &Knowledge) -> Vec<PlanStep> {
    let primary = input.replies.first();
    let ctx = Ctx {
        input,
        k,
        domain: input.report.domain.clone(),
        ip: input.params.ip.map(|i| i.to_string()).unwrap_or_default(),
        helo: input.params.helo.clone().unwrap_or_default(),
        code: primary
            .map(|(r, _)| reply_code(r))
            .unwrap_or_else(|| "The reply".into()),
        provider: primary
            .and_then(|(_, d)| d.provider.as_ref().map(|p| p.name.clone()))
            .unwrap_or_else(|| "the receiving provider".into()),
        recipient_domain: primary
            .and_then(|(r, _)| r.recipient.as_deref())
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.trim_end_matches('>').to_ascii_lowercase())
            .filter(|d| {
                d.contains('.')
                    && d.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            })
            .unwrap_or_default(),
    };
    let mut dns: Vec<Draft> = Vec::new();
    dns_steps::inconclusive(&ctx, &mut dns);
    super::domain_steps::nonexistent(&ctx, &mut dns);
    dns_steps::ptr(&ctx, &mut dns);
    dns_steps::spf(&ctx, &mut dns);
    dns_steps::dkim(&ctx, &mut dns);
    dns_steps::dmarc(&ctx, &mut dns);
    dns_steps::mx(&ctx, &mut dns);

    let action = primary.and_then(|(r, d)| {
        action_step(d.action).map(|(id, check)| {
            let mut draft = Draft::new(id, check);
            // A blocklist reply names the listed IP: that one is delisted, whatever --ip says.
            if let Some(ip) = ip_in_text(&r.text) {
                draft.vars.push(("ip", ip.to_string()));
            }
            draft.checks = d
                .checks
                .iter()
                .filter(|c| !super::DNS_CHECKS.contains(&c.as_str()))
                .cloned()
                .collect();
            if draft.checks.is_empty() {
                draft.checks.push(check.to_string());
            }
            draft
        })
    });
    let reply_first = primary.is_some() && implicated_checks(primary.map(|(_, d)| d)).is_empty();
    let mut drafts = Vec::with_capacity(dns.len() + 1);
    match action {
        Some(a) if reply_first => {
            drafts.push(a);
            drafts.extend(dns);
        }
        Some(a) => {
            drafts.extend(dns);
            drafts.push(a);
        }
        None => drafts.extend(dns),
    }
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| ctx.finish(d, i as u32 + 1))
        .collect()
}
