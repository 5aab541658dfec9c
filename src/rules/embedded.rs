//! The built-in rules files, embedded in the binary at build time.

/// Every built-in rules file: the loader's own, then the checks' own (`check_tables::FILES`,
/// which each check's knowledge module embeds), in load order.
pub const BUILTIN: &[(&str, &str)] = &{
    let own = OWN;
    let checks = super::check_tables::FILES;
    let mut out = [("", ""); OWN.len() + super::check_tables::FILES.len()];
    let mut i = 0;
    while i < own.len() {
        out[i] = own[i];
        i += 1;
    }
    let mut j = 0;
    while j < checks.len() {
        out[i + j] = checks[j];
        j += 1;
    }
    out
};

/// The decoder's word lists (`reply::word_source`): not a rules file the loader reads, but
/// knowledge all the same, so the rules' version covers it.
pub const WORDS: (&str, &str) = ("rules/words.toml", include_str!("../../rules/words.toml"));

/// What the rules' version is the digest of: every built-in rules file and the word lists.
pub fn versioned() -> Vec<(&'static str, &'static str)> {
    let mut files = BUILTIN.to_vec();
    files.push(WORDS);
    files
}

/// A digest of `files` (names and texts, FNV-1a: stable across builds and platforms, unlike
/// std's hasher): the build writes that of [`BUILTIN`] for `rules::version`, which hashing
/// 2.5 MB byte by byte at run time cost a scan 10 M instructions after its last message.
pub fn digest(files: &[(&str, &str)]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in files {
        for b in name.bytes().chain(text.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The loader's own rules/*.toml, listed explicitly (include_str! cannot glob), in load
/// order: the order decides ties between provider rules and the order of the handling table.
const OWN: &[(&str, &str)] = &[
    ("rules/basic.toml", include_str!("../../rules/basic.toml")),
    (
        "rules/enhanced.toml",
        include_str!("../../rules/enhanced.toml"),
    ),
    (
        "rules/enhanced-security.toml",
        include_str!("../../rules/enhanced-security.toml"),
    ),
    (
        "rules/handling.toml",
        include_str!("../../rules/handling.toml"),
    ),
    (
        "rules/providers.toml",
        include_str!("../../rules/providers.toml"),
    ),
    (
        "rules/provider-gmail.toml",
        include_str!("../../rules/provider-gmail.toml"),
    ),
    (
        "rules/provider-gmail-senders.toml",
        include_str!("../../rules/provider-gmail-senders.toml"),
    ),
    (
        "rules/provider-gmail-submission.toml",
        include_str!("../../rules/provider-gmail-submission.toml"),
    ),
    (
        "rules/provider-microsoft.toml",
        include_str!("../../rules/provider-microsoft.toml"),
    ),
    (
        "rules/provider-outlook-com.toml",
        include_str!("../../rules/provider-outlook-com.toml"),
    ),
    (
        "rules/provider-exchange.toml",
        include_str!("../../rules/provider-exchange.toml"),
    ),
    (
        "rules/provider-yahoo.toml",
        include_str!("../../rules/provider-yahoo.toml"),
    ),
    (
        "rules/provider-apple.toml",
        include_str!("../../rules/provider-apple.toml"),
    ),
    (
        "rules/provider-us-isp.toml",
        include_str!("../../rules/provider-us-isp.toml"),
    ),
    (
        "rules/provider-europe-de.toml",
        include_str!("../../rules/provider-europe-de.toml"),
    ),
    (
        "rules/provider-europe-fr-it.toml",
        include_str!("../../rules/provider-europe-fr-it.toml"),
    ),
    (
        "rules/provider-europe-east.toml",
        include_str!("../../rules/provider-europe-east.toml"),
    ),
    (
        "rules/provider-asia.toml",
        include_str!("../../rules/provider-asia.toml"),
    ),
    (
        "rules/provider-japan-mobile.toml",
        include_str!("../../rules/provider-japan-mobile.toml"),
    ),
    (
        "rules/provider-gateways.toml",
        include_str!("../../rules/provider-gateways.toml"),
    ),
    (
        "rules/provider-gateways-catalogue.toml",
        include_str!("../../rules/provider-gateways-catalogue.toml"),
    ),
    (
        "rules/provider-vade.toml",
        include_str!("../../rules/provider-vade.toml"),
    ),
    (
        "rules/phrases-untrailed.toml",
        include_str!("../../rules/phrases-untrailed.toml"),
    ),
    (
        "rules/provider-esp-ses.toml",
        include_str!("../../rules/provider-esp-ses.toml"),
    ),
    (
        "rules/provider-esp-sendgrid-mailgun.toml",
        include_str!("../../rules/provider-esp-sendgrid-mailgun.toml"),
    ),
    (
        "rules/provider-esp-sparkpost-postmark.toml",
        include_str!("../../rules/provider-esp-sparkpost-postmark.toml"),
    ),
    (
        "rules/provider-esp-resend-more.toml",
        include_str!("../../rules/provider-esp-resend-more.toml"),
    ),
    (
        "rules/provider-esp-graph.toml",
        include_str!("../../rules/provider-esp-graph.toml"),
    ),
    (
        "rules/provider-esp-relays.toml",
        include_str!("../../rules/provider-esp-relays.toml"),
    ),
    (
        "rules/phrases-submission.toml",
        include_str!("../../rules/phrases-submission.toml"),
    ),
    (
        "rules/phrases-narrow.toml",
        include_str!("../../rules/phrases-narrow.toml"),
    ),
    (
        "rules/phrases-verdict-wordings.toml",
        include_str!("../../rules/phrases-verdict-wordings.toml"),
    ),
    (
        "rules/phrases-submission-blocks.toml",
        include_str!("../../rules/phrases-submission-blocks.toml"),
    ),
    (
        "rules/phrases-dnsbl.toml",
        include_str!("../../rules/phrases-dnsbl.toml"),
    ),
    (
        "rules/phrases.toml",
        include_str!("../../rules/phrases.toml"),
    ),
    (
        "rules/phrases-recipient-path.toml",
        include_str!("../../rules/phrases-recipient-path.toml"),
    ),
    (
        "rules/phrases-message-judgement.toml",
        include_str!("../../rules/phrases-message-judgement.toml"),
    ),
    (
        "rules/mechanisms.toml",
        include_str!("../../rules/mechanisms.toml"),
    ),
    (
        "rules/findings.toml",
        include_str!("../../rules/findings.toml"),
    ),
    (
        "rules/findings-dmarc-ptr-mx.toml",
        include_str!("../../rules/findings-dmarc-ptr-mx.toml"),
    ),
    ("rules/plan.toml", include_str!("../../rules/plan.toml")),
    (
        "rules/plan-messages.toml",
        include_str!("../../rules/plan-messages.toml"),
    ),
    (
        "rules/plan-from-evidence.toml",
        include_str!("../../rules/plan-from-evidence.toml"),
    ),
    (
        "rules/escalation.toml",
        include_str!("../../rules/escalation.toml"),
    ),
    (
        "rules/escalation-blocklists.toml",
        include_str!("../../rules/escalation-blocklists.toml"),
    ),
    (
        "rules/escalation-esp.toml",
        include_str!("../../rules/escalation-esp.toml"),
    ),
    (
        "rules/senders.toml",
        include_str!("../../rules/senders.toml"),
    ),
    (
        "rules/selectors.toml",
        include_str!("../../rules/selectors.toml"),
    ),
    (
        "rules/suppression.toml",
        include_str!("../../rules/suppression.toml"),
    ),
];

/// Every built-in rule example as written, upper-cased, and after Japanese text (where a
/// lazy DFA quits on Unicode `\b`): the texts the pattern engines are compared on.
#[cfg(test)]
pub(crate) fn example_variants() -> Vec<String> {
    let mut texts = Vec::new();
    for (_, text) in BUILTIN {
        let t: toml::Table = toml::from_str(text).unwrap();
        for list in t.values().filter_map(|v| v.as_array()) {
            for rule in list.iter().filter_map(|v| v.as_table()) {
                let examples = rule.get("examples").and_then(|e| e.as_array());
                for ex in examples.into_iter().flatten().filter_map(|e| e.as_str()) {
                    texts.push(ex.to_string());
                    texts.push(ex.to_uppercase());
                    texts.push(format!("送信できませんでした{ex}"));
                }
            }
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The version the build wrote is the digest of the files this binary embeds (the word
    /// lists too), and the
    /// digest notices a change of one byte of a text or of a file's name.
    #[test]
    fn the_rules_version_is_the_digest_of_the_embedded_files() {
        let want = format!(
            "{}+rules.{:016x}",
            env!("CARGO_PKG_VERSION"),
            digest(&versioned())
        );
        assert_eq!(crate::rules::version(), want);
        let mut changed: Vec<(&str, String)> =
            BUILTIN.iter().map(|(n, t)| (*n, t.to_string())).collect();
        changed[3].1.push(' ');
        let texts: Vec<(&str, &str)> = changed.iter().map(|(n, t)| (*n, t.as_str())).collect();
        assert_ne!(digest(&texts), digest(BUILTIN));
        let mut renamed = BUILTIN.to_vec();
        renamed[0].0 = "rules/other.toml";
        assert_ne!(digest(&renamed), digest(BUILTIN));
    }
}
