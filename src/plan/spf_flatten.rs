//! Flattening the domain's own address-only includes: each costs one SPF lookup and buys
//! nothing a list of ip4:/ip6: terms in the record itself would not.

use crate::checks::types::SpfNode;

/// True for a term an address-only include may hold without changing what flattening means:
/// unqualified (or `+`) ip4:/ip6: terms, and an `all` that is not `+all` (inside an include a
/// non-matching `all` only ends the include).
fn address_only(term: &str) -> bool {
    let t = term.strip_prefix('+').unwrap_or(term).to_ascii_lowercase();
    t.starts_with("ip4:") || t.starts_with("ip6:") || matches!(t.as_str(), "-all" | "~all" | "?all")
}

fn is_own(name: &str, domain: &str) -> bool {
    let (n, d) = (name.to_ascii_lowercase(), domain.to_ascii_lowercase());
    n == d || n.ends_with(&format!(".{d}"))
}

/// The ip4:/ip6: terms an own-domain include can be replaced by, when its record holds nothing
/// else. Another party's include is never flattened: its addresses change without notice.
fn replacement<'t>(tree: &'t SpfNode, domain: &str, include: &str) -> Option<Vec<&'t str>> {
    let node = tree.children.iter().find(|c| {
        c.via == "include" && c.domain.eq_ignore_ascii_case(include) && c.error.is_none()
    })?;
    if !is_own(&node.domain, domain) || node.own_lookups != 0 || !node.children.is_empty() {
        return None;
    }
    let terms: Vec<&str> = node.record.as_deref()?.split_whitespace().skip(1).collect();
    if !terms.iter().all(|t| address_only(t)) {
        return None;
    }
    Some(
        terms
            .into_iter()
            .filter(|t| !t.to_ascii_lowercase().ends_with("all"))
            .collect(),
    )
}

/// The top record with its own address-only includes flattened, the includes replaced, and
/// the lookups saved. None when there is nothing to flatten.
pub(super) fn flatten_own(domain: &str, tree: &SpfNode) -> Option<(String, Vec<String>, u32)> {
    let record = tree.record.as_deref()?;
    let mut out: Vec<String> = Vec::new();
    let mut replaced = Vec::new();
    for term in record.split_whitespace() {
        let plain = term.strip_prefix('+').unwrap_or(term);
        let include = plain
            .get(..8)
            .filter(|p| p.eq_ignore_ascii_case("include:"))
            .map(|_| &plain[8..]);
        match include.and_then(|i| replacement(tree, domain, i).map(|r| (i, r))) {
            Some((i, ips)) => {
                replaced.push(i.to_string());
                out.extend(ips.into_iter().map(str::to_string));
            }
            None => out.push(term.to_string()),
        }
    }
    let saved = replaced.len() as u32;
    (saved > 0).then(|| (out.join(" "), replaced, saved))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn node(domain: &str, record: &str, own: u32) -> SpfNode {
        SpfNode {
            domain: domain.into(),
            via: "include".into(),
            record: Some(record.into()),
            own_lookups: own,
            total_lookups: own,
            void_lookups: 0,
            error: None,
            children: Vec::new(),
        }
    }

    #[test]
    fn only_own_address_only_includes_are_flattened() {
        let mut root = node(
            "d.example",
            "v=spf1 include:_a.d.example include:_c.d.example include:esp.example -all",
            3,
        );
        root.via = "root".into();
        root.children = vec![
            node("_a.d.example", "v=spf1 a:h1.d.example ~all", 1),
            node(
                "_c.d.example",
                "v=spf1 ip4:192.0.2.77 ip6:2001:db8::/32 ~all",
                0,
            ),
            node("esp.example", "v=spf1 ip4:198.51.100.0/24 -all", 0),
        ];
        let (rec, replaced, saved) = flatten_own("d.example", &root).unwrap();
        assert_eq!(
            rec,
            "v=spf1 include:_a.d.example ip4:192.0.2.77 ip6:2001:db8::/32 include:esp.example -all"
        );
        assert_eq!(replaced, ["_c.d.example"]);
        assert_eq!(saved, 1);
    }

    #[test]
    fn a_qualified_address_term_or_plus_all_keeps_the_include() {
        let mut root = node("d.example", "v=spf1 include:_c.d.example -all", 1);
        root.children = vec![node("_c.d.example", "v=spf1 -ip4:192.0.2.1 +all", 0)];
        assert!(flatten_own("d.example", &root).is_none());
    }
}
