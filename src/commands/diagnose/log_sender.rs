//! The envelope sender a mail log records for the refused message, from the line of the same
//! queue id that names it: Postfix's qmgr and Sendmail's `<id>: from=<...>`, Exim's
//! `<id> <= <...>`. Empty for a bounce or an auto-reply (a null reverse-path).

/// The sender logged for the queue ids of the lines that report a refusal, when they agree on
/// one value, with the queue id: `Some(("", id))` is a null reverse-path. `None` when the log
/// has no such line, or its refused messages had different senders.
pub(super) fn logged_sender(raw: &[u8]) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(raw);
    let refused: Vec<&str> = text.lines().filter_map(refused_id).collect();
    let mut found: Option<(String, String)> = None;
    for line in text.lines() {
        let Some((id, from)) = sender_line(line) else {
            continue;
        };
        if !refused.contains(&id) {
            continue;
        }
        match &found {
            Some((f, _)) if f != from => return None,
            Some(_) => {}
            None => found = Some((from.to_string(), id.to_string())),
        }
    }
    found
}

/// The queue id of a line that reports a delivery status: Postfix's `status=`, Sendmail's
/// `stat=`, Exim's `**` (failed) and `==` (deferred).
fn refused_id(line: &str) -> Option<&str> {
    if line.contains(" status=") || line.contains(" stat=") {
        return syslog_id(line);
    }
    let (id, flag) = exim_id(line)?;
    matches!(flag, "**" | "==").then_some(id)
}

/// (queue id, sender) of a line that names the envelope sender.
fn sender_line(line: &str) -> Option<(&str, &str)> {
    if let Some(id) = syslog_id(line) {
        let (_, rest) = line.split_once(&format!("{id}: from=<"))?;
        return Some((id, rest.split_once('>')?.0));
    }
    let (id, flag) = exim_id(line)?;
    if flag != "<=" {
        return None;
    }
    let (_, rest) = line.split_once(" <= ")?;
    let word = rest.split_whitespace().next()?;
    // Exim writes the null sender as `<>`, others bare.
    Some((id, word.trim_start_matches('<').trim_end_matches('>')))
}

/// The queue id of a syslog MTA line (`postfix/qmgr[812]: 4F1A2B3C4D: ...`,
/// `sm-mta[77]: 4B7AbC012345: ...`): the word after the program's `[pid]:` that ends in a colon.
fn syslog_id(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once("]: ")?;
    let id = rest.split_whitespace().next()?.strip_suffix(':')?;
    (id.len() >= 5 && id.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(id)
}

/// Exim's message id and the flag after it (`2026-12-07 11:02:14 1tK3aB-000Abc-4x ** ...`):
/// an id of three dash-separated alphanumeric parts.
fn exim_id(line: &str) -> Option<(&str, &str)> {
    let mut words = line.split_whitespace();
    let (_, _, id, flag) = (words.next()?, words.next()?, words.next()?, words.next()?);
    let parts: Vec<&str> = id.split('-').collect();
    let ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then_some((id, flag))
}

#[cfg(test)]
mod tests {
    use super::logged_sender;

    fn sender(log: &str) -> Option<(String, String)> {
        logged_sender(log.as_bytes())
    }

    #[test]
    fn postfix_logs_the_sender_of_the_refused_queue_id_and_nothing_else() {
        let log = "Dec  7 10:00:01 out postfix/qmgr[812]: 4F1A2B3C4D: from=<>, size=2211, nrcpt=1 (queue active)\n\
            Dec  7 10:00:01 out postfix/qmgr[812]: 9E8D7C6B5A: from=<news@other.example>, size=10, nrcpt=1 (queue active)\n\
            Dec  7 10:00:02 out postfix/smtp[901]: 4F1A2B3C4D: to=<pat@gmail.com>, relay=x[192.0.2.250]:25, dsn=5.7.26, status=bounced (host x said: 550 5.7.26 no)\n";
        assert_eq!(sender(log), Some((String::new(), "4F1A2B3C4D".into())));
        // Two refused messages of different senders: no single answer.
        let two = format!(
            "{log}Dec  7 10:00:03 out postfix/smtp[902]: 9E8D7C6B5A: to=<a@b.example>, status=bounced (550 5.7.1 no)\n"
        );
        assert_eq!(sender(&two), None);
        // A refusal without its qmgr line: nothing.
        assert_eq!(sender(log.lines().nth(2).unwrap_or_default()), None);
    }

    #[test]
    fn sendmail_and_exim_log_their_senders_their_own_way() {
        let sendmail = "Dec  7 10:00:01 out sm-mta[77]: 4B7AbC012345: from=<news@send.example>, size=912, class=0, nrcpts=1\n\
            Dec  7 10:00:02 out sm-mta[78]: 4B7AbC012345: to=<pat@gmail.com>, delay=00:00:01, mailer=esmtp, stat=Service unavailable\n";
        assert_eq!(
            sender(sendmail),
            Some(("news@send.example".into(), "4B7AbC012345".into()))
        );
        let exim = "2026-12-07 11:02:14 1tK3aB-000Abc-4x <= <> R=1tK3aA-000Abb-3w U=Debian-exim P=local S=1893\n\
            2026-12-07 11:02:15 1tK3aB-000Abc-4x ** lee@gmail.com R=dnslookup T=remote_smtp: SMTP error from remote mail server after end of data: 550 5.7.26 no\n";
        assert_eq!(
            sender(exim),
            Some((String::new(), "1tK3aB-000Abc-4x".into()))
        );
        let delivered =
            "2026-12-07 11:02:14 1tK3aB-000Abc-4x <= news@x.example U=web P=local S=10\n";
        assert_eq!(sender(delivered), None);
    }
}
