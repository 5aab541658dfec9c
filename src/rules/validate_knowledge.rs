//! Stage two for the knowledge the plan and the checks read: texts and their placeholders,
//! escalation paths, sending services, DKIM selectors, the checks' own tables (`check_tables`), and every reference between tables (a rule's escalation, an action's plan
//! step), so `rules lint` finds what `diagnose` would otherwise trip on.

use super::check_tables::Validation;
use super::knowledge::{PLACEHOLDERS, action_step, placeholders};
use super::load::LintError;
use super::set::{Located, RuleSet};
use super::types::Action;
use super::validate::{at, is_enhanced_pattern};
use super::vocab::Tier;
use std::collections::BTreeSet;

/// Validates the knowledge tables and the references of every table.
pub(crate) fn validate(set: &RuleSet, errors: &mut Vec<LintError>) {
    for l in &set.findings {
        at(l, errors).common(&l.rule.id, &l.rule.source);
    }
    for l in &set.plan_steps {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        let texts = [
            Some(&r.title),
            r.title_without_ip.as_ref(),
            r.title_several.as_ref(),
            Some(&r.why),
            r.why_several.as_ref(),
            Some(&r.verify),
        ];
        for (field, text) in [
            "title",
            "title_without_ip",
            "title_several",
            "why",
            "why_several",
            "verify",
        ]
        .iter()
        .zip(texts)
        {
            if let Some(t) = text {
                templated(&mut v, &r.id, field, t);
            }
        }
        if r.verify.trim().is_empty() {
            v.err(format!("plan_step `{}` has an empty `verify`", r.id));
        }
    }
    for l in &set.messages {
        let mut v = at(l, errors);
        v.common(&l.rule.id, &l.rule.source);
        templated(&mut v, &l.rule.id, "text", &l.rule.text);
    }
    for l in &set.no_cause_reasons {
        let mut v = at(l, errors);
        v.common(&l.rule.id, &l.rule.source);
        templated(&mut v, &l.rule.id, "text", &l.rule.text);
    }
    escalations(set, errors);
    for l in &set.senders {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        let include = r.spf_include.trim();
        if !include.contains('.') || include.contains(char::is_whitespace) {
            v.err(format!(
                "sender `{}`: spf_include `{include}` is not a domain name",
                r.id
            ));
        }
        if r.hosts.is_empty() && r.dkim_domains.is_empty() && r.return_path_domains.is_empty() {
            v.err(format!(
                "sender `{}` has no `hosts`, `dkim_domains` or `return_path_domains`; it can never be recognised",
                r.id
            ));
        }
    }
    dkim_selectors(set, errors);
    for l in &set.suppression {
        let mut v = at(l, errors);
        v.common(&l.rule.id, &l.rule.source);
        for problem in l.rule.problems() {
            v.err(format!("suppression `{}`: {problem}", l.rule.id));
        }
    }
    set.checks.validate(&mut CheckValidation { set, errors });
    actions(set, errors);
}

/// What the checks' validators report to: the same errors, the same common checks.
struct CheckValidation<'a> {
    set: &'a RuleSet,
    errors: &'a mut Vec<LintError>,
}

/// `file:line` as `validate::at` takes it.
fn place(file: &str, line: usize) -> Located<()> {
    Located {
        file: file.to_string(),
        line,
        rule: (),
    }
}

impl Validation for CheckValidation<'_> {
    fn err(&mut self, file: &str, line: usize, message: String) {
        at(&place(file, line), self.errors).err(message);
    }

    fn common(&mut self, file: &str, line: usize, id: &str, source: &str) {
        at(&place(file, line), self.errors).common(id, source);
    }

    fn reply_rule_exists(&self, id: &str) -> bool {
        self.set.phrases.iter().any(|p| p.rule.id == id)
            || self.set.provider_rules.iter().any(|p| p.rule.id == id)
    }
}

/// A text's `{name}`s must be ones the plan fills.
fn templated(v: &mut super::validate::V<'_>, id: &str, field: &str, text: &str) {
    for name in placeholders(text) {
        if !PLACEHOLDERS.contains(&name) {
            v.err(format!(
                "rule `{id}`: {field} uses `{{{name}}}`, which nothing fills (known: {})",
                PLACEHOLDERS.join(", ")
            ));
        }
    }
}

/// `5.7.26`, a prefix `5.7.*`, or a range of details `5.7.606-649`.
fn is_escalation_code(code: &str) -> bool {
    if let Some(prefix) = code.strip_suffix('*') {
        let parts: Vec<&str> = prefix.split('.').collect();
        return matches!(parts.last(), Some(&""))
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    }
    if let Some((lo, hi)) = code.split_once('-') {
        return is_enhanced_pattern(lo, false)
            && !hi.is_empty()
            && hi.len() <= 3
            && hi.bytes().all(|b| b.is_ascii_digit());
    }
    is_enhanced_pattern(code, false)
}

/// Escalation entries: a provider that exists (or a target a rule names), good selectors and
/// links, and exactly one generic entry; and every rule's `escalation` names a path.
fn escalations(set: &RuleSet, errors: &mut Vec<LintError>) {
    let providers: BTreeSet<&str> = set.providers.iter().map(|p| p.rule.id.as_str()).collect();
    let rules = || set.provider_rules.iter().chain(&set.phrases);
    let targets: BTreeSet<&str> = rules()
        .filter_map(|l| l.rule.escalation.as_deref())
        .collect();
    let escalated: BTreeSet<&str> = set
        .escalations
        .iter()
        .map(|e| e.rule.provider.as_str())
        .collect();
    for l in &set.escalations {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if r.name.trim().is_empty() {
            v.err(format!(
                "escalation `{}`: `name` is missing: the escalation heading shows it (\"Spamhaus\", \"Gmail (Google)\") instead of the bare id",
                r.id
            ));
        }
        if !is_date(&r.checked) {
            v.err(format!(
                "escalation `{}`: `checked` must be the date the entry was last checked, as YYYY-MM-DD, not {:?}",
                r.id, r.checked
            ));
        }
        let p = r.provider.as_str();
        if p != "generic" && !providers.contains(p) && !targets.contains(p) {
            v.err(format!(
                "escalation `{}`: provider `{p}` is not defined by any [[provider]] nor named by any rule's `escalation`, so the entry is never used",
                r.id
            ));
        }
        for s in &r.sending_services {
            if !set.senders.is_empty() && !set.senders.iter().any(|l| &l.rule.id == s) {
                v.err(format!(
                    "escalation `{}`: sending_services `{s}` is not a [[sender]] id",
                    r.id
                ));
            }
        }
        for code in &r.enhanced {
            if !is_escalation_code(code) {
                v.err(format!(
                    "escalation `{}`: enhanced `{code}` is not a code (5.7.26), a prefix (5.7.*) or a range (5.7.606-649)",
                    r.id
                ));
            }
        }
        for c in r.when_reply.iter().filter(|c| !c.is_known()) {
            v.err(format!(
                "escalation `{}`: when_reply `if = {:?}` is not `temporary`, `permanent`, `check:<check>` or `category:<category>`",
                r.id, c.if_
            ));
        }
        for link in &r.where_ {
            if link.name.trim().is_empty() || !link.url.starts_with("https://") {
                v.err(format!(
                    "escalation `{}`: every `where` needs a name and an https:// url",
                    r.id
                ));
            }
        }
    }
    let generic: Vec<&Located<_>> = set
        .escalations
        .iter()
        .filter(|e| e.rule.provider == "generic")
        .collect();
    if generic.len() != 1 {
        let (file, line) = generic
            .get(1)
            .or(set.escalations.first().as_ref())
            .map_or(("rules/escalation.toml".to_string(), 1), |l| {
                (l.file.clone(), l.line)
            });
        errors.push(LintError {
            file,
            line,
            message: format!(
                "{} [[escalation]] entries have provider = \"generic\"; exactly one must (it applies when no provider matched)",
                generic.len()
            ),
        });
    }
    for l in rules() {
        if let Some(t) = l.rule.escalation.as_deref()
            && !providers.contains(t)
            && !escalated.contains(t)
        {
            at(l, errors).err(format!(
                "rule `{}`: escalation `{t}` names no [[provider]] and no [[escalation]] provider",
                l.rule.id
            ));
        }
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize, max: u32| {
        p.len() == len
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max)
    };
    matches!(parts.as_slice(), [y, m, d] if num(y, 4, 9999) && num(m, 2, 12) && num(d, 2, 31))
}

/// A DNS label list as a selector may be: letters, digits, `-` and `_`, dot-separated.
fn valid_selector(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// DKIM selector entries: well-formed selectors and host suffixes, and markers exactly where
/// the tier reads them (the tier itself is checked when the table is read).
fn dkim_selectors(set: &RuleSet, errors: &mut Vec<LintError>) {
    for l in &set.dkim_selectors {
        let r = &l.rule;
        let mut v = at(l, errors);
        v.common(&r.id, &r.source);
        if r.name.trim().is_empty() {
            v.err(format!("rule `{}`: `name` is empty", r.id));
        }
        if r.selectors.is_empty() {
            v.err(format!("rule `{}`: `selectors` is empty", r.id));
        }
        for s in &r.selectors {
            if !valid_selector(s) {
                v.err(format!(
                    "rule `{}`: selector `{s}` is not lower-case letters, digits, `-` and `_` in dot-separated labels",
                    r.id
                ));
            }
        }
        for s in r.spf_includes.iter().chain(&r.mx_hosts) {
            // A host-name suffix: a selector-like name of at least two labels.
            if !valid_selector(s) || !s.contains('.') {
                v.err(format!(
                    "rule `{}`: `{s}` is not a host-name suffix (two or more lower-case labels)",
                    r.id
                ));
            }
        }
        let markers = r.spf_includes.len() + r.mx_hosts.len();
        match r.tier {
            Tier::Service if markers == 0 => v.err(format!(
                "rule `{}`: a service needs `spf_includes` or `mx_hosts` to be recognised by",
                r.id
            )),
            Tier::Common | Tier::Fallback if markers > 0 => v.err(format!(
                "rule `{}`: `spf_includes` and `mx_hosts` only apply to tier service, not {}",
                r.id,
                r.tier.as_str()
            )),
            _ => {}
        }
    }
}

/// Every action a rule can decide must have the plan step that acts on it.
fn actions(set: &RuleSet, errors: &mut Vec<LintError>) {
    let steps: BTreeSet<&str> = set.plan_steps.iter().map(|s| s.rule.id.as_str()).collect();
    let mut check = |file: &str, line: usize, id: &str, action: Action| {
        if let Some((step, _)) = action_step(action)
            && !steps.contains(step)
        {
            errors.push(LintError {
                file: file.to_string(),
                line,
                message: format!(
                    "rule `{id}`: action `{}` needs the plan step `{step}`, which no [[plan_step]] defines",
                    action.as_str()
                ),
            });
        }
    };
    for l in &set.handling {
        check(&l.file, l.line, &l.rule.id, l.rule.action);
    }
    for l in set.provider_rules.iter().chain(&set.phrases) {
        if let Some(a) = l.rule.action {
            check(&l.file, l.line, &l.rule.id, a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_date, is_escalation_code};

    #[test]
    fn checked_dates_are_year_month_day() {
        for ok in ["2026-12-06", "2026-06-22"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "2026-12-6",
            "06-12-2026",
            "2026/12/06",
            "",
            "2026-12-00",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn escalation_codes_are_exact_prefixes_or_ranges() {
        for ok in ["5.7.26", "5.7.*", "5.*", "5.7.606-649", "X.7.1"] {
            assert!(is_escalation_code(ok), "{ok}");
        }
        for bad in [
            "5.7",
            "5.7.x*",
            "5.7.606-",
            "5.7.606-6499",
            "junk",
            "5.7.*x",
        ] {
            assert!(!is_escalation_code(bad), "{bad}");
        }
    }
}
