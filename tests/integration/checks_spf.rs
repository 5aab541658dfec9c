//! SPF findings against the fixture server: one test per finding, and hostile trees.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use mailtriage::checks::CheckParams;
use mailtriage::finding::{Check, Severity};
use std::time::{Duration, Instant};

const SPF: &str = "@ IN TXT \"v=spf1";

fn spf_only() -> CheckParams {
    CheckParams {
        only: vec![Check::Spf],
        ..params()
    }
}

fn no_ip() -> CheckParams {
    CheckParams {
        ip: None,
        ..spf_only()
    }
}

async fn with_spf(record: &str, extra: &str) -> mailtriage::checks::DomainReport {
    run(
        &variant(&[(SPF, &format!("@ IN TXT \"{record}\""))], extra),
        &no_ip(),
    )
    .await
}

#[tokio::test]
async fn missing_record_is_an_error_not_a_lookup_failure() {
    let r = run(&variant(&[(SPF, "; no spf")], ""), &no_ip()).await;
    assert_eq!(has(&r, "spf-missing").severity, Severity::Error);
    lacks(&r, "spf-lookup-failed");
    let clean = run(&good_zone(), &no_ip()).await;
    lacks(&clean, "spf-missing");
}

#[tokio::test]
async fn two_records_are_a_permerror() {
    let r = run(
        &good_zone().replace("_spf ", "@ IN TXT \"v=spf1 -all\"\n_spf "),
        &no_ip(),
    )
    .await;
    assert!(
        has(&r, "spf-multiple-records")
            .message
            .contains("2 SPF records")
    );
    assert_eq!(r.spf.as_ref().unwrap().records_count, 2);
}

#[tokio::test]
async fn syntax_errors_and_unknown_modifiers_name_the_term() {
    let r = with_spf("v=spf1 ip4:300.1.1.1 foo=bar -all", "").await;
    assert!(
        has(&r, "spf-syntax-error")
            .message
            .contains("ip4:300.1.1.1")
    );
    assert!(has(&r, "spf-unknown-modifier").message.contains("foo=bar"));
    let clean = run(&good_zone(), &no_ip()).await;
    lacks(&clean, "spf-syntax-error");
    lacks(&clean, "spf-unknown-modifier");
}

#[tokio::test]
async fn all_qualifiers() {
    let r = with_spf("v=spf1 ip4:192.0.2.0/24 +all", "").await;
    assert_eq!(has(&r, "spf-plus-all").severity, Severity::Error);
    let r = with_spf("v=spf1 ip4:192.0.2.0/24 ?all", "").await;
    assert_eq!(has(&r, "spf-neutral-all").severity, Severity::Warning);
    let r = with_spf("v=spf1 ip4:192.0.2.0/24", "").await;
    has(&r, "spf-no-all");
    let r = with_spf("v=spf1 ip4:192.0.2.0/24 redirect=_spf.good.example", "").await;
    lacks(&r, "spf-no-all");
    assert_eq!(r.spf.as_ref().unwrap().lookups, 1);
    let clean = run(&good_zone(), &no_ip()).await;
    for id in ["spf-plus-all", "spf-neutral-all", "spf-no-all"] {
        lacks(&clean, id);
    }
}

#[tokio::test]
async fn ptr_exists_and_macros() {
    let r = with_spf("v=spf1 ptr exists:%{i}._e.good.example -all", "").await;
    has(&r, "spf-ptr-mechanism");
    assert_eq!(has(&r, "spf-exists").severity, Severity::Info);
    has(&r, "spf-macros");
    let clean = run(&good_zone(), &no_ip()).await;
    lacks(&clean, "spf-ptr-mechanism");
}

/// A chain of includes, each costing `a` + `include`.
fn chain(n: usize) -> String {
    let mut z = String::new();
    for i in 1..=n {
        let next = if i < n {
            format!(" include:_c{}.good.example", i + 1)
        } else {
            String::new()
        };
        z.push_str(&format!("_c{i} IN TXT \"v=spf1 a{next} -all\"\n"));
    }
    z
}

#[tokio::test]
async fn lookups_are_counted_over_the_whole_tree() {
    let r = with_spf("v=spf1 include:_c1.good.example -all", &chain(6)).await;
    let spf = r.spf.as_ref().unwrap();
    assert_eq!(spf.lookups, 12, "1 + 6 a + 5 nested includes");
    let f = has(&r, "spf-too-many-lookups");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("up to 12 DNS lookups"), "{}", f.message);
    assert_eq!(spf.tree.as_ref().unwrap().children[0].total_lookups, 11);
    let r = with_spf("v=spf1 include:_c1.good.example -all", &chain(4)).await;
    assert_eq!(r.spf.as_ref().unwrap().lookups, 8);
    lacks(&r, "spf-too-many-lookups");
    lacks(&r, "spf-lookups-near-limit");
    let r = with_spf("v=spf1 include:_c1.good.example mx -all", &chain(4)).await;
    has(&r, "spf-lookups-near-limit");
}

#[tokio::test]
async fn void_lookups_over_two_are_an_error() {
    let r = with_spf(
        "v=spf1 a:nx1.good.example a:nx2.good.example mx:nx3.good.example -all",
        "",
    )
    .await;
    assert_eq!(r.spf.as_ref().unwrap().void_lookups, 3);
    has(&r, "spf-too-many-void-lookups");
    let r = with_spf("v=spf1 a:nx1.good.example a:nx2.good.example -all", "").await;
    lacks(&r, "spf-too-many-void-lookups");
}

#[tokio::test]
async fn mx_mechanism_with_more_than_ten_names() {
    let mut extra = String::new();
    for i in 0..11 {
        extra.push_str(&format!(
            "many IN MX {i} m{i}.good.example.\nm{i} IN A 192.0.2.{}\n",
            100 + i
        ));
    }
    let r = with_spf("v=spf1 mx:many.good.example -all", &extra).await;
    assert!(
        has(&r, "spf-mx-too-many-names")
            .message
            .contains("11 MX names")
    );
    let clean = with_spf("v=spf1 mx -all", "").await;
    lacks(&clean, "spf-mx-too-many-names");
}

#[tokio::test]
async fn include_loop_is_named() {
    let extra = "_a IN TXT \"v=spf1 include:_b.good.example -all\"\n_b IN TXT \"v=spf1 include:_a.good.example -all\"";
    let r = with_spf("v=spf1 include:_a.good.example -all", extra).await;
    let f = has(&r, "spf-include-loop");
    assert!(
        f.message
            .contains("good.example -> _a.good.example -> _b.good.example -> _a.good.example"),
        "{}",
        f.message
    );
    lacks(&run(&good_zone(), &no_ip()).await, "spf-include-loop");
}

#[tokio::test]
async fn include_of_a_name_without_spf() {
    let r = with_spf(
        "v=spf1 include:_none.good.example include:_text.good.example -all",
        "_text IN TXT \"hello\"",
    )
    .await;
    let subjects: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.id == "spf-include-without-spf")
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(subjects, vec!["_none.good.example", "_text.good.example"]);
    lacks(
        &run(&good_zone(), &no_ip()).await,
        "spf-include-without-spf",
    );
}

#[tokio::test]
async fn long_records_and_64k_txt() {
    let long = format!("v=spf1 {} -all", "ip4:192.0.2.1 ".repeat(40));
    let parts: Vec<String> = long
        .as_bytes()
        .chunks(200)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    let r = run_zone_file(
        &variant(&[(SPF, &format!("@ IN TXT ( {} )", parts.join(" ")))], ""),
        &no_ip(),
    )
    .await;
    let f = has(&r, "spf-record-too-long");
    assert_eq!(
        f.location.as_ref().map(|l| l.line),
        Some(10),
        "zone location is kept"
    );
    lacks(&run(&good_zone(), &no_ip()).await, "spf-record-too-long");

    let huge = format!("v=spf1 {} -all", "a:x.good.example ".repeat(3400));
    let parts: Vec<String> = huge
        .as_bytes()
        .chunks(250)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    let start = Instant::now();
    let r = run(
        &variant(&[(SPF, &format!("@ IN TXT ( {} )", parts.join(" ")))], ""),
        &no_ip(),
    )
    .await;
    assert!(start.elapsed() < Duration::from_secs(10));
    has(&r, "spf-record-too-long");
    assert_eq!(r.spf.as_ref().unwrap().lookups, 3400);
    has(&r, "spf-tree-truncated");
}

#[tokio::test]
async fn a_tree_of_2000_includes_is_capped_and_reports_the_real_count_so_far() {
    // 12 + 144 + 1728 = 1884 includes under the root.
    let mut extra = String::new();
    let mut level = vec![String::new()];
    for _ in 0..3 {
        let mut next = Vec::new();
        for p in &level {
            let kids: Vec<String> = (0..12).map(|i| format!("_t{p}x{i}")).collect();
            if !p.is_empty() {
                let incl: Vec<String> = kids
                    .iter()
                    .map(|k| format!("include:{k}.good.example"))
                    .collect();
                let rec = format!("v=spf1 {} -all", incl.join(" "));
                extra.push_str(&format!("_t{p} IN TXT {}\n", quoted(&rec)));
            }
            next.extend(kids.into_iter().map(|k| k[2..].to_string()));
        }
        level = next;
    }
    for p in &level {
        extra.push_str(&format!("_t{p} IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"));
    }
    let top: Vec<String> = (0..12)
        .map(|i| format!("include:_tx{i}.good.example"))
        .collect();
    let start = Instant::now();
    let root = format!(
        "@ IN TXT {}",
        quoted(&format!("v=spf1 {} -all", top.join(" ")))
    );
    let r = run(&variant(&[(SPF, &root)], &extra), &no_ip()).await;
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let spf = r.spf.as_ref().unwrap();
    assert!(spf.lookups > 100, "{}", spf.lookups);
    has(&r, "spf-tree-truncated");
    assert!(has(&r, "spf-too-many-lookups").message.contains("at least"));
}

#[tokio::test]
async fn mail_from_domain_is_checked_too() {
    let p = CheckParams {
        mail_from: Some("b@bounce.other.example".into()),
        ..no_ip()
    };
    let r = run_zones(
        &[
            ("good.example", &good_zone()),
            ("other.example", "bounce IN A 192.0.2.1"),
        ],
        &p,
    )
    .await;
    assert_eq!(has(&r, "spf-missing").subject, "bounce.other.example");
}

#[tokio::test]
async fn evaluation_for_the_sending_ip() {
    let p = |ip: &str| CheckParams {
        ip: Some(ip.parse().unwrap()),
        ..spf_only()
    };
    let r = run(&good_zone(), &p("198.51.100.7")).await;
    let e = r.spf.as_ref().unwrap().result.as_ref().unwrap();
    assert_eq!(e.result, "pass");
    assert_eq!(
        e.mechanism.as_deref(),
        Some("include:_spf.good.example > ip4:198.51.100.0/24")
    );
    lacks(&r, "spf-ip-not-authorised");

    let r = run(&good_zone(), &p("203.0.113.9")).await;
    let f = has(&r, "spf-ip-not-authorised");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("-all"), "{}", f.message);
    lacks(&r, "spf-ip-authorised");

    let soft = variant(&[(SPF, "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"")], "");
    let r = run(&soft, &p("203.0.113.9")).await;
    assert_eq!(has(&r, "spf-ip-not-authorised").severity, Severity::Warning);

    let broken = variant(
        &[(SPF, "@ IN TXT \"v=spf1 ip4:192.0.2.0/24 bogus -all\"")],
        "",
    );
    let r = run(&broken, &p("192.0.2.10")).await;
    assert_eq!(
        r.spf.as_ref().unwrap().result.as_ref().unwrap().result,
        "permerror",
        "{:#?}",
        summary(&r)
    );
    has(&r, "spf-permerror");
    lacks(&run(&good_zone(), &p("192.0.2.10")).await, "spf-permerror");
}

/// RFC 7208 sections 4.6, 4.6.4, 5.2 and 6.1: a broken include or redirect target, or the
/// void-lookup limit, reached before any term matches makes check_host() a permerror; mail-auth
/// alone would go on to the final `all`.
#[tokio::test]
async fn permerror_deeper_in_the_tree_is_the_result() {
    let eval = |record: &str, extra: &str, ip: &str| {
        let zone = variant(&[(SPF, &format!("@ IN TXT \"{record}\""))], extra);
        let params = CheckParams {
            ip: Some(ip.parse().unwrap()),
            ..spf_only()
        };
        async move {
            let r = run(&zone, &params).await;
            let e = r.spf.as_ref().unwrap().result.clone().unwrap();
            (e.result, e.mechanism.unwrap_or_default())
        }
    };
    let two = "_two IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n_two IN TXT \"v=spf1 -all\"";
    let (res, why) = eval("v=spf1 include:_two.good.example -all", two, "203.0.113.9").await;
    assert_eq!(res, "permerror", "include of a name with two records");
    assert!(why.contains("_two.good.example"), "{why}");

    let voids = "_voidy IN TXT \"v=spf1 a:gone1.good.example a:gone2.good.example mx:gone3.good.example -all\"";
    let (res, why) = eval(
        "v=spf1 include:_voidy.good.example ~all",
        voids,
        "203.0.113.9",
    )
    .await;
    assert_eq!(res, "permerror", "third void lookup inside an include");
    assert!(
        why.contains("mx:gone3.good.example is void lookup 3"),
        "{why}"
    );

    let bad = "_bad IN TXT \"v=spf1 ip4:203.0.113.0/24 bogus -all\"";
    let (res, _) = eval("v=spf1 redirect=_bad.good.example", bad, "203.0.113.9").await;
    assert_eq!(res, "permerror", "redirect to a record with a syntax error");

    let (res, _) = eval(
        "v=spf1 include:_absent.good.example -all",
        "",
        "203.0.113.9",
    )
    .await;
    assert_eq!(res, "permerror", "include of a name without SPF");

    // A match before the broken part decides: evaluation never gets there.
    let (res, why) = eval(
        "v=spf1 ip4:203.0.113.0/24 include:_two.good.example -all",
        two,
        "203.0.113.9",
    )
    .await;
    assert_eq!((res.as_str(), why.as_str()), ("pass", "ip4:203.0.113.0/24"));
    // Two void lookups are within the limit.
    let twovoid = "_v2 IN TXT \"v=spf1 a:gone1.good.example a:gone2.good.example -all\"";
    let (res, _) = eval(
        "v=spf1 include:_v2.good.example ~all",
        twovoid,
        "203.0.113.9",
    )
    .await;
    assert_eq!(res, "softfail");
}

#[tokio::test]
async fn tree_is_walked_level_by_level_concurrently() {
    use crate::common::{serve_with, zone_text, zones};
    use mailtriage::dns::{DnsConfig, ServerOptions};
    // Root -> 5 includes -> 3 includes each, with a/mx targets: 21 TXT records, 30 a/mx targets.
    let mut body = String::from(
        "@ IN TXT \"v=spf1 include:_i0.good.example include:_i1.good.example include:_i2.good.example include:_i3.good.example include:_i4.good.example -all\"\n",
    );
    for i in 0..5 {
        body.push_str(&format!("_i{i} IN TXT \"v=spf1 include:_j{i}x0.good.example include:_j{i}x1.good.example include:_j{i}x2.good.example -all\"\n"));
        for j in 0..3 {
            body.push_str(&format!(
                "_j{i}x{j} IN TXT \"v=spf1 a mx -all\"\n_j{i}x{j} IN A 192.0.2.{}\n",
                10 + i * 3 + j
            ));
        }
    }
    let opts = ServerOptions {
        zones: zones(&[("good.example", &zone_text("good.example", &body))]),
        root_catch_all: true,
        // Long enough that questions sent together are all waiting at the server together.
        delay: Duration::from_millis(500),
        ..ServerOptions::default()
    };
    let (server, dns) = serve_with(opts, DnsConfig::default()).await;
    let r = mailtriage::checks::check_domain(&dns, &no_ip()).await;
    assert_eq!(r.spf.as_ref().unwrap().lookups, 5 + 15 + 30);
    // Counted at the server rather than on the clock: walked one by one, at most one question
    // (and the transport's resends of it) would be waiting there at a time; level by level the
    // 15 second-level includes wait together.
    assert!(
        server.max_in_flight() >= 15,
        "at most {} questions were in flight together",
        server.max_in_flight()
    );
}

#[tokio::test]
async fn helo_without_spf_is_only_info() {
    let r = run(&good_zone(), &no_ip()).await;
    assert_eq!(has(&r, "spf-helo-missing").severity, Severity::Info);
    let with_helo_spf = variant(&[], "mail IN TXT \"v=spf1 a -all\"");
    lacks(&run(&with_helo_spf, &no_ip()).await, "spf-helo-missing");
}
