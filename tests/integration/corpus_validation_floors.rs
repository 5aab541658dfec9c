//! The floors of the validation set: every figure's ratchet, and the bounce projects in the order they joined.
//!
//! `corpus_validation.rs` scores the set against these; see `tests/fixtures/validation/README.md`
//! for how each was set.

/// Floors in percent, per split: [provider, category, action, checks] for replies and
/// [recipients found, reported are recipients, status, permanent/temporary, non-bounces] for
/// bounces. Each is the figure measured when it was set, rounded down.
/// Reply floors were set again when round three (December 2026, ids `y001`-`y150`) grew the set
/// from 570 to 720 replies: the new texts moved the figures (measurement grew; no rule was
/// weakened). On the 570 replies of before, the figures stayed at or above the old floors.
/// Round four (ids `z001`-`z154`) grew it to 874 replies and the floors were set to what it
/// measured then, for the same reason; the 720 replies of before kept their figures. Provider
/// floors raised after (answering hosts read from Exim, cPanel, Sendmail, Exchange Server and
/// transcript forms; more of Gmail's and Exchange Online's own sentences). Dev action raised
/// when an HTTP API's status stopped being read as an SMTP code (forms10).
/// Round five (ids `w001`-`w152`, December 2026) grew the set to 1026 replies from sources no
/// earlier round used; the floors were set to what the whole set measured then (measurement
/// grew; no rule was weakened), and the replies of before keep theirs in
/// `REPLY_FLOORS_BEFORE_ROUND_FIVE`. Dev floors raised to the figures measured when round five met
/// forms10's HTTP API reading and bounce10 on main; dev provider raised (and dev false claims
/// held at 0) when provider10 told Exchange Server's own tokens from Microsoft 365 and four dev
/// labels were made to follow the provider rule (tests/fixtures/validation/README.md). Dev
/// category and action raised when forms11 fixed classes of dev misses (code-less verdicts,
/// loops, local mail functions, DSN fields flattened or under prose, qmail's log encoding). Dev
/// provider raised when provider11 read a Remote-MTA with its address, a host quoted as saying
/// the reply, Google's session id, QQ's, NetEase's and Forward Email's own words, and AOL's
/// CON:B1 block apart from its deferral (the replies of before: provider, for z133).
/// Round six (ids `v001`-`v122`, December 2026) grew the set to 1148 replies; the floors were set
/// to what the whole set measured once the classes its dev part showed were read by their words
/// (the replies of before keep theirs in `REPLY_FLOORS_BEFORE_ROUND_SIX`). All three sets raised
/// to what they measured when round six met forms11, provider11 and esp11 on main (sending
/// services' API refusals read without an SMTP code and their services named).
/// Round seven (ids `u001`-`u125`, December 2026) grew the set to 1273 replies from sources no
/// earlier round used; the floors were set to what the whole set measured once the classes its
/// dev part showed were read (qmail's unindented wrapping, libraries' labelled code and words,
/// Haraka's default refusal, verdicts in other wordings): dev 328/344, 757/790, 757/790,
/// 139/140; holdout 184/209, 411/483, 424/483, 88/91, rounded down (the measurement grew; no rule
/// was weakened). The replies of before keep theirs in `REPLY_FLOORS_BEFORE_ROUND_SEVEN`. Raised
/// when round seven met provider12 and action12 on main: dev 332/344, 767/790, 765/790, 140/140;
/// holdout 184/209, 413/483, 426/483, 88/91. Dev category and action raised (768/790, 766/790)
/// when an SMTPUTF8 refusal (X.6.7, X.6.8, X.6.10) became a protocol matter the sender fixes, and
/// an enhanced code glued to its bracketed words was read.
/// Round eight (ids `t001`-`t122`, December 2026) grew the set to 1395 replies from sources no
/// earlier round used; the floors were set to what the whole set measured once the classes its
/// dev part showed were read (a From address the logged-in account does not own, no SMTP AUTH
/// offered, Go's and libcurl's own login refusals, "Relaying is denied", a resolver's "Name or
/// service not known" under a 5 class, a reply code glued to its enhanced code by a dot, a log
/// line opening with a dotted date): dev 351/364, 840/866, 838/866, 151/151; holdout 189/219,
/// 451/529, 464/529, 89/93, rounded down (the measurement grew; no rule was weakened). The
/// replies of before keep theirs in `REPLY_FLOORS_BEFORE_ROUND_EIGHT`. Then merged with
/// action13 (round seven's remaining classes: Japan's carriers named by the recipient's domain,
/// providers' untrailed sentences, code-less notices, United Internet's header refusal, and the
/// refused attachment type settled as a content verdict, fix-infrastructure, as docs/rules.md's
/// action invariants had it): dev 357/364, 843/866, 842/866, 151/151; holdout 189/219,
/// 451/529, 463/529, 89/93 (dev category 844/866 once RFC 5321's bare "mailbox unavailable"
/// under an X.S.0 code was read as the mailbox's). **The holdout action floor went down by one reply** (464 to 463 of
/// 529; 429 to 428 of 483 below): the two branches set their floors apart, and which of
/// action13's class fixes costs that reply cannot be found without reading the holdout; undoing
/// one of them by that figure would be tuning by the holdout, so the floor records what the set
/// measures and the lead's note of 2026-12-07 says so. Dev raised by action14 (round eight's
/// remaining classes: code-less server sentences, a delay warning pasted alone, bare verdicts on
/// the message as content, Telenor, Yahoo's bare "Message not allowed"): 358/364, 852/866,
/// 845/866; before round eight 776/790, 771/790; before round seven 708/715; before round six
/// 616/621; before round five 535/540 (holdout unchanged).
/// Round nine (ids `s001`-`s060`, December 2026) grew the set to 1453 replies from sources no
/// earlier round used (fewer than the 120 asked: the issue trackers and pages left unused are
/// thin); the floors were set to what the whole set measured once the classes its dev part
/// showed were read (throttles worded "too frequent connects" and "message from <ip>
/// temporarily deferred", POP-before-SMTP, qmail's rcpthosts refusal reworded, Yahoo's
/// unknown-mailbox sentence for the partners' domains it hosts): dev 366/373, 877/905, 874/905,
/// 152/152; holdout 195/226, 464/548, 478/548, 89/93, rounded down (the measurement grew; no
/// rule was weakened). The replies of before keep theirs in `REPLY_FLOORS_BEFORE_ROUND_NINE`.
/// Merged with action14 (above): dev 367/373, 885/905, 877/905, 152/152; holdout unchanged.
/// Round ten (ids `q001`-`q038`, December 2026) grew the set to 1491 replies from sources no
/// earlier round used (38 of the 80 asked: the trackers and pages left unused are thin); the
/// floors were set to what the whole set measured once the classes its dev part showed were
/// read (an address Exim's parser could not read, a recipient domain's missing MX stated
/// without a code, Tencent Cloud's email service refusing an unverified sender): dev 372/378,
/// 901/922, 893/922, 152/152; holdout 203/235, 482/569, 494/569, 90/94, rounded down. Dev and
/// holdout action are below the floors of before (96.9, 87.2) because the measurement grew (a
/// dev reply whose words cannot tell the sender's refusal from the recipient's; the round's
/// holdout replies, added unread); no rule was weakened, and the replies of before keep theirs
/// in `REPLY_FLOORS_BEFORE_ROUND_TEN`. Merged with action15 (round nine's dev classes): dev
/// 372/378, 906/922, 899/922, 152/152; holdout 203/235, 483/569, 495/569, 90/94.
pub(crate) const REPLY_FLOORS: [(&str, [f64; 4]); 2] = [
    ("dev", [98.4, 98.2, 97.5, 100.0]),
    ("holdout", [86.3, 84.8, 86.9, 95.7]),
];
/// The 1453 replies before round ten (ids `s060` and before), held at the floors the whole set
/// had reached when round ten (ids `q001`-) joined, raised by action15 (round nine's dev
/// classes: a mailbox's state or a deferral pasted without a code, Sendmail's `Can't create
/// output`, a misspelt addressee, 501 X.1.1, a recipient receiving mail too fast) to what these
/// replies measured on its branch: dev 367/373, 890/905, 883/905, 152/152; holdout 195/226,
/// 465/548, 479/548, 89/93.
pub(crate) const REPLY_FLOORS_BEFORE_ROUND_TEN: [(&str, [f64; 4]); 2] = [
    ("dev", [98.3, 98.3, 97.5, 100.0]),
    ("holdout", [86.2, 84.8, 87.4, 95.6]),
];
/// The false provider claims of the replies before round ten, at the ceiling they had then.
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_TEN: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 5)];
/// The 1395 replies before round nine (ids `t122` and before), held at the floors the whole
/// set had reached when round nine (ids `s001`-) joined; holdout category raised to what it
/// measured once round nine's classes were read (452/529); dev raised with action14 (358/364,
/// 852/866, 845/866).
pub(crate) const REPLY_FLOORS_BEFORE_ROUND_NINE: [(&str, [f64; 4]); 2] = [
    ("dev", [98.3, 98.4, 97.6, 100.0]),
    ("holdout", [86.3, 85.6, 87.7, 95.6]),
];
/// The false provider claims of the replies before round nine, at the ceiling they had then.
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_NINE: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 5)];
/// The 1273 replies before round eight (ids `u125` and before), held at the floors the whole
/// set had reached when round eight (ids `t001`-) joined; holdout category and action raised to
/// what they measured once round eight's classes were read (416/483, 429/483); dev raised
/// with action13 (338/344, 771/790, 770/790) and holdout action at 428/483 since (see above).
pub(crate) const REPLY_FLOORS_BEFORE_ROUND_EIGHT: [(&str, [f64; 4]); 2] = [
    ("dev", [98.2, 98.3, 97.7, 100.0]),
    ("holdout", [88.0, 86.5, 88.8, 96.7]),
];
/// The false provider claims of the replies before round eight, at the ceiling they had then.
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_EIGHT: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 5)];
/// The 1148 replies before round seven (ids `v122` and before), held at the floors the whole set
/// had reached when round seven (ids `u001`-) joined; dev provider raised when provider12 read a
/// server's own name opening any reply, every catalogued provider's inbound MX in the words, and
/// Yahoo's, Gmail's and Amazon SES's classes of round-six misses (dev false claims held at 0);
/// category, action and checks raised when action12 let words narrow the generic readings (a
/// blocked recipient account, a failed spam filter, a relay refusal asking for AUTH, a refused
/// attachment type, a 500's words, code-less mailbox verdicts: rules/phrases-narrow.toml).
/// Dev action is 703/715 on main, not action12's 704: with provider12 merged, v114 ("review our
/// attachment guidelines") is recognised as Gmail's and Gmail's blocked-attachment rule
/// (fix-infrastructure, as r218's label) decides it before the attachment-type phrase
/// (fix-sender-config, as v114's label). Dev provider and action raised by action13 (316/318,
/// 704/715: Microsoft Graph's refusal read by its words, Forpsi's and United Internet's
/// refusals; y113 lost to the one attachment reading).
pub(crate) const REPLY_FLOORS_BEFORE_ROUND_SEVEN: [(&str, [f64; 4]); 2] = [
    ("dev", [99.3, 99.0, 98.4, 100.0]),
    ("holdout", [87.9, 87.9, 90.3, 96.3]),
];
/// The false provider claims of the replies before round seven, at the ceiling they had then.
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_SEVEN: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 5)];
/// The 1026 replies before round six (ids `w152` and before), held at the floors the whole set
/// had reached when round six (ids `v001`-) joined; dev provider and action raised by action13
/// (306/308, 613/621).
pub(crate) const REPLY_FLOORS_BEFORE_ROUND_SIX: [(&str, [f64; 4]); 2] = [
    ("dev", [99.3, 99.1, 98.7, 100.0]),
    ("holdout", [87.4, 88.6, 90.3, 96.2]),
];
/// The false provider claims of the replies before round six, at the ceiling they had then.
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_SIX: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 5)];
/// The 874 replies before round five, held at the floors they had reached when it joined; dev
/// action raised by action13 (532/540).
pub(crate) const REPLY_FLOORS_BEFORE_ROUND_FIVE: [(&str, [f64; 4]); 2] = [
    ("dev", [99.6, 99.0, 98.5, 100.0]),
    ("holdout", [89.0, 89.2, 90.4, 96.1]),
];
/// The false provider claims of the replies before round five (see `MAX_FALSE_PROVIDER_CLAIMS`).
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS_BEFORE_ROUND_FIVE: [(&str, usize); 2] =
    [("dev", 0), ("holdout", 3)];
/// Reply floors per split: [provider, category, action, checks].
pub(crate) type ReplyFloors = [(&'static str, [f64; 4]); 2];
pub(crate) type PartFloors = [(&'static str, [f64; 5]); 2];
pub(crate) const BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.2, 100.0, 100.0, 100.0, 100.0]),
    ("holdout", [96.6, 100.0, 92.3, 92.4, 87.5]),
];
/// The bounce projects in the order they joined the set. Each earlier floor set stays on exactly
/// the projects it was set on (a prefix of this list), so that a message added later cannot move
/// a ratchet set before it came.
pub(crate) const BOUNCE_PROJECTS_IN_ORDER: [&str; 52] = [
    // the first seven: [`BOUNCE_FLOORS`]
    "Mail-DeliveryStatus-BounceParser",
    "MailBounceDetector",
    "bounce_email",
    "flanker",
    "flufl.bounce",
    "mail",
    "whois",
    // up to thirteen: [`GROWN_BOUNCE_FLOORS`]
    "PHP-Bounce-Handler",
    "bounced",
    "froide",
    "MimeKit",
    "mail_manager",
    "mail-auth",
    // up to nineteen: [`NINETEEN_BOUNCE_FLOORS`]
    "node-baunsu",
    "alaveteli",
    "salmon",
    "discourse",
    "zammad",
    "civicrm",
    // up to twenty-three: [`TWENTY_THREE_BOUNCE_FLOORS`]
    "CwsMailBounceHandler",
    "mailbounce",
    "mediawiki-BounceHandler",
    "tmail_bouncer",
    // up to twenty-seven: [`TWENTY_SEVEN_BOUNCE_FLOORS`]
    "mail-server",
    "mox",
    "relay",
    "newsletter",
    // up to twenty-eight: [`TWENTY_EIGHT_BOUNCE_FLOORS`]
    "chatmail-core",
    // up to thirty: [`THIRTY_BOUNCE_FLOORS`]
    "dada-mail",
    "hitobito",
    // up to thirty-three, the ninth round: listmonk, SimpleLogin, KumoMTA
    // ([`THIRTY_THREE_BOUNCE_FLOORS`])
    "listmonk",
    "simple-login-app",
    "kumomta",
    // up to thirty-five, the tenth round: Exim, SpamAssassin ([`THIRTY_FIVE_BOUNCE_FLOORS`])
    "exim",
    "spamassassin",
    // up to thirty-nine, the eleventh round: CommCare HQ, CPython's email tests, EspoCRM,
    // enmime ([`THIRTY_NINE_BOUNCE_FLOORS`])
    "commcare-hq",
    "cpython",
    "espocrm",
    "enmime",
    // up to fifty, the twelfth round: DSNs servers write in their tests, bounces and reports
    // inline in test code or beside it ([`FIFTY_BOUNCE_FLOORS`])
    "chasquid",
    "chatwoot",
    "go-maildsnparsers",
    "james-project",
    "mail-bounce-parser",
    "mailman3",
    "mailparser",
    "modoboa",
    "parsedmarc",
    "phlib-mail",
    "php-imap",
    // the thirteenth round: AbuseIO's feedback-loop samples, rspamd's feedback parser tests
    // (and files of flanker, Zammad and Discourse, [`BOUNCE_FILES_ADDED_LATER`])
    // ([`ALL_BOUNCE_FLOORS`])
    "abuseio",
    "rspamd",
];
/// Files a later round added to a project of an earlier one (the thirteenth: flanker's, Zammad's
/// and Discourse's fixtures and string literals no earlier round took). The floor sets of the
/// earlier rounds leave them out, as they leave out later projects, so that they measure the
/// messages they were set on; the whole set counts them.
pub(crate) const BOUNCE_FILES_ADDED_LATER: [(&str, &str); 12] = [
    ("flanker", "no-mx.eml"),
    ("flanker", "gmail-no-dns.eml"),
    ("flanker", "aol.eml"),
    ("flanker", "mailbox-full.eml"),
    ("flanker", "gmail-invalid-address.eml"),
    ("flanker", "yahoo.eml"),
    ("flanker", "broken-mime.eml"),
    (
        "zammad",
        "email_process_bounce_delivery_temporary_failed_test-process_with_temp_faild_bounce_email.eml",
    ),
    (
        "zammad",
        "email_process_out_of_office_test-process_with_out_of_office_check_-_gmail.eml",
    ),
    ("zammad", "mail055.box"),
    ("discourse", "auto_generated_header.eml"),
    ("discourse", "auto_generated_precedence.eml"),
];
/// Floors on the first thirteen projects, those of early December 2026 included (the README
/// lists them), set when they were added: the same ratchet, on the grown set.
pub(crate) const GROWN_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.2, 100.0, 100.0, 100.0, 100.0]),
    ("holdout", [96.9, 100.0, 88.8, 93.4, 90.0]),
];
/// Floors on the nineteen projects of the second and third December 2026 rounds (node-baunsu,
/// Alaveteli, Salmon; Discourse, Zammad, CiviCRM), set when they were added.
pub(crate) const NINETEEN_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.3, 100.0, 100.0, 100.0, 100.0]),
    ("holdout", [97.0, 100.0, 88.8, 94.1, 90.9]),
];
/// Floors on the twenty-three projects up to the fourth round (CwsMailBounceHandler,
/// mailbounce, MediaWiki's BounceHandler, tmail_bouncer), set when it was added.
pub(crate) const TWENTY_THREE_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.3, 100.0, 100.0, 100.0, 97.7]),
    ("holdout", [97.1, 100.0, 90.4, 94.5, 93.3]),
];
/// Floors on the twenty-seven projects up to the sixth round (Stalwart's mail server and mox in
/// the fifth, Hyvor Relay and Ecodev's Newsletter in the sixth), as they stood when the seventh
/// round (chatmail core) was added.
pub(crate) const TWENTY_SEVEN_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 97.8]),
    ("holdout", [97.1, 100.0, 90.4, 94.5, 94.7]),
];
/// Floors on the twenty-eight projects up to the seventh round (chatmail core, Delta Chat's
/// core library), as they stood when the eighth (Dada Mail) was added.
pub(crate) const TWENTY_EIGHT_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 98.0]),
    ("holdout", [96.1, 98.6, 92.3, 94.9, 95.6]),
];
/// Floors on the thirty projects up to the eighth round (Dada Mail's bounce handler and
/// hitobito's list mailbox), as they stood when the ninth was added: set on the whole set when
/// the eighth joined, dev recipients raised when a message written to oneself kept its recipient.
pub(crate) const THIRTY_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 98.1]),
    ("holdout", [95.1, 98.7, 92.5, 95.1, 95.8]),
];
/// Floors on the thirty-three projects up to the ninth round (listmonk's mailbox parser,
/// SimpleLogin's bounce and complaint handlers, KumoMTA's DSN and ARF parsers), as they stood
/// when the tenth was added: set on the whole set when the ninth joined (rounded down; the
/// measurement grew, nothing was changed in the decoder or the rules).
pub(crate) const THIRTY_THREE_BOUNCE_FLOORS: PartFloors = [
    ("dev", [99.4, 100.0, 100.0, 100.0, 98.2]),
    ("holdout", [95.1, 98.7, 93.1, 95.2, 96.0]),
];
/// Floors on the thirty-five projects up to the tenth round (Exim's expected failure notices,
/// SpamAssassin's VBounce rule tests), as they stood when the eleventh was added: set on the
/// whole set after the tenth round's fixes (a mailbox of several notices read whole, quoted
/// local parts kept, a program's output no source of recipients), rounded down. Dev recipients
/// are below the older sets' because three Exim notices name only a pipe or a filter as the
/// failed "address", which is no Internet address and no recipient here.
pub(crate) const THIRTY_FIVE_BOUNCE_FLOORS: PartFloors = [
    ("dev", [98.2, 100.0, 100.0, 100.0, 98.2]),
    ("holdout", [95.8, 99.1, 93.8, 96.1, 96.0]),
];
/// Floors on the thirty-nine projects up to the eleventh round (CommCare HQ's bounce manager,
/// CPython's DSN test, EspoCRM's bounce recognizer, enmime's DSN parser), as they stood when the
/// twelfth was added: set on the whole set after the eleventh round's fix (an automatic reply a
/// sending service relays from its MAILER-DAEMON is no bounce), rounded down.
pub(crate) const THIRTY_NINE_BOUNCE_FLOORS: PartFloors = [
    ("dev", [98.2, 100.0, 100.0, 100.0, 98.3]),
    ("holdout", [95.9, 99.1, 94.0, 96.2, 96.0]),
];
/// Floors on the fifty projects up to the twelfth round (chasquid's and Mailman 3's DSNs,
/// go-maildsnparsers', mail-bounce-parser's and the mail libraries' bounces, parsedmarc's and
/// Modoboa's report mails, James's read receipts), as they stood when the thirteenth was added:
/// set on the whole set after the twelfth round's fixes (a reply quoted once in a notice of
/// several recipients stays with its own block; Mail.ru's X-Mailer-Daemon-Recipients names the
/// failures), rounded down. Holdout recipients are below the thirty-nine projects' because the
/// measurement grew: the round's holdout messages were added unread, and no rule was weakened.
pub(crate) const FIFTY_BOUNCE_FLOORS: PartFloors = [
    ("dev", [98.3, 100.0, 100.0, 100.0, 98.6]),
    ("holdout", [94.4, 99.1, 94.0, 96.2, 96.7]),
];
/// Floors on the whole bounce set, the thirteenth round included (AbuseIO's feedback-loop
/// reports, rspamd's feedback parser tests; flanker's bounces, delay and complaints, Zammad's
/// delay notice, out-of-office reply and bounce, Discourse's auto-generated mails), set to what
/// it measured after that round's fix (a list of recipients above one reason gives each of them
/// that reason), rounded down.
pub(crate) const ALL_BOUNCE_FLOORS: PartFloors = [
    ("dev", [98.3, 100.0, 100.0, 100.0, 98.9]),
    ("holdout", [94.4, 99.1, 94.0, 96.2, 97.5]),
];
/// A ceiling, not a floor: replies that name no provider but are decoded with one. Claiming a
/// provider everywhere would raise the provider figure; this keeps that honest. Per split:
/// holdout holds one reply in Tencent QQ's own "frequency limited" wording that its labeler did
/// not read as naming a provider, while the rules (from Tencent's published list) do; the
/// dev item of the same wording was relabelled `qq`, the holdout one is left as labelled.
/// Round three's holdout texts (December 2026) brought one more, measured when they joined.
/// Round four's texts brought two to dev (Exchange's RESOLVER.ADR words from a hosted Exchange
/// that is not Microsoft's, and Gmail's spam wording reused by another host's filter) and one to
/// holdout, measured when they joined; the provider rules' owners were told. Round five's
/// brought one to dev (Exchange Server's on-premises "5.7.60 ... send as this sender") and two
/// to holdout, measured when they joined. Round six's brought none, nor did round seven's.
/// Round eight's brought one to dev (IronPort's own "sending MTA's poor reputation" in an iiNet
/// transcript), removed when that label was made to follow the provider rule.
pub(crate) const MAX_FALSE_PROVIDER_CLAIMS: [(&str, usize); 2] = [("dev", 0), ("holdout", 5)];
