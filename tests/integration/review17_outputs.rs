//! Review 17: the newer outputs (SARIF places, scan's reports, the evidence bundle) given
//! hostile names and data, each test failing on the fault found.

use super::cli_support::{code, stderr};
use serde_json::Value;

/// Percent-decodes a URI path, refusing any character RFC 3986 does not allow unescaped in
/// one (other than `/` and the unreserved ones we write).
fn decoded_path(uri: &str) -> Result<String, String> {
    let mut out = Vec::new();
    let b = uri.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = uri.get(i + 1..i + 3).ok_or("cut escape")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || b"-._~/:".contains(&c) => {
                out.push(c);
                i += 1;
            }
            c => return Err(format!("{:?} unescaped in {uri}", char::from(c))),
        }
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// `check --format sarif` wrote a zone file's name into `artifactLocation.uri` as it was:
/// `zones/broken #1 100%?.zone` is no URI (a code-scanning upload reads a path `zones/broken `,
/// a query and a fragment). Every octet that is not unreserved is percent-encoded, for
/// relative and absolute (file://) paths alike, and decodes back to the file's name.
#[test]
fn sarif_places_in_zone_files_with_any_name_are_uris() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "broken #1 100%?é[x]`.zone";
    let zones = dir.path().join("z d");
    std::fs::create_dir_all(&zones).expect("mkdir");
    std::fs::copy(
        "examples/zones/broken-sender.example.zone",
        zones.join(name),
    )
    .expect("copy zone");
    let absolute = zones.display().to_string();
    for (zone_arg, cwd) in [(absolute.as_str(), None), ("z d", Some(dir.path()))] {
        let mut cmd = super::cli_support::mailtriage();
        if let Some(cwd) = cwd {
            cmd.current_dir(cwd);
        }
        let o = cmd
            .args([
                "check",
                "broken-sender.example",
                "--zone",
                zone_arg,
                "--offline",
                "--format",
                "sarif",
            ])
            .output()
            .expect("run");
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
        let uris: Vec<&str> = v["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter_map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str()
            })
            .collect();
        assert!(!uris.is_empty(), "{v}");
        for uri in uris {
            let path = decoded_path(uri).unwrap_or_else(|e| panic!("{e}"));
            let want = format!("{zone_arg}/{name}");
            match uri.strip_prefix("file://") {
                Some(rest) => assert_eq!(decoded_path(rest).as_deref(), Ok(want.as_str()), "{uri}"),
                None => assert_eq!(path, want, "{uri}"),
            }
        }
    }
}
