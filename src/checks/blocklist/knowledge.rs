//! The blocklist check's table, `[[blocklist]]` of rules/blocklists.toml: its typed schema,
//! answer patterns and what an answer means, its validation (stage two, each problem at its
//! file:line) and its documentation for `rules show`. Mounted into the rules loader by the
//! check's registry line (`rules::check_tables`), so the build precompiles and checks it like
//! every other table; the check reads it as `crate::rules::check_tables::blocklist`.

use super::{CheckRow, RowDoc, Validation};
use super::super::located::Located;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The built-in table's file, embedded.
pub const FILE: (&str, &str) = (
    "rules/blocklists.toml",
    include_str!("../../../rules/blocklists.toml"),
);

/// One row of the table.
pub type Row = BlocklistRule;

/// `[[blocklist]]`: one DNS list the blocklist check consults (rules/blocklists.toml).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BlocklistRule {
    pub id: String,
    /// The list's name as people know it ("Spamhaus ZEN").
    pub name: String,
    /// The zone asked below (`<reversed IP>.<zone>` or `<domain>.<zone>`).
    pub zone: String,
    pub kind: ListKind,
    /// False: not consulted (a list that closed, or one a `--rules DIR` switches off).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// (ip, allow) The list answers for IPv6 addresses, asked in nibble form.
    #[serde(default)]
    pub ipv6: bool,
    /// Where a listed item is looked up and removal is requested.
    pub removal: String,
    /// What each answer means: an `answer` pattern (`127.0.0.2`, `127.0.0.4-7`, `127.0.*.3`)
    /// or a `bit` of the last octet (lists that add their sub-lists' bits).
    pub codes: Vec<ListCode>,
    /// Answers that say the query was refused (public resolver, over quota, unknown key):
    /// neither a listing nor a clean result.
    #[serde(default)]
    pub refused_codes: Vec<ListCode>,
    /// The environment variable holding an access key; when it is set, `key_zone` is asked.
    #[serde(default)]
    pub key_env: Option<String>,
    /// The zone asked with a key, with `{key}` where the key goes.
    #[serde(default)]
    pub key_zone: Option<String>,
    /// Reply rules (phrase or provider rule ids) whose replies name this list.
    #[serde(default)]
    pub replies: Vec<String>,
    /// (domain) The path of the list's public lookup page for one domain, which filters quote
    /// in their replies with the listed domain after it (`/query/domain/`): a reply carrying it
    /// names the domain that is listed, which may be a link in the message, not the sender.
    #[serde(default)]
    pub lookup_links: Vec<String>,
    pub source: String,
}

fn yes() -> bool {
    true
}

/// What a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// Sending IPs that are refused.
    Ip,
    /// Domains (sender, From, DKIM d=, or linked) that are refused.
    Domain,
    /// Sending IPs vouched for (an allow list such as DNSWL): being on it is good news.
    Allow,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Ip => "ip",
            ListKind::Domain => "domain",
            ListKind::Allow => "allow",
        }
    }
}

/// One documented answer of a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListCode {
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub bit: Option<u8>,
    pub meaning: String,
}

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
pub fn validate(rows: &[Located<Row>], v: &mut dyn Validation) {
    for l in rows {
        let (r, file, line) = (&l.rule, l.file.as_str(), l.line);
        v.common(file, line, &r.id, &r.source);
        if r.name.trim().is_empty() {
            v.err(file, line, format!("blocklist `{}`: `name` is empty", r.id));
        }
        if !valid_zone(&r.zone) {
            v.err(file, line, format!(
                "blocklist `{}`: zone `{}` is not a DNS name (lower-case labels)",
                r.id, r.zone
            ));
        }
        if !(r.removal.starts_with("https://") || r.removal.starts_with("http://")) {
            v.err(file, line, format!(
                "blocklist `{}`: removal `{}` is not an http(s) URL",
                r.id, r.removal
            ));
        }
        if r.codes.is_empty() {
            v.err(file, line, format!(
                "blocklist `{}`: `codes` is empty; say what a listing answers",
                r.id
            ));
        }
        for c in r.codes.iter().chain(&r.refused_codes) {
            if let Some(p) = c.problem() {
                v.err(file, line, format!("blocklist `{}`: {p}", r.id));
            }
        }
        if r.ipv6 && r.kind == ListKind::Domain {
            v.err(file, line, format!(
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
                    v.err(file, line, format!(
                        "blocklist `{}`: key_env `{env}` is not an environment variable name (A-Z, 0-9, _)",
                        r.id
                    ));
                }
                if !zone.starts_with("{key}.") || !valid_zone(&zone.replacen("{key}", "key", 1)) {
                    v.err(file, line, format!(
                        "blocklist `{}`: key_zone `{zone}` must be `{{key}}.` followed by a zone",
                        r.id
                    ));
                }
            }
            (None, None) => {}
            _ => v.err(file, line, format!(
                "blocklist `{}`: `key_env` and `key_zone` go together",
                r.id
            )),
        }
        for path in &r.lookup_links {
            let shaped = path.len() > 2
                && path.starts_with('/')
                && path.ends_with('/')
                && !path.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_uppercase());
            if r.kind != ListKind::Domain || !shaped {
                v.err(file, line, format!(
                    "blocklist `{}`: lookup_links `{path}` must be a lower-case path between slashes (`/query/domain/`), on a domain list",
                    r.id
                ));
            }
        }
        for reply in &r.replies {
            if !v.reply_rule_exists(reply) {
                v.err(file, line, format!(
                    "blocklist `{}`: reply rule `{reply}` does not exist (a phrase or provider_rule id)",
                    r.id
                ));
            }
        }
    }
}


impl CheckRow for BlocklistRule {
    fn row_id(&self) -> &str {
        &self.id
    }

    fn doc(&self) -> RowDoc {
        RowDoc {
            title: self.name.clone(),
            summary: list_summary(self),
            why: list_codes(self),
            what_to_do: format!("Look the item up and request removal at {}.", self.removal),
            references: vec![self.source.clone()],
        }
    }
}

/// What a list holds and where it is asked.
fn list_summary(r: &BlocklistRule) -> String {
    let what = match r.kind {
        ListKind::Ip => "an IP blocklist",
        ListKind::Domain => "a domain blocklist",
        ListKind::Allow => "an IP allow list",
    };
    let off = if r.enabled {
        ""
    } else {
        " Not consulted (enabled = false)."
    };
    let key = match (&r.key_env, &r.key_zone) {
        (Some(env), Some(zone)) => format!(" With ${env} set, {zone} is asked instead."),
        _ => String::new(),
    };
    format!("{what}, asked at {}.{key}{off}", r.zone)
}

/// Its answers and what they mean, one per line.
fn list_codes(r: &BlocklistRule) -> String {
    let line = |c: &ListCode| match (&c.answer, c.bit) {
        (Some(a), _) => format!("- {a}: {}", c.meaning),
        (None, Some(b)) => format!("- bit {b}: {}", c.meaning),
        _ => format!("- {}", c.meaning),
    };
    let mut out: Vec<String> = r.codes.iter().map(line).collect();
    if !r.refused_codes.is_empty() {
        out.push("Refused (could not check, neither listed nor clean):".into());
        out.extend(r.refused_codes.iter().map(line));
    }
    out.join("\n")
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
}
