//! The DNS lists of rules/blocklists.toml as the blocklist check reads them: answer patterns,
//! what an answer means, and the built-in table. Typed in `knowledge.rs`, validated here and in
//! `validate_knowledge.rs` like the other tables.

use super::knowledge::{BlocklistRule, ListCode};
use super::load::LintError;
use super::set::RuleSet;
use std::net::Ipv4Addr;
use std::sync::{Arc, OnceLock};

/// The file the built-in table lives in.
const FILE: &str = "rules/blocklists.toml";

/// One octet of an answer pattern: a value, a range `a-b` or `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Octet(u8, u8);

/// `127.0.0.2`, `127.0.0.4-7`, `127.0.*.3`: which A answers a code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerPattern([Octet; 4]);

impl AnswerPattern {
    pub fn parse(s: &str) -> Result<AnswerPattern, String> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        if parts.len() != 4 {
            return Err(format!("answer `{s}` is not four dot-separated octets"));
        }
        let num = |t: &str| {
            t.parse::<u8>()
                .map_err(|_| format!("answer `{s}`: `{t}` is not an octet (0-255)"))
        };
        let mut out = [Octet(0, 0); 4];
        for (i, p) in parts.iter().enumerate() {
            out[i] = match p.split_once('-') {
                _ if *p == "*" => Octet(0, 255),
                Some((a, b)) => {
                    let (a, b) = (num(a)?, num(b)?);
                    if a > b {
                        return Err(format!("answer `{s}`: range `{p}` runs backwards"));
                    }
                    Octet(a, b)
                }
                None => {
                    let v = num(p)?;
                    Octet(v, v)
                }
            };
        }
        if out[0] != Octet(127, 127) {
            return Err(format!(
                "answer `{s}` is outside 127.0.0.0/8, where lists answer by convention"
            ));
        }
        Ok(AnswerPattern(out))
    }

    pub fn matches(&self, a: Ipv4Addr) -> bool {
        self.0
            .iter()
            .zip(a.octets())
            .all(|(o, v)| (o.0..=o.1).contains(&v))
    }
}

impl ListCode {
    /// What is wrong with the code, if anything: exactly one of `answer` and `bit`, a pattern
    /// that parses, a bit of one octet, a meaning.
    pub fn problem(&self) -> Option<String> {
        if self.meaning.trim().is_empty() {
            return Some("a code has an empty `meaning`".into());
        }
        match (&self.answer, self.bit) {
            (Some(a), None) => AnswerPattern::parse(a).err(),
            (None, Some(b)) if b.is_power_of_two() => None,
            (None, Some(b)) => Some(format!("bit {b} is not a single bit (1, 2, 4 ... 128)")),
            _ => Some("a code needs exactly one of `answer` and `bit`".into()),
        }
    }

    /// True when `a` carries this code: the pattern matches, or the last octet of a
    /// `127.0.0.x` answer has the bit set.
    pub fn matches(&self, a: Ipv4Addr) -> bool {
        match (&self.answer, self.bit) {
            (Some(p), _) => AnswerPattern::parse(p).is_ok_and(|p| p.matches(a)),
            (None, Some(b)) => {
                let o = a.octets();
                o[..3] == [127, 0, 0] && o[3] & b != 0
            }
            _ => false,
        }
    }
}

impl BlocklistRule {
    /// The meanings of the documented codes `a` carries (several for a bitmask answer).
    pub fn meanings(&self, a: Ipv4Addr) -> Vec<String> {
        self.codes
            .iter()
            .filter(|c| c.matches(a))
            .map(|c| c.meaning.clone())
            .collect()
    }

    /// The meaning of `a` when it says the query was refused.
    pub fn refused(&self, a: Ipv4Addr) -> Option<String> {
        self.refused_codes
            .iter()
            .find(|c| c.matches(a))
            .map(|c| c.meaning.clone())
    }
}

/// The built-in lists, read once from the embedded rules/blocklists.toml. Their validity is
/// proven by the rules tests.
pub fn builtin() -> Arc<Vec<BlocklistRule>> {
    static BUILTIN: OnceLock<Arc<Vec<BlocklistRule>>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            let text = super::embedded::BUILTIN
                .iter()
                .find(|(f, _)| *f == FILE)
                .map_or("", |(_, t)| *t);
            let mut errors = Vec::new();
            let raw = super::load::parse_file(FILE, text, &mut errors);
            Arc::new(raw.blocklist.into_iter().map(|(_, r)| r).collect())
        })
        .clone()
}

impl RuleSet {
    /// The lists of this set (built-ins with `--rules DIR` overrides applied), in file order.
    pub fn blocklist_table(&self) -> Vec<BlocklistRule> {
        self.blocklists.iter().map(|l| l.rule.clone()).collect()
    }
}

/// A DNS zone written in a rules file: lower-case labels of letters, digits, `-` and `_`.
fn valid_zone(z: &str) -> bool {
    z.contains('.')
        && z.len() <= 253
        && z.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// Blocklist entries: a zone to ask, codes that parse, a removal page, a key zone exactly
/// when there is a key, and reply rules that exist.
pub(super) fn validate(set: &RuleSet, errors: &mut Vec<LintError>) {
    use super::knowledge::ListKind;
    for l in &set.blocklists {
        let r = &l.rule;
        let mut v = super::validate::at(l, errors);
        v.common(&r.id, &r.source);
        if r.name.trim().is_empty() {
            v.err(format!("blocklist `{}`: `name` is empty", r.id));
        }
        if !valid_zone(&r.zone) {
            v.err(format!(
                "blocklist `{}`: zone `{}` is not a DNS name (lower-case labels)",
                r.id, r.zone
            ));
        }
        if !(r.removal.starts_with("https://") || r.removal.starts_with("http://")) {
            v.err(format!(
                "blocklist `{}`: removal `{}` is not an http(s) URL",
                r.id, r.removal
            ));
        }
        if r.codes.is_empty() {
            v.err(format!(
                "blocklist `{}`: `codes` is empty; say what a listing answers",
                r.id
            ));
        }
        for c in r.codes.iter().chain(&r.refused_codes) {
            if let Some(p) = c.problem() {
                v.err(format!("blocklist `{}`: {p}", r.id));
            }
        }
        if r.ipv6 && r.kind == ListKind::Domain {
            v.err(format!(
                "blocklist `{}`: `ipv6` is for IP lists, not domain lists",
                r.id
            ));
        }
        match (&r.key_env, &r.key_zone) {
            (Some(env), Some(zone)) => {
                let env_ok = !env.is_empty()
                    && env
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                if !env_ok {
                    v.err(format!(
                        "blocklist `{}`: key_env `{env}` is not an environment variable name (A-Z, 0-9, _)",
                        r.id
                    ));
                }
                if !zone.starts_with("{key}.") || !valid_zone(&zone.replacen("{key}", "key", 1)) {
                    v.err(format!(
                        "blocklist `{}`: key_zone `{zone}` must be `{{key}}.` followed by a zone",
                        r.id
                    ));
                }
            }
            (None, None) => {}
            _ => v.err(format!(
                "blocklist `{}`: `key_env` and `key_zone` go together",
                r.id
            )),
        }
        for reply in &r.replies {
            let known = set.phrases.iter().any(|p| &p.rule.id == reply)
                || set.provider_rules.iter().any(|p| &p.rule.id == reply);
            if !known {
                v.err(format!(
                    "blocklist `{}`: reply rule `{reply}` does not exist (a phrase or provider_rule id)",
                    r.id
                ));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn patterns_take_values_ranges_and_wildcards() {
        let p = AnswerPattern::parse("127.0.0.4-7").unwrap();
        assert!(p.matches(ip("127.0.0.4")) && p.matches(ip("127.0.0.7")));
        assert!(!p.matches(ip("127.0.0.8")) && !p.matches(ip("127.0.1.4")));
        let w = AnswerPattern::parse("127.0.*.3").unwrap();
        assert!(w.matches(ip("127.0.15.3")) && !w.matches(ip("127.0.15.2")));
        for bad in [
            "127.0.0",
            "127.0.0.256",
            "10.0.0.2",
            "127.0.0.7-4",
            "127.0.0.x",
        ] {
            assert!(AnswerPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bits_read_the_last_octet_of_127_0_0_x() {
        let c = ListCode {
            answer: None,
            bit: Some(16),
            meaning: "malware".into(),
        };
        assert!(c.matches(ip("127.0.0.24")) && !c.matches(ip("127.0.0.8")));
        assert!(!c.matches(ip("127.0.1.16")));
        let both = ListCode {
            answer: Some("127.0.0.2".into()),
            bit: Some(2),
            meaning: "x".into(),
        };
        assert!(both.problem().is_some());
    }

    #[test]
    fn the_builtin_table_is_read() {
        let t = builtin();
        assert!(t.iter().any(|l| l.id == "spamhaus-zen"), "{t:?}");
    }
}
