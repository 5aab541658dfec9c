//! `scan --follow`: read a growing log as it grows, through logrotate (rename and a new file,
//! or copytruncate), and print one line when a pattern starts or stops.
//!
//! Hours are the log's own: a pattern starts once its hour has enough failures (as in the
//! summary) and stops after two hours of the log without it.

use super::lines::{self, Line, LogKind, Status};
use super::outcome::{Cache, Outcome, Table};
use super::patterns::{GroupKey, PatternSettings, group_of, noun};
use super::source::{self, Form, Item};
use super::time::{self, UNKNOWN, YearRef};
use crate::rules::RuleSet;
use hashbrown::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// One group's run.
struct Run {
    start: i64,
    last: i64,
    last_hour: i64,
    count: u64,
    active: bool,
}

/// Pattern starts and stops, fed one result at a time in log order.
pub struct Tracker {
    settings: PatternSettings,
    hour: i64,
    provider_totals: HashMap<String, u64>,
    hour_counts: HashMap<GroupKey, (u64, i64)>,
    /// The hour before: a pattern that starts may have begun in it.
    prev_totals: HashMap<String, u64>,
    prev_counts: HashMap<GroupKey, (u64, i64)>,
    prev_hour: i64,
    runs: HashMap<GroupKey, Run>,
    names: HashMap<GroupKey, (String, String, String)>,
}

impl Tracker {
    pub fn new(settings: PatternSettings) -> Tracker {
        Tracker {
            settings,
            hour: UNKNOWN,
            provider_totals: HashMap::new(),
            hour_counts: HashMap::new(),
            prev_totals: HashMap::new(),
            prev_counts: HashMap::new(),
            prev_hour: UNKNOWN,
            runs: HashMap::new(),
            names: HashMap::new(),
        }
    }

    /// Moves the clock to `ts`; returns the lines of patterns that stopped.
    pub fn advance(&mut self, ts: i64) -> Vec<String> {
        let h = super::state::hour(ts);
        if h == UNKNOWN || h <= self.hour {
            return Vec::new();
        }
        self.prev_hour = self.hour;
        self.hour = h;
        self.prev_totals = std::mem::take(&mut self.provider_totals);
        self.prev_counts = std::mem::take(&mut self.hour_counts);
        let mut out = Vec::new();
        let mut stopped: Vec<GroupKey> = self
            .runs
            .iter()
            .filter(|(_, r)| r.active && h - r.last_hour > 2)
            .map(|(k, _)| k.clone())
            .collect();
        stopped.sort();
        for k in stopped {
            let what = self.describe(&k);
            if let Some(r) = self.runs.get_mut(&k) {
                r.active = false;
                out.push(format!(
                    "{} stopped: {what} from {} to {} UTC: {}",
                    time::rfc3339(ts),
                    time::minute(r.start),
                    time::minute(r.last),
                    super::render::thousands(r.count)
                ));
            }
        }
        out
    }

    fn describe(&self, k: &GroupKey) -> String {
        let (provider, category, action) = self.names.get(k).cloned().unwrap_or_default();
        format!("{provider} {} {} ({category}, {action})", k.1, noun(k.2))
    }

    /// A result for `provider` (its share of the hour).
    pub fn result(&mut self, ts: i64, provider: &str) -> Vec<String> {
        let out = self.advance(ts);
        *self
            .provider_totals
            .entry(provider.to_string())
            .or_default() += 1;
        out
    }

    /// A failure decoded to `o`; returns the lines of patterns that stopped or started.
    pub fn failure(&mut self, ts: i64, o: &Outcome, status: Status) -> Vec<String> {
        let provider = o.provider.clone().unwrap_or_default();
        let mut out = self.result(ts, &provider);
        let key = group_of(o, status);
        self.names.entry(key.clone()).or_insert_with(|| {
            (
                o.provider_name
                    .clone()
                    .unwrap_or_else(|| "other receivers".into()),
                o.category.clone(),
                o.action.as_str().to_string(),
            )
        });
        let slot = self.hour_counts.entry(key.clone()).or_insert((0, ts));
        slot.0 += 1;
        let (count, first) = *slot;
        let total = self.provider_totals.get(&provider).copied().unwrap_or(0);
        let hour = self.hour;
        let run = self.runs.entry(key.clone()).or_insert(Run {
            start: ts,
            last: ts,
            last_hour: hour,
            count: 0,
            active: false,
        });
        if run.active {
            run.count += 1;
            run.last = ts;
            if self.settings.active(count, total) {
                run.last_hour = hour;
            }
        } else if self.settings.active(count, total) {
            // Begun in the hour before, when that hour had the same share of the provider's answers.
            let earlier = (self.prev_hour + 1 == hour)
                .then(|| self.prev_counts.get(&key))
                .flatten()
                .filter(|(n, _)| {
                    let t = self.prev_totals.get(&provider).copied().unwrap_or(0);
                    self.settings.lead(*n, t)
                });
            let first = earlier.map_or(first, |(_, t)| *t);
            let count = count + earlier.map_or(0, |(n, _)| *n);
            *run = Run {
                start: first,
                last: ts,
                last_hour: hour,
                count,
                active: true,
            };
            out.push(format!(
                "{} started: {} from {} UTC",
                time::rfc3339(ts),
                self.describe(&key),
                time::minute(first)
            ));
        }
        out
    }
}

/// Where we are in the followed file.
struct Position {
    file: File,
    id: (u64, u64),
    offset: u64,
}

#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn open_at(path: &Path, end: bool) -> io::Result<Position> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let offset = if end { meta.len() } else { 0 };
    file.seek(SeekFrom::Start(offset))?;
    Ok(Position {
        id: file_id(&meta),
        file,
        offset,
    })
}

/// Follows `path` until writing fails (the reader went away) or `keep_going` says stop.
#[allow(clippy::too_many_arguments)]
pub fn run(
    path: &Path,
    rules: &RuleSet,
    settings: PatternSettings,
    log_end: Option<YearRef>,
    from_start: bool,
    poll: Duration,
    out: &mut dyn Write,
    keep_going: &dyn Fn() -> bool,
) -> Result<(), String> {
    let item = Item::File(path.to_path_buf());
    let kind = match source::open(&item).map(|o| o.form) {
        Ok(Form::Exim) => LogKind::Exim,
        Ok(Form::Syslog | Form::Empty) => LogKind::Syslog,
        Ok(other) => {
            return Err(format!(
                "{}: --follow reads mail logs (Postfix, Sendmail, Exim), not {}",
                path.display(),
                other.label()
            ));
        }
        Err(e) => return Err(format!("{}: {}", path.display(), source::reason(&e))),
    };
    let mut pos = open_at(path, !from_start)
        .map_err(|e| format!("{}: {}", path.display(), source::reason(&e)))?;
    let table = Table::default();
    let mut cache = Cache::default();
    let mut tracker = Tracker::new(settings);
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    let io = |e: io::Error| e.to_string();
    while keep_going() {
        let year = log_end.unwrap_or_else(|| YearRef::from_ts(super::now()));
        let n = pos.file.read(&mut buf).map_err(io)?;
        if n > 0 {
            pos.offset += n as u64;
            tail.extend_from_slice(&buf[..n]);
            let mut start = 0;
            while let Some(i) = memchr::memchr(b'\n', &tail[start..]) {
                let line = &tail[start..start + i];
                start += i + 1;
                for msg in follow_line(line, kind, &year, rules, &table, &mut cache, &mut tracker) {
                    writeln!(out, "{msg}").map_err(io)?;
                    out.flush().map_err(io)?;
                }
            }
            tail.drain(..start);
            if tail.len() > super::chunk::MAX_LINE {
                tail.clear();
            }
            continue;
        }
        // Nothing new: has the file been rotated or truncated?
        match std::fs::metadata(path) {
            Ok(m) if file_id(&m) != pos.id => {
                // Renamed away and replaced: the old file is read to its end above; start the new one.
                if let Ok(p) = open_at(path, false) {
                    pos = p;
                    tail.clear();
                }
            }
            Ok(m) if m.len() < pos.offset => {
                // copytruncate: the same file, emptied.
                pos.file.seek(SeekFrom::Start(0)).map_err(io)?;
                pos.offset = 0;
                tail.clear();
            }
            _ => std::thread::sleep(poll),
        }
    }
    Ok(())
}

fn follow_line(
    line: &[u8],
    kind: LogKind,
    year: &YearRef,
    rules: &RuleSet,
    table: &Table,
    cache: &mut Cache,
    tracker: &mut Tracker,
) -> Vec<String> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Ok(text) = std::str::from_utf8(line) else {
        return Vec::new();
    };
    let Line::Delivery(d) = lines::parse(text, kind, year) else {
        return Vec::new();
    };
    if d.status == Status::Delivered {
        let host = text
            .find("relay=")
            .map(|i| &text[i + 6..])
            .or_else(|| text.find(" H=").map(|i| &text[i + 3..]))
            .map(|v| v[..v.find(['[', ' ', ',']).unwrap_or(v.len())].trim_end_matches('.'));
        let provider = host
            .and_then(|h| cache.provider(rules, h))
            .and_then(|i| rules.providers.get(usize::from(i)))
            .map_or("", |l| l.rule.id.as_str());
        return tracker.result(d.ts, provider);
    }
    let Some(reply) = crate::reply::extract(text.as_bytes())
        .ok()
        .and_then(|x| x.replies.into_iter().next())
    else {
        return tracker.advance(d.ts);
    };
    let (o, _) = cache.outcome(rules, table, &reply);
    let outcome = table.snapshot_one(o);
    match outcome {
        Some(o) => tracker.failure(d.ts, &o, d.status),
        None => Vec::new(),
    }
}
