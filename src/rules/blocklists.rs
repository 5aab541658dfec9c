//! The DNS lists of rules/blocklists.toml as the blocklist check reads them: answer patterns,
//! what an answer means, and the built-in table. Typed in `knowledge.rs`, validated here and in
//! `validate_knowledge.rs` like the other tables.

use super::knowledge::{BlocklistRule, ListCode};
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
