//! Every rule's examples decode to that rule, and every rule id is unique, kebab-case and sourced.
#![allow(clippy::unwrap_used)]

use crate::rules_support::reply;
use mailtriage::finding::is_kebab_case;
use mailtriage::rules::RuleSet;
use std::collections::HashMap;

#[test]
fn every_example_decodes_to_its_own_rule() {
    let set = RuleSet::load(None).unwrap();
    let mut cases: Vec<(String, String, String)> = Vec::new();
    for l in &set.basics {
        for e in &l.rule.examples {
            cases.push((
                l.rule.id.clone(),
                format!("{}:{}", l.file, l.line),
                e.clone(),
            ));
        }
    }
    for l in &set.enhanced {
        for e in &l.rule.examples {
            cases.push((
                l.rule.id.clone(),
                format!("{}:{}", l.file, l.line),
                e.clone(),
            ));
        }
    }
    for l in &set.provider_rules {
        for e in &l.rule.examples {
            cases.push((
                l.rule.id.clone(),
                format!("{}:{}", l.file, l.line),
                e.clone(),
            ));
        }
    }
    assert!(
        cases.len() >= 115 + set.provider_rules.len(),
        "only {} examples",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(id, at, example)| {
            let got = set.decode(&reply(example)).rule.id;
            (&got != id).then(|| format!("{at}: example {example:?} decodes to {got}, not {id}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The line under `action`: a rule whose action no handling row with fitting codes explains
    // carries its own note (a 4xx delay warning once read the 252 row's "Accepted ...").
    let silent: Vec<String> = cases
        .iter()
        .filter_map(|(id, at, example)| {
            let d = set.decode(&reply(example));
            d.action_note
                .trim()
                .is_empty()
                .then(|| format!("{at}: {id}: example {example:?} has no action note"))
        })
        .collect();
    assert!(silent.is_empty(), "{}", silent.join("\n"));
}

#[test]
fn every_basic_and_enhanced_rule_has_an_example() {
    let set = RuleSet::load(None).unwrap();
    for l in &set.basics {
        assert!(!l.rule.examples.is_empty(), "{}", l.rule.id);
    }
    for l in &set.enhanced {
        assert!(!l.rule.examples.is_empty(), "{}", l.rule.id);
    }
}

#[test]
fn ids_are_unique_kebab_case_and_every_rule_has_a_source() {
    let set = RuleSet::load(None).unwrap();
    let list = set.list();
    let mut seen = HashMap::new();
    for s in &list {
        assert!(is_kebab_case(&s.id), "{} is not kebab-case", s.id);
        assert!(
            seen.insert(s.id.clone(), s.kind).is_none(),
            "duplicate id {}",
            s.id
        );
        let doc = set.show(&s.id).unwrap();
        assert!(
            doc.references.iter().all(|r| !r.trim().is_empty()),
            "{} has no source",
            s.id
        );
    }
}

#[test]
fn the_registry_is_complete() {
    let set = RuleSet::load(None).unwrap();
    let codes: Vec<&str> = set.enhanced.iter().map(|l| l.rule.code.as_str()).collect();
    let ranges = [
        (0, 0),
        (1, 10),
        (2, 4),
        (3, 6),
        (4, 7),
        (5, 6),
        (6, 10),
        (7, 30),
    ];
    for (subject, last) in ranges {
        for detail in 0..=last {
            let code = format!("X.{subject}.{detail}");
            assert!(codes.contains(&code.as_str()), "{code} missing");
        }
    }
    let basics: Vec<u16> = set.basics.iter().map(|l| l.rule.code).collect();
    for code in [
        211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455, 500, 501, 502, 503, 504,
        521, 530, 535, 538, 550, 551, 552, 553, 554, 555, 556,
    ] {
        assert!(basics.contains(&code), "{code} missing");
    }
    assert_eq!(set.classes.len(), 4);
    assert_eq!(set.subject_digits.len(), 6);
    assert_eq!(set.enhanced_classes.len(), 3);
    assert_eq!(set.enhanced_subjects.len(), 8);
}

/// An example as a reply: a reply line or words, or DSN fields (`Action:` and the
/// `Diagnostic-Code:` reply).
fn example_reply(e: &str) -> mailtriage::reply::Reply {
    let field = |name: &str| {
        e.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    let mut r = match field("Diagnostic-Code:") {
        Some(d) => reply(d.split_once(';').map_or(d.as_str(), |(_, v)| v.trim())),
        None => reply(e),
    };
    r.dsn_action = field("Action:").map(|a| a.to_ascii_lowercase());
    r
}

/// A phrase decides where the code leaves the meaning to the words, so an example whose code is
/// specific may decode to its registry rule by design; its words, read as a reply with no code
/// (keeping the DSN action it gives), must still reach the phrase, not an earlier one.
#[test]
fn every_phrase_example_reaches_its_phrase() {
    let set = RuleSet::load(None).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for l in &set.phrases {
        for e in &l.rule.examples {
            n += 1;
            let mut r = example_reply(e);
            let as_is = set.decode(&r).rule.id;
            if as_is == l.rule.id {
                continue;
            }
            r.basic = None;
            r.enhanced = None;
            r.dsn_action.get_or_insert_with(|| "failed".into());
            let words = set.decode(&r).rule.id;
            if words != l.rule.id {
                failures.push(format!(
                    "{}:{}: example {e:?} decodes to {as_is}, and its words alone to {words}, not {}",
                    l.file, l.line, l.rule.id
                ));
            }
        }
    }
    assert!(n >= set.phrases.len(), "only {n} phrase examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
