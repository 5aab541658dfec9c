//! Flattening the domain's own address-only includes: each costs one SPF lookup and buys
//! nothing a list of ip4:/ip6: terms in the record itself would not.

use crate::checks::spf::parse::{self, Mechanism, Qualifier};
use crate::checks::types::SpfNode;
use crate::domain_name::{normalise, within};

/// True when `name` is the checked domain or a name under it.
fn is_own(name: &str, domain: &str) -> bool {
    within(&normalise(name), &normalise(domain))
}

/// The ip4:/ip6: terms an own-domain include can be replaced by, when its record (read by the
/// SPF check's parser) holds nothing else: unqualified or `+` ip4:/ip6: terms and an `all`
/// that is not `+all` (inside an include a non-matching `all` only ends the include). Another
/// party's include is never flattened: its addresses change without notice.
fn replacement(tree: &SpfNode, domain: &str, include: &str) -> Option<Vec<String>> {
    let node = tree.children.iter().find(|c| {
        c.via == "include" && c.domain.eq_ignore_ascii_case(include) && c.error.is_none()
    })?;
    if !is_own(&node.domain, domain) || node.own_lookups != 0 || !node.children.is_empty() {
        return None;
    }
    let text = node.record.as_deref()?;
    let rec = parse::parse(text);
    let address_only = rec.errors.is_empty()
        && rec.redirect.is_none()
        && rec.directives.iter().all(|d| match d.mechanism {
            Mechanism::Ip4(..) | Mechanism::Ip6(..) => d.qualifier == Qualifier::Pass,
            Mechanism::All => d.qualifier != Qualifier::Pass,
            _ => false,
        });
    address_only.then(|| {
        rec.directives
            .into_iter()
            .filter(|d| matches!(d.mechanism, Mechanism::Ip4(..) | Mechanism::Ip6(..)))
            .map(|d| d.text)
            .collect()
    })
}

/// The top record with its own address-only includes flattened, the includes replaced, and
/// the lookups saved. None when there is nothing to flatten. `record` is the one the plan
/// publishes (several records merged into one), else the tree's top record.
pub(super) fn flatten_own(
    domain: &str,
    record: Option<&str>,
    tree: &SpfNode,
) -> Option<(String, Vec<String>, u32)> {
    let record = record.or(tree.record.as_deref())?;
    let mut out: Vec<String> = Vec::new();
    let mut replaced = Vec::new();
    for term in record.split_whitespace() {
        let one = parse::parse(term);
        let include = match one.directives.as_slice() {
            [d] if d.qualifier == Qualifier::Pass => match &d.mechanism {
                Mechanism::Include(i) => Some(i.as_str()),
                _ => None,
            },
            _ => None,
        };
        match include.and_then(|i| replacement(tree, domain, i).map(|r| (i, r))) {
            Some((i, ips)) => {
                replaced.push(i.to_string());
                out.extend(ips);
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
        let (rec, replaced, saved) = flatten_own("d.example", None, &root).unwrap();
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
        assert!(flatten_own("d.example", None, &root).is_none());
    }
}
