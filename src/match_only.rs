//! Patterns only ever asked *whether* they match: the forward engines of `regex`'s automaton,
//! without the reverse NFA and reverse lazy DFA that only locate where a match starts.
//!
//! `regex::Regex::is_match` (and `meta::Regex`) runs the forward lazy DFA alone and, where it
//! gives up (a Unicode `\b` beside a non-ASCII byte, or too many states), the bounded
//! backtracker on short texts or the PikeVM. Building it also compiles the pattern a second
//! time in reverse for `find`: a quarter of what compiling a rule pattern costs (callgrind, a
//! Maildir scan), for searches rule patterns never run. [`MatchOnly`] builds the same forward
//! NFA (same syntax, captures and size limits), the same lazy DFA configuration and the same
//! fallbacks, and answers as `regex` does (`the_answers_are_regex_answers`).
//!
//! The lazy DFA's states live in the scratch space, not in the automaton: with one scratch
//! space per thread (`regex`'s pool), each worker of a Maildir scan built the same states for
//! the same patterns again, a fifth of its instructions (callgrind). The threads share one
//! scratch space instead and take a spare only while another thread searches the same pattern.
//!
//! For ASCII texts a built-in pattern is matched by the automaton the build determinized for
//! such texts where there is one (`builtin_dfas`): the binary reads it (`dense::DFA::from_bytes`,
//! which checks every transition) instead of parsing and compiling the pattern and building
//! its lazy DFA's states text by text, the largest costs of a Maildir scan (callgrind).

use regex_automata::dfa::{Automaton, dense};
use regex_automata::hybrid;
use regex_automata::nfa::thompson::{self, backtrack::BoundedBacktracker, pikevm::PikeVM};
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Mutex, OnceLock, TryLockError};

use crate::standin_text::{self, StandIns};

/// `regex`'s defaults: the compiled NFA's size limit and the lazy DFA's cache.
const NFA_SIZE_LIMIT: usize = 10 * (1 << 20);
const DFA_CACHE: usize = 2 * (1 << 20);

type MakeCaches = Box<dyn Fn() -> Caches + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// Scratch space for each engine, made when the engine first runs with it: most texts never
/// reach the backtracker or the PikeVM, whose scratch space is the larger.
#[derive(Debug, Default)]
struct Caches {
    dfa: Option<hybrid::dfa::Cache>,
    backtrack: Option<thompson::backtrack::Cache>,
    pikevm: Option<thompson::pikevm::Cache>,
}

/// A pattern (or several, matching when any does) compiled for `is_match` only.
///
/// A pattern known to compile (built-in, constant) whose ASCII reading is exact is compiled
/// first without Unicode, for ASCII texts, and as written only when a text with other
/// characters comes (see [`ascii_reading_is_exact`]): Unicode classes, `(?i)` folding and
/// Unicode `\b` were most of what compiling a rule pattern cost, and they make lazy DFA states
/// dearer to build, for texts that are nearly always ASCII.
#[derive(Debug)]
pub(crate) struct MatchOnly {
    /// The patterns compiled without Unicode, for ASCII texts. Boxed: every rule pattern holds
    /// a slot for a `MatchOnly`, which loading the rules moves about.
    ascii: Option<Ascii>,
    /// The patterns as `regex` compiles them: at once when there is no ASCII reading, else for
    /// the first text that is not ASCII.
    unicode: OnceLock<Option<Box<Engines>>>,
    /// What `unicode` is compiled from while it is not (empty once it is built at once).
    patterns: Box<[Box<str>]>,
    /// The ASCII stand-ins the build chose for the pattern: with them `ascii` answers for most
    /// texts that are not ASCII too (`standin_text`).
    stand_ins: Option<StandIns>,
}

impl MatchOnly {
    /// Compiles as `regex::Regex::new` does; `None` where it would fail (syntax, size limit).
    pub(crate) fn new(pattern: &str) -> Option<MatchOnly> {
        MatchOnly::new_many(&[pattern])
    }

    /// Any of `patterns`, as `meta::Regex::new_many` compiles them.
    pub(crate) fn new_many<P: AsRef<str>>(patterns: &[P]) -> Option<MatchOnly> {
        MatchOnly::compile(patterns, false)
    }

    /// A pattern that `regex` compiles (built-in: the build and `rules lint` compile every
    /// one; or constant: tests compile it): its ASCII reading, where exact, serves ASCII texts
    /// and the pattern as written is compiled for the first other text. Only for such
    /// patterns, because the written one could exceed the size limit where the ASCII reading
    /// does not, and `regex` then matches nothing.
    pub(crate) fn known(pattern: &str) -> Option<MatchOnly> {
        MatchOnly::known_as(pattern, pattern)
    }

    /// [`MatchOnly::known`] for a pattern that matches what `reading_of`, a built-in pattern,
    /// matches in ASCII text (the same pattern with some `\b` written `(?-u:\b)`): the build's
    /// automaton of `reading_of` for ASCII texts serves it (`ascii_dfa::bytes`), whatever
    /// characters the pattern names.
    pub(crate) fn known_as(pattern: &str, reading_of: &str) -> Option<MatchOnly> {
        if let Some(bytes) = crate::builtin_dfas::get(reading_of)
            && let Ok((dfa, _)) = dense::DFA::from_bytes(bytes)
        {
            return Some(MatchOnly {
                ascii: Some(Ascii::Prebuilt(Box::new(dfa))),
                unicode: OnceLock::new(),
                patterns: Box::new([pattern.into()]),
                stand_ins: crate::builtin_dfas::stand_ins(pattern),
            });
        }
        MatchOnly::compile(&[pattern], true)
    }

    /// A pattern known to compile, compiled as written when it first runs and without an ASCII
    /// reading: for a caller that already matches ASCII texts another way.
    pub(crate) fn known_as_written(pattern: &str) -> MatchOnly {
        MatchOnly {
            ascii: None,
            unicode: OnceLock::new(),
            patterns: Box::new([pattern.into()]),
            stand_ins: None,
        }
    }

    fn compile<P: AsRef<str>>(patterns: &[P], known: bool) -> Option<MatchOnly> {
        if known
            && patterns.iter().all(|p| ascii_reading_is_exact(p.as_ref()))
            && let Some(ascii) = Engines::build(patterns, false)
        {
            return Some(MatchOnly {
                ascii: Some(Ascii::Compiled(ascii)),
                unicode: OnceLock::new(),
                patterns: patterns.iter().map(|p| p.as_ref().into()).collect(),
                stand_ins: match patterns {
                    [p] => crate::builtin_dfas::stand_ins(p.as_ref()),
                    _ => None,
                },
            });
        }
        let unicode = Engines::build(patterns, true)?;
        Some(MatchOnly {
            ascii: None,
            unicode: OnceLock::from(Some(unicode)),
            patterns: Box::default(),
            stand_ins: None,
        })
    }

    /// Whether the pattern matches anywhere in `text`, as `regex::Regex::is_match` answers.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if let Some(ascii) = &self.ascii {
            let found = if text.is_ascii() {
                ascii.is_match(text.as_bytes())
            } else {
                self.stand_ins
                    .as_ref()
                    .and_then(|s| standin_text::with_stand_ins(text, s, |t| ascii.is_match(t)))
            };
            if let Some(found) = found {
                return found;
            }
        }
        // A known pattern compiles; were it over the size limit after all, it matches nothing,
        // as `regex`'s failed compilation would.
        self.unicode
            .get_or_init(|| Engines::build(&self.patterns, true))
            .as_ref()
            .is_some_and(|e| e.is_match(text.as_bytes()))
    }

    /// Whether another pattern, which answers as this one on ASCII texts, matches `text` (not
    /// ASCII), through this one's automaton for ASCII texts and the other's stand-ins; `None`
    /// when they do not serve for the text.
    pub(crate) fn stood_in_match(&self, text: &str, s: &StandIns) -> Option<bool> {
        let ascii = self.ascii.as_ref()?;
        standin_text::with_stand_ins(text, s, |t| ascii.is_match(t))
    }
}

/// What matches a pattern on ASCII texts: the build's automaton, or the pattern's ASCII reading
/// compiled at run time.
#[derive(Debug)]
enum Ascii {
    Prebuilt(Box<dense::DFA<&'static [u32]>>),
    Compiled(Box<Engines>),
}

impl Ascii {
    /// Whether the pattern matches `text`, which is ASCII; `None` if the search failed.
    fn is_match(&self, text: &[u8]) -> Option<bool> {
        match self {
            Ascii::Compiled(engines) => Some(engines.is_match(text)),
            // A dense DFA fails a search only at a quit byte, of which these have none.
            Ascii::Prebuilt(dfa) => dfa
                .try_search_fwd(&Input::new(text).earliest(true))
                .ok()
                .map(|found| found.is_some()),
        }
    }
}

/// Whether a pattern compiled without Unicode (ASCII classes, `\b` and `(?i)` folding; `.` and
/// negated classes over bytes) answers as the pattern as written on every ASCII text: on
/// ASCII text every Unicode class, `\w`, `\s`, `\d`, `\b` and `\B` has exactly its ASCII
/// members, and `(?i)` folds an ASCII letter only to ASCII letters and KELVIN SIGN or LONG S,
/// which such a text does not hold. A pattern that names a character outside ASCII (written,
/// or by `\x`, `\u`, `\U`) could fold it to an ASCII one (`(?i)\x{17F}` matches `s`), and
/// Unicode properties (`\p`, `\P`) have no ASCII reading: those patterns have none.
pub(crate) fn ascii_reading_is_exact(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    if !pattern.is_ascii() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if matches!(b.get(i + 1), Some(b'x' | b'u' | b'U' | b'p' | b'P')) {
                return false;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    true
}

/// The engines `regex::Regex::is_match` runs, compiled as it compiles them (or without Unicode),
/// with the scratch space the threads share.
#[derive(Debug)]
struct Engines {
    dfa: Option<hybrid::dfa::DFA>,
    backtrack: Option<BoundedBacktracker>,
    pikevm: PikeVM,
    /// What searches use, whichever thread runs them, so states built once serve every thread.
    /// Boxed: the caches are large.
    shared: Mutex<Box<Caches>>,
    /// For a search that finds `shared` in use (another thread in this pattern right now).
    spare: Pool<Caches, MakeCaches>,
}

impl Engines {
    /// As `meta::Regex::new_many` compiles `patterns` (`unicode`), or without Unicode and
    /// allowing matches of any byte (which an ASCII text never holds but `.` may stand for).
    fn build<P: AsRef<str>>(patterns: &[P], unicode: bool) -> Option<Box<Engines>> {
        let nfa = thompson::Compiler::new()
            .syntax(syntax::Config::new().unicode(unicode).utf8(unicode))
            .configure(
                thompson::Config::new()
                    .utf8(unicode)
                    .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                    .shrink(false),
            )
            .build_many(patterns)
            .ok()?;
        // The lazy DFA as `regex` configures it (less the prefilter it is built without). It
        // fails to build only when its cache cannot hold a few states; the others then answer.
        let dfa = hybrid::dfa::Builder::new()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .starts_for_each_pattern(true)
                    .byte_classes(true)
                    .unicode_word_boundary(true)
                    .specialize_start_states(false)
                    .cache_capacity(DFA_CACHE)
                    .skip_cache_capacity_check(false)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .ok();
        let backtrack = BoundedBacktracker::new_from_nfa(nfa.clone()).ok();
        let pikevm = PikeVM::new_from_nfa(nfa).ok()?;
        let make: MakeCaches = Box::new(Caches::default);
        Some(Box::new(Engines {
            dfa,
            backtrack,
            pikevm,
            shared: Mutex::new(Box::default()),
            spare: Pool::new(make),
        }))
    }

    fn is_match(&self, text: &[u8]) -> bool {
        // A lock poisoned by a panic in a search may hold a half-updated cache: not used again.
        match self.shared.try_lock() {
            Ok(mut caches) => self.search(&mut caches, text),
            Err(TryLockError::WouldBlock | TryLockError::Poisoned(_)) => {
                self.search(&mut self.spare.get(), text)
            }
        }
    }

    fn search(&self, caches: &mut Caches, text: &[u8]) -> bool {
        let input = Input::new(text).earliest(true);
        if let Some(dfa) = &self.dfa {
            let cache = caches.dfa.get_or_insert_with(|| dfa.create_cache());
            if let Ok(found) = dfa.try_search_fwd(cache, &input) {
                return found.is_some();
            }
        }
        // `regex` hands the backtracker short texts only: it cannot stop at the first match.
        if let Some(bt) = &self.backtrack
            && text.len() <= 128
            && text.len() < bt.max_haystack_len()
        {
            let cache = caches.backtrack.get_or_insert_with(|| bt.create_cache());
            if let Ok(found) = bt.try_is_match(cache, input.clone()) {
                return found;
            }
        }
        let cache = caches
            .pikevm
            .get_or_insert_with(|| self.pikevm.create_cache());
        self.pikevm.is_match(cache, input)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every answer is `regex`'s, on texts that send each engine its share: ASCII (the lazy
    /// DFA), Unicode `\b` beside non-ASCII text short and long (backtracker, PikeVM), KELVIN
    /// SIGN and LONG S, empty patterns and texts, and a pattern over the size limit.
    #[test]
    fn the_answers_are_regex_answers() {
        let patterns = [
            r"(?i)\buser (?:unknown|not found)\b",
            r"(?i)mailbox (?:is )?full|over ?quota",
            r"(?i)\bspamhaus\b|\bsbl\b",
            r"宛先|ユーザ(?:ー)?が(?:存在しません|見つかりません)",
            r"(?i)k\w+n sign",
            r"^5\.7\.\d+$",
            r"(?m)^\s*said:\s*$",
            r"\B",
            r"",
            r"(a)(b)?\1",
            r"(?i)\w{1000}\s{1000}\w{1000}",
        ];
        let long = "日本語のテキスト user unknown ".repeat(20);
        let texts = [
            "550 5.1.1 User Unknown in virtual table",
            "user not founder",
            "552 Mailbox is FULL; over quota",
            "554 listed at SBL, see spamhaus.org",
            "宛先のユーザーが存在しません",
            "\u{212A}elvin sign, ſpamhaus",
            "5.7.26",
            "",
            "é",
            "naïve user unknown",
            "éuser unknown",
            "x\n  said:\n",
            long.as_str(),
        ];
        for p in patterns {
            let ours = MatchOnly::new(p);
            let theirs = regex::Regex::new(p);
            assert_eq!(ours.is_some(), theirs.is_ok(), "{p}");
            let (Some(ours), Ok(theirs)) = (ours, theirs) else {
                continue;
            };
            for t in texts {
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p} on {t}");
            }
        }
    }

    /// The shared scratch space changes no answer: threads searching one pattern at once (some
    /// of them with a spare while another holds it) and a search while it is held all answer
    /// as `regex`.
    #[test]
    fn threads_sharing_the_states_answer_as_regex() {
        let p = r"(?i)\b(?:user|mailbox) (?:unknown|not found|unavailable)\b|宛先";
        let ours = MatchOnly::new(p).unwrap();
        let theirs = regex::Regex::new(p).unwrap();
        let texts: Vec<String> = (0..400)
            .map(|i| match i % 4 {
                0 => format!("550 5.1.1 <u{i}@example.org>: User unknown"),
                1 => format!("452 mailbox {i} full"),
                2 => format!("宛先 {i} Mailbox NOT FOUND"),
                _ => format!("naïve user unknownx {i}"),
            })
            .collect();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for t in &texts {
                        assert_eq!(ours.is_match(t), theirs.is_match(t), "{t}");
                    }
                });
            }
        });
        let unicode = ours.unicode.get().unwrap().as_ref().unwrap();
        let held = unicode.shared.lock().unwrap();
        for t in &texts {
            assert_eq!(ours.is_match(t), theirs.is_match(t), "{t}");
        }
        drop(held);
    }

    /// Several patterns answer as one `regex` alternation of them does.
    #[test]
    fn many_patterns_match_where_any_does() {
        let patterns = [r"(?i)\bspf\b", r"(?i)\bdkim\b", "宛先"];
        let ours = MatchOnly::new_many(&patterns).unwrap();
        let theirs = regex::RegexSet::new(patterns).unwrap();
        for t in ["SPF fail", "dkim=pass", "宛先", "spfé", "éspf", "none", ""] {
            assert_eq!(ours.is_match(t), theirs.is_match(t), "{t}");
        }
    }

    /// Every built-in pattern compiled for `is_match` (its ASCII reading where it has one, see
    /// `ascii_reading_is_exact`) answers as `regex` on every rule example, as written,
    /// upper-cased and after Japanese text (the lazy DFA's quit on Unicode `\b`), with other
    /// characters in it (its stand-ins, `standin_text::other_character_variants`), and on every
    /// distinct line of text of the sisimai messages (ASCII or not).
    #[test]
    fn every_builtin_pattern_answers_as_regex() {
        let rules = crate::rules::RuleSet::load(None).unwrap();
        let mut texts = crate::rules::embedded::example_variants();
        assert!(texts.len() > 900, "{}", texts.len());
        texts.extend(crate::standin_text::other_character_variants(&texts));
        texts.extend(corpus_lines());
        let mut patterns = 0;
        let mut read_in_ascii = 0;
        let mut prebuilt = 0;
        let mut matched = 0;
        let mut stood_in = 0;
        for (_, _, id, lazy) in rules.lazy_patterns() {
            let p = lazy.pattern();
            let theirs = regex::Regex::new(p).unwrap();
            let ours = MatchOnly::known(p).unwrap();
            patterns += 1;
            read_in_ascii += usize::from(ours.ascii.is_some());
            prebuilt += usize::from(matches!(ours.ascii, Some(Ascii::Prebuilt(_))));
            stood_in += usize::from(ours.stand_ins.is_some());
            for t in &texts {
                let want = theirs.is_match(t);
                assert_eq!(ours.is_match(t), want, "{id}: {p} on {t}");
                matched += usize::from(want);
            }
        }
        assert!(
            patterns > 400 && read_in_ascii > 380 && prebuilt > 300 && matched > 3_000,
            "{patterns} {read_in_ascii} {prebuilt} {matched}"
        );
        // Most have stand-ins, and answer for other texts without being compiled.
        assert!(stood_in > 350, "{stood_in}");
    }

    /// Every eighth distinct line of text of the sisimai messages (not base64, not too long),
    /// and every one that is not ASCII: bounce prose, headers and replies in many languages.
    fn corpus_lines() -> Vec<String> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/sisimai/maildir"
        );
        let mut lines = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for line in text.lines() {
                if line.len() <= 300 && line.contains(' ') {
                    lines.insert(line.to_string());
                }
            }
        }
        let sample: Vec<String> = lines
            .into_iter()
            .enumerate()
            .filter(|(i, l)| i % 8 == 0 || !l.is_ascii())
            .map(|(_, l)| l)
            .collect();
        assert!(sample.len() > 2000, "{}", sample.len());
        sample
    }

    /// A pattern's ASCII reading answers as the pattern as written on ASCII and other text:
    /// Unicode classes, `(?i)` (KELVIN SIGN, LONG S), `\b` and `\B` beside non-ASCII letters,
    /// `.` and negated classes; patterns that name characters outside ASCII have no ASCII
    /// reading and are compiled as written.
    #[test]
    fn ascii_readings_answer_as_regex() {
        let read = [
            r"(?i)\buser (?:unknown|not found)\b",
            r"(?i)k\w+n sign",
            r"(?i)\bs\S*m\b",
            r"\W+x\s\d",
            r"(?i)[^k]is",
            r"a.{0,20}b",
            r"(?s)a.b",
            r"\Bser\b",
            r"(?m)^\s*said:\s*$",
            r"[[:alpha:]]+[[:^alpha:]]",
            r"(?i)(?-u:\b)spf(?-u:\b)",
            r"",
        ];
        let written = [
            r"(?i)straße",
            r"(?i)\x{17F}pf",
            r"\pL+",
            r"(?i)\u212Aelvin",
            "宛先",
        ];
        let texts = [
            "550 5.1.1 User Unknown in virtual table",
            "\u{212A}elvin sign, \u{17F}pamhaus",
            "Kelvin sign and spam",
            "SPAM",
            "ſpam",
            "éuser unknown",
            "naïve user unknowné",
            "x\n  said:\n",
            "a\nb a\u{e9}b",
            "aé  b",
            "ab \t9 x 9",
            "@@ x 1",
            "kis Kis \u{212A}is his",
            "user\u{e9}ser",
            "STRASSE strasse straße",
            "spf pf ſpf",
            "日本語 pf",
            "",
        ];
        for p in read.iter().chain(&written) {
            let ours = MatchOnly::known(p).unwrap();
            assert_eq!(ours.ascii.is_some(), read.contains(p), "{p}");
            let theirs = regex::Regex::new(p).unwrap();
            for t in texts {
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p} on {t}");
            }
        }
    }

    /// The pattern as written is compiled only for a text that is not ASCII; a pattern not known
    /// to compile is compiled as written at once, and fails where `regex` fails.
    #[test]
    fn the_written_pattern_waits_for_a_text_that_is_not_ascii() {
        let ours = MatchOnly::known(r"(?i)\bmailbox full\b").unwrap();
        assert!(ours.is_match("452 Mailbox FULL"));
        assert!(ours.unicode.get().is_none());
        assert!(ours.is_match("452 mailbox full, 受信箱"));
        assert!(ours.unicode.get().is_some_and(Option::is_some));
        let huge = r"(?i)\w{1000}\s{1000}\w{1000}";
        assert!(MatchOnly::new(huge).is_none() && regex::Regex::new(huge).is_err());
        let unknown = MatchOnly::new(r"(?i)\bmailbox full\b").unwrap();
        assert!(unknown.ascii.is_none() && unknown.unicode.get().is_some());
    }
}
