//! No input makes reply extraction or decoding panic: arbitrary bytes, and real bounces damaged.
#![allow(clippy::unwrap_used)]

use mailtriage::reply;
use mailtriage::rules::RuleSet;
use proptest::prelude::*;
use std::path::Path;
use std::sync::LazyLock;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::load(None).unwrap());

/// Every bounce of the sisimai corpus, to damage.
static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sisimai/maildir");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
});

/// Extracts and decodes; an error is a fine answer, a panic is not.
fn run(input: &[u8]) {
    if let Ok(x) = reply::extract(input) {
        for r in &x.replies {
            let d = RULES.decode(r);
            assert!(!d.rule.id.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run(&bytes);
    }

    #[test]
    fn arbitrary_text_with_codes_and_headers_never_panics(
        text in "((From|To|Subject|Content-Type|Final-Recipient|Status|Action|Diagnostic-Code): [ -~]{0,40}\n|[245][0-9]{2}[- ]([245]\\.[0-9]{1,3}\\.[0-9]{1,3} )?[ -~]{0,40}\n|--[a-z]{0,6}\n|<[a-z]{1,5}@[a-z]{1,5}\\.[a-z]{2}>[:.]{0,3}\n|\n){0,30}"
    ) {
        run(text.as_bytes());
    }
}

/// Pieces the provider and mechanism readers look at: names and cues, clause ends, links,
/// addresses, bracketed server names, tokens, multi-byte text.
const PIECES: &[&str] = &[
    "SPF",
    "DKIM",
    "DMARC",
    "PTR",
    "null MX",
    "TLS",
    "blocklist",
    "rate limited",
    "aligned",
    " did not pass",
    " passed",
    " not listed",
    " see ",
    " guide",
    " domain",
    ". ",
    ", ",
    "; ",
    " but ",
    " - ",
    "=Pass",
    "=Fail",
    "https://support.google.com/mail/?p=x#spf",
    "www.",
    "aka.ms/",
    "ann@gmail.com",
    "@",
    "<",
    ">",
    "[",
    "]",
    "(S3150)",
    "[TSS04]",
    " gsmtp",
    "[BN8NAM12FT059.eop-nam12.prod.protection.outlook.com",
    ".prod.outlook.com]",
    "://",
    "host mx.example.org[192.0.2.1] said: ",
    "Remote-MTA: dns; ",
    "\n",
    "é",
    "日本",
    "\u{1b}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Replies built from the pieces the provider and mechanism readers slice up.
    #[test]
    fn replies_of_mechanism_words_links_and_hosts_never_panic(
        code in "(421|450|550|554)[ -](4|5)\\.7\\.(1|23|27|29|30|9) ",
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..40),
    ) {
        let mut text = code;
        for p in picks {
            text.push_str(PIECES[p.index(PIECES.len())]);
        }
        run(text.as_bytes());
        let r = reply::Reply { text: text.clone(), server_name: Some(text), ..Default::default() };
        let d = RULES.decode(&r);
        prop_assert!(!d.rule.id.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Real bounces cut short and overwritten at random places reach the deep parsing paths
    /// (MIME boundaries, DSN fields, forwarded bounces) that random bytes never do.
    #[test]
    fn damaged_real_bounces_never_panic(
        pick in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let mut msg = CORPUS[pick.index(CORPUS.len())].clone();
        let keep = cut.index(msg.len() + 1);
        msg.truncate(keep.max(msg.len() / 2));
        for (at, b) in edits {
            if !msg.is_empty() {
                let i = at.index(msg.len());
                msg[i] = b;
            }
        }
        run(&msg);
    }
}
