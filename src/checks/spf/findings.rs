//! Turns a walked SPF tree and an evaluation into findings.

use super::Role;
use super::parse::{Mechanism, Qualifier, clip};
use super::tree::{
    Cap, LOOKUP_LIMIT, MAX_DEPTH, MAX_NODES, MAX_TARGETS, MX_NAME_LIMIT, Problem, VOID_LIMIT, Walk,
};
use crate::checks::types::SpfEval;
use crate::finding::{Check, Finding, Severity, finding};

fn f(id: &str, sev: Severity, subject: &str, msg: String) -> Finding {
    finding(id, Check::Spf, sev, subject, msg)
}

pub fn for_walk(domain: &str, role: Role, w: &Walk) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(root) = w.nodes.first() else {
        return out;
    };
    let root_q: Vec<usize> = root.answer.iter().map(|a| a.id).collect();
    let loc = root.location.clone();
    let with_loc = |mut fd: Finding| {
        fd.location = loc.clone();
        fd
    };
    if let Some(a) = &root.answer
        && a.outcome.is_trouble()
    {
        out.push(
            f(
                "spf-lookup-failed",
                Severity::Warning,
                domain,
                format!(
                    "The SPF (TXT) lookup for {domain} failed ({}); SPF could not be checked, and receivers seeing the same will return temperror.",
                    super::tree::outcome_text(&a.outcome)
                ),
            )
            .with_queries(root_q)
            .inconclusive(),
        );
        return out;
    }
    let Some(rec) = root.parsed.as_ref() else {
        let fd = match role {
            Role::Helo => f(
                "spf-helo-missing",
                Severity::Info,
                domain,
                format!(
                    "The HELO name {domain} publishes no SPF record; receivers that check the HELO identity (bounces, RFC 7208 section 2.3) get `none`. Publish `{domain}. TXT \"v=spf1 a -all\"`."
                ),
            ),
            _ => f(
                "spf-missing",
                Severity::Error,
                domain,
                format!("{domain} publishes no SPF record (no TXT record starting with `v=spf1`)."),
            ),
        };
        out.push(fd.with_queries(root_q));
        return out;
    };
    let record = root.record.as_deref().unwrap_or_default();
    if !rec.unknown_modifiers.is_empty() {
        out.push(with_loc(
            f(
                "spf-unknown-modifier",
                Severity::Warning,
                domain,
                format!(
                    "The SPF record of {domain} has modifiers RFC 7208 does not define, which receivers ignore: {}.",
                    rec.unknown_modifiers.iter().map(|m| clip(m)).collect::<Vec<_>>().join(", ")
                ),
            )
            .with_queries(root_q.clone()),
        ));
    }
    match rec.all().map(|d| d.qualifier) {
        Some(Qualifier::Pass) => out.push(with_loc(
            f("spf-plus-all", Severity::Error, domain, format!("The SPF record of {domain} ends in `+all`, which authorises every IP address on the Internet to send as {domain}: `{}`.", clip(record)))
                .with_queries(root_q.clone()),
        )),
        Some(Qualifier::Neutral) => out.push(with_loc(
            f("spf-neutral-all", Severity::Warning, domain, format!("The SPF record of {domain} ends in `?all`: mail from unlisted IPs gets `neutral`, which protects nothing."))
                .with_queries(root_q.clone()),
        )),
        None if rec.redirect.is_none() => out.push(with_loc(
            f("spf-no-all", Severity::Warning, domain, format!("The SPF record of {domain} has neither an `all` mechanism nor `redirect=`: unlisted IPs get `neutral`."))
                .with_queries(root_q.clone()),
        )),
        _ => {}
    }
    let has = |p: fn(&Mechanism) -> bool| rec.directives.iter().any(|d| p(&d.mechanism));
    if has(|m| matches!(m, Mechanism::Ptr(_))) {
        out.push(with_loc(
            f("spf-ptr-mechanism", Severity::Warning, domain, format!("The SPF record of {domain} uses the `ptr` mechanism, which RFC 7208 says not to use: it is slow, unreliable, and some receivers skip it."))
                .with_queries(root_q.clone()),
        ));
    }
    for term in super::wide::in_record(record) {
        out.push(with_loc(
            f(
                "spf-range-too-wide",
                Severity::Error,
                domain,
                format!(
                    "The SPF record of {domain} authorises `{}`, {}: networks of many organisations pass SPF as {domain}, and receivers treat the record as suspicious.",
                    clip(&term),
                    super::wide::span(&term)
                ),
            )
            .with_queries(root_q.clone()),
        ));
    }
    if has(|m| matches!(m, Mechanism::Exists(_))) {
        // Only a macro (`%{i}`, `%{s}` ...) makes an `exists` depend on who sends.
        let with_macro = rec
            .directives
            .iter()
            .any(|d| matches!(&d.mechanism, Mechanism::Exists(t) if t.contains('%')));
        let msg = if with_macro && w.identity.is_none() {
            format!(
                "The SPF record of {domain} uses `exists` with macros; its result depends on the sender (IP, address) and cannot be checked without `--ip`."
            )
        } else if with_macro {
            format!(
                "The SPF record of {domain} uses `exists` with macros; it was looked up for the sender given."
            )
        } else {
            format!(
                "The SPF record of {domain} uses `exists`; the name it tests was looked up (it matches every sender alike when it exists)."
            )
        };
        out.push(with_loc(
            f("spf-exists", Severity::Info, domain, msg).with_queries(root_q.clone()),
        ));
    }
    if rec.has_macros {
        let msg = if w.identity.is_some() {
            format!(
                "The SPF record of {domain} uses macros (`%{{...}}`); they were expanded for the sender given and the names they make were looked up."
            )
        } else {
            format!(
                "The SPF record of {domain} uses macros (`%{{...}}`); terms that use them are counted but, without `--ip`, not followed by this walk."
            )
        };
        out.push(with_loc(
            f("spf-macros", Severity::Info, domain, msg).with_queries(root_q.clone()),
        ));
    }
    out.extend(super::traps::for_tree(domain, w));
    out.extend(problems(w));
    limits(domain, w, &root_q, &mut out);
    out
}

fn limits(domain: &str, w: &Walk, root_q: &[usize], out: &mut Vec<Finding>) {
    let lookups = w.lookups();
    // Several records: the walk counted them merged (as published they are a permerror).
    let what = match w.nodes.first().and_then(|n| n.error.as_deref()) {
        Some(e) if e.contains("SPF records") => {
            format!("the SPF records of {domain} merged into one")
        }
        _ => format!("the SPF record of {domain}"),
    };
    // Below a name that was not answered (or --offline did not ask) nothing was counted.
    let incomplete = w.truncated
        || w.nodes
            .iter()
            .any(|n| n.answer.as_ref().is_some_and(|a| a.outcome.is_trouble()));
    let at_least = if incomplete { "at least " } else { "up to " };
    let all_q = w.query_ids();
    if lookups > LOOKUP_LIMIT {
        let mut heavy: Vec<(String, u32)> = w
            .to_spf_node()
            .map(|n| {
                n.children
                    .into_iter()
                    .map(|c| (c.domain, c.total_lookups + 1))
                    .collect()
            })
            .unwrap_or_default();
        heavy.sort_by_key(|h| std::cmp::Reverse(h.1));
        let list: Vec<String> = heavy
            .iter()
            .take(5)
            .map(|(d, n)| format!("{d} ({n})"))
            .collect();
        out.push(
            f("spf-too-many-lookups", Severity::Error, domain, format!(
                "Evaluating {what} takes {at_least}{lookups} DNS lookups, over the limit of {LOOKUP_LIMIT}: receivers return permerror. Heaviest includes (lookups each costs, itself included): {}.",
                if list.is_empty() { "the record itself".to_string() } else { list.join(", ") }
            ))
            .with_queries(all_q.clone()),
        );
    } else if lookups >= LOOKUP_LIMIT - 1 {
        out.push(
            f("spf-lookups-near-limit", Severity::Info, domain, format!("Evaluating {what} takes {}{lookups} of the {LOOKUP_LIMIT} DNS lookups allowed; one more include will break it.", if incomplete { "at least " } else { "" }))
                .with_queries(root_q.iter().copied()),
        );
    }
    let void = w.void_lookups();
    if void > VOID_LIMIT {
        out.push(
            f("spf-too-many-void-lookups", Severity::Error, domain, format!("Evaluating {what} hits {void} void lookups (names with no records), over the limit of {VOID_LIMIT}: receivers may return permerror."))
                .with_queries(all_q.clone()),
        );
    }
    if w.truncated {
        let caps: Vec<String> = w
            .caps
            .iter()
            .map(|c| match c {
                Cap::Nodes => format!("the cap of {MAX_NODES} records walked"),
                Cap::Depth => format!("the cap of {MAX_DEPTH} include/redirect levels"),
                Cap::Targets => format!("the cap of {MAX_TARGETS} a/mx/exists/ptr terms resolved"),
            })
            .collect();
        out.push(
            f("spf-tree-truncated", Severity::Warning, domain, format!("The SPF include tree of {domain} is larger than this walk follows: it reached {}; counts are lower bounds.", caps.join(" and ")))
                .with_queries(all_q),
        );
    }
}

fn problems(w: &Walk) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &w.problems {
        let d = p.domain.as_str();
        let (id, sev, msg, inconclusive) = match &p.problem {
            Problem::Loop(path) => (
                "spf-include-loop",
                Severity::Error,
                format!(
                    "SPF includes loop: {}; receivers return permerror.",
                    path.join(" -> ")
                ),
                false,
            ),
            Problem::NoRecord { via } => (
                "spf-include-without-spf",
                Severity::Error,
                format!(
                    "The SPF {via} target {d} has no SPF record; receivers return permerror when they reach it."
                ),
                false,
            ),
            Problem::Multiple(n) => (
                "spf-multiple-records",
                Severity::Error,
                format!(
                    "{d} publishes {n} SPF records; RFC 7208 makes that a permerror: merge them into one."
                ),
                false,
            ),
            Problem::Syntax(errs) => (
                "spf-syntax-error",
                Severity::Error,
                format!(
                    "The SPF record of {d} has syntax errors (permerror): {}.",
                    errs.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
                ),
                false,
            ),
            Problem::LookupFailed(o) => (
                "spf-lookup-failed",
                Severity::Warning,
                format!(
                    "The SPF (TXT) lookup for {d} failed ({o}); the include tree below it could not be checked."
                ),
                true,
            ),
            Problem::TargetLookupFailed { target, outcome } => (
                "spf-lookup-failed",
                Severity::Warning,
                format!(
                    "The address lookup for {target} (named in the SPF record of {d}) failed ({outcome}); receivers seeing the same return temperror."
                ),
                true,
            ),
            Problem::TooManyMxNames { target, count } => (
                "spf-mx-too-many-names",
                Severity::Error,
                format!(
                    "The `mx` mechanism for {target} in the SPF record of {d} meets {count} MX names, over the limit of {MX_NAME_LIMIT}: receivers return permerror."
                ),
                false,
            ),
            Problem::LongRecord(n) => (
                "spf-record-too-long",
                Severity::Warning,
                format!(
                    "The SPF record of {d} is {n} bytes; answers over 450 bytes may not fit a UDP response and need TCP, which some receivers do not retry."
                ),
                false,
            ),
        };
        let mut fd = f(id, sev, d, msg).with_queries(p.queries.iter().copied());
        fd.location = p.location.clone();
        if inconclusive {
            fd = fd.inconclusive();
        }
        out.push(fd);
    }
    out
}

pub fn for_eval(e: &SpfEval, w: &Walk) -> Vec<Finding> {
    let q = w.query_ids();
    let d = e.domain.as_str();
    let term = e.mechanism.as_deref().unwrap_or("unknown");
    let ip = e.ip;
    let one = |id: &str, sev, msg: String| vec![f(id, sev, d, msg).with_queries(q.clone())];
    match e.result.as_str() {
        "pass" => one("spf-ip-authorised", Severity::Info, format!("SPF of {d} authorises {ip} (result pass; matching term: {term}).")),
        "fail" => one("spf-ip-not-authorised", Severity::Error, format!("SPF of {d} does not authorise {ip}: result fail (matching term: {term}). Add the sending service's include or ip4/ip6 term to the record.")),
        "softfail" | "neutral" => one("spf-ip-not-authorised", Severity::Warning, format!("SPF of {d} does not authorise {ip}: result {} (matching term: {term}).", e.result)),
        "temperror" => vec![f("spf-temperror", Severity::Warning, d, format!("Evaluating SPF of {d} for {ip} gave temperror: a DNS lookup failed, so receivers defer or treat the mail as unauthenticated.")).with_queries(q).inconclusive()],
        "permerror" => one("spf-permerror", Severity::Error, format!("Evaluating SPF of {d} for {ip} gave permerror: the record (or one it includes) is broken, and DMARC treats that as an SPF failure.")),
        _ => Vec::new(),
    }
}
