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
        "rules/provider-others.toml",
        include_str!("../../rules/provider-others.toml"),
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
        "rules/suppression.toml",
        include_str!("../../rules/suppression.toml"),
    ),
];
