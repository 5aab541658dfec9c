//! SPF in the registry: the checked domain's record and tree, and the MAIL FROM and HELO
//! identities when they are other domains.

use crate::checks::registry::{DnsCheck, Input, Ran, sub, trouble, ttl};
use crate::checks::spf;
use crate::checks::types::{CheckParams, DomainReport, SpfFacts, SpfNode};
use crate::dns::{Dns, LogEntry, RType};
use crate::finding::Check;
use futures::FutureExt;
use futures::future::BoxFuture;

pub struct Spf;

impl DnsCheck for Spf {
    fn check(&self) -> Check {
        Check::Spf
    }

    fn label(&self) -> &'static str {
        "SPF"
    }

    fn needs(&self) -> &'static [Input] {
        &[Input::Ip, Input::Helo, Input::MailFrom]
    }

    fn run<'a>(&'a self, dns: &'a Dns, params: &'a CheckParams) -> BoxFuture<'a, Ran> {
        async move {
            let o = spf::check(dns, params).await;
            Ran::new(o.findings, move |r| {
                r.spf = Some(o.facts);
                r.spf_identities = o.identities;
            })
        }
        .boxed()
    }

    fn ran(&self, report: &DomainReport) -> bool {
        report.spf.is_some()
    }

    fn found_something(&self, report: &DomainReport) -> bool {
        report.spf.as_ref().is_some_and(|s| s.record.is_some())
    }

    fn lines(&self, r: &DomainReport, queries: &[LogEntry]) -> Option<Vec<String>> {
        let s = r.spf.as_ref()?;
        let mut out = Vec::new();
        // The evaluation is shown under the identity it was made for.
        let own_result = s.result.as_ref().is_some_and(|e| e.domain == s.domain);
        out.extend(spf_lines(r, queries, s, own_result));
        for id in &r.spf_identities {
            let role = if id.role == "helo" {
                "HELO"
            } else {
                "MAIL FROM"
            };
            let heading = if id.identity == id.facts.domain {
                format!("{role} {}:", id.identity)
            } else {
                format!("{role} {} (domain {}):", id.identity, id.facts.domain)
            };
            out.extend(sub(heading, spf_lines(r, queries, &id.facts, true)));
        }
        Some(out)
    }

    fn record_type(&self) -> RType {
        RType::TXT
    }

    fn fix_step(&self) -> &'static str {
        "spf-fix"
    }

    fn absent(&self) -> &'static [&'static str] {
        &["spf-missing", "spf-helo-missing"]
    }

    fn reached_from_domain(&self) -> bool {
        true
    }
}

fn spf_lines(
    r: &DomainReport,
    queries: &[LogEntry],
    s: &SpfFacts,
    show_result: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let inconclusive = s.status.is_inconclusive();
    out.push(match &s.record {
        Some(rec) => rec.clone(),
        None if inconclusive => format!(
            "SPF record of {} could not be looked up ({})",
            s.domain,
            trouble(r, queries, Check::Spf)
        ),
        None => "no SPF record".into(),
    });
    if s.record.is_some() || !inconclusive {
        // Lookups below a name that was not looked up are not counted: a lower bound.
        out.push(format!(
            "{} record{}, {}{}/10 lookups, {}/2 void lookups, all: {}{}{}",
            s.records_count,
            // Several records are counted as they would cost merged into one.
            match s.records_count {
                1 => "",
                0 => "s",
                _ => "s (counted merged)",
            },
            if inconclusive { "at least " } else { "" },
            s.lookups,
            s.void_lookups,
            s.all.as_deref().unwrap_or("none"),
            ttl(s.ttl),
            if inconclusive {
                " (incomplete: some names were not looked up)"
            } else {
                ""
            }
        ));
    }
    if let Some(e) = s.result.as_ref().filter(|_| show_result) {
        let mech = e
            .mechanism
            .as_ref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default();
        out.push(format!("{} for {}: {}{mech}", e.ip, e.domain, e.result));
    }
    if let Some(tree) = s.tree.as_ref().filter(|t| !t.children.is_empty()) {
        out.extend(tree_lines(tree));
    }
    out
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The label of one tree node: `include:_spf.google.com (4 lookups)`.
fn node_label(n: &SpfNode, root: bool) -> String {
    let name = if root {
        n.domain.clone()
    } else {
        format!("{}:{}", n.via, n.domain)
    };
    // A child costs its include/redirect term plus everything below it.
    let cost = if root {
        n.total_lookups
    } else {
        n.total_lookups.saturating_add(1)
    };
    let mut s = format!("{name} ({})", plural(cost, "lookup"));
    if n.void_lookups > 0 {
        s.push_str(&format!(", {}", plural(n.void_lookups, "void lookup")));
    }
    if let Some(e) = n.error.as_deref() {
        s.push_str(&format!(" [{e}]"));
    }
    s
}

/// The SPF include tree as lines drawn with box characters.
pub fn tree_lines(root: &SpfNode) -> Vec<String> {
    let mut out = vec![node_label(root, true)];
    walk(root, "", &mut out, 0);
    out
}

/// Depth is capped so a pathological tree cannot blow the stack.
fn walk(n: &SpfNode, prefix: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    let count = n.children.len();
    for (i, c) in n.children.iter().enumerate() {
        let last = i + 1 == count;
        out.push(format!(
            "{prefix}{}{}",
            if last { "└─ " } else { "├─ " },
            node_label(c, false)
        ));
        let next = format!("{prefix}{}", if last { "   " } else { "│  " });
        walk(c, &next, out, depth + 1);
    }
}
