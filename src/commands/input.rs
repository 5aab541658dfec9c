//! Reading a command's INPUT: a literal reply, a file path, or standard input, bounded in size.

use crate::error::{Error, Result};
use std::io::Read;
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
            if arg.len() < 4096 && !arg.contains('\n') && path.is_file() {
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
