//! SPF record parsing (RFC 7208 section 12 ABNF) into terms, keeping every problem it sees.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Qualifier of a directive; `+` when omitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    pub fn as_char(self) -> char {
        match self {
            Qualifier::Pass => '+',
            Qualifier::Fail => '-',
            Qualifier::SoftFail => '~',
            Qualifier::Neutral => '?',
        }
    }
    /// The check_host() result this qualifier yields when its mechanism matches.
    pub fn result(self) -> &'static str {
        match self {
            Qualifier::Pass => "pass",
            Qualifier::Fail => "fail",
            Qualifier::SoftFail => "softfail",
            Qualifier::Neutral => "neutral",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    All,
    Include(String),
    A {
        domain: Option<String>,
        cidr4: u8,
        cidr6: u8,
    },
    Mx {
        domain: Option<String>,
        cidr4: u8,
        cidr6: u8,
    },
    Ptr(Option<String>),
    Ip4(Ipv4Addr, u8),
    Ip6(Ipv6Addr, u8),
    Exists(String),
}

impl Mechanism {
    /// True for the mechanisms that cost one DNS lookup (RFC 7208 section 4.6.4).
    pub fn is_lookup(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A { .. }
                | Mechanism::Mx { .. }
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub qualifier: Qualifier,
    pub mechanism: Mechanism,
    /// The term as written.
    pub text: String,
}

/// A parsed record. Parsing never fails: problems are collected in `errors`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub directives: Vec<Directive>,
    pub redirect: Option<String>,
    pub exp: Option<String>,
    /// Modifiers RFC 7208 does not define (ignored by receivers), as written.
    pub unknown_modifiers: Vec<String>,
    /// Syntax errors, each naming the offending term; any one makes the record a permerror.
    pub errors: Vec<String>,
    /// True when some domain-spec uses macros (`%{...}`).
    pub has_macros: bool,
}

impl Record {
    pub fn all(&self) -> Option<&Directive> {
        self.directives
            .iter()
            .find(|d| d.mechanism == Mechanism::All)
    }
    /// DNS-mechanism lookups this record itself causes; `redirect` counts only when it applies.
    pub fn own_lookups(&self) -> u32 {
        let mechs = self
            .directives
            .iter()
            .filter(|d| d.mechanism.is_lookup())
            .count();
        let redirect = usize::from(self.effective_redirect().is_some());
        u32::try_from(mechs + redirect).unwrap_or(u32::MAX)
    }
    /// `redirect=` is ignored when the record has an `all` mechanism (RFC 7208 section 6.1).
    pub fn effective_redirect(&self) -> Option<&str> {
        if self.all().is_some() {
            None
        } else {
            self.redirect.as_deref()
        }
    }
}

/// True when a TXT string is an SPF record: `v=spf1` alone or followed by a space.
pub fn is_spf(txt: &str) -> bool {
    let b = txt.as_bytes();
    b.len() >= 6 && b[..6].eq_ignore_ascii_case(b"v=spf1") && (b.len() == 6 || b[6] == b' ')
}

pub fn parse(txt: &str) -> Record {
    let mut rec = Record::default();
    let body = if is_spf(txt) { &txt[6..] } else { txt };
    for term in body.split(' ').filter(|t| !t.is_empty()) {
        parse_term(term, &mut rec);
    }
    rec
}

fn parse_term(term: &str, rec: &mut Record) {
    // RFC 7208 section 4.6.1: every term is printable ASCII (macro-string, domain-spec, IP
    // literals); a control character or a non-ASCII one makes the record a permerror.
    if let Some(c) = term.chars().find(|c| !c.is_ascii_graphic()) {
        let hint = if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') {
            " (a typographic dash where `-` belongs?)"
        } else {
            ""
        };
        rec.errors.push(format!(
            "`{}`: character U+{:04X} is not allowed in an SPF record, which is printable ASCII (RFC 7208 section 4.6.1){hint}",
            clip(term),
            u32::from(c)
        ));
        return;
    }
    let (qualifier, rest) = match term.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, &term[1..]),
        Some(b'-') => (Qualifier::Fail, &term[1..]),
        Some(b'~') => (Qualifier::SoftFail, &term[1..]),
        Some(b'?') => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    let name_end = rest.find([':', '/', '=']).unwrap_or(rest.len());
    let name = rest[..name_end].to_ascii_lowercase();
    let arg = &rest[name_end..];
    let explicit_qualifier = rest.len() != term.len();

    if arg.starts_with('=') && !explicit_qualifier {
        return parse_modifier(term, &name, &arg[1..], rec);
    }
    let mech = match name.as_str() {
        "all" if arg.is_empty() => Ok(Mechanism::All),
        "include" => domain_arg(arg, rec).map(Mechanism::Include),
        "exists" => domain_arg(arg, rec).map(Mechanism::Exists),
        "a" | "mx" => a_mx_arg(arg, rec).map(|(domain, cidr4, cidr6)| {
            if name == "a" {
                Mechanism::A {
                    domain,
                    cidr4,
                    cidr6,
                }
            } else {
                Mechanism::Mx {
                    domain,
                    cidr4,
                    cidr6,
                }
            }
        }),
        "ptr" => match arg.strip_prefix(':') {
            None if arg.is_empty() => Ok(Mechanism::Ptr(None)),
            Some(d) => check_domain_spec(d, rec).map(|d| Mechanism::Ptr(Some(d))),
            None => Err("unexpected text after ptr".to_string()),
        },
        "ip4" => ip4_arg(arg),
        "ip6" => ip6_arg(arg),
        _ => Err("unknown mechanism".to_string()),
    };
    match mech {
        Ok(mechanism) => rec.directives.push(Directive {
            qualifier,
            mechanism,
            text: term.to_string(),
        }),
        Err(why) => rec.errors.push(format!("`{}`: {why}", clip(term))),
    }
}

fn parse_modifier(term: &str, name: &str, value: &str, rec: &mut Record) {
    let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid_name {
        rec.errors
            .push(format!("`{}`: invalid modifier name", clip(term)));
        return;
    }
    match name {
        "redirect" | "exp" => {
            let slot_taken = if name == "redirect" {
                rec.redirect.is_some()
            } else {
                rec.exp.is_some()
            };
            if slot_taken {
                rec.errors
                    .push(format!("`{}`: {name}= given more than once", clip(term)));
                return;
            }
            match check_domain_spec(value, rec) {
                Ok(d) if name == "redirect" => rec.redirect = Some(d),
                Ok(d) => rec.exp = Some(d),
                Err(why) => rec.errors.push(format!("`{}`: {why}", clip(term))),
            }
        }
        _ => {
            if let Err(why) = check_macro_string(value, false) {
                rec.errors.push(format!("`{}`: {why}", clip(term)));
            } else if !matches!(name, "ra" | "rp" | "rr") {
                // RFC 6652 reporting modifiers are registered; anything else is unknown.
                rec.unknown_modifiers.push(term.to_string());
            }
        }
    }
}

fn domain_arg(arg: &str, rec: &mut Record) -> Result<String, String> {
    match arg.strip_prefix(':') {
        Some(d) => check_domain_spec(d, rec),
        None => Err("needs `:domain`".to_string()),
    }
}

fn a_mx_arg(arg: &str, rec: &mut Record) -> Result<(Option<String>, u8, u8), String> {
    let (domain_part, cidr_part) = split_cidr(arg);
    let domain = match domain_part.strip_prefix(':') {
        Some(d) => Some(check_domain_spec(d, rec)?),
        None if domain_part.is_empty() => None,
        None => return Err("unexpected text after mechanism name".to_string()),
    };
    let (cidr4, cidr6) = dual_cidr(cidr_part)?;
    Ok((domain, cidr4, cidr6))
}

fn dual_cidr(s: &str) -> Result<(u8, u8), String> {
    if s.is_empty() {
        return Ok((32, 128));
    }
    if let Some(v6) = s.strip_prefix("//") {
        return Ok((32, cidr_len(v6, 128)?));
    }
    let s = &s[1..];
    match s.split_once("//") {
        Some((v4, v6)) => Ok((cidr_len(v4, 32)?, cidr_len(v6, 128)?)),
        None => Ok((cidr_len(s, 32)?, 128)),
    }
}

fn cidr_len(s: &str, max: u8) -> Result<u8, String> {
    let ok_digits = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'));
    match s.parse::<u8>() {
        Ok(n) if ok_digits && n <= max => Ok(n),
        _ => Err(format!("invalid CIDR length /{s} (0-{max})")),
    }
}

fn ip4_arg(arg: &str) -> Result<Mechanism, String> {
    let Some(v) = arg.strip_prefix(':') else {
        return Err("needs `:address`".to_string());
    };
    let (addr, len) = match v.split_once('/') {
        Some((a, l)) => (a, cidr_len(l, 32)?),
        None => (v, 32),
    };
    addr.parse::<Ipv4Addr>()
        .map(|a| Mechanism::Ip4(a, len))
        .map_err(|_| format!("`{}` is not an IPv4 address", clip(addr)))
}

fn ip6_arg(arg: &str) -> Result<Mechanism, String> {
    let Some(v) = arg.strip_prefix(':') else {
        return Err("needs `:address`".to_string());
    };
    let (addr, len) = match v.split_once('/') {
        Some((a, l)) => (a, cidr_len(l, 128)?),
        None => (v, 128),
    };
    addr.parse::<Ipv6Addr>()
        .map(|a| Mechanism::Ip6(a, len))
        .map_err(|_| format!("`{}` is not an IPv6 address", clip(addr)))
}

/// Splits a trailing dual-cidr-length (`/24`, `//64`, `/24//64`) off an `a`/`mx` argument;
/// the domain-spec before it may itself contain `/` (RFC 7208 section 7.1).
fn split_cidr(arg: &str) -> (&str, &str) {
    let digits_after = |s: &str, i: usize, skip: usize| {
        let t = &s[i + skip..];
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
    };
    let mut end = arg.len();
    if let Some(i) = arg.rfind("//")
        && digits_after(arg, i, 2)
    {
        end = i;
    }
    let head = &arg[..end];
    if let Some(i) = head.rfind('/')
        && digits_after(head, i, 1)
    {
        end = i;
    }
    (&arg[..end], &arg[end..])
}

/// Validates a domain-spec: a macro-string whose end is a macro or `.toplabel`.
fn check_domain_spec(d: &str, rec: &mut Record) -> Result<String, String> {
    if d.is_empty() {
        return Err("empty domain".to_string());
    }
    let ends_with_macro = check_macro_string(d, false)?;
    if d.contains('%') {
        rec.has_macros = true;
    }
    if !ends_with_macro {
        let trimmed = d.strip_suffix('.').unwrap_or(d);
        let Some((_, top)) = trimmed.rsplit_once('.') else {
            return Err(format!("`{}` is not a fully qualified domain", clip(d)));
        };
        let toplabel_ok = !top.is_empty()
            && top.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !top.starts_with('-')
            && !top.ends_with('-')
            && top.bytes().any(|b| b.is_ascii_alphabetic());
        if !toplabel_ok {
            return Err(format!("`{}` does not end in a valid top label", clip(d)));
        }
    }
    Ok(d.to_string())
}

/// Checks macro syntax (RFC 7208 section 7.1); returns whether the string ends with a macro-expand.
pub fn check_macro_string(s: &str, exp: bool) -> Result<bool, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut ends_with_macro = false;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            match b.get(i + 1) {
                Some(b'%' | b'_' | b'-') => {
                    i += 2;
                    ends_with_macro = false;
                    continue;
                }
                Some(b'{') => {
                    let Some(close) = s[i..].find('}') else {
                        return Err("unterminated macro `%{`".to_string());
                    };
                    let inner = &s[i + 2..i + close];
                    check_macro_body(inner, exp)?;
                    i += close + 1;
                    ends_with_macro = true;
                    continue;
                }
                _ => return Err("`%` must be followed by `{`, `%`, `_` or `-`".to_string()),
            }
        }
        if !(0x21..=0x7e).contains(&c) {
            return Err("non-printable or non-ASCII character".to_string());
        }
        ends_with_macro = false;
        i += 1;
    }
    Ok(ends_with_macro)
}

fn check_macro_body(inner: &str, exp: bool) -> Result<(), String> {
    let mut chars = inner.chars();
    let letter = chars.next().map(|c| c.to_ascii_lowercase());
    let valid_letter = match letter {
        Some('s' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'v') => true,
        Some('c' | 'r' | 't') => exp,
        _ => false,
    };
    if !valid_letter {
        return Err(format!("invalid macro letter in `%{{{inner}}}`"));
    }
    let rest: &str = chars.as_str();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let mut tail = &rest[digits..];
    if digits > 0 && rest[..digits].parse::<u32>().map_or(true, |n| n == 0) {
        return Err(format!("invalid digit transformer in `%{{{inner}}}`"));
    }
    if let Some(t) = tail.strip_prefix(['r', 'R']) {
        tail = t;
    }
    if !tail.bytes().all(|b| b".-+,/_=".contains(&b)) {
        return Err(format!("invalid macro delimiter in `%{{{inner}}}`"));
    }
    Ok(())
}

/// Shortens a term for a message (records from hostile servers may be 64 KB).
pub fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "parse_tests.rs"]
mod tests;
