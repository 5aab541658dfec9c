//! Shared helpers for the checks tests: a clean zone to vary, and a runner against the fixture server.
#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use crate::common::{serve, zone_text};
use mailtriage::checks::{CheckParams, DomainReport, check_domain};
use mailtriage::finding::{Finding, Severity};

pub const KEY_2048: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkfdUXuaCzo4OkaHPrWZLXJDHzmOthaZd3R6HJVNENk/n94vnhi5FhdKlp9Bv3T9yrjZUjOustCH4yk9mCQdp8GSWZYq6LseQg8+wVrjdQaObIrNhB3mw9+cuOaployalK2Ris7z4d0ybQigRHUZZ9lgmBh/Ab5OwYeqbeNMA5fZQvazcn3YHkvosgbgKMgpZe3igVwHNDqXQKuhoI1KF/QgOiAeiqhybUpVMnexP6gJqfEOEYm2RFlzUBOOpEdt5ibwGz/CuJIIQI+pptnZl6dsaaVNhyCcyapVy5lSskkREW9RrDxfhINGvinhcSNSWtIHO71AHGGzBsJlHbJ2xGwIDAQAB";
pub const KEY_1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDuK7vPlgwpPB42p4Vevc9KheJyLl5D/wDwqQQRSp3JiNxj7wDA0WV8lFF7V6FD0lKm7RmHJ2zsIc/JhyiTXyimawqJEg2R92G19eMZW93eo1yYA8hMbReOwNXCZICPIS6jjP0WSY/V624PCuLC+z7M6h03kJzQRdZ8ozViY9PMBwIDAQAB";
pub const KEY_512: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALAdXU1kkVM2IOCvM8CsyUzZQRNo5oEs/VQc6eJmzF3IpW4voEoZ3qkU3oBLiB1zOEK9eLWOlsJBYcmE2GYmtgMCAwEAAQ==";

/// Zone-file form of the 2048-bit key: strings of at most 255 bytes.
pub const KEY_2048_TXT: &str = r#""MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkfdUXuaCzo4OkaHPrWZLXJDHzmOthaZd3R6HJVNENk/n94vnhi5FhdKlp9Bv3T9yrjZUjOustCH4yk9mCQdp8GSWZYq6LseQg8+wVrjdQaObIrNhB3mw9+cuOaployalK2Ris7z4d0ybQigRHUZZ9lgmBh/A" "b5OwYeqbeNMA5fZQvazcn3YHkvosgbgKMgpZe3igVwHNDqXQKuhoI1KF/QgOiAeiqhybUpVMnexP6gJqfEOEYm2RFlzUBOOpEdt5ibwGz/CuJIIQI+pptnZl6dsaaVNhyCcyapVy5lSskkREW9RrDxfhINGvinhcSNSWtIHO71AHGGzBsJlHbJ2xGwIDAQAB""#;

/// Everything right: SPF, DKIM (google selector), DMARC p=reject with rua, MX, PTR for 192.0.2.10.
pub const GOOD: &str = r#"
@                 IN A     192.0.2.10
@                 IN MX    10 mx.good.example.
mx                IN A     192.0.2.25
mail              IN A     192.0.2.10
@                 IN TXT   "v=spf1 ip4:192.0.2.0/24 include:_spf.good.example -all"
_spf              IN TXT   "v=spf1 ip4:198.51.100.0/24 -all"
_dmarc            IN TXT   "v=DMARC1; p=reject; rua=mailto:dmarc@good.example"
google._domainkey IN TXT   ( "v=DKIM1; k=rsa; p=" KEY2048 )
"#;

pub const REVERSE: &str = r#"
10 IN PTR mail.good.example.
25 IN PTR mx.good.example.
"#;

pub fn good_zone() -> String {
    GOOD.replace("KEY2048", KEY_2048_TXT)
}

/// The clean zone with lines replaced (by their owner-and-type prefix) and lines added.
pub fn variant(replace: &[(&str, &str)], extra: &str) -> String {
    let mut lines: Vec<String> = good_zone().lines().map(str::to_string).collect();
    for (prefix, new) in replace {
        let mut hit = false;
        for l in lines.iter_mut() {
            let norm: String = l.split_whitespace().collect::<Vec<_>>().join(" ");
            if norm.starts_with(prefix) {
                *l = new.to_string();
                hit = true;
            }
        }
        assert!(hit, "no line starts with {prefix}");
    }
    format!("{}\n{extra}\n", lines.join("\n"))
}

pub fn params() -> CheckParams {
    CheckParams {
        domain: "good.example".into(),
        ip: Some("192.0.2.10".parse().unwrap()),
        helo: Some("mail.good.example".into()),
        from: Some("news@good.example".into()),
        mail_from: Some("bounce@good.example".into()),
        dkim_selectors: vec![],
        dkim_domain: Some("good.example".into()),
        only: vec![],
        ..CheckParams::default()
    }
}

/// Serves `good.example` with `body` (plus the reverse zone) and checks it.
pub async fn run(body: &str, params: &CheckParams) -> DomainReport {
    run_zones(&[("good.example", body)], params).await
}

pub async fn run_zones(extra: &[(&str, &str)], params: &CheckParams) -> DomainReport {
    let mut texts: Vec<(String, String)> = extra
        .iter()
        .map(|(o, b)| (o.to_string(), zone_text(o, b)))
        .collect();
    if !texts.iter().any(|(o, _)| o == "2.0.192.in-addr.arpa") {
        texts.push((
            "2.0.192.in-addr.arpa".into(),
            zone_text("2.0.192.in-addr.arpa", REVERSE),
        ));
    }
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    let (_server, dns) = serve(&refs).await;
    check_domain(&dns, params).await
}

pub fn find<'a>(r: &'a DomainReport, id: &str) -> Option<&'a Finding> {
    r.findings.iter().find(|f| f.id == id)
}

pub fn has<'a>(r: &'a DomainReport, id: &str) -> &'a Finding {
    find(r, id).unwrap_or_else(|| panic!("expected {id}, got {:#?}", summary(r)))
}

pub fn lacks(r: &DomainReport, id: &str) {
    assert!(
        find(r, id).is_none(),
        "did not expect {id}, got {:#?}",
        summary(r)
    );
}

pub fn summary(r: &DomainReport) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}{}: {}",
                f.severity,
                f.id,
                f.subject,
                if f.inconclusive {
                    " (inconclusive)"
                } else {
                    ""
                },
                f.message
            )
        })
        .collect()
}

pub fn problems(r: &DomainReport) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| format!("{} {}: {}", f.id, f.subject, f.message))
        .collect()
}

/// Checks `good.example` given as a `--zone` file (offline), so answers carry zone locations.
pub async fn run_zone_file(body: &str, params: &CheckParams) -> DomainReport {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.example.zone");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(zone_text("good.example", body).as_bytes())
        .unwrap();
    let dns = mailtriage::dns::Dns::new(mailtriage::dns::DnsConfig {
        zones: vec![path],
        offline: true,
        ..mailtriage::dns::DnsConfig::default()
    })
    .await
    .unwrap();
    check_domain(&dns, params).await
}

/// A TXT rdata as quoted strings of at most 200 bytes.
pub fn quoted(text: &str) -> String {
    let parts: Vec<String> = text
        .as_bytes()
        .chunks(200)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    format!("( {} )", parts.join(" "))
}

/// Serves `good.example` with `body` (plus the reverse zone and `extra` zones) with these faults,
/// no retries, and checks it.
pub async fn run_faults(
    body: &str,
    extra: &[(&str, &str)],
    faults: Vec<mailtriage::dns::Fault>,
    params: &CheckParams,
) -> DomainReport {
    let mut texts: Vec<(String, String)> = vec![
        ("good.example".into(), zone_text("good.example", body)),
        (
            "2.0.192.in-addr.arpa".into(),
            zone_text("2.0.192.in-addr.arpa", REVERSE),
        ),
    ];
    texts.extend(extra.iter().map(|(o, b)| (o.to_string(), zone_text(o, b))));
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(o, t)| (o.as_str(), t.as_str()))
        .collect();
    let opts = mailtriage::dns::ServerOptions {
        zones: crate::common::zones(&refs),
        root_catch_all: true,
        faults,
        ..mailtriage::dns::ServerOptions::default()
    };
    let (_server, dns) = crate::common::serve_with(opts, crate::common::quick()).await;
    check_domain(&dns, params).await
}

/// A fault for one name (and type, if given).
pub fn fault(
    name: &str,
    rtype: Option<mailtriage::dns::RType>,
    kind: mailtriage::dns::FaultKind,
) -> mailtriage::dns::Fault {
    mailtriage::dns::Fault {
        name: name.into(),
        rtype,
        kind,
    }
}

/// Params that run only `checks`.
pub fn only(checks: &[mailtriage::finding::Check]) -> CheckParams {
    CheckParams {
        only: checks.to_vec(),
        ..params()
    }
}

/// The good zone served with `faults` (questions tracked when `track`), and a resolver on it.
pub async fn good_served(
    faults: Vec<mailtriage::dns::Fault>,
    track: bool,
    cfg: mailtriage::dns::DnsConfig,
) -> (mailtriage::dns::DnsServer, mailtriage::dns::Dns) {
    crate::common::serve_with(
        mailtriage::dns::ServerOptions {
            zones: crate::common::zones(&[(
                "good.example",
                &zone_text("good.example", &good_zone()),
            )]),
            root_catch_all: true,
            faults,
            track_questions: track,
            ..mailtriage::dns::ServerOptions::default()
        },
        cfg,
    )
    .await
}
