//! Review 17: byte offsets that input chooses (DNS answers, zone files, replies) reaching a
//! string slice outside the audited decoders, each test through the binary.

use super::cli_support::{code, run, stderr, stdout};

/// A zone whose SPF TXT record is published as two strings that cut the version itself:
/// joined (RFC 7208 section 3.3) they read `v=spf1ip4:...`, a version that runs into the
/// next term, while the first string is shorter than `v=spf1`.
const SPLIT_VERSION: &str = r#"$ORIGIN split.example.
$TTL 300
@ IN SOA ns1 hostmaster 1 7200 900 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.53
@ IN MX 10 mx
mx IN A 192.0.2.24
@ IN TXT "v=s" "pf1ip4:192.0.2.24 -all"
_dmarc IN TXT "v=DMARC1; p=none"
"#;

/// `diagnose` panicked (byte index 6 is out of range of `v=s`, exit 101) while proposing the
/// repaired record for the SPF version that runs into its next term: it took the version from
/// the first string alone.
#[test]
fn an_spf_version_cut_across_strings_is_diagnosed_without_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zone = dir.path().join("split.example.zone");
    std::fs::write(&zone, SPLIT_VERSION).expect("write zone");
    let zone = zone.display().to_string();
    let o = run(
        &[
            "diagnose",
            "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
            "--domain",
            "split.example",
            "--ip",
            "192.0.2.24",
            "--zone",
            &zone,
            "--offline",
        ],
        None,
    );
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(code(&o), 1, "{}{err}", stdout(&o));
    // The finding still says what is wrong with the record.
    assert!(
        stdout(&o).contains("spf-version-not-terminated"),
        "{}",
        stdout(&o)
    );
}
