//! Traps anywhere in the SPF include tree, not only in the domain's own record: `+all` (the whole
//! Internet may send), `ptr`, and the same include listed twice in one record.

use super::parse::{Directive, Mechanism, Qualifier, Record};
use super::tree::{Node, Walk};
use crate::finding::{Check, Finding, Severity, finding};

fn f(id: &str, sev: Severity, node: &Node, msg: String) -> Finding {
    let mut fd = finding(id, Check::Spf, sev, &node.domain, msg)
        .with_queries(node.answer.iter().map(|a| a.id));
    fd.location = node.location.clone();
    fd
}

/// The terms that lead from the root to node `i`, e.g. `include:a.example > redirect=b.example`,
/// and whether every include on the way passes its match on (`+`, the default qualifier): only
/// then does a match below count as a pass for the root domain.
pub fn route(w: &Walk, i: usize) -> (String, bool) {
    let mut terms = Vec::new();
    let mut passes = true;
    let mut cur = i;
    let mut hops = 0;
    while let Some(n) = w.nodes.get(cur) {
        let Some(p) = n.parent else { break };
        let parent = &w.nodes[p];
        let directive: Option<&Directive> = n
            .term
            .and_then(|t| parent.parsed.as_ref()?.directives.get(t));
        match directive {
            Some(d) => {
                passes &= d.qualifier == Qualifier::Pass;
                terms.push(d.text.clone());
            }
            None => terms.push(format!("{}={}", n.via, n.domain)),
        }
        cur = p;
        hops += 1;
        if hops > super::tree::MAX_DEPTH + 2 {
            break;
        }
    }
    terms.reverse();
    (terms.join(" > "), passes)
}

/// Findings for the records below the root (the root's own `+all` and `ptr` are
/// [`super::findings`]'s), and duplicate includes in any record.
pub fn for_tree(root_domain: &str, w: &Walk) -> Vec<Finding> {
    let mut out = Vec::new();
    // A record included from several places is reported once, on the first route to it.
    let mut seen: Vec<&str> = Vec::new();
    for (i, node) in w.nodes.iter().enumerate() {
        let Some(rec) = node.parsed.as_ref() else {
            continue;
        };
        if seen.contains(&node.domain.as_str()) {
            continue;
        }
        seen.push(&node.domain);
        if i > 0 {
            out.extend(below_root(root_domain, w, i, node, rec));
        }
        out.extend(duplicate_includes(node, rec));
    }
    out
}

fn below_root(root: &str, w: &Walk, i: usize, node: &Node, rec: &Record) -> Vec<Finding> {
    let mut out = Vec::new();
    let d = &node.domain;
    let (route, passes) = route(w, i);
    if let Some(all) = rec.all().filter(|a| a.qualifier == Qualifier::Pass) {
        let (sev, effect) = if passes {
            (
                Severity::Error,
                format!(
                    "every IP address on the Internet passes SPF for {root}: whoever reaches this include sends as {root}"
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "a qualifier on the way turns that match into something other than a pass, so every sender not matched before it gets the same non-pass result for {root}"
                ),
            )
        };
        out.push(f(
            "spf-plus-all",
            sev,
            node,
            format!(
                "The SPF record of {d}, which {root} reaches through `{route}`, ends in `{}`: {effect}. Remove that include (or ask its owner to end it in `-all` or `~all`).",
                all.text
            ),
        ));
    }
    let ptrs: Vec<&str> = rec
        .directives
        .iter()
        .filter(|x| matches!(x.mechanism, Mechanism::Ptr(_)))
        .map(|x| x.text.as_str())
        .collect();
    if !ptrs.is_empty() {
        out.push(f(
            "spf-ptr-mechanism",
            Severity::Warning,
            node,
            format!(
                "The SPF record of {d}, which {root} reaches through `{route}`, uses `{}`: RFC 7208 section 5.5 says not to use `ptr`; it is slow, costs extra lookups, and some receivers skip it.",
                ptrs.join(" ")
            ),
        ));
    }
    out
}

fn duplicate_includes(node: &Node, rec: &Record) -> Option<Finding> {
    let mut seen: Vec<String> = Vec::new();
    let mut twice: Vec<String> = Vec::new();
    for d in &rec.directives {
        if let Mechanism::Include(t) = &d.mechanism {
            let t = t.trim_end_matches('.').to_ascii_lowercase();
            if seen.contains(&t) {
                if !twice.contains(&t) {
                    twice.push(t);
                }
            } else {
                seen.push(t);
            }
        }
    }
    if twice.is_empty() {
        return None;
    }
    let list: Vec<String> = twice.iter().map(|t| format!("include:{t}")).collect();
    Some(f(
        "spf-duplicate-include",
        Severity::Warning,
        node,
        format!(
            "The SPF record of {} lists {} more than once: each repeat costs another DNS lookup toward the limit of 10 (RFC 7208 section 4.6.4) and authorises nothing new. Keep one.",
            node.domain,
            list.join(", ")
        ),
    ))
}
