//! The SPF check's table, `[[spf]]` of rules/spf-reply-domains.toml: how receivers name, in a
//! refusal, the domain their SPF check was for (Gmail's `SPF [bounce.example.com] with ip:`,
//! RFC 7208's "domain of ... does not designate"). Mounted into the rules loader by the
//! check's registry line (`rules::check_tables`), so the build compiles and checks each
//! pattern with the other tables; `diagnose` reads it through `checks::spf::reply_domain`.

use super::super::located::Located;
use super::{CheckRow, RowDoc, Validation};
use serde::{Deserialize, Serialize};

/// The built-in table's file, embedded.
pub const FILE: (&str, &str) = (
    "rules/spf-reply-domains.toml",
    include_str!("../../../rules/spf-reply-domains.toml"),
);

/// One row of the table.
pub type Row = ReplyDomainRule;

/// `[[spf]]`: one way a receiver writes the domain its SPF check was for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyDomainRule {
    pub id: String,
    /// Who writes it: a provider id, or a description of the receivers that do.
    pub writer: String,
    /// A regular expression whose group `domain` is the checked domain (an address's domain
    /// is taken when the group holds an address).
    pub pattern: String,
    /// Reply texts that carry it, as the receiver writes them: each must match.
    pub examples: Vec<String>,
    pub source: String,
}

/// Stage two: each pattern compiles, has its `domain` group, and finds a domain name in each
/// of its examples.
pub fn validate(rows: &[Located<Row>], v: &mut dyn Validation) {
    for l in rows {
        let (r, file, line) = (&l.rule, l.file.as_str(), l.line);
        v.common(file, line, &r.id, &r.source);
        let re = match regex::Regex::new(&r.pattern) {
            Ok(re) => re,
            Err(e) => {
                v.err(file, line, format!("spf `{}`: pattern does not compile: {e}", r.id));
                continue;
            }
        };
        if !re.capture_names().any(|n| n == Some("domain")) {
            v.err(file, line, format!("spf `{}`: pattern has no group named `domain`", r.id));
            continue;
        }
        if r.examples.is_empty() {
            v.err(file, line, format!("spf `{}`: give at least one example reply", r.id));
        }
        for ex in &r.examples {
            let found = re
                .captures(ex)
                .and_then(|c| c.name("domain"))
                .map(|m| m.as_str().rsplit('@').next().unwrap_or_default().to_string());
            if !found.as_deref().is_some_and(|d| d.contains('.')) {
                v.err(file, line, format!(
                    "spf `{}`: example `{ex}` yields no domain name from the pattern",
                    r.id
                ));
            }
        }
    }
}

impl CheckRow for ReplyDomainRule {
    fn row_id(&self) -> &str {
        &self.id
    }

    fn doc(&self) -> RowDoc {
        RowDoc {
            title: format!("The SPF domain as {} names it", self.writer),
            summary: format!("Pattern: `{}`", self.pattern),
            why: "The domain a receiver's SPF check was for is the MAIL FROM domain (RFC 7208 section 2.4): without --mail-from, diagnose checks it as the return path.".into(),
            what_to_do: self
                .examples
                .first()
                .map(|e| format!("Example: {e}"))
                .unwrap_or_default(),
            references: vec![self.source.clone()],
        }
    }
}
