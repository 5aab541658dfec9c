//! Identifier alignment (RFC 9989 section 4.10.2): strict compares the names, relaxed compares the
//! organizational domains found by a tree walk from each identifier; beside it, the verdict of a
//! receiver still on RFC 7489 (organizational domains from the Public Suffix List).

use super::treewalk::{self, OrgDomain};
use crate::checks::org_domain as psl_org;
use crate::dns::Dns;

/// One identifier (the SPF domain or a DKIM d=) against the From domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub aligned: bool,
    /// The identifier's organizational domain by the tree walk, when a walk was needed.
    pub org: Option<String>,
    /// A walk this verdict rests on met DNS trouble.
    pub inconclusive: bool,
    /// The RFC 7489 verdict (Public Suffix List).
    pub legacy: bool,
}

/// True when `name` is `parent` or a name under it.
fn at_or_under(name: &str, parent: &str) -> bool {
    name == parent
        || name
            .strip_suffix(parent)
            .is_some_and(|head| head.ends_with('.'))
}

pub async fn verdict(
    dns: &Dns,
    author: &str,
    author_org: &OrgDomain,
    id: &str,
    strict: bool,
) -> Verdict {
    let legacy = if strict {
        id == author
    } else {
        psl_org(id) == psl_org(author)
    };
    if strict || id == author {
        return Verdict {
            aligned: id == author,
            org: None,
            inconclusive: false,
            legacy,
        };
    }
    // The walk is made even when the identifier is outside the From domain's organizational
    // domain (it cannot align then): its organizational domain is part of the answer.
    let walk = treewalk::walk(dns, id).await;
    let org = walk.org_domain();
    let under = at_or_under(id, &author_org.domain);
    Verdict {
        aligned: under && org.domain == author_org.domain,
        // Outside the From domain's organizational domain, trouble in the identifier's own
        // walk cannot make it align.
        inconclusive: author_org.inconclusive || (under && org.inconclusive),
        org: Some(org.domain),
        legacy,
    }
}

#[cfg(test)]
mod tests {
    use super::at_or_under;

    #[test]
    fn names_under_a_domain() {
        assert!(at_or_under("a.example.com", "example.com"));
        assert!(at_or_under("example.com", "example.com"));
        assert!(!at_or_under("badexample.com", "example.com"));
    }
}
