//! SPF macros expanded as receivers expand them (RFC 7208 section 7): the local part of a
//! plus-addressed sender as given, its `+` as a delimiter, and the 253-character truncation.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::finding::Check;

const SPF: &str = "@ IN TXT \"v=spf1";

fn sender(mail_from: &str) -> CheckParams {
    CheckParams {
        only: vec![Check::Spf],
        ip: Some("192.0.2.77".parse().unwrap()),
        mail_from: Some(mail_from.into()),
        ..params()
    }
}

async fn with_record(record: &str, extra: &str, p: &CheckParams) -> DomainReport {
    let line = format!("@ IN TXT {}", quoted(record));
    run(&variant(&[(SPF, &line)], extra), p).await
}

fn result(r: &DomainReport) -> (String, u32) {
    let s = r.spf.as_ref().unwrap();
    (s.result.as_ref().unwrap().result.clone(), s.void_lookups)
}

#[tokio::test]
async fn the_local_part_of_a_plus_address_is_expanded_as_given() {
    // `%{l}` of a+b@good.example is `a+b` (RFC 7208 section 7.3): the name asked is
    // a+b.u.good.example, which exists, so the sender passes.
    let rec = "v=spf1 exists:%{l}.u.good.example -all";
    let listed = "a+b.u IN A 127.0.0.2";
    let r = with_record(rec, listed, &sender("a+b@good.example")).await;
    assert_eq!(result(&r), ("pass".into(), 0), "{:#?}", summary(&r));
    has(&r, "spf-ip-authorised");
    // Another tag of the same user is another name, which does not exist: fail, one void lookup.
    let r = with_record(rec, listed, &sender("a+c@good.example")).await;
    assert_eq!(result(&r), ("fail".into(), 1), "{:#?}", summary(&r));
    has(&r, "spf-ip-not-authorised");
}

#[tokio::test]
async fn a_plus_delimiter_splits_the_local_part() {
    // `%{l1r+}`: split on `+`, reverse, keep the right-most part: `user` of user+news.
    let rec = "v=spf1 exists:%{l1r+}.users.good.example -all";
    let r = with_record(
        rec,
        "user.users IN A 127.0.0.2",
        &sender("user+news@good.example"),
    )
    .await;
    assert_eq!(result(&r), ("pass".into(), 0), "{:#?}", summary(&r));
}

#[tokio::test]
async fn an_expansion_over_253_characters_is_truncated_from_the_left_and_queried() {
    // Four 63-octet local parts and x.good.example make 270 characters; receivers drop the
    // left-most label (RFC 7208 section 7.3) and ask the remaining 206-character name.
    let local = "a".repeat(63);
    let rec = "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.x.good.example -all";
    let kept = format!("{local}.{local}.{local}.x IN A 127.0.0.2");
    let p = sender(&format!("{local}@good.example"));
    let r = with_record(rec, &kept, &p).await;
    assert_eq!(result(&r), ("pass".into(), 0), "{:#?}", summary(&r));
    // Truncated but absent: asked, answered NXDOMAIN, one void lookup, fail (not a malformed
    // name skipped without a query).
    let r = with_record(rec, "", &p).await;
    assert_eq!(result(&r), ("fail".into(), 1), "{:#?}", summary(&r));
}
