//! Stage two of loading: check every merged rule's values and compile its regexes.

use super::fingerprints::Patterns;
use super::lazy_regex::LazyRegex;
use super::load::LintError;
use super::schema::ProviderRule;
use super::set::{Located, RuleSet};
use super::types::SignalKind;
use super::vocabulary::Vocabulary;
use crate::finding::is_kebab_case;
use std::collections::HashSet;

pub(super) struct V<'a> {
    file: &'a str,
    line: usize,
    errors: &'a mut Vec<LintError>,
}

impl V<'_> {
    pub(super) fn err(&mut self, message: String) {
        self.errors.push(LintError {
            file: self.file.to_string(),
            line: self.line,
            message,
        });
    }

    pub(super) fn common(&mut self, id: &str, source: &str) {
        if !is_kebab_case(id) {
            self.err(format!(
                "id `{id}` is not kebab-case (lowercase letters, digits and single dashes)"
            ));
        }
        if source.trim().is_empty() {
            self.err(format!(
                "rule `{id}` has an empty `source`; name the RFC section or documentation URL"
            ));
        }
    }

    /// Provider knowledge cites the provider's documentation or an RFC.
    pub(super) fn cited(&mut self, id: &str, source: &str) {
        let s = source.trim();
        if !(s.starts_with("https://") || s.starts_with("http://") || s.starts_with("RFC ")) {
            self.err(format!(
                "rule `{id}`: `source` must start with the documentation URL or `RFC <number>`"
            ));
        }
    }

    fn examples(&mut self, id: &str, examples: &[String]) {
        if examples.iter().all(|e| e.trim().is_empty()) {
            self.err(format!(
                "rule `{id}` has no `examples`; add at least one reply line it decodes"
            ));
        }
    }

    /// A rule's pattern, its syntax checked unless it comes from a `trusted` file: parsing the
    /// built-in rules' ~500 patterns was a third of a run's start-up, and `rules lint` (and its
    /// test of the built-in rules) compiles every one of them.
    fn regex(&mut self, id: &str, field: &str, re: &str, trusted: bool) -> Option<LazyRegex> {
        if trusted {
            return Some(LazyRegex::unchecked(re));
        }
        match LazyRegex::parse(re) {
            Ok(r) => Some(r),
            Err(e) => {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                self.err(format!(
                    "rule `{id}`: {field} regex `{re}` does not compile: {first}"
                ));
                None
            }
        }
    }

    fn enhanced_pattern(&mut self, id: &str, code: &str, registry: bool) {
        if !is_enhanced_pattern(code, registry) {
            let want = if registry {
                "`X.<subject>.<detail>`, e.g. `X.7.26`"
            } else {
                "`<class>.<subject>.<detail>` with class 2, 4, 5 or X, e.g. `5.7.26` or `X.7.26`"
            };
            self.err(format!(
                "rule `{id}`: enhanced code `{code}` is not of the form {want}"
            ));
        }
    }
}

/// `X.7.26` (registry form) or `5.7.26` / `X.7.26` (pattern form); subject 0..=7, detail 0..=999.
pub fn is_enhanced_pattern(code: &str, registry_only: bool) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    let [class, subject, detail] = parts.as_slice() else {
        return false;
    };
    let class_ok = *class == "X" || (!registry_only && matches!(*class, "2" | "4" | "5"));
    let num = |s: &str, max: u32| {
        !s.is_empty()
            && s.len() <= 3
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| n <= max)
    };
    class_ok && num(subject, 7) && num(detail, 999)
}

pub(super) fn at<'a, T>(l: &'a Located<T>, errors: &'a mut Vec<LintError>) -> V<'a> {
    V {
        file: &l.file,
        line: l.line,
        errors,
    }
}

/// Validates the whole set and compiles its regexes into it.
pub(crate) fn validate(set: &mut RuleSet, errors: &mut Vec<LintError>, trusted: &HashSet<&str>) {
    for l in &set.classes {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if !(2..=5).contains(&r.digit) {
            v.err(format!("class `{}`: digit {} is not 2..5", r.id, r.digit));
        }
    }
    for l in &set.subject_digits {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if r.digit > 5 {
            v.err(format!(
                "subject_digit `{}`: digit {} is not 0..5",
                r.id, r.digit
            ));
        }
    }
    for l in &set.basics {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if !(200..=599).contains(&r.code) {
            v.err(format!("basic `{}`: code {} is not 200..599", r.id, r.code));
        }
        v.examples(&r.id, &r.examples);
    }
    for l in &set.enhanced_classes {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if !matches!(r.class, 2 | 4 | 5) {
            v.err(format!(
                "enhanced_class `{}`: class {} is not 2, 4 or 5",
                r.id, r.class
            ));
        }
    }
    for l in &set.enhanced_subjects {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if r.subject > 7 {
            v.err(format!(
                "enhanced_subject `{}`: subject {} is not 0..7",
                r.id, r.subject
            ));
        }
    }
    let mut codes = HashSet::new();
    for l in &set.enhanced {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        v.enhanced_pattern(&r.id, &r.code, true);
        if !codes.insert(r.code.clone()) {
            v.err(format!(
                "enhanced `{}`: code {} is registered twice",
                r.id, r.code
            ));
        }
        v.examples(&r.id, &r.examples);
    }
    for l in &set.handling {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if let Some(c) = r.class
            && !(2..=5).contains(&c)
        {
            v.err(format!("handling `{}`: class {c} is not 2..5", r.id));
        }
        for code in &r.enhanced {
            v.enhanced_pattern(&r.id, code, false);
        }
    }
    validate_providers(set, errors, trusted);
    validate_vocabulary(set, errors, trusted);
}

/// The mechanism vocabulary: every word compiles, every mechanism has words and an example
/// (categories and checks are typed when read).
fn validate_vocabulary(set: &mut RuleSet, errors: &mut Vec<LintError>, trusted: &HashSet<&str>) {
    let mut names = Vec::new();
    for l in &set.mechanisms {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        v.examples(&r.id, &r.examples);
        if r.words.is_empty() {
            v.err(format!("mechanism `{}` has no `words`", r.id));
        }
        names.push(
            r.words
                .iter()
                .filter(|w| {
                    v.regex(&r.id, "word", w, trusted.contains(l.file.as_str()))
                        .is_some()
                })
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
    }
    let mut cues = Vec::new();
    for l in &set.mechanism_cues {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if r.words.is_empty() {
            v.err(format!("mechanism_cue `{}` has no `words`", r.id));
        }
        cues.push((
            r.kind,
            r.words
                .iter()
                .filter(|w| {
                    v.regex(&r.id, "word", w, trusted.contains(l.file.as_str()))
                        .is_some()
                })
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ));
    }
    let readings: Vec<(Option<&str>, &[String])> = set
        .mechanisms
        .iter()
        .map(|l| (l.rule.category.as_deref(), l.rule.checks.as_slice()))
        .collect();
    set.vocabulary = Vocabulary::new(names, cues, &readings);
}

/// RFC 3464 section 2.3.3 Action values.
const DSN_ACTIONS: &[&str] = &["failed", "delayed", "delivered", "relayed", "expanded"];
/// SMTP commands a `command` condition may name.
const COMMANDS: &[&str] = &["CONNECT", "HELO", "EHLO", "MAIL FROM", "RCPT TO", "DATA"];

/// A `links` entry: a lowercase domain of two labels or more, optionally followed by a path
/// (`support.google.com`, `aka.ms/exosmtperrors`); no scheme.
fn link_entry(link: &str) -> Option<(String, String)> {
    let (domain, path) = match link.find('/') {
        Some(i) => (&link[..i], &link[i..]),
        None => (link, ""),
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        && !path
            .chars()
            .any(|c| c.is_whitespace() || c.is_ascii_uppercase());
    ok.then(|| (domain.to_string(), path.to_string()))
}

fn validate_providers(set: &mut RuleSet, errors: &mut Vec<LintError>, trusted: &HashSet<&str>) {
    let mut provider_patterns = Vec::new();
    for l in &set.providers {
        let r = &l.rule;
        let ok = trusted.contains(l.file.as_str());
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        v.cited(&r.id, &r.source);
        if r.markers.is_empty()
            && r.hosts.is_empty()
            && r.links.is_empty()
            && r.tokens.is_empty()
            && r.wording.is_empty()
        {
            v.err(format!(
                "provider `{}` has no `hosts`, `links`, `tokens`, `wording` or `markers`; it can never be detected",
                r.id
            ));
        }
        // Software names no provider: a host or link is a provider's, never software's.
        if r.software && (!r.hosts.is_empty() || !r.links.is_empty() || r.gateway) {
            v.err(format!(
                "provider `{}` is `software`: it takes only `tokens`, `wording` or `markers` \
                 (a host or link names whoever runs the server, not its software), and is no gateway",
                r.id
            ));
        }
        for run in &r.runs {
            let is_software = set
                .providers
                .iter()
                .any(|p| &p.rule.id == run && p.rule.software);
            if !is_software {
                v.err(format!(
                    "provider `{}`: `runs` names `{run}`, which is no `software = true` provider",
                    r.id
                ));
            }
        }
        let mut text = Vec::new();
        for (kind, field, list) in [
            (SignalKind::Token, "token", &r.tokens),
            (SignalKind::Wording, "wording", &r.wording),
            (SignalKind::Marker, "marker", &r.markers),
        ] {
            text.extend(
                list.iter()
                    .filter_map(|m| v.regex(&r.id, field, m, ok))
                    .map(|re| (kind, re)),
            );
        }
        let hosts = r
            .hosts
            .iter()
            .filter_map(|h| v.regex(&r.id, "host", h, ok))
            .collect();
        let mut links = Vec::new();
        for link in &r.links {
            match link_entry(link) {
                Some(entry) => links.push(entry),
                None => v.err(format!(
                    "provider `{}`: link `{link}` is not a lowercase domain with an optional path \
                     (e.g. `support.google.com` or `aka.ms/exosmtperrors`; no scheme)",
                    r.id
                )),
            }
        }
        provider_patterns.push(Patterns { hosts, text, links });
    }
    let known: HashSet<&str> = set.providers.iter().map(|p| p.rule.id.as_str()).collect();
    let rule_regexes = set
        .provider_rules
        .iter()
        .map(|l| reply_rule(l, errors, &known, false, trusted))
        .collect();
    let phrase_regexes = set
        .phrases
        .iter()
        .map(|l| reply_rule(l, errors, &known, true, trusted))
        .collect();
    set.provider_patterns = provider_patterns;
    set.rule_regexes = rule_regexes;
    set.phrase_regexes = phrase_regexes;
}

/// Checks one provider rule or phrase rule and compiles its pattern. A provider rule names a
/// known provider; a phrase names none and needs a text or DSN condition to stand on.
fn reply_rule(
    l: &Located<ProviderRule>,
    errors: &mut Vec<LintError>,
    known: &HashSet<&str>,
    phrase: bool,
    trusted: &HashSet<&str>,
) -> Option<LazyRegex> {
    let r = &l.rule;
    let kind = if phrase { "phrase" } else { "provider_rule" };
    let mut v = at(l, errors);
    v.common(&r.id, &r.source);
    match (&r.provider, phrase) {
        (Some(_), true) => v.err(format!(
            "phrase `{}` names a provider; phrases apply to every receiver (use [[provider_rule]])",
            r.id
        )),
        (Some(p), false) if !known.contains(p.as_str()) => v.err(format!(
            "provider_rule `{}`: provider `{p}` is not defined by any [[provider]]",
            r.id
        )),
        (None, false) => v.err(format!(
            "provider_rule `{}` names no provider (a rule for any receiver is a [[phrase]])",
            r.id
        )),
        _ => {}
    }
    if phrase && r.pattern.is_none() && r.dsn_action.is_empty() {
        v.err(format!(
            "phrase `{}` needs a `pattern` or a `dsn_action`",
            r.id
        ));
    }
    // (A phrase without a pattern or a DSN action was refused above.)
    if !phrase
        && r.enhanced.is_empty()
        && r.basic.is_empty()
        && r.pattern.is_none()
        && r.dsn_action.is_empty()
    {
        v.err(format!(
            "{kind} `{}` has no condition (enhanced, basic, pattern or dsn_action)",
            r.id
        ));
    }
    for code in &r.enhanced {
        v.enhanced_pattern(&r.id, code, false);
    }
    for b in &r.basic {
        if !(200..=599).contains(b) {
            v.err(format!("{kind} `{}`: basic code {b} is not 200..599", r.id));
        }
    }
    v.cited(&r.id, &r.source);
    for c in &r.class {
        if !matches!(c, 2 | 4 | 5) {
            v.err(format!("{kind} `{}`: class {c} is not 2, 4 or 5", r.id));
        }
    }
    for a in &r.dsn_action {
        if !DSN_ACTIONS.contains(&a.as_str()) {
            v.err(format!(
                "{kind} `{}`: dsn_action `{a}` is not one of {}",
                r.id,
                DSN_ACTIONS.join(", ")
            ));
        }
    }
    for c in &r.command {
        if !COMMANDS.iter().any(|k| k.eq_ignore_ascii_case(c)) {
            v.err(format!(
                "{kind} `{}`: command `{c}` is not one of {}",
                r.id,
                COMMANDS.join(", ")
            ));
        }
    }
    v.examples(&r.id, &r.examples);
    r.pattern
        .as_ref()
        .and_then(|p| v.regex(&r.id, "pattern", p, trusted.contains(l.file.as_str())))
}

/// Stage two of tables the build already validated (the precompiled built-ins alone, see
/// `assemble`): only what the set holds beside its tables is built, every pattern taken as
/// the build compiled it. `precompiled::tests` holds the result to `validate`'s.
pub(crate) fn compile_validated(set: &mut RuleSet) {
    let unchecked = |list: &[String]| list.iter().map(|p| LazyRegex::unchecked(p)).collect();
    set.provider_patterns = set
        .providers
        .iter()
        .map(|l| {
            let r = &l.rule;
            let mut text = Vec::new();
            for (kind, list) in [
                (SignalKind::Token, &r.tokens),
                (SignalKind::Wording, &r.wording),
                (SignalKind::Marker, &r.markers),
            ] {
                text.extend(list.iter().map(|m| (kind, LazyRegex::unchecked(m))));
            }
            Patterns {
                hosts: unchecked(&r.hosts),
                text,
                links: r.links.iter().filter_map(|l| link_entry(l)).collect(),
            }
        })
        .collect();
    let pattern = |l: &Located<ProviderRule>| l.rule.pattern.as_deref().map(LazyRegex::unchecked);
    set.rule_regexes = set.provider_rules.iter().map(pattern).collect();
    set.phrase_regexes = set.phrases.iter().map(pattern).collect();
    fn words(w: &[String]) -> Vec<&str> {
        w.iter().map(String::as_str).collect()
    }
    let names = set
        .mechanisms
        .iter()
        .map(|l| words(&l.rule.words))
        .collect();
    let cues = set
        .mechanism_cues
        .iter()
        .map(|l| (l.rule.kind, words(&l.rule.words)))
        .collect();
    let readings: Vec<(Option<&str>, &[String])> = set
        .mechanisms
        .iter()
        .map(|l| (l.rule.category.as_deref(), l.rule.checks.as_slice()))
        .collect();
    set.vocabulary = Vocabulary::new(names, cues, &readings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_code_forms() {
        assert!(is_enhanced_pattern("X.1.10", true));
        assert!(!is_enhanced_pattern("5.1.10", true));
        assert!(is_enhanced_pattern("5.1.10", false));
        for bad in [
            "X.8.1", "3.1.1", "X.1", "X.1.1000", "X..1", "X.1.a", "X.1.1.1",
        ] {
            assert!(!is_enhanced_pattern(bad, false), "{bad}");
        }
    }
}
