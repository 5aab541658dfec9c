//! Reading a command's INPUT: a literal reply, file paths, directories, or standard input, bounded in size.

use crate::error::{Error, Result};
use std::io::{self, Read, Write};
use std::path::Path;

/// Inputs above this size are refused (the reply extractor says why).
pub const MAX_INPUT: usize = 10 * 1024 * 1024;

/// The input as received and a name for it ("stdin", the path, or "argument").
pub struct Input {
    pub bytes: Vec<u8>,
    pub name: String,
    /// Size of the input when it was larger than what was read.
    pub truncated_from: Option<u64>,
}

/// `None` or `-` reads stdin; an existing file is read; anything else is the reply itself.
pub fn read(arg: Option<&str>) -> Result<Input> {
    match arg {
        None | Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(MAX_INPUT as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::Input(format!("cannot read standard input: {e}")))?;
            Ok(Input {
                bytes,
                name: "stdin".into(),
                truncated_from: None,
            })
        }
        Some(arg) => {
            let path = Path::new(arg);
            // A reply pasted as an argument is never a file name; only look at the
            // filesystem when the argument could plausibly be one.
            let meta = (arg.len() < 4096 && !arg.contains('\n'))
                .then(|| std::fs::metadata(path).ok())
                .flatten();
            if meta.as_ref().is_some_and(crate::scan::source::readable) {
                let file = std::fs::File::open(path)
                    .map_err(|e| Error::Input(format!("cannot read {arg}: {e}")))?;
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                let mut bytes = Vec::new();
                file.take(MAX_INPUT as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::Input(format!("cannot read {arg}: {e}")))?;
                Ok(Input {
                    bytes,
                    name: arg.to_string(),
                    truncated_from: (size > MAX_INPUT as u64).then_some(size),
                })
            } else if path.is_dir() {
                Err(Error::Input(format!(
                    "{arg} is a directory, not a reply or a file"
                )))
            } else if meta.is_some() {
                // It exists, but reading it would never end or mean nothing (`/dev/zero`).
                Err(Error::Input(format!("{arg}: not a regular file or a pipe")))
            } else if names_a_file(arg) {
                // A mistyped path would otherwise be decoded as a reply and fail with
                // "no SMTP reply code", which hides the real mistake.
                Err(Error::Input(format!("{arg}: no such file or directory")))
            } else {
                Ok(Input {
                    bytes: arg.as_bytes().to_vec(),
                    name: "argument".into(),
                    truncated_from: None,
                })
            }
        }
    }
}

/// Whether a single argument that is not an existing file can only have been meant as a path:
/// one word (a reply has spaces) with a directory separator or a mail or log file's extension.
fn names_a_file(arg: &str) -> bool {
    const EXTENSIONS: [&str; 9] = [
        ".eml", ".txt", ".log", ".msg", ".mbox", ".json", ".jsonl", ".csv", ".gz",
    ];
    if arg.is_empty() || arg.chars().any(char::is_whitespace) {
        return false;
    }
    let lower = arg.to_ascii_lowercase();
    arg.contains('/') || arg.contains('\\') || EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Reads every input of a command that takes several: `-` or none is stdin; a directory stands
/// for every file under it (walked in name order, hidden files left out); with one argument
/// that is neither, the argument is the reply itself. Returns the inputs read and, for each
/// one that could not be, its name and why.
pub fn read_many(args: &[String]) -> (Vec<Input>, Vec<(String, String)>) {
    if args.len() <= 1 {
        let one = args.first().map(String::as_str);
        if one.is_none_or(|a| !Path::new(a).is_dir()) {
            return match read(one) {
                Ok(i) => (vec![i], Vec::new()),
                Err(e) => (
                    Vec::new(),
                    vec![(one.unwrap_or("stdin").to_string(), e.to_string())],
                ),
            };
        }
    }
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        let before = inputs.len() + errors.len();
        read_arg(arg, &mut inputs, &mut errors);
        // A directory with nothing to read is said so: it used to end the run with exit 2
        // and nothing on stderr, or be passed over beside other inputs.
        if inputs.len() + errors.len() == before {
            errors.push((
                arg.clone(),
                "a directory with no files to read (hidden files are left out)".into(),
            ));
        }
    }
    (inputs, errors)
}

/// Reads what one argument of [`read_many`] stands for into `inputs`, or `errors`.
fn read_arg(arg: &str, inputs: &mut Vec<Input>, errors: &mut Vec<(String, String)>) {
    for item in crate::scan::source::expand(&[std::path::PathBuf::from(arg)]) {
        use crate::scan::source::Item;
        match item {
            Item::Stdin => match read(None) {
                Ok(i) => inputs.push(i),
                Err(e) => errors.push(("stdin".into(), e.to_string())),
            },
            Item::File(p) => match read_file(&p) {
                Ok(i) => inputs.push(i),
                Err(e) => errors.push((p.display().to_string(), e)),
            },
            Item::Maildir(_, messages) => {
                for p in messages {
                    match read_file(&p) {
                        Ok(i) => inputs.push(i),
                        Err(e) => errors.push((p.display().to_string(), e)),
                    }
                }
            }
            Item::Unusable(name, why) => errors.push((name, why)),
        }
    }
}

fn read_file(path: &Path) -> std::result::Result<Input, String> {
    let file = std::fs::File::open(path).map_err(|e| crate::scan::source::reason(&e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    file.take(MAX_INPUT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::scan::source::reason(&e))?;
    Ok(Input {
        bytes,
        name: path.display().to_string(),
        truncated_from: (size > MAX_INPUT as u64).then_some(size),
    })
}

/// One line on standard error per input that could not be read, naming it once (the reason
/// may already start with the name); the name and the reason are escaped for a terminal.
pub fn report_unreadable(err: &mut dyn Write, failed: &[(String, String)]) -> io::Result<()> {
    for (name, why) in failed {
        let line = if why.starts_with(&format!("{name}: ")) {
            why.clone()
        } else {
            format!("{name}: {why}")
        };
        writeln!(
            err,
            "mailtriage: {}",
            crate::report::escape::terminal(&line)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_an_error_naming_it_not_a_reply() {
        for arg in [
            "bounces/missing.eml",
            "missing.eml",
            "C:\\mail\\x",
            "day.LOG.gz",
        ] {
            let err = read(Some(arg)).err().expect(arg).to_string();
            assert!(err.contains(&format!("{arg}: no such file")), "{err}");
        }
    }

    #[test]
    fn replies_given_as_arguments_are_still_replies() {
        for arg in [
            "550",
            "550 5.1.1 user unknown",
            "5.7.1",
            "421-4.7.0 see https://x.example/a b",
        ] {
            let input = read(Some(arg)).unwrap();
            assert_eq!(input.name, "argument");
            assert_eq!(input.bytes, arg.as_bytes());
        }
    }
}
