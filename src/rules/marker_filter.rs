//! Which rule patterns can match a reply, found without compiling them: each pattern's required
//! literal is read from its text, so one reply compiles only the few patterns whose literal it
//! holds (`LazyRegex` looks for it before compiling).

/// A substring every match of a pattern contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    text: String,
    /// The pattern is `(?i)...`: `text` is in ASCII lower case, compared with the lowered reply.
    folded: bool,
}

impl Literal {
    /// Whether `text` (ASCII) holds the literal, in any case when the pattern is `(?i)`.
    pub(crate) fn is_in(&self, text: &str) -> bool {
        if !self.folded {
            return text.contains(&self.text);
        }
        let want = self.text.as_bytes();
        text.as_bytes()
            .windows(want.len())
            .any(|w| w.eq_ignore_ascii_case(want))
    }
}

/// The end of the bracketed class that starts at `i` (`p[i] == '['`), past its `]`.
fn skip_class(p: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    if p.get(i) == Some(&b'^') {
        i += 1;
    }
    if p.get(i) == Some(&b']') {
        i += 1;
    }
    while i < p.len() {
        match p[i] {
            b'\\' => i += 2,
            b'[' => i = skip_class(p, i)?,
            b']' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of the group that starts at `i` (`p[i] == '('`), past its `)`.
fn skip_group(p: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < p.len() {
        match p[i] {
            b'\\' => i += 2,
            b'[' => i = skip_class(p, i)?,
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth = depth.checked_sub(1)?;
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The longest run of plain characters (at least 3) that every match of `pattern` contains, or
/// None when that is not certain: a top-level alternation, inline flags other than a leading
/// `(?i)`, escapes it does not know, non-ASCII text. Groups, classes, `.`, anchors, `\b`,
/// `\d`, `\w`, `\s` end a run; a quantified character is taken off it.
pub(crate) fn required_literal(pattern: &str) -> Option<Literal> {
    let (body, folded) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    if body.contains("(?") || !body.is_ascii() {
        return None;
    }
    let p = body.as_bytes();
    let mut runs: Vec<String> = Vec::new();
    let mut cur = String::new();
    // Whether the last atom was a character of `cur` (a quantifier after it makes it optional).
    let mut last_literal = false;
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        match c {
            b'\\' => {
                let e = *p.get(i + 1)?;
                i += 2;
                if e.is_ascii_alphanumeric() {
                    if !b"bBAzdDwWsS".contains(&e) {
                        return None;
                    }
                    runs.push(std::mem::take(&mut cur));
                    last_literal = false;
                } else {
                    cur.push(e as char);
                    last_literal = true;
                }
            }
            b'?' | b'*' | b'{' | b'+' => {
                if c == b'{' {
                    i += body[i..].find('}')? + 1;
                } else {
                    i += 1;
                }
                if matches!(p.get(i), Some(b'?' | b'+')) {
                    i += 1;
                }
                // `x+` still needs one x; `x?`, `x*`, `x{0,n}` may have none.
                if last_literal && c != b'+' {
                    cur.pop();
                }
                runs.push(std::mem::take(&mut cur));
                last_literal = false;
            }
            b'[' => {
                i = skip_class(p, i)?;
                runs.push(std::mem::take(&mut cur));
                last_literal = false;
            }
            b'(' => {
                i = skip_group(p, i)?;
                runs.push(std::mem::take(&mut cur));
                last_literal = false;
            }
            b'.' | b'^' | b'$' => {
                i += 1;
                runs.push(std::mem::take(&mut cur));
                last_literal = false;
            }
            b'|' | b')' => return None,
            _ => {
                cur.push(c as char);
                i += 1;
                last_literal = true;
            }
        }
    }
    runs.push(cur);
    let best = runs.into_iter().max_by_key(String::len)?;
    (best.len() >= 3).then(|| Literal {
        text: if folded {
            best.to_ascii_lowercase()
        } else {
            best
        },
        folded,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn lit(p: &str) -> Option<(String, bool)> {
        required_literal(p).map(|l| (l.text, l.folded))
    }

    #[test]
    fn literals_are_the_required_runs() {
        assert_eq!(
            lit(r"(?i)\bmx\d*\.Free\.fr\b"),
            Some((".free.fr".into(), true))
        );
        assert_eq!(lit("gsmtp"), Some(("gsmtp".into(), false)));
        assert_eq!(lit("abcd?ef"), Some(("abc".into(), false)));
        assert_eq!(lit("abcd+ef"), Some(("abcd".into(), false)));
        assert_eq!(lit(r"(?i)\[(TSS|TS)\d{2}\]"), None);
        assert_eq!(lit("foo|barbaz"), None);
        assert_eq!(lit("abc(?i)defgh"), None);
        assert_eq!(lit(r"x{2,3}yz\p{L}"), None);
        assert_eq!(lit("ab"), None);
    }

    /// Every built-in marker, over every example text of every rule: a marker that matches an
    /// ASCII text always has its literal in it (so skipping the others changes nothing).
    #[test]
    fn a_marker_that_matches_always_holds_its_literal() {
        let rules = RuleSet::load(None).unwrap();
        let mut texts: Vec<String> = Vec::new();
        for l in rules.provider_rules.iter().chain(&rules.phrases) {
            texts.extend(l.rule.examples.iter().cloned());
        }
        for l in &rules.basics {
            texts.extend(l.rule.examples.iter().cloned());
        }
        let mut markers: Vec<&str> = rules
            .providers
            .iter()
            .flat_map(|p| {
                p.rule
                    .markers
                    .iter()
                    .chain(&p.rule.tokens)
                    .chain(&p.rule.wording)
                    .map(String::as_str)
            })
            .collect();
        // The rules' text patterns too: `LazyRegex` looks for their literals the same way.
        markers.extend(
            rules
                .provider_rules
                .iter()
                .chain(&rules.phrases)
                .filter_map(|l| l.rule.pattern.as_deref()),
        );
        // Markers' own literal parts, so every marker is seen matching at least once.
        texts.extend(markers.iter().map(|m| {
            m.trim_start_matches("(?i)")
                .replace(r"\b", " ")
                .replace(r"\d*", "7")
                .replace(r"\d+", "7")
                .replace('\\', "")
        }));
        let compiled: Vec<(&str, regex::Regex, Option<Literal>)> = markers
            .iter()
            .map(|m| (*m, regex::Regex::new(m).unwrap(), required_literal(m)))
            .collect();
        let mut matched = 0;
        for text in texts.iter().filter(|t| t.is_ascii()) {
            for (m, re, literal) in &compiled {
                if re.is_match(text) {
                    matched += 1;
                    if let Some(l) = literal {
                        assert!(l.is_in(text), "{m} on {text}");
                    }
                }
            }
        }
        assert!(matched > markers.len() / 2, "only {matched} matches");
    }
}
