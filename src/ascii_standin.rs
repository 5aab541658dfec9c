//! ASCII stand-ins for the other characters of a text, chosen by the build (build.rs) for each
//! built-in pattern, so that its automaton for ASCII texts (`ascii_dfa`) also answers for texts
//! that are not ASCII (`standin_text` applies them at run time).
//!
//! A pattern tells characters apart only by the classes and literals it names and, through its
//! word assertions, by whether they are word characters (and through `^`, `$` and `.`, by
//! whether they are `\n` or `\r`). Every character that is not ASCII falls in one of four
//! categories as `regex` reads Unicode: a digit (`\d`), another word character (`\w`), a space
//! (`\s`), or none of these. If for a category there is an ASCII character that lies in exactly
//! the pattern's classes and literals that hold the whole category, and in none of the others,
//! and is a word character exactly when the category's are, then replacing each character of
//! the category by it changes no answer of the pattern. A class that holds only part of a
//! category (a literal `ö`, `(?i)s`, which holds LONG S) makes its members *special*: a text
//! holding one is matched as written.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

/// The categories, in the order of a pattern's stand-ins.
pub(crate) const DIGIT: u8 = 0;
pub(crate) const WORD: u8 = 1;
pub(crate) const SPACE: u8 = 2;
pub(crate) const OTHER: u8 = 3;

/// At most this many ranges of special characters per pattern; a category with more has no
/// stand-in (a Unicode class that cuts through it: texts of that category are matched as written).
const MAX_SPECIALS: usize = 64;

/// What the build writes for a pattern: a stand-in per category (0 where it has none) and the
/// special characters as ranges of code points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chosen {
    pub reps: [u8; 4],
    pub specials: Vec<(u32, u32)>,
}

/// A pattern's stand-ins as the binary reads them (`builtin_dfas::stand_ins`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct StandIns {
    /// By category ([`DIGIT`] ...): the ASCII byte, or 0 where there is none.
    pub reps: [u8; 4],
    /// Characters matched as written, as sorted ranges of code points.
    pub specials: &'static [(u32, u32)],
}

fn parse_class(pattern: &str) -> ClassUnicode {
    match regex_syntax::Parser::new()
        .parse(pattern)
        .map(Hir::into_kind)
    {
        Ok(HirKind::Class(Class::Unicode(c))) => c,
        _ => ClassUnicode::empty(),
    }
}

/// The four categories' characters (none ASCII), as `regex`'s Unicode tables give them.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn category_sets() -> [ClassUnicode; 4] {
    let other_than_ascii = ClassUnicode::new([ClassUnicodeRange::new('\u{80}', '\u{10FFFF}')]);
    let (digit, word, space) = (parse_class(r"\d"), parse_class(r"\w"), parse_class(r"\s"));
    let mut d = digit.clone();
    d.intersect(&other_than_ascii);
    let mut w = word.clone();
    w.difference(&digit);
    w.intersect(&other_than_ascii);
    let mut s = space;
    s.difference(&word);
    s.intersect(&other_than_ascii);
    let mut o = other_than_ascii;
    o.difference(&word);
    o.difference(&s);
    [d, w, s, o]
}

/// The digit, word and space characters that are not ASCII, as sorted ranges with their
/// category (any other character is [`OTHER`]), as `standin_text` looks them up.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn category_ranges() -> Vec<(u32, u32, u8)> {
    let sets = category_sets();
    let mut out: Vec<(u32, u32, u8)> = [DIGIT, WORD, SPACE]
        .iter()
        .flat_map(|&k| {
            sets[k as usize]
                .ranges()
                .iter()
                .map(move |r| (u32::from(r.start()), u32::from(r.end()), k))
        })
        .collect();
    out.sort_unstable();
    out
}

/// What a pattern's characters are told apart by.
#[derive(Default)]
struct Atoms {
    classes: Vec<ClassUnicode>,
    unicode_word: bool,
    ascii_word: bool,
    /// A class of bytes outside ASCII: no stand-ins.
    bytes: bool,
}

fn collect(h: &Hir, atoms: &mut Atoms) {
    match h.kind() {
        HirKind::Empty => {}
        HirKind::Literal(l) => match std::str::from_utf8(&l.0) {
            Ok(s) => {
                for c in s.chars() {
                    atoms
                        .classes
                        .push(ClassUnicode::new([ClassUnicodeRange::new(c, c)]));
                }
            }
            Err(_) => atoms.bytes = true,
        },
        HirKind::Class(Class::Unicode(c)) => atoms.classes.push(c.clone()),
        HirKind::Class(Class::Bytes(c)) => match c.to_unicode_class() {
            Some(c) if c.ranges().last().is_none_or(|r| r.end().is_ascii()) => {
                atoms.classes.push(c);
            }
            _ => atoms.bytes = true,
        },
        HirKind::Look(l) => match l {
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode => atoms.unicode_word = true,
            Look::WordAscii
            | Look::WordAsciiNegate
            | Look::WordStartAscii
            | Look::WordEndAscii
            | Look::WordStartHalfAscii
            | Look::WordEndHalfAscii => atoms.ascii_word = true,
            // Line and text ends: no stand-in is `\n` or `\r`.
            _ => {}
        },
        HirKind::Repetition(r) => collect(&r.sub, atoms),
        HirKind::Capture(c) => collect(&c.sub, atoms),
        HirKind::Concat(hs) | HirKind::Alternation(hs) => {
            for h in hs {
                collect(h, atoms);
            }
        }
    }
}

fn holds(class: &ClassUnicode, b: u8) -> bool {
    let c = char::from(b);
    class
        .ranges()
        .binary_search_by(|r| {
            if r.end() < c {
                std::cmp::Ordering::Less
            } else if r.start() > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The stand-ins of `pattern` (see the module's comment); `None` when it does not parse, names
/// bytes outside ASCII, or no category has one.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn analyze(pattern: &str, sets: &[ClassUnicode; 4]) -> Option<Chosen> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(true)
        .build()
        .parse(pattern)
        .ok()?;
    let mut atoms = Atoms::default();
    collect(&hir, &mut atoms);
    if atoms.bytes {
        return None;
    }
    atoms.classes.sort_by(|a, b| a.ranges().cmp(b.ranges()));
    atoms.classes.dedup();
    let mut reps = [0u8; 4];
    let mut specials = ClassUnicode::empty();
    for (k, set) in sets.iter().enumerate() {
        // Per class: whether it holds the whole category (else the stand-in must be outside it).
        let mut whole = Vec::with_capacity(atoms.classes.len());
        let mut part = ClassUnicode::empty();
        for class in &atoms.classes {
            if class.ranges().last().is_none_or(|r| r.end().is_ascii()) {
                whole.push(false);
                continue;
            }
            let mut common = class.clone();
            common.intersect(set);
            whole.push(common == *set);
            if common != *set {
                part.union(&common);
            }
        }
        if part.ranges().len() > MAX_SPECIALS {
            continue;
        }
        let word = k as u8 == DIGIT || k as u8 == WORD;
        let rep = (1u8..0x80).find(|&b| {
            let ascii_word = b.is_ascii_alphanumeric() || b == b'_';
            b != b'\n'
                && b != b'\r'
                && (!atoms.unicode_word || ascii_word == word)
                && (!atoms.ascii_word || !ascii_word)
                && atoms
                    .classes
                    .iter()
                    .zip(&whole)
                    .all(|(class, &w)| holds(class, b) == w)
        });
        if let Some(rep) = rep {
            reps[k] = rep;
            specials.union(&part);
        }
    }
    if reps == [0; 4] {
        return None;
    }
    Some(Chosen {
        reps,
        specials: specials
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Stand-ins lie in the classes that hold their whole category and keep word characters
    /// word characters; what cuts through a category makes its members special, or leaves the
    /// category without a stand-in.
    #[test]
    fn stand_ins_keep_classes_and_word_boundaries() {
        let sets = category_sets();
        let s = analyze(r"(?i)\bspf\b.{0,9}\d+\s", &sets).unwrap();
        assert!(s.reps[DIGIT as usize].is_ascii_digit(), "{s:?}");
        assert!(
            matches!(s.reps[WORD as usize], b'_' | b'a'..=b'z' | b'A'..=b'Z'),
            "{s:?}"
        );
        assert!(b"\t\x0b\x0c ".contains(&s.reps[SPACE as usize]), "{s:?}");
        assert!(!b"spfSPF".contains(&s.reps[WORD as usize]), "{s:?}");
        // LONG S folds to s.
        assert_eq!(s.specials, vec![(0x17F, 0x17F)]);
        // Letters of other scripts cut through the word characters: they alone are special.
        let s = analyze("宛先|(?i)stra(?:ß|ss)e", &sets).unwrap();
        assert!(s.specials.contains(&(0x5B9B, 0x5B9B)) && s.reps[WORD as usize] != 0);
        // A Unicode class that cuts through a category leaves it without a stand-in.
        let s = analyze(r"\pL+x", &sets).unwrap();
        assert_eq!(s.reps[WORD as usize], 0);
        // ASCII boundaries see other letters as no word characters.
        let s = analyze(r"(?-u:\b)x(?-u:\b)", &sets).unwrap();
        assert!(!s.reps[WORD as usize].is_ascii_alphanumeric());
        assert!(analyze(r"(?i)\buser (", &sets).is_none());
    }
}
