//! `scan --suppressions`: the suppression list as CSV, ready to import into an ESP: fields quoted as RFC 4180 says,
//! and a value that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
//! prefixed with `'` so it stays text.

use crate::scan::outcome::Outcome;
use crate::scan::summary::Summary;
use crate::scan::time::{self, rfc3339};
use std::io::{self, Write};

pub const HEADER: &str = "address,scope,reason,code,provider,first_seen,last_seen,failures";

/// One CSV field: the one escaper's CSV form (`report::escape::csv`).
pub fn field(s: &str) -> String {
    super::escape::csv(s)
}

pub fn write(out: &mut dyn Write, sum: &Summary, outcomes: &[Outcome]) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for r in sum.suppressions() {
        let o = r.outcome.map(|o| &outcomes[o as usize]);
        let when = |ts| {
            if ts == time::UNKNOWN {
                String::new()
            } else {
                rfc3339(ts)
            }
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            field(r.address),
            r.scope,
            field(r.reason),
            field(&o.map(Outcome::code).unwrap_or_default()),
            field(o.and_then(|o| o.provider.as_deref()).unwrap_or("")),
            when(r.first_seen),
            when(r.last_seen),
            r.failures
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(field("ann@example.com"), "ann@example.com");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            field("=HYPERLINK(\"x\")@e.com"),
            "\"'=HYPERLINK(\"\"x\"\")@e.com\""
        );
        assert_eq!(field("+1@e.com"), "'+1@e.com");
        assert_eq!(field("-x@e.com"), "'-x@e.com");
        assert_eq!(field("@e.com"), "'@e.com");
    }
}
