//! Stage two for the knowledge the plan reads: texts and their placeholders, escalation paths,
//! sending services, and every reference between tables (a rule's escalation, an action's plan
//! step), so `rules lint` finds what `diagnose` would otherwise trip on.

use super::knowledge::{PLACEHOLDERS, action_step, placeholders};
use super::load::LintError;
use super::set::{Located, RuleSet};
use super::types::Action;
use super::validate::{at, is_enhanced_pattern};
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
            Some(&r.why),
            Some(&r.verify),
        ];
        for (field, text) in ["title", "title_without_ip", "why", "verify"]
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
    actions(set, errors);
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
        let p = r.provider.as_str();
        if p != "generic" && !providers.contains(p) && !targets.contains(p) {
            v.err(format!(
                "escalation `{}`: provider `{p}` is not defined by any [[provider]] nor named by any rule's `escalation`, so the entry is never used",
                r.id
            ));
        }
        for code in &r.enhanced {
            if !is_escalation_code(code) {
                v.err(format!(
                    "escalation `{}`: enhanced `{code}` is not a code (5.7.26), a prefix (5.7.*) or a range (5.7.606-649)",
                    r.id
                ));
            }
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
    use super::is_escalation_code;

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
