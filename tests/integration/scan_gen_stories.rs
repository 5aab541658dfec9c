//! The generator's reply texts (the first example of a rule, naming the generated sender and
//! recipient) and its recipients with a known story (hard bounces, a null-MX domain, mailbox-full
//! deferrals over many days or a few, timeouts, deferrals a delivery clears, authentication and
//! blocklist rejections), each with the suppression row and verdict `scan` must give it.
#![allow(dead_code, clippy::unwrap_used)]

use super::scan_gen::{Config, RETRY, Try, rfc3339};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Every example reply of the rules, by rule id.
static EXAMPLES: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let table: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for list in table.values().filter_map(|v| v.as_array()) {
            for rule in list.iter().filter_map(|v| v.as_table()) {
                let (Some(id), Some(ex)) = (rule.get("id"), rule.get("examples")) else {
                    continue;
                };
                let ex: Vec<String> = ex
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|e| e.as_str().map(String::from))
                    .collect();
                out.insert(id.as_str().unwrap().to_string(), ex);
            }
        }
    }
    out
});

/// The sending IP the generated replies name (the examples name 192.0.2.25).
pub const SENDING_IP: &str = "203.0.113.25";

/// The first example of rule `id`, naming our sending IP, domain and `rcpt`.
pub fn example(id: &str, rcpt: &str) -> String {
    let text = EXAMPLES
        .get(id)
        .and_then(|e| e.first())
        .unwrap_or_else(|| panic!("no example for rule {id}"));
    text.replace("192.0.2.25", SENDING_IP)
        .replace("example.com", "shop.example")
        .replace("nobody@example.org", rcpt)
}

/// A recipient with a known story: when each of its messages is sent, and what each attempt gets.
pub struct Story {
    pub rcpt: String,
    pub sends: Vec<(i64, Vec<Try>)>,
}

pub fn stories(
    cfg: &Config,
) -> (
    Vec<Story>,
    BTreeMap<String, String>,
    BTreeMap<String, &'static str>,
) {
    let day = 86_400;
    let s0 = cfg.start + 3600;
    let mut v = Vec::new();
    let mut rows = BTreeMap::new();
    let mut verdicts = BTreeMap::new();
    let one = |t: Try| vec![t];
    // Hard bounces: Gmail's and Microsoft's 5.1.1.
    for i in 0..3 {
        let rcpt = format!("gone{i}@gmail.com");
        let t = s0 + i * 7200;
        v.push(Story {
            rcpt: rcpt.clone(),
            sends: vec![(
                t,
                one(Try::Bounce(
                    "5.1.1".into(),
                    example("gmail-5-1-1-account-does-not-exist", &rcpt),
                )),
            )],
        });
        rows.insert(
            rcpt.clone(),
            format!(
                "{rcpt},address,hard-bounce,5.1.1,gmail,{},{},1",
                rfc3339(t + 1),
                rfc3339(t + 1)
            ),
        );
        verdicts.insert(rcpt, "suppress");
        let rcpt = format!("gone{i}@outlook.com");
        let t = s0 + 3 * day + i * 5400;
        v.push(Story {
            rcpt: rcpt.clone(),
            sends: vec![(
                t,
                one(Try::Bounce(
                    "5.1.1".into(),
                    example("microsoft-5-1-1-bad-destination-mailbox", &rcpt),
                )),
            )],
        });
        rows.insert(
            rcpt.clone(),
            format!(
                "{rcpt},address,hard-bounce,5.1.1,microsoft,{},{},1",
                rfc3339(t + 1),
                rfc3339(t + 1)
            ),
        );
        verdicts.insert(rcpt, "suppress");
    }
    // A domain with a null MX: every address bounces at once.
    let mut dom = (i64::MAX, i64::MIN, 0u32);
    for i in 0..3 {
        let rcpt = format!("a{i}@nullmx.example");
        let t = s0 + day + i * 3000;
        v.push(Story {
            rcpt: rcpt.clone(),
            sends: vec![(
                t,
                one(Try::LocalBounce(
                    "5.1.10".into(),
                    "Domain nullmx.example does not accept mail (nullMX)".into(),
                )),
            )],
        });
        dom = (dom.0.min(t + 1), dom.1.max(t + 1), dom.2 + 1);
        verdicts.insert(rcpt, "suppress-domain");
    }
    rows.insert(
        "~nullmx.example".into(),
        format!(
            "nullmx.example,domain,domain-accepts-no-mail,5.1.10,,{},{},{}",
            rfc3339(dom.0),
            rfc3339(dom.1),
            dom.2
        ),
    );
    // Mailbox full on 4 separate sends over 15 days, each retried: suppressed after repeated soft failures.
    for i in 0..2 {
        let rcpt = format!("full{i}@gmail.com");
        let defer = Try::Defer(
            "4.2.2".into(),
            example("gmail-4-2-2-inbox-out-of-storage", &rcpt),
        );
        let sends: Vec<(i64, Vec<Try>)> = (0..4)
            .map(|k| (s0 + i * 600 + k * 5 * day, vec![defer.clone(); 3]))
            .collect();
        let first = sends[0].0 + 1;
        let last = sends[3].0 + 1 + RETRY[1];
        v.push(Story {
            rcpt: rcpt.clone(),
            sends,
        });
        rows.insert(
            rcpt.clone(),
            format!(
                "{rcpt},address,repeated-soft-failures,4.2.2,gmail,{},{},4",
                rfc3339(first),
                rfc3339(last)
            ),
        );
        verdicts.insert(rcpt, "suppress-soft");
    }
    // The same over 5 days only: not yet (the default threshold wants 14 days).
    for i in 0..2 {
        let rcpt = format!("brief{i}@gmail.com");
        let defer = Try::Defer(
            "4.2.2".into(),
            example("gmail-4-2-2-inbox-out-of-storage", &rcpt),
        );
        let sends = (0..4)
            .map(|k| {
                (
                    s0 + 9 * day + i * 600 + k * 30 * 3600,
                    vec![defer.clone(); 2],
                )
            })
            .collect();
        v.push(Story {
            rcpt: rcpt.clone(),
            sends,
        });
        verdicts.insert(rcpt, "keep-retrying");
    }
    // One send that times out twice: keep retrying.
    for i in 0..2 {
        let rcpt = format!("busy{i}@example.org");
        let defer = Try::Defer(
            "4.4.1".into(),
            example("phrase-network-failure", &rcpt).replace(
                "mx.example.org[192.0.2.10]",
                "mx.example.org[198.51.100.20]",
            ),
        );
        v.push(Story {
            rcpt: rcpt.clone(),
            sends: vec![(s0 + 12 * day + i * 600, vec![defer.clone(), defer])],
        });
        verdicts.insert(rcpt, "keep-retrying");
    }
    // Deferred on two sends, then delivered: the failures are cleared.
    for i in 0..2 {
        let rcpt = format!("back{i}@yahoo.com");
        let defer = Try::Defer(
            "4.7.0".into(),
            example("yahoo-resources-temporarily-unavailable", &rcpt),
        );
        let sends = vec![
            (s0 + 4 * day + i * 600, vec![defer.clone()]),
            (s0 + 5 * day + i * 600, vec![defer]),
            (s0 + 6 * day + i * 600, vec![Try::Deliver]),
        ];
        v.push(Story {
            rcpt: rcpt.clone(),
            sends,
        });
        verdicts.insert(rcpt, "delivered-after-failure");
    }
    // Authentication and blocklist rejections: the address is fine, the sender must fix things.
    for i in 0..3 {
        let rcpt = format!("auth{i}@gmail.com");
        v.push(Story {
            rcpt: rcpt.clone(),
            sends: vec![(
                s0 + 6 * 3600 + i * 60,
                one(Try::Bounce(
                    "5.7.26".into(),
                    example("gmail-5-7-26-unauthenticated", &rcpt).replace(
                        "5b1f17b1804b1-4394a1b2c3si90.11",
                        &format!("5b1f17b1804b1-{i}a1b2c3si90.11"),
                    ),
                )),
            )],
        });
        verdicts.insert(rcpt, "do-not-suppress");
        let rcpt = format!("blk{i}@example.net");
        v.push(Story {
            rcpt: rcpt.clone(),
            sends: vec![(
                s0 + 7 * day + i * 60,
                one(Try::Bounce(
                    "5.7.1".into(),
                    example("generic-spamhaus-listed", &rcpt),
                )),
            )],
        });
        verdicts.insert(rcpt, "do-not-suppress");
    }
    (v, rows, verdicts)
}
