//! DMARC record parsing and validation (RFC 7489 section 6.3, DMARCbis `np`).

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DmarcRecord {
    pub tags: BTreeMap<String, String>,
    pub errors: Vec<String>,
    pub unknown: Vec<String>,
    pub rua: Vec<String>,
    pub ruf: Vec<String>,
}

/// True when a TXT string is a DMARC record: its first tag is `v=DMARC1`.
pub fn is_dmarc(txt: &str) -> bool {
    txt.split(';')
        .next()
        .and_then(|t| t.split_once('='))
        .is_some_and(|(k, v)| k.trim() == "v" && v.trim() == "DMARC1")
}

fn policy_ok(v: &str) -> bool {
    matches!(v, "none" | "quarantine" | "reject")
}

pub fn parse(txt: &str) -> DmarcRecord {
    let mut r = DmarcRecord::default();
    for (i, part) in txt
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let Some((k, v)) = part.split_once('=') else {
            r.errors.push(format!(
                "`{}` is not a tag=value pair",
                super::spf::parse::clip(part)
            ));
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
        if i == 0 && k != "v" {
            r.errors
                .push("the record must start with `v=DMARC1`".to_string());
        }
        let lv = v.to_ascii_lowercase();
        let ok = match k.as_str() {
            "v" => i == 0 && v == "DMARC1",
            "p" | "sp" | "np" => policy_ok(&lv),
            "adkim" | "aspf" => matches!(lv.as_str(), "r" | "s"),
            "pct" => lv.parse::<u8>().is_ok_and(|n| n <= 100),
            "fo" => lv
                .split(':')
                .all(|o| matches!(o.trim(), "0" | "1" | "d" | "s")),
            "rf" => lv.split(':').all(|o| matches!(o.trim(), "afrf" | "iodef")),
            "ri" => lv.parse::<u32>().is_ok(),
            "rua" | "ruf" => {
                let uris: Vec<String> = v
                    .split(',')
                    .map(|u| u.trim().to_string())
                    .filter(|u| !u.is_empty())
                    .collect();
                let ok = !uris.is_empty() && uris.iter().all(|u| u.contains(':'));
                if k == "rua" {
                    r.rua = uris
                } else {
                    r.ruf = uris
                }
                ok
            }
            "psd" => matches!(lv.as_str(), "y" | "n" | "u"),
            "t" => matches!(lv.as_str(), "y" | "n"),
            _ => {
                r.unknown.push(k.clone());
                true
            }
        };
        if !ok {
            r.errors.push(format!(
                "invalid value `{k}={}`",
                super::spf::parse::clip(&v)
            ));
        }
        if r.tags.insert(k.clone(), lv).is_some() {
            r.errors.push(format!("tag `{k}` appears twice"));
        }
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_record() {
        let r = parse(
            "v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:d@rep.example.net!10m, mailto:x@example.com; fo=1:d; adkim=s",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.tags.get("p").map(String::as_str), Some("reject"));
        assert_eq!(r.rua.len(), 2);
        assert_eq!(mailto_domain(&r.rua[0]).as_deref(), Some("rep.example.net"));
    }

    #[test]
    fn reports_bad_values_order_and_unknown_tags() {
        let r = parse("p=reject; v=DMARC1");
        assert!(!r.errors.is_empty());
        let r = parse("v=DMARC1; p=block; pct=150; adkim=x; foo=bar");
        assert_eq!(r.errors.len(), 3, "{:?}", r.errors);
        assert_eq!(r.unknown, vec!["foo".to_string()]);
        assert!(is_dmarc("v=DMARC1; p=none"));
        assert!(!is_dmarc("v=spf1 -all"));
        assert!(!is_dmarc("p=none; v=DMARC1"));
    }
}
