//! DKIM key record parsing (RFC 6376 section 3.6.1): tags, key type, RSA modulus size.

use base64::Engine;
use std::collections::BTreeMap;

/// What a key record says, and what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRecord {
    pub tags: BTreeMap<String, String>,
    pub key_type: Option<String>,
    pub bits: Option<usize>,
    pub revoked: bool,
    pub testing: bool,
    pub sha1_only: bool,
    pub errors: Vec<String>,
}

/// True when a TXT string plausibly is a DKIM key record (and not, say, a wildcard SPF record).
pub fn looks_like_key(txt: &str) -> bool {
    let t = txt.trim_start();
    t.to_ascii_lowercase().starts_with("v=dkim1")
        || tag_list(t).iter().any(|(k, _)| k == "p" || k == "k")
}

fn tag_list(txt: &str) -> Vec<(String, String)> {
    txt.split(';')
        .filter(|t| !t.trim().is_empty())
        .map(|t| match t.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
            None => (t.trim().to_ascii_lowercase(), String::new()),
        })
        .collect()
}

pub fn parse(txt: &str) -> KeyRecord {
    let mut rec = KeyRecord::default();
    let list = tag_list(txt);
    for (i, (k, v)) in list.iter().enumerate() {
        if k == "v" && (i != 0 || v != "DKIM1") {
            rec.errors
                .push(format!("`v={v}` must be `v=DKIM1` and come first"));
        }
        if !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') || k.is_empty() {
            rec.errors.push(format!(
                "`{}` is not a tag=value pair",
                super::spf::parse::clip(k)
            ));
            continue;
        }
        if rec.tags.insert(k.clone(), v.clone()).is_some() {
            rec.errors.push(format!("tag `{k}` appears twice"));
        }
    }
    let key_type = rec
        .tags
        .get("k")
        .map_or("rsa".to_string(), |k| k.to_ascii_lowercase());
    if !matches!(key_type.as_str(), "rsa" | "ed25519") {
        rec.errors.push(format!(
            "unknown key type `k={}`",
            super::spf::parse::clip(&key_type)
        ));
    }
    rec.key_type = Some(key_type.clone());
    if let Some(h) = rec.tags.get("h") {
        let algs: Vec<String> = h
            .split(':')
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        rec.sha1_only = !algs.is_empty() && algs.iter().all(|a| a == "sha1");
    }
    // RFC 6376 section 3.6.1: a mail verifier ignores a key whose `s=` lists neither `email`
    // nor `*` (the default when `s=` is absent); other service types are unknown to it.
    if let Some(services) = rec.tags.get("s")
        && !services
            .split(':')
            .any(|t| matches!(t.trim().to_ascii_lowercase().as_str(), "email" | "*"))
    {
        rec.errors.push(format!(
            "`s={}` lists neither `email` nor `*`, so mail verifiers ignore this key (RFC 6376 section 3.6.1)",
            super::spf::parse::clip(services)
        ));
    }
    if let Some(t) = rec.tags.get("t") {
        rec.testing = t.split(':').any(|f| f.trim().eq_ignore_ascii_case("y"));
    }
    let Some(p) = rec.tags.get("p").cloned() else {
        rec.errors.push("no `p=` (public key) tag".to_string());
        return rec;
    };
    let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
    if p.is_empty() {
        rec.revoked = true;
        return rec;
    }
    // A key longer than one TXT string (255 octets) is published as several strings; a DNS
    // form that keeps only the first, or a paste that stops there, leaves a key whose DER
    // header announces more bytes than `p=` holds. Said as such, not as "not a key".
    if let Some((declared, held)) = cut_off(&p) {
        rec.errors.push(format!(
            "the key is cut off: its header announces {declared} bytes and `p=` holds {held}; a key longer than one TXT string (255 characters) must be published as several strings of one record, and only the first part reached the DNS"
        ));
        return rec;
    }
    let der = match base64::engine::general_purpose::STANDARD.decode(p.as_bytes()) {
        Ok(d) => d,
        Err(e) => {
            rec.errors.push(format!("`p=` is not valid base64 ({e})"));
            return rec;
        }
    };
    match key_type.as_str() {
        "rsa" => match rsa_bits(&der) {
            Some(bits) => rec.bits = Some(bits),
            None => rec.errors.push("`p=` is not an RSA public key".to_string()),
        },
        "ed25519" if der.len() == 32 => rec.bits = Some(256),
        "ed25519" => rec.errors.push(format!(
            "an Ed25519 key is 32 bytes, `p=` has {}",
            der.len()
        )),
        _ => {}
    }
    rec
}

/// (bytes the DER header of `p` announces, bytes `p` holds) when the key ends early: a DER
/// SEQUENCE with a two-byte length (`MII...`, every RSA key of 1024 bits or more).
fn cut_off(p: &str) -> Option<(usize, usize)> {
    let head = base64::engine::general_purpose::STANDARD
        .decode(p.get(..8)?.as_bytes())
        .ok()?;
    let declared = match head.as_slice() {
        [0x30, 0x82, hi, lo, ..] => usize::from(*hi) * 256 + usize::from(*lo) + 4,
        _ => return None,
    };
    let held = p.trim_end_matches('=').len() * 3 / 4;
    (held < declared).then_some((declared, held))
}

/// Modulus size of a SubjectPublicKeyInfo (or bare PKCS#1) RSA key, read from the DER
/// structures themselves: `rsa::RsaPublicKey` refuses a modulus over 4096 bits, which is
/// still an RSA key (RFC 8301 section 3.2 lets verifiers accept larger ones), and reading a
/// size needs no big-number arithmetic whatever the key's length.
pub fn rsa_bits(der: &[u8]) -> Option<usize> {
    use rsa::pkcs1::der::Decode;
    let pkcs1 = match rsa::pkcs8::SubjectPublicKeyInfoRef::from_der(der) {
        Ok(spki) if spki.algorithm.oid == rsa::pkcs1::ALGORITHM_OID => {
            spki.subject_public_key.as_bytes()?
        }
        Ok(_) => return None,
        Err(_) => der,
    };
    let key = rsa::pkcs1::RsaPublicKey::from_der(pkcs1).ok()?;
    let n = key.modulus.as_bytes();
    let first = *n.first().filter(|b| **b != 0)?;
    if key.public_exponent.as_bytes().is_empty() {
        return None;
    }
    Some(n.len() * 8 - first.leading_zeros() as usize)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // A 1024-bit RSA key (SubjectPublicKeyInfo), generated for these tests.
    pub const RSA1024: &str = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDuK7vPlgwpPB42p4Vevc9KheJyLl5D/wDwqQQRSp3JiNxj7wDA0WV8lFF7V6FD0lKm7RmHJ2zsIc/JhyiTXyimawqJEg2R92G19eMZW93eo1yYA8hMbReOwNXCZICPIS6jjP0WSY/V624PCuLC+z7M6h03kJzQRdZ8ozViY9PMBwIDAQAB";

    #[test]
    fn rsa_key_size_is_read() {
        let r = parse(&format!("v=DKIM1; k=rsa; p={RSA1024}"));
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.bits, Some(1024));
        assert!(!r.revoked);
    }

    #[test]
    fn revoked_testing_sha1_and_errors() {
        assert!(parse("v=DKIM1; p=").revoked);
        let r = parse(&format!("v=DKIM1; t=y; h=sha1; p={RSA1024}"));
        assert!(r.testing && r.sha1_only);
        assert!(!parse(&format!("h=sha1:sha256; p={RSA1024}")).sha1_only);
        assert_eq!(parse("v=DKIM1; k=rsa").errors.len(), 1);
        assert_eq!(parse("v=DKIM1; p=!!!notbase64").errors.len(), 1);
        assert_eq!(parse("v=DKIM1; k=dsa; p=AAAA").errors.len(), 1);
        assert_eq!(parse("k=rsa; v=DKIM1; p=").errors.len(), 1);
        assert_eq!(
            parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").bits,
            Some(256)
        );
    }

    #[test]
    fn a_key_for_another_service_is_no_key_for_mail() {
        for ok in ["email", "*", "email:tlsrpt", " Email "] {
            let r = parse(&format!("v=DKIM1; s={ok}; p={RSA1024}"));
            assert!(r.errors.is_empty(), "{ok}: {:?}", r.errors);
        }
        for bad in ["tlsrpt", "", "mail"] {
            let r = parse(&format!("v=DKIM1; s={bad}; p={RSA1024}"));
            assert_eq!(r.errors.len(), 1, "{bad}");
            assert!(r.errors[0].contains("RFC 6376 section 3.6.1"));
        }
        // t=s (no subdomains in i=) restricts signatures, not the key: still valid.
        assert!(
            parse(&format!("v=DKIM1; t=s; p={RSA1024}"))
                .errors
                .is_empty()
        );
        // An RSA-sized key declared Ed25519 is invalid, not a 2048-bit Ed25519 key.
        let r = parse(&format!("v=DKIM1; k=ed25519; p={RSA1024}"));
        assert!(r.errors[0].contains("32 bytes"), "{:?}", r.errors);
        assert_eq!(r.bits, None);
    }

    #[test]
    fn only_key_like_records_are_taken_as_keys() {
        assert!(looks_like_key("v=DKIM1; p=abc"));
        assert!(looks_like_key("k=rsa; p=abc"));
        assert!(!looks_like_key("v=spf1 -all"));
        assert!(!looks_like_key("google-site-verification=xyz"));
    }
}
