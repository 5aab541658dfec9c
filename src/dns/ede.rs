//! Extended DNS Errors (RFC 8914) carried in an answer's OPT record: why a server said
//! SERVFAIL or REFUSED, in its own words, folded into the trouble message a user reads, and
//! which codes make an answer the resolver's rather than the zone's (a filter's, a stale or
//! unconfirmed absence, one that failed DNSSEC validation).
//!
//! The text is written by the server's operator (or by whoever sits on the path): it is kept
//! as data, cut to a bounded length and shown with every non-printable character escaped.

use hickory_resolver::proto::op::{Message, ResponseCode};
use hickory_resolver::proto::rr::RecordType;
use hickory_resolver::proto::rr::rdata::opt::{EdnsCode, EdnsOption};

/// EDNS option code of an Extended DNS Error (RFC 8914 section 2).
const EDE: u16 = 15;
/// Errors shown at most, and characters of each one's text: a hostile server may send many.
const MAX_SHOWN: usize = 3;
const MAX_TEXT: usize = 160;

/// The INFO-CODE names of the IANA "Extended DNS Error Codes" registry (RFC 8914 section 5.2):
/// the protocol's own vocabulary, like RCODE names, not advice.
fn name(code: u16) -> Option<&'static str> {
    Some(match code {
        0 => "Other Error",
        1 => "Unsupported DNSKEY Algorithm",
        2 => "Unsupported DS Digest Type",
        3 => "Stale Answer",
        4 => "Forged Answer",
        5 => "DNSSEC Indeterminate",
        6 => "DNSSEC Bogus",
        7 => "Signature Expired",
        8 => "Signature Not Yet Valid",
        9 => "DNSKEY Missing",
        10 => "RRSIGs Missing",
        11 => "No Zone Key Bit Set",
        12 => "NSEC Missing",
        13 => "Cached Error",
        14 => "Not Ready",
        15 => "Blocked",
        16 => "Censored",
        17 => "Filtered",
        18 => "Prohibited",
        19 => "Stale NXDOMAIN Answer",
        20 => "Not Authoritative",
        21 => "Not Supported",
        22 => "No Reachable Authority",
        23 => "Network Error",
        24 => "Invalid Data",
        _ => return None,
    })
}

/// The message's Extended DNS Errors in words, e.g. `extended DNS error 9 (DNSKEY Missing):
/// "no key for example.com"`, or `None` when it carries none.
pub(super) fn describe(message: &Message) -> Option<String> {
    let edns = message.edns.as_ref()?;
    let all = edns.options().get_all(EdnsCode::from(EDE));
    let shown: Vec<String> = all.iter().take(MAX_SHOWN).filter_map(|o| one(o)).collect();
    if shown.is_empty() {
        return None;
    }
    let more = all.len().saturating_sub(MAX_SHOWN);
    let tail = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    Some(format!("{}{tail}", shown.join("; ")))
}

/// The INFO-CODEs that say the resolver's policy, not the zone, wrote an answer: Forged
/// Answer, Blocked, Censored, Filtered (RFC 8914 sections 4.5, 4.16 to 4.18).
const POLICY: [u16; 4] = [4, 15, 16, 17];

/// Why an answer that is not a SERVFAIL or REFUSED is still no word of the domain's DNS: a
/// filtering resolver's NXDOMAIN (RPZ, a block list) or an answer it forged, told by one of
/// the [`POLICY`] codes. `None` for an answer without them (a stale answer, EDE 3, is still
/// the zone's data, RFC 8767).
pub(super) fn policy(message: &Message) -> Option<String> {
    if !carries(message, &POLICY) {
        return None;
    }
    Some(format!(
        "the resolver's policy, not the domain's DNS, wrote this answer ({} with {}); ask a resolver that does not filter (RFC 8914 section 4.16)",
        message.metadata.response_code,
        describe(message)?
    ))
}

/// The INFO-CODEs that say a resolver did not get its answer from the zone's servers: Stale
/// Answer and Stale NXDOMAIN Answer (served from an expired cache entry, RFC 8767), Cached
/// Error, Not Ready, Prohibited (it will not resolve for this client), Not Authoritative, Not
/// Supported, No Reachable Authority, Network Error, Invalid Data (RFC 8914 sections 4.4,
/// 4.14, 4.15, 4.19 to 4.25).
const UNREACHED: [u16; 10] = [3, 13, 14, 18, 19, 20, 21, 22, 23, 24];

/// Why a negative answer (NXDOMAIN, or NOERROR without a record of the type asked) is no
/// proof of absence because one of the [`UNREACHED`] codes rides on it: the absence is the
/// resolver's memory or its guess, and a record published since (or the zone's current
/// answer) would be hidden. `None` for a positive answer (records served stale are still the
/// zone's data, RFC 8767) or one without those codes.
pub(super) fn unreached(message: &Message, rtype: RecordType) -> Option<String> {
    let code = message.metadata.response_code;
    let negative = code == ResponseCode::NXDomain
        || (code == ResponseCode::NoError
            && !message.answers.iter().any(|r| r.record_type() == rtype));
    if !negative || !carries(message, &UNREACHED) {
        return None;
    }
    let shape = if code == ResponseCode::NXDomain {
        "NXDOMAIN"
    } else {
        "NODATA"
    };
    Some(format!(
        "the resolver did not get this {shape} from the domain's DNS servers ({}): an absence it served from memory or could not confirm, not proof that the record does not exist; ask again later or through another resolver (RFC 8914, RFC 8767 section 4)",
        describe(message)?
    ))
}

/// The INFO-CODEs that say DNSSEC validation of this very answer failed: DNSSEC Bogus,
/// Signature Expired, Signature Not Yet Valid, DNSKEY Missing, RRSIGs Missing, No Zone Key
/// Bit Set, NSEC Missing (RFC 8914 sections 4.7 to 4.13). Unsupported algorithms (1, 2) make
/// a zone insecure, not bogus (RFC 4035 section 5.2), and Indeterminate (5) is the state of
/// data no trust anchor covers (RFC 4035 section 4.3): those are left out.
const BOGUS: [u16; 7] = [6, 7, 8, 9, 10, 11, 12];

/// Why an answer, positive or negative, is not believed because its own resolver says it
/// failed DNSSEC validation (a [`BOGUS`] code): RFC 4035 section 5.5 has a validating
/// resolver answer SERVFAIL for bogus data, so one that hands it over anyway (a permissive
/// mode) is handing over what may be forged. `None` without those codes.
pub(super) fn bogus(message: &Message) -> Option<String> {
    if !carries(message, &BOGUS) {
        return None;
    }
    Some(format!(
        "the resolver says this {} failed DNSSEC validation ({}) and sent it anyway: it may be forged and is not believed; a validating resolver answers SERVFAIL here (RFC 4035 section 5.5, RFC 8914)",
        message.metadata.response_code,
        describe(message)?
    ))
}

/// True when `message` carries an Extended DNS Error whose INFO-CODE is one of `codes`.
fn carries(message: &Message, codes: &[u16]) -> bool {
    let Some(edns) = message.edns.as_ref() else {
        return false;
    };
    edns.options()
        .get_all(EdnsCode::from(EDE))
        .iter()
        .any(|o| match o {
            EdnsOption::Unknown(_, d) if d.len() >= 2 => {
                codes.contains(&u16::from_be_bytes([d[0], d[1]]))
            }
            _ => false,
        })
}

fn one(option: &EdnsOption) -> Option<String> {
    let EdnsOption::Unknown(_, data) = option else {
        return None;
    };
    // INFO-CODE (2 octets), then EXTRA-TEXT (UTF-8, possibly empty): RFC 8914 section 2.
    let [hi, lo, text @ ..] = data.as_slice() else {
        return Some("extended DNS error (malformed: under 2 octets)".into());
    };
    let code = u16::from_be_bytes([*hi, *lo]);
    let mut out = format!("extended DNS error {code}");
    match name(code) {
        Some(n) => out.push_str(&format!(" ({n})")),
        None => out.push_str(" (unassigned)"),
    }
    if !text.is_empty() {
        out.push_str(&format!(": \"{}\"", printable(text)));
    }
    Some(out)
}

/// `bytes` as text with quotes, backslashes and every control or invalid byte escaped, cut to
/// [`MAX_TEXT`] characters.
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX_TEXT {
            out.push('…');
            break;
        }
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{fffd}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}
