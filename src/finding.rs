//! The one `Finding` type every check returns and every renderer reads.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// The one list of registered DNS checks, in the order they run, are reported and planned.
///
/// Each line is a check: its `Check` variant, its name (`--only`, a finding's `check`, a rule's
/// `checks`), its registry entry (a `DnsCheck` below `checks`) and its `--only` help; a check
/// with a table of its own in the rules files adds `{ knowledge <module>: "<file>" }`, the file (from
/// src/rules/) of its typed schema, which `rules::check_tables` mounts into the loader: the
/// table is then `[[<name>]]`, read, validated and precompiled with the others. The list
/// is a macro that hands itself to another: below, into the `Check` vocabulary, which the layers
/// under the checks (rules, decoding) need; in `checks`, into `REGISTRY`. It lives here, at the
/// bottom, so both may read it without a circle. Adding a check: a line here and its module
/// (docs/development.md).
///
/// Calls `$then! { Variant = "name": entry::Path, "help", [{ knowledge module: "file" },] ... }`
/// with every registered check.
macro_rules! registered_checks {
    ($then:ident) => {
        $then! {
            Spf = "spf": crate::checks::entries::spf::Spf,
                "The SPF record, its include tree and limits, and check_host() for --ip.",
                { knowledge spf: "../checks/spf/knowledge.rs" },
            Dkim = "dkim": crate::checks::entries::dkim::Dkim,
                "DKIM keys at the given and the common selectors.",
            Dmarc = "dmarc": crate::checks::entries::dmarc::Dmarc,
                "The DMARC policy, its reports and the From domain's alignment.",
            Ptr = "ptr": crate::checks::entries::ptr::Ptr,
                "Forward-confirmed reverse DNS of --ip (or of the MX hosts) and the HELO name.",
            Mx = "mx": crate::checks::entries::mx::Mx,
                "The mail exchangers, null MX or the implicit MX.",
            Blocklist = "blocklist": crate::checks::blocklist::entry::Blocklist,
                "DNS blocklists and allow lists: --ip, and the checked, From, MAIL FROM and DKIM domains.",
                { knowledge blocklist: "../checks/blocklist/knowledge.rs" },
        }
    };
}

pub(crate) use registered_checks;

/// Expands the list above into `Check`: one variant per registered check, each
/// documented with its `--only` help, plus `Dns`.
macro_rules! check_enum {
    ($($variant:ident = $name:tt: $entry:path, $help:tt, $({ knowledge $m:ident: $file:literal },)?)*) => {
        /// Which check produced a finding: a DNS check of the registry (`checks::REGISTRY`), or
        /// `dns` for trouble that belongs to no check (a domain left unchecked by an internal
        /// error).
        ///
        /// The variants are the `--only` values, in registry order; they come from the one list
        /// above, which also builds the registry (a test holds the two together).
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            ValueEnum,
        )]
        #[serde(rename_all = "lowercase")]
        pub enum Check {
            #[value(skip)]
            Dns,
            $(#[doc = $help] $variant,)*
        }

        impl Check {
            pub fn as_str(self) -> &'static str {
                match self {
                    Check::Dns => "dns",
                    $(Check::$variant => $name,)*
                }
            }
        }
    };
}

registered_checks!(check_enum);

impl Check {
    /// A check by name, `dns` included (case and surrounding space ignored).
    pub fn parse(s: &str) -> Option<Check> {
        let s = s.trim().to_ascii_lowercase();
        if s == "dns" {
            return Some(Check::Dns);
        }
        <Check as ValueEnum>::from_str(&s, true).ok()
    }

    /// The checks a user can select, in registry order, as `spf, dkim, ...`.
    pub fn names() -> String {
        Check::value_variants()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where, in a zone file given with `--zone`, the record a finding is about was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// A finding: one fact about the sender's DNS that a user should know.
///
/// Built only through [`Finding::new`], which refuses ids that are not kebab-case,
/// so every id a renderer sees is a stable rule id from `rules/findings.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable kebab-case id; has an entry in `rules/findings.toml`.
    pub id: String,
    pub check: Check,
    pub severity: Severity,
    /// The DNS name (or IP) the finding is about, e.g. `_dmarc.example.com`.
    pub subject: String,
    /// One sentence that names the record concerned.
    pub message: String,
    /// Ids of the queries in the query log that justify the finding.
    pub queries: Vec<usize>,
    /// True when DNS trouble (timeout, SERVFAIL) kept the check from concluding.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inconclusive: bool,
    /// True when the only trouble behind it is names `--offline` did not look up (outside
    /// every `--zone`): a gap in this run, reported as info, never a warning or exit 3.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_checked: bool,
    /// Zone-file line of the record concerned, when it came from `--zone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<ZoneLocation>,
}

/// A finding id that is not kebab-case.
#[derive(Debug, thiserror::Error)]
#[error("finding id {0:?} is not kebab-case")]
pub struct BadFindingId(pub String);

pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Finding {
    /// Builds a finding. Panics never; an id that is not kebab-case is a programming
    /// error reported as `Err` so the caller's test catches it.
    pub fn new(
        id: &str,
        check: Check,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<Finding, BadFindingId> {
        if !is_kebab_case(id) {
            return Err(BadFindingId(id.to_string()));
        }
        Ok(Finding {
            id: id.to_string(),
            check,
            severity,
            subject: subject.into(),
            message: message.into(),
            queries: Vec::new(),
            inconclusive: false,
            not_checked: false,
            location: None,
        })
    }

    pub fn with_queries(mut self, queries: impl IntoIterator<Item = usize>) -> Self {
        self.queries.extend(queries);
        self.queries.sort_unstable();
        self.queries.dedup();
        self
    }

    pub fn inconclusive(mut self) -> Self {
        self.inconclusive = true;
        self
    }
}

/// Convenience used by checks: ids are compile-time literals, so a bad one is a bug
/// that the unit tests of the check catch; fall back to a generic id rather than panic.
pub fn finding(
    id: &str,
    check: Check,
    severity: Severity,
    subject: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    let subject = subject.into();
    let message = message.into();
    match Finding::new(id, check, severity, subject.clone(), message.clone()) {
        Ok(f) => f,
        Err(_) => Finding {
            id: "internal-bad-finding-id".to_string(),
            check,
            severity,
            subject,
            message,
            queries: Vec::new(),
            inconclusive: false,
            not_checked: false,
            location: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_ids_are_accepted_and_others_refused() {
        assert!(
            Finding::new(
                "spf-too-many-lookups",
                Check::Spf,
                Severity::Error,
                "x",
                "y"
            )
            .is_ok()
        );
        for bad in ["", "Spf", "spf_x", "-spf", "spf-", "spf--x", "spf x"] {
            assert!(
                Finding::new(bad, Check::Spf, Severity::Error, "x", "y").is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn severities_order_from_info_to_error() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
    }
}
