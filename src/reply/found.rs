//! What a constant extraction pattern (`constant_regex`) found in a text: a match, or a match
//! with its groups, with `regex::Match`'s and `regex::Captures`' methods, whichever engine
//! found them (the build's automata or `regex` itself).

/// A match: where it is in the text it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match<'t> {
    text: &'t str,
    start: usize,
    end: usize,
}

impl<'t> Match<'t> {
    /// `start..end` of `text`, both on character boundaries.
    pub(super) fn new(text: &'t str, start: usize, end: usize) -> Match<'t> {
        Match { text, start, end }
    }

    pub(crate) fn start(&self) -> usize {
        self.start
    }

    pub(crate) fn end(&self) -> usize {
        self.end
    }

    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    pub(crate) fn as_str(&self) -> &'t str {
        &self.text[self.start..self.end]
    }
}

/// A match and its groups (group 0 is the match), as `regex::Captures` gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Captures<'t> {
    text: &'t str,
    groups: Vec<Option<(usize, usize)>>,
}

impl<'t> Captures<'t> {
    /// Groups as spans of `text`; the first is the match.
    pub(super) fn new(text: &'t str, groups: Vec<Option<(usize, usize)>>) -> Captures<'t> {
        Captures { text, groups }
    }

    pub(super) fn from_regex(text: &'t str, c: &regex::Captures<'t>) -> Captures<'t> {
        Captures {
            text,
            groups: c.iter().map(|m| m.map(|m| (m.start(), m.end()))).collect(),
        }
    }

    /// Group `i`, if it took part in the match.
    pub(crate) fn get(&self, i: usize) -> Option<Match<'t>> {
        let (start, end) = (*self.groups.get(i)?)?;
        Some(Match::new(self.text, start, end))
    }

    /// Every group, `None` where one took no part.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Option<Match<'t>>> + '_ {
        (0..self.groups.len()).map(|i| self.get(i))
    }
}

impl std::ops::Index<usize> for Captures<'_> {
    type Output = str;

    /// Group `i`'s text; like `regex::Captures`, panics when the group took no part (callers
    /// index only groups every match holds).
    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(m) => &self.text[m.range()],
            None => panic!("no group at index '{i}'"),
        }
    }
}
