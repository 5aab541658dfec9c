//! Synthetic sending domains for the benchmark: provider SPF trees shared by many customers,
//! customer zones with SPF, DMARC, DKIM, MX, and reverse DNS for their sending IPs.

use std::fmt::Write;

/// One zone: origin and BIND-format text.
pub struct Zone {
    pub origin: String,
    pub text: String,
}

/// A small deterministic generator (SplitMix64) so every run serves the same internet.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const SOA: &str = "@ IN SOA ns1.bench.test. hostmaster.bench.test. 1 7200 900 1209600 300\n@ IN NS ns1.bench.test.\n";

/// A 2048-bit RSA public key (DER, base64) used for every DKIM selector.
pub const DKIM_KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzKX141xwhJroRq/afkCAjuS29IWcjbf1MPicodidiAghu40e7zq/d73yPpTZKx5NS3mAGqHVR6k4rincl3I3SGkGBpj9Dnoat7l9uTT6HoeJj/q9wFkLOlWDVEkONwLJHAb9vBWfGyFq4uWmDIE/4nTaG4CX9FHV7C7iflu48m+7UdDfesHLWW/HSy+bXAZG5gewEuR/JaiSarcIdbWyR02RLdaYrabSU+qPKHg2vsk4SBZ9wArtNFfqds/xHZwCISQgRMmAY05VBMNfMy0ij7SEYST8VULMa5hoEUsm48vM+03QQtqxVM0c4K5AYWYPx/xZQ7O/PJKnjL3ZXf0cowIDAQAB";

/// Provider zones: Google-like (depth 2, 4 lookups), a flat one, and a 4-deep ESP chain.
pub fn providers() -> Vec<Zone> {
    let mut zones = Vec::new();
    let g = "$ORIGIN gmail-like.test.\n$TTL 3600\n".to_string()
        + SOA
        + "_spf IN TXT \"v=spf1 include:_netblocks.gmail-like.test include:_netblocks2.gmail-like.test include:_netblocks3.gmail-like.test ~all\"\n"
        + "_netblocks IN TXT \"v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 ~all\"\n"
        + "_netblocks2 IN TXT \"v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ~all\"\n"
        + "_netblocks3 IN TXT \"v=spf1 ip4:172.217.0.0/19 ip4:172.217.32.0/20 ~all\"\n";
    zones.push(Zone {
        origin: "gmail-like.test".into(),
        text: g,
    });
    let o = "$ORIGIN outlook-like.test.\n$TTL 3600\n".to_string()
        + SOA
        + "spf IN TXT \"v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 -all\"\n";
    zones.push(Zone {
        origin: "outlook-like.test".into(),
        text: o,
    });
    let mut e = "$ORIGIN esp-chain.test.\n$TTL 3600\n".to_string() + SOA;
    for level in 1..4 {
        let _ = writeln!(
            e,
            "spf{level} IN TXT \"v=spf1 ip4:198.51.{level}.0/24 include:spf{}.esp-chain.test ~all\"",
            level + 1
        );
    }
    e.push_str("spf4 IN TXT \"v=spf1 ip4:198.51.4.0/24 ~all\"\n");
    zones.push(Zone {
        origin: "esp-chain.test".into(),
        text: e,
    });
    zones
}

/// Name of customer domain `i`.
pub fn customer(i: usize) -> String {
    format!("customer{i}.bench.test")
}

/// The sending IP of customer `i` (198.18.0.0/15, RFC 2544 benchmarking range).
pub fn sending_ip(i: usize) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::new(
        198,
        18 + ((i >> 16) & 1) as u8,
        ((i >> 8) & 0xff) as u8,
        (i & 0xff) as u8,
    )
}

/// One customer zone; the shape varies with `rng` the way real domains vary.
pub fn customer_zone(i: usize, rng: &mut Rng) -> Zone {
    let d = customer(i);
    let ip = sending_ip(i);
    let mut t = format!("$ORIGIN {d}.\n$TTL 3600\n{SOA}");
    let _ = writeln!(t, "@ IN MX 10 mx.{d}.\nmx IN A {ip}\n@ IN A {ip}");
    let mut spf = format!("v=spf1 ip4:{ip} mx");
    match rng.below(3) {
        0 => spf.push_str(" include:_spf.gmail-like.test"),
        1 => spf.push_str(" include:spf.outlook-like.test"),
        _ => spf.push_str(" include:_spf.gmail-like.test include:spf.outlook-like.test"),
    }
    if rng.below(4) == 0 {
        spf.push_str(" include:spf1.esp-chain.test");
    }
    spf.push_str(" -all");
    let _ = writeln!(t, "@ IN TXT \"{spf}\"");
    let _ = writeln!(t, "@ IN TXT \"site-verification={:016x}\"", rng.next_u64());
    if rng.below(5) != 0 {
        let p = ["none", "quarantine", "reject"][rng.below(3) as usize];
        let _ = writeln!(t, "_dmarc IN TXT \"v=DMARC1; p={p}; rua=mailto:dmarc@{d}\"");
    }
    let sel = ["selector1", "google", "s1", "k1"][rng.below(4) as usize];
    let _ = writeln!(
        t,
        "{sel}._domainkey IN TXT ( \"v=DKIM1; k=rsa; p={}\" \"{}\" )",
        &DKIM_KEY[..200],
        &DKIM_KEY[200..]
    );
    Zone { origin: d, text: t }
}

/// Reverse zones for the customers' sending IPs: forward-confirmed `mx.<domain>` names.
pub fn reverse_zones(n: usize) -> Vec<Zone> {
    let mut by_zone: std::collections::BTreeMap<String, String> = Default::default();
    for i in 0..n {
        let o = sending_ip(i).octets();
        let origin = format!("{}.{}.{}.in-addr.arpa", o[2], o[1], o[0]);
        let text = by_zone
            .entry(origin.clone())
            .or_insert_with(|| format!("$ORIGIN {origin}.\n$TTL 3600\n{SOA}"));
        let _ = writeln!(text, "{} IN PTR mx.{}.", o[3], customer(i));
    }
    by_zone
        .into_iter()
        .map(|(origin, text)| Zone { origin, text })
        .collect()
}
