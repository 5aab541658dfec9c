//! Host names a reply carries about the server that answered it: the name the server gives
//! itself in its words, and the host a pasted log or bounce line says answered.

use super::code::Regex;
use super::code::re;
use std::sync::LazyLock;

/// Exchange's reports of another server's refusal name the server that refused: `X rejected
/// your message to the following email addresses:`, `X gave this error:`, Exchange 2010's `The
/// following organization rejected your message: X.` and its diagnostic line `X #550 5.1.1 ...
/// ##` (one capture group each, for multi-line searching).
const EXCHANGE_FORMS: &str = r"^[ \t]*([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+)[ \t]+(?:gave this error:|rejected your message to the following)|\bThe following organization rejected your message:[ \t]*([A-Za-z0-9][A-Za-z0-9.-]*?)\.?[ \t]*$|^[ \t]*([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+)[ \t]+#(?:[45][0-9]{2}[ \t]|[ \t]*$)";

static EXCHANGE: LazyLock<Regex> = LazyLock::new(|| re(&format!("(?im){EXCHANGE_FORMS}")));

/// The server an Exchange report's line says refused the message (see [`EXCHANGE_FORMS`]).
pub fn exchange_refuser(line: &str) -> Option<String> {
    EXCHANGE
        .captures(line)
        .and_then(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str()))
        .map(|h| h.trim_end_matches('.'))
        .filter(|h| is_host(h, 2))
        .map(str::to_string)
}

/// The host a pasted line names as the one that answered: Postfix's `host X[ip] said:` (or
/// `refused to talk to me:`, a refusal of the greeting), Exim's `host X [ip]:` (its bounces
/// since 4.8x put `host X [ip]` on a line of its own, the `SMTP error ...` line after it; its
/// log lines write `H=X [ip]`, with the greeting name in parentheses between when it differs),
/// cPanel's and Plesk's `host: X (ip)`, Sendmail's `while talking to X.:`, a DSN's
/// `Remote-MTA: dns; X`, Gmail's bounce (`Recipient server: X SMTP response: ...`, and its
/// older `... rejected by the server for the recipient domain D by X. [ip]`), Exchange
/// Server's report (`Remote Server at X (ip) returned '550 ...'`), and the host a transcript
/// says it connected to (Exim's debug `Connecting to X [ip]:25`, ZoneMTA's `mx=X[ip]`), the
/// greeting a transcript shows it (`R: 220-mx13.example.ru ESMTP`, `<<< 220 X`), Postfix's line
/// pasted where the host became a Markdown link (`host [X](http://X/)[ip] said:`),
/// Purelymail's report (`at remote mailserver X. (ip): ...`), and Exchange's reports of another
/// server's refusal (`X rejected your message to the following email addresses:`, `X gave this
/// error:`, Exchange 2010's `The following organization rejected your message: X.` and its
/// diagnostic line `X #550 5.1.1 ... ##`).
static SAID_BY: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?im){EXCHANGE_FORMS}|\bhost\s+([A-Za-z0-9][A-Za-z0-9.-]*)\[[^\]\s]*\](?::[0-9]+)?\s+(?:said|refused to talk to me):|\bhost\s+([A-Za-z0-9][A-Za-z0-9.-]*)\s+\[[^\]\s]*\](?::|[ \t]*$|\s+SMTP error\b)|\bH=([A-Za-z0-9][A-Za-z0-9.-]*)\s+(?:\([^()\s]*\)\s+)?\[[^\]\s]*\]|\bhost:\s*([A-Za-z0-9][A-Za-z0-9.-]*)\s+\([0-9a-fA-F.:]+\)|\bwhile talking to ([A-Za-z0-9][A-Za-z0-9.-]*?)\.?:|^\s*Remote-MTA:\s*(?:dns;\s*)?([A-Za-z0-9][A-Za-z0-9.-]*)|\bRecipient server:\s*([A-Za-z0-9][A-Za-z0-9.-]*)|\bfor the recipient domain \S+ by ([A-Za-z0-9][A-Za-z0-9.-]*?)\.?\s+\[[0-9a-fA-F.:]+\]|\bRemote Server at ([A-Za-z0-9][A-Za-z0-9.-]*)\s+\([0-9a-fA-F.:]+\)\s+returned\b|\bConnecting to ([A-Za-z0-9][A-Za-z0-9.-]*)\s+\[[0-9a-fA-F.:]+\]|\bmx=([A-Za-z0-9][A-Za-z0-9.-]*)\[[0-9a-fA-F.:]+\]|\bhost\s+\[([A-Za-z0-9][A-Za-z0-9.-]*)\]\([^)\s]*\)\[[^\]\s]*\](?::[0-9]+)?\s+(?:said|refused\s+to\s+talk\s+to\s+me):|\bat remote mailserver ([A-Za-z0-9][A-Za-z0-9.-]*?)\.?\s+\([0-9a-fA-F.:]+\):|^[ \t]*(?:R:[ \t]*|<<<[ \t]*|<-+[ \t]*|Got:[ \t]*)?220[ -]([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+)\b",
    ))
});

/// The server that wrote an Exchange report, as its diagnostic section names it
/// (`Generating server: EV2MR07MI7830.eurprd06.prod.outlook.com`).
static GENERATING: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?im)^\s*Generating server:\s*([A-Za-z0-9][A-Za-z0-9.-]*)"));

/// The server an Exchange report (NDR) says generated it: its reporting MTA. It refused the
/// message itself only where the reply carries Exchange's own tokens (see provider detection).
pub fn generated_by(prefix: &str) -> Option<String> {
    GENERATING
        .captures_iter(prefix)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim_end_matches('.'))
        .rfind(|h| is_host(h, 2))
        .map(str::to_string)
}

/// A DNS host name of at least `labels` labels whose last label is alphabetic (so neither an
/// IP address nor a version number).
fn is_host(s: &str, labels: usize) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= labels
        && s.len() <= 253
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 63
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && parts
            .last()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// The name the answering server gives itself in its reply: the bracketed host Microsoft's
/// servers append (`... [BN8NAM12FT059.eop-nam12.prod.protection.outlook.com]`), or the domain
/// that opens a greeting or closing reply (`421 mx.example.com Service not available`, RFC 5321
/// section 4.2). Many servers open their other replies the same way (`451 mta7.mail.gq1.yahoo.com
/// Resources temporarily unavailable`, `550 imta02.mail.example.net ...`): there a name of three
/// labels or more is taken, since a bare two-label domain opening a refusal is as often the
/// recipient's (`550 example.net does not exist`). A bracketed name elsewhere in the words is
/// not the server's: Gmail quotes the sender's domain that way (`SPF [example.com] with ip: ...`).
pub fn server_name(basic: Option<u16>, text: &str) -> Option<String> {
    trailing_bracket(text)
        .or_else(|| trailing_dash(text))
        .or_else(|| {
            let labels = if matches!(basic, Some(220 | 221 | 421 | 554)) {
                2
            } else {
                3
            };
            basic.and_then(|_| greeting_domain(text, labels))
        })
}

fn trailing_bracket(text: &str) -> Option<String> {
    let mut t = text.trim_end();
    // Bounce bodies keep Postfix's trailing "(in reply to RCPT TO command)".
    if t.ends_with(')')
        && let Some(i) = t.rfind("(in reply to ")
    {
        t = &t[..i];
    }
    let t = t.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ')' | ';'));
    let inner = t.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    // Microsoft may follow the name with a timestamp and a session id inside the brackets.
    let name = inner[open + 1..].split_whitespace().next()?;
    let name = name.trim_end_matches('.');
    // Three labels or more: a server's own name, not a bare domain quoted in the words.
    is_host(name, 3).then(|| name.to_ascii_lowercase())
}

/// The server name some providers write after a closing ` - ` (Yahoo's
/// `... no longer valid. [-20] - atlas315.free.mail.ne1.yahoo.com`): three labels or more, so
/// that neither a token (`- gsmtp`) nor a quoted domain is taken for it.
fn trailing_dash(text: &str) -> Option<String> {
    let t = text.trim_end().trim_end_matches('.');
    let (_, name) = t.rsplit_once(" - ")?;
    let name = name.trim();
    is_host(name, 3).then(|| name.to_ascii_lowercase())
}

/// Whether an Exim `H=X [ip]` (the match, `rest` the text after it) is a receiving server's
/// log of its own refusal (`H=X [ip] F=<a> rejected RCPT <b>: ...`): X is the client that sent
/// to it, not a server that answered. A delivery line goes on to the remote's answer (`H=X
/// [ip]: SMTP error from remote mail server ...`), so its first `: ` comes before any of
/// the receiving side's verbs.
fn names_exims_client(matched: &str, rest: &str) -> bool {
    if !matched.starts_with("H=") {
        return false;
    }
    let line = rest.split('\n').next().unwrap_or("");
    let fields = line.split(": ").next().unwrap_or("");
    EXIM_RECEIVING.is_match(fields)
}

/// What an Exim server logs after its client's `H=` when it refuses that client: `rejected RCPT
/// <b>`, `rejected after DATA`, `rejected EHLO or HELO`, `temporarily rejected ...`, `sender
/// verify fail for <a>`, `incomplete transaction`.
static EXIM_RECEIVING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:rejected (?:RCPT|MAIL|after|EHLO|HELO|connection|VRFY|EXPN|ETRN|DATA|non-SMTP)|sender verify (?:fail|defer)|incomplete transaction|dropped\b)",
    )
});

/// The domain that opens the words; outside greetings and closings it must be followed by more
/// of them (a name alone there is a domain quoted bare, not the server's opening).
fn greeting_domain(text: &str, labels: usize) -> Option<String> {
    let mut words = text.split_whitespace();
    let first = words.next()?;
    if labels > 2 {
        words.next()?;
    }
    let name = first.trim_end_matches('.');
    is_host(name, labels).then(|| name.to_ascii_lowercase())
}

/// The host that `prefix` (the words before a reply found in pasted prose) says answered: the
/// last one named, as the reply follows it.
pub fn said_by(prefix: &str) -> Option<String> {
    SAID_BY
        .captures_iter(prefix)
        .filter(|c| {
            c.get(0)
                .is_none_or(|m| !names_exims_client(m.as_str(), &prefix[m.end()..]))
        })
        .filter_map(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str()))
        .map(|h| h.trim_end_matches('.'))
        .rfind(|h| is_host(h, 2))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_bracketed_host_is_the_servers_own_name() {
        let t =
            "Access denied. AS(201806281) [DB5EUR03FT028.eop-EUR03.prod.protection.outlook.com]";
        assert_eq!(
            server_name(Some(550), t).as_deref(),
            Some("db5eur03ft028.eop-eur03.prod.protection.outlook.com")
        );
        let stamped = "Rejected [BN8NAM12FT059.eop-nam12.prod.protection.outlook.com \
                       2024-05-01T10:00:00.000Z 08DC6A1F] (in reply to RCPT TO command)";
        assert_eq!(
            server_name(Some(550), stamped).as_deref(),
            Some("bn8nam12ft059.eop-nam12.prod.protection.outlook.com")
        );
    }

    #[test]
    fn brackets_that_are_not_a_server_name_are_not_taken() {
        // The sender's domain quoted mid-reply, an IP, a two-label domain, a token.
        for t in [
            "SPF [example.com] with ip: [192.0.2.25] = did not pass - gsmtp",
            "Client host rejected [192.0.2.25]",
            "Blocked [example.com]",
            "Messages deferred [TSS04]",
        ] {
            assert_eq!(server_name(Some(550), t), None, "{t}");
        }
    }

    #[test]
    fn a_host_after_a_closing_dash_is_the_servers_own_name() {
        assert_eq!(
            server_name(
                Some(554),
                "delivery error: dd Not a valid recipient - atlas315.free.mail.ne1.yahoo.com"
            )
            .as_deref(),
            Some("atlas315.free.mail.ne1.yahoo.com")
        );
        // A token or a two-label domain after a dash is not a server name.
        for t in [
            "The account does not exist - gsmtp",
            "Relay denied - example.com",
            "Rejected - see mx.example.com for details",
        ] {
            assert_eq!(server_name(Some(550), t), None, "{t}");
        }
    }

    #[test]
    fn a_greeting_or_closing_reply_opens_with_the_servers_domain() {
        assert_eq!(
            server_name(Some(421), "mx.example.net Service not available").as_deref(),
            Some("mx.example.net")
        );
        // Other replies may open with the recipient's domain: a server's own name there has
        // three labels or more.
        assert_eq!(server_name(Some(550), "example.net does not exist"), None);
        assert_eq!(server_name(Some(421), "Too many connections"), None);
        assert_eq!(
            server_name(
                Some(451),
                "mta7.mail.gq1.yahoo.com Resources temporarily unavailable"
            )
            .as_deref(),
            Some("mta7.mail.gq1.yahoo.com")
        );
        // A name followed by a colon, an address, or a name alone is not a server's opening.
        for t in [
            "mail.example.net: Recipient address rejected",
            "ann@mail.example.net does not exist",
            "mail.example.net",
            "1.2.3 is no host",
        ] {
            assert_eq!(server_name(Some(550), t), None, "{t}");
        }
    }

    #[test]
    fn exchange_reports_name_the_host_that_refused() {
        for prefix in [
            "mx1.example.net rejected your message to the following email addresses:\nann@example.org\nmx1.example.net gave this error:\n",
            "Delivery has failed to these recipients or groups:\nThe following organization rejected your message: mx1.example.net.\n",
            "Generating server: ex01.corp.example.org\nann@example.org\nmx1.example.net #",
        ] {
            assert_eq!(
                said_by(prefix).as_deref(),
                Some("mx1.example.net"),
                "{prefix}"
            );
        }
        // A name in a sentence that only mentions an error is not the host.
        assert_eq!(
            said_by("The gateway mx1.example.net gave us trouble: "),
            None
        );
    }

    #[test]
    fn the_host_that_said_the_reply_is_found_in_pasted_lines() {
        assert_eq!(
            said_by("status=bounced (host gmail-smtp-in.l.google.com[142.250.1.27] said: ")
                .as_deref(),
            Some("gmail-smtp-in.l.google.com")
        );
        assert_eq!(
            said_by("SMTP error from remote mail server after RCPT TO:<a@x>: host mx.x.org [192.0.2.9]: ")
                .as_deref(),
            Some("mx.x.org")
        );
        assert_eq!(
            said_by("<a@b.org>: host\n   [mx2.example.com](http://mx2.example.com/)[192.0.2.1] refused to talk to\n   me: ")
                .as_deref(),
            Some("mx2.example.com")
        );
        assert_eq!(
            said_by("<a@example.com> at remote mailserver mx.example.com. (192.0.2.2): ")
                .as_deref(),
            Some("mx.example.com")
        );
        assert_eq!(
            said_by("R: 220-mx13.example.ru ESMTP\nR: 220-\nS: EHLO a.example\n").as_deref(),
            Some("mx13.example.ru")
        );
        // A greeting's version number is no host.
        assert_eq!(said_by("220 2.0.0 Ready to start TLS\n"), None);
        assert_eq!(
            said_by("... while talking to mx.example.jp.:\n>>> RCPT To:<a@b>\n<<< ").as_deref(),
            Some("mx.example.jp")
        );
        assert_eq!(
            said_by("Reporting-MTA: dns; a.example\nRemote-MTA: dns; mx.b.example\n").as_deref(),
            Some("mx.b.example")
        );
        assert_eq!(
            said_by("delivery temporarily suspended: host mx01.mail.icloud.com[17.57.155.25] refused to talk to me: ")
                .as_deref(),
            Some("mx01.mail.icloud.com")
        );
        // Exim's bounce with the host on a line of its own, and its log line's `H=`.
        assert_eq!(
            said_by("  ann@example.org\n    host mx1.free.fr [212.27.48.7]\n    SMTP error from remote mail server after end of data:\n    ")
                .as_deref(),
            Some("mx1.free.fr")
        );
        assert_eq!(
            said_by("H=us-smtp-inbound-1.mimecast.com [205.139.110.242]: SMTP error from remote mail server after RCPT TO:<a@x>: ")
                .as_deref(),
            Some("us-smtp-inbound-1.mimecast.com")
        );
        assert_eq!(
            said_by("H=mx.b.example (greeting.b.example) [192.0.2.9] X=TLS1.3 ").as_deref(),
            Some("mx.b.example")
        );
        assert_eq!(
            said_by("SMTP error from remote server for RCPT TO command, host: mx.b.example (192.0.2.9) reason: ")
                .as_deref(),
            Some("mx.b.example")
        );
        assert_eq!(
            said_by("Google tried to deliver your message, but it was rejected by the server for the recipient domain b.example by mx.b.example. [192.0.2.9].\n\nThe error that the other server returned was:\n")
                .as_deref(),
            Some("mx.b.example")
        );
        assert_eq!(
            said_by("Remote Server at mx.b.example (192.0.2.9) returned '").as_deref(),
            Some("mx.b.example")
        );
        assert_eq!(
            said_by("Connecting to mx.b.example [192.0.2.9]:25 ... connected\n  SMTP<< ")
                .as_deref(),
            Some("mx.b.example")
        );
        assert_eq!(
            said_by("CONNECTED domain=b.example mx=mx.b.example[192.0.2.9] src=a\nerror=\"")
                .as_deref(),
            Some("mx.b.example")
        );
        // A recipient's domain is not a host that answered, nor is a host named in a sentence
        // (`the host mx.b.example [192.0.2.9] is slow today`) or a client's `H=` without its IP.
        assert_eq!(said_by("<ann@gmail.com>: "), None);
        assert_eq!(
            said_by("the host mx.b.example [192.0.2.9] is slow today, "),
            None
        );
        assert_eq!(said_by("H=mx.b.example refused "), None);
        // A receiving Exim's log of its own refusal names its client after `H=`.
        assert_eq!(
            said_by("H=mail-sor-f41.google.com [192.0.2.9] F=<a@x> rejected RCPT <b@y>: "),
            None
        );
        assert_eq!(
            said_by(
                "H=out.a.example (helo.a.example) [192.0.2.9] X=TLS1.3:AES:256 temporarily rejected RCPT <b@y>: "
            ),
            None
        );
        assert_eq!(
            said_by("but it was rejected. Recipient server: mx.b.example SMTP response: ")
                .as_deref(),
            Some("mx.b.example")
        );
    }
}
