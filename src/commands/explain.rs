//! `mailtriage explain`: decode the replies in an input, offline.

use super::common::load_rules;
use super::input;
use crate::cli::ExplainArgs;
use crate::error::{Error, Result, exit};
use crate::reply::{self, InputError};
use crate::report::{ExplainReport, Report};
use std::io::Write;
use std::path::Path;

pub fn run(args: &ExplainArgs, rules_dir: Option<&Path>, out: &mut dyn Write) -> Result<u8> {
    let rules = load_rules(rules_dir)?;
    let input = input::read(args.input.as_deref())?;
    let extracted = extract(&input)?;
    let items: Vec<_> = extracted
        .replies
        .iter()
        .map(|r| (r.clone(), rules.decode(r)))
        .collect();
    let view = Report::Explain(ExplainReport {
        form: extracted.form,
        kind: extracted.kind,
        replies: &items,
    });
    crate::report::render(out, args.format, &view)?;
    Ok(exit::OK)
}

/// Extracts replies, turning every input problem into a one-line reason (exit 2).
pub(crate) fn extract(input: &input::Input) -> Result<reply::Extracted> {
    if let Some(size) = input.truncated_from {
        let e = InputError::TooLarge(size as usize, input::MAX_INPUT);
        return Err(Error::Input(format!("{}: {e}", input.name)));
    }
    reply::extract(&input.bytes).map_err(|e| Error::Input(format!("{}: {e}", input.name)))
}
