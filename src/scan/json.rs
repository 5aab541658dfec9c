//! `mailtriage.scan/v1`: the summary as JSON, with everything merging needs (every failing
//! address's full history, every delivered address's count and last delivery, hourly counts with
//! first and last times) so `scan --merge` rebuilds exactly the state one scan of all inputs has.

use super::Scanned;
use super::decide::Verdict;
use super::lines::Status;
use super::outcome::{Outcome, Table};
use super::policy::Policy;
use super::skip::Count;
use super::state::{Bucket, FailEvent, InputReport, State};
use super::summary::Summary;
use super::time::{UNKNOWN, parse_rfc3339, rfc3339};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The schema id; bump only with a new file under schemas/.
pub const SCHEMA: &str = "mailtriage.scan/v1";

fn t(ts: i64) -> Value {
    if ts == UNKNOWN {
        Value::Null
    } else {
        Value::String(rfc3339(ts))
    }
}

fn input_value(i: &InputReport) -> Value {
    json!({
        "name": i.name,
        "form": i.form,
        "lines": i.lines,
        "messages": i.messages,
        "results": i.results,
        "skipped": i.skipped.0,
        "error": i.error,
        "year_from": i.year_from,
        "backwards": i.backwards,
        "max_back_seconds": i.max_back_seconds,
    })
}

/// Writes one `"key":value` member of the top-level object.
fn member(out: &mut dyn Write, first: &mut bool, key: &str, value: &Value) -> io::Result<()> {
    if !*first {
        out.write_all(b",")?;
    }
    *first = false;
    crate::safe_json::json_compact(&mut *out, key)?;
    out.write_all(b":")?;
    crate::safe_json::json_compact(&mut *out, value)
}

/// Writes `"key":[...]` one element at a time, so a million addresses never sit in memory as
/// one JSON value.
fn array<T, V: Serialize>(
    out: &mut dyn Write,
    first: &mut bool,
    key: &str,
    items: impl Iterator<Item = T>,
    value: impl Fn(T) -> V,
) -> io::Result<()> {
    if !*first {
        out.write_all(b",")?;
    }
    *first = false;
    crate::safe_json::json_compact(&mut *out, key)?;
    out.write_all(b":[")?;
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        crate::safe_json::json_compact(&mut *out, &value(item))?;
    }
    out.write_all(b"]")
}

fn to_value<T: serde::Serialize>(v: &T) -> io::Result<Value> {
    serde_json::to_value(v).map_err(io::Error::other)
}

/// A document for at most this many addresses is written by two threads, each into memory (a
/// Maildir's, a day's log of a small sender); a larger one is streamed by one, so that a million
/// addresses never sit in memory as JSON text.
const TWO_THREADS_UP_TO: usize = 20_000;

/// Writes the whole document (compact, one line, a trailing newline), streaming the long arrays.
pub fn write(out: &mut dyn Write, s: &Scanned, sum: &Summary, policy: &Policy) -> io::Result<()> {
    let two = s.state.book.len() <= TWO_THREADS_UP_TO && s.outcomes.len() <= TWO_THREADS_UP_TO;
    write_with(out, s, sum, policy, two)
}

/// [`write`], with the second half of the document (from the outcomes on) written by two
/// threads when `two`: it runs after the last message is read, while the other core is idle
/// (a tenth of a Maildir scan's critical path was this serial tail, callgrind). The bytes are the
/// same either way (`two_threads_write_what_one_writes`).
fn write_with(
    out: &mut dyn Write,
    s: &Scanned,
    sum: &Summary,
    policy: &Policy,
    two: bool,
) -> io::Result<()> {
    let (state, outcomes) = (&s.state, &s.outcomes);
    let mut skipped: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
    for i in &state.inputs {
        for c in &i.skipped.0 {
            let slot = skipped
                .entry(c.reason.id())
                .or_insert((0, c.reason.describe()));
            slot.0 += c.count;
        }
    }
    let code_of = |o: Option<u32>| o.map(|o| outcomes[o as usize].code());
    let provider_of = |o: Option<u32>| o.and_then(|o| outcomes[o as usize].provider.clone());
    let rule_of = |v: Verdict| {
        let key = match v {
            Verdict::KeepRetrying => "suppress-soft",
            other => other.as_str(),
        };
        policy.rule(key).map(|r| r.id.clone())
    };
    let mut first = true;
    out.write_all(b"{")?;
    let f = &mut first;
    member(out, f, "schema", &json!(SCHEMA))?;
    member(
        out,
        f,
        "tool",
        &json!({"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")}),
    )?;
    member(out, f, "rules_version", &json!(crate::rules::version()))?;
    member(
        out,
        f,
        "settings",
        &json!({
            "soft_failures": policy.threshold.failures,
            "soft_days": policy.threshold.days,
            "threshold_from": policy.threshold.from,
            "threshold_source": policy.threshold.source,
            "pattern_min_events": sum.settings.min_events,
            "pattern_min_share": sum.settings.min_share,
            "times": "UTC; syslog and Exim times without a zone are read as UTC",
        }),
    )?;
    array(out, f, "inputs", state.inputs.iter(), input_value)?;
    member(
        out,
        f,
        "totals",
        &json!({
            "delivered": sum.totals.delivered,
            "deferred": sum.totals.deferred,
            "bounced": sum.totals.bounced,
            "other": sum.totals.other,
            "addresses": sum.addresses,
            "unattributed": state.unattributed,
            "skipped": skipped.values().map(|v| v.0).sum::<u64>(),
        }),
    )?;
    array(
        out,
        f,
        "skipped",
        skipped.iter(),
        |(r, (n, d))| json!({"reason": r, "description": d, "count": n}),
    )?;
    member(
        out,
        f,
        "time",
        &json!({
            "first": t(sum.first),
            "last": t(sum.last),
            "backwards": state.inputs.iter().map(|i| i.backwards).sum::<u64>(),
            "max_back_seconds": state.inputs.iter().map(|i| i.max_back_seconds).max().unwrap_or(0),
        }),
    )?;
    // The outcomes up to the verdicts, and the rest: about half of the remaining work each.
    let middle = |out: &mut dyn Write| -> io::Result<()> {
        let f = &mut false;
        array(out, f, "outcomes", outcomes.iter(), SortedOutcome)?;
        member(out, f, "breakdown", &to_value(&sum.breakdown)?)?;
        member(out, f, "codes", &to_value(&sum.codes)?)?;
        member(out, f, "by_sending_domain", &to_value(&sum.by_sender)?)?;
        member(out, f, "by_sending_ip", &to_value(&sum.by_ip)?)?;
        array(
            out,
            f,
            "by_recipient_domain",
            sum.by_recipient_domain.iter(),
            |r| serde_json::to_value(r).unwrap_or(Value::Null),
        )?;
        member(
            out,
            f,
            "timeline",
            &json!({
                "bucket": sum.timeline.bucket,
                "rows": sum.timeline.rows.iter().map(|r| json!({
                    "start": t(r.start),
                    "delivered": r.counts.delivered,
                    "deferred": r.counts.deferred,
                    "bounced": r.counts.bounced,
                    "other": r.counts.other,
                })).collect::<Vec<_>>(),
            }),
        )?;
        array(out, f, "patterns", sum.patterns.iter(), |p| {
            json!({
                "provider": p.provider,
                "provider_name": p.provider_name,
                "code": p.code,
                "status": p.status.as_str(),
                "category": p.category,
                "action": p.action,
                "meaning": p.meaning,
                "start": t(p.start),
                "last": t(p.last),
                "ongoing": p.ongoing,
                "count": p.count,
                "hours": p.hours,
                "description": super::render::pattern_line(p),
            })
        })?;
        member(out, f, "diagnoses", &to_value(&sum.diagnoses)?)?;
        member(out, f, "verdicts", &to_value(&sum.verdicts)?)
    };
    let last = |out: &mut dyn Write| -> io::Result<()> {
        let f = &mut false;
        array(out, f, "suppressions", sum.suppressions(), |r| {
            json!({
                "address": r.address,
                "scope": r.scope,
                "reason": r.reason,
                "code": code_of(r.outcome),
                "provider": provider_of(r.outcome),
                "first_seen": t(r.first_seen),
                "last_seen": t(r.last_seen),
                "failures": r.failures,
            })
        })?;
        array(out, f, "addresses", sum.decisions.iter(), |d| {
            SortedAddress {
                d,
                rule: rule_of(d.verdict),
                code: code_of(d.deciding),
                provider: d
                    .deciding
                    .and_then(|o| outcomes[o as usize].provider.as_deref()),
            }
        })?;
        // The state: what merging reads besides inputs, outcomes and addresses.
        out.write_all(b",\"state\":{")?;
        let mut sf = true;
        let f = &mut sf;
        let mut failing: Vec<u32> = state.events.iter().map(|e| e.addr).collect();
        failing.sort_unstable();
        failing.dedup();
        let mut delivered_only: Vec<(&str, u32, i64)> = (0..state.book.len() as u32)
            .filter(|id| failing.binary_search(id).is_err())
            .map(|id| {
                let e = state.book.entry(id);
                (state.book.name(id), e.delivered, e.last_delivered)
            })
            .collect();
        delivered_only.sort_unstable();
        array(
            out,
            f,
            "delivered_only",
            delivered_only.iter(),
            |(a, n, l)| json!([a, n, t(*l)]),
        )?;
        sorted_array(
            out,
            f,
            "by_sending_domain",
            state
                .by_sender
                .iter()
                .map(|(&(s, st), &n)| json!([state.senders.name(s), st.as_str(), n])),
        )?;
        sorted_array(
            out,
            f,
            "origins",
            state.origins.iter().map(|(&(o, s, ip), &n)| {
                json!([o, state.senders.name(s), ip.map(|i| i.to_string()), n])
            }),
        )?;
        sorted_array(
            out,
            f,
            "hourly_results",
            state.hourly_provider.iter().map(|(&(h, p, st), &n)| {
                json!([hour_value(h), state.providers.name(p), st.as_str(), n])
            }),
        )?;
        sorted_array(
            out,
            f,
            "hourly_failures",
            state.hourly_outcome.iter().map(|(&(h, o, st), b)| {
                json!([
                    hour_value(h),
                    o,
                    st.as_str(),
                    b.count,
                    t(b.first),
                    t(b.last)
                ])
            }),
        )?;
        let first_ts = if state.span.first == i64::MAX {
            Value::Null
        } else {
            t(state.span.first)
        };
        member(out, f, "span", &json!([first_ts, t(state.span.last)]))?;
        member(out, f, "unattributed", &json!(state.unattributed))?;
        out.write_all(b"}}\n")
    };
    if !two {
        middle(out)?;
        return last(out);
    }
    let (mid, end) = std::thread::scope(|scope| {
        let helper = scope.spawn(|| {
            let mut buf = Vec::new();
            middle(&mut buf).map(|()| buf)
        });
        let mut buf = Vec::new();
        let end = last(&mut buf).map(|()| buf);
        let mid = helper
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (mid, end)
    });
    out.write_all(&mid?)?;
    out.write_all(&end?)
}

fn hour_value(h: i64) -> Value {
    if h == UNKNOWN {
        Value::Null
    } else {
        t(h * 3600)
    }
}

/// Writes `"key":[...]` with the elements sorted by their JSON text (maps iterate in no fixed
/// order); each element is written once, as the text it was sorted by.
fn sorted_array(
    out: &mut dyn Write,
    first: &mut bool,
    key: &str,
    items: impl Iterator<Item = Value>,
) -> io::Result<()> {
    let mut texts: Vec<String> = items.map(|x| x.to_string()).collect();
    texts.sort_unstable();
    if !*first {
        out.write_all(b",")?;
    }
    *first = false;
    serde_json::to_writer(&mut *out, key).map_err(io::Error::other)?;
    out.write_all(b":[")?;
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"]")
}

/// An outcome written as `serde_json::to_value` writes it (members in the sorted order of its
/// maps) without building the value: the largest part of a Maildir's document.
struct SortedOutcome<'a>(&'a Outcome);

impl Serialize for SortedOutcome<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_struct("Outcome", 13)?;
        m.serialize_field("action", &o.action)?;
        m.serialize_field("basic", &o.basic)?;
        m.serialize_field("bounce_type", &o.bounce_type)?;
        m.serialize_field("category", &o.category)?;
        m.serialize_field("checks", &o.checks)?;
        m.serialize_field("enhanced", &o.enhanced)?;
        m.serialize_field("key", &o.key)?;
        m.serialize_field("meaning", &o.meaning)?;
        m.serialize_field("provider", &o.provider)?;
        m.serialize_field("provider_name", &o.provider_name)?;
        m.serialize_field("remote_mta", &o.remote_mta)?;
        m.serialize_field("rule", &o.rule)?;
        m.serialize_field("text", &o.text)?;
        m.end()
    }
}

/// A time as `t` writes it.
struct Time(i64);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == UNKNOWN {
            s.serialize_none()
        } else {
            s.serialize_str(&rfc3339(self.0))
        }
    }
}

/// An address's failures, each `[time, status, outcome, send key]`.
struct History<'a>(&'a [FailEvent]);

impl Serialize for History<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|e| {
            (
                Time(e.ts),
                e.status.as_str(),
                e.outcome,
                format!("{:016x}", e.send),
            )
        }))
    }
}

/// An address written as its `json!` value was (members in sorted order), without building the
/// value: with one value per address, a tenth of a Maildir scan's serial tail went to allocating
/// and freeing them (callgrind).
struct SortedAddress<'a> {
    d: &'a super::decide::Decision,
    rule: Option<String>,
    code: Option<String>,
    provider: Option<&'a str>,
}

impl Serialize for SortedAddress<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.d;
        let mut m = s.serialize_struct("Address", 13)?;
        m.serialize_field("address", &d.address)?;
        m.serialize_field("code", &self.code)?;
        m.serialize_field("delivered", &d.delivered)?;
        m.serialize_field("failures", &d.failures)?;
        m.serialize_field("first_seen", &Time(d.first_seen))?;
        m.serialize_field("history", &History(&d.history))?;
        m.serialize_field("last_delivered", &Time(d.last_delivered))?;
        m.serialize_field("last_seen", &Time(d.last_seen))?;
        m.serialize_field("outcome", &d.deciding)?;
        m.serialize_field("provider", &self.provider)?;
        m.serialize_field("reason", &d.reason)?;
        m.serialize_field("rule", &self.rule)?;
        m.serialize_field("verdict", &d.verdict)?;
        m.end()
    }
}

/// What merging reads from a document (everything else in it is derived).
#[derive(Deserialize)]
pub struct MergeDoc {
    pub schema: String,
    pub inputs: Vec<InputDoc>,
    pub outcomes: Vec<Outcome>,
    pub addresses: Vec<AddressDoc>,
    pub state: StateDoc,
}

#[derive(Deserialize)]
pub struct InputDoc {
    name: String,
    form: String,
    lines: u64,
    messages: u64,
    results: u64,
    skipped: Vec<Count>,
    error: Option<String>,
    year_from: Option<String>,
    backwards: u64,
    max_back_seconds: i64,
}

#[derive(Deserialize)]
pub struct AddressDoc {
    address: String,
    delivered: u32,
    last_delivered: Option<String>,
    history: Vec<(Option<String>, String, u32, String)>,
}

/// [hour, outcome, status, failures, first, last].
type HourlyFailure = (
    Option<String>,
    u32,
    String,
    u64,
    Option<String>,
    Option<String>,
);

#[derive(Deserialize)]
pub struct StateDoc {
    delivered_only: Vec<(String, u32, Option<String>)>,
    by_sending_domain: Vec<(String, String, u64)>,
    origins: Vec<(u32, String, Option<String>, u64)>,
    hourly_results: Vec<(Option<String>, String, String, u64)>,
    hourly_failures: Vec<HourlyFailure>,
    span: (Option<String>, Option<String>),
    unattributed: u64,
}

/// A time field of a document: null is unknown; anything else must be RFC 3339.
fn time_of(v: &Option<String>) -> Result<i64, String> {
    match v {
        None => Ok(UNKNOWN),
        Some(s) => parse_rfc3339(s).ok_or_else(|| format!("bad time {s:?}")),
    }
}

fn status_of(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| format!("bad status {s:?}"))
}

impl MergeDoc {
    /// Each input the summary read, as `name` with its line and message counts: the same input
    /// in two summaries is mail counted twice.
    pub fn input_keys(&self) -> Vec<String> {
        self.inputs
            .iter()
            .map(|i| format!("{} ({} lines, {} messages)", i.name, i.lines, i.messages))
            .collect()
    }
}

/// Adds one document's state to `state` (outcomes numbered through `table`).
pub fn merge_into(doc: MergeDoc, table: &Table, state: &mut State) -> Result<(), String> {
    if doc.schema != SCHEMA {
        return Err(format!("schema is {:?}, not {SCHEMA:?}", doc.schema));
    }
    let remap: Vec<u32> = doc.outcomes.into_iter().map(|o| table.insert(o)).collect();
    let outcome = |i: u32| {
        remap
            .get(i as usize)
            .copied()
            .ok_or_else(|| format!("outcome {i} is not in the document's outcomes"))
    };
    for i in doc.inputs {
        let mut skipped = super::skip::SkipCounts::default();
        for c in i.skipped {
            skipped.add_n(c.reason, c.count, c.first);
        }
        state.inputs.push(InputReport {
            name: i.name,
            form: i.form,
            lines: i.lines,
            messages: i.messages,
            results: i.results,
            skipped,
            error: i.error,
            year_from: i.year_from,
            backwards: i.backwards,
            max_back_seconds: i.max_back_seconds,
        });
    }
    let deliveries = |state: &mut State, addr: &str, n: u32, last: i64| -> Result<u32, String> {
        let id = state
            .book
            .id(addr)
            .ok_or_else(|| format!("address too long: {addr:.40}"))?;
        let e = state.book.entry_mut(id);
        e.delivered += n;
        e.last_delivered = e.last_delivered.max(last);
        Ok(id)
    };
    for a in doc.addresses {
        let id = deliveries(state, &a.address, a.delivered, time_of(&a.last_delivered)?)?;
        for (ts, status, o, send) in a.history {
            let send =
                u64::from_str_radix(&send, 16).map_err(|_| format!("bad send key {send:?}"))?;
            state.events.push(FailEvent {
                addr: id,
                ts: time_of(&ts)?,
                send,
                outcome: outcome(o)?,
                status: status_of(&status)?,
            });
        }
    }
    for (addr, n, last) in doc.state.delivered_only {
        deliveries(state, &addr, n, time_of(&last)?)?;
    }
    for (name, status, n) in doc.state.by_sending_domain {
        let s = state.senders.id(&name);
        *state.by_sender.entry((s, status_of(&status)?)).or_default() += n;
    }
    for (o, name, ip, n) in doc.state.origins {
        let s = state.senders.id(&name);
        let ip = match ip {
            Some(ip) => Some(ip.parse().map_err(|_| format!("bad IP {ip:?}"))?),
            None => None,
        };
        *state.origins.entry((outcome(o)?, s, ip)).or_default() += n;
    }
    let hour = |v: &Option<String>| time_of(v).map(super::state::hour);
    for (h, provider, status, n) in doc.state.hourly_results {
        let p = state.providers.id(&provider);
        *state
            .hourly_provider
            .entry((hour(&h)?, p, status_of(&status)?))
            .or_default() += n;
    }
    for (h, o, status, count, first, last) in doc.state.hourly_failures {
        let b = Bucket {
            count,
            first: time_of(&first)?,
            last: time_of(&last)?,
        };
        state
            .hourly_outcome
            .entry((hour(&h)?, outcome(o)?, status_of(&status)?))
            .or_default()
            .merge(&b);
    }
    let (first, last) = doc.state.span;
    if first.is_some() {
        state.span.first = state.span.first.min(time_of(&first)?);
    }
    state.span.last = state.span.last.max(time_of(&last)?);
    state.unattributed += doc.state.unattributed;
    Ok(())
}

/// The threshold a document was made with (to say when merged documents disagree).
pub fn threshold_of(v: &Value) -> Option<(u64, u64)> {
    let s = v.get("settings")?;
    Some((
        s.get("soft_failures")?.as_u64()?,
        s.get("soft_days")?.as_u64()?,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::{Action, BounceType};

    /// The outcomes of a document are byte for byte what `to_value` writes: every member, in
    /// its sorted place, with absent values as null and text that needs escaping.
    #[test]
    fn an_outcome_is_written_as_its_value_is() {
        let full = Outcome {
            key: "550|5.7.26|mx.example|||failed|text".into(),
            basic: Some(550),
            enhanced: Some("5.7.26".into()),
            text: "unauthenticated \"sender\" \\ é\u{1}".into(),
            remote_mta: Some("mx.example".into()),
            provider: Some("gmail".into()),
            provider_name: Some("Gmail".into()),
            category: "authentication".into(),
            bounce_type: BounceType::Technical,
            action: Action::FixAuthentication,
            meaning: "the sender is unauthenticated".into(),
            checks: vec!["spf".into(), "dkim".into()],
            rule: "gmail-5-7-26".into(),
        };
        let bare = Outcome {
            basic: None,
            enhanced: None,
            remote_mta: None,
            provider: None,
            provider_name: None,
            checks: Vec::new(),
            bounce_type: BounceType::None,
            action: Action::RetryThenSuppress,
            ..full.clone()
        };
        for o in [&full, &bare] {
            let ours = serde_json::to_string(&SortedOutcome(o)).unwrap();
            let value = serde_json::to_value(o).unwrap().to_string();
            assert_eq!(ours, value);
        }
    }

    /// The addresses of a document are byte for byte what their `json!` values write: every
    /// member in its sorted place, unknown times and absent values as null, a history of
    /// several failures, text that needs escaping.
    #[test]
    fn an_address_is_written_as_its_value_is() {
        use crate::scan::decide::{Decision, Verdict};
        let event = |ts, status, outcome, send| FailEvent {
            addr: 0,
            ts,
            send,
            outcome,
            status,
        };
        let full = Decision {
            address: "jdoe\"é\u{1}\u{202e}@example.org".into(),
            verdict: Verdict::KeepRetrying,
            reason: Some("repeated-soft-failures"),
            deciding: Some(3),
            first_seen: 1_767_225_600,
            last_seen: 1_767_312_000,
            failures: 2,
            delivered: 1,
            last_delivered: UNKNOWN,
            history: vec![
                event(1_767_225_600, Status::Deferred, 3, 0xfeed),
                event(UNKNOWN, Status::Bounced, 0, u64::MAX),
            ],
        };
        let bare = Decision {
            reason: None,
            deciding: None,
            first_seen: UNKNOWN,
            last_seen: UNKNOWN,
            last_delivered: 1_767_398_400,
            history: Vec::new(),
            ..full.clone()
        };
        for (d, rule, code, provider) in [
            (
                &full,
                Some("suppress-soft".to_string()),
                Some("451 4.7.1".to_string()),
                Some("gmail"),
            ),
            (&bare, None, None, None),
        ] {
            let value = json!({
                "address": d.address,
                "verdict": d.verdict,
                "reason": d.reason,
                "rule": rule,
                "code": code,
                "provider": provider,
                "outcome": d.deciding,
                "first_seen": t(d.first_seen),
                "last_seen": t(d.last_seen),
                "failures": d.failures,
                "delivered": d.delivered,
                "last_delivered": t(d.last_delivered),
                "history": d.history.iter().map(|e| json!([
                    t(e.ts), e.status.as_str(), e.outcome, format!("{:016x}", e.send)
                ])).collect::<Vec<_>>(),
            });
            let ours = SortedAddress {
                d,
                rule: rule.clone(),
                code: code.clone(),
                provider,
            };
            assert_eq!(
                crate::safe_json::json_line(&ours),
                crate::safe_json::json_line(&value)
            );
        }
    }

    /// The document two threads write is byte for byte the one one thread streams: a log and
    /// a Maildir read into one summary (outcomes, addresses with histories, suppressions,
    /// hourly state), and an empty one.
    #[test]
    fn two_threads_write_what_one_writes() {
        use crate::scan::source::Item;
        use crate::scan::{Options, Scanner, summary};
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let policy = Policy::from_rules(&rules).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("tests/fixtures/sisimai/maildir");
        let mut messages: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        messages.sort();
        messages.truncate(60);
        let empty = Scanner::new(&rules, Options::default()).finish();
        let mut scanner = Scanner::new(&rules, Options::default());
        scanner.scan(
            &Item::File(root.join("examples/logs/mail.log")),
            &mut |_| {},
        );
        scanner.scan(&Item::Maildir(dir, messages), &mut |_| {});
        let full = scanner.finish();
        assert!(full.outcomes.len() > 20 && full.state.book.len() > 40);
        for scanned in [summary::canonical(full), summary::canonical(empty)] {
            let sum = summary::build(&scanned, &policy, Default::default());
            let (mut one, mut two) = (Vec::new(), Vec::new());
            write_with(&mut one, &scanned, &sum, &policy, false).unwrap();
            write_with(&mut two, &scanned, &sum, &policy, true).unwrap();
            assert_eq!(
                String::from_utf8(two).unwrap(),
                String::from_utf8(one).unwrap()
            );
        }
    }
}
