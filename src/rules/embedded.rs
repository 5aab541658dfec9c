//! The built-in rules files, embedded in the binary at build time.

/// Every rules/*.toml, listed explicitly (include_str! cannot glob), in load order:
/// the order decides ties between provider rules and the order of the handling table.
pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/basic.toml", include_str!("../../rules/basic.toml")),
    (
        "rules/enhanced.toml",
        include_str!("../../rules/enhanced.toml"),
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
        "rules/provider-microsoft.toml",
        include_str!("../../rules/provider-microsoft.toml"),
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
        "rules/provider-europe.toml",
        include_str!("../../rules/provider-europe.toml"),
    ),
    (
        "rules/provider-asia.toml",
        include_str!("../../rules/provider-asia.toml"),
    ),
    (
        "rules/provider-gateways.toml",
        include_str!("../../rules/provider-gateways.toml"),
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
        "rules/findings.toml",
        include_str!("../../rules/findings.toml"),
    ),
    ("rules/plan.toml", include_str!("../../rules/plan.toml")),
    (
        "rules/escalation.toml",
        include_str!("../../rules/escalation.toml"),
    ),
    (
        "rules/senders.toml",
        include_str!("../../rules/senders.toml"),
    ),
    (
        "rules/selectors.toml",
        include_str!("../../rules/selectors.toml"),
    ),
];
