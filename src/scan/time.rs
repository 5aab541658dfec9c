//! Timestamps as MTAs and exports write them, as Unix seconds (UTC); the year of a syslog line.

/// A line or message whose time is unknown sorts first and is shown as "unknown".
pub const UNKNOWN: i64 = i64::MIN;

/// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse below).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `2026-03-03T10:12:01Z`, or "unknown".
pub fn rfc3339(ts: i64) -> String {
    if ts == UNKNOWN {
        return "unknown".into();
    }
    let (y, mo, d) = civil_from_days(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    if !(0..=9999).contains(&y) {
        return format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s / 60 % 60,
            s % 60
        );
    }
    // Written digit by digit: a scan's JSON writes a time per result and per hour, and
    // `format!` took a fifth of writing it (callgrind).
    let mut out = String::with_capacity(20);
    let fields = [
        y / 100,
        y % 100,
        mo.into(),
        d.into(),
        s / 3600,
        s / 60 % 60,
        s % 60,
    ];
    for (v, after) in fields.into_iter().zip(["", "-", "-", "T", ":", ":", "Z"]) {
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
        out.push_str(after);
    }
    out
}

/// `2026-03-03 10:14` (UTC), for human output.
pub fn minute(ts: i64) -> String {
    let s = rfc3339(ts);
    if ts == UNKNOWN {
        return s;
    }
    format!("{} {}", &s[..10], &s[11..16])
}

/// Parses an RFC 3339 time as written by `rfc3339` (and any offset or fraction), for merging.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    if s == "unknown" {
        return Some(UNKNOWN);
    }
    let (ts, used) = iso(s.as_bytes())?;
    (used == s.len()).then_some(ts)
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let part = b.get(at..at + n)?;
    part.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn valid(mo: u32, d: u32, h: u32, mi: u32, s: u32) -> bool {
    (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s <= 60
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH:MM|±HHMM| ±HHMM]` at the start of `b`: (seconds, bytes used).
pub fn iso(b: &[u8]) -> Option<(i64, usize)> {
    let y = digits(b, 0, 4)?;
    let (mo, d) = (digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (h, mi, s) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || !valid(mo, d, h, mi, s) {
        return None;
    }
    let mut ts =
        days_from_civil(i64::from(y), mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s.min(59));
    let mut i = 19;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    match b.get(i) {
        Some(b'Z') | Some(b'z') => i += 1,
        Some(&c @ (b'+' | b'-')) => {
            if let Some((off, used)) = offset(&b[i + 1..]) {
                ts -= if c == b'+' { off } else { -off };
                i += 1 + used;
            }
        }
        Some(b' ') if matches!(b.get(i + 1), Some(b'+' | b'-')) => {
            // Exim with log_timezone: `2024-05-01 10:00:00 +0200`.
            if let Some((off, used)) = offset(&b[i + 2..]) {
                ts -= if b[i + 1] == b'+' { off } else { -off };
                i += 2 + used;
            }
        }
        _ => {}
    }
    Some((ts, i))
}

/// `HH:MM` or `HHMM`: seconds east of UTC and bytes used.
fn offset(b: &[u8]) -> Option<(i64, usize)> {
    let h = digits(b, 0, 2)?;
    let (m, used) = if b.get(2) == Some(&b':') {
        (digits(b, 3, 2)?, 5)
    } else {
        (digits(b, 2, 2)?, 4)
    };
    (h < 24 && m < 60).then_some((i64::from(h * 3600 + m * 60), used))
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The year syslog leaves out, inferred from a reference date that the log ends on or before:
/// a line is placed in the twelve months that end on that date (one day of slack for time zones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearRef {
    year: i64,
    month: u32,
    day: u32,
}

impl YearRef {
    /// The reference from Unix seconds (a file's modification time, or now).
    pub fn from_ts(ts: i64) -> YearRef {
        let (year, month, day) = civil_from_days(ts.div_euclid(86_400));
        YearRef { year, month, day }
    }

    /// `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<YearRef> {
        let b = s.trim().as_bytes();
        let (y, m, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
        (b.len() == 10 && b[4] == b'-' && b[7] == b'-' && valid(m, d, 0, 0, 0)).then_some(YearRef {
            year: i64::from(y),
            month: m,
            day: d,
        })
    }

    pub fn label(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    fn year_for(&self, month: u32, day: u32) -> i64 {
        if (month, day) <= (self.month, self.day + 1) {
            self.year
        } else {
            self.year - 1
        }
    }
}

/// `Mar  3 10:12:01` (RFC 3164) at the start of `b`: (seconds, bytes used).
pub fn syslog(b: &[u8], year: &YearRef) -> Option<(i64, usize)> {
    let mon = b.get(..3)?;
    let month = MONTHS.iter().position(|m| m[..] == *mon)? as u32 + 1;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let day = match (b.get(4)?, b.get(5)?) {
        (b' ', &c) if c.is_ascii_digit() => u32::from(c - b'0'),
        (&a, &c) if a.is_ascii_digit() && c.is_ascii_digit() => {
            u32::from(a - b'0') * 10 + u32::from(c - b'0')
        }
        _ => return None,
    };
    if b.get(6) != Some(&b' ') || b.get(9) != Some(&b':') || b.get(12) != Some(&b':') {
        return None;
    }
    let (h, mi, s) = (digits(b, 7, 2)?, digits(b, 10, 2)?, digits(b, 13, 2)?);
    if !valid(month, day, h, mi, s) {
        return None;
    }
    let y = year.year_for(month, day);
    let ts = days_from_civil(y, month, day) * 86_400 + i64::from(h * 3600 + mi * 60 + s.min(59));
    Some((ts, 15))
}

/// A time in an export column: RFC 3339 / ISO, `M/D/YYYY h:mm:ss [AM|PM]` (Exchange's
/// Export-Csv in the US locale), or Unix seconds or milliseconds.
pub fn any(s: &str) -> Option<i64> {
    let t = s.trim().trim_matches('"');
    if let Some((ts, _)) = iso(t.as_bytes()) {
        return Some(ts);
    }
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        let whole: i64 = t.split('.').next()?.parse().ok()?;
        // Milliseconds since 1970 pass 10^11 in 1973; seconds will not for millennia.
        return Some(if whole > 100_000_000_000 {
            whole / 1000
        } else {
            whole
        });
    }
    us_date(t)
}

fn us_date(t: &str) -> Option<i64> {
    let (date, rest) = t.split_once(' ')?;
    let mut p = date.split('/');
    let (m, d, y): (u32, u32, i64) = (
        p.next()?.parse().ok()?,
        p.next()?.parse().ok()?,
        p.next()?.parse().ok()?,
    );
    let mut words = rest.split_whitespace();
    let mut hms = words.next()?.split(':');
    let mut h: u32 = hms.next()?.parse().ok()?;
    let mi: u32 = hms.next()?.parse().ok()?;
    let s: u32 = hms.next().map_or(Some(0), |x| x.parse().ok())?;
    match words.next().map(str::to_ascii_uppercase).as_deref() {
        Some("PM") if h < 12 => h += 12,
        Some("AM") if h == 12 => h = 0,
        _ => {}
    }
    valid(m, d, h, mi, s)
        .then(|| days_from_civil(y, m, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s.min(59)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Written digit by digit, a time reads as `format!` wrote it, also before year 1000 and
    /// past 9999 (where `format!` still writes it).
    #[test]
    fn times_are_written_as_format_wrote_them() {
        let old = |ts: i64| {
            let (y, mo, d) = civil_from_days(ts.div_euclid(86_400));
            let s = ts.rem_euclid(86_400);
            format!(
                "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        };
        let mut ts = -70_000_000_000_i64;
        while ts < 300_000_000_000 {
            assert_eq!(rfc3339(ts), old(ts), "{ts}");
            ts += 7_777_777;
        }
        for ts in [
            0,
            -1,
            86_399,
            951_782_400,
            253_402_300_799,
            253_402_300_800,
            -62_167_219_200,
            -62_167_219_201,
        ] {
            assert_eq!(rfc3339(ts), old(ts), "{ts}");
        }
    }

    #[test]
    fn civil_dates_round_trip() {
        for z in [-800_000, -1, 0, 1, 19_000, 20_513, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(rfc3339(1_709_200_921), "2024-02-29T10:02:01Z");
    }

    #[test]
    fn iso_times_with_offsets_and_fractions() {
        let utc = iso(b"2024-05-01T10:00:00Z").unwrap();
        assert_eq!(utc, (1_714_557_600, 20));
        assert_eq!(
            iso(b"2024-05-01T12:00:00.123456+02:00 host").unwrap(),
            (1_714_557_600, 32)
        );
        assert_eq!(
            iso(b"2024-05-01 12:00:00 +0200 1rs").unwrap().0,
            1_714_557_600
        );
        assert_eq!(
            iso(b"2024-05-01 10:00:00 1rs2Ab").unwrap(),
            (1_714_557_600, 19)
        );
        assert!(iso(b"2024-13-01 10:00:00").is_none());
        assert_eq!(parse_rfc3339("2024-05-01T10:00:00Z"), Some(1_714_557_600));
    }

    #[test]
    fn syslog_year_comes_from_the_reference_date() {
        let end = YearRef::parse("2026-01-02").unwrap();
        let dec = syslog(b"Dec 31 23:59:59 mx", &end).unwrap().0;
        let jan = syslog(b"Jan  2 00:00:01 mx", &end).unwrap().0;
        assert_eq!(rfc3339(dec), "2025-12-31T23:59:59Z");
        assert_eq!(rfc3339(jan), "2026-01-02T00:00:01Z");
        assert!(syslog(b"Foo  2 00:00:01", &end).is_none());
        assert!(syslog(b"Jan 32 00:00:01", &end).is_none());
    }

    #[test]
    fn export_columns_in_several_forms() {
        assert_eq!(any("1714557600"), Some(1_714_557_600));
        assert_eq!(any("1714557600123"), Some(1_714_557_600));
        assert_eq!(any("5/1/2024 10:00:00 AM"), Some(1_714_557_600));
        assert_eq!(any("5/1/2024 1:00:00 PM"), Some(1_714_557_600 + 3 * 3600));
        assert_eq!(any("yesterday"), None);
    }
}
