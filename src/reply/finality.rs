//! Whether each failure in an input is final for the sender's list or still being retried.
//!
//! A reply's class says what the receiver meant at that moment; a bounce says what the sending
//! server then did. A 4.x.x in a non-delivery report is final: the server gave up (its queue
//! lifetime ran out, or it calls the error permanent), so the address will not receive this
//! message. A delay warning is not final whatever its codes. The RFC 3464 Action field and an
//! MTA log's delivery status say so per recipient and win over the bounce's words.

use super::prefilter::Words;
use super::types::{Finality, FinalityBasis, MessageKind, Reply};
use crate::match_only::MatchOnly;
use std::sync::LazyLock;

/// Words of a delay warning: delivery is still being retried.
static DELAY_WORDS: LazyLock<Words> = LazyLock::new(|| Words::new(super::word_patterns::DELAY));

/// Delay-warning words of notices written in other languages (localised Exchange, Domino
/// and carrier templates): delayed, not yet delivered, delivery will be attempted again. Stems
/// without word boundaries, which [`Words`] takes only beside ASCII letters; each is long or
/// specific enough not to stand inside another word of a failure notice.
static LOCAL_DELAY_WORDS: LazyLock<MatchOnly> =
    LazyLock::new(|| MatchOnly::known(super::word_patterns::LOCAL_DELAY).expect("constant regex"));

/// Words that say the server gave up, which outweigh any delay wording quoted beside them
/// (qmail's "I'm not going to try again" follows the last temporary error it met).
static GAVE_UP: LazyLock<Words> = LazyLock::new(|| Words::new(super::word_patterns::GAVE_UP));

/// Giving-up words of notices written in other languages: a permanent error, no further
/// attempt, "will not be retried" (which holds the retry words above, negated).
static LOCAL_GAVE_UP: LazyLock<MatchOnly> = LazyLock::new(|| {
    MatchOnly::known(super::word_patterns::LOCAL_GAVE_UP).expect("constant regex")
});

/// Whether a bounce's words (subject and human-readable part) make it a delay warning rather
/// than a notice of failure.
pub fn reads_as_delay(subject: &str, human: &str) -> bool {
    let warned = delay_words(subject) || delay_words(human);
    let gave_up = |t: &str| GAVE_UP.is_match(t) || LOCAL_GAVE_UP.is_match(t);
    warned && !gave_up(subject) && !gave_up(human)
}

/// Whether words (a subject, a paragraph) announce a delay warning.
pub fn delay_words(text: &str) -> bool {
    DELAY_WORDS.is_match(text) || LOCAL_DELAY_WORDS.is_match(text)
}

/// The class a reply's codes put it in (enhanced first: it is the more specific), if any.
fn class(r: &Reply) -> Option<u8> {
    r.enhanced
        .as_deref()
        .and_then(|e| e.bytes().next())
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .or(r.basic.and_then(|b| u8::try_from(b / 100).ok()))
}

/// Sets every reply's [`Finality`]. `bounce` is `Some(warning)` for the replies of a failure
/// report (a bounce message, or a bounce's text pasted on its own): whether the report reads
/// as a delay warning. `None` for replies and log lines, where only the delivery status and
/// the class speak.
pub fn settle(replies: &mut [Reply], bounce: Option<bool>) {
    for r in replies {
        r.finality = of(r, bounce);
    }
}

fn of(r: &Reply, bounce: Option<bool>) -> Option<Finality> {
    let f = |permanent, basis| Some(Finality { permanent, basis });
    // A reply with no code at all was read from a bounce's prose, whose words gave its action
    // (a DSN always carries a Status).
    let stated = if r.has_code() {
        FinalityBasis::DeliveryStatus
    } else {
        FinalityBasis::BounceWords
    };
    match r.dsn_action.as_deref() {
        Some("failed") => return f(true, stated),
        Some("delayed") => return f(false, stated),
        Some("delivered" | "relayed" | "expanded") => return None,
        _ => {}
    }
    let class = class(r);
    if matches!(class, Some(2 | 3)) {
        return None;
    }
    match (bounce, class) {
        (Some(true), _) => f(false, FinalityBasis::BounceWords),
        (Some(false), Some(5)) => f(true, FinalityBasis::ReplyClass),
        (Some(false), _) => f(true, FinalityBasis::BounceWords),
        (None, Some(5)) => f(true, FinalityBasis::ReplyClass),
        (None, Some(4)) => f(false, FinalityBasis::ReplyClass),
        (None, _) => None,
    }
}

/// What a report whose replies are settled is: a delay warning when none of its failures is
/// final, a delivery report when it reports no failure at all (delivered, relayed, `250 Ok`).
pub fn kind_of(replies: &[Reply]) -> MessageKind {
    let finals: Vec<bool> = replies
        .iter()
        .filter_map(|r| r.finality.map(|f| f.permanent))
        .collect();
    let succeeded = |r: &Reply| {
        r.dsn_action
            .as_deref()
            .is_some_and(|a| matches!(a, "delivered" | "relayed" | "expanded"))
            || r.basic.is_some_and(|b| b < 400)
    };
    if finals.is_empty() && !replies.is_empty() && replies.iter().all(succeeded) {
        MessageKind::DeliveryReport
    } else if !finals.is_empty() && finals.iter().all(|p| !p) {
        MessageKind::DelayWarning
    } else {
        MessageKind::Bounce
    }
}

#[cfg(test)]
mod tests {
    use super::super::prefilter::{boundaries_beside_letters, word_edge_texts};
    use super::*;

    /// The delay and gave-up words answer as their patterns as written do, beside any letter.
    #[test]
    fn delay_and_gave_up_words_read_as_their_patterns() {
        let phrases = [
            "has been delayed",
            "will retry",
            "still trying",
            "delivery status notification (delay)",
            "we're still trying",
            "hasn't been delivered yet",
            "queued for later delivery",
            "have given up",
            "giving up",
            "permanent error",
            "retry timeout has exceeded",
            "message has expired",
            "is not a delay",
            "is being retried",
            "delivery attempts are continuing",
            "we'll keep trying",
            "i'll try again",
            "recipients was delayed",
            "delivery delay report",
            "will continue delivery attempts",
            "message still undelivered after 4 hours",
            "could not be delivered yet",
            "this is a temporary error",
            "still in queue",
            "could not be delivered for 5 days",
            "will be deleted from queue",
            "after a long failure period",
            "no further attempts will be made",
            "has been returned to the sender",
        ];
        for words in [&*DELAY_WORDS, &*GAVE_UP] {
            assert!(boundaries_beside_letters(words.as_written().as_str()));
            for t in word_edge_texts(&phrases) {
                assert_eq!(words.is_match(&t), words.as_written().is_match(&t), "{t}");
            }
        }
    }

    fn reply(basic: Option<u16>, enhanced: Option<&str>, action: Option<&str>) -> Reply {
        Reply {
            basic,
            enhanced: enhanced.map(str::to_string),
            dsn_action: action.map(str::to_string),
            ..Reply::default()
        }
    }

    #[test]
    fn the_delivery_status_decides_then_the_bounce_then_the_class() {
        let mut rs = vec![
            reply(Some(421), Some("4.4.1"), Some("failed")),
            reply(Some(550), Some("5.1.1"), Some("delayed")),
            reply(Some(451), None, None),
            reply(Some(250), None, None),
        ];
        settle(&mut rs, None);
        let got: Vec<_> = rs.iter().map(|r| r.finality.map(|f| f.permanent)).collect();
        assert_eq!(got, [Some(true), Some(false), Some(false), None]);
        assert_eq!(
            rs[0].finality.map(|f| f.basis),
            Some(FinalityBasis::DeliveryStatus)
        );
        // In a failure notice the server gave up, also on a temporary error.
        let mut rs = vec![reply(None, Some("4.4.1"), None), reply(None, None, None)];
        settle(&mut rs, Some(false));
        assert!(rs.iter().all(|r| r.finality.is_some_and(|f| f.permanent)));
        settle(&mut rs, Some(true));
        assert!(rs.iter().all(|r| r.finality.is_some_and(|f| !f.permanent)));
    }

    #[test]
    fn delay_warnings_are_told_from_notices_that_gave_up() {
        assert!(reads_as_delay(
            "Warning: message delayed",
            "No action is required on your part. Delivery attempts will continue for some time"
        ));
        assert!(reads_as_delay(
            "Delayed Mail (still being retried)",
            "THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE."
        ));
        assert!(!reads_as_delay(
            "failure notice",
            "This is a permanent error; I've given up. Sorry it didn't work out."
        ));
        assert!(!reads_as_delay(
            "failure notice",
            "I'm not going to try again; this message has been in the queue too long. \
             I will retry later was the last answer."
        ));
        assert!(!reads_as_delay("Undeliverable", "Unable to deliver mail."));
        // Other MTAs' words for a message still in their queue.
        for words in [
            "The mail system will continue trying to deliver it.",
            "Delivery has been temporarily deferred.",
            "Your message is still queued and waiting in the queue.",
            "It has been queued for later delivery.",
            "We're still trying to deliver your message.",
        ] {
            assert!(reads_as_delay("Mail delivery notice", words), "{words}");
        }
        assert!(!reads_as_delay(
            "Mail delivery failed",
            "Delivery was deferred for five days; the retry period expired, giving up."
        ));
        // Other servers' words, and delay notices written in other languages (localised
        // Exchange templates and others): subject or body.
        for (subject, words) in [
            ("Mail delivery notice", "The message is being retried."),
            ("Delivery Delay Report", ""),
            (
                "Notice",
                "Delivery to the following recipients was delayed.",
            ),
            (
                "Warning: could not send message for past 4 hours",
                "Warning: message still undelivered after 4 hours. Will keep trying until \
                 message is 5 days old",
            ),
            (
                "Mail delivery notice",
                "Your message could not be delivered yet. This is a temporary error; I'll try \
                 again for up to five days.",
            ),
            (
                "Notice",
                "Delivery attempts are continuing for 3 more days.",
            ),
            ("Zustellung verzögert: Angebot", ""),
            ("Nachricht", "Diese Nachricht wurde noch nicht zugestellt."),
            ("Remise différée : Devis", ""),
            (
                "Avis",
                "Le message n'a pas encore été remis, nous allons continuer à essayer.",
            ),
            ("Entrega retrasada: Presupuesto", ""),
            ("Aviso", "Este mensaje todavía no se ha entregado."),
            ("Aviso", "A mensagem ainda não foi entregue."),
            ("Recapito ritardato: Offerta", ""),
            ("Bezorging vertraagd: Offerte", ""),
            ("Уведомление", "Доставка задерживается."),
            ("配信の遅延", ""),
            ("延迟投递通知", ""),
            // The server's promise to try again, in other languages.
            (
                "Avis",
                "Le serveur distant a répondu : 452 4.2.2 Boîte pleine. Nous réessaierons plus tard.",
            ),
            (
                "Aviso",
                "El servidor respondió: 421 4.7.0. Se volverá a intentar la entrega durante 2 días.",
            ),
            (
                "Aviso",
                "O servidor respondeu 451 4.3.0. Tentaremos novamente em 30 minutos.",
            ),
            (
                "Avviso",
                "Il server ha risposto 451 4.7.1. Il messaggio verrà ritentato più tardi.",
            ),
            (
                "Hinweis",
                "Der Server antwortete 451 4.7.1. Die Zustellung wird später erneut versucht.",
            ),
            (
                "Bericht",
                "De server antwoordde 451 4.7.1. Het bericht wordt later opnieuw geprobeerd.",
            ),
            (
                "Уведомление",
                "Сервер ответил 451 4.7.1. Попытка доставки будет повторена.",
            ),
            ("通知", "サーバーの応答: 451 4.7.1。後で再送を試みます。"),
        ] {
            assert!(reads_as_delay(subject, words), "{subject} {words}");
        }
        // Negated, or beside a permanent error, the same words are a notice of failure; advice
        // to the sender to try again is no promise of the server's.
        for (subject, words) in [
            (
                "Aviso",
                "Error permanente: 550 5.1.1. No se volverá a intentar la entrega.",
            ),
            (
                "Avis",
                "Erreur permanente. Le message ne sera pas réessayé.",
            ),
            (
                "Hinweis",
                "Es werden keine weiteren Zustellversuche unternommen.",
            ),
            (
                "Avviso",
                "Questo è un errore permanente: il messaggio non verrà ritentato.",
            ),
            (
                "Avis",
                "Le message n'a pas pu être remis. Veuillez réessayer plus tard.",
            ),
            (
                "Aviso",
                "No se pudo entregar el mensaje. Inténtelo de nuevo más tarde.",
            ),
        ] {
            assert!(!reads_as_delay(subject, words), "{subject} {words}");
        }
        for (subject, words) in [
            (
                "Unzustellbar: Angebot",
                "Die Nachricht konnte nicht zugestellt werden.",
            ),
            ("Non remis : Devis", "Le message n'a pas pu être remis."),
            (
                "No se puede entregar: Presupuesto",
                "No se pudo entregar el mensaje.",
            ),
            (
                "配信エラー",
                "次のあて先へのメッセージはエラーのため送信できませんでした。",
            ),
        ] {
            assert!(!reads_as_delay(subject, words), "{subject} {words}");
        }
        assert!(!reads_as_delay(
            "Returned mail: Cannot send message for 5 days",
            "Deferred: Connection refused. Message could not be delivered for 5 days. \
             Message will be deleted from queue. Delivery has been temporarily deferred."
        ));
        // Giving up after delays, in Exim's and other servers' words.
        for words in [
            "retry time not reached for any host after a long failure period; the message \
             has been delayed before",
            "Delivery has been delayed for 2 days. No further attempts will be made.",
            "The message was delayed and has been returned to the sender.",
        ] {
            assert!(!reads_as_delay("Mail delivery failed", words), "{words}");
        }
        // A delay notice that says what will happen if delivery fails is still a delay.
        assert!(reads_as_delay(
            "Delayed Mail",
            "Delivery is delayed; if it fails, the message will be returned to the sender."
        ));
        // An expiry notice quotes the delays that led to it.
        assert!(!reads_as_delay(
            "Undeliverable",
            "Delivery was deferred several times. Reason: Exceeded Maximum Delivery Attempts."
        ));
        assert!(!reads_as_delay(
            "Returned mail",
            "The message has expired: it will continue to be attempted no more."
        ));
    }
}
