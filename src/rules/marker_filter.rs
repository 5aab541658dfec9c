//! Which rule patterns can match a reply, found without compiling them: each pattern's required
//! literals (one per top-level alternative) are read from its text, so one reply compiles only
//! the few patterns whose literal it holds (`LazyRegex` looks for them before compiling).

/// A substring every match of a pattern contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    /// Borrowed from the binary for a built-in pattern (`builtin_literals`).
    text: std::borrow::Cow<'static, str>,
    /// The pattern is `(?i)...`: `text` is in ASCII lower case, compared with the lowered reply.
    folded: bool,
}

impl Literal {
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Whether the pattern is `(?i)` (`text` is then in ASCII lower case).
    pub(crate) fn folded(&self) -> bool {
        self.folded
    }

    /// Whether `text` (ASCII) holds the literal, in any case when the pattern is `(?i)`.
    pub(crate) fn is_in(&self, text: &str) -> bool {
        if !self.folded {
            return text.contains(&*self.text);
        }
        crate::ascii_fold::contains_ascii_folded(text, &self.text)
    }
}

/// What every match of a pattern holds: for one of its top-level alternatives, every one of
/// its required parts, each a literal run or a required group that holds one of its own
/// alternatives' literals (`\buser (unknown|not found)\b` holds "user " and "unknown" or
/// "not found").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literals(Vec<Conjunction>);

/// Parts that must all be in the text, each as literals one of which must be.
type Conjunction = Vec<Vec<Literal>>;

impl Literals {
    /// Each top-level alternative's required parts, each part the literals one of which it
    /// holds (for an index of many patterns' literals: `fingerprints::LiteralIndex`).
    pub(crate) fn conjunctions(&self) -> &[Vec<Vec<Literal>>] {
        &self.0
    }

    /// Whether `text` (ASCII) may hold a match.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        self.0
            .iter()
            .any(|parts| parts.iter().all(|part| part.iter().any(|l| l.is_in(text))))
    }

    /// What any match of any of the patterns holds.
    pub(crate) fn union(sets: Vec<Literals>) -> Literals {
        Literals(sets.into_iter().flat_map(|s| s.0).collect())
    }

    /// The literals as build.rs wrote them (see [`source_of`]).
    pub(crate) fn from_static(conjunctions: StaticLiterals) -> Literals {
        let literal = |&(text, folded): &(&'static str, bool)| Literal {
            text: std::borrow::Cow::Borrowed(text),
            folded,
        };
        Literals(
            conjunctions
                .iter()
                .map(|parts| {
                    parts
                        .iter()
                        .map(|p| p.iter().map(literal).collect())
                        .collect()
                })
                .collect(),
        )
    }
}

/// [`Literals`] as Rust source writes them: conjunctions of parts of (text, folded) literals.
pub(crate) type StaticLiterals = &'static [&'static [&'static [(&'static str, bool)]]];

/// The Rust expression of `literals` as an `Option<StaticLiterals>`, for build.rs to write the
/// built-in patterns' literals once instead of every run reading them from the patterns.
#[allow(dead_code)] // only build.rs writes them
pub(crate) fn source_of(literals: &Option<Literals>) -> String {
    let Some(Literals(conjunctions)) = literals else {
        return "None".to_string();
    };
    let list = |items: Vec<String>| format!("&[{}]", items.join(", "));
    let conjunctions = conjunctions
        .iter()
        .map(|parts| {
            list(
                parts
                    .iter()
                    .map(|part| {
                        list(
                            part.iter()
                                .map(|l| format!("({:?}, {})", l.text, l.folded))
                                .collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    format!("Some({})", list(conjunctions))
}

/// The top-level alternatives of a pattern body (`a|b(c|d)|e` is `a`, `b(c|d)`, `e`), or None
/// when its groups or classes do not close.
fn alternatives(body: &str) -> Option<Vec<&str>> {
    let p = body.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < p.len() {
        match p[i] {
            b'\\' => i += 2,
            b'[' => i = skip_class(p, i)?,
            b'(' => i = skip_group(p, i)?,
            b')' => return None,
            b'|' => {
                out.push(body.get(start..i)?);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push(body.get(start..)?);
    Some(out)
}

/// What each top-level alternative of `pattern` requires (see [`Literals`]), or None when one
/// alternative requires no literal. An alternative of non-ASCII letters only is its own
/// literal: no ASCII text holds it.
pub(crate) fn required_literals(pattern: &str) -> Option<Literals> {
    let (body, folded) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (rest, true),
        None => (pattern, false),
    };
    let mut out = Vec::new();
    for alt in alternatives(body)? {
        if !ascii_outside_classes(alt) {
            // Letters that fold to ASCII ones (KELVIN SIGN, LONG S) could match ASCII text.
            let plain = alt
                .chars()
                .all(|c| !c.is_ascii() && !matches!(c, '\u{212a}' | '\u{17f}'));
            if !plain {
                return None;
            }
            out.push(vec![vec![Literal {
                text: alt.to_string().into(),
                folded,
            }]]);
            continue;
        }
        out.push(conjunction_of(alt, folded)?);
    }
    Some(Literals(out))
}

/// Whether every character outside bracketed classes is ASCII: a class (`[-–]`) is never part
/// of a literal run, so its characters do not keep the runs around it from being read. (The
/// bytes of a multi-byte character are all >= 0x80, so byte-wise scanning never mistakes them
/// for `[`, `]` or `\\`.)
fn ascii_outside_classes(body: &str) -> bool {
    let p = body.as_bytes();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'\\' => {
                if !p.get(i + 1).is_none_or(u8::is_ascii) {
                    return false;
                }
                i += 2;
            }
            b'[' => match skip_class(p, i) {
                Some(end) => i = end,
                None => return false,
            },
            c if !c.is_ascii() => return false,
            _ => i += 1,
        }
    }
    true
}

/// Whether a pattern body sets flags inside (`(?i)`, `(?-u:`): only `(?:` groups are read.
fn has_inline_flags(body: &str) -> bool {
    body.match_indices("(?")
        .any(|(i, _)| !body[i + 2..].starts_with(':'))
}

fn literal(text: &str, folded: bool) -> Literal {
    Literal {
        text: if folded {
            text.to_ascii_lowercase().into()
        } else {
            text.to_string().into()
        },
        folded,
    }
}

/// The required parts of one alternative (no `|` outside its groups): its literal runs and its
/// required groups whose every alternative requires a literal; None when it has none.
fn conjunction_of(body: &str, folded: bool) -> Option<Conjunction> {
    if has_inline_flags(body) || !ascii_outside_classes(body) {
        return None;
    }
    let (runs, groups) = parts(body)?;
    let mut out: Conjunction = runs
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| vec![literal(r, folded)])
        .collect();
    for (start, end) in groups {
        let inner = body.get(start + 1..end - 1)?;
        let inner = inner.strip_prefix("?:").unwrap_or(inner);
        let choices: Option<Vec<Vec<Literal>>> = alternatives(inner)?
            .into_iter()
            .map(|alt| conjunction_of(alt, folded).map(most_selective))
            .collect();
        if let Some(choices) = choices {
            out.push(choices.into_iter().flatten().collect());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The part of a conjunction whose shortest literal is longest (one part stands for a nested
/// group's alternative).
fn most_selective(parts: Conjunction) -> Vec<Literal> {
    parts
        .into_iter()
        .max_by_key(|p| p.iter().map(|l| l.text.len()).min().unwrap_or(0))
        .unwrap_or_default()
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
#[cfg(test)]
pub(crate) fn required_literal(pattern: &str) -> Option<Literal> {
    match pattern.strip_prefix("(?i)") {
        Some(rest) => literal_of(rest, true),
        None => literal_of(pattern, false),
    }
}

/// [`required_literal`] of a pattern body without its leading `(?i)`.
#[cfg(test)]
fn literal_of(body: &str, folded: bool) -> Option<Literal> {
    if has_inline_flags(body) || !body.is_ascii() {
        return None;
    }
    let best = parts(body)?.0.into_iter().max_by_key(String::len)?;
    (best.len() >= 3).then(|| literal(&best, folded))
}

/// The runs of plain characters of an ASCII body without top-level `|`, and the byte ranges of
/// its groups that must match (not followed by `?`, `*` or a `{` count).
type Parts = (Vec<String>, Vec<(usize, usize)>);

/// Keeps the run in `cur`, if any, and empties it.
fn end_run(runs: &mut Vec<String>, cur: &mut String) {
    if !cur.is_empty() {
        runs.push(cur.clone());
        cur.clear();
    }
}

fn parts(body: &str) -> Option<Parts> {
    let p = body.as_bytes();
    let mut groups = Vec::new();
    let mut runs: Vec<String> = Vec::new();
    // One buffer for every run (each kept run is copied out at its size): this runs for every
    // pattern a reply is matched against.
    let mut cur = String::with_capacity(body.len());
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
                    end_run(&mut runs, &mut cur);
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
                end_run(&mut runs, &mut cur);
                last_literal = false;
            }
            b'[' => {
                i = skip_class(p, i)?;
                end_run(&mut runs, &mut cur);
                last_literal = false;
            }
            b'(' => {
                let end = skip_group(p, i)?;
                if !matches!(p.get(end), Some(b'?' | b'*' | b'{')) {
                    groups.push((i, end));
                }
                i = end;
                end_run(&mut runs, &mut cur);
                last_literal = false;
            }
            b'.' | b'^' | b'$' => {
                i += 1;
                end_run(&mut runs, &mut cur);
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
    end_run(&mut runs, &mut cur);
    Some((runs, groups))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn lit(p: &str) -> Option<(String, bool)> {
        required_literal(p).map(|l| (l.text.into_owned(), l.folded))
    }

    #[test]
    fn a_non_ascii_character_in_a_class_does_not_hide_the_runs_around_it() {
        // Yahoo's reason number after a hyphen or an en dash: "4.16." is still required, so a
        // reply without it never compiles the pattern (its Unicode \s and \d are costly).
        let l = required_literals(r"\s[-–]\s4\.16\.\d{1,3}(\.\d{1,3})?\b").unwrap();
        assert_eq!(l.conjunctions()[0], [vec![literal("4.16.", false)]]);
        assert!(!l.any_in("550 5.1.1 <a@example.org>: Recipient address rejected"));
        assert!(l.any_in("421 Messages from 192.0.2.1 temporarily deferred - 4.16.55.1"));
        // Outside a class a non-ASCII character still makes the runs unreadable byte-wise.
        assert_eq!(required_literals(r"4\.16 – x"), None);
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

    #[test]
    fn each_alternative_needs_its_literals() {
        let may = |p: &str, text: &str| required_literals(p).unwrap().any_in(text);
        let user = r"(?i)\buser unknown\b|\bno such (user|mailbox)\b|ディレクトリ";
        assert!(may(user, "550 User Unknown"));
        assert!(may(user, "550 No such mailbox here"));
        assert!(
            !may(user, "550 no such thing"),
            "the group's words are required too"
        );
        assert!(!may(user, "550 mailbox full"));
        // Required groups stand for alternatives without a run of their own; every required
        // part must be there.
        let lists = r"(?i)\b(spamhaus|sorbs)\b|\b(hourly|daily) (limit|quota)\b";
        assert!(may(lists, "listed by SORBS"));
        assert!(may(lists, "daily limit reached"));
        assert!(!may(lists, "daily report"));
        assert!(!may(lists, "limit reached"));
        // Short runs count: a token in brackets needs its brackets.
        let token = r"\[(TSS|TS|IPTS)\d{2}\]";
        assert!(may(token, "421 4.7.0 [TSS04] Messages"));
        assert!(!may(token, "421 4.7.0 Messages deferred"));
        // One alternative without a literal: any text may match.
        for none in [
            r"(?i)\bspf\b|\d+",
            r"(?i)\b(ab|cd)?\b",
            r"(?i)(?:abc)|\bx(?i)yzw",
            "abc|(?i)defgh",
            "abc(|def",
        ] {
            assert!(required_literals(none).is_none(), "{none}");
        }
        let non_ascii = required_literals(r"(?i)ディレクトリ").unwrap();
        assert!(!non_ascii.any_in("ascii text only"));
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
        let compiled: Vec<(&str, regex::Regex, Option<Literals>)> = markers
            .iter()
            .map(|m| (*m, regex::Regex::new(m).unwrap(), required_literals(m)))
            .collect();
        let mut matched = 0;
        for text in texts.iter().filter(|t| t.is_ascii()) {
            for (m, re, literal) in &compiled {
                if re.is_match(text) {
                    matched += 1;
                    if let Some(l) = literal {
                        assert!(l.any_in(text), "{m} on {text}");
                    }
                }
            }
        }
        assert!(matched > markers.len() / 2, "only {matched} matches");
    }
}
