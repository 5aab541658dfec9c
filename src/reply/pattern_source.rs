//! The constant patterns that decoding compiles with `re(...)` (`code::re`, and `words.rs`' own),
//! read from the source files that hold them, so that the build determinizes their automata for
//! ASCII texts beside the rules' (build.rs, `ascii_dfa`) while each pattern stays where it is
//! used.

use std::path::Path;

/// The directory whose `.rs` files hold the patterns, and the other files that do, from the
/// crate's root.
pub(crate) const DIR: &str = "src/reply";
pub(crate) const FILES: &[&str] = &["src/rules/words.rs"];

/// The patterns of every file of [`DIR`] and [`FILES`] under `root`, in file order; a file that
/// cannot be read gives none (its patterns are then compiled as before, only slower).
pub(crate) fn read(root: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(root.join(DIR))
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rs"))
                // This file's examples are no patterns of decoding.
                .filter(|p| !p.ends_with("pattern_source.rs"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.extend(FILES.iter().map(|f| root.join(f)));
    files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|text| in_source(&text))
        .collect()
}

/// Every string literal handed straight to a function named `re` in `source`: `re(r"...")`,
/// `re(r#"..."#)`, or `re("...")` when its only escapes are `\\` and `\"`. Anything else after
/// `re(` (a name, `concat!`) is not read.
pub(crate) fn in_source(source: &str) -> Vec<String> {
    let b = source.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = source[from..].find("re(").map(|i| i + from) {
        from = i + 3;
        // `are(`, `pre(`, and `"re("` in a string, are no calls of `re`.
        let before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'_' | b'"'));
        if before {
            continue;
        }
        if let Some(p) = literal(source[from..].trim_start()) {
            out.push(p);
        }
    }
    out
}

/// The string literal `s` starts with, if it is one that [`in_source`] reads.
fn literal(s: &str) -> Option<String> {
    if let Some(raw) = s.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let close = format!("\"{}", "#".repeat(hashes));
        return body.find(&close).map(|end| body[..end].to_string());
    }
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                e @ ('\\' | '"') => out.push(e),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_after_re_are_read_and_nothing_else() {
        let src = r####"
static A: X = LazyLock::new(|| re(r"(?i)^\s*from\s+(\S+)"));
static B: X = LazyLock::new(|| {
    super::code::re(
        r#"a"b"#,
    )
});
fn re(pattern: &str) -> Regex { Regex::new(pattern) }
let c = re("x\\y\"z"); let d = re("tab\t"); let e = are(r"no"); let f = re(NAME);
"####;
        assert_eq!(
            in_source(src),
            [r"(?i)^\s*from\s+(\S+)", r#"a"b"#, r#"x\y"z"#]
        );
    }

    #[test]
    fn the_crates_patterns_are_found() {
        let found = read(Path::new(env!("CARGO_MANIFEST_DIR")));
        assert!(found.len() > 50, "{}", found.len());
        assert!(found.iter().any(|p| p == r"(?i)^\s*from\s+([^\s(\[;]+)"));
        assert!(found.iter().any(|p| p == r"<[^<>\n]{1,100}>"));
    }
}
