//! Reply codes: validating basic/enhanced codes and turning raw reply text into one clean `Reply`.

pub(crate) use super::constant_regex::Regex;
use super::types::{InputError, Reply};

// The reply-code grammar is read by the byte scanners of `code_scan` (each documents the
// pattern it stands for): compiling those patterns was a third of a one-reply run.
use super::code_scan;

/// A constant pattern, compiled for the first text it matches (the unit tests exercise every
/// one, so this cannot fail at run time).
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern)
}

/// Checks a basic code: first digit 2-5 (RFC 5321 section 4.2.1). RFC 5321 defines second
/// digits 0-5 only, but servers answer with others (`591 ... is blacklisted`, `577`): their
/// class still says what happened, so they are accepted and decoded by class and words.
pub fn check_basic(code: &str) -> Result<u16, InputError> {
    let b = code.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
        return Err(InputError::OutOfRange(
            code.into(),
            "not a three-digit code".into(),
        ));
    }
    if !(b'2'..=b'5').contains(&b[0]) {
        return Err(InputError::OutOfRange(
            code.into(),
            "the first digit must be 2, 3, 4 or 5".into(),
        ));
    }
    Ok(code.parse().unwrap_or(0))
}

/// The enhanced code a relay's status gives a reply (a log's `dsn=`, a DSN's `Status:`), unless
/// it is the `X.0.0` a relay derives from the class of a reply that gave a basic code and no
/// enhanced one (Postfix, Sendmail and most DSN writers do): beside the server's basic code it
/// says nothing more, and read as the reply's own it would put the registry's "undefined
/// status" over what the basic code means. `said` is whether the reply's own words carry it.
pub(crate) fn relay_status(
    basic: Option<u16>,
    status: Option<String>,
    said: impl Fn(&str) -> bool,
) -> Option<String> {
    status.filter(|s| basic.is_none() || !s.ends_with(".0.0") || said(s))
}

/// The reply a report wraps as `<[host] #5.1.1 smtp;550 5.1.1 ...>`: the status and the
/// `smtp;` type before it and the closing bracket are the report's (Exchange 2007-2013's
/// `Remote Server returned '...'`, Lotus Notes' `X-Supplementary-Info:`). `None` when `s` is
/// not such a wrapper.
pub(crate) fn status_bracketed(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix('<')?;
    let inner = inner.trim_end().strip_suffix('>').unwrap_or(inner);
    let (_, said) = inner.split_once("smtp;")?;
    Some(said.trim_start())
}

/// Checks an enhanced code: class 2/4/5, subject 0-7, detail 0-999 (RFC 3463 section 3).
pub fn check_enhanced(code: &str) -> Result<String, InputError> {
    let parts: Vec<&str> = code.split('.').collect();
    let bad = |why: &str| Err(InputError::OutOfRange(code.into(), why.into()));
    let [class, subject, detail] = parts.as_slice() else {
        return bad("not class.subject.detail");
    };
    let num = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|_| !s.is_empty() && s.len() <= 3)
    };
    let (Some(c), Some(s), Some(d)) = (num(class), num(subject), num(detail)) else {
        return bad("each part must be a number of at most three digits");
    };
    if !matches!(c, 2 | 4 | 5) {
        return bad("the class must be 2, 4 or 5");
    }
    if s > 7 {
        return bad("the subject must be 0-7");
    }
    if d > 999 {
        return bad("the detail must be 0-999");
    }
    Ok(format!("{c}.{s}.{d}"))
}

/// Parses text that starts with a reply (one or many lines, or flattened onto one line).
/// Out-of-range codes are an error; text not starting with a code is `Ok(None)`.
pub fn parse_reply_start(raw: &str) -> Result<Option<Reply>, InputError> {
    let s = unhash(trim_wrapping(raw));
    // Only the opening code is looked at: the rest of a long text is never scanned here.
    let unglued;
    let s = if code_scan::glued_at_start(s) {
        unglued = format!("{} {}", &s[..3], &s[4..]);
        unglued.as_str()
    } else {
        s
    };
    let Some((basic_s, enhanced_s)) = code_scan::reply_start(s) else {
        return parse_enhanced_start(s);
    };
    let basic = check_basic(basic_s)?;
    // A dotted number after a valid basic code that is no enhanced code (`550 3.1.1 ...`) is
    // part of the words: the reply stands on its basic code.
    let enhanced_s = enhanced_s.filter(|e| check_enhanced(e).is_ok());
    let enhanced = enhanced_s.and_then(|e| check_enhanced(e).ok());
    let text = drop_queue_id(clean_text(s, basic_s, enhanced_s));
    // qmail and others put their status code at the end: `550 no mailbox here (#5.1.1)`.
    let enhanced =
        enhanced.or_else(|| code_scan::hash_enhanced(&text).and_then(|c| check_enhanced(c).ok()));
    Ok(Some(Reply {
        basic: Some(basic),
        enhanced,
        text,
        ..Reply::default()
    }))
}

/// Exchange writes the reply of its diagnostic between hashes (`#550 5.1.1
/// RESOLVER.ADR.RecipNotFound; not found ##`): the reply inside them, its code read as any other.
fn unhash(s: &str) -> &str {
    match s.strip_prefix('#') {
        Some(rest) if code_scan::reply_start(rest).is_some() => drop_hash_trailer(rest),
        _ => s,
    }
}

/// `s` without the ` ##` that closes Exchange's hashed diagnostic.
fn drop_hash_trailer(s: &str) -> &str {
    let t = s.trim_end();
    t.strip_suffix("##").map_or(s, str::trim_end)
}

/// True when `s` opens with a reply code (`550 ...`, `550-5.7.1 ...`, `5.1.1 ...`).
pub fn starts_like_reply(s: &str) -> bool {
    let s = trim_wrapping(s);
    code_scan::reply_start(s).is_some() || code_scan::enhanced_start(s).is_some()
}

/// A reply that carries only an enhanced code (`5.1.1 User unknown`, `#5.1.1 ...`).
fn parse_enhanced_start(s: &str) -> Result<Option<Reply>, InputError> {
    let Some((code, end)) = code_scan::enhanced_start(s) else {
        return Ok(None);
    };
    // A log line that opens with its date (`13.03.2017 21:00:05 ...`) opens with no code: the
    // reply, if any, is further on.
    if is_dotted_date(code) {
        return Ok(None);
    }
    let enhanced = check_enhanced(code)?;
    let rest = s.get(end..).unwrap_or("");
    let text = drop_queue_id(rest.split_whitespace().collect::<Vec<_>>().join(" "));
    Ok(Some(Reply {
        enhanced: Some(enhanced),
        text,
        ..Reply::default()
    }))
}

/// `dd.mm.yyyy` (or `d.m.yyyy`), a day, a month and a year from 1900 to 2099: the shape of an
/// enhanced code, whose detail is never more than three digits.
fn is_dotted_date(code: &str) -> bool {
    let num = |p: &str, len: std::ops::RangeInclusive<usize>| {
        p.parse::<u32>().ok().filter(|_| len.contains(&p.len()))
    };
    let mut parts = code.trim_start_matches('#').split('.');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    matches!(
        (num(d, 1..=2), num(m, 1..=2), num(y, 4..=4)),
        (Some(1..=31), Some(1..=12), Some(1900..=2099))
    )
}

/// `s` with the dot read as a space where a reply code is glued to its enhanced code by one
/// (`550.5.7.1 Message rejected`, as some hosts' notices print it): the two codes must be of
/// one class, so that a version or an address (`250.1.2.3`) stays as it is. The text keeps its
/// length, so offsets into it are offsets into `s`.
pub(crate) fn unglue(s: &str) -> std::borrow::Cow<'_, str> {
    let glued = code_scan::glued_codes(s);
    if glued.is_empty() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut b = s.as_bytes().to_vec();
    for at in glued {
        b[at] = b' ';
    }
    // Only an ASCII dot became an ASCII space.
    std::borrow::Cow::Owned(String::from_utf8(b).unwrap_or_else(|_| s.to_string()))
}

/// Drops a queue or session id that a server puts between its codes and its words (`550
/// 5.2.0 6FcArPEpSDkj6 Mail rejected`, `550 2f1c655f95f5cae-a1f55 User not found`): the words
/// are the reply. An id is one token of 8 or more letters, digits and dashes, with at least two
/// digits and a letter, and a dash, case switching back and forth, or lowercase hexadecimal
/// (words and codes are none of these).
fn drop_queue_id(text: String) -> String {
    let Some(first) = text.split_whitespace().next() else {
        return text;
    };
    let digits = first.chars().filter(char::is_ascii_digit).count();
    // Case switching back and forth (`6FcArPEpSDkj6`), not a capital word (`Office365`).
    let letters: Vec<bool> = first
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.is_ascii_uppercase())
        .collect();
    let switches = letters.windows(2).filter(|w| w[0] != w[1]).count();
    let id = first.len() >= 8
        && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && digits >= 2
        && !letters.is_empty()
        && (first.contains('-')
            || switches >= 3
            || first
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let rest = text[first.len()..].trim_start();
    if id && rest.chars().next().is_some_and(char::is_alphabetic) {
        rest.to_string()
    } else {
        text
    }
}

/// Finds the reply inside prose and parses from there; only valid codes count. The first
/// failing (4xx/5xx) reply wins over an earlier success: a transcript's `220` greeting or
/// `250 Ok`, or the `250` a library expected before it names the code it got.
pub fn find_reply(s: &str) -> Option<Reply> {
    find_reply_at(s).map(|(_, r)| r)
}

/// As [`find_reply`], with the byte offset where the reply starts in `s`.
pub fn find_reply_at(s: &str) -> Option<(usize, Reply)> {
    let unglued = unglue(s);
    let s = unglued.as_ref();
    let mut first: Option<(usize, Reply)> = None;
    // Each candidate reads at most a window of what follows it (a reply's text is cut at
    // 8 KiB anyway), and only so many candidates are tried: a long text of codes stays linear.
    for found in code_scan::reply_anywhere(s).take(500) {
        let code = &s[found.code..found.code + 3];
        let mut end = (found.code + 16 * 1024).min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let tail = &s[found.code..end];
        // `550: <ann@example.org>: User unknown` (Yahoo's failure notices): read the colon as
        // the space it stands for.
        let colon;
        let tail = match tail.get(3..).and_then(|r| r.strip_prefix(':')) {
            Some(rest) => {
                colon = format!("{} {rest}", &tail[..3]);
                colon.as_str()
            }
            None => tail,
        };
        // A bare number followed by a unit or a lowercase word fragment is rarely a reply;
        // require either an enhanced code or text that reads like a sentence. A code outside
        // RFC 5321's second digits (`590`) needs its enhanced code to be taken for one in prose.
        let odd = code.as_bytes()[1] > b'5';
        if !found.enhanced
            && (odd
                || !plausible_bare(tail)
                || ends_cipher_field(&s[..found.code])
                || http_status_line(tail))
        {
            continue;
        }
        if let Ok(Some(mut r)) = parse_reply_start(tail) {
            // A reply quoted in prose (`Remote server returned '550 5.7.129 ...'`) ends at
            // its closing quote.
            unquote(&s[..found.code], &mut r);
            if r.basic.is_some_and(|b| b >= 400) {
                return Some((found.code, r));
            }
            first.get_or_insert((found.code, r));
        }
    }
    first
}

/// A reply quoted in prose (`Remote server returned '550 5.7.129 ...'`) ends at its closing
/// quote, and one between Exchange's hashes (`#550 5.1.1 ... ##`) at its closing hashes:
/// `before` is the text before the reply's code.
pub fn unquote(before: &str, r: &mut Reply) {
    if before.ends_with('#') {
        let kept = drop_hash_trailer(&r.text).len();
        r.text.truncate(kept);
        // Exchange relays the receiver's reply inside its own (`#451 4.4.0 Primary target IP
        // address responded with: "421 4.4.2 Connection dropped." ##`): of one class, the
        // receiver's is the reply that says what happened, as in a relay's DSN summary.
        let class = |r: &Reply| r.basic.map(|b| b / 100);
        if let Some(inner) = find_reply(&r.text)
            && inner.basic.is_some()
            && class(&inner) == class(r)
        {
            *r = inner;
        }
    }
    let Some(q) = before
        .chars()
        .next_back()
        .filter(|c| matches!(c, '\'' | '"'))
    else {
        return;
    };
    // The quote closes where the application's own words go on: at the end, before Exchange's
    // closing hashes, before a field separator (`"550 Relay prohibited", port: 25, security
    // (SSL): no`), or before the place an exception was raised (`"550 ...\n" in
    // /var/www/.../AbstractSmtpTransport.php`). A quote inside the reply (`domain's`,
    // `"user"`) is followed by words and stays.
    let closes = |after: &str| {
        let rest = after.trim_start();
        // Symfony ends its sentence after the quote, then its context follows (`with message
        // "550 ...". {"exception": ...}` in a Laravel log).
        let (after, rest) = match after.strip_prefix('.') {
            Some(a) if a.trim().is_empty() || a.starts_with(char::is_whitespace) => {
                let r = a.trim_start();
                if r.is_empty() || r.starts_with(['{', '[']) {
                    return true;
                }
                (a, r)
            }
            _ => (after, rest),
        };
        // Where an exception was raised: `in /var/www/x.php:383`, Swift Mailer's `in
        // AbstractSmtpTransport.php line 383`, PHP's `on line 457 of /var/www/x.php`.
        let raised_at = |rest: &str| {
            let second = rest.split_whitespace().nth(1).unwrap_or("");
            rest.starts_with("in /")
                || rest.starts_with("in ") && (second.contains(".php") || second.contains('/'))
                || rest.starts_with("on line ") && rest.contains(" of ")
                || rest.starts_with("at ") && rest.contains('(')
        };
        rest.is_empty()
            || rest.trim_end() == "##"
            || after.starts_with([',', ';', ')', ']', '}'])
            || after.starts_with(char::is_whitespace) && raised_at(rest)
            // A quote the paste doubled (`"550 ...\n"" on line 457 of /x.php`).
            || after.starts_with(['"', '\'']) && raised_at(after[1..].trim_start())
    };
    if let Some(end) = r
        .text
        .match_indices(q)
        .map(|(i, _)| i)
        .find(|&i| closes(&r.text[i + q.len_utf8()..]))
    {
        r.text.truncate(end);
        r.text.truncate(r.text.trim_end().len());
    }
}

/// An HTTP status line in prose (a web framework's `Completed 500 Internal Server Error`, a
/// proxy's `502 Bad Gateway`): its status and reason phrase as HTTP writes them, never an SMTP
/// reply, whose words these are not. So is a number the prose itself calls an HTTP status
/// (`is returning a 403 HTTP status code`).
fn http_status_line(tail: &str) -> bool {
    let mut words = tail.get(3..).unwrap_or("").split_whitespace();
    let http = words.next().is_some_and(|w| w.eq_ignore_ascii_case("http"));
    let kind = words.next().unwrap_or("").trim_end_matches([',', '.', ':']);
    if http && ["status", "error", "response", "code"].contains(&&*kind.to_lowercase()) {
        return true;
    }
    const LINES: &[&str] = &[
        "500 Internal Server Error",
        "502 Bad Gateway",
        "503 Service Unavailable",
        "504 Gateway Timeout",
        "504 Gateway Time-out",
        "400 Bad Request",
        "401 Unauthorized",
        "403 Forbidden",
        "404 Not Found",
        "429 Too Many Requests",
    ];
    LINES.iter().any(|l| {
        tail.starts_with(l)
            && tail[l.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Exim logs the TLS session as `X=TLS1.3:TLS_AES_256_GCM_SHA384:256`: the number after the
/// cipher's last colon is its key size, not a reply code. `before` is the text up to the number.
fn ends_cipher_field(before: &str) -> bool {
    let token = before.rsplit(char::is_whitespace).next().unwrap_or("");
    token.ends_with(':') && token.to_ascii_uppercase().contains("TLS") && token.contains(['_', '-'])
}

fn plausible_bare(tail: &str) -> bool {
    let rest = tail.get(3..).unwrap_or("");
    // AOL opens its multi-line replies with an empty first word (`421-: (DYN:T1)`).
    let rest = rest.trim_start_matches(['-', ' ', '\t', ':']);
    // `550 <ann@example.org>: User unknown`: the reply names the address first, or the
    // client's IP address (`550 <192.0.2.25> blocked by ...`).
    if let Some(addr) = rest.strip_prefix('<') {
        // `501 <>: missing or malformed local part`: the null path (RFC 5321 section 4.1.1.2),
        // which Exim quotes as the address it refused.
        if addr.starts_with(">:") {
            return true;
        }
        return addr.split('>').next().is_some_and(|a| {
            a.contains('@') || a.contains(['.', ':']) && a.parse::<std::net::IpAddr>().is_ok()
        });
    }
    // `SMTP 550 ("fromemail" max messages per session)`: words opened by a bracket or quote.
    let rest = rest.trim_start_matches(['(', '[', '"', '\'']);
    let mut word: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
    // A provider's own number between the code and the words (`554 30 Sorry, your message
    // ...`, `552 1 Requested mail action aborted`): the words after it decide.
    if word.len() <= 4 && word.chars().all(|c| c.is_ascii_digit()) {
        let after = rest[word.len()..].trim_start();
        if after.starts_with(|c: char| c.is_ascii_uppercase()) {
            word = after.chars().take_while(|c| c.is_alphanumeric()).collect();
        }
    }
    if word.is_empty() {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "bytes"
            | "byte"
            | "kb"
            | "mb"
            | "gb"
            | "ms"
            | "seconds"
            | "sec"
            | "s"
            | "messages"
            | "minutes"
            | "hours"
            | "days"
            | "of"
            | "and"
            | "or"
            | "to"
    ) && !word.chars().all(|c| c.is_ascii_digit())
}

/// Finds the first valid enhanced code in prose, passing over the dotted numbers that prose
/// holds for other reasons: a product's version and a date.
pub fn find_enhanced(s: &str) -> Option<String> {
    code_scan::enhanced_anywhere(s)
        .filter(|c| {
            let at = c.as_ptr() as usize - s.as_ptr() as usize;
            !version_or_date(&s[..at], &s[at + c.len()..])
        })
        .find_map(|c| check_enhanced(c).ok())
}

/// Words that put a version number after them (`Lotus Domino Release 5.0.12`, `CommuniGate
/// Pro 5.4.2`, `version 4.2.1`), and the mail products whose name bounces print beside their
/// version.
const VERSION_WORDS: &[&str] = &[
    "version",
    "ver",
    "v",
    "release",
    "rel",
    "build",
    "revision",
    "rev",
    "edition",
    "pro",
    "update",
    "patch",
    "domino",
    "notes",
    "communigate",
    "exim",
    "postfix",
    "sendmail",
    "mdaemon",
    "smartermail",
    "kerio",
    "icewarp",
    "merak",
    "zimbra",
    "mailenable",
    "hmailserver",
    "courier",
    "qmail",
    "imail",
    "groupwise",
    "mercury",
    "mailmarshal",
    "surgemail",
    "axigen",
    "mailman",
    "sympa",
    "listserv",
    "majordomo",
    "lyris",
];

/// Words that put a date after them (`vom 5.3.26`, `dated 4.2.19`).
const DATE_WORDS: &[&str] = &[
    "vom", "am", "dated", "date", "datum", "fecha", "data", "du", "le", "del",
];

/// Whether the dotted number between `before` and `after` is a version (after a version word
/// or a product's name) or a date (after a date word, or followed by a time of day).
fn version_or_date(before: &str, after: &str) -> bool {
    let word = before
        .trim_end()
        .trim_end_matches(':')
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | ',' | ';'))
        .next()
        .unwrap_or("")
        .to_lowercase();
    if VERSION_WORDS.contains(&word.as_str()) || DATE_WORDS.contains(&word.as_str()) {
        return true;
    }
    // `of 5.3.26 at 10:00`, `5.3.26, 10:00`: a time of day follows.
    let rest = after.trim_start_matches([',', ' ', '\t']);
    let rest = ["at ", "um ", "à ", "a las ", "alle ", "om "]
        .iter()
        .find_map(|w| rest.strip_prefix(w))
        .unwrap_or(rest);
    let hour = rest.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&hour)
        && rest.as_bytes().get(hour) == Some(&b':')
        && rest
            .as_bytes()
            .get(hour + 1)
            .is_some_and(u8::is_ascii_digit)
}

/// Removes quotes, brackets and whitespace that people wrap pasted replies in.
pub fn trim_wrapping(s: &str) -> &str {
    let mut s = s.trim();
    for _ in 0..3 {
        let t = s
            .strip_prefix(['"', '\'', '`', '<', '(', '['])
            .map(|x| x.strip_suffix(['"', '\'', '`', '>', ')', ']']).unwrap_or(x))
            .unwrap_or(s)
            .trim();
        if t.len() == s.len() {
            break;
        }
        s = t;
    }
    s
}

/// Joins reply lines with single spaces, dropping every `550-5.7.26`/`550 5.7.26`/`550-` prefix
/// (also the ones repeated mid-line when a multi-line reply was pasted flattened).
pub fn clean_text(s: &str, basic: &str, enhanced: Option<&str>) -> String {
    // A line of a multi-line reply that opens with the code (`550 Line two` closing
    // `550-Line one`) carries it as a prefix, whatever follows it.
    let unprefixed: Vec<&str> = s
        .lines()
        .enumerate()
        .map(|(n, l)| {
            let t = l.trim_start();
            match t.strip_prefix(basic) {
                Some(rest) if n > 0 && rest.starts_with([' ', '\t']) => {
                    let rest = rest.trim_start();
                    let code = rest.split_whitespace().next().unwrap_or("");
                    if enhanced.is_some_and(|e| code == e || code.strip_prefix('#') == Some(e)) {
                        &rest[code.len()..]
                    } else {
                        rest
                    }
                }
                _ => l,
            }
        })
        .collect();
    let s = unprefixed.join("\n");
    let toks: Vec<&str> = s.split_whitespace().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let is_enh = |t: &str| enhanced.is_some_and(|e| t == e || t.strip_prefix('#') == Some(e));
    // The words a server wrote without a space after its enhanced code, right after the codes.
    let glued_to_enhanced = |i: usize, t: &'_ str| -> Option<String> {
        let e = enhanced?;
        let rest = t.strip_prefix(e)?;
        (i <= 1 && rest.starts_with(char::is_alphabetic)).then(|| rest.to_string())
    };
    while i < toks.len() {
        let t = toks[i];
        let next = toks.get(i + 1).copied().unwrap_or("");
        let glued = t.strip_prefix(basic).and_then(|r| r.strip_prefix('-'));
        let skip = if i == 0 && t == basic {
            if is_enh(next) { 2 } else { 1 }
        } else if let Some(after) = glued {
            if after.is_empty() {
                if is_enh(next) { 2 } else { 1 }
            } else if is_enh(after) {
                1
            } else {
                // `550-Reason: ...` style (no space after the dash): the words are the reply's.
                push_word(&mut out, after);
                1
            }
        } else if t == basic && is_enh(next) {
            2
        } else if let Some(words) = glued_to_enhanced(i, t) {
            // `550 5.7.1Relay not permitted`: the words begin where the code ends.
            push_word(&mut out, &words);
            1
        } else {
            0
        };
        if skip == 0 {
            push_word(&mut out, t);
            i += 1;
        } else {
            i += skip;
        }
    }
    out
}

fn push_word(out: &mut String, w: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(w);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_glued_to_the_enhanced_code_are_the_replys_words() {
        let r = parse_reply_start("550 5.7.1Relay not permitted for user.")
            .unwrap()
            .unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.7.1"));
        assert_eq!(r.text, "Relay not permitted for user.");
        // A dotted number inside the words is no code to split.
        let r = parse_reply_start("550 5.7.1 Rejected: see 5.7.1a below")
            .unwrap()
            .unwrap();
        assert_eq!(r.text, "Rejected: see 5.7.1a below");
    }

    #[test]
    fn a_quote_closed_by_a_sentence_end_and_a_client_ip_first_are_read() {
        let r = find_reply(
            "Expected response code \"250\" but got code \"550\", with message \"550 Mail \
             refused\r\n\". {\"exception\":\"[object] (X(code: 550): at /x.php:342)\"}",
        )
        .unwrap();
        assert_eq!(r.text, "Mail refused");
        // A quote inside the reply, followed by more of its words, stays.
        let r = find_reply("said '550 No \"bob\". Try \"help\" later'").unwrap();
        assert_eq!(r.text, "No \"bob\". Try \"help\" later");
        let r = find_reply("SMTPAddressFailedException: 550 <192.0.2.25> blocked by ldap").unwrap();
        assert_eq!(r.basic, Some(550));
        assert!(find_reply("It took 550 <x> steps").is_none());
    }

    #[test]
    fn flattened_gmail_reply_keeps_one_code_and_joins_text() {
        let r = parse_reply_start(
            "550-5.7.26 This mail is unauthenticated, 550-5.7.26 which poses a security risk. \
             550 5.7.26 Learn more - gsmtp",
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.enhanced.as_deref(), Some("5.7.26"));
        assert_eq!(
            r.text,
            "This mail is unauthenticated, which poses a security risk. Learn more - gsmtp"
        );
    }

    #[test]
    fn a_code_glued_to_its_words_mid_reply_is_dropped_and_the_words_kept() {
        assert_eq!(
            clean_text(
                "550-Rejected. 550-Reason: no reverse DNS. 550-See 550-https://example.org/",
                "550",
                None
            ),
            "Rejected. Reason: no reverse DNS. See https://example.org/"
        );
    }

    #[test]
    fn out_of_range_codes_are_errors() {
        assert!(
            matches!(parse_reply_start("650 nope"), Err(InputError::OutOfRange(c, _)) if c == "650")
        );
        assert!(
            matches!(parse_reply_start("5.9.99 x"), Err(InputError::OutOfRange(c, _)) if c == "5.9.99")
        );
        assert!(matches!(
            parse_reply_start("3.1.1 x"),
            Err(InputError::OutOfRange(..))
        ));
    }

    #[test]
    fn a_log_line_opening_with_a_dotted_date_opens_with_no_code() {
        // `13.03.2017 21:00:05Exception ...: 501 5.1.7 ...` (a Meteor application's log).
        assert!(matches!(
            parse_reply_start("13.03.2017 21:00:05Exception: Mail from command failed"),
            Ok(None)
        ));
        assert!(is_dotted_date("1.3.2017") && !is_dotted_date("5.1.100"));
        assert!(!is_dotted_date("13.13.2017") && !is_dotted_date("5.1.1"));
    }

    #[test]
    fn a_reply_code_glued_to_its_enhanced_code_by_a_dot_is_read() {
        let r = parse_reply_start("550.5.7.1 Message rejected as spam by content filtering.")
            .unwrap()
            .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(550), Some("5.7.1")));
        assert_eq!(r.text, "Message rejected as spam by content filtering.");
        let (at, r) =
            find_reply_at("The following address(es) failed:\n550.5.7.1 Rejected.").unwrap();
        assert_eq!(
            (at, r.basic, r.enhanced.as_deref()),
            (34, Some(550), Some("5.7.1"))
        );
        // Codes of two classes, a longer number or an address are not glued codes.
        for s in [
            "550.4.7.1 x",
            "1550.5.7.1 x",
            "10.550.5.7.1 x",
            "550.5.7.1a x",
        ] {
            assert!(code_scan::glued_codes(s).is_empty(), "{s}");
        }
    }

    #[test]
    fn real_world_codes_outside_the_rfc_ranges_are_read_by_their_class() {
        // Second digits beyond 5 are sent by real servers: the class holds.
        let r = parse_reply_start("591 your host [192.0.2.4] is blacklisted by dnsbl.example")
            .unwrap()
            .unwrap();
        assert_eq!(r.basic, Some(591));
        // After a valid basic code, a dotted number that is no enhanced code is words.
        for (input, text) in [
            ("550 5.9.99 x", "5.9.99 x"),
            ("550 3.1.1 x", "3.1.1 x"),
            ("550 5.1.1000 x", "5.1.1000 x"),
            (
                "550 11.22.33.44 blacklisted see http://www.example.org/query?ip=11.22.33.44",
                "11.22.33.44 blacklisted see http://www.example.org/query?ip=11.22.33.44",
            ),
            ("550 5.6.7.8 is listed", "5.6.7.8 is listed"),
        ] {
            let r = parse_reply_start(input).unwrap().unwrap();
            assert_eq!(
                (r.basic, r.enhanced.as_deref()),
                (Some(550), None),
                "{input}"
            );
            assert_eq!(r.text, text, "{input}");
        }
    }

    #[test]
    fn a_queue_id_between_the_codes_and_the_words_is_dropped() {
        let t = |s: &str| parse_reply_start(s).unwrap().unwrap().text;
        assert_eq!(
            t("550 5.2.0 6FcArPEpSDkj6 Mail rejete. Mail rejected"),
            "Mail rejete. Mail rejected"
        );
        assert_eq!(
            t("550 2f1c655f95f5cae-a1f55 User not found"),
            "User not found"
        );
        // Words, codes and names stay.
        assert_eq!(t("550 5.7.1 Office365 blocked"), "Office365 blocked");
        assert_eq!(
            t("550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"),
            "RESOLVER.ADR.RecipNotFound; not found"
        );
        assert_eq!(t("554 5.7.1 Blocked12 here"), "Blocked12 here");
    }

    /// Exchange's diagnostic line holds the reply between hashes; its reply code counts, and
    /// the closing hashes are no words of the reply (before: no reply code at all).
    #[test]
    fn a_reply_between_exchange_hashes_keeps_its_code() {
        for r in [
            parse_reply_start("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##")
                .unwrap()
                .unwrap(),
            find_reply(
                "nobody@contoso.example\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##",
            )
            .unwrap(),
        ] {
            assert_eq!(r.basic, Some(550));
            assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
            assert_eq!(r.text, "RESOLVER.ADR.RecipNotFound; not found");
        }
        // The receiver's reply Exchange quotes inside its own, of one class, is the reply.
        let r = find_reply(
            "#451 4.4.0 Primary target IP address responded with: \"421 4.4.2 Connection \
             dropped.\" ##",
        )
        .unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (Some(421), Some("4.4.2")));
        assert_eq!(r.text, "Connection dropped.");
        // A hash before an enhanced code alone, or a number that is no reply, is not one.
        let r = parse_reply_start("#5.1.1 unknown user").unwrap().unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, Some("5.1.1")));
        assert!(find_reply("see ticket #5501 for details").is_none());
    }

    #[test]
    fn the_failing_reply_wins_over_an_earlier_success() {
        let r = find_reply(
            r#"Expected response code 250 but got code "550", with message "550 Unauthenticated senders not allowed ""#,
        )
        .unwrap();
        assert_eq!(r.basic, Some(550));
        assert!(r.text.starts_with("Unauthenticated senders"), "{}", r.text);
        let r = find_reply("said: 554 30 Sorry, your message cannot be delivered").unwrap();
        assert_eq!(r.basic, Some(554));
        assert!(find_enhanced("Mailman V5.2.1 released").is_none());
        // A product's version, a date: no status (before: 5.4.2, 5.0.12, 5.3.26).
        for prose in [
            "This report was generated by CommuniGate Pro 5.4.2 on mail.example.net.",
            "Lotus Domino Release 5.0.12 delivery report",
            "Mailer version 4.2.1: delivery failed",
            "Ihre Nachricht vom 5.3.26 konnte nicht zugestellt werden",
            "Your message of 5.3.26 at 10:00 could not be delivered",
        ] {
            assert_eq!(find_enhanced(prose), None, "{prose}");
        }
        // A status beside those words stays one.
        for (prose, code) in [
            ("Remote host said: 5.1.1 user unknown", "5.1.1"),
            ("failed with a status of 5.7.1 (relay denied)", "5.7.1"),
            ("Status: 4.4.7 Delivery expired", "4.4.7"),
        ] {
            assert_eq!(find_enhanced(prose).as_deref(), Some(code), "{prose}");
        }
        assert!(find_enhanced("blocked 10.5.1.2 today").is_none());
    }

    #[test]
    fn a_quoted_reply_ends_where_the_application_goes_on() {
        let (_, r) = find_reply_at(
            r#"server response: "550 Relay prohibited", port: 25, security (SSL): no, server error: 550"#,
        )
        .unwrap();
        assert_eq!(r.text, "Relay prohibited");
        let (_, r) = find_reply_at(
            "with message \"550 5.4.6 Unusual sending activity detected.\n\" in /var/www/x/AbstractSmtpTransport.php:383",
        )
        .unwrap();
        assert_eq!(r.text, "Unusual sending activity detected.");
        // Swift Mailer's own wording of where it was thrown, with the quote doubled by a paste.
        for text in [
            "with message \"550 5.7.1 Relaying denied\n\"\" on line 457 of /var/www/x/Swift.php_",
            "with message \"550 5.7.60 SMTP; Client may not send as this sender\"\nin \
             AbstractSmtpTransport.php line 383",
        ] {
            let (_, r) = find_reply_at(text).unwrap();
            assert!(!r.text.contains("line"), "{text}: {}", r.text);
        }
        // A quote inside the reply is followed by its words and stays.
        let (_, r) = find_reply_at("said '550 5.7.1 the domain's policy says no'").unwrap();
        assert_eq!(r.text, "the domain's policy says no");
    }

    #[test]
    fn finds_reply_inside_prose_but_not_sizes() {
        let r = find_reply("host mx.x[1.2.3.4] said: 550 5.1.1 <a@x>: nope").unwrap();
        assert_eq!(r.enhanced.as_deref(), Some("5.1.1"));
        assert!(find_reply("message of 550 bytes was too big").is_none());
    }
}
