//! Zone files: parse errors point at file:line:column, records remember where they were written.
#![allow(clippy::unwrap_used)]

use mailtriage::dns::{DnsSetupError, RType, ZoneData, parse_zone};

const DKIM: &str = r#"$ORIGIN example.com.
$TTL 3600
; the apex
@   IN SOA ns1 hostmaster (
        2024010101 ; serial
        3600 600 86400 300 )
    IN NS ns1
ns1 IN A 192.0.2.53

sel1._domainkey IN TXT ( "v=DKIM1; k=rsa; "
                         "p=MIIBIjANBgkqh"
                         "kiG9w0BAQEFAAOC" )
@ 600 IN MX 0 .
  IN TXT "v=spf1 -all"
"#;

#[test]
fn multi_string_txt_in_parentheses_keeps_strings_and_joins() {
    let zone = parse_zone("dkim.zone", DKIM, None).unwrap();
    assert_eq!(zone.apex, "example.com");
    let dkim = zone
        .records
        .iter()
        .find(|r| r.name == "sel1._domainkey.example.com")
        .unwrap();
    let ZoneData::TXT(parts) = &dkim.data else {
        panic!("not TXT: {:?}", dkim.data)
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(
        parts.concat(),
        b"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC"
    );
    assert_eq!(dkim.ttl, 3600);
}

#[test]
fn records_remember_the_line_they_start_on() {
    let zone = parse_zone("dkim.zone", DKIM, None).unwrap();
    let at = |name: &str, rtype: RType| {
        let r = zone
            .records
            .iter()
            .find(|r| r.name == name && r.data.rtype() == rtype)
            .unwrap_or_else(|| panic!("{name} {rtype:?}"));
        (r.location.line, r.location.column)
    };
    assert_eq!(at("example.com", RType::SOA), (4, 1));
    assert_eq!(at("example.com", RType::NS), (7, 5));
    assert_eq!(at("ns1.example.com", RType::A), (8, 1));
    assert_eq!(at("sel1._domainkey.example.com", RType::TXT), (10, 1));
    assert_eq!(at("example.com", RType::MX), (13, 1));
    assert_eq!(at("example.com", RType::TXT), (14, 3));
    let mx = zone
        .records
        .iter()
        .find(|r| r.data.rtype() == RType::MX)
        .unwrap();
    assert_eq!(mx.data, ZoneData::MX(0, String::new()));
    assert_eq!(mx.ttl, 600);
    assert_eq!(zone.records[0].location.file, "dkim.zone");
}

#[test]
fn parse_errors_carry_file_line_and_column() {
    let text = "$ORIGIN example.com.\n@ IN SOA ns1 h 1 2 3 4 5\nwww IN A 192.0.2.1\nbad IN A not-an-address\n";
    let err = parse_zone("broken.zone", text, None).unwrap_err();
    match &err {
        DnsSetupError::Zone {
            file,
            line,
            message,
            ..
        } => {
            assert_eq!(file, "broken.zone");
            assert_eq!(*line, 4, "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("broken.zone:4:"), "{err}");

    let unbalanced = "$ORIGIN example.com.\n@ IN SOA ns1 h 1 2 3 4 5\nx IN TXT ( \"a\"\n";
    let err = parse_zone("paren.zone", unbalanced, None).unwrap_err();
    assert!(
        matches!(err, DnsSetupError::Zone { line, .. } if line >= 3),
        "{err}"
    );
}

#[test]
fn relative_names_need_an_origin() {
    let err = parse_zone("no-origin.zone", "www IN A 192.0.2.1\n", None).unwrap_err();
    assert!(matches!(err, DnsSetupError::Zone { line: 1, .. }), "{err}");
    let ok = parse_zone("given.zone", "www IN A 192.0.2.1\n", Some("example.org")).unwrap();
    assert_eq!(ok.records[0].name, "www.example.org");
    assert_eq!(ok.apex, "example.org");
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "(((((",
        "\"unterminated",
        "$ORIGIN\n",
        "@ IN TXT \"\\999\"",
        "\u{0}\u{1}\u{2}",
        "$INCLUDE /etc/passwd\n",
    ] {
        let _ = parse_zone("g.zone", text, Some("example.com"));
    }
}

proptest::proptest! {
    #[test]
    fn zone_like_input_never_panics(text in "([a-z@$();\"\\\\ \t\n0-9.]|IN|TXT|MX|SOA|ORIGIN){0,80}") {
        let _ = parse_zone("fuzz.zone", &text, Some("example.com"));
    }
}
