//! An automaton that locates matches (`meta::Regex`: `find`, every match, which patterns match)
//! with one scratch space for every thread, as `match_only` does for `is_match`.
//!
//! `meta::Regex` keeps a scratch space per thread, and with it the lazy DFA's states: each worker
//! of a Maildir scan built the same states for the same mechanism words, cues and host names
//! again. Here the threads share one; a search that finds it in use (another thread in this
//! automaton right now) takes one from the automaton's own pool, as before.

use regex_automata::meta::{Cache, Regex};
use regex_automata::util::iter::Searcher;
use regex_automata::{Input, Match, PatternSet};
use std::sync::Mutex;

#[derive(Debug)]
pub(crate) struct SharedSearch {
    re: Regex,
    /// Made by the first search; a lock poisoned by a panic in a search is not used again.
    /// Boxed: a cache is hundreds of bytes, and every rule pattern holds one of these slots.
    cache: Mutex<Option<Box<Cache>>>,
}

impl Clone for SharedSearch {
    fn clone(&self) -> SharedSearch {
        SharedSearch::new(self.re.clone())
    }
}

impl SharedSearch {
    pub(crate) fn new(re: Regex) -> SharedSearch {
        SharedSearch {
            re,
            cache: Mutex::new(None),
        }
    }

    /// Whether it matches anywhere in `text`, as `Regex::is_match` answers.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let input = Input::new(text);
        match self.cache.try_lock() {
            Ok(mut cache) => {
                let cache = cache.get_or_insert_with(|| Box::new(self.re.create_cache()));
                self.re.is_match_with(cache, &input)
            }
            Err(_) => self.re.is_match(input),
        }
    }

    /// The leftmost-first match, as `Regex::find` gives it.
    pub(crate) fn find(&self, text: &str) -> Option<Match> {
        let input = Input::new(text);
        match self.cache.try_lock() {
            Ok(mut cache) => {
                let cache = cache.get_or_insert_with(|| Box::new(self.re.create_cache()));
                self.re.search_with(cache, &input)
            }
            Err(_) => self.re.search(&input),
        }
    }

    /// Every match in order, as `Regex::find_iter` gives them (the same iteration over the
    /// same searches, empty matches included).
    pub(crate) fn find_all(&self, text: &str) -> Vec<Match> {
        match self.cache.try_lock() {
            Ok(mut cache) => {
                let cache = cache.get_or_insert_with(|| Box::new(self.re.create_cache()));
                let mut it = Searcher::new(Input::new(text));
                let mut out = Vec::new();
                while let Some(m) = it.advance(|input| Ok(self.re.search_with(cache, input))) {
                    out.push(m);
                }
                out
            }
            Err(_) => self.re.find_iter(text).collect(),
        }
    }

    /// Which patterns match anywhere in `text` (for an automaton of `MatchKind::All`).
    pub(crate) fn which_match(&self, text: &str) -> PatternSet {
        let input = Input::new(text);
        let mut set = PatternSet::new(self.re.pattern_len());
        match self.cache.try_lock() {
            Ok(mut cache) => {
                let cache = cache.get_or_insert_with(|| Box::new(self.re.create_cache()));
                self.re
                    .which_overlapping_matches_with(cache, &input, &mut set);
            }
            Err(_) => self.re.which_overlapping_matches(&input, &mut set),
        }
        set
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use regex_automata::MatchKind;
    use regex_automata::meta;

    fn texts() -> Vec<String> {
        (0..300)
            .map(|i| match i % 5 {
                0 => format!("550 5.7.26 SPF fail, DKIM none {i}"),
                1 => format!("dkim=pass spf=softfail; DMARC {i}"),
                2 => format!("宛先 {i} SPFé éDKIM"),
                3 => String::new(),
                _ => format!("no mechanism here {i}"),
            })
            .collect()
    }

    /// Threads searching at once (some with a spare while another holds the shared scratch
    /// space), and a search while it is held, give `meta::Regex`'s own matches, empty matches
    /// and non-ASCII text included.
    #[test]
    fn shared_searches_find_what_the_automaton_finds() {
        let patterns = [r"(?i)\bspf\b", r"(?i)\bdkim\b", "宛先", r"\b"];
        let re = meta::Regex::new_many(&patterns).unwrap();
        let ours = SharedSearch::new(re.clone());
        let texts = texts();
        let check = |ours: &SharedSearch| {
            for t in &texts {
                let theirs: Vec<Match> = re.find_iter(t).collect();
                assert_eq!(ours.find_all(t), theirs, "{t}");
                assert_eq!(ours.find(t), re.find(t.as_str()), "{t}");
                assert_eq!(ours.is_match(t), re.is_match(t.as_str()), "{t}");
            }
        };
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| check(&ours));
            }
        });
        let held = ours.cache.lock().unwrap();
        check(&ours);
        drop(held);
    }

    /// Which patterns match, shared or not, is what `meta::Regex` says.
    #[test]
    fn shared_pattern_sets_are_the_automatons() {
        let patterns = [r"(?i)\bspf\b", r"(?i)spf|dkim", "宛先", r"\d+"];
        let re = meta::Builder::new()
            .configure(meta::Config::new().match_kind(MatchKind::All))
            .build_many(&patterns)
            .unwrap();
        let ours = SharedSearch::new(re.clone());
        let texts = texts();
        let check = |ours: &SharedSearch| {
            for t in &texts {
                let mut theirs = PatternSet::new(re.pattern_len());
                re.which_overlapping_matches(&Input::new(t), &mut theirs);
                assert_eq!(ours.which_match(t), theirs, "{t}");
            }
        };
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| check(&ours));
            }
        });
        let held = ours.cache.lock().unwrap();
        check(&ours);
        drop(held);
    }
}
