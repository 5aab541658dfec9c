//! Reading and scoring the validation set (replies and bounces) for `corpus_validation`: the items, the split by source, the rates.
#![allow(clippy::unwrap_used)]

use super::corpus_validation_floors::BOUNCE_FILES_ADDED_LATER;
use mailtriage::reply::{self, Reply};
use mailtriage::rules::{BounceType, Decoded, RuleSet};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/validation")
}

/// FNV-1a 64 of a source id: an item is holdout when this is divisible by 3.
pub(crate) fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub(crate) fn split_of(group: &str) -> &'static str {
    if fnv1a64(group).is_multiple_of(3) {
        "holdout"
    } else {
        "dev"
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyFile {
    pub(crate) reply: Vec<ReplyItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplyItem {
    pub(crate) id: String,
    pub(crate) group: String,
    pub(crate) source: String,
    pub(crate) form: String,
    pub(crate) text: String,
    /// Acceptable provider ids; empty when the reply does not identify its provider.
    pub(crate) provider: Vec<String>,
    pub(crate) category: Vec<String>,
    pub(crate) action: Vec<String>,
    /// Checks the reply implicates; every one must be among the decoder's.
    pub(crate) checks: Vec<String>,
    pub(crate) why: String,
}

pub(crate) fn replies(split: &str) -> Vec<ReplyItem> {
    let path = match split {
        "dev" => root().join("replies/dev.toml"),
        _ => root().join("replies/holdout/replies.toml"),
    };
    let file: ReplyFile = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file.reply
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Codes {
    One(String),
    Any(Vec<String>),
}

impl Codes {
    pub(crate) fn list(&self) -> Vec<&str> {
        match self {
            Codes::One(s) => vec![s.as_str()],
            Codes::Any(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// What one project's tests state about one message; `None` where they state nothing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BounceItem {
    pub(crate) project: String,
    pub(crate) file: String,
    pub(crate) source: String,
    /// False for the challenge-response, auto-reply and other notices the tests call non-bounces.
    pub(crate) bounce: bool,
    pub(crate) kind: String,
    pub(crate) recipients: Option<Vec<String>>,
    /// Reported address -> the recipient it stands for (Final- vs Original-Recipient).
    #[serde(default)]
    pub(crate) aliases: BTreeMap<String, String>,
    pub(crate) status: Option<Codes>,
    pub(crate) smtp_code: Option<u16>,
    pub(crate) permanent: Option<bool>,
    /// `stated`, or the class of the stated status or reply code it was read from.
    pub(crate) permanent_from: Option<String>,
    /// A code the project infers from words and the message does not carry: kept, not scored.
    pub(crate) inferred_status: Option<Codes>,
    pub(crate) inferred_smtp_code: Option<u16>,
    #[serde(rename = "note")]
    pub(crate) _note: Option<String>,
}

pub(crate) fn bounces(split: &str) -> Vec<BounceItem> {
    let text =
        std::fs::read_to_string(root().join("bounces").join(split).join("expected.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Correct answers out of those scored.
#[derive(Default, Clone, Copy)]
pub(crate) struct Rate {
    pub(crate) ok: usize,
    pub(crate) n: usize,
}

impl Rate {
    pub(crate) fn add(&mut self, ok: bool) {
        self.n += 1;
        self.ok += usize::from(ok);
    }
    pub(crate) fn pct(self) -> f64 {
        if self.n == 0 {
            100.0
        } else {
            100.0 * self.ok as f64 / self.n as f64
        }
    }
    pub(crate) fn show(self) -> String {
        format!("{:.1} % ({}/{})", self.pct(), self.ok, self.n)
    }
}

pub(crate) fn list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

/// The first reply `explain` reports for an input, decoded; the error line when it refuses it.
pub(crate) fn first_decoded(rules: &RuleSet, input: &[u8]) -> Result<(Reply, Decoded), String> {
    let ex = rules.extract(input).map_err(|e| e.to_string())?;
    let r = ex.replies.into_iter().next().ok_or("no reply extracted")?;
    let d = rules.decode(&r);
    Ok((r, d))
}

pub(crate) fn score_replies(
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
pub(crate) fn permanent_of(r: &Reply) -> Option<bool> {
    r.finality.map(|f| f.permanent)
}

/// The five figures of one part, whether a reply decodes to a failure, and the disagreements;
/// with `only`, over the messages those projects had when the floor set was made (the files a
/// later round added to one of them, [`BOUNCE_FILES_ADDED_LATER`], are left out).
pub(crate) fn score_bounces(
    rules: &RuleSet,
    split: &str,
    only: Option<&[&str]>,
) -> ([Rate; 5], Rate, Vec<String>) {
    let [mut found, mut precise, mut status, mut perm, mut nonb] = [Rate::default(); 5];
    let mut detected = Rate::default();
    let mut lines = Vec::new();
    for it in bounces(split) {
        if only.is_some_and(|o| {
            !o.contains(&it.project.as_str())
                || BOUNCE_FILES_ADDED_LATER
                    .iter()
                    .any(|(p, f)| *p == it.project && *f == it.file)
        }) {
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

/// Every `category` value and every `examples` string in the repository's rules files.
pub(crate) fn rule_vocabulary() -> (BTreeSet<String>, Vec<(String, String)>) {
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
