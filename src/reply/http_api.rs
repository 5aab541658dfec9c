//! An HTTP API's refusal (an email service's REST API, an SDK's exception): its status is
//! HTTP's, not an SMTP reply code, so only its words are read.

use super::code::Regex;
use super::code::{find_reply, re};
use super::types::Reply;
use std::sync::LazyLock;

/// An HTTP status where the text says it is one: `HTTP 403`, `HTTP/1.1 429`, `HTTP Error 403`,
/// `API response 401` (an ESP client's wording), a status followed by its HTTP reason phrase (`400 Bad Request`, `429 Too Many
/// Requests`), or a `Status Code: 400` / `statusCode: 403` field (the AWS SDKs' `(Service: ...;
/// Status Code: 400; Error Code: ...)`, Node clients' error objects) holding a 4xx status SMTP
/// never uses.
static HTTP_STATUS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\b(?:HTTP(?:/[0-9.]+)?|API)(?:\s+(?:status|error|code|response))?(?:\s+code)?\s*[:=]?\s*([1-5][0-9]{2})\b|\b([4][0-9]{2})\s+(?:Bad Request|Unauthorized|Payment Required|Forbidden|Not Found|Method Not Allowed|Conflict|Gone|Payload Too Large|Request Entity Too Large|Unprocessable (?:Entity|Content)|Too Many Requests)\b|\bstatus[ _]?code["']?\s*[:=]\s*["']?([4][0-9]{2})\b"#,
    )
});

/// 4xx statuses HTTP uses and SMTP does not (RFC 9110 section 15.5; SMTP's 4xx replies are
/// 421 and 45x, with a few servers' 42x, 43x and 47x): read in a status field, they are HTTP's.
const HTTP_ONLY: &[u16] = &[
    400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 415, 416, 422, 423, 424, 428,
    429,
];

/// The words of an HTTP API's refusal, without the status, as a reply with no code; `None`
/// when the text names no HTTP status, names a success, or holds an SMTP reply of its own
/// (an API that relays what a receiver said: that reply is the answer).
pub fn refusal(text: &str) -> Option<Reply> {
    // The marks checked before the pattern runs.
    let lower_has = |m: &str| {
        text.as_bytes()
            .windows(m.len())
            .any(|w| w.eq_ignore_ascii_case(m.as_bytes()))
    };
    if ![
        "http",
        "status",
        "request",
        "forbidden",
        "unauthorized",
        "not found",
        "unprocessable",
    ]
    .iter()
    .any(|m| lower_has(m))
    {
        return None;
    }
    let c = HTTP_STATUS.captures(text)?;
    let (m, explicit) = match (c.get(1), c.get(2), c.get(3)) {
        (Some(m), _, _) | (_, Some(m), _) => (m, true),
        (_, _, Some(m)) => (m, false),
        _ => return None,
    };
    let status: u16 = m.as_str().parse().ok()?;
    if status < 400 || !explicit && !HTTP_ONLY.contains(&status) {
        return None;
    }
    let whole = c.get(0)?;
    let rest = format!("{} {}", &text[..whole.start()], &text[whole.end()..]);
    if find_reply(&rest).is_some_and(|r| r.basic.is_some() && r.enhanced.is_some()) {
        return None;
    }
    let words = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = words.trim_matches(|c: char| c.is_whitespace() || c == '.' || c == ':');
    (words.chars().filter(|c| c.is_alphabetic()).count() >= 3).then(|| Reply {
        text: words.to_string(),
        ..Reply::default()
    })
}

/// The most lines and bytes a text without any reply code may have to be read as one API
/// refusal: an SDK's exception with its JSON body and a few stack frames, not a page of prose.
const CODELESS_LINES: usize = 40;
const CODELESS_BYTES: usize = 4096;

/// A short text in which no reader found a reply code (an API's JSON error, an SDK's exception
/// without its status), its lines joined, as a reply with no code: for the rules to decide
/// whether a sending service's own signals and words are in it (`RuleSet::api_refusal`). Its
/// status, if it names one, stays in the words: the rules read the service's own error codes.
pub fn codeless(text: &str) -> Option<Reply> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() || lines.len() > CODELESS_LINES || text.len() > CODELESS_BYTES {
        return None;
    }
    let words = lines.join(" ");
    (words.chars().filter(|c| c.is_alphabetic()).count() >= 3).then(|| Reply {
        text: words,
        ..Reply::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_http_status_is_no_smtp_code_but_its_words_are_read() {
        let aws = "Error message: Email address is not verified. (Service: \
                   AmazonSimpleEmailService; Status Code: 400; Error Code: MessageRejected)";
        let r = refusal(aws).unwrap();
        assert_eq!((r.basic, r.enhanced.as_deref()), (None, None));
        assert!(
            r.text.contains("Email address is not verified"),
            "{}",
            r.text
        );
        assert!(r.text.contains("AmazonSimpleEmailService"), "{}", r.text);
        assert!(!r.text.contains("400"), "{}", r.text);
        let node = "{ statusCode: 403, message: 'The x.example domain is not verified', name: \
                    'validation_error' }";
        assert!(
            refusal(node)
                .unwrap()
                .text
                .contains("domain is not verified")
        );
        assert!(refusal("HTTP/1.1 429 Too Many Requests: slow down").is_some());
        assert!(refusal("400 Bad Request. Content: no sending domain specified").is_some());
        let python = "python_http_client.exceptions.ForbiddenError: HTTP Error 403: Forbidden";
        assert!(refusal(python).is_some());
        let anymail = "Mailgun API response 401 (UNAUTHORIZED): 'Forbidden'";
        assert!(refusal(anymail).unwrap().text.contains("Mailgun"));
    }

    #[test]
    fn a_short_text_without_a_code_is_offered_whole_and_a_long_one_is_not() {
        let r = codeless("Error: Forbidden\n  at client.js:12\n").unwrap();
        assert_eq!(
            (r.basic, r.text.as_str()),
            (None, "Error: Forbidden at client.js:12")
        );
        assert!(codeless("{}").is_none());
        assert!(codeless(&"word\n".repeat(CODELESS_LINES + 1)).is_none());
        assert!(codeless(&"x".repeat(CODELESS_BYTES + 1)).is_none());
    }

    #[test]
    fn smtp_replies_and_successes_are_left_to_the_reply_readers() {
        // An SMTP code in a status field, a reply an API relays, a success, a URL.
        for text in [
            "SMTP status code: 550 5.1.1 user unknown",
            "HTTP 200 {\"reason\": \"550 5.1.1 user unknown\"}",
            "HTTP 200 OK",
            "550 5.7.1 blocked, see http://example.org/403",
            "status code: 421 try later",
        ] {
            assert!(refusal(text).is_none(), "{text}");
        }
    }
}
