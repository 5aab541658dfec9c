//! `mailtriage explain`: decode the replies in one or more inputs, offline.

use super::{input, load_rules};
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::error::{Error, Result, exit};
use crate::reply::{self, InputError};
use std::io::Write;
use std::path::Path;

pub fn run(
    args: &ExplainArgs,
    rules_dir: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8> {
    let rules = load_rules(rules_dir)?;
    let one = args.input.first().map(String::as_str);
    if args.input.len() <= 1 && one.is_none_or(|a| !Path::new(a).is_dir()) {
        // One input: its problem is the run's error, as always.
        let input = input::read(one)?;
        let extracted = extract(&input)?;
        let items: Vec<_> = extracted
            .replies
            .iter()
            .map(|r| (r.clone(), rules.decode(r)))
            .collect();
        match args.format {
            ExplainFormat::Human => crate::report::explain::human(out, extracted.form, &items)?,
            ExplainFormat::Json => crate::report::explain::json(out, extracted.form, &items)?,
        }
        return Ok(exit::OK);
    }
    let (inputs, mut failed) = input::read_many(&args.input);
    let mut read = Vec::new();
    for i in &inputs {
        match extract(i) {
            Ok(x) => read.push((i.name.clone(), x)),
            Err(e) => failed.push((i.name.clone(), e.to_string())),
        }
    }
    for (name, why) in &failed {
        let line = if why.starts_with(&format!("{name}: ")) {
            why.clone()
        } else {
            format!("{name}: {why}")
        };
        writeln!(err, "mailtriage: {}", crate::scan::render::term(&line))?;
    }
    if read.is_empty() {
        return Ok(exit::USAGE);
    }
    let decoded: Vec<(String, reply::InputForm, Vec<_>)> = read
        .iter()
        .map(|(name, x)| {
            let items: Vec<_> = x
                .replies
                .iter()
                .map(|r| (r.clone(), rules.decode(r)))
                .collect();
            (name.clone(), x.form, items)
        })
        .collect();
    match args.format {
        ExplainFormat::Human => {
            for (i, (name, form, items)) in decoded.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "==> {} <==", crate::scan::render::term(name))?;
                crate::report::explain::human(out, *form, items)?;
            }
        }
        ExplainFormat::Json => {
            let inputs: Vec<(String, reply::InputForm, usize)> = decoded
                .iter()
                .map(|(n, f, items)| (n.clone(), *f, items.len()))
                .collect();
            let all: Vec<_> = decoded
                .into_iter()
                .flat_map(|(_, _, items)| items)
                .collect();
            crate::report::explain::json_many(out, &inputs, &all)?
        }
    }
    Ok(if failed.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    })
}

/// Extracts replies, turning every input problem into a one-line reason (exit 2).
pub(crate) fn extract(input: &input::Input) -> Result<reply::Extracted> {
    if let Some(size) = input.truncated_from {
        let e = InputError::TooLarge(size as usize, input::MAX_INPUT);
        return Err(Error::Input(format!("{}: {e}", input.name)));
    }
    reply::extract(&input.bytes).map_err(|e| Error::Input(format!("{}: {e}", input.name)))
}
