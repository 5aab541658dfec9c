//! `--zone` overlay: zone names answered from the file (with locations), the rest forwarded,
#![allow(clippy::unwrap_used)]
//! `--offline` marks outside names, and mail-auth's resolver sees the same overlay.

use crate::common::{serve, zone_text};
use mailtriage::dns::{Dns, DnsConfig, DnsSetupError, Outcome, RType};
use std::io::Write;
use std::time::Duration;

fn write_zone(dir: &tempfile::TempDir, file: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(file);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    path
}

fn proposed() -> String {
    zone_text(
        "example.com",
        "@ IN TXT \"v=spf1 include:_spf.provider.test -all\"\nwww IN CNAME host\nhost IN A 192.0.2.8\nout IN CNAME _spf.provider.test.\n",
    )
}

#[tokio::test]
async fn overlay_answers_zone_names_and_forwards_the_rest() {
    // "Live" DNS: the old example.com plus another domain.
    let live_example = zone_text("example.com", "@ IN TXT \"v=spf1 old -all\"\n");
    let provider = zone_text(
        "provider.test",
        "_spf IN TXT \"v=spf1 ip4:198.51.100.0/24 ~all\"\n",
    );
    let (upstream, _) =
        serve(&[("example.com", &live_example), ("provider.test", &provider)]).await;

    let dir = tempfile::tempdir().unwrap();
    let path = write_zone(&dir, "example.com.zone", &proposed());
    let dns = Dns::new(DnsConfig {
        nameservers: vec![upstream.addr()],
        zones: vec![path.clone()],
        timeout: Duration::from_secs(1),
        ..DnsConfig::default()
    })
    .await
    .unwrap();
    assert!(dns.resolver_label().contains("zone overlay"));

    let spf = dns.query("example.com", RType::TXT).await;
    assert_eq!(
        spf.txt_strings(),
        vec!["v=spf1 include:_spf.provider.test -all"]
    );
    let loc = spf
        .location
        .clone()
        .expect("zone answers carry their location");
    assert_eq!(loc.file, path.display().to_string());
    assert_eq!(loc.line, 5);
    assert_eq!(dns.zone_location("EXAMPLE.com.", RType::TXT), Some(loc));

    let host = dns.query("www.example.com", RType::A).await;
    assert_eq!(host.cname_chain, vec!["host.example.com"]);
    assert_eq!(host.location.as_ref().map(|l| l.line), Some(7));

    let forwarded = dns.query("_spf.provider.test", RType::TXT).await;
    assert_eq!(forwarded.outcome, Outcome::Answer);
    assert_eq!(
        forwarded.txt_strings(),
        vec!["v=spf1 ip4:198.51.100.0/24 ~all"]
    );
    assert_eq!(forwarded.location, None);
    // A zone CNAME leaving the zone: the overlay stops at it and the target is asked for.
    let out = dns.query("out.example.com", RType::TXT).await;
    assert_eq!(out.outcome, Outcome::Answer);
    assert_eq!(out.cname_chain, vec!["_spf.provider.test"]);
    assert_eq!(out.txt_strings(), vec!["v=spf1 ip4:198.51.100.0/24 ~all"]);
    let missing = dns.query("nothing.provider.test", RType::TXT).await;
    assert_eq!(missing.outcome, Outcome::NxDomain);

    // mail-auth's own resolver sees the overlay, not the live record.
    let raw = dns
        .authenticator()
        .txt_raw_lookup("example.com.")
        .await
        .unwrap();
    assert_eq!(raw, b"v=spf1 include:_spf.provider.test -all");
}

#[tokio::test]
async fn offline_marks_outside_names_without_asking() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_zone(&dir, "example.com.zone", &proposed());
    let dns = Dns::new(DnsConfig {
        zones: vec![path],
        offline: true,
        ..DnsConfig::default()
    })
    .await
    .unwrap();
    let inside = dns.query("example.com", RType::TXT).await;
    assert_eq!(inside.outcome, Outcome::Answer);
    let absent = dns.query("nope.example.com", RType::TXT).await;
    assert_eq!(absent.outcome, Outcome::NxDomain);
    let outside = dns.query("_spf.provider.test", RType::TXT).await;
    assert_eq!(outside.outcome, Outcome::Offline);
    assert!(dns.log()[outside.id].resolver.contains("offline"));
    assert_eq!(dns.offline_names(), vec!["_spf.provider.test"]);
    // mail-auth cannot reach outside names either: the overlay refuses them.
    assert!(
        dns.authenticator()
            .txt_raw_lookup("_spf.provider.test.")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn bad_zone_file_is_a_setup_error_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_zone(
        &dir,
        "example.com.zone",
        "$ORIGIN example.com.\n@ IN SOA ns h 1 2 3 4 5\n\nmail IN MX ten mx.example.com.\n",
    );
    let err = Dns::new(DnsConfig {
        zones: vec![path],
        offline: true,
        ..DnsConfig::default()
    })
    .await
    .err()
    .expect("parse error");
    assert!(matches!(err, DnsSetupError::Zone { line: 4, .. }), "{err}");

    let missing = Dns::new(DnsConfig {
        zones: vec![dir.path().join("absent.zone")],
        offline: true,
        ..DnsConfig::default()
    })
    .await
    .err()
    .expect("missing file");
    assert!(matches!(missing, DnsSetupError::Zone { .. }), "{missing}");
}
