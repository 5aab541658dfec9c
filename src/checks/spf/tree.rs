//! Walks the SPF include/redirect tree level by level, counting lookups and void lookups.

use super::parse::{self, Mechanism, Record};
use crate::checks::types::SpfNode;
use crate::dns::{Answer, Dns, Outcome, RType};
use crate::finding::ZoneLocation;
use futures::future::join_all;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// RFC 7208 section 4.6.4: at most 10 DNS-querying terms per evaluation.
pub const LOOKUP_LIMIT: u32 = 10;
/// RFC 7208 section 4.6.4: at most 2 void lookups.
pub const VOID_LIMIT: u32 = 2;
/// Walk well past the limit so the real count is reported, but never further than this.
pub const MAX_NODES: usize = 100;
pub const MAX_DEPTH: usize = 20;
/// Address targets (`a`, `mx`) resolved per walk.
const MAX_TARGETS: usize = 200;
/// RFC 7208 section 4.6.4: an `mx` mechanism may not look up more than 10 names.
pub const MX_NAME_LIMIT: usize = 10;

/// Something wrong found in the tree; each becomes a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Include/redirect chain that comes back to one of its ancestors: the path.
    Loop(Vec<String>),
    /// An include/redirect target without an SPF record.
    NoRecord {
        via: String,
    },
    Multiple(usize),
    Syntax(Vec<String>),
    LookupFailed(String),
    TooManyMxNames {
        target: String,
        count: usize,
    },
    LongString(usize),
    LongRecord(usize),
    TargetLookupFailed {
        target: String,
        outcome: String,
    },
}

#[derive(Debug, Clone)]
pub struct TreeProblem {
    /// The domain whose record (or lookup) has the problem.
    pub domain: String,
    pub problem: Problem,
    pub queries: Vec<usize>,
    pub location: Option<ZoneLocation>,
}

/// An `a` or `mx` mechanism's target and what it resolved to.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub addresses: Vec<IpAddr>,
    /// True when the DNS could not be consulted.
    pub trouble: bool,
    /// True when the lookup was void (NXDOMAIN or no records).
    pub void: bool,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub domain: String,
    pub via: String,
    pub parent: Option<usize>,
    pub depth: usize,
    pub record: Option<String>,
    pub parsed: Option<Record>,
    pub error: Option<String>,
    pub void: u32,
    pub children: Vec<usize>,
    /// Resolved a/mx targets by directive index.
    pub targets: HashMap<usize, Resolved>,
    pub answer: Option<Arc<Answer>>,
}

/// The walked tree: a flat arena, node 0 the root.
#[derive(Debug, Clone)]
pub struct Walk {
    pub nodes: Vec<Node>,
    pub problems: Vec<TreeProblem>,
    /// True when a cap stopped the walk: counts are lower bounds.
    pub truncated: bool,
    /// The sending IP the targets were resolved for, when known.
    pub ip: Option<IpAddr>,
}

#[derive(Debug, Clone)]
enum TargetKind {
    A(String),
    Mx(String),
}

struct Target {
    node: usize,
    directive: usize,
    kind: TargetKind,
}

impl Walk {
    pub fn lookups(&self) -> u32 {
        self.nodes
            .iter()
            .filter_map(|n| n.parsed.as_ref())
            .map(Record::own_lookups)
            .fold(0u32, u32::saturating_add)
    }
    pub fn void_lookups(&self) -> u32 {
        self.nodes
            .iter()
            .map(|n| n.void)
            .fold(0, u32::saturating_add)
    }
    pub fn root_answer(&self) -> Option<&Arc<Answer>> {
        self.nodes.first().and_then(|n| n.answer.as_ref())
    }
    /// The tree as the `check/v1` facts show it.
    pub fn to_spf_node(&self) -> Option<SpfNode> {
        self.build(0, 0)
    }
    fn build(&self, i: usize, depth: usize) -> Option<SpfNode> {
        let n = self.nodes.get(i)?;
        let children: Vec<SpfNode> = if depth > MAX_DEPTH + 1 {
            Vec::new()
        } else {
            n.children
                .iter()
                .filter_map(|&c| self.build(c, depth + 1))
                .collect()
        };
        let own = n.parsed.as_ref().map_or(0, Record::own_lookups);
        let total = children
            .iter()
            .fold(own, |acc, c| acc.saturating_add(c.total_lookups));
        Some(SpfNode {
            domain: n.domain.clone(),
            via: n.via.clone(),
            record: n.record.clone(),
            own_lookups: own,
            total_lookups: total,
            void_lookups: n.void,
            error: n.error.clone(),
            children,
        })
    }
    /// The root-to-node path of domains.
    pub fn path(&self, mut i: usize) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(n) = self.nodes.get(i) {
            out.push(n.domain.clone());
            match n.parent {
                Some(p) if out.len() <= MAX_DEPTH + 2 => i = p,
                _ => break,
            }
        }
        out.reverse();
        out
    }
}

/// Walks the tree rooted at `domain`. `family` picks A or AAAA for `a`/`mx` targets
/// (both, when the sending IP is unknown).
pub async fn walk(dns: &Dns, domain: &str, family: Option<IpAddr>) -> Walk {
    let mut w = Walk {
        nodes: vec![new_node(domain, "root", None, 0)],
        problems: Vec::new(),
        truncated: false,
        ip: family,
    };
    let mut level = vec![0usize];
    let mut targets: Vec<Target> = Vec::new();
    let mut targets_started = 0usize;
    while !level.is_empty() || !targets.is_empty() {
        let txt_futs = level.iter().map(|&i| {
            let name = w.nodes[i].domain.clone();
            async move { dns.query(&name, RType::TXT).await }
        });
        let target_futs = targets.iter().map(|t| resolve(dns, t.kind.clone(), family));
        let (answers, resolved) = futures::join!(join_all(txt_futs), join_all(target_futs));
        for (t, (res, problem)) in targets.drain(..).zip(resolved) {
            apply_target(&mut w, t, res, problem);
        }
        let mut next = Vec::new();
        for (&i, answer) in level.iter().zip(answers) {
            process(&mut w, i, answer, &mut next, &mut targets);
        }
        // Cap address targets: a hostile record can list thousands.
        let room = MAX_TARGETS.saturating_sub(targets_started);
        if targets.len() > room {
            targets.truncate(room);
            w.truncated = true;
        }
        targets_started += targets.len();
        level = next;
    }
    w
}

fn new_node(domain: &str, via: &str, parent: Option<usize>, depth: usize) -> Node {
    Node {
        domain: domain.trim_end_matches('.').to_ascii_lowercase(),
        via: via.to_string(),
        parent,
        depth,
        record: None,
        parsed: None,
        error: None,
        void: 0,
        children: Vec::new(),
        targets: HashMap::new(),
        answer: None,
    }
}

fn problem(w: &mut Walk, i: usize, problem: Problem, answer: Option<&Answer>) {
    w.problems.push(TreeProblem {
        domain: w.nodes[i].domain.clone(),
        problem,
        queries: answer.map(|a| vec![a.id]).unwrap_or_default(),
        location: answer.and_then(|a| a.location.clone()),
    });
}

fn add_void(w: &mut Walk, i: usize) {
    let target = w.nodes[i].parent.unwrap_or(i);
    w.nodes[target].void = w.nodes[target].void.saturating_add(1);
}

fn process(
    w: &mut Walk,
    i: usize,
    answer: Arc<Answer>,
    next: &mut Vec<usize>,
    targets: &mut Vec<Target>,
) {
    let is_root = w.nodes[i].parent.is_none();
    w.nodes[i].answer = Some(answer.clone());
    if answer.outcome.is_trouble() {
        w.nodes[i].error = Some(format!("lookup failed: {}", outcome_text(&answer.outcome)));
        problem(
            w,
            i,
            Problem::LookupFailed(outcome_text(&answer.outcome)),
            Some(&answer),
        );
        return;
    }
    if answer.outcome.is_absent() && !is_root {
        add_void(w, i);
    }
    let spf: Vec<String> = answer
        .txt_strings()
        .into_iter()
        .filter(|t| parse::is_spf(t))
        .collect();
    let Some(first) = spf.first() else {
        w.nodes[i].error = Some("no SPF record".to_string());
        if !is_root {
            let via = w.nodes[i].via.clone();
            problem(w, i, Problem::NoRecord { via }, Some(&answer));
        }
        return;
    };
    if spf.len() > 1 {
        w.nodes[i].error = Some(format!("{} SPF records (permerror)", spf.len()));
        problem(w, i, Problem::Multiple(spf.len()), Some(&answer));
    }
    check_sizes(w, i, &answer);
    let rec = parse::parse(first);
    if !rec.errors.is_empty() {
        w.nodes[i]
            .error
            .get_or_insert_with(|| "syntax error".to_string());
        problem(w, i, Problem::Syntax(rec.errors.clone()), Some(&answer));
    }
    let own = w.nodes[i].domain.clone();
    for (d, dir) in rec.directives.iter().enumerate() {
        match &dir.mechanism {
            Mechanism::Include(t) if !t.contains('%') => add_child(w, i, t, "include", next),
            Mechanism::A { domain, .. } | Mechanism::Mx { domain, .. } => {
                let name = domain.clone().unwrap_or_else(|| own.clone());
                if name.contains('%') {
                    continue;
                }
                let kind = if matches!(dir.mechanism, Mechanism::A { .. }) {
                    TargetKind::A(name)
                } else {
                    TargetKind::Mx(name)
                };
                targets.push(Target {
                    node: i,
                    directive: d,
                    kind,
                });
            }
            _ => {}
        }
    }
    if let Some(r) = rec.effective_redirect()
        && !r.contains('%')
    {
        let r = r.to_string();
        add_child(w, i, &r, "redirect", next);
    }
    w.nodes[i].record = Some(first.clone());
    w.nodes[i].parsed = Some(rec);
}

fn check_sizes(w: &mut Walk, i: usize, answer: &Answer) {
    for rd in &answer.records {
        if let crate::dns::Rdata::TXT(parts) = rd {
            let joined: usize = parts.iter().map(Vec::len).sum();
            let is_spf = rd.txt_joined().is_some_and(|t| parse::is_spf(&t));
            if !is_spf {
                continue;
            }
            if let Some(long) = parts.iter().map(Vec::len).find(|&l| l > 255) {
                problem(w, i, Problem::LongString(long), Some(answer));
            }
            if joined > 450 {
                problem(w, i, Problem::LongRecord(joined), Some(answer));
            }
        }
    }
}

fn add_child(w: &mut Walk, parent: usize, target: &str, via: &str, next: &mut Vec<usize>) {
    let depth = w.nodes[parent].depth + 1;
    let mut node = new_node(target, via, Some(parent), depth);
    let idx = w.nodes.len();
    let mut path = w.path(parent);
    if path.contains(&node.domain) {
        path.push(node.domain.clone());
        node.error = Some(format!("loop: {}", path.join(" -> ")));
        w.nodes.push(node);
        w.nodes[parent].children.push(idx);
        let answer = w.nodes[parent].answer.clone();
        problem(w, idx, Problem::Loop(path), answer.as_deref());
        return;
    }
    if depth > MAX_DEPTH || w.nodes.len() >= MAX_NODES {
        // Beyond the caps only the parent's term is counted; the node is not looked up.
        w.truncated = true;
        if w.nodes.len() >= MAX_NODES {
            return;
        }
        node.error = Some(format!("not walked: deeper than {MAX_DEPTH} levels"));
        w.nodes.push(node);
        w.nodes[parent].children.push(idx);
        return;
    }
    w.nodes.push(node);
    w.nodes[parent].children.push(idx);
    next.push(idx);
}

async fn resolve(
    dns: &Dns,
    kind: TargetKind,
    family: Option<IpAddr>,
) -> (Resolved, Option<Problem>) {
    match kind {
        TargetKind::A(name) => addresses(dns, &name, family).await,
        TargetKind::Mx(name) => {
            let mx = dns.query(&name, RType::MX).await;
            if mx.outcome.is_trouble() {
                let outcome = outcome_text(&mx.outcome);
                let r = Resolved {
                    trouble: true,
                    ..Resolved::default()
                };
                return (
                    r,
                    Some(Problem::TargetLookupFailed {
                        target: name,
                        outcome,
                    }),
                );
            }
            let names: Vec<String> = mx
                .records
                .iter()
                .filter_map(|r| match r {
                    crate::dns::Rdata::MX { exchange, .. } if !exchange.is_empty() => {
                        Some(exchange.clone())
                    }
                    _ => None,
                })
                .collect();
            let too_many = (names.len() > MX_NAME_LIMIT).then(|| Problem::TooManyMxNames {
                target: name.clone(),
                count: names.len(),
            });
            let mut out = Resolved {
                void: names.is_empty(),
                ..Resolved::default()
            };
            let lookups = names
                .iter()
                .take(MX_NAME_LIMIT)
                .map(|n| addresses(dns, n, family));
            for (r, _) in join_all(lookups).await {
                out.addresses.extend(r.addresses);
                out.trouble |= r.trouble;
            }
            (out, too_many)
        }
    }
}

fn apply_target(w: &mut Walk, t: Target, res: Resolved, p: Option<Problem>) {
    if res.void {
        w.nodes[t.node].void = w.nodes[t.node].void.saturating_add(1);
    }
    if let Some(p) = p {
        let answer = w.nodes[t.node].answer.clone();
        problem(w, t.node, p, answer.as_deref());
    }
    w.nodes[t.node].targets.insert(t.directive, res);
}

pub fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Error(e) => format!("error ({e})"),
        other => other.label().to_string(),
    }
}

async fn addresses(dns: &Dns, name: &str, family: Option<IpAddr>) -> (Resolved, Option<Problem>) {
    let (want_a, want_aaaa) = match family {
        Some(IpAddr::V4(_)) => (true, false),
        Some(IpAddr::V6(_)) => (false, true),
        None => (true, true),
    };
    let a = async {
        if want_a {
            Some(dns.query(name, RType::A).await)
        } else {
            None
        }
    };
    let aaaa = async {
        if want_aaaa {
            Some(dns.query(name, RType::AAAA).await)
        } else {
            None
        }
    };
    let (a, aaaa) = futures::join!(a, aaaa);
    let mut out = Resolved::default();
    let mut failed = None;
    for ans in [a, aaaa].into_iter().flatten() {
        if ans.outcome.is_trouble() {
            out.trouble = true;
            failed = Some(outcome_text(&ans.outcome));
        }
        out.addresses.extend(ans.ips());
    }
    out.void = !out.trouble && out.addresses.is_empty();
    let p = failed.map(|outcome| Problem::TargetLookupFailed {
        target: name.to_string(),
        outcome,
    });
    (out, p)
}
