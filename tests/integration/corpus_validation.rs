//! The validation set: replies and bounces from sources the rules were not written from, decoded as `explain` does.
//!
//! `tests/fixtures/validation/README.md` describes the set, its sources, the split and how a
//! source's statement became an expectation. Dev and holdout are scored separately; each figure
//! has a floor at the value reached when it was last raised (a ratchet: raise it, never lower it).
//! Dev disagreements are pinned in one snapshot, holdout disagreements in a separate
//! `*_holdout_*` snapshot that nobody writing rules or decoder code may read.
#![allow(clippy::unwrap_used)]

use super::corpus_validation_support::{
    bounces, replies, root, rule_vocabulary, score_bounces, score_replies, split_of,
};
use mailtriage::rules::{RuleSet, known_checks};
use std::collections::{BTreeMap, BTreeSet};

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
/// labels were made to follow the provider rule (tests/fixtures/validation/README.md).
/// Round six (ids `v001`-`v122`, December 2026) grew the set to 1148 replies; the floors were set
/// to what the whole set measured once the classes its dev part showed were read by their words
/// (the replies of before keep theirs in `REPLY_FLOORS_BEFORE_ROUND_SIX`).
const REPLY_FLOORS: ReplyFloors = [
    ("dev", [93.7, 96.0, 96.0, 99.2]),
    ("holdout", [86.9, 86.1, 89.1, 96.3]),
];
/// The 874 replies before round five, held at the floors they had reached when it joined.
type ReplyFloors = [(&'static str, [f64; 4]); 2];
const REPLY_FLOORS_BEFORE_ROUND_FIVE: ReplyFloors = [
    ("dev", [99.2, 97.7, 97.4, 100.0]),
    ("holdout", [89.0, 87.1, 88.6, 94.8]),
];
/// The 1026 replies before round six (ids `w152` and before), held at the floors the whole set
/// had reached when round six (ids `v001`-) joined.
const REPLY_FLOORS_BEFORE_ROUND_SIX: ReplyFloors = [
    ("dev", [94.8, 96.6, 96.2, 99.2]),
    ("holdout", [86.3, 85.4, 88.1, 93.8]),
];
/// The false provider claims of the replies before round six, at the ceiling they had then.
const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_SIX: [(&str, usize); 2] = [("dev", 0), ("holdout", 5)];
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
/// to holdout, measured when they joined. Round six's brought none.
const MAX_FALSE_PROVIDER_CLAIMS: [(&str, usize); 2] = [("dev", 0), ("holdout", 5)];
/// The set may grow, never shrink below what the issue asks for.
const MIN_REPLIES: usize = 400;
const MIN_BOUNCES: usize = 200;

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
    // Earlier rounds' replies stay at the floors (and false-claim ceilings) they had reached
    // when the next round joined; each subset is named by the id letters it leaves out.
    type Subset = (
        &'static str,
        fn(&str) -> bool,
        ReplyFloors,
        [(&'static str, usize); 2],
    );
    let subsets: [Subset; 2] = [
        (
            "before round five",
            |id| !id.starts_with('w') && !id.starts_with('v'),
            REPLY_FLOORS_BEFORE_ROUND_FIVE,
            MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_FIVE,
        ),
        (
            "before round six",
            |id| !id.starts_with('v'),
            REPLY_FLOORS_BEFORE_ROUND_SIX,
            MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_SIX,
        ),
    ];
    for (name, keep, part_floors, ceilings) in subsets {
        for (split, floors) in part_floors {
            let (rates, false_claims, _) = score_replies(&rules, split, keep);
            eprintln!(
                "validation replies {split} {name}: provider {}; false provider claims {}; \
                 category {}; action {}; every implicated check {}",
                rates[0].show(),
                false_claims.n - false_claims.ok,
                rates[1].show(),
                rates[2].show(),
                rates[3].show()
            );
            let claims = false_claims.n - false_claims.ok;
            let ceiling = ceilings
                .iter()
                .find(|(s, _)| *s == split)
                .map_or(0, |(_, c)| *c);
            if claims > ceiling {
                below.push(format!(
                    "{split} {name}: {claims} false provider claims > {ceiling}"
                ));
            }
            let names = ["provider", "category", "action", "checks"];
            for ((rate, floor), figure) in rates.iter().zip(floors).zip(names) {
                if rate.pct() < floor {
                    below.push(format!(
                        "{split} {name} {figure} {:.1} % < {floor} %",
                        rate.pct()
                    ));
                }
            }
        }
    }
    // Round six alone (ids `v001`-): printed, not held, so that its own figure can be read
    // (tests/fixtures/validation/README.md gives the one measured before any rule changed).
    for split in ["dev", "holdout"] {
        let (rates, false_claims, _) = score_replies(&rules, split, |id| id.starts_with('v'));
        eprintln!(
            "validation replies {split} round six alone: provider {}; false provider claims {} of {}; \
             category {}; action {}; every implicated check {}",
            rates[0].show(),
            false_claims.n - false_claims.ok,
            false_claims.n,
            rates[1].show(),
            rates[2].show(),
            rates[3].show()
        );
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
