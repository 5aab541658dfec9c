//! DMARC record parsing and validation (RFC 9989 section 4.7): tags, values, the obsolete RFC 7489
//! tags (pct, rf, ri), and how a record that is not one (`v=DMARC1` not first) is told apart.

use std::collections::BTreeMap;

/// Problems listed per record; a hostile record can carry thousands of tags.
const MAX_LISTED: usize = 10;
/// Report URIs kept per tag.
const MAX_URIS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DmarcRecord {
    /// Tag name -> value (lower-case), first occurrence.
    pub tags: BTreeMap<String, String>,
    /// Invalid values, repeated tags, pieces that are no tag: at most [`MAX_LISTED`] plus a count.
    pub errors: Vec<String>,
    /// Tags RFC 9989 does not define (receivers ignore them), each once, at most [`MAX_LISTED`].
    pub unknown: Vec<String>,
    /// How many distinct unknown tags there were in all.
    pub unknown_count: usize,
    /// `pct`, `rf`, `ri` as written: removed by RFC 9989, still read by RFC 7489 receivers.
    pub obsolete: Vec<(String, String)>,
    pub rua: Vec<String>,
    pub ruf: Vec<String>,
}

impl DmarcRecord {
    pub fn tag(&self, k: &str) -> Option<&str> {
        self.tags.get(k).map(String::as_str)
    }
    /// The value of a policy tag (`p`, `sp`, `np`) when it is one DMARC defines.
    pub fn policy_tag(&self, k: &str) -> Option<&str> {
        self.tag(k).filter(|v| policy_ok(v))
    }
    /// A policy tag present with a value DMARC does not define.
    pub fn policy_invalid(&self, k: &str) -> bool {
        self.tag(k).is_some_and(|v| !policy_ok(v))
    }
    /// At least one `rua` URI that is syntactically a URI (RFC 9989 section 4.10.1 fallback).
    pub fn has_valid_rua(&self) -> bool {
        self.rua.iter().any(|u| uri_ok(u))
    }
    /// `psd=y` / `psd=n`; `u` and absence are `None`.
    pub fn psd(&self) -> Option<bool> {
        match self.tag("psd") {
            Some("y") => Some(true),
            Some("n") => Some(false),
            _ => None,
        }
    }
    /// `t=y`: receivers apply one policy level less (RFC 9989 section 4.7).
    pub fn testing(&self) -> bool {
        self.tag("t") == Some("y")
    }
}

/// The parts of a record, split as receivers split them: `;`-separated `tag=value` pairs.
fn pairs(txt: &str) -> impl Iterator<Item = &str> {
    txt.split(';').map(str::trim).filter(|p| !p.is_empty())
}

/// True when a TXT string is a DMARC record: its first tag is `v=DMARC1`. The tag name is an
/// ABNF literal, so `V` is `v` (RFC 5234 section 2.3); the value is spelt as hex octets in the
/// grammar, so `DMARC1` is case-sensitive (RFC 9989 section 4.7).
pub fn is_dmarc(txt: &str) -> bool {
    pairs(txt)
        .next()
        .and_then(|t| t.split_once('='))
        .is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("v") && v.trim() == "DMARC1")
}

/// True when a TXT string meant to be a DMARC record is not one: it has a `v=DMARC1` tag, but not
/// first, or its version is written in another case (`v=dmarc1`). Receivers ignore it entirely
/// (RFC 9989 section 4.7, tag `v`), so the domain has an invalid record, not no record.
/// A record hidden behind invisible characters (a byte-order mark left by an editor) counts too:
/// receivers see `\u{feff}v`, not `v`, and ignore it just the same.
pub fn is_misordered(txt: &str) -> bool {
    !is_dmarc(txt)
        && (pairs(txt).any(|t| version_tag(t).is_some())
            || separated(txt).is_some_and(|s| is_dmarc(&s)))
}

/// The tags RFC 9989 defines, and those it removed that records still carry.
const TAG_NAMES: [&str; 14] = [
    "v", "p", "sp", "np", "rua", "ruf", "adkim", "aspf", "fo", "t", "psd", "pct", "rf", "ri",
];

/// The record with `;` put back between tags written with only spaces between them
/// (`v=DMARC1 p=reject rua=...`, which receivers read as one tag `v` whose value is
/// `DMARC1 p=reject ...`). None when no tag lacks its separator.
pub fn separated(txt: &str) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    let mut changed = false;
    for pair in pairs(txt) {
        let mut cur = String::new();
        for word in pair.split_whitespace() {
            let starts_tag = word
                .split_once('=')
                .is_some_and(|(k, _)| TAG_NAMES.iter().any(|n| n.eq_ignore_ascii_case(k)));
            if starts_tag && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                changed = true;
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    changed.then(|| out.join("; "))
}

/// The value of a `v=` tag whose value reads `DMARC1` in any case, behind any invisible prefix.
fn version_tag(tag: &str) -> Option<&str> {
    let (k, v) = tag.split_once('=')?;
    let k = k.trim_start_matches(INVISIBLE).trim();
    (k.eq_ignore_ascii_case("v") && v.trim().eq_ignore_ascii_case("DMARC1")).then(|| v.trim())
}

/// The version a record meant as DMARC writes in a case receivers do not accept (`dmarc1`).
pub fn miscased_version(txt: &str) -> Option<&str> {
    pairs(txt).filter_map(version_tag).find(|v| *v != "DMARC1")
}

/// Characters that print as nothing: the byte-order mark, zero-width space and joiners.
const INVISIBLE: [char; 4] = ['\u{feff}', '\u{200b}', '\u{200c}', '\u{200d}'];

/// The invisible character a TXT string starts with (after spaces), if any.
pub fn invisible_prefix(txt: &str) -> Option<char> {
    txt.trim_start()
        .chars()
        .next()
        .filter(|c| INVISIBLE.contains(c))
}

pub fn policy_ok(v: &str) -> bool {
    matches!(v, "none" | "quarantine" | "reject")
}

/// A reporting URI: a scheme, then printable ASCII without spaces (RFC 3986 section 2); a `mailto:`
/// one needs an address whose local part is RFC 5322 `dot-atom` text (percent-escapes allowed,
/// RFC 6068) and whose domain is a host name, then an optional size limit (`!10m`, RFC 9989
/// section 4.7). What a zone holds is written by anyone: a URI that fails this is not one the
/// receivers will send reports to, and the plan must not carry it into a proposed record.
pub(crate) fn uri_ok(u: &str) -> bool {
    let Some((scheme, rest)) = u.split_once(':') else {
        return false;
    };
    let plain = !scheme.is_empty()
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !plain || rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return false;
    }
    if !scheme.eq_ignore_ascii_case("mailto") {
        return true;
    }
    let (addr, size) = match rest.split_once('!') {
        Some((a, s)) => (a, Some(s)),
        None => (rest, None),
    };
    let size_ok = size.is_none_or(|s| {
        let digits = s.trim_end_matches(|c: char| "kmgtKMGT".contains(c));
        !digits.is_empty()
            && s.len() - digits.len() <= 1
            && digits.bytes().all(|b| b.is_ascii_digit())
    });
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
    let domain_ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    size_ok && local_ok && domain_ok
}

pub fn parse(txt: &str) -> DmarcRecord {
    let mut r = DmarcRecord::default();
    let mut errors: Vec<String> = Vec::new();
    // Each repeated tag with every value it was given, in record order.
    let mut repeated: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for (i, part) in pairs(txt).enumerate() {
        let Some((k, v)) = part.split_once('=') else {
            errors.push(format!(
                "`{}` is not a tag=value pair",
                super::spf::parse::clip(part)
            ));
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
        if i == 0 && k != "v" {
            errors.push("the record must start with `v=DMARC1`".to_string());
        }
        if let Some(first) = r.tags.get(&k) {
            repeated
                .entry(k.clone())
                .or_insert_with(|| vec![first.clone()])
                .push(v.to_ascii_lowercase());
            continue;
        }
        let lv = v.to_ascii_lowercase();
        let ok = match k.as_str() {
            "v" => i == 0 && v == "DMARC1",
            "p" | "sp" | "np" => policy_ok(&lv),
            "adkim" | "aspf" => matches!(lv.as_str(), "r" | "s"),
            "fo" => lv
                .split(':')
                .all(|o| matches!(o.trim(), "0" | "1" | "d" | "s")),
            "rua" | "ruf" => {
                let uris: Vec<String> = v
                    .split(',')
                    .map(|u| u.trim().to_string())
                    .filter(|u| !u.is_empty())
                    .take(MAX_URIS)
                    .collect();
                let ok = !uris.is_empty() && uris.iter().all(|u| uri_ok(u));
                if k == "rua" {
                    r.rua = uris
                } else {
                    r.ruf = uris
                }
                ok
            }
            "psd" => matches!(lv.as_str(), "y" | "n" | "u"),
            "t" => matches!(lv.as_str(), "y" | "n"),
            // RFC 9989 removed them; receivers on RFC 9989 ignore them, older ones still apply
            // them, so they are reported, not validated.
            "pct" | "rf" | "ri" => {
                r.obsolete.push((k.clone(), v.clone()));
                true
            }
            _ => {
                if !unknown.contains(&k) {
                    unknown.push(k.clone());
                }
                true
            }
        };
        if !ok {
            errors.push(format!(
                "invalid value `{k}={}`",
                super::spf::parse::clip(&v)
            ));
        }
        r.tags.insert(k, lv);
    }
    for (n, (k, values)) in repeated.into_iter().enumerate() {
        // RFC 9989 writes DMARC records in DKIM's tag-list syntax, where a repeated tag makes
        // the whole list invalid (RFC 6376 section 3.2); receivers differ in practice, so no one
        // reading is promised. A record can repeat a tag thousands of times: a few values say
        // it, and the explanation is given once.
        let mut written: Vec<String> = values
            .iter()
            .take(3)
            .map(|v| format!("`{k}={}`", super::spf::parse::clip(v)))
            .collect();
        if values.len() > 3 {
            written.push(format!("{} more", values.len() - 3));
        }
        let differ = values.iter().any(|v| *v != values[0]);
        let mut e = format!(
            "tag `{k}` appears {} times ({})",
            values.len(),
            written.join(", ")
        );
        if differ {
            e.push_str(": receivers that take the first value and those that take the last apply different ones");
        }
        if n == 0 {
            e.push_str(": DMARC records use DKIM's tag syntax (RFC 9989 section 4.7), under which a repeated tag makes the whole record invalid (RFC 6376 section 3.2), so a receiver that follows it applies no DMARC policy at all");
        }
        errors.push(e);
    }
    if errors.len() > MAX_LISTED {
        let more = errors.len() - MAX_LISTED;
        errors.truncate(MAX_LISTED);
        errors.push(format!("and {more} more"));
    }
    r.errors = errors;
    r.unknown_count = unknown.len();
    unknown.truncate(MAX_LISTED);
    r.unknown = unknown;
    r
}

/// The domain a `mailto:` report URI delivers to (`mailto:a@b.example!10m` -> `b.example`).
pub fn mailto_domain(uri: &str) -> Option<String> {
    let rest = uri
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("mailto:"))
        .map(|_| &uri[7..])?;
    let addr = rest.split('!').next().unwrap_or(rest);
    let (_, d) = addr.rsplit_once('@')?;
    let d = super::normalise(d);
    (!d.is_empty()).then_some(d)
}

/// none < quarantine < reject.
pub fn strength(p: &str) -> u8 {
    match p {
        "reject" => 2,
        "quarantine" => 1,
        _ => 0,
    }
}

/// The policy one level less, as `t=y` asks receivers to apply it (RFC 9989 section 4.7).
pub fn one_level_less(p: &str) -> &'static str {
    match p {
        "reject" => "quarantine",
        _ => "none",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {

    #[test]
    fn report_uris_that_receivers_would_not_use_are_invalid() {
        for good in [
            "mailto:dmarc@example.com",
            "mailto:d.r+x@sub.example.com!10m",
            "mailto:d%40x@example.com",
            "https://reports.example/x",
        ] {
            assert!(uri_ok(good), "{good}");
        }
        for bad in [
            "mailto:[click](http://evil)@example.com",
            "mailto:a b@example.com",
            "mailto:d@exa\u{1b}mple.com",
            "mailto:d@example.com!10q",
            "mailto:@example.com",
            "mailto:d@-bad.example",
            "1http://x",
            "mailto:d@ex\u{202e}ample.com",
        ] {
            assert!(!uri_ok(bad), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn parses_a_full_record() {
        let r = parse(
            "v=DMARC1; p=reject; sp=none; np=reject; psd=n; t=y; rua=mailto:d@rep.example.net!10m, mailto:x@example.com; fo=1:d; adkim=s",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.policy_tag("p"), Some("reject"));
        assert_eq!(r.psd(), Some(false));
        assert!(r.testing() && r.has_valid_rua());
        assert_eq!(r.rua.len(), 2);
        assert_eq!(mailto_domain(&r.rua[0]).as_deref(), Some("rep.example.net"));
    }

    #[test]
    fn order_values_obsolete_and_unknown_tags() {
        assert!(!parse("p=reject; v=DMARC1").errors.is_empty());
        let r = parse("v=DMARC1; p=block; pct=150; rf=afrf; adkim=x; foo=bar");
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert!(r.policy_invalid("p"));
        assert_eq!(r.unknown, vec!["foo".to_string()]);
        // pct and rf are obsolete, not invalid, whatever their value.
        assert_eq!(r.obsolete.len(), 2);
        assert!(is_dmarc("v=DMARC1; p=none"));
        assert!(!is_dmarc("v=spf1 -all"));
        assert!(!is_dmarc("p=none; v=DMARC1"));
        assert!(is_misordered("p=none; v=DMARC1"));
        assert!(!is_misordered("v=DMARC1; p=none"));
        assert!(!is_misordered("google-site-verification=abc"));
        // Tags with only spaces between them: meant as DMARC, read as one `v` tag.
        assert!(is_misordered("v=DMARC1 p=reject rua=mailto:d@example.com"));
        assert_eq!(
            separated("v=DMARC1 p=reject rua=mailto:d@example.com").as_deref(),
            Some("v=DMARC1; p=reject; rua=mailto:d@example.com")
        );
        assert_eq!(separated("v=DMARC1; p=none"), None);
        assert!(!is_dmarc("v=dmarc1; p=none"));
    }

    #[test]
    fn a_record_of_ten_thousand_tags_gives_bounded_lists() {
        let tags: Vec<String> = (0..10_000).map(|i| format!("x{}=1", i % 50)).collect();
        let r = parse(&format!("v=DMARC1; p=none; {}", tags.join(";")));
        assert!(r.errors.len() <= MAX_LISTED + 1, "{}", r.errors.len());
        assert_eq!(r.errors.last().map(String::as_str), Some("and 40 more"));
        assert_eq!(r.unknown.len(), MAX_LISTED);
        assert_eq!(r.unknown_count, 50);
    }

    #[test]
    fn policy_levels() {
        assert_eq!(one_level_less("reject"), "quarantine");
        assert_eq!(one_level_less("quarantine"), "none");
        assert!(strength("reject") > strength("quarantine"));
    }
}
