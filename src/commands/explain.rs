//! `mailtriage explain`: decode the replies in one or more inputs, offline.

use super::common::load_rules_for;
use super::input;
use crate::cli::ExplainArgs;
use crate::error::{Error, Result, exit};
use crate::reply::{self, InputError};
use crate::report::{ExplainInput, ExplainReport, Report};
use std::io::Write;
use std::path::Path;

pub fn run(
    args: &ExplainArgs,
    rules_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    // Decoding reads none of the plan's, escalation's or the checks' tables, nor examples.
    let rules = load_rules_for(rules_dir, crate::rules::Tables::Reply)?;
    let one = args.input.first().map(String::as_str);
    if args.input.len() <= 1 && one.is_none_or(|a| !Path::new(a).is_dir()) {
        // One input: its problem is the run's error, as always.
        let input = input::read(one)?;
        let extracted = extract(&input, &|b| rules.api_refusal(b))?;
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
        // The process ends right after: freeing the rule set's many small allocations one by
        // one would cost a tenth of a one-reply run (scripts/startup.sh), for nothing.
        std::mem::forget(items);
        std::mem::forget(rules);
        return Ok(exit::OK);
    }
    let (inputs, mut failed) = input::read_many(&args.input);
    let mut read = Vec::new();
    for i in &inputs {
        match extract(i, &|b| rules.api_refusal(b)) {
            Ok(x) => read.push((i.name.clone(), x)),
            Err(e) => failed.push((i.name.clone(), e.to_string())),
        }
    }
    input::report_unreadable(err, &failed)?;
    if read.is_empty() {
        return Ok(exit::USAGE);
    }
    let decoded: Vec<(String, reply::InputForm, Option<reply::MessageKind>, Vec<_>)> = read
        .iter()
        .map(|(name, x)| {
            let items: Vec<_> = x
                .replies
                .iter()
                .map(|r| (r.clone(), rules.decode(r)))
                .collect();
            (name.clone(), x.form, x.kind, items)
        })
        .collect();
    let inputs: Vec<ExplainInput<'_>> = decoded
        .iter()
        .map(|(name, form, kind, items)| ExplainInput {
            name,
            form: *form,
            kind: *kind,
            replies: items,
        })
        .collect();
    crate::report::render(out, args.format, &Report::ExplainMany(&inputs))?;
    Ok(if failed.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    })
}

/// Extracts replies, turning every input problem into a one-line reason (exit 2). An input
/// with no reply code is offered to `api_refusal` (a sending service's API refusal, which the
/// rules read: `RuleSet::api_refusal`) before it is refused.
pub(crate) fn extract(
    input: &input::Input,
    api_refusal: &dyn Fn(&[u8]) -> Option<reply::Extracted>,
) -> Result<reply::Extracted> {
    if let Some(size) = input.truncated_from {
        let e = InputError::TooLarge(size as usize, input::MAX_INPUT);
        return Err(Error::Input(format!("{}: {e}", input.name)));
    }
    match reply::extract(&input.bytes) {
        Err(InputError::NoReply) => api_refusal(&input.bytes).ok_or(InputError::NoReply),
        other => other,
    }
    .map_err(|e| Error::Input(format!("{}: {e}", input.name)))
}
