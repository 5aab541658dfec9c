//! The action each rule leads to is the one its kind of reply calls for (issue 14, item 3),
//! wherever the rule's own data decides the kind: every rule's examples are decoded through the
//! real extractor, and a decode by that rule must carry the action its category, class and
//! words call for.
#![allow(clippy::unwrap_used)]

use crate::rules_support::reply;
use mailtriage::rules::{Action, RuleSet};
use regex::Regex;

fn builtin() -> &'static RuleSet {
    static SET: std::sync::LazyLock<RuleSet> =
        std::sync::LazyLock::new(|| RuleSet::load(None).unwrap());
    &SET
}

/// What a rule's data says about the action its replies call for, or `None` where its data does
/// not decide. `words` is the rule's pattern and meaning; `class` the decoded reply's class.
fn required(category: &str, class: Option<u16>, words: &str) -> Option<(&'static str, Action)> {
    static IPV6: std::sync::LazyLock<Regex> =
        std::sync::LazyLock::new(|| Regex::new(r"(?i)\bipv6\b").unwrap());
    static RECIPIENT_SIDE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(the recipient|recipient's|the addressee|the mailbox owner|the user)\b[^.]{0,60}\b(blocked|blocks|block list|blocklist|blacklist|allow list|allowlist|whitelist|only accepts|does not accept mail from|refuses mail from)",
        )
        .unwrap()
    });
    if category.starts_with("authentication") && class == Some(4) {
        return Some((
            "a 4xx authentication deferral is fixed by fixing authentication",
            Action::FixAuthentication,
        ));
    }
    if category == "blocklist" {
        return Some((
            "a block list (a DNSBL or the provider's own) asks for delisting",
            Action::RequestDelisting,
        ));
    }
    if category == "rate-limit" {
        return Some((
            "a sending limit (per hour, per day, per connection) is met by slowing down",
            Action::SlowDown,
        ));
    }
    if category == "policy" && RECIPIENT_SIDE.is_match(words) {
        return Some((
            "a restriction the recipient set stops mail to that address",
            Action::SuppressAddress,
        ));
    }
    if IPV6.is_match(words) {
        // Not "this action", but never this one: checked by the caller.
        return Some((
            "a refusal over IPv6 only is no reason to stop mailing the domain",
            Action::SuppressDomain,
        ));
    }
    None
}

fn class_of(r: &mailtriage::reply::Reply) -> Option<u16> {
    r.basic.map(|b| b / 100).or_else(|| {
        r.enhanced
            .as_deref()
            .and_then(|e| e.split('.').next())
            .and_then(|c| c.parse().ok())
    })
}

#[test]
fn every_rule_leads_to_the_action_its_kind_of_reply_calls_for() {
    let set = builtin();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check = |file: &str, line: usize, id: &str, words: String, example: &str| {
        let r = reply(example);
        let d = set.decode(&r);
        if d.rule.id != id {
            return;
        }
        let Some((why, action)) = required(&d.category, class_of(&r), &words) else {
            return;
        };
        checked += 1;
        let wrong = if action == Action::SuppressDomain {
            d.action == Action::SuppressDomain
        } else {
            d.action != action
        };
        if wrong {
            failures.push(format!(
                "{file}:{line}: {id} ({}, {}) decodes {example:?} to {}: {why}",
                d.category,
                class_of(&r).map_or("-".into(), |c| format!("{c}xx")),
                d.action.as_str()
            ));
        }
    };
    for l in set.provider_rules.iter().chain(&set.phrases) {
        let words = format!(
            "{} {}",
            l.rule.pattern.as_deref().unwrap_or(""),
            l.rule.meaning
        );
        for e in &l.rule.examples {
            check(&l.file, l.line, &l.rule.id, words.clone(), e);
        }
    }
    for l in &set.enhanced {
        let words = format!("{} {}", l.rule.title, l.rule.meaning);
        for e in &l.rule.examples {
            check(&l.file, l.line, &l.rule.id, words.clone(), e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The predicates above must reach a fair share of the rules, or this test says nothing.
    assert!(checked >= 100, "only {checked} examples were checked");
}

#[test]
fn the_action_predicates_tell_the_kinds_apart() {
    assert_eq!(
        required("authentication-spf", Some(4), "").map(|r| r.1),
        Some(Action::FixAuthentication)
    );
    assert_eq!(
        required("blocklist", Some(5), "").map(|r| r.1),
        Some(Action::RequestDelisting)
    );
    assert_eq!(
        required("rate-limit", Some(4), "too many messages per hour").map(|r| r.1),
        Some(Action::SlowDown)
    );
    assert_eq!(
        required("policy", Some(5), "The recipient has blocked the sender").map(|r| r.1),
        Some(Action::SuppressAddress)
    );
    assert_eq!(
        required("policy", Some(5), "Our policy blocks this sender").map(|r| r.1),
        None
    );
    assert_eq!(
        required("reverse-dns", Some(5), "No PTR for the IPv6 address").map(|r| r.1),
        Some(Action::SuppressDomain)
    );
}
