//! The inputs of a scan: paths expanded (directories walked, Maildirs found), each file opened
//! (gzip undone) and recognised from its first bytes, never from its name.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One input as named on the command line or found under a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Stdin,
    File(PathBuf),
    /// A Maildir: its messages in `cur/` and `new/`, in name order.
    Maildir(PathBuf, Vec<PathBuf>),
    /// A path that could not be used, and why.
    Unusable(String, String),
}

impl Item {
    pub fn name(&self) -> String {
        match self {
            Item::Stdin => "stdin".into(),
            Item::File(p) | Item::Maildir(p, _) => p.display().to_string(),
            Item::Unusable(n, _) => n.clone(),
        }
    }
}

/// Directories deeper than this are not walked (a symlink loop cannot hang the scan).
const MAX_DEPTH: usize = 16;

/// Expands the command line's paths (none means standard input).
pub fn expand(paths: &[PathBuf]) -> Vec<Item> {
    if paths.is_empty() {
        return vec![Item::Stdin];
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Item::Stdin);
        } else {
            walk(p, 0, &mut out);
        }
    }
    out
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    // Entries of one directory share its path: ordering them by their bytes is ordering
    // them by name, as `Path`'s component-wise ordering does, for a tenth of the work.
    v.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(v)
}

fn hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

fn walk(p: &Path, depth: usize, out: &mut Vec<Item>) {
    let name = p.display().to_string();
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) => return out.push(Item::Unusable(name, reason(&e))),
    };
    if readable(&meta) {
        return out.push(Item::File(p.to_path_buf()));
    }
    if !meta.is_dir() {
        return out.push(Item::Unusable(
            name,
            "not a regular file, a pipe or a directory".into(),
        ));
    }
    if depth > MAX_DEPTH {
        return out.push(Item::Unusable(name, "directories nest too deep".into()));
    }
    if is_maildir(p) {
        let mut messages = Vec::new();
        for sub in ["cur", "new"] {
            if let Ok(entries) = sorted_entries(&p.join(sub)) {
                messages.extend(entries.into_iter().filter(|e| e.is_file() && !hidden(e)));
            }
        }
        return out.push(Item::Maildir(p.to_path_buf(), messages));
    }
    match sorted_entries(p) {
        Ok(entries) => {
            for e in entries.iter().filter(|e| !hidden(e)) {
                walk(e, depth + 1, out);
            }
        }
        Err(e) => out.push(Item::Unusable(name, reason(&e))),
    }
}

/// A file read as a stream: a regular file, or a named pipe such as the shell's process
/// substitution (`mailtriage explain <(grep ... mail.log)` names `/dev/fd/63`). Devices are
/// not (`/dev/zero` never ends).
pub fn readable(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_fifo() {
            return true;
        }
    }
    meta.is_file()
}

/// An I/O error as a short reason ("permission denied").
pub fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    // "Permission denied (os error 13)" reads better without the number.
    s.split(" (os error").next().unwrap_or(&s).to_lowercase()
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Syslog,
    Exim,
    Message,
    Mbox,
    EspCsv,
    EspJson,
    ExchangeCsv,
    Empty,
    Binary,
}

impl Form {
    pub fn label(self) -> &'static str {
        match self {
            Form::Syslog => "syslog-mail-log",
            Form::Exim => "exim-log",
            Form::Message => "message",
            Form::Mbox => "mbox",
            Form::EspCsv => "esp-csv",
            Form::EspJson => "esp-json",
            Form::ExchangeCsv => "exchange-tracking-csv",
            Form::Empty => "empty",
            Form::Binary => "binary",
        }
    }
}

/// An opened input: its first bytes (to recognise it) followed by the rest.
pub struct Opened {
    pub form: Form,
    pub gzip: bool,
    pub head: Vec<u8>,
    pub reader: Box<dyn Read + Send>,
    /// Bytes read from the file itself (compressed bytes for gzip), for progress.
    pub consumed: Arc<AtomicU64>,
    /// Size of the file on disk (0 for stdin).
    pub size: u64,
    /// Modification time in Unix seconds (None for stdin).
    pub modified: Option<i64>,
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const HEAD: usize = 64 * 1024;

/// Opens a file or stdin, undoes gzip (by its magic bytes) and recognises the content.
pub fn open(item: &Item) -> io::Result<Opened> {
    let consumed = Arc::new(AtomicU64::new(0));
    let (raw, size, modified): (Box<dyn Read + Send>, u64, Option<i64>) = match item {
        Item::Stdin => (Box::new(io::stdin()), 0, None),
        Item::File(p) => {
            let f = File::open(p)?;
            let meta = f.metadata()?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64);
            (Box::new(f), meta.len(), modified)
        }
        _ => return Err(io::Error::other("not a file")),
    };
    let counting = Counting {
        inner: raw,
        count: consumed.clone(),
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, counting);
    let magic = io::BufRead::fill_buf(&mut buffered)?;
    let gzip = magic.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read + Send> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let mut head = Vec::with_capacity(HEAD);
    // A truncated gzip may fail inside the head already: keep what came out.
    let _ = (&mut reader).take(HEAD as u64).read_to_end(&mut head);
    let form = recognise(&head);
    let rest = Cursor::new(head.clone()).chain(reader);
    Ok(Opened {
        form,
        gzip,
        head,
        reader: Box::new(rest),
        consumed,
        size,
        modified,
    })
}

/// Recognises an input from its first bytes.
pub fn recognise(head: &[u8]) -> Form {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if head.iter().all(u8::is_ascii_whitespace) {
        return Form::Empty;
    }
    // Lines holding a NUL are set aside: a log with a block of NULs (a syslog file after an
    // unclean shutdown) is still a log, whose binary lines the reader skips and counts. The
    // input is binary when such lines outnumber the others, or when control bytes are common
    // in the others.
    let mut kept = Vec::with_capacity(head.len());
    let (mut nul_lines, mut text_lines, mut ctrl) = (0usize, 0usize, 0usize);
    for line in head.split_inclusive(|b| *b == b'\n') {
        if line.contains(&0) {
            nul_lines += 1;
            continue;
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            text_lines += 1;
        }
        ctrl += line
            .iter()
            .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
            .count();
        kept.extend_from_slice(line);
    }
    if text_lines == 0 || nul_lines > text_lines || ctrl * 50 > kept.len() {
        return Form::Binary;
    }
    let text = String::from_utf8_lossy(&kept);
    let mut lines = text.lines().map(str::trim_end).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    if from_line(first.as_bytes()) {
        return Form::Mbox;
    }
    if looks_like_message(&text) {
        return Form::Message;
    }
    let lower = first.to_ascii_lowercase();
    if lower.starts_with("#software: microsoft exchange")
        || text.lines().take(8).any(|l| {
            let l = l.to_ascii_lowercase();
            (l.contains("event-id") || l.contains("eventid"))
                && (l.contains("recipient-address") || l.contains("recipients"))
        })
    {
        return Form::ExchangeCsv;
    }
    if first.starts_with('{') || first.starts_with('[') {
        return Form::EspJson;
    }
    let sample: Vec<&str> = std::iter::once(first).chain(lines.take(50)).collect();
    let exim = sample.iter().filter(|l| exim_line(l)).count();
    let syslog = sample.iter().filter(|l| syslog_line(l)).count();
    if exim > 0 && exim >= syslog {
        return Form::Exim;
    }
    if syslog > 0 {
        return Form::Syslog;
    }
    if first.contains(',') || first.contains('\t') {
        return Form::EspCsv;
    }
    Form::Syslog
}

/// An mbox `From_` line (`From sender Thu Apr 29 23:34:45 2015`), as the decoder reads a mailbox.
pub use crate::reply::mbox_from_line as from_line;

fn header_line(l: &str) -> bool {
    match l.split_once(':') {
        Some((name, _)) => {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b':' && b != b' ')
        }
        None => false,
    }
}

/// Header lines up to a blank line, with at least two that every message has.
fn looks_like_message(text: &str) -> bool {
    let mut known = 0;
    for (n, line) in text.lines().take(200).enumerate() {
        if line.trim().is_empty() {
            return n > 0 && known >= 2;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if !header_line(line) {
            return false;
        }
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "received"
                | "from"
                | "to"
                | "subject"
                | "date"
                | "message-id"
                | "return-path"
                | "mime-version"
                | "content-type"
                | "delivered-to"
                | "x-failed-recipients"
                | "auto-submitted"
        ) {
            known += 1;
        }
    }
    known >= 2
}

fn exim_line(l: &str) -> bool {
    let b = l.as_bytes();
    super::time::iso(b).is_some_and(|(_, used)| {
        let rest = l[used..].trim_start();
        let rest = rest
            .strip_prefix('[')
            .map_or(rest, |r| r.split_once("] ").map_or("", |(_, after)| after));
        let mut t = rest.split(' ');
        let id = t.next().unwrap_or("");
        let flag = t.next().unwrap_or("");
        id.len() >= 12
            && id.matches('-').count() == 2
            && matches!(flag, "<=" | "=>" | "->" | "==" | "**" | "Completed")
    })
}

fn syslog_line(l: &str) -> bool {
    let b = l.as_bytes();
    let year = super::time::YearRef::from_ts(0);
    let used = super::time::syslog(b, &year)
        .or_else(|| super::time::iso(b))
        .map(|(_, used)| used);
    used.is_some_and(|u| {
        let mut rest = l[u..].split_whitespace();
        let _host = rest.next();
        rest.next().is_some_and(|tag| tag.ends_with(':'))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A directory's entries in the order `Path` sorts them: by name, byte by byte.
    #[test]
    fn entries_are_sorted_by_name() {
        let dir = std::env::temp_dir().join(format!("mt-sorted-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            "b",
            "a.b",
            "a-b",
            "ab",
            "a b",
            "A",
            "é",
            "a",
            "17000.M1P1:2,S",
            "1700",
        ];
        for n in names {
            std::fs::write(dir.join(n), "x").unwrap();
        }
        let got = sorted_entries(&dir).unwrap();
        let mut want: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
        want.sort();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(got, want);
    }

    #[test]
    fn forms_are_recognised_from_content() {
        let postfix =
            b"Mar  3 10:12:01 mx1 postfix/smtp[2231]: 4F1A2B3C: to=<a@b>, status=sent (250 ok)\n";
        assert_eq!(recognise(postfix), Form::Syslog);
        let exim =
            b"2024-05-01 10:00:00 1rs2Ab-000Abc-1x => bob@example.org R=dnslookup T=remote_smtp\n";
        assert_eq!(recognise(exim), Form::Exim);
        let eml = b"Return-Path: <>\nFrom: MAILER-DAEMON@x\nSubject: failure\n\nbody\n";
        assert_eq!(recognise(eml), Form::Message);
        let mbox = b"From MAILER-DAEMON Mon Mar  3 10:00:00 2026\nFrom: MAILER-DAEMON@x\nSubject: s\n\nb\n";
        assert_eq!(recognise(mbox), Form::Mbox);
        assert!(from_line(b"From MAILER-DAEMON  Thu Apr 29 23:34:45 2015"));
        assert!(!from_line(b"From the desk of the postmaster: hello"));
        assert_eq!(
            recognise(b"email,event,reason\nx@y,bounce,550 5.1.1 no\n"),
            Form::EspCsv
        );
        assert_eq!(recognise(b"{\"event\":\"bounce\"}\n"), Form::EspJson);
        let msgtrk = b"#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: Message Tracking Log\n#Fields: date-time,client-ip,event-id,recipient-address\n";
        assert_eq!(recognise(msgtrk), Form::ExchangeCsv);
        assert_eq!(recognise(b"\x00\x01\x02garbage"), Form::Binary);
        // A block of NULs in a log (after a crash) leaves it a log; NULs everywhere do not.
        let crashed = [&postfix[..], &[0u8; 4096][..], &b"\n"[..], &postfix[..]].concat();
        assert_eq!(recognise(&crashed), Form::Syslog);
        assert_eq!(recognise(&[0u8; 65_536]), Form::Binary);
        assert_eq!(recognise(b"a\x00\nb\x00\nc\n"), Form::Binary);
        assert_eq!(recognise(b"  \n"), Form::Empty);
    }
}
