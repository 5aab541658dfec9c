//! Traps anywhere in the SPF include tree: an include ending in `+all`, `ptr` inside an include,
//! the same include twice; each finding names the record and the term.
#![allow(clippy::unwrap_used)]

use crate::checks_support::*;
use crate::cli_support::{Served, code, run as cli, stdout};
use crate::common::zone_text;
use mailtriage::checks::{CheckParams, DomainReport};
use mailtriage::finding::{Check, Severity};

const SPF: &str = "@ IN TXT \"v=spf1";

fn spf() -> CheckParams {
    CheckParams {
        only: vec![Check::Spf],
        ip: None,
        ..params()
    }
}

async fn with(record: &str, extra: &str) -> DomainReport {
    let line = format!("@ IN TXT {}", quoted(record));
    run(&variant(&[(SPF, &line)], extra), &spf()).await
}

fn all_of<'a>(r: &'a DomainReport, id: &str) -> Vec<&'a mailtriage::finding::Finding> {
    r.findings.iter().filter(|f| f.id == id).collect()
}

#[tokio::test]
async fn an_include_ending_in_plus_all_is_an_error_naming_the_include() {
    let r = with(
        "v=spf1 include:_spf.good.example include:relay.good.example -all",
        "relay IN TXT \"v=spf1 ip4:198.51.100.0/24 +all\"",
    )
    .await;
    let f = all_of(&r, "spf-plus-all");
    assert_eq!(f.len(), 1, "{:#?}", summary(&r));
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].subject, "relay.good.example");
    assert!(
        f[0].message.contains("`include:relay.good.example`") && f[0].message.contains("+all"),
        "{}",
        f[0].message
    );
    // The domain's own record ends in -all: its `all` fact is still -all, the finding says why
    // the domain is nevertheless open.
    assert_eq!(r.spf.as_ref().unwrap().all.as_deref(), Some("-all"));
}

#[tokio::test]
async fn plus_all_two_levels_down_and_through_redirect() {
    let r = with(
        "v=spf1 include:a.good.example -all",
        "a IN TXT \"v=spf1 include:b.good.example ~all\"\nb IN TXT \"v=spf1 all\"",
    )
    .await;
    let f = has(&r, "spf-plus-all");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message
            .contains("`include:a.good.example > include:b.good.example`"),
        "{}",
        f.message
    );
    let r = with(
        "v=spf1 redirect=open.good.example",
        "open IN TXT \"v=spf1 +all\"",
    )
    .await;
    let f = has(&r, "spf-plus-all");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("redirect=open.good.example"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn plus_all_behind_a_fail_qualified_include_is_a_warning() {
    // `-include:x` where x matches everyone makes everyone fail, not pass.
    let r = with(
        "v=spf1 ip4:192.0.2.0/24 -include:deny.good.example ~all",
        "deny IN TXT \"v=spf1 +all\"",
    )
    .await;
    assert_eq!(has(&r, "spf-plus-all").severity, Severity::Warning);
}

#[tokio::test]
async fn ptr_inside_an_include_is_flagged_with_the_include() {
    let r = with(
        "v=spf1 include:legacy.good.example -all",
        "legacy IN TXT \"v=spf1 ptr:good.example ~all\"",
    )
    .await;
    let f = has(&r, "spf-ptr-mechanism");
    assert_eq!(f.subject, "legacy.good.example");
    assert!(
        f.message.contains("include:legacy.good.example"),
        "{}",
        f.message
    );
    assert!(f.message.contains("ptr:good.example"), "{}", f.message);
    lacks(&r, "spf-plus-all");
}

#[tokio::test]
async fn the_same_include_twice_in_one_record() {
    let r = with(
        "v=spf1 include:_spf.good.example include:_SPF.good.example. -all",
        "",
    )
    .await;
    let f = has(&r, "spf-duplicate-include");
    assert_eq!(f.subject, "good.example");
    assert!(
        f.message.contains("include:_spf.good.example"),
        "{}",
        f.message
    );
    // Included from two places, a record's own traps are reported once.
    let r = with(
        "v=spf1 include:a.good.example include:b.good.example -all",
        "a IN TXT \"v=spf1 include:c.good.example -all\"\nb IN TXT \"v=spf1 include:c.good.example -all\"\nc IN TXT \"v=spf1 ptr +all\"",
    )
    .await;
    assert_eq!(all_of(&r, "spf-plus-all").len(), 1, "{:#?}", summary(&r));
    assert_eq!(all_of(&r, "spf-ptr-mechanism").len(), 1);
    lacks(&r, "spf-duplicate-include");
}

#[test]
fn the_cli_does_not_call_an_open_include_ok_and_exits_1() {
    let zone = zone_text(
        "open.example",
        "@ IN TXT \"v=spf1 include:relay.open.example -all\"\nrelay IN TXT \"v=spf1 +all\"",
    );
    let served = Served::zones(&[("open.example", &zone)]);
    let ns = served.nameserver();
    let o = cli(
        &[
            "check",
            "open.example",
            "--only",
            "spf",
            "--nameserver",
            &ns,
        ],
        None,
    );
    let out = stdout(&o);
    assert_eq!(code(&o), 1, "{out}");
    assert!(!out.contains("SPF ok"), "{out}");
    assert!(out.contains("spf-plus-all"), "{out}");
}

#[tokio::test]
async fn a_record_with_a_syntax_error_spends_no_lookups() {
    // RFC 7208 section 4.6: a syntax error anywhere in a record is a permerror "without
    // further interpretation or evaluation", so none of its terms is a DNS lookup (section
    // 4.6.4 counts terms that are evaluated). The dnsbench ground truth counts the same way;
    // mailtriage counted the record as written before (eastjetty.com: 4, manifest 0).
    let twelve: String = (0..12)
        .map(|i| format!(" include:i{i}.good.example"))
        .collect();
    let extra: String = (0..12)
        .map(|i| format!("i{i} IN TXT \"v=spf1 -all\"\n"))
        .collect();
    let r = with(&format!("v=spf1{twelve} ip4:203.0.113.300 -all"), &extra).await;
    let facts = r.spf.as_ref().unwrap();
    assert_eq!(facts.lookups, 0);
    has(&r, "spf-syntax-error");
    // Twelve includes as written, but the record is never evaluated: the error to fix is the
    // syntax, and no 'too many lookups' is reported for lookups no receiver makes.
    lacks(&r, "spf-too-many-lookups");
    // The redirect that fetches a broken record is evaluated (1); the broken record is not.
    let r = with(
        "v=spf1 redirect=_spf.good.example",
        "_spf IN TXT \"v=spf1 include:i0.good.example a mx inculde:x.good.example -all\"\ni0 IN TXT \"v=spf1 -all\"",
    )
    .await;
    assert_eq!(r.spf.as_ref().unwrap().lookups, 1);
    let tree = r.spf.as_ref().unwrap().tree.as_ref().unwrap();
    assert_eq!(tree.total_lookups, 1);
    // A valid record still counts every term, nested ones included.
    let r = with("v=spf1 include:_spf.good.example a mx -all", "").await;
    assert_eq!(r.spf.as_ref().unwrap().lookups, 3);
}

#[tokio::test]
async fn empty_character_strings_join_to_nothing_but_nul_and_control_bytes_are_permerror() {
    // RFC 7208 section 3.3: the strings of one TXT record are joined without separator, so
    // empty ones add nothing and the record is valid.
    let r = run(
        &variant(
            &[(
                SPF,
                r#"@ IN TXT "" "v=spf1 " "" "ip4:192.0.2.0/24" "" " -all""#,
            )],
            "",
        ),
        &spf(),
    )
    .await;
    assert_eq!(
        r.spf.as_ref().unwrap().record.as_deref(),
        Some("v=spf1 ip4:192.0.2.0/24 -all")
    );
    lacks(&r, "spf-syntax-error");
    // A NUL byte, an escape sequence or a typographic dash inside a term: not printable ASCII
    // (RFC 7208 section 4.6.1), so the record is a permerror, and the finding says which.
    for (zone, shown) in [
        (r#""v=spf1 ip4:192.0.2.0/24\000 -all""#, "U+0000"),
        (r#""v=spf1 ip4:192.0.2.0/24 \027[2J-all""#, "U+001B"),
        (r#""v=spf1 ip4:192.0.2.0/24 \226\128\147all""#, "U+2013"),
    ] {
        let r = run(&variant(&[(SPF, &format!("@ IN TXT {zone}"))], ""), &spf()).await;
        let f = has(&r, "spf-syntax-error");
        assert!(f.message.contains(shown), "{zone}: {}", f.message);
        assert!(f.message.contains("printable ASCII"), "{}", f.message);
        if shown == "U+2013" {
            assert!(f.message.contains("typographic dash"), "{}", f.message);
        }
    }
}

#[test]
fn control_bytes_of_an_spf_record_are_inert_in_every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.example.zone");
    let body = variant(
        &[(
            SPF,
            r#"@ IN TXT "v=spf1 ip4:192.0.2.0/24\000 \027[2J\226\128\147all""#,
        )],
        "",
    );
    std::fs::write(&path, zone_text("good.example", &body)).unwrap();
    let zone = path.to_str().unwrap();
    for format in ["human", "json", "jsonl", "markdown", "sarif"] {
        let out = cli(
            &[
                "check",
                "good.example",
                "--only",
                "spf",
                "--zone",
                zone,
                "--offline",
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(code(&out), 1, "{format}");
        let text = stdout(&out);
        assert!(text.contains("spf-syntax-error"), "{format}: {text}");
        for raw in ['\u{0}', '\u{1b}'] {
            assert!(!text.contains(raw), "{format}: raw {raw:?} in {text}");
        }
    }
}
