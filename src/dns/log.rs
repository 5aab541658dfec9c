//! The query log: one entry per question actually answered (the evidence bundle's backbone).

use super::types::{Answer, Outcome, RType, Rdata};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// One question asked during the run, as it will appear in the evidence bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// Index in the log; equals `Answer::id`.
    pub id: usize,
    pub name: String,
    pub rtype: RType,
    pub outcome: Outcome,
    /// Records of the asked type in presentation form.
    pub answers: Vec<String>,
    pub ttl: Option<u32>,
    pub cname_chain: Vec<String>,
    /// When the question was sent, RFC 3339 UTC with milliseconds.
    pub started_at: String,
    pub elapsed_ms: f64,
    /// Which server answered (or "offline" / "deadline" when nothing was sent).
    pub resolver: String,
}

/// The run-wide log shared by every clone of a `Dns`.
///
/// Ids are handed out in order. By default every entry is kept (a diagnosis's evidence bundle
/// lists them all). In bulk mode (`keep = false`) the log keeps none: each entry lives in the
/// cache slot of its answer and in the scoped views that used it, so it is freed once the
/// domains that used it are written and the cache has let the answer go.
pub(crate) struct QueryLog {
    entries: Mutex<Vec<Arc<LogEntry>>>,
    next_id: AtomicUsize,
    keep: AtomicBool,
}

impl Default for QueryLog {
    fn default() -> Self {
        QueryLog {
            entries: Mutex::new(Vec::new()),
            next_id: AtomicUsize::new(0),
            keep: AtomicBool::new(true),
        }
    }
}

impl QueryLog {
    /// Builds the entry for `answer` (whose `id` is overwritten), keeps it when the log keeps
    /// entries, and returns it.
    pub(crate) fn record(
        &self,
        answer: &mut Answer,
        started: SystemTime,
        elapsed_ms: f64,
        resolver: &str,
    ) -> Arc<LogEntry> {
        let keep = self.keep.load(Ordering::Relaxed);
        let mut entries = if keep {
            Some(match self.entries.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            })
        } else {
            None
        };
        // Taken under the lock when keeping, so ids equal positions.
        answer.id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Arc::new(LogEntry {
            id: answer.id,
            name: answer.name.clone(),
            rtype: answer.rtype,
            outcome: answer.outcome.clone(),
            answers: answer.records.iter().map(presentation).collect(),
            ttl: answer.ttl,
            cname_chain: answer.cname_chain.clone(),
            started_at: rfc3339(started),
            elapsed_ms,
            resolver: resolver.to_string(),
        });
        if let Some(entries) = entries.as_mut() {
            entries.push(entry.clone());
        }
        entry
    }

    /// Stop keeping entries from now on and free those kept so far (bulk mode).
    pub(crate) fn stop_keeping(&self) {
        self.keep.store(false, Ordering::Relaxed);
        match self.entries.lock() {
            Ok(mut guard) => *guard = Vec::new(),
            Err(poisoned) => *poisoned.into_inner() = Vec::new(),
        }
    }

    /// The kept entries with these ids (unknown or unkept ids are skipped).
    pub(crate) fn entries(&self, ids: &[usize]) -> Vec<LogEntry> {
        let entries = match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        ids.iter()
            .filter_map(|id| {
                // Ids equal positions while entries are kept.
                entries
                    .get(*id)
                    .filter(|e| e.id == *id)
                    .map(|e| LogEntry::clone(e))
            })
            .collect()
    }

    pub(crate) fn snapshot(&self) -> Vec<LogEntry> {
        let entries = match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        entries.iter().map(|e| LogEntry::clone(e)).collect()
    }
}

/// Zone-file presentation of one record's data.
pub fn presentation(rdata: &Rdata) -> String {
    match rdata {
        Rdata::A(a) => a.to_string(),
        Rdata::AAAA(a) => a.to_string(),
        Rdata::MX {
            preference,
            exchange,
        } => format!("{preference} {exchange}."),
        Rdata::TXT(parts) => parts
            .iter()
            .map(|p| quote_charstr(p))
            .collect::<Vec<_>>()
            .join(" "),
        Rdata::PTR(n) | Rdata::CNAME(n) => format!("{n}."),
        Rdata::Other(s) => s.clone(),
    }
}

fn quote_charstr(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// RFC 3339 UTC timestamp with millisecond precision, e.g. `2026-11-22T22:38:31.123Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let millis = d.subsec_millis();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(951_782_400_250); // leap day 2000
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00.250Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_798_761_599);
        assert_eq!(rfc3339(t), "2026-12-31T23:59:59.000Z");
    }

    #[test]
    fn txt_presentation_escapes() {
        let r = Rdata::TXT(vec![b"v=spf1 -all".to_vec(), b"a\"b\x01".to_vec()]);
        assert_eq!(presentation(&r), r#""v=spf1 -all" "a\"b\001""#);
    }
}
