//! The validation set: replies and bounces from sources the rules were not written from, decoded as `explain` does.
//!
//! `tests/fixtures/validation/README.md` describes the set, its sources, the split and how a
//! source's statement became an expectation. Dev and holdout are scored separately; each figure
//! has a floor at the value reached when it was last raised (a ratchet: raise it, never lower it).
//! Dev disagreements are pinned in one snapshot, holdout disagreements in a separate
//! `*_holdout_*` snapshot that nobody writing rules or decoder code may read.
#![allow(clippy::unwrap_used)]

use mailtriage::reply::{self, Reply};
use mailtriage::rules::{BounceType, Decoded, RuleSet, known_checks};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Floors in percent, per split: [provider, category, action, checks] for replies and
/// [recipients found, reported are recipients, status, permanent/temporary, non-bounces] for
/// bounces. Each is the figure measured when it was set, rounded down.
/// Reply floors were set again when round three (December 2026, ids `y001`-`y150`) grew the set
/// from 570 to 720 replies: the new texts moved the figures (measurement grew; no rule was
/// weakened). On the 570 replies of before, the figures stayed at or above the old floors.
/// Round four (ids `z001`-`z154`) grew it to 874 replies and the floors were set to what it
/// measured then, for the same reason; the 720 replies of before kept their figures. Provider
/// floors raised after (answering hosts read from Exim, cPanel, Sendmail, Exchange Server and
/// transcript forms; more of Gmail's and Exchange Online's own sentences). Dev action raised
/// when an HTTP API's status stopped being read as an SMTP code (forms10).
/// Round five (ids `w001`-`w152`, December 2026) grew the set to 1026 replies from sources no
/// earlier round used; the floors were set to what the whole set measured then (measurement
/// grew; no rule was weakened), and the replies of before keep theirs in
/// `REPLY_FLOORS_BEFORE_ROUND_FIVE`. Dev floors raised to the figures measured when round five met
/// forms10's HTTP API reading and bounce10 on main; dev provider raised (and dev false claims
/// held at 0) when provider10 told Exchange Server's own tokens from Microsoft 365 and four dev
/// labels were made to follow the provider rule (tests/fixtures/validation/README.md). Dev
/// provider, category and action and holdout provider raised when sending services' API
/// refusals without an SMTP code were read and their services named (esp11).
const REPLY_FLOORS: [(&str, [f64; 4]); 2] = [
    ("dev", [97.0, 97.1, 96.7, 99.2]),
    ("holdout", [86.9, 85.4, 88.1, 93.8]),
];
/// The 874 replies before round five, held at the floors they had reached when it joined.
const REPLY_FLOORS_BEFORE_ROUND_FIVE: [(&str, [f64; 4]); 2] = [
    ("dev", [99.2, 97.7, 97.4, 100.0]),
    ("holdout", [89.0, 87.1, 88.6, 94.8]),
];
/// The false provider claims of the replies before round five (see `MAX_FALSE_PROVIDER_CLAIMS`).
const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_FIVE: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 3)];
type PartFloors = [(&'static str, [f64; 5]); 2];
const BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.2, 100.0, 100.0, 100.0, 100.0]),
    ("holdout", [96.6, 100.0, 92.3, 92.4, 87.5]),
];
/// The bounce projects in the order they joined the set. Each earlier floor set stays on exactly
/// the projects it was set on (a prefix of this list), so that a message added later cannot move
/// a ratchet set before it came.
const BOUNCE_PROJECTS_IN_ORDER: [&str; 28] = [
    // the first seven: [`BOUNCE_FLOORS`]
    "Mail-DeliveryStatus-BounceParser",
    "MailBounceDetector",
    "bounce_email",
    "flanker",
    "flufl.bounce",
    "mail",
    "whois",
    // up to thirteen: [`GROWN_BOUNCE_FLOORS`]
    "PHP-Bounce-Handler",
    "bounced",
    "froide",
    "MimeKit",
    "mail_manager",
    "mail-auth",
    // up to nineteen: [`NINETEEN_BOUNCE_FLOORS`]
    "node-baunsu",
    "alaveteli",
    "salmon",
    "discourse",
    "zammad",
    "civicrm",
    // up to twenty-three: [`TWENTY_THREE_BOUNCE_FLOORS`]
    "CwsMailBounceHandler",
    "mailbounce",
    "mediawiki-BounceHandler",
    "tmail_bouncer",
    // up to twenty-seven: [`TWENTY_SEVEN_BOUNCE_FLOORS`]
    "mail-server",
    "mox",
    "relay",
    "newsletter",
    // up to twenty-eight: [`TWENTY_EIGHT_BOUNCE_FLOORS`]
    "chatmail-core",
];
/// Floors on the first thirteen projects, those of early December 2026 included (the README
/// lists them), set when they were added: the same ratchet, on the grown set.
const GROWN_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.2, 100.0, 100.0, 100.0, 100.0]),
    ("holdout", [96.9, 100.0, 88.8, 93.4, 90.0]),
];
/// Floors on the nineteen projects of the second and third December 2026 rounds (node-baunsu,
/// Alaveteli, Salmon; Discourse, Zammad, CiviCRM), set when they were added.
const NINETEEN_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.3, 100.0, 100.0, 100.0, 100.0]),
    ("holdout", [97.0, 100.0, 88.8, 94.1, 90.9]),
];
/// Floors on the twenty-three projects up to the fourth round (CwsMailBounceHandler,
/// mailbounce, MediaWiki's BounceHandler, tmail_bouncer), set when it was added.
const TWENTY_THREE_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.3, 100.0, 100.0, 100.0, 97.7]),
    ("holdout", [97.1, 100.0, 90.4, 94.5, 93.3]),
];
/// Floors on the twenty-seven projects up to the sixth round (Stalwart's mail server and mox in
/// the fifth, Hyvor Relay and Ecodev's Newsletter in the sixth), as they stood when the seventh
/// round (chatmail core) was added.
const TWENTY_SEVEN_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 97.8]),
    ("holdout", [97.1, 100.0, 90.4, 94.5, 94.7]),
];
/// Floors on the twenty-eight projects up to the seventh round (chatmail core, Delta Chat's
/// core library), as they stood when the eighth (Dada Mail) was added.
const TWENTY_EIGHT_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 98.0]),
    ("holdout", [96.1, 98.6, 92.3, 94.9, 95.6]),
];
/// Floors on the whole bounce set, the eighth round included (Dada Mail's bounce handler and
/// hitobito's list mailbox), set when it was added; dev recipients raised when a message written to oneself kept its
/// recipient.
const ALL_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 98.1]),
    ("holdout", [95.1, 98.7, 92.5, 95.1, 95.8]),
];
/// A ceiling, not a floor: replies that name no provider but are decoded with one. Claiming a
/// provider everywhere would raise the provider figure; this keeps that honest. Per split:
/// holdout holds one reply in Tencent QQ's own "frequency limited" wording that its labeler did
/// not read as naming a provider, while the rules (from Tencent's published list) do; the
/// dev item of the same wording was relabelled `qq`, the holdout one is left as labelled.
/// Round three's holdout texts (December 2026) brought one more, measured when they joined.
/// Round four's texts brought two to dev (Exchange's RESOLVER.ADR words from a hosted Exchange
/// that is not Microsoft's, and Gmail's spam wording reused by another host's filter) and one to
/// holdout, measured when they joined; the provider rules' owners were told. Round five's
/// brought one to dev (Exchange Server's on-premises "5.7.60 ... send as this sender") and two
/// to holdout, measured when they joined.
const MAX_FALSE_PROVIDER_CLAIMS: [(&str, usize); 2] = [("dev", 0), ("holdout", 5)];
/// The set may grow, never shrink below what the issue asks for.
const MIN_REPLIES: usize = 400;
const MIN_BOUNCES: usize = 200;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validation")
}

/// FNV-1a 64 of a source id: an item is holdout when this is divisible by 3.
fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn split_of(group: &str) -> &'static str {
    if fnv1a64(group).is_multiple_of(3) {
        "holdout"
    } else {
        "dev"
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyFile {
    reply: Vec<ReplyItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyItem {
    id: String,
    group: String,
    source: String,
    form: String,
    text: String,
    /// Acceptable provider ids; empty when the reply does not identify its provider.
    provider: Vec<String>,
    category: Vec<String>,
    action: Vec<String>,
    /// Checks the reply implicates; every one must be among the decoder's.
    checks: Vec<String>,
    why: String,
}

fn replies(split: &str) -> Vec<ReplyItem> {
    let path = match split {
        "dev" => root().join("replies/dev.toml"),
        _ => root().join("replies/holdout/replies.toml"),
    };
    let file: ReplyFile = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file.reply
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Codes {
    One(String),
    Any(Vec<String>),
}

impl Codes {
    fn list(&self) -> Vec<&str> {
        match self {
            Codes::One(s) => vec![s.as_str()],
            Codes::Any(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// What one project's tests state about one message; `None` where they state nothing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BounceItem {
    project: String,
    file: String,
    source: String,
    /// False for the challenge-response, auto-reply and other notices the tests call non-bounces.
    bounce: bool,
    kind: String,
    recipients: Option<Vec<String>>,
    /// Reported address -> the recipient it stands for (Final- vs Original-Recipient).
    #[serde(default)]
    aliases: BTreeMap<String, String>,
    status: Option<Codes>,
    smtp_code: Option<u16>,
    permanent: Option<bool>,
    /// `stated`, or the class of the stated status or reply code it was read from.
    permanent_from: Option<String>,
    /// A code the project infers from words and the message does not carry: kept, not scored.
    inferred_status: Option<Codes>,
    inferred_smtp_code: Option<u16>,
    #[serde(rename = "note")]
    _note: Option<String>,
}

fn bounces(split: &str) -> Vec<BounceItem> {
    let text =
        std::fs::read_to_string(root().join("bounces").join(split).join("expected.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Correct answers out of those scored.
#[derive(Default, Clone, Copy)]
struct Rate {
    ok: usize,
    n: usize,
}

impl Rate {
    fn add(&mut self, ok: bool) {
        self.n += 1;
        self.ok += usize::from(ok);
    }
    fn pct(self) -> f64 {
        if self.n == 0 {
            100.0
        } else {
            100.0 * self.ok as f64 / self.n as f64
        }
    }
    fn show(self) -> String {
        format!("{:.1} % ({}/{})", self.pct(), self.ok, self.n)
    }
}

fn list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

/// The first reply `explain` reports for an input, decoded; the error line when it refuses it.
fn first_decoded(rules: &RuleSet, input: &[u8]) -> Result<(Reply, Decoded), String> {
    let ex = rules.extract(input).map_err(|e| e.to_string())?;
    let r = ex.replies.into_iter().next().ok_or("no reply extracted")?;
    let d = rules.decode(&r);
    Ok((r, d))
}

fn score_replies(
    rules: &RuleSet,
    split: &str,
    keep: fn(&str) -> bool,
) -> ([Rate; 4], Rate, Vec<String>) {
    let [mut prov, mut cat, mut act, mut chk] = [Rate::default(); 4];
    let mut false_claims = Rate::default();
    let mut lines = Vec::new();
    for it in replies(split).into_iter().filter(|it| keep(&it.id)) {
        let got = first_decoded(rules, it.text.as_bytes());
        let mut miss = Vec::new();
        let (p, c, a, k, rule) = match &got {
            Ok((_, d)) => (
                d.provider.as_ref().map(|p| p.id.clone()),
                d.category.clone(),
                d.action.as_str().to_string(),
                d.checks.clone(),
                d.rule.id.clone(),
            ),
            Err(e) => {
                miss.push(format!("extract: {e}"));
                (None, "-".into(), "-".into(), Vec::new(), "-".into())
            }
        };
        if it.provider.is_empty() {
            // A reply that names no provider: claiming one is a false claim (counted apart).
            false_claims.add(p.is_none());
            if let Some(p) = &p {
                miss.push(format!("provider want none got {p}"));
            }
        } else {
            let ok = p.as_ref().is_some_and(|p| it.provider.contains(p));
            prov.add(ok);
            if !ok {
                miss.push(format!(
                    "provider want {} got {}",
                    list(&it.provider),
                    p.as_deref().unwrap_or("-")
                ));
            }
        }
        let ok = it.category.contains(&c);
        cat.add(ok);
        if !ok {
            miss.push(format!("category want {} got {c}", list(&it.category)));
        }
        let ok = it.action.contains(&a);
        act.add(ok);
        if !ok {
            miss.push(format!("action want {} got {a}", list(&it.action)));
        }
        if !it.checks.is_empty() {
            let ok = it.checks.iter().all(|x| k.contains(x));
            chk.add(ok);
            if !ok {
                miss.push(format!("checks want {} got {}", list(&it.checks), list(&k)));
            }
        }
        if !miss.is_empty() {
            lines.push(format!(
                "{} [{}] {} (rule {rule})",
                it.id,
                it.form,
                miss.join(" | ")
            ));
        }
    }
    ([prov, cat, act, chk], false_claims, lines)
}

/// Whether the failure is permanent, as `explain` reports it (`permanent`): the reporting
/// server gave up (also on a 4.x.x code it met last) or is still retrying. A reply that
/// reports no failure (`null`) answers neither.
fn permanent_of(r: &Reply) -> Option<bool> {
    r.finality.map(|f| f.permanent)
}

/// The five figures of one part, whether a reply decodes to a failure, and the disagreements;
/// with `only`, over the messages of those projects.
fn score_bounces(
    rules: &RuleSet,
    split: &str,
    only: Option<&[&str]>,
) -> ([Rate; 5], Rate, Vec<String>) {
    let [mut found, mut precise, mut status, mut perm, mut nonb] = [Rate::default(); 5];
    let mut detected = Rate::default();
    let mut lines = Vec::new();
    for it in bounces(split) {
        if only.is_some_and(|o| !o.contains(&it.project.as_str())) {
            continue;
        }
        let bytes = std::fs::read(
            root()
                .join("bounces")
                .join(split)
                .join(&it.project)
                .join(&it.file),
        )
        .unwrap();
        let decoded: Vec<(Reply, Decoded)> = reply::extract(&bytes)
            .map(|x| {
                x.replies
                    .into_iter()
                    .map(|r| {
                        let d = rules.decode(&r);
                        (r, d)
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A message is reported as a failure when a reply of it decodes to a bounce type.
        let failure = decoded
            .iter()
            .any(|(_, d)| d.bounce_type != BounceType::None);
        let mut miss = Vec::new();
        if !it.bounce {
            nonb.add(!failure);
            if failure {
                miss.push(format!("{} decoded as a failure", it.kind));
            }
        } else {
            detected.add(failure);
            if let Some(want) = &it.recipients {
                let want: BTreeSet<String> = want.iter().map(|a| a.to_lowercase()).collect();
                let got: BTreeSet<String> = decoded
                    .iter()
                    .filter_map(|(r, _)| r.recipient.as_ref())
                    .map(|a| a.to_lowercase())
                    .map(|a| it.aliases.get(&a).cloned().unwrap_or(a))
                    .collect();
                let missing: Vec<&String> = want.difference(&got).collect();
                let extra: Vec<&String> = got.difference(&want).collect();
                for a in &want {
                    found.add(got.contains(a));
                }
                for a in &got {
                    precise.add(want.contains(a));
                }
                if !missing.is_empty() || !extra.is_empty() {
                    miss.push(format!("recipients missing {missing:?} extra {extra:?}"));
                }
            }
            let first = decoded.first();
            if let Some(want) = &it.status {
                let got = first.and_then(|(r, _)| r.enhanced.as_deref());
                let ok = got.is_some_and(|g| want.list().contains(&g));
                status.add(ok);
                if !ok {
                    miss.push(format!(
                        "status want {:?} got {}",
                        want.list(),
                        got.unwrap_or("-")
                    ));
                }
            } else if let Some(want) = it.smtp_code {
                let got = first.and_then(|(r, _)| r.basic);
                status.add(got == Some(want));
                if got != Some(want) {
                    miss.push(format!("reply code want {want} got {got:?}"));
                }
            }
            if let Some(want) = it.permanent {
                let got = first.and_then(|(r, _)| permanent_of(r));
                perm.add(got == Some(want));
                if got != Some(want) {
                    miss.push(format!("permanent want {want} got {got:?}"));
                }
            }
        }
        if !miss.is_empty() {
            lines.push(format!("{}/{}: {}", it.project, it.file, miss.join(" | ")));
        }
    }
    ([found, precise, status, perm, nonb], detected, lines)
}

#[test]
fn validation_replies_decode_at_or_above_their_floors() {
    let rules = RuleSet::load(None).unwrap();
    let mut below = Vec::new();
    for (split, floors) in REPLY_FLOORS {
        let (rates, false_claims, lines) = score_replies(&rules, split, |_| true);
        eprintln!(
            "validation replies {split}: provider {}; false provider claims {} of {} replies naming none; \
             category {}; action {}; every implicated check {}",
            rates[0].show(),
            false_claims.n - false_claims.ok,
            false_claims.n,
            rates[1].show(),
            rates[2].show(),
            rates[3].show()
        );
        insta::assert_snapshot!(
            format!("validation_replies_{split}_disagreements"),
            lines.join("\n")
        );
        let claims = false_claims.n - false_claims.ok;
        let ceiling = MAX_FALSE_PROVIDER_CLAIMS
            .iter()
            .find(|(s, _)| *s == split)
            .map_or(0, |(_, c)| *c);
        if claims > ceiling {
            below.push(format!(
                "{split}: {claims} false provider claims > {ceiling}"
            ));
        }
        let names = ["provider", "category", "action", "checks"];
        for ((rate, floor), name) in rates.iter().zip(floors).zip(names) {
            if rate.pct() < floor {
                below.push(format!("{split} {name} {:.1} % < {floor} %", rate.pct()));
            }
        }
    }
    // The replies of before round five stay at their own floors.
    for (split, floors) in REPLY_FLOORS_BEFORE_ROUND_FIVE {
        let (rates, false_claims, _) = score_replies(&rules, split, |id| !id.starts_with('w'));
        eprintln!(
            "validation replies {split} before round five: provider {}; false provider claims {}; \
             category {}; action {}; every implicated check {}",
            rates[0].show(),
            false_claims.n - false_claims.ok,
            rates[1].show(),
            rates[2].show(),
            rates[3].show()
        );
        let claims = false_claims.n - false_claims.ok;
        let ceiling = MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_FIVE
            .iter()
            .find(|(s, _)| *s == split)
            .map_or(0, |(_, c)| *c);
        if claims > ceiling {
            below.push(format!(
                "{split} before round five: {claims} false provider claims > {ceiling}"
            ));
        }
        let names = ["provider", "category", "action", "checks"];
        for ((rate, floor), name) in rates.iter().zip(floors).zip(names) {
            if rate.pct() < floor {
                below.push(format!(
                    "{split} before round five {name} {:.1} % < {floor} %",
                    rate.pct()
                ));
            }
        }
    }
    assert!(below.is_empty(), "below the floors: {below:?}");
}

#[test]
fn validation_bounces_decode_at_or_above_their_floors() {
    let rules = RuleSet::load(None).unwrap();
    let mut below = Vec::new();
    let sets: [(&str, Option<&[&str]>, PartFloors); 7] = [
        (
            "first projects",
            Some(&BOUNCE_PROJECTS_IN_ORDER[..7]),
            BOUNCE_FLOORS,
        ),
        (
            "thirteen projects",
            Some(&BOUNCE_PROJECTS_IN_ORDER[..13]),
            GROWN_BOUNCE_FLOORS,
        ),
        (
            "nineteen projects",
            Some(&BOUNCE_PROJECTS_IN_ORDER[..19]),
            NINETEEN_BOUNCE_FLOORS,
        ),
        (
            "twenty-three projects",
            Some(&BOUNCE_PROJECTS_IN_ORDER[..23]),
            TWENTY_THREE_BOUNCE_FLOORS,
        ),
        (
            "twenty-seven projects",
            Some(&BOUNCE_PROJECTS_IN_ORDER[..27]),
            TWENTY_SEVEN_BOUNCE_FLOORS,
        ),
        (
            "twenty-eight projects",
            Some(&BOUNCE_PROJECTS_IN_ORDER[..]),
            TWENTY_EIGHT_BOUNCE_FLOORS,
        ),
        ("all", None, ALL_BOUNCE_FLOORS),
    ];
    for (set, only, set_floors) in sets {
        for (split, floors) in set_floors {
            let (rates, detected, lines) = score_bounces(&rules, split, only);
            eprintln!(
                "validation bounces {split} ({set}): recipients found {}; reported addresses that are recipients {}; \
                 status {}; permanent/temporary {}; non-bounces reported as such {}; bounces reported as failures {}",
                rates[0].show(),
                rates[1].show(),
                rates[2].show(),
                rates[3].show(),
                rates[4].show(),
                detected.show()
            );
            if only.is_none() {
                insta::assert_snapshot!(
                    format!("validation_bounces_{split}_disagreements"),
                    lines.join("\n")
                );
            }
            let names = [
                "recipients found",
                "precision",
                "status",
                "permanent",
                "non-bounces",
            ];
            for ((rate, floor), name) in rates.iter().zip(floors).zip(names) {
                if rate.pct() < floor {
                    below.push(format!(
                        "{split} ({set}) {name} {:.1} % < {floor} %",
                        rate.pct()
                    ));
                }
            }
        }
    }
    assert!(below.is_empty(), "below the floors: {below:?}");
}

/// Every `category` value and every `examples` string in the repository's rules files.
fn rule_vocabulary() -> (BTreeSet<String>, Vec<(String, String)>) {
    fn walk(
        v: &toml::Value,
        file: &str,
        cats: &mut BTreeSet<String>,
        ex: &mut Vec<(String, String)>,
    ) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let strings = || -> Vec<String> {
                        match v {
                            toml::Value::String(s) => vec![s.clone()],
                            toml::Value::Array(a) => a
                                .iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect(),
                            _ => Vec::new(),
                        }
                    };
                    match k.as_str() {
                        "category" => cats.extend(strings()),
                        "examples" => {
                            ex.extend(strings().into_iter().map(|e| (file.to_string(), e)))
                        }
                        _ => walk(v, file, cats, ex),
                    }
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|x| walk(x, file, cats, ex)),
            _ => {}
        }
    }
    let (mut cats, mut ex) = (BTreeSet::new(), Vec::new());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let v: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            walk(&v, &name, &mut cats, &mut ex);
        }
    }
    // The decoder's answer when no rule applies.
    cats.insert("unknown".into());
    (cats, ex)
}

#[test]
fn validation_items_are_split_by_source_and_use_the_rules_vocabulary() {
    let (cats, _) = rule_vocabulary();
    let mut ids = BTreeSet::new();
    let mut n_replies = 0;
    for split in ["dev", "holdout"] {
        for it in replies(split) {
            n_replies += 1;
            assert!(
                ids.insert(it.id.clone()),
                "reply id {} is not unique",
                it.id
            );
            assert_eq!(
                split_of(&it.group),
                split,
                "reply {} is in the wrong split",
                it.id
            );
            assert!(
                it.source.starts_with("http"),
                "reply {} has no source URL",
                it.id
            );
            assert!(!it.text.trim().is_empty() && !it.why.trim().is_empty() && !it.form.is_empty());
            assert!(
                !it.category.is_empty() && !it.action.is_empty(),
                "reply {}",
                it.id
            );
            for c in &it.category {
                assert!(
                    cats.contains(c),
                    "reply {}: category `{c}` is not in the rules' vocabulary",
                    it.id
                );
            }
            for a in &it.action {
                let parsed: Result<mailtriage::rules::Action, _> =
                    serde_json::from_value(serde_json::Value::String(a.clone()));
                assert!(parsed.is_ok(), "reply {}: `{a}` is not an action", it.id);
            }
            for c in &it.checks {
                assert!(
                    known_checks().contains(&c.as_str()),
                    "reply {}: `{c}` is not a check",
                    it.id
                );
            }
        }
    }
    assert!(
        n_replies >= MIN_REPLIES,
        "{n_replies} replies; the set needs {MIN_REPLIES}"
    );

    let mut n_bounces = 0;
    for split in ["dev", "holdout"] {
        let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for it in bounces(split) {
            n_bounces += 1;
            let key = format!("{}/{}", it.project, it.file);
            assert_eq!(split_of(&key), split, "{key} is in the wrong split");
            assert!(it.source.starts_with("http"), "{key} has no source");
            assert!(
                it.bounce || (it.status.is_none() && it.permanent.is_none()),
                "{key}: a non-bounce states no status"
            );
            assert_eq!(
                it.permanent.is_some(),
                it.permanent_from.is_some(),
                "{key}: permanent_from"
            );
            assert!(
                it.inferred_status.is_none() || it.status.is_none(),
                "{key}: status twice"
            );
            assert!(
                it.inferred_smtp_code.is_none() || it.smtp_code.is_none(),
                "{key}: code twice"
            );
            assert!(
                listed
                    .entry(it.project.clone())
                    .or_default()
                    .insert(it.file.clone()),
                "{key} twice"
            );
        }
        for (project, files) in &listed {
            let dir = root().join("bounces").join(split).join(project);
            let mut on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect();
            assert!(
                on_disk.remove("LICENSE"),
                "{} has no LICENSE",
                dir.display()
            );
            assert_eq!(
                &on_disk,
                files,
                "{}: files and expectations differ",
                dir.display()
            );
        }
    }
    assert!(
        n_bounces >= MIN_BOUNCES,
        "{n_bounces} bounces; the set needs {MIN_BOUNCES}"
    );
}

/// No validation reply may equal, contain or be contained in a rule example longer than 40
/// characters (compared lowercased, whitespace collapsed): texts are not to be copied into rules.
#[test]
fn validation_replies_are_not_rule_examples() {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let (_, examples) = rule_vocabulary();
    let examples: Vec<(String, String)> = examples
        .into_iter()
        .map(|(f, e)| (f, norm(&e)))
        .filter(|(_, e)| e.chars().count() > 40)
        .collect();
    let mut copied = Vec::new();
    for split in ["dev", "holdout"] {
        for it in replies(split) {
            let t = norm(&it.text);
            if let Some((file, e)) = examples
                .iter()
                .find(|(_, e)| t.contains(e.as_str()) || e.contains(&t))
            {
                // Holdout texts are never printed; the example is the rule file's own.
                copied.push(format!(
                    "{} ({split}) and an example in rules/{file}: {e}",
                    it.id
                ));
            }
        }
    }
    assert!(
        copied.is_empty(),
        "validation replies overlap rule examples: {copied:#?}"
    );
}
