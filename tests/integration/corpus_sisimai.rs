//! The sisimai bounce corpus: 586 real bounces, decoded as `explain` does, against sisimai's answers.
//!
//! Two figures: how often the extracted enhanced status equals sisimai's (where sisimai's is a
//! real code, not one of its 5.0.9xx pseudo-codes), and how often mailtriage's category falls
//! within sisimai's reason through `tests/fixtures/sisimai/reason-map.toml`. Every disagreement
//! is pinned in a snapshot, so a change that moves one is reviewed.
#![allow(clippy::unwrap_used)]

use mailtriage::reply;
use mailtriage::rules::RuleSet;
use std::collections::BTreeMap;
use std::path::Path;

/// The targets: 95 % (status) and 90 % (category). Both are met (96.3 %, 445 of 462;
/// 90.9 %, 567 of 624); docs/explain.md's corpus section says what the remaining disagreements are.
const STATUS_FLOOR: f64 = 95.0;
const CATEGORY_FLOOR: f64 = 90.0;

#[derive(serde::Deserialize)]
struct Expected {
    file: String,
    recipients: Vec<Recipient>,
}

#[derive(serde::Deserialize)]
struct Recipient {
    status: String,
    reason: String,
}

#[derive(serde::Deserialize)]
struct ReasonMap {
    reasons: BTreeMap<String, Vec<String>>,
}

#[test]
fn sisimai_corpus_status_and_category_agreement() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sisimai");
    let map: ReasonMap =
        toml::from_str(&std::fs::read_to_string(dir.join("reason-map.toml")).unwrap()).unwrap();
    let rules = RuleSet::load(None).unwrap();
    let expected = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap();

    let (mut status_ok, mut status_n, mut cat_ok, mut cat_n) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    let mut messages = 0;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let e: Expected = serde_json::from_str(line).unwrap();
        let bytes = std::fs::read(dir.join("maildir").join(&e.file)).unwrap();
        messages += 1;
        // A message the extractor refuses yields no reply for any of its recipients.
        let replies = reply::extract(&bytes)
            .map(|x| x.replies)
            .unwrap_or_default();
        for (i, want) in e.recipients.iter().enumerate() {
            let got = replies.get(i);
            let decoded = got.map(|r| rules.decode(r));
            let pseudo = want.status.get(2..).is_some_and(|s| s.starts_with("0.9"));
            if !want.status.is_empty() && !pseudo {
                status_n += 1;
                let ours = got.and_then(|r| r.enhanced.as_deref());
                if ours == Some(want.status.as_str()) {
                    status_ok += 1;
                } else {
                    disagreements.push(format!(
                        "status   {}#{}: sisimai {} | mailtriage {}",
                        e.file,
                        i + 1,
                        want.status,
                        ours.unwrap_or("-")
                    ));
                }
            }
            if want.reason != "undefined" {
                cat_n += 1;
                let category = decoded.as_ref().map(|d| d.category.as_str());
                let allowed = map.reasons.get(&want.reason);
                assert!(
                    allowed.is_some(),
                    "reason `{}` of {} is missing from reason-map.toml",
                    want.reason,
                    e.file
                );
                if category.is_some_and(|c| allowed.is_some_and(|a| a.iter().any(|x| x == c))) {
                    cat_ok += 1;
                } else {
                    disagreements.push(format!(
                        "category {}#{}: sisimai {} | mailtriage {} ({})",
                        e.file,
                        i + 1,
                        want.reason,
                        category.unwrap_or("-"),
                        decoded.as_ref().map_or("no reply", |d| d.rule.id.as_str())
                    ));
                }
            }
        }
    }
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n as f64;
    let (status, category) = (pct(status_ok, status_n), pct(cat_ok, cat_n));
    eprintln!(
        "sisimai corpus: {messages} messages; status {status_ok}/{status_n} = {status:.2} %; \
         category {cat_ok}/{cat_n} = {category:.2} %"
    );
    assert_eq!(messages, 586, "the vendored corpus is complete");
    insta::assert_snapshot!("sisimai_disagreements", disagreements.join("\n"));
    assert!(
        status >= STATUS_FLOOR,
        "status agreement {status:.2} % is below {STATUS_FLOOR} %"
    );
    assert!(
        category >= CATEGORY_FLOOR,
        "category agreement {category:.2} % is below {CATEGORY_FLOOR} %"
    );
}
