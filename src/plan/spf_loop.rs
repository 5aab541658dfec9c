//! Breaking an SPF include loop: the record that closes the loop, without the include that
//! leads back, or (when that record is someone else's) the domain's own record without the
//! include that enters the loop.

use super::RecordToPublish;
use super::draft::{Ctx, Draft, claim};
use super::records;
use crate::checks::{SpfFacts, SpfNode, org_domain};
use crate::finding::Finding;

/// Every loop the walk found, as the path of domains it printed (`a -> b -> a`).
fn loops(node: &SpfNode, out: &mut Vec<Vec<String>>) {
    if let Some(path) = node.error.as_deref().and_then(|e| e.strip_prefix("loop: ")) {
        let path: Vec<String> = path.split(" -> ").map(str::to_string).collect();
        if path.len() >= 2 && !out.contains(&path) {
            out.push(path);
        }
    }
    for c in &node.children {
        loops(c, out);
    }
}

/// The record of `domain` as the walk saw it.
pub(super) fn record_of<'a>(node: &'a SpfNode, domain: &str) -> Option<&'a str> {
    if node.domain.eq_ignore_ascii_case(domain) && node.record.is_some() {
        return node.record.as_deref();
    }
    node.children.iter().find_map(|c| record_of(c, domain))
}

/// One step per loop, each with the record that breaks it.
pub(super) fn break_loops(
    ctx: &Ctx<'_>,
    facts: &SpfFacts,
    current: Option<&str>,
    pool: &mut Vec<&Finding>,
    out: &mut Vec<Draft>,
) {
    let Some(tree) = facts.tree.as_ref() else {
        return;
    };
    let mut found = Vec::new();
    loops(tree, &mut found);
    let own_org = org_domain(&facts.domain);
    for path in found {
        let (Some(back), Some(closer)) = (
            path.last(),
            path.len().checked_sub(2).and_then(|i| path.get(i)),
        ) else {
            continue;
        };
        let mut d = Draft::new("spf-break-loop", "spf");
        claim(pool, &mut d, &["include-loop"]);
        d.details.push(format!("loop: {}", path.join(" -> ")));
        let closer_is_ours = org_domain(closer) == own_org;
        let closer_record = if closer.eq_ignore_ascii_case(&facts.domain) {
            current
        } else {
            record_of(tree, closer)
        };
        match closer_record {
            Some(rec) if closer_is_ours => {
                let (value, _) = records::drop_includes(rec, |t| {
                    t.trim_end_matches('.').eq_ignore_ascii_case(back)
                });
                d.details.push(format!("published now at {closer}: {rec}"));
                d.records.push(RecordToPublish::txt(
                    closer.clone(),
                    value,
                    ctx.k
                        .message_with("spf-break-loop-note", &[("include", back.as_str())]),
                ));
            }
            _ => {
                // The loop is in another party's records: leave it by not including it, and
                // ask them to fix theirs.
                let entry = path.get(1).cloned().unwrap_or_else(|| back.clone());
                if let Some(rec) = current {
                    let (value, dropped) = records::drop_includes(rec, |t| {
                        t.trim_end_matches('.').eq_ignore_ascii_case(&entry)
                    });
                    if !dropped.is_empty() {
                        d.records.push(RecordToPublish::txt(
                            facts.domain.clone(),
                            value,
                            ctx.k.message_with(
                                "spf-break-loop-theirs-note",
                                &[("include", entry.as_str()), ("subject", closer.as_str())],
                            ),
                        ));
                    }
                }
            }
        }
        d.wait = facts.ttl;
        out.push(d);
    }
}
