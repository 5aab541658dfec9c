//! A correct domain produces no warning or error, and its facts say what was found.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;

#[tokio::test]
async fn clean_domain_has_no_warnings_or_errors() {
    let r = run(&good_zone(), &params()).await;
    assert!(problems(&r).is_empty(), "{:#?}", summary(&r));
    assert!(!r.all_inconclusive());
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.lookups, 1);
    assert_eq!(spf.all.as_deref(), Some("-all"));
    let eval = spf.result.as_ref().unwrap();
    assert_eq!(eval.result, "pass");
    assert_eq!(eval.mechanism.as_deref(), Some("ip4:192.0.2.0/24"));
    let dkim = r.dkim.as_ref().unwrap();
    assert_eq!(dkim.selectors.len(), 1);
    assert_eq!(dkim.selectors[0].bits, Some(2048));
    let dmarc = r.dmarc.as_ref().unwrap();
    assert_eq!(dmarc.policy.as_deref(), Some("reject"));
    assert!(!dmarc.inherited);
    let al = dmarc.alignment.as_ref().unwrap();
    assert_eq!((al.spf_aligned, al.dkim_aligned), (Some(true), Some(true)));
    assert_eq!(r.ptr.as_ref().unwrap().fcrdns, Some(true));
    assert_eq!(r.mx.as_ref().unwrap().hosts.len(), 1);
    for id in [
        "ptr-no-ip",
        "mx-implicit",
        "dmarc-inherited",
        "spf-exists",
        "spf-macros",
        "dkim-key-revoked",
        "spf-lookups-near-limit",
        "mx-null",
    ] {
        lacks(&r, id);
    }
    has(&r, "spf-ip-authorised");
    has(&r, "dkim-key-found");
}
