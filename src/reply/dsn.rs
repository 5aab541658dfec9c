//! RFC 3464 message/delivery-status fields: one reply per recipient block.

use super::address;
use super::code::{check_enhanced, find_enhanced, find_reply, parse_reply_start};
use super::types::Reply;

/// Fields of one DSN block, unfolded (continuation lines joined with one space).
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

/// Splits the DSN body into blocks on blank lines, and where a second recipient starts within
/// one block (AOL's relay writes its recipients' fields without blank lines between them): at a
/// recipient field the block already has. (Some MTAs put the recipient fields after Action and
/// Status, so those do not end a block.)
fn blocks(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let name = |l: &str| {
        l.split_once(':')
            .map(|(k, _)| k.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    for line in body.lines() {
        let field = name(line);
        let second = matches!(field.as_str(), "final-recipient" | "original-recipient")
            && !line.starts_with([' ', '\t'])
            && cur.lines().any(|l| name(l) == field);
        if line.trim().is_empty() || second {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if second {
                cur.push_str(line);
                cur.push('\n');
            }
        } else {
            cur.push_str(line);
            cur.push('\n');
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Drops the `rfc822;`, `dns;`, `smtp;` type prefix of a DSN field value.
pub fn strip_type(v: &str) -> &str {
    match v.split_once(';') {
        Some((t, rest)) if !t.contains(char::is_whitespace) && t.len() < 16 => rest.trim(),
        _ => v.trim(),
    }
}

/// The recipient of a block: the Original-Recipient when it is an Internet address (the
/// address as the sender wrote it, so the one on the sender's list), else the Final-Recipient.
/// An X.400, local or empty recipient names nobody: the bounce's text may.
fn recipient(original: Option<&str>, final_rcpt: Option<&str>) -> Option<String> {
    original
        .and_then(address::clean)
        .or_else(|| final_rcpt.and_then(address::clean))
        // A delivery to a program or a file (`|/usr/bin/filter ann@example.org`) names the
        // address it delivers for inside.
        .or_else(|| final_rcpt.and_then(address::within))
        // An address at an unqualified host (`ann@mailhub`) is still the one the server tried.
        .or_else(|| final_rcpt.and_then(address::unqualified))
}

/// RFC 3464's Action values, with the misspellings MTAs use (`failure`, `delay`).
fn action(v: &str) -> String {
    let word = v
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .next()
        .unwrap_or("")
        .trim_end_matches(['.', ',', ':'])
        .to_ascii_lowercase();
    match word.as_str() {
        "failure" | "fail" | "failed" => "failed".into(),
        "delay" | "delayed" => "delayed".into(),
        _ => word,
    }
}

/// The Status field: an enhanced code with an optional comment (`5.0.0 (recipient reached
/// disk quota)`), or, from some MTAs, a basic reply (`553 Exceeded maximum inbound message
/// size`). The comment or the reply's words explain a block that has no Diagnostic-Code.
fn status(v: &str) -> (Option<String>, Option<u16>, String) {
    let v = v.trim();
    let first = v.split_whitespace().next().unwrap_or("");
    if let Ok(e) = check_enhanced(first) {
        let rest = v[first.len()..].trim();
        let comment = rest.trim_start_matches('(').trim_end_matches(')').trim();
        return (Some(e), None, comment.to_string());
    }
    match parse_reply_start(v) {
        Ok(Some(r)) => (r.enhanced, r.basic, r.text),
        _ => (None, None, String::new()),
    }
}

/// The per-message `Received-From-MTA` host of a delivery-status body (RFC 3464 section
/// 2.2.4: the MTA the reporting MTA received the message from), when it names one by DNS.
pub fn received_from_mta(body: &str) -> Option<String> {
    let block = blocks(body).into_iter().next()?;
    fields(&block)
        .into_iter()
        .find(|(k, _)| k == "received-from-mta")
        .map(|(_, v)| strip_type(&v).trim().to_ascii_lowercase())
        .filter(|h| h.contains('.') && !h.contains(['[', ' ']))
}

/// Parses a delivery-status body. Blocks without any recipient field are per-message fields
/// (Reporting-MTA ...) except when a broken DSN puts everything in one block.
pub fn parse(body: &str) -> Vec<Reply> {
    let mut out = Vec::new();
    // Per reply: its Original-Recipient and Final-Recipient as written, for the fan-out check.
    let mut named_as: Vec<(Option<String>, Option<String>)> = Vec::new();
    let mut reporting: Option<String> = None;
    for block in blocks(body) {
        let f = fields(&block);
        let get = |name: &str| f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        if let Some(r) = get("reporting-mta") {
            reporting = Some(strip_type(r).to_string());
        }
        let named = get("final-recipient").or(get("original-recipient"));
        let status_field = get("status");
        let diag = get("diagnostic-code");
        if named.is_none() && status_field.is_none() && diag.is_none() {
            continue;
        }
        let mut reply = diag.map(diagnostic).unwrap_or_default();
        let (status_code, status_basic, status_words) =
            status_field.map_or_else(|| (None, None, String::new()), status);
        // The diagnostic's own enhanced code wins; the Status field fills the gap. A generic
        // Status (`5.0.0`) gives way to a code the receiver's words carry further in (`501
        // Rcpt-To validation failed: ... 5.7.1 This system ...`) when both are of one class.
        if reply.enhanced.is_none() {
            reply.enhanced = match status_code {
                Some(st) if st.ends_with(".0.0") => find_enhanced(&reply.text)
                    .filter(|e| {
                        e.as_bytes().first() == st.as_bytes().first() && !e.ends_with(".0.0")
                    })
                    .or(Some(st)),
                other => other,
            };
        }
        if reply.basic.is_none() && reply.text.is_empty() {
            reply.basic = status_basic;
        }
        if reply.text.is_empty() {
            reply.text = status_words;
        }
        reply.recipient = recipient(get("original-recipient"), get("final-recipient"));
        reply.remote_mta = get("remote-mta").map(|v| strip_type(v).to_string());
        reply.reporting_mta = reporting.clone();
        // RFC 3464 section 2.3.4: Will-Retry-Until is given only for a delayed recipient, so
        // it says so where an MTA left the Action out.
        reply.dsn_action = get("action")
            .map(action)
            .or_else(|| get("will-retry-until").map(|_| "delayed".to_string()));
        named_as.push((
            get("original-recipient").map(str::to_string),
            get("final-recipient").map(str::to_string),
        ));
        out.push(reply);
    }
    name_expanded_members(&mut out, &named_as);
    out
}

/// One Original-Recipient fanned out to several Final-Recipients (a role address or alias the
/// receiving side expanded, each member failing on its own): the failures are the members',
/// so each reply names its Final-Recipient. The original stands for none of them alone and
/// would otherwise be reported once per member, as if it had failed several times.
fn name_expanded_members(out: &mut [Reply], named_as: &[(Option<String>, Option<String>)]) {
    let clean = |v: &Option<String>| v.as_deref().and_then(address::clean);
    for (i, (original, final_rcpt)) in named_as.iter().enumerate() {
        let (Some(orig), Some(fin)) = (clean(original), clean(final_rcpt)) else {
            continue;
        };
        let fanned_out = named_as.iter().enumerate().any(|(j, (o, f))| {
            j != i
                && clean(o).is_some_and(|o| o.eq_ignore_ascii_case(&orig))
                && clean(f).is_some_and(|f| !f.eq_ignore_ascii_case(&fin))
        });
        if fanned_out {
            out[i].recipient = Some(fin);
        }
    }
}

/// Diagnostic types of a local delivery agent, whose diagnostic is no SMTP reply (RFC 3464
/// section 2.3.6): sendmail's `X-Unix; 255` is a program's exit status, the RFC's own example
/// `X-LOCAL; 500 (err.nosuchuser)` the local agent's error.
const LOCAL_AGENT_TYPES: [&str; 2] = ["x-unix", "x-local"];

/// A local agent's diagnostic opening with a bare number: the number is the agent's, not a
/// reply code, so only its words (and an enhanced code among them) are kept.
fn local_agent_words(v: &str, text: &str) -> Option<Reply> {
    let (kind, _) = v.split_once(';')?;
    if !LOCAL_AGENT_TYPES.contains(&kind.trim().to_ascii_lowercase().as_str()) {
        return None;
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || text[digits..].starts_with('.') {
        return None;
    }
    let words: String = text[digits..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let words = words
        .trim_start_matches('(')
        .trim_end_matches(')')
        .to_string();
    Some(Reply {
        enhanced: find_enhanced(&words),
        text: words,
        ..Reply::default()
    })
}

/// A Diagnostic-Code value ("smtp; 550 5.1.1 <x>: user unknown").
pub fn diagnostic(v: &str) -> Reply {
    let text = strip_type(v);
    if let Some(r) = local_agent_words(v, text) {
        return r;
    }
    if let Ok(Some(r)) = parse_reply_start(text) {
        // A relay's summary that quotes the remote server (Amazon SES: `5.1.0 - Unknown address
        // error 550-'5.2.2 <a@b>... Mailbox Full'`): the quoted reply is the receiver's own.
        // Only a reply of the summary's own class: SES's `5.4.7 - Delivery expired` quoting
        // the last 4xx it saw is a final expiry, not a temporary refusal.
        if r.basic.is_none()
            && let Some(inner) = find_reply(&r.text.replace('\'', " "))
            && let (Some(outer), Some(quoted)) = (r.enhanced.as_deref(), inner.enhanced.as_deref())
            && outer.as_bytes().first() == quoted.as_bytes().first()
        {
            return inner;
        }
        return r;
    }
    if let Some(r) = find_reply(text) {
        return r;
    }
    Reply {
        enhanced: find_enhanced(text),
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        ..Reply::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_original_expanded_to_several_members_names_each_member() {
        let body = "Reporting-MTA: dns; mx.example.org\n\n\
                    Original-Recipient: rfc822;team@example.org\n\
                    Final-Recipient: rfc822; ann@example.org\nAction: failed\nStatus: 5.7.1\n\n\
                    Original-Recipient: rfc822;team@example.org\n\
                    Final-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.1.1\n\n\
                    Original-Recipient: rfc822;Carl@Example.org\n\
                    Final-Recipient: rfc822; carl@example.org\nAction: failed\nStatus: 5.1.1\n\n\
                    Original-Recipient: rfc822;dan@example.org\n\
                    Final-Recipient: rfc822; dan.x@example.org\nAction: failed\nStatus: 5.1.1\n";
        let r: Vec<_> = parse(body).into_iter().map(|r| r.recipient).collect();
        assert_eq!(
            r,
            [
                Some("ann@example.org".to_string()),
                Some("bob@example.org".to_string()),
                // one block per original: the address the sender used, as before
                Some("Carl@Example.org".to_string()),
                Some("dan@example.org".to_string()),
            ]
        );
    }

    #[test]
    fn a_generic_status_gives_way_to_the_receivers_code_of_its_class() {
        let body = "Reporting-MTA: dns; mx.example.org\n\n\
                    Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.0.0\n\
                    Diagnostic-Code: X-Postfix; host mx.example.net[192.0.2.2] said: 501 Rcpt-To\n    \
                    validation failed: RCPT TO not accepted: 5.7.1 refused by policy\n\n\
                    Final-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.0.0\n\
                    Diagnostic-Code: smtp; 550 queue 4.4.1 is unrelated\n\n\
                    Final-Recipient: rfc822; c@example.net\nAction: failed\nStatus: 5.2.0\n\
                    Diagnostic-Code: smtp; 552 over quota, see 5.2.2\n";
        let r: Vec<_> = parse(body).into_iter().map(|r| r.enhanced).collect();
        assert_eq!(
            r,
            [
                Some("5.7.1".to_string()),
                // A code of another class is no part of this failure.
                Some("5.0.0".to_string()),
                // Only a generic X.0.0 gives way.
                Some("5.2.0".to_string()),
            ]
        );
    }

    #[test]
    fn a_local_agents_number_is_no_reply_code() {
        let r = diagnostic("X-LOCAL; 500 (err.nosuchuser)");
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, None));
        assert_eq!(r.text, "err.nosuchuser");
        let r = diagnostic("X-Unix; 255");
        assert_eq!((r.basic, r.text.as_str()), (None, ""));
        // An SMTP diagnostic's number is the receiver's reply code.
        assert_eq!(diagnostic("smtp; 550 user unknown").basic, Some(550));
        // So is an enhanced code a local agent quotes.
        let r = diagnostic("X-Local; 552 5.2.2 mailbox full");
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, Some("5.2.2")));
    }

    #[test]
    fn two_recipients_and_status_fallback() {
        let body = "Reporting-MTA: dns; mail.example.com\n\
                    Arrival-Date: Mon, 1 Jan 2024 00:00:00 +0000\n\n\
                    Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\n\
                    Remote-MTA: dns; mx.example.org\n\
                    Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: Recipient address\n \
                    rejected: User unknown\n\n\
                    Final-Recipient: rfc822; b@example.org\nAction: failed\nStatus: 5.2.2\n\
                    Diagnostic-Code: smtp; 552 Mailbox full\n";
        let r = parse(body);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].recipient.as_deref(), Some("a@example.org"));
        assert_eq!(
            r[0].text,
            "<a@example.org>: Recipient address rejected: User unknown"
        );
        assert_eq!(r[0].remote_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(r[1].basic, Some(552));
        assert_eq!(r[1].enhanced.as_deref(), Some("5.2.2"));
        assert_eq!(r[1].dsn_action.as_deref(), Some("failed"));
        // The second block names no remote MTA: the reporting MTA's host stays available.
        assert_eq!(r[1].remote_mta, None);
        assert_eq!(r[1].reporting_mta.as_deref(), Some("mail.example.com"));
    }

    #[test]
    fn recipients_without_blank_lines_between_them_are_each_reported() {
        let body = "Reporting-MTA: dns; relay.example.com\n\
                    Final-Recipient: rfc822; a@example.jp\nAction: failed\nStatus: 5.2.2\n\
                    Diagnostic-Code: smtp; 550 5.2.2 <a@example.jp>... Mailbox Full\n\
                    Final-Recipient: rfc822; b@example.jp\nAction: failed\nStatus: 5.1.1\n\
                    Diagnostic-Code: smtp; 550 5.1.1 <b@example.jp>... User Unknown\n";
        let r = parse(body);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].enhanced.as_deref(), Some("5.2.2"));
        assert_eq!(r[1].recipient.as_deref(), Some("b@example.jp"));
        assert_eq!(r[1].enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(r[1].reporting_mta.as_deref(), Some("relay.example.com"));
    }

    #[test]
    fn the_original_recipient_is_the_senders_and_non_internet_finals_name_nobody() {
        let body = "Reporting-MTA: dns; mx.example.fi\n\n\
                    Final-Recipient: rfc822; xxx@example.fi\n\
                    Original-Recipient: rfc822;ann@example.fi\nAction: delayed\nStatus: 4.3.0\n\n\
                    Original-recipient: rfc822;<bob@example.com>\n\
                    Final-recipient: rfc822;bob@sims-ms-daemon\nAction: failed\n\
                    Status: 5.0.0 (recipient reached disk quota)\n\n\
                    Final-Recipient: LOCAL;<kim>\nAction: failure\n\
                    Status: 553 Exceeded maximum inbound message size\n";
        let r = parse(body);
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(r[0].recipient.as_deref(), Some("ann@example.fi"));
        assert_eq!(r[1].recipient.as_deref(), Some("bob@example.com"));
        assert_eq!(r[1].text, "recipient reached disk quota");
        assert_eq!(r[2].recipient, None);
        assert_eq!(r[2].dsn_action.as_deref(), Some("failed"));
        assert_eq!(r[2].basic, Some(553));
        assert_eq!(r[2].text, "Exceeded maximum inbound message size");
    }

    /// A block without Action but with Will-Retry-Until is a delay; an Action with trailing
    /// punctuation is still read (before: no action, and the bounce's words decided).
    #[test]
    fn will_retry_until_and_punctuated_actions_say_what_happened() {
        let body = "Reporting-MTA: dns; mx.example.fi\n\n\
                    Final-Recipient: rfc822; ann@example.fi\nStatus: 4.4.1\n\
                    Will-Retry-Until: Thu, 10 Dec 2026 10:00:00 +0100\n\n\
                    Final-Recipient: rfc822; bob@example.fi\nAction: failed.\nStatus: 4.4.7\n";
        let r = parse(body);
        assert_eq!(r[0].dsn_action.as_deref(), Some("delayed"));
        assert_eq!(r[1].dsn_action.as_deref(), Some("failed"));
    }

    #[test]
    fn a_relay_summary_yields_to_the_remote_reply_it_quotes() {
        let r = diagnostic(
            "smtp; 5.1.0 - Unknown address error 550-'5.2.2 <a@example.jp>... Mailbox Full' \
             (delivery attempts: 0)",
        );
        assert_eq!(r.basic, Some(550));
        assert_eq!(r.enhanced.as_deref(), Some("5.2.2"));
        assert!(r.text.contains("Mailbox Full"), "{}", r.text);
    }

    #[test]
    fn a_final_summary_keeps_its_own_code_over_a_quoted_temporary_one() {
        let r = diagnostic(
            "smtp; 5.4.7 - Delivery expired (message too old) 421-'4.7.0 [TSS04] Messages \
             from 192.0.2.1 temporarily deferred' (delivery attempts: 12)",
        );
        assert_eq!(r.enhanced.as_deref(), Some("5.4.7"));
        assert!(r.text.contains("Delivery expired"), "{}", r.text);
    }
}
