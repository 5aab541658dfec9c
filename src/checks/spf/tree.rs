//! Walks the SPF include/redirect tree level by level, counting lookups and void lookups, and
//! resolving every DNS-querying term (with macros expanded when the sending identity is known).

use super::identity::{self, Identity};
use super::parse::{self, Mechanism, Record};
pub use super::targets::Resolved;
use super::targets::{self, TargetKind};
use crate::checks::types::SpfNode;
use crate::dns::{Answer, Dns, RType};
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
/// DNS-querying terms (`a`, `mx`, `exists`, `ptr`) resolved per walk.
pub const MAX_TARGETS: usize = 200;
pub use super::problem::{Problem, outcome_text};
pub use super::targets::MX_NAME_LIMIT;

/// A cap that stopped the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cap {
    /// [`MAX_NODES`] records walked.
    Nodes,
    /// [`MAX_DEPTH`] levels of include/redirect.
    Depth,
    /// [`MAX_TARGETS`] `a`/`mx`/`exists`/`ptr` terms resolved.
    Targets,
}

#[derive(Debug, Clone)]
pub struct TreeProblem {
    /// The domain whose record (or lookup) has the problem.
    pub domain: String,
    pub problem: Problem,
    pub queries: Vec<usize>,
    pub location: Option<ZoneLocation>,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub domain: String,
    pub via: String,
    pub parent: Option<usize>,
    /// The parent's directive (by index) that includes this node; None for root and redirect.
    pub term: Option<usize>,
    pub depth: usize,
    pub record: Option<String>,
    pub parsed: Option<Record>,
    pub error: Option<String>,
    pub void: u32,
    pub children: Vec<usize>,
    /// Resolved `a`/`mx`/`exists`/`ptr` terms by directive index.
    pub targets: HashMap<usize, Resolved>,
    pub answer: Option<Arc<Answer>>,
    /// No DNS query can be composed for the name (empty or over-long label; for the root also
    /// a single label or a domain literal): it is treated as non-existent and not asked.
    pub malformed: bool,
    /// Zone-file location of the `v=spf1` record itself (not of the name's first TXT).
    pub location: Option<ZoneLocation>,
}

/// The walked tree: a flat arena, node 0 the root.
#[derive(Debug, Clone)]
pub struct Walk {
    pub nodes: Vec<Node>,
    pub problems: Vec<TreeProblem>,
    /// True when a cap stopped the walk: counts are lower bounds.
    pub truncated: bool,
    /// Which caps stopped it.
    pub caps: Vec<Cap>,
    /// The sending IP the targets were resolved for, when known.
    pub ip: Option<IpAddr>,
    /// The identity macros were expanded for, when known.
    pub identity: Option<Identity>,
    /// The IP's PTR names and which resolve back to it, looked up when a record uses `%{p}`.
    pub ptr: Option<Resolved>,
}

struct Target {
    node: usize,
    directive: usize,
    kind: TargetKind,
}

impl Walk {
    /// DNS-querying terms check_host() spends over the tree (RFC 7208 section 4.6.4). A record
    /// with a syntax error is a permerror before evaluation (section 4.6): it spends none of its
    /// terms, nor does anything below it; the include or redirect that fetched it still counts,
    /// in its parent. Of several records at the root, what they cost merged is counted (the
    /// walk follows every record's terms): as published they are a permerror and cost nothing.
    pub fn lookups(&self) -> u32 {
        (0..self.nodes.len())
            .filter(|&i| self.spent(i))
            .filter_map(|i| self.nodes[i].parsed.as_ref())
            .map(Record::own_lookups)
            .fold(0u32, u32::saturating_add)
    }
    /// Void lookups, counted over the same records as [`Walk::lookups`].
    pub fn void_lookups(&self) -> u32 {
        (0..self.nodes.len())
            .filter(|&i| self.spent(i))
            .map(|i| self.nodes[i].void)
            .fold(0, u32::saturating_add)
    }
    /// Whether evaluation reaches node `i`'s terms: it and every record above it parse without
    /// a syntax error.
    fn spent(&self, mut i: usize) -> bool {
        for _ in 0..=MAX_DEPTH + 2 {
            let Some(n) = self.nodes.get(i) else {
                return false;
            };
            if !n.parsed.as_ref().is_some_and(|r| r.errors.is_empty()) {
                return false;
            }
            match n.parent {
                Some(p) => i = p,
                None => return true,
            }
        }
        false
    }
    pub fn root_answer(&self) -> Option<&Arc<Answer>> {
        self.nodes.first().and_then(|n| n.answer.as_ref())
    }
    /// Ids of every query the walk made: TXT of each node, and each term's lookups.
    pub fn query_ids(&self) -> Vec<usize> {
        let mut ids: Vec<usize> = self.ptr.iter().flat_map(|r| r.queries.clone()).collect();
        for n in &self.nodes {
            ids.extend(n.answer.iter().map(|a| a.id));
            for r in n.targets.values() {
                ids.extend(r.queries.iter().copied());
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }
    /// `%{p}` for a record of `domain` (RFC 7208 section 7.3): the validated PTR name equal to
    /// `domain`, else one under it, else any; "unknown" when none validates.
    pub fn validated_for(&self, domain: &str) -> Option<String> {
        let names = &self.ptr.as_ref()?.validated;
        let under = |n: &&String| n.ends_with(&format!(".{domain}"));
        let pick = names
            .iter()
            .find(|n| *n == domain)
            .or_else(|| names.iter().find(under))
            .or_else(|| names.first());
        Some(pick.cloned().unwrap_or_else(|| "unknown".to_string()))
    }
    fn cap(&mut self, c: Cap) {
        self.truncated = true;
        if !self.caps.contains(&c) {
            self.caps.push(c);
            self.caps.sort();
        }
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
        // A record that is a permerror before evaluation spends nothing (see `lookups`).
        let total = if n.parsed.as_ref().is_some_and(|r| r.errors.is_empty()) {
            children
                .iter()
                .fold(own, |acc, c| acc.saturating_add(c.total_lookups))
        } else {
            0
        };
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

/// Walks the tree rooted at `domain`. With the sending identity, macros are expanded and the
/// `ptr` terms resolved, addresses asked in the IP's family; without it, macro terms are counted
/// but not followed, and addresses asked in both families.
pub async fn walk(dns: &Dns, domain: &str, identity: Option<&Identity>) -> Walk {
    let ip = identity.map(|i| i.ip);
    let mut root = new_node(domain, "root", None, None, 0);
    root.malformed = !identity::valid_domain(&root.domain);
    let mut w = Walk {
        nodes: vec![root],
        problems: Vec::new(),
        truncated: false,
        caps: Vec::new(),
        ip,
        identity: identity.cloned(),
        ptr: None,
    };
    let mut level = vec![0usize];
    let mut targets: Vec<Target> = Vec::new();
    let mut targets_started = 0usize;
    while !level.is_empty() || !targets.is_empty() {
        let txt_futs = level.iter().map(|&i| {
            let name = w.nodes[i].domain.clone();
            let ask = !w.nodes[i].malformed;
            async move {
                if ask {
                    Some(dns.query(&name, RType::TXT).await)
                } else {
                    None
                }
            }
        });
        let target_futs = targets
            .iter()
            .map(|t| targets::resolve(dns, t.kind.clone(), ip));
        let (answers, resolved) = futures::join!(join_all(txt_futs), join_all(target_futs));
        for (t, (res, problems)) in targets.drain(..).zip(resolved) {
            apply_target(&mut w, t, res, problems);
        }
        // `%{p}` needs the IP's first PTR name before the terms using it can be expanded.
        if let Some(ip) = ip
            && w.ptr.is_none()
            && answers
                .iter()
                .flatten()
                .flat_map(|a| a.txt_strings())
                .any(|t| parse::is_spf(&t) && identity::needs_ptr(&t))
        {
            let (ptr, _) = targets::resolve(dns, TargetKind::Ptr(String::new()), Some(ip)).await;
            w.ptr = Some(ptr);
        }
        let mut next = Vec::new();
        for (&i, answer) in level.iter().zip(answers) {
            process(dns, &mut w, i, answer, &mut next, &mut targets);
        }
        // Cap the terms resolved: a hostile record can list thousands.
        let room = MAX_TARGETS.saturating_sub(targets_started);
        if targets.len() > room {
            targets.truncate(room);
            w.cap(Cap::Targets);
        }
        targets_started += targets.len();
        level = next;
    }
    w
}

fn new_node(
    domain: &str,
    via: &str,
    parent: Option<usize>,
    term: Option<usize>,
    depth: usize,
) -> Node {
    Node {
        domain: domain.trim_end_matches('.').to_ascii_lowercase(),
        malformed: !identity::queryable(domain),
        via: via.to_string(),
        parent,
        term,
        depth,
        record: None,
        parsed: None,
        error: None,
        void: 0,
        children: Vec::new(),
        targets: HashMap::new(),
        answer: None,
        location: None,
    }
}

fn problem(w: &mut Walk, i: usize, problem: Problem, answer: Option<&Answer>) {
    let location = w.nodes[i]
        .location
        .clone()
        .or_else(|| answer.and_then(|a| a.location.clone()));
    w.problems.push(TreeProblem {
        domain: w.nodes[i].domain.clone(),
        problem,
        queries: answer.map(|a| vec![a.id]).unwrap_or_default(),
        location,
    });
}

fn add_void(w: &mut Walk, i: usize) {
    let target = w.nodes[i].parent.unwrap_or(i);
    w.nodes[target].void = w.nodes[target].void.saturating_add(1);
}

fn process(
    dns: &Dns,
    w: &mut Walk,
    i: usize,
    answer: Option<Arc<Answer>>,
    next: &mut Vec<usize>,
    targets: &mut Vec<Target>,
) {
    let is_root = w.nodes[i].parent.is_none();
    let Some(answer) = answer else {
        // RFC 7208 section 4.3: a malformed domain does not exist; as a target, that is a
        // void lookup and a record that is not there.
        w.nodes[i].error = Some("not a valid domain name (treated as non-existent)".to_string());
        if !is_root {
            add_void(w, i);
            let via = w.nodes[i].via.clone();
            problem(w, i, Problem::NoRecord { via }, None);
        }
        return;
    };
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
    w.nodes[i].location = super::location::of_record(dns, &answer, first);
    if spf.len() > 1 {
        w.nodes[i].error = Some(format!("{} SPF records (permerror)", spf.len()));
        problem(w, i, Problem::Multiple(spf.len()), Some(&answer));
    }
    check_sizes(w, i, &answer);
    // Several records at the domain are a permerror as published (evaluation never reaches a
    // term), so what they cost is only meaningful once merged, and that is what the owner needs
    // to know: walk every record's terms, not the first record's alone.
    let rec = if is_root && spf.len() > 1 {
        parse::parse(&merged(&spf))
    } else {
        parse::parse(first)
    };
    if !rec.errors.is_empty() {
        w.nodes[i]
            .error
            .get_or_insert_with(|| "syntax error".to_string());
        problem(w, i, Problem::Syntax(rec.errors.clone()), Some(&answer));
    }
    let own = w.nodes[i].domain.clone();
    let p = w.validated_for(&own);
    let expand = |spec: &str| -> Option<String> {
        if !spec.contains('%') {
            return Some(spec.trim_end_matches('.').to_ascii_lowercase());
        }
        w.identity.as_ref()?.expand(spec, &own, p.as_deref())
    };
    let mut children: Vec<(String, &str, Option<usize>)> = Vec::new();
    for (d, dir) in rec.directives.iter().enumerate() {
        let kind = match &dir.mechanism {
            Mechanism::Include(t) => {
                if let Some(name) = expand(t) {
                    children.push((name, "include", Some(d)));
                }
                continue;
            }
            Mechanism::A { domain, .. } => {
                expand(domain.as_deref().unwrap_or(&own)).map(TargetKind::A)
            }
            Mechanism::Mx { domain, .. } => {
                expand(domain.as_deref().unwrap_or(&own)).map(TargetKind::Mx)
            }
            Mechanism::Exists(t) => expand(t).map(TargetKind::Exists),
            // Only the sending IP has PTR names to look up.
            Mechanism::Ptr(t) if w.identity.is_some() => {
                expand(t.as_deref().unwrap_or(&own)).map(TargetKind::Ptr)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            targets.push(Target {
                node: i,
                directive: d,
                kind,
            });
        }
    }
    if let Some(r) = rec.effective_redirect()
        && let Some(name) = expand(r)
    {
        children.push((name, "redirect", None));
    }
    for (name, via, term) in children {
        add_child(w, i, &name, via, term, next);
    }
    w.nodes[i].record = Some(first.clone());
    w.nodes[i].parsed = Some(rec);
}

/// The records of one name as one: each term once, in order, modifiers and `all` left out;
/// then the first `redirect=` when no record has an `all`, else the first record's `all`.
fn merged(records: &[String]) -> String {
    let mut terms: Vec<&str> = vec!["v=spf1"];
    let (mut all, mut redirect) = (None, None);
    for r in records {
        for t in r.split_whitespace().skip(1) {
            let bare = t
                .trim_start_matches(['+', '-', '~', '?'])
                .to_ascii_lowercase();
            if bare == "all" {
                all.get_or_insert(t);
            } else if bare.starts_with("redirect=") {
                redirect.get_or_insert(t);
            } else if !bare.starts_with("exp=") && !terms.contains(&t) {
                terms.push(t);
            }
        }
    }
    terms.extend(all.or(redirect));
    terms.join(" ")
}

fn check_sizes(w: &mut Walk, i: usize, answer: &Answer) {
    for rd in &answer.records {
        if let Some(text) = rd.txt_joined()
            && parse::is_spf(&text)
            && text.len() > 450
        {
            problem(w, i, Problem::LongRecord(text.len()), Some(answer));
        }
    }
}

fn add_child(
    w: &mut Walk,
    parent: usize,
    target: &str,
    via: &str,
    term: Option<usize>,
    next: &mut Vec<usize>,
) {
    let depth = w.nodes[parent].depth + 1;
    let mut node = new_node(target, via, Some(parent), term, depth);
    let idx = w.nodes.len();
    let mut path = w.path(parent);
    if path.contains(&node.domain) {
        path.push(node.domain.clone());
        node.error = Some(format!("loop: {}", path.join(" -> ")));
        w.nodes.push(node);
        w.nodes[parent].children.push(idx);
        let answer = w.nodes[parent].answer.clone();
        let location = w.nodes[parent].location.clone();
        problem(w, idx, Problem::Loop(path), answer.as_deref());
        if let Some(p) = w.problems.last_mut() {
            p.location = location;
        }
        return;
    }
    if w.nodes.len() >= MAX_NODES {
        // Beyond the caps only the parent's term is counted; the node is not looked up.
        w.cap(Cap::Nodes);
        return;
    }
    if depth > MAX_DEPTH {
        w.cap(Cap::Depth);
        node.error = Some(format!("not walked: deeper than {MAX_DEPTH} levels"));
        w.nodes.push(node);
        w.nodes[parent].children.push(idx);
        return;
    }
    w.nodes.push(node);
    w.nodes[parent].children.push(idx);
    next.push(idx);
}

fn apply_target(w: &mut Walk, t: Target, mut res: Resolved, problems: Vec<Problem>) {
    if res.void {
        w.nodes[t.node].void = w.nodes[t.node].void.saturating_add(1);
    }
    let answer = w.nodes[t.node].answer.clone();
    for p in problems {
        problem(w, t.node, p, answer.as_deref());
        if let Some(last) = w.problems.last_mut() {
            last.queries.extend(res.queries.iter().copied());
        }
    }
    res.queries.sort_unstable();
    w.nodes[t.node].targets.insert(t.directive, res);
}
