//! A list of failed recipients with one reason below it: every address of the list has it.
//!
//! Gmail's older notices list the recipients of one domain ("Delivery to the following
//! recipients failed permanently:", one address a line), then a blank line and one "Technical
//! details of permanent failure:" paragraph quoting the receiving server's reply. The prose
//! reader gives a quoted reply to the address above it, so only the list's last address had
//! the reply; the others got the notice's words without a code, and came after it. Exim's
//! notice looks alike but is not: it writes each address and, on the lines below it indented
//! further, that address's own error (`deliver.c`, `print_address_error`); an address without
//! an error stands alone. So the list shares its reason only where a blank line separates the
//! list from the reason, never where the reason is written right under the last address.

use super::recipients::{self, Named};
use super::types::Reply;

/// Gives each address of a recipient list the one reply the prose reader found for a member of
/// it (the last, as a rule: the quoted reply stands below the list, and the reader gives a reply
/// to the address above it), in the list's order. Nothing changes where no member, or more than
/// one, has a reply, or where the reply has no code.
/// `replies` are the replies read from the prose `human`; `failed` the addresses a
/// failed-recipients header names (when any, only they count), `own` the addresses that are
/// never recipients, `domain` the reporting system's mail domain.
pub fn share(
    human: &str,
    replies: &mut Vec<Reply>,
    failed: &[String],
    own: &[String],
    domain: Option<&str>,
) {
    let lines: Vec<&str> = human.lines().take(400).collect();
    let named: Vec<Named> = recipients::named(&lines, own, domain)
        .into_iter()
        .filter(|n| failed.is_empty() || failed.iter().any(|f| f.eq_ignore_ascii_case(&n.address)))
        .collect();
    for run in runs(&lines, &named) {
        let answered: Vec<(usize, usize)> = run
            .iter()
            .enumerate()
            .filter_map(|(k, n)| position(replies, &n.address).map(|at| (k, at)))
            .collect();
        let [(member, at)] = answered.as_slice() else {
            continue;
        };
        let reply = replies[*at].clone();
        if reply.basic.is_none() && reply.enhanced.is_none() {
            continue;
        }
        let copy = |n: &&Named| Reply {
            recipient: Some(n.address.clone()),
            ..reply.clone()
        };
        let after: Vec<Reply> = run[member + 1..].iter().map(copy).collect();
        let before: Vec<Reply> = run[..*member].iter().map(copy).collect();
        replies.splice(at + 1..at + 1, after);
        replies.splice(*at..*at, before);
    }
}

/// Runs of two or more addresses, one a line with nothing else on it, on consecutive lines,
/// whose last line is followed by a blank line (the list ends and a paragraph begins).
fn runs<'a>(lines: &[&str], named: &'a [Named]) -> Vec<Vec<&'a Named>> {
    let alone = |n: &Named| {
        lines.get(n.line).is_some_and(|l| {
            let bare = l.trim().trim_start_matches('<').trim_end_matches('>');
            bare.eq_ignore_ascii_case(&n.address)
        })
    };
    let mut out: Vec<Vec<&Named>> = Vec::new();
    let mut current: Vec<&Named> = Vec::new();
    for n in named.iter().filter(|n| alone(n)) {
        if current.last().is_some_and(|p| p.line + 1 != n.line) {
            out.push(std::mem::take(&mut current));
        }
        current.push(n);
    }
    out.push(current);
    out.retain(|run| {
        run.len() >= 2
            && run.last().is_some_and(|l| {
                lines
                    .get(l.line + 1)
                    .is_some_and(|next| next.trim().is_empty())
            })
    });
    out
}

/// Where the reply for `address` is.
fn position(replies: &[Reply], address: &str) -> Option<usize> {
    replies.iter().position(|r| {
        r.recipient
            .as_deref()
            .is_some_and(|x| x.eq_ignore_ascii_case(address))
    })
}

#[cfg(test)]
mod tests {
    use crate::reply::extract;

    fn first_two(text: &str) -> Vec<(Option<String>, Option<String>)> {
        extract(text.as_bytes())
            .expect("a bounce")
            .replies
            .iter()
            .map(|r| (r.recipient.clone(), r.enhanced.clone()))
            .collect()
    }

    #[test]
    fn a_list_above_one_technical_paragraph_gives_every_address_its_reply() {
        let got = first_two(
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
             To: ann@gmail.com\nSubject: Delivery Status Notification (Failure)\n\n\
             Delivery to the following recipients failed permanently:\n\n\
             \x20    kim@example.org\n     lee@example.org\n\n\
             Technical details of permanent failure:\n\
             Google tried to deliver your message, but it was rejected by the recipient domain. \
             The error that the other server returned was: 550 550 5.1.1 <kim@example.org>: \
             Recipient address rejected: User unknown (state 14).\n",
        );
        let five = Some("5.1.1".to_string());
        assert_eq!(
            got,
            vec![
                (Some("kim@example.org".into()), five.clone()),
                (Some("lee@example.org".into()), five),
            ]
        );
    }

    #[test]
    fn three_listed_recipients_one_bracketed_each_get_the_mailbox_full_reply_in_order() {
        let got = first_two(
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n\
             To: ann@gmail.com\nSubject: Delivery Status Notification (Failure)\n\n\
             Delivery to the following recipients failed permanently:\n\n\
             \x20    <kim@example.org>\n     lee@example.org\n     max@example.org\n\n\
             Technical details of permanent failure:\n\
             The error that the other server returned was: 552 5.2.2 Mailbox full\n",
        );
        let full = Some("5.2.2".to_string());
        assert_eq!(
            got,
            vec![
                (Some("kim@example.org".into()), full.clone()),
                (Some("lee@example.org".into()), full.clone()),
                (Some("max@example.org".into()), full),
            ]
        );
    }

    #[test]
    fn an_exim_address_without_its_own_error_does_not_take_the_next_ones() {
        let got = first_two(
            "From: Mail Delivery System <Mailer-Daemon@mx.example.com>\n\
             To: ann@example.com\nSubject: Mail delivery failed: returning message to sender\n\n\
             A message that you sent could not be delivered to one or more of its\n\
             recipients. This is a permanent error. The following address(es) failed:\n\n\
             \x20 kim@example.org\n  lee@example.org\n\
             \x20   SMTP error from remote mail server after RCPT TO:<lee@example.org>:\n\
             \x20   550 5.1.1 User unknown\n",
        );
        assert!(got.contains(&(Some("lee@example.org".into()), Some("5.1.1".into()))));
        assert!(
            got.iter()
                .any(|(r, e)| r.as_deref() == Some("kim@example.org") && e.is_none()),
            "{got:?}"
        );
    }
}
