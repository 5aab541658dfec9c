//! Where a constant extraction pattern's matches are in an ASCII text, and their groups, without
//! compiling the pattern as written: the build's forward automaton finds where a match ends,
//! its reverse automaton where it starts (as `regex_automata::dfa::regex` does), and only for
//! groups is the pattern's ASCII reading compiled, to an NFA run anchored on that span. Compiling
//! each pattern as `regex::Regex` (both NFAs, literal prefilters, a one-pass DFA) was about 60 M
//! instructions of a Maildir scan (callgrind).

use crate::ascii_dfa;
use regex_automata::dfa::{Automaton, dense};
use regex_automata::nfa::thompson::{self, backtrack::BoundedBacktracker, pikevm::PikeVM};
use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, Match};
use std::sync::OnceLock;

type Dfa = dense::DFA<&'static [u32]>;

/// A match's groups as spans of the searched bytes; the first is the match.
pub(super) type Groups = Vec<Option<(usize, usize)>>;

/// What a pattern needs beyond its forward automaton, each made when first needed.
#[derive(Debug, Default)]
pub(super) struct SpanSearch {
    /// The build's reverse automaton, read when a text first matches.
    reverse: OnceLock<Option<Dfa>>,
    /// The groups' NFA, compiled when a text's groups are first asked for.
    captor: OnceLock<Option<Captor>>,
}

/// Which matches a search gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// The first match only.
    First,
    /// Every match, leftmost first and not overlapping, as `regex`'s iterators give them.
    All,
}

impl SpanSearch {
    /// The matches of `pattern` in `hay` (ASCII, or a text with its other characters stood in
    /// for) that `fwd`, its forward automaton, finds, each with its groups when `groups` (else
    /// the match alone). `None` when the build wrote no reverse automaton for it or its ASCII
    /// reading does not compile: the pattern as written must answer.
    pub(super) fn search(
        &self,
        pattern: &str,
        fwd: &Dfa,
        hay: &[u8],
        want: Want,
        groups: bool,
    ) -> Option<Vec<Groups>> {
        let mut missing = false;
        let mut out = Vec::new();
        let mut it = Searcher::new(Input::new(hay));
        loop {
            let found = it.try_advance(|input| {
                // A dense DFA fails a search only at a quit byte, of which these have none.
                let Some(end) = fwd.try_search_fwd(input)? else {
                    return Ok(None);
                };
                if input.start() == end.offset() {
                    return Ok(Some(Match::must(0, end.offset()..end.offset())));
                }
                let Some(rev) = self.reverse(pattern) else {
                    missing = true;
                    return Ok(None);
                };
                let back = input
                    .clone()
                    .span(input.start()..end.offset())
                    .anchored(Anchored::Yes)
                    .earliest(false);
                Ok(rev
                    .try_search_rev(&back)?
                    .map(|start| Match::must(0, start.offset()..end.offset())))
            });
            let m = match found {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(_) => return None,
            };
            out.push(if groups {
                self.captor(pattern)?.groups(hay, m)?
            } else {
                vec![Some((m.start(), m.end()))]
            });
            if want == Want::First {
                break;
            }
        }
        (!missing).then_some(out)
    }

    fn reverse(&self, pattern: &str) -> Option<&Dfa> {
        self.reverse
            .get_or_init(|| {
                let bytes = crate::builtin_dfas::get_reverse(pattern)?;
                dense::DFA::from_bytes(bytes).ok().map(|(dfa, _)| dfa)
            })
            .as_ref()
    }

    fn captor(&self, pattern: &str) -> Option<&Captor> {
        self.captor.get_or_init(|| Captor::new(pattern)).as_ref()
    }
}

/// The pattern's ASCII reading with its groups, for the bounded backtracker on the short spans
/// most matches are and the PikeVM on longer ones (as `regex` chooses between them).
#[derive(Debug)]
struct Captor {
    backtrack: BoundedBacktracker,
    pikevm: PikeVM,
    caches: Pool<Caches, fn() -> Caches>,
}

#[derive(Debug, Default)]
struct Caches {
    backtrack: Option<thompson::backtrack::Cache>,
    pikevm: Option<thompson::pikevm::Cache>,
    captures: Option<Captures>,
}

impl Captor {
    fn new(pattern: &str) -> Option<Captor> {
        let nfa = ascii_dfa::ascii_nfa(pattern, false)?;
        Some(Captor {
            backtrack: BoundedBacktracker::new_from_nfa(nfa.clone()).ok()?,
            pikevm: PikeVM::new_from_nfa(nfa).ok()?,
            caches: Pool::new(Caches::default as fn() -> Caches),
        })
    }

    /// The groups of the match `m` of `hay`, found anchored on its span (the text around it
    /// still read by the pattern's assertions).
    fn groups(&self, hay: &[u8], m: Match) -> Option<Groups> {
        let input = Input::new(hay).span(m.range()).anchored(Anchored::Yes);
        let mut caches = self.caches.get();
        let Caches {
            backtrack,
            pikevm,
            captures,
        } = &mut *caches;
        let caps = captures.get_or_insert_with(|| self.pikevm.create_captures());
        let cache = backtrack.get_or_insert_with(|| self.backtrack.create_cache());
        if self
            .backtrack
            .try_captures(cache, input.clone(), caps)
            .is_err()
        {
            let cache = pikevm.get_or_insert_with(|| self.pikevm.create_cache());
            self.pikevm.captures(cache, input, caps);
        }
        // The match the automata found is the pattern's, so the NFA finds it too.
        caps.get_match()
            .filter(|found| found.range() == m.range())?;
        Some(
            (0..caps.group_len())
                .map(|i| caps.get_group(i).map(|s| (s.start, s.end)))
                .collect(),
        )
    }
}
